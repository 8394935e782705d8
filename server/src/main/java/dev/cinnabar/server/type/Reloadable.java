package dev.cinnabar.server.type;

import dev.cinnabar.server.config.ServerConfig;

/**
 * A value type whose encoding can change through an RDB save and load: DEBUG RELOAD replaces
 * the value with {@link #reloaded}, the value as Redis would build it while loading (for
 * example a hash-table set small enough again comes back as an intset or listpack). Types that
 * do not implement this keep their value unchanged across DEBUG RELOAD.
 */
public interface Reloadable {
    RedisValue reloaded(ServerConfig config);
}
