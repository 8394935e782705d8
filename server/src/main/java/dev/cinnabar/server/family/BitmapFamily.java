package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Errors;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.type.Bitmaps;
import dev.cinnabar.server.type.MutableString;
import dev.cinnabar.server.type.Strings;

/**
 * Bitmap commands (Redis bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
 * BITFIELD_RO. A bitmap is a plain string value, so every string command sees the same bytes.
 *
 * <p>Reads work on either string representation (an int-encoded value is its decimal digits).
 * Writes turn the value into a {@link MutableString} in an {@link ObjectEntry} ("raw", as
 * Redis's dbUnshareStringValue does), keep its TTL, zero-pad it when a bit past the end is
 * written, and modify it in place. Each write command reports the number of changes it made
 * through {@link Client#dirtyChanges}, so a write that changes nothing is not counted.
 */
public final class BitmapFamily {
    private BitmapFamily() {}

    public static void register(CommandTable t) {
        t.bind("setbit", BitmapFamily::setbit)
                .bind("getbit", BitmapFamily::getbit)
                .bind("bitcount", BitmapFamily::bitcount)
                .bind("bitpos", BitmapFamily::bitpos)
                .bind("bitop", BitmapFamily::bitop)
                .bind("bitfield", c -> bitfield(c, false))
                .bind("bitfield_ro", c -> bitfield(c, true));
    }

    static final String BAD_OFFSET = "ERR bit offset is not an integer or out of range";
    static final String BAD_BIT = "ERR bit is not an integer or out of range";
    static final String BAD_TYPE =
            "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
    static final String BAD_OVERFLOW = "ERR Invalid OVERFLOW type specified";
    static final String RO_WRITE = "ERR BITFIELD_RO only supports the GET subcommand";
    static final String NOT_SINGLE = "ERR BITOP NOT must be called with a single source key.";
    static final String BAD_BITPOS_BIT = "ERR The bit argument must be 1 or 0.";

    private static final byte[] W_BIT = Ascii.bytes("bit");
    private static final byte[] W_BYTE = Ascii.bytes("byte");
    private static final byte[] W_AND = Ascii.bytes("and");
    private static final byte[] W_OR = Ascii.bytes("or");
    private static final byte[] W_XOR = Ascii.bytes("xor");
    private static final byte[] W_NOT = Ascii.bytes("not");
    private static final byte[] W_GET = Ascii.bytes("get");
    private static final byte[] W_SET = Ascii.bytes("set");
    private static final byte[] W_INCRBY = Ascii.bytes("incrby");
    private static final byte[] W_OVERFLOW = Ascii.bytes("overflow");
    private static final byte[] W_WRAP = Ascii.bytes("wrap");
    private static final byte[] W_SAT = Ascii.bytes("sat");
    private static final byte[] W_FAIL = Ascii.bytes("fail");

    private static final byte[] EMPTY = new byte[0];

    // ---- argument parsing --------------------------------------------------------------------

    /** Value returned by the parsers below after they replied an error. */
    private static final long FAILED = -1;

    /**
     * Redis getBitOffsetFromArgument: a bit offset, with BITFIELD's "#n" form (n fields of
     * {@code bits} bits) when {@code bits} > 0. Offsets whose byte would reach
     * proto-max-bulk-len are refused.
     */
    private static long bitOffset(Client c, int arg, int bits) {
        byte[] d = c.argData();
        int off = c.argOff(arg);
        int len = c.argLen(arg);
        boolean fields = bits > 0 && len > 0 && d[off] == '#';
        if (fields) {
            off++;
            len--;
        }
        long v = Ascii.parseLongOr(d, off, len, Long.MIN_VALUE);
        if (v == Long.MIN_VALUE && !Ascii.isLong(d, off, len)) {
            c.error(BAD_OFFSET);
            return FAILED;
        }
        if (fields) {
            v *= bits; // wraps on absurd counts exactly as Redis's 64-bit multiply does
        }
        if (v < 0 || (v >>> 3) >= c.server.protoMaxBulkLen()) {
            c.error(BAD_OFFSET);
            return FAILED;
        }
        return v;
    }

    /**
     * Whether a value reaching bit {@code lastBit} fits in a Java array. Only matters when
     * proto-max-bulk-len is raised past 2 GB, where Redis would still allocate; refused with
     * the offset error. Reads past that size need no storage and are served.
     */
    private static boolean writable(Client c, long lastBit) {
        if ((lastBit >>> 3) >= MutableString.MAX_LENGTH) {
            c.error(BAD_OFFSET);
            return false;
        }
        return true;
    }

    /**
     * Redis getBitfieldTypeFromArgument: "i1".."i64" or "u1".."u63". Returns the width, negated
     * for signed types, or 0 after replying the error.
     */
    private static int fieldType(Client c, int arg) {
        byte[] d = c.argData();
        int off = c.argOff(arg);
        int len = c.argLen(arg);
        // Redis reads the type as a C string: a NUL byte ends it.
        for (int i = 0; i < len; i++) {
            if (d[off + i] == 0) {
                len = i;
                break;
            }
        }
        boolean signed;
        if (len > 0 && d[off] == 'i') {
            signed = true;
        } else if (len > 0 && d[off] == 'u') {
            signed = false;
        } else {
            c.error(BAD_TYPE);
            return 0;
        }
        long bits = Ascii.parseLongOr(d, off + 1, len - 1, -1);
        if (bits < 1 || bits > (signed ? 64 : 63)) {
            c.error(BAD_TYPE);
            return 0;
        }
        return signed ? (int) -bits : (int) bits;
    }

    // ---- lookups -----------------------------------------------------------------------------

    /** Whether the key (read for a read command) is missing or a string; replies WRONGTYPE if not. */
    private static boolean stringOrMissing(Client c, Object e) {
        if (e != null && !Strings.isString(e)) {
            c.wrongType();
            return false;
        }
        return true;
    }

    /**
     * Redis lookupStringForBitCommand after the lookup: the value of key argument 1 (entry
     * {@code e}, null when missing, already checked to be a string) as a {@link MutableString}
     * at least {@code minLen} bytes long, created zeroed when missing and zero-padded when
     * shorter. A packed value is unshared into a raw one that keeps the key's TTL.
     */
    private static MutableString writableString(Client c, Object e, int minLen) {
        Database db = c.db;
        byte[] d = c.argData();
        if (e == null) {
            MutableString ms = MutableString.zeroed(minLen);
            db.setObject(d, c.argOff(1), c.argLen(1), ms, -1);
            return ms;
        }
        MutableString ms;
        if (e instanceof ObjectEntry o) {
            ms = (MutableString) o.value;
        } else {
            // int and embstr values become raw here, as in Redis.
            byte[] p = (byte[]) e;
            int vo = Entries.valueOffset(p);
            int vl = Entries.valueLength(p);
            ms = new MutableString(p, vo, vl, Math.max(0, minLen - vl));
            db.setObject(d, c.argOff(1), c.argLen(1), ms, Entries.expireAt(p));
        }
        ms.growZero(minLen);
        return ms;
    }

    // ---- SETBIT / GETBIT ----------------------------------------------------------------------

    /** SETBIT key offset value: replies the bit's previous value. */
    static void setbit(Client c) {
        c.dirtyChanges = 0;
        long offset = bitOffset(c, 2, 0);
        if (offset == FAILED || !c.parseLong(3, BAD_BIT)) {
            return;
        }
        long on = c.parsed();
        if ((on & ~1L) != 0) {
            c.error(BAD_BIT);
            return;
        }
        if (!writable(c, offset)) {
            return;
        }
        Object e = c.db.lookupWrite(c, 1);
        if (!stringOrMissing(c, e)) {
            return;
        }
        int before = e == null ? -1 : Strings.length(e);
        MutableString ms = writableString(c, e, (int) (offset >>> 3) + 1);
        int old = Bitmaps.setBit(ms.array(), offset, (int) on);
        // A new key or a longer value is a change even when the bit keeps its value.
        if (ms.length() != before || old != on) {
            c.db.modified(c.argData(), c.argOff(1), c.argLen(1));
            KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.SETBIT, 1);
            c.dirtyChanges = 1;
        }
        c.reply.integer(old);
    }

    /** GETBIT key offset: 0 past the end of the value or for a missing key. */
    static void getbit(Client c) {
        long offset = bitOffset(c, 2, 0);
        if (offset == FAILED) {
            return;
        }
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        if (!stringOrMissing(c, e)) {
            return;
        }
        c.reply.integer(Bitmaps.getBit(Strings.array(e), Strings.offset(e), Strings.length(e), offset));
    }

    // ---- BITCOUNT / BITPOS ---------------------------------------------------------------------

    /** Parses BYTE|BIT at {@code arg}: 1 for BIT, 0 for BYTE, -1 after a syntax error. */
    private static int unit(Client c, int arg) {
        if (c.argIs(arg, W_BIT)) {
            return 1;
        }
        if (c.argIs(arg, W_BYTE)) {
            return 0;
        }
        c.syntaxError();
        return -1;
    }

    /** BITCOUNT key [start end [BYTE|BIT]]. */
    static void bitcount(Client c) {
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        if (!stringOrMissing(c, e)) {
            return;
        }
        byte[] a = Strings.array(e);
        int base = Strings.offset(e);
        int strlen = Strings.length(e);
        int argc = c.argc();
        long start;
        long end;
        boolean bits = false;
        if (argc == 4 || argc == 5) {
            if (!c.parseLong(2)) {
                return;
            }
            start = c.parsed();
            if (!c.parseLong(3)) {
                return;
            }
            end = c.parsed();
            if (start < 0 && end < 0 && start > end) {
                c.reply.zero(); // decided before the unit is even looked at, as in Redis
                return;
            }
            if (argc == 5) {
                int u = unit(c, 4);
                if (u < 0) {
                    return;
                }
                bits = u == 1;
            }
        } else if (argc == 2) {
            start = 0;
            end = strlen - 1;
        } else {
            c.syntaxError();
            return;
        }
        countOrFind(c, a, base, strlen, start, end, bits, -1, false);
    }

    /** BITPOS key bit [start [end [BYTE|BIT]]]. */
    static void bitpos(Client c) {
        if (!c.parseLong(2)) {
            return;
        }
        long bitArg = c.parsed();
        if (bitArg != 0 && bitArg != 1) {
            c.error(BAD_BITPOS_BIT);
            return;
        }
        int bit = (int) bitArg;
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            // A missing key is an endless run of zeros.
            c.reply.integer(bit == 1 ? -1 : 0);
            return;
        }
        if (!stringOrMissing(c, e)) {
            return;
        }
        byte[] a = Strings.array(e);
        int base = Strings.offset(e);
        int strlen = Strings.length(e);
        int argc = c.argc();
        long start;
        long end;
        boolean endGiven = false;
        boolean bits = false;
        if (argc >= 4 && argc <= 6) {
            if (!c.parseLong(3)) {
                return;
            }
            start = c.parsed();
            if (argc == 6) {
                int u = unit(c, 5);
                if (u < 0) {
                    return;
                }
                bits = u == 1;
            }
            if (argc >= 5) {
                if (!c.parseLong(4)) {
                    return;
                }
                end = c.parsed();
                endGiven = true;
            } else {
                end = bits ? ((long) strlen << 3) + 7 : strlen - 1;
            }
        } else if (argc == 3) {
            start = 0;
            end = strlen - 1;
        } else {
            c.syntaxError();
            return;
        }
        countOrFind(c, a, base, strlen, start, end, bits, bit, endGiven);
    }

    /**
     * What BITCOUNT ({@code bit < 0}) and BITPOS share once their arguments are read: the range
     * made absolute (negative indexes count from the end, in bytes or with BIT in bits) and
     * clamped to the string, a bit range widened to whole bytes with masks for the edge bits
     * outside it; then the ones in it are counted, or the first {@code bit} found.
     */
    private static void countOrFind(Client c, byte[] a, int base, int strlen, long start, long end, boolean bits,
            int bit, boolean endGiven) {
        long total = bits ? (long) strlen << 3 : strlen;
        if (start < 0) {
            start += total;
        }
        if (end < 0) {
            end += total;
        }
        start = Math.max(start, 0);
        end = Math.max(end, 0);
        end = Math.min(end, total - 1);
        int firstMask = 0; // bits of the first byte before the range (BIT unit)
        int lastMask = 0; // bits of the last byte after the range (BIT unit)
        if (bits && start <= end) {
            firstMask = ~((1 << (8 - (int) (start & 7))) - 1) & 0xFF;
            lastMask = (1 << (7 - (int) (end & 7))) - 1;
            start >>= 3;
            end >>= 3;
        }
        if (bit >= 0) {
            if (start > end) {
                c.reply.integer(-1); // an empty range holds neither zeros nor ones
            } else {
                c.reply.integer(findInRange(a, base, (int) start, (int) end, bit, firstMask, lastMask, endGiven));
            }
            return;
        }
        if (start > end) {
            c.reply.zero();
            return;
        }
        int s = (int) start;
        int n = (int) (end - start + 1);
        long count = Bitmaps.popcount(a, base + s, n);
        // Bits of the edge bytes outside a BIT range were counted: take them back.
        count -= Integer.bitCount(a[base + s] & firstMask);
        count -= Integer.bitCount(a[base + (int) end] & lastMask);
        c.reply.integer(count);
    }

    /**
     * The BITPOS search over bytes [start, end] of the value, the edge bytes masked to a BIT
     * range. Looks at the partial first byte, then the whole bytes, then the partial last
     * byte, stopping at the first piece with an answer. Without an explicit end a search for a
     * zero may answer the first bit after the range (the value counts as zero-padded); with an
     * end that means "none" (-1).
     */
    private static long findInRange(byte[] a, int base, int start, int end, int bit, int firstMask, int lastMask,
                                    boolean endGiven) {
        long bytes = end - start + 1L;
        long pos;
        found:
        {
            if (firstMask != 0) {
                int b = a[base + start] & 0xFF;
                // Force the bits before the range to the value not searched for.
                int t = bit == 1 ? b & ~firstMask : b | firstMask;
                if (lastMask != 0 && bytes == 1) {
                    t = bit == 1 ? t & ~lastMask : t | lastMask;
                }
                pos = Bitmaps.firstBitInByte(t, bit);
                if (bytes == 1 || (pos != -1 && pos != 8)) {
                    break found;
                }
                start++;
                bytes--;
            }
            long whole = bytes - (lastMask != 0 ? 1 : 0);
            if (whole > 0) {
                pos = Bitmaps.firstBit(a, base + start, (int) whole, bit);
                if (bytes == whole || (pos != -1 && pos != whole << 3)) {
                    break found;
                }
                start += (int) whole;
                bytes -= whole;
            }
            int b = a[base + end] & 0xFF;
            int t = bit == 1 ? b & ~lastMask : b | lastMask;
            pos = Bitmaps.firstBitInByte(t, bit);
        }
        if (endGiven && bit == 0 && pos == bytes << 3) {
            return -1;
        }
        return pos == -1 ? -1 : pos + ((long) start << 3);
    }

    // ---- BITOP ----------------------------------------------------------------------------------

    /** BITOP AND|OR|XOR|NOT destkey key [key ...]: replies the length of the stored result. */
    static void bitop(Client c) {
        c.dirtyChanges = 0;
        int op;
        if (c.argIs(1, W_AND)) {
            op = Bitmaps.AND;
        } else if (c.argIs(1, W_OR)) {
            op = Bitmaps.OR;
        } else if (c.argIs(1, W_XOR)) {
            op = Bitmaps.XOR;
        } else if (c.argIs(1, W_NOT)) {
            op = Bitmaps.NOT;
        } else {
            c.syntaxError();
            return;
        }
        int argc = c.argc();
        if (op == Bitmaps.NOT && argc != 4) {
            c.error(NOT_SINGLE);
            return;
        }
        Database db = c.db;
        // First pass: type checks and the result length (missing keys are empty strings).
        long maxLen = 0;
        for (int j = 3; j < argc; j++) {
            Object e = db.lookupRead(c, j);
            if (e == null) {
                continue;
            }
            if (!Strings.isString(e)) {
                c.wrongType();
                return;
            }
            maxLen = Math.max(maxLen, Strings.length(e));
        }
        byte[] d = c.argData();
        int dOff = c.argOff(2);
        int dLen = c.argLen(2);
        if (maxLen == 0) {
            if (db.delete(d, dOff, dLen)) {
                KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 2);
                c.dirtyChanges = 1;
            }
            c.reply.integer(0);
            return;
        }
        int n = (int) maxLen;
        byte[] res = new byte[n];
        // The sources are read again without lookup side effects (each was looked up above,
        // and nothing changed since: the command runs under the server lock).
        Object first = db.peek(d, c.argOff(3), c.argLen(3));
        if (first != null) {
            System.arraycopy(Strings.array(first), Strings.offset(first), res, 0, Strings.length(first));
        }
        if (op == Bitmaps.NOT) {
            Bitmaps.invert(res, n);
        } else {
            for (int j = 4; j < argc; j++) {
                Object e = db.peek(d, c.argOff(j), c.argLen(j));
                if (e == null) {
                    Bitmaps.combine(op, res, n, EMPTY, 0, 0);
                } else {
                    Bitmaps.combine(op, res, n, Strings.array(e), Strings.offset(e), Strings.length(e));
                }
            }
        }
        // Redis stores the result as a raw string and drops any TTL of the destination.
        db.lookupWrite(c, 2); // as Redis setKey: an expired destination is reclaimed first
        db.setString(d, dOff, dLen, res, 0, n, Entries.ENC_RAW, -1);
        KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.SET_EVENT, 2);
        c.dirtyChanges = 1;
        c.reply.integer(n);
    }

    // ---- BITFIELD / BITFIELD_RO --------------------------------------------------------------

    private static final int WRAP = 0;
    private static final int SAT = 1;
    private static final int FAIL = 2;

    /**
     * BITFIELD key [GET type offset | SET type offset value | INCRBY type offset increment |
     * OVERFLOW WRAP|SAT|FAIL]... and its read-only variant (GET only).
     *
     * <p>The arguments are validated in a first pass (any error is replied before anything is
     * looked up or written, as Redis does), which also finds the farthest bit written; the
     * second pass re-reads them, now known valid, and runs the operations in order. Nothing is
     * allocated per operation.
     */
    static void bitfield(Client c, boolean readonlyCommand) {
        c.dirtyChanges = 0;
        int argc = c.argc();
        int ops = 0;
        boolean writes = false;
        long highestBit = 0;
        for (int j = 2; j < argc; j++) {
            int rem = argc - j - 1;
            boolean get = c.argIs(j, W_GET) && rem >= 2;
            boolean write = !get && (c.argIs(j, W_SET) || c.argIs(j, W_INCRBY)) && rem >= 3;
            if (!get && !write) {
                if (c.argIs(j, W_OVERFLOW) && rem >= 1) {
                    if (overflowType(c, j + 1) < 0) {
                        c.error(BAD_OVERFLOW);
                        return;
                    }
                    j++;
                    continue;
                }
                c.syntaxError();
                return;
            }
            int type = fieldType(c, j + 1);
            if (type == 0) {
                return;
            }
            int bits = Math.abs(type);
            long offset = bitOffset(c, j + 2, bits);
            if (offset == FAILED) {
                return;
            }
            if (write) {
                if (!writable(c, offset + bits - 1)) {
                    return;
                }
                writes = true;
                highestBit = Math.max(highestBit, offset + bits - 1);
                if (!c.parseLong(j + 3)) {
                    return;
                }
            }
            ops++;
            j += write ? 3 : 2;
        }

        MutableString ms = null;
        Object e;
        boolean grew = false;
        if (!writes) {
            e = c.db.lookupRead(c, 1);
            if (!stringOrMissing(c, e)) {
                return;
            }
        } else {
            if (readonlyCommand) {
                c.error(RO_WRITE);
                return;
            }
            e = c.db.lookupWrite(c, 1);
            if (!stringOrMissing(c, e)) {
                return;
            }
            int before = e == null ? -1 : Strings.length(e);
            ms = writableString(c, e, (int) (highestBit >>> 3) + 1);
            grew = ms.length() != before;
        }
        c.reply.arrayLen(ops);
        int overflow = WRAP;
        long changes = 0;
        for (int j = 2; j < argc; j++) {
            if (c.argIs(j, W_OVERFLOW)) {
                overflow = overflowType(c, j + 1);
                j++;
                continue;
            }
            boolean get = c.argIs(j, W_GET);
            boolean incr = c.argIs(j, W_INCRBY);
            int type = fieldType(c, j + 1);
            int bits = Math.abs(type);
            boolean signed = type < 0;
            long offset = bitOffset(c, j + 2, bits);
            if (get) {
                j += 2;
                byte[] a = ms != null ? ms.array() : e != null ? Strings.array(e) : EMPTY;
                int base = ms != null ? 0 : e != null ? Strings.offset(e) : 0;
                int len = ms != null ? ms.length() : e != null ? Strings.length(e) : 0;
                c.reply.integer(signed ? Bitmaps.getSigned(a, base, len, offset, bits)
                        : Bitmaps.getUnsigned(a, base, len, offset, bits));
                continue;
            }
            c.parseLong(j + 3);
            long arg = c.parsed();
            j += 3;
            byte[] a = ms.array();
            int len = ms.length();
            long old = signed ? Bitmaps.getSigned(a, 0, len, offset, bits) : Bitmaps.getUnsigned(a, 0, len, offset, bits);
            long value = incr ? old : arg;
            long by = incr ? arg : 0;
            int ow = signed ? Bitmaps.signedOverflow(value, by, bits) : Bitmaps.unsignedOverflow(value, by, bits);
            if (ow != 0 && overflow == FAIL) {
                c.reply.nullBulk();
                continue;
            }
            long result;
            if (ow == 0) {
                result = value + by;
            } else if (overflow == WRAP) {
                result = signed ? Bitmaps.signedWrap(value, by, bits) : Bitmaps.unsignedWrap(value, by, bits);
            } else if (ow > 0) {
                result = signed ? Bitmaps.signedMax(bits) : Bitmaps.unsignedMax(bits);
            } else {
                result = signed ? Bitmaps.signedMin(bits) : 0;
            }
            c.reply.integer(incr ? result : old);
            Bitmaps.setField(a, offset, bits, result);
            if (grew || old != result) {
                changes++;
            }
        }
        if (changes > 0) {
            c.db.modified(c.argData(), c.argOff(1), c.argLen(1));
            KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.SETBIT, 1);
            c.dirtyChanges = changes;
        }
    }

    /** WRAP, SAT or FAIL at {@code arg}, or -1. */
    private static int overflowType(Client c, int arg) {
        if (c.argIs(arg, W_WRAP)) {
            return WRAP;
        }
        if (c.argIs(arg, W_SAT)) {
            return SAT;
        }
        if (c.argIs(arg, W_FAIL)) {
            return FAIL;
        }
        return -1;
    }
}
