package dev.cinnabar.server.type;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Bit-level primitives over a byte range of an array, for the bitmap commands (SETBIT, BITCOUNT,
 * BITPOS, BITOP, BITFIELD). Bit 0 is the most significant bit of the first byte, so a range read
 * as big-endian 64-bit words has its bits in command order and {@link Long#numberOfLeadingZeros}
 * finds the first set bit. Whole words go through {@link VarHandle} views (unaligned access is
 * fine for plain reads and writes), never bit by bit.
 *
 * <p>Knows nothing about clients or the keyspace.
 */
public final class Bitmaps {
    private Bitmaps() {}

    /** Big-endian view: word bit 63 is the first bit of the first byte. */
    private static final VarHandle BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** Native-order view, for operations where bit order does not matter (count, and, or...). */
    private static final VarHandle NATIVE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** Number of set bits in {@code a[off, off + len)}. */
    public static long popcount(byte[] a, int off, int len) {
        long n = 0;
        int i = off;
        int end = off + len;
        // Four independent sums per step keep the popcnt units busy.
        long n1 = 0;
        long n2 = 0;
        long n3 = 0;
        for (; i + 32 <= end; i += 32) {
            n += Long.bitCount((long) NATIVE.get(a, i));
            n1 += Long.bitCount((long) NATIVE.get(a, i + 8));
            n2 += Long.bitCount((long) NATIVE.get(a, i + 16));
            n3 += Long.bitCount((long) NATIVE.get(a, i + 24));
        }
        n += n1 + n2 + n3;
        for (; i + 8 <= end; i += 8) {
            n += Long.bitCount((long) NATIVE.get(a, i));
        }
        for (; i < end; i++) {
            n += Integer.bitCount(a[i] & 0xFF);
        }
        return n;
    }

    /**
     * Position (from the start of the range) of the first bit equal to {@code bit} in
     * {@code a[off, off + len)}. When there is none: -1 when looking for a one, and
     * {@code len * 8} when looking for a zero, as if the range were followed by zero bits.
     */
    public static long firstBit(byte[] a, int off, int len, int bit) {
        int i = off;
        int end = off + len;
        // A word with a match: any non-zero word for ones; any word not all ones for zeros.
        long flip = bit == 1 ? 0 : -1L;
        for (; i + 8 <= end; i += 8) {
            long w = (long) BE.get(a, i) ^ flip;
            if (w != 0) {
                return (long) (i - off) * 8 + Long.numberOfLeadingZeros(w);
            }
        }
        for (; i < end; i++) {
            int b = (a[i] ^ (int) flip) & 0xFF;
            if (b != 0) {
                return (long) (i - off) * 8 + Integer.numberOfLeadingZeros(b) - 24;
            }
        }
        return bit == 1 ? -1 : (long) len * 8;
    }

    /** {@link #firstBit} over a single byte value: 0..7, or -1 (ones) / 8 (zeros) when absent. */
    public static int firstBitInByte(int b, int bit) {
        int x = (bit == 1 ? b : ~b) & 0xFF;
        if (x == 0) {
            return bit == 1 ? -1 : 8;
        }
        return Integer.numberOfLeadingZeros(x) - 24;
    }

    /** Bit {@code bitOffset} of the range, 0 past its end. */
    public static int getBit(byte[] a, int off, int len, long bitOffset) {
        long byteIdx = bitOffset >>> 3;
        if (byteIdx >= len) {
            return 0;
        }
        return (a[off + (int) byteIdx] >> (7 - (int) (bitOffset & 7))) & 1;
    }

    /** Sets bit {@code bitOffset} (inside the array) to {@code on}; returns its previous value. */
    public static int setBit(byte[] a, long bitOffset, int on) {
        int idx = (int) (bitOffset >>> 3);
        int shift = 7 - (int) (bitOffset & 7);
        int old = (a[idx] >> shift) & 1;
        a[idx] = (byte) ((a[idx] & ~(1 << shift)) | (on << shift));
        return old;
    }

    // ---- bit fields (BITFIELD) -------------------------------------------------------------------

    /** Byte {@code i} of the range, 0 past its end (fields read as if the string were zero-padded). */
    private static int byteAt(byte[] a, int off, int len, long i) {
        return i < len ? a[off + (int) i] & 0xFF : 0;
    }

    /**
     * The {@code bits}-wide (1..64) unsigned field at {@code bitOffset}, read as zero past the end
     * of the range. A field touches at most 9 bytes: the first 8 form a big-endian window and
     * the 9th supplies the low bits when the field ends beyond it.
     */
    public static long getUnsigned(byte[] a, int off, int len, long bitOffset, int bits) {
        long first = bitOffset >>> 3;
        int shift = (int) (bitOffset & 7);
        long w;
        if (first + 8 <= len) {
            w = (long) BE.get(a, off + (int) first);
        } else {
            w = 0;
            for (int k = 0; k < 8; k++) {
                w = (w << 8) | byteAt(a, off, len, first + k);
            }
        }
        long v = w << shift;
        if (shift + bits > 64) {
            v |= byteAt(a, off, len, first + 8) >>> (8 - shift);
        }
        return bits == 64 ? v : v >>> (64 - bits);
    }

    /** The {@code bits}-wide two's complement field at {@code bitOffset}, sign-extended. */
    public static long getSigned(byte[] a, int off, int len, long bitOffset, int bits) {
        long u = getUnsigned(a, off, len, bitOffset, bits);
        return bits == 64 ? u : (u << (64 - bits)) >> (64 - bits);
    }

    /**
     * Writes the low {@code bits} bits of {@code value} at {@code bitOffset}. The array must hold
     * every byte the field touches; the bits around the field are kept.
     */
    public static void setField(byte[] a, long bitOffset, int bits, long value) {
        int first = (int) (bitOffset >>> 3);
        int shift = (int) (bitOffset & 7);
        long ones = bits == 64 ? -1L : (1L << bits) - 1;
        long v = value & ones;
        // The field left-aligned in a 72-bit window: 64 bits in hi, 8 in the ninth byte.
        int spill = shift + bits - 64; // bits of the field that fall into the ninth byte
        long hiMask = (ones << (64 - bits)) >>> shift;
        long hiVal = (v << (64 - bits)) >>> shift;
        int nbytes = (shift + bits + 7) >>> 3;
        if (nbytes >= 8 && first + 8 <= a.length) {
            long w = (long) BE.get(a, first);
            BE.set(a, first, (w & ~hiMask) | hiVal);
        } else {
            for (int k = 0; k < Math.min(nbytes, 8); k++) {
                int sh = 56 - 8 * k;
                int m = (int) (hiMask >>> sh) & 0xFF;
                int x = (int) (hiVal >>> sh) & 0xFF;
                a[first + k] = (byte) ((a[first + k] & ~m) | x);
            }
        }
        if (spill > 0) {
            int m = ((1 << spill) - 1) << (8 - spill);
            int x = (int) (v & ((1L << spill) - 1)) << (8 - spill);
            a[first + 8] = (byte) ((a[first + 8] & ~m) | x);
        }
    }

    // ---- overflow of bit fields (BITFIELD OVERFLOW WRAP|SAT|FAIL) -----------------------------------
    //
    // Redis decides overflow with 64-bit two's complement arithmetic whose intermediate results
    // may wrap; the checks below do the same computations (Java longs wrap the same way), so
    // odd inputs such as SET i8 with -2^63 are classified exactly as Redis classifies them.

    /** Largest value of an unsigned field of {@code bits} (1..63) bits. */
    public static long unsignedMax(int bits) {
        return (1L << bits) - 1;
    }

    /**
     * Whether {@code value + incr} leaves the range of an unsigned field ({@code value} taken as
     * unsigned): 1 above it, -1 below it, 0 inside.
     */
    public static int unsignedOverflow(long value, long incr, int bits) {
        long max = unsignedMax(bits);
        long maxIncr = max - value;
        long minIncr = -value;
        if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxIncr)) {
            return 1;
        }
        if (incr < 0 && incr < minIncr) {
            return -1;
        }
        return 0;
    }

    /** {@code value + incr} wrapped into an unsigned field of {@code bits} (1..63) bits. */
    public static long unsignedWrap(long value, long incr, int bits) {
        return (value + incr) & ~(-1L << bits);
    }

    public static long signedMax(int bits) {
        return bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
    }

    public static long signedMin(int bits) {
        return -signedMax(bits) - 1;
    }

    /** Whether {@code value + incr} leaves the range of a signed field: 1 above, -1 below, 0 inside. */
    public static int signedOverflow(long value, long incr, int bits) {
        long max = signedMax(bits);
        long min = -max - 1;
        long maxIncr = max - value;
        long minIncr = min - value;
        if (value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr)) {
            return 1;
        }
        if (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr)) {
            return -1;
        }
        return 0;
    }

    /** {@code value + incr} wrapped into a signed field of {@code bits} bits (sign-extended). */
    public static long signedWrap(long value, long incr, int bits) {
        long c = value + incr;
        if (bits < 64) {
            long high = -1L << bits;
            c = (c & (1L << (bits - 1))) != 0 ? c | high : c & ~high;
        }
        return c;
    }

    // ---- BITOP -------------------------------------------------------------------------------------

    public static final int AND = 0;
    public static final int OR = 1;
    public static final int XOR = 2;
    public static final int NOT = 3;

    /**
     * Combines {@code src[off, off + len)} into {@code res[0, resLen)} with AND, OR or XOR, the
     * source counting as zero bytes past its end.
     */
    public static void combine(int op, byte[] res, int resLen, byte[] src, int off, int len) {
        int n = Math.min(len, resLen);
        int i = 0;
        switch (op) {
            case AND -> {
                for (; i + 8 <= n; i += 8) {
                    NATIVE.set(res, i, (long) NATIVE.get(res, i) & (long) NATIVE.get(src, off + i));
                }
                for (; i < n; i++) {
                    res[i] &= src[off + i];
                }
                java.util.Arrays.fill(res, n, resLen, (byte) 0);
            }
            case OR -> {
                for (; i + 8 <= n; i += 8) {
                    NATIVE.set(res, i, (long) NATIVE.get(res, i) | (long) NATIVE.get(src, off + i));
                }
                for (; i < n; i++) {
                    res[i] |= src[off + i];
                }
            }
            case XOR -> {
                for (; i + 8 <= n; i += 8) {
                    NATIVE.set(res, i, (long) NATIVE.get(res, i) ^ (long) NATIVE.get(src, off + i));
                }
                for (; i < n; i++) {
                    res[i] ^= src[off + i];
                }
            }
            default -> throw new IllegalArgumentException("op " + op);
        }
    }

    /** Inverts every bit of {@code res[0, len)}. */
    public static void invert(byte[] res, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            NATIVE.set(res, i, ~(long) NATIVE.get(res, i));
        }
        for (; i < len; i++) {
            res[i] = (byte) ~res[i];
        }
    }
}
