package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Set commands through a real server, mirroring upstream unit/type/set (with its overrides:
 * set-max-intset-entries 512, set-max-listpack-entries 128, set-max-listpack-value 32), the
 * SSCAN tests of unit/scan, the set COPY tests of unit/keyspace and the raw protocol replies of
 * unit/protocol.
 */
class SetFamilyTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand()
            .eachTest("flushall")
            .eachTest("config", "set", "set-max-intset-entries", "512", "set-max-listpack-entries", "128", "set-max-listpack-value", "32");
    final RespClient c = server.client();

    private Object r(Object... args) throws Exception {
        return c.call(args);
    }

    private String enc(String key) throws Exception {
        return (String) r("object", "encoding", key);
    }

    private void createSet(String key, Collection<String> members) throws Exception {
        r("del", key);
        for (String m : members) {
            r("sadd", key, m);
        }
    }

    private void createSet(String key, String... members) throws Exception {
        createSet(key, List.of(members));
    }

    @SuppressWarnings("unchecked")
    private Set<String> members(String key) throws Exception {
        return new TreeSet<>((List<String>) r("smembers", key));
    }

    @SuppressWarnings("unchecked")
    private List<String> list(Object... args) throws Exception {
        return (List<String>) r(args);
    }

    private static Set<String> sorted(Collection<?> c) {
        TreeSet<String> s = new TreeSet<>();
        for (Object o : c) {
            s.add((String) o);
        }
        return s;
    }

    private static List<String> range(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    private static Object err(String message) {
        return new Err(message);
    }

    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    // ---- basics --------------------------------------------------------------------------------

    @Test
    void basicsInEveryEncoding() throws Exception {
        List<String> hashtable = new ArrayList<>(List.of("foo"));
        hashtable.addAll(range("i", 100, 230));
        for (List<String> init : List.of(List.of("foo"), hashtable)) {
            createSet("myset", init);
            assertThat(enc("myset")).isEqualTo(init.size() == 1 ? "listpack" : "hashtable");
            assertThat(r("sadd", "myset", "bar")).isEqualTo(1L);
            assertThat(r("sadd", "myset", "bar")).isEqualTo(0L);
            assertThat(r("scard", "myset")).isEqualTo((long) init.size() + 1);
            assertThat(r("sismember", "myset", "foo")).isEqualTo(1L);
            assertThat(r("sismember", "myset", "bla")).isEqualTo(0L);
            assertThat(r("smismember", "myset", "foo", "bla", "bar")).isEqualTo(List.of(1L, 0L, 1L));
            Set<String> expected = new TreeSet<>(init);
            expected.add("bar");
            assertThat(members("myset")).isEqualTo(expected);
        }
        createSet("myset", "17");
        assertThat(enc("myset")).isEqualTo("intset");
        assertThat(r("sadd", "myset", "16")).isEqualTo(1L);
        assertThat(r("smismember", "myset", "16", "18", "17")).isEqualTo(List.of(1L, 0L, 1L));
        // Intsets iterate in ascending order.
        assertThat(r("smembers", "myset")).isEqualTo(List.of("16", "17"));
    }

    @Test
    void wrongTypeAndMissingKeys() throws Exception {
        r("set", "str", "x");
        for (Object[] cmd : new Object[][] {
            {"sadd", "str", "a"}, {"srem", "str", "a"}, {"smembers", "str"}, {"scard", "str"},
            {"sismember", "str", "a"}, {"smismember", "str", "a"}, {"spop", "str"}, {"spop", "str", "2"},
            {"srandmember", "str"}, {"srandmember", "str", "2"}, {"sinter", "str"}, {"sunion", "str"},
            {"sdiff", "str"}, {"sintercard", "1", "str"}, {"sscan", "str", "0"}, {"smove", "str", "x", "a"},
        }) {
            assertThat(r(cmd)).as(String.join(" ", List.of(cmd).stream().map(Object::toString).toList()))
                    .isEqualTo(err(WRONGTYPE));
        }
        assertThat(r("get", "str")).isEqualTo("x");
        assertThat(r("smismember", "nokey", "a", "b")).isEqualTo(List.of(0L, 0L));
        assertThat(r("smembers", "nokey")).isEqualTo(List.of());
        assertThat(r("scard", "nokey")).isEqualTo(0L);
        assertThat(r("srem", "nokey", "a")).isEqualTo(0L);
        assertThat(r("sismember", "nokey", "a")).isEqualTo(0L);
        assertThat(r("smismember", "nokey")).isEqualTo(err("ERR wrong number of arguments for 'smismember' command"));
        // A missing source wins over a wrong-type destination.
        assertThat(r("smove", "nokey", "str", "a")).isEqualTo(0L);
        r("sadd", "s", "a");
        assertThat(r("smove", "s", "str", "a")).isEqualTo(err(WRONGTYPE));
        assertThat(r("sismember", "s", "a")).isEqualTo(1L);
    }

    // ---- encoding conversions --------------------------------------------------------------------

    @Test
    void saddConversions() throws Exception {
        createSet("myset", "1", "2", "3");
        assertThat(enc("myset")).isEqualTo("intset");
        assertThat(r("sadd", "myset", "a")).isEqualTo(1L);
        assertThat(enc("myset")).isEqualTo("listpack");

        createSet("myset", range("", 0, 130));
        assertThat(enc("myset")).isEqualTo("intset");
        r("sadd", "myset", "a");
        assertThat(enc("myset")).isEqualTo("hashtable");

        createSet("myset", "213244124402402314402033402");
        assertThat(enc("myset")).isEqualTo("listpack");
        assertThat(r("sismember", "myset", "213244124402402314402033402")).isEqualTo(1L);

        createSet("myset", range("", 0, 130));
        r("sadd", "myset", "213244124402402314402033402");
        assertThat(enc("myset")).isEqualTo("hashtable");
        assertThat(r("smismember", "myset", "213244124402402314402033402")).isEqualTo(List.of(1L));
    }

    @Test
    void saddOverflowsIntsetAndListpackWhateverTheBatching() throws Exception {
        for (String type : List.of("single", "multiple", "single_multiple")) {
            r("del", "myset");
            saddBatched("myset", type, range("", 0, 512), null);
            assertThat(enc("myset")).as(type).isEqualTo("intset");
            assertThat(r("scard", "myset")).isEqualTo(512L);
            assertThat(r("sadd", "myset", "512")).isEqualTo(1L);
            assertThat(enc("myset")).as(type).isEqualTo("hashtable");

            r("del", "myset");
            List<String> lp = new ArrayList<>(List.of("a"));
            lp.addAll(range("", 0, 127));
            saddBatched("myset", type, lp, "a");
            assertThat(enc("myset")).as(type).isEqualTo("listpack");
            assertThat(r("scard", "myset")).isEqualTo(128L);
            assertThat(r("sadd", "myset", "b")).isEqualTo(1L);
            assertThat(enc("myset")).as(type).isEqualTo("hashtable");
        }
        // More arguments than an intset may hold convert up front, duplicates or not.
        List<Object> args = new ArrayList<>(List.of("sadd", "dups"));
        for (int i = 0; i < 513; i++) {
            args.add("1");
        }
        assertThat(r(args.toArray())).isEqualTo(1L);
        assertThat(enc("dups")).isEqualTo("hashtable");
    }

    private void saddBatched(String key, String type, List<String> members, String first) throws Exception {
        switch (type) {
            case "single" -> {
                for (String m : members) {
                    r("sadd", key, m);
                }
            }
            case "multiple" -> {
                List<Object> args = new ArrayList<>(List.of("sadd", key));
                args.addAll(members);
                r(args.toArray());
            }
            default -> {
                r("sadd", key, first != null ? first : "1");
                List<Object> args = new ArrayList<>(List.of("sadd", key));
                args.addAll(members);
                r(args.toArray());
            }
        }
    }

    @Test
    void sremBasicsAndKeyRemoval() throws Exception {
        createSet("myset", "3", "4", "5");
        assertThat(r("srem", "myset", "6")).isEqualTo(0L);
        assertThat(r("srem", "myset", "4")).isEqualTo(1L);
        assertThat(members("myset")).containsExactly("3", "5");
        r("del", "myset");
        r("sadd", "myset", "a", "b", "c", "d");
        assertThat(r("srem", "myset", "k", "k", "k")).isEqualTo(0L);
        assertThat(r("srem", "myset", "b", "d", "x", "y")).isEqualTo(2L);
        assertThat(members("myset")).containsExactly("a", "c");
        r("del", "myset");
        r("sadd", "myset", "1", "2", "3");
        assertThat(r("srem", "myset", "1", "2", "3", "4", "5", "6", "7", "8")).isEqualTo(3L);
        assertThat(r("exists", "myset")).isEqualTo(0L);
    }

    // ---- SINTERCARD ------------------------------------------------------------------------------

    @Test
    void sintercardArgumentErrors() throws Exception {
        assertThat(r("sintercard")).isEqualTo(err("ERR wrong number of arguments for 'sintercard' command"));
        assertThat(r("sintercard", "1")).isEqualTo(err("ERR wrong number of arguments for 'sintercard' command"));
        assertThat(r("sintercard", "0", "myset")).isEqualTo(err("ERR numkeys should be greater than 0"));
        assertThat(r("sintercard", "a", "myset")).isEqualTo(err("ERR numkeys should be greater than 0"));
        assertThat(r("sintercard", "2", "myset")).isEqualTo(err("ERR Number of keys can't be greater than number of args"));
        assertThat(r("sintercard", "1", "myset", "myset2")).isEqualTo(err("ERR syntax error"));
        assertThat(r("sintercard", "1", "myset", "LIMIT")).isEqualTo(err("ERR syntax error"));
        assertThat(r("sintercard", "1", "myset", "LIMIT", "-1")).isEqualTo(err("ERR LIMIT can't be negative"));
        assertThat(r("sintercard", "1", "myset", "LIMIT", "a")).isEqualTo(err("ERR LIMIT can't be negative"));
        assertThat(r("sintercard", "1", "nokey", "limit", "10")).isEqualTo(0L);
        r("sadd", "set", "a", "b", "c");
        r("set", "key1", "x");
        assertThat(r("sintercard", "2", "set", "key1")).isEqualTo(err(WRONGTYPE));
        // A missing key does not hide a wrong type after it.
        assertThat(r("sintercard", "2", "nokey", "key1")).isEqualTo(err(WRONGTYPE));
    }

    // ---- algebra over generated sets ---------------------------------------------------------

    @Test
    void algebraOverGeneratedSetsInBothFamiliesOfEncodings() throws Exception {
        for (String type : List.of("regular", "intset")) {
            String small = type.equals("regular") ? "listpack" : "intset";
            String big = type.equals("regular") ? "hashtable" : "intset";
            for (int i = 1; i <= 5; i++) {
                r("del", "set" + i);
            }
            for (int i = 0; i < 200; i++) {
                r("sadd", "set1", i);
                r("sadd", "set2", i + 195);
            }
            for (int i : new int[] {199, 195, 1000, 2000}) {
                r("sadd", "set3", i);
            }
            for (int i = 5; i < 200; i++) {
                r("sadd", "set4", i);
            }
            r("sadd", "set5", "0");
            String large = type.equals("regular") ? "foo" : "200";
            for (int i = 1; i <= 5; i++) {
                r("sadd", "set" + i, large);
            }
            String[] encodings = {big, big, small, big, small};
            for (int i = 1; i <= 5; i++) {
                assertThat(enc("set" + i)).as(type + " set" + i).isEqualTo(encodings[i - 1]);
            }
            Set<String> inter = sorted(List.of("195", "196", "197", "198", "199", large));
            assertThat(sorted(list("sinter", "set1", "set2"))).isEqualTo(inter);
            assertThat(r("sintercard", "2", "set1", "set2")).isEqualTo(6L);
            assertThat(r("sintercard", "2", "set1", "set2", "limit", "0")).isEqualTo(6L);
            assertThat(r("sintercard", "2", "set1", "set2", "limit", "3")).isEqualTo(3L);
            assertThat(r("sinterstore", "setres", "set1", "set2")).isEqualTo(6L);
            assertThat(enc("setres")).as(type).isEqualTo(small);
            assertThat(members("setres")).isEqualTo(inter);
            r("debug", "reload");
            r("sinterstore", "setres", "set1", "set2");
            assertThat(enc("setres")).as(type).isEqualTo(small);

            Set<String> union = new TreeSet<>(members("set1"));
            union.addAll(members("set2"));
            assertThat(sorted(list("sunion", "set1", "set2"))).isEqualTo(union);
            assertThat(r("sunionstore", "setres", "set1", "set2")).isEqualTo((long) union.size());
            assertThat(enc("setres")).as(type).isEqualTo(big);
            assertThat(members("setres")).isEqualTo(union);
            assertThat(sorted(list("sunion", "nokey1", "set1", "set2", "nokey2"))).isEqualTo(union);

            assertThat(sorted(list("sinter", "set1", "set2", "set3"))).isEqualTo(sorted(List.of("195", "199", large)));
            assertThat(r("sintercard", "3", "set1", "set2", "set3", "limit", "2")).isEqualTo(2L);
            assertThat(sorted(list("sdiff", "set1", "set4"))).containsExactly("0", "1", "2", "3", "4");
            assertThat(sorted(list("sdiff", "set1", "set4", "set5"))).containsExactly("1", "2", "3", "4");
            r("sdiffstore", "setres", "set1", "set4", "set5");
            if (type.equals("intset")) {
                assertThat(enc("setres")).isEqualTo("intset");
            }
            assertThat(members("setres")).containsExactly("1", "2", "3", "4");
            assertThat(members("set1")).isEqualTo(sorted(list("sinter", "set1", "set1", "set1")));
            assertThat(sorted(list("sunion", "set1", "set1", "set1"))).isEqualTo(members("set1"));
            assertThat(list("sdiff", "set1", "set1", "set1")).isEmpty();
        }
    }

    @Test
    void sinterstoreTurnsAllIntegerResultsIntoIntsets() throws Exception {
        r("sadd", "set1", "a", "b", "c", "1", "3", "6", "x", "y", "z");
        r("sadd", "set2", "e", "f", "g", "1", "2", "3", "u", "v", "w");
        assertThat(enc("set1")).isEqualTo("listpack");
        r("sinterstore", "setres", "set1", "set2");
        assertThat(members("setres")).containsExactly("1", "3");
        assertThat(enc("setres")).isEqualTo("intset");

        r("del", "set1", "set2");
        r("sadd", "set1", "a", "b", "c", "444", "555", "666");
        r("sadd", "set2", "e", "f", "g", "111", "222", "333");
        for (int i = 1; i < 130; i++) {
            r("sadd", "set1", i);
            r("sadd", "set2", i);
        }
        assertThat(enc("set1")).isEqualTo("hashtable");
        assertThat(r("sinterstore", "setres", "set1", "set2")).isEqualTo(129L);
        assertThat(enc("setres")).isEqualTo("intset");
    }

    @Test
    void storeVariantsReplaceOrDeleteTheDestination() throws Exception {
        r("set", "setres", "xxx");
        assertThat(r("sinterstore", "setres", "foo111", "bar222")).isEqualTo(0L);
        assertThat(r("exists", "setres")).isEqualTo(0L);
        r("set", "setres", "xxx");
        assertThat(r("sunionstore", "setres", "foo111", "bar222")).isEqualTo(0L);
        assertThat(r("exists", "setres")).isEqualTo(0L);
        r("sadd", "a", "1", "2");
        r("set", "setres", "xxx", "ex", "100");
        assertThat(r("sdiffstore", "setres", "a", "nokey")).isEqualTo(2L);
        assertThat(r("type", "setres")).isEqualTo("set");
        assertThat(r("ttl", "setres")).isEqualTo(-1L);
        r("set", "key1", "x");
        assertThat(r("sunionstore", "setres", "a", "key1")).isEqualTo(err(WRONGTYPE));
        assertThat(r("sdiffstore", "setres", "key1", "a")).isEqualTo(err(WRONGTYPE));
        assertThat(r("sinterstore", "setres", "a", "key1")).isEqualTo(err(WRONGTYPE));
        assertThat(members("setres")).containsExactly("1", "2");
        assertThat(list("sdiff", "nokey", "a")).isEmpty();
    }

    @Test
    void sdiffFuzzAgainstAModel() throws Exception {
        java.util.Random rnd = new java.util.Random(42);
        for (int round = 0; round < 30; round++) {
            int numSets = rnd.nextInt(6) + 1;
            List<Object> args = new ArrayList<>(List.of("sdiff"));
            Set<String> expected = new HashSet<>();
            List<Set<String>> others = new ArrayList<>();
            for (int i = 0; i < numSets; i++) {
                String key = "set_" + i;
                r("del", key);
                args.add(key);
                Set<String> s = new HashSet<>();
                int n = rnd.nextInt(60);
                for (int j = 0; j < n; j++) {
                    String m = rnd.nextBoolean() ? Integer.toString(rnd.nextInt(80)) : "m" + rnd.nextInt(80);
                    r("sadd", key, m);
                    s.add(m);
                }
                if (i == 0) {
                    expected.addAll(s);
                } else {
                    others.add(s);
                }
            }
            others.forEach(expected::removeAll);
            assertThat(sorted(list(args.toArray()))).isEqualTo(new TreeSet<>(expected));
        }
    }

    // ---- SPOP ------------------------------------------------------------------------------------

    @Test
    void spopBasicsAndCounts() throws Exception {
        for (List<String> contents : List.of(List.of("a", "b", "c"), List.of("1", "2", "3"))) {
            createSet("myset", contents);
            assertThat(sorted(List.of(r("spop", "myset"), r("spop", "myset"), r("spop", "myset"))))
                    .isEqualTo(new TreeSet<>(contents));
            assertThat(r("scard", "myset")).isEqualTo(0L);
            assertThat(r("spop", "myset")).isNull();
            createSet("myset", contents);
            Set<String> got = new TreeSet<>();
            for (int i = 0; i < 3; i++) {
                got.addAll(list("spop", "myset", "1"));
            }
            assertThat(got).isEqualTo(new TreeSet<>(contents));
        }
        List<String> hash = new ArrayList<>(List.of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"));
        hash.addAll(range("x", 0, 25));
        for (List<String> contents : List.of(range("m", 0, 26), range("", 1, 27), hash)) {
            createSet("myset", contents);
            Set<String> got = new TreeSet<>();
            for (int count : new int[] {11, 9, 0, 4, 1, 0, 1, 0}) {
                got.addAll(list("spop", "myset", count));
            }
            assertThat(got).isEqualTo(new TreeSet<>(contents));
            assertThat(r("scard", "myset")).isEqualTo(0L);
        }
        assertThat(r("spop", "nonexisting_key", "100")).isEqualTo(List.of());
        assertThat(r("spop", "myset", "-1")).isEqualTo(err("ERR value is out of range, must be positive"));
        assertThat(r("spop", "myset", "x")).isEqualTo(err("ERR value is out of range, must be positive"));
        assertThat(r("spop", "myset", "1", "2")).isEqualTo(err("ERR syntax error"));
    }

    @Test
    void spopCodePathsForEveryEncoding() throws Exception {
        List<String> lp = new ArrayList<>(List.of("a"));
        lp.addAll(range("", 2, 21));
        List<String> ht = new ArrayList<>(range("h", 0, 150));
        for (List<String> content : List.of(range("", 1, 21), lp, ht)) {
            String expectedEnc = content == ht ? "hashtable" : content == lp ? "listpack" : "intset";
            int n = content.size();
            // Path 1: the whole set; the key goes away.
            createSet("myset", content);
            assertThat(enc("myset")).isEqualTo(expectedEnc);
            assertThat(sorted(list("spop", "myset", n + 10))).isEqualTo(new TreeSet<>(content));
            assertThat(r("exists", "myset")).isEqualTo(0L);
            // Path 2: a few members.
            createSet("myset", content);
            List<String> res = list("spop", "myset", "2");
            assertThat(res).hasSize(2).doesNotHaveDuplicates();
            Set<String> union = new TreeSet<>(members("myset"));
            union.addAll(res);
            assertThat(union).isEqualTo(new TreeSet<>(content));
            // Path 3: almost all; the survivors become the value and the TTL stays.
            createSet("myset", content);
            r("expire", "myset", "1000");
            res = list("spop", "myset", n - 2);
            assertThat(res).hasSize(n - 2).doesNotHaveDuplicates();
            assertThat(r("scard", "myset")).isEqualTo(2L);
            union = new TreeSet<>(members("myset"));
            union.addAll(res);
            assertThat(union).isEqualTo(new TreeSet<>(content));
            assertThat((Long) r("ttl", "myset")).isPositive();
            // Survivors of an intset stay an intset; of a listpack or hash table, a listpack.
            assertThat(enc("myset")).isEqualTo(expectedEnc.equals("intset") ? "intset" : "listpack");
        }
    }

    @Test
    void spopIntegerStressLikeTheIntsetTest() throws Exception {
        java.util.Random rnd = new java.util.Random(1);
        for (int round = 0; round < 5; round++) {
            r("del", "s");
            Set<String> model = new HashSet<>();
            int len = rnd.nextInt(600);
            for (int i = 0; i < len; i++) {
                String v = switch (rnd.nextInt(3)) {
                    case 0 -> Integer.toString(rnd.nextInt(65536));
                    case 1 -> Long.toString(rnd.nextLong() & 0xFFFFFFFFL);
                    default -> Long.toUnsignedString(rnd.nextLong());
                };
                model.add(v);
                r("sadd", "s", v);
            }
            assertThat(members("s")).isEqualTo(new TreeSet<>(model));
            for (int i = 0, n = model.size(); i < n; i++) {
                assertThat(model.remove((String) r("spop", "s"))).isTrue();
            }
            assertThat(r("scard", "s")).isEqualTo(0L);
        }
    }

    // ---- SRANDMEMBER -------------------------------------------------------------------------------

    @Test
    void srandmemberEdgeCases() throws Exception {
        assertThat(r("srandmember", "myset", "0")).isEqualTo(List.of());
        assertThat(r("srandmember", "nonexisting_key", "100")).isEqualTo(List.of());
        assertThat(r("srandmember", "nonexisting_key")).isNull();
        r("sadd", "myset", "a");
        assertThat(r("srandmember", "myset", "-9223372036854775808")).isEqualTo(err(
                "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
        assertThat(r("srandmember", "myset", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(r("srandmember", "myset", "1", "2")).isEqualTo(err("ERR syntax error"));
        assertThat(r("srandmember", "myset", "-3")).isEqualTo(List.of("a", "a", "a"));
        assertThat(r("srandmember", "myset")).isEqualTo("a");
    }

    @Test
    void hugeRepetitionCountsHitTheOutputLimitInsteadOfMemory() throws Exception {
        r("sadd", "lp", "a", "b");
        r("sadd", "is", "1", "2");
        r("config", "set", "client-output-buffer-limit", "normal 1mb 0 0");
        try {
            for (String key : List.of("lp", "is")) {
                try (RespClient victim = new RespClient(server.port())) {
                    victim.send("srandmember", key, "-9223372036854775807");
                    assertThat(victim.isClosedByPeer()).as(key).isTrue();
                }
            }
            assertThat(r("scard", "lp")).isEqualTo(2L);
        } finally {
            r("config", "set", "client-output-buffer-limit", "normal 0 0 0");
        }
    }

    @Test
    void srandmemberWithCountInEveryEncoding() throws Exception {
        List<String> names = List.of("MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH", "JENNIFER", "MARIA",
                "SUSAN", "MARGARET", "DOROTHY", "LISA", "NANCY", "KAREN", "BETTY", "HELEN", "SANDRA", "DONNA",
                "CAROL", "RUTH", "SHARON", "MICHELLE", "LAURA", "SARAH", "KIMBERLY", "DEBORAH", "JESSICA",
                "SHIRLEY", "CYNTHIA", "ANGELA", "MELISSA", "BRENDA", "AMY", "ANNA", "REBECCA", "VIRGINIA");
        List<String> lp = new ArrayList<>(List.of("1", "5", "10", "50", "125", "50000", "33959417", "4775547",
                "65434162", "12098459", "427716", "483706", "2726473884", "72615637475"));
        lp.addAll(names);
        lp.add("KATHLEEN");
        List<String> ht = new ArrayList<>(lp.subList(0, lp.size() - 1));
        ht.add(0, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        for (List<String> contents : List.of(lp, range("", 0, 50), ht)) {
            createSet("myset", contents);
            assertThat(contents).hasSize(50);
            Set<String> all = new TreeSet<>(contents);
            assertThat(list("srandmember", "myset", "0")).isEmpty();
            // Negative count: repetitions, every member eventually.
            List<String> res = list("srandmember", "myset", "-100");
            assertThat(res).hasSize(100);
            assertThat(all).containsAll(res);
            assertThat(coverage("-10", all)).isTrue();
            // Count at least the size: the whole set.
            for (int size : new int[] {50, 100}) {
                assertThat(sorted(list("srandmember", "myset", size))).isEqualTo(all);
            }
            // Below the size: distinct members, every member eventually.
            for (int size : new int[] {45, 5}) {
                res = list("srandmember", "myset", size);
                assertThat(res).hasSize(size).doesNotHaveDuplicates();
                assertThat(all).containsAll(res);
                assertThat(coverage(Integer.toString(size), all)).isTrue();
            }
        }
    }

    private boolean coverage(String count, Set<String> all) throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000 && seen.size() < all.size(); i++) {
            seen.addAll(list("srandmember", "myset", count));
        }
        return seen.equals(all);
    }

    /** Upstream chi_square_value: sum of (observed - mean)^2 / mean over the distinct values. */
    private static double chiSquare(List<String> values) {
        Map<String, Integer> hist = new HashMap<>();
        values.forEach(v -> hist.merge(v, 1, Integer::sum));
        double mean = (double) values.size() / hist.size();
        double chi = 0;
        for (int n : hist.values()) {
            chi += (n - mean) * (n - mean) / mean;
        }
        return chi;
    }

    @Test
    void srandmemberDistributionsAreUniform() throws Exception {
        List<List<String>> sets = List.of(
                List.of("1", "5", "10", "50", "125", "MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH"),
                range("", 0, 10),
                List.of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "1", "5", "10", "50", "125", "MARY", "PATRICIA",
                        "LINDA", "BARBARA"));
        List<String> encodings = List.of("listpack", "intset", "hashtable");
        for (int t = 0; t < 3; t++) {
            createSet("myset", sets.get(t));
            assertThat(enc("myset")).isEqualTo(encodings.get(t));
            // df = 9: 40 has probability 1e-5.
            assertThat(chiSquare(list("srandmember", "myset", "-1000"))).as(encodings.get(t)).isLessThan(40);
            for (int size : new int[] {8, 2}) {
                List<String> all = new ArrayList<>();
                for (int i = 0; i < 1000 / size; i++) {
                    all.addAll(list("srandmember", "myset", size));
                }
                assertThat(chiSquare(all)).as(encodings.get(t) + " " + size).isLessThan(40);
            }
        }
    }

    @Test
    void srandmemberOnALargeHashtableCoversAndStaysUniform() throws Exception {
        List<Object> args = new ArrayList<>(List.of("sadd", "big"));
        args.addAll(range("m:", 0, 3000));
        r(args.toArray());
        // Shrink far below the table size: random picks must stay fair over the sparse table.
        List<Object> rem = new ArrayList<>(List.of("srem", "big"));
        rem.addAll(range("m:", 30, 3000));
        r(rem.toArray());
        assertThat(r("scard", "big")).isEqualTo(30L);
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            all.addAll(list("srandmember", "big", "10"));
        }
        assertThat(new HashSet<>(all)).hasSize(30);
        // df = 29: 73 has probability 1e-5.
        assertThat(chiSquare(all)).isLessThan(73);
    }

    // ---- RESP3 and raw replies -----------------------------------------------------------------

    @Test
    void resp3ReplyTypesAsRedis() throws Exception {
        r("sadd", "myset", "a", "b", "c");
        r("hello", "3");
        assertThat(r("smembers", "myset")).isInstanceOf(Set.class);
        assertThat(r("sinter", "myset", "myset")).isInstanceOf(Set.class);
        assertThat(r("sunion", "myset")).isInstanceOf(Set.class);
        assertThat(r("sdiff", "myset", "nokey")).isInstanceOf(Set.class);
        assertThat(r("spop", "myset", "1")).isInstanceOf(Set.class);
        assertThat(r("spop", "nokey", "1")).isEqualTo(Set.of());
        assertThat(r("smembers", "nokey")).isEqualTo(Set.of());
        // SRANDMEMBER with a count is an array even in RESP3; SSCAN too.
        assertThat(r("srandmember", "myset", "2")).isInstanceOf(List.class);
        assertThat(r("srandmember", "myset", "-2")).isInstanceOf(List.class);
        assertThat(r("srandmember", "nokey", "2")).isEqualTo(List.of());
        assertThat(r("sscan", "myset", "0")).isInstanceOf(List.class);
        c.send("srandmember", "nokey");
        assertThat(c.line()).isEqualTo("_");
        c.send("smembers", "nokey");
        assertThat(c.line()).isEqualTo("~0");
        c.send("srandmember", "nokey", "5");
        assertThat(c.line()).isEqualTo("*0");
    }

    @Test
    void rawProtocolResponses() throws Exception {
        c.send("srandmember", "nonexisting_key");
        assertThat(c.line()).isEqualTo("$-1");
        c.send("sadd", "ss", "a");
        assertThat(c.line()).isEqualTo(":1");
        c.send("srandmember", "ss", "100");
        assertThat(c.line()).isEqualTo("*1");
        assertThat(c.line()).isEqualTo("$1");
        assertThat(c.line()).isEqualTo("a");
        c.send("srandmember", "ss", "0");
        assertThat(c.line()).isEqualTo("*0");
        c.send("smembers", "nokey");
        assertThat(c.line()).isEqualTo("*0");
    }

    // ---- SMOVE ---------------------------------------------------------------------------------

    private void setupMove() throws Exception {
        r("del", "myset3", "myset4");
        createSet("myset1", "1", "a", "b");
        createSet("myset2", "2", "3", "4");
        assertThat(enc("myset1")).isEqualTo("listpack");
        assertThat(enc("myset2")).isEqualTo("intset");
    }

    @Test
    void smoveCases() throws Exception {
        setupMove();
        assertThat(r("smove", "myset1", "myset2", "a")).isEqualTo(1L);
        assertThat(members("myset1")).containsExactly("1", "b");
        assertThat(members("myset2")).containsExactly("2", "3", "4", "a");
        assertThat(enc("myset2")).isEqualTo("listpack");
        setupMove();
        assertThat(r("smove", "myset1", "myset2", "1")).isEqualTo(1L);
        assertThat(enc("myset2")).isEqualTo("intset");
        setupMove();
        assertThat(r("smove", "myset2", "myset1", "2")).isEqualTo(1L);
        assertThat(members("myset1")).containsExactly("1", "2", "a", "b");
        setupMove();
        assertThat(r("smove", "myset1", "myset2", "foo")).isEqualTo(0L);
        assertThat(r("smove", "myset1", "myset1", "foo")).isEqualTo(0L);
        assertThat(r("smove", "myset1", "myset1", "a")).isEqualTo(1L);
        assertThat(members("myset1")).containsExactly("1", "a", "b");
        assertThat(r("smove", "noset", "myset2", "foo")).isEqualTo(0L);
        assertThat(r("smove", "myset1", "myset3", "a")).isEqualTo(1L);
        assertThat(enc("myset3")).isEqualTo("listpack");
        assertThat(r("smove", "myset2", "myset4", "2")).isEqualTo(1L);
        assertThat(enc("myset4")).isEqualTo("intset");
        assertThat(members("myset4")).containsExactly("2");
        // Moving the last member removes the source key.
        r("del", "one");
        r("sadd", "one", "z");
        assertThat(r("smove", "one", "myset3", "z")).isEqualTo(1L);
        assertThat(r("exists", "one")).isEqualTo(0L);
    }

    @Test
    void smoveOnlyTouchesTheDestinationWhenItAdds() throws Exception {
        r("sadd", "srcset", "a", "b");
        r("sadd", "dstset", "a");
        r("watch", "dstset");
        r("multi");
        r("sadd", "dstset", "c");
        try (RespClient other = new RespClient(server.port())) {
            assertThat(other.call("smove", "srcset", "dstset", "a")).isEqualTo(1L);
        }
        assertThat(r("exec")).isEqualTo(List.of(1L));
        assertThat(r("scard", "dstset")).isEqualTo(2L);
        // And a real addition does abort the transaction.
        r("watch", "dstset");
        r("multi");
        r("sadd", "dstset", "d");
        try (RespClient other = new RespClient(server.port())) {
            other.call("smove", "srcset", "dstset", "b");
        }
        assertThat(r("exec")).isNull();
    }

    // ---- SSCAN ------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private List<String> sscanAll(String key, Object... options) throws Exception {
        List<String> out = new ArrayList<>();
        String cursor = "0";
        do {
            List<Object> args = new ArrayList<>(List.of("sscan", key, cursor));
            args.addAll(List.of(options));
            List<Object> res = (List<Object>) r(args.toArray());
            cursor = (String) res.get(0);
            out.addAll((List<String>) res.get(1));
        } while (!cursor.equals("0"));
        return out;
    }

    @Test
    @SuppressWarnings("unchecked")
    void sscanInEveryEncoding() throws Exception {
        for (String e : List.of("intset", "listpack", "hashtable")) {
            r("del", "set");
            int count = e.equals("hashtable") ? 200 : 100;
            List<Object> args = new ArrayList<>(List.of("sadd", "set"));
            args.addAll(range(e.equals("intset") ? "" : "ele:", 0, count));
            r(args.toArray());
            assertThat(enc("set")).isEqualTo(e);
            assertThat(new HashSet<>(sscanAll("set"))).hasSize(count);
            if (!e.equals("hashtable")) {
                // Compact encodings come back whole with cursor 0.
                List<Object> res = (List<Object>) r("sscan", "set", "0");
                assertThat(res.get(0)).isEqualTo("0");
                assertThat((List<String>) res.get(1)).hasSize(count);
            } else {
                List<Object> res = (List<Object>) r("sscan", "set", "0", "count", "5");
                assertThat(res.get(0)).isNotEqualTo("0");
                assertThat(((List<String>) res.get(1)).size()).isLessThan(count);
            }
        }
        r("del", "set");
        r("sadd", "set", "1", "a");
        assertThat((List<String>) ((List<Object>) r("sscan", "set", "0", "MATCH", "*a*", "COUNT", "100")).get(1))
                .containsExactly("a");
        assertThat((List<String>) ((List<Object>) r("sscan", "set", "0", "MATCH", "*1*", "COUNT", "100")).get(1))
                .containsExactly("1");
        r("sadd", "mykey", "foo", "fab", "fiz", "foobar", "1", "2", "3", "4");
        assertThat(sorted(sscanAll("mykey", "MATCH", "foo*", "COUNT", "10000"))).containsExactly("foo", "foobar");
        List<Object> big = new ArrayList<>(List.of("sadd", "bigset"));
        big.addAll(range("k", 0, 300));
        r(big.toArray());
        assertThat(sorted(sscanAll("bigset", "match", "k1?"))).isEqualTo(sorted(range("k", 10, 20)));
    }

    @Test
    void sscanErrorsAndMissingKey() throws Exception {
        r("sadd", "set", "a");
        assertThat(r("sscan", "set", "abc")).isEqualTo(err("ERR invalid cursor"));
        assertThat(r("sscan", "set", "0", "count", "0")).isEqualTo(err("ERR syntax error"));
        assertThat(r("sscan", "set", "0", "count", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(r("sscan", "set", "0", "type", "set")).isEqualTo(err("ERR syntax error"));
        assertThat(r("sscan", "set", "0", "match")).isEqualTo(err("ERR syntax error"));
        // Options are not looked at for a missing key.
        assertThat(r("sscan", "nokey", "0", "count", "0")).isEqualTo(List.of("0", List.of()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void sscanKeepsItsGuaranteeWhileTheTableShrinks() throws Exception {
        java.util.Random rnd = new java.util.Random(4906);
        for (int k = 0; k < 20; k++) {
            r("del", "set");
            r("sadd", "set", "x");
            int numele = 101 + rnd.nextInt(1000);
            List<Object> add = new ArrayList<>(List.of("sadd", "set"));
            List<Object> toRemove = new ArrayList<>(List.of("srem", "set"));
            for (int j = 0; j < numele; j++) {
                add.add(Integer.toString(j));
                if (j >= 100) {
                    toRemove.add(Integer.toString(j));
                }
            }
            r(add.toArray());
            Set<String> found = new HashSet<>();
            String cursor = "0";
            int iteration = 0;
            int delIteration = rnd.nextInt(10);
            do {
                List<Object> res = (List<Object>) r("sscan", "set", cursor);
                cursor = (String) res.get(0);
                found.addAll((List<String>) res.get(1));
                iteration++;
                if (iteration == delIteration && toRemove.size() > 2) {
                    r(toRemove.toArray());
                }
            } while (!cursor.equals("0"));
            for (int j = 0; j < 100; j++) {
                assertThat(found).contains(Integer.toString(j));
            }
        }
    }

    // ---- COPY, DIGEST, RELOAD ------------------------------------------------------------------

    @Test
    void copyKeepsEncodingAndDigest() throws Exception {
        for (String type : List.of("intset", "listpack", "hashtable")) {
            r("del", "set1", "newset1");
            r("sadd", "set1", "1", "2", "3");
            if (!type.equals("intset")) {
                r("sadd", "set1", "a");
            }
            if (type.equals("hashtable")) {
                for (int i = 4; i < 200; i++) {
                    r("sadd", "set1", i);
                }
            }
            assertThat(enc("set1")).isEqualTo(type);
            assertThat(r("copy", "set1", "newset1")).isEqualTo(1L);
            assertThat(enc("newset1")).isEqualTo(type);
            Object digest = r("debug", "digest-value", "set1");
            assertThat(r("debug", "digest-value", "newset1")).isEqualTo(digest);
            assertThat(r("object", "refcount", "newset1")).isEqualTo(1L);
            r("del", "set1");
            assertThat(r("debug", "digest-value", "newset1")).isEqualTo(digest);
            // The copy is independent.
            r("sadd", "newset1", "zzz");
            assertThat(r("debug", "digest-value", "newset1")).isNotEqualTo(digest);
        }
    }

    @Test
    void digestIsTheSameWhateverTheEncoding() throws Exception {
        r("sadd", "a", "1", "2", "3");
        r("config", "set", "set-max-intset-entries", "0");
        r("sadd", "b", "3", "2", "1");
        r("config", "set", "set-max-listpack-entries", "0");
        r("sadd", "c", "2", "1", "3");
        assertThat(List.of(enc("a"), enc("b"), enc("c"))).containsExactly("intset", "listpack", "hashtable");
        Object d = r("debug", "digest-value", "a");
        assertThat(r("debug", "digest-value", "b")).isEqualTo(d);
        assertThat(r("debug", "digest-value", "c")).isEqualTo(d);
        assertThat(d).isNotEqualTo("0000000000000000000000000000000000000000");
    }

    @Test
    void debugReloadKeepsOrCompactsEncodingsAsAnRdbLoad() throws Exception {
        for (int i = 0; i < 100; i++) {
            r("sadd", "myintset", i);
        }
        for (int i = 0; i < 1280; i++) {
            r("sadd", "mylargeintset", i);
        }
        for (int i = 0; i < 50; i++) {
            r("sadd", "mysmallset", String.format("i%03d", i));
        }
        for (int i = 0; i < 256; i++) {
            r("sadd", "myhashset", String.format("i%03d", i));
        }
        // A hash table that shrank comes back compact.
        List<Object> args = new ArrayList<>(List.of("sadd", "shrunk"));
        args.addAll(range("", 0, 600));
        r(args.toArray());
        List<Object> rem = new ArrayList<>(List.of("srem", "shrunk"));
        rem.addAll(range("", 10, 600));
        r(rem.toArray());
        r("expire", "shrunk", "1000");
        Object digest = r("debug", "digest");
        assertThat(r("debug", "reload")).isEqualTo("OK");
        assertThat(enc("myintset")).isEqualTo("intset");
        assertThat(enc("mylargeintset")).isEqualTo("hashtable");
        assertThat(enc("mysmallset")).isEqualTo("listpack");
        assertThat(enc("myhashset")).isEqualTo("hashtable");
        assertThat(enc("shrunk")).isEqualTo("intset");
        assertThat((Long) r("ttl", "shrunk")).isPositive();
        assertThat(r("debug", "digest")).isEqualTo(digest);
    }
}
