package dev.cinnabar.server.persistence;

import dev.cinnabar.ds.EntryVisitor;
import dev.cinnabar.ds.Entries;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.keyspace.Database;
import java.io.IOException;
import java.util.ArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A forkless point-in-time walk over the whole keyspace: what a Redis fork gives BGSAVE,
 * without copying memory and without stopping the server.
 *
 * <p>The walk runs on its own thread. It scans each database's table by SCAN cursor, holding
 * the server lock for about a millisecond of buckets at a time, and hands each entry to a
 * {@link Visitor} (which serialises it); between batches it releases the lock and lets the
 * visitor write its output. Commands keep running in between, so the walk must see the data
 * set as it was when it began:
 * <ul>
 *   <li>before any change touches an entry the walk has not handled yet (an in-place change
 *       after a lookup, a replacement, deletion, expiry, eviction, RENAME, MOVE, EXPIRE...),
 *       {@link Database} calls {@link #beforeChange}, which serialises the entry as it still
 *       is, right away (into the running database's section, or captured for a database the
 *       walk has not reached) and marks it handled;</li>
 *   <li>entries put in a table after the start are marked handled as they are inserted
 *       ({@link #inserted}), so the walk never writes keys that did not exist at the start;</li>
 *   <li>the walk skips marked entries, which also absorbs the duplicates a SCAN cursor can
 *       return across a resize.</li>
 * </ul>
 * The mark is one bit in the entry ({@link Entries#snapshotMarked}), so nothing is allocated
 * per key. When the walk ends (or is aborted) every mark is cleared again by a second, cheap
 * pass in the same batched way, during which inserted entries are unmarked instead; a new
 * snapshot starting before that pass ends finishes it at once ({@link #clearNow}).
 *
 * <p>FLUSHALL, FLUSHDB, SWAPDB and loads replace whole tables: the walk is aborted
 * ({@link #abort}), as Redis kills its saving child.
 *
 * <p>When no snapshot runs the cost on the write path is one null test in {@link Database}.
 */
public final class Snapshot implements Database.SnapshotHook {

    /**
     * Receives the data set in RDB order: {@link #start}, per non-empty database
     * {@link #begin}, its entries, {@link #end}; then {@link #finish}. All of these run under
     * the server lock, from the walking thread or, for entries changed by commands, from the
     * thread running the command.
     */
    public interface Visitor {
        /** Before anything else, at the instant the snapshot is taken. */
        void start();

        /** A database's section begins ({@code keys} and {@code expires} as at the start). */
        void begin(Database db, long keys, long expires);

        /** One entry of the database whose section is open. */
        void entry(Database db, Object entry);

        /**
         * An entry of a database whose section comes later, about to change: serialise it now
         * and return the result, given back to {@link #replay} inside that section.
         */
        Object capture(Database db, Object entry);

        /** Something {@link #capture} returned, now in its database's section. */
        void replay(Database db, Object captured);

        void end(Database db);

        /** After the last database. */
        void finish();

        /** At the end of each batch, under the lock: collect what was produced meanwhile. */
        void collect();

        /** Between batches, without the lock: write out what {@link #collect} took. */
        void drain() throws IOException;
    }

    /** How the walk ended. */
    public enum Outcome { DONE, ABORTED }

    private static final int WALKING = 0;
    private static final int CLEARING = 1;
    private static final int CLEARED = 2;

    /** Lock time per batch of buckets. */
    private static final long BATCH_NANOS = 1_000_000;

    private final Server server;
    private final Visitor visitor;
    private final Database[] dbs;
    private final long[] keys;
    private final long[] expires;
    /** Captured entries of databases not reached yet, per database (null when none). */
    private final ArrayList<Object>[] ahead;
    /** rdb-key-save-delay at the start: microseconds slept per key written by the walk. */
    private final int keyDelay;

    // All below are read and written under the server lock (the thread is set before it runs).
    private int phase = WALKING;
    private Database current;
    private boolean aborted;
    /** Set while clearing when a table was replaced: the clearing pass starts over. */
    private boolean restartClearing;
    private long keysWritten;
    private volatile Thread thread;

    // The batch in progress (fields, so the scan callback allocates nothing).
    private Database batchDb;
    private int batchKeys;
    private final EntryVisitor walkEntry = this::walkEntry;
    private final EntryVisitor clearEntry = e -> Entries.snapshotMark(e, false);

    /**
     * Takes the snapshot's instant: must be called with the server lock held, and no other
     * snapshot may be attached. The walk itself is {@link #walk}, on a thread of the caller's.
     */
    @SuppressWarnings("unchecked")
    public Snapshot(Server server, Visitor visitor) {
        this.server = server;
        this.visitor = visitor;
        this.dbs = server.dbs();
        this.keys = new long[dbs.length];
        this.expires = new long[dbs.length];
        this.ahead = new ArrayList[dbs.length];
        this.keyDelay = server.config.persistence.rdbKeySaveDelay.get();
        for (int i = 0; i < dbs.length; i++) {
            keys[i] = dbs[i].size();
            expires[i] = dbs[i].expiresCount();
            dbs[i].snapshotHook(this);
        }
        visitor.start();
    }

    /** Keys written so far by the walk itself (the rest went through {@link #beforeChange}). */
    public long keysWritten() {
        return keysWritten;
    }

    /**
     * Walks every database, calling the visitor; returns DONE after {@link Visitor#finish}, or
     * ABORTED. Visitor I/O errors come out as they are; the walk is then aborted. Call
     * {@link #clear} afterwards in every case.
     */
    public Outcome walk() throws IOException {
        thread = Thread.currentThread();
        try {
            for (int i = 0; i < dbs.length; i++) {
                if (keys[i] == 0) {
                    continue;
                }
                Database db = dbs[i];
                if (!locked(() -> openSection(db))) {
                    return Outcome.ABORTED;
                }
                long cursor = 0;
                do {
                    long from = cursor;
                    long[] next = {0};
                    if (!locked(() -> next[0] = batch(db, from))) {
                        return Outcome.ABORTED;
                    }
                    cursor = next[0];
                    visitor.drain();
                    pause(batchKeys);
                } while (cursor != 0);
                if (!locked(() -> {
                    visitor.end(db);
                    current = null;
                })) {
                    return Outcome.ABORTED;
                }
            }
            if (!locked(() -> {
                visitor.finish();
                visitor.collect();
                phase = CLEARING;
            })) {
                return Outcome.ABORTED;
            }
            visitor.drain();
            return Outcome.DONE;
        } catch (IOException | RuntimeException e) {
            abortFromWalker();
            throw e;
        }
    }

    private void abortFromWalker() {
        server.lock.enter();
        try {
            abort();
        } finally {
            server.lock.exit();
        }
    }

    /** Runs {@code r} under the lock unless the snapshot was aborted; returns whether it ran. */
    private boolean locked(Runnable r) {
        server.lock.enter();
        try {
            if (failure != null) {
                throw failure;
            }
            if (aborted) {
                return false;
            }
            r.run();
            return true;
        } finally {
            server.lock.exit();
            server.lock.yieldToWaiters();
        }
    }

    private void openSection(Database db) {
        current = db;
        visitor.begin(db, keys[db.id], expires[db.id]);
        ArrayList<Object> early = ahead[db.id];
        if (early != null) {
            ahead[db.id] = null;
            for (Object captured : early) {
                visitor.replay(db, captured);
            }
        }
    }

    /** One batch of buckets of {@code db} from {@code cursor}; returns the next cursor. */
    private long batch(Database db, long cursor) {
        long deadline = System.nanoTime() + BATCH_NANOS;
        batchDb = db;
        batchKeys = 0;
        do {
            cursor = db.scan(cursor, walkEntry);
            // With a per-key delay, one key per batch: the sleep happens without the lock.
        } while (cursor != 0 && (keyDelay == 0 || batchKeys == 0) && System.nanoTime() < deadline);
        visitor.collect();
        return cursor;
    }

    private void walkEntry(Object e) {
        if (!Entries.snapshotMarked(e)) {
            Entries.snapshotMark(e, true);
            visitor.entry(batchDb, e);
            batchKeys++;
            keysWritten++;
        }
    }

    /** rdb-key-save-delay, slept per key written (Redis debugDelay); an abort cuts it short. */
    private void pause(int written) {
        if (keyDelay == 0 || written == 0) {
            return;
        }
        long micros;
        if (keyDelay > 0) {
            micros = (long) keyDelay * written;
        } else {
            micros = 0;
            for (int i = 0; i < written; i++) {
                if (ThreadLocalRandom.current().nextInt(-keyDelay) == 0) {
                    micros++;
                }
            }
        }
        long until = System.nanoTime() + micros * 1000;
        long left;
        while (!aborted && (left = until - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
    }

    // ---- hooks (Database.SnapshotHook), under the lock ----------------------------------------

    @Override
    public void beforeChange(Database db, Object e) {
        if (phase != WALKING || Entries.snapshotMarked(e)) {
            return;
        }
        Entries.snapshotMark(e, true);
        try {
            if (db == current) {
                visitor.entry(db, e);
            } else if (keys[db.id] > 0) {
                // A database the walk reaches later (one it has passed holds no unmarked entry).
                ArrayList<Object> list = ahead[db.id];
                if (list == null) {
                    list = ahead[db.id] = new ArrayList<>();
                }
                list.add(visitor.capture(db, e));
            }
        } catch (RuntimeException ex) {
            // The command that triggered this must still run: the snapshot is what fails.
            server.log.warning("Background saving error: " + ex);
            failure = ex;
            abort();
        }
    }

    /** An error met while serialising for a command (the walk then reports it), or null. */
    private RuntimeException failure;

    @Override
    public void inserted(Object e) {
        Entries.snapshotMark(e, phase == WALKING);
    }

    @Override
    public void replaced(Database db) {
        abort();
    }

    /**
     * Stops the walk (its result must be discarded) and starts clearing marks. Under the lock.
     * During the clearing pass it makes the pass start over, since tables were exchanged.
     */
    public void abort() {
        if (phase == WALKING) {
            aborted = true;
            phase = CLEARING;
            current = null;
            java.util.Arrays.fill(ahead, null);
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        } else if (phase == CLEARING) {
            restartClearing = true;
        }
    }

    /** Whether the walk was aborted. Under the lock. */
    public boolean aborted() {
        return aborted;
    }

    /**
     * The second pass: clears every mark, in batches under the lock, then detaches from the
     * databases. Runs on the walking thread after {@link #walk}.
     */
    public void clear() {
        server.lock.enter();
        try {
            if (phase == CLEARED) {
                // A newer snapshot already cleared the marks at once (clearNow): the marks
                // in the tables now are its own.
                return;
            }
            phase = CLEARING;
        } finally {
            server.lock.exit();
        }
        boolean again;
        do {
            again = false;
            for (int i = 0; i < dbs.length && !again; i++) {
                Database db = dbs[i];
                long cursor = 0;
                do {
                    server.lock.enter();
                    try {
                        if (phase == CLEARED) {
                            return; // cleared at once by a new snapshot (clearNow)
                        }
                        if (restartClearing) {
                            restartClearing = false;
                            again = true;
                            break;
                        }
                        long deadline = System.nanoTime() + 2 * BATCH_NANOS;
                        do {
                            cursor = db.scan(cursor, clearEntry);
                        } while (cursor != 0 && System.nanoTime() < deadline);
                    } finally {
                        server.lock.exit();
                        server.lock.yieldToWaiters();
                    }
                } while (cursor != 0);
            }
        } while (again || !detachIfClean());
    }

    private boolean detachIfClean() {
        server.lock.enter();
        try {
            if (phase == CLEARED) {
                return true;
            }
            if (restartClearing) {
                restartClearing = false;
                return false;
            }
            detach();
        } finally {
            server.lock.exit();
        }
        return true;
    }

    private void detach() {
        for (Database db : dbs) {
            if (db.snapshotHook() == this) {
                db.snapshotHook(null);
            }
        }
        phase = CLEARED;
    }

    /**
     * Clears every mark at once, under the lock the caller holds, and detaches: a new snapshot
     * starting while this one's background clearing pass is still going does not wait for it
     * (the pass then stops). O(keys), but only bit flips.
     */
    public void clearNow() {
        if (phase == CLEARED) {
            return;
        }
        if (phase == WALKING) {
            abort();
        }
        for (Database db : dbs) {
            db.forEach(clearEntry);
        }
        detach();
    }
}
