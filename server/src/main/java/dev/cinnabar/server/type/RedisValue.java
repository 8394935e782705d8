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
}
