package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property test: the same random operations on a listpack-encoded and a skiplist-encoded sorted
 * set give the same answers; plus Redis's conversion points.
 */
class ZSetValueTest {
    private static final long BIG = Long.MAX_VALUE;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Everything a visitor saw, as "member=score" strings. */
    private static final class Collect implements ScoredMembers.Visitor {
        final List<String> items = new ArrayList<>();

        @Override
        public void visit(byte[] buf, int off, int len, double score) {
            items.add(new String(buf, off, len, StandardCharsets.ISO_8859_1) + "=" + score);
        }
    }

    private static List<String> all(ZSetValue z) {
        Collect c = new Collect();
        if (z.size() > 0) {
            z.visitRanks(0, z.size() - 1, false, c);
        }
        return c.items;
    }

    private static String digest(ZSetValue z) {
        ValueDigest d = new ValueDigest();
        z.digest(d);
        return d.hex();
    }

    private static final double[] SCORES = {0, 1, -1, 2.5, 0.1, 100, -3.75, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, 1e300, 7};

    @Test
    void listpackAndSkiplistAgree() {
        for (long seed = 1; seed <= 5; seed++) {
            Random r = new Random(seed);
            ZSetValue lp = ZSetValue.create(1, 1, BIG, BIG);
            ZSetValue sl = ZSetValue.create(1, 1, 0, 0);
            assertThat(lp.encoding()).isEqualTo("listpack");
            assertThat(sl.encoding()).isEqualTo("skiplist");
            for (int op = 0; op < 4000; op++) {
                String m = "m" + r.nextInt(60);
                byte[] mb = b(m);
                double s = r.nextInt(3) == 0 ? SCORES[r.nextInt(SCORES.length)] : r.nextInt(20) / 4.0;
                switch (r.nextInt(12)) {
                    case 0, 1, 2, 3 -> {
                        int flags = r.nextInt(4) == 0 ? new int[] {ZSetValue.NX, ZSetValue.XX, ZSetValue.GT,
                            ZSetValue.LT, ZSetValue.XX | ZSetValue.GT}[r.nextInt(5)] : 0;
                        assertThat(lp.add(mb, 0, mb.length, s, flags, BIG, BIG))
                                .isEqualTo(sl.add(mb, 0, mb.length, s, flags, 0, 0));
                    }
                    case 4 -> assertThat(lp.remove(mb, 0, mb.length)).isEqualTo(sl.remove(mb, 0, mb.length));
                    case 5 -> {
                        boolean rev = r.nextBoolean();
                        assertThat(lp.rank(mb, 0, mb.length, rev)).isEqualTo(sl.rank(mb, 0, mb.length, rev));
                        double a = lp.scoreOf(mb, 0, mb.length);
                        double c = sl.scoreOf(mb, 0, mb.length);
                        assertThat(Double.isNaN(a) ? "absent" : Double.toString(a))
                                .isEqualTo(Double.isNaN(c) ? "absent" : Double.toString(c));
                    }
                    case 6 -> {
                        ZRange.Score range = new ZRange.Score(r.nextInt(25) / 4.0 - 1, r.nextBoolean(),
                                r.nextInt(25) / 4.0, r.nextBoolean());
                        if (r.nextInt(5) == 0) {
                            range.min = Double.NEGATIVE_INFINITY;
                        }
                        assertThat(lp.countScore(range)).isEqualTo(sl.countScore(range));
                        boolean rev = r.nextBoolean();
                        long offset = r.nextInt(4) - (r.nextInt(8) == 0 ? 1 : 0);
                        long limit = r.nextInt(6) - 1;
                        Collect x = new Collect();
                        Collect y = new Collect();
                        long nx = lp.visitScore(range, rev, offset, limit, x);
                        long ny = sl.visitScore(range, rev, offset, limit, y);
                        assertThat(nx).isEqualTo(ny).isEqualTo(lp.countScoreWindow(range, offset, limit));
                        assertThat(x.items).isEqualTo(y.items);
                    }
                    case 7 -> {
                        int n = lp.size();
                        if (n > 0) {
                            long from = r.nextInt(n);
                            long to = from + r.nextInt((int) (n - from));
                            boolean rev = r.nextBoolean();
                            Collect x = new Collect();
                            Collect y = new Collect();
                            lp.visitRanks(from, to, rev, x);
                            sl.visitRanks(from, to, rev, y);
                            assertThat(x.items).isEqualTo(y.items);
                        }
                    }
                    case 8 -> {
                        if (lp.size() > 0) {
                            boolean max = r.nextBoolean();
                            Collect x = new Collect();
                            Collect y = new Collect();
                            lp.pop(max, x);
                            sl.pop(max, y);
                            assertThat(x.items).isEqualTo(y.items);
                        }
                    }
                    case 9 -> {
                        ZRange.Score range = new ZRange.Score(r.nextInt(8) - 2, r.nextBoolean(), r.nextInt(8), r.nextBoolean());
                        if (r.nextInt(4) == 0) {
                            assertThat(lp.removeScore(range)).isEqualTo(sl.removeScore(range));
                        } else if (lp.size() > 0) {
                            long from = r.nextInt(lp.size());
                            long to = Math.min(lp.size() - 1, from + r.nextInt(3));
                            assertThat(lp.removeRanks(from, to)).isEqualTo(sl.removeRanks(from, to));
                        }
                    }
                    case 10 -> {
                        Collect x = new Collect();
                        Collect y = new Collect();
                        lp.forEachScored(x);
                        sl.forEachScored(y);
                        assertThat(x.items).isEqualTo(y.items);
                    }
                    default -> {
                        ZSetValue cl = (ZSetValue) lp.copy();
                        ZSetValue cs = (ZSetValue) sl.copy();
                        assertThat(cl.encoding()).isEqualTo("listpack");
                        assertThat(cs.encoding()).isEqualTo("skiplist");
                        assertThat(all(cl)).isEqualTo(all(lp));
                        assertThat(all(cs)).isEqualTo(all(sl));
                        cs.check();
                    }
                }
                assertThat(lp.size()).isEqualTo(sl.size());
                if (op % 200 == 0) {
                    lp.check();
                    sl.check();
                    assertThat(all(lp)).isEqualTo(all(sl));
                    assertThat(digest(lp)).isEqualTo(digest(sl));
                }
            }
        }
    }

    @Test
    void lexRangesAgreeOnEqualScores() {
        Random r = new Random(3);
        ZSetValue lp = ZSetValue.create(1, 1, BIG, BIG);
        ZSetValue sl = ZSetValue.create(1, 1, 0, 0);
        String[] words = new String[120];
        for (int i = 0; i < words.length; i++) {
            words[i] = Integer.toString(r.nextInt(100_000), 36);
            byte[] w = b(words[i]);
            lp.add(w, 0, w.length, 0, 0, BIG, BIG);
            sl.add(w, 0, w.length, 0, 0, 0, 0);
        }
        for (int i = 0; i < 2000; i++) {
            ZRange.Lex range = new ZRange.Lex();
            byte[] lo = b(words[r.nextInt(words.length)].substring(0, 1 + r.nextInt(2)));
            byte[] hi = b(words[r.nextInt(words.length)]);
            int kmin = r.nextInt(8) == 0 ? ZRange.Lex.NEG_INFINITY : r.nextInt(12) == 0 ? ZRange.Lex.POS_INFINITY : ZRange.Lex.VALUE;
            int kmax = r.nextInt(8) == 0 ? ZRange.Lex.POS_INFINITY : r.nextInt(12) == 0 ? ZRange.Lex.NEG_INFINITY : ZRange.Lex.VALUE;
            range.setMin(kmin, lo, 0, lo.length, kmin != ZRange.Lex.VALUE || r.nextBoolean());
            range.setMax(kmax, hi, 0, hi.length, kmax != ZRange.Lex.VALUE || r.nextBoolean());
            assertThat(lp.countLex(range)).isEqualTo(sl.countLex(range));
            boolean rev = r.nextBoolean();
            long offset = r.nextInt(3);
            long limit = r.nextInt(5) - 1;
            Collect x = new Collect();
            Collect y = new Collect();
            assertThat(lp.visitLex(range, rev, offset, limit, x)).isEqualTo(sl.visitLex(range, rev, offset, limit, y));
            assertThat(x.items).isEqualTo(y.items);
            if (i % 100 == 0) {
                ZSetValue a = (ZSetValue) lp.copy();
                ZSetValue c = (ZSetValue) sl.copy();
                assertThat(a.removeLex(range)).isEqualTo(c.removeLex(range));
                assertThat(all(a)).isEqualTo(all(c));
            }
        }
    }

    @Test
    void convertsWhereRedisConverts() {
        ZSetValue z = ZSetValue.create(1, 1, 16, 10);
        for (int i = 0; i < 16; i++) {
            byte[] m = b("m" + i);
            z.add(m, 0, m.length, i, 0, 16, 10);
        }
        assertThat(z.encoding()).isEqualTo("listpack");
        byte[] m = b("m99");
        // XX on a missing member adds nothing, so no conversion either.
        assertThat(z.add(m, 0, m.length, 1, ZSetValue.XX, 16, 10)).isEqualTo(ZSetValue.NOP);
        assertThat(z.encoding()).isEqualTo("listpack");
        z.add(m, 0, m.length, 1, 0, 16, 10);
        assertThat(z.encoding()).isEqualTo("skiplist");
        z.check();
        assertThat(z.size()).isEqualTo(17);

        ZSetValue v = ZSetValue.create(1, 1, 16, 10);
        byte[] longMember = b("x".repeat(11));
        v.add(longMember, 0, longMember.length, 1, 0, 16, 10);
        assertThat(v.encoding()).isEqualTo("skiplist");
        // Creation hints: more elements announced than the limit.
        assertThat(ZSetValue.create(17, 1, 16, 10).encoding()).isEqualTo("skiplist");
        assertThat(ZSetValue.create(16, 11, 16, 10).encoding()).isEqualTo("skiplist");
        ZSetValue w = ZSetValue.create(1, 1, 16, 10);
        w.maybeConvert(17, 16);
        assertThat(w.encoding()).isEqualTo("skiplist");
        // Never back by itself, only through convertToListpackIfNeeded (set-operation results).
        z.removeRanks(0, 10);
        assertThat(z.encoding()).isEqualTo("skiplist");
        long[] lens = z.memberLengths();
        z.convertToListpackIfNeeded(lens[0], lens[1], 16, 10);
        assertThat(z.encoding()).isEqualTo("listpack");
        z.check();
    }

    @Test
    void negativeZeroIsZeroInAListpackOnly() {
        ZSetValue lp = ZSetValue.create(1, 1, BIG, BIG);
        ZSetValue sl = ZSetValue.create(1, 1, 0, 0);
        byte[] m = b("m");
        lp.add(m, 0, 1, -0.0, 0, BIG, BIG);
        sl.add(m, 0, 1, -0.0, 0, 0, 0);
        assertThat(Double.doubleToRawLongBits(lp.scoreOf(m, 0, 1))).isEqualTo(0L);
        assertThat(Double.doubleToRawLongBits(sl.scoreOf(m, 0, 1))).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void accumulatorBuildsAnOrderedSet() {
        ZSetValue acc = ZSetValue.createSkiplist();
        Random r = new Random(5);
        for (int i = 0; i < 1000; i++) {
            byte[] m = b("k" + r.nextInt(300));
            byte[] e = acc.accumulatorFind(m, 0, m.length);
            if (e == null) {
                acc.accumulatorAdd(m, 0, m.length, r.nextInt(50));
            } else {
                ZSetValue.accumulate(e, ZSetValue.accumulatedScore(e) + 1);
            }
        }
        acc.finishAccumulation();
        acc.check();
        assertThat(acc.size()).isEqualTo(acc.accumulatorSize());
    }

    @Test
    void memoryPerMemberStaysWellBelowRedis() {
        // Redis 7.0 needs about 126 bytes per member for this data (used_memory of a
        // 1M-member set, member:NNNNNNNNN with integer scores); the estimate of our layout
        // (packed entry, table slot, tree leaf share) must stay clearly below.
        int n = 200_000;
        ZSetValue z = ZSetValue.create(n, 16, 128, 64);
        for (int i = 0; i < n; i++) {
            byte[] m = b(String.format("member:%09d", i));
            z.add(m, 0, m.length, (i * 7919L) % n, 0, 128, 64);
        }
        assertThat(z.memoryEstimate() / (double) n).isLessThan(90);
    }
}
