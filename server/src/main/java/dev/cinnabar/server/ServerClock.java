package dev.cinnabar.server;

/**
 * Wall-clock time for expiry (absolute Unix ms, as Redis stores TTLs) and a monotonic clock for
 * durations. Tests may subclass it to control time.
 */
public class ServerClock {
    public long millis() {
        return System.currentTimeMillis();
    }

    /**
     * Wall-clock Unix time in microseconds (TIME, INFO server_time_usec). A subclass that
     * controls {@link #millis()} should override this too.
     */
    public long micros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /** Monotonic microseconds, for command durations and latency statistics. */
    public long monoMicros() {
        return System.nanoTime() / 1000;
    }
}
