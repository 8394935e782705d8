package dev.cinnabar.server.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RealRedisServer;
import dev.cinnabar.server.testkit.RespClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The keyspace notifications of command sequences, compared with a real redis-server: every
 * event (keyspace and keyevent channels, all classes including "new" and "keymiss"), with its
 * payload, in order. Skipped when {@code redis-server} is not installed.
 *
 * <p>Active expiry is switched off on both servers so only lazy expiry (deterministic) produces
 * "expired" events here; active expiry is covered by {@link KeyspaceNotificationsTest}.
 */
class KeyspaceNotificationsDifferentialTest {
    static RealRedisServer redis;
    static CinnabarServer cinnabar;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server is not installed");
        redis = RealRedisServer.start();
        cinnabar = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cinnabar != null) {
            cinnabar.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** Runs the commands on a server and returns "reply" and "channel -> payload" lines in order. */
    static List<String> run(int port, List<Object[]> commands) throws Exception {
        List<String> out = new ArrayList<>();
        try (RespClient sub = new RespClient(port); RespClient c = new RespClient(port)) {
            c.call("FLUSHALL");
            c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
            c.call("CONFIG", "SET", "notify-keyspace-events", "KEAnm");
            sub.call("PSUBSCRIBE", "__key*");
            for (Object[] cmd : commands) {
                if (cmd.length == 2 && "SLEEP".equals(cmd[0])) {
                    Thread.sleep(Long.parseLong(String.valueOf(cmd[1])));
                    continue;
                }
                out.add("reply " + String.join(" ", strings(cmd)) + " => " + c.call(cmd));
            }
            c.call("CONFIG", "SET", "notify-keyspace-events", "");
            c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
            sub.send("PING", "end-of-test");
            while (true) {
                @SuppressWarnings("unchecked")
                List<Object> m = (List<Object>) sub.read();
                if ("pong".equals(m.get(0))) {
                    break;
                }
                out.add("event " + m.get(2) + " -> " + m.get(3));
            }
        }
        return out;
    }

    private static String[] strings(Object[] cmd) {
        String[] s = new String[cmd.length];
        for (int i = 0; i < cmd.length; i++) {
            s[i] = String.valueOf(cmd[i]);
        }
        return s;
    }

    private static void compare(List<Object[]> commands) throws Exception {
        List<String> expected = run(redis.port(), commands);
        List<String> actual = run(cinnabar.port(), commands);
        if (Boolean.getBoolean("cinnabar.printEvents")) {
            expected.forEach(System.out::println);
        }
        assertThat(expected).anyMatch(l -> l.startsWith("event "));
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    private static List<Object[]> cmds(Object[]... c) {
        return List.of(c);
    }

    private static Object[] c(Object... a) {
        return a;
    }

    @Test
    void stringCommands() throws Exception {
        compare(cmds(
                c("SET", "a", "1"), c("SET", "a", "2", "EX", "100"), c("SETNX", "a", "3"), c("SETNX", "b", "3"),
                c("SETEX", "c", "100", "v"), c("PSETEX", "d", "100000", "v"), c("GETSET", "a", "5"),
                c("GETSET", "new1", "5"), c("GETDEL", "b"), c("GETDEL", "b"), c("GETEX", "c", "PERSIST"),
                c("GETEX", "c", "PERSIST"), c("GETEX", "c", "EX", "100"), c("GETEX", "c"), c("GETEX", "c", "PXAT", "1"),
                c("MSET", "e", "1", "f", "2", "e", "3"), c("MSETNX", "g", "1", "e", "2"),
                c("MSETNX", "g2", "1", "g3", "2", "g2", "3"), c("APPEND", "h", "x"), c("APPEND", "h", "y"),
                c("SETRANGE", "i", "2", "ab"), c("SETRANGE", "i", "0", ""), c("SETRANGE", "j", "0", ""),
                c("SETRANGE", "i", "1", "z"), c("INCR", "k"), c("INCRBY", "k", "5"), c("DECR", "k"),
                c("DECRBY", "k", "2"), c("INCRBYFLOAT", "l", "1.5"), c("INCRBYFLOAT", "l", "2"),
                c("INCR", "h"), c("GET", "nokey"), c("MGET", "a", "nokey", "nokey2"), c("STRLEN", "nokey"),
                c("GETRANGE", "nokey", "0", "1"), c("SET", "a", "1", "GET"), c("SET", "nokey3", "1", "GET"),
                c("SET", "m", "1", "KEEPTTL"), c("SET", "a", "1", "NX"), c("SET", "a", "9", "XX", "PX", "100000"),
                c("SET", "zz", "9", "XX"), c("SET", "a", "1", "PXAT", "1"), c("LCS", "a", "nokey"),
                c("SET", "a", "x"), c("HSET", "a", "f", "v"), c("GET", "a")));
    }

    @Test
    void keyspaceCommands() throws Exception {
        compare(cmds(
                c("SET", "a", "1"), c("EXPIRE", "a", "100"), c("PEXPIRE", "a", "100000"),
                c("EXPIRE", "a", "100", "NX"), c("EXPIRE", "a", "200", "XX"), c("EXPIREAT", "a", "1"),
                c("EXPIRE", "nokey", "10"), c("SET", "b", "1"), c("PERSIST", "b"), c("EXPIRE", "b", "100"),
                c("PERSIST", "b"), c("RENAME", "b", "c"), c("SET", "d", "1"), c("RENAME", "c", "d"),
                c("RENAME", "d", "d"), c("RENAMENX", "d", "e"), c("RENAMENX", "e", "e"), c("SET", "x", "1"),
                c("RENAMENX", "e", "x"), c("COPY", "e", "f"), c("COPY", "e", "f"), c("COPY", "e", "f", "REPLACE"),
                c("COPY", "e", "g", "DB", "2"), c("MOVE", "f", "1"), c("MOVE", "x", "2"), c("SET", "x", "1"),
                c("MOVE", "x", "1"), c("DEL", "f", "e", "nokey"), c("UNLINK", "d", "x"), c("EXISTS", "nokey"),
                c("TYPE", "nokey"), c("TTL", "nokey"), c("PTTL", "nokey"), c("EXPIRETIME", "nokey"),
                c("TOUCH", "nokey", "a"), c("OBJECT", "ENCODING", "nokey"), c("OBJECT", "FREQ", "nokey"),
                c("RENAME", "nokey", "zz"), c("SET", "r", "1"), c("SELECT", "3"), c("SET", "r3", "1"),
                c("SELECT", "0"), c("SWAPDB", "0", "3"), c("FLUSHDB"), c("SET", "q", "1"), c("FLUSHALL")));
    }

    @Test
    void hashCommands() throws Exception {
        compare(cmds(
                c("HSET", "h", "a", "1", "b", "2"), c("HSET", "h", "a", "3"), c("HSETNX", "h", "a", "1"),
                c("HSETNX", "h", "c", "1"), c("HSETNX", "h2", "c", "1"), c("HMSET", "h", "d", "1"),
                c("HINCRBY", "h", "n", "5"), c("HINCRBY", "h3", "n", "5"), c("HINCRBYFLOAT", "h", "f", "1.5"),
                c("HINCRBYFLOAT", "h4", "f", "1.5"), c("HINCRBY", "h", "a", "x"), c("HDEL", "h", "zz"),
                c("HDEL", "h", "a", "b", "zz"), c("HDEL", "h", "c", "d", "n", "f"), c("HDEL", "nokey", "a"),
                c("HGET", "nokey", "a"), c("HLEN", "nokey"), c("HGETALL", "nokey"), c("HEXISTS", "nokey", "a"),
                c("HMGET", "nokey", "a"), c("HSTRLEN", "nokey", "a"), c("HRANDFIELD", "nokey"),
                c("HSCAN", "nokey", "0"), c("HKEYS", "h2")));
    }

    @Test
    void bitmapCommands() throws Exception {
        compare(cmds(
                c("SETBIT", "b", "7", "1"), c("SETBIT", "b", "7", "1"), c("SETBIT", "b", "100", "0"),
                c("SETBIT", "b", "7", "0"), c("BITFIELD", "bf", "SET", "u8", "0", "255"),
                c("BITFIELD", "bf", "GET", "u8", "0"), c("BITFIELD", "bf", "SET", "u8", "0", "255"),
                c("BITFIELD", "bf2", "GET", "u8", "0"), c("BITFIELD_RO", "bf3", "GET", "u8", "0"),
                c("BITFIELD", "bf", "INCRBY", "u8", "0", "1"), c("BITOP", "AND", "dest", "b", "bf"),
                c("BITOP", "OR", "dest", "nokey", "nokey2"), c("BITOP", "OR", "dest", "nokey", "nokey2"),
                c("BITCOUNT", "nokey"), c("GETBIT", "nokey", "0"), c("BITPOS", "nokey", "1")));
    }

    @Test
    void lazyExpiry() throws Exception {
        compare(cmds(
                c("SET", "x", "1", "PX", "1"), c("SET", "y", "1", "PX", "1"), c("SET", "z", "1", "PX", "1"),
                c("SET", "w", "1", "PX", "1"), c("HSET", "h", "f", "v"), c("PEXPIRE", "h", "1"),
                c("SET", "v", "1", "PX", "1"), c("SET", "u", "1", "PX", "1"), c("SLEEP", "20"),
                c("GET", "x"), c("SET", "y", "2"), c("EXISTS", "z"), c("DEL", "w"), c("HSET", "h", "g", "1"),
                c("MSET", "v", "1"), c("INCR", "u")));
    }
}
