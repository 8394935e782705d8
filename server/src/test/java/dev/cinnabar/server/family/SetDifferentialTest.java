package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.ReferencePair;
import dev.cinnabar.server.testkit.RespClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Random sequences of set commands (and a few keyspace ones) sent to Cinnabar and to a real
 * redis-server, replies compared. Skipped when redis-server is not installed.
 *
 * <p>What Redis leaves unspecified is compared loosely: members of SMEMBERS / SINTER / SUNION /
 * SDIFF / SSCAN as sets (element order depends on the hash function), SRANDMEMBER by shape
 * (count, distinctness, membership). SPOP is checked the same way, then the members Cinnabar
 * popped are removed from the reference with SREM so both data sets stay identical. Encodings
 * are not compared: the installed reference may be Redis 7.0, whose small sets are hash tables;
 * DEBUG DIGEST-VALUE, which does not depend on encoding, is compared exactly.
 */
class SetDifferentialTest {
    @RegisterExtension
    static final ReferencePair servers = ReferencePair.create().debugCommand();

    static final String[] KEYS = {"s1", "s2", "s3", "s4", "str", "none"};

    private static String member(SplittableRandom r) {
        return switch (r.nextInt(9)) {
            case 0, 1 -> Integer.toString(r.nextInt(-20, 40));
            case 2 -> Integer.toString(r.nextInt(-70000, 70000));
            case 3 -> Long.toString(r.nextLong(-5_000_000_000L, 5_000_000_000L));
            case 4 -> Long.toString(r.nextLong());
            case 5 -> "1" + Long.toUnsignedString(r.nextLong()) + "7"; // past 64 bits
            case 6 -> "0" + r.nextInt(5); // integer-looking, not canonical
            case 7 -> "long:" + "x".repeat(60) + r.nextInt(10); // past set-max-listpack-value
            default -> "m" + r.nextInt(40);
        };
    }

    private static String key(SplittableRandom r) {
        return KEYS[r.nextInt(KEYS.length)];
    }

    private static void addMembers(List<Object> cmd, SplittableRandom r, int max) {
        int n = 1 + r.nextInt(max);
        for (int i = 0; i < n; i++) {
            cmd.add(member(r));
        }
    }

    /** A random command; some need their reply checked specially (see {@link #run}). */
    private static List<Object> randomCommand(SplittableRandom r) {
        List<Object> cmd = new ArrayList<>();
        int k = r.nextInt(100);
        if (k < 22) {
            cmd.add("sadd");
            cmd.add(key(r));
            // Now and then a bulk add crossing the intset and listpack limits.
            addMembers(cmd, r, r.nextInt(20) == 0 ? 600 : 6);
        } else if (k < 32) {
            cmd.add("srem");
            cmd.add(key(r));
            addMembers(cmd, r, r.nextInt(10) == 0 ? 300 : 4);
        } else if (k < 36) {
            cmd.addAll(List.of("smove", key(r), key(r), member(r)));
        } else if (k < 40) {
            cmd.addAll(List.of("sismember", key(r), member(r)));
        } else if (k < 43) {
            cmd.addAll(List.of("smismember", key(r)));
            addMembers(cmd, r, 4);
        } else if (k < 46) {
            cmd.addAll(List.of("scard", key(r)));
        } else if (k < 52) {
            cmd.addAll(List.of("spop", key(r)));
            if (r.nextInt(3) > 0) {
                cmd.add(countArg(r, false));
            }
        } else if (k < 58) {
            cmd.addAll(List.of("srandmember", key(r)));
            if (r.nextInt(4) > 0) {
                cmd.add(countArg(r, true));
            }
        } else if (k < 75) {
            String[] ops = {"sinter", "sunion", "sdiff", "sinterstore", "sunionstore", "sdiffstore", "smembers",
                "sintercard"};
            String op = ops[r.nextInt(ops.length)];
            cmd.add(op);
            int n = 1 + r.nextInt(3);
            if (op.equals("smembers")) {
                n = 1;
            } else if (op.endsWith("store")) {
                cmd.add(key(r));
            } else if (op.equals("sintercard")) {
                cmd.add(Integer.toString(r.nextInt(8) == 0 ? n + 1 : n));
            }
            for (int i = 0; i < n; i++) {
                cmd.add(key(r));
            }
            if (op.equals("sintercard") && r.nextBoolean()) {
                cmd.add("LIMIT");
                cmd.add(Integer.toString(r.nextInt(-1, 5)));
            }
        } else if (k < 80) {
            cmd.addAll(List.of("sscan", key(r), "0"));
            if (r.nextBoolean()) {
                cmd.addAll(List.of("MATCH", r.nextBoolean() ? "m*" : "*1*"));
            }
            if (r.nextBoolean()) {
                cmd.addAll(List.of("COUNT", Integer.toString(r.nextInt(0, 30))));
            }
        } else if (k < 84) {
            cmd.addAll(List.of("debug", "digest-value", key(r), key(r)));
        } else if (k < 87) {
            cmd.addAll(List.of("del", key(r)));
        } else if (k < 89) {
            cmd.addAll(List.of("set", key(r), "v"));
        } else if (k < 92) {
            cmd.addAll(List.of("copy", key(r), key(r), "replace"));
        } else if (k < 94) {
            cmd.addAll(List.of("rename", key(r), key(r)));
        } else if (k < 97) {
            cmd.addAll(List.of("type", key(r)));
        } else {
            cmd.addAll(List.of("exists", key(r), key(r)));
        }
        return cmd;
    }

    private static String countArg(SplittableRandom r, boolean negativeOk) {
        return switch (r.nextInt(8)) {
            case 0 -> "0";
            case 1 -> "x";
            case 2 -> negativeOk ? Integer.toString(-r.nextInt(1, 200)) : "-1";
            case 3 -> Integer.toString(r.nextInt(100, 700));
            default -> Integer.toString(r.nextInt(1, 60));
        };
    }

    @SuppressWarnings("unchecked")
    private static Set<String> asSet(Object o) {
        TreeSet<String> s = new TreeSet<>();
        for (Object x : (Collection<Object>) o) {
            s.add((String) x);
        }
        return s;
    }

    /** Runs one command on both servers and checks Cinnabar's reply against the reference. */
    @SuppressWarnings("unchecked")
    private static void run(RespClient ref, RespClient cin, List<Object> cmd, String where) throws Exception {
        String name = ((String) cmd.get(0)).toLowerCase();
        Object[] args = cmd.toArray();
        if (name.equals("spop") || name.equals("srandmember")) {
            Set<String> before = ref.call("type", cmd.get(1)).equals("set") ? asSet(ref.call("smembers", cmd.get(1)))
                    : null;
            Object want = ref.call(args);
            Object got = cin.call(args);
            if (want instanceof RespClient.Err || got instanceof RespClient.Err || want == null) {
                assertThat(got).as(where).isEqualTo(want);
                return;
            }
            if (name.equals("spop")) {
                // Undo the reference's own pick and apply Cinnabar's instead.
                if (want instanceof String w) {
                    ref.call("sadd", cmd.get(1), w);
                } else if (!((Collection<Object>) want).isEmpty()) {
                    List<Object> back = new ArrayList<>(List.of("sadd", cmd.get(1)));
                    back.addAll((Collection<Object>) want);
                    ref.call(back.toArray());
                }
            }
            if (want instanceof String) {
                assertThat(got).as(where).isInstanceOf(String.class);
                assertThat(before).as(where).contains((String) got);
            } else {
                assertThat(got.getClass()).as(where).isEqualTo(want.getClass());
                List<Object> g = new ArrayList<>((Collection<Object>) got);
                assertThat(g).as(where).hasSameSizeAs((Collection<Object>) want);
                assertThat(before == null ? Set.of() : before).as(where).containsAll(asSet(g));
                long count = cmd.size() > 2 ? Long.parseLong((String) cmd.get(2)) : 1;
                if (name.equals("spop") || count > 0) {
                    assertThat(g).as(where).doesNotHaveDuplicates();
                }
            }
            if (name.equals("spop")) {
                List<Object> rem = new ArrayList<>(List.of("srem", cmd.get(1)));
                if (got instanceof String s) {
                    rem.add(s);
                } else {
                    rem.addAll((Collection<Object>) got);
                }
                if (rem.size() > 2) {
                    ref.call(rem.toArray());
                }
                assertThat(cin.call("debug", "digest-value", cmd.get(1)))
                        .as(where + " after spop").isEqualTo(ref.call("debug", "digest-value", cmd.get(1)));
            }
            return;
        }
        Object want = ref.call(args);
        Object got = cin.call(args);
        if (want instanceof RespClient.Err) {
            assertThat(got).as(where).isEqualTo(want);
            return;
        }
        switch (name) {
            case "smembers", "sinter", "sunion", "sdiff" -> {
                assertThat(got.getClass()).as(where).isEqualTo(want.getClass());
                assertThat(asSet(got)).as(where).isEqualTo(asSet(want));
            }
            case "sscan" -> {
                // Compare the full iteration: cursors depend on the table.
                assertThat(asSet(scanAll(cin, cmd))).as(where).isEqualTo(asSet(scanAll(ref, cmd)));
            }
            default -> assertThat(got).as(where).isEqualTo(want);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> scanAll(RespClient c, List<Object> cmd) throws Exception {
        List<Object> out = new ArrayList<>();
        String cursor = "0";
        int guard = 0;
        do {
            List<Object> args = new ArrayList<>(cmd);
            args.set(2, cursor);
            Object res = c.call(args.toArray());
            if (!(res instanceof List)) {
                out.add(res);
                return out;
            }
            List<Object> l = (List<Object>) res;
            cursor = (String) l.get(0);
            out.addAll((List<Object>) l.get(1));
        } while (!cursor.equals("0") && ++guard < 100_000);
        return out;
    }

    private static void sequence(long seed, int resp, int ops) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        try (RespClient ref = new RespClient(servers.redisPort()); RespClient cin = new RespClient(servers.cinnabarPort())) {
            ref.call("flushall");
            cin.call("flushall");
            if (resp == 3) {
                ref.call("hello", "3");
                cin.call("hello", "3");
            }
            for (int i = 0; i < ops; i++) {
                List<Object> cmd = randomCommand(r);
                run(ref, cin, cmd, "seed " + seed + " resp " + resp + " op " + i + " " + cmd);
            }
            assertThat(cin.call("debug", "digest")).as("seed " + seed).isEqualTo(ref.call("debug", "digest"));
            assertThat(cin.call("dbsize")).isEqualTo(ref.call("dbsize"));
        }
    }

    @Test
    void randomSequencesMatchTheReference() throws Exception {
        SplittableRandom seeds = new SplittableRandom();
        for (int round = 0; round < 12; round++) {
            sequence(seeds.nextLong(), round % 3 == 2 ? 3 : 2, 400);
        }
    }

    @Test
    void fixedEdgeCasesMatchExactly() throws Exception {
        List<List<Object>> cmds = List.of(
                List.of("sadd", "s", "1", "2", "3"), List.of("set", "str", "x"),
                List.of("sadd"), List.of("sadd", "s"), List.of("sadd", "str", "a"), List.of("srem", "str", "a"),
                List.of("smove", "str", "s", "a"), List.of("smove", "s", "str", "1"), List.of("smove", "nokey", "str", "a"),
                List.of("spop", "s", "-1"), List.of("spop", "s", "abc"), List.of("spop", "s", "1", "2"),
                List.of("spop", "nokey", "0"), List.of("spop", "nokey", "5"), List.of("spop", "s", "0"),
                List.of("srandmember", "s", "-9223372036854775808"), List.of("srandmember", "s", "abc"),
                List.of("srandmember", "s", "1", "2"), List.of("srandmember", "nokey"),
                List.of("srandmember", "nokey", "5"), List.of("srandmember", "s", "0"),
                List.of("sintercard", "0", "s"), List.of("sintercard", "a", "s"), List.of("sintercard", "2", "s"),
                List.of("sintercard", "1", "s", "limit"), List.of("sintercard", "1", "s", "limit", "-1"),
                List.of("sintercard", "1", "s", "limit", "a"), List.of("sintercard", "1", "s", "foo"),
                List.of("sintercard", "1", "str"), List.of("sintercard", "2", "s", "s", "limit", "2"),
                List.of("sscan", "s", "abc"), List.of("sscan", "s", "0", "count", "0"), List.of("sscan", "s", "0", "count", "a"),
                List.of("sscan", "s", "0", "type", "string"), List.of("sscan", "s", "0", "match"),
                List.of("sscan", "nokey", "0", "count", "0"), List.of("sscan", "str", "0"),
                List.of("sinter", "s", "str"), List.of("sinter", "nokey", "str"), List.of("sunion", "nokey", "str"),
                List.of("sdiff", "nokey", "str"), List.of("sdiffstore", "dst", "nokey"),
                List.of("sinterstore", "dst", "nokey", "str"), List.of("smismember", "s"),
                List.of("smismember", "str", "a"), List.of("scard", "str"), List.of("sismember", "str", "a"),
                List.of("sinterstore", "str", "s"), List.of("type", "str"), List.of("smembers", "str"),
                List.of("smove", "s", "s", "1"), List.of("smove", "s", "s", "9"), List.of("sunionstore", "u", "s", "nokey"),
                List.of("sdiffstore", "d", "s", "u"), List.of("exists", "d"), List.of("debug", "digest-value", "s", "u"));
        for (int resp : new int[] {2, 3}) {
            try (RespClient ref = new RespClient(servers.redisPort()); RespClient cin = new RespClient(servers.cinnabarPort())) {
                ref.call("flushall");
                cin.call("flushall");
                ref.call("hello", Integer.toString(resp));
                cin.call("hello", Integer.toString(resp));
                for (List<Object> cmd : cmds) {
                    run(ref, cin, cmd, "resp " + resp + " " + cmd);
                }
            }
        }
    }

    @Test
    void bulkSetsOfEveryShapeDigestAlike() throws Exception {
        Random rnd = new Random(99);
        try (RespClient ref = new RespClient(servers.redisPort()); RespClient cin = new RespClient(servers.cinnabarPort())) {
            ref.call("flushall");
            cin.call("flushall");
            for (int n : new int[] {1, 10, 128, 129, 512, 513, 2000}) {
                for (String kind : List.of("int", "str", "mix")) {
                    String key = kind + n;
                    List<Object> cmd = new ArrayList<>(List.of("sadd", key));
                    Set<String> seen = new HashSet<>();
                    while (seen.size() < n) {
                        String m = switch (kind) {
                            case "int" -> Long.toString(rnd.nextLong() >> rnd.nextInt(64));
                            case "str" -> "k" + rnd.nextInt(1_000_000);
                            default -> rnd.nextBoolean() ? Integer.toString(rnd.nextInt()) : "v" + rnd.nextInt();
                        };
                        if (seen.add(m)) {
                            cmd.add(m);
                        }
                    }
                    assertThat(cin.call(cmd.toArray())).isEqualTo(ref.call(cmd.toArray()));
                    assertThat(cin.call("debug", "digest-value", key)).as(key)
                            .isEqualTo(ref.call("debug", "digest-value", key));
                    assertThat(asSet(cin.call("smembers", key))).isEqualTo(seen);
                }
            }
            assertThat(cin.call("debug", "digest")).isEqualTo(ref.call("debug", "digest"));
            for (String op : List.of("sinter", "sunion", "sdiff")) {
                assertThat(asSet(cin.call(op, "mix2000", "int2000", "mix513")))
                        .isEqualTo(asSet(ref.call(op, "mix2000", "int2000", "mix513")));
                assertThat(cin.call(op + "store", "dst", "str513", "mix129", "int10"))
                        .isEqualTo(ref.call(op + "store", "dst", "str513", "mix129", "int10"));
                assertThat(cin.call("debug", "digest-value", "dst")).isEqualTo(ref.call("debug", "digest-value", "dst"));
            }
        }
    }
}
