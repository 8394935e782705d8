package dev.cinnabar.ds;

/**
 * Redis Cluster key hash slots: CRC16 (the CCITT polynomial 0x1021, XMODEM variant: initial
 * value 0, no reflection, no final xor) of the key, modulo 16384.
 *
 * <p>Hash tags let clients co-locate keys: if the key contains a '{' followed later by a '}'
 * with at least one byte between them, only the bytes between the first '{' and the first '}'
 * after it are hashed. An empty tag ("{}") or an unclosed '{' means the whole key is hashed.
 * The exact rule matters: clients compute slots themselves and must agree with the server.
 */
public final class Crc16 {
    private Crc16() {}

    public static final int SLOTS = 16384;

    private static final char[] TABLE = buildTable();

    private static char[] buildTable() {
        // Byte-at-a-time table: entry i is the CRC register after shifting the byte i in from
        // the top, so the main loop does one lookup per input byte instead of eight shifts.
        char[] t = new char[256];
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            t[i] = (char) crc;
        }
        return t;
    }

    /** CRC16-XMODEM of {@code b[off, off+len)}. */
    public static int crc16(byte[] b, int off, int len) {
        int crc = 0;
        for (int i = off, end = off + len; i < end; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ b[i]) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }

    /** The cluster slot (0..16383) of the key {@code key[off, off+len)}, honouring hash tags. */
    public static int slot(byte[] key, int off, int len) {
        int end = off + len;
        int open = off;
        while (open < end && key[open] != '{') {
            open++;
        }
        if (open < end) {
            int close = open + 1;
            while (close < end && key[close] != '}') {
                close++;
            }
            if (close < end && close > open + 1) {
                return crc16(key, open + 1, close - open - 1) & (SLOTS - 1);
            }
        }
        return crc16(key, off, len) & (SLOTS - 1);
    }

    public static int slot(byte[] key) {
        return slot(key, 0, key.length);
    }
}
