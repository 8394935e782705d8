package dev.cinnabar.ds;

/**
 * A keyspace entry whose value is an object: lists, hashes, sets, sorted sets, streams, and
 * strings that are large or mutated in place (APPEND/SETRANGE on a big value would otherwise
 * copy the whole packed entry each time).
 *
 * <p>Size with compact object headers and compressed oops: 8 (header) + 4 (key) + 4 (value) +
 * 4 (lru) + 8 (expireAt) = 28, padded to 32 bytes. Keep it that way: a new field costs a full
 * 8 bytes per non-string key.
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

    public ObjectEntry(byte[] key, Object value, long expireAt, int lru) {
        this.key = key;
        this.value = value;
        this.expireAt = expireAt;
        this.lru = lru;
    }

    public ObjectEntry(byte[] key, Object value) {
        this(key, value, -1, 0);
    }

    @Override
    public String toString() {
        return "ObjectEntry[" + new String(key, java.nio.charset.StandardCharsets.ISO_8859_1)
                + (expireAt != -1 ? ", expireAt=" + expireAt : "") + "]";
    }
}
