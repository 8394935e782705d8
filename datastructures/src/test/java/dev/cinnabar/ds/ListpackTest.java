package dev.cinnabar.ds;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ListpackTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static List<String> forward(Listpack lp) {
        List<String> out = new ArrayList<>();
        for (int p = lp.first(); p >= 0; p = lp.next(p)) {
            out.add(new String(lp.get(p), StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    static List<String> backward(Listpack lp) {
        List<String> out = new ArrayList<>();
        for (int p = lp.last(); p >= 0; p = lp.prev(p)) {
            out.add(0, new String(lp.get(p), StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    @Test
    void basicOperations() {
        Listpack lp = new Listpack();
        lp.append(b("b"), 0, 1);
        lp.prepend(b("a"), 0, 1);
        lp.append(b("c"), 0, 1);
        assertThat(forward(lp)).containsExactly("a", "b", "c");
        assertThat(backward(lp)).containsExactly("a", "b", "c");
        int p = lp.find(0, b("b"), 0, 1, 0);
        lp.replace(p, b("bbbb"), 0, 4);
        assertThat(forward(lp)).containsExactly("a", "bbbb", "c");
        lp.delete(lp.seek(0));
        assertThat(forward(lp)).containsExactly("bbbb", "c");
        assertThat(lp.seek(-1)).isEqualTo(lp.last());
        assertThat(lp.seek(2)).isEqualTo(-1);
    }

    @Test
    void findWithSkipSeesOnlyKeysOfPairs() {
        Listpack lp = new Listpack();
        for (String s : new String[] {"f1", "x", "x", "v2"}) {
            lp.append(b(s));
        }
        assertThat(lp.find(0, b("x"), 0, 1, 1)).isEqualTo(lp.seek(2));
        assertThat(lp.find(0, b("v2"), 0, 2, 1)).isEqualTo(-1);
    }

    /** Random operations against a List model, with entries long enough to need multi-byte lengths. */
    @Test
    void randomOperationsMatchAListModel() {
        Random rnd = new Random(99);
        for (int round = 0; round < 200; round++) {
            Listpack lp = new Listpack(8);
            List<String> model = new ArrayList<>();
            for (int op = 0; op < 200; op++) {
                int kind = rnd.nextInt(5);
                String v = "x".repeat(rnd.nextInt(rnd.nextBoolean() ? 10 : 400)) + op;
                if (kind <= 1 || model.isEmpty()) {
                    int i = rnd.nextInt(model.size() + 1);
                    int pos = lp.seek(i);
                    lp.insertBefore(pos, b(v), 0, v.length());
                    model.add(i, v);
                } else if (kind == 2) {
                    int i = rnd.nextInt(model.size());
                    lp.delete(lp.seek(i));
                    model.remove(i);
                } else if (kind == 3) {
                    int i = rnd.nextInt(model.size());
                    lp.replace(lp.seek(i), b(v), 0, v.length());
                    model.set(i, v);
                } else {
                    int i = rnd.nextInt(model.size());
                    int n = 1 + rnd.nextInt(Math.min(3, model.size() - i));
                    lp.deleteRange(lp.seek(i), n);
                    for (int k = 0; k < n; k++) {
                        model.remove(i);
                    }
                }
                assertThat(lp.size()).isEqualTo(model.size());
            }
            assertThat(forward(lp)).isEqualTo(model);
            assertThat(backward(lp)).isEqualTo(model);
        }
    }

    /** Pushes and pops at both ends (lists' head nodes), against a model, with the image checks. */
    @Test
    void endOperationsMatchAModelAndTheImageRoundTrips() {
        Random rnd = new Random(7);
        for (int round = 0; round < 100; round++) {
            Listpack lp = new Listpack(8);
            java.util.ArrayDeque<String> model = new java.util.ArrayDeque<>();
            for (int op = 0; op < 500; op++) {
                String v = "v".repeat(rnd.nextInt(rnd.nextInt(10) == 0 ? 300 : 6)) + op;
                switch (rnd.nextInt(6)) {
                    case 0, 1 -> {
                        lp.prepend(b(v), 0, v.length());
                        model.addFirst(v);
                    }
                    case 2 -> {
                        lp.append(b(v), 0, v.length());
                        model.addLast(v);
                    }
                    case 3 -> {
                        if (!model.isEmpty()) {
                            int next = lp.delete(lp.first());
                            model.removeFirst();
                            assertThat(next).isEqualTo(lp.first());
                        }
                    }
                    case 4 -> {
                        if (!model.isEmpty()) {
                            lp.delete(lp.last());
                            model.removeLast();
                        }
                    }
                    default -> {
                        int n = Math.min(model.size(), 1 + rnd.nextInt(3));
                        if (n > 0) {
                            lp.deleteRange(lp.first(), n);
                            for (int k = 0; k < n; k++) {
                                model.removeFirst();
                            }
                        }
                    }
                }
                assertThat(lp.size()).isEqualTo(model.size());
            }
            List<String> expected = new ArrayList<>(model);
            assertThat(forward(lp)).isEqualTo(expected);
            assertThat(backward(lp)).isEqualTo(expected);
            if (!expected.isEmpty()) {
                String x = expected.get(expected.size() / 2);
                assertThat(lp.find(0, b(x), 0, x.length(), 0)).isGreaterThanOrEqualTo(lp.first());
            }
            byte[] image = java.util.Arrays.copyOfRange(lp.array(), lp.imageOffset(), lp.imageOffset() + lp.bytes());
            assertThat(forward(Listpack.wrap(image, image.length, lp.size()))).isEqualTo(expected);
            assertThat(forward(lp.copy())).isEqualTo(expected);
            lp.trim();
            assertThat(forward(lp)).isEqualTo(expected);
            assertThat(lp.imageOffset()).isZero();
        }
    }

    /** A queue (push at the back, pop in front) keeps an array about the size of its contents. */
    @Test
    void aQueueDoesNotDragItsPoppedRoomAlong() {
        Listpack lp = new Listpack();
        for (int i = 0; i < 100; i++) {
            lp.append(b("item" + i), 0, 5);
        }
        for (int i = 0; i < 100_000; i++) {
            lp.append(b("itemX"), 0, 5);
            lp.delete(lp.first());
        }
        assertThat(lp.size()).isEqualTo(100);
        assertThat(lp.footprint()).isLessThan(4L * lp.bytes() + 256);
    }
}
