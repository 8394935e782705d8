package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The HyperLogLog byte format and estimator. Expected bytes and counts were produced by a real
 * Redis (7.0.15) for the same inputs; the rest checks the encodings against each other and a
 * plain register array, and that corrupt values are reported rather than read out of bounds.
 */
class HyperLogLogTest {
    private static final long SPARSE_MAX = 3000;

    private static MutableString fresh() {
        byte[] b = HyperLogLog.newSparse();
        return new MutableString(b, 0, b.length, 0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void add(MutableString s, String e) {
        byte[] b = bytes(e);
        assertThat(HyperLogLog.add(s, b, 0, b.length, SPARSE_MAX)).isNotNegative();
    }

    private static byte[] value(MutableString s) {
        return java.util.Arrays.copyOf(s.array(), s.length());
    }

    private static long count(MutableString s) {
        return HyperLogLog.count(s.array(), 0, s.length(), HyperLogLog.terminator(s));
    }

    @Test
    void newValueIsAnEmptySparseHll() {
        byte[] b = HyperLogLog.newSparse();
        assertThat(new String(b, 0, 4, StandardCharsets.ISO_8859_1)).isEqualTo("HYLL");
        assertThat(b).hasSize(18);
        assertThat(HyperLogLog.looksValid(b, 0, b.length)).isTrue();
        assertThat(HyperLogLog.count(b, 0, b.length, 0)).isZero();
        assertThat(HyperLogLog.decodeSparse(b, 0, b.length, 0)).isEqualTo("Z:16384");
    }

    @Test
    void sparseBytesAreRedisBytes() {
        MutableString s = fresh();
        for (String e : new String[] {"a", "b", "c", "d", "e", "f", "g"}) {
            add(s, e);
        }
        HyperLogLog.invalidateCache(s.array(), 0);
        // GET of the same PFADD on Redis 7.0.15.
        String redis = "HYLL\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0080"
                + "Fm\u0080V\u000c\u0080D<\u00848\u0080P\u00b1\u0084I\u008c\u0080Bm\u0080BZ";
        assertThat(value(s)).isEqualTo(bytes(redis));
        assertThat(HyperLogLog.decodeSparse(s.array(), 0, s.length(), 0)).isEqualTo(
                "Z:1646 v:1,1 Z:5645 v:1,1 Z:1085 v:2,1 z:57 v:1,1 Z:4274 v:2,1 Z:2445 v:1,1 Z:622 v:1,1 Z:603");
        assertThat(count(s)).isEqualTo(7);
    }

    @Test
    void countsAreRedisCounts() {
        // PFADD of "e0".."e<n-1>" then PFCOUNT, PFDEBUG ENCODING and STRLEN on Redis 7.0.15.
        long[][] want = {{1, 1, 21}, {10, 10, 48}, {100, 100, 285}, {1000, 1008, 1906}, {5000, 4968, 12304},
            {20000, 19901, 12304}, {100000, 100853, 12304}};
        for (long[] w : want) {
            MutableString s = fresh();
            for (int i = 0; i < w[0]; i++) {
                add(s, "e" + i);
            }
            assertThat(count(s)).as("n=%d", w[0]).isEqualTo(w[1]);
            assertThat(s.length()).as("length at n=%d", w[0]).isEqualTo((int) w[2]);
            assertThat(HyperLogLog.encoding(s.array(), 0))
                    .isEqualTo(w[2] == HyperLogLog.DENSE_SIZE ? HyperLogLog.DENSE : HyperLogLog.SPARSE);
        }
    }

    @Test
    void sparseAndDenseAgreeAndMatchAPlainRegisterArray() {
        Random r = new Random(7);
        for (int round = 0; round < 80; round++) {
            MutableString sparse = fresh();
            MutableString dense = fresh();
            assertThat(HyperLogLog.toDense(dense)).isTrue();
            byte[] plain = new byte[HyperLogLog.REGISTERS];
            int n = r.nextInt(round < 60 ? 300 : 3000);
            for (int i = 0; i < n; i++) {
                String e = Long.toString(r.nextLong());
                add(sparse, e);
                add(dense, e);
                byte[] b = bytes(e);
                int pl = HyperLogLog.patLen(b, 0, b.length);
                int idx = pl >>> 8;
                plain[idx] = (byte) Math.max(plain[idx], pl & 0xFF);
            }
            assertThat(count(sparse)).isEqualTo(count(dense)).isEqualTo(HyperLogLog.countRaw(plain));
            byte[] merged = new byte[HyperLogLog.REGISTERS];
            assertThat(HyperLogLog.merge(merged, sparse.array(), 0, sparse.length(), 0)).isTrue();
            assertThat(java.util.Arrays.equals(merged, plain)).isTrue();
            java.util.Arrays.fill(merged, (byte) 0);
            assertThat(HyperLogLog.merge(merged, dense.array(), 0, dense.length(), 0)).isTrue();
            assertThat(java.util.Arrays.equals(merged, plain)).isTrue();
            assertThat(HyperLogLog.toDense(sparse)).isTrue();
            // Same registers; only the sparse side marked its (never computed) cache stale.
            byte[] a = value(sparse);
            byte[] b = value(dense);
            a[15] = b[15] = 0;
            assertThat(java.util.Arrays.equals(a, b)).as("round %d", round).isTrue();
        }
    }

    @Test
    void sparseGrowsUntilTheConfiguredLimitThenTurnsDense() {
        for (long max : new long[] {30, 100, 500, 3000}) {
            MutableString s = fresh();
            int i = 0;
            while (HyperLogLog.encoding(s.array(), 0) == HyperLogLog.SPARSE) {
                assertThat((long) s.length()).isLessThanOrEqualTo(Math.max(max, 18));
                byte[] b = bytes("x" + i++);
                HyperLogLog.add(s, b, 0, b.length, max);
            }
            assertThat(s.length()).isEqualTo(HyperLogLog.DENSE_SIZE);
        }
    }

    @Test
    void corruptValuesAreReportedNeverReadOutOfBounds() {
        Random r = new Random(11);
        for (int round = 0; round < 400; round++) {
            MutableString s = fresh();
            int n = r.nextInt(round % 4 == 0 ? 2500 : 150);
            for (int i = 0; i < n; i++) {
                add(s, Double.toString(r.nextDouble()));
            }
            // Random bytes anywhere, possibly a truncated or extended value.
            int edits = 1 + r.nextInt(5);
            for (int k = 0; k < edits; k++) {
                int pos = HyperLogLog.HEADER + r.nextInt(Math.max(1, s.length() - HyperLogLog.HEADER));
                if (pos < s.length()) {
                    s.array()[pos] = (byte) r.nextInt(256);
                }
            }
            if (r.nextInt(4) == 0) {
                s.truncate(HyperLogLog.HEADER + r.nextInt(s.length() - HyperLogLog.HEADER + 1));
            }
            if (r.nextInt(4) == 0) {
                byte[] tail = new byte[1 + r.nextInt(8)];
                r.nextBytes(tail);
                s.append(tail, 0, tail.length);
            }
            MutableString target = s;
            assertThatCode(() -> {
                if (!HyperLogLog.looksValid(target.array(), 0, target.length())) {
                    return;
                }
                HyperLogLog.count(target.array(), 0, target.length(), HyperLogLog.terminator(target));
                HyperLogLog.merge(new byte[HyperLogLog.REGISTERS], target.array(), 0, target.length(), HyperLogLog.terminator(target));
                for (int i = 0; i < 20; i++) {
                    byte[] b = bytes("y" + i);
                    HyperLogLog.add(target, b, 0, b.length, SPARSE_MAX);
                }
                HyperLogLog.toDense(target);
                if (HyperLogLog.encoding(target.array(), 0) == HyperLogLog.SPARSE) {
                    HyperLogLog.decodeSparse(target.array(), 0, target.length(), HyperLogLog.terminator(target));
                }
            }).doesNotThrowAnyException();
        }
    }

    private static byte[] sparseValue(int... opcodes) {
        byte[] b = new byte[HyperLogLog.HEADER + opcodes.length];
        System.arraycopy(HyperLogLog.newSparse(), 0, b, 0, HyperLogLog.HEADER);
        for (int i = 0; i < opcodes.length; i++) {
            b[HyperLogLog.HEADER + i] = (byte) opcodes[i];
        }
        return b;
    }

    @Test
    void aRunPastTheLastRegisterIsCorrupt() {
        // XZERO 16384 then VAL 1x1: 16385 registers. Redis 7.2.6 let merges ignore the excess;
        // since the CVE-2025-32023 fix (and on the patched reference server) it is corrupt.
        byte[] b = sparseValue(0x7F, 0xFF, 0x80);
        assertThat(HyperLogLog.looksValid(b, 0, b.length)).isTrue();
        assertThat(HyperLogLog.count(b, 0, b.length, 0)).isEqualTo(-1);
        assertThat(HyperLogLog.merge(new byte[HyperLogLog.REGISTERS], b, 0, b.length, 0)).isFalse();
        assertThat(HyperLogLog.toDense(new MutableString(b, 0, b.length, 0))).isFalse();
    }

    @Test
    void splittingAnXzeroCutShortByTheEndWritesPastItAsRedisDoes() {
        // XZERO 16383, then an XZERO whose second byte is missing: Redis reads the terminator
        // (0), so it stands for 1 register and the value is complete.
        byte[] b = sparseValue(0x7F, 0xFE, 0x40);
        MutableString s = new MutableString(b, 0, b.length, 0);
        assertThat(HyperLogLog.count(b, 0, b.length, 0)).isZero();
        // Raising register 16383 replaces the 2-byte opcode with a 1-byte VAL written where
        // the opcode started: the value shrinks by one byte and the VAL lands just past it.
        assertThat(HyperLogLog.set(s, 16383, 3, 3000)).isEqualTo(1);
        assertThat(s.length()).isEqualTo(HyperLogLog.HEADER + 2);
        assertThat(HyperLogLog.terminator(s)).isEqualTo(0x88);
        assertThat(HyperLogLog.count(s.array(), 0, s.length(), HyperLogLog.terminator(s))).isEqualTo(-1);
        assertThat(HyperLogLog.decodeSparse(s.array(), 0, s.length(), HyperLogLog.terminator(s))).isEqualTo("Z:16383");
    }

    @Test
    void trailingGarbageMakesASparseValueInvalid() {
        MutableString s = fresh();
        add(s, "a");
        add(s, "b");
        s.append(bytes("hello"), 0, 5);
        assertThat(count(s)).isEqualTo(-1);
        assertThat(HyperLogLog.toDense(s)).isFalse();
    }

    @Test
    void headerChecks() {
        byte[] b = HyperLogLog.newSparse();
        assertThat(HyperLogLog.looksValid(b, 0, 15)).isFalse();
        b[4] = 2;
        assertThat(HyperLogLog.looksValid(b, 0, b.length)).isFalse();
        b[4] = HyperLogLog.DENSE;
        assertThat(HyperLogLog.looksValid(b, 0, b.length)).isFalse(); // dense must be exactly 12304 bytes
        b[4] = HyperLogLog.SPARSE;
        b[0] = 'h';
        assertThat(HyperLogLog.looksValid(b, 0, b.length)).isFalse();
    }

    @Test
    void cachedCardinalityIsLittleEndianWithAStaleBit() {
        byte[] b = HyperLogLog.newSparse();
        assertThat(HyperLogLog.cacheValid(b, 0)).isTrue();
        HyperLogLog.setCachedCardinality(b, 0, 0x0102030405L);
        assertThat(b[8]).isEqualTo((byte) 5);
        assertThat(b[12]).isEqualTo((byte) 1);
        HyperLogLog.invalidateCache(b, 0);
        assertThat(b[15]).isEqualTo((byte) 0x80);
        assertThat(HyperLogLog.cacheValid(b, 0)).isFalse();
    }
}
