package dev.cinnabar.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Double printing and parsing as Redis 7.2.6 does it. The expected texts were produced by a
 * Redis 7.2.6 server (ZADD then ZSCORE), or by Redis's fpconv_dtoa compiled from its sources.
 */
class DoublesTest {
    private static String d2s(double v) {
        return Doubles.toString(v);
    }

    private static String g17(double v) {
        byte[] b = new byte[Doubles.MAX_CHARS];
        return new String(b, 0, Doubles.formatG17(v, b, 0), StandardCharsets.ISO_8859_1);
    }

    private static double parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Doubles.parse(b, 0, b.length);
    }

    private static double bound(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Doubles.parseRangeBound(b, 0, b.length);
    }

    @Test
    void d2stringMatchesRedis72() {
        assertThat(d2s(0.0)).isEqualTo("0");
        assertThat(d2s(-0.0)).isEqualTo("-0");
        assertThat(d2s(1)).isEqualTo("1");
        assertThat(d2s(-1)).isEqualTo("-1");
        assertThat(d2s(Double.POSITIVE_INFINITY)).isEqualTo("inf");
        assertThat(d2s(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
        assertThat(d2s(Double.NaN)).isEqualTo("nan");
        // Integers print plainly up to +-2^62 (double2ll's range), through fpconv beyond.
        assertThat(d2s(4611686018427387904.0)).isEqualTo("4611686018427387904");
        assertThat(d2s(-4611686018427387904.0)).isEqualTo("-4611686018427387904");
        assertThat(d2s(4611686018427388928.0)).isEqualTo("4611686018427389000");
        assertThat(d2s(-4611686018427388928.0)).isEqualTo("-4611686018427389000");
        assertThat(d2s(1e19)).isEqualTo("1e+19");
        assertThat(d2s(1e21)).isEqualTo("1e+21");
        assertThat(d2s(1e22)).isEqualTo("1e+22");
        assertThat(d2s(1.2345678901234568e20)).isEqualTo("123456789012345680000");
        assertThat(d2s(3e100)).isEqualTo("3e+100");
        assertThat(d2s(1.7976931348623157e308)).isEqualTo("1.7976931348623157e+308");
        assertThat(d2s(Double.MIN_VALUE)).isEqualTo("5e-324");
        assertThat(d2s(2.2250738585072014e-308)).isEqualTo("2.2250738585072014e-308");
        assertThat(d2s(0.1)).isEqualTo("0.1");
        assertThat(d2s(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(d2s(1e-7)).isEqualTo("1e-7");
        assertThat(d2s(1.5e-7)).isEqualTo("1.5e-7");
        assertThat(d2s(0.000001)).isEqualTo("0.000001");
        assertThat(d2s(2.5e-5)).isEqualTo("0.000025");
        assertThat(d2s(0.001234567890123456)).isEqualTo("0.001234567890123456");
        assertThat(d2s(1234.5)).isEqualTo("1234.5");
        assertThat(d2s(123456789.125)).isEqualTo("123456789.125");
        assertThat(d2s(-0.5)).isEqualTo("-0.5");
        assertThat(d2s(1e17)).isEqualTo("100000000000000000");
    }

    @Test
    void fpconvIsGrisu2NotShortest() {
        // Values where Grisu2 (Redis's fpconv) emits one digit more than the shortest form
        // that reads back (Java's Double.toString): replies must carry Redis's digits.
        assertThat(fp(Double.longBitsToDouble(0x00576fee7210aa1fL))).isEqualTo("5.2149572551828064e-307");
        assertThat(fp(Double.longBitsToDouble(0x6efdebe58bb1f240L))).isEqualTo("4.4301629640886397e+226");
        assertThat(fp(Double.longBitsToDouble(0x43629a6084b4bd62L))).isEqualTo("41890311318137616");
        assertThat(fp(-0.0)).isEqualTo("-0");
        assertThat(fp(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
    }

    private static String fp(double v) {
        byte[] b = new byte[Doubles.MAX_CHARS];
        return new String(b, 0, Doubles.fpconv(v, b, 0), StandardCharsets.ISO_8859_1);
    }

    @Test
    void cachedPowersAreRoundedPowersOfTen() {
        // 10^-348 and 10^4 and 10^12 as 64-bit significand * 2^exp (Grisu's table).
        assertThat(Long.toUnsignedString(Doubles.POW_FRAC[0])).isEqualTo("18054884314459144840");
        assertThat(Doubles.POW_EXP[0]).isEqualTo(-1220);
        assertThat(Long.toUnsignedString(Doubles.POW_FRAC[44])).isEqualTo("11258999068426240000");
        assertThat(Doubles.POW_EXP[44]).isEqualTo(-50);
        assertThat(Long.toUnsignedString(Doubles.POW_FRAC[45])).isEqualTo("16777216000000000000");
        assertThat(Doubles.POW_EXP[45]).isEqualTo(-24);
        assertThat(Long.toUnsignedString(Doubles.POW_FRAC[86])).isEqualTo("12648080533535911531");
        assertThat(Doubles.POW_EXP[86]).isEqualTo(1066);
    }

    @Test
    void fpconvReadsBackExactly() {
        Random r = new Random(7);
        byte[] b = new byte[Doubles.MAX_CHARS];
        for (int i = 0; i < 200_000; i++) {
            double v = Double.longBitsToDouble(r.nextLong());
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                continue;
            }
            int n = Doubles.d2string(v, b, 0);
            assertThat(n).isLessThanOrEqualTo(25);
            String s = new String(b, 0, n, StandardCharsets.ISO_8859_1);
            assertThat(Double.doubleToRawLongBits(Double.parseDouble(s)))
                    .as(s).isEqualTo(Double.doubleToRawLongBits(v));
        }
    }

    @Test
    void formatG17IsPrintf() {
        assertThat(g17(0.1)).isEqualTo("0.10000000000000001");
        assertThat(g17(1.5)).isEqualTo("1.5");
        assertThat(g17(100)).isEqualTo("100");
        assertThat(g17(-0.0)).isEqualTo("-0");
        assertThat(g17(1e17)).isEqualTo("1e+17");
        assertThat(g17(1e16)).isEqualTo("10000000000000000");
        assertThat(g17(0.0001)).isEqualTo("0.0001");
        assertThat(g17(0.00001)).isEqualTo("1.0000000000000001e-05");
        assertThat(g17(9.8813129168249309e-323)).isEqualTo("9.8813129168249309e-323");
        assertThat(g17(Double.POSITIVE_INFINITY)).isEqualTo("inf");
        assertThat(g17(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
        assertThat(g17(42.4)).isEqualTo("42.399999999999999");
    }

    @Test
    void parseIsString2d() {
        assertThat(parse("1.5")).isEqualTo(1.5);
        assertThat(parse("+.5")).isEqualTo(0.5);
        assertThat(parse("1.e3")).isEqualTo(1000);
        assertThat(parse("0x10")).isEqualTo(16);
        assertThat(parse("0x1P3")).isEqualTo(8);
        assertThat(parse("inf")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(parse("-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(parse("4e-320")).isEqualTo(4e-320);
        assertThat(Double.doubleToRawLongBits(parse("-0"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(parse("0e-500")).isEqualTo(0.0);
        assertThat(parse("123456789012345678901234567890")).isEqualTo(1.2345678901234568e29);
        for (String bad : new String[] {"", " 1", "1 ", "nan", "NaN", "-nan", "abc", "1e400", "-1e400", "1e-400",
            "1e", ".", "+", "0x", "1\u0000", "1.5x", "--1", "infinit"}) {
            assertThat(parse(bad)).as("[%s]", bad).isNaN();
        }
    }

    @Test
    void rangeBoundIsPlainStrtod() {
        assertThat(bound("")).isEqualTo(0.0);
        assertThat(bound(" 3")).isEqualTo(3.0);
        assertThat(bound("1e400")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(bound("1e-400")).isEqualTo(0.0);
        assertThat(bound("2\u0000junk")).isEqualTo(2.0);
        assertThat(bound("-inf")).isEqualTo(Double.NEGATIVE_INFINITY);
        for (String bad : new String[] {"x", " ", "-", "1 ", "nan", "1e", "0x"}) {
            assertThat(bound(bad)).as("[%s]", bad).isNaN();
        }
    }

    @Test
    void fastPathAgreesWithTheJdk() {
        Random r = new Random(11);
        for (int i = 0; i < 100_000; i++) {
            String s = (r.nextBoolean() ? "-" : "") + r.nextInt(1_000_000) + "." + r.nextInt(1000)
                    + (r.nextBoolean() ? "e" + (r.nextInt(40) - 20) : "");
            assertThat(parse(s)).as(s).isEqualTo(Double.parseDouble(s));
        }
    }
}
