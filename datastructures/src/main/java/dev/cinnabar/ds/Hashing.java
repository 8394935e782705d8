package dev.cinnabar.ds;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * Seeded 32-bit hash over byte ranges, used to place keys in {@link KeyTable}.
 *
 * <p>The seed is drawn once per process from {@link SecureRandom}: clients choose key names, so
 * with a fixed, public function an attacker could craft thousands of colliding keys and turn
 * every lookup into a long probe (hash flooding). Redis defends the same way with a seeded
 * SipHash. The mixing here is a multiply-fold construction in the wyhash family: 64x64->128-bit
 * multiplies whose halves are xor-ed together, fed by little-endian 8-byte loads. It is
 * several times faster than SipHash on short keys, which dominate a keyspace.
 *
 * <p>The seed can be pinned with {@code -Dcinnabar.hashSeed=<long>} to reproduce a run (for
 * debugging only: a pinned seed gives up the flooding defence).
 */
public final class Hashing {
    private Hashing() {}

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    // Odd 64-bit constants with well-spread bits (golden ratio and the SplitMix64 multipliers);
    // any such constants work, they only need to break symmetry between the inputs.
    private static final long K0 = 0x9E3779B97F4A7C15L;
    private static final long K1 = 0xBF58476D1CE4E5B9L;
    private static final long K2 = 0x94D049BB133111EBL;
    private static final long K3 = 0xD6E8FEB86659FD93L;

    /** The per-process seed. */
    static final long SEED = initialSeed();

    private static long initialSeed() {
        String pinned = System.getProperty("cinnabar.hashSeed");
        if (pinned != null) {
            return Long.parseLong(pinned.trim());
        }
        return new SecureRandom().nextLong();
    }

    /** Hash of {@code b[off, off+len)} under the process seed. */
    public static int hash(byte[] b, int off, int len) {
        return hash(SEED, b, off, len);
    }

    /** Hash of {@code b[off, off+len)} under an explicit seed (tests, and per-structure seeds). */
    public static int hash(long seed, byte[] b, int off, int len) {
        // Bounds are checked once here so that the VarHandle loads below cannot go astray; the
        // JIT folds the per-load checks against this one.
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        long s = seed ^ K0;
        long a;
        long c;
        if (len <= 16) {
            if (len >= 8) {
                // Two possibly overlapping loads cover 8..16 bytes without a loop or a tail.
                a = (long) LONG_LE.get(b, off);
                c = (long) LONG_LE.get(b, off + len - 8);
            } else if (len >= 4) {
                a = Integer.toUnsignedLong((int) INT_LE.get(b, off));
                c = Integer.toUnsignedLong((int) INT_LE.get(b, off + len - 4));
            } else if (len > 0) {
                // First, middle and last byte: for 1..3 bytes this reads every byte at least once.
                a = ((b[off] & 0xFFL) << 16) | ((b[off + (len >>> 1)] & 0xFFL) << 8)
                        | (b[off + len - 1] & 0xFFL);
                c = 0;
            } else {
                a = 0;
                c = 0;
            }
        } else {
            int i = off;
            int rest = len;
            if (rest > 32) {
                // Two independent lanes let the multiplier pipeline overlap on long values.
                long s2 = s ^ K3;
                do {
                    s = mum((long) LONG_LE.get(b, i) ^ K1, (long) LONG_LE.get(b, i + 8) ^ s);
                    s2 = mum((long) LONG_LE.get(b, i + 16) ^ K2, (long) LONG_LE.get(b, i + 24) ^ s2);
                    i += 32;
                    rest -= 32;
                } while (rest > 32);
                s ^= s2;
            }
            if (rest > 16) {
                s = mum((long) LONG_LE.get(b, i) ^ K1, (long) LONG_LE.get(b, i + 8) ^ s);
            }
            // The last 16 bytes (overlapping what was consumed when len is not a multiple of 16).
            a = (long) LONG_LE.get(b, off + len - 16);
            c = (long) LONG_LE.get(b, off + len - 8);
        }
        // The length goes into the final round: the overlapping loads alone would make, e.g.,
        // a 9-byte and a 10-byte key of repeated bytes look alike.
        long r = mum(a ^ K1, c ^ s);
        r = mum(r ^ K2, ((long) len << 32 | len) ^ K3 ^ s);
        return (int) (r ^ (r >>> 32));
    }

    /** Multiply to 128 bits and fold the halves: each output bit depends on all input bits. */
    private static long mum(long x, long y) {
        return (x * y) ^ Math.unsignedMultiplyHigh(x, y);
    }
}
