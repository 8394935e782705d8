package dev.cinnabar.server.metrics;

import dev.cinnabar.server.command.Command;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Server-wide measurements that INFO reports beyond the plain counters of {@link Stats}:
 * instantaneous rates sampled by the cron (Redis trackInstantaneousMetric), event loop
 * durations, per-command latency histograms, memory peaks, and the replication ids.
 *
 * <p>Updated with the server lock held (command path and cron).
 */
public final class ServerMetrics {
    /** Samples averaged by an instantaneous metric (Redis STATS_METRIC_SAMPLES). */
    static final int SAMPLES = 16;

    /** One rate: the mean of the last {@link #SAMPLES} per-second samples. */
    public static final class Rate {
        private final long[] samples = new long[SAMPLES];
        private int idx;
        private long lastBase;
        private long lastValue;

        /** Records the growth of {@code value} since the previous call, scaled per {@code base} unit. */
        void track(long value, long base, long factor) {
            if (lastBase > 0) {
                long dBase = base - lastBase;
                long dValue = value - lastValue;
                samples[idx] = dBase > 0 ? dValue * factor / dBase : 0;
                idx = (idx + 1) % SAMPLES;
            }
            lastBase = base;
            lastValue = value;
        }

        public long get() {
            long sum = 0;
            for (long s : samples) {
                sum += s;
            }
            return sum / SAMPLES;
        }

        void reset() {
            java.util.Arrays.fill(samples, 0);
            idx = 0;
            lastBase = 0;
            lastValue = 0;
        }
    }

    public final Rate opsPerSec = new Rate();
    public final Rate netInput = new Rate();
    public final Rate netOutput = new Rate();
    public final Rate netReplInput = new Rate();
    public final Rate netReplOutput = new Rate();
    public final Rate eventLoopCycles = new Rate();
    public final Rate eventLoopDuration = new Rate();

    /** Cron runs since the last reset (they are event loop cycles too). */
    public long cronCycles;
    /** Microseconds spent in cron runs, in commands, and the longest single cycle. */
    public long cronMicros;
    public long commandMicros;
    public long longestCycleMicros;
    /** Most commands run in one read batch (Redis el_cmd_cnt_max). */
    public long maxCommandsPerCycle;

    private long batchReads = -1;
    private long batchCommands;

    /** Replication ids (INFO replication); changed by DEBUG CHANGE-REPL-ID. */
    public String replId = randomId();
    public String replId2 = "0000000000000000000000000000000000000000";
    public long secondReplOffset = -1;

    /** DEBUG PAUSE-CRON: while set, the cron does nothing. */
    public volatile boolean cronPaused;

    /** Whether per-command latency is recorded (config latency-tracking). */
    public boolean latencyTracking = true;

    public static String randomId() {
        byte[] b = new byte[20];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** After every command (Redis call()): latency histogram of the command that ran. */
    public void afterCommand(Command cmd, long durationMicros, long reads) {
        commandMicros += durationMicros;
        longestCycleMicros = Math.max(longestCycleMicros, durationMicros);
        if (reads != batchReads) {
            batchReads = reads;
            batchCommands = 0;
        }
        maxCommandsPerCycle = Math.max(maxCommandsPerCycle, ++batchCommands);
        if (latencyTracking) {
            LatencyHistogram h = cmd.latency;
            if (h == null) {
                h = cmd.latency = new LatencyHistogram();
            }
            h.record(durationMicros * 1000);
        }
    }

    /**
     * Once per cron run: counts the run and, when {@code sample} (every 100 ms), samples the
     * instantaneous rates.
     *
     * @param reads read batches processed so far (event loop cycles serving clients)
     */
    public void cron(long nowMillis, Stats stats, long reads, long cronDurationMicros, boolean sample) {
        cronCycles++;
        cronMicros += cronDurationMicros;
        longestCycleMicros = Math.max(longestCycleMicros, cronDurationMicros);
        if (!sample) {
            return;
        }
        opsPerSec.track(stats.totalCommandsProcessed, nowMillis, 1000);
        netInput.track(stats.totalNetInputBytes, nowMillis, 1000);
        netOutput.track(stats.netOutputBytes.sum(), nowMillis, 1000);
        netReplInput.track(0, nowMillis, 1000);
        netReplOutput.track(stats.netReplOutputBytes.sum(), nowMillis, 1000);
        long cycles = reads + cronCycles;
        eventLoopCycles.track(cycles, nowMillis, 1000);
        // Mean duration of one cycle over the sampling period.
        eventLoopDuration.track(eventLoopMicros(), cycles, 1);
    }

    /** Time spent serving events: commands and cron runs. */
    public long eventLoopMicros() {
        return commandMicros + cronMicros;
    }

    /** CONFIG RESETSTAT. */
    public void reset() {
        opsPerSec.reset();
        netInput.reset();
        netOutput.reset();
        netReplInput.reset();
        netReplOutput.reset();
        eventLoopCycles.reset();
        eventLoopDuration.reset();
        cronCycles = 0;
        cronMicros = 0;
        commandMicros = 0;
        longestCycleMicros = 0;
        maxCommandsPerCycle = 0;
    }
}
