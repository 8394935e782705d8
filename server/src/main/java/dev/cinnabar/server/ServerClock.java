package dev.cinnabar.server;

/**
 * Wall-clock time for expiry (absolute Unix ms, as Redis stores TTLs) and a monotonic clock for
 * durations. Tests may subclass it to control time.
 */
public class ServerClock {
    public long millis() {
        return System.currentTimeMillis();
    }

    /** Monotonic microseconds, for command durations and latency statistics. */
    public long monoMicros() {
        return System.nanoTime() / 1000;
    }
}
