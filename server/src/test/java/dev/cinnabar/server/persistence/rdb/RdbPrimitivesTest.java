package dev.cinnabar.server.persistence.rdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CRC-64, raw LZF and the Redis listpack encoder, checked against known values. */
class RdbPrimitivesTest {

    @Test
    void crc64CheckValues() {
        // The Jones CRC-64 check value and the vector Redis's own crc64 test uses.
        assertThat(Crc64.of("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xe9c6d914c4b8d9caL);
        // Redis's crc64Test hashes this text including its terminating NUL byte.
        byte[] li = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed "
                + "do eiusmod tempor incididunt ut labore et dolore magna "
                + "aliqua. Ut enim ad minim veniam, quis nostrud exercitation "
                + "ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis "
                + "aute irure dolor in reprehenderit in voluptate velit esse "
                + "cillum dolore eu fugiat nulla pariatur. Excepteur sint "
                + "occaecat cupidatat non proident, sunt in culpa qui officia "
                + "deserunt mollit anim id est laborum.\0").getBytes(StandardCharsets.US_ASCII);
        assertThat(Crc64.of(li)).isEqualTo(0xc7794709e69683b3L);
        assertThat(Crc64.of(new byte[0])).isZero();
    }

    @Test
    void crc64SlicedEqualsBytewiseAtEveryAlignment() {
        byte[] data = new byte[1000];
        new Random(7).nextBytes(data);
        for (int off = 0; off < 9; off++) {
            for (int len : new int[] {0, 1, 7, 8, 9, 63, 500, 991 - off}) {
                long bytewise = 0;
                for (int i = off; i < off + len; i++) {
                    bytewise = Crc64.update(bytewise, data, i, 1);
                }
                assertThat(Crc64.update(0, data, off, len)).as("off %d len %d", off, len).isEqualTo(bytewise);
            }
        }
        // Incremental updates compose.
        long whole = Crc64.update(0, data, 0, 1000);
        long parts = Crc64.update(Crc64.update(0, data, 0, 333), data, 333, 667);
        assertThat(parts).isEqualTo(whole);
    }

    @Test
    void lzfRoundTripsAndRefusesIncompressibleData() throws Exception {
        Lzf lzf = new Lzf();
        byte[] text = "abcabcabcabcabcabcabcabcabcabcabc hello hello hello hello".repeat(3000)
                .getBytes(StandardCharsets.US_ASCII);
        int n = lzf.compress(text, 5, text.length - 5);
        assertThat(n).isPositive().isLessThan(text.length / 5);
        byte[] back = new byte[text.length - 5];
        assertThat(Lzf.decompress(lzf.output(), 0, n, back)).isTrue();
        assertThat(back).isEqualTo(Arrays.copyOfRange(text, 5, text.length));
        // liblzf's checks: the exact output length, no trailing input, no truncated input.
        assertThat(Lzf.decompress(lzf.output(), 0, n, new byte[text.length - 4])).isFalse();
        assertThat(Lzf.decompress(lzf.output(), 0, n, new byte[text.length - 6])).isFalse();
        assertThat(Lzf.decompress(lzf.output(), 0, n - 1, new byte[text.length - 5])).isFalse();
        byte[] trailing = Arrays.copyOf(lzf.output(), n + 1);
        assertThat(Lzf.decompress(trailing, 0, n + 1, new byte[text.length - 5])).isFalse();
        // A back reference before the start of the output.
        assertThat(Lzf.decompress(new byte[] {0, 'a', (byte) 0x20, 5}, 0, 4, new byte[4])).isFalse();

        byte[] noise = new byte[5000];
        new Random(1).nextBytes(noise);
        assertThat(lzf.compress(noise, 0, noise.length)).isZero();
    }

    @Test
    void listpackLayoutMatchesRedis() {
        RedisListpack lp = new RedisListpack();
        // Bytes checked against listpack.c: header, entries with backlens, terminator.
        lp.add(bytes("a"), 0, 1);
        lp.add(bytes("12"), 0, 2);
        lp.add(bytes("-1"), 0, 2);
        lp.add(bytes("1000"), 0, 4);
        lp.add(bytes("012"), 0, 3);
        byte[] b = lp.toByteArray();
        int[] expected = {
            0, 0, 0, 0, 5, 0, // header: total patched below, 5 elements
            0x81, 'a', 2, // 6-bit string "a", backlen 2
            12, 1, // 7-bit uint
            0xDF, 0xFF, 2, // 13-bit int -1 (0x1FFF)
            0xC3, 0xE8, 2, // 13-bit int 1000
            0x83, '0', '1', '2', 4, // "012" is not canonical: a string
            0xFF};
        expected[0] = expected.length;
        assertThat(b).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(b[i] & 0xFF).as("byte %d", i).isEqualTo(expected[i]);
        }
    }

    @Test
    void listpackIntegerWidthsAndLongStrings() {
        RedisListpack lp = new RedisListpack();
        lp.addInteger(32767);
        lp.addInteger(-8388608);
        lp.addInteger(Integer.MIN_VALUE);
        lp.addInteger(Long.MIN_VALUE);
        byte[] big = new byte[5000];
        Arrays.fill(big, (byte) 'x');
        lp.add(big, 0, big.length);
        byte[] b = lp.toByteArray();
        assertThat(b[6] & 0xFF).isEqualTo(0xF1);
        assertThat(b[6 + 4] & 0xFF).isEqualTo(0xF2);
        assertThat(b[6 + 4 + 5] & 0xFF).isEqualTo(0xF3);
        assertThat(b[6 + 4 + 5 + 6] & 0xFF).isEqualTo(0xF4);
        int s = 6 + 4 + 5 + 6 + 10;
        assertThat(b[s] & 0xFF).isEqualTo(0xF0);
        assertThat((b[s + 1] & 0xFF) | (b[s + 2] & 0xFF) << 8).isEqualTo(5000);
        // Entry of 5005 bytes: backlen in two 7-bit groups, low group flagged.
        int back = s + 5 + 5000;
        assertThat(b[back] & 0xFF).isEqualTo(5005 >>> 7);
        assertThat(b[back + 1] & 0xFF).isEqualTo((5005 & 127) | 128);
        assertThat(b[b.length - 1] & 0xFF).isEqualTo(0xFF);
    }

    @Test
    void canonicalIntegersFollowString2ll() {
        assertThat(RedisListpack.canonicalInteger(bytes("0"), 0, 1)).isZero();
        assertThat(RedisListpack.canonicalInteger(bytes("-0"), 0, 2)).isEqualTo(RedisListpack.NOT_INTEGER);
        assertThat(RedisListpack.canonicalInteger(bytes("+1"), 0, 2)).isEqualTo(RedisListpack.NOT_INTEGER);
        assertThat(RedisListpack.canonicalInteger(bytes(" 1"), 0, 2)).isEqualTo(RedisListpack.NOT_INTEGER);
        assertThat(RedisListpack.canonicalInteger(bytes("9223372036854775807"), 0, 19)).isEqualTo(Long.MAX_VALUE);
        assertThat(RedisListpack.canonicalInteger(bytes("9223372036854775808"), 0, 19))
                .isEqualTo(RedisListpack.NOT_INTEGER);
        byte[] min = bytes("-9223372036854775808");
        assertThat(RedisListpack.canonicalInteger(min, 0, 20)).isEqualTo(Long.MIN_VALUE);
        assertThat(RedisListpack.isMinLong(min, 0, 20)).isTrue();
        assertThat(RedisListpack.canonicalInteger(bytes("-9223372036854775809"), 0, 20))
                .isEqualTo(RedisListpack.NOT_INTEGER);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
