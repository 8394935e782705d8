package dev.cinnabar.server.util;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The x87 80-bit extended precision number ("long double" on x86-64 Linux) that Redis uses for
 * INCRBYFLOAT and HINCRBYFLOAT, emulated exactly: a sign, a 64-bit significand with an explicit
 * integer bit, and exponents down to the subnormal limit 2^-16445.
 *
 * <p>Three operations are needed to reproduce Redis's replies byte for byte:
 * <ul>
 *   <li>{@link #parse}: glibc {@code strtold} under Redis's {@code string2ld} acceptance rules
 *       (decimal and hexadecimal forms, "inf"/"infinity"; no whitespace, no NaN, no overflow,
 *       no underflow to zero, at most 5119 bytes), correctly rounded to nearest-even;</li>
 *   <li>{@link #add}: one correctly rounded addition;</li>
 *   <li>{@link #toHumanBytes}: {@code printf("%.17Lf")} (exact decimal expansion, ties to
 *       even, as glibc does) with trailing zeros and a bare "-0" removed (Redis ld2string's
 *       LD_STR_HUMAN mode).</li>
 * </ul>
 * Arithmetic is done on exact big integers: these commands are not on a hot path, and exactness
 * is what makes the results identical to the C library's.
 *
 * <p>Immutable; the value is {@code (-1)^negative * significand * 2^exponent}, where
 * {@code significand} is an unsigned 64-bit integer (zero for zero).
 */
public final class LongDouble {
    /** Largest input string2ld accepts is one byte below its buffer (MAX_LONG_DOUBLE_CHARS). */
    static final int MAX_CHARS = 5 * 1024;
    /** Exponent of the least significant bit of the smallest subnormal: 2^-16445. */
    static final int MIN_LSB_EXP = -16445;
    /** Exponent of the least significant bit of the largest finite values (< 2^16384). */
    static final int MAX_LSB_EXP = 16384 - 64;

    private static final int FINITE = 0;
    private static final int INFINITE = 1;

    private final boolean negative;
    private final int kind;
    /** Unsigned 64-bit significand. */
    private final long significand;
    private final int exponent;

    private LongDouble(boolean negative, int kind, long significand, int exponent) {
        this.negative = negative;
        this.kind = kind;
        this.significand = significand;
        this.exponent = exponent;
    }

    private static final LongDouble ZERO = new LongDouble(false, FINITE, 0, 0);
    private static final LongDouble NEG_ZERO = new LongDouble(true, FINITE, 0, 0);

    /** An exact integer (every long fits in a 64-bit significand). */
    public static LongDouble of(long v) {
        if (v == 0) {
            return ZERO;
        }
        // Math.abs(Long.MIN_VALUE) stays negative, which read unsigned is exactly 2^63.
        return new LongDouble(v < 0, FINITE, Math.abs(v), 0);
    }

    public boolean isFinite() {
        return kind == FINITE;
    }

    public boolean isZero() {
        return kind == FINITE && significand == 0;
    }

    // ---- parsing ------------------------------------------------------------------------------

    /**
     * Parses {@code b[off, off+len)} as Redis's string2ld does; returns null when Redis would
     * reject the text (which it reports as "value is not a valid float").
     */
    public static LongDouble parse(byte[] b, int off, int len) {
        if (len == 0 || len >= MAX_CHARS || isSpace(b[off])) {
            return null;
        }
        int end = off + len;
        int i = off;
        boolean neg = false;
        if (b[i] == '-' || b[i] == '+') {
            neg = b[i] == '-';
            i++;
        }
        if (i == end) {
            return null;
        }
        int c = b[i] | 0x20;
        if (c == 'i' || c == 'n') {
            return parseWord(b, i, end, neg);
        }
        if (b[i] == '0' && i + 1 < end && (b[i + 1] | 0x20) == 'x') {
            return parseHex(b, i + 2, end, neg);
        }
        return parseDecimal(b, i, end, neg);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** "inf" and "infinity" in any case are accepted; every NaN spelling is rejected. */
    private static LongDouble parseWord(byte[] b, int i, int end, boolean neg) {
        if (matchesIgnoreCase(b, i, end, "inf") || matchesIgnoreCase(b, i, end, "infinity")) {
            return new LongDouble(neg, INFINITE, 0, 0);
        }
        return null;
    }

    private static boolean matchesIgnoreCase(byte[] b, int i, int end, String word) {
        if (end - i != word.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if ((b[i + k] | 0x20) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static LongDouble parseDecimal(byte[] b, int i, int end, boolean neg) {
        Mantissa m = scanMantissa(b, i, end, false);
        if (m == null) {
            return null;
        }
        if (m.digits.isEmpty()) {
            return neg ? NEG_ZERO : ZERO;
        }
        String digits = m.digits;
        long exp10 = m.exp - m.fracDigits;
        int nd = digits.length();
        // Magnitude checks first, so a huge exponent never builds a huge number:
        // the value lies in [10^(nd-1+exp10), 10^(nd+exp10)).
        if (nd - 1 + exp10 >= 4933) {
            return null; // at least 1e4933: beyond the largest long double (about 1.19e4932)
        }
        if (nd + exp10 <= -4952) {
            return null; // below 1e-4952: rounds to zero (half the smallest subnormal is 1.8e-4951)
        }
        BigInteger d = new BigInteger(digits);
        BigInteger mag;
        int binExp;
        boolean sticky;
        if (exp10 >= 0) {
            mag = d.multiply(BigInteger.TEN.pow((int) exp10));
            binExp = 0;
            sticky = false;
        } else {
            BigInteger p = BigInteger.TEN.pow((int) -exp10);
            // Enough quotient bits for 64 significant bits, a rounding bit and a guard bit.
            int shift = Math.max(0, 67 + p.bitLength() - d.bitLength());
            BigInteger[] qr = d.shiftLeft(shift).divideAndRemainder(p);
            mag = qr[0];
            binExp = -shift;
            sticky = qr[1].signum() != 0;
        }
        return rounded(neg, mag, binExp, sticky, true);
    }

    /**
     * The significant digits of a number (leading zeros dropped), how many of them follow the
     * point, and the exponent after the marker ('e', or 'p' for hex; 0 when there is none).
     */
    private record Mantissa(String digits, int fracDigits, long exp) {}

    /**
     * Reads "digits[.digits][marker exponent]" from {@code i} to {@code end}, in decimal or hex
     * digits; null when there is no digit at all or anything else follows, as strtold then
     * stops early and string2ld rejects the input.
     */
    private static Mantissa scanMantissa(byte[] b, int i, int end, boolean hex) {
        StringBuilder digits = new StringBuilder(Math.min(end - i, 64));
        int fracDigits = 0;
        boolean anyDigit = false;
        boolean dot = false;
        for (; i < end; i++) {
            byte ch = b[i];
            if ((ch >= '0' && ch <= '9') || (hex && (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')) {
                anyDigit = true;
                if (digits.length() > 0 || ch != '0') {
                    digits.append((char) ch);
                }
                if (dot) {
                    fracDigits++;
                }
            } else if (ch == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
        }
        if (!anyDigit) {
            // For hex, "0x" with nothing after: strtold reads the "0" and stops at the 'x'.
            return null;
        }
        long exp = 0;
        if (i < end) {
            if ((b[i] | 0x20) != (hex ? 'p' : 'e')) {
                return null;
            }
            long[] e = new long[1];
            i = parseExponent(b, i + 1, end, e);
            if (i != end) {
                return null;
            }
            exp = e[0];
        }
        return new Mantissa(digits.toString(), fracDigits, exp);
    }

    /**
     * Parses an exponent "[+-]digits" starting at {@code i}; returns the index after it, or
     * {@code i - 1} (pointing at the 'e'/'p') when there are no digits, as strtold then stops
     * before the exponent marker. The value saturates far outside any representable range.
     */
    private static int parseExponent(byte[] b, int i, int end, long[] out) {
        int start = i;
        boolean neg = false;
        if (i < end && (b[i] == '+' || b[i] == '-')) {
            neg = b[i] == '-';
            i++;
        }
        if (i >= end || b[i] < '0' || b[i] > '9') {
            return start - 1;
        }
        long v = 0;
        for (; i < end && b[i] >= '0' && b[i] <= '9'; i++) {
            if (v < 1_000_000_000L) {
                v = v * 10 + (b[i] - '0');
            }
        }
        out[0] = neg ? -v : v;
        return i;
    }

    private static LongDouble parseHex(byte[] b, int i, int end, boolean neg) {
        Mantissa m = scanMantissa(b, i, end, true);
        if (m == null) {
            return null;
        }
        if (m.digits.isEmpty()) {
            return neg ? NEG_ZERO : ZERO;
        }
        BigInteger h = new BigInteger(m.digits, 16);
        long exp2 = m.exp - 4L * m.fracDigits;
        long top = h.bitLength() + exp2; // the value lies in [2^(top-1), 2^top)
        if (top - 1 >= 16384) {
            return null;
        }
        if (top <= MIN_LSB_EXP - 1) {
            return null; // below half the smallest subnormal: rounds to zero
        }
        return rounded(neg, h, (int) exp2, false, true);
    }

    // ---- arithmetic ---------------------------------------------------------------------------

    /** The correctly rounded sum; infinite operands give an infinite (or NaN: not finite) sum. */
    public LongDouble add(LongDouble o) {
        if (kind != FINITE || o.kind != FINITE) {
            // inf + x = inf, inf - inf = NaN: either way not finite, which is all callers ask.
            return new LongDouble(negative, INFINITE, 0, 0);
        }
        if (significand == 0 && o.significand == 0) {
            return negative && o.negative ? NEG_ZERO : ZERO;
        }
        int e = Math.min(exponent, o.exponent);
        BigInteger a = signed(negative, significand).shiftLeft(exponent - e);
        BigInteger c = signed(o.negative, o.significand).shiftLeft(o.exponent - e);
        BigInteger sum = a.add(c);
        if (sum.signum() == 0) {
            return ZERO; // exact cancellation gives +0 when rounding to nearest
        }
        return rounded(sum.signum() < 0, sum.abs(), e, false, false);
    }

    /**
     * The correctly rounded product by a positive integer (Redis's long double seconds to
     * milliseconds step in blocking timeouts).
     */
    public LongDouble multiply(long factor) {
        if (factor <= 0) {
            throw new IllegalArgumentException("factor must be positive");
        }
        if (kind != FINITE || significand == 0) {
            return this;
        }
        BigInteger product = unsigned(significand).multiply(BigInteger.valueOf(factor));
        return rounded(negative, product, exponent, false, false);
    }

    public boolean isNegative() {
        return negative;
    }

    /** C ceill of a finite value, exactly. */
    public BigInteger ceil() {
        if (kind != FINITE) {
            throw new ArithmeticException("not finite");
        }
        BigInteger m = unsigned(significand);
        if (exponent >= 0) {
            BigInteger v = m.shiftLeft(exponent);
            return negative ? v.negate() : v;
        }
        BigInteger whole = m.shiftRight(-exponent);
        boolean fraction = m.signum() != 0 && m.getLowestSetBit() < -exponent;
        if (negative) {
            return whole.negate(); // truncation towards zero is the ceiling of a negative number
        }
        return fraction ? whole.add(BigInteger.ONE) : whole;
    }

    private static BigInteger unsigned(long v) {
        BigInteger x = BigInteger.valueOf(v & Long.MAX_VALUE);
        return v < 0 ? x.setBit(63) : x;
    }

    private static BigInteger signed(boolean neg, long v) {
        BigInteger x = unsigned(v);
        return neg ? x.negate() : x;
    }

    /**
     * Rounds {@code mag * 2^exp} (plus a nonzero tail below it when {@code sticky}) to the
     * nearest long double, ties to even. Returns null if {@code rejectRange} and the result
     * overflows or underflows to zero (strtold's ERANGE cases Redis refuses); otherwise an
     * overflow gives infinity.
     */
    private static LongDouble rounded(boolean neg, BigInteger mag, int exp, boolean sticky, boolean rejectRange) {
        int lsb = Math.max(mag.bitLength() + exp - 64, MIN_LSB_EXP);
        int shift = lsb - exp;
        BigInteger m;
        if (shift <= 0) {
            m = mag.shiftLeft(-shift);
        } else {
            m = mag.shiftRight(shift);
            boolean half = mag.testBit(shift - 1);
            boolean rest = sticky || mag.getLowestSetBit() < shift - 1;
            if (half && (rest || m.testBit(0))) {
                m = m.add(BigInteger.ONE);
                if (m.bitLength() > 64) {
                    m = m.shiftRight(1);
                    lsb++;
                }
            }
        }
        if (lsb > MAX_LSB_EXP) {
            return rejectRange ? null : new LongDouble(neg, INFINITE, 0, 0);
        }
        if (m.signum() == 0) {
            return rejectRange ? null : (neg ? NEG_ZERO : ZERO);
        }
        return new LongDouble(neg, FINITE, m.longValue(), lsb);
    }

    // ---- formatting ---------------------------------------------------------------------------

    /**
     * The value as Redis's ld2string LD_STR_HUMAN writes it: "%.17Lf", then trailing zeros (and
     * a trailing '.') removed, and "-0" written as "0". Infinity is written "inf"/"-inf".
     */
    public byte[] toHumanBytes() {
        return toHumanString().getBytes(StandardCharsets.ISO_8859_1);
    }

    public String toHumanString() {
        if (kind == INFINITE) {
            return negative ? "-inf" : "inf";
        }
        if (significand == 0) {
            return "0";
        }
        BigInteger m = unsigned(significand);
        String abs;
        if (exponent >= 0) {
            abs = m.shiftLeft(exponent).toString();
        } else if (m.bitLength() + exponent <= -58) {
            // Below 2^-58 < 0.5e-17: prints as 0.00000000000000000 (or -0.0..., shown as 0).
            return "0";
        } else {
            abs = fixed17(m, -exponent);
        }
        if (abs.equals("0")) {
            return "0";
        }
        return negative ? "-" + abs : abs;
    }

    private static final BigInteger TEN_POW_17 = BigInteger.valueOf(100_000_000_000_000_000L);

    /**
     * {@code m / 2^k} with 17 decimals, rounded half-even like glibc's printf (it works on the
     * exact value), trailing zeros removed: round(m * 10^17 / 2^k), then the point put back.
     */
    private static String fixed17(BigInteger m, int k) {
        BigInteger n = m.multiply(TEN_POW_17);
        BigInteger q = n.shiftRight(k);
        boolean half = n.testBit(k - 1);
        boolean rest = n.getLowestSetBit() < k - 1;
        if (half && (rest || q.testBit(0))) {
            q = q.add(BigInteger.ONE);
        }
        String digits = q.toString();
        if (digits.length() <= 17) {
            digits = "0".repeat(18 - digits.length()) + digits;
        }
        int point = digits.length() - 17;
        return stripZeros(digits.substring(0, point) + "." + digits.substring(point));
    }

    private static String stripZeros(String s) {
        int dot = s.indexOf('.');
        if (dot < 0) {
            return s;
        }
        int n = s.length();
        while (s.charAt(n - 1) == '0') {
            n--;
        }
        if (n - 1 == dot) {
            n--;
        }
        return s.substring(0, n);
    }

    @Override
    public String toString() {
        return toHumanString();
    }
}
