package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** LATENCY and INFO latencystats, mirroring upstream unit/latency-monitor and unit/info. */
class LatencyCommandTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand();

    static final List<Long> STEPS = new ArrayList<>();

    static {
        for (int k = 0; k < 20; k++) {
            long level = 1024L << k;
            STEPS.add((level + (Long.highestOneBit(level) >> 7) - 1) / 1000);
        }
    }

    /** A RESP2 flat key/value list as a map. */
    @SuppressWarnings("unchecked")
    static Map<Object, Object> map(Object reply) {
        List<Object> l = (List<Object>) reply;
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < l.size(); i += 2) {
            m.put(l.get(i), l.get(i + 1));
        }
        return m;
    }

    @Test
    void histogramHasCallsAndACumulativeDistribution() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "RESETSTAT");
            Map<Object, Object> h = map(c.call("LATENCY", "HISTOGRAM"));
            assertThat(h.keySet()).containsExactly("config|resetstat");
            c.call("SET", "a", "b");
            c.call("SET", "c", "d");
            Map<Object, Object> set = map(map(c.call("LATENCY", "HISTOGRAM", "set", "blabla")).get("set"));
            assertThat(set.keySet()).containsExactly("calls", "histogram_usec");
            assertThat(set.get("calls")).isEqualTo(2L);
            Map<Object, Object> cdf = map(set.get("histogram_usec"));
            List<Long> steps = new ArrayList<>();
            long previous = 0;
            for (Map.Entry<Object, Object> e : cdf.entrySet()) {
                long step = (Long) e.getKey();
                long count = (Long) e.getValue();
                // Steps are 1024 ns * 2^k, each reported as the top of its bucket in µs: 1, 2, 4,
                // 8, 16, 33, 66, 132, ...
                assertThat(step).isIn(STEPS);
                assertThat(count).isGreaterThan(previous);
                previous = count;
                steps.add(step);
            }
            assertThat(previous).isEqualTo(2L);
            assertThat(steps).isSorted();

            // A container command includes its subcommands; unknown names are skipped.
            c.call("CONFIG", "RESETSTAT");
            c.call("CLIENT", "ID");
            c.call("CLIENT", "LIST");
            assertThat(map(c.call("LATENCY", "HISTOGRAM", "client")).keySet())
                    .containsExactlyInAnyOrder("client|id", "client|list");
            assertThat(map(c.call("LATENCY", "HISTOGRAM", "client|id")).keySet()).containsExactly("client|id");
            assertThat((List<?>) c.call("LATENCY", "HISTOGRAM", "blabla", "blabla2")).isEmpty();
        }
    }

    @Test
    void histogramIsAMapInResp3() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("HELLO", "3");
            c.call("CONFIG", "RESETSTAT");
            c.call("PING");
            Object h = c.call("LATENCY", "HISTOGRAM", "ping");
            assertThat(h).isInstanceOf(Map.class);
            Map<?, ?> ping = (Map<?, ?>) ((Map<?, ?>) h).get("ping");
            assertThat(ping.get("calls")).isEqualTo(1L);
            assertThat(ping.get("histogram_usec")).isInstanceOf(Map.class);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void eventsOverTheThresholdAreRecorded() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "latency-monitor-threshold", "100");
            c.call("LATENCY", "RESET");
            c.call("DEBUG", "SLEEP", "0");
            assertThat((List<?>) c.call("LATENCY", "LATEST")).isEmpty();
            c.call("DEBUG", "SLEEP", "0.15");
            List<Object> latest = (List<Object>) c.call("LATENCY", "LATEST");
            assertThat(latest).hasSize(1);
            List<Object> e = (List<Object>) latest.get(0);
            assertThat(e.get(0)).isEqualTo("command");
            assertThat((Long) e.get(2)).isBetween(150L, 1000L);
            assertThat(e.get(3)).isEqualTo(e.get(2));
            List<Object> history = (List<Object>) c.call("LATENCY", "HISTORY", "command");
            assertThat(history).hasSize(1);
            assertThat(((List<Object>) history.get(0)).get(0)).isEqualTo(e.get(1));
            assertThat((String) c.call("LATENCY", "GRAPH", "command")).matches("(?s)command - high \\d+ ms, low \\d+ ms.*");
            assertThat((String) c.call("LATENCY", "DOCTOR")).contains("command: 1 latency spikes");
            assertThat(c.call("LATENCY", "GRAPH", "blabla")).isEqualTo(new Err("ERR No samples available for event 'blabla'"));
            assertThat((List<?>) c.call("LATENCY", "HISTORY", "blabla")).isEmpty();
            assertThat(c.call("LATENCY", "RESET", "blabla")).isEqualTo(0L);
            assertThat(c.call("LATENCY", "RESET")).isEqualTo(1L);
            assertThat((List<?>) c.call("LATENCY", "LATEST")).isEmpty();
            assertThat((String) c.call("LATENCY", "DOCTOR")).isNotEmpty();
            assertThat(c.call("LATENCY", "HELP", "xxx"))
                    .isEqualTo(new Err("ERR wrong number of arguments for 'latency|help' command"));
            c.call("CONFIG", "SET", "latency-monitor-threshold", "0");
        }
    }

    @Test
    void infoLatencystatsUsesTheConfiguredPercentiles() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "RESETSTAT");
            c.call("SET", "k", "v");
            String info = (String) c.call("INFO", "latencystats");
            assertThat(info).containsPattern("latency_percentiles_usec_set:p50=\\d+\\.\\d{3},p99=\\d+\\.\\d{3},p99\\.9=\\d+\\.\\d{3}\r\n");
            c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "0 50.5 100");
            info = (String) c.call("INFO", "latencystats");
            assertThat(info).containsPattern("latency_percentiles_usec_set:p0=\\d+\\.\\d{3},p50\\.5=\\d+\\.\\d{3},p100=\\d+\\.\\d{3}\r\n");
            c.call("CONFIG", "SET", "latency-tracking", "no");
            assertThat((String) c.call("INFO", "latencystats")).doesNotContain("latency_percentiles_usec_");
            c.call("CONFIG", "SET", "latency-tracking", "yes");
            c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9");
        }
    }
}
