package dev.cinnabar.server.family;

import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.Doubles;
import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.type.ScoredMembers;
import dev.cinnabar.server.type.ZSetValue;
import java.util.Arrays;

/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (Redis
 * zunionInterDiffGenericCommand). Inputs are any {@link ScoredMembers}: sorted sets, and plain
 * sets once their type implements the interface (every member scored 1).
 *
 * <p>Like Redis, union and intersection visit the inputs from the smallest to the largest
 * (a stable order for equal sizes), which fixes the order in which a member's weighted scores
 * are aggregated: floating-point sums depend on it. A result is built as a skiplist-encoded set
 * and, when stored, turned into a listpack if it is small enough (zsetConvertToListpackIfNeeded).
 */
final class ZSetAlgebra {
    private ZSetAlgebra() {}

    static void register(CommandTable t) {
        t.bind("zunion", ZSetAlgebra::zunion)
                .bind("zinter", ZSetAlgebra::zinter)
                .bind("zdiff", ZSetAlgebra::zdiff)
                .bind("zunionstore", ZSetAlgebra::zunionstore)
                .bind("zinterstore", ZSetAlgebra::zinterstore)
                .bind("zdiffstore", ZSetAlgebra::zdiffstore)
                .bind("zintercard", ZSetAlgebra::zintercard);
    }

    static void zunion(Client c) {
        generic(c, false, 1, UNION, false);
    }

    static void zinter(Client c) {
        generic(c, false, 1, INTER, false);
    }

    static void zdiff(Client c) {
        generic(c, false, 1, DIFF, false);
    }

    static void zunionstore(Client c) {
        generic(c, true, 2, UNION, false);
    }

    static void zinterstore(Client c) {
        generic(c, true, 2, INTER, false);
    }

    static void zdiffstore(Client c) {
        generic(c, true, 2, DIFF, false);
    }

    static void zintercard(Client c) {
        generic(c, false, 1, INTER, true);
    }

    static final int UNION = 0;
    static final int INTER = 1;
    static final int DIFF = 2;
    private static final int SUM = 1;
    private static final int MIN = 2;
    private static final int MAX = 3;

    private static final byte[] W_WEIGHTS = Ascii.bytes("weights");
    private static final byte[] W_AGGREGATE = Ascii.bytes("aggregate");
    private static final byte[] W_SUM = Ascii.bytes("sum");
    private static final byte[] W_MIN = Ascii.bytes("min");
    private static final byte[] W_MAX = Ascii.bytes("max");
    private static final byte[] W_WITHSCORES = Ascii.bytes("withscores");
    private static final byte[] W_LIMIT = Ascii.bytes("limit");

    /** Redis zunionInterAggregate; a sum of +inf and -inf is 0, not NaN. */
    static double aggregate(int how, double target, double v) {
        switch (how) {
            case SUM -> {
                double r = target + v;
                return Double.isNaN(r) ? 0.0 : r;
            }
            case MIN -> {
                return v < target ? v : target;
            }
            default -> {
                return v > target ? v : target;
            }
        }
    }

    private static int size(ScoredMembers s) {
        return s == null ? 0 : s.size();
    }

    /**
     * The shared implementation. {@code store}: the destination is argument 1;
     * {@code numkeysIdx}: where numkeys is; {@code cardinalityOnly}: ZINTERCARD.
     */
    static void generic(Client c, boolean store, int numkeysIdx, int op, boolean cardinalityOnly) {
        if (!c.parseLong(numkeysIdx)) {
            return;
        }
        long setnum = c.parsed();
        int argc = c.argc();
        if (setnum < 1) {
            c.error("ERR at least 1 input key is needed for '" + c.cmd.fullName() + "' command");
            return;
        }
        if (setnum > argc - (numkeysIdx + 1)) {
            c.syntaxError();
            return;
        }
        int n = (int) setnum;
        ScoredMembers[] src = new ScoredMembers[n];
        double[] weights = new double[n];
        int j = numkeysIdx + 1;
        for (int i = 0; i < n; i++, j++) {
            Object entry = c.db.lookupRead(c, j);
            if (entry != null) {
                if (!(entry instanceof ObjectEntry o && o.value instanceof ScoredMembers sm)) {
                    c.wrongType();
                    return;
                }
                src[i] = sm;
            }
            weights[i] = 1.0;
        }
        int aggregate = SUM;
        boolean withScores = false;
        long limit = 0;
        byte[] d = c.argData();
        while (j < argc) {
            int remaining = argc - j;
            if (op != DIFF && !cardinalityOnly && remaining >= n + 1 && c.argIs(j, W_WEIGHTS)) {
                j++;
                for (int i = 0; i < n; i++, j++) {
                    double w = Doubles.parse(d, c.argOff(j), c.argLen(j));
                    if (Double.isNaN(w)) {
                        c.error("ERR weight value is not a float");
                        return;
                    }
                    weights[i] = w;
                }
            } else if (op != DIFF && !cardinalityOnly && remaining >= 2 && c.argIs(j, W_AGGREGATE)) {
                j++;
                if (c.argIs(j, W_SUM)) {
                    aggregate = SUM;
                } else if (c.argIs(j, W_MIN)) {
                    aggregate = MIN;
                } else if (c.argIs(j, W_MAX)) {
                    aggregate = MAX;
                } else {
                    c.syntaxError();
                    return;
                }
                j++;
            } else if (!store && !cardinalityOnly && c.argIs(j, W_WITHSCORES)) {
                j++;
                withScores = true;
            } else if (cardinalityOnly && remaining >= 2 && c.argIs(j, W_LIMIT)) {
                j++;
                if (!ZSetFamily.parseRangeLong(c, j, 0, Long.MAX_VALUE, "ERR LIMIT can't be negative")) {
                    return;
                }
                limit = c.parsed();
                j++;
            } else {
                c.syntaxError();
                return;
            }
        }
        if (op != DIFF) {
            sortBySize(src, weights);
        }
        ZSetValue dst = ZSetValue.createSkiplist();
        long cardinality = 0;
        switch (op) {
            case INTER -> cardinality = inter(src, weights, aggregate, cardinalityOnly, limit, dst);
            case UNION -> union(src, weights, aggregate, dst);
            default -> diff(src, dst);
        }
        ReplyWriter w = c.reply;
        if (store) {
            int size = dst.accumulatorSize();
            if (size > 0) {
                dst.finishAccumulation();
                long[] lens = dst.memberLengths();
                dst.convertToListpackIfNeeded(lens[0], lens[1], ZSetFamily.maxEntries(c), ZSetFamily.maxValue(c));
                c.db.setObject(d, c.argOff(1), c.argLen(1), dst, -1);
                w.integer(size);
                KeyEvents.fire(c, KeyEvents.ZSET, op == UNION ? KeyEvents.ZUNIONSTORE
                        : op == INTER ? KeyEvents.ZINTERSTORE : KeyEvents.ZDIFFSTORE, 1);
            } else {
                w.zero();
                if (c.db.delete(d, c.argOff(1), c.argLen(1))) {
                    KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
                }
            }
            return;
        }
        if (cardinalityOnly) {
            w.integer(cardinality);
            return;
        }
        dst.finishAccumulation();
        int size = dst.size();
        w.arrayLen(withScores && w.resp() == 2 ? 2L * size : size);
        if (size > 0) {
            boolean ws = withScores;
            dst.visitRanks(0, size - 1, false, (b, off, len, s) -> ZSetFamily.replyMember(w, b, off, len, s, ws));
        }
    }

    /** Stable sort of the inputs (with their weights) by ascending size. */
    private static void sortBySize(ScoredMembers[] src, double[] weights) {
        int n = src.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(size(src[a]), size(src[b])));
        ScoredMembers[] s = src.clone();
        double[] w = weights.clone();
        for (int i = 0; i < n; i++) {
            src[i] = s[order[i]];
            weights[i] = w[order[i]];
        }
    }

    private static long inter(ScoredMembers[] src, double[] weights, int aggregate, boolean cardinalityOnly,
                              long limit, ZSetValue dst) {
        if (size(src[0]) == 0) {
            return 0;
        }
        long[] card = new long[1];
        boolean[] stop = new boolean[1];
        ScoredMembers first = src[0];
        first.forEachScored((b, off, len, s) -> {
            if (stop[0]) {
                return;
            }
            double score = weights[0] * s;
            if (Double.isNaN(score)) {
                score = 0;
            }
            int j = 1;
            for (; j < src.length; j++) {
                double value;
                if (src[j] == first) {
                    value = s * weights[j];
                } else {
                    double found = src[j].scoreOf(b, off, len);
                    if (Double.isNaN(found)) {
                        break;
                    }
                    value = found * weights[j];
                }
                score = aggregate(aggregate, score, value);
            }
            if (j < src.length) {
                return;
            }
            if (cardinalityOnly) {
                card[0]++;
                if (limit != 0 && card[0] >= limit) {
                    stop[0] = true;
                }
            } else {
                dst.accumulatorAdd(b, off, len, score);
            }
        });
        return card[0];
    }

    private static void union(ScoredMembers[] src, double[] weights, int aggregate, ZSetValue dst) {
        for (int i = 0; i < src.length; i++) {
            if (size(src[i]) == 0) {
                continue;
            }
            double weight = weights[i];
            src[i].forEachScored((b, off, len, s) -> {
                double score = weight * s;
                if (Double.isNaN(score)) {
                    score = 0;
                }
                byte[] e = dst.accumulatorFind(b, off, len);
                if (e == null) {
                    dst.accumulatorAdd(b, off, len, score);
                } else {
                    ZSetValue.accumulate(e, aggregate(aggregate, ZSetValue.accumulatedScore(e), score));
                }
            });
        }
    }

    /**
     * The members of the first input that no other input has, with their scores. Redis picks one
     * of two algorithms by estimated work (checking each candidate against the others, or
     * removing the others' members from a copy); both give the same result.
     */
    private static void diff(ScoredMembers[] src, ZSetValue dst) {
        ScoredMembers first = src[0];
        if (size(first) == 0) {
            return;
        }
        long work1 = 0;
        long work2 = 0;
        for (int j = 0; j < src.length; j++) {
            if (j > 0 && src[j] == first) {
                return; // subtracting a set from itself
            }
            work1 += size(first);
            work2 += size(src[j]);
        }
        work1 /= 2;
        if (work1 <= work2) {
            first.forEachScored((b, off, len, s) -> {
                for (int j = 1; j < src.length; j++) {
                    if (src[j] != null && !Double.isNaN(src[j].scoreOf(b, off, len))) {
                        return;
                    }
                }
                dst.accumulatorAdd(b, off, len, s);
            });
            return;
        }
        first.forEachScored((b, off, len, s) -> dst.accumulatorAdd(b, off, len, s));
        for (int j = 1; j < src.length && dst.accumulatorSize() > 0; j++) {
            if (size(src[j]) == 0) {
                continue;
            }
            src[j].forEachScored((b, off, len, s) -> dst.accumulatorRemove(b, off, len));
        }
    }
}
