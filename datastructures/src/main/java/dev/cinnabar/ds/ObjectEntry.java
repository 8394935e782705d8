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
     * {@link #accounted()}), so that removing the entry subtracts exactly what was added.
     */
    private int accounted;

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
     * Value bytes the keyspace counted for this entry. Sizes up to 1 GiB are stored exactly,
     * larger ones in KiB (as a negative number), which keeps the field an int.
     */
    public long accounted() {
        int a = accounted;
        return a >= 0 ? a : -(long) a << 10;
    }

    /** Records the counted value size; returns what {@link #accounted()} will now report. */
    public long accounted(long bytes) {
        accounted = bytes < (1 << 30) ? (int) Math.max(0, bytes) : (int) -Math.min(bytes >>> 10, Integer.MAX_VALUE);
        return accounted();
    }

    @Override
    public String toString() {
        return "ObjectEntry[" + new String(key, java.nio.charset.StandardCharsets.ISO_8859_1)
                + (expireAt != -1 ? ", expireAt=" + expireAt : "") + "]";
    }
}
