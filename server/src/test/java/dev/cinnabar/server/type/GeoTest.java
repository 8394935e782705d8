package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Geohash encoding, decoding, distances and reply formatting. Expected values are Redis 7.0.15's
 * replies for the same positions (GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669
 * Catania, the example of Redis's documentation).
 */
class GeoTest {
    private static String coordinate(double v) {
        byte[] b = new byte[Geo.MAX_CHARS];
        return new String(b, 0, Geo.formatCoordinate(v, b, 0), StandardCharsets.US_ASCII);
    }

    private static String distance(double v) {
        byte[] b = new byte[Geo.MAX_CHARS];
        return new String(b, 0, Geo.formatDistance(v, b, 0), StandardCharsets.US_ASCII);
    }

    @Test
    void scoresAndPositionsAreRedisOnes() {
        long palermo = Geo.score(13.361389, 38.115556);
        long catania = Geo.score(15.087269, 37.502669);
        assertThat(palermo).isEqualTo(3479099956230698L);
        assertThat(catania).isEqualTo(3479447370796909L);
        double[] xy = new double[2];
        Geo.decode(palermo, xy, new double[4]);
        assertThat(coordinate(xy[0])).isEqualTo("13.36138933897018433");
        assertThat(coordinate(xy[1])).isEqualTo("38.11555639549629859");
        double[] ab = new double[2];
        Geo.decode(catania, ab, new double[4]);
        assertThat(coordinate(ab[0])).isEqualTo("15.08726745843887329");
        assertThat(coordinate(ab[1])).isEqualTo("37.50266842333162032");
        assertThat(distance(Geo.distance(xy[0], xy[1], ab[0], ab[1]) / 1000)).isEqualTo("166.2742");
    }

    @Test
    void geohashStrings() {
        byte[] out = new byte[11];
        Geo.geohashString(Geo.score(13.361389, 38.115556), out, 0);
        assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("sqc8b49rny0");
        Geo.geohashString(Geo.score(15.087269, 37.502669), out, 0);
        assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("sqdtr74hyu0");
    }

    @Test
    void interleaveRoundTrips() {
        Random r = new Random(5);
        for (int i = 0; i < 10000; i++) {
            long x = r.nextInt() & 0xFFFFFFFFL;
            long y = r.nextInt() & 0xFFFFFFFFL;
            long v = Geo.interleave(x, y);
            for (int bit = 0; bit < 32; bit++) {
                assertThat((v >>> (2 * bit)) & 1).isEqualTo((x >>> bit) & 1);
                assertThat((v >>> (2 * bit + 1)) & 1).isEqualTo((y >>> bit) & 1);
            }
            assertThat(Geo.deinterleave(v)).isEqualTo(x | (y << 32));
        }
    }

    @Test
    void positionsOutsideTheMercatorLimitsAreRejected() {
        assertThat(Geo.validPosition(180, 85.05112878)).isTrue();
        assertThat(Geo.validPosition(180.0000001, 0)).isFalse();
        assertThat(Geo.validPosition(0, -85.05112879)).isFalse();
        assertThat(Geo.printfF(200)).isEqualTo("200.000000");
        assertThat(Geo.printfF(-0.0)).isEqualTo("-0.000000");
        assertThat(Geo.printfF(-1e-9)).isEqualTo("-0.000000");
        assertThat(Geo.printfF(123.4567894)).isEqualTo("123.456789");
    }

    @Test
    void coordinateFormatIsExactPrintfWithZerosTrimmed() {
        Random r = new Random(9);
        for (int i = 0; i < 100000; i++) {
            double v = switch (i % 4) {
                case 0 -> (r.nextDouble() * 360) - 180;
                case 1 -> (r.nextDouble() - 0.5) * Math.pow(2, -r.nextInt(60));
                case 2 -> Math.scalb((double) r.nextInt(1 << 20), -r.nextInt(70));
                default -> Double.longBitsToDouble(r.nextLong() & 0x7FEFFFFFFFFFFFFFL) % 1000;
            };
            String want = new BigDecimal(v).setScale(17, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
            if (new BigDecimal(want).signum() == 0) {
                want = "0";
            }
            assertThat(coordinate(v)).as("%s", v).isEqualTo(want);
        }
        assertThat(coordinate(-0.0)).isEqualTo("0");
        assertThat(coordinate(180)).isEqualTo("180");
        assertThat(coordinate(-85.05112877980659)).isEqualTo("-85.05112877980658936");
    }

    @Test
    void distanceFormatHasFourDecimals() {
        assertThat(distance(0)).isEqualTo("0.0000");
        assertThat(distance(-0.0)).isEqualTo("0.0000");
        assertThat(distance(0.00004)).isEqualTo("0.0000");
        assertThat(distance(0.7750)).isEqualTo("0.7750");
        assertThat(distance(1234.56789)).isEqualTo("1234.5679");
        assertThat(distance(12)).isEqualTo("12.0000");
        assertThat(distance(Double.NaN)).isEqualTo("-922337203685477.5808");
    }

    @Test
    void scoreCastIsX86UnsignedConversion() {
        assertThat(Geo.toUint64(3.0)).isEqualTo(3);
        assertThat(Geo.toUint64(-1.0)).isEqualTo(-1L);
        assertThat(Geo.toUint64(Math.pow(2, 63))).isEqualTo(Long.MIN_VALUE);
        assertThat(Geo.toUint64(Math.pow(2, 63) + 4096)).isEqualTo(Long.MIN_VALUE + 4096);
        assertThat(Geo.toUint64(Double.POSITIVE_INFINITY)).isZero();
        assertThat(Geo.toUint64(Double.NEGATIVE_INFINITY)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void stepsShrinkWithTheRadiusAndNearThePoles() {
        assertThat(Geo.estimateSteps(0, 0)).isEqualTo(26);
        assertThat(Geo.estimateSteps(1, 0)).isEqualTo(24);
        assertThat(Geo.estimateSteps(100_000, 0)).isEqualTo(7);
        assertThat(Geo.estimateSteps(100_000, 70)).isEqualTo(6);
        assertThat(Geo.estimateSteps(100_000, -85)).isEqualTo(5);
        assertThat(Geo.estimateSteps(1e9, 0)).isEqualTo(1);
    }

    @Test
    void neighboursWrapAroundTheCellGrid() {
        int step = 2; // a 4 x 4 grid
        long h = Geo.interleave(0, 3); // south-most row, east-most column
        assertThat(Geo.deinterleave(Geo.moveX(h, step, 1))).isEqualTo(0L); // wraps to column 0
        assertThat(Geo.deinterleave(Geo.moveY(h, step, -1))).isEqualTo(3 | (3L << 32)); // wraps to row 3
        assertThat(Geo.deinterleave(Geo.moveY(h, step, 1))).isEqualTo(1 | (3L << 32));
        assertThat(Geo.deinterleave(Geo.moveX(h, step, -1))).isEqualTo(2L << 32);
    }
}
