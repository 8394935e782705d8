package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.metrics.MemoryOverhead;
import dev.cinnabar.server.type.RedisValue;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;

/** MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP (Redis object.c memoryCommand). */
public final class MemoryFamily {
    private MemoryFamily() {}

    /** Redis's default number of sampled elements for aggregate values. */
    static final long DEFAULT_SAMPLES = 5;
    /** A key's share of the keyspace table: an 8-byte slot at the usual ~0.5 load. */
    static final long TABLE_SLOT_SHARE = 16;

    public static void register(CommandTable t) {
        t.bind("memory|usage", MemoryFamily::usage)
                .bind("memory|purge", MemoryFamily::purge)
                .bind("memory|stats", MemoryFamily::stats)
                .bind("memory|doctor", MemoryFamily::doctor)
                .bind("memory|malloc-stats", MemoryFamily::mallocStats)
                .bind("memory|help", MemoryFamily::help);
    }

    static void usage(Client c) {
        long samples = DEFAULT_SAMPLES;
        for (int j = 3; j < c.argc(); j++) {
            if (c.argIs(j, "samples") && j + 1 < c.argc()) {
                if (!c.parseLong(j + 1)) {
                    return;
                }
                samples = c.parsed();
                if (samples < 0) {
                    c.syntaxError();
                    return;
                }
                j++;
            } else {
                c.syntaxError();
                return;
            }
        }
        // Like Redis: a raw lookup, no lazy expiry and no access-time update.
        Object e = c.db.peek(c.argData(), c.argOff(2), c.argLen(2));
        if (e == null) {
            c.reply.nullBulk();
            return;
        }
        long bytes = Entries.footprint(e) + TABLE_SLOT_SHARE;
        if (e instanceof ObjectEntry o && o.value instanceof RedisValue v) {
            bytes += v.memoryUsage(samples);
        }
        c.reply.integer(bytes);
    }

    /** Redis asks its allocator to return dirty pages; we ask the JVM for a collection. */
    static void purge(Client c) {
        System.gc();
        c.reply.ok();
    }

    /** The breakdown of INFO memory as a map, in Redis's keys and order. */
    static void stats(Client c) {
        MemoryOverhead mh = MemoryOverhead.measure(c.server);
        ReplyWriter r = c.reply;
        r.mapLen(27 + mh.dbs().size());
        field(r, "peak.allocated", mh.peak());
        field(r, "total.allocated", mh.used());
        field(r, "startup.allocated", mh.startup());
        field(r, "replication.backlog", mh.replicationBacklog());
        field(r, "clients.slaves", mh.clientsReplicas());
        field(r, "clients.normal", mh.clientsNormal());
        field(r, "cluster.links", 0);
        field(r, "aof.buffer", 0);
        field(r, "lua.caches", 0);
        field(r, "functions.caches", mh.functions());
        for (MemoryOverhead.DbOverhead db : mh.dbs()) {
            r.bulk("db." + db.id());
            r.mapLen(3);
            field(r, "overhead.hashtable.main", db.mainTable());
            field(r, "overhead.hashtable.expires", db.expiresTable());
            field(r, "overhead.hashtable.slot-to-keys", 0);
        }
        field(r, "overhead.total", mh.overheadTotal());
        field(r, "keys.count", mh.totalKeys());
        field(r, "keys.bytes-per-key", mh.bytesPerKey());
        field(r, "dataset.bytes", mh.dataset());
        field(r, "dataset.percentage", mh.datasetPercent());
        field(r, "peak.percentage", mh.peakPercent());
        field(r, "allocator.allocated", mh.allocated());
        field(r, "allocator.active", mh.active());
        field(r, "allocator.resident", mh.resident());
        field(r, "allocator-fragmentation.ratio", mh.allocatorFragRatio());
        field(r, "allocator-fragmentation.bytes", mh.allocatorFragBytes());
        field(r, "allocator-rss.ratio", mh.allocatorRssRatio());
        field(r, "allocator-rss.bytes", mh.allocatorRssBytes());
        field(r, "rss-overhead.ratio", mh.rssOverheadRatio());
        field(r, "rss-overhead.bytes", mh.rssOverheadBytes());
        field(r, "fragmentation", mh.fragmentation());
        field(r, "fragmentation.bytes", mh.fragmentationBytes());
    }

    private static void field(ReplyWriter r, String name, long v) {
        r.bulk(name);
        r.integer(v);
    }

    private static void field(ReplyWriter r, String name, double v) {
        r.bulk(name);
        r.doubleValue((float) v);
    }

    static void doctor(Client c) {
        c.reply.verbatim(MemoryDoctor.report(c.server, MemoryOverhead.measure(c.server)), "txt");
    }

    /**
     * What the memory manager says about itself: Redis prints jemalloc's statistics; ours is the
     * JVM, so the report lists the collector, the heap and every memory pool.
     */
    static void mallocStats(Client c) {
        StringBuilder sb = new StringBuilder(2048);
        Runtime rt = Runtime.getRuntime();
        sb.append("___ Begin JVM memory statistics ___\n");
        sb.append("Version: ").append(Runtime.version()).append('\n');
        sb.append("Heap: max ").append(rt.maxMemory()).append(", committed ").append(rt.totalMemory())
                .append(", used ").append(rt.totalMemory() - rt.freeMemory()).append('\n');
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sb.append("Collector ").append(gc.getName()).append(": collections ").append(gc.getCollectionCount())
                    .append(", time ").append(gc.getCollectionTime()).append(" ms\n");
        }
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = p.getUsage();
            if (u == null) {
                continue;
            }
            sb.append("Pool ").append(p.getName()).append(" (").append(p.getType()).append("): used ")
                    .append(u.getUsed()).append(", committed ").append(u.getCommitted()).append(", max ")
                    .append(u.getMax()).append('\n');
        }
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            sb.append("Buffers ").append(b.getName()).append(": count ").append(b.getCount()).append(", used ")
                    .append(b.getMemoryUsed()).append(", capacity ").append(b.getTotalCapacity()).append('\n');
        }
        sb.append("--- End JVM memory statistics ---\n");
        c.reply.verbatim(sb.toString(), "txt");
    }

    static void help(Client c) {
        Help.reply(c,
                "DOCTOR",
                "    Reply with a report, in plain words, on how this server uses memory.",
                "MALLOC-STATS",
                "    Reply with the statistics of the memory manager (the JVM's heap and pools).",
                "PURGE",
                "    Ask the JVM to collect garbage and return free memory to the system.",
                "STATS",
                "    Reply with a breakdown of the memory the server uses.",
                "USAGE <key> [SAMPLES <count>]",
                "    Reply with the bytes used by <key> and its value. Nested values are",
                "    sampled up to <count> times (default: 5, 0 means sample all).");
    }
}
