package dev.cinnabar.server.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keyspace notifications that the differential test cannot pin: active expiry, masks, channel
 * names of other databases, and the order of a client's own notifications relative to its
 * replies. Mirrors the keyspace tests of upstream unit/pubsub.
 */
class KeyspaceNotificationsTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create()
            .afterEachTest("CONFIG", "SET", "notify-keyspace-events", "")
            .afterEachTest("FLUSHALL");

    @Test
    void keyspaceAndKeyeventChannels() throws Exception {
        try (RespClient sub = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "notify-keyspace-events", "KEA");
            sub.call("PSUBSCRIBE", "*");
            c.call("SELECT", "5");
            c.call("SET", "foo", "bar");
            assertThat(sub.read()).isEqualTo(List.of("pmessage", "*", "__keyspace@5__:foo", "set"));
            assertThat(sub.read()).isEqualTo(List.of("pmessage", "*", "__keyevent@5__:set", "foo"));
        }
    }

    @Test
    void masksSelectClassesAndChannelKinds() throws Exception {
        try (RespClient sub = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            sub.call("PSUBSCRIBE", "*");
            c.call("CONFIG", "SET", "notify-keyspace-events", "Kh");
            c.call("SET", "s", "1"); // string class not enabled
            c.call("HSET", "h", "f", "1");
            c.call("CONFIG", "SET", "notify-keyspace-events", "Eg");
            c.call("HSET", "h", "f", "2"); // hash class no longer enabled
            c.call("DEL", "h");
            c.call("CONFIG", "SET", "notify-keyspace-events", "");
            c.call("SET", "t", "1");
            c.call("PUBLISH", "done", "x");
            assertThat(sub.read()).isEqualTo(List.of("pmessage", "*", "__keyspace@0__:h", "hset"));
            assertThat(sub.read()).isEqualTo(List.of("pmessage", "*", "__keyevent@0__:del", "h"));
            assertThat(sub.read()).isEqualTo(List.of("pmessage", "*", "done", "x"));
        }
    }

    @Test
    void newKeyEventsOnlyOnCreation() throws Exception {
        try (RespClient sub = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "notify-keyspace-events", "En");
            sub.call("PSUBSCRIBE", "*");
            c.call("SET", "foo", "bar");
            c.call("SET", "foo", "baz");
            c.call("SET", "bar", "bar");
            assertThat(sub.read()).isEqualTo(List.of("pmessage", "*", "__keyevent@0__:new", "foo"));
            assertThat(sub.read()).isEqualTo(List.of("pmessage", "*", "__keyevent@0__:new", "bar"));
        }
    }

    @Test
    void activeExpiryNotifiesExpired() throws Exception {
        try (RespClient sub = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "notify-keyspace-events", "Ex");
            sub.call("PSUBSCRIBE", "*");
            c.call("PSETEX", "foo", "50", "1");
            // Nobody touches the key: only the active cycle can delete it.
            assertThat(sub.read()).isEqualTo(List.of("pmessage", "*", "__keyevent@0__:expired", "foo"));
            assertThat(c.call("DBSIZE")).isEqualTo(0L);
        }
    }

    @Test
    void ownNotificationsFollowTheReply() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("HELLO", "3");
            c.call("CONFIG", "SET", "notify-keyspace-events", "E$");
            c.call("SUBSCRIBE", "__keyevent@0__:set");
            c.send("SET", "a", "1");
            c.send("GET", "a");
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.read()).isEqualTo(List.of("message", "__keyevent@0__:set", "a"));
            assertThat(c.read()).isEqualTo("1");
            // Inside a transaction all of them come after the EXEC reply.
            c.call("MULTI");
            c.call("SET", "b", "1");
            c.call("SET", "c", "1");
            assertThat(c.call("EXEC")).isEqualTo(List.of("OK", "OK"));
            assertThat(c.read()).isEqualTo(List.of("message", "__keyevent@0__:set", "b"));
            assertThat(c.read()).isEqualTo(List.of("message", "__keyevent@0__:set", "c"));
        }
    }

    @Test
    void subscriberWithRepliesOffStillGetsEvents() throws Exception {
        try (RespClient sub = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "notify-keyspace-events", "KA");
            sub.send("CLIENT", "REPLY", "OFF");
            sub.send("PSUBSCRIBE", "*");
            assertThat(sub.read()).isEqualTo(List.of("psubscribe", "*", 1L));
            c.call("SET", "foo", "bar");
            assertThat(sub.read()).isEqualTo(List.of("pmessage", "*", "__keyspace@0__:foo", "set"));
        }
    }
}
