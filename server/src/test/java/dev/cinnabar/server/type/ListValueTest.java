package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ListValueTest {
    static final long NO_PLAIN = 1L << 30;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static List<String> contents(ListValue l) {
        List<String> out = new ArrayList<>();
        ListValue.Cursor c = l.cursor(0, true);
        if (c != null) {
            do {
                out.add(new String(c.array(), c.offset(), c.length(), StandardCharsets.ISO_8859_1));
            } while (c.next());
        }
        return out;
    }

    static List<String> reversed(ListValue l) {
        List<String> out = new ArrayList<>();
        ListValue.Cursor c = l.cursor(-1, false);
        if (c != null) {
            do {
                out.add(new String(c.array(), c.offset(), c.length(), StandardCharsets.ISO_8859_1));
            } while (c.next());
        }
        Collections.reverse(out);
        return out;
    }

    static void rpush(ListValue l, String v, int fill, long threshold) {
        byte[] x = b(v);
        l.growing(x.length, 1, fill, 0);
        l.push(false, x, 0, x.length, threshold);
    }

    @Test
    void redisListpackSizes() {
        assertThat(ListpackSizes.entrySize(b("127"), 0, 3)).isEqualTo(2);
        assertThat(ListpackSizes.entrySize(b("128"), 0, 3)).isEqualTo(3);
        assertThat(ListpackSizes.entrySize(b("-4096"), 0, 5)).isEqualTo(3);
        assertThat(ListpackSizes.entrySize(b("32767"), 0, 5)).isEqualTo(4);
        assertThat(ListpackSizes.entrySize(b("2147483647"), 0, 10)).isEqualTo(6);
        assertThat(ListpackSizes.entrySize(b("9223372036854775807"), 0, 19)).isEqualTo(10);
        assertThat(ListpackSizes.entrySize(b("-9223372036854775808"), 0, 20)).isEqualTo(10);
        // Not canonical or out of range: strings.
        assertThat(ListpackSizes.entrySize(b("9223372036854775808"), 0, 19)).isEqualTo(21);
        assertThat(ListpackSizes.entrySize(b("007"), 0, 3)).isEqualTo(5);
        assertThat(ListpackSizes.entrySize(b("-0"), 0, 2)).isEqualTo(4);
        assertThat(ListpackSizes.entrySize(b("+1"), 0, 2)).isEqualTo(4);
        assertThat(ListpackSizes.entrySize(new byte[0], 0, 0)).isEqualTo(2);
        byte[] x60000 = new byte[60000];
        // 5 byte header + payload, 3 byte back-length.
        assertThat(ListpackSizes.entrySize(x60000, 0, 60000)).isEqualTo(60008);
        assertThat(ListpackSizes.entrySize(new byte[63], 0, 63)).isEqualTo(65);
        assertThat(ListpackSizes.entrySize(new byte[64], 0, 64)).isEqualTo(67);
    }

    @Test
    void convertsToQuicklistAtTheSizeLimitAndBack() {
        ListValue l = new ListValue();
        rpush(l, "a", -1, NO_PLAIN);
        rpush(l, "b", -1, NO_PLAIN);
        rpush(l, "c", -1, NO_PLAIN);
        assertThat(l.encoding()).isEqualTo("listpack");
        rpush(l, "x".repeat(8192), -1, NO_PLAIN);
        assertThat(l.encoding()).isEqualTo("quicklist");
        assertThat(l.nodes()).isEqualTo(2);
        l.pop(false);
        l.shrinking(-1);
        assertThat(l.encoding()).isEqualTo("listpack");
        assertThat(contents(l)).containsExactly("a", "b", "c");
    }

    @Test
    void countLimitsAndHalfLimitOnShrink() {
        ListValue l = new ListValue();
        for (String s : List.of("a", "b", "c", "d")) {
            rpush(l, s, 3, NO_PLAIN);
        }
        assertThat(l.encoding()).isEqualTo("quicklist");
        assertThat(l.nodes()).isEqualTo(2);
        l.deleteRange(-3, 3);
        l.shrinking(3);
        assertThat(l.encoding()).isEqualTo("listpack");
        assertThat(contents(l)).containsExactly("a");
    }

    @Test
    void largeElementsGetPlainNodesAndSplitOnSet() {
        ListValue l = new ListValue();
        for (String s : List.of("aa", "bb", "cc", "dd", "ee")) {
            rpush(l, s, 4, 5);
        }
        assertThat(l.encoding()).isEqualTo("quicklist");
        assertThat(l.set(2, b("eeeeeeeeee"), 0, 10, 5)).isTrue();
        assertThat(contents(l)).containsExactly("aa", "bb", "eeeeeeeeee", "dd", "ee");
        assertThat(reversed(l)).containsExactly("aa", "bb", "eeeeeeeeee", "dd", "ee");
    }

    /** Random operations against a java.util.List model, over many fills and compress depths. */
    @Test
    void randomOperationsMatchAModel() {
        Random r = new Random(42);
        int[] fills = {-1, -2, -5, 1, 2, 4, 16, 128};
        for (int round = 0; round < 160; round++) {
            int fill = fills[round % fills.length];
            int compress = round % 3;
            long threshold = round % 5 == 0 ? 20 : NO_PLAIN;
            ListValue l = new ListValue();
            List<String> model = new ArrayList<>();
            for (int op = 0; op < 400; op++) {
                String v = switch (r.nextInt(4)) {
                    case 0 -> Integer.toString(r.nextInt(300) - 100);
                    case 1 -> "v" + r.nextInt(50);
                    case 2 -> "x".repeat(r.nextInt(120));
                    default -> "y".repeat(r.nextInt(3000)) + r.nextInt(10);
                };
                byte[] x = b(v);
                switch (r.nextInt(9)) {
                    case 0, 1 -> {
                        l.growing(x.length, 1, fill, compress);
                        l.push(true, x, 0, x.length, threshold);
                        model.add(0, v);
                    }
                    case 2, 3 -> {
                        l.growing(x.length, 1, fill, compress);
                        l.push(false, x, 0, x.length, threshold);
                        model.add(v);
                    }
                    case 4 -> {
                        if (!model.isEmpty()) {
                            boolean head = r.nextBoolean();
                            l.pop(head);
                            model.remove(head ? 0 : model.size() - 1);
                            l.shrinking(fill);
                        }
                    }
                    case 5 -> {
                        if (!model.isEmpty()) {
                            int idx = r.nextInt(model.size());
                            long index = r.nextBoolean() ? idx : idx - model.size();
                            l.growing(x.length, 1, fill, compress);
                            assertThat(l.set(index, x, 0, x.length, threshold)).isTrue();
                            model.set(idx, v);
                            l.shrinking(fill);
                        } else {
                            assertThat(l.set(0, x, 0, x.length, threshold)).isFalse();
                        }
                    }
                    case 6 -> {
                        if (!model.isEmpty()) {
                            String pivot = model.get(r.nextInt(model.size()));
                            boolean after = r.nextBoolean();
                            l.growing(x.length, 1, fill, compress);
                            byte[] p = b(pivot);
                            assertThat(l.insert(after, p, 0, p.length, x, 0, x.length, threshold)).isTrue();
                            int at = model.indexOf(pivot);
                            model.add(after ? at + 1 : at, v);
                        }
                    }
                    case 7 -> {
                        if (!model.isEmpty()) {
                            String victim = model.get(r.nextInt(model.size()));
                            int count = r.nextInt(5) - 2;
                            byte[] p = b(victim);
                            long removed = l.remove(count, p, 0, p.length);
                            long expected = removeFromModel(model, victim, count);
                            assertThat(removed).isEqualTo(expected);
                            l.shrinking(fill);
                        }
                    }
                    default -> {
                        if (!model.isEmpty() && r.nextInt(4) == 0) {
                            int n = model.size();
                            long start = r.nextInt(n);
                            long cnt = r.nextInt(n + 2);
                            l.deleteRange(start, cnt);
                            int s = (int) start;
                            int e = (int) Math.min(n, start + cnt);
                            model.subList(s, e).clear();
                            l.shrinking(fill);
                        }
                    }
                }
                assertThat(l.length()).isEqualTo(model.size());
                if (op % 25 == 0 || model.size() < 5) {
                    assertThat(contents(l)).isEqualTo(model);
                    assertThat(reversed(l)).isEqualTo(model);
                }
                if (model.isEmpty()) {
                    l = new ListValue();
                }
            }
            assertThat(contents(l)).isEqualTo(model);
            for (int k = 0; k < model.size(); k += 7) {
                ListValue.Cursor c = l.cursor(k, true);
                assertThat(new String(c.copy(), StandardCharsets.ISO_8859_1)).isEqualTo(model.get(k));
                ListValue.Cursor d = l.cursor(-k - 1, false);
                assertThat(new String(d.copy(), StandardCharsets.ISO_8859_1)).isEqualTo(model.get(model.size() - 1 - k));
            }
            assertThat(contents((ListValue) l.copy())).isEqualTo(model);
        }
    }

    private static long removeFromModel(List<String> model, String v, int count) {
        long removed = 0;
        if (count >= 0) {
            for (int i = 0; i < model.size();) {
                if (model.get(i).equals(v)) {
                    model.remove(i);
                    removed++;
                    if (count != 0 && removed == count) {
                        break;
                    }
                } else {
                    i++;
                }
            }
        } else {
            for (int i = model.size() - 1; i >= 0; i--) {
                if (model.get(i).equals(v)) {
                    model.remove(i);
                    removed++;
                    if (removed == -count) {
                        break;
                    }
                }
            }
        }
        return removed;
    }

    @Test
    void endReadsMatchCursorForBothEncodingsAndPlainNodes() {
        for (int fill : new int[] {-2, 4}) {
            ListValue l = new ListValue();
            for (int i = 0; i < 50; i++) {
                rpush(l, "e" + i, fill, 20); // "e10".."e49" stay packed; threshold 20 bytes
            }
            rpush(l, "x".repeat(30), fill, 20); // a plain node at the tail when a quicklist
            List<String> all = contents(l);
            assertThat(new String(l.endArray(true), l.endOffset(true), l.endLength(true), StandardCharsets.ISO_8859_1))
                    .isEqualTo(all.get(0));
            assertThat(new String(l.endArray(false), l.endOffset(false), l.endLength(false), StandardCharsets.ISO_8859_1))
                    .isEqualTo(all.get(all.size() - 1));
        }
    }

    @Test
    void accountedSizeFollowsChangesInsideAQuicklist() {
        ListValue l = new ListValue();
        for (int i = 0; i < 200; i++) {
            rpush(l, "item" + i, 8, NO_PLAIN); // 8 per node: 25 nodes
        }
        long before = l.accountedBytes();
        // An element in the 3rd node, neither the head nor the tail node, grows by 5000 bytes.
        byte[] big = b("y".repeat(5000));
        assertThat(l.set(20, big, 0, big.length, NO_PLAIN)).isTrue();
        assertThat(l.accountedBytes()).isGreaterThanOrEqualTo(before + 5000);
        // Pushes and pops at the ends are measured every time.
        long mid = l.accountedBytes();
        l.push(true, big, 0, big.length, NO_PLAIN);
        assertThat(l.accountedBytes()).isGreaterThanOrEqualTo(mid + 5000);
        l.pop(true);
        assertThat(l.accountedBytes()).isLessThan(mid + 5000);
    }
}
