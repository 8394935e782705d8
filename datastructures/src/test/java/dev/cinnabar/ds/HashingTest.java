package dev.cinnabar.ds;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HashingTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void hashDependsOnlyOnTheRangeContent() {
        Random rnd = new Random(1);
        for (int len = 0; len <= 80; len++) {
            byte[] key = new byte[len];
            rnd.nextBytes(key);
            byte[] padded = new byte[len + 7];
            rnd.nextBytes(padded);
            System.arraycopy(key, 0, padded, 3, len);
            assertThat(Hashing.hash(padded, 3, len)).isEqualTo(Hashing.hash(key, 0, len));
        }
    }

    @Test
    void lengthAndSeedMatter() {
        Set<Integer> seen = new HashSet<>();
        for (int len = 0; len <= 40; len++) {
            seen.add(Hashing.hash(1234L, new byte[len], 0, len));
        }
        assertThat(seen).hasSize(41);
        byte[] k = b("user:1000");
        assertThat(Hashing.hash(1L, k, 0, k.length)).isNotEqualTo(Hashing.hash(2L, k, 0, k.length));
    }

    @Test
    void sequentialKeysSpreadEvenlyOverBuckets() {
        int buckets = 1 << 16;
        int keys = 200_000;
        int[] count = new int[buckets];
        long[] bitOnes = new long[32];
        for (int i = 0; i < keys; i++) {
            byte[] k = b("key:" + i);
            int h = KeyTable.hash(k);
            count[(h >>> 1) & (buckets - 1)]++;
            for (int bit = 0; bit < 32; bit++) {
                bitOnes[bit] += (h >>> bit) & 1;
            }
        }
        double expected = (double) keys / buckets;
        double chi2 = 0;
        for (int c : count) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // Chi-square with 65535 degrees of freedom: mean 65535, sd ~362.
        assertThat(chi2).isBetween(65535 - 6 * 362.0, 65535 + 6 * 362.0);
        for (int bit = 1; bit < 32; bit++) {
            assertThat((double) bitOnes[bit] / keys).as("bit %d", bit).isBetween(0.48, 0.52);
        }
        assertThat(bitOnes[0]).as("TTL bit is cleared").isZero();
    }

    @Test
    void singleBitFlipsAvalanche() {
        Random rnd = new Random(7);
        long flipped = 0;
        int trials = 0;
        for (int len = 1; len <= 48; len++) {
            for (int t = 0; t < 40; t++) {
                byte[] k = new byte[len];
                rnd.nextBytes(k);
                int h0 = Hashing.hash(99L, k, 0, len);
                int bit = rnd.nextInt(len * 8);
                k[bit >>> 3] ^= (byte) (1 << (bit & 7));
                flipped += Integer.bitCount(h0 ^ Hashing.hash(99L, k, 0, len));
                trials++;
            }
        }
        assertThat((double) flipped / trials).isBetween(15.0, 17.0);
    }
}
