package dev.cinnabar.server.util;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Correctly rounded sin, cos and asin: the double nearest to the exact result.
 *
 * <p>Why: Redis's geo distances come from glibc's sin, cos and asin, which are correctly
 * rounded except when the exact result lies within a hair of a rounding midpoint; Java's
 * {@link Math} versions are up to one unit in the last place off much more often (Math.asin in
 * a few percent of cases). Computed with correct rounding, a haversine distance equals Redis's
 * bit for bit about 99.8% of the time instead of about 96%, which is what GEOSEARCHSTORE
 * STOREDIST scores show (printed distances have only 4 decimals and agree either way).
 *
 * <p>Each function evaluates the result to about 100 bits in double-double arithmetic (a value
 * as the unevaluated sum hi + lo of two doubles) and rounds once. An instance holds the
 * scratch of one computation (the low part of double-double results), so a caller on a hot
 * path keeps one and allocates nothing; the static methods use a fresh one. Arguments beyond
 * {@link #REDUCE_LIMIT} radians fall back to {@link Math} (only absurd search radii produce
 * them, where the result does not matter).
 */
public final class CrMath {
    /** Largest |x| reduced modulo pi/2 here; the three-part pi/2 keeps it exact enough up to it. */
    static final double REDUCE_LIMIT = 1 << 16;

    private static final double[] PIO2 = split(new BigDecimal(
            "1.57079632679489661923132169163975144209858469968755291048747229615390820314310449931401741267105853"), 3);
    private static final double PIO2_HI = PIO2[0];
    private static final double PIO2_MID = PIO2[1];
    private static final double PIO2_LO = PIO2[2];

    /** 1/k! for k = 0..29 as double-double pairs: INV_FACT_HI[k] + INV_FACT_LO[k]. */
    private static final double[] INV_FACT_HI = new double[30];
    private static final double[] INV_FACT_LO = new double[30];

    static {
        BigDecimal f = BigDecimal.ONE;
        MathContext mc = new MathContext(60);
        for (int k = 0; k < 30; k++) {
            if (k > 0) {
                f = f.multiply(BigDecimal.valueOf(k));
            }
            double[] p = split(BigDecimal.ONE.divide(f, mc), 2);
            INV_FACT_HI[k] = p[0];
            INV_FACT_LO[k] = p[1];
        }
    }

    /** The first {@code n} terms of the greedy double expansion of a decimal constant. */
    private static double[] split(BigDecimal v, int n) {
        double[] out = new double[n];
        BigDecimal rest = v;
        for (int i = 0; i < n; i++) {
            out[i] = rest.doubleValue();
            rest = rest.subtract(new BigDecimal(out[i]));
        }
        return out;
    }

    /** Low part of the last double-double result (its high part is the return value). */
    private double lo;

    // ---- convenience ------------------------------------------------------------------------------

    public static double sin(double x) {
        return new CrMath().sine(x);
    }

    public static double cos(double x) {
        return new CrMath().cosine(x);
    }

    public static double asin(double x) {
        return new CrMath().arcsine(x);
    }

    // ---- double-double primitives: return hi, leave lo in this.lo ----------------------------------

    /** (ah + al) * (bh + bl). */
    private double mul(double ah, double al, double bh, double bl) {
        double p = ah * bh;
        double e = Math.fma(ah, bh, -p) + (ah * bl + al * bh);
        double s = p + e;
        lo = e - (s - p);
        return s;
    }

    /** (ah + al) + (bh + bl). */
    private double add(double ah, double al, double bh, double bl) {
        double s = ah + bh;
        double bb = s - ah;
        double e = (ah - (s - bb)) + (bh - bb) + (al + bl);
        double r = s + e;
        lo = e - (r - s);
        return r;
    }

    // ---- sin / cos ----------------------------------------------------------------------------------

    /** Correctly rounded sine. */
    public double sine(double x) {
        double ax = Math.abs(x);
        if (ax < 0x1p-26) {
            // Includes 0 and -0: the cubic term is below half an ulp, the result is x.
            return x;
        }
        if (!(ax <= REDUCE_LIMIT)) {
            return Math.sin(x); // NaN, infinities, absurd arguments
        }
        int q = reduce(x);
        return quadrant(q, reduced, lo);
    }

    /** Correctly rounded cosine. */
    public double cosine(double x) {
        double ax = Math.abs(x);
        if (ax < 0x1p-27) {
            return 1.0; // 1 - x^2/2 is within half an ulp below 1
        }
        if (!(ax <= REDUCE_LIMIT)) {
            return Math.cos(x);
        }
        int q = reduce(x);
        return quadrant(q + 1, reduced, lo);
    }

    private double reduced;

    /** x = k * pi/2 + r, |r| <= ~pi/4: r's high part in {@link #reduced}, low in lo; returns k mod 4. */
    private int reduce(double x) {
        double k = Math.rint(x / PIO2_HI);
        if (k == 0) {
            reduced = x;
            lo = 0;
            return 0;
        }
        // x - k*p0 - k*p1 - k*p2 with each product exact as a double-double.
        double h = x;
        double l = 0;
        double ph = -k * PIO2_HI;
        h = add(h, l, ph, Math.fma(-k, PIO2_HI, -ph));
        l = lo;
        ph = -k * PIO2_MID;
        h = add(h, l, ph, Math.fma(-k, PIO2_MID, -ph));
        l = lo;
        ph = -k * PIO2_LO;
        h = add(h, l, ph, Math.fma(-k, PIO2_LO, -ph));
        reduced = h;
        return (int) ((long) k & 3);
    }

    /** sin(r + q * pi/2), rounded, for the reduced argument r = rh + rl. */
    private double quadrant(int q, double rh, double rl) {
        double h = (q & 1) == 0 ? sinKernel(rh, rl) : cosKernel(rh, rl);
        double r = h + lo;
        return (q & 2) == 0 ? r : -r;
    }

    // The kernels sum the Taylor series in double-double from the 1/9! (sin) or 1/8! (cos)
    // coefficient down, the smaller terms before it in plain double: for |x| <= pi/4 those
    // are under 2^-26 of the result, so their rounding errors stay below 2^-80 of it.

    /** 1/11! - y/13! + y^2/15! - ... (y = x^2), the plain double part of the sine series. */
    private static double sinRest(double y) {
        double t = INV_FACT_HI[23];
        t = INV_FACT_HI[21] - y * t;
        t = INV_FACT_HI[19] - y * t;
        t = INV_FACT_HI[17] - y * t;
        t = INV_FACT_HI[15] - y * t;
        t = INV_FACT_HI[13] - y * t;
        return INV_FACT_HI[11] - y * t;
    }

    /** 1/10! - y/12! + y^2/14! - ..., the plain double part of the cosine series. */
    private static double cosRest(double y) {
        double t = INV_FACT_HI[22];
        t = INV_FACT_HI[20] - y * t;
        t = INV_FACT_HI[18] - y * t;
        t = INV_FACT_HI[16] - y * t;
        t = INV_FACT_HI[14] - y * t;
        t = INV_FACT_HI[12] - y * t;
        return INV_FACT_HI[10] - y * t;
    }

    /** sin of |x| <= ~pi/4 (double-double). */
    private double sinKernel(double xh, double xl) {
        double yh = mul(xh, xl, xh, xl);
        double yl = lo;
        // sin x / x = 1/1! - y (1/3! - y (1/5! - y (1/7! - y (1/9! - y * rest)))).
        double ah = add(INV_FACT_HI[9], INV_FACT_LO[9], -yh * sinRest(yh), 0);
        double al = lo;
        for (int k = 7; k >= 1; k -= 2) {
            double th = mul(ah, al, yh, yl);
            ah = add(INV_FACT_HI[k], INV_FACT_LO[k], -th, -lo);
            al = lo;
        }
        return mul(ah, al, xh, xl);
    }

    /** cos of |x| <= ~pi/4 (double-double). */
    private double cosKernel(double xh, double xl) {
        double yh = mul(xh, xl, xh, xl);
        double yl = lo;
        double ah = add(INV_FACT_HI[8], INV_FACT_LO[8], -yh * cosRest(yh), 0);
        double al = lo;
        for (int k = 6; k >= 0; k -= 2) {
            double th = mul(ah, al, yh, yl);
            ah = add(INV_FACT_HI[k], INV_FACT_LO[k], -th, -lo);
            al = lo;
        }
        lo = al;
        return ah;
    }

    // ---- asin ---------------------------------------------------------------------------------------

    /** Correctly rounded arcsine. */
    public double arcsine(double x) {
        if (!(x >= -1 && x <= 1)) {
            return Double.NaN;
        }
        double ax = Math.abs(x);
        if (ax < 0x1p-26) {
            return x; // the cubic term is below half an ulp
        }
        double r;
        if (ax <= 0.5) {
            double h = asinSmall(ax, 0);
            r = h + lo;
        } else {
            // asin x = pi/2 - 2 asin(sqrt((1 - x) / 2)); 1 - x and the halving are exact here.
            double w = (1 - ax) / 2;
            double s = Math.sqrt(w);
            double sl = s == 0 ? 0 : Math.fma(-s, s, w) / (2 * s);
            double h = asinSmall(s, sl);
            double hl = lo;
            h = add(PIO2_HI, PIO2_MID, -2 * h, -2 * hl);
            r = h + lo;
        }
        return x < 0 ? -r : r;
    }

    /** asin of 0 <= y <= 0.5 (double-double): one Newton step on sin from the double estimate. */
    private double asinSmall(double yh, double yl) {
        double t0 = Math.asin(yh + yl);
        if (t0 == 0) {
            lo = yl;
            return yh;
        }
        double sh = sinKernel(t0, 0);
        double dh = add(sh, lo, -yh, -yl);
        double corr = -(dh + lo) / Math.cos(t0);
        double s = t0 + corr;
        double bb = s - t0;
        lo = (t0 - (s - bb)) + (corr - bb);
        return s;
    }
}
