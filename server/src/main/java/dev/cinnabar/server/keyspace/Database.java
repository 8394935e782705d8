package dev.cinnabar.server.keyspace;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.EntryVisitor;
import dev.cinnabar.ds.ExpiryVisitor;
import dev.cinnabar.ds.MemoryCounter;
import dev.cinnabar.ds.ShardedKeyTable;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.config.ConfigEnums.MaxmemoryPolicy;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.type.RedisValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * One numbered database (SELECT n): the keyspace table plus Redis's semantics around it: lazy
 * expiry on access, LRU/LFU access tracking, hit/miss statistics, and the "key modified" signal
 * that WATCH (and later client tracking) hang off.
 *
 * <p>Entries are either packed strings ({@code byte[]}, see {@link Entries}) or
 * {@link ObjectEntry} holding a {@code RedisValue}. Accessed only with the server lock held.
 *
 * <p>Memory accounting (maxmemory): the table reports its arrays and entries to the server's
 * keyspace {@link MemoryCounter}; this class adds the size of each {@link ObjectEntry}'s value,
 * recorded on the entry ({@link ObjectEntry#accounted()}) when it is stored and subtracted when
 * the entry leaves the table. A value a command may change in place (found by a lookup,
 * stored, or named by {@link #modified}) is noted as dirty and its size
 * counted again when the command ends ({@link dev.cinnabar.server.memory.Memory#settle}), so
 * commands need not say when they resize, convert or trim a value.
 *
 * <p>Expiry follows Redis's keyIsExpired: a key whose expiry time is T is still alive at T and
 * gone from T+1 on; "now" is the running command's time snapshot ({@code Client.now}), so a
 * key cannot vanish half-way through a command.
 */
public final class Database {
    /** Redis LFU_INIT_VAL: the counter of a new key, so it is not evicted right away. */
    static final int LFU_INIT_VAL = 5;
    /** Redis LRU_CLOCK_MAX: the LRU word holds a 24-bit clock in seconds. */
    static final int LRU_CLOCK_MAX = (1 << 24) - 1;

    private final Server server;
    public final int id;
    /** Split by hash-slot range: the seam for cluster mode, per-shard locks and snapshots. */
    private ShardedKeyTable table;
    /** Entries found expired by the current active-expiry step, deleted side effects pending. */
    private final ArrayList<Object> expiredBatch = new ArrayList<>();
    /** Running average TTL in ms of keys seen by active expiry (INFO keyspace avg_ttl). */
    private long avgTtl;
    /** Where the tables and values of every database are counted (server-wide). */
    private final MemoryCounter memory;
    /** Sum of {@link ObjectEntry#accounted()} over this database's entries. */
    private long valueBytes;
    /**
     * The entry most recently found or stored by a write (always one in the table, or null), so
     * that {@link #modified} right after it can refresh its accounted size without a lookup.
     */
    private Object lastWritten;
    /**
     * The point-in-time snapshot walking this database, or null (nearly always): every change
     * to an entry is announced to it first, so it can serialise the entry as it was.
     */
    private SnapshotHook snapshot;

    /**
     * What a forkless point-in-time snapshot needs to hear from the keyspace. Called with the
     * server lock held.
     */
    public interface SnapshotHook {
        /**
         * Entry {@code e} of {@code db} is about to change in place, or has just left the table
         * (deleted, replaced, expired, evicted, moved) and is still intact.
         */
        void beforeChange(Database db, Object e);

        /** Entry {@code e} was put in {@code db}'s table (a new key, or a replacement entry). */
        void inserted(Object e);

        /** The database is being emptied or swapped with another: the snapshot cannot go on. */
        void replaced(Database db);
    }

    /** Attaches (or with null detaches) a snapshot's hook. */
    public void snapshotHook(SnapshotHook hook) {
        this.snapshot = hook;
    }

    public SnapshotHook snapshotHook() {
        return snapshot;
    }

    public Database(Server server, int id) {
        this.server = server;
        this.id = id;
        this.memory = server.memory.keyspace;
        this.table = newTable();
    }

    /** Cluster mode routes keys by hash slot; standalone by hash bits (no CRC16 per access). */
    private ShardedKeyTable newTable() {
        return new ShardedKeyTable(server.clusterEnabled(), memory);
    }

    public long size() {
        return table.size();
    }

    public long expiresCount() {
        return table.expiresCount();
    }

    /** Average TTL in ms of the volatile keys, estimated by active expiry (INFO keyspace). */
    public long avgTtl() {
        return avgTtl;
    }

    // ---- access tracking (LRU / LFU) ----------------------------------------------------------

    /** Redis's 24-bit LRU clock in seconds. */
    public int lruClock() {
        return (int) ((server.clock.millis() / 1000) & LRU_CLOCK_MAX);
    }

    private boolean lfu() {
        MaxmemoryPolicy p = server.config.memory.maxmemoryPolicy.get();
        return p == MaxmemoryPolicy.ALLKEYS_LFU || p == MaxmemoryPolicy.VOLATILE_LFU;
    }

    /** Minutes clock of the LFU word's upper 16 bits (Redis LFUGetTimeInMinutes). */
    private int lfuMinutes() {
        return (int) ((server.clock.millis() / 60_000) & 0xFFFF);
    }

    /** The LRU word of a new value: the LRU clock, or under an LFU policy time + initial count. */
    public int newLru() {
        return lfu() ? (lfuMinutes() << 8) | LFU_INIT_VAL : lruClock();
    }

    /**
     * Records an access to an entry, whatever the client's NO_TOUCH flag (TOUCH itself, and
     * {@link #lookupRead} for normal clients): LRU clock, or LFU decay + logarithmic increment.
     */
    public void touch(Object e) {
        if (lfu()) {
            int counter = lfuCounter(Entries.lru(e));
            if (counter < 255) {
                double base = Math.max(0, counter - LFU_INIT_VAL);
                double p = 1.0 / (base * server.config.memory.lfuLogFactor.get() + 1);
                if (ThreadLocalRandom.current().nextDouble() < p) {
                    counter++;
                }
            }
            Entries.setLru(e, (lfuMinutes() << 8) | counter);
        } else {
            Entries.setLru(e, lruClock());
        }
    }

    /**
     * The LFU counter of an LRU word after decay: one point per lfu-decay-time minutes since the
     * last access (Redis LFUDecrAndReturn). OBJECT FREQ.
     */
    public int lfuCounter(int word) {
        int ldt = (word >>> 8) & 0xFFFF;
        int counter = word & 0xFF;
        int decay = server.config.memory.lfuDecayTime.get();
        if (decay > 0) {
            int now = lfuMinutes();
            int elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
            int periods = elapsed / decay;
            counter = periods > counter ? 0 : counter - periods;
        }
        return counter;
    }

    /** Milliseconds since the last access according to an entry's LRU clock (Redis estimate). */
    public long idleMillis(Object e) {
        int clock = lruClock();
        int lru = Entries.lru(e) & LRU_CLOCK_MAX;
        long ticks = clock >= lru ? clock - lru : clock + (long) (LRU_CLOCK_MAX - lru);
        return ticks * 1000;
    }

    // ---- lookups ------------------------------------------------------------------------------

    private static boolean expired(Object e, long now) {
        return Entries.hasExpire(e) && Entries.expireAt(e) < now;
    }

    /**
     * Finds a key at time {@code now}, deleting it first if it has expired (Redis
     * expireIfNeeded + lookupKey without side effects on statistics or LRU).
     */
    public Object find(byte[] k, int off, int len, long now) {
        return find(k, off, len, now, false);
    }

    /**
     * {@link #find} for a write. On a replica an expired key is otherwise never deleted here
     * (its master's DEL will come); a write by a client of a writable replica deletes it first,
     * as Redis's EXPIRE_FORCE_DELETE_EXPIRED lookups do.
     */
    private Object find(byte[] k, int off, int len, long now, boolean forWrite) {
        Object e = table.get(table.tokenFor(k, off, len), k, off, len);
        if (e != null && expired(e, now) && server.replication.replicaOf.isReplica()) {
            // The master's own commands still see the key: the master decides when it goes.
            if (server.replication.replicaOf.applyingMasterStream()) {
                return e;
            }
            if (!forWrite) {
                return null;
            }
        }
        if (e != null && expired(e, now)) {
            // During a CLIENT PAUSE the key reads as gone but is only deleted after the pause.
            if (!server.pause.expiryPaused()) {
                expireNow(k, off, len);
            }
            return null;
        }
        return e;
    }

    /** Lookup for reading: lazy expiry, keyspace hits/misses, LRU touch (Redis lookupKeyRead). */
    public Object lookupRead(Client c, int arg) {
        Object e = lookupReadNoTouch(c.argData(), c.argOff(arg), c.argLen(arg), c.now);
        if (snapshot != null && e != null) {
            // Commands change values found by read lookups too (XREADGROUP, PFCOUNT's cache).
            snapshot.beforeChange(this, e);
        }
        if (e == null) {
            KeyEvents.fire(c, KeyEvents.KEY_MISS, KeyEvents.KEYMISS, arg);
        } else if (!c.has(Client.NO_TOUCH)) {
            touch(e);
        }
        return e;
    }

    /**
     * Lookup for reading that leaves the access time alone but counts hits/misses (Redis
     * LOOKUP_NOTOUCH: EXISTS, TYPE, TTL, OBJECT...).
     */
    public Object lookupReadNoTouch(Client c, int arg) {
        Object e = lookupReadNoTouch(c.argData(), c.argOff(arg), c.argLen(arg), c.now);
        if (snapshot != null && e != null) {
            snapshot.beforeChange(this, e);
        }
        if (e == null) {
            KeyEvents.fire(c, KeyEvents.KEY_MISS, KeyEvents.KEYMISS, arg);
        }
        return e;
    }

    /** Read lookup without access-time update or key-miss notification (OBJECT, SCAN TYPE). */
    public Object lookupReadNoTouch(byte[] k, int off, int len, long now) {
        Object e = find(k, off, len, now);
        if (e == null) {
            server.stats.keyspaceMisses++;
        } else {
            server.stats.keyspaceHits++;
            if (e instanceof ObjectEntry o) {
                // A read can change a value's size too: finishing an incremental rehash of its
                // table releases the old arrays.
                server.memory.dirty(this, o);
            }
        }
        return e;
    }

    /** Lookup for writing: lazy expiry and LRU touch, no hit/miss statistics. */
    public Object lookupWrite(Client c, int arg) {
        Object e = find(c.argData(), c.argOff(arg), c.argLen(arg), c.now, true);
        if (e != null) {
            if (snapshot != null) {
                snapshot.beforeChange(this, e);
            }
            lastWritten = e;
            if (e instanceof ObjectEntry o) {
                server.memory.dirty(this, o);
            }
            if (!c.has(Client.NO_TOUCH)) {
                touch(e);
            }
        }
        return e;
    }

    /** Whether the key exists but is logically expired at {@code now} (WATCH checks). */
    public boolean isExpiredNow(byte[] k, int off, int len, long now) {
        Object e = table.get(table.tokenFor(k, off, len), k, off, len);
        return e != null && expired(e, now);
    }

    /** Finds an entry without expiring it or touching anything (DEBUG, introspection). */
    public Object peek(byte[] k, int off, int len) {
        return table.get(table.tokenFor(k, off, len), k, off, len);
    }

    // ---- writes -------------------------------------------------------------------------------

    /**
     * Stores a string value, replacing any value of any type. {@code expireAt} is an absolute
     * Unix time in ms, -1 for none. An overwritten key keeps its access data (Redis dbSetValue).
     */
    public void setString(byte[] k, int off, int len, byte[] v, int vOff, int vLen, int enc, long expireAt) {
        byte[] e = Entries.newString(k, off, len, v, vOff, vLen, enc, expireAt, 0);
        Object old = table.put(table.tokenFor(k, off, len), e);
        if (snapshot != null) {
            snapshotPut(old, e);
        }
        Entries.setLru(e, old != null ? Entries.lru(old) : newLru());
        lastWritten = e;
        if (old != null) {
            left(old);
            server.blocking.signalDeleted(this, k, off, len);
        }
        signalModified(k, off, len);
        if (old == null) {
            created(k, off, len);
        }
    }

    /** Stores an object value (any type), replacing any value. */
    public void setObject(byte[] k, int off, int len, Object value, long expireAt) {
        byte[] key = Arrays.copyOfRange(k, off, off + len);
        ObjectEntry e = new ObjectEntry(key, value, expireAt, 0);
        Object old = table.put(table.tokenFor(k, off, len), e);
        if (snapshot != null) {
            snapshotPut(old, e);
        }
        e.lru = old != null ? Entries.lru(old) : newLru();
        if (old != null) {
            left(old);
        }
        entered(e);
        // Redis dbAdd wakes clients blocked on a new key; an overwrite (setKey on an existing
        // key) only tells those waiting for the key to go away.
        if (old == null) {
            server.blocking.signalReady(this, k, off, len);
        } else {
            server.blocking.signalDeleted(this, k, off, len);
        }
        signalModified(k, off, len);
        if (old == null) {
            created(k, off, len);
        }
    }

    /**
     * Puts an entry as is (RENAME, MOVE, COPY keep a prepared entry). The entry must not be in
     * another table at the same time (MOVE removes it from its database first).
     */
    public void putEntry(Object entry) {
        byte[] k = Entries.keyArray(entry);
        int off = Entries.keyOffset(entry);
        int len = Entries.keyLength(entry);
        Object old = table.put(table.tokenFor(k, off, len), entry);
        if (snapshot != null) {
            snapshotPut(old, entry);
        }
        if (old != null) {
            left(old);
        }
        entered(entry);
        // RENAME, MOVE and COPY delete the destination and add the key anew (Redis dbAdd).
        if (old != null) {
            server.blocking.signalDeleted(this, k, off, len);
        }
        server.blocking.signalReady(this, k, off, len);
        signalModified(k, off, len);
        if (old == null) {
            created(k, off, len);
        }
    }

    /**
     * Adds an entry while loading a data set (Redis dbAddRDBLoad): no keyspace event, no
     * blocked-client, WATCH or tracking signal. Returns the entry it replaced, or null.
     */
    public Object loadEntry(Object entry) {
        byte[] k = Entries.keyArray(entry);
        Object old = table.put(table.tokenFor(k, Entries.keyOffset(entry), Entries.keyLength(entry)), entry);
        if (snapshot != null) {
            snapshotPut(old, entry);
        }
        return old;
    }

    /** A put while a snapshot runs: the replaced entry goes to it first, the new one is not its. */
    private void snapshotPut(Object old, Object entry) {
        if (old != null) {
            snapshot.beforeChange(this, old);
        }
        snapshot.inserted(entry);
    }

    /** A key was added (Redis dbAdd): the "new" keyspace event, before the command's own. */
    private void created(byte[] k, int off, int len) {
        server.notify(KeyEvents.NEW, KeyEvents.NEW_EVENT, id, k, off, len);
    }

    /** Deletes a key; returns whether it existed. */
    public boolean delete(byte[] k, int off, int len) {
        Object e = table.remove(table.tokenFor(k, off, len), k, off, len);
        if (e != null) {
            if (snapshot != null) {
                snapshot.beforeChange(this, e);
            }
            left(e);
            server.blocking.signalDeleted(this, k, off, len);
            signalModified(k, off, len);
            return true;
        }
        return false;
    }

    /** Removes and returns an entry (RENAME, MOVE, GETDEL). */
    public Object remove(byte[] k, int off, int len) {
        Object e = table.remove(table.tokenFor(k, off, len), k, off, len);
        if (e != null) {
            if (snapshot != null) {
                snapshot.beforeChange(this, e);
            }
            left(e);
            server.blocking.signalDeleted(this, k, off, len);
            signalModified(k, off, len);
        }
        return e;
    }

    /** Sets or clears (at = -1) the expiry of an existing entry; returns the stored entry. */
    public Object setExpire(Object entry, long at) {
        if (snapshot != null) {
            // Before the expiry changes: it may be rewritten in place.
            snapshot.beforeChange(this, entry);
        }
        Object n = Entries.withExpire(entry, at);
        byte[] k = Entries.keyArray(n);
        int off = Entries.keyOffset(n);
        int len = Entries.keyLength(n);
        long h = table.tokenFor(k, off, len);
        if (snapshot != null) {
            snapshot.inserted(n);
        }
        if (!table.replace(h, entry, n)) {
            Object old = table.put(h, n);
            if (old != null) {
                if (snapshot != null && old != entry) {
                    snapshot.beforeChange(this, old);
                }
                left(old);
            }
            if (n instanceof ObjectEntry o) {
                entered(o);
            }
        }
        if (lastWritten == entry) {
            lastWritten = n;
        }
        signalModified(k, off, len);
        return n;
    }

    /**
     * A copy of an entry under another key, with the same value (shared: the caller drops the
     * original, as RENAME does), expiry and access data.
     */
    public static Object withKey(Object e, byte[] k, int off, int len) {
        if (e instanceof byte[] p) {
            return Entries.newString(k, off, len, p, Entries.valueOffset(p), Entries.valueLength(p),
                    Entries.encoding(p), Entries.expireAt(p), Entries.lru(p));
        }
        ObjectEntry o = (ObjectEntry) e;
        return new ObjectEntry(Arrays.copyOfRange(k, off, off + len), o.value, o.expireAt, o.lru);
    }

    /**
     * Empties the database (FLUSHDB, FLUSHALL). Returns the number of keys removed. Watched keys
     * that existed are touched first, as Redis's signalFlushedDb does.
     */
    public long flush() {
        return flush(false);
    }

    /**
     * Empties the database; with {@code async} the old table is handed to the lazy-free thread
     * (FLUSHDB / FLUSHALL ASYNC, Redis emptyDbAsync).
     */
    public long flush(boolean async) {
        if (snapshot != null) {
            snapshot.replaced(this);
        }
        ShardedKeyTable old = table;
        long n = table.size();
        server.transactions.touchAllInDb(this, null);
        server.blocking.beforeFlush(this);
        server.memory.settle();
        table.release();
        memory.add(-valueBytes);
        valueBytes = 0;
        lastWritten = null;
        table = newTable();
        avgTtl = 0;
        server.expiry.resetCursor(id);
        if (async) {
            server.ops.lazyfree.freeDatabaseAsync(old, n);
        }
        return n;
    }

    /** SWAPDB: exchanges the contents of two databases (watchers stay with the db number). */
    public void swapWith(Database other) {
        if (snapshot != null) {
            snapshot.replaced(this);
        }
        if (other.snapshot != null) {
            other.snapshot.replaced(other);
        }
        server.transactions.touchAllInDb(this, other);
        server.transactions.touchAllInDb(other, this);
        server.memory.settle(); // noted values are counted in the database that holds them now
        ShardedKeyTable t = table;
        table = other.table;
        other.table = t;
        long v = valueBytes;
        valueBytes = other.valueBytes;
        other.valueBytes = v;
        lastWritten = null;
        other.lastWritten = null;
        long a = avgTtl;
        avgTtl = other.avgTtl;
        other.avgTtl = a;
        server.expiry.resetCursor(id);
        server.expiry.resetCursor(other.id);
        // Keys now present may serve clients blocked in either database (which stay with
        // their database number, as WATCHes do).
        server.blocking.databaseReplaced(this, other);
        server.blocking.databaseReplaced(other, this);
    }

    /**
     * Signals that a key changed (Redis signalModifiedKey): WATCH, and client tracking, for which
     * the running command's client is the one that changed it (NOLOOP). Commands call it after
     * changing a value in place, so it also refreshes the value's accounted size.
     */
    public void modified(byte[] k, int off, int len) {
        signalModified(k, off, len);
        Object e = lastWritten;
        if (e == null || !Entries.keyEquals(e, k, off, len)) {
            e = table.get(table.tokenFor(k, off, len), k, off, len);
        }
        if (e instanceof ObjectEntry o) {
            server.memory.dirty(this, o);
        }
    }

    /** WATCH and tracking side of {@link #modified}, for changes this class accounts itself. */
    private void signalModified(byte[] k, int off, int len) {
        // Redis's dirty counter: a command whose run counted no change is not propagated.
        server.stats.keyspaceChanges++;
        server.transactions.touch(id, k, off, len);
        server.tracking.invalidateKey(server.tracking.current(), k, off, len, true);
    }

    // ---- memory accounting ------------------------------------------------------------------

    /** Heap bytes an ObjectEntry's value is counted for (the table counts the entry itself). */
    private static long valueSize(Object value) {
        return value instanceof RedisValue v ? v.accountedBytes() : 16;
    }

    /** An entry was put in the table: count its value (again when the command ends). */
    private void entered(Object e) {
        lastWritten = e;
        if (e instanceof ObjectEntry o) {
            long bytes = o.accounted(valueSize(o.value));
            valueBytes += bytes;
            memory.add(bytes);
            server.memory.dirty(this, o);
        }
    }

    /**
     * Counts a dirty value's size again. The entry is in this table: one that left it was
     * forgotten ({@link #left}), and FLUSHDB and SWAPDB settle first.
     */
    public void reaccount(ObjectEntry o) {
        long before = o.accounted();
        long delta = o.accounted(valueSize(o.value)) - before;
        valueBytes += delta;
        memory.add(delta);
    }

    /** An entry left the table (replaced, deleted, expired, evicted): stop counting its value. */
    private void left(Object e) {
        if (e == lastWritten) {
            lastWritten = null;
        }
        if (e instanceof ObjectEntry o) {
            long bytes = o.accounted();
            valueBytes -= bytes;
            memory.add(-bytes);
            o.accounted(0);
            server.memory.forget(o);
        }
    }

    /** Bytes of this database's tables, entries and values (the server counts the total in O(1)). */
    public long accountedBytes() {
        return table.footprint() + valueBytes;
    }

    /** Heap bytes of the table arrays alone (INFO used_memory_overhead). */
    public long tableOverhead() {
        return table.memoryEstimate();
    }

    /**
     * Recounts every value's size from scratch (DEBUG, tests): returns the change. Accounting is
     * incremental, so this should find nothing unless a command changed a value in place
     * without calling {@link #modified}.
     */
    public long recount() {
        long[] delta = {0};
        table.forEach(e -> {
            if (e instanceof ObjectEntry o) {
                long before = o.accounted();
                delta[0] += o.accounted(valueSize(o.value)) - before;
            }
        });
        valueBytes += delta[0];
        memory.add(delta[0]);
        return delta[0];
    }

    // ---- expiry -------------------------------------------------------------------------------

    /**
     * Deletes an expired key (Redis deleteExpiredKeyAndPropagate): the key is removed before
     * watchers are told, so WATCH can tell a stale key that vanished from a modified one.
     */
    private void expireNow(byte[] k, int off, int len) {
        Object e = table.remove(table.tokenFor(k, off, len), k, off, len);
        if (snapshot != null) {
            snapshot.beforeChange(this, e);
        }
        left(e);
        expiredSideEffects(e, k, off, len);
    }

    private void expiredSideEffects(Object e, byte[] k, int off, int len) {
        server.stats.expiredKeys++;
        if (server.config.memory.lazyfreeLazyExpire.get()) {
            server.ops.lazyfree.freeAsync(e);
        }
        server.blocking.signalDeleted(this, k, off, len);
        server.expiry.expired(this, e);
        // Redis signals an expired key as modified by no client: even the client whose read
        // found it expired hears about it in BCAST NOLOOP mode.
        server.transactions.touch(id, k, off, len);
        server.tracking.invalidateKey(null, k, off, len, true);
    }

    /**
     * One active-expiry step over this database: examines up to {@code maxSlots} slots from
     * {@code cursor}, deletes the TTL entries expired at {@code now}, and returns the cursor to
     * continue from (0 after a complete pass). {@code counts[0]} is increased by the entries
     * expired, {@code counts[1]} by the TTL entries examined.
     */
    /** Slots examined by the last {@link #activeExpire} step. */
    public int lastExpireExamined() {
        return table.lastExamined();
    }

    public long activeExpire(long cursor, int maxSlots, long now, long[] counts) {
        scanNow = now;
        ttlSum = 0;
        ttlSamples = 0;
        long next = table.ttlScan(cursor, maxSlots, expiryCheck);
        ArrayList<Object> batch = expiredBatch;
        counts[0] += batch.size();
        counts[1] += batch.size() + ttlSamples;
        // Side effects after the walk: watchers must see the keys already gone.
        for (int i = 0; i < batch.size(); i++) {
            Object e = batch.get(i);
            if (snapshot != null) {
                snapshot.beforeChange(this, e);
            }
            left(e);
            expiredSideEffects(e, Entries.keyArray(e), Entries.keyOffset(e), Entries.keyLength(e));
        }
        batch.clear();
        if (ttlSamples > 0) {
            // Redis's running average: each sample batch moves the estimate by 2%.
            long sample = ttlSum / ttlSamples;
            avgTtl = avgTtl == 0 ? sample : (avgTtl / 50) * 49 + sample / 50;
        }
        return next;
    }

    // State of the active-expiry walk in progress (fields, so the cron allocates nothing).
    private long scanNow;
    private long ttlSum;
    private long ttlSamples;
    private final ExpiryVisitor expiryCheck = this::checkExpired;

    private boolean checkExpired(Object e) {
        long at = Entries.expireAt(e);
        if (at < scanNow) {
            expiredBatch.add(e);
            return true;
        }
        ttlSum += at - scanNow;
        ttlSamples++;
        return false;
    }

    /** Slots of the table (for sizing active-expiry work). */
    public long capacity() {
        return table.capacity();
    }

    // ---- iteration --------------------------------------------------------------------------

    /** One SCAN step (see {@link ShardedKeyTable#scan}): the visitor must not modify this database. */
    public long scan(long cursor, EntryVisitor v) {
        return table.scan(cursor, v);
    }

    public void forEach(EntryVisitor v) {
        table.forEach(v);
    }

    /**
     * A random entry, not expired at {@code now}, or null (Redis dbRandomKey). Expired entries
     * met on the way are deleted, so the loop ends: each round returns or removes a key.
     */
    public Object randomEntry(long now) {
        int pausedTries = 100;
        while (table.size() > 0) {
            Object e = table.randomEntry(ThreadLocalRandom.current());
            if (e == null) {
                return null;
            }
            if (expired(e, now)) {
                if (server.pause.expiryPaused()) {
                    // Nothing can be deleted during a pause: give up after some tries rather
                    // than loop over a database of expired keys.
                    if (--pausedTries == 0) {
                        return null;
                    }
                    continue;
                }
                expireNow(Entries.keyArray(e), Entries.keyOffset(e), Entries.keyLength(e));
                continue;
            }
            return e;
        }
        return null;
    }

    // ---- eviction ------------------------------------------------------------------------------

    /**
     * Up to {@code max} entries from a random region of the keyspace, only keys with a TTL when
     * {@code ttlOnly}: eviction's sample (Redis dictGetSomeKeys on the dict or the expires).
     * Nothing is expired or touched. Returns how many were stored in {@code out}.
     */
    public int sample(RandomGenerator rnd, Object[] out, int max, boolean ttlOnly) {
        return table.sample(rnd, out, max, ttlOnly);
    }

    /** A uniformly random entry, expired or not, or null (allkeys-random eviction). */
    public Object anyEntry(RandomGenerator rnd) {
        return table.randomEntry(rnd);
    }

    /**
     * Deletes a key chosen by eviction, with Redis performEvictions' side effects in its order:
     * the deletion (clients blocked on the key notice), evicted_keys, the modified-key signal as
     * made by no client (WATCH, tracking invalidation, sent at once, so it precedes the reply of
     * the command that triggered the eviction), then the "evicted" keyspace event. Returns the
     * accounted bytes the key held.
     */
    public long evict(Object entry) {
        byte[] k = Entries.keyArray(entry);
        int off = Entries.keyOffset(entry);
        int len = Entries.keyLength(entry);
        long before = memory.bytes();
        Object e = table.remove(table.tokenFor(k, off, len), k, off, len);
        if (e == null) {
            return 0;
        }
        if (snapshot != null) {
            snapshot.beforeChange(this, e);
        }
        left(e);
        long freed = before - memory.bytes();
        server.blocking.signalDeleted(this, k, off, len);
        server.stats.evictedKeys++;
        server.transactions.touch(id, k, off, len);
        server.tracking.invalidateKey(null, k, off, len, true);
        server.notify(KeyEvents.EVICTED, KeyEvents.EVICTED_EVENT, id, k, off, len);
        // Replicas delete it too: DEL, or UNLINK under lazyfree-lazy-eviction (a unit of its own).
        server.replication.propagation.evicted(id, k, off, len);
        return freed;
    }

    public void rehashStep() {
        table.rehashStep(100);
    }

    public long memoryEstimate() {
        return table.memoryEstimate();
    }
}
