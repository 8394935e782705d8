package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.config.EncodingParams;
import dev.cinnabar.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Bytes per member of sets in each encoding, from the structures' own accounting (compact object
 * headers). For comparison, Redis 7.0 spends about 53 bytes per 12-byte member of a hash-table
 * set (24-byte dictEntry, 16-byte sds allocation, 8-byte bucket at ~0.6 load) and an intset 2 to
 * 8 bytes per member.
 */
class SetMemoryTest {
    static final EncodingParams DEFAULTS = new ServerConfig().encoding;

    @Test
    void hashtableMemberCostsOnePackedEntryAndItsSlots() {
        long total = 0;
        int sets = 5;
        int members = 10_000;
        for (int s = 0; s < sets; s++) {
            SetValue set = SetValue.newListpack();
            for (int i = 0; i < members; i++) {
                byte[] m = String.format("member:%05d", i).getBytes(StandardCharsets.ISO_8859_1);
                set.add(m, 0, m.length, DEFAULTS);
            }
            assertThat(set.encoding()).isEqualTo("hashtable");
            total += set.memoryEstimate();
        }
        double perMember = (double) total / (sets * members);
        // A 32-byte entry (12 header + 6 entry header + 12 member bytes, padded) plus 8 bytes per
        // slot of a 16,384-slot table: 45.1 bytes.
        assertThat(perMember).isBetween(40.0, 46.0);
    }

    @Test
    void intsetMemberCostsItsWidthOnly() {
        SetValue set = SetValue.newIntset();
        byte[] scratch = new byte[24];
        for (int i = 0; i < 500; i++) {
            set.addInt(i * 1000L, DEFAULTS, scratch); // needs 32 bits past 32767
        }
        assertThat(set.encoding()).isEqualTo("intset");
        assertThat(set.intsetWidth()).isEqualTo(4);
        assertThat((double) set.memoryEstimate() / 500).isBetween(4.0, 4.2);
    }

    @Test
    void listpackMemberCostsItsBytesPlusTwo() {
        SetValue set = SetValue.newListpack();
        for (int i = 0; i < 128; i++) {
            byte[] m = String.format("member:%05d", i).getBytes(StandardCharsets.ISO_8859_1);
            set.add(m, 0, m.length, DEFAULTS);
        }
        assertThat(set.encoding()).isEqualTo("listpack");
        // 12 payload bytes and 2 bytes of framing, with growth slack below 1.5x.
        assertThat((double) set.memoryEstimate() / 128).isBetween(14.0, 14.0 * 1.5 + 1);
    }
}
