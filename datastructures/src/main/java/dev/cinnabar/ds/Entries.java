package dev.cinnabar.ds;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Keyspace entries: the packed string entry ({@code byte[]}) and generic accessors that also
 * accept an {@link ObjectEntry}.
 *
 * <p>A string key with its value, LRU word and optional expiry is one {@code byte[]}, so a
 * plain SET creates exactly one heap object that the GC never has to trace into:
 *
 * <pre>
 *   [0]        flags: bits 0-1 encoding (ENC_*), bit 2 HAS_EXPIRE, bit 3 SNAPSHOT_MARK
 *   [1..4]     lru word, little-endian int (LRU clock or LFU data; the server decides)
 *   [5..]      key length, unsigned LEB128 varint (1 byte below 128)
 *   [+8]       absolute expiry, ms, little-endian long (only if HAS_EXPIRE)
 *   [..]       key bytes
 *   [..end]    value bytes (value length = array length - value offset)
 * </pre>
 *
 * <p>Memory, with compact object headers (array header 12 bytes, 8-byte alignment): an 11-byte
 * key with a 16-byte value and no TTL needs 1 + 4 + 1 + 11 + 16 = 33 bytes of data, 45 with
 * the header, so 48 bytes on the heap (a TTL adds 8: 56). The {@link KeyTable} adds 8 bytes per
 * slot (a compressed reference and a cached hash), i.e. 10.7 bytes per entry at its 0.75
 * maximum load and 21.3 just after doubling, about 15 on average: roughly 63 bytes per key all
 * told, against about 90 in Redis (dictEntry + robj + sds key + embstr value + bucket).
 *
 * <p>The value bytes are opaque here; {@link #ENC_INT} only records that they are a canonical
 * decimal integer (so INCR and OBJECT ENCODING need not re-check). Accessors taking
 * {@code Object} work on either entry kind; the {@code byte[]} overloads skip the type test.
 */
public final class Entries {
    private Entries() {}

    public static final int ENC_RAW = 0;
    public static final int ENC_INT = 1;
    public static final int ENC_EMBSTR = 2;
    static final int ENC_MASK = 3;
    public static final int HAS_EXPIRE = 4;
    /** Set on entries a running point-in-time snapshot has already handled (see {@link #snapshotMarked}). */
    static final int SNAPSHOT_MARK = 8;

    static final int FLAGS = 0;
    static final int LRU = 1;
    static final int KEY_LEN = 5;
    static final int EXPIRE_SIZE = 8;

    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    // ---------------------------------------------------------------- construction

    /**
     * A new packed string entry. {@code expireAtOrMinus1} is an absolute Unix time in ms, or -1
     * for no expiry.
     */
    public static byte[] newString(byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen,
                                   int enc, long expireAtOrMinus1, int lru) {
        boolean expires = expireAtOrMinus1 != -1;
        int lenSize = varintSize(kLen);
        int keyOff = KEY_LEN + lenSize + (expires ? EXPIRE_SIZE : 0);
        byte[] e = new byte[keyOff + kLen + vLen];
        e[FLAGS] = (byte) ((enc & ENC_MASK) | (expires ? HAS_EXPIRE : 0));
        INT_LE.set(e, LRU, lru);
        writeVarint(e, KEY_LEN, kLen);
        if (expires) {
            LONG_LE.set(e, KEY_LEN + lenSize, expireAtOrMinus1);
        }
        System.arraycopy(k, kOff, e, keyOff, kLen);
        System.arraycopy(v, vOff, e, keyOff + kLen, vLen);
        return e;
    }

    /** Convenience for tests and cold paths: raw encoding, no expiry, lru 0. */
    public static byte[] newString(byte[] k, byte[] v) {
        return newString(k, 0, k.length, v, 0, v.length, ENC_RAW, -1, 0);
    }

    // ---------------------------------------------------------------- packed accessors

    public static int encoding(byte[] e) {
        return e[FLAGS] & ENC_MASK;
    }

    /** Changes only the encoding tag, in place. */
    public static void setEncoding(byte[] e, int enc) {
        e[FLAGS] = (byte) ((e[FLAGS] & ~ENC_MASK) | (enc & ENC_MASK));
    }

    public static boolean hasExpire(byte[] e) {
        return (e[FLAGS] & HAS_EXPIRE) != 0;
    }

    public static int keyLength(byte[] e) {
        int b = e[KEY_LEN];
        return b >= 0 ? b : readVarintSlow(e);
    }

    public static int keyOffset(byte[] e) {
        int b = e[KEY_LEN];
        int lenSize = b >= 0 ? 1 : varintSize(readVarintSlow(e));
        return KEY_LEN + lenSize + (((e[FLAGS] & HAS_EXPIRE) != 0) ? EXPIRE_SIZE : 0);
    }

    public static int valueOffset(byte[] e) {
        int b = e[KEY_LEN];
        int kLen = b >= 0 ? b : readVarintSlow(e);
        return KEY_LEN + varintSize(kLen) + (((e[FLAGS] & HAS_EXPIRE) != 0) ? EXPIRE_SIZE : 0)
                + kLen;
    }

    public static int valueLength(byte[] e) {
        return e.length - valueOffset(e);
    }

    /** Absolute expiry in ms, or -1 if the entry has none. */
    public static long expireAt(byte[] e) {
        if ((e[FLAGS] & HAS_EXPIRE) == 0) {
            return -1;
        }
        return (long) LONG_LE.get(e, KEY_LEN + varintSize(keyLength(e)));
    }

    public static int lru(byte[] e) {
        return (int) INT_LE.get(e, LRU);
    }

    public static void setLru(byte[] e, int lru) {
        INT_LE.set(e, LRU, lru);
    }

    /**
     * The entry with expiry {@code at} (-1 removes it). When the entry already has an expiry
     * the time is overwritten in place and {@code e} itself is returned; otherwise a new array
     * is returned and the caller must swap it into the table ({@link KeyTable#replace}).
     */
    public static byte[] withExpire(byte[] e, long at) {
        if (at == -1) {
            return withoutExpire(e);
        }
        int lenSize = varintSize(keyLength(e));
        if (hasExpire(e)) {
            LONG_LE.set(e, KEY_LEN + lenSize, at);
            return e;
        }
        int head = KEY_LEN + lenSize;
        byte[] n = new byte[e.length + EXPIRE_SIZE];
        System.arraycopy(e, 0, n, 0, head);
        n[FLAGS] |= HAS_EXPIRE;
        LONG_LE.set(n, head, at);
        System.arraycopy(e, head, n, head + EXPIRE_SIZE, e.length - head);
        return n;
    }

    /** The entry without expiry: {@code e} itself if it has none, else a new, shorter array. */
    public static byte[] withoutExpire(byte[] e) {
        if (!hasExpire(e)) {
            return e;
        }
        int head = KEY_LEN + varintSize(keyLength(e));
        byte[] n = new byte[e.length - EXPIRE_SIZE];
        System.arraycopy(e, 0, n, 0, head);
        n[FLAGS] &= ~HAS_EXPIRE;
        System.arraycopy(e, head + EXPIRE_SIZE, n, head, n.length - head);
        return n;
    }

    /**
     * The entry with a new value and encoding, keeping key, expiry and lru. Same-length values
     * (INCR of 9 to 8, SETRANGE within bounds...) are written in place and {@code e} is
     * returned; otherwise a new array is returned.
     */
    public static byte[] withValue(byte[] e, byte[] v, int vOff, int vLen, int enc) {
        int valOff = valueOffset(e);
        byte[] n = e;
        if (e.length - valOff != vLen) {
            n = new byte[valOff + vLen];
            System.arraycopy(e, 0, n, 0, valOff);
        }
        System.arraycopy(v, vOff, n, valOff, vLen);
        setEncoding(n, enc);
        return n;
    }

    // ---------------------------------------------------------------- generic accessors

    public static boolean isPacked(Object entry) {
        return entry instanceof byte[];
    }

    /** Whether the entry's key equals {@code k[off, off+len)}. Allocation-free. */
    public static boolean keyEquals(Object entry, byte[] k, int off, int len) {
        if (entry instanceof byte[] e) {
            int b = e[KEY_LEN];
            int kLen = b >= 0 ? b : readVarintSlow(e);
            if (kLen != len) {
                return false;
            }
            int keyOff = KEY_LEN + varintSize(kLen)
                    + (((e[FLAGS] & HAS_EXPIRE) != 0) ? EXPIRE_SIZE : 0);
            return Arrays.equals(e, keyOff, keyOff + len, k, off, off + len);
        }
        byte[] key = ((ObjectEntry) entry).key;
        return key.length == len && Arrays.equals(key, 0, len, k, off, off + len);
    }

    /** The array holding the key: the entry itself when packed, else the ObjectEntry's key. */
    public static byte[] keyArray(Object entry) {
        return entry instanceof byte[] e ? e : ((ObjectEntry) entry).key;
    }

    public static int keyOffset(Object entry) {
        return entry instanceof byte[] e ? keyOffset(e) : 0;
    }

    public static int keyLength(Object entry) {
        return entry instanceof byte[] e ? keyLength(e) : ((ObjectEntry) entry).key.length;
    }

    /** A fresh copy of the key (allocates; for replies that outlive the entry, RANDOMKEY...). */
    public static byte[] copyKey(Object entry) {
        if (entry instanceof byte[] e) {
            int off = keyOffset(e);
            return Arrays.copyOfRange(e, off, off + keyLength(e));
        }
        return ((ObjectEntry) entry).key.clone();
    }

    public static boolean hasExpire(Object entry) {
        return entry instanceof byte[] e ? hasExpire(e) : ((ObjectEntry) entry).expireAt != -1;
    }

    public static long expireAt(Object entry) {
        return entry instanceof byte[] e ? expireAt(e) : ((ObjectEntry) entry).expireAt;
    }

    /**
     * The entry with expiry {@code at} (-1 = none). An ObjectEntry is updated in place and
     * returned; a packed entry may come back as a new array. Either way, pass the result to
     * {@link KeyTable#replace(Object, Object, int)} so the table's TTL bookkeeping follows.
     */
    public static Object withExpire(Object entry, long at) {
        if (entry instanceof byte[] e) {
            return withExpire(e, at);
        }
        ((ObjectEntry) entry).expireAt = at;
        return entry;
    }

    /** {@link #withExpire(Object, long)} with -1: the entry without expiry. */
    public static Object withoutExpire(Object entry) {
        return withExpire(entry, -1);
    }

    public static int lru(Object entry) {
        return entry instanceof byte[] e ? lru(e) : ((ObjectEntry) entry).lru;
    }

    public static void setLru(Object entry, int lru) {
        if (entry instanceof byte[] e) {
            setLru(e, lru);
        } else {
            ((ObjectEntry) entry).lru = lru;
        }
    }

    /**
     * Whether a running snapshot has handled this entry already (serialised it, or found it
     * created after the snapshot began). The bit is only meaningful to the snapshot that sets
     * it, which clears every mark again before the next one starts. Copies made by
     * {@link #withExpire} / {@link #withValue} keep it, since they stand for the same key.
     */
    public static boolean snapshotMarked(Object entry) {
        if (entry instanceof byte[] e) {
            return (e[FLAGS] & SNAPSHOT_MARK) != 0;
        }
        return ((ObjectEntry) entry).snapshotMarked();
    }

    /** Sets or clears the snapshot mark (see {@link #snapshotMarked}). */
    public static void snapshotMark(Object entry, boolean on) {
        if (entry instanceof byte[] e) {
            e[FLAGS] = (byte) (on ? e[FLAGS] | SNAPSHOT_MARK : e[FLAGS] & ~SNAPSHOT_MARK);
        } else {
            ((ObjectEntry) entry).snapshotMark(on);
        }
    }

    /**
     * Heap bytes of the entry itself (packed array, or ObjectEntry plus its key array), with
     * compact object headers. An ObjectEntry's value is not included: its owner knows its size.
     */
    public static long footprint(Object entry) {
        if (entry instanceof byte[] e) {
            return arrayBytes(e.length);
        }
        return 32 + arrayBytes(((ObjectEntry) entry).key.length);
    }

    /** Heap size of an array of {@code dataBytes} bytes: 12-byte header, 8-byte alignment. */
    static long arrayBytes(long dataBytes) {
        return (12 + dataBytes + 7) & ~7L;
    }

    // ---------------------------------------------------------------- varint

    static int varintSize(int v) {
        // 7 payload bits per byte; at least one byte even for 0.
        return v < (1 << 7) ? 1 : v < (1 << 14) ? 2 : v < (1 << 21) ? 3 : v < (1 << 28) ? 4 : 5;
    }

    private static void writeVarint(byte[] e, int at, int v) {
        while ((v & ~0x7F) != 0) {
            e[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        e[at] = (byte) v;
    }

    private static int readVarintSlow(byte[] e) {
        int v = 0;
        int shift = 0;
        int at = KEY_LEN;
        while (true) {
            int b = e[at++];
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
            shift += 7;
        }
    }
}
