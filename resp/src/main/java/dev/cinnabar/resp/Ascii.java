package dev.cinnabar.resp;

import java.nio.charset.StandardCharsets;

/**
 * ASCII number codecs on bytes, with Redis's exact acceptance rules.
 *
 * <p>{@link #parseLong} follows Redis's {@code string2ll}: optional '-', no '+', no leading
 * zeros (except "0" itself), no spaces, range of a signed 64-bit integer. Results are
 * returned through a sentinel-free API: callers check {@link #isLong} first or use
 * {@link #parseLongOr}.
 */
public final class Ascii {
    private Ascii() {}

    public static byte lower(byte b) {
        return (b >= 'A' && b <= 'Z') ? (byte) (b + 32) : b;
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Whether {@code b[off, off+len)} is a canonical signed 64-bit decimal (Redis string2ll). */
    public static boolean isLong(byte[] b, int off, int len) {
        // Two different fallbacks cannot both be returned for a valid number.
        return parseLongOr(b, off, len, 1L) != 1L || parseLongOr(b, off, len, 2L) != 2L;
    }

    /**
     * Parses a canonical signed 64-bit decimal, or returns {@code fallback} if the bytes are not
     * one. Use only where the fallback value cannot be a valid input, or check with
     * {@link #isLong} first.
     */
    public static long parseLongOr(byte[] b, int off, int len, long fallback) {
        if (len == 0 || len > 20) {
            return fallback;
        }
        int i = off;
        int end = off + len;
        boolean neg = false;
        if (b[i] == '-') {
            neg = true;
            i++;
            if (i == end) {
                return fallback;
            }
        }
        int first = b[i];
        if (first == '0') {
            return (len == 1) ? 0 : fallback;
        }
        if (first < '1' || first > '9') {
            return fallback;
        }
        // Accumulate as a negative number so that Long.MIN_VALUE fits.
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return fallback;
            }
            if (v < -922337203685477580L || (v == -922337203685477580L && d > 8)) {
                return fallback;
            }
            v = v * 10 - d;
        }
        if (neg) {
            return v;
        }
        if (v == Long.MIN_VALUE) {
            return fallback;
        }
        return -v;
    }

    /** Number of ASCII digits (with sign) needed for {@code v}. */
    public static int digits(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return 20;
            }
            return 1 + digits(-v);
        }
        int n = 1;
        long p = 10;
        while (n < 19 && v >= p) {
            n++;
            p *= 10;
        }
        return n;
    }

    /** Writes {@code v} as decimal ASCII into {@code dst} at {@code off}; returns bytes written. */
    public static int putLong(byte[] dst, int off, long v) {
        int n = digits(v);
        int p = off + n;
        if (v == Long.MIN_VALUE) {
            byte[] m = bytes("-9223372036854775808");
            System.arraycopy(m, 0, dst, off, m.length);
            return m.length;
        }
        boolean neg = v < 0;
        if (neg) {
            v = -v;
        }
        do {
            dst[--p] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        if (neg) {
            dst[--p] = '-';
        }
        return n;
    }

    /** {@code v} as decimal ASCII bytes. */
    public static byte[] longBytes(long v) {
        byte[] b = new byte[digits(v)];
        putLong(b, 0, v);
        return b;
    }
}
