package dev.cinnabar.server.type;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Bytes per field of big hashes, from the structures' own accounting (compact object headers):
 * the shape of the project's memory benchmark (hashes of 10,000 fields "field:NNNNN" with
 * 16-byte values; tools/mem-per-key.sh loads 100 of them). Redis 7 needs about 100 bytes per
 * such field (dictEntry, two sds strings, bucket).
 */
class HashMemoryTest {
    static final int HASHES = 10;
    static final int FIELDS = 10_000;

    @Test
    void hashtableFieldCostsAtMostAnEntryAndItsSlots() {
        long total = 0;
        byte[] value = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
        for (int h = 0; h < HASHES; h++) {
            HashValue hash = new HashValue();
            for (int i = 0; i < FIELDS; i++) {
                byte[] f = String.format("field:%05d", i).getBytes(StandardCharsets.ISO_8859_1);
                hash.set(f, 0, f.length, value, 0, value.length, 512, 64);
            }
            assertThat(hash.encoding()).isEqualTo("hashtable");
            total += hash.memoryEstimate();
        }
        double perField = (double) total / (HASHES * FIELDS);
        // One 48-byte packed entry (12 header + 6 entry header + 11 + 16, padded) plus the
        // table's 8 bytes per slot at 10,000 / 16,384 load: 61.1 bytes.
        assertThat(perField).isBetween(48.0, 62.0);
    }

    @Test
    void listpackFieldCostsItsBytesPlusTwoBytesEach() {
        HashValue hash = new HashValue();
        byte[] value = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 500; i++) {
            byte[] f = String.format("field:%05d", i).getBytes(StandardCharsets.ISO_8859_1);
            hash.set(f, 0, f.length, value, 0, value.length, 512, 64);
        }
        assertThat(hash.encoding()).isEqualTo("listpack");
        // 11 + 16 payload bytes and 2 bytes of framing per entry, with growth slack below 1.5x.
        assertThat((double) hash.memoryEstimate() / 500).isBetween(31.0, 31.0 * 1.5 + 1);
    }
}
