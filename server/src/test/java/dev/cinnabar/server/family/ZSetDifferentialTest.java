package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.resp.Doubles;
import dev.cinnabar.server.testkit.ReferencePair;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Random sorted-set command sequences sent to Cinnabar and to the redis-server on the PATH,
 * comparing the raw reply bytes, plus DEBUG DIGEST-VALUE (and OBJECT ENCODING) of every key
 * along the way. Skipped without redis-server.
 *
 * <p>Against Redis 7.2 or later everything is compared. Against an older server (Debian ships
 * 7.0) the sequences avoid what 7.2 changed: scores print with %.17g there, so only scores
 * whose text both forms agree on are used (integers up to 2^20, short binary fractions, the
 * infinities), -0 (a 7.2 listpack drops its sign), ZRANK WITHSCORE (new in 7.2) and encodings
 * (7.2 converts on announced sizes).
 */
class ZSetDifferentialTest {
    @RegisterExtension
    static final ReferencePair servers = ReferencePair.create().debugCommand();

    private static final String[] KEYS = {"k0", "k1", "k2", "k3", "str"};
    private static final String[] LEX = {"l0", "l1"};
    private static final String[] MEMBERS = {"a", "b", "c", "d", "e", "f", "g", "h", "1", "2", "10", "-1", "aa", "ab",
        "", "x".repeat(70), "y".repeat(65), "\u00e9", "\u0000z", "zz"};

    private final Random rnd = new Random();

    private String pick(String... options) {
        return options[rnd.nextInt(options.length)];
    }

    private String score() {
        int k = rnd.nextInt(100);
        if (k < 40) {
            return Integer.toString(rnd.nextInt(41) - 20);
        }
        if (k < 60) {
            return pick("0.5", "-0.5", "1.25", "-7.75", "2.5", "1e2", "inf", "-inf", "+inf", "Infinity", "0x10", "0x1p-3");
        }
        if (k < 65) {
            return pick("nan", "abc", "", " 1", "1 ", "1e400", "1e-400", "--1", "1e", "0x");
        }
        if (!servers.redisAtLeast(7, 2)) {
            return Integer.toString((rnd.nextInt(2001) - 1000) * 4) + pick("", ".25", ".5", ".125");
        }
        if (k < 80) {
            return pick("0.1", "0.2", "0.3", "3.14159", "2.5e-3", "-0", "1e308", "-1e308", "4.9e-324", "1e-320", "1e17");
        }
        return Double.toString((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(30) - 10));
    }

    private String bound() {
        String s = rnd.nextInt(5) == 0 ? pick("-inf", "+inf", "", "(", " 3", "(-inf", "(+inf", "x", "1\u0000x") : score();
        return rnd.nextInt(10) < 3 ? "(" + s : s;
    }

    private String lexBound() {
        int k = rnd.nextInt(100);
        if (k < 15) {
            return pick("-", "+");
        }
        if (k < 20) {
            return pick("a", "", "+x", "-x", "(", "[");
        }
        String[] m = {"a", "b", "c", "d", "e", "f", "g", "h", "1", "2", "10", "-1", "aa", "ab", "b0", "c9", "ff"};
        return pick("[", "(") + m[rnd.nextInt(m.length)];
    }

    private String idx() {
        return Integer.toString(rnd.nextInt(17) - 8);
    }

    private String member() {
        return MEMBERS[rnd.nextInt(MEMBERS.length)];
    }

    private String limitOffset() {
        return Integer.toString(rnd.nextInt(6) - 1);
    }

    private String limitCount() {
        return Integer.toString(rnd.nextInt(8) - 2);
    }

    private List<String> command() {
        List<String> c = new ArrayList<>();
        String k = KEYS[rnd.nextInt(KEYS.length)];
        int r = rnd.nextInt(1000);
        if (r < 250) {
            c.add("ZADD");
            c.add(k);
            for (String o : new String[] {"NX", "XX", "GT", "LT", "CH", "INCR"}) {
                if (rnd.nextInt(8) == 0) {
                    c.add(o);
                }
            }
            int pairs = new int[] {1, 1, 1, 2, 3, 8}[rnd.nextInt(6)];
            for (int i = 0; i < pairs; i++) {
                c.add(score());
                c.add(member());
            }
            if (rnd.nextInt(30) == 0) {
                c.remove(c.size() - 1);
            }
        } else if (r < 300) {
            c.addAll(List.of("ZINCRBY", k, score(), member()));
        } else if (r < 350) {
            c.addAll(List.of("ZREM", k, member(), member()));
        } else if (r < 370) {
            c.addAll(List.of("ZCARD", k));
        } else if (r < 400) {
            c.addAll(List.of(pick("ZSCORE", "ZMSCORE"), k, member()));
        } else if (r < 430) {
            c.addAll(List.of(pick("ZRANK", "ZREVRANK"), k, member()));
            if (servers.redisAtLeast(7, 2) && rnd.nextBoolean()) {
                c.add("WITHSCORE");
            }
        } else if (r < 460) {
            c.addAll(List.of("ZCOUNT", k, bound(), bound()));
        } else if (r < 530) {
            int type = rnd.nextInt(3);
            if (type == 2) {
                c.addAll(List.of("ZRANGE", LEX[rnd.nextInt(2)], lexBound(), lexBound(), "BYLEX"));
            } else if (type == 1) {
                c.addAll(List.of("ZRANGE", k, bound(), bound(), "BYSCORE"));
            } else {
                c.addAll(List.of("ZRANGE", k, idx(), idx()));
            }
            if (rnd.nextInt(5) < 2) {
                c.add("REV");
            }
            if (rnd.nextInt(10) < 3) {
                c.add("WITHSCORES");
            }
            if (rnd.nextInt(10) < 3) {
                c.addAll(List.of("LIMIT", limitOffset(), limitCount()));
            }
        } else if (r < 580) {
            c.addAll(List.of(pick("ZRANGEBYSCORE", "ZREVRANGEBYSCORE"), k, bound(), bound()));
            if (rnd.nextInt(10) < 3) {
                c.add("WITHSCORES");
            }
            if (rnd.nextInt(10) < 3) {
                c.addAll(List.of("LIMIT", limitOffset(), limitCount()));
            }
        } else if (r < 610) {
            c.addAll(List.of("ZREVRANGE", k, idx(), idx()));
            if (rnd.nextBoolean()) {
                c.add("WITHSCORES");
            }
        } else if (r < 650) {
            c.addAll(List.of(pick("ZRANGEBYLEX", "ZREVRANGEBYLEX"), LEX[rnd.nextInt(2)], lexBound(), lexBound()));
            if (rnd.nextInt(10) < 3) {
                c.addAll(List.of("LIMIT", limitOffset(), limitCount()));
            }
        } else if (r < 670) {
            c.addAll(List.of("ZLEXCOUNT", LEX[rnd.nextInt(2)], lexBound(), lexBound()));
        } else if (r < 700) {
            c.add("ZADD");
            c.add(LEX[rnd.nextInt(2)]);
            for (int i = rnd.nextInt(4); i >= 0; i--) {
                c.add("0");
                c.add(member());
            }
        } else if (r < 715) {
            c.addAll(List.of("ZREMRANGEBYLEX", LEX[rnd.nextInt(2)], lexBound(), lexBound()));
        } else if (r < 735) {
            c.addAll(List.of("ZREMRANGEBYSCORE", k, bound(), bound()));
        } else if (r < 755) {
            c.addAll(List.of("ZREMRANGEBYRANK", k, idx(), idx()));
        } else if (r < 785) {
            c.addAll(List.of(pick("ZPOPMIN", "ZPOPMAX"), k));
            if (rnd.nextInt(10) < 6) {
                c.add(Integer.toString(rnd.nextInt(6) - 1));
            }
        } else if (r < 805) {
            int n = 1 + rnd.nextInt(3);
            c.addAll(List.of("ZMPOP", Integer.toString(n)));
            for (int i = 0; i < n; i++) {
                c.add(KEYS[rnd.nextInt(KEYS.length)]);
            }
            c.add(pick("MIN", "MAX"));
            if (rnd.nextBoolean()) {
                c.addAll(List.of("COUNT", Integer.toString(rnd.nextInt(5))));
            }
        } else if (r < 905) {
            String op = pick("ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD");
            c.add(op);
            if (op.endsWith("STORE")) {
                c.add(KEYS[rnd.nextInt(KEYS.length)]);
            }
            int n = 1 + rnd.nextInt(3);
            c.add(Integer.toString(n));
            for (int i = 0; i < n; i++) {
                c.add(rnd.nextBoolean() ? KEYS[rnd.nextInt(KEYS.length)] : LEX[rnd.nextInt(2)]);
            }
            boolean weighted = !op.startsWith("ZDIFF") && !op.equals("ZINTERCARD");
            if (weighted && rnd.nextInt(10) < 4) {
                c.add("WEIGHTS");
                for (int i = 0; i < n; i++) {
                    c.add(pick("1", "2", "-1", "0", "0.5", "inf", "-inf", "3"));
                }
            }
            if (weighted && rnd.nextInt(10) < 4) {
                c.addAll(List.of("AGGREGATE", pick("SUM", "MIN", "MAX", "AVG")));
            }
            if (!op.endsWith("STORE") && !op.equals("ZINTERCARD") && rnd.nextBoolean()) {
                c.add("WITHSCORES");
            }
            if (op.equals("ZINTERCARD") && rnd.nextBoolean()) {
                c.addAll(List.of("LIMIT", Integer.toString(rnd.nextInt(5) - 1)));
            }
        } else if (r < 940) {
            c.addAll(List.of("ZRANGESTORE", KEYS[rnd.nextInt(KEYS.length)], k));
            if (rnd.nextBoolean()) {
                c.addAll(List.of(bound(), bound(), "BYSCORE"));
                if (rnd.nextInt(10) < 3) {
                    c.addAll(List.of("LIMIT", Integer.toString(rnd.nextInt(4)), limitCount()));
                }
            } else {
                c.addAll(List.of(idx(), idx()));
            }
            if (rnd.nextInt(10) < 3) {
                c.add("REV");
            }
        } else if (r < 960) {
            c.addAll(List.of("CONFIG", "SET", "zset-max-listpack-entries", pick("0", "1", "3", "16", "128")));
        } else if (r < 975) {
            c.addAll(List.of("CONFIG", "SET", "zset-max-listpack-value", pick("0", "1", "10", "64")));
        } else if (r < 985) {
            c.addAll(List.of("SET", "str", "v"));
        } else {
            c.addAll(List.of("DEL", k));
        }
        return c;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private void run(long seed, int n, String resp) throws Exception {
        rnd.setSeed(seed);
        try (StringDifferentialTest.Raw ref = new StringDifferentialTest.Raw(servers.redisPort());
             StringDifferentialTest.Raw cin = new StringDifferentialTest.Raw(servers.cinnabarPort())) {
            for (StringDifferentialTest.Raw x : List.of(ref, cin)) {
                x.call(List.of("FLUSHALL"));
                x.call(List.of("HELLO", resp));
                x.call(List.of("CONFIG", "SET", "zset-max-listpack-entries", "128"));
                x.call(List.of("CONFIG", "SET", "zset-max-listpack-value", "64"));
            }
            for (int i = 0; i < n; i++) {
                List<String> cmd = command();
                assertThat(text(cin.call(cmd))).as("seed %d command #%d %s", seed, i, cmd).isEqualTo(text(ref.call(cmd)));
                if (i % 40 == 0 || i == n - 1) {
                    for (String k : List.of("k0", "k1", "k2", "k3", "l0", "l1")) {
                        List<String> dv = List.of("DEBUG", "DIGEST-VALUE", k);
                        assertThat(text(cin.call(dv))).as("digest of %s after #%d", k, i).isEqualTo(text(ref.call(dv)));
                        if (servers.redisAtLeast(7, 2)) {
                            List<String> oe = List.of("OBJECT", "ENCODING", k);
                            assertThat(text(cin.call(oe))).as("encoding of %s after #%d", k, i).isEqualTo(text(ref.call(oe)));
                        }
                    }
                }
            }
        }
    }

    @Test
    void randomSequencesResp2() throws Exception {
        run(1, 1500, "2");
        run(2, 1500, "2");
    }

    @Test
    void randomSequencesResp3() throws Exception {
        run(3, 1500, "3");
    }

    /** Score texts: what ZADD accepts and how ZSCORE prints it, over random strings and doubles. */
    @Test
    void scoreParsingAndPrinting() throws Exception {
        Random r = new Random(9);
        try (StringDifferentialTest.Raw ref = new StringDifferentialTest.Raw(servers.redisPort());
             StringDifferentialTest.Raw cin = new StringDifferentialTest.Raw(servers.cinnabarPort())) {
            for (int i = 0; i < 3000; i++) {
                String s;
                int k = r.nextInt(4);
                if (k == 0) {
                    s = Double.toString(Double.longBitsToDouble(r.nextLong()));
                } else if (k == 1) {
                    s = String.format("%.20e", r.nextDouble() * Math.pow(10, r.nextInt(600) - 300));
                } else if (k == 2) {
                    s = Long.toString(r.nextLong() >> r.nextInt(64));
                } else {
                    String[] atoms = {"0", "1", "9", ".", "-", "+", "e", "E", "x", "inf", "nan", " ", "0x", "p", "5"};
                    StringBuilder sb = new StringBuilder();
                    for (int j = r.nextInt(6); j >= 0; j--) {
                        sb.append(atoms[r.nextInt(atoms.length)]);
                    }
                    s = sb.toString();
                }
                List<String> add = List.of("ZADD", "p", s, "m");
                String want = text(ref.call(add));
                assertThat(text(cin.call(add))).as("ZADD %s", s).isEqualTo(want);
                List<String> get = List.of("ZSCORE", "p", "m");
                String refScore = text(ref.call(get));
                String cinScore = text(cin.call(get));
                if (servers.redisAtLeast(7, 2)) {
                    assertThat(cinScore).as("ZSCORE after %s", s).isEqualTo(refScore);
                } else {
                    // Redis 7.0 prints %.17g: the same number, maybe in more digits.
                    String a = refScore.substring(refScore.indexOf('\n') + 1).trim();
                    String b = cinScore.substring(cinScore.indexOf('\n') + 1).trim();
                    assertThat(parse(b)).as("ZSCORE after %s: %s vs %s", s, a, b).isEqualTo(parse(a));
                }
            }
        }
    }

    private static double parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Doubles.parse(b, 0, b.length);
    }
}
