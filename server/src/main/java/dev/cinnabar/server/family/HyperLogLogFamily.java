package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.type.HyperLogLog;
import dev.cinnabar.server.type.MutableString;
import dev.cinnabar.server.type.Strings;
import java.util.concurrent.ThreadLocalRandom;

/**
 * HyperLogLog commands (Redis hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFSELFTEST, PFDEBUG.
 * The value is a plain string in Redis's HYLL byte format ({@link HyperLogLog}), so GET, SET,
 * DUMP and RESTORE carry it between servers.
 *
 * <p>A command that changes a value (and PFCOUNT, which caches the count in the header) first
 * unshares it into a raw {@link MutableString} keeping its TTL, as Redis's
 * dbUnshareStringValue does, then changes it in place.
 */
public final class HyperLogLogFamily {
    private HyperLogLogFamily() {}

    public static void register(CommandTable t) {
        t.bind("pfadd", HyperLogLogFamily::pfadd)
                .bind("pfcount", HyperLogLogFamily::pfcount)
                .bind("pfmerge", HyperLogLogFamily::pfmerge)
                .bind("pfselftest", HyperLogLogFamily::pfselftest)
                .bind("pfdebug", HyperLogLogFamily::pfdebug);
    }

    static final String INVALID = "INVALIDOBJ Corrupted HLL object detected";
    static final String NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";

    private static final byte[] W_GETREG = Ascii.bytes("getreg");
    private static final byte[] W_DECODE = Ascii.bytes("decode");
    private static final byte[] W_ENCODING = Ascii.bytes("encoding");
    private static final byte[] W_TODENSE = Ascii.bytes("todense");

    private static long sparseMax(Client c) {
        return c.server.config.encoding.hllSparseMaxBytes.get();
    }

    /**
     * Redis isHLLObjectOrReply: whether entry {@code e} (not null) is a string shaped like a
     * HyperLogLog; replies the type error otherwise. An int-encoded string is never one.
     */
    private static boolean isHll(Client c, Object e) {
        if (!Strings.isString(e)) {
            c.wrongType();
            return false;
        }
        if ((e instanceof byte[] p && Entries.encoding(p) == Entries.ENC_INT)
                || !HyperLogLog.looksValid(Strings.array(e), Strings.offset(e), Strings.length(e))) {
            c.error(NOT_HLL);
            return false;
        }
        return true;
    }

    /** The byte Redis reads past the end of a string value (see {@link HyperLogLog#terminator}). */
    private static int terminator(Object e) {
        return e instanceof ObjectEntry o && o.value instanceof MutableString ms ? HyperLogLog.terminator(ms) : 0;
    }

    /** The value of key argument {@code arg} (entry {@code e}) as a raw string that can change in place. */
    private static MutableString unshare(Client c, int arg, Object e) {
        if (e instanceof ObjectEntry o) {
            return (MutableString) o.value;
        }
        byte[] p = (byte[]) e;
        MutableString ms = new MutableString(p, Entries.valueOffset(p), Entries.valueLength(p), 0);
        c.db.setObject(c.argData(), c.argOff(arg), c.argLen(arg), ms, Entries.expireAt(p));
        return ms;
    }

    private static MutableString create(Client c, int arg) {
        byte[] fresh = HyperLogLog.newSparse();
        MutableString ms = new MutableString(fresh, 0, fresh.length, 0);
        c.db.setObject(c.argData(), c.argOff(arg), c.argLen(arg), ms, -1);
        return ms;
    }

    /** PFADD key [element ...]: 1 when the key was created or a register changed. */
    static void pfadd(Client c) {
        c.dirtyChanges = 0;
        Object e = c.db.lookupWrite(c, 1);
        MutableString s;
        int updated = 0;
        if (e == null) {
            s = create(c, 1);
            updated++;
        } else {
            if (!isHll(c, e)) {
                return;
            }
            s = unshare(c, 1, e);
        }
        long sparseMax = sparseMax(c);
        byte[] d = c.argData();
        for (int j = 2, argc = c.argc(); j < argc; j++) {
            int r = HyperLogLog.add(s, d, c.argOff(j), c.argLen(j), sparseMax);
            if (r < 0) {
                c.error(INVALID);
                return;
            }
            updated += r;
        }
        if (updated > 0) {
            c.db.modified(d, c.argOff(1), c.argLen(1));
            KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.PFADD, 1);
            c.dirtyChanges = updated;
            HyperLogLog.invalidateCache(s.array(), 0);
            c.reply.one();
        } else {
            c.reply.zero();
        }
    }

    /**
     * PFCOUNT key [key ...]: the estimate for one key, served from the cached value when it is
     * current (else computed and cached, which changes the value); for several keys, the
     * estimate of their union, computed without touching them.
     */
    static void pfcount(Client c) {
        c.dirtyChanges = 0;
        int argc = c.argc();
        if (argc > 2) {
            byte[] max = new byte[HyperLogLog.REGISTERS];
            for (int j = 1; j < argc; j++) {
                Object e = c.db.lookupRead(c, j);
                if (e == null) {
                    continue; // a missing key counts as an empty HyperLogLog
                }
                if (!isHll(c, e)) {
                    return;
                }
                if (!HyperLogLog.merge(max, Strings.array(e), Strings.offset(e), Strings.length(e), terminator(e))) {
                    c.error(INVALID);
                    return;
                }
            }
            c.reply.integer(HyperLogLog.countRaw(max));
            return;
        }
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        if (!isHll(c, e)) {
            return;
        }
        MutableString s = unshare(c, 1, e);
        byte[] a = s.array();
        long card;
        if (HyperLogLog.cacheValid(a, 0)) {
            card = HyperLogLog.cachedCardinality(a, 0);
        } else {
            card = HyperLogLog.count(a, 0, s.length(), HyperLogLog.terminator(s));
            if (card < 0) {
                c.error(INVALID);
                return;
            }
            HyperLogLog.setCachedCardinality(a, 0, card);
            // The cache is part of the string: the value changed, so watchers and replicas hear of it.
            c.db.modified(c.argData(), c.argOff(1), c.argLen(1));
            c.dirtyChanges = 1;
        }
        c.reply.integer(card);
    }

    /** PFMERGE destkey [sourcekey ...]: the destination (itself an input) becomes the union. */
    static void pfmerge(Client c) {
        c.dirtyChanges = 0;
        byte[] max = new byte[HyperLogLog.REGISTERS];
        boolean dense = false;
        int argc = c.argc();
        for (int j = 1; j < argc; j++) {
            Object e = c.db.lookupRead(c, j);
            if (e == null) {
                continue;
            }
            if (!isHll(c, e)) {
                return;
            }
            byte[] a = Strings.array(e);
            int off = Strings.offset(e);
            // One dense input makes the result dense right away: it would get there anyway.
            dense |= HyperLogLog.encoding(a, off) == HyperLogLog.DENSE;
            if (!HyperLogLog.merge(max, a, off, Strings.length(e), terminator(e))) {
                c.error(INVALID);
                return;
            }
        }
        // The destination was among the inputs, so it is known to be a HyperLogLog if present.
        Object e = c.db.lookupWrite(c, 1);
        MutableString s = e == null ? create(c, 1) : unshare(c, 1, e);
        if (dense && !HyperLogLog.toDense(s)) {
            c.error(INVALID);
            return;
        }
        long sparseMax = sparseMax(c);
        for (int j = 0; j < HyperLogLog.REGISTERS; j++) {
            if (max[j] != 0) {
                HyperLogLog.set(s, j, max[j], sparseMax);
            }
        }
        HyperLogLog.invalidateCache(s.array(), 0);
        byte[] d = c.argData();
        c.db.modified(d, c.argOff(1), c.argLen(1));
        KeyEvents.fire(c, KeyEvents.STRING, KeyEvents.PFADD, 1);
        c.dirtyChanges = 1;
        c.reply.ok();
    }

    /** PFSELFTEST: exercises the register code and the estimator's error bounds. */
    static void pfselftest(Client c) {
        String err = HyperLogLog.selfTest(ThreadLocalRandom.current(), sparseMax(c));
        if (err != null) {
            c.error(err);
        } else {
            c.reply.ok();
        }
    }

    /** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. */
    static void pfdebug(Client c) {
        c.dirtyChanges = 0;
        Object e = c.db.lookupWrite(c, 2);
        if (e == null) {
            c.error("ERR The specified key does not exist");
            return;
        }
        if (!isHll(c, e)) {
            return;
        }
        MutableString s = unshare(c, 2, e);
        if (c.argIs(1, W_GETREG)) {
            if (HyperLogLog.encoding(s.array(), 0) == HyperLogLog.SPARSE) {
                if (!HyperLogLog.toDense(s)) {
                    c.error(INVALID);
                    return;
                }
                c.dirtyChanges = 1; // replicas must convert too
            }
            byte[] a = s.array();
            c.reply.arrayLen(HyperLogLog.REGISTERS);
            for (int j = 0; j < HyperLogLog.REGISTERS; j++) {
                c.reply.integer(HyperLogLog.denseRegister(a, 0, s.length(), j));
            }
        } else if (c.argIs(1, W_DECODE)) {
            if (HyperLogLog.encoding(s.array(), 0) != HyperLogLog.SPARSE) {
                c.error("ERR HLL encoding is not sparse");
                return;
            }
            c.reply.bulk(HyperLogLog.decodeSparse(s.array(), 0, s.length(), HyperLogLog.terminator(s)));
        } else if (c.argIs(1, W_ENCODING)) {
            c.reply.simple(HyperLogLog.encoding(s.array(), 0) == HyperLogLog.DENSE ? "dense" : "sparse");
        } else if (c.argIs(1, W_TODENSE)) {
            boolean converted = false;
            if (HyperLogLog.encoding(s.array(), 0) == HyperLogLog.SPARSE) {
                if (!HyperLogLog.toDense(s)) {
                    c.error(INVALID);
                    return;
                }
                converted = true;
                c.dirtyChanges = 1;
            }
            c.reply.integer(converted ? 1 : 0);
        } else {
            c.error("ERR Unknown PFDEBUG subcommand '" + c.argForMessage(1) + "'");
        }
    }
}
