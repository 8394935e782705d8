package dev.cinnabar.server.family;

import static dev.cinnabar.server.persistence.rdb.Payloads.cat;
import static dev.cinnabar.server.persistence.rdb.Payloads.len;
import static dev.cinnabar.server.persistence.rdb.Payloads.str;
import static dev.cinnabar.server.persistence.rdb.Payloads.strs;
import static dev.cinnabar.server.persistence.rdb.Payloads.wrap;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.persistence.rdb.Payloads;
import dev.cinnabar.server.persistence.rdb.RdbValueReader;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DUMP / RESTORE semantics and errors (upstream unit/dump and the RESTORE users in unit/type). */
class DumpRestoreTest {
    static CinnabarServer server;
    static RespClient c;

    private static final Err CHECKSUM = new Err("ERR DUMP payload version or checksum are wrong");
    private static final Err BAD = new Err("ERR Bad data format");

    @BeforeAll
    static void start() throws Exception {
        server = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
        c = new RespClient(server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
        server.close();
    }

    @BeforeEach
    void clean() throws Exception {
        c.call("FLUSHALL");
        c.call("CONFIG", "SET", "sanitize-dump-payload", "no");
        c.call("CONFIG", "SET", "maxmemory-policy", "noeviction");
    }

    private static byte[] dump(String key) throws Exception {
        return ((String) c.call("DUMP", key)).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void simpleKeyAndTtls() throws Exception {
        c.call("SET", "foo", "bar");
        byte[] d = dump("foo");
        c.call("DEL", "foo");
        assertThat(c.call("RESTORE", "foo", "0", d)).isEqualTo("OK");
        assertThat(c.call("TTL", "foo")).isEqualTo(-1L);
        assertThat(c.call("GET", "foo")).isEqualTo("bar");

        c.call("DEL", "foo");
        c.call("RESTORE", "foo", "5000", d);
        assertThat((Long) c.call("PTTL", "foo")).isBetween(3000L, 5000L);

        c.call("DEL", "foo");
        c.call("RESTORE", "foo", "2569591501", d);
        assertThat((Long) c.call("PTTL", "foo")).isBetween(2569591501L - 3000, 2569591501L);

        c.call("DEL", "foo");
        long now = System.currentTimeMillis();
        c.call("RESTORE", "foo", Long.toString(now + 3000), d, "ABSTTL");
        assertThat((Long) c.call("PTTL", "foo")).isBetween(2000L, 3100L);

        // An absolute TTL in the past: nothing is stored, an existing key is deleted.
        c.call("SET", "foo", "old");
        assertThat(c.call("RESTORE", "foo", Long.toString(now - 3000), d, "ABSTTL", "REPLACE")).isEqualTo("OK");
        assertThat(c.call("EXISTS", "foo")).isEqualTo(0L);
        assertThat(c.call("RESTORE", "foo", Long.toString(now - 3000), d, "ABSTTL")).isEqualTo("OK");
        assertThat(c.call("EXISTS", "foo")).isEqualTo(0L);

        assertThat(c.call("DUMP", "nonexisting_key")).isNull();
    }

    @Test
    void lruAndLfu() throws Exception {
        c.call("SET", "foo", "bar");
        byte[] d = dump("foo");
        c.call("DEL", "foo");
        c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        c.call("RESTORE", "foo", "0", d, "IDLETIME", "1000");
        assertThat((Long) c.call("OBJECT", "IDLETIME", "foo")).isBetween(1000L, 1010L);
        c.call("DEL", "foo");
        c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
        c.call("RESTORE", "foo", "0", d, "FREQ", "100");
        assertThat(c.call("OBJECT", "FREQ", "foo")).isEqualTo(100L);
        // IDLETIME has no effect under LFU, FREQ none under LRU.
        c.call("RESTORE", "foo", "0", d, "IDLETIME", "1000", "REPLACE");
        assertThat(c.call("OBJECT", "FREQ", "foo")).isEqualTo(5L);
    }

    @Test
    void errors() throws Exception {
        c.call("SET", "foo", "bar");
        byte[] d = dump("foo");
        assertThat(c.call("RESTORE", "foo", "0", "...")).isEqualTo(new Err("BUSYKEY Target key name already exists."));
        assertThat(c.call("RESTORE", "foo", "0", "...", "invalid-option")).isEqualTo(new Err("ERR syntax error"));
        assertThat(c.call("RESTORE", "n", "0", d, "IDLETIME")).isEqualTo(new Err("ERR syntax error"));
        assertThat(c.call("RESTORE", "n", "0", d, "IDLETIME", "1", "FREQ", "1")).isEqualTo(new Err("ERR syntax error"));
        assertThat(c.call("RESTORE", "n", "0", d, "FREQ", "1", "IDLETIME", "1")).isEqualTo(new Err("ERR syntax error"));
        assertThat(c.call("RESTORE", "n", "0", d, "IDLETIME", "-1")).isEqualTo(new Err("ERR Invalid IDLETIME value, must be >= 0"));
        assertThat(c.call("RESTORE", "n", "0", d, "IDLETIME", "x"))
                .isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(c.call("RESTORE", "n", "0", d, "FREQ", "256"))
                .isEqualTo(new Err("ERR Invalid FREQ value, must be >= 0 and <= 255"));
        assertThat(c.call("RESTORE", "n", "-1", d)).isEqualTo(new Err("ERR Invalid TTL value, must be >= 0"));
        assertThat(c.call("RESTORE", "n", "1.5", d)).isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(c.call("RESTORE", "n", "0", "...")).isEqualTo(CHECKSUM);
        byte[] flipped = d.clone();
        flipped[1] ^= 1;
        assertThat(c.call("RESTORE", "n", "0", flipped)).isEqualTo(CHECKSUM);
        assertThat(c.call("RESTORE", "n", "0", Payloads.withVersion(d, 12))).isEqualTo(CHECKSUM);
        assertThat(c.call("RESTORE", "n", "0", Payloads.withVersion(d, 1))).isEqualTo("OK");
        // A valid checksum over bad contents.
        assertThat(c.call("RESTORE", "m", "0", wrap(8, str("x"), 11))).isEqualTo(BAD);
        assertThat(c.call("RESTORE", "m", "0", wrap(200, str("x"), 11))).isEqualTo(BAD);
        assertThat(c.call("RESTORE", "m", "0", wrap(RdbValueReader.TYPE_SET, len(0), 11))).isEqualTo(BAD);
        assertThat(c.call("RESTORE", "m", "0", wrap(RdbValueReader.TYPE_SET, cat(len(3), strs("a", "b")), 11)))
                .isEqualTo(BAD);
        assertThat(c.call("RESTORE", "m", "0", wrap(RdbValueReader.TYPE_STREAM_LISTPACKS_3, len(0), 11))).isEqualTo(BAD);
        assertThat(c.call("EXISTS", "m")).isEqualTo(0L);
        // The checksum can be skipped for debugging, as in Redis.
        c.call("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1");
        byte[] badCrc = d.clone();
        badCrc[badCrc.length - 1] ^= 1;
        assertThat(c.call("RESTORE", "z", "0", badCrc)).isEqualTo("OK");
        c.call("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0");
        assertThat(c.call("RESTORE", "z2", "0", badCrc)).isEqualTo(CHECKSUM);
        assertThat(c.call("PING")).isEqualTo("PONG");
    }

    @Test
    void replaceAndRestoreAsking() throws Exception {
        c.call("SET", "foo", "bar1");
        byte[] d1 = dump("foo");
        c.call("SET", "foo", "bar2");
        byte[] d2 = dump("foo");
        c.call("DEL", "foo");
        c.call("RESTORE", "foo", "0", d1);
        c.call("RESTORE", "foo", "0", d2, "replace");
        assertThat(c.call("GET", "foo")).isEqualTo("bar2");
        c.call("RPUSH", "l", "a");
        assertThat(c.call("RESTORE-ASKING", "l", "0", d1, "REPLACE")).isEqualTo("OK");
        assertThat(c.call("GET", "l")).isEqualTo("bar1");
    }

    @Test
    void notifiesWatchersAndBlockedClients() throws Exception {
        c.call("RPUSH", "src", "x", "y");
        byte[] list = dump("src");
        c.call("CONFIG", "SET", "notify-keyspace-events", "KEg");
        try (RespClient sub = new RespClient(server.port()); RespClient blocked = new RespClient(server.port());
             RespClient w = new RespClient(server.port())) {
            sub.call("SUBSCRIBE", "__keyevent@0__:restore", "__keyevent@0__:del");
            sub.read();
            w.call("WATCH", "dst");
            w.call("MULTI");
            w.call("GET", "dst");
            blocked.send("BLPOP", "dst", "5");
            Thread.sleep(100);
            assertThat(c.call("RESTORE", "dst", "0", list)).isEqualTo("OK");
            assertThat(blocked.read()).isEqualTo(List.of("dst", "x"));
            assertThat(w.call("EXEC")).isNull();
            assertThat(sub.read()).isEqualTo(List.of("message", "__keyevent@0__:restore", "dst"));
            // An expired TTL with REPLACE deletes the old key: "del".
            assertThat(c.call("RESTORE", "dst", "1", list, "ABSTTL", "REPLACE")).isEqualTo("OK");
            assertThat(sub.read()).isEqualTo(List.of("message", "__keyevent@0__:del", "dst"));
        } finally {
            c.call("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }

    @Test
    void encodingsAfterRestoreFollowTheLoadRules() throws Exception {
        c.call("HSET", "h", "a", "1", "b", "2", "c", "3");
        byte[] h = dump("h");
        c.call("CONFIG", "SET", "hash-max-listpack-entries", "2");
        c.call("RESTORE", "h2", "0", h);
        assertThat(c.call("OBJECT", "ENCODING", "h2")).isEqualTo("hashtable");
        c.call("CONFIG", "SET", "hash-max-listpack-entries", "512");
        // A listpack blob keeps its encoding whatever the element lengths (only counts are checked).
        c.call("CONFIG", "SET", "hash-max-listpack-value", "1");
        c.call("RESTORE", "h3", "0", h);
        assertThat(c.call("OBJECT", "ENCODING", "h3")).isEqualTo("listpack");
        c.call("CONFIG", "SET", "hash-max-listpack-value", "64");

        c.call("SADD", "s", "1", "2", "3");
        byte[] s = dump("s");
        c.call("CONFIG", "SET", "set-max-intset-entries", "2");
        c.call("RESTORE", "s2", "0", s);
        assertThat(c.call("OBJECT", "ENCODING", "s2")).isEqualTo("hashtable");
        c.call("CONFIG", "SET", "set-max-intset-entries", "512");

        c.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
        byte[] z = dump("z");
        c.call("CONFIG", "SET", "zset-max-listpack-entries", "2");
        c.call("RESTORE", "z2", "0", z);
        assertThat(c.call("OBJECT", "ENCODING", "z2")).isEqualTo("skiplist");
        assertThat(c.call("ZRANGE", "z2", "0", "-1", "WITHSCORES")).isEqualTo(List.of("a", "1", "b", "2", "c", "3"));
        c.call("CONFIG", "SET", "zset-max-listpack-entries", "128");
    }

    @Test
    void listOfVariousEncodings() throws Exception {
        // unit/type/list "List of various encodings" (+ "- sanitize dump").
        String[] values = {"127", "32767", "2147483647", "9223372036854775808", "0", "12", "x".repeat(31),
            "x".repeat(8191), "x".repeat(65535)};
        for (String v : values) {
            c.call("LPUSH", "k", v);
        }
        assertThat(c.call("OBJECT", "ENCODING", "k")).isEqualTo("quicklist");
        Object k = c.call("LRANGE", "k", "0", "-1");
        byte[] d = dump("k");
        for (String sanitize : List.of("no", "yes")) {
            c.call("CONFIG", "SET", "sanitize-dump-payload", sanitize);
            assertThat(c.call("RESTORE", "kk", "0", d, "REPLACE")).isEqualTo("OK");
            assertThat(c.call("OBJECT", "ENCODING", "kk")).isEqualTo("quicklist");
            assertThat(c.call("LINDEX", "kk", "5")).isEqualTo("9223372036854775808");
            assertThat(c.call("LINDEX", "kk", "-5")).isEqualTo("0");
            assertThat(c.call("LPOS", "kk", "foo", "RANK", "-1")).isNull();
            assertThat(c.call("LRANGE", "kk", "0", "-1")).isEqualTo(k);
        }
    }

    private static long sanitizations() throws Exception {
        String info = (String) c.call("INFO", "stats");
        return info.lines().filter(l -> l.startsWith("dump_payload_sanitizations:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElseThrow();
    }

    @Test
    void sanitizeDumpPayload() throws Exception {
        // A listpack whose last entry's back-length is wrong: only the deep check reads it.
        byte[] lp = Payloads.listpack("a", "b", "c");
        lp[lp.length - 2] = 5;
        byte[] badBacklen = wrap(RdbValueReader.TYPE_SET_LISTPACK, str(lp), 11);
        // An intset out of order: accepted (and put in order) only without the deep check.
        byte[] unsorted = wrap(RdbValueReader.TYPE_SET_INTSET, str(Payloads.intset(2, 5, 1, 3)), 11);
        // Repeated members can never be held: refused in every mode.
        byte[] dupSet = wrap(RdbValueReader.TYPE_SET_LISTPACK, str(Payloads.listpack("a", "a")), 11);
        byte[] dupHash = wrap(RdbValueReader.TYPE_HASH_LISTPACK, str(Payloads.listpack("f", "1", "f", "2")), 11);
        byte[] dupZset = wrap(RdbValueReader.TYPE_ZSET_LISTPACK, str(Payloads.listpack("m", "1", "m", "2")), 11);
        byte[] oddHash = wrap(RdbValueReader.TYPE_HASH_LISTPACK, str(Payloads.listpack("f", "1", "g")), 11);
        byte[] dupIntset = wrap(RdbValueReader.TYPE_SET_INTSET, str(Payloads.intset(2, 3, 1, 3)), 11);

        long before = sanitizations();
        assertThat(c.call("RESTORE", "a", "0", badBacklen)).isEqualTo("OK");
        assertThat(c.call("SMEMBERS", "a")).isEqualTo(List.of("a", "b", "c"));
        assertThat(c.call("RESTORE", "b", "0", unsorted)).isEqualTo("OK");
        assertThat(c.call("SMEMBERS", "b")).isEqualTo(List.of("1", "3", "5"));
        assertThat(c.call("SISMEMBER", "b", "3")).isEqualTo(1L);
        assertThat(sanitizations()).isEqualTo(before);
        for (String mode : List.of("no", "yes", "clients")) {
            c.call("CONFIG", "SET", "sanitize-dump-payload", mode);
            for (byte[] p : List.of(dupSet, dupHash, dupZset, oddHash, dupIntset)) {
                assertThat(c.call("RESTORE", "d", "0", p)).as(mode).isEqualTo(BAD);
            }
            assertThat(c.call("EXISTS", "d")).isEqualTo(0L);
        }
        for (String mode : List.of("yes", "clients")) {
            c.call("CONFIG", "SET", "sanitize-dump-payload", mode);
            long n = sanitizations();
            assertThat(c.call("RESTORE", "c", "0", badBacklen)).as(mode).isEqualTo(BAD);
            assertThat(c.call("RESTORE", "c", "0", unsorted)).as(mode).isEqualTo(BAD);
            assertThat(sanitizations()).isEqualTo(n + 2);
        }
    }
}
