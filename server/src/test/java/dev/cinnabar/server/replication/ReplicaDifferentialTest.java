package dev.cinnabar.server.replication;

import static dev.cinnabar.server.replication.ReplicationStreamTest.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RealRedisServer;
import dev.cinnabar.server.testkit.RespClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real redis-server as a replica of Cinnabar (skipped where redis-server is not installed):
 * after writes of every type, including every command Cinnabar rewrites for replicas, the
 * replica must hold the same data: DEBUG DIGEST and a key-by-key comparison of contents and
 * TTLs. Covers both snapshot formats, a partial resynchronization after the link drops, and
 * WAIT with a replica that acknowledges by itself.
 */
class ReplicaDifferentialTest {
    @TempDir
    Path dir;

    @Test
    void aRealReplicaMatchesAfterEveryKindOfWrite() throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server is not installed");
        try (CinnabarServer cs = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             RespClient c = new RespClient(cs.port())) {
            seed(c); // before the replica: reaches it through the snapshot
            try (RealRedisServer redis = startReplica(cs.port());
                 RespClient r = new RespClient(redis.port())) {
                awaitLinkUp(r);
                byte[] payload = ((String) r.call("DUMP", "h:seed")).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                writeEverything(c, cs.port(), payload);
                assertThat(c.call("WAIT", "1", "5000")).isEqualTo(1L);
                assertSameData(c, r);

                // The link drops; writes made meanwhile come from the backlog (+CONTINUE).
                r.call("CLIENT", "KILL", "TYPE", "master");
                c.call("SET", "while-away", "1");
                c.call("LPUSH", "while-away-list", "a", "b");
                awaitLinkUp(r);
                c.call("SET", "after-reconnect", "1");
                assertThat(c.call("WAIT", "1", "5000")).isEqualTo(1L);
                assertSameData(c, r);
                assertThat(field((String) c.call("INFO", "stats"), "sync_partial_ok")).isEqualTo(1);
                assertThat(field((String) c.call("INFO", "stats"), "sync_full")).isEqualTo(1);
                assertThat((String) r.call("INFO", "replication")).contains("master_link_status:up");
            }
        }
    }

    @Test
    void lengthPrefixedSnapshotsLoadToo() throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server is not installed");
        try (CinnabarServer cs = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             RespClient c = new RespClient(cs.port())) {
            c.call("CONFIG", "SET", "repl-diskless-sync", "no");
            seed(c);
            try (RealRedisServer redis = startReplica(cs.port());
                 RespClient r = new RespClient(redis.port())) {
                awaitLinkUp(r);
                c.call("SET", "streamed", "yes");
                assertThat(c.call("WAIT", "1", "5000")).isEqualTo(1L);
                assertSameData(c, r);
            }
        }
    }

    private RealRedisServer startReplica(int masterPort) throws IOException, InterruptedException {
        return RealRedisServer.start("--replicaof", "127.0.0.1", Integer.toString(masterPort), "--dir", dir.toString(),
                "--repl-diskless-load", "disabled");
    }

    private static void awaitLinkUp(RespClient r) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) {
            String info = (String) r.call("INFO", "replication");
            if (info.contains("master_link_status:up") && info.contains("master_sync_in_progress:0")) {
                return;
            }
            assertThat(System.currentTimeMillis()).as("replica link up").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Data that exists before the replica attaches, in several databases. */
    private static void seed(RespClient c) throws IOException {
        c.call("SET", "s:plain", "hello");
        c.call("SET", "s:int", "12345");
        c.call("SET", "s:ttl", "v", "EX", "5000");
        c.call("RPUSH", "l:seed", "a", "b", "c");
        c.call("SADD", "set:seed", "1", "2", "x");
        c.call("ZADD", "z:seed", "1.5", "a", "-2", "b");
        c.call("HSET", "h:seed", "f", "v", "n", "1");
        c.call("SELECT", "5");
        c.call("SET", "db5:key", "five");
        c.call("SELECT", "0");
    }

    /** Every family's writes, with the commands Cinnabar rewrites for replicas. */
    private static void writeEverything(RespClient c, int port, byte[] payload) throws Exception {
        long now = System.currentTimeMillis();
        // Strings and expiry rewrites.
        c.call("SET", "k1", "v", "EX", "1000");
        c.call("SET", "k2", "v", "PX", "1000000", "GET");
        c.call("SET", "k3", "v", "EXAT", Long.toString(now / 1000 + 1000));
        c.call("SET", "k4", "v", "PXAT", Long.toString(now + 1_000_000));
        c.call("SET", "k5", "v", "KEEPTTL");
        c.call("SETEX", "k6", "1000", "v");
        c.call("PSETEX", "k7", "1000000", "v");
        c.call("SETNX", "k8", "v");
        c.call("MSET", "m1", "1", "m2", "2");
        c.call("MSETNX", "m3", "3", "m4", "4");
        c.call("APPEND", "k8", "-appended");
        c.call("SETRANGE", "k9", "5", "range");
        c.call("INCR", "n1");
        c.call("INCRBY", "n1", "41");
        c.call("DECRBY", "n1", "2");
        c.call("INCRBYFLOAT", "f1", "0.1");
        c.call("INCRBYFLOAT", "f1", "3.0e3");
        c.call("INCRBYFLOAT", "k1", "1"); // wrong type: no change
        c.call("SET", "f2", "10", "EX", "1000");
        c.call("INCRBYFLOAT", "f2", "1.25"); // keeps the TTL
        c.call("GETSET", "k5", "new");
        c.call("GETDEL", "k9");
        c.call("SET", "g1", "v");
        c.call("GETEX", "g1", "EX", "1000");
        c.call("SET", "g2", "v", "EX", "1000");
        c.call("GETEX", "g2", "PERSIST");
        c.call("SET", "g3", "v");
        c.call("GETEX", "g3", "EXAT", Long.toString(now / 1000 - 1));
        c.call("SETBIT", "bits", "77", "1");
        c.call("BITFIELD", "bf", "SET", "i8", "0", "100", "INCRBY", "u4", "8", "3");
        c.call("BITOP", "OR", "bits2", "bits", "bf");
        // Generic keyspace.
        c.call("SET", "e1", "v");
        c.call("EXPIRE", "e1", "1000");
        c.call("PEXPIRE", "e1", "2000000", "GT");
        c.call("SET", "e2", "v");
        c.call("EXPIREAT", "e2", Long.toString(now / 1000 + 3000));
        c.call("PEXPIREAT", "e2", Long.toString(now + 4_000_000));
        c.call("SET", "e3", "v");
        c.call("EXPIRE", "e3", "-5");
        c.call("PERSIST", "e2");
        c.call("RENAME", "m1", "renamed");
        c.call("RENAMENX", "m2", "renamed2");
        c.call("COPY", "renamed", "copied");
        c.call("MOVE", "copied", "3");
        c.call("DEL", "m3");
        c.call("UNLINK", "m4");
        // Lists, including the pops Cinnabar rewrites.
        c.call("RPUSH", "l1", "a", "b", "c", "d", "e", "f", "g");
        c.call("LPUSH", "l1", "z");
        c.call("LINSERT", "l1", "BEFORE", "c", "bb");
        c.call("LSET", "l1", "0", "zz");
        c.call("LREM", "l1", "1", "d");
        c.call("LTRIM", "l1", "0", "20");
        c.call("LPOP", "l1");
        c.call("RPOP", "l1", "2");
        c.call("LMPOP", "2", "nolist", "l1", "LEFT", "COUNT", "2");
        c.call("BLMPOP", "0", "1", "l1", "RIGHT", "COUNT", "1");
        c.call("BLPOP", "l1", "0");
        c.call("RPUSH", "l2", "x", "y", "z");
        c.call("BRPOP", "l2", "0");
        c.call("BRPOPLPUSH", "l2", "l3", "0");
        c.call("BLMOVE", "l2", "l3", "LEFT", "RIGHT", "0");
        c.call("LMOVE", "l3", "l4", "RIGHT", "LEFT");
        c.call("RPOPLPUSH", "l3", "l4");
        // Sets, including SPOP's three paths.
        c.call("SADD", "s1", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "1", "2");
        c.call("SPOP", "s1");
        c.call("SPOP", "s1", "2");
        c.call("SPOP", "s1", "8");
        c.call("SADD", "s2", "1", "2", "3");
        c.call("SPOP", "s2", "10");
        List<Object> many = new ArrayList<>(List.of("SADD", "s3"));
        for (int i = 0; i < 2000; i++) {
            many.add("member" + i);
        }
        c.call(many.toArray());
        c.call("SPOP", "s3", "1500");
        c.call("SADD", "s4", "x", "y");
        c.call("SREM", "s4", "x");
        c.call("SMOVE", "s4", "s5", "y");
        c.call("SADD", "s6", "a", "b", "c");
        c.call("SINTERSTORE", "s7", "s6", "s3");
        c.call("SUNIONSTORE", "s8", "s6", "set:seed");
        c.call("SDIFFSTORE", "s9", "s6", "set:seed");
        // Sorted sets.
        c.call("ZADD", "z1", "1", "a", "2", "b", "3", "c", "4", "d", "5.5", "e");
        c.call("ZINCRBY", "z1", "0.25", "a");
        c.call("ZADD", "z1", "GT", "CH", "10", "b");
        c.call("ZREM", "z1", "c");
        c.call("ZPOPMIN", "z1");
        c.call("ZMPOP", "1", "z1", "MAX", "COUNT", "2");
        c.call("BZPOPMIN", "z1", "0");
        c.call("ZADD", "z2", "1", "x", "2", "y");
        c.call("BZMPOP", "0", "1", "z2", "MIN", "COUNT", "5");
        c.call("ZADD", "z3", "1", "a", "2", "b", "3", "c");
        c.call("ZUNIONSTORE", "z4", "2", "z3", "z:seed", "WEIGHTS", "2", "0.5");
        c.call("ZINTERSTORE", "z5", "2", "z3", "z4");
        c.call("ZRANGESTORE", "z6", "z3", "0", "1");
        c.call("ZREMRANGEBYSCORE", "z3", "2", "2");
        // Hashes.
        c.call("HSET", "h1", "a", "1", "b", "2", "c", "3");
        c.call("HSETNX", "h1", "d", "4");
        c.call("HINCRBY", "h1", "a", "10");
        c.call("HINCRBYFLOAT", "h1", "b", "0.5");
        c.call("HINCRBYFLOAT", "h1", "z", "1e2");
        c.call("HDEL", "h1", "c");
        // RESTORE (relative TTLs become absolute; the payload is the replica's own DUMP, since a
        // 7.0 replica refuses 7.2 payloads), geo and HyperLogLog.
        c.call("RESTORE", "restored", "500000", payload);
        c.call("RESTORE", "restored2", "0", payload, "IDLETIME", "100");
        c.call("GEOADD", "geo", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
        c.call("GEOSEARCHSTORE", "geo2", "geo", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km");
        c.call("PFADD", "hll", "a", "b", "c");
        c.call("PFCOUNT", "hll");
        c.call("PFADD", "hll2", "x");
        c.call("PFMERGE", "hll3", "hll", "hll2");
        // Streams: generated IDs, approximate trims, consumer groups and their pending lists.
        for (int i = 0; i < 250; i++) {
            c.call("XADD", "st", "*", "n", Integer.toString(i));
        }
        c.call("XADD", "st", "MAXLEN", "~", "100", "*", "n", "trimmed");
        c.call("XTRIM", "st", "MINID", "~", "0-1");
        c.call("XGROUP", "CREATE", "st", "grp", "0");
        c.call("XREADGROUP", "GROUP", "grp", "alice", "COUNT", "5", "STREAMS", "st", ">");
        c.call("XREADGROUP", "GROUP", "grp", "bob", "NOACK", "COUNT", "3", "STREAMS", "st", ">");
        c.call("XAUTOCLAIM", "st", "grp", "carol", "0", "0", "COUNT", "2");
        c.call("XACK", "st", "grp", ((List<?>) ((List<?>) ((List<?>) ((List<?>) c.call("XRANGE", "st", "-", "+", "COUNT", "1")).get(0))).subList(0, 1)).get(0));
        c.call("XDEL", "st", ((List<?>) ((List<?>) c.call("XRANGE", "st", "-", "+", "COUNT", "1")).get(0)).get(0));
        // Scripts (their effects) and functions.
        c.call("EVAL", "redis.call('set', KEYS[1], 'from-script'); redis.call('incrbyfloat', 'sf', '0.5'); "
                + "redis.call('spop', 's1')", "1", "sk");
        c.call("FUNCTION", "LOAD", "#!lua name=dlib\nredis.register_function('dfun', function(k) "
                + "return redis.call('rpush', k[1], 'x') end)");
        c.call("FCALL", "dfun", "1", "fl");
        // Transactions, other databases, SORT STORE.
        c.call("MULTI");
        c.call("SET", "t1", "1");
        c.call("INCR", "t1");
        c.call("SELECT", "2");
        c.call("SET", "t2", "in-db-2");
        c.call("SPOP", "nosuchset");
        c.call("EXEC");
        c.call("SELECT", "0");
        c.call("RPUSH", "tosort", "3", "1", "2");
        c.call("SORT", "tosort", "STORE", "sorted");
        // A blocked pop served by another client's push, and a swapped and a flushed database.
        try (RespClient blocked = new RespClient(port)) {
            blocked.send("BLPOP", "wakeup", "0");
            Thread.sleep(100);
            c.call("RPUSH", "wakeup", "job1", "job2");
            assertThat(blocked.read()).isEqualTo(List.of("wakeup", "job1"));
        }
        c.call("SELECT", "7");
        c.call("SET", "seven", "7");
        c.call("SWAPDB", "7", "8");
        c.call("SELECT", "9");
        c.call("SET", "doomed", "1");
        c.call("FLUSHDB");
        c.call("SELECT", "0");
        // Lazy expiry of a key the replica must delete because we did.
        c.call("SET", "short", "v", "PX", "50");
        Thread.sleep(80);
        c.call("GET", "short");
        c.call("PUBLISH", "channel", "message");
    }

    /** Every key's type, TTL, contents and DEBUG DIGEST-VALUE, database by database, then DEBUG DIGEST. */
    private static void assertSameData(RespClient c, RespClient r) throws IOException {
        for (int db = 0; db < 16; db++) {
            c.call("SELECT", Integer.toString(db));
            r.call("SELECT", Integer.toString(db));
            Map<String, Object> ours = contents(c);
            Map<String, Object> theirs = contents(r);
            TreeMap<String, String> differences = new TreeMap<>();
            for (String key : new java.util.TreeSet<>(union(ours.keySet(), theirs.keySet()))) {
                if (!java.util.Objects.equals(ours.get(key), theirs.get(key))) {
                    differences.put(key, "ours " + ours.get(key) + " theirs " + theirs.get(key));
                }
            }
            assertThat(differences).as("db %d", db).isEmpty();
            for (String key : ours.keySet()) {
                assertThat(r.call("DEBUG", "DIGEST-VALUE", key)).as("digest of %s in db %d", key, db)
                        .isEqualTo(c.call("DEBUG", "DIGEST-VALUE", key));
            }
        }
        c.call("SELECT", "0");
        r.call("SELECT", "0");
        assertThat(r.call("DEBUG", "DIGEST")).isEqualTo(c.call("DEBUG", "DIGEST"));
        assertThat(r.call("FUNCTION", "LIST")).isEqualTo(c.call("FUNCTION", "LIST"));
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }

    private static Map<String, Object> contents(RespClient x) throws IOException {
        TreeMap<String, Object> out = new TreeMap<>();
        for (Object k : (List<?>) x.call("KEYS", "*")) {
            String key = (String) k;
            String type = (String) x.call("TYPE", key);
            Object value = switch (type) {
                case "string" -> x.call("GET", key);
                case "list" -> x.call("LRANGE", key, "0", "-1");
                case "set" -> sortedStrings((List<?>) x.call("SMEMBERS", key));
                case "zset" -> x.call("ZRANGE", key, "0", "-1", "WITHSCORES");
                case "hash" -> new TreeMap<>(pairs((List<?>) x.call("HGETALL", key)));
                case "stream" -> streamContents(x, key);
                default -> type;
            };
            // Expiry times travel as absolute times: both sides must hold the same one.
            out.put(key, List.of(type, x.call("PEXPIRETIME", key), value));
        }
        return out;
    }

    /**
     * Entries, then per group its last ID, read counter and pending entries (id, consumer,
     * deliveries; not the idle time, which depends on when it is asked).
     */
    private static List<Object> streamContents(RespClient x, String key) throws IOException {
        List<Object> out = new ArrayList<>();
        out.add(x.call("XRANGE", key, "-", "+"));
        for (Object g : (List<?>) x.call("XINFO", "GROUPS", key)) {
            Map<String, Object> info = new TreeMap<>();
            List<?> kv = (List<?>) g;
            for (int i = 0; i < kv.size(); i += 2) {
                info.put((String) kv.get(i), kv.get(i + 1));
            }
            info.remove("lag");
            out.add(info);
            for (Object pending : (List<?>) x.call("XPENDING", key, info.get("name"), "-", "+", "1000")) {
                List<?> p = (List<?>) pending;
                out.add(List.of(p.get(0), p.get(1), p.get(3)));
            }
        }
        return out;
    }

    private static List<String> sortedStrings(List<?> l) {
        List<String> s = new ArrayList<>();
        for (Object o : l) {
            s.add((String) o);
        }
        s.sort(null);
        return s;
    }

    private static Map<String, String> pairs(List<?> l) {
        TreeMap<String, String> m = new TreeMap<>();
        for (int i = 0; i < l.size(); i += 2) {
            m.put((String) l.get(i), (String) l.get(i + 1));
        }
        return m;
    }
}
