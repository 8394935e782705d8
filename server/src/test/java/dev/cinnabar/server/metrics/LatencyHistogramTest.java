package dev.cinnabar.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void reportsTheHighestValueOfTheStepAsHdrHistogramDoes() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(3000); // 3 µs, as Redis records command durations in ns
        // 3000 ns lies in the 16 ns wide step 2992..3007 (2 significant digits).
        assertThat(h.valueAtPercentile(50)).isEqualTo(3007);
        assertThat(h.valueAtPercentile(0)).isEqualTo(2992);
        LatencyHistogram small = new LatencyHistogram();
        small.record(200);
        assertThat(small.valueAtPercentile(99.9)).isEqualTo(200); // exact below 256
    }

    @Test
    void percentilesRankRecordedValues() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 100; i++) {
            h.record(i * 1000L);
        }
        assertThat(h.count()).isEqualTo(100);
        assertThat(h.valueAtPercentile(50)).isBetween(50_000L, 50_500L);
        assertThat(h.valueAtPercentile(100)).isBetween(100_000L, 100_500L);
        h.record(5_000_000_000L); // clamped to 1 s
        assertThat(h.valueAtPercentile(100)).isBetween(1_000_000_000L, 1_005_000_000L);
    }

    @Test
    void indexAndLowestValueAreInverse() {
        for (long v : new long[] {0, 1, 255, 256, 257, 511, 512, 3000, 123_456_789, 1_000_000_000}) {
            long lowest = LatencyHistogram.lowestOf(LatencyHistogram.index(v));
            assertThat(lowest).isLessThanOrEqualTo(v);
            assertThat(LatencyHistogram.highestEquivalent(v)).isGreaterThanOrEqualTo(v);
            assertThat(LatencyHistogram.index(LatencyHistogram.highestEquivalent(v))).isEqualTo(LatencyHistogram.index(v));
        }
    }

    @Test
    void infoFormatsPercentileNamesAsRedis() {
        assertThat(Info.trimDouble(50.0)).isEqualTo("50");
        assertThat(Info.trimDouble(99.9)).isEqualTo("99.9");
        assertThat(Info.trimDouble(0.0)).isEqualTo("0");
        assertThat(Info.seconds(1_234_567)).isEqualTo("1.234567");
        assertThat(Info.seconds(5)).isEqualTo("0.000005");
        assertThat(ProcessInfo.human(1023)).isEqualTo("1023B");
        assertThat(ProcessInfo.human(1536)).isEqualTo("1.50K");
        assertThat(ProcessInfo.human(3L * 1024 * 1024 * 1024)).isEqualTo("3.00G");
    }

    @Test
    void powerOfTwoStepsAreTheCumulativeDistributionLatencyHistogramReports() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 3; i++) {
            h.record(1000); // 1 µs
        }
        h.record(5000); // 5 µs
        java.util.List<long[]> steps = new java.util.ArrayList<>();
        h.forEachPowerOfTwoStep((highest, cumulative) -> steps.add(new long[] {highest / 1000, cumulative}));
        // Steps at 1024 ns * 2^k, reported as the highest value of their bucket, in µs; the walk
        // ends with the step that covers every value.
        assertThat(steps).containsExactly(new long[] {1, 3}, new long[] {2, 3}, new long[] {4, 3}, new long[] {8, 4});

        LatencyHistogram big = new LatencyHistogram();
        big.record(40_000); // 40 µs: steps 1, 2, 4, 8, 16, 33, 66 (the 65536 ns bucket ends at 66047)
        java.util.List<Long> keys = new java.util.ArrayList<>();
        big.forEachPowerOfTwoStep((highest, cumulative) -> keys.add(highest / 1000));
        assertThat(keys).containsExactly(1L, 2L, 4L, 8L, 16L, 33L, 66L);

        java.util.List<long[]> none = new java.util.ArrayList<>();
        new LatencyHistogram().forEachPowerOfTwoStep((a, b) -> none.add(new long[] {a, b}));
        assertThat(none).isEmpty();
    }
}
