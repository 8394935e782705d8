package dev.cinnabar.server.testkit;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.type.RedisValue;
import java.nio.charset.StandardCharsets;

/**
 * A value of another type (it says it is a list), stored straight into the keyspace, so a
 * family's WRONGTYPE paths can be tested without depending on the list commands.
 */
public record ForeignValue() implements RedisValue {
    @Override
    public String type() {
        return "list";
    }

    @Override
    public String encoding() {
        return "listpack";
    }

    @Override
    public RedisValue copy() {
        return this;
    }

    /** Stores one under {@code key} (ISO-8859-1) in db 0, without expiry. */
    public static void put(Server server, String key) {
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        server.runLocked(() -> server.db(0).setObject(k, 0, k.length, new ForeignValue(), -1));
    }
}
