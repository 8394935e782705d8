package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-wise bit primitives against a plain bit-by-bit model. */
class BitmapsTest {
    private static int bitAt(byte[] a, int off, int len, long i) {
        return i >= (long) len * 8 ? 0 : (a[off + (int) (i >>> 3)] >> (7 - (int) (i & 7))) & 1;
    }

    private static byte[] random(Random r, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = switch (r.nextInt(3)) {
                case 0 -> 0;
                case 1 -> (byte) 0xFF;
                default -> (byte) r.nextInt(256);
            };
        }
        return b;
    }

    @Test
    void popcountMatchesBitByBitCount() {
        Random r = new Random(1);
        for (int round = 0; round < 500; round++) {
            byte[] a = random(r, r.nextInt(100));
            int off = a.length == 0 ? 0 : r.nextInt(a.length + 1);
            int len = r.nextInt(a.length - off + 1);
            long want = 0;
            for (long i = 0; i < len * 8L; i++) {
                want += bitAt(a, off, len, i);
            }
            assertThat(Bitmaps.popcount(a, off, len)).isEqualTo(want);
        }
    }

    @Test
    void firstBitFindsTheFirstMatchOrReportsTheMiss() {
        Random r = new Random(2);
        for (int round = 0; round < 1000; round++) {
            byte[] a = random(r, r.nextInt(40));
            if (r.nextBoolean()) {
                Arrays.fill(a, r.nextBoolean() ? 0 : (byte) 0xFF); // the all-zero / all-one cases
            }
            int off = a.length == 0 ? 0 : r.nextInt(a.length + 1);
            int len = r.nextInt(a.length - off + 1);
            for (int bit = 0; bit <= 1; bit++) {
                long want = bit == 1 ? -1 : len * 8L;
                for (long i = 0; i < len * 8L; i++) {
                    if (bitAt(a, off, len, i) == bit) {
                        want = i;
                        break;
                    }
                }
                assertThat(Bitmaps.firstBit(a, off, len, bit)).as("len %d bit %d", len, bit).isEqualTo(want);
            }
        }
        assertThat(Bitmaps.firstBitInByte(0, 1)).isEqualTo(-1);
        assertThat(Bitmaps.firstBitInByte(0xFF, 0)).isEqualTo(8);
        assertThat(Bitmaps.firstBitInByte(0x10, 1)).isEqualTo(3);
        assertThat(Bitmaps.firstBitInByte(0xEF, 0)).isEqualTo(3);
    }

    @Test
    void fieldsReadAndWriteLikeTheBitModel() {
        Random r = new Random(3);
        for (int round = 0; round < 3000; round++) {
            int len = 1 + r.nextInt(20);
            byte[] a = random(r, len);
            int bits = 1 + r.nextInt(64);
            long offset = r.nextInt(len * 8 + 16); // may run past the end: reads as zeros
            long want = 0;
            for (int i = 0; i < bits; i++) {
                want = (want << 1) | bitAt(a, 0, len, offset + i);
            }
            long unsigned = Bitmaps.getUnsigned(a, 0, len, offset, bits);
            assertThat(unsigned).isEqualTo(want);
            long signed = Bitmaps.getSigned(a, 0, len, offset, bits);
            long sext = bits == 64 ? want : (want << (64 - bits)) >> (64 - bits);
            assertThat(signed).isEqualTo(sext);

            // Write a random value where the field fits and check every bit of the array.
            if (offset + bits <= len * 8L) {
                long v = r.nextLong();
                byte[] before = a.clone();
                Bitmaps.setField(a, offset, bits, v);
                for (long i = 0; i < len * 8L; i++) {
                    int expect = i >= offset && i < offset + bits
                            ? (int) (v >>> (bits - 1 - (i - offset))) & 1
                            : bitAt(before, 0, len, i);
                    assertThat(bitAt(a, 0, len, i)).as("bit %d of field %d@%d", i, bits, offset).isEqualTo(expect);
                }
            }
        }
    }

    @Test
    void fieldsAtTheEndOfASliceIgnoreBytesBeyondIt() {
        byte[] a = {(byte) 0xFF, 0x12, 0x34, (byte) 0xFF};
        // The slice is bytes 1..2: the 0xFF bytes around it must not be seen.
        assertThat(Bitmaps.getUnsigned(a, 1, 2, 0, 24)).isEqualTo(0x123400);
        assertThat(Bitmaps.getUnsigned(a, 1, 2, 4, 8)).isEqualTo(0x23);
        assertThat(Bitmaps.getBit(a, 1, 2, 16)).isZero();
    }

    @Test
    void setAndGetSingleBits() {
        byte[] a = new byte[2];
        assertThat(Bitmaps.setBit(a, 1, 1)).isZero();
        assertThat(a[0]).isEqualTo((byte) 0x40);
        assertThat(Bitmaps.setBit(a, 1, 1)).isEqualTo(1);
        assertThat(Bitmaps.setBit(a, 15, 1)).isZero();
        assertThat(a[1]).isEqualTo((byte) 0x01);
        assertThat(Bitmaps.getBit(a, 0, 2, 15)).isEqualTo(1);
        assertThat(Bitmaps.getBit(a, 0, 2, 16)).isZero();
        assertThat(Bitmaps.setBit(a, 1, 0)).isEqualTo(1);
        assertThat(a[0]).isZero();
    }

    // ---- overflow: the mathematical definition agrees with Redis's for in-range values -----------

    private static final BigInteger TWO = BigInteger.TWO;

    @Test
    void overflowChecksAgreeWithExactArithmeticForInRangeValues() {
        Random r = new Random(4);
        for (int round = 0; round < 20000; round++) {
            boolean signed = r.nextBoolean();
            int bits = 1 + r.nextInt(signed ? 64 : 63);
            BigInteger min = signed ? TWO.pow(bits - 1).negate() : BigInteger.ZERO;
            BigInteger max = signed ? TWO.pow(bits - 1).subtract(BigInteger.ONE) : TWO.pow(bits).subtract(BigInteger.ONE);
            // A current value inside the field's range (as INCRBY always has).
            BigInteger span = max.subtract(min).add(BigInteger.ONE);
            long value = new BigInteger(bits, r).mod(span).add(min).longValue();
            long incr = switch (r.nextInt(3)) {
                case 0 -> r.nextLong();
                case 1 -> r.nextLong() >> r.nextInt(64);
                default -> r.nextInt(5) - 2;
            };
            BigInteger sum = BigInteger.valueOf(value).add(BigInteger.valueOf(incr));
            int want = sum.compareTo(max) > 0 ? 1 : sum.compareTo(min) < 0 ? -1 : 0;
            int got = signed ? Bitmaps.signedOverflow(value, incr, bits) : Bitmaps.unsignedOverflow(value, incr, bits);
            assertThat(got).as("%s%d %d + %d", signed ? "i" : "u", bits, value, incr).isEqualTo(want);
            // Wrapping is arithmetic modulo 2^bits, into the field's range.
            long wrapped = signed ? Bitmaps.signedWrap(value, incr, bits) : Bitmaps.unsignedWrap(value, incr, bits);
            BigInteger exp = sum.subtract(min).mod(span).add(min);
            assertThat(wrapped).isEqualTo(exp.longValue());
        }
    }

    @Test
    void outOfRangeSetValuesAreClassifiedAsRedisDoes() {
        // SET u8 -1: taken as 2^64-1, above the maximum.
        assertThat(Bitmaps.unsignedOverflow(-1, 0, 8)).isEqualTo(1);
        assertThat(Bitmaps.unsignedWrap(-1, 0, 8)).isEqualTo(255);
        // SET i8 with -2^63: Redis's wrapping intermediate makes it an overflow "above" (SAT gives 127).
        assertThat(Bitmaps.signedOverflow(Long.MIN_VALUE, 0, 8)).isEqualTo(1);
        assertThat(Bitmaps.signedOverflow(-200, 0, 8)).isEqualTo(-1);
        assertThat(Bitmaps.signedOverflow(Long.MAX_VALUE, 1, 64)).isEqualTo(1);
        assertThat(Bitmaps.signedOverflow(Long.MIN_VALUE, -1, 64)).isEqualTo(-1);
        assertThat(Bitmaps.signedWrap(Long.MAX_VALUE, 1, 64)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void combineTreatsShortSourcesAsZeroPadded() {
        byte[] res = {1, 2, (byte) 0xFF, (byte) 0xFF, 7, 7, 7, 7, 7, 7, 7};
        byte[] src = {(byte) 0xFF, 0, 0x0F};
        byte[] and = res.clone();
        Bitmaps.combine(Bitmaps.AND, and, and.length, src, 0, 3);
        assertThat(and).containsExactly(1, 0, 0x0F, 0, 0, 0, 0, 0, 0, 0, 0);
        byte[] or = res.clone();
        Bitmaps.combine(Bitmaps.OR, or, or.length, src, 0, 3);
        assertThat(or).containsExactly(0xFF, 2, 0xFF, 0xFF, 7, 7, 7, 7, 7, 7, 7);
        byte[] xor = res.clone();
        Bitmaps.combine(Bitmaps.XOR, xor, xor.length, src, 0, 3);
        assertThat(xor).containsExactly(0xFE, 2, 0xF0, 0xFF, 7, 7, 7, 7, 7, 7, 7);
        byte[] not = res.clone();
        Bitmaps.invert(not, not.length);
        assertThat(not).containsExactly(0xFE, 0xFD, 0, 0, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8);
    }

    @Test
    void combineOverLongInputsMatchesBytewiseResults() {
        Random r = new Random(6);
        for (int round = 0; round < 200; round++) {
            int n = r.nextInt(80);
            byte[] res = random(r, n);
            byte[] srcArr = random(r, r.nextInt(100));
            int off = srcArr.length == 0 ? 0 : r.nextInt(srcArr.length);
            int len = srcArr.length == 0 ? 0 : r.nextInt(srcArr.length - off + 1);
            for (int op = Bitmaps.AND; op <= Bitmaps.XOR; op++) {
                byte[] got = res.clone();
                Bitmaps.combine(op, got, n, srcArr, off, len);
                for (int i = 0; i < n; i++) {
                    int s = i < len ? srcArr[off + i] : 0;
                    int want = switch (op) {
                        case Bitmaps.AND -> res[i] & s;
                        case Bitmaps.OR -> res[i] | s;
                        default -> res[i] ^ s;
                    };
                    assertThat(got[i]).isEqualTo((byte) want);
                }
            }
        }
    }
}
