package dev.cinnabar.server.persistence;

import dev.cinnabar.server.Server;

/**
 * The one background snapshot job the server may run at a time (BGSAVE or an AOF rewrite), in
 * the role Redis gives its single fork child: {@link #active} is Redis hasActiveChildProcess,
 * and the scheduling rules built on it (BGSAVE refused or scheduled while a rewrite runs,
 * BGREWRITEAOF scheduled while a BGSAVE runs, save points and automatic rewrites waiting) all
 * ask here.
 *
 * <p>Only one {@link Snapshot} may exist at a time because each keeps a mark bit in every
 * entry; this is also where the previous snapshot's marks are cleared before a new one starts.
 *
 * <p>Everything here runs under the server lock.
 */
public final class Snapshots {
    /** What a running snapshot is for (Redis CHILD_TYPE_RDB / CHILD_TYPE_AOF). */
    public enum Job { RDB, AOF }

    private final Server server;
    private Job running;
    /** The latest snapshot, whose marks may still be being cleared by its own thread. */
    private Snapshot last;

    public Snapshots(Server server) {
        this.server = server;
    }

    /** Whether a background job runs (Redis hasActiveChildProcess). */
    public boolean active() {
        return running != null;
    }

    /** The running job, or null. */
    public Job running() {
        return running;
    }

    /**
     * Takes a snapshot's instant for {@code job}: the caller has checked that nothing runs.
     * The previous snapshot's marks are cleared first, at once if its own pass is not over.
     */
    public Snapshot begin(Job job, Snapshot.Visitor visitor) {
        if (running != null) {
            throw new IllegalStateException("a " + running + " snapshot is already running");
        }
        if (last != null) {
            last.clearNow();
        }
        Snapshot s = new Snapshot(server, visitor);
        last = s;
        running = job;
        return s;
    }

    /** {@code job} is over (its result decided, its marks maybe still being cleared). */
    public void ended(Job job) {
        if (running == job) {
            running = null;
        }
    }

    /**
     * serverCron's part for background jobs, in Redis's order: a scheduled rewrite first, then
     * (when nothing runs) save points and the automatic rewrite, then a scheduled BGSAVE.
     */
    public void cron() {
        server.aof.cronScheduledRewrite();
        server.rdb.cronSavePoints();
        server.aof.cronAutoRewrite();
        server.rdb.cronScheduled();
    }
}
