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
}
