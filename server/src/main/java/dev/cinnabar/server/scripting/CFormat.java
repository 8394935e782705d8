package dev.cinnabar.server.scripting;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** C's printf("%.Ng") for doubles, as glibc prints them (exact decimal value, round half even). */
final class CFormat {
    private CFormat() {}

    static String g(double d, int precision) {
        if (Double.isNaN(d)) {
            return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        int p = precision == 0 ? 1 : precision;
        if (d == 0) {
            return Double.doubleToRawLongBits(d) < 0 ? "-0" : "0";
        }
        BigDecimal v = new BigDecimal(d).round(new MathContext(p, RoundingMode.HALF_EVEN));
        // Exponent X of the rounded value in d.ddd x 10^X form.
        int x = v.precision() - v.scale() - 1;
        String out;
        if (x < -4 || x >= p) {
            BigDecimal mant = v.movePointLeft(x);
            String m = stripZeros(mant.setScale(p - 1, RoundingMode.UNNECESSARY).abs().toPlainString());
            String e = Integer.toString(Math.abs(x));
            out = m + "e" + (x < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
        } else {
            out = stripZeros(v.setScale(Math.max(0, p - 1 - x), RoundingMode.UNNECESSARY).abs().toPlainString());
        }
        return d < 0 ? "-" + out : out;
    }

    private static String stripZeros(String s) {
        if (s.indexOf('.') < 0) {
            return s;
        }
        int end = s.length();
        while (s.charAt(end - 1) == '0') {
            end--;
        }
        if (s.charAt(end - 1) == '.') {
            end--;
        }
        return s.substring(0, end);
    }
}
