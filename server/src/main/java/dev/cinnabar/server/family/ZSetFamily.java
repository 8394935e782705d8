package dev.cinnabar.server.family;

import dev.cinnabar.ds.Glob;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.Doubles;
import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.replication.Propagation;
import dev.cinnabar.server.type.Ranks;
import dev.cinnabar.server.type.ScoredMembers;
import dev.cinnabar.server.type.ZRange;
import dev.cinnabar.server.type.ZSetValue;
import java.util.ArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sorted set commands (Redis t_zset.c), but for the blocking pops (BZPOPMIN, BZPOPMAX, BZMPOP),
 * which belong with the blocking machinery, and the set algebra (ZUNION, ZINTER, ZDIFF and
 * friends), which lives in {@link ZSetAlgebra}.
 *
 * <p>Argument checks come in Redis's order (options, then scores or ranges, then the key), so
 * that a request with several problems gets the same error as from Redis. Values are
 * {@link ZSetValue}s; encoding thresholds are read from the configuration on every command, as
 * Redis reads its server globals.
 */
public final class ZSetFamily {
    private ZSetFamily() {}

    public static void register(CommandTable t) {
        t.bind("zadd", ZSetFamily::zadd)
                .bind("zincrby", ZSetFamily::zincrby)
                .bind("zrem", ZSetFamily::zrem)
                .bind("zcard", ZSetFamily::zcard)
                .bind("zscore", ZSetFamily::zscore)
                .bind("zmscore", ZSetFamily::zmscore)
                .bind("zrank", ZSetFamily::zrank)
                .bind("zrevrank", ZSetFamily::zrevrank)
                .bind("zcount", ZSetFamily::zcount)
                .bind("zlexcount", ZSetFamily::zlexcount)
                .bind("zrange", ZSetFamily::zrange)
                .bind("zrangestore", ZSetFamily::zrangestore)
                .bind("zrevrange", ZSetFamily::zrevrange)
                .bind("zrangebyscore", ZSetFamily::zrangebyscore)
                .bind("zrevrangebyscore", ZSetFamily::zrevrangebyscore)
                .bind("zrangebylex", ZSetFamily::zrangebylex)
                .bind("zrevrangebylex", ZSetFamily::zrevrangebylex)
                .bind("zremrangebyrank", ZSetFamily::zremrangebyrank)
                .bind("zremrangebyscore", ZSetFamily::zremrangebyscore)
                .bind("zremrangebylex", ZSetFamily::zremrangebylex)
                .bind("zpopmin", ZSetFamily::zpopmin)
                .bind("zpopmax", ZSetFamily::zpopmax)
                .bind("zmpop", ZSetFamily::zmpop)
                .bind("zrandmember", ZSetFamily::zrandmember)
                .bind("zscan", ZSetFamily::zscan);
        ZSetAlgebra.register(t);
    }

    static final String NOT_FLOAT_RANGE = "ERR min or max is not a float";
    static final String NOT_LEX_RANGE = "ERR min or max not valid string range item";

    private static final byte[] W_NX = Ascii.bytes("nx");
    private static final byte[] W_XX = Ascii.bytes("xx");
    private static final byte[] W_CH = Ascii.bytes("ch");
    private static final byte[] W_INCR = Ascii.bytes("incr");
    private static final byte[] W_GT = Ascii.bytes("gt");
    private static final byte[] W_LT = Ascii.bytes("lt");
    private static final byte[] W_WITHSCORE = Ascii.bytes("withscore");
    private static final byte[] W_WITHSCORES = Ascii.bytes("withscores");
    private static final byte[] W_LIMIT = Ascii.bytes("limit");
    private static final byte[] W_REV = Ascii.bytes("rev");
    private static final byte[] W_BYLEX = Ascii.bytes("bylex");
    private static final byte[] W_BYSCORE = Ascii.bytes("byscore");
    private static final byte[] W_MIN = Ascii.bytes("min");
    private static final byte[] W_MAX = Ascii.bytes("max");
    private static final byte[] W_COUNT = Ascii.bytes("count");
    private static final byte[] EMPTY_SCAN = Ascii.bytes("*2\r\n$1\r\n0\r\n*0\r\n");

    // ---- shared helpers -------------------------------------------------------------------------

    /** The sorted set in a keyspace entry, or null when the entry holds another type. */
    static ZSetValue asZSet(Object e) {
        return e instanceof ObjectEntry o && o.value instanceof ZSetValue z ? z : null;
    }

    static long maxEntries(Client c) {
        return c.server.config.encoding.zsetMaxListpackEntries.get();
    }

    static long maxValue(Client c) {
        return c.server.config.encoding.zsetMaxListpackValue.get();
    }

    /** Replies a member, and its score when {@code withScores} (RESP3: as a [member, score] pair). */
    static void replyMember(ReplyWriter w, byte[] b, int off, int len, double score, boolean withScores) {
        if (withScores && w.resp() == 3) {
            w.arrayLen(2);
        }
        w.bulk(b, off, len);
        if (withScores) {
            w.doubleValue(score);
        }
    }

    /**
     * Redis zslParseRange: "(x" is exclusive, anything strtod reads is accepted (also the empty
     * string, as 0). Replies "min or max is not a float" and returns false on failure.
     */
    static boolean parseScoreRange(Client c, int minIdx, int maxIdx, ZRange.Score r) {
        byte[] d = c.argData();
        int off = c.argOff(minIdx);
        int len = c.argLen(minIdx);
        r.minEx = len > 0 && d[off] == '(';
        r.min = r.minEx ? Doubles.parseRangeBound(d, off + 1, len - 1) : Doubles.parseRangeBound(d, off, len);
        off = c.argOff(maxIdx);
        len = c.argLen(maxIdx);
        r.maxEx = len > 0 && d[off] == '(';
        r.max = r.maxEx ? Doubles.parseRangeBound(d, off + 1, len - 1) : Doubles.parseRangeBound(d, off, len);
        if (Double.isNaN(r.min) || Double.isNaN(r.max)) {
            c.error(NOT_FLOAT_RANGE);
            return false;
        }
        return true;
    }

    /** Redis zslParseLexRange: "-", "+", "[x" or "(x" for each end. */
    static boolean parseLexRange(Client c, int minIdx, int maxIdx, ZRange.Lex r) {
        if (!lexItem(c, minIdx, r, true) || !lexItem(c, maxIdx, r, false)) {
            c.error(NOT_LEX_RANGE);
            return false;
        }
        return true;
    }

    private static boolean lexItem(Client c, int i, ZRange.Lex r, boolean min) {
        byte[] d = c.argData();
        int off = c.argOff(i);
        int len = c.argLen(i);
        if (len == 0) {
            return false;
        }
        int kind;
        boolean ex;
        switch (d[off]) {
            case '+', '-' -> {
                // The C check is on the byte after the sign: a NUL there ends the string.
                if (len > 1 && d[off + 1] != 0) {
                    return false;
                }
                kind = d[off] == '+' ? ZRange.Lex.POS_INFINITY : ZRange.Lex.NEG_INFINITY;
                ex = true;
            }
            case '(' -> {
                kind = ZRange.Lex.VALUE;
                ex = true;
            }
            case '[' -> {
                kind = ZRange.Lex.VALUE;
                ex = false;
            }
            default -> {
                return false;
            }
        }
        if (min) {
            r.setMin(kind, d, off + 1, len - 1, ex);
        } else {
            r.setMax(kind, d, off + 1, len - 1, ex);
        }
        return true;
    }

    /**
     * Redis getRangeLongFromObjectOrReply: a 64-bit integer in [min, max]; {@code msg} replaces
     * both the parse and the range error when given.
     */
    static boolean parseRangeLong(Client c, int i, long min, long max, String msg) {
        if (!c.parseLong(i, msg)) {
            return false;
        }
        long v = c.parsed();
        if (v < min || v > max) {
            c.error(msg != null ? msg : "ERR value is out of range, value must between " + min + " and " + max);
            return false;
        }
        return true;
    }

    // ---- ZADD / ZINCRBY ---------------------------------------------------------------------------

    static void zadd(Client c) {
        zaddGeneric(c, false);
    }

    static void zincrby(Client c) {
        zaddGeneric(c, true);
    }

    /** Redis zaddGenericCommand: ZADD with its options, and ZINCRBY (= ZADD INCR). */
    private static void zaddGeneric(Client c, boolean incr) {
        int argc = c.argc();
        int flags = 0;
        boolean ch = false;
        int i = 2;
        for (; i < argc; i++) {
            if (c.argIs(i, W_NX)) {
                flags |= ZSetValue.NX;
            } else if (c.argIs(i, W_XX)) {
                flags |= ZSetValue.XX;
            } else if (c.argIs(i, W_CH)) {
                ch = true;
            } else if (c.argIs(i, W_INCR)) {
                incr = true;
            } else if (c.argIs(i, W_GT)) {
                flags |= ZSetValue.GT;
            } else if (c.argIs(i, W_LT)) {
                flags |= ZSetValue.LT;
            } else {
                break;
            }
        }
        int scoreIdx = i;
        int elements = argc - scoreIdx;
        if (elements % 2 != 0 || elements == 0) {
            c.syntaxError();
            return;
        }
        elements /= 2;
        boolean nx = (flags & ZSetValue.NX) != 0;
        boolean xx = (flags & ZSetValue.XX) != 0;
        boolean gt = (flags & ZSetValue.GT) != 0;
        boolean lt = (flags & ZSetValue.LT) != 0;
        if (nx && xx) {
            c.error("ERR XX and NX options at the same time are not compatible");
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            c.error("ERR GT, LT, and/or NX options at the same time are not compatible");
            return;
        }
        if (incr && elements > 1) {
            c.error("ERR INCR option supports a single increment-element pair");
            return;
        }
        // Every score is checked before anything changes: the command applies fully or not at all.
        byte[] d = c.argData();
        for (int j = 0; j < elements; j++) {
            int a = scoreIdx + 2 * j;
            if (Double.isNaN(Doubles.parse(d, c.argOff(a), c.argLen(a)))) {
                c.notFloat();
                return;
            }
        }
        Object entry = c.db.lookupWrite(c, 1);
        ZSetValue z = asZSet(entry);
        if (entry != null && z == null) {
            c.wrongType();
            return;
        }
        long maxEntries = maxEntries(c);
        long maxValue = maxValue(c);
        int added = 0;
        int updated = 0;
        int processed = 0;
        double score = 0;
        if (z == null) {
            if (xx) {
                replyZadd(c, incr, ch, 0, 0, 0, 0);
                return;
            }
            z = ZSetValue.create(elements, c.argLen(scoreIdx + 1), maxEntries, maxValue);
            c.db.setObject(d, c.argOff(1), c.argLen(1), z, -1);
        } else {
            z.maybeConvert(elements, maxEntries);
        }
        for (int j = 0; j < elements; j++) {
            int sa = scoreIdx + 2 * j;
            int ma = sa + 1;
            score = Doubles.parse(d, c.argOff(sa), c.argLen(sa));
            int mOff = c.argOff(ma);
            int mLen = c.argLen(ma);
            if (incr) {
                double cur = z.scoreOf(d, mOff, mLen);
                if (!Double.isNaN(cur) && !nx) {
                    score += cur;
                    if (Double.isNaN(score)) {
                        c.error("ERR resulting score is not a number (NaN)");
                        break;
                    }
                }
            }
            int r = z.add(d, mOff, mLen, score, flags, maxEntries, maxValue);
            if ((r & ZSetValue.ADDED) != 0) {
                added++;
            }
            if ((r & ZSetValue.UPDATED) != 0) {
                updated++;
            }
            if ((r & ZSetValue.NOP) == 0) {
                processed++;
            }
            if (j == elements - 1) {
                replyZadd(c, incr, ch, added, updated, processed, score);
            }
        }
        // (A NaN increment breaks out of the loop above with its error as the reply.)
        if (added > 0 || updated > 0) {
            c.db.modified(d, c.argOff(1), c.argLen(1));
            KeyEvents.fire(c, KeyEvents.ZSET, incr ? KeyEvents.ZINCR : KeyEvents.ZADD, 1);
        }
    }

    private static void replyZadd(Client c, boolean incr, boolean ch, int added, int updated, int processed,
                                  double score) {
        if (incr) {
            if (processed > 0) {
                c.reply.doubleValue(score);
            } else {
                c.reply.nullBulk();
            }
        } else {
            c.reply.integer(ch ? added + updated : added);
        }
    }

    // ---- ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK ----------------------------------------------------

    static void zrem(Client c) {
        Object entry = c.db.lookupWrite(c, 1);
        if (entry == null) {
            c.reply.zero();
            return;
        }
        ZSetValue z = asZSet(entry);
        if (z == null) {
            c.wrongType();
            return;
        }
        byte[] d = c.argData();
        int deleted = 0;
        boolean keyRemoved = false;
        for (int j = 2; j < c.argc(); j++) {
            if (z.remove(d, c.argOff(j), c.argLen(j))) {
                deleted++;
            }
            if (z.size() == 0) {
                c.db.delete(d, c.argOff(1), c.argLen(1));
                keyRemoved = true;
                break;
            }
        }
        if (deleted > 0 && !keyRemoved) {
            c.db.modified(d, c.argOff(1), c.argLen(1));
        }
        if (deleted > 0) {
            KeyEvents.fire(c, KeyEvents.ZSET, KeyEvents.ZREM, 1);
            if (keyRemoved) {
                KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
            }
        }
        c.reply.integer(deleted);
    }

    static void zcard(Client c) {
        Object entry = c.db.lookupRead(c, 1);
        if (entry == null) {
            c.reply.zero();
            return;
        }
        ZSetValue z = asZSet(entry);
        if (z == null) {
            c.wrongType();
            return;
        }
        c.reply.integer(z.size());
    }

    static void zscore(Client c) {
        Object entry = c.db.lookupRead(c, 1);
        if (entry == null) {
            c.reply.nullBulk();
            return;
        }
        ZSetValue z = asZSet(entry);
        if (z == null) {
            c.wrongType();
            return;
        }
        double s = z.scoreOf(c.argData(), c.argOff(2), c.argLen(2));
        if (Double.isNaN(s)) {
            c.reply.nullBulk();
        } else {
            c.reply.doubleValue(s);
        }
    }

    static void zmscore(Client c) {
        Object entry = c.db.lookupRead(c, 1);
        ZSetValue z = asZSet(entry);
        if (entry != null && z == null) {
            c.wrongType();
            return;
        }
        int argc = c.argc();
        c.reply.arrayLen(argc - 2);
        for (int j = 2; j < argc; j++) {
            double s = z == null ? Double.NaN : z.scoreOf(c.argData(), c.argOff(j), c.argLen(j));
            if (Double.isNaN(s)) {
                c.reply.nullBulk();
            } else {
                c.reply.doubleValue(s);
            }
        }
    }

    static void zrank(Client c) {
        rankGeneric(c, false);
    }

    static void zrevrank(Client c) {
        rankGeneric(c, true);
    }

    private static void rankGeneric(Client c, boolean reverse) {
        int argc = c.argc();
        if (argc > 4) {
            c.arityError();
            return;
        }
        boolean withScore = false;
        if (argc > 3) {
            if (!c.argIs(3, W_WITHSCORE)) {
                c.syntaxError();
                return;
            }
            withScore = true;
        }
        Object entry = c.db.lookupRead(c, 1);
        ZSetValue z = asZSet(entry);
        if (entry != null && z == null) {
            c.wrongType();
            return;
        }
        long rank = z == null ? -1 : z.rank(c.argData(), c.argOff(2), c.argLen(2), reverse);
        if (rank < 0) {
            if (withScore) {
                c.reply.nullArray();
            } else {
                c.reply.nullBulk();
            }
            return;
        }
        if (withScore) {
            c.reply.arrayLen(2);
            c.reply.integer(rank);
            c.reply.doubleValue(z.scoreOf(c.argData(), c.argOff(2), c.argLen(2)));
        } else {
            c.reply.integer(rank);
        }
    }

    // ---- ZCOUNT, ZLEXCOUNT --------------------------------------------------------------------------

    static void zcount(Client c) {
        ZRange.Score r = new ZRange.Score();
        if (!parseScoreRange(c, 2, 3, r)) {
            return;
        }
        Object entry = c.db.lookupRead(c, 1);
        if (entry == null) {
            c.reply.zero();
            return;
        }
        ZSetValue z = asZSet(entry);
        if (z == null) {
            c.wrongType();
            return;
        }
        c.reply.integer(z.countScore(r));
    }

    static void zlexcount(Client c) {
        ZRange.Lex r = new ZRange.Lex();
        if (!parseLexRange(c, 2, 3, r)) {
            return;
        }
        Object entry = c.db.lookupRead(c, 1);
        if (entry == null) {
            c.reply.zero();
            return;
        }
        ZSetValue z = asZSet(entry);
        if (z == null) {
            c.wrongType();
            return;
        }
        c.reply.integer(z.countLex(r));
    }

    // ---- ZRANGE family ------------------------------------------------------------------------------

    private static final int AUTO = 0;
    private static final int RANK = 1;
    private static final int SCORE = 2;
    private static final int LEX = 3;
    private static final int FORWARD = 1;
    private static final int REVERSE = 2;

    static void zrange(Client c) {
        rangeGeneric(c, 1, false, AUTO, AUTO);
    }

    static void zrangestore(Client c) {
        rangeGeneric(c, 2, true, AUTO, AUTO);
    }

    static void zrevrange(Client c) {
        rangeGeneric(c, 1, false, RANK, REVERSE);
    }

    static void zrangebyscore(Client c) {
        rangeGeneric(c, 1, false, SCORE, FORWARD);
    }

    static void zrevrangebyscore(Client c) {
        rangeGeneric(c, 1, false, SCORE, REVERSE);
    }

    static void zrangebylex(Client c) {
        rangeGeneric(c, 1, false, LEX, FORWARD);
    }

    static void zrevrangebylex(Client c) {
        rangeGeneric(c, 1, false, LEX, REVERSE);
    }

    /**
     * Redis zrangeGenericCommand: ZRANGE and ZRANGESTORE with their options, and the older
     * Z[REV]RANGE[BYSCORE|BYLEX] commands with the type and direction fixed. {@code src} is the
     * index of the source key; min and max follow it.
     */
    private static void rangeGeneric(Client c, int src, boolean store, int type, int direction) {
        int argc = c.argc();
        int minIdx = src + 1;
        int maxIdx = src + 2;
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        for (int j = src + 3; j < argc; j++) {
            int left = argc - j - 1;
            if (!store && c.argIs(j, W_WITHSCORES)) {
                withScores = true;
            } else if (c.argIs(j, W_LIMIT) && left >= 2) {
                if (!c.parseLong(j + 1)) {
                    return;
                }
                offset = c.parsed();
                if (!c.parseLong(j + 2)) {
                    return;
                }
                limit = c.parsed();
                j += 2;
            } else if (direction == AUTO && c.argIs(j, W_REV)) {
                direction = REVERSE;
            } else if (type == AUTO && c.argIs(j, W_BYLEX)) {
                type = LEX;
            } else if (type == AUTO && c.argIs(j, W_BYSCORE)) {
                type = SCORE;
            } else {
                c.syntaxError();
                return;
            }
        }
        if (direction == AUTO) {
            direction = FORWARD;
        }
        if (type == AUTO) {
            type = RANK;
        }
        if (limit != -1 && type == RANK) {
            c.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            return;
        }
        if (withScores && type == LEX) {
            c.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
            return;
        }
        boolean reverse = direction == REVERSE;
        if (reverse && (type == SCORE || type == LEX)) {
            int t = maxIdx;
            maxIdx = minIdx;
            minIdx = t;
        }
        long start = 0;
        long end = 0;
        ZRange.Score scoreRange = null;
        ZRange.Lex lexRange = null;
        switch (type) {
            case RANK -> {
                if (!c.parseLong(minIdx)) {
                    return;
                }
                start = c.parsed();
                if (!c.parseLong(maxIdx)) {
                    return;
                }
                end = c.parsed();
            }
            case SCORE -> {
                scoreRange = new ZRange.Score();
                if (!parseScoreRange(c, minIdx, maxIdx, scoreRange)) {
                    return;
                }
            }
            default -> {
                lexRange = new ZRange.Lex();
                if (!parseLexRange(c, minIdx, maxIdx, lexRange)) {
                    return;
                }
            }
        }
        boolean emitScores = withScores || store;
        Object entry = c.db.lookupRead(c, src);
        if (entry == null) {
            if (store) {
                storeRange(c, null, 0);
            } else {
                c.reply.emptyArray();
            }
            return;
        }
        ZSetValue z = asZSet(entry);
        if (z == null) {
            c.wrongType();
            return;
        }
        long from;
        long count;
        if (type == RANK) {
            long len = z.size();
            count = Ranks.count(start, end, len);
            from = Ranks.first(start, len);
        } else {
            from = 0;
            count = type == SCORE ? z.countScoreWindow(scoreRange, offset, limit)
                    : z.countLexWindow(lexRange, reverse, offset, limit);
        }
        if (store) {
            ZSetValue dst = ZSetValue.create(type == RANK ? count : 0, 0, maxEntries(c), maxValue(c));
            long maxE = maxEntries(c);
            long maxV = maxValue(c);
            ScoredMembers.Visitor add = (b, off, len, s) -> dst.add(b, off, len, s, 0, maxE, maxV);
            emit(z, type, from, count, reverse, scoreRange, lexRange, offset, limit, add);
            storeRange(c, dst, count);
            return;
        }
        ReplyWriter w = c.reply;
        w.arrayLen(emitScores && w.resp() == 2 ? 2 * count : count);
        if (count == 0) {
            return;
        }
        boolean ws = emitScores;
        emit(z, type, from, count, reverse, scoreRange, lexRange, offset, limit,
                (b, off, len, s) -> replyMember(w, b, off, len, s, ws));
    }

    private static void emit(ZSetValue z, int type, long from, long count, boolean reverse, ZRange.Score sr,
                             ZRange.Lex lr, long offset, long limit, ScoredMembers.Visitor v) {
        if (count == 0) {
            return;
        }
        switch (type) {
            case RANK -> {
                long n = z.size();
                if (reverse) {
                    // Rank r from the top is rank n-1-r from the bottom.
                    z.visitRanks(n - 1 - (from + count - 1), n - 1 - from, true, v);
                } else {
                    z.visitRanks(from, from + count - 1, false, v);
                }
            }
            case SCORE -> z.visitScore(sr, reverse, offset, limit, v);
            default -> z.visitLex(lr, reverse, offset, limit, v);
        }
    }

    /** ZRANGESTORE's result: stored when not empty, else the destination is deleted. */
    private static void storeRange(Client c, ZSetValue dst, long count) {
        byte[] d = c.argData();
        if (count > 0) {
            c.db.setObject(d, c.argOff(1), c.argLen(1), dst, -1);
            c.reply.integer(count);
            KeyEvents.fire(c, KeyEvents.ZSET, KeyEvents.ZRANGESTORE, 1);
        } else {
            c.reply.zero();
            if (c.db.delete(d, c.argOff(1), c.argLen(1))) {
                KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
            }
        }
    }

    // ---- ZREMRANGEBY* -----------------------------------------------------------------------------

    static void zremrangebyrank(Client c) {
        if (!c.parseLong(2)) {
            return;
        }
        long start = c.parsed();
        if (!c.parseLong(3)) {
            return;
        }
        long end = c.parsed();
        ZSetValue z = removalTarget(c);
        if (z == null) {
            return;
        }
        long len = z.size();
        long n = Ranks.count(start, end, len);
        if (n == 0) {
            c.reply.zero();
            return;
        }
        long first = Ranks.first(start, len);
        finishRemoval(c, z, z.removeRanks(first, first + n - 1), KeyEvents.ZREMRANGEBYRANK);
    }

    static void zremrangebyscore(Client c) {
        ZRange.Score r = new ZRange.Score();
        if (!parseScoreRange(c, 2, 3, r)) {
            return;
        }
        ZSetValue z = removalTarget(c);
        if (z != null) {
            finishRemoval(c, z, z.removeScore(r), KeyEvents.ZREMRANGEBYSCORE);
        }
    }

    static void zremrangebylex(Client c) {
        ZRange.Lex r = new ZRange.Lex();
        if (!parseLexRange(c, 2, 3, r)) {
            return;
        }
        ZSetValue z = removalTarget(c);
        if (z != null) {
            finishRemoval(c, z, z.removeLex(r), KeyEvents.ZREMRANGEBYLEX);
        }
    }

    /** The sorted set to remove from; null after replying 0 (no key) or WRONGTYPE. */
    private static ZSetValue removalTarget(Client c) {
        Object entry = c.db.lookupWrite(c, 1);
        if (entry == null) {
            c.reply.zero();
            return null;
        }
        ZSetValue z = asZSet(entry);
        if (z == null) {
            c.wrongType();
        }
        return z;
    }

    private static void finishRemoval(Client c, ZSetValue z, long deleted, byte[] event) {
        byte[] d = c.argData();
        boolean keyRemoved = z.size() == 0;
        if (keyRemoved) {
            c.db.delete(d, c.argOff(1), c.argLen(1));
        } else if (deleted > 0) {
            c.db.modified(d, c.argOff(1), c.argLen(1));
        }
        if (deleted > 0) {
            KeyEvents.fire(c, KeyEvents.ZSET, event, 1);
            if (keyRemoved) {
                KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
            }
        }
        c.reply.integer(deleted);
    }

    // ---- ZPOPMIN, ZPOPMAX, ZMPOP --------------------------------------------------------------------

    static void zpopmin(Client c) {
        popMinMax(c, false);
    }

    static void zpopmax(Client c) {
        popMinMax(c, true);
    }

    private static void popMinMax(Client c, boolean max) {
        if (c.argc() > 3) {
            c.syntaxError();
            return;
        }
        long count = -1;
        if (c.argc() == 3) {
            if (!parseRangeLong(c, 2, 0, Long.MAX_VALUE, "ERR value is out of range, must be positive")) {
                return;
            }
            count = c.parsed();
        }
        // RESP3 gets [member, score] pairs when a count was given; otherwise a flat array.
        boolean nested = c.resp() > 2 && count != -1;
        genericPop(c, 1, 1, max, false, count, nested, false);
    }

    /**
     * Redis genericZpopCommand: pops from the first of {@code keyCount} keys (from argument
     * {@code firstKey}) that exists. {@code emitKey}: the reply names the key (ZMPOP);
     * {@code nested}: elements as [member, score] pairs; {@code nilWhenEmpty}: a null reply
     * rather than an empty array when no key exists.
     */
    static void genericPop(Client c, int firstKey, int keyCount, boolean max, boolean emitKey, long count,
                           boolean nested, boolean nilWhenEmpty) {
        ZSetValue z = null;
        int keyIdx = -1;
        for (int k = 0; k < keyCount; k++) {
            Object entry = c.db.lookupWrite(c, firstKey + k);
            if (entry == null) {
                continue;
            }
            z = asZSet(entry);
            if (z == null) {
                c.wrongType();
                return;
            }
            keyIdx = firstKey + k;
            break;
        }
        ReplyWriter w = c.reply;
        if (z == null) {
            if (nilWhenEmpty) {
                w.nullArray();
            } else {
                w.emptyArray();
            }
            return;
        }
        if (count == 0) {
            w.emptyArray();
            return;
        }
        if (count == -1) {
            count = 1;
        }
        long n = Math.min(count, z.size());
        byte[] d = c.argData();
        if (!nested && !emitKey) {
            w.arrayLen(n * 2);
        } else if (nested && !emitKey) {
            w.arrayLen(n);
        } else if (!nested) {
            w.arrayLen(n * 2 + 1);
            w.bulk(d, c.argOff(keyIdx), c.argLen(keyIdx));
        } else {
            w.arrayLen(2);
            w.bulk(d, c.argOff(keyIdx), c.argLen(keyIdx));
            w.arrayLen(n);
        }
        ScoredMembers.Visitor out = (b, off, len, s) -> {
            if (nested) {
                w.arrayLen(2);
            }
            w.bulk(b, off, len);
            w.doubleValue(s);
        };
        for (long k = 0; k < n; k++) {
            z.pop(max, out);
        }
        KeyEvents.fire(c, KeyEvents.ZSET, max ? KeyEvents.ZPOPMAX : KeyEvents.ZPOPMIN, keyIdx);
        if (z.size() == 0) {
            c.db.delete(d, c.argOff(keyIdx), c.argLen(keyIdx));
            KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, keyIdx);
        } else {
            c.db.modified(d, c.argOff(keyIdx), c.argLen(keyIdx));
        }
        Propagation p = c.server.replication.propagation;
        if (p.active()) {
            // ZMPOP, BZMPOP and BZPOPMIN/MAX replicate as ZPOPMIN/ZPOPMAX on the key they
            // popped from (with the count actually popped for the multi-key forms).
            String name = c.cmd.name();
            byte[] pop = max ? ZPOPMAX : ZPOPMIN;
            if (name.equals("zmpop") || name.equals("bzmpop")) {
                p.rewrite(pop, c.argCopy(keyIdx), Ascii.longBytes(n));
            } else if (name.equals("bzpopmin") || name.equals("bzpopmax")) {
                p.rewrite(pop, c.argCopy(keyIdx));
            }
        }
    }

    private static final byte[] ZPOPMIN = Ascii.bytes("ZPOPMIN");
    private static final byte[] ZPOPMAX = Ascii.bytes("ZPOPMAX");

    /** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]. */
    static void zmpop(Client c) {
        mpopGeneric(c, 1);
    }

    /**
     * Argument parsing of ZMPOP (and, later, BZMPOP, whose numkeys is at index 2): returns
     * false after replying an error. On success {@code c.scratch} holds {numkeys, where
     * (1 = max), count}.
     */
    static boolean parseMpop(Client c, int numkeysIdx) {
        if (!parseRangeLong(c, numkeysIdx, 1, Long.MAX_VALUE, "ERR numkeys should be greater than 0")) {
            return false;
        }
        long numkeys = c.parsed();
        int argc = c.argc();
        if (numkeys >= argc - numkeysIdx - 1) {
            c.syntaxError();
            return false;
        }
        int whereIdx = numkeysIdx + (int) numkeys + 1;
        boolean max;
        if (c.argIs(whereIdx, W_MIN)) {
            max = false;
        } else if (c.argIs(whereIdx, W_MAX)) {
            max = true;
        } else {
            c.syntaxError();
            return false;
        }
        long count = -1;
        for (int j = whereIdx + 1; j < argc; j++) {
            boolean more = j < argc - 1;
            if (count == -1 && c.argIs(j, W_COUNT) && more) {
                j++;
                if (!parseRangeLong(c, j, 1, Long.MAX_VALUE, "ERR count should be greater than 0")) {
                    return false;
                }
                count = c.parsed();
            } else {
                c.syntaxError();
                return false;
            }
        }
        if (count == -1) {
            count = 1;
        }
        c.scratch[0] = (int) numkeys;
        c.scratch[1] = max ? 1 : 0;
        c.scratch[2] = (int) (count >>> 32);
        c.scratch[3] = (int) count;
        return true;
    }

    /** The COUNT {@link #parseMpop} left in the client's scratch space. */
    static long mpopCount(Client c) {
        return ((long) c.scratch[2] << 32) | (c.scratch[3] & 0xFFFFFFFFL);
    }

    private static void mpopGeneric(Client c, int numkeysIdx) {
        if (!parseMpop(c, numkeysIdx)) {
            return;
        }
        genericPop(c, numkeysIdx + 1, c.scratch[0], c.scratch[1] == 1, true, mpopCount(c), true, true);
    }

    // ---- ZRANDMEMBER --------------------------------------------------------------------------------

    static void zrandmember(Client c) {
        int argc = c.argc();
        if (argc >= 3) {
            if (!parseRangeLong(c, 2, -Long.MAX_VALUE, Long.MAX_VALUE, null)) {
                return;
            }
            long l = c.parsed();
            boolean withScores = false;
            if (argc > 4 || (argc == 4 && !c.argIs(3, W_WITHSCORES))) {
                c.syntaxError();
                return;
            } else if (argc == 4) {
                withScores = true;
                if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) {
                    c.error("ERR value is out of range");
                    return;
                }
            }
            ZSetRandom.withCount(c, l, withScores);
            return;
        }
        Object entry = c.db.lookupRead(c, 1);
        if (entry == null) {
            c.reply.nullBulk();
            return;
        }
        ZSetValue z = asZSet(entry);
        if (z == null) {
            c.wrongType();
            return;
        }
        ReplyWriter w = c.reply;
        z.visitRandom(ThreadLocalRandom.current(), (b, off, len, s) -> w.bulk(b, off, len));
    }

    // ---- ZSCAN --------------------------------------------------------------------------------------

    static void zscan(Client c) {
        byte[] d = c.argData();
        ScanArgs scan = new ScanArgs();
        if (!scan.cursor(c, 2)) {
            return;
        }
        long cursor = scan.cursor;
        Object entry = c.db.lookupRead(c, 1);
        if (entry == null) {
            c.reply.raw(EMPTY_SCAN);
            return;
        }
        ZSetValue z = asZSet(entry);
        if (z == null) {
            c.wrongType();
            return;
        }
        if (!scan.options(c, 3, false)) {
            return;
        }
        long count = scan.count;
        // Collected as (member, score text) pairs; the table cannot be replied to while visited.
        ArrayList<byte[]> found = new ArrayList<>();
        long[] sampled = new long[1];
        int patOff = scan.patOff;
        int patLen = scan.patLen;
        boolean listpack = z.isListpack();
        ScoredMembers.Visitor collect = (b, off, len, s) -> {
            sampled[0]++;
            if (patOff >= 0 && !Glob.match(d, patOff, patLen, b, off, len, false)) {
                return;
            }
            found.add(java.util.Arrays.copyOfRange(b, off, off + len));
            byte[] num = new byte[Doubles.MAX_CHARS];
            // A listpack holds the score as Redis prints it; the skiplist path formats with %.17g.
            int n = listpack ? Doubles.d2string(s, num, 0) : Doubles.formatG17(s, num, 0);
            found.add(java.util.Arrays.copyOf(num, n));
        };
        if (listpack) {
            cursor = z.scan(0, collect);
        } else {
            long maxIterations = count * 10;
            do {
                cursor = z.scan(cursor, collect);
            } while (cursor != 0 && maxIterations-- != 0 && sampled[0] < count);
        }
        ReplyWriter w = c.reply;
        w.arrayLen(2);
        if (cursor >= 0) {
            w.bulkLong(cursor);
        } else {
            w.bulk(Long.toUnsignedString(cursor));
        }
        w.arrayLen(found.size());
        for (byte[] b : found) {
            w.bulk(b);
        }
    }

}
