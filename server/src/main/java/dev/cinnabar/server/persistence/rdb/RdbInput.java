package dev.cinnabar.server.persistence.rdb;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.Doubles;
import java.util.List;

/**
 * Reads RDB primitives (rdb.c rdbLoadLen, rdbGenericLoadStringObject, the double and time
 * formats) from an in-memory image: one array (a DUMP payload) or the chunks of an
 * {@link RdbOutput} (DEBUG RELOAD). Every read is bounds-checked against the data actually
 * present, so a corrupt length can neither run past the end nor make us allocate more than the
 * image could hold; any problem is an {@link RdbException}. Not thread-safe.
 */
public final class RdbInput {
    /** Longest string we materialise: a Java array's practical limit. */
    static final long MAX_STRING = Integer.MAX_VALUE - 16;
    /**
     * LZF's best ratio: a 3-byte back reference expands to at most 264 bytes, so a compressed
     * block can never decode to more than 88 times its size.
     */
    private static final int LZF_MAX_RATIO = 88;

    private final List<byte[]> chunks;
    /** Single-array mode: the array and where the data starts. */
    private final int start;
    private final long total;
    private int chunk;
    private byte[] cur;
    private int pos;
    private int end;
    /** Bytes not yet read, the current chunk included. */
    private long remaining;

    /** Reads {@code data[off, off+len)}. */
    public RdbInput(byte[] data, int off, int len) {
        this.chunks = null;
        this.cur = data;
        this.start = off;
        this.pos = off;
        this.end = off + len;
        this.remaining = len;
        this.total = len;
    }

    /** Reads the concatenation of {@code chunks} (e.g. {@link RdbOutput#chunks()}). */
    public RdbInput(List<byte[]> chunks) {
        this.chunks = chunks;
        long total = 0;
        for (byte[] c : chunks) {
            total += c.length;
        }
        this.remaining = total;
        this.total = total;
        this.start = 0;
        this.chunk = -1;
        this.cur = new byte[0];
        nextChunk();
    }

    private boolean nextChunk() {
        if (chunks == null) {
            return false;
        }
        while (chunk + 1 < chunks.size()) {
            cur = chunks.get(++chunk);
            pos = 0;
            end = cur.length;
            if (end > 0) {
                return true;
            }
        }
        return false;
    }

    /** CRC-64 of every byte read so far (an RDB file's trailer covers all that precedes it). */
    public long crcOfConsumed() {
        long n = total - remaining;
        if (chunks == null) {
            return Crc64.update(0, cur, start, (int) n);
        }
        long crc = 0;
        for (byte[] c : chunks) {
            if (n == 0) {
                break;
            }
            int take = (int) Math.min(n, c.length);
            crc = Crc64.update(crc, c, 0, take);
            n -= take;
        }
        return crc;
    }

    /** Bytes read so far (the offset of a load error). */
    public long consumed() {
        return total - remaining;
    }

    /** Bytes left to read. */
    public long remaining() {
        return remaining;
    }

    static final String TRUNCATED = "unexpected end of data";

    private static RdbException truncated() {
        return new RdbException(TRUNCATED);
    }

    /** One unsigned byte. */
    public int readByte() {
        if (pos == end && !nextChunk()) {
            throw truncated();
        }
        remaining--;
        return cur[pos++] & 0xFF;
    }

    public void readFully(byte[] dst, int off, int len) {
        if (len > remaining) {
            throw truncated();
        }
        while (len > 0) {
            if (pos == end) {
                nextChunk();
            }
            int n = Math.min(len, end - pos);
            System.arraycopy(cur, pos, dst, off, n);
            pos += n;
            off += n;
            len -= n;
            remaining -= n;
        }
    }

    /** {@code n} bytes as an unsigned little-endian number (n up to 8). */
    public long readLe(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) readByte() << (8 * i);
        }
        return v;
    }

    private long readBe(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | readByte();
        }
        return v;
    }

    // ---- lengths (rdbLoadLenByRef) --------------------------------------------------------------

    /** Set by {@link #readLenOrEncoding}: the value read was a special string encoding. */
    private boolean encoded;

    /**
     * A length, or the number of a special string encoding (then {@link #wasEncoded()} is true):
     * 6-bit, 14-bit, 32-bit or 64-bit big-endian lengths, 0xC0-0xFF encodings.
     */
    long readLenOrEncoding() {
        int b = readByte();
        encoded = false;
        switch (b >>> 6) {
            case 0 -> {
                return b & 0x3F;
            }
            case 1 -> {
                return ((b & 0x3F) << 8) | readByte();
            }
            case 3 -> {
                encoded = true;
                return b & 0x3F;
            }
            default -> {
                if (b == 0x80) {
                    return readBe(4);
                }
                if (b == 0x81) {
                    return readBe(8); // may read as negative: callers treat it as out of range
                }
                throw new RdbException("unknown length encoding " + b);
            }
        }
    }

    boolean wasEncoded() {
        return encoded;
    }

    /**
     * A length (rdbLoadLen with no encoding pointer: an encoding byte reads as its low six
     * bits, as in Redis). Negative when a 64-bit length does not fit a signed long.
     */
    public long readLen() {
        return readLenOrEncoding();
    }

    /** A length used as a count of things each taking at least one more byte of input. */
    public long readCount() {
        long n = readLen();
        if (n < 0) {
            throw new RdbException("length out of range");
        }
        return n;
    }

    // ---- strings (rdbGenericLoadStringObject) -----------------------------------------------

    /**
     * A string in any of its encodings (plain, 8/16/32-bit integer, LZF), as bytes; integers
     * come back as their decimal text, as Redis's RDB_LOAD_PLAIN/SDS loading gives them.
     */
    public byte[] readString() {
        long len = readLenOrEncoding();
        if (encoded) {
            return switch ((int) len) {
                case 0 -> decimal((byte) readByte());
                case 1 -> decimal((short) readLe(2));
                case 2 -> decimal((int) readLe(4));
                case 3 -> readLzf();
                default -> throw new RdbException("unknown string encoding " + len);
            };
        }
        if (len < 0 || len > remaining) {
            throw truncated();
        }
        byte[] b = new byte[(int) len];
        readFully(b, 0, b.length);
        return b;
    }

    private static byte[] decimal(long v) {
        byte[] b = new byte[Ascii.digits(v)];
        Ascii.putLong(b, 0, v);
        return b;
    }

    private byte[] readLzf() {
        long clen = readLen();
        long len = readLen();
        if (clen < 0 || clen > remaining) {
            throw truncated();
        }
        if (len < 0 || len > MAX_STRING || len > clen * LZF_MAX_RATIO) {
            throw new RdbException("invalid LZF lengths");
        }
        byte[] c = new byte[(int) clen];
        readFully(c, 0, c.length);
        byte[] out = new byte[(int) len];
        if (!Lzf.decompress(c, 0, c.length, out)) {
            throw new RdbException("invalid LZF compressed string");
        }
        return out;
    }

    // ---- numbers ----------------------------------------------------------------------------------

    /** RDB 8+ binary double: 8 bytes little-endian IEEE 754. */
    public double readBinaryDouble() {
        return Double.longBitsToDouble(readLe(8));
    }

    /**
     * The old text double (rdbLoadDoubleValue): a length byte, 253/254/255 for NaN/+inf/-inf,
     * else that many characters of a number.
     */
    public double readTextDouble() {
        int len = readByte();
        switch (len) {
            case 255 -> {
                return Double.NEGATIVE_INFINITY;
            }
            case 254 -> {
                return Double.POSITIVE_INFINITY;
            }
            case 253 -> {
                return Double.NaN;
            }
            default -> {
                byte[] b = new byte[len];
                readFully(b, 0, len);
                double v = Doubles.parseRangeBound(b, 0, len);
                if (Double.isNaN(v) && !isNanText(b)) {
                    throw new RdbException("invalid double text");
                }
                return v;
            }
        }
    }

    private static boolean isNanText(byte[] b) {
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).trim().toLowerCase(java.util.Locale.ROOT);
        return s.equals("nan") || s.equals("-nan") || s.equals("+nan");
    }

    /** A millisecond Unix time (RDB 9+ stores it little-endian). */
    public long readMillis() {
        return readLe(8);
    }
}
