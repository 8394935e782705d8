package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.Glob;
import dev.cinnabar.ds.KeyTable;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.config.ClientOutputBufferLimitParam.ClientClass;
import dev.cinnabar.server.config.EncodingParams;
import dev.cinnabar.server.replication.Propagation;
import dev.cinnabar.server.type.SetValue;
import dev.cinnabar.server.type.SetValue.Member;
import dev.cinnabar.server.type.SetValue.MemberVisitor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Set commands (Redis t_set.c): SADD, SREM, SMOVE, membership and cardinality, SPOP and
 * SRANDMEMBER with Redis 7.2's case analysis, the intersection/union/difference family with its
 * STORE and CARD variants, and SSCAN.
 *
 * <p>Encodings of stored results follow Redis: SINTERSTORE starts from an intset when the
 * smallest input is one and from a listpack otherwise, and turns an all-integer result into an
 * intset; SUNION/SDIFF build their result from an empty intset that converts as members arrive;
 * SPOP keeps the popped-from set, or swaps in the set of survivors it built. Replies that Redis
 * sends as RESP3 sets (SMEMBERS, SINTER, SUNION, SDIFF, SPOP with a count) are sets here too;
 * SRANDMEMBER with a count replies an array.
 */
public final class SetFamily {
    private SetFamily() {}

    public static void register(CommandTable t) {
        t.bind("sadd", SetFamily::sadd)
                .bind("srem", SetFamily::srem)
                .bind("smove", SetFamily::smove)
                .bind("sismember", SetFamily::sismember)
                .bind("smismember", SetFamily::smismember)
                .bind("scard", SetFamily::scard)
                .bind("spop", SetFamily::spop)
                .bind("srandmember", SetFamily::srandmember)
                .bind("smembers", SetFamily::smembers)
                .bind("sinter", SetFamily::sinter)
                .bind("sintercard", SetFamily::sintercard)
                .bind("sinterstore", SetFamily::sinterstore)
                .bind("sunion", SetFamily::sunion)
                .bind("sunionstore", SetFamily::sunionstore)
                .bind("sdiff", SetFamily::sdiff)
                .bind("sdiffstore", SetFamily::sdiffstore)
                .bind("sscan", SetFamily::sscan);
    }

    static final String ERR_POSITIVE = "ERR value is out of range, must be positive";
    static final String ERR_SRANDMEMBER_RANGE =
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
    static final String ERR_NUMKEYS = "ERR numkeys should be greater than 0";
    static final String ERR_NUMKEYS_ARGS = "ERR Number of keys can't be greater than number of args";
    static final String ERR_LIMIT = "ERR LIMIT can't be negative";

    /** SPOP switches to building the survivors once it pops more than 5x what it leaves. */
    static final int SPOP_MOVE_STRATEGY_MUL = 5;
    /** SRANDMEMBER copies the whole set and thins it out when asking for over a third of it. */
    static final int SRANDMEMBER_SUB_STRATEGY_MUL = 3;

    private static final byte[] W_LIMIT = Ascii.bytes("limit");

    // ---- helpers ----------------------------------------------------------------------------

    /** The set held by an existing entry, or null if the entry holds another type. */
    static SetValue asSet(Object e) {
        return e instanceof ObjectEntry o && o.value instanceof SetValue s ? s : null;
    }

    private static EncodingParams params(Client c) {
        return c.server.config.encoding;
    }

    private static RandomGenerator rnd() {
        return ThreadLocalRandom.current();
    }

    private static void reply(ReplyWriter w, Member m) {
        if (m.isInt) {
            w.bulkLong(m.value);
        } else {
            w.bulk(m.array, m.offset, m.length);
        }
    }

    /** Writes every visited member as a bulk string; stops once the client is to be closed. */
    private static final class ReplyVisitor implements MemberVisitor {
        private final Client c;

        ReplyVisitor(Client c) {
            this.c = c;
        }

        @Override
        public boolean bytes(byte[] a, int off, int len) {
            c.reply.bulk(a, off, len);
            return !c.has(Client.CLOSE_ASAP);
        }

        @Override
        public boolean integer(long v) {
            c.reply.bulkLong(v);
            return !c.has(Client.CLOSE_ASAP);
        }
    }

    /**
     * Reply bytes past which a reply whose size the client alone chose (SRANDMEMBER with a
     * negative count: any number of repetitions) is abandoned when no output limit is set.
     * Redis would grow the buffer until memory runs out; one client must not do that here.
     */
    static final long CLIENT_SIZED_REPLY_CAP = 512L << 20;

    /**
     * Whether a client-sized reply must stop: the client is already being closed, or the reply
     * passed the normal clients' hard output buffer limit (or {@link #CLIENT_SIZED_REPLY_CAP}).
     * Passing it drops the client, as Redis's output buffer limit does, and frees the reply.
     */
    private static boolean replyOverflow(Client c) {
        if (c.has(Client.CLOSE_ASAP)) {
            return true;
        }
        long pending = c.reply.pending();
        if (pending < (1 << 20)) {
            return false;
        }
        long hard = c.server.config.network.clientOutputBufferLimit.get(ClientClass.NORMAL).hardLimitBytes();
        if (pending <= (hard > 0 ? Math.min(hard, CLIENT_SIZED_REPLY_CAP) : CLIENT_SIZED_REPLY_CAP)) {
            return false;
        }
        c.server.stats.clientOutputBufferLimitDisconnections++;
        c.reply.discard();
        ClientFamily.disconnect(c.server, c);
        return true;
    }

    /** {@link ReplyVisitor} for client-sized replies: stops at {@link #replyOverflow}. */
    private static final class BoundedReplyVisitor implements MemberVisitor {
        private final Client c;

        BoundedReplyVisitor(Client c) {
            this.c = c;
        }

        @Override
        public boolean bytes(byte[] a, int off, int len) {
            c.reply.bulk(a, off, len);
            return !replyOverflow(c);
        }

        @Override
        public boolean integer(long v) {
            c.reply.bulkLong(v);
            return !replyOverflow(c);
        }
    }

    private static void deleteKey(Client c, int arg) {
        c.db.delete(c.argData(), c.argOff(arg), c.argLen(arg));
    }

    /** Deletes a destination key the result of a *STORE would have replaced: "del" if it existed. */
    private static void deleteDestination(Client c, int arg) {
        if (c.db.delete(c.argData(), c.argOff(arg), c.argLen(arg))) {
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, arg);
        }
    }

    private static void modified(Client c, int arg) {
        c.db.modified(c.argData(), c.argOff(arg), c.argLen(arg));
    }

    private static void store(Client c, int arg, SetValue s) {
        c.db.setObject(c.argData(), c.argOff(arg), c.argLen(arg), s, -1);
    }

    // ---- SADD / SREM / SMOVE ------------------------------------------------------------------

    static void sadd(Client c) {
        Object e = c.db.lookupWrite(c, 1);
        byte[] d = c.argData();
        int argc = c.argc();
        EncodingParams p = params(c);
        SetValue s;
        boolean created = false;
        if (e == null) {
            s = SetValue.create(d, c.argOff(2), c.argLen(2), argc - 2, p);
            store(c, 1, s);
            created = true;
        } else {
            s = asSet(e);
            if (s == null) {
                c.wrongType();
                return;
            }
            s.maybeConvert(argc - 2, p);
        }
        int added = 0;
        for (int j = 2; j < argc; j++) {
            if (s.add(d, c.argOff(j), c.argLen(j), p)) {
                added++;
            }
        }
        if (added > 0 && !created) {
            modified(c, 1);
        }
        if (added > 0) {
            KeyEvents.fire(c, KeyEvents.SET, KeyEvents.SADD, 1);
        }
        c.reply.integer(added);
    }

    static void srem(Client c) {
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        SetValue s = asSet(e);
        if (s == null) {
            c.wrongType();
            return;
        }
        byte[] d = c.argData();
        int deleted = 0;
        boolean removedKey = false;
        for (int j = 2, argc = c.argc(); j < argc; j++) {
            if (s.remove(d, c.argOff(j), c.argLen(j))) {
                deleted++;
                if (s.size() == 0) {
                    deleteKey(c, 1);
                    removedKey = true;
                    break;
                }
            }
        }
        if (deleted > 0 && !removedKey) {
            s.trim();
            modified(c, 1);
        }
        if (deleted > 0) {
            KeyEvents.fire(c, KeyEvents.SET, KeyEvents.SREM, 1);
            if (removedKey) {
                KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
            }
        }
        c.reply.integer(deleted);
    }

    static void smove(Client c) {
        Object srcEntry = c.db.lookupWrite(c, 1);
        Object dstEntry = c.db.lookupWrite(c, 2);
        if (srcEntry == null) {
            c.reply.zero();
            return;
        }
        SetValue src = asSet(srcEntry);
        SetValue dst = dstEntry == null ? null : asSet(dstEntry);
        if (src == null || (dstEntry != null && dst == null)) {
            c.wrongType();
            return;
        }
        byte[] d = c.argData();
        int off = c.argOff(3);
        int len = c.argLen(3);
        if (src == dst) {
            c.reply.integer(src.contains(d, off, len) ? 1 : 0);
            return;
        }
        if (!src.remove(d, off, len)) {
            c.reply.zero();
            return;
        }
        KeyEvents.fire(c, KeyEvents.SET, KeyEvents.SREM, 1);
        if (src.size() == 0) {
            deleteKey(c, 1);
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
        }
        EncodingParams p = params(c);
        modified(c, 1);
        if (dst == null) {
            dst = SetValue.create(d, off, len, 1, p);
            store(c, 2, dst);
        }
        // Only a real addition changes the destination (WATCH on it must not fire otherwise).
        if (dst.add(d, off, len, p)) {
            modified(c, 2);
            KeyEvents.fire(c, KeyEvents.SET, KeyEvents.SADD, 2);
        }
        c.reply.one();
    }

    // ---- membership and size -----------------------------------------------------------------

    static void sismember(Client c) {
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        SetValue s = asSet(e);
        if (s == null) {
            c.wrongType();
            return;
        }
        c.reply.integer(s.contains(c.argData(), c.argOff(2), c.argLen(2)) ? 1 : 0);
    }

    static void smismember(Client c) {
        Object e = c.db.lookupRead(c, 1);
        SetValue s = null;
        if (e != null) {
            s = asSet(e);
            if (s == null) {
                c.wrongType();
                return;
            }
        }
        // A missing key is an empty set: all zeros.
        int argc = c.argc();
        byte[] d = c.argData();
        c.reply.arrayLen(argc - 2);
        for (int j = 2; j < argc; j++) {
            c.reply.integer(s != null && s.contains(d, c.argOff(j), c.argLen(j)) ? 1 : 0);
        }
    }

    static void scard(Client c) {
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        SetValue s = asSet(e);
        if (s == null) {
            c.wrongType();
            return;
        }
        c.reply.integer(s.size());
    }

    // ---- SPOP ---------------------------------------------------------------------------------

    static void spop(Client c) {
        if (c.argc() == 3) {
            spopWithCount(c);
            return;
        }
        if (c.argc() > 3) {
            c.syntaxError();
            return;
        }
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            c.reply.nullBulk();
            return;
        }
        SetValue s = asSet(e);
        if (s == null) {
            c.wrongType();
            return;
        }
        Member m = new Member();
        s.popRandom(rnd(), m);
        KeyEvents.fire(c, KeyEvents.SET, KeyEvents.SPOP, 1);
        reply(c.reply, m);
        Propagation prop = c.server.replication.propagation;
        if (prop.active()) {
            // Replicated as SREM of the member chosen here.
            prop.rewrite(SREM, c.argCopy(1), memberBytes(m));
        }
        if (s.size() == 0) {
            deleteKey(c, 1);
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
        } else {
            s.trim();
            modified(c, 1);
        }
    }

    /**
     * SPOP key count, as Redis 7.2's spopWithCountCommand: (1) a count covering the set returns
     * the whole set and deletes the key; otherwise, with "remaining" the members left after the
     * pop, (2) when remaining is more than a fifth of count, members are popped one by one (a
     * listpack picks them all in one pass and deletes them together); (3) otherwise the set of
     * survivors is built by moving random members out, the old set's contents are the reply, and
     * the survivors become the key's value (TTL kept).
     *
     * <p>Propagation (when replication exists): case 1 as DEL or UNLINK (lazyfree-lazy-server-del)
     * of the key; cases 2 and 3 as SREM commands of up to 1024 popped members each, never as SPOP,
     * so replicas and the AOF remove exactly the members chosen here.
     */
    private static void spopWithCount(Client c) {
        if (!c.parseLong(2, ERR_POSITIVE)) {
            return;
        }
        long count = c.parsed();
        if (count < 0) {
            c.error(ERR_POSITIVE);
            return;
        }
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            c.reply.setLen(0);
            return;
        }
        SetValue s = asSet(e);
        if (s == null) {
            c.wrongType();
            return;
        }
        if (count == 0) {
            c.reply.setLen(0);
            return;
        }
        long size = s.size();
        // Redis notifies before popping, whatever the case below.
        KeyEvents.fire(c, KeyEvents.SET, KeyEvents.SPOP, 1);
        if (count >= size) {
            // Case 1: the reply is the set's union with nothing, as Redis computes it.
            replyAsSet(c, unionOrDiff(new SetValue[] {s}, UNION, params(c), c.numScratch));
            deleteKey(c, 1);
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
            Propagation prop = c.server.replication.propagation;
            if (prop.active()) {
                prop.rewrite(Propagation.deleteCommand(c.server.config.memory.lazyfreeLazyServerDel.get()), c.argCopy(1));
            }
            return;
        }
        ReplyWriter w = c.reply;
        w.setLen(count);
        long remaining = size - count;
        RandomGenerator r = rnd();
        EncodingParams p = params(c);
        SremBatches srem = new SremBatches(c);
        if (remaining * SPOP_MOVE_STRATEGY_MUL > count && s.isListpack()) {
            s.listpackPopVisit((int) count, r, srem);
        } else if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
            Member m = new Member();
            for (long i = 0; i < count; i++) {
                s.popRandom(r, m);
                reply(w, m);
                srem.add(m);
            }
            s.trim();
        } else {
            SetValue survivors;
            if (s.isListpack()) {
                survivors = s.listpackSplit((int) remaining, r, p);
            } else {
                survivors = null;
                Member m = new Member();
                byte[] scratch = c.numScratch;
                for (long i = 0; i < remaining; i++) {
                    s.random(r, m);
                    if (survivors == null) {
                        survivors = m.isInt ? SetValue.newIntset() : SetValue.newListpack();
                    }
                    if (m.isInt) {
                        survivors.addInt(m.value, p, scratch);
                        s.removeInt(m.value, scratch);
                    } else {
                        survivors.add(m.array, m.offset, m.length, p);
                        s.remove(m.array, m.offset, m.length);
                    }
                }
            }
            s.forEach(srem);
            // Redis dbReplaceValue: same key entry, so expiry and access data stay.
            ((ObjectEntry) e).value = survivors;
        }
        srem.finish();
        modified(c, 1);
    }

    private static final byte[] SREM = Ascii.bytes("SREM");
    /** Members per propagated SREM (Redis's SPOP batch size). */
    private static final int SREM_BATCH = 1024;

    private static byte[] memberBytes(Member m) {
        return m.isInt ? Ascii.longBytes(m.value) : Arrays.copyOfRange(m.array, m.offset, m.offset + m.length);
    }

    /**
     * Replies popped members and, while replicas listen, collects them into SREM commands of
     * up to {@link #SREM_BATCH} members, so replicas remove exactly the members chosen here; the
     * SPOP itself is then not propagated.
     */
    private static final class SremBatches implements MemberVisitor {
        private final Client c;
        private final ReplyVisitor reply;
        private final Propagation prop;
        private final ArrayList<byte[]> batch;

        SremBatches(Client c) {
            this.c = c;
            this.reply = new ReplyVisitor(c);
            this.prop = c.server.replication.propagation;
            this.batch = prop.active() ? new ArrayList<>() : null;
        }

        @Override
        public boolean bytes(byte[] a, int off, int len) {
            if (batch != null) {
                collect(Arrays.copyOfRange(a, off, off + len));
            }
            return reply.bytes(a, off, len);
        }

        @Override
        public boolean integer(long v) {
            if (batch != null) {
                collect(Ascii.longBytes(v));
            }
            return reply.integer(v);
        }

        void add(Member m) {
            if (batch != null) {
                collect(memberBytes(m));
            }
        }

        private void collect(byte[] member) {
            if (batch == null) {
                return;
            }
            batch.add(member);
            if (batch.size() == SREM_BATCH) {
                flush();
            }
        }

        private void flush() {
            byte[][] argv = new byte[batch.size() + 2][];
            argv[0] = SREM;
            argv[1] = c.argCopy(1);
            for (int i = 0; i < batch.size(); i++) {
                argv[i + 2] = batch.get(i);
            }
            prop.also(c.db.id, argv);
            batch.clear();
        }

        /** Sends the last batch and keeps the SPOP itself out of the stream. */
        void finish() {
            if (batch == null) {
                return;
            }
            if (!batch.isEmpty()) {
                flush();
            }
            prop.prevent();
        }
    }

    // ---- SRANDMEMBER ----------------------------------------------------------------------------

    static void srandmember(Client c) {
        if (c.argc() == 3) {
            srandmemberWithCount(c);
            return;
        }
        if (c.argc() > 3) {
            c.syntaxError();
            return;
        }
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.nullBulk();
            return;
        }
        SetValue s = asSet(e);
        if (s == null) {
            c.wrongType();
            return;
        }
        Member m = new Member();
        s.random(rnd(), m);
        reply(c.reply, m);
    }

    /**
     * SRANDMEMBER key count, as Redis 7.2's srandmemberWithCountCommand. Always an array reply.
     * <ol>
     *   <li>Negative count (repetitions allowed) or count 1: independent random picks; a listpack
     *       draws them in batches of 1000 sorted indexes so it is walked once per batch.</li>
     *   <li>Count at least the size: the whole set, in its own order.</li>
     *   <li>(2.5) Listpack: distinct members by one-pass selection sampling, in listpack order.</li>
     *   <li>Count more than a third of the size: copy the set into a scratch table and remove
     *       random members until count are left.</li>
     *   <li>Otherwise: add random members to a scratch table until it holds count distinct ones.</li>
     * </ol>
     * Cases 3 and 4 reply in the scratch table's order.
     */
    private static void srandmemberWithCount(Client c) {
        if (!c.parseLong(2)) {
            return;
        }
        long l = c.parsed();
        if (l == Long.MIN_VALUE) {
            c.error(ERR_SRANDMEMBER_RANGE);
            return;
        }
        boolean uniq = l >= 0;
        long count = uniq ? l : -l;
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.emptyArray();
            return;
        }
        SetValue s = asSet(e);
        if (s == null) {
            c.wrongType();
            return;
        }
        long size = s.size();
        ReplyWriter w = c.reply;
        if (count == 0) {
            w.emptyArray();
            return;
        }
        RandomGenerator r = rnd();
        // Case 1.
        if (!uniq || count == 1) {
            w.arrayLen(count);
            if (s.isListpack() && count > 1) {
                s.listpackRandomVisit(count, r, new BoundedReplyVisitor(c));
                return;
            }
            Member m = new Member();
            while (count-- > 0) {
                s.random(r, m);
                reply(w, m);
                if (replyOverflow(c)) {
                    break;
                }
            }
            return;
        }
        // Case 2.
        if (count >= size) {
            w.arrayLen(size);
            s.forEach(new ReplyVisitor(c));
            return;
        }
        // Case 2.5.
        if (s.isListpack()) {
            w.arrayLen(count);
            s.listpackSampleVisit((int) count, r, new ReplyVisitor(c));
            return;
        }
        KeyTable picked;
        if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
            // Case 3.
            picked = new KeyTable((int) size);
            s.forEach(new TableFiller(picked, c.numScratch));
            while (picked.size() > count) {
                byte[] victim = (byte[]) picked.randomEntry(r);
                picked.remove(victim, Entries.keyOffset(victim), Entries.keyLength(victim),
                        KeyTable.hash(victim, Entries.keyOffset(victim), Entries.keyLength(victim)));
            }
        } else {
            // Case 4.
            picked = new KeyTable((int) count);
            TableFiller filler = new TableFiller(picked, c.numScratch);
            Member m = new Member();
            while (picked.size() < count) {
                s.random(r, m);
                if (m.isInt) {
                    filler.integer(m.value);
                } else {
                    filler.bytes(m.array, m.offset, m.length);
                }
            }
        }
        w.arrayLen(count);
        picked.forEach(x -> {
            byte[] b = (byte[]) x;
            w.bulk(b, Entries.keyOffset(b), Entries.keyLength(b));
        });
    }

    /** Adds visited members to a scratch table of member entries (duplicates are ignored). */
    private static final class TableFiller implements MemberVisitor {
        private static final byte[] NONE = new byte[0];
        private final KeyTable t;
        private final byte[] scratch;

        TableFiller(KeyTable t, byte[] scratch) {
            this.t = t;
            this.scratch = scratch;
        }

        @Override
        public boolean bytes(byte[] a, int off, int len) {
            int h = KeyTable.hash(a, off, len);
            if (t.get(a, off, len, h) == null) {
                t.put(Entries.newString(a, off, len, NONE, 0, 0, Entries.ENC_RAW, -1, 0), h);
            }
            return true;
        }

        @Override
        public boolean integer(long v) {
            return bytes(scratch, 0, Ascii.putLong(scratch, 0, v));
        }
    }

    // ---- intersection ---------------------------------------------------------------------------

    static void smembers(Client c) {
        sinterGeneric(c, 1, 1, -1, false, 0);
    }

    static void sinter(Client c) {
        sinterGeneric(c, 1, c.argc() - 1, -1, false, 0);
    }

    static void sinterstore(Client c) {
        sinterGeneric(c, 2, c.argc() - 2, 1, false, 0);
    }

    static void sintercard(Client c) {
        if (!c.parseLong(1, ERR_NUMKEYS)) {
            return;
        }
        long numkeys = c.parsed();
        if (numkeys < 1) {
            c.error(ERR_NUMKEYS);
            return;
        }
        int argc = c.argc();
        if (numkeys > argc - 2) {
            c.error(ERR_NUMKEYS_ARGS);
            return;
        }
        long limit = 0;
        for (int j = 2 + (int) numkeys; j < argc; j++) {
            int moreArgs = argc - 1 - j;
            if (c.argIs(j, W_LIMIT) && moreArgs > 0) {
                j++;
                if (!c.parseLong(j, ERR_LIMIT)) {
                    return;
                }
                limit = c.parsed();
                if (limit < 0) {
                    c.error(ERR_LIMIT);
                    return;
                }
            } else {
                c.syntaxError();
                return;
            }
        }
        sinterGeneric(c, 2, (int) numkeys, -1, true, limit);
    }

    /**
     * Redis sinterGenericCommand over the sets named by arguments {@code first ..
     * first+n-1}: replies the intersection (SINTER, SMEMBERS), its size up to {@code limit}
     * (SINTERCARD; 0 = no limit), or stores it at argument {@code dstArg} (SINTERSTORE).
     */
    private static void sinterGeneric(Client c, int first, int n, int dstArg, boolean cardOnly, long limit) {
        SetValue[] sets = new SetValue[n];
        boolean anyMissing = false;
        for (int j = 0; j < n; j++) {
            Object e = c.db.lookupRead(c, first + j);
            if (e == null) {
                anyMissing = true;
                continue;
            }
            SetValue s = asSet(e);
            if (s == null) {
                c.wrongType();
                return;
            }
            sets[j] = s;
        }
        ReplyWriter w = c.reply;
        if (anyMissing) {
            // Intersection with a missing (empty) set is empty.
            if (dstArg >= 0) {
                deleteDestination(c, dstArg);
                w.zero();
            } else if (cardOnly) {
                w.zero();
            } else {
                w.setLen(0);
            }
            return;
        }
        if (n == 1 && dstArg < 0 && !cardOnly) {
            // SMEMBERS, or SINTER of one key: the size is known up front.
            w.setLen(sets[0].size());
            sets[0].forEach(new ReplyVisitor(c));
            return;
        }
        // Smallest first: fewest candidates, and the smallest set's encoding picks the result's.
        Arrays.sort(sets, Comparator.comparingInt(SetValue::size));
        EncodingParams p = params(c);
        Intersector x = new Intersector(c, sets, cardOnly, limit, p);
        if (dstArg >= 0) {
            x.dst = sets[0].isIntset() ? SetValue.newIntset() : SetValue.newListpack();
        }
        int token = dstArg < 0 && !cardOnly ? w.deferLen() : -1;
        sets[0].forEach(x);
        if (cardOnly) {
            w.integer(x.cardinality);
        } else if (dstArg >= 0) {
            SetValue dst = x.dst;
            if (dst.size() > 0) {
                if (x.onlyIntegers) {
                    dst.maybeConvertToIntset(p);
                }
                dst.trim();
                store(c, dstArg, dst);
                w.integer(dst.size());
                KeyEvents.fire(c, KeyEvents.SET, KeyEvents.SINTERSTORE, dstArg);
            } else {
                w.zero();
                deleteDestination(c, dstArg);
            }
        } else {
            w.setDeferredSetLen(token, x.cardinality);
        }
    }

    /** Keeps the members of sets[0] found in every other set: replied, counted or stored. */
    private static final class Intersector implements MemberVisitor {
        final Client c;
        final SetValue[] sets;
        final boolean cardOnly;
        final long limit;
        final EncodingParams p;
        final byte[] scratch;
        SetValue dst;
        long cardinality;
        boolean onlyIntegers = true;

        Intersector(Client c, SetValue[] sets, boolean cardOnly, long limit, EncodingParams p) {
            this.c = c;
            this.sets = sets;
            this.cardOnly = cardOnly;
            this.limit = limit;
            this.p = p;
            this.scratch = c.numScratch;
        }

        @Override
        public boolean bytes(byte[] a, int off, int len) {
            for (int j = 1; j < sets.length; j++) {
                if (sets[j] != sets[0] && !sets[j].contains(a, off, len)) {
                    return true;
                }
            }
            if (cardOnly) {
                cardinality++;
                return limit == 0 || cardinality < limit;
            }
            if (dst == null) {
                c.reply.bulk(a, off, len);
                cardinality++;
                return true;
            }
            if (onlyIntegers && !SetValue.isInteger(a, off, len)) {
                onlyIntegers = false;
            }
            dst.add(a, off, len, p);
            return true;
        }

        @Override
        public boolean integer(long v) {
            for (int j = 1; j < sets.length; j++) {
                if (sets[j] != sets[0] && !sets[j].containsInt(v, scratch)) {
                    return true;
                }
            }
            if (cardOnly) {
                cardinality++;
                return limit == 0 || cardinality < limit;
            }
            if (dst == null) {
                c.reply.bulkLong(v);
                cardinality++;
                return true;
            }
            dst.addInt(v, p, scratch);
            return true;
        }
    }

    // ---- union and difference --------------------------------------------------------------------

    static final int UNION = 0;
    static final int DIFF = 1;

    static void sunion(Client c) {
        sunionDiffGeneric(c, 1, c.argc() - 1, -1, UNION);
    }

    static void sunionstore(Client c) {
        sunionDiffGeneric(c, 2, c.argc() - 2, 1, UNION);
    }

    static void sdiff(Client c) {
        sunionDiffGeneric(c, 1, c.argc() - 1, -1, DIFF);
    }

    static void sdiffstore(Client c) {
        sunionDiffGeneric(c, 2, c.argc() - 2, 1, DIFF);
    }

    /** Redis sunionDiffGenericCommand: missing keys are empty sets. */
    private static void sunionDiffGeneric(Client c, int first, int n, int dstArg, int op) {
        SetValue[] sets = new SetValue[n];
        for (int j = 0; j < n; j++) {
            Object e = c.db.lookupRead(c, first + j);
            if (e == null) {
                continue;
            }
            SetValue s = asSet(e);
            if (s == null) {
                c.wrongType();
                return;
            }
            sets[j] = s;
        }
        SetValue result = unionOrDiff(sets, op, params(c), c.numScratch);
        if (dstArg < 0) {
            replyAsSet(c, result);
            return;
        }
        if (result.size() > 0) {
            store(c, dstArg, result);
            c.reply.integer(result.size());
            KeyEvents.fire(c, KeyEvents.SET, op == UNION ? KeyEvents.SUNIONSTORE : KeyEvents.SDIFFSTORE, dstArg);
        } else {
            c.reply.zero();
            deleteDestination(c, dstArg);
        }
    }

    /**
     * The union or difference of {@code sets} (nulls are empty sets) as a new set, built the way
     * Redis builds it (starting from an intset and converting as members arrive), so stored
     * results get Redis's encodings. For a difference, Redis's cost model picks between checking
     * each member of the first set against the others (sorted largest first) and copying the
     * first set then removing the others' members.
     */
    static SetValue unionOrDiff(SetValue[] sets, int op, EncodingParams p, byte[] scratch) {
        int n = sets.length;
        boolean sameSet = false;
        for (int j = 1; j < n; j++) {
            if (sets[0] != null && sets[j] == sets[0]) {
                sameSet = true;
            }
        }
        SetValue dst = SetValue.newIntset();
        Adder adder = new Adder(dst, p, scratch);
        if (op == UNION) {
            for (SetValue s : sets) {
                if (s != null) {
                    s.forEach(adder);
                }
            }
            return dst;
        }
        if (sets[0] == null || sameSet) {
            return dst; // nothing minus anything, or a set minus itself: empty
        }
        long algoOne = 0;
        long algoTwo = 0;
        for (SetValue s : sets) {
            if (s != null) {
                algoOne += sets[0].size();
                algoTwo += s.size();
            }
        }
        // Checking members (algorithm 1) has better constants: it gets a 2x head start.
        algoOne /= 2;
        if (algoOne <= algoTwo) {
            if (n > 1) {
                Arrays.sort(sets, 1, n, Comparator.comparingInt((SetValue s) -> s == null ? 0 : s.size()).reversed());
            }
            sets[0].forEach(new MemberVisitor() {
                @Override
                public boolean bytes(byte[] a, int off, int len) {
                    for (int j = 1; j < n; j++) {
                        if (sets[j] != null && sets[j].contains(a, off, len)) {
                            return true;
                        }
                    }
                    dst.add(a, off, len, p);
                    return true;
                }

                @Override
                public boolean integer(long v) {
                    for (int j = 1; j < n; j++) {
                        if (sets[j] != null && sets[j].containsInt(v, scratch)) {
                            return true;
                        }
                    }
                    dst.addInt(v, p, scratch);
                    return true;
                }
            });
            return dst;
        }
        sets[0].forEach(adder);
        MemberVisitor remover = new MemberVisitor() {
            @Override
            public boolean bytes(byte[] a, int off, int len) {
                dst.remove(a, off, len);
                return true;
            }

            @Override
            public boolean integer(long v) {
                dst.removeInt(v, scratch);
                return true;
            }
        };
        for (int j = 1; j < n && dst.size() > 0; j++) {
            if (sets[j] != null) {
                sets[j].forEach(remover);
            }
        }
        return dst;
    }

    /** Adds every visited member to a set. */
    private static final class Adder implements MemberVisitor {
        private final SetValue dst;
        private final EncodingParams p;
        private final byte[] scratch;

        Adder(SetValue dst, EncodingParams p, byte[] scratch) {
            this.dst = dst;
            this.p = p;
            this.scratch = scratch;
        }

        @Override
        public boolean bytes(byte[] a, int off, int len) {
            dst.add(a, off, len, p);
            return true;
        }

        @Override
        public boolean integer(long v) {
            dst.addInt(v, p, scratch);
            return true;
        }
    }

    private static void replyAsSet(Client c, SetValue s) {
        c.reply.setLen(s.size());
        s.forEach(new ReplyVisitor(c));
    }

    // ---- SSCAN ------------------------------------------------------------------------------------

    /**
     * SSCAN key cursor [MATCH pattern] [COUNT count]. A hash-table set is walked with the
     * table's reverse-binary cursor (stable across resizes, as Redis's dictScan); intsets and
     * listpacks are small and are returned whole with cursor 0. Options are checked only once the
     * key is known to be a set, as Redis does.
     */
    static void sscan(Client c) {
        byte[] d = c.argData();
        ScanArgs scan = new ScanArgs();
        if (!scan.cursor(c, 2)) {
            return;
        }
        long cursor = scan.cursor;
        Object e = c.db.lookupRead(c, 1);
        ReplyWriter w = c.reply;
        if (e == null) {
            w.arrayLen(2);
            w.bulk(ZERO);
            w.emptyArray();
            return;
        }
        SetValue s = asSet(e);
        if (s == null) {
            c.wrongType();
            return;
        }
        if (!scan.options(c, 3, false)) {
            return;
        }
        long count = scan.count;
        int patOff = scan.patOff;
        int patLen = scan.patLen;
        if (!s.isHashtable()) {
            // Collected first: the reply's element count must come before the elements.
            ArrayList<byte[]> found = new ArrayList<>();
            byte[] scratch = c.numScratch;
            s.forEach(new MemberVisitor() {
                @Override
                public boolean bytes(byte[] a, int off, int len) {
                    if (patOff < 0 || Glob.match(d, patOff, patLen, a, off, len, false)) {
                        found.add(Arrays.copyOfRange(a, off, off + len));
                    }
                    return true;
                }

                @Override
                public boolean integer(long v) {
                    return bytes(scratch, 0, Ascii.putLong(scratch, 0, v));
                }
            });
            w.arrayLen(2);
            w.bulk(ZERO);
            w.arrayLen(found.size());
            for (byte[] b : found) {
                w.bulk(b);
            }
            return;
        }
        ArrayList<byte[]> found = new ArrayList<>();
        long[] sampled = new long[1];
        // As SCAN: stop after COUNT members were looked at, or after 10*COUNT buckets.
        long maxIterations = count * 10;
        do {
            cursor = s.scanHashtable(cursor, x -> {
                byte[] m = (byte[]) x;
                sampled[0]++;
                if (patOff < 0 || Glob.match(d, patOff, patLen, m, Entries.keyOffset(m), Entries.keyLength(m), false)) {
                    found.add(m);
                }
            });
        } while (cursor != 0 && maxIterations-- != 0 && sampled[0] < count);
        w.arrayLen(2);
        if (cursor >= 0) {
            w.bulkLong(cursor);
        } else {
            w.bulk(Long.toUnsignedString(cursor));
        }
        w.arrayLen(found.size());
        for (byte[] m : found) {
            w.bulk(m, Entries.keyOffset(m), Entries.keyLength(m));
        }
    }

    private static final byte[] ZERO = Ascii.bytes("0");
}
