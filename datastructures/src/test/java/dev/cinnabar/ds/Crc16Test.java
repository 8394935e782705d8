package dev.cinnabar.ds;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Crc16Test {
    private static int slot(String key) {
        return Crc16.slot(key.getBytes(StandardCharsets.UTF_8));
    }

    private static int crc(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Crc16.crc16(b, 0, b.length);
    }

    @Test
    void crc16XmodemCheckValue() {
        // The standard check value of CRC-16/XMODEM.
        assertThat(crc("123456789")).isEqualTo(0x31C3);
        assertThat(crc("")).isZero();
    }

    @Test
    void knownClusterSlots() {
        // Values given by CLUSTER KEYSLOT on a real Redis.
        assertThat(slot("foo")).isEqualTo(12182);
        assertThat(slot("bar")).isEqualTo(5061);
        assertThat(slot("hello")).isEqualTo(866);
        assertThat(slot("somekey")).isEqualTo(11058);
    }

    @Test
    void hashTagsColocateKeys() {
        assertThat(slot("{user1000}.following")).isEqualTo(slot("{user1000}.followers"));
        assertThat(slot("{user1000}.following")).isEqualTo(slot("user1000"));
        assertThat(slot("foo{bar}zap")).isEqualTo(slot("bar"));
    }

    @Test
    void hashTagEdgeCases() {
        // Empty tag: the whole key is hashed, even though a later tag is non-empty.
        assertThat(slot("foo{}{bar}")).isEqualTo(crc("foo{}{bar}") & 16383);
        // First '{' and first '}' after it: the tag content is "{bar".
        assertThat(slot("foo{{bar}}zap")).isEqualTo(crc("{bar") & 16383);
        // Unclosed '{' and a '}' before '{' do not form tags.
        assertThat(slot("foo{bar")).isEqualTo(crc("foo{bar") & 16383);
        assertThat(slot("foo}bar{")).isEqualTo(crc("foo}bar{") & 16383);
        assertThat(slot("{a}")).isEqualTo(slot("a"));
    }

    @Test
    void slotOfSubrange() {
        byte[] buf = "xx{user1000}.followingyy".getBytes(StandardCharsets.UTF_8);
        assertThat(Crc16.slot(buf, 2, buf.length - 4)).isEqualTo(slot("user1000"));
    }
}
