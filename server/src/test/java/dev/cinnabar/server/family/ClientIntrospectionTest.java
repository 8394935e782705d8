package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CLIENT LIST field values, CLIENT KILL filters, reply buffer sizing (upstream
 * unit/replybufsize) and client eviction honouring CLIENT NO-EVICT.
 */
class ClientIntrospectionTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand();

    static String line(RespClient c, String name) throws Exception {
        for (String l : ((String) c.call("CLIENT", "LIST")).split("\n")) {
            if (l.contains(" name=" + name + " ")) {
                return l;
            }
        }
        return null;
    }

    static String field(String line, String name) {
        for (String kv : line.split(" ")) {
            if (kv.startsWith(name + "=")) {
                return kv.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " not in " + line);
    }

    static long num(String line, String name) {
        return Long.parseLong(field(line, name));
    }

    static void waitFor(BooleanSupplier cond, String what) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void fieldsFollowTheClientState() throws Exception {
        try (RespClient c = new RespClient(server.port()); RespClient x = new RespClient(server.port())) {
            x.call("CLIENT", "SETNAME", "x");
            x.call("SELECT", "2");
            x.call("MULTI");
            x.call("SET", "k", "v".repeat(1000));
            String l = line(c, "x");
            assertThat(field(l, "flags")).isEqualTo("x");
            assertThat(num(l, "db")).isEqualTo(2);
            assertThat(num(l, "multi")).isEqualTo(1);
            assertThat(num(l, "multi-mem")).isGreaterThanOrEqualTo(1000);
            assertThat(field(l, "cmd")).isEqualTo("set");
            assertThat(num(l, "tot-mem")).isGreaterThan(num(l, "multi-mem"));
            x.call("DISCARD");
            x.call("SUBSCRIBE", "ch");
            l = line(c, "x");
            assertThat(field(l, "flags")).isEqualTo("P");
            assertThat(num(l, "sub")).isEqualTo(1);
            assertThat(field(l, "events")).isEqualTo("r");
        }
        try (RespClient c = new RespClient(server.port()); RespClient b = new RespClient(server.port())) {
            b.call("CLIENT", "SETNAME", "b");
            b.send("BLPOP", "nosuchlist", "0");
            waitFor(() -> {
                try {
                    return field(line(c, "b"), "flags").equals("b");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "blocked flag");
            String l = line(c, "b");
            assertThat(field(l, "cmd")).isEqualTo("blpop");
            // The blocked command's arguments are still held.
            assertThat(num(l, "argv-mem")).isEqualTo("BLPOP".length() + "nosuchlist".length() + 1);
            c.call("CLIENT", "UNBLOCK", num(l, "id"));
        }
    }

    @Test
    void killFilters() throws Exception {
        try (RespClient me = new RespClient(server.port()); RespClient sub = new RespClient(server.port());
                RespClient plain = new RespClient(server.port())) {
            sub.call("SUBSCRIBE", "ch");
            plain.call("CLIENT", "SETNAME", "plain");
            assertThat(me.call("CLIENT", "KILL", "TYPE", "pubsub")).isEqualTo(1L);
            assertThat(sub.isClosedByPeer()).isTrue();
            assertThat(me.call("CLIENT", "KILL", "TYPE", "master")).isEqualTo(0L);
            assertThat(me.call("CLIENT", "KILL", "TYPE", "replica")).isEqualTo(0L);

            String laddr = field(line(me, "plain"), "laddr");
            String addr = field(line(me, "plain"), "addr");
            // Filters combine: this LADDR matches everyone, the ADDR only "plain".
            assertThat(me.call("CLIENT", "KILL", "LADDR", laddr, "ADDR", "1.2.3.4:5")).isEqualTo(0L);
            assertThat(me.call("CLIENT", "KILL", "LADDR", laddr, "ADDR", addr, "USER", "default")).isEqualTo(1L);
            assertThat(plain.isClosedByPeer()).isTrue();

            // MAXAGE (Redis 7.4): only connections older than that many seconds.
            try (RespClient young = new RespClient(server.port())) {
                young.call("PING");
                assertThat(me.call("CLIENT", "KILL", "MAXAGE", "100000", "SKIPME", "no")).isEqualTo(0L);
                assertThat(me.call("CLIENT", "KILL", "MAXAGE", "0")).isEqualTo(new Err("ERR maxage should be greater than 0"));
                assertThat(me.call("CLIENT", "KILL", "MAXAGE", "x"))
                        .isEqualTo(new Err("ERR maxage is not an integer or out of range"));
                assertThat(young.call("PING")).isEqualTo("PONG");
            }
            // The old form may close the caller itself.
            String myAddr = field(((String) me.call("CLIENT", "INFO")).trim(), "addr");
            assertThat(me.call("CLIENT", "KILL", myAddr)).isEqualTo("OK");
            assertThat(me.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void replyBufferGrowsForBigRepliesAndShrinksWhenIdle() throws Exception {
        try (RespClient c = new RespClient(server.port()); RespClient t = new RespClient(server.port())) {
            t.call("CLIENT", "SETNAME", "rb");
            c.call("SET", "bigval", "x".repeat(32768));
            c.call("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "never");
            waitFor(() -> {
                try {
                    t.call("GET", "bigval");
                    return num(line(c, "rb"), "rbs") >= 16384;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "the reply buffer to grow");
            // The peak is what a batch filled: after one more big reply, the whole buffer.
            t.call("GET", "bigval");
            String l = line(c, "rb");
            assertThat(num(l, "rbs")).isEqualTo(16384);
            assertThat(num(l, "rbp")).isEqualTo(16384);
            c.call("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "100");
            waitFor(() -> {
                try {
                    long rbs = num(line(c, "rb"), "rbs");
                    return rbs >= 1024 && rbs < 2046;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "the idle reply buffer to shrink");
            String info = (String) c.call("INFO", "stats");
            assertThat(info).containsPattern("reply_buffer_shrinks:[1-9]").containsPattern("reply_buffer_expands:[1-9]");
            c.call("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "reset");
        }
    }

    @Test
    void clientEvictionSparesNoEvictClients() throws Exception {
        try (RespClient c = new RespClient(server.port()); RespClient spared = new RespClient(server.port());
                RespClient big = new RespClient(server.port())) {
            c.call("CLIENT", "NO-EVICT", "on");
            c.call("CONFIG", "RESETSTAT");
            // Two clients holding ~200 KB each in their MULTI queues; one exempt from eviction.
            spared.call("CLIENT", "SETNAME", "spared");
            spared.call("CLIENT", "NO-EVICT", "on");
            spared.call("MULTI");
            spared.call("SET", "k", "v".repeat(200_000));
            big.call("CLIENT", "SETNAME", "big");
            big.call("MULTI");
            big.call("SET", "k", "v".repeat(200_000));
            c.call("CONFIG", "SET", "maxmemory-clients", "100000");
            waitFor(() -> {
                try {
                    return line(c, "big") == null;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "the big client to be evicted");
            assertThat(big.isClosedByPeer()).isTrue();
            // Still over the limit, but the remaining clients may not be evicted.
            Thread.sleep(200);
            assertThat(line(c, "spared")).isNotNull();
            assertThat((String) c.call("INFO", "stats")).contains("evicted_clients:1\r\n");
            c.call("CONFIG", "SET", "maxmemory-clients", "0");
        }
    }
}
