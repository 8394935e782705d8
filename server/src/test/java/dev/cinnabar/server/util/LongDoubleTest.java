package dev.cinnabar.server.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The long double emulation behind INCRBYFLOAT. Expected texts were taken from a real
 * redis-server on x86-64 (x87 80-bit long double, glibc strtold/printf); the differential test
 * in the family package keeps checking random values against one when it is installed.
 */
class LongDoubleTest {

    private static LongDouble parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return LongDouble.parse(b, 0, b.length);
    }

    /** What INCRBYFLOAT replies for a stored value and an increment. */
    private static String incr(String stored, String by) {
        return parse(stored).add(parse(by)).toHumanString();
    }

    @Test
    void incrbyfloatResultsMatchRedis() {
        String[][] cases = {
            {"0", "0.1", "0.1"},
            {"0.1", "0.2", "0.3"},
            {"1", "-1.1", "-0.1"},
            {"10.5", "0.1", "10.6"},
            {"3.0e3", "0", "3000"},
            {"17179869184", "1.5", "17179869185.5"},
            {"17179869184", "17179869184", "34359738368"},
            {"1.5", "1.5", "3"},
            {"0", "1e-17", "0.00000000000000001"},
            {"0", "5e-18", "0"},
            {"0", "6e-18", "0.00000000000000001"},
            {"0", "-6e-18", "-0.00000000000000001"},
            {"0", "1e20", "100000000000000000000"},
            {"0", "1e25", "10000000000000000000000000"},
            // 30 digits do not fit in 64 bits: the stored value is the nearest long double.
            {"0", "123456789012345678901234567890", "123456789012345678899921813504"},
            {"0", "0x1.8p3", "12"},
            {"0", "0x.8", "0.5"},
            {"0", "1.", "1"},
            {"0", ".5", "0.5"},
            {"0", "+7", "7"},
            {"-0", "0", "0"},
            {"-0.0", "-0", "0"},
            {"0.1", "-0.1", "0"},
            {"9223372036854775807", "1", "9223372036854775808"},
            {"-9223372036854775808", "-1", "-9223372036854775809"},
            {"0", "0.999999999999999995", "1"},
            {"0", "2.5e-17", "0.00000000000000002"},
            {"0", "1.5e-17", "0.00000000000000002"},
            {"0", "3.999999999999999999999", "4"},
            // Subnormals are accepted and print as zero.
            {"0", "0x1p-16445", "0"},
            {"0", "1e-4950", "0"},
        };
        for (String[] c : cases) {
            assertThat(incr(c[0], c[1])).as("%s + %s", c[0], c[1]).isEqualTo(c[2]);
        }
    }

    @Test
    void printfRoundsTiesToEven() {
        // 2^-18 and 3 * 2^-18 have exactly 18 decimals ending in 5.
        assertThat(incr("0", "0.000003814697265625")).isEqualTo("0.00000381469726562");
        assertThat(incr("0", "0.000011444091796875")).isEqualTo("0.00001144409179688");
    }

    @Test
    void largeValuesPrintEveryIntegerDigit() {
        String sum = incr("1e308", "1e308");
        assertThat(sum).startsWith("199999999999999999993371759311691291321120199694831134415594095989843")
                .endsWith("687857156096").hasSize(309);
        String max = incr("0", "1.18973149535723176502e+4932");
        assertThat(max).startsWith("118973149535723176502126385303097020516906332229462420044032373389173700552297072")
                .endsWith("6811989770240").hasSize(4933);
    }

    @Test
    void rejectsWhatString2ldRejects() {
        String[] bad = {"", " 1", "1 ", "\t1", "1\u0000", "abc", "1e", "1e+", ".e5", ".", "-", "+", "e5", "0x", "0x.",
            "0xp3", "0x1p", "nan", "NaN", "-nan", "nan(123)", "infin", "1_0", "1e4933", "1e5000", "1e-4952", "-1e-5000",
            "1e-99999999999999999999999", "1e-4951", "0x1p16384", "0x1p-16446", "1.18973149535723176508e+4932"};
        for (String s : bad) {
            assertThat(parse(s)).as("'%s'", s).isNull();
        }
        StringBuilder tooLong = new StringBuilder("1");
        tooLong.append("0".repeat(LongDouble.MAX_CHARS - 1));
        assertThat(parse(tooLong.toString())).isNull();
        assertThat(parse(tooLong.substring(1))).as("5119 zeros").isNotNull();
    }

    @Test
    void acceptsEveryStrtoldSpelling() {
        String[] good = {"1", "-1", "+1", "1.", ".5", "-.5e-3", "1.e5", "0e99999999999999999999999", "0x10", "0X1P3",
            "0x1.8P1", "0x.1", "0x1.", "00000.0001", "1.18973149535723176502e+4932", "0x1.fffffffffffffffep16383",
            "0x1p-16445", "0x1.8p-16446", "2e-4951", "3.6451995318824746025e-4951", "-0"};
        for (String s : good) {
            assertThat(parse(s)).as("'%s'", s).isNotNull();
        }
        assertThat(parse("inf").isFinite()).isFalse();
        assertThat(parse("-Infinity").isFinite()).isFalse();
        assertThat(parse("INF").isFinite()).isFalse();
    }

    @Test
    void infinityPropagatesAndOverflowIsNotFinite() {
        assertThat(parse("0").add(parse("+inf")).isFinite()).isFalse();
        assertThat(parse("inf").add(parse("-inf")).isFinite()).isFalse();
        LongDouble max = parse("1.18973149535723176502e+4932");
        assertThat(max.add(max).isFinite()).isFalse();
        assertThat(max.add(parse("1")).isFinite()).isTrue();
    }

    @Test
    void integersAreExact() {
        long[] values = {0, 1, -1, 9999, 10000, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 53, (1L << 53) + 1};
        for (long v : values) {
            assertThat(LongDouble.of(v).toHumanString()).isEqualTo(Long.toString(v));
        }
        assertThat(LongDouble.of(Long.MAX_VALUE).add(LongDouble.of(Long.MAX_VALUE)).toHumanString())
                .isEqualTo("18446744073709551614");
    }

    /**
     * Values with at most 64 significant bits are represented exactly, so their formatted sum
     * must equal the exact decimal sum rounded half-even to 17 places.
     */
    @Test
    void exactSumsOfDyadicValuesMatchBigDecimal() {
        Random r = new Random(42);
        int checked = 0;
        for (int i = 0; i < 2000; i++) {
            long ma = r.nextLong() >> r.nextInt(40);
            long mb = r.nextLong() >> r.nextInt(40);
            int ea = -r.nextInt(60);
            int eb = -r.nextInt(60);
            BigDecimal a = new BigDecimal(ma).divide(new BigDecimal(2).pow(-ea));
            BigDecimal b = new BigDecimal(mb).divide(new BigDecimal(2).pow(-eb));
            LongDouble x = parse(a.toPlainString());
            LongDouble y = parse(b.toPlainString());
            BigDecimal exact = a.add(b);
            String want = exact.setScale(17, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
            if (want.equals("0") || want.equals("-0")) {
                want = "0";
            }
            // Only sums that still fit in 64 significant bits are exact in the long double.
            if (sumIsExact(exact)) {
                assertThat(x.add(y).toHumanString()).as("%s + %s", a, b).isEqualTo(want);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(500);
    }

    private static boolean sumIsExact(BigDecimal exact) {
        // Doubling until the value is an integer n: representable iff n needs at most 64 bits.
        BigDecimal v = exact.abs();
        while (v.stripTrailingZeros().scale() > 0) {
            v = v.multiply(BigDecimal.valueOf(2));
        }
        return v.toBigIntegerExact().bitLength() <= 64;
    }
}
