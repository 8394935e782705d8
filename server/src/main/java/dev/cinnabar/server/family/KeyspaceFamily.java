package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.Glob;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Errors;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.config.ConfigEnums.MaxmemoryPolicy;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.replication.Propagation;
import dev.cinnabar.server.type.RedisValue;
import dev.cinnabar.server.type.Strings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Locale;

/**
 * Generic keyspace commands (Redis db.c / expire.c / OBJECT of object.c): DEL, EXISTS, TYPE,
 * RENAME, KEYS, SCAN, COPY, MOVE, the EXPIRE and TTL families, and the database-wide DBSIZE,
 * FLUSHDB, FLUSHALL and SWAPDB.
 *
 * <p>Everything is written against entries and {@link RedisValue}, so it works for any type
 * stored in an {@link ObjectEntry} as well as for packed strings.
 */
public final class KeyspaceFamily {
    private KeyspaceFamily() {}

    public static void register(CommandTable t) {
        t.bind("del", KeyspaceFamily::del)
                .bind("unlink", KeyspaceFamily::unlink)
                .bind("exists", KeyspaceFamily::exists)
                .bind("type", KeyspaceFamily::type)
                .bind("touch", KeyspaceFamily::touch)
                .bind("rename", c -> rename(c, false))
                .bind("renamenx", c -> rename(c, true))
                .bind("keys", KeyspaceFamily::keys)
                .bind("scan", KeyspaceFamily::scan)
                .bind("randomkey", KeyspaceFamily::randomkey)
                .bind("copy", KeyspaceFamily::copy)
                .bind("move", KeyspaceFamily::move)
                .bind("object|encoding", KeyspaceFamily::objectEncoding)
                .bind("object|refcount", KeyspaceFamily::objectRefcount)
                .bind("object|idletime", KeyspaceFamily::objectIdletime)
                .bind("object|freq", KeyspaceFamily::objectFreq)
                .bind("object|help", KeyspaceFamily::objectHelp)
                .bind("expire", c -> expire(c, true, true))
                .bind("pexpire", c -> expire(c, true, false))
                .bind("expireat", c -> expire(c, false, true))
                .bind("pexpireat", c -> expire(c, false, false))
                .bind("ttl", c -> ttl(c, false, false))
                .bind("pttl", c -> ttl(c, true, false))
                .bind("expiretime", c -> ttl(c, false, true))
                .bind("pexpiretime", c -> ttl(c, true, true))
                .bind("persist", KeyspaceFamily::persist)
                .bind("dbsize", KeyspaceFamily::dbsize)
                .bind("flushdb", KeyspaceFamily::flushdb)
                .bind("flushall", KeyspaceFamily::flushall)
                .bind("swapdb", KeyspaceFamily::swapdb);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** The TYPE name of an entry. */
    static String typeName(Object e) {
        return e instanceof ObjectEntry o ? ((RedisValue) o.value).type() : "string";
    }

    /** The OBJECT ENCODING name of an entry. */
    static String encodingName(Object e) {
        return e instanceof ObjectEntry o ? ((RedisValue) o.value).encoding() : Strings.encodingName(e);
    }

    private static boolean sameArg(Client c, int a, int b) {
        byte[] d = c.argData();
        return Arrays.equals(d, c.argOff(a), c.argOff(a) + c.argLen(a), d, c.argOff(b), c.argOff(b) + c.argLen(b));
    }

    /**
     * Redis getIntFromObjectOrReply: a 32-bit integer argument; replies {@code err} (or Redis's
     * generic texts when null) and returns Long.MIN_VALUE on failure.
     */
    private static long parseInt(Client c, int arg, String err) {
        if (!c.parseLong(arg, err)) {
            return Long.MIN_VALUE;
        }
        long v = c.parsed();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            c.error(err != null ? err
                    : "ERR value is out of range, value must between -2147483648 and 2147483647");
            return Long.MIN_VALUE;
        }
        return v;
    }

    /** A database number argument (MOVE, COPY DB); replies the error and returns -1 if bad. */
    private static int parseDb(Client c, int arg) {
        long id = parseInt(c, arg, null);
        if (id == Long.MIN_VALUE) {
            return -1;
        }
        if (id < 0 || id >= c.server.dbCount()) {
            c.error(Errors.INVALID_DB);
            return -1;
        }
        return (int) id;
    }

    // ---- DEL, UNLINK, EXISTS, TYPE, TOUCH -----------------------------------------------------

    /** DEL: frees the values in the command, unless lazyfree-lazy-user-del says otherwise. */
    static void del(Client c) {
        delete(c, c.server.config.memory.lazyfreeLazyUserDel.get());
    }

    /** UNLINK: big values are freed by the lazy-free thread (Redis dbAsyncDelete). */
    static void unlink(Client c) {
        delete(c, true);
    }

    private static void delete(Client c, boolean lazy) {
        long n = 0;
        Database db = c.db;
        byte[] d = c.argData();
        for (int i = 1; i < c.argc(); i++) {
            int off = c.argOff(i);
            int len = c.argLen(i);
            // find() first: an expired key is counted as expired, not as deleted.
            if (db.find(d, off, len, c.now) != null) {
                Object e = db.remove(d, off, len);
                if (e != null) {
                    if (lazy) {
                        c.server.ops.lazyfree.freeAsync(e);
                    }
                    KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, i);
                    n++;
                }
            }
        }
        c.reply.integer(n);
    }

    static void exists(Client c) {
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.db.lookupReadNoTouch(c, i) != null) {
                n++;
            }
        }
        c.reply.integer(n);
    }

    static void type(Client c) {
        Object e = c.db.lookupReadNoTouch(c, 1);
        c.reply.simple(e == null ? "none" : typeName(e));
    }

    /** TOUCH updates the access time even for CLIENT NO-TOUCH clients: that is its purpose. */
    static void touch(Client c) {
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            Object e = c.db.lookupReadNoTouch(c, i);
            if (e != null) {
                c.db.touch(e);
                n++;
            }
        }
        c.reply.integer(n);
    }

    // ---- RENAME, RENAMENX, MOVE, COPY ---------------------------------------------------------

    static void rename(Client c, boolean nx) {
        Database db = c.db;
        Object src = db.lookupWrite(c, 1);
        if (src == null) {
            c.error(Errors.NO_SUCH_KEY);
            return;
        }
        if (sameArg(c, 1, 2)) {
            if (nx) {
                c.reply.zero();
            } else {
                c.reply.ok();
            }
            return;
        }
        byte[] d = c.argData();
        if (db.lookupWrite(c, 2) != null) {
            if (nx) {
                c.reply.zero();
                return;
            }
            db.delete(d, c.argOff(2), c.argLen(2));
        }
        // The value, its TTL and its access data move to the new name.
        db.putEntry(Database.withKey(src, d, c.argOff(2), c.argLen(2)));
        db.remove(d, c.argOff(1), c.argLen(1));
        KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.RENAME_FROM, 1);
        KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.RENAME_TO, 2);
        if (nx) {
            c.reply.one();
        } else {
            c.reply.ok();
        }
    }

    static void move(Client c) {
        if (c.server.clusterEnabled()) {
            c.error("ERR MOVE is not allowed in cluster mode");
            return;
        }
        int dbid = parseDb(c, 2);
        if (dbid < 0) {
            return;
        }
        Database src = c.db;
        Database dst = c.server.db(dbid);
        if (src == dst) {
            c.error(Errors.SAME_OBJECT);
            return;
        }
        Object e = src.lookupWrite(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        if (dst.lookupWrite(c, 1) != null) {
            c.reply.zero();
            return;
        }
        // The entry carries its key and TTL: it moves as is, out of one table before it goes
        // into the other (an entry is in one keyspace at a time, for memory accounting).
        src.remove(c.argData(), c.argOff(1), c.argLen(1));
        dst.putEntry(e);
        KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.MOVE_FROM, 1);
        c.server.notify(KeyEvents.GENERIC, KeyEvents.MOVE_TO, dst.id, c.argData(), c.argOff(1), c.argLen(1));
        c.reply.one();
    }

    private static final byte[] W_REPLACE = Ascii.bytes("replace");
    private static final byte[] W_DB = Ascii.bytes("db");

    static void copy(Client c) {
        Database src = c.db;
        Database dst = c.db;
        boolean replace = false;
        int argc = c.argc();
        for (int j = 3; j < argc; j++) {
            if (c.argIs(j, W_REPLACE)) {
                replace = true;
            } else if (c.argIs(j, W_DB) && j + 1 < argc) {
                int dbid = parseDb(c, j + 1);
                if (dbid < 0) {
                    return;
                }
                dst = c.server.db(dbid);
                j++;
            } else {
                c.syntaxError();
                return;
            }
        }
        if (c.server.clusterEnabled() && (src.id != 0 || dst.id != 0)) {
            c.error("ERR Copying to another database is not allowed in cluster mode");
            return;
        }
        if (src == dst && sameArg(c, 1, 2)) {
            c.error(Errors.SAME_OBJECT);
            return;
        }
        Object e = src.lookupRead(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        byte[] d = c.argData();
        int off = c.argOff(2);
        int len = c.argLen(2);
        if (dst.lookupWrite(c, 2) != null) {
            if (!replace) {
                c.reply.zero();
                return;
            }
            dst.delete(d, off, len);
        }
        Object copy;
        if (e instanceof ObjectEntry o) {
            copy = new ObjectEntry(Arrays.copyOfRange(d, off, off + len), ((RedisValue) o.value).copy(),
                    o.expireAt, dst.newLru());
        } else {
            byte[] p = (byte[]) e;
            copy = Entries.newString(d, off, len, p, Entries.valueOffset(p), Entries.valueLength(p),
                    Entries.encoding(p), Entries.expireAt(p), dst.newLru());
        }
        dst.putEntry(copy);
        c.server.notify(KeyEvents.GENERIC, KeyEvents.COPY_TO, dst.id, d, off, len);
        c.reply.one();
    }

    // ---- KEYS, SCAN, RANDOMKEY ----------------------------------------------------------------

    static void keys(Client c) {
        byte[] d = c.argData();
        int pOff = c.argOff(1);
        int pLen = c.argLen(1);
        boolean all = pLen == 1 && d[pOff] == '*';
        long now = c.now;
        ReplyWriter w = c.reply;
        int token = w.deferLen();
        long[] n = new long[1];
        c.db.forEach(e -> {
            byte[] k = Entries.keyArray(e);
            int off = Entries.keyOffset(e);
            int len = Entries.keyLength(e);
            if ((all || Glob.match(d, pOff, pLen, k, off, len, false))
                    && !(Entries.hasExpire(e) && Entries.expireAt(e) < now)) {
                w.bulk(k, off, len);
                n[0]++;
            }
        });
        w.setDeferredArrayLen(token, n[0]);
    }

    static void scan(Client c) {
        byte[] d = c.argData();
        ScanArgs scan = new ScanArgs();
        if (!scan.cursor(c, 1) || !scan.options(c, 2, true)) {
            return;
        }
        long cursor = scan.cursor;
        long count = scan.count;
        String type = scan.typeArg < 0 ? null : c.argForMessage(scan.typeArg);
        Database db = c.db;
        ArrayList<Object> found = new ArrayList<>();
        long[] sampled = new long[1];
        int patOff = scan.patOff;
        int patLen = scan.patLen;
        // Like Redis: stop after COUNT entries were looked at, or after 10*COUNT buckets when the
        // table is sparse, so one call never walks a huge empty table. (A COUNT so large that
        // the product wraps means no bucket limit, as in Redis's C.)
        long maxIterations = count * 10;
        do {
            cursor = db.scan(cursor, e -> {
                sampled[0]++;
                if (patOff >= 0 && !Glob.match(d, patOff, patLen, Entries.keyArray(e), Entries.keyOffset(e),
                        Entries.keyLength(e), false)) {
                    return;
                }
                found.add(e);
            });
        } while (cursor != 0 && maxIterations-- != 0 && sampled[0] < count);
        // Expired keys met are deleted now that the visit is over; the TYPE filter looks keys up
        // as a read (statistics included) exactly as Redis 7.2 does.
        int kept = 0;
        for (int i = 0; i < found.size(); i++) {
            Object e = found.get(i);
            byte[] k = Entries.keyArray(e);
            int off = Entries.keyOffset(e);
            int len = Entries.keyLength(e);
            Object live = type != null ? db.lookupReadNoTouch(k, off, len, c.now) : db.find(k, off, len, c.now);
            if (live == null || (type != null && !typeName(live).equalsIgnoreCase(type))) {
                continue;
            }
            found.set(kept++, live);
        }
        ReplyWriter w = c.reply;
        w.arrayLen(2);
        if (cursor >= 0) {
            w.bulkLong(cursor);
        } else {
            w.bulk(Long.toUnsignedString(cursor));
        }
        w.arrayLen(kept);
        for (int i = 0; i < kept; i++) {
            Object e = found.get(i);
            w.bulk(Entries.keyArray(e), Entries.keyOffset(e), Entries.keyLength(e));
        }
    }

    /**
     * Whether a SCAN cursor parses as C's strtoul(s, &end, 10) accepts it in Redis: no leading
     * space, optional sign, decimal digits up to the end of the C string (an empty string is 0),
     * no overflow past 2^64-1 (a '-' negates modulo 2^64).
     */
    static boolean validCursor(byte[] d, int off, int len) {
        int end = cEnd(d, off, len);
        if (end == off) {
            return true;
        }
        int b0 = d[off];
        if (b0 == ' ' || (b0 >= '\t' && b0 <= '\r')) {
            return false;
        }
        int i = off;
        if (b0 == '+' || b0 == '-') {
            i++;
        }
        if (i == end) {
            return false; // a lone sign converts nothing
        }
        long v = 0;
        for (; i < end; i++) {
            int digit = d[i] - '0';
            if (digit < 0 || digit > 9) {
                return false;
            }
            // v * 10 + digit must stay below 2^64.
            if (Long.compareUnsigned(v, 0x1999999999999999L) > 0) {
                return false;
            }
            long t = v * 10;
            long r = t + digit;
            if (Long.compareUnsigned(r, t) < 0) {
                return false;
            }
            v = r;
        }
        return true;
    }

    /** The value of a cursor {@link #validCursor} accepted, as an unsigned 64-bit number. */
    static long cursorValue(byte[] d, int off, int len) {
        int end = cEnd(d, off, len);
        int i = off;
        boolean neg = false;
        if (i < end && (d[i] == '+' || d[i] == '-')) {
            neg = d[i] == '-';
            i++;
        }
        long v = 0;
        for (; i < end; i++) {
            v = v * 10 + (d[i] - '0');
        }
        return neg ? -v : v;
    }

    /** Where a C string view of the argument ends (its first NUL byte). */
    private static int cEnd(byte[] d, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            if (d[i] == 0) {
                return i;
            }
        }
        return off + len;
    }

    static void randomkey(Client c) {
        Object e = c.db.randomEntry(c.now);
        if (e == null) {
            c.reply.nullBulk();
        } else {
            c.reply.bulk(Entries.keyArray(e), Entries.keyOffset(e), Entries.keyLength(e));
        }
    }

    // ---- OBJECT ---------------------------------------------------------------------------------

    /** Redis OBJ_SHARED_INTEGERS: integers below this are shared objects in Redis. */
    private static final long SHARED_INTEGERS = 10000;
    /** The refcount Redis reports for shared objects (OBJ_SHARED_REFCOUNT). */
    private static final long SHARED_REFCOUNT = Integer.MAX_VALUE;

    private static boolean lruOrLfu(MaxmemoryPolicy p) {
        return switch (p) {
            case VOLATILE_LRU, ALLKEYS_LRU, VOLATILE_LFU, ALLKEYS_LFU -> true;
            default -> false;
        };
    }

    private static boolean lfuPolicy(Server s) {
        MaxmemoryPolicy p = s.config.memory.maxmemoryPolicy.get();
        return p == MaxmemoryPolicy.VOLATILE_LFU || p == MaxmemoryPolicy.ALLKEYS_LFU;
    }

    /**
     * OBJECT looks keys up without touching them (statistics are still counted) and without
     * key-miss notifications.
     */
    private static Object objectLookup(Client c) {
        Object e = c.db.lookupReadNoTouch(c.argData(), c.argOff(2), c.argLen(2), c.now);
        if (e == null) {
            c.reply.nullBulk();
        }
        return e;
    }

    static void objectEncoding(Client c) {
        Object e = objectLookup(c);
        if (e != null) {
            c.reply.bulk(encodingName(e));
        }
    }

    /**
     * Redis shares the objects of small integers (0..9999) unless an LRU/LFU eviction policy
     * needs per-key access data; such values report the shared refcount. Every other value has
     * exactly one reference here.
     */
    static void objectRefcount(Client c) {
        Object e = objectLookup(c);
        if (e == null) {
            return;
        }
        long refs = 1;
        if (e instanceof byte[] p && Entries.encoding(p) == Entries.ENC_INT) {
            Server s = c.server;
            boolean shared = s.config.memory.maxmemory.get() == 0 || !lruOrLfu(s.config.memory.maxmemoryPolicy.get());
            long v = Ascii.parseLongOr(p, Entries.valueOffset(p), Entries.valueLength(p), -1);
            if (shared && v >= 0 && v < SHARED_INTEGERS) {
                refs = SHARED_REFCOUNT;
            }
        }
        c.reply.integer(refs);
    }

    static void objectIdletime(Client c) {
        Object e = objectLookup(c);
        if (e == null) {
            return;
        }
        if (lfuPolicy(c.server)) {
            c.error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when"
                    + " switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }
        c.reply.integer(c.db.idleMillis(e) / 1000);
    }

    static void objectFreq(Client c) {
        Object e = objectLookup(c);
        if (e == null) {
            return;
        }
        if (!lfuPolicy(c.server)) {
            c.error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that"
                    + " when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }
        c.reply.integer(c.db.lfuCounter(Entries.lru(e)));
    }

    private static final String[] OBJECT_HELP = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
    };

    static void objectHelp(Client c) {
        replyHelp(c, OBJECT_HELP);
    }

    /** Redis addReplyHelp: header line, the lines, then the HELP entry, all as status replies. */
    static void replyHelp(Client c, String[] lines) {
        ReplyWriter w = c.reply;
        w.arrayLen(lines.length + 3);
        w.simple(c.argForMessage(0).toUpperCase(Locale.ROOT) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String l : lines) {
            w.simple(l);
        }
        w.simple("HELP");
        w.simple("    Print this help.");
    }

    // ---- EXPIRE family, TTL family, PERSIST ---------------------------------------------------

    private static final int EXPIRE_NX = 1;
    private static final int EXPIRE_XX = 2;
    private static final int EXPIRE_GT = 4;
    private static final int EXPIRE_LT = 8;
    private static final byte[] W_NX = Ascii.bytes("nx");
    private static final byte[] W_XX = Ascii.bytes("xx");
    private static final byte[] W_GT = Ascii.bytes("gt");
    private static final byte[] W_LT = Ascii.bytes("lt");

    /**
     * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (Redis expireGenericCommand). {@code relative}: the
     * time is added to the command's time; {@code seconds}: the unit is seconds. A time not in
     * the future deletes the key.
     */
    static void expire(Client c, boolean relative, boolean seconds) {
        int flags = 0;
        for (int j = 3; j < c.argc(); j++) {
            if (c.argIs(j, W_NX)) {
                flags |= EXPIRE_NX;
            } else if (c.argIs(j, W_XX)) {
                flags |= EXPIRE_XX;
            } else if (c.argIs(j, W_GT)) {
                flags |= EXPIRE_GT;
            } else if (c.argIs(j, W_LT)) {
                flags |= EXPIRE_LT;
            } else {
                c.error("ERR Unsupported option " + c.argForMessage(j));
                return;
            }
        }
        if ((flags & EXPIRE_NX) != 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) != 0) {
            c.error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if ((flags & (EXPIRE_GT | EXPIRE_LT)) == (EXPIRE_GT | EXPIRE_LT)) {
            c.error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        if (!c.parseLong(2)) {
            return;
        }
        long when = c.parsed();
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                c.error(invalidExpireTime(c));
                return;
            }
            when *= 1000;
        }
        long base = relative ? c.now : 0;
        if (when > Long.MAX_VALUE - base) {
            c.error(invalidExpireTime(c));
            return;
        }
        when += base;
        Database db = c.db;
        Object e = db.lookupWrite(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        if (flags != 0) {
            long current = Entries.expireAt(e); // -1: none, i.e. infinite
            if (((flags & EXPIRE_NX) != 0 && current != -1)
                    || ((flags & EXPIRE_XX) != 0 && current == -1)
                    || ((flags & EXPIRE_GT) != 0 && (current == -1 || when <= current))
                    || ((flags & EXPIRE_LT) != 0 && current != -1 && when >= current)) {
                c.reply.zero();
                return;
            }
        }
        Propagation p = c.server.replication.propagation;
        // Redis checkAlreadyExpired: while loading (an AOF) or on a replica the time is stored
        // as is; the key then expires normally (a replica waits for its master's DEL).
        if (when <= c.now && !c.server.loading && !c.server.replication.replicaOf.isReplica()) {
            // Already expired: an explicit delete (not counted as an expiry, as in Redis).
            db.delete(c.argData(), c.argOff(1), c.argLen(1));
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
            if (p.active()) {
                p.rewrite(Propagation.deleteCommand(c.server.config.memory.lazyfreeLazyExpire.get()), c.argCopy(1));
            }
        } else {
            db.setExpire(e, when);
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.EXPIRE, 1);
            if (p.active()) {
                // Replicated as PEXPIREAT with the absolute time (options kept).
                if (!c.cmd.name().equals("pexpireat")) {
                    p.rewriteArg(c, 0, PEXPIREAT);
                }
                if (relative || seconds) {
                    p.rewriteArg(c, 2, Ascii.longBytes(when));
                }
            }
        }
        c.reply.one();
    }

    private static final byte[] PEXPIREAT = Ascii.bytes("PEXPIREAT");

    /** Redis addReplyErrorExpireTime. */
    private static String invalidExpireTime(Client c) {
        return "ERR invalid expire time in '" + c.cmd.fullName() + "' command";
    }

    /** TTL, PTTL, EXPIRETIME, PEXPIRETIME (Redis ttlGenericCommand): -2 missing, -1 no TTL. */
    static void ttl(Client c, boolean millis, boolean absolute) {
        Object e = c.db.lookupReadNoTouch(c, 1);
        if (e == null) {
            c.reply.integer(-2);
            return;
        }
        long at = Entries.expireAt(e);
        if (at == -1) {
            c.reply.integer(-1);
            return;
        }
        long t = absolute ? at : at - c.now;
        if (t < 0) {
            t = 0;
        }
        // Seconds are rounded to the nearest, as Redis does for both TTL and EXPIRETIME; t >= 0,
        // so unsigned arithmetic keeps the rounding right even next to Long.MAX_VALUE.
        c.reply.integer(millis ? t : Long.divideUnsigned(t + 500, 1000));
    }

    static void persist(Client c) {
        Object e = c.db.lookupWrite(c, 1);
        if (e == null || !Entries.hasExpire(e)) {
            c.reply.zero();
            return;
        }
        c.db.setExpire(e, -1);
        KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.PERSIST, 1);
        c.reply.one();
    }

    // ---- DBSIZE, FLUSHDB, FLUSHALL, SWAPDB ----------------------------------------------------

    static void dbsize(Client c) {
        c.reply.integer(c.db.size());
    }

    private static final byte[] W_SYNC = Ascii.bytes("sync");
    private static final byte[] W_ASYNC = Ascii.bytes("async");

    /**
     * Redis getFlushCommandFlags: nothing (lazyfree-lazy-user-flush decides), SYNC or ASYNC.
     * Returns 1 for async, 0 for sync, -1 after a syntax error. Either way the command returns
     * at once (a dropped table is garbage); ASYNC also has the lazy-free thread release it and
     * get the memory collected.
     */
    private static int flushMode(Client c) {
        if (c.argc() == 1) {
            return c.server.config.memory.lazyfreeLazyUserFlush.get() ? 1 : 0;
        }
        if (c.argc() == 2 && c.argIs(1, W_SYNC)) {
            return 0;
        }
        if (c.argc() == 2 && c.argIs(1, W_ASYNC)) {
            return 1;
        }
        c.syntaxError();
        return -1;
    }

    static void flushdb(Client c) {
        int mode = flushMode(c);
        if (mode < 0) {
            return;
        }
        c.server.stats.dirty += c.db.flush(mode == 1);
        c.server.tracking.invalidateAllOnFlush();
        // Replicated even when the database was already empty.
        c.server.replication.propagation.force();
        c.reply.ok();
    }

    static void flushall(Client c) {
        int mode = flushMode(c);
        if (mode < 0) {
            return;
        }
        long n = 0;
        for (Database db : c.server.dbs()) {
            n += db.flush(mode == 1);
        }
        // Tracked keys are not per database: one "everything" invalidation per FLUSHALL.
        c.server.tracking.invalidateAllOnFlush();
        c.server.stats.dirty += n;
        // Redis flushAllDataAndResetRDB: a running BGSAVE is killed (the flush above aborted
        // it) and, with save points, the empty data set is saved at once, which resets the
        // change counter.
        if (!c.server.config.persistence.save.get().isEmpty() && c.server.rdb.save()) {
            c.dirtyChanges = 0;
        }
        c.server.replication.propagation.force();
        c.reply.ok();
    }

    static void swapdb(Client c) {
        if (c.server.clusterEnabled()) {
            c.error("ERR SWAPDB is not allowed in cluster mode");
            return;
        }
        long id1 = parseInt(c, 1, "ERR invalid first DB index");
        if (id1 == Long.MIN_VALUE) {
            return;
        }
        long id2 = parseInt(c, 2, "ERR invalid second DB index");
        if (id2 == Long.MIN_VALUE) {
            return;
        }
        int n = c.server.dbCount();
        if (id1 < 0 || id1 >= n || id2 < 0 || id2 >= n) {
            c.error(Errors.INVALID_DB);
            return;
        }
        if (id1 != id2) {
            c.server.db((int) id1).swapWith(c.server.db((int) id2));
        }
        // Redis counts SWAPDB as one change, swapping a database with itself included.
        c.server.replication.propagation.force();
        c.reply.ok();
    }
}
