package dev.cinnabar.server.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client-side caching over the wire (mirrors upstream unit/tracking): RESP3 invalidation pushes
 * and their place after the command's reply (and after EXEC's), RESP2 redirection through
 * {@code __redis__:invalidate}, broken redirections, BCAST prefixes, OPTIN/OPTOUT with CLIENT
 * CACHING, NOLOOP, flush invalidations, the tracking-table-max-keys limit, introspection and
 * the error texts.
 */
class ClientTrackingTest {
    static CinnabarServer server;
    final List<RespClient> open = new ArrayList<>();

    @BeforeAll
    static void start() {
        // Several event loops: invalidations cross threads.
        server = CinnabarServer.builder().port(0).config("io-threads", "4").enableDebugCommand(true).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void cleanup() throws Exception {
        for (RespClient c : open) {
            c.close();
        }
        open.clear();
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "tracking-table-max-keys", "1000000");
            c.call("FLUSHALL");
            long end = System.currentTimeMillis() + 5000;
            while (!info(c, "tracking_clients").equals("0") && System.currentTimeMillis() < end) {
                Thread.sleep(5);
            }
        }
    }

    RespClient client() throws Exception {
        RespClient c = new RespClient(server.port());
        open.add(c);
        return c;
    }

    RespClient resp3() throws Exception {
        RespClient c = client();
        c.call("HELLO", "3");
        return c;
    }

    static String info(RespClient c, String field) throws Exception {
        return String.valueOf(c.call("INFO")).lines().filter(l -> l.startsWith(field + ":"))
                .map(l -> l.substring(field.length() + 1).trim()).findFirst().orElseThrow();
    }

    static List<Object> invalidate(String... keys) {
        return List.of("invalidate", Arrays.asList((Object[]) keys));
    }

    @Test
    void resp3PushWhenAnotherClientModifiesAReadKey() throws Exception {
        RespClient c = resp3();
        RespClient w = client();
        assertThat(c.call("CLIENT", "TRACKING", "on")).isEqualTo("OK");
        w.call("SET", "a", "1");
        w.call("SET", "b", "1");
        assertThat(c.call("GET", "a")).isEqualTo("1");
        w.call("INCR", "b"); // never read: no message
        w.call("INCR", "a");
        assertThat(c.readPush()).isEqualTo(invalidate("a"));
        // Told once: the key is no longer tracked until read again.
        w.call("INCR", "a");
        assertThat(c.call("PING")).isEqualTo("PONG");
        assertThat(c.call("MGET", "a", "b")).isEqualTo(List.of("3", "2"));
        w.call("DEL", "a", "b");
        List<Object> first = c.readPush();
        List<Object> second = c.readPush();
        assertThat(List.of(first, second)).containsExactlyInAnyOrder(invalidate("a"), invalidate("b"));
    }

    @Test
    void ownWritesAreInvalidatedAfterTheReply() throws Exception {
        RespClient c = resp3();
        c.call("CLIENT", "TRACKING", "on");
        c.call("HSET", "h", "f", "1");
        c.call("HGET", "h", "f");
        assertThat(c.call("HDEL", "h", "f")).isEqualTo(1L);
        assertThat(c.readPush()).isEqualTo(invalidate("h"));

        c.call("MSET", "a", "1", "b", "2");
        c.call("GET", "a");
        c.call("MULTI");
        c.call("INCR", "a");
        c.call("GET", "b");
        assertThat(c.call("EXEC")).isEqualTo(List.of(2L, "2"));
        assertThat(c.readPush()).isEqualTo(invalidate("a"));

        // FLUSHDB inside MULTI: the "everything" message (null) after EXEC's reply.
        c.call("GET", "a");
        c.call("MULTI");
        c.call("FLUSHDB");
        assertThat(c.call("EXEC")).isEqualTo(List.of("OK"));
        assertThat(c.readPush()).isEqualTo(Arrays.asList("invalidate", null));
    }

    @Test
    void resp2RedirectionPublishesOnTheInvalidateChannel() throws Exception {
        RespClient redir = client();
        long redirId = (Long) redir.call("CLIENT", "ID");
        redir.call("SUBSCRIBE", "__redis__:invalidate");
        RespClient c = client();
        RespClient w = client();
        assertThat(c.call("CLIENT", "TRACKING", "on", "REDIRECT", redirId)).isEqualTo("OK");
        assertThat(c.call("CLIENT", "GETREDIR")).isEqualTo(redirId);
        c.call("GET", "k");
        w.call("SET", "k", "v");
        assertThat(redir.read()).isEqualTo(List.of("message", "__redis__:invalidate", List.of("k")));
        c.call("GET", "k");
        w.call("FLUSHALL");
        assertThat(redir.read()).isEqualTo(Arrays.asList("message", "__redis__:invalidate", null));
        String line = String.valueOf(c.call("CLIENT", "INFO"));
        assertThat(line).contains(" flags=t ").contains(" redir=" + redirId + " ");
    }

    @Test
    void brokenRedirectionIsReported() throws Exception {
        RespClient redir = client();
        long redirId = (Long) redir.call("CLIENT", "ID");
        RespClient c = resp3();
        RespClient w = client();
        c.call("CLIENT", "TRACKING", "on", "REDIRECT", redirId);
        c.call("GET", "k");
        redir.call("QUIT");
        long end = System.currentTimeMillis() + 5000;
        while (String.valueOf(w.call("CLIENT", "LIST")).contains("id=" + redirId + " ")
                && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        w.call("SET", "k", "v");
        assertThat(c.readPush()).isEqualTo(List.of("tracking-redir-broken", redirId));
        @SuppressWarnings("unchecked")
        Map<Object, Object> info = (Map<Object, Object>) c.call("CLIENT", "TRACKINGINFO");
        assertThat(info.get("flags")).asString().contains("on").contains("broken_redirect");
        assertThat(info.get("redirect")).isEqualTo(redirId);
        assertThat(String.valueOf(c.call("CLIENT", "INFO"))).contains(" flags=tR ");
    }

    @Test
    void bcastSendsOneMessagePerPrefix() throws Exception {
        RespClient c = resp3();
        RespClient w = client();
        assertThat(c.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:", "PREFIX", "b:")).isEqualTo("OK");
        w.call("MULTI");
        w.call("INCR", "a:2");
        w.call("INCR", "a:1");
        w.call("INCR", "b:1");
        w.call("INCR", "c:1");
        w.call("EXEC");
        List<Object> first = c.readPush();
        List<Object> second = c.readPush();
        // Keys of a prefix come in byte order.
        assertThat(List.of(first, second)).containsExactlyInAnyOrder(invalidate("a:1", "a:2"), invalidate("b:1"));
        assertThat(info(w, "tracking_total_prefixes")).isEqualTo("2");
        assertThat(String.valueOf(c.call("CLIENT", "INFO"))).contains(" flags=tB ");
        // Prefixes accumulate; overlaps are refused with Redis's texts.
        assertThat(c.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "c:")).isEqualTo("OK");
        assertThat(c.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a")).isEqualTo(new Err(
                "ERR Prefix 'a' overlaps with an existing prefix 'a:'. Prefixes for a single client must not overlap."));
        RespClient d = client();
        assertThat(d.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FOOBAR", "PREFIX", "FOO")).isEqualTo(new Err(
                "ERR Prefix 'FOOBAR' overlaps with another provided prefix 'FOO'. "
                        + "Prefixes for a single client must not overlap."));
        @SuppressWarnings("unchecked")
        Map<Object, Object> info = (Map<Object, Object>) c.call("CLIENT", "TRACKINGINFO");
        assertThat(info.get("prefixes")).isEqualTo(List.of("a:", "b:", "c:"));
    }

    @Test
    void noloopSkipsTheClientsOwnChanges() throws Exception {
        RespClient c = resp3();
        RespClient w = client();
        c.call("CLIENT", "TRACKING", "on", "NOLOOP");
        c.call("MGET", "x", "own");
        c.call("SET", "own", "1");
        w.call("SET", "x", "1");
        assertThat(c.readPush()).isEqualTo(invalidate("x"));
        c.call("CLIENT", "TRACKING", "off");
        c.call("CLIENT", "TRACKING", "on", "BCAST", "NOLOOP");
        c.call("SET", "own", "2");
        w.call("SET", "other", "1");
        assertThat(c.readPush()).isEqualTo(invalidate("other"));
        assertThat(c.call("PING")).isEqualTo("PONG");
    }

    @Test
    void optinAndOptoutFollowClientCaching() throws Exception {
        RespClient c = resp3();
        RespClient w = client();
        c.call("CLIENT", "TRACKING", "on", "OPTIN");
        c.call("GET", "notcached");
        assertThat(c.call("CLIENT", "CACHING", "yes")).isEqualTo("OK");
        c.call("GET", "cached");
        c.call("GET", "notcached2"); // CACHING applied to one command only
        w.call("MSET", "notcached", "1", "notcached2", "1");
        w.call("SET", "cached", "1");
        assertThat(c.readPush()).isEqualTo(invalidate("cached"));

        c.call("CLIENT", "TRACKING", "off");
        c.call("CLIENT", "TRACKING", "on", "OPTOUT");
        c.call("CLIENT", "CACHING", "no");
        c.call("GET", "skipped");
        c.call("GET", "tracked");
        w.call("SET", "skipped", "1");
        w.call("SET", "tracked", "1");
        assertThat(c.readPush()).isEqualTo(invalidate("tracked"));
    }

    @Test
    void trackingTableMaxKeysEvictsWithInvalidations() throws Exception {
        RespClient c = resp3();
        RespClient w = client();
        c.call("CLIENT", "TRACKING", "on");
        for (int i = 0; i < 150; i++) {
            c.call("GET", "key" + i);
        }
        assertThat(info(w, "tracking_total_keys")).isEqualTo("150");
        assertThat(info(w, "tracking_total_items")).isEqualTo("150");
        w.call("CONFIG", "SET", "tracking-table-max-keys", "1");
        // The next commands (or the cron) drop rows until one is left, each with a message.
        for (int i = 0; i < 149; i++) {
            List<Object> m = c.readPush();
            assertThat(m.get(0)).isEqualTo("invalidate");
        }
        assertThat(c.call("PING")).isEqualTo("PONG");
        assertThat(info(w, "tracking_total_keys")).isEqualTo("1");
    }

    @Test
    void introspectionAndErrors() throws Exception {
        RespClient c = client();
        assertThat(c.call("CLIENT", "GETREDIR")).isEqualTo(-1L);
        assertThat(c.call("CLIENT", "TRACKINGINFO")).isEqualTo(List.of("flags", List.of("off"), "redirect", -1L,
                "prefixes", List.of()));
        assertThat(c.call("CLIENT", "TRACKING", "on", "PREFIX", "a")).isEqualTo(
                new Err("ERR PREFIX option requires BCAST mode to be enabled"));
        assertThat(c.call("CLIENT", "TRACKING", "on", "BCAST", "OPTIN")).isEqualTo(
                new Err("ERR OPTIN and OPTOUT are not compatible with BCAST"));
        assertThat(c.call("CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT")).isEqualTo(
                new Err("ERR You can't specify both OPTIN mode and OPTOUT mode"));
        assertThat(c.call("CLIENT", "TRACKING", "on", "REDIRECT", "999999")).isEqualTo(
                new Err("ERR The client ID you want redirect to does not exist"));
        assertThat(c.call("CLIENT", "TRACKING", "on", "REDIRECT", "1", "REDIRECT", "2")).isInstanceOf(Err.class);
        assertThat(c.call("CLIENT", "TRACKING", "maybe")).isEqualTo(new Err("ERR syntax error"));
        assertThat(c.call("CLIENT", "CACHING", "yes")).isEqualTo(new Err("ERR CLIENT CACHING can be called only "
                + "when the client is in tracking mode with OPTIN or OPTOUT mode enabled"));
        c.call("CLIENT", "TRACKING", "on");
        assertThat(c.call("CLIENT", "GETREDIR")).isEqualTo(0L);
        assertThat(c.call("CLIENT", "CACHING", "yes")).isEqualTo(
                new Err("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."));
        assertThat(c.call("CLIENT", "TRACKING", "on", "BCAST")).isEqualTo(new Err("ERR You can't switch BCAST mode "
                + "on/off before disabling tracking for this client, and then re-enabling it with a different mode."));
        assertThat(info(c, "tracking_clients")).isEqualTo("1");
        c.call("RESET");
        assertThat(info(c, "tracking_clients")).isEqualTo("0");
    }

    /** unit/tracking "Tracking only occurs for scripts when a command calls a read-only command". */
    @Test
    void scriptsTrackOnlyWhatTheirCommandsRead() throws Exception {
        RespClient c = resp3();
        RespClient w = client();
        c.call("CLIENT", "TRACKING", "on");
        w.call("MSET", "k1", "1", "k2", "1");
        c.call("EVAL_RO", "return redis.call('ping')", "2", "k1", "k2"); // declared keys, none read
        w.call("MSET", "k1", "2", "k2", "2");
        assertThat(c.call("PING")).isEqualTo("PONG"); // no invalidation came first
        c.call("EVAL_RO", "return redis.call('get', 'k2')", "2", "k1", "k2");
        w.call("MSET", "k1", "3", "k2", "3");
        assertThat(c.readPush()).isEqualTo(invalidate("k2"));
        assertThat(c.call("PING")).isEqualTo("PONG");
    }
}
