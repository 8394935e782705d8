package dev.cinnabar.server.persistence.rdb;

import dev.cinnabar.server.config.EncodingParams;
import dev.cinnabar.server.metrics.Stats;

/**
 * The DUMP / RESTORE serialization format (Redis cluster.c createDumpPayload and
 * verifyDumpPayload): an RDB type byte and value, then the RDB version (2 bytes) and a CRC-64
 * of everything before the CRC (8 bytes), both little-endian. Payloads are written by
 * {@link RdbWriter#dumpPayload}.
 */
public final class DumpPayload {
    /** Version bytes plus checksum. */
    static final int FOOTER = 10;

    private DumpPayload() {}

    /**
     * Redis verifyDumpPayload: long enough for the footer, an RDB version this server reads
     * (at most its own), and, unless {@code checkCrc} is off, a matching checksum.
     */
    public static boolean verify(byte[] p, int off, int len, boolean checkCrc) {
        if (len < FOOTER) {
            return false;
        }
        int footer = off + len - FOOTER;
        int version = (p[footer] & 0xFF) | (p[footer + 1] & 0xFF) << 8;
        if (version > RdbWriter.VERSION) {
            return false;
        }
        if (!checkCrc) {
            return true;
        }
        long stored = 0;
        for (int i = 0; i < 8; i++) {
            stored |= (p[footer + 2 + i] & 0xFFL) << (8 * i);
        }
        return Crc64.update(0, p, off, len - 8) == stored;
    }

    /**
     * The value of a verified payload: a {@code byte[]} for a string, a {@code RedisValue}
     * otherwise. As in Redis, the value is read from the whole payload, footer included, and
     * bytes left over before the footer are ignored. Throws {@link RdbException} for anything
     * RESTORE answers "Bad data format" to, an empty collection included.
     */
    public static Object read(byte[] p, int off, int len, EncodingParams enc, long packedThreshold, boolean deep,
            Stats stats) {
        RdbInput in = new RdbInput(p, off, len);
        int type = in.readByte();
        if (!RdbValueReader.isObjectType(type)) {
            throw new RdbException("not a value type: " + type);
        }
        Object v = new RdbValueReader(in, enc, packedThreshold, deep, stats).read(type);
        if (v == null) {
            throw new RdbException("empty collection");
        }
        return v;
    }
}
