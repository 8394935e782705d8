package dev.cinnabar.server.testkit;

import dev.cinnabar.server.ServerClock;

/**
 * A server clock that tests move by hand: wall time starts at the real time and only changes
 * through {@link #advance}; the monotonic clock can be made to jump by a fixed amount on every
 * read, to simulate slow work against time budgets.
 */
public final class ManualClock extends ServerClock {
    private volatile long millis = System.currentTimeMillis();
    private volatile long micros;
    private volatile long microsPerRead;

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public long monoMicros() {
        long m = micros;
        micros = m + microsPerRead;
        return m;
    }

    public void advance(long ms) {
        millis += ms;
    }

    /** Every later {@link #monoMicros} read returns a value this much larger than the last. */
    public void microsPerRead(long us) {
        microsPerRead = us;
    }
}
