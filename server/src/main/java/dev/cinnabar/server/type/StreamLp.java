package dev.cinnabar.server.type;

import dev.cinnabar.resp.Ascii;
import java.util.Arrays;

/**
 * Stream nodes are kept in Redis's listpack byte format (listpack.c), byte for byte: Redis
 * decides when a node is full by its listpack size in bytes (stream-node-max-bytes), and node
 * boundaries decide what approximate trimming removes, so keeping the same bytes makes both
 * behave exactly as in Redis. It also makes a node an RDB/DUMP blob as is.
 *
 * <p>Layout: a 6-byte header (total bytes, uint32 little-endian; element count, uint16, 65535 =
 * unknown), the elements, and a 0xFF terminator. An element is an encoding byte (with length or
 * integer bytes), its data, and a "backlen" (the size of encoding + data, 7 bits per byte, high
 * bit set on all but the first byte) that lets the list be walked backwards. Strings that read
 * as canonical 64-bit integers are stored in the smallest integer encoding.
 *
 * <p>A node array may be longer than the listpack (room to append); its real size is the header's
 * total. Static helpers only; positions are byte offsets of an element's first byte.
 */
public final class StreamLp {
    private StreamLp() {}

    static final int HEADER = 6;
    static final int EOF = 0xFF;
    static final int COUNT_UNKNOWN = 0xFFFF;
    /** An empty listpack: header plus terminator. */
    static final int EMPTY_BYTES = HEADER + 1;

    // ---- header -------------------------------------------------------------------------------

    /** The listpack's size in bytes (Redis lpBytes). */
    public static int bytes(byte[] lp) {
        return (lp[0] & 0xFF) | (lp[1] & 0xFF) << 8 | (lp[2] & 0xFF) << 16 | (lp[3] & 0xFF) << 24;
    }

    static void setBytes(byte[] lp, int n) {
        lp[0] = (byte) n;
        lp[1] = (byte) (n >>> 8);
        lp[2] = (byte) (n >>> 16);
        lp[3] = (byte) (n >>> 24);
    }

    static int count(byte[] lp) {
        return (lp[4] & 0xFF) | (lp[5] & 0xFF) << 8;
    }

    static void setCount(byte[] lp, int n) {
        lp[4] = (byte) n;
        lp[5] = (byte) (n >>> 8);
    }

    /** Counts {@code added} more elements, as lpInsert does (an unknown count stays unknown). */
    static void addCount(byte[] lp, int added) {
        int n = count(lp);
        if (n != COUNT_UNKNOWN) {
            setCount(lp, Math.min(n + added, COUNT_UNKNOWN));
        }
    }

    /** A new empty listpack with room for {@code capacity} bytes. */
    static byte[] create(int capacity) {
        byte[] lp = new byte[Math.max(capacity, EMPTY_BYTES)];
        setBytes(lp, EMPTY_BYTES);
        lp[HEADER] = (byte) EOF;
        return lp;
    }

    // ---- navigation ---------------------------------------------------------------------------

    /** Position of the first element, or -1. */
    static int first(byte[] lp) {
        return (lp[HEADER] & 0xFF) == EOF ? -1 : HEADER;
    }

    /** Position of the element after {@code p}, or -1. */
    static int next(byte[] lp, int p) {
        int enc = encodedSize(lp, p);
        int q = p + enc + backlenSize(enc);
        return (lp[q] & 0xFF) == EOF ? -1 : q;
    }

    /** Position of the element before {@code p}, or -1. */
    static int prev(byte[] lp, int p) {
        if (p <= HEADER) {
            return -1;
        }
        int q = p - 1;
        long len = 0;
        int shift = 0;
        while (true) {
            int b = lp[q] & 0xFF;
            len |= (long) (b & 127) << shift;
            if ((b & 128) == 0) {
                break;
            }
            shift += 7;
            q--;
        }
        return q - (int) len;
    }

    /** Position of the last element, or -1. */
    static int last(byte[] lp) {
        int eof = bytes(lp) - 1;
        return eof <= HEADER ? -1 : prev(lp, eof);
    }

    /** Size of the element's encoding byte(s) plus data, without the backlen. */
    static int encodedSize(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        if (b < 0x80) {
            return 1;
        } else if (b < 0xC0) {
            return 1 + (b & 0x3F);
        } else if (b < 0xE0) {
            return 2;
        } else if (b < 0xF0) {
            return 2 + ((b & 0x0F) << 8 | (lp[p + 1] & 0xFF));
        }
        return switch (b) {
            case 0xF0 -> 5 + ((lp[p + 1] & 0xFF) | (lp[p + 2] & 0xFF) << 8 | (lp[p + 3] & 0xFF) << 16
                    | (lp[p + 4] & 0xFF) << 24);
            case 0xF1 -> 3;
            case 0xF2 -> 4;
            case 0xF3 -> 5;
            case 0xF4 -> 9;
            default -> throw new IllegalStateException("bad listpack encoding " + b);
        };
    }

    /** Whole size of the element at {@code p} (encoding, data and backlen). */
    static int elementSize(byte[] lp, int p) {
        int enc = encodedSize(lp, p);
        return enc + backlenSize(enc);
    }

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

    // ---- reading ------------------------------------------------------------------------------

    /** Whether the element holds an integer (else a string). */
    public static boolean isInt(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        return b < 0x80 || (b >= 0xC0 && b < 0xE0) || (b >= 0xF1 && b <= 0xF4);
    }

    /** The integer of an integer element. */
    public static long intValue(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        if (b < 0x80) {
            return b;
        } else if (b >= 0xC0 && b < 0xE0) {
            int u = (b & 0x1F) << 8 | (lp[p + 1] & 0xFF);
            return u >= 1 << 12 ? u - (1 << 13) : u;
        }
        return switch (b) {
            case 0xF1 -> (short) ((lp[p + 1] & 0xFF) | (lp[p + 2] & 0xFF) << 8);
            case 0xF2 -> ((lp[p + 1] & 0xFF) | (lp[p + 2] & 0xFF) << 8 | (lp[p + 3] & 0xFF) << 16) << 8 >> 8;
            case 0xF3 -> (lp[p + 1] & 0xFF) | (lp[p + 2] & 0xFF) << 8 | (lp[p + 3] & 0xFF) << 16
                    | (lp[p + 4] & 0xFF) << 24;
            case 0xF4 -> {
                long v = 0;
                for (int i = 8; i >= 1; i--) {
                    v = v << 8 | (lp[p + i] & 0xFF);
                }
                yield v;
            }
            default -> throw new IllegalStateException("not an integer element");
        };
    }

    /** Offset of a string element's data. */
    public static int strOffset(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        if (b < 0xC0) {
            return p + 1;
        } else if (b < 0xF0) {
            return p + 2;
        }
        return p + 5;
    }

    /** Length of a string element's data. */
    public static int strLength(byte[] lp, int p) {
        int b = lp[p] & 0xFF;
        if (b < 0xC0) {
            return b & 0x3F;
        } else if (b < 0xF0) {
            return (b & 0x0F) << 8 | (lp[p + 1] & 0xFF);
        }
        return (lp[p + 1] & 0xFF) | (lp[p + 2] & 0xFF) << 8 | (lp[p + 3] & 0xFF) << 16 | (lp[p + 4] & 0xFF) << 24;
    }

    /**
     * Whether the element equals the byte string {@code b[off, off+len)}: an integer element
     * equals the canonical text of its value (what Redis compares after lpGet).
     */
    public static boolean matches(byte[] lp, int p, byte[] b, int off, int len) {
        if (isInt(lp, p)) {
            return ListpackSizes.intEncodedSize(b, off, len) != 0 && Ascii.parseLongOr(b, off, len, 0) == intValue(lp, p);
        }
        int so = strOffset(lp, p);
        int sl = strLength(lp, p);
        return sl == len && Arrays.equals(lp, so, so + sl, b, off, off + len);
    }

    // ---- encoding -----------------------------------------------------------------------------

    /** Bytes an integer takes as an element, backlen included. */
    static int intElementSize(long v) {
        int enc = intEncodingSize(v);
        return enc + 1; // integer encodings are at most 9 bytes: a 1-byte backlen
    }

    private static int intEncodingSize(long v) {
        if (v >= 0 && v <= 127) {
            return 1;
        } else if (v >= -4096 && v <= 4095) {
            return 2;
        } else if (v >= -32768 && v <= 32767) {
            return 3;
        } else if (v >= -8388608 && v <= 8388607) {
            return 4;
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return 5;
        }
        return 9;
    }

    /** Writes an integer element at {@code at}; returns the bytes written. */
    static int writeInt(byte[] lp, int at, long v) {
        int p = at;
        if (v >= 0 && v <= 127) {
            lp[p++] = (byte) v;
        } else if (v >= -4096 && v <= 4095) {
            long u = v < 0 ? (1L << 13) + v : v;
            lp[p++] = (byte) ((u >>> 8) | 0xC0);
            lp[p++] = (byte) u;
        } else if (v >= -32768 && v <= 32767) {
            lp[p++] = (byte) 0xF1;
            p = putLe(lp, p, v, 2);
        } else if (v >= -8388608 && v <= 8388607) {
            lp[p++] = (byte) 0xF2;
            p = putLe(lp, p, v, 3);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            lp[p++] = (byte) 0xF3;
            p = putLe(lp, p, v, 4);
        } else {
            lp[p++] = (byte) 0xF4;
            p = putLe(lp, p, v, 8);
        }
        lp[p] = (byte) (p - at); // backlen of at most 9
        return p + 1 - at;
    }

    private static int putLe(byte[] lp, int p, long v, int n) {
        for (int i = 0; i < n; i++) {
            lp[p++] = (byte) (v >>> (8 * i));
        }
        return p;
    }

    /**
     * Bytes the string {@code b[off, off+len)} takes as an element (stored as an integer when it
     * is a canonical one, as lpAppend does).
     */
    static int stringElementSize(byte[] b, int off, int len) {
        if (ListpackSizes.intEncodedSize(b, off, len) != 0) {
            return intElementSize(Ascii.parseLongOr(b, off, len, 0));
        }
        int enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
        return enc + backlenSize(enc);
    }

    /** Writes a string element (or its integer form) at {@code at}; returns the bytes written. */
    static int writeString(byte[] lp, int at, byte[] b, int off, int len) {
        if (ListpackSizes.intEncodedSize(b, off, len) != 0) {
            return writeInt(lp, at, Ascii.parseLongOr(b, off, len, 0));
        }
        int p = at;
        if (len < 64) {
            lp[p++] = (byte) (0x80 | len);
        } else if (len < 4096) {
            lp[p++] = (byte) (0xE0 | (len >>> 8));
            lp[p++] = (byte) len;
        } else {
            lp[p++] = (byte) 0xF0;
            p = putLe(lp, p, len, 4);
        }
        System.arraycopy(b, off, lp, p, len);
        p += len;
        return p + writeBacklen(lp, p, p - at) - at;
    }

    private static int writeBacklen(byte[] lp, int p, long l) {
        int n = backlenSize(l);
        switch (n) {
            case 1 -> lp[p] = (byte) l;
            case 2 -> {
                lp[p] = (byte) (l >>> 7);
                lp[p + 1] = (byte) ((l & 127) | 128);
            }
            case 3 -> {
                lp[p] = (byte) (l >>> 14);
                lp[p + 1] = (byte) (((l >>> 7) & 127) | 128);
                lp[p + 2] = (byte) ((l & 127) | 128);
            }
            case 4 -> {
                lp[p] = (byte) (l >>> 21);
                lp[p + 1] = (byte) (((l >>> 14) & 127) | 128);
                lp[p + 2] = (byte) (((l >>> 7) & 127) | 128);
                lp[p + 3] = (byte) ((l & 127) | 128);
            }
            default -> {
                lp[p] = (byte) (l >>> 28);
                lp[p + 1] = (byte) (((l >>> 21) & 127) | 128);
                lp[p + 2] = (byte) (((l >>> 14) & 127) | 128);
                lp[p + 3] = (byte) (((l >>> 7) & 127) | 128);
                lp[p + 4] = (byte) ((l & 127) | 128);
            }
        }
        return n;
    }

    // ---- validation (loading untrusted bytes) ---------------------------------------------------

    /**
     * Redis lpValidateIntegrity plus streamValidateListpackIntegrity's deep check: whether
     * {@code lp} is a well-formed listpack (sizes, encodings, back-lengths, terminator, count)
     * holding a well-formed stream node (master entry, entries with consistent element counts).
     * Nothing is read outside the array, whatever the bytes.
     */
    public static boolean validStreamNode(byte[] lp) {
        int len = lp.length;
        if (len < EMPTY_BYTES || bytes(lp) != len || (lp[len - 1] & 0xFF) != EOF) {
            return false;
        }
        int n = 0;
        int p = HEADER;
        while (p < len - 1) {
            int size = checkedElementSize(lp, p, len - 1);
            if (size < 0) {
                return false;
            }
            p += size;
            n++;
        }
        if (p != len - 1 || (count(lp) != COUNT_UNKNOWN && count(lp) != n)) {
            return false;
        }
        // The stream layout.
        int[] cur = {first(lp)};
        long live = nextInt(lp, cur);
        long deleted = nextInt(lp, cur);
        long masterFields = nextInt(lp, cur);
        if (live < 0 || deleted < 0 || masterFields < 0 || cur[0] < 0) {
            return false;
        }
        for (long j = 0; j < masterFields; j++) {
            if (!skip(lp, cur)) {
                return false;
            }
        }
        if (nextInt(lp, cur) != 0) {
            return false;
        }
        long seenDeleted = 0;
        for (long e = live + deleted; e > 0; e--) {
            long flags = nextInt(lp, cur);
            if (flags < 0 || flags > 3) {
                return false;
            }
            seenDeleted += flags & StreamValue.FLAG_DELETED;
            if (nextInt(lp, cur) == Long.MIN_VALUE || nextInt(lp, cur) == Long.MIN_VALUE) {
                return false;
            }
            long fields = masterFields;
            long extra = 3;
            if ((flags & StreamValue.FLAG_SAMEFIELDS) == 0) {
                fields = nextInt(lp, cur);
                if (fields < 0) {
                    return false;
                }
                for (long j = 0; j < fields; j++) {
                    if (!skip(lp, cur)) {
                        return false;
                    }
                }
                extra += fields + 1;
            }
            for (long j = 0; j < fields; j++) {
                if (!skip(lp, cur)) {
                    return false;
                }
            }
            if (nextInt(lp, cur) != fields + extra) {
                return false;
            }
        }
        return cur[0] == -1 && seenDeleted == deleted;
    }

    /** Reads the integer at cur[0] and advances; Long.MIN_VALUE when missing or not an integer. */
    private static long nextInt(byte[] lp, int[] cur) {
        int p = cur[0];
        if (p < 0 || !isInt(lp, p)) {
            cur[0] = -1;
            return Long.MIN_VALUE;
        }
        long v = intValue(lp, p);
        cur[0] = next(lp, p);
        return v;
    }

    private static boolean skip(byte[] lp, int[] cur) {
        if (cur[0] < 0) {
            return false;
        }
        cur[0] = next(lp, cur[0]);
        return true;
    }

    /** Size of the element at {@code p} if it lies within {@code [p, limit)} and is sound, else -1. */
    private static int checkedElementSize(byte[] lp, int p, int limit) {
        int b = lp[p] & 0xFF;
        long enc;
        if (b < 0x80) {
            enc = 1;
        } else if (b < 0xC0) {
            enc = 1 + (b & 0x3F);
        } else if (b < 0xE0) {
            enc = 2;
        } else if (b < 0xF0) {
            if (p + 1 >= limit) {
                return -1;
            }
            enc = 2 + ((b & 0x0F) << 8 | (lp[p + 1] & 0xFF));
        } else if (b == 0xF0) {
            if (p + 4 >= limit) {
                return -1;
            }
            enc = 5 + ((lp[p + 1] & 0xFFL) | (lp[p + 2] & 0xFFL) << 8 | (lp[p + 3] & 0xFFL) << 16
                    | (lp[p + 4] & 0xFFL) << 24);
        } else if (b >= 0xF1 && b <= 0xF4) {
            enc = b == 0xF1 ? 3 : b == 0xF2 ? 4 : b == 0xF3 ? 5 : 9;
        } else {
            return -1;
        }
        long total = enc + backlenSize(enc);
        if (p + total > limit) {
            return -1;
        }
        // The back-length must describe the element, or walking backwards would go astray.
        int q = (int) (p + total - 1);
        long back = 0;
        int shift = 0;
        while (true) {
            int c = lp[q] & 0xFF;
            back |= (long) (c & 127) << shift;
            if ((c & 128) == 0) {
                break;
            }
            shift += 7;
            if (--q < p + enc) {
                return -1;
            }
        }
        return back == enc ? (int) total : -1;
    }

    // ---- editing ------------------------------------------------------------------------------

    /** {@code lp} with room for {@code extra} more bytes (a larger copy when needed). */
    static byte[] ensure(byte[] lp, int extra) {
        int need = bytes(lp) + extra;
        if (need <= lp.length) {
            return lp;
        }
        int n = Math.max(need, lp.length + (lp.length >> 1));
        return Arrays.copyOf(lp, n);
    }

    /**
     * Replaces the integer element at {@code p} with {@code v} (Redis lpReplaceInteger); the
     * rest of the listpack moves when the new encoding has another size. Returns the listpack,
     * possibly a new array.
     */
    static byte[] replaceInt(byte[] lp, int p, long v) {
        int old = elementSize(lp, p);
        int now = intElementSize(v);
        int total = bytes(lp);
        if (now != old) {
            if (now > old) {
                lp = ensure(lp, now - old);
            }
            System.arraycopy(lp, p + old, lp, p + now, total - p - old);
            setBytes(lp, total + now - old);
        }
        writeInt(lp, p, v);
        return lp;
    }

    /** A copy trimmed to the listpack's size (Redis lpShrinkToFit). */
    static byte[] shrink(byte[] lp) {
        int n = bytes(lp);
        return n == lp.length ? lp : Arrays.copyOf(lp, n);
    }
}
