package dev.cinnabar.server.type;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.random.RandomGenerator;

/**
 * HyperLogLog cardinality estimation in Redis's byte format, so that a value written by Redis
 * counts the same here and the other way round. A HyperLogLog is a plain string value:
 *
 * <pre>
 *   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality (8 bytes LE)
 * </pre>
 * followed by 16384 registers of 6 bits. The top bit of the last cardinality byte set means
 * "cache stale". Registers are stored either
 * <ul>
 *   <li><b>dense</b>: 12288 bytes, register i at bit 6*i, least significant bits first;</li>
 *   <li><b>sparse</b>: a run-length code of ZERO (00xxxxxx: 1-64 zero registers), XZERO
 *       (01xxxxxx yyyyyyyy: 1-16384 zero registers) and VAL (1vvvvvxx: 1-4 registers of value
 *       1-32) opcodes, used while it is shorter than hll-sparse-max-bytes and every register
 *       fits in 5 bits.</li>
 * </ul>
 * Elements are hashed with MurmurHash64A (Redis's seed); the low 14 bits pick the register and
 * the run of zero bits above them, plus one, is the candidate register value. The estimate is
 * Ertl's improved estimator over the register histogram, computed with the same floating point
 * operations in the same order as Redis 7, so counts are identical.
 *
 * <p>Values may be corrupt (anyone can SETRANGE them): every reader here stays inside the value
 * and reports corruption instead of failing. A read one byte past the end yields 0, which is
 * what Redis reads there (the string's terminating NUL). Data-structure code: nothing here knows
 * about clients or replies.
 */
public final class HyperLogLog {
    private HyperLogLog() {}

    public static final int HEADER = 16;
    static final int P = 14;
    static final int Q = 64 - P;
    public static final int REGISTERS = 1 << P;
    static final int P_MASK = REGISTERS - 1;
    static final int REGISTER_MAX = 63;
    /** Length of a dense value: header plus 16384 six-bit registers. */
    public static final int DENSE_SIZE = HEADER + (REGISTERS * 6 + 7) / 8;
    public static final int DENSE = 0;
    public static final int SPARSE = 1;
    static final int SPARSE_VAL_MAX_VALUE = 32;
    static final int SPARSE_VAL_MAX_LEN = 4;
    static final int SPARSE_ZERO_MAX_LEN = 64;
    static final int SPARSE_XZERO_MAX_LEN = 16384;
    /** 0.5 / ln(2): the estimator's constant for m -> infinity. */
    static final double ALPHA_INF = 0.721347520444481703680;
    static final long SEED = 0xadc83b19L;

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    // ---- hashing ----------------------------------------------------------------------------------

    /** MurmurHash2, 64-bit variant A, reading the input as little-endian words (endian neutral). */
    static long murmur64a(byte[] d, int off, int len) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        long h = SEED ^ ((long) len * m);
        int end = off + (len & ~7);
        for (int p = off; p < end; p += 8) {
            long k = (long) LONG_LE.get(d, p);
            k *= m;
            k ^= k >>> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        int t = end;
        switch (len & 7) {
            case 7:
                h ^= (long) (d[t + 6] & 0xFF) << 48;
                // fall through
            case 6:
                h ^= (long) (d[t + 5] & 0xFF) << 40;
                // fall through
            case 5:
                h ^= (long) (d[t + 4] & 0xFF) << 32;
                // fall through
            case 4:
                h ^= (long) (d[t + 3] & 0xFF) << 24;
                // fall through
            case 3:
                h ^= (long) (d[t + 2] & 0xFF) << 16;
                // fall through
            case 2:
                h ^= (long) (d[t + 1] & 0xFF) << 8;
                // fall through
            case 1:
                h ^= d[t] & 0xFF;
                h *= m;
                break;
            default:
                break;
        }
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }

    /**
     * The register an element maps to and the value it proposes for it (the length of the
     * "000..1" pattern above the index bits, 1 to Q+1), packed as {@code index << 8 | count}.
     */
    static int patLen(byte[] d, int off, int len) {
        long hash = murmur64a(d, off, len);
        int index = (int) (hash & P_MASK);
        hash >>>= P;
        hash |= 1L << Q; // bounds the run so the count is at most Q+1
        return index << 8 | (Long.numberOfTrailingZeros(hash) + 1);
    }

    // ---- header ---------------------------------------------------------------------------------

    /** A new empty HyperLogLog: sparse, all registers zero (one XZERO opcode), cache valid (0). */
    public static byte[] newSparse() {
        byte[] b = new byte[HEADER + 2];
        b[0] = 'H';
        b[1] = 'Y';
        b[2] = 'L';
        b[3] = 'L';
        b[4] = SPARSE;
        setXzero(b, HEADER, REGISTERS);
        return b;
    }

    /**
     * Whether a string value has a HyperLogLog's shape (Redis isHLLObjectOrReply): a header
     * with the magic and a known encoding, and the exact length when dense. Sparse contents
     * are checked only when read.
     */
    public static boolean looksValid(byte[] a, int off, int len) {
        if (len < HEADER || a[off] != 'H' || a[off + 1] != 'Y' || a[off + 2] != 'L' || a[off + 3] != 'L') {
            return false;
        }
        int enc = a[off + 4] & 0xFF;
        if (enc > SPARSE) {
            return false;
        }
        return enc != DENSE || len == DENSE_SIZE;
    }

    public static int encoding(byte[] a, int off) {
        return a[off + 4] & 0xFF;
    }

    public static boolean cacheValid(byte[] a, int off) {
        return (a[off + 15] & 0x80) == 0;
    }

    public static void invalidateCache(byte[] a, int off) {
        a[off + 15] |= (byte) 0x80;
    }

    public static long cachedCardinality(byte[] a, int off) {
        return (long) LONG_LE.get(a, off + 8);
    }

    public static void setCachedCardinality(byte[] a, int off, long card) {
        LONG_LE.set(a, off + 8, card);
    }

    // ---- byte access ----------------------------------------------------------------------------

    /** Byte {@code i} as unsigned, 0 at or past {@code end} (Redis reads the NUL terminator there). */
    private static int at(byte[] a, int end, int i) {
        return i < end ? a[i] & 0xFF : 0;
    }

    private static boolean isZero(int op) {
        return (op & 0xC0) == 0;
    }

    private static boolean isXzero(int op) {
        return (op & 0xC0) == 0x40;
    }

    /**
     * Length of the XZERO opcode at p. Its second byte may be the one past the end of a corrupt
     * value: Redis then reads the string's terminator, {@code term}.
     */
    private static int xzeroLen(byte[] a, int end, int p, int term) {
        int second = p + 1 < end ? a[p + 1] & 0xFF : term;
        return (((a[p] & 0x3F) << 8) | second) + 1;
    }

    /**
     * The byte Redis has just past the end of this value: its sds terminator, 0, except after a
     * split of an XZERO opcode truncated by corruption, where Redis's write runs one byte over
     * the end. This class keeps that byte in the buffer slot after the length (every length
     * change here zeroes the slots it frees), so corrupt values evolve as in Redis.
     */
    public static int terminator(MutableString s) {
        return s.length() < s.array().length ? s.array()[s.length()] & 0xFF : 0;
    }

    /** Sets the length as sds does: freed bytes become zero, so the new terminator is 0. */
    private static void setLength(MutableString s, int n) {
        int len = s.length();
        if (n > len) {
            s.growZero(n);
        } else if (n < len) {
            // The old terminator slot too: only the slot right after the length may be non-zero.
            byte[] a = s.array();
            java.util.Arrays.fill(a, n, Math.min(len + 1, a.length), (byte) 0);
            s.truncate(n);
        }
    }

    private static byte val(int value, int len) {
        return (byte) (((value - 1) << 2 | (len - 1)) | 0x80);
    }

    private static void setXzero(byte[] b, int p, int len) {
        int l = len - 1;
        b[p] = (byte) ((l >> 8) | 0x40);
        b[p + 1] = (byte) (l & 0xFF);
    }

    // ---- dense registers ------------------------------------------------------------------------

    /** Register {@code idx} of dense registers starting at {@code regs}; {@code end} bounds the value. */
    static int denseGet(byte[] a, int regs, int end, int idx) {
        int bit = idx * 6;
        int b = regs + (bit >>> 3);
        int fb = bit & 7;
        int b0 = a[b] & 0xFF;
        int b1 = at(a, end, b + 1);
        return ((b0 >>> fb) | (b1 << (8 - fb))) & REGISTER_MAX;
    }

    static void denseSetRaw(byte[] a, int regs, int end, int idx, int value) {
        int bit = idx * 6;
        int b = regs + (bit >>> 3);
        int fb = bit & 7;
        a[b] = (byte) ((a[b] & ~(REGISTER_MAX << fb)) | (value << fb));
        // The last register fits in its first byte; its neighbour is the terminator Redis
        // would rewrite with the same zero bits, so there is nothing to do past the end.
        if (b + 1 < end) {
            int fb8 = 8 - fb;
            a[b + 1] = (byte) ((a[b + 1] & ~(REGISTER_MAX >>> fb8)) | (value >>> fb8));
        }
    }

    /** Raises register {@code idx} to {@code count}; returns 1 when it changed, 0 when it was not lower. */
    static int denseSet(byte[] a, int regs, int end, int idx, int count) {
        if (count > denseGet(a, regs, end, idx)) {
            denseSetRaw(a, regs, end, idx, count);
            return 1;
        }
        return 0;
    }

    /** Histogram of the 16384 dense registers starting at {@code regs}, four registers per 3 bytes. */
    static void denseHistogram(byte[] a, int regs, int[] h) {
        for (int g = 0, p = regs; g < REGISTERS / 4; g++, p += 3) {
            int b0 = a[p] & 0xFF;
            int b1 = a[p + 1] & 0xFF;
            int b2 = a[p + 2] & 0xFF;
            h[b0 & 63]++;
            h[((b0 >>> 6) | (b1 << 2)) & 63]++;
            h[((b1 >>> 4) | (b2 << 4)) & 63]++;
            h[b2 >>> 2]++;
        }
    }

    // ---- sparse registers -----------------------------------------------------------------------

    /**
     * Histogram of the sparse opcodes in {@code a[p, end)}; false when they do not describe
     * exactly 16384 registers (corrupt value).
     */
    static boolean sparseHistogram(byte[] a, int p, int end, int term, int[] h) {
        long idx = 0;
        while (p < end) {
            int op = a[p] & 0xFF;
            if (isZero(op)) {
                int run = (op & 0x3F) + 1;
                idx += run;
                h[0] += run;
                p++;
            } else if (isXzero(op)) {
                int run = xzeroLen(a, end, p, term);
                idx += run;
                h[0] += run;
                p += 2;
            } else {
                int run = (op & 3) + 1;
                idx += run;
                h[((op >>> 2) & 0x1F) + 1] += run;
                p++;
            }
        }
        return idx == REGISTERS;
    }

    /**
     * Converts a sparse value to dense (Redis hllSparseToDense), keeping the header (and so the
     * cached cardinality). Returns false, leaving the value alone, when it is corrupt. A dense
     * value is left as it is.
     *
     * <p>Corrupt means: the opcodes do not cover exactly 16384 registers, or a VAL run goes
     * past the last one. Redis 7.2.6 ignored a VAL run overflowing a complete value; the fix
     * for CVE-2025-32023 (Redis 7.2.10 and the patched 7.0.15 reference) rejects it, as here.
     */
    public static boolean toDense(MutableString s) {
        byte[] a = s.array();
        int end = s.length();
        if (a[4] == DENSE) {
            return true;
        }
        int term = terminator(s);
        byte[] dense = new byte[DENSE_SIZE];
        System.arraycopy(a, 0, dense, 0, HEADER);
        dense[4] = DENSE;
        long idx = 0;
        int p = HEADER;
        while (p < end) {
            int op = a[p] & 0xFF;
            if (isZero(op)) {
                idx += (op & 0x3F) + 1;
                p++;
            } else if (isXzero(op)) {
                idx += xzeroLen(a, end, p, term);
                p += 2;
            } else {
                int run = (op & 3) + 1;
                int value = ((op >>> 2) & 0x1F) + 1;
                if (run + idx > REGISTERS) {
                    return false; // a run past the last register
                }
                for (int i = 0; i < run; i++) {
                    denseSetRaw(dense, HEADER, DENSE_SIZE, (int) idx++, value);
                }
                p++;
            }
        }
        if (idx != REGISTERS) {
            return false;
        }
        s.replace(dense, DENSE_SIZE);
        return true;
    }

    /**
     * Raises sparse register {@code index} to {@code count} (Redis hllSparseSet): the opcode
     * covering it is split as needed and equal neighbours merged again. Converts to dense when
     * the value cannot be held in a VAL opcode or the result would pass {@code sparseMax}
     * bytes. Returns 1 when a register changed, 0 when not, -1 for a corrupt value.
     */
    static int sparseSet(MutableString s, int index, int count, long sparseMax) {
        if (count > SPARSE_VAL_MAX_VALUE) {
            return promote(s, index, count);
        }
        byte[] a = s.array();
        int end = s.length();
        int term = terminator(s);
        // Step 1: find the opcode covering the register.
        int p = HEADER;
        int prev = -1;
        long first = 0;
        long span = 0;
        while (p < end) {
            int op = a[p] & 0xFF;
            int oplen = 1;
            if (isZero(op)) {
                span = (op & 0x3F) + 1;
            } else if ((op & 0x80) != 0) {
                span = (op & 3) + 1;
            } else {
                span = xzeroLen(a, end, p, term);
                oplen = 2;
            }
            if (index <= first + span - 1) {
                break;
            }
            prev = p;
            p += oplen;
            first += span;
        }
        if (span == 0 || p >= end) {
            return -1;
        }
        int op = a[p] & 0xFF;
        boolean zero = isZero(op);
        boolean xzero = isXzero(op);
        int next = xzero ? p + 2 : p + 1;
        if (next >= end) {
            next = -1;
        }
        // Step 2: the trivial in-place updates.
        if (!zero && !xzero) {
            int old = ((op >>> 2) & 0x1F) + 1;
            if (old >= count) {
                return 0;
            }
            if ((op & 3) == 0) {
                a[p] = val(count, 1);
                return merged(s, prev);
            }
        } else if (zero && (op & 0x3F) == 0) {
            a[p] = val(count, 1);
            return merged(s, prev);
        }
        // General case: split the opcode into up to three, at most five bytes, collected
        // little-endian in a long (no allocation per update).
        long seq = 0;
        int n = 0;
        long last = first + span - 1;
        if (zero || xzero) {
            if (index != first) {
                seq = zeros(seq, n, (int) (index - first));
                n += index - first > SPARSE_ZERO_MAX_LEN ? 2 : 1;
            }
            seq |= (val(count, 1) & 0xFFL) << (8 * n++);
            if (index != last) {
                seq = zeros(seq, n, (int) (last - index));
                n += last - index > SPARSE_ZERO_MAX_LEN ? 2 : 1;
            }
        } else {
            int cur = ((op >>> 2) & 0x1F) + 1;
            if (index != first) {
                seq |= (val(cur, (int) (index - first)) & 0xFFL) << (8 * n++);
            }
            seq |= (val(count, 1) & 0xFFL) << (8 * n++);
            if (index != last) {
                seq |= (val(cur, (int) (last - index)) & 0xFFL) << (8 * n++);
            }
        }
        // Step 3: put the new sequence in place of the old opcode.
        int oldLen = xzero ? 2 : 1;
        int delta = n - oldLen;
        if (delta > 0 && end + delta > sparseMax) {
            return promote(s, index, count);
        }
        int newEnd = end + delta;
        // Room for the new length and for the whole sequence, which can end one byte past it.
        int room = Math.max(newEnd, p + n);
        if (room > end) {
            s.growZero(room);
            a = s.array();
        }
        if (delta != 0 && next >= 0) {
            System.arraycopy(a, next, a, next + delta, end - next);
        }
        setLength(s, newEnd);
        // When the opcode was an XZERO cut short by the end of a corrupt value, Redis writes
        // the whole new sequence anyway, its last byte landing on the terminator; the same
        // byte is kept here in the slot after the length (see terminator()).
        for (int i = 0; i < n; i++) {
            a[p + i] = (byte) (seq >>> (8 * i));
        }
        return merged(s, prev);
    }

    /** Appends a ZERO or XZERO opcode for {@code len} registers at byte {@code n} of {@code seq}. */
    private static long zeros(long seq, int n, int len) {
        if (len > SPARSE_ZERO_MAX_LEN) {
            int l = len - 1;
            seq |= (long) ((l >> 8) | 0x40) << (8 * n);
            return seq | (long) (l & 0xFF) << (8 * (n + 1));
        }
        return seq | (long) (len - 1) << (8 * n);
    }

    /**
     * Step 4 of a sparse update: merges adjacent VAL opcodes of equal value around the change
     * (up to 5 opcodes from the one before it), then marks the cached cardinality stale.
     */
    private static int merged(MutableString s, int prev) {
        byte[] a = s.array();
        int end = s.length();
        int p = prev >= 0 ? prev : HEADER;
        int scan = 5;
        while (p < end && scan-- > 0) {
            int op = a[p] & 0xFF;
            if (isXzero(op)) {
                p += 2;
                continue;
            }
            if (isZero(op)) {
                p++;
                continue;
            }
            if (p + 1 < end && (a[p + 1] & 0x80) != 0) {
                int v1 = ((op >>> 2) & 0x1F) + 1;
                int op2 = a[p + 1] & 0xFF;
                int v2 = ((op2 >>> 2) & 0x1F) + 1;
                if (v1 == v2) {
                    int len = (op & 3) + 1 + (op2 & 3) + 1;
                    if (len <= SPARSE_VAL_MAX_LEN) {
                        a[p + 1] = val(v1, len);
                        System.arraycopy(a, p + 1, a, p, end - p - 1);
                        end--;
                        setLength(s, end);
                        continue; // the merged opcode may merge with the next one too
                    }
                }
            }
            p++;
        }
        invalidateCache(a, 0);
        return 1;
    }

    private static int promote(MutableString s, int index, int count) {
        if (!toDense(s)) {
            return -1;
        }
        byte[] a = s.array();
        denseSet(a, HEADER, s.length(), index, count);
        // Converting means a register needed a change, so the add counts as one.
        return 1;
    }

    // ---- operations -----------------------------------------------------------------------------

    /**
     * Adds an element (Redis hllAdd). Returns 1 when a register changed, 0 when not, -1 when
     * the value is corrupt. A sparse value may be converted to dense. Does not touch the
     * cached cardinality of a dense value (the caller invalidates it once per command).
     */
    public static int add(MutableString s, byte[] d, int off, int len, long sparseMax) {
        int pl = patLen(d, off, len);
        return set(s, pl >>> 8, pl & 0xFF, sparseMax);
    }

    /** Raises register {@code index} to {@code count} in either encoding; as {@link #add}. */
    public static int set(MutableString s, int index, int count, long sparseMax) {
        byte[] a = s.array();
        return switch (a[4]) {
            case DENSE -> denseSet(a, HEADER, s.length(), index, count);
            case SPARSE -> sparseSet(s, index, count, sparseMax);
            default -> -1;
        };
    }

    /**
     * Folds a value's registers into {@code max} (one byte per register), keeping the larger
     * (Redis hllMerge). The value must have passed {@link #looksValid}. Returns false when a
     * sparse value is corrupt.
     */
    public static boolean merge(byte[] max, byte[] a, int off, int len, int term) {
        int end = off + len;
        if (a[off + 4] == DENSE) {
            int regs = off + HEADER;
            for (int i = 0; i < REGISTERS; i++) {
                int v = denseGet(a, regs, end, i);
                if (v > max[i]) {
                    max[i] = (byte) v;
                }
            }
            return true;
        }
        long idx = 0;
        int p = off + HEADER;
        while (p < end) {
            int op = a[p] & 0xFF;
            if (isZero(op)) {
                idx += (op & 0x3F) + 1;
                p++;
            } else if (isXzero(op)) {
                idx += xzeroLen(a, end, p, term);
                p += 2;
            } else {
                int run = (op & 3) + 1;
                int value = ((op >>> 2) & 0x1F) + 1;
                if (run + idx > REGISTERS) {
                    return false;
                }
                for (int i = 0; i < run; i++, idx++) {
                    if (value > max[(int) idx]) {
                        max[(int) idx] = (byte) value;
                    }
                }
                p++;
            }
        }
        return idx == REGISTERS;
    }

    /**
     * Estimated cardinality of a value (Redis hllCount), ignoring the cache; -1 when the sparse
     * opcodes are corrupt. The value must have passed {@link #looksValid}.
     */
    public static long count(byte[] a, int off, int len, int term) {
        int[] h = new int[64];
        if (a[off + 4] == DENSE) {
            denseHistogram(a, off + HEADER, h);
        } else if (!sparseHistogram(a, off + HEADER, off + len, term, h)) {
            return -1;
        }
        return estimate(h);
    }

    /** Estimated cardinality of registers held one per byte (the union PFCOUNT of several keys builds). */
    public static long countRaw(byte[] registers) {
        int[] h = new int[64];
        for (int i = 0; i < REGISTERS; i++) {
            h[registers[i]]++;
        }
        return estimate(h);
    }

    /**
     * Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog
     * sketches", arXiv:1702.01284) over a register histogram, in Redis's operation order.
     */
    static long estimate(int[] h) {
        double m = REGISTERS;
        double z = m * tau((m - h[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += h[j];
            z *= 0.5;
        }
        z += m * sigma(h[0] / m);
        // Half-way cases round away from zero (llroundl); the value is never negative.
        return Math.round(ALPHA_INF * m * m / z);
    }

    static double sigma(double x) {
        if (x == 1.0) {
            return Double.POSITIVE_INFINITY;
        }
        double zPrev;
        double y = 1;
        double z = x;
        do {
            x *= x;
            zPrev = z;
            z += x * y;
            y += y;
        } while (zPrev != z);
        return z;
    }

    static double tau(double x) {
        if (x == 0.0 || x == 1.0) {
            return 0.0;
        }
        double zPrev;
        double y = 1.0;
        double z = 1 - x;
        do {
            x = Math.sqrt(x);
            zPrev = z;
            y *= 0.5;
            double t = 1 - x;
            z -= t * t * y; // pow(t, 2): compilers emit t*t, correctly rounded either way
        } while (zPrev != z);
        return z / 3;
    }

    // ---- debugging ------------------------------------------------------------------------------

    /** Register {@code i} of a dense value. */
    public static int denseRegister(byte[] a, int off, int len, int i) {
        return denseGet(a, off + HEADER, off + len, i);
    }

    /** PFDEBUG DECODE: the sparse opcodes as "z:len", "Z:len" and "v:value,len", space separated. */
    public static String decodeSparse(byte[] a, int off, int len, int term) {
        StringBuilder sb = new StringBuilder();
        int end = off + len;
        int p = off + HEADER;
        while (p < end) {
            int op = a[p] & 0xFF;
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (isZero(op)) {
                sb.append("z:").append((op & 0x3F) + 1);
                p++;
            } else if (isXzero(op)) {
                sb.append("Z:").append(xzeroLen(a, end, p, term));
                p += 2;
            } else {
                sb.append("v:").append(((op >>> 2) & 0x1F) + 1).append(',').append((op & 3) + 1);
                p++;
            }
        }
        return sb.toString();
    }

    /**
     * PFSELFTEST: checks dense register access against a plain array, then adds 10 million
     * distinct elements to a dense and a sparse value side by side, checking at each power of
     * ten that the sparse one stays sparse while small, that both estimate the same and that
     * the error is within 6 standard errors. Returns null on success, else the error text.
     */
    public static String selfTest(RandomGenerator rnd, long sparseMax) {
        byte[] dense = new byte[DENSE_SIZE];
        byte[] plain = new byte[REGISTERS];
        for (int cycle = 0; cycle < 1000; cycle++) {
            for (int i = 0; i < REGISTERS; i++) {
                int r = rnd.nextInt() & REGISTER_MAX;
                plain[i] = (byte) r;
                denseSetRaw(dense, HEADER, DENSE_SIZE, i, r);
            }
            for (int i = 0; i < REGISTERS; i++) {
                int v = denseGet(dense, HEADER, DENSE_SIZE, i);
                if (v != plain[i]) {
                    return "TESTFAILED Register " + i + " should be " + plain[i] + " but is " + v;
                }
            }
        }
        java.util.Arrays.fill(dense, HEADER, DENSE_SIZE, (byte) 0);
        dense[4] = DENSE;
        byte[] fresh = newSparse();
        MutableString sparse = new MutableString(fresh, 0, fresh.length, 0);
        double relerr = 1.04 / Math.sqrt(REGISTERS);
        long checkpoint = 1;
        long seed = rnd.nextLong();
        byte[] ele = new byte[8];
        for (long j = 1; j <= 10_000_000L; j++) {
            LONG_LE.set(ele, 0, j ^ seed);
            int pl = patLen(ele, 0, 8);
            denseSet(dense, HEADER, DENSE_SIZE, pl >>> 8, pl & 0xFF);
            set(sparse, pl >>> 8, pl & 0xFF, sparseMax);
            if (j != checkpoint) {
                continue;
            }
            if (j < sparseMax / 2 && sparse.array()[4] != SPARSE) {
                return "TESTFAILED sparse encoding not used";
            }
            long denseCount = count(dense, 0, DENSE_SIZE, 0);
            if (denseCount != count(sparse.array(), 0, sparse.length(), 0)) {
                return "TESTFAILED dense/sparse disagree";
            }
            long maxErr = (long) Math.ceil(relerr * 6 * checkpoint);
            if (j == 10) {
                maxErr = 1; // collisions make larger errors likely at this size
            }
            long absErr = Math.abs(checkpoint - denseCount);
            if (absErr > maxErr) {
                return "TESTFAILED Too big error. card:" + checkpoint + " abserr:" + absErr;
            }
            checkpoint *= 10;
        }
        return null;
    }
}
