package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SORT and SORT_RO through a real server: the upstream unit/sort tests (with its overrides
 * list-max-listpack-size 16 and set-max-intset-entries 32), the SORT tests of unit/type/list,
 * unit/multi and unit/violations, and the details of sort.c they do not cover (weights parsed
 * as strtod, C-string patterns and ALPHA, Redis's partial quicksort for BY + LIMIT).
 */
class SortFamilyTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand()
            .eachTest("flushall")
            .eachTest("config", "set", "list-max-listpack-size", "16", "set-max-intset-entries", "32");
    final RespClient c = server.client();

    private Object r(Object... args) throws Exception {
        return c.call(args);
    }

    @SuppressWarnings("unchecked")
    private List<String> list(Object... args) throws Exception {
        Object o = r(args);
        assertThat(o).as("reply to %s", Arrays.toString(args)).isInstanceOf(List.class);
        return (List<String>) o;
    }

    private static byte[] latin1(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static final String SCORES = "ERR One or more scores can't be converted into double";

    /** Upstream create_random_dataset: elements 0..n-1, unique weights as keys and hash fields. */
    private List<String> randomDataset(int n, String cmd, long seed) throws Exception {
        Random rnd = new Random(seed);
        Set<String> seen = new HashSet<>();
        List<String[]> pairs = new ArrayList<>();
        r("del", "tosort");
        for (int i = 0; i < n; i++) {
            String w;
            do {
                w = rnd.nextBoolean() ? Integer.toString(rnd.nextInt(1_000_000)) : Double.toString(rnd.nextDouble());
            } while (!seen.add(w));
            c.send(cmd, "tosort", Integer.toString(i));
            c.send("set", "weight_" + i, w);
            c.send("hset", "wobj_" + i, "weight", w);
            c.read();
            c.read();
            c.read();
            pairs.add(new String[] {Integer.toString(i), w});
        }
        pairs.sort(Comparator.comparingDouble(p -> Double.parseDouble(p[1])));
        List<String> out = new ArrayList<>();
        for (String[] p : pairs) {
            out.add(p[0]);
        }
        return out;
    }

    @Test
    void byKeyAndHashFieldInEveryEncoding() throws Exception {
        Object[][] cases = {{16, "lpush", "listpack"}, {1000, "lpush", "quicklist"}, {16, "sadd", "intset"},
            {1000, "sadd", "hashtable"}};
        for (Object[] k : cases) {
            List<String> want = randomDataset((Integer) k[0], (String) k[1], 42);
            assertThat(r("object", "encoding", "tosort")).isEqualTo(k[2]);
            assertThat(list("sort", "tosort", "BY", "weight_*")).as("%s", k[2]).isEqualTo(want);
            assertThat(list("sort", "tosort", "BY", "weight_*", "LIMIT", "5", "5")).isEqualTo(want.subList(5, 10));
            assertThat(list("sort", "tosort", "BY", "wobj_*->weight")).isEqualTo(want);
            assertThat(list("sort_ro", "tosort", "BY", "wobj_*->weight")).isEqualTo(want);
        }
    }

    @Test
    void getPatterns() throws Exception {
        List<String> want = randomDataset(16, "lpush", 7);
        List<String> numeric = new ArrayList<>(want);
        numeric.sort(Comparator.comparingInt(Integer::parseInt));
        assertThat(list("sort", "tosort", "GET", "#")).isEqualTo(numeric);
        for (String cmd : new String[] {"sort", "sort_ro"}) {
            List<String> consts = list(cmd, "tosort", "GET", "foo");
            assertThat(consts).hasSize(16).containsOnlyNulls();
        }
        List<String> l1 = list("sort", "tosort", "GET", "#", "GET", "weight_*");
        List<String> l2 = list("sort", "tosort", "GET", "#", "GET", "wobj_*->weight");
        assertThat(l1).isEqualTo(l2).hasSize(32);
        for (int i = 0; i < 32; i += 2) {
            assertThat(l1.get(i + 1)).isEqualTo(r("get", "weight_" + l1.get(i)));
        }
        // Missing keys, wrong types and missing fields are nil.
        r("del", "weight_0", "weight_1");
        r("sadd", "weight_1", "x");
        r("hdel", "wobj_2", "weight");
        List<String> g = list("sort", "tosort", "LIMIT", "0", "3", "GET", "weight_*", "GET", "wobj_*->weight");
        assertThat(g).containsExactly(null, (String) r("hget", "wobj_0", "weight"), null,
                (String) r("hget", "wobj_1", "weight"), (String) r("get", "weight_2"), null);
    }

    @Test
    void storeBuildsAListWithListEncodingRules() throws Exception {
        List<String> want = randomDataset(16, "lpush", 3);
        assertThat(r("sort", "tosort", "BY", "weight_*", "store", "sort-res")).isEqualTo(16L);
        assertThat(list("lrange", "sort-res", "0", "-1")).isEqualTo(want);
        assertThat(r("object", "encoding", "sort-res")).isEqualTo("listpack");
        assertThat(r("sort", "tosort", "BY", "wobj_*->weight", "store", "sort-res")).isEqualTo(16L);
        assertThat(list("lrange", "sort-res", "0", "-1")).isEqualTo(want);
        randomDataset(17, "lpush", 3);
        assertThat(r("sort", "tosort", "store", "sort-res")).isEqualTo(17L);
        assertThat(r("object", "encoding", "sort-res")).isEqualTo("quicklist");
        // STORE replaces a value of any type and drops its TTL.
        r("set", "str", "x", "EX", "100");
        assertThat(r("sort", "tosort", "LIMIT", "0", "2", "STORE", "str")).isEqualTo(2L);
        assertThat(r("ttl", "str")).isEqualTo(-1L);
        assertThat(r("type", "str")).isEqualTo("list");
        // GET values go in, a missing one as an empty string (an integer-encoded one as text).
        r("set", "S1", "asdf");
        r("set", "S2", "123");
        r("sadd", "myset", "1", "2", "3");
        r("mset", "D1", "1", "D2", "2", "D3", "0");
        assertThat(r("sort", "myset", "by", "D*", "get", "S*", "get", "#", "store", "mylist")).isEqualTo(6L);
        assertThat(list("lrange", "mylist", "0", "-1")).containsExactly("", "3", "asdf", "1", "123", "2");
    }

    @Test
    void emptyResultsAndStore() throws Exception {
        assertThat(r("sort", "foo", "store", "bar")).isEqualTo(0L);
        assertThat(r("exists", "bar")).isEqualTo(0L);
        r("lpush", "foo", "bar");
        assertThat(r("sort", "foo", "alpha", "limit", "10", "10", "store", "zap")).isEqualTo(0L);
        assertThat(r("exists", "zap")).isEqualTo(0L);
        assertThat(r("sort", "emptylist", "store", "foo")).isEqualTo(0L);
        assertThat(r("exists", "foo")).isEqualTo(0L);
        assertThat(list("sort", "nokey")).isEmpty();
    }

    @Test
    void directSortingAlphaAndDesc() throws Exception {
        r("rpush", "mylist", "10", "3", "1", "2");
        assertThat(list("sort", "mylist", "alpha")).containsExactly("1", "10", "2", "3");
        assertThat(list("sort", "mylist")).containsExactly("1", "2", "3", "10");
        assertThat(list("sort", "mylist", "DESC")).containsExactly("10", "3", "2", "1");
        // Options can repeat; the last order wins.
        assertThat(list("sort", "mylist", "desc", "asc")).containsExactly("1", "2", "3", "10");
        r("rpush", "floats", "1.1", "5.10", "3.10", "7.44", "2.1", "5.75", "6.12", "0.25", "1.15");
        assertThat(list("sort", "floats")).containsExactly("0.25", "1.1", "1.15", "2.1", "3.10", "5.10", "5.75",
                "6.12", "7.44");
        r("zadd", "zset", "1", "a", "5", "b", "2", "c", "10", "d", "3", "e");
        assertThat(list("sort", "zset", "alpha", "desc")).containsExactly("e", "d", "c", "b", "a");
    }

    @Test
    void numericWeightsFollowStrtod() throws Exception {
        r("rpush", "l", " 7", "0x10", "1e2", "", "-inf", "+inf", "-4", "1.5\u0000x");
        assertThat(list("sort", "l")).containsExactly("-inf", "-4", "", "1.5\u0000x", " 7", "0x10", "1e2", "+inf");
        for (String bad : new String[] {"not-a-double", "nan", "1 ", "1e400", "1e-400", "1e-310"}) {
            r("del", "s");
            r("sadd", "s", "1", "2", bad);
            assertThat(r("sort", "s")).as(bad).isEqualTo(new Err(SCORES));
        }
        // Also through BY; a missing weight is 0, ties ordered by the elements' bytes.
        r("del", "s");
        r("sadd", "s", "1", "2", "3", "4");
        r("mset", "score:1", "10", "score:2", "20", "score:3", "30", "score:4", "not-a-double");
        assertThat(r("sort", "s", "by", "score:*")).isEqualTo(new Err(SCORES));
        assertThat(r("sort", "s", "by", "score:*", "store", "dst")).isEqualTo(new Err(SCORES));
        assertThat(r("exists", "dst")).isEqualTo(0L);
        r("del", "score:4", "myset");
        assertThat(list("sort", "s", "by", "score:*")).containsExactly("4", "1", "2", "3");
        List<String> abc = List.of("a", "aa", "aaa", "azz", "b", "c", "d", "e");
        for (String m : abc) {
            r("sadd", "myset", m);
        }
        assertThat(list("sort", "myset", "by", "score:*")).isEqualTo(abc);
    }

    @Test
    void alphaComparesCStringsUnlessStoring() throws Exception {
        r("rpush", "bin", "a\u0000b", "a\u0000a", "a", "b", latin1("\u00ff"), latin1("\u0080"));
        // strcoll stops at the NUL: the first three are equal and keep their order.
        assertThat(list("sort", "bin", "alpha")).containsExactly("a\u0000b", "a\u0000a", "a", "b", "\u0080", "\u00ff");
        assertThat(list("sort", "bin", "alpha", "desc")).containsExactly("\u00ff", "\u0080", "b", "a\u0000b",
                "a\u0000a", "a");
        assertThat(r("sort", "bin", "alpha", "store", "dst")).isEqualTo(6L);
        assertThat(list("lrange", "dst", "0", "-1")).containsExactly("a", "a\u0000a", "a\u0000b", "b", "\u0080",
                "\u00ff");
    }

    @Test
    void alphaByWeightsPutsMissingWeightsFirst() throws Exception {
        r("rpush", "l", "e", "c", "a", "d", "b", "f", "g", "h");
        r("mset", "w_a", "x", "w_c", "x", "w_h", "y", "w_b", "a");
        assertThat(list("sort", "l", "by", "w_*", "alpha")).containsExactly("e", "d", "f", "g", "b", "c", "a", "h");
        assertThat(list("sort", "l", "by", "w_*", "alpha", "desc")).containsExactly("h", "c", "a", "b", "e", "d",
                "f", "g");
    }

    /** BY + LIMIT uses Redis's partial quicksort: ties come out in its order, not the input's. */
    @Test
    void byWithLimitOrdersTiesAsRedisPartialQuicksort() throws Exception {
        r("rpush", "l", "e", "c", "a", "d", "b", "f", "g", "h");
        r("mset", "w_a", "x", "w_c", "x", "w_h", "y");
        // Answers of redis-server for the same data.
        assertThat(list("sort", "l", "by", "w_*", "alpha", "limit", "1", "4")).containsExactly("b", "f", "g", "d");
        assertThat(list("sort", "l", "by", "w_*", "alpha")).containsExactly("e", "d", "b", "f", "g", "c", "a", "h");
        r("mset", "n_e", "1", "n_c", "1", "n_a", "2", "n_d", "0");
        assertThat(list("sort", "l", "by", "n_*", "limit", "2", "3", "desc")).containsExactly("c", "h", "g");
        assertThat(list("sort", "l", "by", "n_*", "limit", "1", "4")).containsExactly("d", "f", "g", "h");
    }

    @Test
    void limitWindow() throws Exception {
        r("rpush", "l", "5", "3", "4", "1", "2");
        assertThat(list("sort", "l", "limit", "1", "2")).containsExactly("2", "3");
        assertThat(list("sort", "l", "limit", "-10", "2")).containsExactly("1", "2");
        assertThat(list("sort", "l", "limit", "3", "100")).containsExactly("4", "5");
        assertThat(list("sort", "l", "limit", "2", "-5")).containsExactly("3", "4", "5");
        assertThat(list("sort", "l", "limit", "5", "1")).isEmpty();
        assertThat(list("sort", "l", "limit", "0", "0")).isEmpty();
        assertThat(list("sort_ro", "l", "by", "a", "limit", "2", "9223372036854775807")).containsExactly("4", "1",
                "2");
        Err notInteger = new Err("ERR value is not an integer or out of range");
        assertThat(r("sort", "l", "limit", "x", "1")).isEqualTo(notInteger);
        assertThat(r("sort", "l", "limit", "1", "1.5")).isEqualTo(notInteger);
        // LIMIT without both numbers is not LIMIT.
        assertThat(r("sort", "l", "limit", "1")).isEqualTo(new Err("ERR syntax error"));
    }

    @Test
    void noSortKeepsListAndZsetOrder() throws Exception {
        r("lpush", "testa", "2", "1", "4", "3", "5");
        assertThat(list("sort", "testa", "by", "nosort")).containsExactly("5", "3", "4", "1", "2");
        assertThat(list("sort", "testa", "by", "nosort", "desc")).containsExactly("2", "1", "4", "3", "5");
        assertThat(list("sort", "testa", "by", "nosort", "desc", "limit", "1", "2")).containsExactly("1", "4");
        assertThat(r("sort", "testa", "by", "nosort", "store", "testb")).isEqualTo(5L);
        assertThat(list("lrange", "testb", "0", "-1")).containsExactly("5", "3", "4", "1", "2");
        assertThat(r("sort", "testa", "by", "nosort", "limit", "0", "3", "store", "testb")).isEqualTo(3L);
        assertThat(list("lrange", "testb", "0", "-1")).containsExactly("5", "3", "4");

        r("zadd", "zset", "1", "a", "5", "b", "2", "c", "10", "d", "3", "e");
        assertThat(r("object", "encoding", "zset")).isEqualTo("listpack");
        assertThat(list("sort", "zset", "by", "nosort", "asc")).containsExactly("a", "c", "e", "b", "d");
        // SORT converts a sorted set to a skiplist for good, as Redis does.
        assertThat(r("object", "encoding", "zset")).isEqualTo("skiplist");
        assertThat(list("sort", "zset", "by", "nosort", "desc")).containsExactly("d", "b", "e", "c", "a");
        assertThat(list("sort", "zset", "by", "nosort", "asc", "limit", "0", "2")).containsExactly("a", "c");
        assertThat(list("sort", "zset", "by", "nosort", "desc", "limit", "0", "2")).containsExactly("d", "b");
        assertThat(list("sort", "zset", "by", "nosort", "desc", "limit", "3", "5")).containsExactly("c", "a");
        assertThat(list("sort", "zset", "by", "nosort", "limit", "5", "10")).isEmpty();
        assertThat(list("sort", "zset", "by", "nosort", "limit", "-10", "100")).containsExactly("a", "c", "e", "b",
                "d");
        // A constant BY, once seen, is not undone by a later BY pattern.
        r("mset", "w_a", "5", "w_b", "1");
        assertThat(list("sort", "zset", "by", "nosort", "by", "w_*")).containsExactly("a", "c", "e", "b", "d");
        assertThat(list("sort", "zset", "by", "w_*", "by", "nosort")).containsExactly("a", "c", "e", "b", "d");
    }

    @Test
    void setWithConstantByIsSortedAlphaWhenStored() throws Exception {
        String[] members = {"s", "a", "m", "aa", "z", "b", "azz", "aaa"};
        for (String m : members) {
            r("sadd", "myset", m);
        }
        List<String> stored = List.of("a", "aa", "aaa", "azz", "b", "m", "s", "z");
        assertThat(r("sort", "myset", "alpha", "by", "_", "store", "mylist")).isEqualTo(8L);
        assertThat(list("lrange", "mylist", "0", "-1")).isEqualTo(stored);
        // Replying, the set's own (listpack: insertion) order is kept.
        assertThat(list("sort", "myset", "by", "_")).containsExactly(members);
    }

    @Test
    void patternDetails() throws Exception {
        r("lpush", "mylist", "a");
        r("set", "x:a->", "100");
        // "->" with nothing after it is part of the key name.
        assertThat(list("sort", "mylist", "by", "num", "get", "x:*->")).containsExactly("100");
        assertThat(list("sort_ro", "mylist", "by", "nosort", "get", "x:*->")).containsExactly("100");
        // Only the first '*' is replaced; the field starts after the first "->" past it.
        r("set", "k:a:*", "v1");
        r("hset", "h:a", "f->g", "v2");
        assertThat(list("sort", "mylist", "by", "nosort", "get", "k:*:*", "get", "h:*->f->g", "get", "#"))
                .containsExactly("v1", "v2", "a");
        // A pattern is read as a C string for '#', '*' and "->".
        r("set", "p:a", "v3");
        assertThat(list("sort", "mylist", "by", "nosort", "get", "#\u0000x", "get", "p:*\u0000->f"))
                .containsExactly("a", null);
        r("set", "p:a\u0000->f", "v4");
        assertThat(list("sort", "mylist", "by", "nosort", "get", "p:*\u0000->f")).containsExactly("v4");
    }

    @Test
    void errors() throws Exception {
        r("set", "str", "x");
        r("hset", "h", "f", "v");
        String wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
        assertThat(r("sort", "str")).isEqualTo(new Err(wrongType));
        assertThat(r("sort", "h")).isEqualTo(new Err(wrongType));
        // Options are checked before the key.
        assertThat(r("sort", "str", "foo")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("sort", "l", "by")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("sort", "l", "get")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("sort", "l", "store")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("sort_ro", "foolist", "STORE", "bar")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("sort")).isEqualTo(new Err("ERR wrong number of arguments for 'sort' command"));
        assertThat(r("get", "str")).isEqualTo("x");
    }

    @Test
    void commandGetkeys() throws Exception {
        assertThat(list("command", "getkeys", "sort", "abc", "store", "def")).containsExactly("abc", "def");
        assertThat(list("command", "getkeys", "sort_ro", "abc")).containsExactly("abc");
        assertThat(list("command", "getkeys", "sort", "abc", "store", "invalid", "store", "stillbad", "store", "def"))
                .containsExactly("abc", "def");
    }

    @Test
    void storeWakesBlockedClients() throws Exception {
        try (RespClient blocked = new RespClient(server.port())) {
            blocked.send("blpop", "foo{t}", "5");
            waitForBlocked(1);
            r("lpush", "notfoo{t}", "hello", "hola", "aguacate", "konichiwa", "zanzibar");
            r("sort", "notfoo{t}", "ALPHA", "store", "foo{t}");
            assertThat(blocked.read()).isEqualTo(List.of("foo{t}", "aguacate"));
        }
        try (RespClient blocked = new RespClient(server.port())) {
            r("del", "foo{t}");
            blocked.send("blmpop", "5", "1", "foo{t}", "left", "count", "2");
            waitForBlocked(1);
            r("sort", "notfoo{t}", "ALPHA", "store", "foo{t}");
            assertThat(blocked.read()).isEqualTo(List.of("foo{t}", List.of("aguacate", "hello")));
        }
    }

    private void waitForBlocked(int n) throws Exception {
        for (int i = 0; i < 500; i++) {
            String info = (String) r("info", "clients");
            if (info.contains("blocked_clients:" + n + "\r\n")) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("client did not block");
    }

    @Test
    void storeTouchesWatchedKeysEvenWhenEmpty() throws Exception {
        r("lpush", "foo", "bar");
        r("watch", "foo");
        r("sort", "emptylist", "store", "foo");
        r("multi");
        r("ping");
        assertThat(r("exec")).isNull();
        // Without STORE, SORT changes nothing a WATCH sees.
        r("lpush", "foo", "bar");
        r("watch", "foo");
        r("sort", "foo", "alpha");
        r("multi");
        r("ping");
        assertThat(r("exec")).isEqualTo(List.of("PONG"));
    }

    @Test
    void dirtyCountsStoredElements() throws Exception {
        r("rpush", "l", "3", "1", "2");
        long before = dirty();
        r("sort", "l");
        r("sort", "l", "foo");
        assertThat(dirty()).isEqualTo(before);
        r("sort", "l", "store", "dst");
        assertThat(dirty()).isEqualTo(before + 3);
        r("sort", "nokey", "store", "dst");
        assertThat(dirty()).isEqualTo(before + 4);
        r("sort", "nokey", "store", "dst");
        assertThat(dirty()).isEqualTo(before + 4);
    }

    private long dirty() throws Exception {
        String info = (String) r("info", "persistence");
        String line = info.lines().filter(l -> l.startsWith("rdb_changes_since_last_save:")).findFirst().orElseThrow();
        return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
    }

    @Test
    void lookupsCountKeyspaceHitsAndMisses() throws Exception {
        r("rpush", "l", "1", "2", "3");
        r("set", "w_1", "3");
        r("config", "resetstat");
        r("sort", "l", "by", "w_*", "get", "#", "get", "g_*");
        String info = (String) r("info", "stats");
        // The list itself and w_1 hit; w_2, w_3 and the three g_* miss.
        assertThat(info).contains("keyspace_hits:2\r\n").contains("keyspace_misses:5\r\n");
    }
}
