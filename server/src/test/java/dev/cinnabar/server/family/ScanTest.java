package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.testkit.ManualClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SCAN (unit/scan of the Redis suite for the keyspace) and its guarantee across resizes. */
class ScanTest {
    static ManualClock clock = new ManualClock();
    @RegisterExtension
    static final ServerFixture fixture = ServerFixture.manualTime(clock);
    final RespClient r = fixture.client();

    /** The server under test (active expiry off, time moved by hand). */
    static Server server() {
        return fixture.server();
    }

    private Object call(Object... args) throws Exception {
        return r.call(args);
    }

    /** Upstream's populate: key:0 .. key:n-1 set to "AAA", pipelined. */
    private void populate(int n, String prefix) throws Exception {
        for (int i = 0; i < n; i++) {
            r.send("SET", prefix + i, "AAA");
        }
        for (int i = 0; i < n; i++) {
            assertThat(r.read()).isEqualTo("OK");
        }
    }

    /** A full iteration; returns every key returned (with repetitions). */
    @SuppressWarnings("unchecked")
    private List<String> scanAll(Object... options) throws Exception {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        int calls = 0;
        do {
            Object[] cmd = new Object[2 + options.length];
            cmd[0] = "SCAN";
            cmd[1] = cursor;
            System.arraycopy(options, 0, cmd, 2, options.length);
            List<Object> res = (List<Object>) call(cmd);
            assertThat(res).hasSize(2);
            cursor = (String) res.get(0);
            keys.addAll((List<String>) res.get(1));
            assertThat(++calls).isLessThan(100_000);
        } while (!cursor.equals("0"));
        return keys;
    }

    @Test
    void basicCountAndMatch() throws Exception {
        populate(1000, "key:");
        assertThat(new HashSet<>(scanAll())).hasSize(1000);
        assertThat(new HashSet<>(scanAll("COUNT", "5"))).hasSize(1000);
        Set<String> matched = new HashSet<>(scanAll("MATCH", "key:1??"));
        assertThat(matched).hasSize(100).allMatch(k -> k.matches("key:1\\d\\d"));
        assertThat(new HashSet<>(scanAll("match", "*", "count", "1000"))).hasSize(1000);
    }

    @Test
    @SuppressWarnings("unchecked")
    void replyShapeAndCount() throws Exception {
        populate(100, "key:");
        List<Object> res = (List<Object>) call("SCAN", "0", "COUNT", "1000");
        // The whole small table fits in one call: cursor back to 0.
        assertThat(res.get(0)).isEqualTo("0");
        assertThat((List<Object>) res.get(1)).hasSize(100);
        res = (List<Object>) call("SCAN", "0", "COUNT", "1");
        assertThat((String) res.get(0)).matches("[1-9][0-9]*");
        assertThat(call("SCAN", "0", "COUNT", "0")).isEqualTo(new Err("ERR syntax error"));
        assertThat(call("SCAN", "0", "COUNT", "-1")).isEqualTo(new Err("ERR syntax error"));
        assertThat(call("SCAN", "0", "COUNT", "abc")).isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(call("SCAN", "0", "MATCH")).isEqualTo(new Err("ERR syntax error"));
        assertThat(call("SCAN", "0", "foo", "bar")).isEqualTo(new Err("ERR syntax error"));
    }

    @Test
    void typeFilter() throws Exception {
        populate(1000, "key:");
        KeyspaceFamilyTest.FakeList v = new KeyspaceFamilyTest.FakeList(new ArrayList<>(List.of("a")));
        byte[] k = "alist".getBytes(StandardCharsets.ISO_8859_1);
        server().runLocked(() -> server().db(0).setObject(k, 0, k.length, v, -1));
        assertThat(scanAll("TYPE", "list")).containsExactly("alist");
        assertThat(new HashSet<>(scanAll("type", "STRING"))).hasSize(1000);
        assertThat(new HashSet<>(scanAll("TYPE", "string", "MATCH", "key:*", "COUNT", "10"))).hasSize(1000);
        // Redis 7.2 accepts unknown type names and simply matches nothing.
        assertThat(scanAll("TYPE", "string1")).isEmpty();
    }

    @Test
    void cursorParsingFollowsStrtoul() throws Exception {
        for (String ok : List.of("", "+5", "-1", "-0", "18446744073709551615", "-18446744073709551615", "00")) {
            assertThat(call("SCAN", ok)).as(ok).isInstanceOf(List.class);
        }
        for (String bad : List.of(" 1", "1 ", "\t1", "abc", "0x1", "18446744073709551616", "-", "+", "1.0")) {
            assertThat(call("SCAN", bad)).as(bad).isEqualTo(new Err("ERR invalid cursor"));
        }
    }

    @Test
    void cursorValues() {
        assertThat(value("")).isZero();
        assertThat(value("42")).isEqualTo(42);
        assertThat(value("+42")).isEqualTo(42);
        assertThat(value("-1")).isEqualTo(-1L); // 2^64-1 as an unsigned number
        assertThat(Long.toUnsignedString(value("18446744073709551615"))).isEqualTo("18446744073709551615");
        assertThat(value("-18446744073709551615")).isEqualTo(1);
        assertThat(value("7\0garbage")).isEqualTo(7); // C sees the string end at the NUL
        assertThat(valid("18446744073709551616")).isFalse();
        assertThat(valid("99999999999999999999")).isFalse();
        assertThat(valid("1844674407370955161")).isTrue();
    }

    private static boolean valid(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return KeyspaceFamily.validCursor(b, 0, b.length);
    }

    private static long value(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(KeyspaceFamily.validCursor(b, 0, b.length)).as(s).isTrue();
        return KeyspaceFamily.cursorValue(b, 0, b.length);
    }

    @Test
    void expiredKeysAreSkippedAndDeleted() throws Exception {
        populate(1000, "key:");
        call("SET", "foo", "bar", "PX", "1");
        call("SET", "foo2", "bar", "PX", "1");
        clock.advance(2);
        long expired = server().stats.expiredKeys;
        assertThat(new HashSet<>(scanAll("COUNT", "10"))).hasSize(1000).doesNotContain("foo", "foo2");
        assertThat(call("DBSIZE")).isEqualTo(1000L);
        assertThat(server().stats.expiredKeys).isEqualTo(expired + 2);

        call("SET", "foo", "bar", "PX", "1");
        clock.advance(2);
        long hits = server().stats.keyspaceHits;
        long misses = server().stats.keyspaceMisses;
        assertThat(new HashSet<>(scanAll("TYPE", "string", "COUNT", "10"))).hasSize(1000);
        assertThat(call("DBSIZE")).isEqualTo(1000L);
        // With TYPE, every key met is looked up as a read, as Redis 7.2 does.
        assertThat(server().stats.keyspaceHits - hits).isGreaterThanOrEqualTo(1000);
        assertThat(server().stats.keyspaceMisses - misses).isEqualTo(1);
    }

    @Test
    void guaranteesUnderWriteLoad() throws Exception {
        populate(100, "key:");
        Random rnd = new Random(1);
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        do {
            @SuppressWarnings("unchecked")
            List<Object> res = (List<Object>) call("SCAN", cursor);
            cursor = (String) res.get(0);
            for (Object k : (List<?>) res.get(1)) {
                seen.add((String) k);
            }
            for (int j = 0; j < 10; j++) {
                call("SET", "addedkey:" + rnd.nextInt(1000), "foo");
            }
        } while (!cursor.equals("0"));
        for (int i = 0; i < 100; i++) {
            assertThat(seen).contains("key:" + i);
        }
    }

    /**
     * Keys present for the whole iteration are all returned although the table grows several
     * times and then shrinks again between SCAN calls (with incremental rehashing in between).
     */
    @Test
    void everyStableKeyIsReturnedAcrossGrowAndShrink() throws Exception {
        populate(500, "stable:");
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int calls = 0;
        int added = 0;
        int removed = 0;
        do {
            @SuppressWarnings("unchecked")
            List<Object> res = (List<Object>) call("SCAN", cursor, "COUNT", "20");
            cursor = (String) res.get(0);
            for (Object k : (List<?>) res.get(1)) {
                seen.add((String) k);
            }
            calls++;
            if (calls <= 10) {
                // Grow: 8x the table in the first calls.
                for (int i = 0; i < 400; i++) {
                    r.send("SET", "tmp:" + added++, "x");
                }
                for (int i = 0; i < 400; i++) {
                    r.read();
                }
            } else if (removed < added) {
                // Shrink: delete them all again, a chunk per call.
                int n = Math.min(600, added - removed);
                for (int i = 0; i < n; i++) {
                    r.send("DEL", "tmp:" + removed++);
                }
                for (int i = 0; i < n; i++) {
                    r.read();
                }
            }
        } while (!cursor.equals("0"));
        assertThat(removed).isEqualTo(added); // the shrink really happened within the iteration
        for (int i = 0; i < 500; i++) {
            assertThat(seen).contains("stable:" + i);
        }
        assertThat(call("DBSIZE")).isEqualTo(500L);
    }
}
