package dev.cinnabar.resp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Doubles as Redis 7.2 reads and prints them, byte for byte.
 *
 * <h2>Printing</h2>
 * {@link #d2string} is Redis's d2string (every score reply, RESP2 and RESP3): "nan", "inf",
 * "-inf", "0", "-0", integers within +-2^62 in plain decimal, and everything else in the form
 * Redis's bundled fpconv_dtoa produces ({@link #fpconv}). fpconv is Florian Loitsch's Grisu2:
 * digits from a 64-bit approximation of the value scaled by a cached power of ten, which gives
 * a string that reads back as the same double and is nearly always the shortest such string
 * (not always: Grisu2 without a fallback sometimes emits a longer or non-closest digit string).
 * Java's own shortest-digit algorithm would differ on exactly those values, so this class
 * implements Grisu2 step by step as Redis runs it, down to the rounding of the 64x64-bit
 * multiply and the digit "weeding" loop. The layout rules then pick plain digits, a decimal
 * point, or "d.ddde+XX" scientific form.
 *
 * <p>{@link #formatG17} is C's {@code printf("%.17g")}, which Redis 7.2 still uses for the
 * scores ZSCAN returns from skiplist-encoded sorted sets (ld2string in LD_STR_AUTO mode).
 *
 * <h2>Parsing</h2>
 * {@link #parse} is Redis's string2d (ZADD scores, WEIGHTS...): glibc strtod over the whole
 * string, no leading space, no NaN, and no overflow or underflow to zero.
 * {@link #parseRangeBound} is the plain strtod Redis uses for ZRANGEBYSCORE bounds: leading
 * space allowed, the number may end at a NUL byte, the empty string is 0, overflow gives
 * infinity; only NaN and trailing garbage are rejected. Both return NaN for invalid input (a
 * valid score is never NaN). Both accept what glibc accepts: decimal and hexadecimal forms,
 * "inf"/"infinity" in any case; correct rounding comes from the JDK's parser, with an exact
 * fast path for short decimals so that common scores parse without allocating.
 */
public final class Doubles {
    private Doubles() {}

    /** Room every formatting method of this class may use from its offset. */
    public static final int MAX_CHARS = 32;

    private static final byte[] NAN = Ascii.bytes("nan");
    private static final byte[] INF = Ascii.bytes("inf");
    private static final byte[] NEG_INF = Ascii.bytes("-inf");

    /** Largest magnitude printed as a plain integer (Redis double2ll: LLONG_MAX/2 as a double). */
    private static final double LL_LIMIT = (double) (Long.MAX_VALUE / 2);

    // ---- d2string --------------------------------------------------------------------------

    /**
     * Redis d2string: writes the text of {@code v} at {@code out[off]} (at most
     * {@link #MAX_CHARS} bytes) and returns its length.
     */
    public static int d2string(double v, byte[] out, int off) {
        if (Double.isNaN(v)) {
            return put(NAN, out, off);
        }
        if (Double.isInfinite(v)) {
            return put(v > 0 ? INF : NEG_INF, out, off);
        }
        if (v == 0) {
            if (Double.doubleToRawLongBits(v) < 0) {
                out[off] = '-';
                out[off + 1] = '0';
                return 2;
            }
            out[off] = '0';
            return 1;
        }
        if (v >= -LL_LIMIT && v <= LL_LIMIT) {
            long l = (long) v;
            if (l == v) {
                return Ascii.putLong(out, off, l);
            }
        }
        return fpconv(v, out, off);
    }

    /** {@link #d2string} into a new array (tests, cold paths). */
    public static byte[] d2string(double v) {
        byte[] b = new byte[MAX_CHARS];
        int n = d2string(v, b, 0);
        return java.util.Arrays.copyOf(b, n);
    }

    public static String toString(double v) {
        return new String(d2string(v), StandardCharsets.ISO_8859_1);
    }

    private static int put(byte[] text, byte[] out, int off) {
        System.arraycopy(text, 0, out, off, text.length);
        return text.length;
    }

    // ---- fpconv (Grisu2) ---------------------------------------------------------------------

    private static final long FRAC_MASK = 0x000FFFFFFFFFFFFFL;
    private static final long HIDDEN_BIT = 0x0010000000000000L;

    /** The cached powers of ten Grisu scales by: 10^k for k = -348, -340, ..., 340. */
    private static final int POWERS = 87;
    private static final int FIRST_POWER = -348;
    private static final int POWER_STEP = 8;
    /** 10^k as frac * 2^exp, frac a 64-bit significand with its top bit set, rounded to nearest. */
    static final long[] POW_FRAC = new long[POWERS];
    static final int[] POW_EXP = new int[POWERS];

    /** 10^19 down to 10^0 (10^19 does not fit a signed long: it is stored as its bit pattern). */
    private static final long[] TENS = new long[20];

    static {
        BigInteger ten = BigInteger.TEN;
        for (int i = 0; i < 20; i++) {
            TENS[i] = ten.pow(19 - i).longValue();
        }
        for (int i = 0; i < POWERS; i++) {
            int k = FIRST_POWER + i * POWER_STEP;
            BigInteger frac;
            int exp;
            if (k >= 0) {
                BigInteger n = ten.pow(k);
                int extra = n.bitLength() - 64;
                if (extra <= 0) {
                    frac = n.shiftLeft(-extra);
                    exp = extra;
                } else {
                    frac = roundedShift(n, extra);
                    exp = extra;
                }
            } else {
                // 10^k = 2^-s / 10^-k: take s so that the quotient has exactly 64 bits.
                BigInteger d = ten.pow(-k);
                int s = 63 + d.bitLength();
                BigInteger[] qr = BigInteger.ONE.shiftLeft(s).divideAndRemainder(d);
                if (qr[0].bitLength() > 64) {
                    s--;
                    qr = BigInteger.ONE.shiftLeft(s).divideAndRemainder(d);
                } else if (qr[0].bitLength() < 64) {
                    s++;
                    qr = BigInteger.ONE.shiftLeft(s).divideAndRemainder(d);
                }
                frac = qr[1].shiftLeft(1).compareTo(d) >= 0 ? qr[0].add(BigInteger.ONE) : qr[0];
                exp = -s;
            }
            if (frac.bitLength() > 64) { // rounding carried into a 65th bit
                frac = frac.shiftRight(1);
                exp++;
            }
            POW_FRAC[i] = frac.longValue();
            POW_EXP[i] = exp;
        }
    }

    private static BigInteger roundedShift(BigInteger n, int bits) {
        BigInteger q = n.shiftRight(bits);
        return n.testBit(bits - 1) ? q.add(BigInteger.ONE) : q;
    }

    /**
     * Redis fpconv_dtoa: writes the Grisu2 text of {@code v} (any double; zero is "0" or "-0",
     * non-finite values "inf"/"nan" with a '-' when the sign bit is set) and returns its length.
     */
    public static int fpconv(double v, byte[] out, int off) {
        long bits = Double.doubleToRawLongBits(v);
        int p = off;
        boolean neg = bits < 0;
        if (neg) {
            out[p++] = '-';
        }
        if (v == 0) {
            out[p] = '0';
            return p + 1 - off;
        }
        if (((bits >>> 52) & 0x7FF) == 0x7FF) {
            return p - off + put((bits & FRAC_MASK) != 0 ? NAN : INF, out, p);
        }
        long r = grisu2(bits, out, p);
        int k = (int) (r >> 32);
        int n = (int) r;
        return p - off + layout(out, p, n, k, neg);
    }

    /**
     * Grisu2 digit generation: writes the decimal digits of the value at {@code out[at]} and
     * returns {@code (K << 32) | ndigits} where the value is digits * 10^K.
     */
    private static long grisu2(long bits, byte[] out, int at) {
        long frac = bits & FRAC_MASK;
        int biased = (int) ((bits >>> 52) & 0x7FF);
        int exp;
        if (biased != 0) {
            frac += HIDDEN_BIT;
            exp = biased - 1075;
        } else {
            exp = -1074; // subnormal
        }

        // Upper boundary (midpoint to the next double), normalised so bit 63 is set.
        long upF = (frac << 1) + 1;
        int upE = exp - 1;
        while ((upF & (HIDDEN_BIT << 1)) == 0) {
            upF <<= 1;
            upE--;
        }
        upF <<= 10;
        upE -= 10;
        // Lower boundary: closer when the value is a power of two (the gap below halves).
        int lShift = frac == HIDDEN_BIT ? 2 : 1;
        long loF = (frac << lShift) - 1;
        int loE = exp - lShift;
        loF <<= loE - upE;

        // The value itself, normalised.
        long wF = frac;
        int wE = exp;
        while ((wF & HIDDEN_BIT) == 0) {
            wF <<= 1;
            wE--;
        }
        wF <<= 11;
        wE -= 11;

        // A cached power of ten that brings the upper boundary's exponent into [-60, -32].
        int approx = (int) (-(upE + POWERS) * 0.30102999566398114);
        int idx = (approx - FIRST_POWER) / POWER_STEP;
        while (true) {
            int scaled = upE + POW_EXP[idx] + 64;
            if (scaled < -60) {
                idx++;
            } else if (scaled > -32) {
                idx--;
            } else {
                break;
            }
        }
        int k = -(FIRST_POWER + idx * POWER_STEP);
        long cF = POW_FRAC[idx];
        int cE = POW_EXP[idx];

        wF = mulHiRounded(wF, cF);
        upF = mulHiRounded(upF, cF);
        upE = upE + cE + 64;
        loF = mulHiRounded(loF, cF);
        // Shrink the interval by one unit on each side: the products are inexact.
        loF++;
        upF--;

        long wGap = upF - wF;
        long delta = upF - loF;
        int shift = -upE;
        long one = 1L << shift;
        long part1 = upF >>> shift; // integral part, below 2^32
        long part2 = upF & (one - 1);

        int n = 0;
        int kappa = 10;
        for (int t = 10; kappa > 0; t++) {
            long div = TENS[t];
            long digit = part1 / div;
            if (digit != 0 || n != 0) {
                out[at + n++] = (byte) ('0' + digit);
            }
            part1 -= digit * div;
            kappa--;
            long rest = (part1 << shift) + part2;
            if (Long.compareUnsigned(rest, delta) <= 0) {
                k += kappa;
                weed(out, at + n - 1, delta, rest, div << shift, wGap);
                return ((long) k << 32) | n;
            }
        }
        int unit = 18; // TENS[18] = 10
        while (true) {
            part2 *= 10;
            delta *= 10;
            kappa--;
            long digit = part2 >>> shift;
            if (digit != 0 || n != 0) {
                out[at + n++] = (byte) ('0' + digit);
            }
            part2 &= one - 1;
            if (Long.compareUnsigned(part2, delta) < 0) {
                k += kappa;
                weed(out, at + n - 1, delta, part2, one, wGap * TENS[unit]);
                return ((long) k << 32) | n;
            }
            unit--;
        }
    }

    /**
     * Moves the last digit down while that brings the digits closer to the value and stays
     * inside the boundaries (all quantities unsigned 64-bit, as in the C original).
     */
    private static void weed(byte[] out, int last, long delta, long rem, long kappa, long frac) {
        while (Long.compareUnsigned(rem, frac) < 0
                && Long.compareUnsigned(delta - rem, kappa) >= 0
                && (Long.compareUnsigned(rem + kappa, frac) < 0
                    || Long.compareUnsigned(frac - rem, rem + kappa - frac) > 0)) {
            out[last]--;
            rem += kappa;
        }
    }

    /** High 64 bits of the 128-bit product, rounded half up on bit 63 of the low half. */
    private static long mulHiRounded(long a, long b) {
        long lo = 0xFFFFFFFFL;
        long ahBl = (a >>> 32) * (b & lo);
        long alBh = (a & lo) * (b >>> 32);
        long alBl = (a & lo) * (b & lo);
        long ahBh = (a >>> 32) * (b >>> 32);
        long mid = (ahBl & lo) + (alBh & lo) + (alBl >>> 32) + (1L << 31);
        return ahBh + (ahBl >>> 32) + (alBh >>> 32) + (mid >>> 32);
    }

    /**
     * Lays out {@code n} digits found at {@code out[at]} that stand for digits * 10^k, in
     * place: plain integer, decimal, or scientific notation. Returns the length.
     */
    private static int layout(byte[] out, int at, int n, int k, boolean neg) {
        int e10 = Math.abs(k + n - 1);
        if (k >= 0 && e10 < n + 7) {
            for (int i = 0; i < k; i++) {
                out[at + n + i] = '0';
            }
            return n + k;
        }
        if (k < 0 && (k > -7 || e10 < 4)) {
            int intDigits = n + k;
            if (intDigits <= 0) {
                int zeros = -intDigits;
                System.arraycopy(out, at, out, at + 2 + zeros, n);
                out[at] = '0';
                out[at + 1] = '.';
                for (int i = 0; i < zeros; i++) {
                    out[at + 2 + i] = '0';
                }
                return n + 2 + zeros;
            }
            System.arraycopy(out, at + intDigits, out, at + intDigits + 1, n - intDigits);
            out[at + intDigits] = '.';
            return n + 1;
        }
        int nd = Math.min(n, 18 - (neg ? 1 : 0));
        int p = at + 1;
        if (nd > 1) {
            System.arraycopy(out, at + 1, out, at + 2, nd - 1);
            out[at + 1] = '.';
            p = at + 1 + nd;
        }
        out[p++] = 'e';
        out[p++] = (byte) (k + nd - 1 < 0 ? '-' : '+');
        int hundreds = 0;
        if (e10 > 99) {
            hundreds = e10 / 100;
            out[p++] = (byte) ('0' + hundreds);
            e10 -= hundreds * 100;
        }
        if (e10 > 9) {
            int tens = e10 / 10;
            out[p++] = (byte) ('0' + tens);
            e10 -= tens * 10;
        } else if (hundreds != 0) {
            out[p++] = '0';
        }
        out[p++] = (byte) ('0' + e10 % 10);
        return p - at;
    }

    // ---- %.17g ---------------------------------------------------------------------------------

    private static final MathContext SEVENTEEN = new MathContext(17, RoundingMode.HALF_EVEN);

    /**
     * C's {@code "%.17g"} of a double (glibc: exact decimal expansion rounded half-even to 17
     * significant digits, trailing zeros removed), with Redis's "inf"/"-inf"/"nan" words.
     * Allocates; used by ZSCAN only.
     */
    public static int formatG17(double v, byte[] out, int off) {
        if (Double.isNaN(v)) {
            return put(NAN, out, off);
        }
        if (Double.isInfinite(v)) {
            return put(v > 0 ? INF : NEG_INF, out, off);
        }
        int p = off;
        if (Double.doubleToRawLongBits(v) < 0) {
            out[p++] = '-';
        }
        if (v == 0) {
            out[p++] = '0';
            return p - off;
        }
        BigDecimal d = new BigDecimal(Math.abs(v)).round(SEVENTEEN);
        String digits = d.unscaledValue().toString();
        int exp10 = digits.length() - 1 - d.scale();
        int sig = digits.length();
        while (sig > 1 && digits.charAt(sig - 1) == '0') {
            sig--;
        }
        if (exp10 < -4 || exp10 >= 17) {
            out[p++] = (byte) digits.charAt(0);
            if (sig > 1) {
                out[p++] = '.';
                for (int i = 1; i < sig; i++) {
                    out[p++] = (byte) digits.charAt(i);
                }
            }
            out[p++] = 'e';
            out[p++] = (byte) (exp10 < 0 ? '-' : '+');
            int e = Math.abs(exp10);
            if (e < 10) {
                out[p++] = '0';
            }
            p += Ascii.putLong(out, p, e);
            return p - off;
        }
        if (exp10 < 0) {
            out[p++] = '0';
            out[p++] = '.';
            for (int i = -1; i > exp10; i--) {
                out[p++] = '0';
            }
            for (int i = 0; i < sig; i++) {
                out[p++] = (byte) digits.charAt(i);
            }
            return p - off;
        }
        for (int i = 0; i <= exp10; i++) {
            out[p++] = i < digits.length() ? (byte) digits.charAt(i) : (byte) '0';
        }
        if (sig > exp10 + 1) {
            out[p++] = '.';
            for (int i = exp10 + 1; i < sig; i++) {
                out[p++] = (byte) digits.charAt(i);
            }
        }
        return p - off;
    }

    // ---- parsing ------------------------------------------------------------------------------

    /**
     * Redis string2d: the whole of {@code b[off, off+len)} must be a number glibc's strtod
     * accepts, with no leading white space, that is not NaN and neither overflows nor
     * underflows to zero. Returns the value, or NaN when invalid.
     */
    public static double parse(byte[] b, int off, int len) {
        if (len == 0 || isSpace(b[off])) {
            return Double.NaN;
        }
        int end = off + len;
        if (scan(b, off, end) != end) {
            return Double.NaN;
        }
        return convert(b, off, end, true);
    }

    /**
     * What Redis's score range parser accepts: strtod over the C string (up to the first NUL
     * byte), leading white space skipped, the number must reach the end of that string; an
     * empty string is 0. Overflow gives infinity. Returns the value, or NaN when invalid.
     */
    public static double parseRangeBound(byte[] b, int off, int len) {
        long span = cStringNumber(b, off, len);
        if (span < 0) {
            return span == EMPTY_C_STRING ? 0.0 : Double.NaN;
        }
        return convert(b, (int) (span >>> 32), (int) span, false);
    }

    /**
     * What SORT accepts as a weight: strtod over the C string (up to the first NUL byte),
     * leading white space skipped, the number must reach the end of that string (an empty
     * string is 0). Rejected (NaN returned): NaN itself, trailing garbage, and every result
     * glibc flags with ERANGE, since SORT checks errno: overflow, underflow to zero, and an
     * inexact subnormal result.
     */
    public static double parseSortWeight(byte[] b, int off, int len) {
        long span = cStringNumber(b, off, len);
        if (span < 0) {
            return span == EMPTY_C_STRING ? 0.0 : Double.NaN;
        }
        int i = (int) (span >>> 32);
        int stop = (int) span;
        double v = convert(b, i, stop, true);
        if (v != 0 && Math.abs(v) < Double.MIN_NORMAL && !Double.isNaN(v) && !exactly(b, i, stop, v)) {
            return Double.NaN; // glibc reports a rounded subnormal as an underflow
        }
        return v;
    }

    /** {@link #cStringNumber}'s answer for an empty C string, where strtod converts nothing. */
    private static final long EMPTY_C_STRING = -2;

    /**
     * Where strtod finds a number in the C string (up to the first NUL byte) of
     * {@code b[off, off+len)}, leading white space skipped, when that number reaches the end of
     * the C string: its start and end packed as {@code start << 32 | end}. Otherwise
     * {@link #EMPTY_C_STRING} for an empty string, or -1.
     */
    private static long cStringNumber(byte[] b, int off, int len) {
        int cEnd = off;
        int end = off + len;
        while (cEnd < end && b[cEnd] != 0) {
            cEnd++;
        }
        int i = off;
        while (i < cEnd && isSpace(b[i])) {
            i++;
        }
        int stop = scan(b, i, cEnd);
        if (stop == i) {
            // No conversion: strtod points back at the start, valid only for an empty string.
            return cEnd == off ? EMPTY_C_STRING : -1;
        }
        if (stop != cEnd) {
            return -1;
        }
        return (long) i << 32 | stop;
    }

    /** Whether the finite number text {@code b[s, e)} equals {@code v} exactly (rare path). */
    private static boolean exactly(byte[] b, int s, int e, double v) {
        boolean neg = b[s] == '-';
        int p = b[s] == '-' || b[s] == '+' ? s + 1 : s;
        BigDecimal exact;
        if (b[p] == '0' && p + 1 < e && (b[p + 1] | 0x20) == 'x') {
            StringBuilder digits = new StringBuilder();
            int fracDigits = 0;
            boolean fraction = false;
            int i = p + 2;
            for (; i < e && (b[i] | 0x20) != 'p'; i++) {
                if (b[i] == '.') {
                    fraction = true;
                } else {
                    digits.append((char) b[i]);
                    if (fraction) {
                        fracDigits++;
                    }
                }
            }
            long exp = i < e ? Long.parseLong(new String(b, i + 1, e - i - 1, StandardCharsets.ISO_8859_1)) : 0;
            long e2 = exp - 4L * fracDigits;
            BigInteger m = new BigInteger(digits.toString(), 16);
            if (e2 >= 0) {
                exact = new BigDecimal(m.shiftLeft((int) Math.min(e2, 1 << 20)));
            } else {
                int k = (int) Math.min(-e2, 1 << 20);
                exact = new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(k)), k);
            }
        } else {
            exact = new BigDecimal(new String(b, p, e - p, StandardCharsets.ISO_8859_1));
        }
        return exact.compareTo(new BigDecimal(Math.abs(v))) == 0 && neg == (v < 0);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(byte c) {
        return isDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
    }

    private static boolean startsWithIgnoreCase(byte[] b, int i, int end, String word) {
        if (end - i < word.length()) {
            return false;
        }
        for (int j = 0; j < word.length(); j++) {
            if ((b[i + j] | 0x20) != word.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The end of the longest prefix of {@code b[i, end)} that strtod converts (no white space
     * skipping), or {@code i} when it converts nothing.
     */
    static int scan(byte[] b, int i, int end) {
        int p = i;
        if (p < end && (b[p] == '+' || b[p] == '-')) {
            p++;
        }
        if (startsWithIgnoreCase(b, p, end, "inf")) {
            p += 3;
            return startsWithIgnoreCase(b, p, end, "inity") ? p + 5 : p;
        }
        if (startsWithIgnoreCase(b, p, end, "nan")) {
            p += 3;
            if (p < end && b[p] == '(') {
                int q = p + 1;
                while (q < end && (isDigit(b[q]) || ((b[q] | 0x20) >= 'a' && (b[q] | 0x20) <= 'z') || b[q] == '_')) {
                    q++;
                }
                if (q < end && b[q] == ')') {
                    p = q + 1;
                }
            }
            return p;
        }
        if (p + 1 < end && b[p] == '0' && (b[p + 1] | 0x20) == 'x') {
            int q = digitsEnd(b, p + 2, end, true);
            return q < 0 ? p + 1 : exponent(b, q, end, 'p'); // no hex digit: just the "0"
        }
        int q = digitsEnd(b, p, end, false);
        return q < 0 ? i : exponent(b, q, end, 'e');
    }

    /**
     * Where the digits of a mantissa, "digits[.digits]" (hex digits with {@code hex}), starting
     * at {@code q} end; -1 when there is no digit at all.
     */
    private static int digitsEnd(byte[] b, int q, int end, boolean hex) {
        int digits = 0;
        while (q < end && (hex ? isHex(b[q]) : isDigit(b[q]))) {
            q++;
            digits++;
        }
        if (q < end && b[q] == '.') {
            q++;
            while (q < end && (hex ? isHex(b[q]) : isDigit(b[q]))) {
                q++;
                digits++;
            }
        }
        return digits == 0 ? -1 : q;
    }

    /** Consumes an exponent part introduced by {@code letter} if it has at least one digit. */
    private static int exponent(byte[] b, int q, int end, char letter) {
        if (q < end && (b[q] | 0x20) == letter) {
            int r = q + 1;
            if (r < end && (b[r] == '+' || b[r] == '-')) {
                r++;
            }
            if (r < end && isDigit(b[r])) {
                while (r < end && isDigit(b[r])) {
                    r++;
                }
                return r;
            }
        }
        return q;
    }

    private static final double[] EXACT_POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };

    /**
     * The value of a span {@link #scan} accepted. With {@code rangeChecked}, an overflow to
     * infinity or an underflow to zero (strtod's ERANGE) gives NaN, as string2d rejects it.
     */
    private static double convert(byte[] b, int s, int e, boolean rangeChecked) {
        boolean neg = b[s] == '-';
        int p = b[s] == '-' || b[s] == '+' ? s + 1 : s;
        byte c = b[p];
        if ((c | 0x20) == 'i') {
            return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if ((c | 0x20) == 'n') {
            return Double.NaN;
        }
        double v;
        boolean nonZeroDigit;
        if (c == '0' && p + 1 < e && (b[p + 1] | 0x20) == 'x') {
            nonZeroDigit = false;
            for (int i = p + 2; i < e && (b[i] | 0x20) != 'p'; i++) {
                if (b[i] != '0' && b[i] != '.') {
                    nonZeroDigit = true;
                }
            }
            v = parseHex(b, p, e);
        } else {
            // Fast path: up to 18 significant digits and a power of ten Java holds exactly,
            // so one IEEE multiply or divide gives the correctly rounded result.
            long m = 0;
            int sig = 0;
            int scale = 0;
            boolean fraction = false;
            boolean exact = true;
            nonZeroDigit = false;
            int i = p;
            for (; i < e; i++) {
                byte d = b[i];
                if (d == '.') {
                    fraction = true;
                    continue;
                }
                if (!isDigit(d)) {
                    break;
                }
                if (d != '0') {
                    nonZeroDigit = true;
                }
                if (sig == 0 && d == '0') {
                    if (fraction) {
                        scale--;
                    }
                    continue;
                }
                if (sig < 18) {
                    m = m * 10 + (d - '0');
                    sig++;
                    if (fraction) {
                        scale--;
                    }
                } else {
                    exact = false;
                    break;
                }
            }
            long exp = exact && i < e ? exponentValue(b, i + 1, e) : 0;
            long e10 = exp + scale;
            if (exact && m == 0) {
                v = 0.0;
            } else if (exact && m <= (1L << 53) && e10 >= -22 && e10 <= 22) {
                v = e10 >= 0 ? m * EXACT_POW10[(int) e10] : m / EXACT_POW10[(int) -e10];
            } else {
                v = Double.parseDouble(new String(b, p, e - p, StandardCharsets.ISO_8859_1));
            }
        }
        if (rangeChecked && (Double.isInfinite(v) || (v == 0 && nonZeroDigit))) {
            return Double.NaN;
        }
        return neg ? -v : v;
    }

    /** A hexadecimal float "0x..." (without sign) through the JDK's correctly rounding parser. */
    private static double parseHex(byte[] b, int p, int e) {
        StringBuilder sb = new StringBuilder(e - p + 8);
        int i = p;
        while (i < e && (b[i] | 0x20) != 'p') {
            sb.append((char) b[i]);
            i++;
        }
        if (sb.charAt(sb.length() - 1) == '.') {
            sb.append('0');
        }
        if (sb.charAt(2) == '.') {
            sb.insert(2, '0');
        }
        long exp = i < e ? exponentValue(b, i + 1, e) : 0;
        sb.append('p').append(exp);
        return Double.parseDouble(sb.toString());
    }

    /**
     * The value of an exponent "[+-]digits" already validated by the scan, from {@code j} to
     * {@code e}; its magnitude stops growing past 100000, far beyond any double's range.
     */
    private static long exponentValue(byte[] b, int j, int e) {
        boolean neg = false;
        if (b[j] == '+' || b[j] == '-') {
            neg = b[j] == '-';
            j++;
        }
        long exp = 0;
        for (; j < e; j++) {
            if (exp < 100_000) {
                exp = exp * 10 + (b[j] - '0');
            }
        }
        return neg ? -exp : exp;
    }
}
