package dev.cinnabar.server.metrics;

/**
 * Per-command latency distribution for INFO latencystats, with the bucketing of the HDR
 * histogram Redis uses (1 ns .. 1 s, 2 significant digits): values below 256 are exact, above
 * that each power-of-two range is split in 128 equal steps. A percentile reports the highest
 * value of the step it falls in, so the numbers match what Redis prints for the same latency.
 *
 * <p>Recording is O(1) and allocation-free; not thread-safe (updated under the server lock).
 */
public final class LatencyHistogram {
    /** Smallest and largest recorded values (ns), as Redis clamps them. */
    public static final long MIN_VALUE = 1;
    public static final long MAX_VALUE = 1_000_000_000L;

    private static final int SUB_BUCKET_BITS = 8; // 2 significant digits need 200 steps: 256
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    private static final int HALF = SUB_BUCKETS / 2;
    private static final int BUCKETS = bucketsFor(MAX_VALUE);

    private final long[] counts = new long[(BUCKETS + 1) * HALF];
    private long total;

    private static int bucketsFor(long max) {
        long smallestUntrackable = SUB_BUCKETS;
        int buckets = 1;
        while (smallestUntrackable <= max) {
            smallestUntrackable <<= 1;
            buckets++;
        }
        return buckets;
    }

    /** Records one value in nanoseconds (clamped to [1 ns, 1 s]). */
    public void record(long nanos) {
        long v = Math.max(MIN_VALUE, Math.min(MAX_VALUE, nanos));
        counts[index(v)]++;
        total++;
    }

    public long count() {
        return total;
    }

    private static int bucketOf(long v) {
        // Position of the highest bit above the sub-bucket range.
        return Math.max(0, 64 - Long.numberOfLeadingZeros(v | (SUB_BUCKETS - 1)) - SUB_BUCKET_BITS);
    }

    static int index(long v) {
        int bucket = bucketOf(v);
        int sub = (int) (v >>> bucket);
        return bucket == 0 ? sub : (bucket + 1) * HALF + (sub - HALF);
    }

    /** Lowest value that falls in counts[i]. */
    static long lowestOf(int i) {
        int bucket = i / HALF - 1;
        int sub = i % HALF + HALF;
        if (bucket < 0) {
            return i;
        }
        return (long) sub << bucket;
    }

    /** Highest value that falls in the same step as {@code v}. */
    static long highestEquivalent(long v) {
        int bucket = bucketOf(v);
        long lowest = (v >>> bucket) << bucket;
        return lowest + (1L << bucket) - 1;
    }

    /** Receives one step of {@link #forEachPowerOfTwoStep}. */
    @FunctionalInterface
    public interface StepSink {
        void step(long highestNanos, long cumulativeCount);
    }

    /**
     * The cumulative distribution at power-of-two steps from 1024 ns, as LATENCY HISTOGRAM
     * reports it (an HDR logarithmic iteration, base 2, first step 1024): for each step, the
     * highest value of the bucket the step reaches and how many values are at or below it. The
     * walk stops after the step that accounts for every recorded value (or at the end of the
     * trackable range).
     */
    public void forEachPowerOfTwoStep(StepSink sink) {
        long level = 1024;
        int idx = -1;
        long value = 0;
        long cumulative = 0;
        while (cumulative < total || (idx + 1 < counts.length && lowestOf(idx + 1) > lowestEquivalent(level))) {
            long target = lowestEquivalent(level);
            boolean inRange = true;
            while (idx < 0 || value < target) {
                if (++idx >= counts.length) {
                    inRange = false;
                    break;
                }
                cumulative += counts[idx];
                value = lowestOf(idx);
            }
            if (!inRange) {
                return;
            }
            sink.step(highestEquivalent(value), cumulative);
            level <<= 1;
        }
    }

    private static long lowestEquivalent(long v) {
        int bucket = bucketOf(v);
        return (v >>> bucket) << bucket;
    }

    /**
     * The value (ns) at or below which {@code percentile} percent of the recorded values fall:
     * the highest value of the step holding the value at that rank (the lowest for 0).
     */
    public long valueAtPercentile(double percentile) {
        double p = Math.min(percentile, 100.0);
        long rank = (long) ((p / 100.0) * total + 0.5);
        rank = Math.max(rank, 1);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                // The 0th percentile is the lowest value of its step, every other one the highest.
                return percentile == 0.0 ? lowestOf(i) : highestEquivalent(lowestOf(i));
            }
        }
        return 0;
    }
}
