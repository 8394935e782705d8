package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** INFO: section selection as upstream unit/info-command checks it, and fields with real values. */
class InfoCommandTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().config("hz", "100");

    static String info(RespClient c, Object... sections) throws Exception {
        Object[] args = new Object[sections.length + 1];
        args[0] = "INFO";
        System.arraycopy(sections, 0, args, 1, sections.length);
        return (String) c.call(args);
    }

    /** field -> value of an INFO text. */
    static Map<String, String> fields(String info) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : info.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                m.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return m;
    }

    static List<String> headers(String info) {
        List<String> h = new ArrayList<>();
        for (String line : info.split("\r\n")) {
            if (line.startsWith("# ")) {
                h.add(line.substring(2));
            }
        }
        return h;
    }

    @Test
    void defaultAllAndEverythingSelectSectionsAsRedis() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            List<String> def = List.of("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                    "Modules", "Errorstats", "Cluster", "Keyspace");
            assertThat(headers(info(c))).isEqualTo(def);
            assertThat(headers(info(c, "default"))).isEqualTo(def);
            List<String> all = List.of("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                    "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace");
            assertThat(headers(info(c, "all"))).isEqualTo(all);
            assertThat(headers(info(c, "everything"))).isEqualTo(all);
            for (String arg : new String[] {"", "all", "default", "everything"}) {
                String text = arg.isEmpty() ? info(c) : info(c, arg);
                assertThat(text).contains("redis_version:7.2.6", "used_cpu_user", "used_memory").doesNotContain("sentinel_tilt");
                assertThat(text.contains("rejected_calls")).isEqualTo(arg.equals("all") || arg.equals("everything"));
            }
        }
    }

    @Test
    void sectionsAreCaseInsensitiveUniqueAndInRedisOrder() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(headers(info(c, "cpu"))).containsExactly("CPU");
            assertThat(headers(info(c, "commandSTATS"))).containsExactly("Commandstats");
            assertThat(info(c, "commandSTATS")).contains("rejected_calls").doesNotContain("used_memory");
            assertThat(headers(info(c, "keyspace", "cpu", "CPU", "server"))).containsExactly("Server", "CPU", "Keyspace");
            String cpuAll = info(c, "cpu", "all");
            assertThat(cpuAll.indexOf("used_cpu_user_children")).isEqualTo(cpuAll.lastIndexOf("used_cpu_user_children"));
            assertThat(info(c, "cpu", "default")).contains("master_repl_offset").doesNotContain("rejected_calls");
            assertThat(info(c, "nosuchsection")).isEmpty();
            assertThat(headers(info(c, "debug"))).containsExactly("Debug");
            assertThat(info(c, "all")).doesNotContain("eventloop_duration_aof_sum");
            assertThat(fields(info(c, "server")).get("cinnabar_version")).isNotEmpty();
        }
    }

    @Test
    void fieldsCarryRealValues() throws Exception {
        try (RespClient c = new RespClient(server.port()); RespClient other = new RespClient(server.port())) {
            other.call("PING");
            Map<String, String> f = fields(info(c, "server", "clients"));
            assertThat(f.get("tcp_port")).isEqualTo(Integer.toString(server.port()));
            assertThat(f.get("process_id")).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThat(f.get("run_id")).hasSize(40).isEqualTo(server.server().runId);
            assertThat(Long.parseLong(f.get("connected_clients"))).isGreaterThanOrEqualTo(2);
            assertThat(f.get("hz")).isEqualTo("100");
            assertThat(f.get("listener0")).isEqualTo("name=tcp,bind=127.0.0.1,port=" + server.port());

            long before = Long.parseLong(fields(info(c, "stats")).get("total_commands_processed"));
            c.call("SET", "info:k", "v");
            c.call("GET", "info:k");
            c.call("GET", "info:missing");
            Map<String, String> s = fields(info(c, "stats"));
            assertThat(Long.parseLong(s.get("total_commands_processed"))).isGreaterThanOrEqualTo(before + 4);
            assertThat(Long.parseLong(s.get("keyspace_hits"))).isGreaterThanOrEqualTo(1);
            assertThat(Long.parseLong(s.get("keyspace_misses"))).isGreaterThanOrEqualTo(1);

            c.call("SELECT", "3");
            c.call("SET", "a", "1");
            c.call("SET", "b", "2", "EX", "100");
            // avg_ttl is 0 until the active expiry cycle has sampled the volatile key, then its TTL.
            String db3 = fields(info(c, "keyspace")).get("db3");
            assertThat(db3).matches("keys=2,expires=1,avg_ttl=\\d+");
            assertThat(Long.parseLong(db3.substring(db3.lastIndexOf('=') + 1))).isLessThanOrEqualTo(100_000);

            Map<String, String> m = fields(info(c, "memory"));
            assertThat(Long.parseLong(m.get("used_memory"))).isPositive();
            assertThat(Long.parseLong(m.get("used_memory_rss"))).isPositive();
            assertThat(m.get("maxmemory_policy")).isEqualTo("noeviction");
            Map<String, String> p = fields(info(c, "persistence"));
            assertThat(p.get("rdb_bgsave_in_progress")).isEqualTo("0");
            assertThat(p.get("loading")).isEqualTo("0");
            assertThat(p.get("aof_enabled")).isEqualTo("0");
            assertThat(Long.parseLong(p.get("rdb_changes_since_last_save"))).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void instantaneousOpsPerSecIsSampledByTheCron() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            long deadline = System.currentTimeMillis() + 5000;
            long ops = 0;
            while (ops == 0 && System.currentTimeMillis() < deadline) {
                for (int i = 0; i < 200; i++) {
                    c.send("PING");
                }
                for (int i = 0; i < 200; i++) {
                    c.read();
                }
                Thread.sleep(120);
                ops = Long.parseLong(fields(info(c, "stats")).get("instantaneous_ops_per_sec"));
            }
            assertThat(ops).isPositive();
        }
    }

    @Test
    void commandAndErrorStatsCountCallsFailuresAndRejections() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("CONFIG", "RESETSTAT")).isEqualTo("OK");
            assertThat(fields(info(c, "stats")).get("total_error_replies")).isEqualTo("0");
            c.call("SET", "k");                     // rejected: arity
            c.call("SET", "k", "v", "EX", "-1");    // failed: invalid expire
            c.call("SET", "k", "v");
            c.call("NOSUCHCOMMAND");
            Map<String, String> cs = fields(info(c, "commandstats"));
            assertThat(cs.get("cmdstat_set")).matches(
                    "calls=2,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=1,failed_calls=1");
            Map<String, String> es = fields(info(c, "errorstats"));
            assertThat(es.get("errorstat_ERR")).isEqualTo("count=3");
            assertThat(fields(info(c, "stats")).get("total_error_replies")).isEqualTo("3");
            assertThat(fields(info(c, "latencystats")).get("latency_percentiles_usec_set"))
                    .matches("p50=\\d+\\.\\d{3},p99=\\d+\\.\\d{3},p99\\.9=\\d+\\.\\d{3}");
            c.call("CONFIG", "RESETSTAT");
            assertThat(info(c, "errorstats")).doesNotContain("errorstat_ERR");
            assertThat(info(c, "latencystats")).doesNotContain("latency_percentiles_usec_set");
        }
    }

    /** Upstream unit/info "errorstats: failed call within MULTI/EXEC": the failure is AUTH's, not EXEC's. */
    @Test
    void failedCallInsideExecCountsForThatCommandOnly() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "RESETSTAT");
            c.call("MULTI");
            c.call("SET", "a", "b");
            c.call("AUTH", "a");
            c.call("EXEC");
            Map<String, String> cs = fields(info(c, "commandstats"));
            assertThat(cs.get("cmdstat_set")).endsWith("rejected_calls=0,failed_calls=0");
            assertThat(cs.get("cmdstat_auth")).endsWith("rejected_calls=0,failed_calls=1");
            assertThat(cs.get("cmdstat_exec")).startsWith("calls=1,").endsWith("rejected_calls=0,failed_calls=0");
            // An error EXEC replies itself is EXEC's failure.
            c.call("EXEC");
            assertThat(fields(info(c, "commandstats")).get("cmdstat_exec"))
                    .startsWith("calls=2,").endsWith("rejected_calls=0,failed_calls=1");
            assertThat(fields(info(c, "stats")).get("total_error_replies")).isEqualTo("2");
        }
    }

    @Test
    void latencyTrackingFollowsConfig() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "RESETSTAT");
            c.call("CONFIG", "SET", "latency-tracking", "no");
            c.call("GET", "x");
            assertThat(info(c, "latencystats")).doesNotContain("latency_percentiles_usec_get");
            c.call("CONFIG", "SET", "latency-tracking", "yes");
            c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "0.0 50.0 100.0");
            c.call("GET", "x");
            assertThat(fields(info(c, "latencystats")).get("latency_percentiles_usec_get")).startsWith("p0=").contains(",p50=", ",p100=");
            c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9");
        }
    }

    @Test
    void resp3RepliesVerbatimText() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("HELLO", "3");
            c.send("INFO", "server");
            c.writeRaw(""); // flush
            String first = c.line();
            assertThat(first).startsWith("=");
            String body = c.line();
            assertThat(body).isEqualTo("txt:# Server");
        }
    }
}
