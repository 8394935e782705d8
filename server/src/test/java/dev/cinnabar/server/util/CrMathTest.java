package dev.cinnabar.server.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CrMath against exact values computed with 60-digit decimal arithmetic: correct rounding. */
class CrMathTest {
    private static final MathContext MC = new MathContext(60);

    /** sin or cos by Taylor series at 60 digits (fine for |x| below ~4). */
    private static BigDecimal series(BigDecimal x, boolean sine) {
        BigDecimal x2 = x.multiply(x, MC);
        BigDecimal term = sine ? x : BigDecimal.ONE;
        BigDecimal sum = term;
        for (int k = sine ? 2 : 1; k < 120; k++) {
            int a = sine ? 2 * k - 2 : 2 * k - 1;
            int b = sine ? 2 * k - 1 : 2 * k;
            term = term.multiply(x2, MC).divide(BigDecimal.valueOf((long) a * b), MC).negate();
            sum = sum.add(term, MC);
            if (term.abs().compareTo(new BigDecimal("1e-70")) < 0) {
                break;
            }
        }
        return sum;
    }

    private static double exactSin(double x) {
        return series(new BigDecimal(x), true).doubleValue();
    }

    private static double exactCos(double x) {
        return series(new BigDecimal(x), false).doubleValue();
    }

    /** asin by Newton's method on the 60-digit sine. */
    private static double exactAsin(double x) {
        BigDecimal bx = new BigDecimal(x);
        BigDecimal t = new BigDecimal(Math.asin(x));
        for (int i = 0; i < 6; i++) {
            BigDecimal c = series(t, false);
            if (c.signum() == 0) {
                break;
            }
            t = t.subtract(series(t, true).subtract(bx, MC).divide(c, MC), MC);
        }
        return t.doubleValue();
    }

    @Test
    void sinAndCosAreCorrectlyRounded() {
        Random r = new Random(1);
        for (int i = 0; i < 1500; i++) {
            double x = switch (i % 4) {
                case 0 -> (r.nextDouble() - 0.5) * 2 * Math.PI;
                case 1 -> (r.nextDouble() - 0.5) * 0.2;
                case 2 -> Math.scalb(r.nextDouble(), -r.nextInt(30));
                default -> (r.nextDouble() - 0.5) * 3.2;
            };
            assertThat(CrMath.sin(x)).as("sin %s", x).isEqualTo(exactSin(x));
            assertThat(CrMath.cos(x)).as("cos %s", x).isEqualTo(exactCos(x));
        }
        assertThat(CrMath.sin(0.0)).isEqualTo(0.0);
        assertThat(Double.doubleToRawLongBits(CrMath.sin(-0.0))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(CrMath.cos(0.0)).isEqualTo(1.0);
        assertThat(CrMath.sin(Double.NaN)).isNaN();
    }

    @Test
    void asinIsCorrectlyRounded() {
        Random r = new Random(2);
        for (int i = 0; i < 400; i++) {
            double x = switch (i % 3) {
                case 0 -> r.nextDouble();
                case 1 -> 1 - Math.scalb(r.nextDouble(), -r.nextInt(40));
                default -> -r.nextDouble() * 0.5;
            };
            assertThat(CrMath.asin(x)).as("asin %s", x).isEqualTo(exactAsin(x));
        }
        assertThat(CrMath.asin(1.0)).isEqualTo(Math.PI / 2);
        assertThat(CrMath.asin(-1.0)).isEqualTo(-Math.PI / 2);
        assertThat(CrMath.asin(1.0000000000000002)).isNaN();
    }
}
