package dev.cinnabar.server.family;

import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.Errors;
import dev.cinnabar.server.blocking.Blocking;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.replication.Propagation;
import dev.cinnabar.server.type.Ranks;
import dev.cinnabar.server.type.ListValue;

/**
 * List commands (Redis t_list.c) over {@link ListValue}: pushes, pops (with counts, from several
 * keys), indexing, ranges, trimming, insertion, removal, LPOS, LMOVE, and the blocking variants
 * BLPOP, BRPOP, BLMPOP, BLMOVE and BRPOPLPUSH on top of {@link Blocking}.
 *
 * <p>Encoding conversions happen where Redis makes them: before adding elements (on their total
 * length, listTypeTryConversionAppend) and after removing some (the half-limit shrink rule).
 * list-max-listpack-size, list-compress-depth and the packed threshold are read live.
 *
 * <p>A blocking command that finds no element blocks its client; when a key it waits on gets a
 * list, the command runs again from the start (Redis 7.2's reprocessing), which is why the
 * blocking handlers are written as "serve if possible, else block".
 */
public final class ListFamily {
    private ListFamily() {}

    public static void register(CommandTable t) {
        t.bind("lpush", c -> push(c, true, false))
                .bind("rpush", c -> push(c, false, false))
                .bind("lpushx", c -> push(c, true, true))
                .bind("rpushx", c -> push(c, false, true))
                .bind("lpop", c -> pop(c, true))
                .bind("rpop", c -> pop(c, false))
                .bind("llen", ListFamily::llen)
                .bind("lindex", ListFamily::lindex)
                .bind("lset", ListFamily::lset)
                .bind("lrange", ListFamily::lrange)
                .bind("ltrim", ListFamily::ltrim)
                .bind("linsert", ListFamily::linsert)
                .bind("lrem", ListFamily::lrem)
                .bind("lpos", ListFamily::lpos)
                .bind("lmove", ListFamily::lmove)
                .bind("rpoplpush", c -> move(c, false, true))
                .bind("lmpop", c -> mpop(c, 1, false))
                .bind("blpop", c -> bpop(c, true))
                .bind("brpop", c -> bpop(c, false))
                .bind("blmove", ListFamily::blmove)
                .bind("brpoplpush", ListFamily::brpoplpush)
                .bind("blmpop", c -> mpop(c, 2, true));
    }

    private static final byte[] W_LEFT = Ascii.bytes("left");
    private static final byte[] W_RIGHT = Ascii.bytes("right");
    private static final byte[] W_BEFORE = Ascii.bytes("before");
    private static final byte[] W_AFTER = Ascii.bytes("after");
    private static final byte[] W_RANK = Ascii.bytes("rank");
    private static final byte[] W_COUNT = Ascii.bytes("count");
    private static final byte[] W_MAXLEN = Ascii.bytes("maxlen");

    static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second"
            + " ... or use negative to start from the end of the list";

    // ---- helpers ------------------------------------------------------------------------------

    /** The list held by an entry, or null when the entry holds another type. */
    static ListValue asList(Object e) {
        return e instanceof ObjectEntry o && o.value instanceof ListValue l ? l : null;
    }

    private static int fill(Client c) {
        return c.server.config.encoding.listMaxListpackSize.get();
    }

    private static int compressDepth(Client c) {
        return c.server.config.encoding.listCompressDepth.get();
    }

    private static long packedThreshold(Client c) {
        return c.server.debug.quicklistPackedThreshold;
    }

    private static void modified(Client c, int keyArg) {
        c.db.modified(c.argData(), c.argOff(keyArg), c.argLen(keyArg));
    }

    /** Argument {@code i} as LEFT (true) or RIGHT (false); -1 after a syntax error. */
    private static int side(Client c, int i) {
        if (c.argIs(i, W_LEFT)) {
            return 1;
        }
        if (c.argIs(i, W_RIGHT)) {
            return 0;
        }
        c.syntaxError();
        return -1;
    }

    /**
     * Redis getRangeLongFromObjectOrReply: the integer argument within [min, max], else the
     * error {@code err} (or Redis's default texts); sets {@code c.parsed()}.
     */
    private static boolean rangeLong(Client c, int i, long min, long max, String err) {
        if (!c.parseLong(i, err)) {
            return false;
        }
        long v = c.parsed();
        if (v < min || v > max) {
            if (err != null) {
                c.error(err);
            } else if (min == 0 && max == Long.MAX_VALUE) {
                c.error("ERR value is out of range, must be positive");
            } else {
                c.error("ERR value is out of range, must be between " + min + " and " + max);
            }
            return false;
        }
        return true;
    }

    /**
     * Redis listElementsRemoved: after elements left the list at key argument {@code keyArg},
     * delete the key when empty, else try the shrink conversion; the key was modified.
     */
    private static void removedFrom(Client c, int keyArg, ListValue l, boolean head) {
        KeyEvents.fire(c, KeyEvents.LIST, head ? KeyEvents.LPOP : KeyEvents.RPOP, keyArg);
        if (l.length() == 0) {
            c.db.delete(c.argData(), c.argOff(keyArg), c.argLen(keyArg));
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, keyArg);
        } else {
            l.shrinking(fill(c));
        }
        modified(c, keyArg);
    }

    /**
     * Redis addListRangeReply: the elements from {@code start} to {@code end} (inclusive,
     * negative from the tail), reversed when {@code reverse}.
     */
    private static void rangeReply(Client c, ListValue l, long start, long end, boolean reverse) {
        long llen = l.length();
        long n = Ranks.count(start, end, llen);
        if (n == 0) {
            c.reply.emptyArray();
            return;
        }
        start = Ranks.first(start, llen);
        end = start + n - 1;
        c.reply.arrayLen(n);
        ListValue.Cursor cur = l.cursor(reverse ? end : start, !reverse);
        while (true) {
            c.reply.bulk(cur.array(), cur.offset(), cur.length());
            if (--n == 0) {
                break;
            }
            cur.next();
        }
    }

    /**
     * Redis listPopRangeAndReplyWithKey: pops up to {@code count} elements from one end of the
     * list at {@code keyArg}, replying [key, [elements...]].
     */
    private static void popRangeWithKey(Client c, int keyArg, ListValue l, boolean head, long count) {
        long llen = l.length();
        long n = Math.min(count, llen);
        Propagation p = c.server.replication.propagation;
        if (p.active()) {
            // LMPOP and BLMPOP replicate as [LR]POP key count, with the count actually popped.
            p.rewrite(head ? LPOP : RPOP, c.argCopy(keyArg), Ascii.longBytes(n));
        }
        c.reply.arrayLen(2);
        c.reply.bulk(c.argData(), c.argOff(keyArg), c.argLen(keyArg));
        rangeReply(c, l, head ? 0 : -n, head ? n - 1 : -1, !head);
        l.deleteRange(head ? 0 : -n, n);
        removedFrom(c, keyArg, l, head);
    }

    // ---- push ---------------------------------------------------------------------------------

    /** LPUSH / RPUSH / LPUSHX / RPUSHX. */
    static void push(Client c, boolean head, boolean onlyIfExists) {
        Object e = c.db.lookupWrite(c, 1);
        ListValue l;
        if (e == null) {
            if (onlyIfExists) {
                c.reply.zero();
                return;
            }
            l = new ListValue();
            // A new key: clients blocked on it are served once this command is done.
            c.db.setObject(c.argData(), c.argOff(1), c.argLen(1), l, -1);
        } else {
            l = asList(e);
            if (l == null) {
                c.wrongType();
                return;
            }
        }
        int argc = c.argc();
        long bytes = 0;
        for (int j = 2; j < argc; j++) {
            bytes += c.argLen(j);
        }
        l.growing(bytes, argc - 2, fill(c), compressDepth(c));
        long threshold = packedThreshold(c);
        byte[] d = c.argData();
        for (int j = 2; j < argc; j++) {
            l.push(head, d, c.argOff(j), c.argLen(j), threshold);
        }
        c.reply.integer(l.length());
        modified(c, 1);
        KeyEvents.fire(c, KeyEvents.LIST, head ? KeyEvents.LPUSH : KeyEvents.RPUSH, 1);
    }

    // ---- pop ----------------------------------------------------------------------------------

    /** LPOP / RPOP key [count]. */
    static void pop(Client c, boolean head) {
        int argc = c.argc();
        if (argc > 3) {
            c.arityError();
            return;
        }
        boolean hasCount = argc == 3;
        long count = 0;
        if (hasCount) {
            if (!rangeLong(c, 2, 0, Long.MAX_VALUE, null)) {
                return;
            }
            count = c.parsed();
        }
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            if (hasCount) {
                c.reply.nullArray();
            } else {
                c.reply.nullBulk();
            }
            return;
        }
        ListValue l = asList(e);
        if (l == null) {
            c.wrongType();
            return;
        }
        if (hasCount && count == 0) {
            c.reply.emptyArray();
            return;
        }
        if (!hasCount) {
            c.reply.bulk(l.endArray(head), l.endOffset(head), l.endLength(head));
            l.pop(head);
            removedFrom(c, 1, l, head);
            return;
        }
        long n = Math.min(count, l.length());
        rangeReply(c, l, head ? 0 : -n, head ? n - 1 : -1, !head);
        l.deleteRange(head ? 0 : -n, n);
        removedFrom(c, 1, l, head);
    }

    /**
     * LMPOP numkeys key... LEFT|RIGHT [COUNT n] and BLMPOP timeout numkeys ...:
     * {@code numkeysArg} is where numkeys is.
     */
    static void mpop(Client c, int numkeysArg, boolean blocking) {
        int argc = c.argc();
        if (!rangeLong(c, numkeysArg, 1, Long.MAX_VALUE, "ERR numkeys should be greater than 0")) {
            return;
        }
        long numkeys = c.parsed();
        if (numkeys >= argc - numkeysArg - 1) {
            c.syntaxError(); // no room left for LEFT|RIGHT
            return;
        }
        int whereArg = numkeysArg + (int) numkeys + 1;
        int where = side(c, whereArg);
        if (where < 0) {
            return;
        }
        long count = -1;
        for (int j = whereArg + 1; j < argc; j++) {
            boolean moreArgs = j < argc - 1;
            if (count == -1 && moreArgs && c.argIs(j, W_COUNT)) {
                j++;
                if (!rangeLong(c, j, 1, Long.MAX_VALUE, "ERR count should be greater than 0")) {
                    return;
                }
                count = c.parsed();
            } else {
                c.syntaxError();
                return;
            }
        }
        if (count == -1) {
            count = 1;
        }
        if (blocking) {
            blockingPop(c, numkeysArg + 1, (int) numkeys, where == 1, 1, count);
            return;
        }
        for (int j = 0; j < numkeys; j++) {
            int keyArg = numkeysArg + 1 + j;
            Object e = c.db.lookupWrite(c, keyArg);
            if (e == null) {
                continue;
            }
            ListValue l = asList(e);
            if (l == null) {
                c.wrongType();
                return;
            }
            if (l.length() == 0) {
                continue;
            }
            popRangeWithKey(c, keyArg, l, where == 1, count);
            return;
        }
        c.reply.nullArray();
    }

    // ---- blocking pops ----------------------------------------------------------------------------

    /** BLPOP / BRPOP key... timeout. */
    static void bpop(Client c, boolean head) {
        blockingPop(c, 1, c.argc() - 2, head, c.argc() - 1, -1);
    }

    /**
     * Redis blockingPopGenericCommand: pops from the first non-empty list among the keys (one
     * element with its key for BLPOP/BRPOP when {@code count} is -1, [key, [elements]] for
     * BLMPOP), or blocks on all of them.
     */
    private static void blockingPop(Client c, int firstKey, int numkeys, boolean head, int timeoutArg, long count) {
        long deadline = Blocking.parseTimeout(c, timeoutArg);
        if (deadline < 0) {
            return;
        }
        for (int j = 0; j < numkeys; j++) {
            int keyArg = firstKey + j;
            Object e = c.db.lookupWrite(c, keyArg);
            if (e == null) {
                continue;
            }
            ListValue l = asList(e);
            if (l == null) {
                c.wrongType();
                return;
            }
            if (l.length() == 0) {
                continue;
            }
            if (count != -1) {
                popRangeWithKey(c, keyArg, l, head, count);
                return;
            }
            ListValue.Cursor cur = l.cursor(head ? 0 : -1, head);
            c.reply.arrayLen(2);
            c.reply.bulk(c.argData(), c.argOff(keyArg), c.argLen(keyArg));
            c.reply.bulk(cur.array(), cur.offset(), cur.length());
            l.pop(head);
            removedFrom(c, keyArg, l, head);
            Propagation p = c.server.replication.propagation;
            if (p.active()) {
                // Replicated as the non-blocking pop it turned out to be.
                p.rewrite(head ? LPOP : RPOP, c.argCopy(keyArg));
            }
            return;
        }
        if (!Blocking.mayBlock(c)) {
            // Inside MULTI or a script: as if the timeout had passed at once.
            c.reply.nullArray();
            return;
        }
        c.server.blocking.block(c, Blocking.Kind.LIST, firstKey, numkeys, deadline, false);
    }

    // ---- move ---------------------------------------------------------------------------------

    static void lmove(Client c) {
        int from = side(c, 3);
        if (from < 0) {
            return;
        }
        int to = side(c, 4);
        if (to < 0) {
            return;
        }
        move(c, from == 1, to == 1);
    }

    static void blmove(Client c) {
        int from = side(c, 3);
        if (from < 0) {
            return;
        }
        int to = side(c, 4);
        if (to < 0) {
            return;
        }
        long deadline = Blocking.parseTimeout(c, 5);
        if (deadline >= 0) {
            blockingMove(c, from == 1, to == 1, deadline);
        }
    }

    static void brpoplpush(Client c) {
        long deadline = Blocking.parseTimeout(c, 3);
        if (deadline >= 0) {
            blockingMove(c, false, true, deadline);
        }
    }

    private static void blockingMove(Client c, boolean fromHead, boolean toHead, long deadline) {
        Object e = c.db.lookupWrite(c, 1);
        if (e != null && asList(e) == null) {
            c.wrongType();
            return;
        }
        if (e != null) {
            move(c, fromHead, toHead);
        } else if (!Blocking.mayBlock(c)) {
            c.reply.nullBulk();
        } else {
            c.server.blocking.block(c, Blocking.Kind.LIST, 1, 1, deadline, false);
        }
    }

    /** Redis lmoveGenericCommand: LMOVE / RPOPLPUSH (and the served BLMOVE / BRPOPLPUSH). */
    static void move(Client c, boolean fromHead, boolean toHead) {
        Object se = c.db.lookupWrite(c, 1);
        if (se == null) {
            c.reply.nullBulk();
            return;
        }
        ListValue src = asList(se);
        if (src == null) {
            c.wrongType();
            return;
        }
        if (src.length() == 0) {
            c.reply.nullBulk();
            return;
        }
        Object de = c.db.lookupWrite(c, 2);
        ListValue dst = null;
        if (de != null) {
            dst = asList(de);
            if (dst == null) {
                c.wrongType();
                return;
            }
        }
        byte[] value = src.cursor(fromHead ? 0 : -1, fromHead).copy();
        src.pop(fromHead);
        if (dst == null) {
            dst = new ListValue();
            c.db.setObject(c.argData(), c.argOff(2), c.argLen(2), dst, -1);
        }
        modified(c, 2);
        dst.growing(value.length, 1, fill(c), compressDepth(c));
        dst.push(toHead, value, 0, value.length, packedThreshold(c));
        KeyEvents.fire(c, KeyEvents.LIST, toHead ? KeyEvents.LPUSH : KeyEvents.RPUSH, 2);
        c.reply.bulk(value);
        removedFrom(c, 1, src, fromHead);
        Propagation p = c.server.replication.propagation;
        if (p.active()) {
            // The blocking forms replicate as their non-blocking counterparts.
            if (c.cmd.name().equals("blmove")) {
                p.rewrite(LMOVE, c.argCopy(1), c.argCopy(2), c.argCopy(3), c.argCopy(4));
            } else if (c.cmd.name().equals("brpoplpush")) {
                p.rewrite(RPOPLPUSH, c.argCopy(1), c.argCopy(2));
            }
        }
    }

    private static final byte[] LPOP = Ascii.bytes("LPOP");
    private static final byte[] RPOP = Ascii.bytes("RPOP");
    private static final byte[] LMOVE = Ascii.bytes("LMOVE");
    private static final byte[] RPOPLPUSH = Ascii.bytes("RPOPLPUSH");

    // ---- reads --------------------------------------------------------------------------------

    static void llen(Client c) {
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        ListValue l = asList(e);
        if (l == null) {
            c.wrongType();
            return;
        }
        c.reply.integer(l.length());
    }

    static void lindex(Client c) {
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.nullBulk();
            return;
        }
        ListValue l = asList(e);
        if (l == null) {
            c.wrongType();
            return;
        }
        if (!c.parseLong(2)) {
            return;
        }
        ListValue.Cursor cur = l.cursor(c.parsed(), true);
        if (cur == null) {
            c.reply.nullBulk();
        } else {
            c.reply.bulk(cur.array(), cur.offset(), cur.length());
        }
    }

    static void lrange(Client c) {
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
            c.reply.emptyArray();
            return;
        }
        ListValue l = asList(e);
        if (l == null) {
            c.wrongType();
            return;
        }
        rangeReply(c, l, start, end, false);
    }

    /** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
    static void lpos(Client c) {
        int argc = c.argc();
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int j = 3; j < argc; j++) {
            boolean moreArgs = j < argc - 1;
            if (moreArgs && c.argIs(j, W_RANK)) {
                j++;
                if (!rangeLong(c, j, -Long.MAX_VALUE, Long.MAX_VALUE, null)) {
                    return;
                }
                rank = c.parsed();
                if (rank == 0) {
                    c.error(RANK_ZERO);
                    return;
                }
            } else if (moreArgs && c.argIs(j, W_COUNT)) {
                j++;
                if (!rangeLong(c, j, 0, Long.MAX_VALUE, "ERR COUNT can't be negative")) {
                    return;
                }
                count = c.parsed();
            } else if (moreArgs && c.argIs(j, W_MAXLEN)) {
                j++;
                if (!rangeLong(c, j, 0, Long.MAX_VALUE, "ERR MAXLEN can't be negative")) {
                    return;
                }
                maxlen = c.parsed();
            } else {
                c.syntaxError();
                return;
            }
        }
        boolean forward = rank > 0;
        if (rank < 0) {
            rank = -rank;
        }
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            if (count != -1) {
                c.reply.emptyArray();
            } else {
                c.reply.nullBulk();
            }
            return;
        }
        ListValue l = asList(e);
        if (l == null) {
            c.wrongType();
            return;
        }
        int token = count != -1 ? c.reply.deferLen() : -1;
        long llen = l.length();
        long index = 0;
        long matches = 0;
        long matchIndex = -1;
        long emitted = 0;
        byte[] d = c.argData();
        int eoff = c.argOff(2);
        int elen = c.argLen(2);
        ListValue.Cursor cur = l.cursor(forward ? 0 : -1, forward);
        boolean more = cur != null;
        while (more && (maxlen == 0 || index < maxlen)) {
            if (cur.equalsTo(d, eoff, elen)) {
                matches++;
                matchIndex = forward ? index : llen - index - 1;
                if (matches >= rank) {
                    if (token < 0) {
                        break;
                    }
                    emitted++;
                    c.reply.integer(matchIndex);
                    if (count != 0 && matches - rank + 1 >= count) {
                        break;
                    }
                }
            }
            index++;
            matchIndex = -1;
            more = cur.next();
        }
        if (token >= 0) {
            c.reply.setDeferredArrayLen(token, emitted);
        } else if (matchIndex != -1) {
            c.reply.integer(matchIndex);
        } else {
            c.reply.nullBulk();
        }
    }

    // ---- writes by position or value ------------------------------------------------------------

    static void lset(Client c) {
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            c.error(Errors.NO_SUCH_KEY);
            return;
        }
        ListValue l = asList(e);
        if (l == null) {
            c.wrongType();
            return;
        }
        if (!c.parseLong(2)) {
            return;
        }
        long index = c.parsed();
        l.growing(c.argLen(3), 1, fill(c), compressDepth(c));
        if (l.set(index, c.argData(), c.argOff(3), c.argLen(3), packedThreshold(c))) {
            c.reply.ok();
            modified(c, 1);
            KeyEvents.fire(c, KeyEvents.LIST, KeyEvents.LSET, 1);
            // A big element may have been replaced by a small one: the shrink rule applies.
            l.shrinking(fill(c));
        } else {
            c.error(Errors.OUT_OF_RANGE);
        }
    }

    static void ltrim(Client c) {
        if (!c.parseLong(2)) {
            return;
        }
        long start = c.parsed();
        if (!c.parseLong(3)) {
            return;
        }
        long end = c.parsed();
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            c.reply.ok();
            return;
        }
        ListValue l = asList(e);
        if (l == null) {
            c.wrongType();
            return;
        }
        long llen = l.length();
        long kept = Ranks.count(start, end, llen);
        long ltrim;
        long rtrim;
        if (kept == 0) {
            ltrim = llen;
            rtrim = 0;
        } else {
            ltrim = Ranks.first(start, llen);
            rtrim = llen - ltrim - kept;
        }
        l.deleteRange(0, ltrim);
        l.deleteRange(-rtrim, rtrim);
        KeyEvents.fire(c, KeyEvents.LIST, KeyEvents.LTRIM, 1);
        if (l.length() == 0) {
            c.db.delete(c.argData(), c.argOff(1), c.argLen(1));
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
        } else {
            l.shrinking(fill(c));
        }
        modified(c, 1);
        // Redis counts the removed elements as changes: a trim that keeps everything is not
        // replicated (and does not count towards rdb_changes_since_last_save).
        c.dirtyChanges = ltrim + rtrim;
        c.reply.ok();
    }

    static void linsert(Client c) {
        boolean after;
        if (c.argIs(2, W_AFTER)) {
            after = true;
        } else if (c.argIs(2, W_BEFORE)) {
            after = false;
        } else {
            c.syntaxError();
            return;
        }
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        ListValue l = asList(e);
        if (l == null) {
            c.wrongType();
            return;
        }
        // As Redis: assume the element will be inserted and convert first.
        l.growing(c.argLen(4), 1, fill(c), compressDepth(c));
        byte[] d = c.argData();
        if (l.insert(after, d, c.argOff(3), c.argLen(3), d, c.argOff(4), c.argLen(4), packedThreshold(c))) {
            modified(c, 1);
            KeyEvents.fire(c, KeyEvents.LIST, KeyEvents.LINSERT, 1);
            c.reply.integer(l.length());
        } else {
            c.reply.integer(-1);
        }
    }

    static void lrem(Client c) {
        if (!c.parseLong(2)) {
            return;
        }
        long toRemove = c.parsed();
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        ListValue l = asList(e);
        if (l == null) {
            c.wrongType();
            return;
        }
        long removed = l.remove(toRemove, c.argData(), c.argOff(3), c.argLen(3));
        if (removed > 0) {
            modified(c, 1);
            KeyEvents.fire(c, KeyEvents.LIST, KeyEvents.LREM, 1);
        }
        if (l.length() == 0) {
            c.db.delete(c.argData(), c.argOff(1), c.argLen(1));
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
        } else if (removed > 0) {
            l.shrinking(fill(c));
        }
        c.reply.integer(removed);
    }
}
