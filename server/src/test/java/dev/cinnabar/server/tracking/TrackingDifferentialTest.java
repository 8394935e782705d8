package dev.cinnabar.server.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.ReferencePair;
import dev.cinnabar.server.testkit.RespClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client-side caching compared with a real redis-server: a tracking client (RESP3, or RESP2
 * with a subscribed redirection client) and a writer run the same script on both servers; every
 * reply and every push the tracking side receives is recorded in order. Skipped when
 * {@code redis-server} is not installed.
 */
class TrackingDifferentialTest {
    @RegisterExtension
    static final ReferencePair servers = ReferencePair.create();

    /**
     * Runs {@code steps} ("c ..." on the tracking client, "w ..." on the writer). After each
     * step the tracking client (and the redirection client, when there is one) is drained with
     * a PING, so asynchronous invalidations land at a fixed place in the record.
     */
    static List<String> run(int port, boolean resp2Redirect, String... steps) throws Exception {
        List<String> out = new ArrayList<>();
        try (RespClient c = new RespClient(port); RespClient w = new RespClient(port);
                RespClient redir = new RespClient(port)) {
            w.call("FLUSHALL");
            w.call("CONFIG", "SET", "tracking-table-max-keys", "0");
            String redirId = String.valueOf(redir.call("CLIENT", "ID"));
            if (resp2Redirect) {
                redir.call("SUBSCRIBE", "__redis__:invalidate");
            } else {
                c.call("HELLO", "3");
            }
            for (String step : steps) {
                String[] a = step.replace("$REDIR", redirId).split(" ");
                RespClient target = a[0].equals("c") ? c : w;
                Object[] cmd = java.util.Arrays.copyOfRange(a, 1, a.length, Object[].class);
                target.send(cmd);
                out.add(step + " => " + target.read());
                drain(c, "c", out);
                if (resp2Redirect) {
                    drain(redir, "redir", out);
                }
            }
            c.call("CLIENT", "TRACKING", "off");
        }
        return out;
    }

    private static void drain(RespClient x, String who, List<String> out) throws Exception {
        x.send("PING", "sync");
        while (true) {
            Object m = x.read();
            if ("sync".equals(m) || (m instanceof List<?> l && l.size() == 2 && "pong".equals(l.get(0)))) {
                return;
            }
            out.add(who + " got " + m);
        }
    }

    private static void compare(boolean resp2Redirect, String... steps) throws Exception {
        List<String> expected = run(servers.redisPort(), resp2Redirect, steps);
        List<String> actual = run(servers.cinnabarPort(), resp2Redirect, steps);
        assertThat(expected).anyMatch(l -> l.contains(" got "));
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    @Test
    void defaultModeResp3() throws Exception {
        compare(false,
                "c CLIENT TRACKING on", "w SET a 1", "w SET b 1", "c GET a", "w INCR b", "w INCR a", "w INCR a",
                "c MGET a b c", "w DEL a c", "w SET b 2", "c GET b", "c SET b 3", "c HSET h f 1", "c HGET h f",
                "c HDEL h f", "c GET x", "w FLUSHDB", "c CLIENT TRACKINGINFO", "c CLIENT GETREDIR",
                "c CLIENT TRACKING off", "c GET y", "w SET y 1");
    }

    @Test
    void optinOptoutAndNoloop() throws Exception {
        compare(false,
                "c CLIENT TRACKING on OPTIN", "c GET a", "c CLIENT CACHING yes", "c GET b", "c GET c",
                "w MSET a 1 b 1 c 1", "c CLIENT CACHING no", "c CLIENT TRACKING off",
                "c CLIENT TRACKING on OPTOUT NOLOOP", "c CLIENT CACHING no", "c GET a", "c GET b", "c SET b 2",
                "w SET a 2", "c GET a", "w SET a 3", "c CLIENT TRACKINGINFO", "c CLIENT CACHING yes");
    }

    @Test
    void bcastPrefixes() throws Exception {
        compare(false,
                "c CLIENT TRACKING on BCAST PREFIX a: PREFIX b:", "w SET a:1 1", "w MSET b:2 1 b:1 1 c:1 1",
                "c CLIENT TRACKING on BCAST PREFIX c:", "w SET c:9 1", "c CLIENT TRACKING on BCAST PREFIX a",
                "c CLIENT TRACKING on BCAST PREFIX x PREFIX xy", "c CLIENT TRACKING on", "c CLIENT TRACKINGINFO",
                "c CLIENT TRACKING off", "c CLIENT TRACKING on BCAST NOLOOP", "c SET own 1", "w SET other 1",
                "c CLIENT TRACKINGINFO");
    }

    @Test
    void resp2Redirection() throws Exception {
        compare(true,
                "c CLIENT TRACKING on REDIRECT $REDIR", "c GET k", "w SET k 1", "c GET k", "c SET k 2",
                "c MGET k j", "w FLUSHALL", "c CLIENT TRACKING on BCAST REDIRECT $REDIR",
                "c CLIENT TRACKING off", "c CLIENT TRACKING on BCAST REDIRECT $REDIR PREFIX p", "w SET pq 1",
                "c CLIENT TRACKING off", "c CLIENT TRACKING on REDIRECT 0",
                "c GET k", "w SET k 3");
    }
}
