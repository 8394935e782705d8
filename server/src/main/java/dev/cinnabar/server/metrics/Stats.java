package dev.cinnabar.server.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Server-wide counters behind INFO stats / errorstats (Redis's server.stat_* fields).
 *
 * <p>Plain fields: updated only while holding the server lock (connection counters are
 * updated from event loops under the lock too).
 */
public final class Stats {
    public long totalConnectionsReceived;
    public long totalCommandsProcessed;
    public long rejectedConnections;
    public long expiredKeys;
    public long expiredStaleSamples;
    public long expiredTimeCapReached;
    public long expireCycleCpuMillis;
    public long evictedKeys;
    public long evictedClients;
    public long keyspaceHits;
    public long keyspaceMisses;
    public long totalErrorReplies;
    public long unexpectedErrorReplies;
    public long dumpPayloadSanitizations;
    public long totalNetInputBytes;
    /** Updated from event loops after the lock is released, hence an adder. */
    public final java.util.concurrent.atomic.LongAdder netOutputBytes = new java.util.concurrent.atomic.LongAdder();
    /** The part of {@link #netOutputBytes} sent to replicas (total_net_repl_output_bytes). */
    public final java.util.concurrent.atomic.LongAdder netReplOutputBytes = new java.util.concurrent.atomic.LongAdder();
    /**
     * Keyspace writes made by commands (every Database "modified" signal, not expiry): a command
     * that leaves it unchanged changed nothing, so it is not propagated to replicas.
     */
    public long keyspaceChanges;
    /** Full resynchronizations served (sync_full) and partial ones (sync_partial_ok / _err). */
    public long syncFull;
    public long syncPartialOk;
    public long syncPartialErr;
    public long totalReadsProcessed;
    public long totalWritesProcessed;
    public long clientQueryBufferLimitDisconnections;
    public long clientOutputBufferLimitDisconnections;
    public long ioThreadedReadsProcessed;
    public long ioThreadedWritesProcessed;
    public long numCommandsInMultiExec;
    public long expiredSubkeys;
    public long dirty;
    public long statPeakMemory;
    /** Microseconds spent over maxmemory in finished episodes (INFO total_eviction_exceeded_time). */
    public long evictionExceededMicros;
    /** Monotonic µs when the current episode over maxmemory began, 0 when under the limit. */
    public long evictionExceededSince;

    /** Error code ("ERR", "WRONGTYPE") -> count, sorted as Redis's rax iterates them. */
    private final Map<String, long[]> errors = new TreeMap<>();

    /** Counts an error reply: {@code text} starts with its code ("ERR ...", "WRONGTYPE ..."). */
    public void countError(String text) {
        totalErrorReplies++;
        int sp = text.indexOf(' ');
        String code = (sp > 0 && sp < 32) ? text.substring(0, sp) : "ERR";
        errors.computeIfAbsent(code, k -> new long[1])[0]++;
    }

    public Map<String, Long> errorCounts() {
        Map<String, Long> out = new LinkedHashMap<>();
        errors.forEach((k, v) -> out.put(k, v[0]));
        return out;
    }

    /** CONFIG RESETSTAT. */
    public void reset() {
        totalConnectionsReceived = 0;
        totalCommandsProcessed = 0;
        rejectedConnections = 0;
        expiredKeys = 0;
        expiredStaleSamples = 0;
        expiredTimeCapReached = 0;
        expireCycleCpuMillis = 0;
        evictedKeys = 0;
        evictedClients = 0;
        keyspaceHits = 0;
        keyspaceMisses = 0;
        totalErrorReplies = 0;
        unexpectedErrorReplies = 0;
        dumpPayloadSanitizations = 0;
        totalNetInputBytes = 0;
        netOutputBytes.reset();
        netReplOutputBytes.reset();
        syncFull = 0;
        syncPartialOk = 0;
        syncPartialErr = 0;
        totalReadsProcessed = 0;
        totalWritesProcessed = 0;
        clientQueryBufferLimitDisconnections = 0;
        clientOutputBufferLimitDisconnections = 0;
        numCommandsInMultiExec = 0;
        evictionExceededMicros = 0;
        evictionExceededSince = 0;
        errors.clear();
    }
}
