package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Errors;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.replication.Propagation;
import dev.cinnabar.server.type.MutableString;
import dev.cinnabar.server.type.Strings;
import dev.cinnabar.server.util.LongDouble;

/**
 * String and counter commands (Redis t_string.c): GET/SET and their variants, ranges, APPEND,
 * the INCR family, INCRBYFLOAT and LCS.
 *
 * <p>Values live either packed in their keyspace entry (what SET, MSET, INCR... store, with
 * Redis's tryObjectEncoding choice of int/embstr/raw) or, once mutated in place by APPEND or
 * SETRANGE, as a {@link MutableString} in an {@link ObjectEntry} ("raw"), so repeated APPENDs
 * are amortised O(1) as with Redis's sds. Commands that rewrite a value keep the key's TTL
 * where Redis keeps it (APPEND, SETRANGE, INCR*, SET KEEPTTL) and drop it where Redis drops it
 * (SET, GETSET, MSET). Every write goes through {@link Database}, which signals WATCH.
 */
public final class StringFamily {
    private StringFamily() {}

    public static void register(CommandTable t) {
        t.bind("get", StringFamily::get)
                .bind("set", StringFamily::set)
                .bind("setnx", StringFamily::setnx)
                .bind("setex", StringFamily::setex)
                .bind("psetex", StringFamily::psetex)
                .bind("getex", StringFamily::getex)
                .bind("getdel", StringFamily::getdel)
                .bind("getset", StringFamily::getset)
                .bind("mget", StringFamily::mget)
                .bind("mset", StringFamily::mset)
                .bind("msetnx", StringFamily::msetnx)
                .bind("append", StringFamily::append)
                .bind("strlen", StringFamily::strlen)
                .bind("setrange", StringFamily::setrange)
                .bind("getrange", StringFamily::getrange)
                .bind("substr", StringFamily::getrange)
                .bind("incr", StringFamily::incr)
                .bind("decr", StringFamily::decr)
                .bind("incrby", StringFamily::incrby)
                .bind("decrby", StringFamily::decrby)
                .bind("incrbyfloat", StringFamily::incrbyfloat)
                .bind("lcs", StringFamily::lcs);
    }

    // SET option flags (Redis OBJ_*).
    static final int NX = 1;
    static final int XX = 1 << 1;
    static final int EX = 1 << 2;
    static final int PX = 1 << 3;
    static final int KEEPTTL = 1 << 4;
    static final int GET = 1 << 5;
    static final int EXAT = 1 << 6;
    static final int PXAT = 1 << 7;
    static final int PERSIST = 1 << 8;
    static final int ANY_EXPIRE = EX | PX | EXAT | PXAT;

    private static final byte[] W_NX = Ascii.bytes("nx");
    private static final byte[] W_XX = Ascii.bytes("xx");
    private static final byte[] W_GET = Ascii.bytes("get");
    private static final byte[] W_EX = Ascii.bytes("ex");
    private static final byte[] W_PX = Ascii.bytes("px");
    private static final byte[] W_EXAT = Ascii.bytes("exat");
    private static final byte[] W_PXAT = Ascii.bytes("pxat");
    private static final byte[] W_KEEPTTL = Ascii.bytes("keepttl");
    private static final byte[] W_PERSIST = Ascii.bytes("persist");

    static final boolean FOR_SET = true;
    static final boolean FOR_GETEX = false;

    /**
     * Redis parseExtendedStringArgumentsOrReply for SET (from argument 3) and GETEX (from 2).
     * Returns the option flags, or -1 after replying a syntax error. The expire argument's
     * index is returned in {@code expireArg[0]}.
     */
    static int parseOptions(Client c, boolean set, int[] expireArg) {
        int flags = 0;
        int argc = c.argc();
        for (int j = set ? 3 : 2; j < argc; j++) {
            boolean next = j < argc - 1;
            if (set && c.argIs(j, W_NX) && (flags & XX) == 0) {
                flags |= NX;
            } else if (set && c.argIs(j, W_XX) && (flags & NX) == 0) {
                flags |= XX;
            } else if (set && c.argIs(j, W_GET)) {
                flags |= GET;
            } else if (set && c.argIs(j, W_KEEPTTL) && (flags & (PERSIST | ANY_EXPIRE)) == 0) {
                flags |= KEEPTTL;
            } else if (!set && c.argIs(j, W_PERSIST) && (flags & (ANY_EXPIRE | KEEPTTL)) == 0) {
                flags |= PERSIST;
            } else if (next && c.argIs(j, W_EX) && (flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) == 0) {
                flags |= EX;
                expireArg[0] = ++j;
            } else if (next && c.argIs(j, W_PX) && (flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) == 0) {
                flags |= PX;
                expireArg[0] = ++j;
            } else if (next && c.argIs(j, W_EXAT) && (flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) == 0) {
                flags |= EXAT;
                expireArg[0] = ++j;
            } else if (next && c.argIs(j, W_PXAT) && (flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) == 0) {
                flags |= PXAT;
                expireArg[0] = ++j;
            } else {
                c.syntaxError();
                return -1;
            }
        }
        return flags;
    }

    /**
     * Redis getExpireMillisecondsOrReply: the absolute expiry in ms for an EX/PX/EXAT/PXAT
     * argument, or Long.MIN_VALUE after replying the error.
     */
    static long expireMillis(Client c, int arg, int flags) {
        if (!c.parseLong(arg)) {
            return Long.MIN_VALUE;
        }
        long v = c.parsed();
        boolean seconds = (flags & (EX | EXAT)) != 0;
        if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000)) {
            c.error(invalidExpire(c));
            return Long.MIN_VALUE;
        }
        if (seconds) {
            v *= 1000;
        }
        if ((flags & (EX | PX)) != 0) {
            v += c.now;
        }
        if (v <= 0) {
            c.error(invalidExpire(c));
            return Long.MIN_VALUE;
        }
        return v;
    }

    static String invalidExpire(Client c) {
        return "ERR invalid expire time in '" + c.cmd.fullName() + "' command";
    }

    static void set(Client c) {
        int[] ea = c.scratch;
        int flags = parseOptions(c, FOR_SET, ea);
        if (flags < 0) {
            return;
        }
        long expireAt = -1;
        if ((flags & ANY_EXPIRE) != 0) {
            expireAt = expireMillis(c, ea[0], flags);
            if (expireAt == Long.MIN_VALUE) {
                return;
            }
        }
        Database db = c.db;
        // With GET the old value is read as GET reads it (hit/miss statistics), as Redis does.
        Object old = (flags & GET) != 0 ? db.lookupRead(c, 1) : db.lookupWrite(c, 1);
        if ((flags & GET) != 0) {
            if (old != null && !Strings.isString(old)) {
                c.wrongType();
                return;
            }
            if (old == null) {
                c.reply.nullBulk();
            } else {
                Strings.reply(c.reply, old);
            }
        }
        if (((flags & NX) != 0 && old != null) || ((flags & XX) != 0 && old == null)) {
            if ((flags & GET) == 0) {
                c.reply.nullBulk();
            }
            return;
        }
        if ((flags & KEEPTTL) != 0 && old != null && Entries.hasExpire(old)) {
            expireAt = Entries.expireAt(old);
        }
        storeArg(c, 1, 2, expireAt);
        KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.SET_EVENT, 1);
        if ((flags & ANY_EXPIRE) != 0) {
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.EXPIRE, 1);
        }
        if ((flags & GET) == 0) {
            c.reply.ok();
        }
        Propagation p = c.server.replication.propagation;
        if (p.active()) {
            if ((flags & (EX | PX | EXAT)) != 0) {
                // Relative and second-based expiries replicate as an absolute time in ms.
                p.rewrite(SET_CMD, c.argCopy(1), c.argCopy(2), PXAT_ARG, Ascii.longBytes(expireAt));
            } else if ((flags & GET) != 0 && (flags & PXAT) == 0) {
                p.rewrite(withoutGet(c));
            }
        }
    }

    static final byte[] SET_CMD = Ascii.bytes("SET");
    static final byte[] PXAT_ARG = Ascii.bytes("PXAT");
    static final byte[] KEEPTTL_ARG = Ascii.bytes("KEEPTTL");
    static final byte[] PEXPIREAT_CMD = Ascii.bytes("PEXPIREAT");
    static final byte[] PERSIST_CMD = Ascii.bytes("PERSIST");

    /** SET's arguments without its GET options (a replica has no one to answer). */
    private static byte[][] withoutGet(Client c) {
        java.util.ArrayList<byte[]> v = new java.util.ArrayList<>(c.argc());
        for (int j = 0; j < c.argc(); j++) {
            if (j < 3 || !c.argIs(j, W_GET)) {
                v.add(c.argCopy(j));
            }
        }
        return v.toArray(new byte[0][]);
    }

    /** Stores argument {@code valArg} under key argument {@code keyArg} with SET's encoding rules. */
    private static void storeArg(Client c, int keyArg, int valArg, long expireAt) {
        byte[] d = c.argData();
        int vo = c.argOff(valArg);
        int vl = c.argLen(valArg);
        c.db.setString(d, c.argOff(keyArg), c.argLen(keyArg), d, vo, vl, Strings.encodingFor(d, vo, vl), expireAt);
    }

    static void get(Client c) {
        getGeneric(c);
    }

    /**
     * Redis getGenericCommand: replies the value, or null when the key is missing. Returns false
     * (after replying WRONGTYPE) only when the key holds another type.
     */
    private static boolean getGeneric(Client c) {
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.nullBulk();
        } else if (!Strings.isString(e)) {
            c.wrongType();
            return false;
        } else {
            Strings.reply(c.reply, e);
        }
        return true;
    }

    static void setnx(Client c) {
        if (c.db.lookupWrite(c, 1) != null) {
            c.reply.zero();
            return;
        }
        storeArg(c, 1, 2, -1);
        KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.SET_EVENT, 1);
        c.reply.one();
    }

    static void setex(Client c) {
        setWithExpire(c, EX);
    }

    static void psetex(Client c) {
        setWithExpire(c, PX);
    }

    private static void setWithExpire(Client c, int unit) {
        long at = expireMillis(c, 2, unit);
        if (at == Long.MIN_VALUE) {
            return;
        }
        c.db.lookupWrite(c, 1); // lazily expires the old key, as setGenericCommand's lookup does
        storeArg(c, 1, 3, at);
        KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.SET_EVENT, 1);
        KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.EXPIRE, 1);
        c.reply.ok();
        Propagation p = c.server.replication.propagation;
        if (p.active()) {
            p.rewrite(SET_CMD, c.argCopy(1), c.argCopy(3), PXAT_ARG, Ascii.longBytes(at));
        }
    }

    /** GETEX key [EX s | PX ms | EXAT ts | PXAT ms-ts | PERSIST]. */
    static void getex(Client c) {
        int[] ea = c.scratch;
        int flags = parseOptions(c, FOR_GETEX, ea);
        if (flags < 0) {
            return;
        }
        Database db = c.db;
        Object e = db.lookupRead(c, 1);
        if (e == null) {
            c.reply.nullBulk();
            return;
        }
        if (!Strings.isString(e)) {
            c.wrongType();
            return;
        }
        // Redis validates the time only after the type check.
        long at = -1;
        if ((flags & ANY_EXPIRE) != 0) {
            at = expireMillis(c, ea[0], flags);
            if (at == Long.MIN_VALUE) {
                return;
            }
        }
        Strings.reply(c.reply, e);
        byte[] d = c.argData();
        Propagation p = c.server.replication.propagation;
        // Never replicated as GETEX: as the DEL, PEXPIREAT or PERSIST it amounted to.
        if ((flags & (EXAT | PXAT)) != 0 && at <= c.now) {
            // An absolute time already in the past deletes the key right away.
            db.delete(d, c.argOff(1), c.argLen(1));
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
            if (p.active()) {
                p.rewrite(Propagation.deleteCommand(c.server.config.memory.lazyfreeLazyExpire.get()), c.argCopy(1));
            }
        } else if ((flags & ANY_EXPIRE) != 0) {
            db.setExpire(e, at);
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.EXPIRE, 1);
            if (p.active()) {
                p.rewrite(PEXPIREAT_CMD, c.argCopy(1), Ascii.longBytes(at));
            }
        } else if ((flags & PERSIST) != 0 && Entries.hasExpire(e)) {
            db.setExpire(e, -1);
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.PERSIST, 1);
            if (p.active()) {
                p.rewrite(PERSIST_CMD, c.argCopy(1));
            }
        }
    }

    static void getdel(Client c) {
        if (getGeneric(c) && c.db.delete(c.argData(), c.argOff(1), c.argLen(1))) {
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
            Propagation p = c.server.replication.propagation;
            if (p.active()) {
                p.rewrite(DEL_CMD, c.argCopy(1));
            }
        }
    }

    private static final byte[] DEL_CMD = Ascii.bytes("DEL");

    static void getset(Client c) {
        if (getGeneric(c)) {
            storeArg(c, 1, 2, -1);
            KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.SET_EVENT, 1);
            Propagation p = c.server.replication.propagation;
            if (p.active()) {
                p.rewriteArg(c, 0, SET_CMD);
            }
        }
    }

    static void mget(Client c) {
        int n = c.argc() - 1;
        c.reply.arrayLen(n);
        for (int i = 1; i <= n; i++) {
            Object e = c.db.lookupRead(c, i);
            if (e == null || !Strings.isString(e)) {
                c.reply.nullBulk();
            } else {
                Strings.reply(c.reply, e);
            }
        }
    }

    static void mset(Client c) {
        if (msetGeneric(c, false)) {
            c.reply.ok();
        }
    }

    static void msetnx(Client c) {
        if (msetGeneric(c, true)) {
            c.reply.one();
        }
    }

    /** Returns true when the keys were set and the caller must reply success. */
    private static boolean msetGeneric(Client c, boolean nx) {
        int argc = c.argc();
        if ((argc & 1) == 0) {
            c.arityError();
            return false;
        }
        if (nx) {
            for (int j = 1; j < argc; j += 2) {
                if (c.db.lookupWrite(c, j) != null) {
                    c.reply.zero();
                    return false;
                }
            }
        }
        for (int j = 1; j < argc; j += 2) {
            if (!nx) {
                // Redis setKey looks the key up first: an expired one is reclaimed (and notified)
                // before the new value is added.
                c.db.lookupWrite(c, j);
            }
            storeArg(c, j, j + 1, -1);
            KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.SET_EVENT, j);
        }
        return true;
    }

    // ---- in-place edits: APPEND, SETRANGE --------------------------------------------------

    /**
     * Redis checkStringLength: whether a value of {@code size + append} bytes is allowed
     * (proto-max-bulk-len, and what a Java array can hold); replies the error otherwise.
     */
    private static boolean checkStringLength(Client c, long size, long append) {
        long total = size + append;
        if (total < size || total > c.server.protoMaxBulkLen() || total > MutableString.MAX_LENGTH) {
            c.error(Errors.STRING_TOO_LONG);
            return false;
        }
        return true;
    }

    /**
     * The key's value as a {@link MutableString} that can be changed in place (Redis
     * dbUnshareStringValue). A packed value is copied into a new ObjectEntry that keeps the
     * key's expiry; {@code room} bytes of spare capacity are reserved for the coming edit.
     */
    private static MutableString unshare(Client c, Object e, int room) {
        if (e instanceof ObjectEntry o) {
            return (MutableString) o.value;
        }
        byte[] p = (byte[]) e;
        int vo = Entries.valueOffset(p);
        MutableString ms = new MutableString(p, vo, p.length - vo, room);
        c.db.setObject(c.argData(), c.argOff(1), c.argLen(1), ms, Entries.expireAt(p));
        return ms;
    }

    static void append(Client c) {
        Database db = c.db;
        Object e = db.lookupWrite(c, 1);
        byte[] d = c.argData();
        int vo = c.argOff(2);
        int vl = c.argLen(2);
        if (e == null) {
            // A new key stores the argument as SET would (so "12" is int-encoded).
            storeArg(c, 1, 2, -1);
            KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.APPEND, 1);
            c.reply.integer(vl);
            return;
        }
        if (!Strings.isString(e)) {
            c.wrongType();
            return;
        }
        int olen = Strings.length(e);
        if (!checkStringLength(c, olen, vl)) {
            return;
        }
        MutableString ms = unshare(c, e, MutableString.growthFor(olen, vl));
        ms.append(d, vo, vl);
        db.modified(d, c.argOff(1), c.argLen(1));
        KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.APPEND, 1);
        c.reply.integer(ms.length());
    }

    static void strlen(Client c) {
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.zero();
        } else if (!Strings.isString(e)) {
            c.wrongType();
        } else {
            c.reply.integer(Strings.length(e));
        }
    }

    static void setrange(Client c) {
        if (!c.parseLong(2)) {
            return;
        }
        long offset = c.parsed();
        if (offset < 0) {
            c.error("ERR offset is out of range");
            return;
        }
        Database db = c.db;
        Object e = db.lookupWrite(c, 1);
        byte[] d = c.argData();
        int vo = c.argOff(3);
        int vl = c.argLen(3);
        MutableString ms;
        if (e == null) {
            if (vl == 0) {
                c.reply.zero(); // nothing to set: no key is created
                return;
            }
            if (!checkStringLength(c, offset, vl)) {
                return;
            }
            ms = MutableString.zeroed((int) (offset + vl));
            db.setObject(d, c.argOff(1), c.argLen(1), ms, -1);
        } else {
            if (!Strings.isString(e)) {
                c.wrongType();
                return;
            }
            int olen = Strings.length(e);
            if (vl == 0) {
                c.reply.integer(olen); // nothing to set: value and encoding stay as they are
                return;
            }
            if (!checkStringLength(c, offset, vl)) {
                return;
            }
            ms = unshare(c, e, (int) Math.max(0, offset + vl - olen));
        }
        ms.write(offset, d, vo, vl);
        db.modified(d, c.argOff(1), c.argLen(1));
        KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.SETRANGE, 1);
        c.reply.integer(ms.length());
    }

    /** GETRANGE and its deprecated alias SUBSTR. */
    static void getrange(Client c) {
        if (!c.parseLong(2)) {
            return;
        }
        long start = c.parsed();
        if (!c.parseLong(3)) {
            return;
        }
        long end = c.parsed();
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.emptyBulk();
            return;
        }
        if (!Strings.isString(e)) {
            c.wrongType();
            return;
        }
        long len = Strings.length(e);
        if (start < 0 && end < 0 && start > end) {
            c.reply.emptyBulk();
            return;
        }
        // Same arithmetic as Redis (wrapping on absurd offsets included).
        if (start < 0) {
            start += len;
        }
        if (end < 0) {
            end += len;
        }
        if (start < 0) {
            start = 0;
        }
        if (end < 0) {
            end = 0;
        }
        if (end >= len) {
            end = len - 1;
        }
        if (start > end || len == 0) {
            c.reply.emptyBulk();
        } else {
            c.reply.bulk(Strings.array(e), Strings.offset(e) + (int) start, (int) (end - start + 1));
        }
    }

    // ---- counters -----------------------------------------------------------------------------

    static void incr(Client c) {
        incrDecr(c, 1);
    }

    static void decr(Client c) {
        incrDecr(c, -1);
    }

    static void incrby(Client c) {
        if (c.parseLong(2)) {
            incrDecr(c, c.parsed());
        }
    }

    static void decrby(Client c) {
        if (!c.parseLong(2)) {
            return;
        }
        long by = c.parsed();
        if (by == Long.MIN_VALUE) {
            c.error("ERR decrement would overflow"); // its negation does not exist
            return;
        }
        incrDecr(c, -by);
    }

    /**
     * Redis incrDecrCommand. The hot path: the current value is parsed from the entry's bytes and
     * the new one formatted into the client's scratch buffer, then written into the entry in
     * place when it has as many digits (no allocation at all), else stored as a new
     * int-encoded packed entry that keeps the key's expiry.
     */
    private static void incrDecr(Client c, long by) {
        Database db = c.db;
        Object e = db.lookupWrite(c, 1);
        long v = 0;
        if (e != null) {
            if (!Strings.isString(e)) {
                c.wrongType();
                return;
            }
            byte[] a = Strings.array(e);
            int off = Strings.offset(e);
            int len = Strings.length(e);
            v = Ascii.parseLongOr(a, off, len, Long.MIN_VALUE);
            if (v == Long.MIN_VALUE && !Ascii.isLong(a, off, len)) {
                c.notInteger();
                return;
            }
        }
        if ((by < 0 && v < 0 && by < Long.MIN_VALUE - v) || (by > 0 && v > 0 && by > Long.MAX_VALUE - v)) {
            c.error(Errors.OVERFLOW);
            return;
        }
        v += by;
        byte[] buf = c.numScratch;
        int n = Ascii.putLong(buf, 0, v);
        byte[] d = c.argData();
        if (e instanceof byte[] p && Entries.valueLength(p) == n) {
            // Same number of digits: rewrite the packed entry in place (Redis also updates an
            // unshared int object in place), keeping its key, expiry and LRU.
            Entries.withValue(p, buf, 0, n, Entries.ENC_INT);
            db.modified(d, c.argOff(1), c.argLen(1));
        } else {
            long expireAt = e == null ? -1 : Entries.expireAt(e);
            db.setString(d, c.argOff(1), c.argLen(1), buf, 0, n, Entries.ENC_INT, expireAt);
        }
        KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.INCRBY, 1);
        c.reply.integer(v);
    }

    static void incrbyfloat(Client c) {
        Database db = c.db;
        Object e = db.lookupWrite(c, 1);
        LongDouble v;
        long expireAt = -1;
        if (e == null) {
            v = LongDouble.of(0);
        } else {
            if (!Strings.isString(e)) {
                c.wrongType();
                return;
            }
            v = LongDouble.parse(Strings.array(e), Strings.offset(e), Strings.length(e));
            if (v == null) {
                c.notFloat();
                return;
            }
            expireAt = Entries.expireAt(e);
        }
        LongDouble by = LongDouble.parse(c.argData(), c.argOff(2), c.argLen(2));
        if (by == null) {
            c.notFloat();
            return;
        }
        v = v.add(by);
        if (!v.isFinite()) {
            c.error("ERR increment would produce NaN or Infinity");
            return;
        }
        byte[] text = v.toHumanBytes();
        // Redis stores the formatted number as a plain string object (embstr/raw, never int).
        int enc = text.length <= Strings.EMBSTR_LIMIT ? Entries.ENC_EMBSTR : Entries.ENC_RAW;
        byte[] d = c.argData();
        db.setString(d, c.argOff(1), c.argLen(1), text, 0, text.length, enc, expireAt);
        KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.INCRBYFLOAT, 1);
        c.reply.bulk(text);
        Propagation p = c.server.replication.propagation;
        if (p.active()) {
            // Replicated as the value it produced, so float formatting never diverges.
            p.rewrite(SET_CMD, c.argCopy(1), text, KEEPTTL_ARG);
        }
    }

    // ---- LCS ----------------------------------------------------------------------------------

    private static final byte[] W_IDX = Ascii.bytes("idx");
    private static final byte[] W_LEN = Ascii.bytes("len");
    private static final byte[] W_WITHMATCHLEN = Ascii.bytes("withmatchlen");
    private static final byte[] W_MINMATCHLEN = Ascii.bytes("minmatchlen");
    private static final byte[] MATCHES = Ascii.bytes("matches");

    /** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] (Redis lcsCommand). */
    static void lcs(Client c) {
        Object ea = c.db.lookupRead(c, 1);
        Object eb = c.db.lookupRead(c, 2);
        if ((ea != null && !Strings.isString(ea)) || (eb != null && !Strings.isString(eb))) {
            c.error("ERR The specified keys must contain string values");
            return;
        }
        boolean getLen = false;
        boolean getIdx = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        int argc = c.argc();
        for (int j = 3; j < argc; j++) {
            if (c.argIs(j, W_IDX)) {
                getIdx = true;
            } else if (c.argIs(j, W_LEN)) {
                getLen = true;
            } else if (c.argIs(j, W_WITHMATCHLEN)) {
                withMatchLen = true;
            } else if (c.argIs(j, W_MINMATCHLEN) && j < argc - 1) {
                if (!c.parseLong(j + 1)) {
                    return;
                }
                minMatchLen = Math.max(0, c.parsed());
                j++;
            } else {
                c.syntaxError();
                return;
            }
        }
        if (getLen && getIdx) {
            c.error("ERR If you want both the length and indexes, please just use IDX.");
            return;
        }
        byte[] a = ea == null ? EMPTY : Strings.array(ea);
        int ao = ea == null ? 0 : Strings.offset(ea);
        int alen = ea == null ? 0 : Strings.length(ea);
        byte[] b = eb == null ? EMPTY : Strings.array(eb);
        int bo = eb == null ? 0 : Strings.offset(eb);
        int blen = eb == null ? 0 : Strings.length(eb);

        long cells = (alen + 1L) * (blen + 1L);
        if (cells * 4 > c.server.protoMaxBulkLen()) {
            c.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
            return;
        }
        int[] t;
        try {
            t = cells > Integer.MAX_VALUE - 8 ? null : new int[(int) cells];
        } catch (OutOfMemoryError oom) {
            t = null;
        }
        if (t == null) {
            c.error("ERR Insufficient memory, failed allocating transient memory for LCS");
            return;
        }
        // t[i * w + j] = length of the LCS of a[0, i) and b[0, j); row and column 0 stay 0.
        int w = blen + 1;
        for (int i = 1; i <= alen; i++) {
            byte ai = a[ao + i - 1];
            int row = i * w;
            int prev = row - w;
            for (int j = 1; j <= blen; j++) {
                if (ai == b[bo + j - 1]) {
                    t[row + j] = t[prev + j - 1] + 1;
                } else {
                    int up = t[prev + j];
                    int left = t[row + j - 1];
                    t[row + j] = up > left ? up : left;
                }
            }
        }
        int total = t[alen * w + blen];
        if (getLen) {
            c.reply.integer(total);
            return;
        }
        lcsWalk(c, a, ao, alen, b, bo, blen, t, total, getIdx, withMatchLen, minMatchLen);
    }

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] LEN_KEY = Ascii.bytes("len");

    /**
     * Walks the LCS table back from its corner, building the common subsequence and (with IDX)
     * emitting the matched ranges, last ones first, exactly in Redis's order and with its range
     * merging rules.
     */
    private static void lcsWalk(Client c, byte[] a, int ao, int alen, byte[] b, int bo, int blen, int[] t,
                                int total, boolean getIdx, boolean withMatchLen, long minMatchLen) {
        int w = blen + 1;
        byte[] result = getIdx ? null : new byte[total];
        int token = 0;
        if (getIdx) {
            c.reply.mapLen(2);
            c.reply.bulk(MATCHES);
            token = c.reply.deferLen();
        }
        long ranges = 0;
        int idx = total;
        // aStart == alen means "no range open".
        int aStart = alen;
        int aEnd = 0;
        int bStart = 0;
        int bEnd = 0;
        int i = alen;
        int j = blen;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a[ao + i - 1] == b[bo + j - 1]) {
                if (result != null) {
                    result[idx - 1] = a[ao + i - 1];
                }
                if (aStart == alen) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--; // the match extends the open range backwards
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) {
                    emit = true; // reached the start of a string: the walk ends here
                }
                idx--;
                i--;
                j--;
            } else {
                if (t[(i - 1) * w + j] > t[i * w + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (aStart != alen) {
                    emit = true;
                }
            }
            if (emit) {
                long matchLen = aEnd - aStart + 1;
                if (getIdx && (minMatchLen == 0 || matchLen >= minMatchLen)) {
                    c.reply.arrayLen(withMatchLen ? 3 : 2);
                    c.reply.arrayLen(2);
                    c.reply.integer(aStart);
                    c.reply.integer(aEnd);
                    c.reply.arrayLen(2);
                    c.reply.integer(bStart);
                    c.reply.integer(bEnd);
                    if (withMatchLen) {
                        c.reply.integer(matchLen);
                    }
                    ranges++;
                }
                aStart = alen;
            }
        }
        if (getIdx) {
            c.reply.bulk(LEN_KEY);
            c.reply.integer(total);
            c.reply.setDeferredArrayLen(token, ranges);
        } else {
            c.reply.bulk(result);
        }
    }
}
