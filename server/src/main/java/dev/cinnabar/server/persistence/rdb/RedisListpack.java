package dev.cinnabar.server.persistence.rdb;

import java.util.Arrays;

/**
 * Builds listpacks in Redis's byte format (listpack.c), the blob RDB stores for quicklist nodes
 * and the compact encodings. Our in-memory {@code ds.Listpack} uses its own layout; this writer
 * exists only for the wire and disk formats.
 *
 * <p>Layout (WARNING: on-disk format): a 6-byte header (total bytes as uint32 little-endian,
 * element count as uint16 little-endian, 65535 meaning "count them"), the entries, and a 0xFF
 * terminator. Each entry is an encoding byte (plus length or integer bytes), the data, and the
 * entry's "backlen": the size of encoding plus data, written big-end first in 7-bit groups
 * (all but the first byte with the high bit set) so the list can be walked backwards.
 *
 * <p>Elements that are canonical decimal integers (what Redis's lpStringToInt64 accepts: no
 * sign but '-', no leading zeros, at most 20 characters, within 64 bits) are stored in the
 * smallest integer encoding, as Redis does; anything else as a string. Not thread-safe.
 */
public final class RedisListpack {
    static final int HEADER_SIZE = 6;
    static final int EOF = 0xFF;
    /** Header count meaning "unknown" (Redis LP_HDR_NUMELE_UNKNOWN). */
    static final int COUNT_UNKNOWN = 0xFFFF;

    private byte[] buf = new byte[64];
    private int pos = HEADER_SIZE;
    private int count;

    /** Forgets the elements, keeping the buffer. */
    public RedisListpack reset() {
        pos = HEADER_SIZE;
        count = 0;
        return this;
    }

    public int count() {
        return count;
    }

    /** Appends an element (stored as an integer when it is a canonical one). */
    public void add(byte[] b, int off, int len) {
        long v = canonicalInteger(b, off, len);
        if (v != NOT_INTEGER || isMinLong(b, off, len)) {
            addInteger(v);
        } else {
            addString(b, off, len);
        }
    }

    public void addInteger(long v) {
        ensure(9 + 5);
        int start = pos;
        if (v >= 0 && v <= 127) {
            buf[pos++] = (byte) v;
        } else if (v >= -4096 && v <= 4095) {
            long u = v < 0 ? (1L << 13) + v : v;
            buf[pos++] = (byte) ((u >>> 8) | 0xC0);
            buf[pos++] = (byte) u;
        } else if (v >= -32768 && v <= 32767) {
            buf[pos++] = (byte) 0xF1;
            putLe(v, 2);
        } else if (v >= -8388608 && v <= 8388607) {
            buf[pos++] = (byte) 0xF2;
            putLe(v, 3);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            buf[pos++] = (byte) 0xF3;
            putLe(v, 4);
        } else {
            buf[pos++] = (byte) 0xF4;
            putLe(v, 8);
        }
        backlen(pos - start);
        count++;
    }

    public void addString(byte[] b, int off, int len) {
        ensure(len + 5 + 5);
        int start = pos;
        if (len < 64) {
            buf[pos++] = (byte) (0x80 | len);
        } else if (len < 4096) {
            buf[pos++] = (byte) (0xE0 | (len >>> 8));
            buf[pos++] = (byte) len;
        } else {
            buf[pos++] = (byte) 0xF0;
            putLe(len, 4);
        }
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
        backlen(pos - start);
        count++;
    }

    /** Writes the header and terminator; the listpack is {@code array()[0, result)}. */
    public int finish() {
        ensure(1);
        buf[pos] = (byte) EOF;
        int total = pos + 1;
        putLeAt(0, total, 4);
        putLeAt(4, count < COUNT_UNKNOWN ? count : COUNT_UNKNOWN, 2);
        return total;
    }

    public byte[] array() {
        return buf;
    }

    /** A copy of the finished listpack. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, finish());
    }

    /** Redis lpEncodeBacklen: the entry size in 7-bit groups, most significant first. */
    private void backlen(int l) {
        if (l <= 127) {
            buf[pos++] = (byte) l;
        } else if (l < 16383) {
            buf[pos++] = (byte) (l >>> 7);
            buf[pos++] = (byte) ((l & 127) | 128);
        } else if (l < 2097151) {
            buf[pos++] = (byte) (l >>> 14);
            buf[pos++] = (byte) (((l >>> 7) & 127) | 128);
            buf[pos++] = (byte) ((l & 127) | 128);
        } else if (l < 268435455) {
            buf[pos++] = (byte) (l >>> 21);
            buf[pos++] = (byte) (((l >>> 14) & 127) | 128);
            buf[pos++] = (byte) (((l >>> 7) & 127) | 128);
            buf[pos++] = (byte) ((l & 127) | 128);
        } else {
            buf[pos++] = (byte) (l >>> 28);
            buf[pos++] = (byte) (((l >>> 21) & 127) | 128);
            buf[pos++] = (byte) (((l >>> 14) & 127) | 128);
            buf[pos++] = (byte) (((l >>> 7) & 127) | 128);
            buf[pos++] = (byte) ((l & 127) | 128);
        }
    }

    private void putLe(long v, int n) {
        putLeAt(pos, v, n);
        pos += n;
    }

    private void putLeAt(int at, long v, int n) {
        for (int i = 0; i < n; i++) {
            buf[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    static final long NOT_INTEGER = Long.MIN_VALUE;

    /**
     * The value of a canonical decimal integer (Redis string2ll / lpStringToInt64 rules), or
     * {@link #NOT_INTEGER}; Long.MIN_VALUE itself is told apart with {@link #isMinLong}.
     */
    static long canonicalInteger(byte[] b, int off, int len) {
        if (len == 0 || len > 20) {
            return NOT_INTEGER;
        }
        if (len == 1 && b[off] == '0') {
            return 0;
        }
        int i = off;
        int end = off + len;
        boolean negative = b[i] == '-';
        if (negative && ++i == end) {
            return NOT_INTEGER;
        }
        if (b[i] < '1' || b[i] > '9') {
            return NOT_INTEGER;
        }
        // Accumulated negatively so that Long.MIN_VALUE fits.
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
                return NOT_INTEGER;
            }
            v = v * 10 - d;
        }
        if (!negative) {
            return v == Long.MIN_VALUE ? NOT_INTEGER : -v;
        }
        return v;
    }

    static boolean isMinLong(byte[] b, int off, int len) {
        return len == 20 && Arrays.equals(b, off, off + len, MIN_LONG, 0, 20);
    }

    private static final byte[] MIN_LONG = Long.toString(Long.MIN_VALUE).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
}
