package dev.cinnabar.ds;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EntriesTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String key(byte[] e) {
        return new String(e, Entries.keyOffset(e), Entries.keyLength(e), StandardCharsets.UTF_8);
    }

    private static String value(byte[] e) {
        return new String(e, Entries.valueOffset(e), Entries.valueLength(e), StandardCharsets.UTF_8);
    }

    @Test
    void layoutOfAnElevenByteKeyAndSixteenByteValue() {
        byte[] k = b("key:0000001");
        byte[] v = b("0123456789abcdef");
        byte[] e = Entries.newString(k, 0, k.length, v, 0, v.length, Entries.ENC_EMBSTR, -1, 77);
        // flags + lru + 1-byte varint + key + value: the 48-byte heap object of the estimate.
        assertThat(e).hasSize(1 + 4 + 1 + 11 + 16);
        assertThat(Entries.arrayBytes(e.length)).isEqualTo(48);
        assertThat(e[0]).isEqualTo((byte) Entries.ENC_EMBSTR);
        assertThat(Entries.keyOffset(e)).isEqualTo(6);
        assertThat(key(e)).isEqualTo("key:0000001");
        assertThat(value(e)).isEqualTo("0123456789abcdef");
        assertThat(Entries.lru(e)).isEqualTo(77);
        assertThat(Entries.hasExpire(e)).isFalse();
        assertThat(Entries.expireAt(e)).isEqualTo(-1);
        assertThat(Entries.encoding(e)).isEqualTo(Entries.ENC_EMBSTR);
    }

    @Test
    void slicesAndExpiry() {
        byte[] buf = b("..abc..hello..");
        byte[] e = Entries.newString(buf, 2, 3, buf, 7, 5, Entries.ENC_RAW, 1_700_000_000_123L, -5);
        assertThat(e).hasSize(1 + 4 + 1 + 8 + 3 + 5);
        assertThat(Entries.hasExpire(e)).isTrue();
        assertThat(Entries.expireAt(e)).isEqualTo(1_700_000_000_123L);
        assertThat(key(e)).isEqualTo("abc");
        assertThat(value(e)).isEqualTo("hello");
        assertThat(Entries.lru(e)).isEqualTo(-5);
    }

    @Test
    void longKeysUseMultiByteVarints() {
        for (int len : new int[] {0, 1, 127, 128, 16383, 16384, 70_000}) {
            byte[] k = new byte[len];
            Arrays.fill(k, (byte) 'k');
            byte[] e = Entries.newString(k, 0, len, b("v"), 0, 1, Entries.ENC_RAW, 5L, 0);
            assertThat(Entries.keyLength(e)).isEqualTo(len);
            assertThat(Entries.keyOffset(e)).isEqualTo(5 + Entries.varintSize(len) + 8);
            assertThat(Entries.expireAt(e)).isEqualTo(5L);
            assertThat(value(e)).isEqualTo("v");
            assertThat(Entries.keyEquals(e, k, 0, len)).isTrue();
            assertThat(Entries.copyKey(e)).isEqualTo(k);
        }
    }

    @Test
    void addingAndRemovingExpiry() {
        byte[] e = Entries.newString(b("k1"), b("value"));
        Entries.setLru(e, 42);
        byte[] withTtl = Entries.withExpire(e, 123L);
        assertThat(withTtl).isNotSameAs(e);
        assertThat(Entries.expireAt(withTtl)).isEqualTo(123L);
        assertThat(key(withTtl)).isEqualTo("k1");
        assertThat(value(withTtl)).isEqualTo("value");
        assertThat(Entries.lru(withTtl)).isEqualTo(42);

        // Changing an existing expiry is in place.
        assertThat(Entries.withExpire(withTtl, 456L)).isSameAs(withTtl);
        assertThat(Entries.expireAt(withTtl)).isEqualTo(456L);

        byte[] persisted = Entries.withoutExpire(withTtl);
        assertThat(persisted).isEqualTo(e);
        assertThat(Entries.withoutExpire(persisted)).isSameAs(persisted);
        assertThat(Entries.withExpire(withTtl, -1)).isEqualTo(e);
    }

    @Test
    void replacingTheValue() {
        byte[] e = Entries.newString(b("counter"), 0, 7, b("9"), 0, 1, Entries.ENC_INT, 99L, 3);
        byte[] same = Entries.withValue(e, b("8"), 0, 1, Entries.ENC_INT);
        assertThat(same).isSameAs(e);
        assertThat(value(e)).isEqualTo("8");
        byte[] longer = Entries.withValue(e, b("10"), 0, 2, Entries.ENC_INT);
        assertThat(longer).isNotSameAs(e);
        assertThat(value(longer)).isEqualTo("10");
        assertThat(key(longer)).isEqualTo("counter");
        assertThat(Entries.expireAt(longer)).isEqualTo(99L);
        assertThat(Entries.lru(longer)).isEqualTo(3);
        byte[] raw = Entries.withValue(longer, b("x"), 0, 1, Entries.ENC_RAW);
        assertThat(Entries.encoding(raw)).isEqualTo(Entries.ENC_RAW);
        assertThat(Entries.hasExpire(raw)).isTrue();
    }

    @Test
    void genericAccessorsAcceptBothKinds() {
        byte[] packed = Entries.newString(b("k"), 0, 1, b("v"), 0, 1, Entries.ENC_RAW, 10L, 1);
        ObjectEntry obj = new ObjectEntry(b("key"), new Object(), -1, 2);
        Object p = packed;
        Object o = obj;

        assertThat(Entries.keyEquals(p, b("xk"), 1, 1)).isTrue();
        assertThat(Entries.keyEquals(p, b("kk"), 0, 2)).isFalse();
        assertThat(Entries.keyEquals(o, b("key"), 0, 3)).isTrue();
        assertThat(Entries.keyEquals(o, b("kex"), 0, 3)).isFalse();
        assertThat(Entries.keyEquals(o, b("ke"), 0, 2)).isFalse();

        assertThat(Entries.hasExpire(p)).isTrue();
        assertThat(Entries.hasExpire(o)).isFalse();
        assertThat(Entries.expireAt(p)).isEqualTo(10L);
        assertThat(Entries.expireAt(o)).isEqualTo(-1);
        assertThat(Entries.lru(p)).isEqualTo(1);
        assertThat(Entries.lru(o)).isEqualTo(2);
        Entries.setLru(p, 11);
        Entries.setLru(o, 12);
        assertThat(Entries.lru(p)).isEqualTo(11);
        assertThat(obj.lru).isEqualTo(12);

        assertThat(Entries.copyKey(o)).isEqualTo(b("key")).isNotSameAs(obj.key);
        assertThat(Entries.keyArray(o)).isSameAs(obj.key);
        assertThat(Entries.keyArray(p)).isSameAs(packed);
        assertThat(Entries.keyOffset(o)).isZero();
        assertThat(Entries.keyLength(o)).isEqualTo(3);

        assertThat(Entries.withExpire(o, 5L)).isSameAs(obj);
        assertThat(obj.expireAt).isEqualTo(5L);
        assertThat(Entries.hasExpire(o)).isTrue();

        assertThat(Entries.footprint(p)).isEqualTo(32); // 12 + 16 data bytes
        assertThat(Entries.footprint(o)).isEqualTo(32 + 16);
    }
}
