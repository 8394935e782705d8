package dev.cinnabar.server.util;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A byte string usable as a map key, for the few non-hot indexes keyed by Redis keys
 * (WATCH, blocking, tracking). The keyspace itself never uses it.
 */
public final class ByteKey implements Comparable<ByteKey> {
    private final byte[] b;
    private final int hash;

    public ByteKey(byte[] b) {
        this.b = b;
        this.hash = Arrays.hashCode(b);
    }

    public static ByteKey of(byte[] d, int off, int len) {
        return new ByteKey(Arrays.copyOfRange(d, off, off + len));
    }

    public byte[] bytes() {
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && k.hash == hash && Arrays.equals(k.b, b);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(ByteKey o) {
        return Arrays.compareUnsigned(b, o.b);
    }

    @Override
    public String toString() {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
