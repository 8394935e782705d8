package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.config.EncodingParams;
import dev.cinnabar.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * SetValue on its own: Redis 7.2's encoding choices and conversions (t_set.c setTypeCreate,
 * setTypeAddAux, maybeConvertToIntset, RDB load), intset widths, iteration orders, the
 * listpack sampling algorithms behind SPOP/SRANDMEMBER, digest independence from encoding, and
 * a property check that all three encodings behave alike under the same random operations.
 */
class SetValueTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static ServerConfig config(String text) {
        ServerConfig c = new ServerConfig();
        try {
            c.loadFromString(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
        return c;
    }

    static final EncodingParams DEFAULTS = new ServerConfig().encoding;

    static boolean add(SetValue s, String m, EncodingParams p) {
        byte[] a = b(m);
        return s.add(a, 0, a.length, p);
    }

    static boolean add(SetValue s, String m) {
        return add(s, m, DEFAULTS);
    }

    static boolean remove(SetValue s, String m) {
        byte[] a = b(m);
        return s.remove(a, 0, a.length);
    }

    static boolean contains(SetValue s, String m) {
        byte[] a = b(m);
        return s.contains(a, 0, a.length);
    }

    /** Members in iteration order, integers as decimal text. */
    static List<String> members(SetValue s) {
        List<String> out = new ArrayList<>();
        s.forEach(new SetValue.MemberVisitor() {
            @Override
            public boolean bytes(byte[] a, int off, int len) {
                out.add(new String(a, off, len, StandardCharsets.ISO_8859_1));
                return true;
            }

            @Override
            public boolean integer(long v) {
                out.add(Long.toString(v));
                return true;
            }
        });
        return out;
    }

    static SetValue of(String first, int hint, EncodingParams p, String... rest) {
        byte[] a = b(first);
        SetValue s = SetValue.create(a, 0, a.length, hint, p);
        add(s, first, p);
        for (String m : rest) {
            add(s, m, p);
        }
        return s;
    }

    // ---- creation ---------------------------------------------------------------------------

    @Test
    void createPicksTheEncodingFromTheFirstMemberAndTheSizeHint() {
        assertThat(of("17", 1, DEFAULTS).encoding()).isEqualTo("intset");
        assertThat(of("foo", 1, DEFAULTS).encoding()).isEqualTo("listpack");
        // An integer, but more arguments than an intset may hold: straight to listpack or hashtable.
        assertThat(of("1", 513, DEFAULTS).encoding()).isEqualTo("hashtable");
        assertThat(of("foo", 129, DEFAULTS).encoding()).isEqualTo("hashtable");
        assertThat(of("foo", 128, DEFAULTS).encoding()).isEqualTo("listpack");
        // Not canonical integers: listpack.
        for (String notInt : new String[] {"01", "+1", "-0", " 1", "1 ", "9223372036854775808", "1.0", ""}) {
            assertThat(of(notInt, 1, DEFAULTS).encoding()).as(notInt).isEqualTo("listpack");
        }
        assertThat(of("-9223372036854775808", 1, DEFAULTS).encoding()).isEqualTo("intset");
        assertThat(of("9223372036854775807", 1, DEFAULTS).encoding()).isEqualTo("intset");
    }

    @Test
    void maybeConvertGoesToHashtableForBigHints() {
        SetValue s = of("1", 1, DEFAULTS);
        s.maybeConvert(512, DEFAULTS);
        assertThat(s.encoding()).isEqualTo("intset");
        s.maybeConvert(513, DEFAULTS);
        assertThat(s.encoding()).isEqualTo("hashtable");
        SetValue l = of("a", 1, DEFAULTS);
        l.maybeConvert(128, DEFAULTS);
        assertThat(l.encoding()).isEqualTo("listpack");
        l.maybeConvert(129, DEFAULTS);
        assertThat(l.encoding()).isEqualTo("hashtable");
        assertThat(members(l)).containsExactly("a");
    }

    // ---- conversions on add -----------------------------------------------------------------

    @Test
    void nonIntegerIntoSmallIntsetGivesListpackInAscendingOrder() {
        SetValue s = of("3", 1, DEFAULTS, "1", "2");
        assertThat(s.encoding()).isEqualTo("intset");
        assertThat(add(s, "a")).isTrue();
        assertThat(s.encoding()).isEqualTo("listpack");
        assertThat(members(s)).containsExactly("1", "2", "3", "a");
    }

    @Test
    void nonIntegerIntoLargeIntsetGivesHashtable() {
        SetValue s = of("0", 1, DEFAULTS);
        for (int i = 1; i < 130; i++) {
            add(s, Integer.toString(i));
        }
        assertThat(s.encoding()).isEqualTo("intset");
        add(s, "a");
        assertThat(s.encoding()).isEqualTo("hashtable");
        assertThat(s.size()).isEqualTo(131);
        assertThat(contains(s, "129")).isTrue();
    }

    @Test
    void integerLongerThanListpackValueKeepsIntsetFromGoingToListpack() {
        // Max element text is 20 digits > set-max-listpack-value 10: a string add goes to hashtable.
        EncodingParams p = config("set-max-listpack-value 10\n").encoding;
        SetValue s = of("-9223372036854775808", 1, p);
        add(s, "x", p);
        assertThat(s.encoding()).isEqualTo("hashtable");
        SetValue small = of("12345", 1, p);
        add(small, "x", p);
        assertThat(small.encoding()).isEqualTo("listpack");
    }

    @Test
    void intsetOverflowsToHashtablePastItsLimit() {
        SetValue s = of("0", 1, DEFAULTS);
        for (int i = 1; i < 512; i++) {
            add(s, Integer.toString(i));
        }
        assertThat(s.encoding()).isEqualTo("intset");
        add(s, "512");
        assertThat(s.encoding()).isEqualTo("hashtable");
        assertThat(s.size()).isEqualTo(513);
    }

    @Test
    void listpackOverflowsOnCountAndOnMemberLength() {
        SetValue s = of("a", 1, DEFAULTS);
        for (int i = 0; i < 127; i++) {
            add(s, Integer.toString(i));
        }
        assertThat(s.encoding()).isEqualTo("listpack");
        assertThat(s.size()).isEqualTo(128);
        // Duplicates never convert.
        assertThat(add(s, "5")).isFalse();
        assertThat(s.encoding()).isEqualTo("listpack");
        add(s, "b");
        assertThat(s.encoding()).isEqualTo("hashtable");

        SetValue t = of("a", 1, DEFAULTS);
        add(t, "x".repeat(64));
        assertThat(t.encoding()).isEqualTo("listpack");
        add(t, "x".repeat(65));
        assertThat(t.encoding()).isEqualTo("hashtable");
        assertThat(new TreeSet<>(members(t))).containsExactly("a", "x".repeat(64), "x".repeat(65));
    }

    @Test
    void thresholdsAreReadAtEachCall() {
        ServerConfig cfg = config("set-max-listpack-entries 2\n");
        SetValue s = of("a", 1, cfg.encoding, "b");
        assertThat(s.encoding()).isEqualTo("listpack");
        add(s, "c", cfg.encoding);
        assertThat(s.encoding()).isEqualTo("hashtable");
        SetValue z = of("a", 1, config("set-max-listpack-entries 0\n").encoding);
        assertThat(z.encoding()).isEqualTo("hashtable");
        SetValue noIntset = of("1", 1, config("set-max-intset-entries 0\n").encoding);
        assertThat(noIntset.encoding()).isEqualTo("listpack");
    }

    @Test
    void encodingsNeverShrinkOnRemoval() {
        SetValue s = of("a", 200, DEFAULTS);
        assertThat(s.encoding()).isEqualTo("hashtable");
        remove(s, "a");
        add(s, "1");
        assertThat(s.encoding()).isEqualTo("hashtable");
    }

    @Test
    void maybeConvertToIntsetOnlyWithinTheIntsetLimit() {
        SetValue s = SetValue.newListpack();
        for (int i = 0; i < 129; i++) {
            add(s, Integer.toString(200 - i));
        }
        assertThat(s.encoding()).isEqualTo("hashtable");
        s.maybeConvertToIntset(DEFAULTS);
        assertThat(s.encoding()).isEqualTo("intset");
        assertThat(members(s).get(0)).isEqualTo("72");
        SetValue big = SetValue.newHashtable(600);
        for (int i = 0; i < 600; i++) {
            add(big, Integer.toString(i));
        }
        big.maybeConvertToIntset(DEFAULTS);
        assertThat(big.encoding()).isEqualTo("hashtable");
    }

    // ---- intset widths -------------------------------------------------------------------------

    @Test
    void intsetWidthsGrowAsRedisIntsets() {
        SetValue s = of("1", 1, DEFAULTS);
        assertThat(s.intsetWidth()).isEqualTo(2);
        add(s, "32767");
        assertThat(s.intsetWidth()).isEqualTo(2);
        add(s, "32768");
        assertThat(s.intsetWidth()).isEqualTo(4);
        add(s, "-2147483648");
        assertThat(s.intsetWidth()).isEqualTo(4);
        add(s, "-2147483649");
        assertThat(s.intsetWidth()).isEqualTo(8);
        assertThat(members(s)).containsExactly("-2147483649", "-2147483648", "1", "32767", "32768");
        // A value wider than the encoding is never a member and never removed.
        SetValue narrow = of("5", 1, DEFAULTS);
        assertThat(contains(narrow, "4294967296")).isFalse();
        assertThat(remove(narrow, "4294967296")).isFalse();
        // At most 8 bytes per member, whatever the width.
        assertThat(s.memoryEstimate()).isLessThanOrEqualTo(16 + 16 + 12 + 5 * 8 + 8);
    }

    // ---- random members ----------------------------------------------------------------------

    static SetValue[] threeEncodings(int n) {
        SetValue is = SetValue.newIntset();
        SetValue lp = SetValue.newListpack();
        SetValue ht = SetValue.newHashtable(n);
        for (int i = 0; i < n; i++) {
            String m = Integer.toString(i);
            add(is, m);
            add(lp, m);
            add(ht, m);
        }
        assertThat(is.encoding()).isEqualTo("intset");
        assertThat(lp.encoding()).isEqualTo("listpack");
        assertThat(ht.encoding()).isEqualTo("hashtable");
        return new SetValue[] {is, lp, ht};
    }

    static String text(SetValue.Member m) {
        return m.isInt ? Long.toString(m.value) : new String(m.array, m.offset, m.length, StandardCharsets.ISO_8859_1);
    }

    @Test
    void randomMembersAreUniformInEveryEncoding() {
        SplittableRandom r = new SplittableRandom(7);
        for (SetValue s : threeEncodings(10)) {
            Map<String, Integer> hist = new HashMap<>();
            SetValue.Member m = new SetValue.Member();
            for (int i = 0; i < 10_000; i++) {
                s.random(r, m);
                hist.merge(text(m), 1, Integer::sum);
            }
            assertThat(hist).hasSize(10);
            // Chi-square with 9 degrees of freedom: 40 has probability 1e-5.
            double chi = 0;
            for (int c : hist.values()) {
                chi += (c - 1000.0) * (c - 1000.0) / 1000.0;
            }
            assertThat(chi).as(s.encoding()).isLessThan(40);
        }
    }

    @Test
    void popRandomRemovesWhatItReturns() {
        SplittableRandom r = new SplittableRandom(11);
        for (SetValue s : threeEncodings(50)) {
            Set<String> seen = new HashSet<>();
            SetValue.Member m = new SetValue.Member();
            while (s.size() > 0) {
                s.popRandom(r, m);
                String t = text(m);
                assertThat(seen.add(t)).isTrue();
                assertThat(contains(s, t)).isFalse();
            }
            assertThat(seen).hasSize(50);
        }
    }

    @Test
    void listpackSamplingPicksDistinctMembersInListpackOrder() {
        SplittableRandom r = new SplittableRandom(3);
        SetValue lp = threeEncodings(40)[1];
        List<String> order = members(lp);
        for (int k : new int[] {1, 5, 39, 40}) {
            List<String> got = new ArrayList<>();
            lp.listpackSampleVisit(k, r, collector(got));
            assertThat(got).hasSize(k).doesNotHaveDuplicates();
            List<Integer> positions = got.stream().map(order::indexOf).toList();
            assertThat(positions).isSorted();
        }
        // Every member is eventually sampled, each about equally often.
        Map<String, Integer> hist = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            List<String> got = new ArrayList<>();
            lp.listpackSampleVisit(5, r, collector(got));
            got.forEach(x -> hist.merge(x, 1, Integer::sum));
        }
        assertThat(hist).hasSize(40);
        assertThat(hist.values()).allSatisfy(c -> assertThat(c).isBetween(350, 650));
    }

    @Test
    void listpackPopAndSplitPartitionTheSet() {
        SplittableRandom r = new SplittableRandom(5);
        SetValue lp = threeEncodings(20)[1];
        List<String> popped = new ArrayList<>();
        lp.listpackPopVisit(3, r, collector(popped));
        assertThat(popped).hasSize(3);
        assertThat(lp.size()).isEqualTo(17);
        popped.forEach(p -> assertThat(contains(lp, p)).isFalse());

        SetValue kept = lp.listpackSplit(2, r, DEFAULTS);
        assertThat(kept.size()).isEqualTo(2);
        assertThat(lp.size()).isEqualTo(15);
        assertThat(kept.encoding()).isEqualTo("listpack");
        Set<String> all = new HashSet<>(members(kept));
        all.addAll(members(lp));
        all.addAll(popped);
        assertThat(all).hasSize(20);
    }

    @Test
    void listpackRandomVisitRepeatsAndCoversInBatches() {
        SplittableRandom r = new SplittableRandom(9);
        SetValue lp = threeEncodings(10)[1];
        List<String> got = new ArrayList<>();
        lp.listpackRandomVisit(2500, r, collector(got));
        assertThat(got).hasSize(2500);
        assertThat(new HashSet<>(got)).hasSize(10);
        // The order is random, not listpack order (sorted batches are put back in draw order).
        assertThat(got.subList(0, 50)).isNotEqualTo(got.subList(0, 50).stream().sorted().toList());
        // A visitor can stop the walk.
        int[] n = {0};
        lp.listpackRandomVisit(5000, r, new SetValue.MemberVisitor() {
            @Override
            public boolean bytes(byte[] a, int off, int len) {
                return ++n[0] < 7;
            }

            @Override
            public boolean integer(long v) {
                return ++n[0] < 7;
            }
        });
        assertThat(n[0]).isEqualTo(7);
    }

    static SetValue.MemberVisitor collector(List<String> out) {
        return new SetValue.MemberVisitor() {
            @Override
            public boolean bytes(byte[] a, int off, int len) {
                out.add(new String(a, off, len, StandardCharsets.ISO_8859_1));
                return true;
            }

            @Override
            public boolean integer(long v) {
                out.add(Long.toString(v));
                return true;
            }
        };
    }

    // ---- digest, copy, reload ------------------------------------------------------------------

    static String digest(SetValue s) {
        ValueDigest d = new ValueDigest();
        s.digest(d);
        return d.hex();
    }

    @Test
    void digestDependsOnMembersOnlyNotOnEncoding() {
        SetValue[] three = threeEncodings(30);
        assertThat(digest(three[0])).isEqualTo(digest(three[1])).isEqualTo(digest(three[2]));
        add(three[2], "x");
        assertThat(digest(three[2])).isNotEqualTo(digest(three[0]));
    }

    @Test
    void copyKeepsEncodingAndIsIndependent() {
        for (SetValue s : threeEncodings(20)) {
            SetValue c = s.copy();
            assertThat(c.encoding()).isEqualTo(s.encoding());
            assertThat(digest(c)).isEqualTo(digest(s));
            add(c, "fresh");
            remove(c, "3");
            assertThat(contains(s, "fresh")).isFalse();
            assertThat(contains(s, "3")).isTrue();
            assertThat(s.size()).isEqualTo(20);
        }
    }

    @Test
    void loaderFollowsTheRdbLoadLadder() {
        EncodingParams p = new ServerConfig().encoding;
        String[] ints = new String[10];
        for (int i = 0; i < 10; i++) {
            ints[i] = Integer.toString(i);
        }
        assertThat(load(p, ints).encoding()).isEqualTo("intset");
        SetValue back = load(p, "1", "a");
        assertThat(back.encoding()).isEqualTo("listpack");
        assertThat(new TreeSet<>(members(back))).containsExactly("1", "a");
        String[] many = new String[300];
        for (int i = 0; i < 300; i++) {
            many[i] = "m" + i;
        }
        assertThat(load(p, many).encoding()).isEqualTo("hashtable");
        assertThat(load(p, "y".repeat(100)).encoding()).isEqualTo("hashtable");
        // An announced length over set-max-intset-entries starts as a hash table.
        String[] manyInts = new String[600];
        for (int i = 0; i < 600; i++) {
            manyInts[i] = Integer.toString(i);
        }
        assertThat(load(p, manyInts).encoding()).isEqualTo("hashtable");
        // A repeated member is refused at every stage of the ladder.
        for (String[] dup : List.of(new String[] {"1", "1"}, new String[] {"1", "a", "a"}, new String[] {"y".repeat(100), "y".repeat(100)})) {
            SetValue.Loader l = new SetValue.Loader(dup.length, dup.length, p);
            boolean ok = true;
            for (String m : dup) {
                byte[] b = m.getBytes(StandardCharsets.UTF_8);
                ok &= l.add(b, 0, b.length);
            }
            assertThat(ok).as(String.join(",", dup)).isFalse();
        }
    }

    private static SetValue load(EncodingParams p, String... members) {
        SetValue.Loader l = new SetValue.Loader(members.length, members.length, p);
        for (String m : members) {
            byte[] b = m.getBytes(StandardCharsets.UTF_8);
            assertThat(l.add(b, 0, b.length)).isTrue();
        }
        return l.finish();
    }

    // ---- property: encodings are interchangeable -----------------------------------------------

    /**
     * The same random operations on a set forced into each encoding (and on one converting
     * freely under tight limits) give the same answers and the same members as a HashSet model.
     */
    @Test
    void allEncodingsBehaveAlike() {
        EncodingParams intsetOnly = config("set-max-intset-entries 100000\nset-max-listpack-entries 100000\n"
                + "set-max-listpack-value 100000\n").encoding;
        EncodingParams listpackOnly = config("set-max-intset-entries 0\nset-max-listpack-entries 100000\n"
                + "set-max-listpack-value 100000\n").encoding;
        EncodingParams hashtableOnly = config("set-max-intset-entries 0\nset-max-listpack-entries 0\n").encoding;
        EncodingParams tight = config("set-max-intset-entries 20\nset-max-listpack-entries 10\n"
                + "set-max-listpack-value 4\n").encoding;
        SplittableRandom seeds = new SplittableRandom();
        for (int round = 0; round < 40; round++) {
            long seed = seeds.nextLong();
            SplittableRandom r = new SplittableRandom(seed);
            boolean integersOnly = round % 2 == 0;
            EncodingParams[] params = {integersOnly ? intsetOnly : listpackOnly, listpackOnly, hashtableOnly, tight};
            String first = integersOnly ? "0" : "x";
            SetValue[] sets = new SetValue[params.length];
            for (int i = 0; i < sets.length; i++) {
                sets[i] = of(first, 1, params[i]);
            }
            Set<String> model = new HashSet<>(List.of(first));
            byte[] scratch = new byte[24];
            for (int op = 0; op < 300; op++) {
                String m = randomMember(r, integersOnly);
                int kind = r.nextInt(10);
                for (int i = 0; i < sets.length; i++) {
                    SetValue s = sets[i];
                    String where = "seed " + seed + " op " + op + " set " + i + " (" + s.encoding() + ")";
                    boolean isLong = SetValue.isInteger(b(m), 0, m.length());
                    switch (kind) {
                        case 0, 1, 2, 3 -> {
                            boolean expect = !model.contains(m);
                            boolean got = isLong && i % 2 == 0 ? s.addInt(Long.parseLong(m), params[i], scratch)
                                    : add(s, m, params[i]);
                            assertThat(got).as(where).isEqualTo(expect);
                        }
                        case 4, 5 -> {
                            boolean expect = model.contains(m);
                            boolean got = isLong && i % 2 == 1 ? s.removeInt(Long.parseLong(m), scratch) : remove(s, m);
                            assertThat(got).as(where).isEqualTo(expect);
                        }
                        default -> {
                            boolean got = isLong && i == 2 ? s.containsInt(Long.parseLong(m), scratch) : contains(s, m);
                            assertThat(got).as(where).isEqualTo(model.contains(m));
                        }
                    }
                    assertThat(s.size()).as(where).isEqualTo(model.size() + sizeDelta(kind, model, m));
                }
                switch (kind) {
                    case 0, 1, 2, 3 -> model.add(m);
                    case 4, 5 -> model.remove(m);
                    default -> { }
                }
            }
            for (int i = 0; i < sets.length; i++) {
                assertThat(new HashSet<>(members(sets[i]))).as("seed " + seed + " set " + i).isEqualTo(model);
                assertThat(members(sets[i])).hasSize(model.size());
                assertThat(digest(sets[i])).isEqualTo(digest(sets[0]));
            }
            assertThat(sets[0].encoding()).isEqualTo(integersOnly ? "intset" : "listpack");
            assertThat(sets[1].encoding()).isEqualTo("listpack");
            assertThat(sets[2].encoding()).isEqualTo("hashtable");
        }
    }

    /** Size change the pending (not yet applied to the model) operation makes. */
    private static int sizeDelta(int kind, Set<String> model, String m) {
        if (kind <= 3) {
            return model.contains(m) ? 0 : 1;
        }
        if (kind <= 5) {
            return model.contains(m) ? -1 : 0;
        }
        return 0;
    }

    private static String randomMember(SplittableRandom r, boolean integersOnly) {
        if (integersOnly || r.nextInt(3) == 0) {
            return switch (r.nextInt(4)) {
                case 0 -> Integer.toString(r.nextInt(-50, 50));
                case 1 -> Integer.toString(r.nextInt(-70000, 70000));
                case 2 -> Long.toString(r.nextLong(-5_000_000_000L, 5_000_000_000L));
                default -> Long.toString(r.nextLong());
            };
        }
        return switch (r.nextInt(3)) {
            case 0 -> "m" + r.nextInt(60);
            case 1 -> "0" + r.nextInt(10); // integer-looking but not canonical
            default -> "long-member-" + r.nextInt(20);
        };
    }
}
