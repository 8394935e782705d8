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

/** DEBUG RELOAD without a file: what a save, flush and load would leave behind. */
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
}
