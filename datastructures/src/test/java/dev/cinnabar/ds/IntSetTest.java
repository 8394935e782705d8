package dev.cinnabar.ds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class IntSetTest {
    static long[] contents(IntSet s) {
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i);
        }
        return out;
    }

    @Test
    void keepsElementsSortedAndUnique() {
        IntSet s = new IntSet();
        assertThat(s.isEmpty()).isTrue();
        assertThat(s.add(5)).isTrue();
        assertThat(s.add(1)).isTrue();
        assertThat(s.add(3)).isTrue();
        assertThat(s.add(3)).isFalse();
        assertThat(contents(s)).containsExactly(1, 3, 5);
        assertThat(s.contains(3)).isTrue();
        assertThat(s.contains(4)).isFalse();
        assertThat(s.min()).isEqualTo(1);
        assertThat(s.max()).isEqualTo(5);
        assertThat(s.indexOf(5)).isEqualTo(2);
        assertThat(s.indexOf(4)).isEqualTo(-3);
    }

    @Test
    void widthGrowsAsRedisIntsetDoes() {
        IntSet s = new IntSet();
        s.add(32767);
        s.add(-32768);
        assertThat(s.width()).isEqualTo(2);
        assertThat(s.blobLength()).isEqualTo(8 + 2 * 2);
        // Past 16 bits: every element is widened to 32 bits, the new value goes at the end.
        s.add(32768);
        assertThat(s.width()).isEqualTo(4);
        assertThat(contents(s)).containsExactly(-32768, 32767, 32768);
        // A negative value past 32 bits goes first.
        s.add(-2147483649L);
        assertThat(s.width()).isEqualTo(8);
        assertThat(contents(s)).containsExactly(-2147483649L, -32768, 32767, 32768);
        s.add(Long.MAX_VALUE);
        s.add(Long.MIN_VALUE);
        assertThat(contents(s)).containsExactly(Long.MIN_VALUE, -2147483649L, -32768, 32767, 32768, Long.MAX_VALUE);
        assertThat(s.blobLength()).isEqualTo(8 + 6 * 8);
    }

    @Test
    void widthNeverShrinks() {
        IntSet s = new IntSet();
        s.add(1);
        s.add(1L << 40);
        assertThat(s.remove(1L << 40)).isTrue();
        assertThat(s.width()).isEqualTo(8);
        assertThat(contents(s)).containsExactly(1);
    }

    @Test
    void valuesWiderThanTheEncodingAreNeverMembers() {
        IntSet s = new IntSet();
        s.add(7);
        assertThat(s.contains(1L << 40)).isFalse();
        assertThat(s.remove(1L << 40)).isFalse();
        assertThat(s.indexOf(1L << 40)).isEqualTo(-2);
        assertThat(s.indexOf(-(1L << 40))).isEqualTo(-1);
    }

    @Test
    void removeAtAndAppendLargest() {
        IntSet s = new IntSet();
        for (long v : new long[] {10, 20, 30}) {
            s.appendLargest(v);
        }
        s.appendLargest(1L << 33);
        assertThat(s.width()).isEqualTo(8);
        s.removeAt(1);
        assertThat(contents(s)).containsExactly(10, 30, 1L << 33);
        assertThatThrownBy(() -> s.appendLargest(5)).isInstanceOf(IllegalArgumentException.class);
        s.removeAt(0);
        s.removeAt(0);
        s.removeAt(0);
        assertThat(s.isEmpty()).isTrue();
    }

    @Test
    void memoryIsExactlyTheElements() {
        IntSet s = new IntSet();
        for (int i = 0; i < 100; i++) {
            s.add(i);
        }
        assertThat(s.blobLength()).isEqualTo(8 + 200);
        assertThat(s.footprint()).isLessThanOrEqualTo(16 + 12 + 200 + 8);
    }

    @Test
    void buildsFromUnsortedValues() {
        long[] v = {5, -1, 5, 70000, 3, -1};
        IntSet s = IntSet.of(v, v.length);
        assertThat(contents(s)).containsExactly(-1, 3, 5, 70000);
        assertThat(s.width()).isEqualTo(4);
        assertThat(IntSet.of(new long[0], 0).isEmpty()).isTrue();
        assertThat(IntSet.of(new long[] {1, 2}, 1).size()).isEqualTo(1);
    }

    @Test
    void copyIsIndependent() {
        IntSet s = new IntSet();
        s.add(1);
        IntSet c = s.copy();
        c.add(2);
        assertThat(contents(s)).containsExactly(1);
        assertThat(contents(c)).containsExactly(1, 2);
    }

    @Test
    void matchesASortedSetModel() {
        Seeds.check(50, rnd -> {
            IntSet s = new IntSet();
            TreeSet<Long> model = new TreeSet<>();
            int ops = rnd.nextInt(400);
            for (int i = 0; i < ops; i++) {
                long v = switch (rnd.nextInt(3)) {
                    case 0 -> rnd.nextInt(-100, 100);
                    case 1 -> rnd.nextLong(Integer.MIN_VALUE, Integer.MAX_VALUE + 1L);
                    default -> rnd.nextLong();
                };
                if (rnd.nextInt(3) == 0 && !model.isEmpty()) {
                    long victim = rnd.nextBoolean() ? v : model.first();
                    assertThat(s.remove(victim)).isEqualTo(model.remove(victim));
                } else {
                    assertThat(s.add(v)).isEqualTo(model.add(v));
                }
                assertThat(s.size()).isEqualTo(model.size());
            }
            assertThat(contents(s)).containsExactly(model.stream().mapToLong(Long::longValue).toArray());
            for (long v : model) {
                assertThat(s.contains(v)).isTrue();
            }
            int needed = model.stream().mapToInt(v -> IntSet.widthFor(v)).max().orElse(2);
            assertThat(s.width()).isGreaterThanOrEqualTo(needed);
        });
    }
}
