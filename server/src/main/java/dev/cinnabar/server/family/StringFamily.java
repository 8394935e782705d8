package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.type.Strings;

/** String commands (Redis t_string.c): GET, SET and friends. */
public final class StringFamily {
    private StringFamily() {}

    public static void register(CommandTable t) {
        t.bind("get", StringFamily::get)
                .bind("set", StringFamily::set);
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
        Object old = db.lookupWrite(c, 1);
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
        byte[] d = c.argData();
        int vo = c.argOff(2);
        int vl = c.argLen(2);
        db.setString(d, c.argOff(1), c.argLen(1), d, vo, vl, Strings.encodingFor(d, vo, vl), expireAt);
        if ((flags & GET) == 0) {
            c.reply.ok();
        }
    }

    static void get(Client c) {
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.nullBulk();
        } else if (!Strings.isString(e)) {
            c.wrongType();
        } else {
            Strings.reply(c.reply, e);
        }
    }
}
