package dev.cinnabar.server.persistence.rdb;

/**
 * The CRC-64 that ends every RDB file and DUMP payload: the "Jones" polynomial
 * 0xad93d23594c935a9, reflected input and output, initial value 0, no final xor. Its check value
 * (the CRC of "123456789") is 0xe9c6d914c4b8d9ca.
 *
 * <p>Computed eight bytes at a time with eight lookup tables ("slicing by 8"): an RDB of a large
 * data set is checksummed while the server lock is held, so the per-byte cost matters.
 * Stateless and thread-safe.
 */
public final class Crc64 {
    /** The polynomial bit-reversed, as the reflected algorithm shifts right. */
    private static final long POLY_REFLECTED = Long.reverse(0xad93d23594c935a9L);
    private static final long[][] T = new long[8][256];

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int b = 0; b < 8; b++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY_REFLECTED : crc >>> 1;
            }
            T[0][i] = crc;
        }
        for (int k = 1; k < 8; k++) {
            for (int i = 0; i < 256; i++) {
                long prev = T[k - 1][i];
                T[k][i] = T[0][(int) (prev & 0xff)] ^ (prev >>> 8);
            }
        }
    }

    private Crc64() {}

    /** Continues {@code crc} over {@code b[off, off+len)}. Start with 0. */
    public static long update(long crc, byte[] b, int off, int len) {
        long[] t0 = T[0];
        int end = off + len;
        int i = off;
        for (; i + 8 <= end; i += 8) {
            crc ^= (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24
                    | (b[i + 4] & 0xffL) << 32 | (b[i + 5] & 0xffL) << 40 | (b[i + 6] & 0xffL) << 48
                    | (b[i + 7] & 0xffL) << 56;
            crc = T[7][(int) (crc & 0xff)] ^ T[6][(int) ((crc >>> 8) & 0xff)] ^ T[5][(int) ((crc >>> 16) & 0xff)]
                    ^ T[4][(int) ((crc >>> 24) & 0xff)] ^ T[3][(int) ((crc >>> 32) & 0xff)]
                    ^ T[2][(int) ((crc >>> 40) & 0xff)] ^ T[1][(int) ((crc >>> 48) & 0xff)] ^ t0[(int) (crc >>> 56)];
        }
        for (; i < end; i++) {
            crc = t0[(int) ((crc ^ b[i]) & 0xff)] ^ (crc >>> 8);
        }
        return crc;
    }

    public static long of(byte[] b) {
        return update(0, b, 0, b.length);
    }
}
