package dev.cinnabar.server.persistence.rdb;

import dev.cinnabar.resp.Ascii;

/**
 * Decoders for the compact encodings Redis stores as single RDB strings: listpack (7.0+),
 * ziplist (before 7.0), intset and zipmap (before 2.6). Each walks the blob once, checks it the
 * way Redis's validate-integrity functions do, and hands every element to a {@link Sink}.
 *
 * <p>Redis checks listpacks and intsets shallowly (header, size, terminator) unless
 * sanitize-dump-payload asks for a deep check. We must read every element anyway to build our
 * own structures, so entry bounds and encodings are always checked (an entry that would read
 * past the blob is never accepted); "deep" adds what only Redis's deep pass verifies: each
 * listpack entry's back-length, the header's element count, and intset ordering. Ziplists and
 * zipmaps are always checked deeply, as in Redis.
 *
 * <p>Integers are handed over as their decimal text (what Redis's lpGet / ziplistGet callers
 * turn them into), in a scratch buffer valid during the callback only.
 */
final class RedisBlobs {
    private RedisBlobs() {}

    /** Receives elements: {@code a[off, off+len)} is valid during the call only. */
    @FunctionalInterface
    interface Sink {
        void element(byte[] a, int off, int len);
    }

    /** Receives intset members. */
    @FunctionalInterface
    interface IntSink {
        void value(long v);
    }

    private static RdbException bad(String what) {
        return new RdbException(what + " integrity check failed");
    }

    private static long le(byte[] b, int p, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (b[p + i] & 0xFFL) << (8 * i);
        }
        return v;
    }

    /** {@code n} bytes little-endian, sign-extended. */
    private static long leSigned(byte[] b, int p, int n) {
        long v = le(b, p, n);
        int shift = 64 - 8 * n;
        return (v << shift) >> shift;
    }

    // ---- listpack (listpack.c lpValidateIntegrity / lpValidateNext) -------------------------------

    static final int LP_HEADER = 6;
    static final int LP_EOF = 0xFF;
    private static final int LP_COUNT_UNKNOWN = 0xFFFF;

    /** Bytes of the back-length field for an entry whose encoding takes {@code l} bytes. */
    static int backlenSize(long l) {
        if (l <= 127) {
            return 1;
        } else if (l < 16383) {
            return 2;
        } else if (l < 2097151) {
            return 3;
        } else if (l < 268435455) {
            return 4;
        }
        return 5;
    }

    /**
     * Walks a Redis listpack, handing each element to {@code sink}. Returns the number of
     * elements. Throws {@link RdbException} when the blob is malformed.
     */
    static int listpack(byte[] b, boolean deep, Sink sink) {
        int size = b.length;
        if (size < LP_HEADER + 1 || le(b, 0, 4) != size || (b[size - 1] & 0xFF) != LP_EOF) {
            throw bad("listpack");
        }
        int last = size - 1; // index of the terminator: no entry byte may reach it
        byte[] num = new byte[20];
        int count = 0;
        int p = LP_HEADER;
        while ((b[p] & 0xFF) != LP_EOF) {
            int e = b[p] & 0xFF;
            int header;
            long dataLen;
            long intValue = 0;
            boolean isInt = true;
            if ((e & 0x80) == 0) {
                header = 1;
                dataLen = 0;
                intValue = e;
            } else if ((e & 0xC0) == 0x80) {
                header = 1;
                dataLen = e & 0x3F;
                isInt = false;
            } else if ((e & 0xE0) == 0xC0) {
                header = 2;
                dataLen = 0;
            } else if ((e & 0xF0) == 0xE0) {
                header = 2;
                isInt = false;
                dataLen = 0; // read below, once the second byte is known to be inside
            } else {
                switch (e) {
                    case 0xF0 -> {
                        header = 5;
                        isInt = false;
                        dataLen = 0;
                    }
                    case 0xF1 -> {
                        header = 1;
                        dataLen = 2;
                    }
                    case 0xF2 -> {
                        header = 1;
                        dataLen = 3;
                    }
                    case 0xF3 -> {
                        header = 1;
                        dataLen = 4;
                    }
                    case 0xF4 -> {
                        header = 1;
                        dataLen = 8;
                    }
                    default -> throw bad("listpack");
                }
            }
            if ((long) p + header > last) {
                throw bad("listpack");
            }
            if (!isInt) {
                if ((e & 0xF0) == 0xE0) {
                    dataLen = ((e & 0x0F) << 8) | (b[p + 1] & 0xFF);
                } else if (e == 0xF0) {
                    dataLen = le(b, p + 1, 4);
                }
            }
            long encLen = header + dataLen;
            long entryLen = encLen + backlenSize(encLen);
            if (p + entryLen > last) {
                throw bad("listpack");
            }
            int data = p + header;
            if (deep && decodeBacklen(b, (int) (p + entryLen - 1)) != encLen) {
                throw bad("listpack");
            }
            if (isInt) {
                if ((e & 0xE0) == 0xC0) {
                    long u = ((e & 0x1F) << 8) | (b[p + 1] & 0xFF);
                    intValue = u >= (1 << 12) ? u - (1 << 13) : u;
                } else if (e >= 0xF1) {
                    intValue = leSigned(b, data, (int) dataLen);
                }
                sink.element(num, 0, Ascii.putLong(num, 0, intValue));
            } else {
                sink.element(b, data, (int) dataLen);
            }
            count++;
            p += (int) entryLen;
        }
        if (p != last) {
            throw bad("listpack");
        }
        if (deep) {
            int header = (int) le(b, 4, 2);
            if (header != LP_COUNT_UNKNOWN && header != count) {
                throw bad("listpack");
            }
        }
        return count;
    }

    /** lpDecodeBacklen: the 7-bit groups ending at {@code p}, read backwards; -1 if too long. */
    private static long decodeBacklen(byte[] b, int p) {
        long v = 0;
        int shift = 0;
        while (true) {
            v |= (long) (b[p] & 127) << shift;
            if ((b[p] & 128) == 0) {
                return v;
            }
            shift += 7;
            p--;
            if (shift > 28 || p < 0) {
                return -1;
            }
        }
    }

    // ---- ziplist (ziplist.c ziplistValidateIntegrity / zipEntrySafe) -------------------------------

    private static final int ZL_HEADER = 10;
    private static final int ZL_END = 0xFF;
    private static final int ZL_BIG_PREVLEN = 254;

    /**
     * Walks a ziplist with Redis's deep checks (bounds of every entry, each entry's record of the
     * previous entry's size, the tail offset, the header count). Returns the element count.
     */
    static int ziplist(byte[] b, Sink sink) {
        int size = b.length;
        if (size < ZL_HEADER + 1 || le(b, 0, 4) != size || (b[size - 1] & 0xFF) != ZL_END
                || le(b, 4, 4) > size - 1) {
            throw bad("ziplist");
        }
        int last = size - 1;
        long tail = le(b, 4, 4);
        int headerCount = (int) le(b, 8, 2);
        byte[] num = new byte[20];
        int count = 0;
        long prevRaw = 0;
        int prevPos = -1;
        int p = ZL_HEADER;
        while ((b[p] & 0xFF) != ZL_END) {
            int prevLenSize = (b[p] & 0xFF) < ZL_BIG_PREVLEN ? 1 : 5;
            if (p + prevLenSize > last) {
                throw bad("ziplist");
            }
            long prevLen = prevLenSize == 1 ? b[p] & 0xFF : le(b, p + 1, 4);
            int q = p + prevLenSize;
            int enc = b[q] & 0xFF;
            if (enc < 0xC0) {
                enc &= 0xC0;
            }
            int lenSize;
            switch (enc) {
                case 0x00, 0xC0, 0xD0, 0xE0, 0xF0, 0xFE -> lenSize = 1;
                case 0x40 -> lenSize = 2;
                case 0x80 -> lenSize = 5;
                default -> {
                    if (enc >= 0xF1 && enc <= 0xFD) {
                        lenSize = 1;
                    } else {
                        throw bad("ziplist");
                    }
                }
            }
            if (q + lenSize > last) {
                throw bad("ziplist");
            }
            long len;
            boolean isString = enc < 0xC0;
            switch (enc) {
                case 0x00 -> len = b[q] & 0x3F;
                case 0x40 -> len = ((b[q] & 0x3F) << 8) | (b[q + 1] & 0xFF);
                case 0x80 -> len = ((b[q + 1] & 0xFFL) << 24) | ((b[q + 2] & 0xFF) << 16) | ((b[q + 3] & 0xFF) << 8)
                        | (b[q + 4] & 0xFF);
                case 0xFE -> len = 1;
                case 0xC0 -> len = 2;
                case 0xF0 -> len = 3;
                case 0xD0 -> len = 4;
                case 0xE0 -> len = 8;
                default -> len = 0; // 4-bit immediate
            }
            long headerSize = prevLenSize + lenSize;
            if (p + headerSize + len > last || p - prevLen < ZL_HEADER || prevLen != prevRaw) {
                throw bad("ziplist");
            }
            int data = (int) (p + headerSize);
            if (isString) {
                sink.element(b, data, (int) len);
            } else {
                long v = enc >= 0xF1 && enc <= 0xFD ? (enc & 0x0F) - 1 : leSigned(b, data, (int) len);
                sink.element(num, 0, Ascii.putLong(num, 0, v));
            }
            prevRaw = headerSize + len;
            prevPos = p;
            p += (int) prevRaw;
            count++;
        }
        if (p != last || (prevPos >= 0 && prevPos != tail)
                || (headerCount != 0xFFFF && count != headerCount)) {
            throw bad("ziplist");
        }
        return count;
    }

    // ---- intset (intset.c intsetValidateIntegrity) ------------------------------------------------

    /**
     * Reads an intset: a 32-bit width (2, 4 or 8), a 32-bit count, then the members
     * little-endian. An empty intset is invalid. With {@code deep}, members must be strictly
     * ascending; without, out-of-order or repeated members are reported as {@code false} so the
     * caller can decide (our intset cannot hold them). Returns true when strictly ascending.
     */
    static boolean intset(byte[] b, boolean deep, IntSink sink) {
        if (b.length < 8) {
            throw bad("intset");
        }
        long width = le(b, 0, 4);
        if (width != 2 && width != 4 && width != 8) {
            throw bad("intset");
        }
        long count = le(b, 4, 4);
        if (8 + count * width != b.length || count == 0) {
            throw bad("intset");
        }
        boolean ascending = true;
        long prev = 0;
        for (int i = 0; i < count; i++) {
            long v = leSigned(b, 8 + i * (int) width, (int) width);
            if (i > 0 && v <= prev) {
                if (deep) {
                    throw bad("intset");
                }
                ascending = false;
            }
            prev = v;
            sink.value(v);
        }
        return ascending;
    }

    // ---- zipmap (zipmap.c zipmapValidateIntegrity, always deep) -----------------------------------

    private static final int ZM_BIGLEN = 254;
    private static final int ZM_END = 0xFF;

    /** Receives zipmap field/value pairs. */
    @FunctionalInterface
    interface PairSink {
        void pair(byte[] a, int fOff, int fLen, int vOff, int vLen);
    }

    /** Walks a zipmap: a count byte, then field/value pairs with length prefixes and free bytes. */
    static int zipmap(byte[] b, PairSink sink) {
        int size = b.length;
        if (size < 2 || (b[size - 1] & 0xFF) != ZM_END) {
            throw bad("zipmap");
        }
        int last = size - 1;
        int count = 0;
        long p = 1;
        while ((b[(int) p] & 0xFF) != ZM_END) {
            int s = (b[(int) p] & 0xFF) < ZM_BIGLEN ? 1 : 5;
            if (p + s > last) {
                throw bad("zipmap");
            }
            long fLen = s == 1 ? b[(int) p] & 0xFF : le(b, (int) p + 1, 4);
            long fOff = p + s;
            p = fOff + fLen;
            if (p > last) {
                throw bad("zipmap");
            }
            s = (b[(int) p] & 0xFF) < ZM_BIGLEN ? 1 : 5;
            if (p + s > last) {
                throw bad("zipmap");
            }
            long vLen = s == 1 ? b[(int) p] & 0xFF : le(b, (int) p + 1, 4);
            p += s;
            int free = b[(int) p] & 0xFF;
            long vOff = p + 1;
            p = vOff + vLen + free;
            if (p > last) {
                throw bad("zipmap");
            }
            sink.pair(b, (int) fOff, (int) fLen, (int) vOff, (int) vLen);
            count++;
        }
        if (count == 0 || ((b[0] & 0xFF) != ZM_BIGLEN && (b[0] & 0xFF) != count)) {
            throw bad("zipmap");
        }
        return count;
    }
}
