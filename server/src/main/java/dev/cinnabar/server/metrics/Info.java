package dev.cinnabar.server.metrics;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.config.ServerConfig;
import dev.cinnabar.server.keyspace.Database;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The INFO text (Redis genRedisInfoString): every section and field of Redis 7.2 in Redis's
 * order, so tools that parse INFO find what they expect. Values are measured where Cinnabar
 * has the thing; features it does not have yet (persistence, replication, pub/sub, ...) report
 * what Redis reports while they are idle ("0", "ok", "-1").
 *
 * <p>Section selection follows Redis: no argument or "default" gives the default sections,
 * "all" every section but debug, "everything" also module sections; names are
 * case-insensitive and each section is printed once, in Redis's order.
 */
public final class Info {
    private Info() {}

    static final List<String> DEFAULT_SECTIONS = List.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "module_list", "errorstats", "cluster", "keyspace");

    /** The sections requested by INFO's arguments (Redis genInfoSectionDict). */
    public static final class Selection {
        final Set<String> names = new HashSet<>();
        boolean all;
        boolean everything;

        public static Selection of(List<String> args) {
            Selection s = new Selection();
            if (args.isEmpty()) {
                s.names.addAll(DEFAULT_SECTIONS);
                return s;
            }
            for (String a : args) {
                String n = a.toLowerCase(Locale.ROOT);
                switch (n) {
                    case "default" -> s.names.addAll(DEFAULT_SECTIONS);
                    case "all" -> s.all = true;
                    case "everything" -> {
                        s.everything = true;
                        s.all = true;
                    }
                    default -> s.names.add(n);
                }
            }
            return s;
        }

        boolean has(String section) {
            return all || names.contains(section);
        }
    }

    /** Builds the INFO text for the selection; {@code caller} is the client asking. */
    public static String generate(Server s, Selection sel, Client caller) {
        StringBuilder sb = new StringBuilder(4096);
        int[] sections = {0};
        if (sel.has("server")) {
            begin(sb, sections, "Server");
            server(sb, s);
        }
        if (sel.has("clients")) {
            begin(sb, sections, "Clients");
            clients(sb, s);
        }
        if (sel.has("memory")) {
            begin(sb, sections, "Memory");
            memory(sb, s);
        }
        if (sel.has("persistence")) {
            begin(sb, sections, "Persistence");
            persistence(sb, s);
        }
        if (sel.has("stats")) {
            begin(sb, sections, "Stats");
            stats(sb, s);
        }
        if (sel.has("replication")) {
            begin(sb, sections, "Replication");
            replication(sb, s);
        }
        if (sel.has("cpu")) {
            begin(sb, sections, "CPU");
            cpu(sb);
        }
        if (sel.has("module_list") || sel.has("modules")) {
            begin(sb, sections, "Modules"); // no modules are loaded
        }
        if (sel.has("commandstats")) {
            begin(sb, sections, "Commandstats");
            commandStats(sb, s);
        }
        if (sel.has("errorstats")) {
            begin(sb, sections, "Errorstats");
            for (Map.Entry<String, Long> e : s.stats.errorCounts().entrySet()) {
                sb.append("errorstat_").append(safe(e.getKey())).append(":count=").append(e.getValue()).append("\r\n");
            }
        }
        if (sel.has("latencystats")) {
            begin(sb, sections, "Latencystats");
            if (s.config.monitoring.latencyTracking.get()) {
                latencyStats(sb, s);
            }
        }
        if (sel.has("cluster")) {
            begin(sb, sections, "Cluster");
            field(sb, "cluster_enabled", s.clusterEnabled() ? 1 : 0);
        }
        if (sel.has("keyspace")) {
            begin(sb, sections, "Keyspace");
            for (Database db : s.dbs()) {
                long keys = db.size();
                long expires = db.expiresCount();
                if (keys != 0 || expires != 0) {
                    sb.append("db").append(db.id).append(":keys=").append(keys).append(",expires=").append(expires)
                            .append(",avg_ttl=").append(db.avgTtl()).append("\r\n");
                }
            }
        }
        if (sel.names.contains("debug")) {
            begin(sb, sections, "Debug");
            ServerMetrics m = s.metrics;
            field(sb, "eventloop_duration_aof_sum", 0);
            field(sb, "eventloop_duration_cron_sum", m.cronMicros);
            field(sb, "eventloop_duration_max", m.longestCycleMicros);
            field(sb, "eventloop_cmd_per_cycle_max", m.maxCommandsPerCycle);
        }
        return sb.toString();
    }

    private static void begin(StringBuilder sb, int[] sections, String title) {
        if (sections[0]++ > 0) {
            sb.append("\r\n");
        }
        sb.append("# ").append(title).append("\r\n");
    }

    private static void field(StringBuilder sb, String name, long v) {
        sb.append(name).append(':').append(v).append("\r\n");
    }

    private static void field(StringBuilder sb, String name, String v) {
        sb.append(name).append(':').append(v).append("\r\n");
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** Redis getSafeInfoString: '#', ':', CR and LF would break the format. */
    static String safe(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '#' || ch == ':' || ch == '\r' || ch == '\n') {
                if (b == null) {
                    b = new StringBuilder(s);
                }
                b.setCharAt(i, '_');
            }
        }
        return b == null ? s : b.toString();
    }

    // ---- sections -------------------------------------------------------------------------------

    private static void server(StringBuilder sb, Server s) {
        ServerConfig cfg = s.config;
        long nowMillis = s.clock.millis();
        long uptime = nowMillis / 1000 - s.startMillis / 1000;
        field(sb, "redis_version", Server.REDIS_VERSION);
        field(sb, "redis_git_sha1", "00000000");
        field(sb, "redis_git_dirty", 0);
        field(sb, "redis_build_id", buildId());
        field(sb, "redis_mode", s.clusterEnabled() ? "cluster" : "standalone");
        field(sb, "os", ProcessInfo.os());
        field(sb, "arch_bits", 64);
        field(sb, "monotonic_clock", "POSIX clock_gettime");
        field(sb, "multiplexing_api", s.transportName());
        field(sb, "atomicvar_api", "java-volatile");
        field(sb, "gcc_version", "0.0.0");
        field(sb, "process_id", ProcessInfo.PID);
        field(sb, "process_supervised", "no");
        field(sb, "run_id", s.runId);
        field(sb, "tcp_port", s.port());
        field(sb, "server_time_usec", s.clock.micros());
        field(sb, "uptime_in_seconds", uptime);
        field(sb, "uptime_in_days", uptime / (3600 * 24));
        field(sb, "hz", cfg.general.hz.get());
        field(sb, "configured_hz", cfg.general.hz.get());
        field(sb, "lru_clock", (nowMillis / 1000) & 0xFFFFFF);
        field(sb, "executable", ProcessInfo.executable());
        field(sb, "config_file", cfg.configFile() == null ? "" : cfg.configFile().toString());
        field(sb, "io_threads_active", 0);
        field(sb, "cinnabar_version", Server.CINNABAR_VERSION);
        if (s.shutdownSignals != null && s.shutdownSignals.deadline() != 0) {
            // A shutdown is waiting for lagging replicas: time left before it goes ahead anyway.
            field(sb, "shutdown_in_milliseconds", s.shutdownSignals.deadline() - nowMillis);
        }
        List<String> binds = cfg.network.bind.get();
        if (!binds.isEmpty()) {
            sb.append("listener0:name=tcp");
            for (String b : binds) {
                sb.append(",bind=").append(b);
            }
            sb.append(",port=").append(s.port()).append("\r\n");
        }
    }

    /** A stable id for this build (Redis prints a hash of its build environment). */
    private static String buildId() {
        long h = 0xcbf29ce484222325L;
        for (char ch : ("cinnabar-" + Server.CINNABAR_VERSION).toCharArray()) {
            h = (h ^ ch) * 0x100000001b3L; // FNV-1a
        }
        return String.format("%016x", h);
    }

    private static void clients(StringBuilder sb, Server s) {
        long maxIn = 0;
        long maxOut = 0;
        for (Client c : s.clients.all()) {
            if (c.conn != null) {
                maxIn = Math.max(maxIn, c.conn.queryBufferBytes());
                maxOut = Math.max(maxOut, c.conn.pendingOutputBytes() + c.reply.pending());
            }
        }
        // Clients waiting for a CLIENT PAUSE to end count as blocked, as in Redis.
        int blocked = s.blocking.blockedClients();
        for (Client c : s.clients.all()) {
            if ((c.flags & Client.POSTPONED) != 0 && (c.flags & Client.BLOCKED) == 0) {
                blocked++;
            }
        }
        field(sb, "connected_clients", s.clients.size() - s.replication.replicaCount());
        field(sb, "cluster_connections", 0);
        field(sb, "maxclients", s.maxClients());
        field(sb, "client_recent_max_input_buffer", maxIn);
        field(sb, "client_recent_max_output_buffer", maxOut);
        field(sb, "blocked_clients", blocked);
        field(sb, "tracking_clients", s.tracking.clients());
        field(sb, "clients_in_timeout_table", s.blocking.clientsWithTimeout());
        field(sb, "total_blocking_keys", s.blocking.blockingKeys());
        field(sb, "total_blocking_keys_on_nokey", s.blocking.blockingKeysOnNoKey());
    }

    /**
     * used_memory: the accounted memory of the data and the clients (see
     * {@link dev.cinnabar.server.memory.Memory}), the measure maxmemory applies to.
     */
    public static long usedMemory(Server s) {
        return s.memory.used();
    }

    private static void memory(StringBuilder sb, Server s) {
        ServerConfig cfg = s.config;
        s.memory.updateAllClients();
        MemoryOverhead mh = MemoryOverhead.measure(s);
        long used = mh.used();
        long peak = mh.peak();
        long rss = mh.rss();
        long totalSystem = ProcessInfo.totalSystemMemory();
        long maxmemory = cfg.memory.maxmemory.get();
        field(sb, "used_memory", used);
        field(sb, "used_memory_human", ProcessInfo.human(used));
        field(sb, "used_memory_rss", rss);
        field(sb, "used_memory_rss_human", ProcessInfo.human(rss));
        field(sb, "used_memory_peak", peak);
        field(sb, "used_memory_peak_human", ProcessInfo.human(peak));
        field(sb, "used_memory_peak_perc", f2(mh.peakPercent()) + "%");
        field(sb, "used_memory_overhead", mh.overheadTotal());
        field(sb, "used_memory_startup", mh.startup());
        field(sb, "used_memory_dataset", mh.dataset());
        field(sb, "used_memory_dataset_perc", f2(mh.datasetPercent()) + "%");
        field(sb, "allocator_allocated", mh.allocated());
        field(sb, "allocator_active", mh.active());
        field(sb, "allocator_resident", mh.resident());
        field(sb, "total_system_memory", totalSystem);
        field(sb, "total_system_memory_human", ProcessInfo.human(totalSystem));
        long luaEval = s.scripting.evalVmMemory();
        long luaFunctions = s.scripting.functionVmMemory();
        long scriptsEval = s.scripting.scriptsMemory();
        long functionsMem = s.functions.memory();
        field(sb, "used_memory_lua", luaEval);
        field(sb, "used_memory_vm_eval", luaEval);
        field(sb, "used_memory_lua_human", ProcessInfo.human(luaEval));
        field(sb, "used_memory_scripts_eval", scriptsEval);
        field(sb, "number_of_cached_scripts", s.scripting.cachedScripts());
        field(sb, "number_of_functions", s.functions.functionCount());
        field(sb, "number_of_libraries", s.functions.size());
        field(sb, "used_memory_vm_functions", luaFunctions);
        field(sb, "used_memory_vm_total", luaEval + luaFunctions);
        field(sb, "used_memory_vm_total_human", ProcessInfo.human(luaEval + luaFunctions));
        field(sb, "used_memory_functions", functionsMem);
        field(sb, "used_memory_scripts", scriptsEval + functionsMem);
        field(sb, "used_memory_scripts_human", ProcessInfo.human(scriptsEval + functionsMem));
        field(sb, "maxmemory", Long.toUnsignedString(maxmemory));
        field(sb, "maxmemory_human", ProcessInfo.human(maxmemory < 0 ? Long.MAX_VALUE : maxmemory));
        field(sb, "maxmemory_policy", cfg.memory.maxmemoryPolicy.value());
        field(sb, "allocator_frag_ratio", f2(mh.allocatorFragRatio()));
        field(sb, "allocator_frag_bytes", mh.allocatorFragBytes());
        field(sb, "allocator_rss_ratio", f2(mh.allocatorRssRatio()));
        field(sb, "allocator_rss_bytes", mh.allocatorRssBytes());
        field(sb, "rss_overhead_ratio", f2(mh.rssOverheadRatio()));
        field(sb, "rss_overhead_bytes", mh.rssOverheadBytes());
        field(sb, "mem_fragmentation_ratio", f2(mh.fragmentation()));
        field(sb, "mem_fragmentation_bytes", mh.fragmentationBytes());
        long backlogMem = s.replication.backlogMemory();
        long replicaBuffers = s.replication.replicaBufferMemory();
        // As Redis: replicas' output buffers beyond the backlog are not counted for eviction.
        field(sb, "mem_not_counted_for_evict", s.memory.notCountedForEvict());
        field(sb, "mem_replication_backlog", backlogMem);
        field(sb, "mem_total_replication_buffers", backlogMem + replicaBuffers);
        field(sb, "mem_clients_slaves", replicaBuffers);
        field(sb, "mem_clients_normal", mh.clientsNormal());
        field(sb, "mem_cluster_links", 0);
        field(sb, "mem_aof_buffer", 0);
        field(sb, "mem_allocator", "jvm-" + Runtime.version().feature());
        field(sb, "active_defrag_running", 0);
        field(sb, "lazyfree_pending_objects", s.ops.lazyfree.pendingObjects());
        field(sb, "lazyfreed_objects", s.ops.lazyfree.freedObjects());
    }

    private static void persistence(StringBuilder sb, Server s) {
        // Loading happens before the server listens, so nobody sees it in progress.
        var rdb = s.rdb;
        field(sb, "loading", 0);
        field(sb, "async_loading", 0);
        // A forkless snapshot copies nothing: no copy-on-write to report.
        field(sb, "current_cow_peak", 0);
        field(sb, "current_cow_size", 0);
        field(sb, "current_cow_size_age", 0);
        field(sb, "current_fork_perc", "0.00");
        field(sb, "current_save_keys_processed", rdb.keysProcessed());
        field(sb, "current_save_keys_total", rdb.keysTotal());
        field(sb, "rdb_changes_since_last_save", s.stats.dirty);
        field(sb, "rdb_bgsave_in_progress", rdb.bgsaveInProgress() ? 1 : 0);
        field(sb, "rdb_last_save_time", s.lastSave);
        field(sb, "rdb_last_bgsave_status", rdb.lastBgsaveOk() ? "ok" : "err");
        field(sb, "rdb_last_bgsave_time_sec", rdb.lastBgsaveSeconds());
        field(sb, "rdb_current_bgsave_time_sec", rdb.currentBgsaveSeconds());
        field(sb, "rdb_saves", rdb.saves());
        field(sb, "rdb_last_cow_size", 0);
        field(sb, "rdb_last_load_keys_expired", rdb.lastLoadKeysExpired());
        field(sb, "rdb_last_load_keys_loaded", rdb.lastLoadKeysLoaded());
        s.aof.info(sb);
        field(sb, "module_fork_in_progress", 0);
        field(sb, "module_fork_last_cow_size", 0);
        s.aof.infoEnabled(sb);
    }

    private static void stats(StringBuilder sb, Server s) {
        Stats st = s.stats;
        ServerMetrics m = s.metrics;
        field(sb, "total_connections_received", st.totalConnectionsReceived);
        field(sb, "total_commands_processed", st.totalCommandsProcessed);
        field(sb, "instantaneous_ops_per_sec", m.opsPerSec.get());
        field(sb, "total_net_input_bytes", st.totalNetInputBytes);
        field(sb, "total_net_output_bytes", st.netOutputBytes.sum());
        field(sb, "total_net_repl_input_bytes", 0);
        field(sb, "total_net_repl_output_bytes", st.netReplOutputBytes.sum());
        field(sb, "instantaneous_input_kbps", f2((float) m.netInput.get() / 1024));
        field(sb, "instantaneous_output_kbps", f2((float) m.netOutput.get() / 1024));
        field(sb, "instantaneous_input_repl_kbps", f2((float) m.netReplInput.get() / 1024));
        field(sb, "instantaneous_output_repl_kbps", f2((float) m.netReplOutput.get() / 1024));
        field(sb, "rejected_connections", st.rejectedConnections);
        field(sb, "sync_full", st.syncFull);
        field(sb, "sync_partial_ok", st.syncPartialOk);
        field(sb, "sync_partial_err", st.syncPartialErr);
        field(sb, "expired_keys", st.expiredKeys);
        field(sb, "expired_stale_perc", f2(st.expiredStaleSamples));
        field(sb, "expired_time_cap_reached_count", st.expiredTimeCapReached);
        field(sb, "expire_cycle_cpu_milliseconds", st.expireCycleCpuMillis);
        field(sb, "evicted_keys", st.evictedKeys);
        field(sb, "evicted_clients", st.evictedClients);
        long current = s.eviction.currentExceededMicros();
        field(sb, "total_eviction_exceeded_time", (st.evictionExceededMicros + current) / 1000);
        field(sb, "current_eviction_exceeded_time", current / 1000);
        field(sb, "keyspace_hits", st.keyspaceHits);
        field(sb, "keyspace_misses", st.keyspaceMisses);
        field(sb, "pubsub_channels", s.pubsub.channelCount());
        field(sb, "pubsub_patterns", s.pubsub.patternCount());
        field(sb, "pubsubshard_channels", s.pubsub.shardChannelCount());
        field(sb, "latest_fork_usec", 0);
        field(sb, "total_forks", 0);
        field(sb, "migrate_cached_sockets", s.migrateSockets.size());
        field(sb, "slave_expires_tracked_keys", 0);
        field(sb, "active_defrag_hits", 0);
        field(sb, "active_defrag_misses", 0);
        field(sb, "active_defrag_key_hits", 0);
        field(sb, "active_defrag_key_misses", 0);
        field(sb, "total_active_defrag_time", 0);
        field(sb, "current_active_defrag_time", 0);
        field(sb, "tracking_total_keys", s.tracking.totalKeys());
        field(sb, "tracking_total_items", s.tracking.totalItems());
        field(sb, "tracking_total_prefixes", s.tracking.totalPrefixes());
        field(sb, "unexpected_error_replies", st.unexpectedErrorReplies);
        field(sb, "total_error_replies", st.totalErrorReplies);
        field(sb, "dump_payload_sanitizations", st.dumpPayloadSanitizations);
        field(sb, "total_reads_processed", st.totalReadsProcessed);
        field(sb, "total_writes_processed", st.totalWritesProcessed);
        field(sb, "io_threaded_reads_processed", st.ioThreadedReadsProcessed);
        field(sb, "io_threaded_writes_processed", st.ioThreadedWritesProcessed);
        field(sb, "reply_buffer_shrinks", s.ops.replyBuffers.shrinks);
        field(sb, "reply_buffer_expands", s.ops.replyBuffers.expands);
        field(sb, "eventloop_cycles", st.totalReadsProcessed + m.cronCycles);
        field(sb, "eventloop_duration_sum", m.eventLoopMicros());
        field(sb, "eventloop_duration_cmd_sum", m.commandMicros);
        field(sb, "instantaneous_eventloop_cycles_per_sec", m.eventLoopCycles.get());
        field(sb, "instantaneous_eventloop_duration_usec", m.eventLoopDuration.get());
        // No ACLs yet: nothing is ever denied.
        field(sb, "acl_access_denied_auth", 0);
        field(sb, "acl_access_denied_cmd", 0);
        field(sb, "acl_access_denied_key", 0);
        field(sb, "acl_access_denied_channel", 0);
    }

    private static void replication(StringBuilder sb, Server s) {
        ServerMetrics m = s.metrics;
        boolean replica = s.replication.replicaOf.isReplica();
        field(sb, "role", replica ? "slave" : "master");
        if (replica) {
            s.replication.replicaOf.info(sb);
        }
        s.replication.infoReplicas(sb);
        field(sb, "master_failover_state", "no-failover");
        field(sb, "master_replid", m.replId);
        field(sb, "master_replid2", m.replId2);
        field(sb, "master_repl_offset", s.replication.offset());
        field(sb, "second_repl_offset", m.secondReplOffset);
        field(sb, "repl_backlog_active", s.replication.hasBacklog() ? 1 : 0);
        field(sb, "repl_backlog_size", s.config.replication.replBacklogSize.get());
        field(sb, "repl_backlog_first_byte_offset", s.replication.backlogFirstByteOffset());
        field(sb, "repl_backlog_histlen", s.replication.backlogHistlen());
    }

    private static void cpu(StringBuilder sb) {
        long[] p = ProcessInfo.cpuMicros();
        long[] t = ProcessInfo.threadCpuMicros();
        field(sb, "used_cpu_sys", seconds(p[1]));
        field(sb, "used_cpu_user", seconds(p[0]));
        field(sb, "used_cpu_sys_children", seconds(p[3]));
        field(sb, "used_cpu_user_children", seconds(p[2]));
        field(sb, "used_cpu_sys_main_thread", seconds(t[1]));
        field(sb, "used_cpu_user_main_thread", seconds(t[0]));
    }

    /** Microseconds as Redis prints a timeval: seconds.micros with 6 digits. */
    static String seconds(long micros) {
        String frac = Long.toString(1_000_000 + micros % 1_000_000).substring(1);
        return (micros / 1_000_000) + "." + frac;
    }

    private static void commandStats(StringBuilder sb, Server s) {
        for (Command c : s.commands.allWithSubcommands()) {
            if (c.calls != 0 || c.failedCalls != 0 || c.rejectedCalls != 0) {
                float perCall = c.calls == 0 ? 0 : (float) c.microseconds / c.calls;
                sb.append("cmdstat_").append(safe(c.fullName())).append(":calls=").append(c.calls)
                        .append(",usec=").append(c.microseconds)
                        .append(",usec_per_call=").append(f2(perCall))
                        .append(",rejected_calls=").append(c.rejectedCalls)
                        .append(",failed_calls=").append(c.failedCalls).append("\r\n");
            }
        }
    }

    private static void latencyStats(StringBuilder sb, Server s) {
        List<Double> percentiles = s.config.monitoring.latencyTrackingInfoPercentiles.get();
        for (Command c : s.commands.allWithSubcommands()) {
            LatencyHistogram h = c.latency;
            if (h == null) {
                continue;
            }
            sb.append("latency_percentiles_usec_").append(safe(c.fullName())).append(':');
            for (int i = 0; i < percentiles.size(); i++) {
                double p = percentiles.get(i);
                if (i > 0) {
                    sb.append(',');
                }
                sb.append('p').append(trimDouble(p)).append('=')
                        .append(String.format(Locale.ROOT, "%.3f", h.valueAtPercentile(p) / 1000.0));
            }
            sb.append("\r\n");
        }
    }

    /** A percentile as Redis prints it: %f without trailing zeros ("50", "99.9"). */
    static String trimDouble(double v) {
        String t = String.format(Locale.ROOT, "%f", v);
        if (t.indexOf('.') >= 0) {
            int end = t.length();
            while (t.charAt(end - 1) == '0') {
                end--;
            }
            if (t.charAt(end - 1) == '.') {
                end--;
            }
            t = t.substring(0, end);
        }
        return t;
    }
}
