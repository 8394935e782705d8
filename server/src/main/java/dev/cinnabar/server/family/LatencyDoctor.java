package dev.cinnabar.server.family;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.ops.LatencyMonitor;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The LATENCY DOCTOR report: for every event class with samples, a summary line (number of
 * spikes, average, mean deviation, mean period, all-time worst), then advice picked from what
 * the events suggest, as Redis's createLatencyReport does (the wording is ours).
 */
final class LatencyDoctor {
    private LatencyDoctor() {}

    static String report(Server s) {
        LatencyMonitor m = s.ops.latency;
        long now = s.clock.millis() / 1000;
        long threshold = s.config.monitoring.latencyMonitorThreshold.get();
        StringBuilder sb = new StringBuilder(1024);
        Set<String> advice = new LinkedHashSet<>();
        int n = 0;
        for (String event : m.all().keySet()) {
            LatencyMonitor.Analysis a = m.analyze(event, now);
            if (++n == 1) {
                sb.append("Latency spikes were observed on this server. Here is what was recorded:\n\n");
            }
            sb.append(n).append(". ").append(event).append(": ").append(a.samples())
                    .append(" latency spikes (average ").append(a.avg()).append("ms, mean deviation ")
                    .append(a.meanDeviation()).append("ms, period ")
                    .append(String.format(Locale.ROOT, "%.2f", (double) a.periodSeconds() / a.samples()))
                    .append(" sec). Worst all time event ").append(a.allTimeHigh()).append("ms.\n");
            switch (event) {
                case "command" -> {
                    long slower = s.config.monitoring.slowlogLogSlowerThan.get();
                    if (slower < 0) {
                        advice.add("- The slow log is disabled, so the slow commands cannot be identified. Enable"
                                + " it with 'CONFIG SET slowlog-log-slower-than " + threshold * 1000 + "'.");
                    } else if (slower / 1000 > threshold) {
                        advice.add("- The slow log only records commands slower than the latency monitor"
                                + " threshold; lower it with 'CONFIG SET slowlog-log-slower-than " + threshold * 1000
                                + "' to see the commands behind these spikes.");
                    }
                    advice.add("- Look at SLOWLOG GET to find the commands that take long, and at the sizes of the"
                            + " keys they touch: commands over big aggregates (KEYS, SMEMBERS, LRANGE 0 -1,"
                            + " HGETALL, SORT, ZUNIONSTORE...) grow with them.");
                    advice.add(BIG_VALUES);
                }
                case "fast-command" -> advice.add("- Even O(1) commands were slow: the process did not get the"
                        + " CPU for long periods. Check the load of the machine (other processes, a noisy"
                        + " neighbour on a VM), garbage collection pauses, and the intrinsic latency of the system"
                        + " with 'redis-cli --intrinsic-latency 100'.");
                case "expire-cycle" -> {
                    advice.add("- Expiring keys took long: many keys expire at the same time, or expiring keys"
                            + " hold big values. Spread the expiry times, or lower 'hz' so each cycle does less.");
                    advice.add(BIG_VALUES);
                }
                case "eviction-del", "eviction-cycle" -> advice.add("- Evicting keys took long: the dataset"
                        + " is well over maxmemory, or evicted keys hold big values. Consider a higher maxmemory"
                        + " or lazyfree-lazy-eviction yes.");
                default -> { }
            }
        }
        if (n == 0) {
            sb.append("No latency spike was observed since the server started (or since the last LATENCY RESET).");
            if (threshold == 0) {
                sb.append(" The latency monitor is off: enable it with"
                        + " 'CONFIG SET latency-monitor-threshold <milliseconds>'.");
            }
            sb.append('\n');
        } else if (advice.isEmpty()) {
            sb.append("\nNo specific advice applies to these events.\n");
        } else {
            sb.append("\nSome suggestions:\n\n");
            for (String a : advice) {
                sb.append(a).append('\n');
            }
        }
        return sb.toString();
    }

    private static final String BIG_VALUES = "- Deleting a big value is done in the background by UNLINK,"
            + " FLUSHALL ASYNC and the lazyfree-lazy-* options; use them for big keys.";
}
