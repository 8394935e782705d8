package dev.cinnabar.server.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pub/Sub over the wire: message and confirmation shapes in RESP2 and RESP3 (byte-exact), pattern
 * and shard subscriptions, the RESP2 subscribed-mode restrictions, RESET and disconnect
 * cleanup, introspection (PUBSUB, CLIENT LIST, INFO), pushes to oneself, and delivery across
 * event loops. Mirrors upstream unit/pubsub and unit/pubsubshard.
 */
class PubSubTest {
    static CinnabarServer server;
    final List<RespClient> open = new ArrayList<>();

    @BeforeAll
    static void start() {
        // Several event loops: subscribers and publishers end up on different threads.
        server = CinnabarServer.builder().port(0).config("io-threads", "4").start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (RespClient c : open) {
            c.close();
        }
        open.clear();
        try (RespClient c = client()) {
            waitFor(() -> c.call("PUBSUB", "NUMPAT").equals(0L) && ((List<?>) c.call("PUBSUB", "CHANNELS")).isEmpty()
                    && ((List<?>) c.call("PUBSUB", "SHARDCHANNELS")).isEmpty());
        }
    }

    RespClient client() throws Exception {
        RespClient c = new RespClient(server.port());
        open.add(c);
        return c;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Check check) throws Exception {
        long end = System.currentTimeMillis() + 5000;
        while (!check.ok()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("condition not met in time");
            }
            Thread.sleep(5);
        }
    }

    /** Reads reply lines and compares them with the expected RESP lines. */
    static void expectLines(RespClient c, String... lines) throws Exception {
        List<String> got = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            got.add(c.line());
        }
        assertThat(got).containsExactly(lines);
    }

    @Test
    void resp2ShapesOfConfirmationsAndMessages() throws Exception {
        RespClient sub = client();
        RespClient pub = client();
        sub.send("SUBSCRIBE", "ch1", "ch2");
        expectLines(sub, "*3", "$9", "subscribe", "$3", "ch1", ":1", "*3", "$9", "subscribe", "$3", "ch2", ":2");
        sub.send("PSUBSCRIBE", "c*");
        expectLines(sub, "*3", "$10", "psubscribe", "$2", "c*", ":3");
        assertThat(pub.call("PUBLISH", "ch1", "hello")).isEqualTo(2L);
        expectLines(sub, "*3", "$7", "message", "$3", "ch1", "$5", "hello");
        expectLines(sub, "*4", "$8", "pmessage", "$2", "c*", "$3", "ch1", "$5", "hello");
        sub.send("UNSUBSCRIBE");
        expectLines(sub, "*3", "$11", "unsubscribe", "$3", "ch1", ":2", "*3", "$11", "unsubscribe", "$3", "ch2", ":1");
        sub.send("PUNSUBSCRIBE");
        expectLines(sub, "*3", "$12", "punsubscribe", "$2", "c*", ":0");
        // Nothing to unsubscribe from: one confirmation with a null name.
        sub.send("UNSUBSCRIBE");
        expectLines(sub, "*3", "$11", "unsubscribe", "$-1", ":0");
        assertThat(sub.call("PING")).isEqualTo("PONG");
    }

    @Test
    void resp3UsesPushes() throws Exception {
        RespClient sub = client();
        RespClient pub = client();
        sub.call("HELLO", "3");
        sub.send("SUBSCRIBE", "ch");
        expectLines(sub, ">3", "$9", "subscribe", "$2", "ch", ":1");
        sub.send("PSUBSCRIBE", "*");
        expectLines(sub, ">3", "$10", "psubscribe", "$1", "*", ":2");
        pub.call("PUBLISH", "ch", "m");
        expectLines(sub, ">3", "$7", "message", "$2", "ch", "$1", "m");
        expectLines(sub, ">4", "$8", "pmessage", "$1", "*", "$2", "ch", "$1", "m");
        // RESP3 subscribers may run any command; PING answers normally.
        assertThat(sub.call("SET", "k", "v")).isEqualTo("OK");
        assertThat(sub.call("PING")).isEqualTo("PONG");
        sub.send("PUNSUBSCRIBE", "nope");
        expectLines(sub, ">3", "$12", "punsubscribe", "$4", "nope", ":2");
        sub.send("UNSUBSCRIBE", "ch");
        expectLines(sub, ">3", "$11", "unsubscribe", "$2", "ch", ":1");
        sub.send("PUNSUBSCRIBE");
        expectLines(sub, ">3", "$12", "punsubscribe", "$1", "*", ":0");
        sub.send("SUNSUBSCRIBE");
        expectLines(sub, ">3", "$12", "sunsubscribe", "_", ":0");
    }

    @Test
    void resp2SubscribersMayOnlyManageSubscriptions() throws Exception {
        RespClient sub = client();
        sub.call("SUBSCRIBE", "ch");
        assertThat(sub.call("GET", "x")).isEqualTo(new Err("ERR Can't execute 'get': only (P|S)SUBSCRIBE / "
                + "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"));
        assertThat(sub.call("CLIENT", "ID")).isEqualTo(new Err("ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / "
                + "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"));
        // Unknown commands and wrong arity are reported as such first.
        assertThat(sub.call("NOSUCH")).isInstanceOf(Err.class);
        assertThat(String.valueOf(sub.call("NOSUCH"))).contains("unknown command");
        assertThat(String.valueOf(sub.call("GET"))).contains("wrong number of arguments");
        // PING keeps the pub/sub shape in RESP2.
        assertThat(sub.call("PING")).isEqualTo(List.of("pong", ""));
        assertThat(sub.call("PING", "hi")).isEqualTo(List.of("pong", "hi"));
        assertThat(sub.call("SSUBSCRIBE", "s")).isEqualTo(List.of("ssubscribe", "s", 1L));
        assertThat(sub.call("SUNSUBSCRIBE", "s")).isEqualTo(List.of("sunsubscribe", "s", 0L));
        assertThat(sub.call("UNSUBSCRIBE", "ch")).isEqualTo(List.of("unsubscribe", "ch", 0L));
        // Out of pub/sub mode, everything is allowed again.
        assertThat(sub.call("GET", "x")).isNull();
        assertThat(sub.call("PING")).isEqualTo("PONG");
    }

    @Test
    void resetLeavesPubSubMode() throws Exception {
        RespClient sub = client();
        RespClient pub = client();
        sub.call("SUBSCRIBE", "a");
        sub.send("PSUBSCRIBE", "b*");
        sub.read();
        assertThat(sub.call("RESET")).isEqualTo("RESET");
        assertThat(pub.call("PUBLISH", "a", "x")).isEqualTo(0L);
        assertThat(pub.call("PUBLISH", "bb", "x")).isEqualTo(0L);
        assertThat(sub.call("GET", "x")).isNull();
    }

    @Test
    void disconnectDropsSubscriptions() throws Exception {
        RespClient sub = client();
        RespClient pub = client();
        sub.call("SUBSCRIBE", "gone");
        assertThat(pub.call("PUBSUB", "NUMSUB", "gone")).isEqualTo(List.of("gone", 1L));
        sub.close();
        waitFor(() -> pub.call("PUBLISH", "gone", "x").equals(0L));
        assertThat(pub.call("PUBSUB", "NUMSUB", "gone")).isEqualTo(List.of("gone", 0L));
    }

    @Test
    void patternsFollowGlobRules() throws Exception {
        RespClient sub = client();
        RespClient pub = client();
        sub.call("PSUBSCRIBE", "news.[ab]?");
        sub.send("PSUBSCRIBE", "x\\*y");
        sub.read();
        assertThat(pub.call("PUBLISH", "news.a1", "m")).isEqualTo(1L);
        assertThat(pub.call("PUBLISH", "news.c1", "m")).isEqualTo(0L);
        assertThat(pub.call("PUBLISH", "news.a", "m")).isEqualTo(0L);
        assertThat(pub.call("PUBLISH", "x*y", "m")).isEqualTo(1L);
        assertThat(pub.call("PUBLISH", "xzy", "m")).isEqualTo(0L);
        assertThat(sub.read()).isEqualTo(List.of("pmessage", "news.[ab]?", "news.a1", "m"));
        assertThat(sub.read()).isEqualTo(List.of("pmessage", "x\\*y", "x*y", "m"));
    }

    @Test
    void introspection() throws Exception {
        RespClient s1 = client();
        RespClient s2 = client();
        RespClient s3 = client();
        RespClient admin = client();
        s1.call("SUBSCRIBE", "foo");
        s1.send("SUBSCRIBE", "bar");
        s1.read();
        s2.call("SUBSCRIBE", "foo");
        s2.send("PSUBSCRIBE", "f*");
        s2.read();
        s3.call("PSUBSCRIBE", "f*");
        s3.send("SSUBSCRIBE", "shard");
        s3.read();
        assertThat(admin.call("PUBSUB", "NUMSUB", "foo", "bar", "none")).isEqualTo(List.of("foo", 2L, "bar", 1L, "none", 0L));
        assertThat(admin.call("PUBSUB", "NUMSUB")).isEqualTo(List.of());
        assertThat(admin.call("PUBSUB", "NUMPAT")).isEqualTo(1L);
        assertThat(new java.util.TreeSet<Object>((List<?>) admin.call("PUBSUB", "CHANNELS"))).containsExactly("bar", "foo");
        assertThat(admin.call("PUBSUB", "CHANNELS", "b*")).isEqualTo(List.of("bar"));
        assertThat(admin.call("PUBSUB", "SHARDCHANNELS")).isEqualTo(List.of("shard"));
        assertThat(admin.call("PUBSUB", "SHARDNUMSUB", "shard", "foo")).isEqualTo(List.of("shard", 1L, "foo", 0L));
        assertThat(admin.call("PUBSUB", "CHANNELS", "a", "b")).isEqualTo(new Err(
                "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP."));
        String info = (String) admin.call("INFO", "stats");
        assertThat(info).contains("pubsub_channels:2\r\n", "pubsub_patterns:1\r\n", "pubsubshard_channels:1\r\n");
        String list = (String) admin.call("CLIENT", "LIST");
        assertThat(list).contains("flags=P db=0 sub=2 psub=0 ssub=0 ", "flags=P db=0 sub=1 psub=1 ssub=0 ",
                "flags=P db=0 sub=0 psub=1 ssub=1 ");
        assertThat((String) admin.call("CLIENT", "LIST", "TYPE", "pubsub")).hasLineCount(3);
        // Publishing counts channel and pattern receivers; shard channels are separate.
        assertThat(admin.call("PUBLISH", "foo", "x")).isEqualTo(4L);
        assertThat(admin.call("SPUBLISH", "shard", "x")).isEqualTo(1L);
        assertThat(admin.call("SPUBLISH", "foo", "x")).isEqualTo(0L);
        assertThat(admin.call("PUBLISH", "shard", "x")).isEqualTo(0L);
        assertThat(s3.read()).isEqualTo(List.of("pmessage", "f*", "foo", "x"));
        assertThat(s3.read()).isEqualTo(List.of("smessage", "shard", "x"));
    }

    @Test
    void subscribeRepliesSurviveClientReplyOff() throws Exception {
        RespClient sub = client();
        RespClient pub = client();
        sub.call("HELLO", "3");
        sub.send("CLIENT", "REPLY", "OFF");
        sub.send("SUBSCRIBE", "ch");
        assertThat(sub.read()).isEqualTo(List.of("subscribe", "ch", 1L));
        sub.send("PING");
        pub.call("PUBLISH", "ch", "hello");
        assertThat(sub.read()).isEqualTo(List.of("message", "ch", "hello"));
        sub.send("UNSUBSCRIBE", "ch");
        assertThat(sub.read()).isEqualTo(List.of("unsubscribe", "ch", 0L));
    }

    @Test
    void pushesToOneselfFollowTheReply() throws Exception {
        RespClient c = client();
        c.call("HELLO", "3");
        c.call("SUBSCRIBE", "foo");
        assertThat(c.call("MULTI")).isEqualTo("OK");
        assertThat(c.call("PING", "abc")).isEqualTo("QUEUED");
        assertThat(c.call("PUBLISH", "foo", "bar")).isEqualTo("QUEUED");
        assertThat(c.call("PUBLISH", "foo", "vaz")).isEqualTo("QUEUED");
        assertThat(c.call("PING", "def")).isEqualTo("QUEUED");
        assertThat(c.call("EXEC")).isEqualTo(List.of("abc", 1L, 1L, "def"));
        assertThat(c.read()).isEqualTo(List.of("message", "foo", "bar"));
        assertThat(c.read()).isEqualTo(List.of("message", "foo", "vaz"));
        // A pipelined PUBLISH to oneself: reply, then the message, then the next reply.
        c.send("PUBLISH", "foo", "one");
        c.send("PING", "after");
        assertThat(c.read()).isEqualTo(1L);
        assertThat(c.read()).isEqualTo(List.of("message", "foo", "one"));
        assertThat(c.read()).isEqualTo("after");
        // Unsubscribing inside MULTI: the confirmations are elements of the EXEC reply.
        c.send("SUBSCRIBE", "bar", "baz");
        c.read();
        c.read();
        c.call("MULTI");
        c.call("UNSUBSCRIBE", "bar");
        c.call("UNSUBSCRIBE", "baz");
        assertThat(c.call("EXEC")).isEqualTo(List.of(List.of("unsubscribe", "bar", 2L), List.of("unsubscribe", "baz", 1L)));
        assertThat(c.call("PUBLISH", "foo", "vaz")).isEqualTo(1L);
        assertThat(c.read()).isEqualTo(List.of("message", "foo", "vaz"));
    }

    @Test
    void manySubscribersOnSeveralLoopsGetEveryMessageInOrder() throws Exception {
        int subscribers = 8;
        int messages = 2000;
        List<RespClient> subs = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            RespClient s = client();
            s.call(i % 2 == 0 ? "SUBSCRIBE" : "PSUBSCRIBE", i % 2 == 0 ? "load" : "lo*");
            subs.add(s);
        }
        RespClient pub = client();
        for (int m = 0; m < messages; m++) {
            pub.send("PUBLISH", "load", "m" + m);
        }
        for (int m = 0; m < messages; m++) {
            assertThat(pub.read()).isEqualTo((long) subscribers);
        }
        for (int i = 0; i < subscribers; i++) {
            RespClient s = subs.get(i);
            for (int m = 0; m < messages; m++) {
                List<?> msg = (List<?>) s.read();
                assertThat(msg.get(msg.size() - 1)).isEqualTo("m" + m);
            }
        }
    }

    @Test
    void subscribeAndUnsubscribeArityAndRepeats() throws Exception {
        RespClient c = client();
        assertThat(c.call("SUBSCRIBE")).isEqualTo(new Err("ERR wrong number of arguments for 'subscribe' command"));
        assertThat(c.call("PUBLISH", "a")).isEqualTo(new Err("ERR wrong number of arguments for 'publish' command"));
        c.send("SUBSCRIBE", "x", "x", "x");
        assertThat(List.of(c.read(), c.read(), c.read())).containsExactly(List.of("subscribe", "x", 1L),
                List.of("subscribe", "x", 1L), List.of("subscribe", "x", 1L));
        c.send("UNSUBSCRIBE", "y", "x", "x");
        assertThat(List.of(c.read(), c.read(), c.read())).containsExactly(List.of("unsubscribe", "y", 1L),
                List.of("unsubscribe", "x", 0L), List.of("unsubscribe", "x", 0L));
    }
}
