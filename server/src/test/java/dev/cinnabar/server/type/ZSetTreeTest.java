package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.ds.Entries;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The order-statistic B+ tree against a sorted-set model, with its invariants checked throughout. */
class ZSetTreeTest {
    record Key(double score, String member) {}

    private static final Comparator<Key> ORDER = (a, b) -> {
        if (a.score < b.score) {
            return -1;
        }
        if (a.score > b.score) {
            return 1;
        }
        return Arrays.compareUnsigned(bytes(a.member), bytes(b.member));
    };

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] entry(String m) {
        byte[] b = bytes(m);
        return Entries.newString(b, 0, b.length, new byte[8], 0, 8, Entries.ENC_RAW, -1, 0);
    }

    private static String member(byte[] e) {
        return new String(e, Entries.keyOffset(e), Entries.keyLength(e), StandardCharsets.ISO_8859_1);
    }

    private static List<Key> walk(ZSetTree t) {
        List<Key> out = new ArrayList<>();
        ZSetTree.Cursor c = new ZSetTree.Cursor();
        t.seek(0, c);
        while (c.valid()) {
            out.add(new Key(c.score(), member(c.entry())));
            c.next();
        }
        return out;
    }

    @Test
    void randomInsertsAndDeletesKeepOrderRanksAndInvariants() {
        for (long seed = 1; seed <= 6; seed++) {
            Random r = new Random(seed);
            ZSetTree t = new ZSetTree();
            TreeSet<Key> model = new TreeSet<>(ORDER);
            java.util.HashMap<String, Key> byMember = new java.util.HashMap<>();
            int universe = seed % 2 == 0 ? 300 : 5000;
            for (int op = 0; op < 30_000; op++) {
                String m = "m" + r.nextInt(universe);
                double s = r.nextInt(4) == 0 ? r.nextInt(5) : r.nextGaussian() * 100;
                Key existing = byMember.get(m);
                if (r.nextInt(3) == 0 || existing != null && r.nextBoolean()) {
                    if (existing != null) {
                        byte[] mb = bytes(m);
                        assertThat(t.delete(existing.score, mb, 0, mb.length)).isNotNull();
                        model.remove(existing);
                        byMember.remove(m);
                    }
                } else if (existing == null) {
                    t.insert(s, entry(m));
                    Key k = new Key(s, m);
                    model.add(k);
                    byMember.put(m, k);
                }
                if (op % 997 == 0) {
                    t.check();
                    assertThat(walk(t)).containsExactlyElementsOf(model);
                }
            }
            t.check();
            assertThat(t.size()).isEqualTo(model.size());
            List<Key> sorted = new ArrayList<>(model);
            for (int i = 0; i < sorted.size(); i += 7) {
                Key k = sorted.get(i);
                byte[] mb = bytes(k.member);
                assertThat(t.rank(k.score, mb, 0, mb.length)).isEqualTo(i);
                ZSetTree.Cursor c = new ZSetTree.Cursor();
                t.seek(i, c);
                assertThat(member(c.entry())).isEqualTo(k.member);
            }
            // Score counting: elements below a threshold.
            for (int i = 0; i < 50; i++) {
                double x = r.nextGaussian() * 100;
                long lt = sorted.stream().filter(k -> k.score < x).count();
                long le = sorted.stream().filter(k -> k.score <= x).count();
                assertThat(t.countBelow(ZSetTree.SCORE_LT, x, 0, null, 0, 0)).isEqualTo(lt);
                assertThat(t.countBelow(ZSetTree.SCORE_LE, x, 0, null, 0, 0)).isEqualTo(le);
            }
            // Drain by rank from both ends and the middle.
            while (t.size() > 0) {
                int at = r.nextInt(3) == 0 ? 0 : r.nextInt(3) == 0 ? t.size() - 1 : r.nextInt(t.size());
                Key expected = sorted.remove(at);
                assertThat(member(t.deleteAt(at))).isEqualTo(expected.member);
                if (t.size() % 500 == 0) {
                    t.check();
                }
            }
            t.check();
        }
    }

    @Test
    void sequentialLoadsFillLeaves() {
        ZSetTree asc = new ZSetTree();
        ZSetTree desc = new ZSetTree();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            asc.insert(i, entry("a"));
            desc.insert(-i, entry("a"));
        }
        asc.check();
        desc.check();
        // Appends and prepends leave full leaves behind: about LEAF_MAX elements per leaf.
        long leafBytes = 32 + (16 + 8L * ZSetTree.LEAF_MAX) + (16 + 4L * ZSetTree.LEAF_MAX);
        long fullLeaves = (n + ZSetTree.LEAF_MAX - 1) / ZSetTree.LEAF_MAX;
        assertThat(asc.memoryEstimate()).isLessThan((long) (fullLeaves * leafBytes * 1.1));
        assertThat(desc.memoryEstimate()).isLessThan((long) (fullLeaves * leafBytes * 1.1));
    }

    @Test
    void lexCountsOnEqualScores() {
        ZSetTree t = new ZSetTree();
        String[] words = {"alpha", "bar", "cool", "down", "elephant", "foo", "great", "hill", "omega"};
        for (String w : words) {
            t.insert(0, entry(w));
        }
        byte[] c = bytes("cool");
        assertThat(t.countBelow(ZSetTree.LEX_LT, 0, ZSetTree.LEX_VALUE, c, 0, c.length)).isEqualTo(2);
        assertThat(t.countBelow(ZSetTree.LEX_LE, 0, ZSetTree.LEX_VALUE, c, 0, c.length)).isEqualTo(3);
        assertThat(t.countBelow(ZSetTree.LEX_LE, 0, ZSetTree.LEX_MIN, null, 0, 0)).isZero();
        assertThat(t.countBelow(ZSetTree.LEX_LT, 0, ZSetTree.LEX_MAX, null, 0, 0)).isEqualTo(9);
    }

    @Test
    void bulkBuildMatchesInserts() {
        for (int n : new int[] {0, 1, 63, 64, 65, 129, 4096, 4097, 70_000}) {
            double[] scores = new double[n];
            byte[][] entries = new byte[n][];
            for (int i = 0; i < n; i++) {
                scores[i] = i / 3;
                entries[i] = entry(String.format("%08d", i));
            }
            ZSetTree t = ZSetTree.build(scores, entries, n);
            t.check();
            assertThat(t.size()).isEqualTo(n);
            if (n > 0) {
                byte[] mid = entries[n / 2];
                assertThat(t.rank(scores[n / 2], mid, Entries.keyOffset(mid), Entries.keyLength(mid))).isEqualTo(n / 2);
                // And it keeps working under changes.
                for (int i = 0; i < n; i += 2) {
                    byte[] e = entries[i];
                    t.delete(scores[i], e, Entries.keyOffset(e), Entries.keyLength(e));
                }
                t.check();
                assertThat(t.size()).isEqualTo(n / 2);
            }
        }
    }
}
