package dev.cinnabar.server.family;

import dev.cinnabar.ds.Glob;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.config.ClientOutputBufferLimitParam.ClientClass;
import dev.cinnabar.server.config.EncodingParams;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.replication.Propagation;
import dev.cinnabar.server.type.HashValue;
import dev.cinnabar.server.type.HashValue.PairVisitor;
import dev.cinnabar.server.util.LongDouble;
import java.util.IdentityHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hash commands (Redis t_hash.c): HSET/HMSET/HSETNX, HGET/HMGET, HDEL, HLEN, HSTRLEN, HEXISTS,
 * HKEYS/HVALS/HGETALL, HINCRBY/HINCRBYFLOAT, HRANDFIELD and HSCAN, over {@link HashValue}.
 *
 * <p>Encoding changes happen exactly where Redis makes them, so OBJECT ENCODING answers the
 * same: HSET/HMSET/HSETNX look at their arguments before writing (hashTypeTryConversion: more
 * new pairs than hash-max-listpack-entries, or any argument longer than
 * hash-max-listpack-value), and every write checks the field and value lengths and the
 * resulting size (hashTypeSet). Both thresholds are read live from the configuration.
 */
public final class HashFamily {
    private HashFamily() {}

    public static void register(CommandTable t) {
        t.bind("hset", c -> hset(c, false))
                .bind("hmset", c -> hset(c, true))
                .bind("hsetnx", HashFamily::hsetnx)
                .bind("hget", HashFamily::hget)
                .bind("hmget", HashFamily::hmget)
                .bind("hdel", HashFamily::hdel)
                .bind("hlen", HashFamily::hlen)
                .bind("hstrlen", HashFamily::hstrlen)
                .bind("hexists", HashFamily::hexists)
                .bind("hkeys", c -> getall(c, true, false))
                .bind("hvals", c -> getall(c, false, true))
                .bind("hgetall", c -> getall(c, true, true))
                .bind("hincrby", HashFamily::hincrby)
                .bind("hincrbyfloat", HashFamily::hincrbyfloat)
                .bind("hrandfield", HashFamily::hrandfield)
                .bind("hscan", HashFamily::hscan);
    }

    /** Redis LISTPACK_MAX_SAFETY_SIZE: a listpack never grows past 1 GB. */
    static final long LISTPACK_SAFETY_BYTES = 1L << 30;

    private static final byte[] W_WITHVALUES = Ascii.bytes("withvalues");

    // ---- lookup helpers ---------------------------------------------------------------------

    /** The hash held by an entry, or null when the entry holds another type. */
    static HashValue asHash(Object e) {
        return e instanceof ObjectEntry o && o.value instanceof HashValue h ? h : null;
    }

    /**
     * Redis hashTypeLookupWriteOrCreate: the hash at key argument 1, created empty (listpack)
     * when missing; null after replying WRONGTYPE.
     */
    private static HashValue lookupWriteOrCreate(Client c) {
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            HashValue h = new HashValue();
            c.db.setObject(c.argData(), c.argOff(1), c.argLen(1), h, -1);
            return h;
        }
        HashValue h = asHash(e);
        if (h == null) {
            c.wrongType();
        }
        return h;
    }

    private static void modified(Client c) {
        c.db.modified(c.argData(), c.argOff(1), c.argLen(1));
    }

    private static EncodingParams enc(Client c) {
        return c.server.config.encoding;
    }

    /**
     * Redis hashTypeTryConversion over arguments {@code start..end} (field, value, ...): a
     * listpack hash becomes a table, presized, when more pairs arrive than the listpack may
     * hold, or when any argument is too long for it, or when the listpack would pass 1 GB.
     */
    private static void tryConversion(Client c, HashValue h, int start, int end) {
        if (!h.isListpack()) {
            return;
        }
        EncodingParams p = enc(c);
        long newFields = (end - start + 1) / 2;
        if (newFields > p.hashMaxListpackEntries.get()) {
            h.convertToTable(newFields);
            return;
        }
        long maxValue = p.hashMaxListpackValue.get();
        long sum = 0;
        for (int i = start; i <= end; i++) {
            int len = c.argLen(i);
            if (len > maxValue) {
                h.convertToTable(h.size());
                return;
            }
            sum += len;
        }
        if (h.listpackBytes() + sum > LISTPACK_SAFETY_BYTES) {
            h.convertToTable(h.size());
        }
    }

    /** hashTypeSet of field argument {@code fArg} to {@code v[off, off+len)}. */
    private static boolean set(Client c, HashValue h, int fArg, byte[] v, int off, int len) {
        EncodingParams p = enc(c);
        return h.set(c.argData(), c.argOff(fArg), c.argLen(fArg), v, off, len, p.hashMaxListpackEntries.get(),
                p.hashMaxListpackValue.get());
    }

    // ---- writes -----------------------------------------------------------------------------

    static void hset(Client c, boolean hmset) {
        int argc = c.argc();
        if ((argc & 1) == 1) {
            c.arityError();
            return;
        }
        HashValue h = lookupWriteOrCreate(c);
        if (h == null) {
            return;
        }
        tryConversion(c, h, 2, argc - 1);
        byte[] d = c.argData();
        long created = 0;
        for (int i = 2; i < argc; i += 2) {
            if (set(c, h, i, d, c.argOff(i + 1), c.argLen(i + 1))) {
                created++;
            }
        }
        if (hmset) {
            c.reply.ok();
        } else {
            c.reply.integer(created);
        }
        modified(c);
        KeyEvents.fire(c, KeyEvents.HASH, KeyEvents.HSET, 1);
    }

    static void hsetnx(Client c) {
        HashValue h = lookupWriteOrCreate(c);
        if (h == null) {
            return;
        }
        byte[] d = c.argData();
        if (h.contains(d, c.argOff(2), c.argLen(2))) {
            c.reply.zero();
            return;
        }
        tryConversion(c, h, 2, 3);
        set(c, h, 2, d, c.argOff(3), c.argLen(3));
        c.reply.one();
        modified(c);
        KeyEvents.fire(c, KeyEvents.HASH, KeyEvents.HSET, 1);
    }

    static void hdel(Client c) {
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        HashValue h = asHash(e);
        if (h == null) {
            c.wrongType();
            return;
        }
        byte[] d = c.argData();
        long deleted = 0;
        boolean keyRemoved = false;
        int argc = c.argc();
        for (int j = 2; j < argc; j++) {
            if (h.delete(d, c.argOff(j), c.argLen(j))) {
                deleted++;
                if (h.size() == 0) {
                    // Redis never keeps an empty aggregate.
                    c.db.delete(d, c.argOff(1), c.argLen(1));
                    keyRemoved = true;
                    break;
                }
            }
        }
        if (deleted > 0) {
            modified(c);
            KeyEvents.fire(c, KeyEvents.HASH, KeyEvents.HDEL, 1);
            if (keyRemoved) {
                KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
            }
        }
        c.reply.integer(deleted);
    }

    static void hincrby(Client c) {
        if (!c.parseLong(3)) {
            return;
        }
        long incr = c.parsed();
        HashValue h = lookupWriteOrCreate(c);
        if (h == null) {
            return;
        }
        byte[] d = c.argData();
        long value = 0;
        if (h.get(d, c.argOff(2), c.argLen(2))) {
            byte[] a = h.valueArray();
            int off = h.valueOffset();
            int len = h.valueLength();
            value = Ascii.parseLongOr(a, off, len, Long.MIN_VALUE);
            if (value == Long.MIN_VALUE && !Ascii.isLong(a, off, len)) {
                c.error("ERR hash value is not an integer");
                return;
            }
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
                || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            c.error("ERR increment or decrement would overflow");
            return;
        }
        value += incr;
        byte[] buf = c.numScratch;
        int n = Ascii.putLong(buf, 0, value);
        set(c, h, 2, buf, 0, n);
        c.reply.integer(value);
        modified(c);
        KeyEvents.fire(c, KeyEvents.HASH, KeyEvents.HINCRBY, 1);
    }

    static void hincrbyfloat(Client c) {
        LongDouble incr = LongDouble.parse(c.argData(), c.argOff(3), c.argLen(3));
        if (incr == null) {
            c.notFloat();
            return;
        }
        if (!incr.isFinite()) {
            c.error("ERR value is NaN or Infinity");
            return;
        }
        HashValue h = lookupWriteOrCreate(c);
        if (h == null) {
            return;
        }
        LongDouble value = LongDouble.of(0);
        if (h.get(c.argData(), c.argOff(2), c.argLen(2))) {
            value = LongDouble.parse(h.valueArray(), h.valueOffset(), h.valueLength());
            if (value == null) {
                c.error("ERR hash value is not a float");
                return;
            }
        }
        value = value.add(incr);
        if (!value.isFinite()) {
            c.error("ERR increment would produce NaN or Infinity");
            return;
        }
        byte[] text = value.toHumanBytes();
        set(c, h, 2, text, 0, text.length);
        c.reply.bulk(text);
        modified(c);
        KeyEvents.fire(c, KeyEvents.HASH, KeyEvents.HINCRBYFLOAT, 1);
        Propagation p = c.server.replication.propagation;
        if (p.active()) {
            // Replicated as HSET key field <result>, so float formatting never diverges.
            p.rewrite(HSET, c.argCopy(1), c.argCopy(2), text);
        }
    }

    private static final byte[] HSET = Ascii.bytes("HSET");

    // ---- reads ------------------------------------------------------------------------------

    /** What {@link #lookupRead} returns for a missing key. */
    private static final Object MISSING = new Object();

    /**
     * The hash at key argument 1 for reading: {@link #MISSING} when there is no such key, null
     * after replying WRONGTYPE, else the {@link HashValue}.
     */
    private static Object lookupRead(Client c) {
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            return MISSING;
        }
        HashValue h = asHash(e);
        if (h == null) {
            c.wrongType();
        }
        return h;
    }

    static void hget(Client c) {
        Object o = lookupRead(c);
        if (o == MISSING) {
            c.reply.nullBulk();
        } else if (o instanceof HashValue h) {
            replyField(c, h, 2);
        }
    }

    private static void replyField(Client c, HashValue h, int fArg) {
        if (h != null && h.get(c.argData(), c.argOff(fArg), c.argLen(fArg))) {
            c.reply.bulk(h.valueArray(), h.valueOffset(), h.valueLength());
        } else {
            c.reply.nullBulk();
        }
    }

    static void hmget(Client c) {
        Object o = lookupRead(c);
        if (o == null) {
            return;
        }
        HashValue h = o instanceof HashValue hv ? hv : null;
        int argc = c.argc();
        c.reply.arrayLen(argc - 2);
        for (int i = 2; i < argc; i++) {
            replyField(c, h, i);
        }
    }

    static void hlen(Client c) {
        Object o = lookupRead(c);
        if (o == MISSING) {
            c.reply.zero();
        } else if (o instanceof HashValue h) {
            c.reply.integer(h.size());
        }
    }

    static void hstrlen(Client c) {
        Object o = lookupRead(c);
        if (o == MISSING) {
            c.reply.zero();
        } else if (o instanceof HashValue h) {
            c.reply.integer(h.get(c.argData(), c.argOff(2), c.argLen(2)) ? h.valueLength() : 0);
        }
    }

    static void hexists(Client c) {
        Object o = lookupRead(c);
        if (o == MISSING) {
            c.reply.zero();
        } else if (o instanceof HashValue h) {
            c.reply.integer(h.contains(c.argData(), c.argOff(2), c.argLen(2)) ? 1 : 0);
        }
    }

    /** HKEYS, HVALS and HGETALL (a map in RESP3; the others are flat arrays). */
    static void getall(Client c, boolean fields, boolean values) {
        Object o = lookupRead(c);
        ReplyWriter w = c.reply;
        boolean map = fields && values;
        if (o == MISSING) {
            if (map) {
                w.mapLen(0);
            } else {
                w.emptyArray();
            }
            return;
        }
        if (!(o instanceof HashValue h)) {
            return;
        }
        if (map) {
            w.mapLen(h.size());
        } else {
            w.arrayLen(h.size());
        }
        h.forEach(emitter(w, fields, values, false));
    }

    /**
     * Writes pairs as replies: the field, the value, or both, in RESP3 optionally as a
     * two-element array per pair (HRANDFIELD WITHVALUES).
     */
    private static PairVisitor emitter(ReplyWriter w, boolean fields, boolean values, boolean nested) {
        if (fields && values) {
            if (nested) {
                return (f, fo, fl, v, vo, vl) -> {
                    w.arrayLen(2);
                    w.bulk(f, fo, fl);
                    w.bulk(v, vo, vl);
                };
            }
            return (f, fo, fl, v, vo, vl) -> {
                w.bulk(f, fo, fl);
                w.bulk(v, vo, vl);
            };
        }
        if (fields) {
            return (f, fo, fl, v, vo, vl) -> w.bulk(f, fo, fl);
        }
        return (f, fo, fl, v, vo, vl) -> w.bulk(v, vo, vl);
    }

    // ---- HRANDFIELD -------------------------------------------------------------------------

    /** Redis HRANDFIELD_SUB_STRATEGY_MUL: below this ratio, copy the hash and remove at random. */
    static final int SUB_STRATEGY_MUL = 3;

    /**
     * A reply that big for a random sample with repetitions closes the connection instead of
     * growing further: Redis (with its default unlimited output buffer for normal clients) would
     * run out of memory serving e.g. HRANDFIELD key -9223372036854775807; we drop the client,
     * as Redis does once a configured client-output-buffer-limit is passed.
     */
    static final long RANDOM_REPLY_LIMIT = 256L << 20;

    private static long randomReplyLimit(Client c) {
        long hard = c.server.config.network.clientOutputBufferLimit.get(ClientClass.NORMAL).hardLimitBytes();
        return hard > 0 ? Math.min(hard, RANDOM_REPLY_LIMIT) : RANDOM_REPLY_LIMIT;
    }

    static void hrandfield(Client c) {
        int argc = c.argc();
        if (argc >= 3) {
            if (!c.parseLong(2)) {
                return;
            }
            long l = c.parsed();
            if (l == Long.MIN_VALUE) {
                c.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
                return;
            }
            if (argc > 4 || (argc == 4 && !c.argIs(3, W_WITHVALUES))) {
                c.syntaxError();
                return;
            }
            boolean withValues = argc == 4;
            // Twice the count of replies must still fit a signed long.
            if (withValues && (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2)) {
                c.error("ERR value is out of range");
                return;
            }
            hrandfieldWithCount(c, l, withValues);
            return;
        }
        Object o = lookupRead(c);
        if (o == MISSING) {
            c.reply.nullBulk();
            return;
        }
        if (!(o instanceof HashValue h)) {
            return;
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        PairVisitor emit = emitter(c.reply, true, false, false);
        if (h.isListpack()) {
            int[] pos = h.fieldPositions();
            h.visitAt(pos[rnd.nextInt(pos.length)], emit);
        } else {
            HashValue.visitEntry(h.randomEntry(rnd), emit);
        }
    }

    private static void hrandfieldWithCount(Client c, long l, boolean withValues) {
        Object o = lookupRead(c);
        ReplyWriter w = c.reply;
        if (o == MISSING) {
            w.emptyArray();
            return;
        }
        if (!(o instanceof HashValue h)) {
            return;
        }
        long size = h.size();
        boolean unique = l >= 0;
        long count = unique ? l : -l;
        if (count == 0) {
            w.emptyArray();
            return;
        }
        boolean resp3 = c.resp() > 2;
        PairVisitor emit = emitter(w, true, withValues, resp3);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();

        // Case 1: repetitions allowed (or a single pick): independent uniform picks, in the
        // order drawn.
        if (!unique || count == 1) {
            w.arrayLen(withValues && !resp3 ? count * 2 : count);
            int[] pos = h.isListpack() ? h.fieldPositions() : null;
            long limit = randomReplyLimit(c);
            for (long i = 0; i < count; i++) {
                if (pos != null) {
                    h.visitAt(pos[rnd.nextInt(pos.length)], emit);
                } else {
                    HashValue.visitEntry(h.randomEntry(rnd), emit);
                }
                if ((i & 1023) == 1023 && w.pending() > limit) {
                    c.server.stats.clientOutputBufferLimitDisconnections++;
                    w.discard();
                    ClientFamily.disconnect(c.server, c);
                    return;
                }
            }
            return;
        }

        long replySize = Math.min(count, size);
        w.arrayLen(withValues && !resp3 ? replySize * 2 : replySize);

        // Case 2: asked for at least the whole hash: all of it, in storage order.
        if (count >= size) {
            h.forEach(emit);
            return;
        }
        int n = (int) count;

        // Case 2.5 (listpack): one pass of selection sampling, each remaining field taken with
        // probability wanted/left; the result keeps listpack order, as Redis's does.
        if (h.isListpack()) {
            int[] pos = h.fieldPositions();
            int wanted = n;
            for (int i = 0; i < pos.length && wanted > 0; i++) {
                if (rnd.nextLong(pos.length - i) < wanted) {
                    h.visitAt(pos[i], emit);
                    wanted--;
                }
            }
            return;
        }

        // Case 3: the sample is a large part of the hash: take everything, then drop random
        // entries until the count is left.
        if (count * SUB_STRATEGY_MUL > size) {
            Object[] all = h.entries();
            int left = all.length;
            while (left > n) {
                int victim = rnd.nextInt(left);
                all[victim] = all[--left];
            }
            for (int i = 0; i < n; i++) {
                HashValue.visitEntry(all[i], emit);
            }
            return;
        }

        // Case 4: a small sample of a big hash: random picks, skipping repeats, in pick order.
        IdentityHashMap<Object, Boolean> picked = new IdentityHashMap<>(n * 2);
        while (picked.size() < n) {
            Object e = h.randomEntry(rnd);
            if (picked.put(e, Boolean.TRUE) == null) {
                HashValue.visitEntry(e, emit);
            }
        }
    }

    // ---- HSCAN ------------------------------------------------------------------------------

    static void hscan(Client c) {
        byte[] d = c.argData();
        ScanArgs scan = new ScanArgs();
        if (!scan.cursor(c, 2)) {
            return;
        }
        long cursor = scan.cursor;
        Object o = lookupRead(c);
        ReplyWriter w = c.reply;
        if (o == MISSING) {
            w.arrayLen(2);
            w.bulk(ZERO_CURSOR);
            w.emptyArray();
            return;
        }
        if (!(o instanceof HashValue h)) {
            return;
        }
        if (!scan.options(c, 3, false)) {
            return;
        }
        long count = scan.count;
        int patOff = scan.patOff;
        int patLen = scan.patLen;
        if (h.isListpack()) {
            // Small encodings are returned whole, with cursor 0 (Redis keeps no state for them).
            w.arrayLen(2);
            w.bulk(ZERO_CURSOR);
            int token = w.deferLen();
            long[] n = new long[1];
            h.forEach((f, fo, fl, v, vo, vl) -> {
                if (patOff < 0 || Glob.match(d, patOff, patLen, f, fo, fl, false)) {
                    w.bulk(f, fo, fl);
                    w.bulk(v, vo, vl);
                    n[0] += 2;
                }
            });
            w.setDeferredArrayLen(token, n[0]);
            return;
        }
        ScanBatch batch = new ScanBatch();
        long maxIterations = count * 10;
        do {
            cursor = h.scan(cursor, (f, fo, fl, v, vo, vl) -> {
                batch.sampled++;
                if (patOff < 0 || Glob.match(d, patOff, patLen, f, fo, fl, false)) {
                    batch.add(f, fo, fl);
                    batch.add(v, vo, vl);
                }
            });
        } while (cursor != 0 && maxIterations-- != 0 && batch.sampled < count);
        w.arrayLen(2);
        w.bulkLong(cursor);
        w.arrayLen(batch.size);
        for (int i = 0; i < batch.size; i++) {
            long ol = batch.offLen[i];
            w.bulk(batch.arrays[i], (int) (ol >>> 32), (int) ol);
        }
    }

    private static final byte[] ZERO_CURSOR = Ascii.bytes("0");

    /** Byte slices collected during an HSCAN step (the table may not be touched while visiting). */
    private static final class ScanBatch {
        byte[][] arrays = new byte[32][];
        long[] offLen = new long[32];
        int size;
        long sampled;

        void add(byte[] a, int off, int len) {
            if (size == arrays.length) {
                arrays = java.util.Arrays.copyOf(arrays, size * 2);
                offLen = java.util.Arrays.copyOf(offLen, size * 2);
            }
            arrays[size] = a;
            offLen[size++] = ((long) off << 32) | (len & 0xFFFFFFFFL);
        }
    }
}
