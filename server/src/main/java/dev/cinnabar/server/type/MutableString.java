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

    public MutableString(byte[] b, int off, int n, int extra) {
        buf = Arrays.copyOfRange(b, off, off + n + Math.max(extra, 0));
        len = n;
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

    private void ensure(int need) {
        if (need > buf.length) {
            // Like sds: double small strings, grow big ones by 1 MB at a time.
            int n = need < 1024 * 1024 ? Math.max(need * 2, 16) : need + 1024 * 1024;
            buf = Arrays.copyOf(buf, n);
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
    public RedisValue copy() {
        return new MutableString(buf, 0, len, 0);
    }
}
