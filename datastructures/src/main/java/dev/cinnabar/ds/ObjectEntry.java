package dev.cinnabar.ds;

/**
 * A keyspace entry whose value is an object: lists, hashes, sets, sorted sets, streams, and
 * strings that are large or mutated in place (APPEND/SETRANGE on a big value would otherwise
 * copy the whole packed entry each time).
 *
 * <p>Size with compact object headers and compressed oops: 8 (header) + 4 (key) + 4 (value) +
 * 4 (lru) + 4 (accounted) + 8 (expireAt) = 32 bytes, no padding left. Keep it that way: a new
 * field costs a full 8 bytes per non-string key.
 *
 * <p>The fields are mutable so that TOUCH/OBJECT access and EXPIRE do not allocate. Changing
 * {@link #expireAt} between "none" and "some" while the entry is in a {@link KeyTable} must be
 * followed by {@link KeyTable#replace(Object, Object, int)} with the entry as both arguments, so
 * the table's TTL bit and expire count follow.
 */
public final class ObjectEntry {
    /** The key, exactly its bytes (never a slice of a larger array). */
    public final byte[] key;
    public Object value;
    /** Absolute expiry in Unix ms, or -1 for none. */
    public long expireAt;
    /** LRU clock or LFU data, as for packed entries. */
    public int lru;
    /**
     * The value's size as last counted by the keyspace's memory accounting (see
     * {@link #accounted()}), so that removing the entry subtracts exactly what was added, and
     * in its top bit the snapshot mark ({@link Entries#snapshotMarked}): the object has no
     * padding left for a separate field.
     */
    private int accounted;

    private static final int MARK = 0x8000_0000;
    /** Below MARK: set when the size is held in KiB (values of 1 GiB and more). */
    private static final int KIB = 0x4000_0000;
    private static final int SIZE = KIB - 1;

    public ObjectEntry(byte[] key, Object value, long expireAt, int lru) {
        this.key = key;
        this.value = value;
        this.expireAt = expireAt;
        this.lru = lru;
    }

    public ObjectEntry(byte[] key, Object value) {
        this(key, value, -1, 0);
    }

    /**
     * Value bytes the keyspace counted for this entry. Sizes below 1 GiB are stored exactly,
     * larger ones in KiB (up to 1 TiB), which keeps the field an int beside the mark bit.
     */
    public long accounted() {
        int a = accounted;
        return (a & KIB) == 0 ? a & SIZE : (long) (a & SIZE) << 10;
    }

    /** Records the counted value size; returns what {@link #accounted()} will now report. */
    public long accounted(long bytes) {
        long b = Math.max(0, bytes);
        int v = b < KIB ? (int) b : KIB | (int) Math.min(b >>> 10, SIZE);
        accounted = (accounted & MARK) | v;
        return accounted();
    }

    boolean snapshotMarked() {
        return accounted < 0;
    }

    void snapshotMark(boolean on) {
        accounted = on ? accounted | MARK : accounted & ~MARK;
    }

    @Override
    public String toString() {
        return "ObjectEntry[" + new String(key, java.nio.charset.StandardCharsets.ISO_8859_1)
                + (expireAt != -1 ? ", expireAt=" + expireAt : "") + "]";
    }
}
