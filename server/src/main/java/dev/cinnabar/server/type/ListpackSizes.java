package dev.cinnabar.server.type;

/**
 * The byte sizes a Redis listpack would have for the same elements. Our {@code ds.Listpack} uses
 * its own layout, but Redis decides encodings (listpack or quicklist, node splits and merges) by
 * its listpack byte counts, so a list tracks those sizes to convert exactly when Redis does.
 *
 * <p>Redis stores an element that reads as a canonical 64-bit integer in 1 to 9 bytes, other
 * strings with a 1, 2 or 5 byte length header, and follows every entry with a 1 to 5 byte
 * back-length; a listpack adds a 6 byte header and a 1 byte terminator.
 */
public final class ListpackSizes {
    private ListpackSizes() {}

    /** Header and terminator of an empty Redis listpack. */
    public static final int EMPTY = 7;

    /** Bytes the element {@code b[off, off+len)} takes in a Redis listpack, back-length included. */
    public static int entrySize(byte[] b, int off, int len) {
        int enc = encodedSize(b, off, len);
        return enc + backlenSize(enc);
    }

    /** Size of the encoding (header + payload) without the back-length. */
    static int encodedSize(byte[] b, int off, int len) {
        int asInt = intEncodedSize(b, off, len);
        if (asInt != 0) {
            return asInt;
        }
        if (len < 64) {
            return 1 + len;
        } else if (len < 4096) {
            return 2 + len;
        }
        return 5 + len;
    }

    /** Bytes of the back-length field for an entry whose encoding takes {@code l} bytes. */
    static int backlenSize(long l) {
        if (l <= 127) {
            return 1;
        } else if (l < 16383) {
            return 2;
        } else if (l < 2097151) {
            return 3;
        } else if (l < 268435455) {
            return 4;
        }
        return 5;
    }

    /**
     * The integer encoding size (1 to 9) when the element is a canonical decimal integer that
     * fits 64 bits (no '+', no leading zeros, no "-0": the strings Redis stores as integers,
     * which print back unchanged), 0 otherwise.
     */
    static int intEncodedSize(byte[] b, int off, int len) {
        if (len == 0 || len > 20) {
            return 0;
        }
        if (len == 1 && b[off] == '0') {
            return 1;
        }
        int p = off;
        int end = off + len;
        boolean neg = b[p] == '-';
        if (neg && ++p == end) {
            return 0;
        }
        if (b[p] < '1' || b[p] > '9') {
            return 0;
        }
        // Accumulated as a negative number (as Long.parseLong does) so that -2^63 fits.
        long v = 0;
        final long multMin = Long.MIN_VALUE / 10;
        for (; p < end; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9 || v < multMin) {
                return 0;
            }
            v *= 10;
            if (v < Long.MIN_VALUE + d) {
                return 0;
            }
            v -= d;
        }
        if (!neg) {
            if (v == Long.MIN_VALUE) {
                return 0;
            }
            v = -v;
        }
        if (v >= 0 && v <= 127) {
            return 1;
        } else if (v >= -4096 && v <= 4095) {
            return 2;
        } else if (v >= -32768 && v <= 32767) {
            return 3;
        } else if (v >= -8388608 && v <= 8388607) {
            return 4;
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return 5;
        }
        return 9;
    }
}
