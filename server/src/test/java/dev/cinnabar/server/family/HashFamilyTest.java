package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hash commands through a real server, mirroring upstream unit/type/hash (encodings at the
 * thresholds, HRANDFIELD paths and reply shapes, HINCRBY/HINCRBYFLOAT), the HSCAN tests of
 * unit/scan and the hash COPY tests of unit/keyspace.
 */
class HashFamilyTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand()
            .eachTest("FLUSHALL")
            .eachTest("CONFIG", "SET", "hash-max-listpack-entries", "512")
            .eachTest("CONFIG", "SET", "hash-max-listpack-value", "64");
    final RespClient c = server.client();

    private Object r(Object... args) throws Exception {
        return c.call(args);
    }

    /** The first line of the raw reply (type byte included), to tell "*0" from "%0" or "_". */
    private String rawHead(Object... args) throws Exception {
        c.send(args);
        return c.line();
    }

    private String encoding(String key) throws Exception {
        return (String) r("OBJECT", "ENCODING", key);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object... args) throws Exception {
        return (List<Object>) r(args);
    }

    private static Err err(String m) {
        return new Err(m);
    }

    // ---- basics -----------------------------------------------------------------------------

    @Test
    void setGetAndFriends() throws Exception {
        assertThat(r("HSET", "h", "a", "1", "b", "2")).isEqualTo(2L);
        assertThat(r("HSET", "h", "a", "10", "c", "3")).isEqualTo(1L);
        assertThat(r("HMSET", "h", "d", "4")).isEqualTo("OK");
        assertThat(r("HGET", "h", "a")).isEqualTo("10");
        assertThat(r("HGET", "h", "zz")).isNull();
        assertThat(r("HGET", "nokey", "a")).isNull();
        assertThat(list("HMGET", "h", "a", "zz", "d")).containsExactly("10", null, "4");
        assertThat(list("HMGET", "nokey", "a", "b")).containsExactly(null, null);
        assertThat(r("HLEN", "h")).isEqualTo(4L);
        assertThat(r("HLEN", "nokey")).isEqualTo(0L);
        assertThat(r("HSTRLEN", "h", "a")).isEqualTo(2L);
        assertThat(r("HSTRLEN", "h", "zz")).isEqualTo(0L);
        assertThat(r("HEXISTS", "h", "b")).isEqualTo(1L);
        assertThat(r("HEXISTS", "h", "zz")).isEqualTo(0L);
        assertThat(r("HEXISTS", "nokey", "zz")).isEqualTo(0L);
        // Listpack order is insertion order, updates in place.
        assertThat(list("HKEYS", "h")).containsExactly("a", "b", "c", "d");
        assertThat(list("HVALS", "h")).containsExactly("10", "2", "3", "4");
        assertThat(list("HGETALL", "h")).containsExactly("a", "10", "b", "2", "c", "3", "d", "4");
        assertThat(r("TYPE", "h")).isEqualTo("hash");
    }

    @Test
    void missingKeysGiveEmptyAggregatesOfTheRightKind() throws Exception {
        assertThat(rawHead("HKEYS", "nokey")).isEqualTo("*0");
        assertThat(rawHead("HVALS", "nokey")).isEqualTo("*0");
        assertThat(rawHead("HGETALL", "nokey")).isEqualTo("*0");
        assertThat(rawHead("HGET", "nokey", "f")).isEqualTo("$-1");
        r("HELLO", "3");
        assertThat(rawHead("HGETALL", "nokey")).isEqualTo("%0");
        assertThat(rawHead("HKEYS", "nokey")).isEqualTo("*0");
        assertThat(rawHead("HGET", "nokey", "f")).isEqualTo("_");
        assertThat(rawHead("HRANDFIELD", "nokey")).isEqualTo("_");
        r("HSET", "h", "a", "1", "b", "2");
        assertThat(r("HGETALL", "h")).isEqualTo(new LinkedHashMap<>(Map.of("a", "1", "b", "2")));
    }

    @Test
    void wrongArityAndWrongType() throws Exception {
        assertThat(r("HSET", "h", "k1", "v1", "k2")).isEqualTo(err("ERR wrong number of arguments for 'hset' command"));
        assertThat(r("HMSET", "h", "k1", "v1", "k2")).isEqualTo(err("ERR wrong number of arguments for 'hmset' command"));
        assertThat(r("EXISTS", "h")).isEqualTo(0L);
        r("SET", "s", "x");
        String wt = "WRONGTYPE Operation against a key holding the wrong kind of value";
        for (Object[] cmd : new Object[][] {{"HSET", "s", "a", "b"}, {"HMSET", "s", "a", "b"}, {"HSETNX", "s", "a", "b"},
            {"HGET", "s", "a"}, {"HMGET", "s", "a"}, {"HDEL", "s", "a"}, {"HLEN", "s"}, {"HSTRLEN", "s", "a"},
            {"HEXISTS", "s", "a"}, {"HKEYS", "s"}, {"HVALS", "s"}, {"HGETALL", "s"}, {"HINCRBY", "s", "a", "1"},
            {"HINCRBYFLOAT", "s", "a", "1"}, {"HRANDFIELD", "s"}, {"HRANDFIELD", "s", "0"}, {"HRANDFIELD", "s", "-3", "WITHVALUES"},
            {"HSCAN", "s", "0"}}) {
            assertThat(r(cmd)).as(String.join(" ", java.util.Arrays.stream(cmd).map(String::valueOf).toList()))
                    .isEqualTo(err(wt));
        }
        assertThat(r("GET", "s")).isEqualTo("x");
    }

    @Test
    void hsetnx() throws Exception {
        assertThat(r("HSETNX", "h", "f", "foo")).isEqualTo(1L);
        assertThat(r("HSETNX", "h", "f", "bar")).isEqualTo(0L);
        assertThat(r("HGET", "h", "f")).isEqualTo("foo");
    }

    @Test
    void hdelDeletesTheKeyWhenTheLastFieldGoes() throws Exception {
        r("HMSET", "h", "a", "1", "b", "2", "c", "3");
        assertThat(r("HDEL", "h", "x", "y")).isEqualTo(0L);
        assertThat(r("HDEL", "h", "a", "c", "f")).isEqualTo(2L);
        assertThat(list("HGETALL", "h")).containsExactly("b", "2");
        r("HMSET", "h", "a", "1", "c", "3");
        assertThat(r("HDEL", "h", "a", "b", "c", "d", "e")).isEqualTo(3L);
        assertThat(r("EXISTS", "h")).isEqualTo(0L);
        assertThat(r("HDEL", "nokey", "a")).isEqualTo(0L);
    }

    // ---- encodings --------------------------------------------------------------------------

    @Test
    void convertsAtTheEntriesThreshold() throws Exception {
        r("CONFIG", "SET", "hash-max-listpack-entries", "4");
        for (int i = 0; i < 4; i++) {
            r("HSET", "h", "f" + i, "v");
        }
        assertThat(encoding("h")).isEqualTo("listpack");
        r("HSET", "h", "f0", "again");
        assertThat(encoding("h")).isEqualTo("listpack");
        r("HSET", "h", "f4", "v");
        assertThat(encoding("h")).isEqualTo("hashtable");
        // Never back, even when small again.
        r("HDEL", "h", "f0", "f1", "f2", "f3");
        assertThat(encoding("h")).isEqualTo("hashtable");
        assertThat(r("HLEN", "h")).isEqualTo(1L);
    }

    @Test
    void manyPairsInOneCommandConvertFirstEvenIfTheyRepeat() throws Exception {
        // Redis counts argument pairs, not distinct fields (hashTypeTryConversion).
        r("CONFIG", "SET", "hash-max-listpack-entries", "2");
        r("HSET", "dup", "a", "1", "a", "2", "a", "3");
        assertThat(r("HLEN", "dup")).isEqualTo(1L);
        assertThat(encoding("dup")).isEqualTo("hashtable");
        r("HSET", "ok", "a", "1", "b", "2");
        assertThat(encoding("ok")).isEqualTo("listpack");
        r("CONFIG", "SET", "hash-max-listpack-entries", "0");
        r("HSETNX", "nx", "a", "1");
        assertThat(encoding("nx")).isEqualTo("hashtable");
    }

    @Test
    void convertsOnLongFieldsAndValues() throws Exception {
        r("HSET", "h", "f", "x".repeat(64));
        assertThat(encoding("h")).isEqualTo("listpack");
        r("HSET", "h", "foo", "a".repeat(1024));
        assertThat(encoding("h")).isEqualTo("hashtable");
        r("HSET", "g", "f".repeat(65), "v");
        assertThat(encoding("g")).isEqualTo("hashtable");
        // A long value for an existing field converts as well, though the field count stays.
        r("HSET", "u", "f", "short");
        r("HSET", "u", "f", "y".repeat(65));
        assertThat(encoding("u")).isEqualTo("hashtable");
    }

    @Test
    void hincrbyfloatConvertsOnTheResultLength() throws Exception {
        // Upstream "HINCRBYFLOAT over hash-max-listpack-value encoded with a listpack".
        r("CONFIG", "SET", "hash-max-listpack-value", "8");
        r("HSET", "small", "tmp", "0");
        r("HSET", "big", "tmp", "0");
        r("HINCRBYFLOAT", "small", "tmp", "0.000005");
        r("HINCRBYFLOAT", "big", "tmp", "0.0000005");
        assertThat(encoding("small")).isEqualTo("listpack");
        assertThat(encoding("big")).isEqualTo("hashtable");
        r("HINCRBYFLOAT", "small2", "abcdefgh", "1");
        r("HINCRBYFLOAT", "big2", "abcdefghi", "1");
        assertThat(encoding("small2")).isEqualTo("listpack");
        assertThat(encoding("big2")).isEqualTo("hashtable");
        r("HINCRBY", "big3", "abcdefghi", "1");
        assertThat(encoding("big3")).isEqualTo("hashtable");
    }

    @Test
    void stressConversionUnderRandomValues() throws Exception {
        r("CONFIG", "SET", "hash-max-listpack-entries", "32");
        java.util.Random rnd = new java.util.Random(7);
        for (int j = 0; j < 10; j++) {
            r("DEL", "h");
            Map<String, String> model = new HashMap<>();
            for (int i = 0; i < 64; i++) {
                String f = "f" + rnd.nextInt(1000);
                String v = "v" + rnd.nextLong();
                r("HSET", "h", f, v);
                model.put(f, v);
            }
            assertThat(encoding("h")).isEqualTo(model.size() > 32 ? "hashtable" : "listpack");
            for (Map.Entry<String, String> e : model.entrySet()) {
                assertThat(r("HGET", "h", e.getKey())).isEqualTo(e.getValue());
            }
        }
    }

    // ---- counters ---------------------------------------------------------------------------

    @Test
    void hincrby() throws Exception {
        for (String key : new String[] {"small", "big"}) {
            if (key.equals("big")) {
                r("CONFIG", "SET", "hash-max-listpack-entries", "0");
            }
            assertThat(r("HINCRBY", key, "tmp", "2")).isEqualTo(2L);
            assertThat(r("HINCRBY", key, "tmp", "3")).isEqualTo(5L);
            assertThat(r("HGET", key, "tmp")).isEqualTo("5");
            r("HSET", key, "tmp", "17179869184");
            assertThat(r("HINCRBY", key, "tmp", "17179869184")).isEqualTo(34359738368L);
            r("HSET", key, "str", " 11");
            assertThat(r("HINCRBY", key, "str", "1")).isEqualTo(err("ERR hash value is not an integer"));
            r("HSET", key, "str", "11 ");
            assertThat(r("HINCRBY", key, "str", "1")).isEqualTo(err("ERR hash value is not an integer"));
            assertThat(r("HINCRBY", key, "tmp", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        }
        assertThat(encoding("small")).isEqualTo("listpack");
        assertThat(encoding("big")).isEqualTo("hashtable");
        r("HSET", "hash", "n", "-9223372036854775484");
        assertThat(r("HINCRBY", "hash", "n", "-1")).isEqualTo(-9223372036854775485L);
        assertThat(r("HINCRBY", "hash", "n", "-10000")).isEqualTo(err("ERR increment or decrement would overflow"));
        r("HSET", "hash", "m", "9223372036854775807");
        assertThat(r("HINCRBY", "hash", "m", "1")).isEqualTo(err("ERR increment or decrement would overflow"));
        assertThat(r("HINCRBY", "hash", "m", "-9223372036854775807")).isEqualTo(0L);
        // A failed parse of the increment never creates the key.
        assertThat(r("HINCRBY", "fresh", "f", "nope")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(r("EXISTS", "fresh")).isEqualTo(0L);
    }

    @Test
    void hincrbyfloat() throws Exception {
        // Upstream "Test HINCRBYFLOAT for correct float representation (issue #2846)".
        assertThat(r("HINCRBYFLOAT", "h", "float", "1.23")).isEqualTo("1.23");
        assertThat(r("HINCRBYFLOAT", "h", "float", "0.77")).isEqualTo("2");
        assertThat(r("HINCRBYFLOAT", "h", "float", "-0.1")).isEqualTo("1.9");
        assertThat(r("HINCRBYFLOAT", "h", "x", "2.5")).isEqualTo("2.5");
        r("HSET", "h", "big", "17179869184");
        assertThat(r("HINCRBYFLOAT", "h", "big", "17179869184")).isEqualTo("34359738368");
        assertThat(r("HINCRBYFLOAT", "h", "e", "5.0e3")).isEqualTo("5000");
        assertThat(r("HINCRBYFLOAT", "h", "e", "1e-17")).isEqualTo("5000");
        assertThat(r("HINCRBYFLOAT", "h", "t", "0.1")).isEqualTo("0.1");
        assertThat(r("HINCRBYFLOAT", "h", "t", "0.2")).isEqualTo("0.3");
        r("HSET", "h", "s", " 11");
        assertThat(r("HINCRBYFLOAT", "h", "s", "1")).isEqualTo(err("ERR hash value is not a float"));
        r("HSET", "h", "s", "11 ");
        assertThat(r("HINCRBYFLOAT", "h", "s", "1")).isEqualTo(err("ERR hash value is not a float"));
        r("HSET", "h", "s", "1\u00002".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(r("HINCRBYFLOAT", "h", "s", "1")).isEqualTo(err("ERR hash value is not a float"));
        assertThat(r("HINCRBYFLOAT", "h", "s", "abc")).isEqualTo(err("ERR value is not a valid float"));
        assertThat(r("HINCRBYFLOAT", "hfoo", "field", "+inf")).isEqualTo(err("ERR value is NaN or Infinity"));
        assertThat(r("HINCRBYFLOAT", "hfoo", "field", "nan")).isEqualTo(err("ERR value is not a valid float"));
        assertThat(r("EXISTS", "hfoo")).isEqualTo(0L);
        r("HSET", "h", "huge", "1.18973149535723176502e+4932");
        assertThat(r("HINCRBYFLOAT", "h", "huge", "1.18973149535723176502e+4932"))
                .isEqualTo(err("ERR increment would produce NaN or Infinity"));
        assertThat(r("HGET", "h", "huge")).isEqualTo("1.18973149535723176502e+4932");
    }

    // ---- HRANDFIELD -------------------------------------------------------------------------

    private void createTen(String enc) throws Exception {
        r("DEL", "myhash");
        r("CONFIG", "SET", "hash-max-listpack-entries", enc.equals("hashtable") ? "0" : "512");
        r("HSET", "myhash", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "6", "f", "7", "g", "8", "h", "9", "i",
                "10", "j");
        assertThat(encoding("myhash")).isEqualTo(enc);
    }

    private static final Map<String, String> TEN = Map.of("a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "6", "f",
            "7", "g", "8", "h", "9", "i", "10", "j");

    /** Pearson's chi-square statistic of the counts against a uniform distribution. */
    private static double chiSquare(List<Object> picks) {
        Map<Object, Integer> counts = new HashMap<>();
        for (Object p : picks) {
            counts.merge(p, 1, Integer::sum);
        }
        double expected = (double) picks.size() / counts.size();
        double x = 0;
        for (int n : counts.values()) {
            x += (n - expected) * (n - expected) / expected;
        }
        return x;
    }

    @Test
    void hrandfieldArgumentsAndEdgeCases() throws Exception {
        r("HSET", "myhash", "a", "1");
        assertThat(r("HRANDFIELD", "myhash", "-9223372036854770000", "withvalues")).isEqualTo(err("ERR value is out of range"));
        assertThat(r("HRANDFIELD", "myhash", "9223372036854770000", "withvalues")).isEqualTo(err("ERR value is out of range"));
        String range = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
        assertThat(r("HRANDFIELD", "myhash", "-9223372036854775808", "withvalues")).isEqualTo(err(range));
        assertThat(r("HRANDFIELD", "myhash", "-9223372036854775808")).isEqualTo(err(range));
        assertThat(r("HRANDFIELD", "myhash", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(r("HRANDFIELD", "myhash", "1", "withscores")).isEqualTo(err("ERR syntax error"));
        assertThat(r("HRANDFIELD", "myhash", "1", "withvalues", "x")).isEqualTo(err("ERR syntax error"));
        assertThat(rawHead("HRANDFIELD", "myhash", "0")).isEqualTo("*0");
        assertThat(rawHead("HRANDFIELD", "nokey", "100")).isEqualTo("*0");
        assertThat(rawHead("HRANDFIELD", "nokey")).isEqualTo("$-1");
        assertThat(r("HRANDFIELD", "myhash")).isEqualTo("a");
        // Count errors come before the key lookup, as in Redis.
        assertThat(r("HRANDFIELD", "nokey", "1", "foo")).isEqualTo(err("ERR syntax error"));
    }

    @Test
    void hrandfieldReplyShapes() throws Exception {
        for (String enc : new String[] {"listpack", "hashtable"}) {
            createTen(enc);
            // RESP2: flat arrays.
            assertThat(list("HRANDFIELD", "myhash", "3", "withvalues")).hasSize(6);
            assertThat(list("HRANDFIELD", "myhash", "-5", "withvalues")).hasSize(10);
            assertThat(list("HRANDFIELD", "myhash", "20", "withvalues")).hasSize(20);
            assertThat(list("HRANDFIELD", "myhash", "3")).hasSize(3);
            // RESP3: a pair per field with WITHVALUES, plain strings without.
            r("HELLO", "3");
            for (String count : new String[] {"3", "-3", "1", "-1", "8", "20"}) {
                List<Object> res = list("HRANDFIELD", "myhash", count, "withvalues");
                assertThat(res).hasSize(Math.min(10, Math.abs(Integer.parseInt(count))));
                for (Object pair : res) {
                    assertThat(pair).isInstanceOf(List.class);
                    List<?> p = (List<?>) pair;
                    assertThat(p).hasSize(2);
                    assertThat(TEN).containsEntry((String) p.get(0), (String) p.get(1));
                }
                assertThat(list("HRANDFIELD", "myhash", count)).allSatisfy(f -> assertThat(f).isInstanceOf(String.class));
            }
            r("HELLO", "2");
        }
    }

    @Test
    void hrandfieldPathsAndDistribution() throws Exception {
        for (String enc : new String[] {"hashtable", "listpack"}) {
            createTen(enc);
            // Path 1: negative count, repetitions, uniform.
            assertThat(list("HRANDFIELD", "myhash", "-1001")).hasSize(1001);
            assertThat(list("HRANDFIELD", "myhash", "-1001", "withvalues")).hasSize(2002);
            List<Object> res = list("HRANDFIELD", "myhash", "-1000");
            assertThat(chiSquare(res)).as(enc).isLessThan(40);
            assertThat(new HashSet<>(res)).isEqualTo(TEN.keySet());
            List<Object> pairs = list("HRANDFIELD", "myhash", "-50", "withvalues");
            for (int i = 0; i < pairs.size(); i += 2) {
                assertThat(TEN).containsEntry((String) pairs.get(i), (String) pairs.get(i + 1));
            }
            // Path 2: count >= size gives the whole hash once.
            for (String size : new String[] {"10", "20"}) {
                assertThat(new HashSet<>(list("HRANDFIELD", "myhash", size))).isEqualTo(TEN.keySet());
                List<Object> all = list("HRANDFIELD", "myhash", size, "withvalues");
                Map<Object, Object> m = new HashMap<>();
                for (int i = 0; i < all.size(); i += 2) {
                    m.put(all.get(i), all.get(i + 1));
                }
                assertThat(m).isEqualTo(TEN);
            }
            // Paths 3 and 4 (and the listpack's 2.5): unique fields, all reachable, uniform.
            for (int size : new int[] {8, 2}) {
                List<Object> allPicked = new ArrayList<>();
                Set<Object> seen = new HashSet<>();
                for (int it = 0; it < 1000 / size; it++) {
                    List<Object> got;
                    if (it % 2 == 0) {
                        List<Object> flat = list("HRANDFIELD", "myhash", Integer.toString(size), "withvalues");
                        assertThat(flat).hasSize(size * 2);
                        got = new ArrayList<>();
                        for (int i = 0; i < flat.size(); i += 2) {
                            assertThat(TEN).containsEntry((String) flat.get(i), (String) flat.get(i + 1));
                            got.add(flat.get(i));
                        }
                    } else {
                        got = list("HRANDFIELD", "myhash", Integer.toString(size));
                    }
                    assertThat(got).hasSize(size).doesNotHaveDuplicates();
                    allPicked.addAll(got);
                    seen.addAll(got);
                }
                assertThat(seen).as(enc + " " + size).isEqualTo(TEN.keySet());
                assertThat(chiSquare(allPicked)).as(enc + " " + size).isLessThan(40);
            }
        }
    }

    @Test
    void hugeRandomSampleDropsTheClientNotTheServer() throws Exception {
        r("HSET", "h", "field", "v".repeat(100));
        r("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0");
        try (RespClient greedy = new RespClient(server.port())) {
            greedy.send("HRANDFIELD", "h", "-9223372036854775807");
            assertThat(greedy.isClosedByPeer()).isTrue();
        } finally {
            r("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0");
        }
        assertThat(r("HGET", "h", "field")).isEqualTo("v".repeat(100));
        assertThat(list("HRANDFIELD", "h", "-3")).containsExactly("field", "field", "field");
    }

    @Test
    void hrandfieldWithoutCountCoversEveryField() throws Exception {
        for (String enc : new String[] {"listpack", "hashtable"}) {
            createTen(enc);
            Set<Object> seen = new HashSet<>();
            for (int i = 0; i < 300 && seen.size() < 10; i++) {
                seen.add(r("HRANDFIELD", "myhash"));
            }
            assertThat(seen).isEqualTo(TEN.keySet());
        }
    }

    // ---- HSCAN ------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private Map<String, String> fullScan(String key, Object... options) throws Exception {
        Map<String, String> out = new HashMap<>();
        String cursor = "0";
        int calls = 0;
        do {
            Object[] cmd = new Object[3 + options.length];
            cmd[0] = "HSCAN";
            cmd[1] = key;
            cmd[2] = cursor;
            System.arraycopy(options, 0, cmd, 3, options.length);
            List<Object> res = list(cmd);
            cursor = (String) res.get(0);
            List<Object> items = (List<Object>) res.get(1);
            assertThat(items.size() % 2).isZero();
            for (int i = 0; i < items.size(); i += 2) {
                out.put((String) items.get(i), (String) items.get(i + 1));
            }
            calls++;
        } while (!cursor.equals("0"));
        assertThat(calls).isPositive();
        return out;
    }

    @Test
    void hscanListpackReturnsEverythingAtOnce() throws Exception {
        Object[] args = new Object[2 + 60];
        args[0] = "HSET";
        args[1] = "h";
        for (int j = 0; j < 30; j++) {
            args[2 + 2 * j] = "key:" + j;
            args[3 + 2 * j] = Integer.toString(j);
        }
        r(args);
        assertThat(encoding("h")).isEqualTo("listpack");
        List<Object> res = list("HSCAN", "h", "0", "COUNT", "1");
        assertThat(res.get(0)).isEqualTo("0");
        assertThat((List<?>) res.get(1)).hasSize(60);
        // Any cursor answers the same for a listpack.
        assertThat(list("HSCAN", "h", "12345").get(0)).isEqualTo("0");
    }

    @Test
    void hscanHashtableWithCursor() throws Exception {
        Object[] args = new Object[2 + 2000];
        args[0] = "HMSET";
        args[1] = "h";
        for (int j = 0; j < 1000; j++) {
            args[2 + 2 * j] = "key:" + j;
            args[3 + 2 * j] = Integer.toString(j);
        }
        r(args);
        assertThat(encoding("h")).isEqualTo("hashtable");
        List<Object> first = list("HSCAN", "h", "0");
        assertThat(first.get(0)).isNotEqualTo("0");
        Map<String, String> all = fullScan("h");
        assertThat(all).hasSize(1000);
        all.forEach((k, v) -> assertThat(k).isEqualTo("key:" + v));
        assertThat(fullScan("h", "COUNT", "100")).hasSize(1000);
        assertThat(fullScan("h", "MATCH", "key:99*")).containsOnlyKeys("key:99", "key:990", "key:991", "key:992",
                "key:993", "key:994", "key:995", "key:996", "key:997", "key:998", "key:999");
    }

    @Test
    void hscanSeesEveryStableFieldWhileTheHashGrows() throws Exception {
        r("CONFIG", "SET", "hash-max-listpack-entries", "0");
        for (int j = 0; j < 300; j++) {
            r("HSET", "h", "stable:" + j, "v");
        }
        Set<Object> seen = new HashSet<>();
        String cursor = "0";
        int added = 0;
        do {
            List<Object> res = list("HSCAN", "h", cursor, "COUNT", "5");
            cursor = (String) res.get(0);
            List<?> items = (List<?>) res.get(1);
            for (int i = 0; i < items.size(); i += 2) {
                seen.add(items.get(i));
            }
            for (int k = 0; k < 20; k++) {
                r("HSET", "h", "new:" + added++, "v");
            }
        } while (!cursor.equals("0"));
        for (int j = 0; j < 300; j++) {
            assertThat(seen).contains("stable:" + j);
        }
    }

    @Test
    void hscanArguments() throws Exception {
        r("HMSET", "mykey", "foo", "1", "fab", "2", "fiz", "3", "foobar", "10", "1", "a", "2", "b", "3", "c", "4", "d");
        List<Object> res = list("HSCAN", "mykey", "0", "MATCH", "foo*", "COUNT", "10000");
        assertThat(new HashSet<Object>((List<?>) res.get(1))).isEqualTo(Set.of("foo", "1", "foobar", "10"));
        assertThat(r("HSCAN", "mykey", "0", "COUNT", "0")).isEqualTo(err("ERR syntax error"));
        assertThat(r("HSCAN", "mykey", "0", "COUNT", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(r("HSCAN", "mykey", "0", "TYPE", "string")).isEqualTo(err("ERR syntax error"));
        assertThat(r("HSCAN", "mykey", "0", "MATCH")).isEqualTo(err("ERR syntax error"));
        assertThat(r("HSCAN", "mykey", "x")).isEqualTo(err("ERR invalid cursor"));
        assertThat(r("HSCAN", "nokey", "x")).isEqualTo(err("ERR invalid cursor"));
        // A missing key answers the empty scan before options are even looked at.
        assertThat(list("HSCAN", "nokey", "0", "COUNT", "0")).containsExactly("0", List.of());
    }

    // ---- keyspace integration ---------------------------------------------------------------

    @Test
    void copyKeepsEncodingAndDigest() throws Exception {
        for (String enc : new String[] {"listpack", "hashtable"}) {
            r("CONFIG", "SET", "hash-max-listpack-entries", enc.equals("listpack") ? "512" : "0");
            r("DEL", "h1", "h2");
            for (int i = 0; i < 50; i++) {
                r("HSET", "h1", "f" + i, "v" + (i * 7));
            }
            r("HSET", "h1", "tmp", "17179869184");
            assertThat(r("COPY", "h1", "h2")).isEqualTo(1L);
            assertThat(encoding("h2")).isEqualTo(enc);
            Object digest = list("DEBUG", "DIGEST-VALUE", "h1").get(0);
            assertThat(list("DEBUG", "DIGEST-VALUE", "h2").get(0)).isEqualTo(digest);
            r("DEL", "h1");
            assertThat(list("DEBUG", "DIGEST-VALUE", "h2").get(0)).isEqualTo(digest);
            r("HSET", "h2", "f0", "changed");
            assertThat(list("DEBUG", "DIGEST-VALUE", "h2").get(0)).isNotEqualTo(digest);
        }
    }

    @Test
    void digestDoesNotDependOnEncodingOrOrder() throws Exception {
        r("HSET", "a", "x", "1", "y", "2", "z", "3");
        r("CONFIG", "SET", "hash-max-listpack-entries", "0");
        r("HSET", "b", "z", "3", "y", "2", "x", "1");
        assertThat(encoding("a")).isEqualTo("listpack");
        assertThat(encoding("b")).isEqualTo("hashtable");
        assertThat(list("DEBUG", "DIGEST-VALUE", "a").get(0)).isEqualTo(list("DEBUG", "DIGEST-VALUE", "b").get(0));
    }

    @Test
    void writesTouchWatchedKeys() throws Exception {
        r("HSET", "h", "a", "1");
        try (RespClient other = new RespClient(server.port())) {
            for (Object[] write : new Object[][] {{"HSET", "h", "a", "2"}, {"HDEL", "h", "a"}, {"HINCRBY", "h", "n", "1"},
                {"HINCRBYFLOAT", "h", "n", "1.5"}, {"HSETNX", "h", "q", "1"}, {"HMSET", "h", "m", "1"}}) {
                r("WATCH", "h");
                other.call(write);
                r("MULTI");
                r("PING");
                assertThat(r("EXEC")).as(write[0].toString()).isNull();
            }
            // A no-op write does not touch the key.
            r("WATCH", "h");
            other.call("HDEL", "h", "nosuchfield");
            other.call("HSETNX", "h", "q", "other");
            r("MULTI");
            r("PING");
            assertThat(r("EXEC")).isEqualTo(List.of("PONG"));
        }
    }

    @Test
    void bigHashRoundTrip() throws Exception {
        Map<String, String> model = new HashMap<>();
        java.util.Random rnd = new java.util.Random(42);
        for (int i = 0; i < 1024; i++) {
            String f = "__avoid_collisions__" + Long.toString(rnd.nextLong(), 36);
            String v = "__avoid_collisions__" + Long.toString(rnd.nextLong(), 36);
            r("HSET", "bighash", f, v);
            model.put(f, v);
        }
        assertThat(encoding("bighash")).isEqualTo("hashtable");
        assertThat(r("HLEN", "bighash")).isEqualTo((long) model.size());
        List<Object> all = list("HGETALL", "bighash");
        Map<Object, Object> got = new HashMap<>();
        for (int i = 0; i < all.size(); i += 2) {
            got.put(all.get(i), all.get(i + 1));
        }
        assertThat(got).isEqualTo(new HashMap<Object, Object>(model));
        for (Map.Entry<String, String> e : model.entrySet()) {
            assertThat(r("HSTRLEN", "bighash", e.getKey())).isEqualTo((long) e.getValue().length());
        }
    }
}
