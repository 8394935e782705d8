package dev.cinnabar.server.metrics;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.keyspace.Database;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the memory goes (Redis getMemoryOverheadData), shared by INFO memory and MEMORY STATS.
 *
 * <p>Used memory is the accounted measure of {@code memory.Memory} (what maxmemory counts).
 * Cinnabar's "allocator" is the Java heap: "allocated" the heap in use, "active" the committed
 * heap, "resident" the process RSS. Overhead is what is not the data itself: the fixed server
 * overhead, the clients' buffers and the key tables; the dataset is the rest.
 */
public record MemoryOverhead(long used, long peak, long startup, long clientsNormal, long clientsReplicas,
        long replicationBacklog, long functions, List<DbOverhead> dbs, long overheadTotal, long totalKeys,
        long bytesPerKey, long dataset, double datasetPercent, double peakPercent, long allocated, long active,
        long resident, long rss) {

    /** One non-empty database: the main key table's own size (expiry lives in the entries). */
    public record DbOverhead(int id, long mainTable, long expiresTable) {}

    public static MemoryOverhead measure(Server s) {
        // The accounted measure (memory.Memory): fixed server overhead + key tables and values +
        // client buffers, the same numbers maxmemory and eviction use.
        long used = Info.usedMemory(s);
        long peak = Math.max(s.memory.peak(), used);
        long startup = Math.min(s.memory.startup(), used);
        long clients = s.memory.clients();
        long total = s.memory.serverOverhead() + clients;
        long keys = 0;
        List<DbOverhead> dbs = new ArrayList<>();
        for (Database db : s.dbs()) {
            long n = db.size();
            if (n == 0) {
                continue;
            }
            keys += n;
            long table = db.memoryEstimate();
            dbs.add(new DbOverhead(db.id, table, 0));
        }
        total += s.memory.tablesOverhead();
        total = Math.min(total, used);
        long dataset = used - total;
        long net = used > startup ? used - startup : 1;
        // The "allocator" is the Java heap: in use (garbage included), committed, and the RSS.
        return new MemoryOverhead(used, peak, startup, clients, 0, 0, 0, dbs, total, keys,
                keys == 0 ? 0 : net / keys, dataset, dataset * 100.0 / net, peak == 0 ? 0 : used * 100.0 / peak,
                ProcessInfo.heapUsed(), ProcessInfo.heapCommitted(), ProcessInfo.rss(), ProcessInfo.rss());
    }

    /**
     * The memory a client holds beyond its fixed objects (CLIENT LIST tot-mem minus the base):
     * request arena, reply buffer, pending pushes, transport queue, query buffer, MULTI queue.
     */
    public static long clientMemory(Client c) {
        long n = c.args.arenaCapacity() + c.reply.capacity();
        if (c.subscriber != null) {
            n += c.subscriber.queuedBytes();
        }
        if (c.conn != null) {
            n += c.conn.pendingOutputBytes() + c.conn.queryBufferBytes();
        }
        if (c.has(Client.MULTI)) {
            n += c.server.transactions.queuedBytes(c);
        }
        return n;
    }

    /** Bytes of a client's own objects (connection state, parser, writer). */
    static final long CLIENT_BASE_BYTES = 1024;

    /**
     * All the memory of one client (CLIENT LIST tot-mem, client eviction): its buffers, its
     * reply buffer at least at its nominal size, and its own objects.
     */
    public static long clientTotalMemory(Client c) {
        int live = c.reply.capacity();
        return clientMemory(c) - live + Math.max(c.reply.bufferSize(), live) + CLIENT_BASE_BYTES;
    }

    public double allocatorFragRatio() {
        return allocated == 0 ? 0 : (double) active / allocated;
    }

    public long allocatorFragBytes() {
        return active - allocated;
    }

    public double allocatorRssRatio() {
        return active == 0 ? 0 : (double) resident / active;
    }

    public long allocatorRssBytes() {
        return resident - active;
    }

    public double rssOverheadRatio() {
        return resident == 0 ? 0 : (double) rss / resident;
    }

    public long rssOverheadBytes() {
        return rss - resident;
    }

    public double fragmentation() {
        return used == 0 ? 0 : (double) rss / used;
    }

    public long fragmentationBytes() {
        return rss - used;
    }
}
