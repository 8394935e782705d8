package dev.cinnabar.server.type;

import java.util.Arrays;

/**
 * A string value that grows in place: the result of APPEND and SETRANGE (Redis's "raw"
 * encoding, an sds with spare room). Spare capacity makes repeated APPENDs amortised O(1)
 * instead of copying the whole value each time.
 */
public final class MutableString implements RedisValue {
    private byte[] buf;
    private int len;

    /** Longest value a Java array can hold (with headroom for VM header words). */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 16;

    /** Below this size growth doubles the buffer; above it, it adds this much (sds's rule). */
    private static final int MAX_PREALLOC = 1024 * 1024;

    public MutableString(byte[] b, int off, int n, int extra) {
        buf = new byte[(int) Math.min((long) n + Math.max(extra, 0), MAX_LENGTH)];
        System.arraycopy(b, off, buf, 0, n);
        len = n;
    }

    private MutableString(int size) {
        buf = new byte[size];
        len = size;
    }

    /** A value of {@code size} zero bytes, with no spare room (a SETRANGE on a missing key). */
    public static MutableString zeroed(int size) {
        return new MutableString(size);
    }

    /**
     * Spare room to reserve when a value of {@code len} bytes is about to grow by {@code add}:
     * the room sds's greedy growth would leave after the first append.
     */
    public static int growthFor(int len, int add) {
        long need = (long) len + add;
        long cap = need < MAX_PREALLOC ? need * 2 : need + MAX_PREALLOC;
        return (int) (Math.min(cap, MAX_LENGTH) - len);
    }

    public byte[] array() {
        return buf;
    }

    public int length() {
        return len;
    }

    public void append(byte[] b, int off, int n) {
        ensure(len + n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    /** Writes {@code n} bytes at {@code at}, zero-padding any gap (SETRANGE). */
    public void write(long at, byte[] b, int off, int n) {
        int end = (int) (at + n);
        ensure(Math.max(end, len));
        if (at > len) {
            Arrays.fill(buf, len, (int) at, (byte) 0);
        }
        System.arraycopy(b, off, buf, (int) at, n);
        if (end > len) {
            len = end;
        }
    }

    /**
     * Extends the value with zero bytes to {@code n} bytes; a longer value is left as it is
     * (SETBIT/BITFIELD past the end, Redis sdsgrowzero).
     */
    public void growZero(int n) {
        if (n > len) {
            ensure(n);
            Arrays.fill(buf, len, n, (byte) 0);
            len = n;
        }
    }

    /** Shortens the value to {@code n} bytes; a longer {@code n} is ignored. */
    public void truncate(int n) {
        if (n < len) {
            len = n;
        }
    }

    /**
     * Makes {@code b[0, n)} the value, taking ownership of {@code b} (a structure rebuilt in a
     * new buffer, such as a HyperLogLog converted to its dense encoding).
     */
    public void replace(byte[] b, int n) {
        buf = b;
        len = n;
    }

    private void ensure(int need) {
        if (need > buf.length) {
            // Like sds: double small strings, grow big ones by 1 MB at a time.
            long n = need < MAX_PREALLOC ? Math.max(need * 2L, 16) : (long) need + MAX_PREALLOC;
            buf = Arrays.copyOf(buf, (int) Math.min(n, MAX_LENGTH));
        }
    }

    /** Spare capacity (for memory accounting and DEBUG). */
    public int free() {
        return buf.length - len;
    }

    @Override
    public String type() {
        return "string";
    }

    @Override
    public String encoding() {
        return "raw";
    }

    @Override
    public long memoryUsage(long samples) {
        return 16 + ((12L + buf.length + 7) & ~7L);
    }

    @Override
    public RedisValue copy() {
        return new MutableString(buf, 0, len, 0);
    }
}
