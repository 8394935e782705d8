package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.testkit.ManualClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.TestServers;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MIGRATE between two Cinnabar servers (upstream unit/dump MIGRATE tests, which need two servers). */
class MigrateTest {
    static final ManualClock clock = new ManualClock();
    static Server source;
    static CinnabarServer target;
    static RespClient first;
    static RespClient second;
    static String port;

    @BeforeAll
    static void start() throws Exception {
        source = TestServers.start(clock, "enable-debug-command yes\n");
        target = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
        first = new RespClient(source.port());
        second = new RespClient(target.port());
        port = Integer.toString(target.port());
    }

    @AfterAll
    static void stop() throws Exception {
        first.close();
        second.close();
        target.close();
        source.close();
    }

    @BeforeEach
    void clean() throws Exception {
        first.call("FLUSHALL");
        second.call("FLUSHALL");
    }

    private static Object migrate(Object... extra) throws Exception {
        List<Object> a = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", port));
        a.addAll(List.of(extra));
        return first.call(a.toArray());
    }

    private static long infoField(RespClient c, String section, String field) throws Exception {
        String info = (String) c.call("INFO", section);
        return info.lines().filter(l -> l.startsWith(field + ":"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElseThrow();
    }

    private static long cachedSockets() throws Exception {
        return infoField(first, "stats", "migrate_cached_sockets");
    }

    @Test
    void movesCopiesAndReplaces() throws Exception {
        first.call("SET", "key", "Some Value");
        assertThat(migrate("key", "9", "5000")).isEqualTo("OK");
        assertThat(first.call("EXISTS", "key")).isEqualTo(0L);
        second.call("SELECT", "9");
        assertThat(second.call("GET", "key")).isEqualTo("Some Value");
        assertThat(second.call("TTL", "key")).isEqualTo(-1L);

        first.call("LPUSH", "list", "a", "b", "c", "d");
        assertThat(migrate("list", "9", "5000", "COPY")).isEqualTo("OK");
        assertThat(first.call("EXISTS", "list")).isEqualTo(1L);
        assertThat(second.call("LRANGE", "list", "0", "-1")).isEqualTo(first.call("LRANGE", "list", "0", "-1"));

        second.call("SET", "list", "somevalue");
        Object e = migrate("list", "9", "5000", "COPY");
        assertThat(e).isEqualTo(new Err("ERR Target instance replied with error: BUSYKEY Target key name already exists."));
        assertThat(migrate("list", "9", "5000", "COPY", "REPLACE")).isEqualTo("OK");
        assertThat(second.call("LRANGE", "list", "0", "-1")).isEqualTo(List.of("d", "c", "b", "a"));

        first.call("HSET", "h", "field1", "item 1", "field2", "item 2");
        first.call("EXPIRE", "h", "10");
        assertThat(migrate("h", "9", "10000")).isEqualTo("OK");
        assertThat((Long) second.call("TTL", "h")).isBetween(7L, 10L);
        assertThat(second.call("HGET", "h", "field2")).isEqualTo("item 2");
        second.call("SELECT", "0");
    }

    @Test
    void largeValues() throws Exception {
        List<Object> push = new ArrayList<>(List.of("RPUSH", "key"));
        for (int j = 0; j < 2000; j++) {
            for (int i = 1; i <= 10; i++) {
                push.add(Integer.toString(i));
                push.add("item " + i);
            }
        }
        first.call(push.toArray());
        // Uncompressed, the payload spans several 64 KB writes.
        first.call("CONFIG", "SET", "rdbcompression", "no");
        assertThat(((String) first.call("DUMP", "key")).length()).isGreaterThan(64 * 1024);
        assertThat(migrate("key", "0", "10000")).isEqualTo("OK");
        first.call("CONFIG", "SET", "rdbcompression", "yes");
        assertThat(second.call("LLEN", "key")).isEqualTo(40000L);
        assertThat(first.call("EXISTS", "key")).isEqualTo(0L);
    }

    @Test
    void multipleKeys() throws Exception {
        first.call("MSET", "key1", "v1", "key2", "v2", "key3", "v3");
        assertThat(migrate("", "0", "5000", "KEYS", "nokey-1", "nokey-2")).isEqualTo("NOKEY");
        assertThat(migrate("NotEmpty", "0", "5000", "KEYS", "a"))
                .isEqualTo(new Err("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"));
        assertThat(migrate("", "0", "5000", "KEYS", "nokey-1", "key1", "key2", "nokey-3", "key3")).isEqualTo("OK");
        assertThat(first.call("DBSIZE")).isEqualTo(0L);
        assertThat(second.call("MGET", "key1", "key2", "key3")).isEqualTo(List.of("v1", "v2", "v3"));

        // Only the keys the target accepted are deleted.
        second.call("FLUSHALL");
        first.call("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5");
        second.call("MSET", "c", "_", "d", "_");
        Object e = migrate("", "0", "5000", "KEYS", "a", "b", "c", "d", "e");
        assertThat(e).isEqualTo(new Err("ERR Target instance replied with error: BUSYKEY Target key name already exists."));
        assertThat(first.call("DBSIZE")).isEqualTo(2L);
        assertThat(first.call("EXISTS", "c", "d")).isEqualTo(2L);
        assertThat(second.call("DBSIZE")).isEqualTo(5L);
    }

    @Test
    void authentication() throws Exception {
        first.call("LPUSH", "list", "a", "b", "c", "d");
        second.call("CONFIG", "SET", "requirepass", "foobar");
        try (RespClient admin = new RespClient(target.port())) {
            admin.call("AUTH", "foobar");
            assertThat(migrate("list", "0", "5000", "AUTH", "foobar")).isEqualTo("OK");
            assertThat(admin.call("LRANGE", "list", "0", "-1")).isEqualTo(List.of("d", "c", "b", "a"));
            first.call("LPUSH", "list", "x");
            assertThat(migrate("list", "0", "5000", "AUTH2", "default", "foobar", "REPLACE")).isEqualTo("OK");
            first.call("LPUSH", "list", "y");
            admin.call("CONFIG", "SET", "requirepass", "foobar2");
            Object e = migrate("list", "0", "5000", "AUTH", "foobar");
            assertThat(e).isInstanceOf(Err.class);
            assertThat(((Err) e).message()).startsWith("ERR Target instance replied with error: WRONGPASS");
            assertThat(first.call("EXISTS", "list")).isEqualTo(1L);
            assertThat(migrate("list", "0", "5000", "AUTH")).isEqualTo(new Err("ERR syntax error"));
            assertThat(migrate("list", "0", "5000", "AUTH2", "u")).isEqualTo(new Err("ERR syntax error"));
            admin.call("CONFIG", "SET", "requirepass", "");
        }
    }

    @Test
    void argumentErrors() throws Exception {
        first.call("SET", "k", "v");
        assertThat(migrate("k", "0", "x")).isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(migrate("k", "x", "10")).isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(migrate("k", "0", "10", "BOGUS")).isEqualTo(new Err("ERR syntax error"));
        assertThat(migrate("nothere", "0", "10")).isEqualTo("NOKEY");
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThat(first.call("MIGRATE", "127.0.0.1", Integer.toString(closed), "k", "0", "500"))
                .isEqualTo(new Err("IOERR error or timeout connecting to the client"));
        assertThat(first.call("EXISTS", "k")).isEqualTo(1L);
    }

    @Test
    void timeoutActuallyWorks() throws Exception {
        first.call("SET", "key", "Some Value");
        try (RespClient rd = new RespClient(target.port())) {
            rd.send("DEBUG", "SLEEP", "1.0");
            Thread.sleep(50);
            long t0 = System.nanoTime();
            Object e = migrate("key", "0", "300");
            assertThat(e).isInstanceOf(Err.class);
            assertThat(((Err) e).message()).startsWith("IOERR");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(950);
            rd.read();
        }
        assertThat(first.call("EXISTS", "key")).isEqualTo(1L);
    }

    @Test
    void connectionsAreCachedReusedAndReleased() throws Exception {
        // Let earlier tests' cached connections expire first.
        clock.advance(11_000);
        Thread.sleep(300);
        assertThat(cachedSockets()).isZero();
        first.call("SET", "a", "1");
        assertThat(migrate("a", "3", "1000")).isEqualTo("OK");
        assertThat(cachedSockets()).isEqualTo(1L);
        long clients = infoField(second, "clients", "connected_clients");
        first.call("SET", "b", "2");
        assertThat(migrate("b", "3", "1000")).isEqualTo("OK");
        assertThat(cachedSockets()).isEqualTo(1L);
        // The same connection was used again (no new client on the target).
        assertThat(infoField(second, "clients", "connected_clients")).isEqualTo(clients);

        // A cached connection the target closed is replaced transparently (one retry).
        second.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
        first.call("SET", "c", "3");
        assertThat(migrate("c", "3", "1000")).isEqualTo("OK");
        second.call("SELECT", "3");
        assertThat(second.call("MGET", "a", "b", "c")).isEqualTo(List.of("1", "2", "3"));
        second.call("SELECT", "0");

        // Released after 10 seconds unused.
        clock.advance(11_000);
        long deadline = System.currentTimeMillis() + 3000;
        while (cachedSockets() != 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(cachedSockets()).isZero();
    }
}
