package dev.cinnabar.server.persistence.rdb;

import java.util.ArrayList;
import java.util.List;

/**
 * The FUNCTION DUMP / FUNCTION RESTORE payload: each library's code as an RDB string after the
 * RDB_OPCODE_FUNCTION2 opcode (what an RDB file holds for functions), then the RDB version (2
 * bytes, little endian) and the CRC-64 of everything before it (8 bytes, little endian), as
 * DUMP payloads end.
 */
public final class FunctionsPayload {
    private FunctionsPayload() {}

    /** RDB_OPCODE_FUNCTION2: a library saved as its code. */
    public static final int OPCODE_FUNCTION2 = 245;
    /** RDB_OPCODE_FUNCTION_PRE_GA: the 7.0 release candidates' format, not supported. */
    public static final int OPCODE_FUNCTION_PRE_GA = 246;

    /** The payload for these library codes ({@code compress}: rdbcompression). */
    public static byte[] dump(List<byte[]> codes, boolean compress) {
        RdbOutput out = new RdbOutput();
        Lzf lzf = new Lzf();
        for (byte[] code : codes) {
            out.write(OPCODE_FUNCTION2);
            writeString(out, lzf, code, compress);
        }
        out.writeLe(RdbWriter.VERSION, 2);
        out.writeLe(out.crc(), 8);
        return out.toByteArray();
    }

    /** rdbSaveRawString for a library code (never an integer: it starts with "#!"). */
    static void writeString(RdbOutput out, Lzf lzf, byte[] b, boolean compress) {
        if (compress && b.length > 20) {
            int n = lzf.compress(b, 0, b.length);
            if (n > 0) {
                out.write(RdbWriter.ENC_LZF);
                writeLen(out, n);
                writeLen(out, b.length);
                out.write(lzf.output(), 0, n);
                return;
            }
        }
        writeLen(out, b.length);
        out.write(b, 0, b.length);
    }

    private static void writeLen(RdbOutput out, long len) {
        if (len < (1 << 6)) {
            out.write((int) len);
        } else if (len < (1 << 14)) {
            out.write((int) ((len >>> 8) | 0x40));
            out.write((int) len);
        } else if (len <= 0xFFFFFFFFL) {
            out.write(0x80);
            for (int i = 3; i >= 0; i--) {
                out.write((int) (len >>> (8 * i)));
            }
        } else {
            out.write(0x81);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (len >>> (8 * i)));
            }
        }
    }

    /** Why a payload was refused, in FUNCTION RESTORE's words. */
    public static final class BadPayload extends Exception {
        public BadPayload(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Redis verifyDumpPayload: a known RDB version and a matching checksum (unless checks are
     * off). Returns false when the payload must be refused.
     */
    public static boolean verify(byte[] p, boolean skipChecksum) {
        if (p.length < 10) {
            return false;
        }
        int version = (p[p.length - 10] & 0xFF) | (p[p.length - 9] & 0xFF) << 8;
        if (version > RdbWriter.VERSION) {
            return false;
        }
        if (skipChecksum) {
            return true;
        }
        long crc = 0;
        for (int i = 0; i < 8; i++) {
            crc |= (p[p.length - 8 + i] & 0xFFL) << (8 * i);
        }
        return crc == Crc64.update(0, p, 0, p.length - 8);
    }

    /** The library codes of a verified payload (Redis functionRestoreCommand's loop). */
    public static List<byte[]> codes(byte[] p) throws BadPayload {
        List<byte[]> out = new ArrayList<>();
        int[] pos = {0};
        int end = p.length - 10;
        while (pos[0] < end) {
            int type = p[pos[0]++] & 0xFF;
            if (type == OPCODE_FUNCTION_PRE_GA) {
                throw new BadPayload("Pre-GA function format not supported");
            }
            if (type != OPCODE_FUNCTION2) {
                throw new BadPayload("given type is not a function");
            }
            byte[] code = readString(p, pos, end);
            if (code == null) {
                throw new BadPayload("failed loading the given functions payload");
            }
            out.add(code);
        }
        return out;
    }

    /** An RDB string (plain, LZF or int encoded), or null if malformed. */
    private static byte[] readString(byte[] p, int[] pos, int end) {
        if (pos[0] >= end) {
            return null;
        }
        int first = p[pos[0]] & 0xFF;
        if ((first >> 6) == 3) {
            pos[0]++;
            int enc = first & 0x3F;
            switch (enc) {
                case 0, 1, 2 -> {
                    int n = 1 << enc;
                    if (pos[0] + n > end) {
                        return null;
                    }
                    long v = 0;
                    for (int i = 0; i < n; i++) {
                        v |= (p[pos[0] + i] & 0xFFL) << (8 * i);
                    }
                    v = n == 1 ? (byte) v : n == 2 ? (short) v : (int) v;
                    pos[0] += n;
                    return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                }
                case 3 -> {
                    long clen = readLen(p, pos, end);
                    long len = readLen(p, pos, end);
                    if (clen < 0 || len < 0 || pos[0] + clen > end || len > Integer.MAX_VALUE) {
                        return null;
                    }
                    if (len > clen * 128 + 64) {
                        return null; // more than LZF can expand to: corrupt, and not worth allocating
                    }
                    byte[] s = new byte[(int) len];
                    if (!Lzf.decompress(p, pos[0], (int) clen, s)) {
                        return null;
                    }
                    pos[0] += (int) clen;
                    return s;
                }
                default -> {
                    return null;
                }
            }
        }
        long len = readLen(p, pos, end);
        if (len < 0 || pos[0] + len > end) {
            return null;
        }
        byte[] s = java.util.Arrays.copyOfRange(p, pos[0], pos[0] + (int) len);
        pos[0] += (int) len;
        return s;
    }

    private static long readLen(byte[] p, int[] pos, int end) {
        if (pos[0] >= end) {
            return -1;
        }
        int b = p[pos[0]++] & 0xFF;
        switch (b >> 6) {
            case 0:
                return b & 0x3F;
            case 1:
                if (pos[0] >= end) {
                    return -1;
                }
                return ((b & 0x3F) << 8) | (p[pos[0]++] & 0xFF);
            default:
                int n = b == 0x80 ? 4 : b == 0x81 ? 8 : -1;
                if (n < 0 || pos[0] + n > end) {
                    return -1;
                }
                long v = 0;
                for (int i = 0; i < n; i++) {
                    v = (v << 8) | (p[pos[0]++] & 0xFF);
                }
                return v;
        }
    }
}
