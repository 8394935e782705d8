package dev.cinnabar.server.ops;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latency monitor (Redis latency.c): for every event class ("command", "fast-command",
 * "expire-cycle", ...) a ring of the last {@link #SAMPLES} per-second worst latencies over
 * {@code latency-monitor-threshold} milliseconds, plus the all-time maximum.
 *
 * <p>Several spikes within one second keep only the worst. A sample is an (unix second,
 * milliseconds) pair; a slot with time 0 is empty.
 *
 * <p>Accessed with the server lock held.
 */
public final class LatencyMonitor {
    /** Samples kept per event (Redis LATENCY_TS_LEN). */
    public static final int SAMPLES = 160;

    /** The samples of one event class. */
    public static final class Series {
        final long[] time = new long[SAMPLES];
        final long[] latency = new long[SAMPLES];
        /** Next slot to write. */
        int idx;
        long max;

        /** The slot written last. */
        int last() {
            return (idx + SAMPLES - 1) % SAMPLES;
        }

        public long lastTime() {
            return time[last()];
        }

        public long lastLatency() {
            return latency[last()];
        }

        public long max() {
            return max;
        }

        /** Calls {@code sink} with every stored sample, oldest first. */
        public void forEach(SampleSink sink) {
            for (int j = 0; j < SAMPLES; j++) {
                int i = (idx + j) % SAMPLES;
                if (time[i] != 0) {
                    sink.sample(time[i], latency[i]);
                }
            }
        }

        public int count() {
            int n = 0;
            for (long t : time) {
                if (t != 0) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Receives samples. */
    @FunctionalInterface
    public interface SampleSink {
        void sample(long unixTime, long millis);
    }

    /** Event name -> samples, in creation order. */
    private final Map<String, Series> events = new LinkedHashMap<>();

    /**
     * Records {@code millis} for {@code event} when the monitor is on ({@code threshold} > 0)
     * and the latency reaches it (Redis latencyAddSampleIfNeeded).
     */
    public void addIfNeeded(long threshold, String event, long millis, long unixTime) {
        if (threshold != 0 && millis >= threshold) {
            add(event, millis, unixTime);
        }
    }

    /** Redis latencyAddSample. */
    public void add(String event, long millis, long unixTime) {
        Series s = events.computeIfAbsent(event, k -> new Series());
        if (millis > s.max) {
            s.max = millis;
        }
        int prev = s.last();
        if (s.time[prev] == unixTime) {
            if (millis > s.latency[prev]) {
                s.latency[prev] = millis;
            }
            return;
        }
        s.time[s.idx] = unixTime;
        s.latency[s.idx] = millis;
        s.idx = (s.idx + 1) % SAMPLES;
    }

    public Series get(String event) {
        return events.get(event);
    }

    public Map<String, Series> all() {
        return events;
    }

    /** Forgets every event (null) or the named one, case-insensitively; returns how many went. */
    public int reset(String event) {
        int n = 0;
        for (Iterator<String> it = events.keySet().iterator(); it.hasNext();) {
            String e = it.next();
            if (event == null || e.equalsIgnoreCase(event)) {
                it.remove();
                n++;
            }
        }
        return n;
    }

    // ---- analysis (LATENCY DOCTOR) ------------------------------------------------------------

    /** Summary of one event's samples (Redis analyzeLatencyForEvent). */
    public record Analysis(int samples, long avg, long min, long max, long meanDeviation, long periodSeconds,
            long allTimeHigh) {}

    public Analysis analyze(String event, long nowSec) {
        Series s = events.get(event);
        if (s == null) {
            return new Analysis(0, 0, 0, 0, 0, 0, 0);
        }
        int n = 0;
        long min = 0;
        long max = 0;
        long sum = 0;
        long oldest = 0;
        for (int j = 0; j < SAMPLES; j++) {
            if (s.time[j] == 0) {
                continue;
            }
            long v = s.latency[j];
            if (n++ == 0) {
                min = max = v;
            } else {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            sum += v;
            if (oldest == 0 || s.time[j] < oldest) {
                oldest = s.time[j];
            }
        }
        long avg = n == 0 ? 0 : sum / n;
        long period = 0;
        long mad = 0;
        if (n > 0) {
            period = Math.max(1, nowSec - oldest);
            long dev = 0;
            for (int j = 0; j < SAMPLES; j++) {
                if (s.time[j] != 0) {
                    dev += Math.abs(avg - s.latency[j]);
                }
            }
            mad = dev / n;
        }
        return new Analysis(n, avg, min, max, mad, period, s.max);
    }

    // ---- LATENCY GRAPH ----------------------------------------------------------------------------

    static final int GRAPH_COLUMNS = 80;
    static final int GRAPH_ROWS = 4;
    /** Glyphs from low to high within one row of a filled graph. */
    private static final char[] FILL = {'_', 'o', '#'};

    /**
     * The ASCII graph of an event (Redis latencyCommandGenSparkeline): a title line, a rule,
     * then blocks of up to 80 columns, one per sample, each four rows high with the sample's age
     * ("12s", "3m", "2h", "1d") written downwards under it.
     */
    public String graph(String event, long nowSec) {
        Series s = events.get(event);
        List<long[]> points = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        s.forEach((t, ms) -> {
            points.add(new long[] {ms});
            labels.add(age(nowSec - t));
        });
        long min = 0;
        long max = 0;
        for (int i = 0; i < points.size(); i++) {
            long v = points.get(i)[0];
            if (i == 0) {
                min = max = v;
            } else {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        StringBuilder sb = new StringBuilder(1024);
        sb.append(event).append(" - high ").append(max).append(" ms, low ").append(min)
                .append(" ms (all time high ").append(s.max).append(" ms)\n");
        sb.append("-".repeat(GRAPH_COLUMNS)).append('\n');
        for (int start = 0; start < points.size(); start += GRAPH_COLUMNS) {
            if (start != 0) {
                sb.append('\n');
            }
            int len = Math.min(GRAPH_COLUMNS, points.size() - start);
            renderBlock(sb, points, labels, start, len, min, max);
        }
        return sb.toString();
    }

    static String age(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        } else if (seconds < 3600) {
            return (seconds / 60) + "m";
        } else if (seconds < 86400) {
            return (seconds / 3600) + "h";
        }
        return (seconds / 86400) + "d";
    }

    /**
     * One block of columns: each value is scaled to one of rows*3 levels; a column is full
     * ('|') in the rows below its level's row and shows the level's glyph in that row.
     */
    private static void renderBlock(StringBuilder sb, List<long[]> points, List<String> labels, int start, int len,
            long min, long max) {
        double range = max - min;
        if (range == 0) {
            range = 1;
        }
        int levels = FILL.length * GRAPH_ROWS;
        int[] level = new int[len];
        for (int j = 0; j < len; j++) {
            int l = (int) ((points.get(start + j)[0] - min) * levels / range);
            level[j] = Math.max(0, Math.min(levels - 1, l));
        }
        char[] line = new char[len];
        for (int row = 0; row < GRAPH_ROWS; row++) {
            java.util.Arrays.fill(line, ' ');
            int base = (GRAPH_ROWS - row - 1) * FILL.length;
            for (int j = 0; j < len; j++) {
                int k = level[j] - base;
                if (k >= 0 && k < FILL.length) {
                    line[j] = FILL[k];
                } else if (k >= FILL.length) {
                    line[j] = '|';
                }
            }
            sb.append(line).append('\n');
        }
        // One blank row, then the labels top to bottom, one character per row.
        boolean anyLabel = false;
        int longest = 0;
        for (int j = 0; j < len; j++) {
            String l = labels.get(start + j);
            if (!l.isEmpty()) {
                anyLabel = true;
                longest = Math.max(longest, l.length());
            }
        }
        if (!anyLabel) {
            return;
        }
        java.util.Arrays.fill(line, ' ');
        sb.append(line).append('\n');
        for (int r = 0; r < longest; r++) {
            java.util.Arrays.fill(line, ' ');
            for (int j = 0; j < len; j++) {
                String l = labels.get(start + j);
                if (r < l.length()) {
                    line[j] = l.charAt(r);
                }
            }
            sb.append(line).append('\n');
        }
    }
}
