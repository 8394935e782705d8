package dev.cinnabar.server.type;

/**
 * A value held in an {@code ObjectEntry} (every type but small plain strings, which live
 * packed inside their entry). Implementations know nothing about clients or replies.
 */
public interface RedisValue {
    /** The TYPE reply: "string", "list", "set", "zset", "hash", "stream". */
    String type();

    /** The OBJECT ENCODING reply, with Redis's names. */
    String encoding();

    /** A deep copy (COPY command). */
    RedisValue copy();

    /**
     * Heap bytes held by the value (MEMORY USAGE). Types may estimate from {@code samples}
     * elements of a large collection (0 = look at all of them), as Redis does.
     */
    default long memoryUsage(long samples) {
        return 16;
    }

    /** Nodes a value whose size is estimated by sampling may look at for {@link #accountedBytes}. */
    int ACCOUNTING_SAMPLES = 8;

    /**
     * Heap bytes of the value for the maxmemory accounting, which asks again after every change
     * of the value ({@code Database.modified}): it must be O(1) or look at a small fixed sample,
     * and give the same answer for the same contents, since the keyspace subtracts exactly what
     * it last added when the key goes away.
     */
    default long accountedBytes() {
        return memoryUsage(ACCOUNTING_SAMPLES);
    }
}
