package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.persistence.rdb.RedisListpack;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Stream nodes must be Redis listpacks byte for byte (node sizes decide node splits): built here
 * element by element, they are compared with the independent RDB listpack writer, and read back.
 */
class StreamLpTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Appends elements with StreamLp's writer, as the stream code does. */
    private static byte[] build(List<Object> elements) {
        byte[] lp = StreamLp.create(8);
        for (Object o : elements) {
            int size;
            if (o instanceof Long v) {
                size = StreamLp.intElementSize(v);
            } else {
                byte[] s = (byte[]) o;
                size = StreamLp.stringElementSize(s, 0, s.length);
            }
            lp = StreamLp.ensure(lp, size);
            int at = StreamLp.bytes(lp) - 1;
            int n = o instanceof Long v ? StreamLp.writeInt(lp, at, v) : StreamLp.writeString(lp, at, (byte[]) o, 0, ((byte[]) o).length);
            assertThat(n).isEqualTo(size);
            lp[at + n] = (byte) StreamLp.EOF;
            StreamLp.setBytes(lp, at + n + 1);
            StreamLp.addCount(lp, 1);
        }
        return StreamLp.shrink(lp);
    }

    private static byte[] reference(List<Object> elements) {
        RedisListpack r = new RedisListpack();
        for (Object o : elements) {
            if (o instanceof Long v) {
                r.addInteger(v);
            } else {
                byte[] s = (byte[]) o;
                r.add(s, 0, s.length);
            }
        }
        return r.toByteArray();
    }

    @Test
    void matchesRedisLayoutForEveryEncoding() {
        List<Object> els = new ArrayList<>();
        for (long v : new long[] {0, 1, 127, 128, -1, 4095, -4096, 4096, 32767, -32768, 32768, 8388607, -8388608,
                8388608, Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE}) {
            els.add(v);
        }
        els.add(b(""));
        els.add(b("hello"));
        els.add(b("12345")); // canonical integer text: stored as an integer
        els.add(b("012")); // not canonical: a string
        els.add(b("-0"));
        els.add(b("x".repeat(63)));
        els.add(b("x".repeat(64)));
        els.add(b("y".repeat(4095)));
        els.add(b("y".repeat(4096)));
        els.add(b("z".repeat(20000)));
        byte[] mine = build(els);
        assertThat(mine).isEqualTo(reference(els));

        // Walk forwards and backwards, reading each element back.
        int p = StreamLp.first(mine);
        List<Integer> positions = new ArrayList<>();
        for (Object o : els) {
            positions.add(p);
            if (o instanceof Long v) {
                assertThat(StreamLp.isInt(mine, p)).isTrue();
                assertThat(StreamLp.intValue(mine, p)).isEqualTo(v);
            } else {
                byte[] s = (byte[]) o;
                assertThat(StreamLp.matches(mine, p, s, 0, s.length)).isTrue();
            }
            p = StreamLp.next(mine, p);
        }
        assertThat(p).isEqualTo(-1);
        int q = StreamLp.last(mine);
        for (int i = positions.size() - 1; i >= 0; i--) {
            assertThat(q).isEqualTo(positions.get(i));
            q = StreamLp.prev(mine, q);
        }
        assertThat(q).isEqualTo(-1);
    }

    @Test
    void replaceIntegerMovesTheTailWhenItsSizeChanges() {
        Random rnd = new Random(7);
        for (int round = 0; round < 200; round++) {
            List<Object> els = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                els.add(rnd.nextBoolean() ? (Object) (long) (rnd.nextInt(100000) - 50000) : b("s" + rnd.nextInt(1000)));
            }
            byte[] lp = build(els);
            int idx = rnd.nextInt(els.size());
            long v = rnd.nextBoolean() ? rnd.nextLong() : rnd.nextInt(300);
            int p = StreamLp.first(lp);
            for (int i = 0; i < idx; i++) {
                p = StreamLp.next(lp, p);
            }
            if (!StreamLp.isInt(lp, p)) {
                continue;
            }
            lp = StreamLp.shrink(StreamLp.replaceInt(lp, p, v));
            els.set(idx, v);
            assertThat(lp).isEqualTo(reference(els));
        }
    }

    @Test
    void matchesComparesIntegersByTheirText() {
        byte[] lp = build(List.of(42L, b("abc")));
        int p = StreamLp.first(lp);
        assertThat(StreamLp.matches(lp, p, b("42"), 0, 2)).isTrue();
        assertThat(StreamLp.matches(lp, p, b("042"), 0, 3)).isFalse();
        assertThat(StreamLp.matches(lp, p, b("+42"), 0, 3)).isFalse();
        int q = StreamLp.next(lp, p);
        assertThat(StreamLp.matches(lp, q, b("abc"), 0, 3)).isTrue();
        assertThat(StreamLp.matches(lp, q, b("abd"), 0, 3)).isFalse();
    }

    @Test
    void streamNodesAreWholeRedisListpacks() {
        StreamValue s = new StreamValue();
        dev.cinnabar.resp.ArgList a = new dev.cinnabar.resp.ArgList();
        for (String x : new String[] {"temp", "21", "site", "lab", "other", "x".repeat(70), "n", "-5000"}) {
            a.add(b(x));
        }
        for (int i = 1; i <= 30; i++) {
            // Alternate the master's fields (SAMEFIELDS) and other fields.
            int first = i % 3 == 0 ? 4 : 0;
            s.add(a, first, 2, true, 1000L + i * 300, i, true, 0, 4096, 12);
        }
        s.delete(1000L + 300 * 5, 5);
        List<byte[]> nodes = new ArrayList<>();
        s.forEachNode((ms, seq, lp, bytes) -> nodes.add(java.util.Arrays.copyOf(lp, bytes)));
        assertThat(nodes).hasSize(3);
        for (byte[] lp : nodes) {
            RedisListpack ref = new RedisListpack();
            for (int p = StreamLp.first(lp); p != -1; p = StreamLp.next(lp, p)) {
                if (StreamLp.isInt(lp, p)) {
                    ref.addInteger(StreamLp.intValue(lp, p));
                } else {
                    ref.addString(lp, StreamLp.strOffset(lp, p), StreamLp.strLength(lp, p));
                }
            }
            assertThat(lp).isEqualTo(ref.toByteArray());
            assertThat(StreamLp.validStreamNode(lp)).isTrue();
        }
    }
}
