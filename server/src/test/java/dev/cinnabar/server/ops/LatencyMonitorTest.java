package dev.cinnabar.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyMonitorTest {
    @Test
    void keepsTheWorstSamplePerSecondAndTheAllTimeMaximum() {
        LatencyMonitor m = new LatencyMonitor();
        m.addIfNeeded(0, "command", 500, 100); // monitor off
        assertThat(m.all()).isEmpty();
        m.addIfNeeded(100, "command", 99, 100); // under the threshold
        assertThat(m.all()).isEmpty();
        m.addIfNeeded(100, "command", 150, 100);
        m.addIfNeeded(100, "command", 300, 100); // same second: the worst stays
        m.addIfNeeded(100, "command", 120, 100);
        m.addIfNeeded(100, "command", 200, 101);
        LatencyMonitor.Series s = m.get("command");
        List<long[]> samples = new ArrayList<>();
        s.forEach((t, ms) -> samples.add(new long[] {t, ms}));
        assertThat(samples).containsExactly(new long[] {100, 300}, new long[] {101, 200});
        assertThat(s.lastTime()).isEqualTo(101);
        assertThat(s.lastLatency()).isEqualTo(200);
        assertThat(s.max()).isEqualTo(300);
        assertThat(m.reset("COMMAND")).isEqualTo(1);
        assertThat(m.reset(null)).isZero();
    }

    @Test
    void ringKeepsTheLast160Seconds() {
        LatencyMonitor m = new LatencyMonitor();
        for (int i = 1; i <= 200; i++) {
            m.add("e", i, i);
        }
        LatencyMonitor.Series s = m.get("e");
        assertThat(s.count()).isEqualTo(LatencyMonitor.SAMPLES);
        List<Long> times = new ArrayList<>();
        s.forEach((t, ms) -> times.add(t));
        assertThat(times.get(0)).isEqualTo(41);
        assertThat(times.get(159)).isEqualTo(200);
        LatencyMonitor.Analysis a = m.analyze("e", 200);
        assertThat(a.samples()).isEqualTo(160);
        assertThat(a.min()).isEqualTo(41);
        assertThat(a.max()).isEqualTo(200);
        assertThat(a.avg()).isEqualTo((41 + 200) * 160 / 2 / 160);
        assertThat(a.periodSeconds()).isEqualTo(159);
    }

    @Test
    void graphDrawsLevelsAndAgesAsRedisSparklines() {
        LatencyMonitor m = new LatencyMonitor();
        m.add("command", 300, 1000);
        m.add("command", 400, 1001);
        m.add("command", 500, 1002);
        String g = m.graph("command", 1002);
        // Three columns scaled to 12 levels (0, 6 and the top one), four rows high, then a blank
        // row and the ages written downwards.
        assertThat(g).isEqualTo("command - high 500 ms, low 300 ms (all time high 500 ms)\n"
                + "-".repeat(80) + "\n"
                + "  #\n"
                + " _|\n"
                + " ||\n"
                + "_||\n"
                + "   \n"
                + "210\n"
                + "sss\n");
        assertThat(LatencyMonitor.age(59)).isEqualTo("59s");
        assertThat(LatencyMonitor.age(60)).isEqualTo("1m");
        assertThat(LatencyMonitor.age(7200)).isEqualTo("2h");
        assertThat(LatencyMonitor.age(86400 * 3)).isEqualTo("3d");
    }
}
