package dev.cinnabar.server.keyspace;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.pubsub.KeyEvents;

/**
 * Active expiry (the job of Redis's activeExpireCycle): every cron tick, walks the slots of each
 * database's table that hold entries with a TTL and deletes the expired ones. Keys that are
 * never accessed are reclaimed this way; accessed ones expire lazily on lookup
 * ({@link Database#find}).
 *
 * <p>Redis samples random volatile keys and stops while few of them turn out expired, which
 * bounds memory held by stale keys only statistically. Here each database keeps a cursor into
 * its table and every tick advances it by a quota of slots sized so that a complete pass takes
 * at most {@value #PASS_MILLIS} ms: any key is deleted at most about that long after its expiry
 * even if nothing ever reads it, and the work per tick is proportional to the table, not to the
 * number of keys expiring. Beyond the quota the walk goes on while the steps keep finding many
 * expired keys (Redis's "acceptable stale" rule), to catch up after mass expiry. Either way a
 * tick never uses more than its time budget: 25% of the tick (Redis's slow-cycle share, raised a
 * little by active-expire-effort), checked every {@value #SLOTS_PER_STEP} slots.
 *
 * <p>Runs with the server lock held.
 */
public final class Expiry {
    /** Slots examined between clock checks. */
    static final int SLOTS_PER_STEP = 2048;
    /** Longest time a complete pass over a table may be spread over. */
    static final int PASS_MILLIS = 500;

    private final Server server;
    private final long[] cursors;
    private final long[] lastWalked;
    private int nextDb;
    private boolean enabled = true;
    /** Cycle time not yet reported in whole milliseconds to the stats. */
    private long cpuMicrosRemainder;
    /** Expired / examined TTL entries of the cycle in progress. */
    private final long[] counts = new long[2];

    public Expiry(Server server) {
        this.server = server;
        this.cursors = new long[server.dbCount()];
        this.lastWalked = new long[server.dbCount()];
    }

    /** DEBUG SET-ACTIVE-EXPIRE. */
    public void enabled(boolean on) {
        enabled = on;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Restarts the walk of a database whose table was replaced (FLUSHDB, SWAPDB). */
    void resetCursor(int db) {
        if (db < cursors.length) {
            cursors[db] = 0;
        }
    }

    /** Where the walk of a database stands (tests). */
    long cursor(int db) {
        return cursors[db];
    }

    /** Slots the last cycle examined in a database (tests check the per-tick quota). */
    long lastWalked(int db) {
        return lastWalked[db];
    }

    /** One cycle; called from the server cron. */
    public void activeCycle() {
        if (!enabled || server.pause.expiryPaused() || server.replication.replicaOf.isReplica()) {
            // A CLIENT PAUSE suspends expiry (the keys go once it ends); a replica leaves
            // expiry to its master, whose DELs come through the stream.
            return;
        }
        int hz = Math.max(1, server.config.general.hz.get());
        int effort = server.config.memory.activeExpireEffort.get() - 1; // 0..9 as in Redis
        long budgetMicros = 1_000_000L / hz * (25 + 2 * effort) / 100;
        int ticksPerPass = Math.max(1, hz * PASS_MILLIS / 1000);
        int stalePercent = 10 - effort;
        // The server clock's monotonic time, so tests can simulate slow steps.
        long start = server.clock.monoMicros();
        long now = server.clock.millis();
        counts[0] = 0;
        counts[1] = 0;
        int dbs = server.dbCount();
        for (int n = 0; n < dbs; n++) {
            int i = (nextDb + n) % dbs;
            Database db = server.db(i);
            if (db.expiresCount() == 0) {
                cursors[i] = 0;
                continue;
            }
            long quota = (db.capacity() + ticksPerPass - 1) / ticksPerPass;
            long walked = 0;
            // Whether the last step that met any TTL entry found many of them expired. Steps
            // that meet none (empty stretches, or only resize migration) do not change it.
            boolean stale = false;
            while (true) {
                long expiredBefore = counts[0];
                long sampledBefore = counts[1];
                long from = cursors[i];
                cursors[i] = db.activeExpire(from, SLOTS_PER_STEP, now, counts);
                // Slots actually examined (cursors encode the shard, so their difference is not work).
                walked += db.lastExpireExamined();
                lastWalked[i] = walked;
                if (server.clock.monoMicros() - start > budgetMicros) {
                    server.stats.expiredTimeCapReached++;
                    nextDb = i; // resume with this database next tick
                    finish(start);
                    return;
                }
                long sampled = counts[1] - sampledBefore;
                if (sampled > 0) {
                    stale = (counts[0] - expiredBefore) * 100 > sampled * stalePercent;
                }
                // Past the quota, or at the end of a pass (which a shrinking table can also end
                // early), go on only to catch up with mass expiry.
                if (db.expiresCount() == 0 || ((cursors[i] == 0 || walked >= quota) && !stale)) {
                    break;
                }
            }
        }
        nextDb = 0;
        finish(start);
    }

    private void finish(long start) {
        long micros = server.clock.monoMicros() - start + cpuMicrosRemainder;
        server.stats.expireCycleCpuMillis += micros / 1000;
        cpuMicrosRemainder = micros % 1000;
        if (counts[1] > 0) {
            // Redis keeps a slowly moving average of the stale share of what it samples.
            long perc = counts[0] * 100 / counts[1];
            server.stats.expiredStaleSamples = (perc * 5 + server.stats.expiredStaleSamples * 95) / 100;
        }
    }

    /**
     * Called for every key deleted because it expired (lazily or actively): the place where
     * keyspace notifications and DEL propagation to replicas / AOF hang.
     */
    public void expired(Database db, Object entry) {
        server.notify(KeyEvents.EXPIRED, KeyEvents.EXPIRED_EVENT, db.id, Entries.keyArray(entry),
                Entries.keyOffset(entry), Entries.keyLength(entry));
        // Replicas delete the key too (Redis propagateDeletion), after the notification.
        server.replication.propagation.expired(db.id, Entries.keyArray(entry), Entries.keyOffset(entry),
                Entries.keyLength(entry));
    }
}
