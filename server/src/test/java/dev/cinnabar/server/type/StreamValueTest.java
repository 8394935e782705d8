package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.resp.ArgList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The stream structure against a plain list model: appends with same and different field sets,
 * node splits by entries and bytes, ranges both ways, deletion, exact and approximate trimming,
 * edge IDs and the logical read counters.
 */
class StreamValueTest {

    record Entry(long ms, long seq, List<String> fv) {}

    private static ArgList args(String... fv) {
        ArgList a = new ArgList();
        for (String s : fv) {
            a.add(s.getBytes(StandardCharsets.ISO_8859_1));
        }
        return a;
    }

    private static int add(StreamValue s, long ms, long seq, long maxBytes, long maxEntries, String... fv) {
        return s.add(args(fv), 0, fv.length / 2, true, ms, seq, true, 0, maxBytes, maxEntries);
    }

    private static String text(byte[] lp, int p) {
        if (StreamLp.isInt(lp, p)) {
            return Long.toString(StreamLp.intValue(lp, p));
        }
        return new String(lp, StreamLp.strOffset(lp, p), StreamLp.strLength(lp, p), StandardCharsets.ISO_8859_1);
    }


    private static List<Entry> read(StreamValue s, long sMs, long sSeq, long eMs, long eSeq, boolean rev) {
        List<Entry> out = new ArrayList<>();
        StreamIterator it = s.iterator(sMs, sSeq, eMs, eSeq, rev);
        while (it.next()) {
            List<String> fv = new ArrayList<>();
            for (int i = 0; i < it.numFields; i++) {
                it.nextField();
                fv.add(text(it.node(), it.fieldPos()));
                fv.add(text(it.node(), it.valuePos()));
            }
            out.add(new Entry(it.ms, it.seq, fv));
        }
        return out;
    }

    @Test
    void appendsSplitNodesAtTheEntryLimitAndReadBothWays() {
        StreamValue s = new StreamValue();
        List<Entry> model = new ArrayList<>();
        for (int i = 1; i <= 250; i++) {
            String[] fv = i % 7 == 0 ? new String[] {"other", "x" + i, "n", Integer.toString(i)}
                    : new String[] {"item", Integer.toString(i)};
            assertThat(add(s, i, 0, 4096, 100, fv)).isEqualTo(StreamValue.ADD_OK);
            model.add(new Entry(i, 0, List.of(fv)));
        }
        assertThat(s.nodeCount()).isEqualTo(3);
        assertThat(s.length).isEqualTo(250);
        assertThat(read(s, 0, 0, -1, -1, false)).isEqualTo(model);
        List<Entry> rev = new ArrayList<>(model);
        java.util.Collections.reverse(rev);
        assertThat(read(s, 0, 0, -1, -1, true)).isEqualTo(rev);
        assertThat(read(s, 95, 0, 105, 0, false)).isEqualTo(model.subList(94, 105));
        assertThat(read(s, 95, 0, 105, 0, true)).isEqualTo(rev.subList(145, 156));
        // Out of range both ways.
        assertThat(read(s, 300, 0, 400, 0, false)).isEmpty();
        assertThat(read(s, 0, 0, 0, 5, true)).isEmpty();
    }

    @Test
    void nodeBytesLimitSplitsNodes() {
        StreamValue s = new StreamValue();
        String big = "v".repeat(300);
        for (int i = 1; i <= 20; i++) {
            add(s, i, 0, 1024, 0, "f", big);
        }
        // A node takes another entry while its bytes plus the new entry's lengths stay under the
        // limit: three 300-byte values per 1 KB node, 7 nodes (what redis-server reports).
        assertThat(s.nodeCount()).isEqualTo(7);
        assertThat(read(s, 0, 0, -1, -1, false)).hasSize(20);
    }

    @Test
    void rejectsIdsThatDoNotGrow() {
        StreamValue s = new StreamValue();
        assertThat(add(s, 5, 5, 4096, 100, "a", "1")).isEqualTo(StreamValue.ADD_OK);
        assertThat(add(s, 5, 5, 4096, 100, "a", "1")).isEqualTo(StreamValue.ADD_ID_TOO_SMALL);
        assertThat(add(s, 4, 9, 4096, 100, "a", "1")).isEqualTo(StreamValue.ADD_ID_TOO_SMALL);
        // ms-* continues the sequence of the same millisecond.
        assertThat(s.add(args("a", "1"), 0, 1, true, 5, 0, false, 0, 4096, 100)).isEqualTo(StreamValue.ADD_OK);
        assertThat(s.addedSeq).isEqualTo(6);
        // Automatic IDs never go back in time.
        assertThat(s.add(args("a", "1"), 0, 1, false, 0, 0, true, 3, 4096, 100)).isEqualTo(StreamValue.ADD_OK);
        assertThat(s.addedMs).isEqualTo(5);
        assertThat(s.addedSeq).isEqualTo(7);
        // Unsigned IDs: 2^64-1 is the largest.
        assertThat(add(s, -1L, -2L, 4096, 100, "a", "1")).isEqualTo(StreamValue.ADD_OK);
        assertThat(s.add(args("a", "1"), 0, 1, false, 0, 0, true, 10, 4096, 100)).isEqualTo(StreamValue.ADD_OK);
        assertThat(s.addedSeq).isEqualTo(-1L);
        assertThat(s.add(args("a", "1"), 0, 1, false, 0, 0, true, 10, 4096, 100))
                .isEqualTo(StreamValue.ADD_ID_TOO_SMALL);
    }

    @Test
    void deleteMarksEntriesAndDropsEmptiedNodes() {
        StreamValue s = new StreamValue();
        for (int i = 1; i <= 30; i++) {
            add(s, i, 0, 4096, 10, "f", Integer.toString(i));
        }
        assertThat(s.nodeCount()).isEqualTo(3);
        assertThat(s.delete(5, 0)).isTrue();
        assertThat(s.delete(5, 0)).isFalse();
        assertThat(s.delete(5, 1)).isFalse();
        assertThat(s.exists(5, 0)).isFalse();
        assertThat(s.exists(6, 0)).isTrue();
        for (int i = 11; i <= 20; i++) {
            assertThat(s.delete(i, 0)).isTrue();
        }
        assertThat(s.nodeCount()).isEqualTo(2);
        assertThat(s.length).isEqualTo(19);
        List<Entry> all = read(s, 0, 0, -1, -1, false);
        assertThat(all).extracting(Entry::ms).containsExactly(1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L, 10L, 21L, 22L, 23L,
                24L, 25L, 26L, 27L, 28L, 29L, 30L);
        s.edge(true, true);
        assertThat(s.edgeMs).isEqualTo(1);
        s.lastValid();
        assertThat(s.edgeMs).isEqualTo(30);
    }

    @Test
    void trimmingAgainstAModel() {
        Random rnd = new Random(42);
        for (int round = 0; round < 100; round++) {
            StreamValue s = new StreamValue();
            List<Long> model = new ArrayList<>();
            int n = 1 + rnd.nextInt(300);
            int perNode = 1 + rnd.nextInt(20);
            for (int i = 1; i <= n; i++) {
                add(s, i, 0, 4096, perNode, "f", "v");
                model.add((long) i);
            }
            for (int d = rnd.nextInt(n / 3 + 1); d > 0; d--) {
                long id = 1 + rnd.nextInt(n);
                if (s.delete(id, 0)) {
                    model.remove(id);
                }
            }
            boolean byLength = rnd.nextBoolean();
            boolean approx = rnd.nextBoolean();
            long maxLen = rnd.nextInt(n + 1);
            long minId = rnd.nextInt(n + 2);
            long removed = s.trim(byLength, maxLen, minId, 0, approx, 0);
            List<Long> after = read(s, 0, 0, -1, -1, false).stream().map(Entry::ms).toList();
            assertThat(after.size()).isEqualTo(model.size() - removed).isEqualTo(s.length);
            if (!approx) {
                List<Long> expected = byLength ? model.subList((int) Math.max(0, model.size() - maxLen), model.size())
                        : model.stream().filter(x -> x >= minId).toList();
                assertThat(after).isEqualTo(expected);
            } else {
                // Approximate trimming only drops a prefix, and never below the threshold.
                assertThat(model.subList(model.size() - after.size(), model.size())).isEqualTo(after);
                if (byLength) {
                    assertThat((long) after.size()).isGreaterThanOrEqualTo(Math.min(maxLen, model.size()));
                } else {
                    assertThat(model.stream().filter(x -> x >= minId).count()).isLessThanOrEqualTo(after.size());
                }
            }
            if (removed > 0 && !after.isEmpty()) {
                assertThat(s.firstMs).isEqualTo(after.get(0));
            }
        }
    }

    @Test
    void limitCapsApproximateTrimming() {
        StreamValue s = new StreamValue();
        for (int i = 1; i <= 100; i++) {
            add(s, i, 0, 4096, 10, "xitem", "v");
        }
        // Redis's "XADD with LIMIT consecutive calls": MAXLEN ~ 55 LIMIT 30 leaves 70 (3 nodes go).
        assertThat(s.trim(true, 55, 0, 0, true, 30)).isEqualTo(30);
        assertThat(s.length).isEqualTo(70);
    }

    @Test
    void readCountersFollowRedisRules() {
        StreamValue s = new StreamValue();
        StreamGroup g = new StreamGroup(0, 0, StreamGroup.ENTRIES_READ_INVALID);
        assertThat(s.lag(g)).isZero();
        for (int i = 1; i <= 5; i++) {
            add(s, i, 0, 4096, 100, "data", "x");
        }
        assertThat(s.lag(g)).isEqualTo(5);
        assertThat(s.estimateDistance(1, 0)).isEqualTo(1);
        assertThat(s.estimateDistance(5, 0)).isEqualTo(5);
        assertThat(s.estimateDistance(6, 0)).isEqualTo(StreamGroup.ENTRIES_READ_INVALID);
        s.delete(3, 0);
        s.maxDeletedMs = 3;
        assertThat(s.rangeHasTombstones(0, 0, true, 0, 0)).isTrue();
        assertThat(s.rangeHasTombstones(4, 0, true, 0, 0)).isFalse();
        assertThat(s.lag(g)).isEqualTo(StreamValue.LAG_UNKNOWN);
    }

    @Test
    void copyIsIndependent() {
        StreamValue s = new StreamValue();
        for (int i = 1; i <= 30; i++) {
            add(s, i, 0, 4096, 10, "f", "v" + i);
        }
        StreamValue c = (StreamValue) s.copy();
        s.delete(1, 0);
        add(s, 40, 0, 4096, 10, "f", "new");
        assertThat(read(c, 0, 0, -1, -1, false)).hasSize(30);
        assertThat(read(c, 0, 0, -1, -1, false).get(0).fv()).containsExactly("f", "v1");
        add(c, 31, 0, 4096, 10, "g", "w");
        assertThat(read(s, 0, 0, -1, -1, false)).hasSize(30);
    }

    @Test
    void loadedNodesAreValidatedAndNeverReadOutOfBounds() {
        StreamValue s = new StreamValue();
        for (int i = 1; i <= 40; i++) {
            add(s, i, i % 3, 4096, 9, i % 4 == 0 ? new String[] {"x", "v" + i, "y", "z".repeat(i * 3)}
                    : new String[] {"f", Integer.toString(i * 1000)});
        }
        s.delete(5, 2);
        s.trim(true, 35, 0, 0, false, 0);
        List<Object[]> nodes = new ArrayList<>();
        s.forEachNode((ms, seq, lp, bytes) -> nodes.add(new Object[] {ms, seq, java.util.Arrays.copyOf(lp, bytes)}));
        StreamValue loaded = new StreamValue();
        for (Object[] n : nodes) {
            assertThat(StreamLp.validStreamNode((byte[]) n[2])).isTrue();
            assertThat(loaded.appendLoadedNode((long) n[0], (long) n[1], (byte[]) n[2])).isTrue();
        }
        loaded.length = s.length;
        assertThat(read(loaded, 0, 0, -1, -1, false)).isEqualTo(read(s, 0, 0, -1, -1, false));
        // Out of order nodes are refused.
        Object[] first = nodes.get(0);
        assertThat(loaded.appendLoadedNode((long) first[0], (long) first[1], (byte[]) first[2])).isFalse();
        // Corrupted bytes: refused or accepted, never an exception.
        Random rnd = new Random(3);
        int refused = 0;
        for (int round = 0; round < 3000; round++) {
            byte[] lp = ((byte[]) nodes.get(rnd.nextInt(nodes.size()))[2]).clone();
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                lp[rnd.nextInt(lp.length)] = (byte) rnd.nextInt(256);
            }
            if (rnd.nextInt(10) == 0) {
                lp = java.util.Arrays.copyOf(lp, rnd.nextInt(lp.length + 1));
            }
            if (!StreamLp.validStreamNode(lp)) {
                refused++;
            }
        }
        assertThat(refused).isGreaterThan(1500);
    }
}
