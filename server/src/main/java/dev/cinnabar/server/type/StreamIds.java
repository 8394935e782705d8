package dev.cinnabar.server.type;

import dev.cinnabar.resp.Ascii;

/**
 * Stream ID text: Redis's "ms-seq" form with unsigned 64-bit parts, and the C string-to-number
 * rules Redis applies when parsing one (string2ull: a strict integer, else strtoull).
 */
public final class StreamIds {
    private StreamIds() {}

    /** Longest "ms-seq" text: two 20-digit numbers and the dash. */
    public static final int MAX_TEXT = 41;

    /** Writes {@code v} as an unsigned decimal at {@code off}; returns the end offset. */
    public static int putUnsigned(byte[] dst, int off, long v) {
        if (v >= 0) {
            return off + Ascii.putLong(dst, off, v);
        }
        // At or above 2^63: all digits but the last fit a signed long.
        int n = Ascii.putLong(dst, off, Long.divideUnsigned(v, 10));
        dst[off + n] = (byte) ('0' + Long.remainderUnsigned(v, 10));
        return off + n + 1;
    }

    /** Writes "ms-seq" at {@code off}; returns the end offset. */
    public static int format(byte[] dst, int off, long ms, long seq) {
        int p = putUnsigned(dst, off, ms);
        dst[p++] = '-';
        return putUnsigned(dst, p, seq);
    }

    /**
     * Redis string2ull over {@code b[off, off+len)} (the text stops at a NUL byte, as C sees it):
     * a strict decimal integer (string2ll) that is not negative, else whatever strtoull accepts
     * in base 10 as the whole text (leading blanks, a sign, leading zeros; '-' negates modulo
     * 2^64; overflow fails). Returns false when invalid; else the value is in {@code out[0]}.
     */
    public static boolean parseUnsigned(byte[] b, int off, int len, long[] out) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        if (Ascii.isLong(b, off, end - off)) {
            long v = Ascii.parseLongOr(b, off, end - off, 0);
            if (v < 0) {
                return false;
            }
            out[0] = v;
            return true;
        }
        int p = off;
        while (p < end && isSpace(b[p])) {
            p++;
        }
        boolean neg = false;
        if (p < end && (b[p] == '+' || b[p] == '-')) {
            neg = b[p] == '-';
            p++;
        }
        if (p == end) {
            return false;
        }
        long limit = Long.divideUnsigned(-1L, 10);
        long v = 0;
        for (; p < end; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9 || Long.compareUnsigned(v, limit) > 0) {
                return false;
            }
            long t = v * 10;
            long r = t + d;
            if (Long.compareUnsigned(r, t) < 0) {
                return false;
            }
            v = r;
        }
        out[0] = neg ? -v : v;
        return true;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }
}
