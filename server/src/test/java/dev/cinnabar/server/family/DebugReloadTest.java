package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.testkit.ManualClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DEBUG RELOAD: a save to an in-memory RDB image, a flush and a load of that image. */
class DebugReloadTest {
    static ManualClock clock = new ManualClock();
    static Server server;

    @BeforeAll
    static void start() {
        server = TestServers.start(clock, "enable-debug-command yes\n");
        server.runLocked(() -> server.expiry.enabled(false));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void keepsDataDropsExpiredKeysAndReencodes() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("flushall");
            c.call("set", "n", "12");
            c.call("append", "n", "34"); // raw after APPEND; a load gives "int"
            c.call("set", "big", "x".repeat(50));
            c.call("set", "gone", "v", "px", "100");
            c.call("set", "ttl", "v", "ex", "100");
            c.call("select", "1");
            c.call("sadd", "s", "a", "b");
            c.call("select", "0");
            assertThat(c.call("object", "encoding", "n")).isEqualTo("raw");
            Object before = c.call("debug", "digest");
            clock.advance(200);
            assertThat(c.call("debug", "reload")).isEqualTo("OK");
            assertThat(c.call("exists", "gone")).isEqualTo(0L);
            assertThat(c.call("get", "n")).isEqualTo("1234");
            assertThat(c.call("object", "encoding", "n")).isEqualTo("int");
            assertThat(c.call("object", "encoding", "big")).isEqualTo("raw");
            assertThat((Long) c.call("ttl", "ttl")).isPositive();
            assertThat(c.call("select", "1")).isEqualTo("OK");
            assertThat(c.call("smembers", "s")).isEqualTo(List.of("a", "b"));
            assertThat(c.call("debug", "digest")).isNotEqualTo(before); // "gone" is gone
            String persistence = (String) c.call("info", "persistence");
            assertThat(persistence).contains("rdb_changes_since_last_save:0");
        }
    }

    @Test
    void touchesWatchedKeys() throws Exception {
        try (RespClient c = new RespClient(server.port()); RespClient other = new RespClient(server.port())) {
            c.call("flushall");
            c.call("set", "k", "v");
            c.call("watch", "k");
            c.call("multi");
            c.call("get", "k");
            assertThat(other.call("debug", "reload")).isEqualTo("OK");
            assertThat(c.call("exec")).isNull();
        }
    }

    @Test
    void valuesComeBackWithLoadTimeEncodings() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("flushall");
            c.call("hset", "h", "a", "1", "b", "2", "c", "3");
            List<Object> members = new java.util.ArrayList<>(List.of("sadd", "s"));
            for (int i = 0; i < 600; i++) {
                members.add(Integer.toString(i));
            }
            c.call(members.toArray());
            for (int i = 0; i < 590; i++) {
                c.call("srem", "s", Integer.toString(i));
            }
            c.call("rpush", "l", "x".repeat(5000), "y".repeat(5000));
            c.call("rpop", "l");
            assertThat(c.call("object", "encoding", "s")).isEqualTo("hashtable");
            assertThat(c.call("object", "encoding", "l")).isEqualTo("quicklist");
            c.call("config", "set", "hash-max-listpack-entries", "2");
            Object digest = c.call("debug", "digest");
            assertThat(c.call("debug", "reload")).isEqualTo("OK");
            assertThat(c.call("debug", "digest")).isEqualTo(digest);
            // Saved as a listpack blob, converted on load for its count.
            assertThat(c.call("object", "encoding", "h")).isEqualTo("hashtable");
            // Saved member by member, rebuilt compact; a single small node becomes a listpack.
            assertThat(c.call("object", "encoding", "s")).isEqualTo("intset");
            assertThat(c.call("object", "encoding", "l")).isEqualTo("listpack");
            c.call("config", "set", "hash-max-listpack-entries", "512");
        }
    }

    @Test
    void accessTimesSurviveUnderAnLruPolicy() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("flushall");
            c.call("set", "k", "v");
            clock.advance(100_000);
            c.call("config", "set", "maxmemory-policy", "allkeys-lru");
            assertThat(c.call("debug", "reload")).isEqualTo("OK");
            assertThat((Long) c.call("object", "idletime", "k")).isBetween(99L, 101L);
            c.call("config", "set", "maxmemory-policy", "noeviction");
            assertThat(c.call("debug", "reload")).isEqualTo("OK");
            assertThat(c.call("object", "idletime", "k")).isEqualTo(0L);
            c.call("config", "set", "maxmemory-policy", "allkeys-lfu");
            c.call("set", "f", "v");
            for (int i = 0; i < 200; i++) {
                c.call("get", "f");
            }
            Object freq = c.call("object", "freq", "f");
            assertThat((Long) freq).isGreaterThan(5L);
            c.call("debug", "reload");
            assertThat(c.call("object", "freq", "f")).isEqualTo(freq);
            c.call("config", "set", "maxmemory-policy", "noeviction");
        }
    }

    @Test
    void noflushAndMerge() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("flushall");
            c.call("set", "k", "v");
            assertThat(c.call("debug", "reload", "noflush"))
                    .isEqualTo(new RespClient.Err("ERR Error trying to load the RDB dump, check server logs."));
            assertThat(c.call("get", "k")).isEqualTo("v");
            assertThat(c.call("debug", "reload", "noflush", "merge")).isEqualTo("OK");
            assertThat(c.call("get", "k")).isEqualTo("v");
            assertThat(c.call("dbsize")).isEqualTo(1L);
        }
    }
}
