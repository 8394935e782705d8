package dev.cinnabar.server.persistence.rdb;

import com.ning.compress.lzf.impl.VanillaChunkEncoder;

/**
 * Raw LZF blocks, as RDB stores compressed strings (liblzf's lzf_compress output, without the
 * chunk headers the compress-lzf library adds to its own stream format).
 *
 * <p>The library's block compressor is used directly on the whole input: its 64 KiB limit is
 * the chunk header's, not the algorithm's (back references are checked against the block start
 * and LZF's 8 KiB window). Its output decodes with any LZF decoder, Redis's included, but is
 * not byte-identical to liblzf's (a different match-finding hash; liblzf's own output even
 * depends on an uninitialised hash table), so compressed DUMP payloads differ from Redis's in
 * their compressed bytes only. Not thread-safe: one instance per writer.
 */
final class Lzf {
    /** Exposes the library's raw block compressor (protected there). */
    private static final class RawEncoder extends VanillaChunkEncoder {
        RawEncoder() {
            super(0xFFFF);
        }

        int compress(byte[] in, int inPos, int inEnd, byte[] out, int outPos) {
            return tryCompress(in, inPos, inEnd, out, outPos);
        }
    }

    private final RawEncoder encoder = new RawEncoder();
    private byte[] out = new byte[0];

    /**
     * Compresses {@code b[off, off+len)}; returns the compressed length (the bytes are in
     * {@link #output()}), or 0 when compression would not save at least 4 bytes, the rule Redis
     * applies before storing a string compressed (lzf_compress into a buffer of len - 4 bytes).
     */
    int compress(byte[] b, int off, int len) {
        if (len <= 4) {
            return 0;
        }
        // LZF's worst case adds one control byte per 32 literals.
        int room = len + len / 32 + 16;
        if (out.length < room) {
            out = new byte[room];
        }
        int n = encoder.compress(b, off, off + len, out, 0);
        return n > len - 4 ? 0 : n;
    }

    byte[] output() {
        return out;
    }

    /**
     * Decompresses a raw LZF block {@code in[off, off+len)} into all of {@code out}, with
     * liblzf's lzf_decompress checks: every input byte must be consumed, no run may read past
     * the input or write past the output, no back reference may point before the output start,
     * and the output must be filled exactly (Redis compares the result with the stored length).
     * Returns false on any violation. The compress-lzf library's raw decoder cannot be used here:
     * it stops when the output is full without looking at the input length, so it would accept
     * payloads with trailing garbage that Redis rejects.
     */
    static boolean decompress(byte[] in, int off, int len, byte[] out) {
        int ip = off;
        int inEnd = off + len;
        int op = 0;
        int outEnd = out.length;
        while (ip < inEnd) {
            int ctrl = in[ip++] & 0xFF;
            if (ctrl < 32) {
                // A literal run of ctrl + 1 bytes.
                int n = ctrl + 1;
                if (op + n > outEnd || ip + n > inEnd) {
                    return false;
                }
                System.arraycopy(in, ip, out, op, n);
                ip += n;
                op += n;
            } else {
                // A back reference: length - 2 in the top 3 bits (7 = one more length byte),
                // distance - 1 in the low 5 bits and the next byte.
                int n = ctrl >>> 5;
                if (n == 7) {
                    if (ip >= inEnd) {
                        return false;
                    }
                    n += in[ip++] & 0xFF;
                }
                if (ip >= inEnd) {
                    return false;
                }
                int ref = op - ((ctrl & 0x1F) << 8) - 1 - (in[ip++] & 0xFF);
                n += 2;
                if (op + n > outEnd || ref < 0) {
                    return false;
                }
                // Byte by byte: source and destination overlap for repeating patterns.
                for (int i = 0; i < n; i++) {
                    out[op++] = out[ref++];
                }
            }
        }
        return op == outEnd;
    }
}
