package dev.cinnabar.server.persistence.rdb;

import com.ning.compress.lzf.impl.VanillaChunkEncoder;

/**
 * Raw LZF blocks, as RDB stores compressed strings (liblzf's lzf_compress output, without the
 * chunk headers the compress-lzf library adds to its own stream format).
 *
 * <p>The library's block compressor is used directly on the whole input: its 64 KiB limit is
 * the chunk header's, not the algorithm's (back references are checked against the block start
 * and LZF's 8 KiB window). Not thread-safe: one instance per writer.
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
     * Decompresses a raw LZF block into exactly {@code rawLen} bytes (tests, later RDB loading).
     * Throws IllegalArgumentException on corrupt input.
     */
    static byte[] decompress(byte[] in, int off, int len, int rawLen) {
        byte[] o = new byte[rawLen];
        int ip = off;
        int end = off + len;
        int op = 0;
        try {
            while (ip < end) {
                int ctrl = in[ip++] & 0xFF;
                if (ctrl < 32) {
                    // A literal run of ctrl + 1 bytes.
                    System.arraycopy(in, ip, o, op, ctrl + 1);
                    ip += ctrl + 1;
                    op += ctrl + 1;
                } else {
                    // A back reference: length - 2 in the top 3 bits (7 = one more length byte).
                    int n = ctrl >>> 5;
                    if (n == 7) {
                        n += in[ip++] & 0xFF;
                    }
                    int ref = op - ((ctrl & 0x1F) << 8) - 1 - (in[ip++] & 0xFF);
                    if (ref < 0) {
                        throw new IllegalArgumentException("LZF reference before the start");
                    }
                    for (int i = 0; i < n + 2; i++) {
                        o[op++] = o[ref++];
                    }
                }
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("corrupt LZF data", e);
        }
        if (op != rawLen) {
            throw new IllegalArgumentException("LZF data decodes to " + op + " bytes, expected " + rawLen);
        }
        return o;
    }
}
