package dev.cinnabar.server.ops;

import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.type.HashValue;
import dev.cinnabar.server.type.ListValue;
import dev.cinnabar.server.type.SetValue;
import dev.cinnabar.server.type.StreamValue;
import dev.cinnabar.server.type.ZSetValue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lazy freeing (Redis lazyfree.c): UNLINK, FLUSHALL/FLUSHDB ASYNC and the lazyfree-lazy-*
 * options hand big values and whole databases to a background thread instead of releasing
 * them in the command.
 *
 * <p>In a garbage-collected heap, dropping a reference is already O(1); the work Redis moves
 * off its main thread is, here, the collector's. So the background thread drops the last
 * references it holds and, when what it released since the last collection is large, asks
 * the JVM for a collection (concurrent with ZGC) so the memory is really given back soon,
 * without the command waiting for it. INFO reports what waits ({@code lazyfree_pending_objects})
 * and what was freed this way ({@code lazyfreed_objects}), counted as Redis counts them: one per
 * value, and one per key of a flushed database.
 */
public final class LazyFree {
    /** Values cheaper to free than this are freed in the command (Redis LAZYFREE_THRESHOLD). */
    public static final long THRESHOLD = 64;
    /** Released elements after which the background thread asks for a collection. */
    static final long COLLECT_AFTER_EFFORT = 50_000;

    /** Types may say how much work freeing them is (one unit per allocation Redis would free). */
    public interface Effort {
        long freeEffort();
    }

    private final Server server;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong freed = new AtomicLong();
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private Thread worker;

    private record Job(Object garbage, long objects, long effort) {}

    LazyFree(Server server) {
        this.server = server;
    }

    /** INFO lazyfree_pending_objects. */
    public long pendingObjects() {
        return pending.get();
    }

    /** INFO lazyfreed_objects. */
    public long freedObjects() {
        return freed.get();
    }

    /** CONFIG RESETSTAT (Redis lazyfreeResetStats). */
    public void resetStats() {
        freed.set(0);
    }

    /**
     * Redis lazyfreeGetFreeEffort: about how many allocations freeing the entry's value takes.
     * Compact encodings are one block.
     */
    public static long effort(Object entry) {
        if (!(entry instanceof ObjectEntry o)) {
            return 1;
        }
        Object v = o.value;
        if (v instanceof Effort e) {
            return e.freeEffort();
        }
        if (v instanceof ListValue l) {
            return "quicklist".equals(l.encoding()) ? l.nodes() : 1;
        }
        if (v instanceof SetValue s) {
            return "hashtable".equals(s.encoding()) ? s.size() : 1;
        }
        if (v instanceof ZSetValue z) {
            return "skiplist".equals(z.encoding()) ? z.size() : 1;
        }
        if (v instanceof HashValue h) {
            return "hashtable".equals(h.encoding()) ? h.size() : 1;
        }
        if (v instanceof StreamValue st) {
            // As Redis: one per node, and per group one plus its PEL, estimated from the first
            // group so the estimate stays constant-time.
            long effort = st.nodeCount();
            if (st.groupCount() > 0) {
                effort += (long) st.groupCount() * (1 + st.groups().values().iterator().next().pel.size());
            }
            return effort;
        }
        return 1;
    }

    /**
     * A deleted entry that the command does not free itself (Redis dbAsyncDelete / freeObjAsync):
     * big values go to the background thread, small ones are simply dropped.
     */
    public void freeAsync(Object entry) {
        long effort = effort(entry);
        if (effort > THRESHOLD) {
            submit(new Job(entry, 1, effort));
        }
    }

    /** A flushed database's table with {@code keys} keys (Redis emptyDbAsync). */
    public void freeDatabaseAsync(Object table, long keys) {
        if (keys > 0) {
            // A whole table is always worth a collection once released.
            submit(new Job(table, keys, Math.max(keys, COLLECT_AFTER_EFFORT)));
        }
    }

    private void submit(Job job) {
        pending.addAndGet(job.objects());
        startWorker();
        queue.add(job);
    }

    private synchronized void startWorker() {
        if (worker == null) {
            worker = Thread.ofPlatform().daemon().name("lazyfree").start(this::run);
        }
    }

    private void run() {
        long releasedSinceCollection = 0;
        while (!server.stopped()) {
            Job job;
            try {
                job = releasedSinceCollection > 0
                        ? queue.poll(10, java.util.concurrent.TimeUnit.MILLISECONDS)
                        : queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job == null) {
                // The burst is over: what it released is garbage now; have it collected.
                if (releasedSinceCollection >= COLLECT_AFTER_EFFORT) {
                    System.gc();
                }
                releasedSinceCollection = 0;
                continue;
            }
            releasedSinceCollection += job.effort();
            long n = job.objects();
            job = null; // the last reference to the value goes here
            freed.addAndGet(n);
            pending.addAndGet(-n);
        }
    }
}
