package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The hash type on its own: both encodings, the conversions at Redis's thresholds, and a
 * property-style comparison of the two encodings (and a plain map) under random operations.
 */
class HashValueTest {
    static final long NO_LIMIT = Long.MAX_VALUE;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean set(HashValue h, String f, String v, long maxEntries, long maxValue) {
        byte[] fb = b(f);
        byte[] vb = b(v);
        return h.set(fb, 0, fb.length, vb, 0, vb.length, maxEntries, maxValue);
    }

    private static String get(HashValue h, String f) {
        byte[] fb = b(f);
        if (!h.get(fb, 0, fb.length)) {
            return null;
        }
        return new String(h.valueArray(), h.valueOffset(), h.valueLength(), StandardCharsets.ISO_8859_1);
    }

    private static boolean delete(HashValue h, String f) {
        byte[] fb = b(f);
        return h.delete(fb, 0, fb.length);
    }

    /** Contents as an ordered list of "field=value" in iteration order. */
    private static List<String> pairs(HashValue h) {
        List<String> out = new ArrayList<>();
        h.forEach((f, fo, fl, v, vo, vl) -> out.add(new String(f, fo, fl, StandardCharsets.ISO_8859_1) + "="
                + new String(v, vo, vl, StandardCharsets.ISO_8859_1)));
        return out;
    }

    private static Map<String, String> contents(HashValue h) {
        Map<String, String> m = new TreeMap<>();
        h.forEach((f, fo, fl, v, vo, vl) -> m.put(new String(f, fo, fl, StandardCharsets.ISO_8859_1),
                new String(v, vo, vl, StandardCharsets.ISO_8859_1)));
        return m;
    }

    private static String digest(HashValue h) {
        ValueDigest d = new ValueDigest();
        h.digest(d);
        return d.hex();
    }

    @Test
    void listpackKeepsInsertionOrderAndUpdatesInPlace() {
        HashValue h = new HashValue();
        assertThat(h.encoding()).isEqualTo("listpack");
        assertThat(set(h, "a", "1", 512, 64)).isTrue();
        assertThat(set(h, "b", "2", 512, 64)).isTrue();
        assertThat(set(h, "c", "3", 512, 64)).isTrue();
        assertThat(set(h, "b", "twenty", 512, 64)).isFalse();
        assertThat(pairs(h)).containsExactly("a=1", "b=twenty", "c=3");
        assertThat(delete(h, "a")).isTrue();
        assertThat(delete(h, "a")).isFalse();
        assertThat(pairs(h)).containsExactly("b=twenty", "c=3");
        assertThat(h.size()).isEqualTo(2);
        assertThat(get(h, "c")).isEqualTo("3");
        assertThat(get(h, "zz")).isNull();
    }

    @Test
    void convertsWhenEntriesPassTheLimitNotAtIt() {
        HashValue h = new HashValue();
        for (int i = 0; i < 4; i++) {
            set(h, "f" + i, "v", 4, 64);
        }
        assertThat(h.encoding()).isEqualTo("listpack");
        set(h, "f0", "updated", 4, 64); // an update does not grow the hash
        assertThat(h.encoding()).isEqualTo("listpack");
        set(h, "f4", "v", 4, 64);
        assertThat(h.encoding()).isEqualTo("hashtable");
        assertThat(contents(h)).containsEntry("f0", "updated").containsEntry("f4", "v").hasSize(5);
    }

    @Test
    void convertsWhenAFieldOrValueIsLongerThanTheLimit() {
        HashValue h = new HashValue();
        set(h, "x".repeat(8), "y".repeat(8), 512, 8);
        assertThat(h.encoding()).isEqualTo("listpack");
        set(h, "x".repeat(9), "v", 512, 8);
        assertThat(h.encoding()).isEqualTo("hashtable");

        HashValue v = new HashValue();
        set(v, "f", "y".repeat(9), 512, 8);
        assertThat(v.encoding()).isEqualTo("hashtable");
        assertThat(get(v, "f")).isEqualTo("y".repeat(9));
    }

    @Test
    void neverConvertsBack() {
        HashValue h = new HashValue();
        for (int i = 0; i < 10; i++) {
            set(h, "f" + i, "v" + i, 3, 64);
        }
        assertThat(h.encoding()).isEqualTo("hashtable");
        for (int i = 0; i < 9; i++) {
            delete(h, "f" + i);
        }
        assertThat(h.size()).isEqualTo(1);
        assertThat(h.encoding()).isEqualTo("hashtable");
        set(h, "again", "x", NO_LIMIT, NO_LIMIT);
        assertThat(h.encoding()).isEqualTo("hashtable");
    }

    @Test
    void conversionKeepsEveryPair() {
        HashValue h = new HashValue();
        Map<String, String> model = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            String f = "field:" + i;
            String v = i % 3 == 0 ? Integer.toString(i) : "value-" + i;
            set(h, f, v, NO_LIMIT, NO_LIMIT);
            model.put(f, v);
        }
        String before = digest(h);
        h.convertToTable(h.size());
        assertThat(h.encoding()).isEqualTo("hashtable");
        assertThat(contents(h)).isEqualTo(new TreeMap<>(model));
        assertThat(digest(h)).isEqualTo(before);
    }

    @Test
    void copyIsDeepAndKeepsTheEncoding() {
        for (long maxEntries : new long[] {NO_LIMIT, 0}) {
            HashValue h = new HashValue();
            set(h, "a", "1", maxEntries, NO_LIMIT);
            set(h, "b", "2", maxEntries, NO_LIMIT);
            HashValue copy = h.copy();
            assertThat(copy.encoding()).isEqualTo(h.encoding());
            set(h, "a", "changed", maxEntries, NO_LIMIT);
            delete(h, "b");
            assertThat(contents(copy)).containsEntry("a", "1").containsEntry("b", "2").hasSize(2);
            assertThat(digest(copy)).isNotEqualTo(digest(h));
        }
    }

    @Test
    void tableSizeHintGivesTheSmallestTableThatFits() {
        // 513 fields (the conversion after 512) fit 1024 slots at 3/4 load: the hint must not ask
        // for 2048.
        HashValue h = HashValue.newTable(513);
        long small = h.memoryEstimate();
        HashValue big = HashValue.newTable(1000);
        assertThat(big.memoryEstimate()).isGreaterThan(small);
        assertThat(HashValue.tableSizeHint(513)).isLessThanOrEqualTo(512);
        assertThat(HashValue.tableSizeHint(0)).isPositive();
    }

    @Test
    void scanVisitsEveryStablePairAcrossGrowth() {
        HashValue h = HashValue.newTable(0);
        for (int i = 0; i < 200; i++) {
            set(h, "s" + i, "v" + i, 0, NO_LIMIT);
        }
        Map<String, String> seen = new HashMap<>();
        long cursor = 0;
        int step = 0;
        do {
            cursor = h.scan(cursor, (f, fo, fl, v, vo, vl) -> seen.put(new String(f, fo, fl, StandardCharsets.ISO_8859_1),
                    new String(v, vo, vl, StandardCharsets.ISO_8859_1)));
            // Grow the table while the iteration is under way.
            set(h, "grow" + step, "x", 0, NO_LIMIT);
            step++;
        } while (cursor != 0);
        for (int i = 0; i < 200; i++) {
            assertThat(seen).containsEntry("s" + i, "v" + i);
        }
    }

    /**
     * The same random operations on a listpack-encoded hash (limits off), a hashtable-encoded
     * one (entries limit 0), one that converts half-way, and a plain map: every observable
     * result must agree.
     */
    @Test
    void bothEncodingsBehaveTheSame() {
        SplittableRandom seeds = new SplittableRandom(0x4A5B);
        for (int round = 0; round < 40; round++) {
            Random r = new Random(seeds.nextLong());
            HashValue lp = new HashValue();
            HashValue ht = HashValue.newTable(0);
            HashValue mixed = new HashValue();
            Map<String, String> model = new HashMap<>();
            int fields = 1 + r.nextInt(round < 20 ? 20 : 400);
            long mixedLimit = 1 + r.nextInt(64);
            for (int op = 0; op < 600; op++) {
                String f = randomString(r, fields);
                switch (r.nextInt(6)) {
                    case 0, 1, 2 -> {
                        String v = r.nextInt(4) == 0 ? Long.toString(r.nextLong()) : randomString(r, 1_000_000);
                        boolean expected = !model.containsKey(f);
                        model.put(f, v);
                        assertThat(set(lp, f, v, NO_LIMIT, NO_LIMIT)).isEqualTo(expected);
                        assertThat(set(ht, f, v, 0, NO_LIMIT)).isEqualTo(expected);
                        assertThat(set(mixed, f, v, mixedLimit, 40)).isEqualTo(expected);
                    }
                    case 3 -> {
                        boolean expected = model.remove(f) != null;
                        assertThat(delete(lp, f)).isEqualTo(expected);
                        assertThat(delete(ht, f)).isEqualTo(expected);
                        assertThat(delete(mixed, f)).isEqualTo(expected);
                    }
                    default -> {
                        String expected = model.get(f);
                        assertThat(get(lp, f)).isEqualTo(expected);
                        assertThat(get(ht, f)).isEqualTo(expected);
                        assertThat(get(mixed, f)).isEqualTo(expected);
                        byte[] fb = b(f);
                        assertThat(lp.contains(fb, 0, fb.length)).isEqualTo(expected != null);
                        assertThat(ht.contains(fb, 0, fb.length)).isEqualTo(expected != null);
                    }
                }
                assertThat(lp.size()).isEqualTo(model.size());
                assertThat(ht.size()).isEqualTo(model.size());
                assertThat(mixed.size()).isEqualTo(model.size());
            }
            assertThat(lp.encoding()).isEqualTo("listpack");
            assertThat(ht.encoding()).isEqualTo("hashtable");
            TreeMap<String, String> want = new TreeMap<>(model);
            assertThat(contents(lp)).isEqualTo(want);
            assertThat(contents(ht)).isEqualTo(want);
            assertThat(contents(mixed)).isEqualTo(want);
            assertThat(digest(ht)).isEqualTo(digest(lp));
            assertThat(digest(mixed)).isEqualTo(digest(lp));
            assertThat(digest(lp.copy())).isEqualTo(digest(lp));
            assertThat(digest(ht.copy())).isEqualTo(digest(ht));
        }
    }

    private static String randomString(Random r, int distinct) {
        int n = r.nextInt(distinct);
        return switch (n % 4) {
            case 0 -> Integer.toString(n);
            case 1 -> "f" + n;
            case 2 -> "long-field-name-" + "x".repeat(n % 50) + n;
            default -> "\u0000b\u00ff" + n;
        };
    }
}
