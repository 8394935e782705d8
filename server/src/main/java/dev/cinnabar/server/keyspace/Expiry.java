package dev.cinnabar.server.keyspace;

import dev.cinnabar.server.Server;

/**
 * Active expiry (Redis activeExpireCycle, slow mode): every cron tick, walks the entries that
 * carry a TTL in each database and deletes the expired ones, within a time budget of 25% of
 * the tick so a huge keyspace never stalls the server. Keys that are never accessed are
 * reclaimed this way; accessed ones expire lazily on lookup ({@link Database#find}).
 *
 * <p>Runs with the server lock held.
 */
public final class Expiry {
    /** Slots of the table examined between clock checks. */
    private static final int SLOTS_PER_STEP = 2048;

    private final Server server;
    private final long[] cursors;
    private int nextDb;
    private boolean enabled = true;

    public Expiry(Server server) {
        this.server = server;
        this.cursors = new long[server.dbCount()];
    }

    /** DEBUG SET-ACTIVE-EXPIRE. */
    public void enabled(boolean on) {
        enabled = on;
    }

    public boolean enabled() {
        return enabled;
    }

    public void activeCycle() {
        if (!enabled) {
            return;
        }
        long start = System.nanoTime();
        long budgetNanos = 250_000_000L / Math.max(1, server.config.general.hz.get()); // 25% of a tick
        int dbs = server.dbCount();
        int[] found = new int[2];
        long now = server.clock.millis();
        for (int n = 0; n < dbs; n++) {
            int i = (nextDb + n) % dbs;
            Database db = server.db(i);
            if (db.expiresCount() == 0) {
                cursors[i] = 0;
                continue;
            }
            do {
                cursors[i] = db.activeExpire(cursors[i], SLOTS_PER_STEP, now, found);
                if (System.nanoTime() - start > budgetNanos) {
                    server.stats.expiredTimeCapReached++;
                    nextDb = i;
                    finish(start, found);
                    return;
                }
            } while (cursors[i] != 0);
        }
        nextDb = 0;
        finish(start, found);
    }

    private void finish(long start, int[] found) {
        server.stats.expireCycleCpuMillis += (System.nanoTime() - start) / 1_000_000;
        long sampled = (long) found[0] + found[1];
        if (sampled > 0) {
            server.stats.expiredStaleSamples = found[0] * 100L / sampled;
        }
    }

    /**
     * Called for every key deleted because it expired (lazily or actively): the place where
     * keyspace notifications and DEL propagation to replicas / AOF hang.
     */
    public void expired(Database db, Object entry) {
        // Notifications and propagation arrive with the pub/sub and replication work.
    }
}
