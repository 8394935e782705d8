package dev.cinnabar.server.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.ReferencePair;
import dev.cinnabar.server.testkit.RespClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The keyspace notifications of command sequences, compared with a real redis-server: every
 * event (keyspace and keyevent channels, all classes including "new" and "keymiss"), with its
 * payload, in order. Skipped when {@code redis-server} is not installed.
 *
 * <p>Active expiry is switched off on both servers so only lazy expiry (deterministic) produces
 * "expired" events here; active expiry is covered by {@link KeyspaceNotificationsTest}.
 */
class KeyspaceNotificationsDifferentialTest {
    @RegisterExtension
    static final ReferencePair servers = ReferencePair.create().debugCommand();

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
                if ("?".equals(cmd[0])) {
                    // A reply chosen at random (SPOP with a count): only its events are compared.
                    Object[] real = java.util.Arrays.copyOfRange(cmd, 1, cmd.length);
                    c.call(real);
                    out.add("reply " + String.join(" ", strings(real)) + " => (random)");
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
        List<String> expected = run(servers.redisPort(), commands);
        List<String> actual = run(servers.cinnabarPort(), commands);
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

    @Test
    void listCommands() throws Exception {
        compare(cmds(
                c("LPUSH", "l", "a", "b"), c("RPUSH", "l", "c"), c("LPUSHX", "nol", "a"), c("RPUSHX", "l", "d"),
                c("LINSERT", "l", "BEFORE", "a", "x"), c("LINSERT", "l", "AFTER", "zz", "y"),
                c("LINSERT", "nol", "AFTER", "a", "y"), c("LSET", "l", "0", "q"), c("LSET", "l", "99", "q"),
                c("LPOP", "l"), c("RPOP", "l", "2"), c("LPOP", "l", "0"), c("LPOP", "nol"),
                c("RPUSH", "l2", "1", "2", "3", "2", "1"), c("LREM", "l2", "0", "2"), c("LREM", "l2", "1", "9"),
                c("LTRIM", "l2", "0", "0"), c("LTRIM", "l2", "5", "9"), c("LTRIM", "nol", "0", "1"),
                c("RPUSH", "l3", "a", "b"), c("LMOVE", "l3", "l4", "LEFT", "RIGHT"),
                c("LMOVE", "l3", "l4", "RIGHT", "LEFT"), c("LMOVE", "l4", "l4", "LEFT", "RIGHT"),
                c("RPOPLPUSH", "l4", "l5"), c("LMPOP", "2", "nol", "l4", "LEFT", "COUNT", "5"),
                c("LMPOP", "1", "nol", "RIGHT"), c("RPUSH", "l6", "x"), c("LREM", "l6", "0", "x"),
                c("BLPOP", "l5", "0"), c("BRPOP", "nol", "l5", "0.01"), c("RPUSH", "l7", "a", "b"),
                c("BLMOVE", "l7", "l8", "RIGHT", "LEFT", "0"), c("BRPOPLPUSH", "l7", "l8", "0"),
                c("BLMPOP", "0", "1", "l8", "RIGHT", "COUNT", "9"), c("LRANGE", "nol", "0", "-1"),
                c("LLEN", "nol"), c("LINDEX", "nol", "0"), c("LPOS", "nol", "a"), c("SET", "s", "x"),
                c("LPUSH", "s", "a")));
    }

    @Test
    void setCommands() throws Exception {
        compare(cmds(
                c("SADD", "s", "a", "b", "1"), c("SADD", "s", "a"), c("SREM", "s", "zz"), c("SREM", "s", "a", "zz"),
                c("SREM", "nos", "a"), c("SMOVE", "s", "t", "b"), c("SMOVE", "s", "t", "zz"), c("SADD", "t", "1"),
                c("SMOVE", "s", "t", "1"), c("SMOVE", "t", "t", "b"), c("SADD", "p", "1", "2", "3", "4", "5"),
                c("?", "SPOP", "p"), c("SPOP", "p", "0"), c("?", "SPOP", "p", "1"), c("?", "SPOP", "p", "10"),
                c("SPOP", "nos"),
                c("SPOP", "nos", "3"), c("SADD", "u", "1", "2"), c("SADD", "v", "2", "3"),
                c("SINTERSTORE", "d", "u", "v"), c("SINTERSTORE", "d", "u", "nos"), c("SINTERSTORE", "d", "u", "nos"),
                c("SUNIONSTORE", "d", "u", "v"), c("SUNIONSTORE", "d", "nos"), c("SDIFFSTORE", "d", "u", "v"),
                c("SDIFFSTORE", "d", "u", "u"), c("SDIFFSTORE", "d", "u", "u"), c("SADD", "w", "x"),
                c("SREM", "w", "x"), c("SMEMBERS", "nos"), c("SCARD", "nos"), c("SISMEMBER", "nos", "a"),
                c("SRANDMEMBER", "nos"), c("SINTER", "nos", "u"), c("SUNION", "nos"), c("SINTERCARD", "1", "nos")));
    }

    @Test
    void sortedSetCommands() throws Exception {
        compare(cmds(
                c("ZADD", "z", "1", "a", "2", "b", "3", "c"), c("ZADD", "z", "1", "a"), c("ZADD", "z", "5", "a"),
                c("ZADD", "z", "XX", "1", "new"), c("ZADD", "noz", "XX", "1", "a"), c("ZADD", "z", "NX", "9", "a"),
                c("ZINCRBY", "z", "1", "b"), c("ZINCRBY", "z2", "1", "b"), c("ZADD", "z", "INCR", "1", "c"),
                c("ZREM", "z", "zz"), c("ZREM", "z", "a", "zz"), c("ZREM", "z2", "b"),
                c("ZADD", "r", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"),
                c("ZREMRANGEBYRANK", "r", "0", "0"), c("ZREMRANGEBYRANK", "r", "10", "20"),
                c("ZREMRANGEBYSCORE", "r", "2", "2"), c("ZREMRANGEBYSCORE", "r", "9", "10"),
                c("ZREMRANGEBYLEX", "r", "[c", "[c"), c("ZREMRANGEBYSCORE", "r", "-inf", "+inf"),
                c("ZADD", "p", "1", "a", "2", "b", "3", "c"), c("ZPOPMIN", "p"), c("ZPOPMAX", "p", "1"),
                c("ZPOPMIN", "p", "0"), c("ZPOPMIN", "nop"), c("ZPOPMAX", "p", "5"), c("ZADD", "m", "1", "a"),
                c("ZMPOP", "2", "nop", "m", "MIN"), c("ZADD", "m", "1", "a", "2", "b"),
                c("BZPOPMIN", "m", "0"), c("BZPOPMAX", "m", "0"), c("BZMPOP", "0.01", "1", "m", "MIN"),
                c("ZADD", "u", "1", "a", "2", "b"), c("ZADD", "v", "2", "b"), c("ZUNIONSTORE", "d", "2", "u", "v"),
                c("ZINTERSTORE", "d", "2", "u", "v"), c("ZDIFFSTORE", "d", "2", "u", "u"),
                c("ZDIFFSTORE", "d", "2", "u", "u"), c("ZRANGESTORE", "e", "u", "0", "-1"),
                c("ZRANGESTORE", "e", "u", "5", "9"), c("ZRANGESTORE", "e", "u", "5", "9"),
                c("ZRANGE", "noz", "0", "-1"), c("ZCARD", "noz"), c("ZSCORE", "noz", "a"), c("ZRANK", "noz", "a"),
                c("ZUNION", "1", "noz"), c("ZCOUNT", "noz", "0", "1")));
    }

    /** Blocked pops served by another client's push: events of the push, then of the served pop. */
    @Test
    void servedBlockingPops() throws Exception {
        List<String> expected = servedPops(servers.redisPort());
        List<String> actual = servedPops(servers.cinnabarPort());
        assertThat(expected).anyMatch(l -> l.contains("lpop"));
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    private static List<String> servedPops(int port) throws Exception {
        List<String> out = new ArrayList<>();
        try (RespClient sub = new RespClient(port); RespClient c = new RespClient(port);
                RespClient b = new RespClient(port)) {
            c.call("FLUSHALL");
            c.call("CONFIG", "SET", "notify-keyspace-events", "KEAnm");
            sub.call("PSUBSCRIBE", "__key*");
            String[][] blocking = {
                {"BLPOP", "bl", "0"}, {"BLMOVE", "bl", "dst", "LEFT", "RIGHT", "0"},
                {"BLMPOP", "0", "1", "bl", "LEFT", "COUNT", "2"}, {"BZPOPMIN", "bz", "0"},
                {"BZMPOP", "0", "1", "bz", "MAX", "COUNT", "3"}};
            String[][] pushes = {
                {"RPUSH", "bl", "a"}, {"LPUSH", "bl", "c"}, {"RPUSH", "bl", "d", "e"}, {"ZADD", "bz", "1", "a"},
                {"ZADD", "bz", "3", "c", "4", "d"}};
            for (int i = 0; i < blocking.length; i++) {
                b.send((Object[]) blocking[i]);
                waitBlocked(c, 1);
                out.add("push " + c.call((Object[]) pushes[i]));
                out.add("served " + b.read());
            }
            c.call("CONFIG", "SET", "notify-keyspace-events", "");
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

    private static void waitBlocked(RespClient c, int n) throws Exception {
        for (int i = 0; i < 500; i++) {
            String info = String.valueOf(c.call("INFO", "clients"));
            if (info.lines().anyMatch(l -> l.equals("blocked_clients:" + n))) {
                return;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("client did not block");
    }
}
