package dev.cinnabar.server.type;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.KeyTable;
import dev.cinnabar.ds.Listpack;
import dev.cinnabar.resp.Doubles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The sorted set type, in Redis's two encodings:
 * <ul>
 *   <li>{@code listpack}: member and score pairs in one {@link Listpack}, sorted by score then
 *       member; the score is an 8-byte little-endian double entry. Used while the set has at
 *       most zset-max-listpack-entries members of at most zset-max-listpack-value bytes each.
 *       Lookups are linear, which is cheap at those sizes.</li>
 *   <li>{@code skiplist}: a {@link KeyTable} from member to score (each member a packed entry:
 *       the member as key, the score as an 8-byte value, see {@link Entries}) and a
 *       {@link ZSetTree} ordering the same entries, for O(1) score lookups and O(log n) ranks
 *       and ranges. The table gives ZSCAN Redis's cursor guarantees.</li>
 * </ul>
 * Conversions happen exactly where Redis converts: a listpack becomes a skiplist when an insert
 * would break a threshold (or a command announces more elements than the entry limit), and a
 * skiplist goes back to a listpack only when a ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE result fits.
 *
 * <p>Like Redis 7.2, the listpack stores an integral score as an integer, so a -0 score becomes
 * 0 there while a skiplist keeps -0; this is visible in replies and digests, and reproduced.
 *
 * <p>Methods that take a visitor pass member bytes as a slice valid during the call only; a
 * visitor must not modify this sorted set. Data-structure code: nothing here knows about
 * clients or replies.
 */
public final class ZSetValue implements RedisValue, Digestible, ScoredMembers {
    private static final VarHandle DOUBLE_LE =
            MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
    /** Placeholder bytes of a new score entry, overwritten in place (never written itself). */
    private static final byte[] ZERO8 = new byte[8];
    /** Redis caps a listpack at 1 GB (lpSafeToAdd). */
    private static final long LISTPACK_SAFETY = 1L << 30;

    // ZADD input flags.
    public static final int NX = 1;
    public static final int XX = 2;
    public static final int GT = 4;
    public static final int LT = 8;
    // add() results.
    public static final int ADDED = 1;
    public static final int UPDATED = 2;
    public static final int NOP = 4;

    /** Listpack encoding, or null. */
    private Listpack lp;
    /** Skiplist encoding: member -> score, and the order; null in listpack encoding. */
    private KeyTable dict;
    private ZSetTree tree;

    private ZSetValue(Listpack lp) {
        this.lp = lp;
    }

    private ZSetValue(KeyTable dict, ZSetTree tree) {
        this.dict = dict;
        this.tree = tree;
    }

    /**
     * A new empty sorted set for about {@code sizeHint} members of about {@code valLenHint}
     * bytes (Redis zsetTypeCreate): a listpack unless the hints exceed the thresholds.
     */
    public static ZSetValue create(long sizeHint, long valLenHint, long maxEntries, long maxValue) {
        if (sizeHint <= maxEntries && valLenHint <= maxValue) {
            return new ZSetValue(new Listpack());
        }
        return new ZSetValue(new KeyTable((int) Math.min(sizeHint, 1 << 29)), new ZSetTree());
    }

    /**
     * A sorted set of the first {@code n} member/score pairs, given in any order (RDB loading),
     * in the listpack or skiplist encoding as asked. Returns null when a member occurs twice
     * (a corrupt payload). Scores must not be NaN. The member arrays are copied.
     */
    public static ZSetValue fromPairs(byte[][] members, double[] scores, int n, boolean listpack) {
        KeyTable d = new KeyTable(n);
        byte[][] entries = new byte[n][];
        for (int i = 0; i < n; i++) {
            byte[] m = members[i];
            byte[] e = newEntry(m, 0, m.length, scores[i]);
            if (d.put(e) != null) {
                return null;
            }
            entries[i] = e;
        }
        Arrays.sort(entries, ZSetValue::compareEntries);
        if (listpack) {
            Listpack l = new Listpack();
            for (byte[] e : entries) {
                double s = entryScore(e);
                if (s == 0) {
                    s = 0.0; // as lpInsert stores it
                }
                l.append(e, Entries.keyOffset(e), Entries.keyLength(e));
                int mp = l.last();
                l.append(ZERO8, 0, 8);
                DOUBLE_LE.set(l.array(), l.dataOffset(l.next(mp)), s);
            }
            l.trim();
            return new ZSetValue(l);
        }
        double[] sorted = new double[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = entryScore(entries[i]);
        }
        return new ZSetValue(d, ZSetTree.build(sorted, entries, n));
    }

    /** An empty skiplist-encoded set (the accumulator of union/inter/diff results). */
    public static ZSetValue createSkiplist() {
        return new ZSetValue(new KeyTable(), new ZSetTree());
    }

    public boolean isListpack() {
        return lp != null;
    }

    @Override
    public int size() {
        return lp != null ? lp.size() / 2 : tree.size();
    }

    @Override
    public String type() {
        return "zset";
    }

    @Override
    public String encoding() {
        return lp != null ? "listpack" : "skiplist";
    }

    // ---- entries of the skiplist encoding ------------------------------------------------------

    private static byte[] newEntry(byte[] m, int off, int len, double score) {
        byte[] e = Entries.newString(m, off, len, ZERO8, 0, 8, Entries.ENC_RAW, -1, 0);
        DOUBLE_LE.set(e, e.length - 8, score);
        return e;
    }

    private static double entryScore(byte[] e) {
        return (double) DOUBLE_LE.get(e, e.length - 8);
    }

    private static void setEntryScore(byte[] e, double score) {
        DOUBLE_LE.set(e, e.length - 8, score);
    }

    // ---- listpack helpers ------------------------------------------------------------------------

    private double lpScore(int memberPos) {
        int sp = lp.next(memberPos);
        return (double) DOUBLE_LE.get(lp.array(), lp.dataOffset(sp));
    }

    private int lpNextPair(int memberPos) {
        int sp = lp.next(memberPos);
        return lp.next(sp);
    }

    private int lpPrevPair(int memberPos) {
        int sp = lp.prev(memberPos);
        return sp < 0 ? -1 : lp.prev(sp);
    }

    private int lpCompare(int memberPos, byte[] m, int off, int len) {
        int d = lp.dataOffset(memberPos);
        return Arrays.compareUnsigned(lp.array(), d, d + lp.dataLength(memberPos), m, off, off + len);
    }

    private int lpFind(byte[] m, int off, int len) {
        int first = lp.first();
        return first < 0 ? -1 : lp.find(first, m, off, len, 1);
    }

    /** Inserts a pair at its sorted place (Redis zzlInsert); the member must be absent. */
    private void lpInsert(byte[] m, int off, int len, double score) {
        // Integral scores are stored as integers in Redis's listpack: -0 reads back as 0.
        if (score == 0) {
            score = 0.0;
        }
        int p = lp.first();
        while (p >= 0) {
            double s = lpScore(p);
            if (s > score || (s == score && lpCompare(p, m, off, len) > 0)) {
                break;
            }
            p = lpNextPair(p);
        }
        int mp = lp.insertBefore(p, m, off, len);
        int sp = lp.insertAfter(mp, ZERO8, 0, 8);
        DOUBLE_LE.set(lp.array(), lp.dataOffset(sp), score);
    }

    private void visitPair(int p, Visitor v) {
        v.visit(lp.array(), lp.dataOffset(p), lp.dataLength(p), lpScore(p));
    }

    // ---- conversions ----------------------------------------------------------------------------

    /** Redis zsetTypeMaybeConvert: a listpack about to receive more than the limit converts. */
    public void maybeConvert(long sizeHint, long maxEntries) {
        if (lp != null && sizeHint > maxEntries) {
            toSkiplist(sizeHint);
        }
    }

    private void toSkiplist(long capacity) {
        int n = size();
        KeyTable d = new KeyTable((int) Math.min(Math.max(capacity, n), 1 << 29));
        double[] scores = new double[n];
        byte[][] entries = new byte[n][];
        int i = 0;
        for (int p = lp.first(); p >= 0; p = lpNextPair(p)) {
            double s = lpScore(p);
            byte[] e = newEntry(lp.array(), lp.dataOffset(p), lp.dataLength(p), s);
            d.put(e);
            scores[i] = s;
            entries[i++] = e;
        }
        dict = d;
        tree = ZSetTree.build(scores, entries, n);
        lp = null;
    }

    private void toListpack() {
        Listpack l = new Listpack();
        for (ZSetTree.Leaf leaf = tree.head(); leaf != null; leaf = leaf.next) {
            for (int i = 0; i < leaf.n; i++) {
                byte[] e = leaf.entries[i];
                double s = leaf.scores[i];
                if (s == 0) {
                    s = 0.0;
                }
                l.append(e, Entries.keyOffset(e), Entries.keyLength(e));
                int sp = l.last();
                l.append(ZERO8, 0, 8);
                DOUBLE_LE.set(l.array(), l.dataOffset(l.next(sp)), s);
            }
        }
        lp = l;
        dict = null;
        tree = null;
    }

    /**
     * Redis zsetConvertToListpackIfNeeded: a skiplist-encoded result of a set operation becomes
     * a listpack when it is within the thresholds.
     */
    public void convertToListpackIfNeeded(long maxEleLen, long totEleLen, long maxEntries, long maxValue) {
        if (lp != null) {
            return;
        }
        if (tree.size() <= maxEntries && maxEleLen <= maxValue && totEleLen <= LISTPACK_SAFETY) {
            toListpack();
        }
    }

    // ---- point operations -----------------------------------------------------------------------

    /** The score of a member, or NaN when absent (Redis zsetScore). */
    @Override
    public double scoreOf(byte[] m, int off, int len) {
        if (lp != null) {
            int p = lpFind(m, off, len);
            return p < 0 ? Double.NaN : lpScore(p);
        }
        Object e = dict.get(m, off, len, KeyTable.hash(m, off, len));
        return e == null ? Double.NaN : entryScore((byte[]) e);
    }

    /**
     * Redis zsetAdd without INCR (callers add the increment themselves): adds the member or
     * updates its score, following NX/XX/GT/LT. Returns {@link #ADDED}, {@link #UPDATED},
     * {@link #NOP} (skipped because of a flag) or 0 (present with that score already). May
     * convert a listpack to a skiplist, as Redis does, when a new member breaks a threshold.
     */
    public int add(byte[] m, int off, int len, double score, int flags, long maxEntries, long maxValue) {
        boolean nx = (flags & NX) != 0;
        boolean xx = (flags & XX) != 0;
        boolean gt = (flags & GT) != 0;
        boolean lt = (flags & LT) != 0;
        if (lp != null) {
            int p = lpFind(m, off, len);
            if (p >= 0) {
                if (nx) {
                    return NOP;
                }
                double cur = lpScore(p);
                if ((lt && score >= cur) || (gt && score <= cur)) {
                    return NOP;
                }
                if (score != cur) {
                    lp.deleteRange(p, 2);
                    lpInsert(m, off, len, score);
                    return UPDATED;
                }
                return 0;
            }
            if (xx) {
                return NOP;
            }
            if (size() + 1 > maxEntries || len > maxValue || lp.bytes() + (long) len > LISTPACK_SAFETY) {
                toSkiplist(size() + 1L);
            } else {
                lpInsert(m, off, len, score);
                return ADDED;
            }
        }
        int h = KeyTable.hash(m, off, len);
        Object found = dict.get(m, off, len, h);
        if (found != null) {
            if (nx) {
                return NOP;
            }
            byte[] e = (byte[]) found;
            double cur = entryScore(e);
            if ((lt && score >= cur) || (gt && score <= cur)) {
                return NOP;
            }
            if (score != cur) {
                tree.delete(cur, m, off, len);
                setEntryScore(e, score);
                tree.insert(score, e);
                return UPDATED;
            }
            return 0;
        }
        if (xx) {
            return NOP;
        }
        byte[] e = newEntry(m, off, len, score);
        dict.put(e, h);
        tree.insert(score, e);
        return ADDED;
    }

    /** Removes a member; returns whether it was there (Redis zsetDel). */
    public boolean remove(byte[] m, int off, int len) {
        if (lp != null) {
            int p = lpFind(m, off, len);
            if (p < 0) {
                return false;
            }
            lp.deleteRange(p, 2);
            return true;
        }
        Object e = dict.remove(m, off, len, KeyTable.hash(m, off, len));
        if (e == null) {
            return false;
        }
        tree.delete(entryScore((byte[]) e), m, off, len);
        return true;
    }

    /** 0-based rank of a member (from the highest score when {@code reverse}), or -1. */
    public long rank(byte[] m, int off, int len, boolean reverse) {
        int n = size();
        long r;
        if (lp != null) {
            r = -1;
            int i = 0;
            for (int p = lp.first(); p >= 0; p = lpNextPair(p), i++) {
                if (lp.equalsAt(p, m, off, len)) {
                    r = i;
                    break;
                }
            }
            if (r < 0) {
                return -1;
            }
        } else {
            Object e = dict.get(m, off, len, KeyTable.hash(m, off, len));
            if (e == null) {
                return -1;
            }
            r = tree.rank(entryScore((byte[]) e), m, off, len);
        }
        return reverse ? n - 1 - r : r;
    }

    // ---- positional access ------------------------------------------------------------------------

    /**
     * Visits the elements of ranks {@code from..to} (inclusive, {@code 0 <= from <= to < size}),
     * in order, or from {@code to} down to {@code from} when {@code reverse}.
     */
    public void visitRanks(long from, long to, boolean reverse, Visitor v) {
        long count = to - from + 1;
        if (lp != null) {
            int p = lp.seek(2 * (reverse ? to : from));
            for (long k = 0; k < count; k++) {
                visitPair(p, v);
                p = reverse ? lpPrevPair(p) : lpNextPair(p);
            }
            return;
        }
        ZSetTree.Cursor c = new ZSetTree.Cursor();
        tree.seek(reverse ? to : from, c);
        for (long k = 0; k < count; k++) {
            byte[] e = c.entry();
            v.visit(e, Entries.keyOffset(e), Entries.keyLength(e), c.score());
            if (reverse) {
                c.prev();
            } else {
                c.next();
            }
        }
    }

    /** Visits the element of rank {@code r} ({@code 0 <= r < size}). */
    public void visitAt(long r, Visitor v) {
        visitRanks(r, r, false, v);
    }

    /** Visits every element, from the highest score down (Redis's zui iteration order). */
    @Override
    public void forEachScored(Visitor v) {
        int n = size();
        if (n > 0) {
            visitRanks(0, n - 1, true, v);
        }
    }

    /** Visits a random element (uniform); the set must not be empty. */
    public void visitRandom(RandomGenerator rnd, Visitor v) {
        if (lp != null) {
            visitPair(lp.seek(2L * rnd.nextInt(size())), v);
            return;
        }
        byte[] e = (byte[]) dict.randomEntry(rnd);
        v.visit(e, Entries.keyOffset(e), Entries.keyLength(e), entryScore(e));
    }

    /**
     * Listpack only: visits {@code count} distinct random elements ({@code count < size}) in
     * set order (Redis lpRandomPairsUnique: selection sampling in one pass).
     */
    public void visitSampleInOrder(long count, RandomGenerator rnd, Visitor v) {
        long left = size();
        long need = count;
        for (int p = lp.first(); p >= 0 && need > 0; p = lpNextPair(p), left--) {
            if (rnd.nextLong(left) < need) {
                visitPair(p, v);
                need--;
            }
        }
    }

    /** Pops the lowest (or highest, {@code max}) element, visiting it first; the set must not be empty. */
    public void pop(boolean max, Visitor v) {
        int n = size();
        if (lp != null) {
            int p = max ? lp.seek(-2) : lp.first();
            visitPair(p, v);
            lp.deleteRange(p, 2);
            return;
        }
        ZSetTree.Leaf leaf = max ? tree.tail() : tree.head();
        int idx = max ? leaf.n - 1 : 0;
        byte[] e = leaf.entries[idx];
        int mo = Entries.keyOffset(e);
        int ml = Entries.keyLength(e);
        v.visit(e, mo, ml, leaf.scores[idx]);
        tree.deleteAt(max ? n - 1 : 0);
        dict.remove(e, mo, ml, KeyTable.hash(e, mo, ml));
    }

    // ---- ranges -----------------------------------------------------------------------------------

    /**
     * The ranks {@code [lo, hi)} of the elements in a score range, packed as
     * {@code (lo << 32) | hi} (empty when hi <= lo).
     */
    private long scoreSpan(ZRange.Score r) {
        if (lp != null) {
            int lo = 0;
            int hi = 0;
            for (int p = lp.first(); p >= 0; p = lpNextPair(p)) {
                double s = lpScore(p);
                if (!r.aboveMin(s)) {
                    lo++;
                }
                if (r.belowMax(s)) {
                    hi++;
                }
            }
            return ((long) lo << 32) | hi;
        }
        int lo = tree.countBelow(r.minEx ? ZSetTree.SCORE_LE : ZSetTree.SCORE_LT, r.min, 0, null, 0, 0);
        int hi = tree.countBelow(r.maxEx ? ZSetTree.SCORE_LT : ZSetTree.SCORE_LE, r.max, 0, null, 0, 0);
        return ((long) lo << 32) | hi;
    }

    /**
     * The ranks of the elements in a lex range, as {@link #scoreSpan}. Members are assumed to
     * share one score (what lex commands are for). For a listpack the span is the one Redis's
     * linear scan finds even when scores differ: in the direction of the scan ({@code reverse}
     * scans from the end), from the first element inside the start bound while elements stay
     * inside the other bound.
     */
    private long lexSpan(ZRange.Lex r, boolean reverse) {
        if (lp != null) {
            int n = size();
            if (n == 0 || r.emptyByBounds()) {
                return 0;
            }
            int last = lp.seek(-2);
            int first = lp.first();
            if (!lexAboveMin(last, r) || !lexBelowMax(first, r)) {
                return 0;
            }
            if (!reverse) {
                int i = 0;
                int p = first;
                while (p >= 0 && !lexAboveMin(p, r)) {
                    p = lpNextPair(p);
                    i++;
                }
                if (p < 0 || !lexBelowMax(p, r)) {
                    return 0;
                }
                int lo = i;
                while (p >= 0 && lexBelowMax(p, r)) {
                    p = lpNextPair(p);
                    i++;
                }
                return ((long) lo << 32) | i;
            }
            int i = n - 1;
            int p = last;
            while (p >= 0 && !lexBelowMax(p, r)) {
                p = lpPrevPair(p);
                i--;
            }
            if (p < 0 || !lexAboveMin(p, r)) {
                return 0;
            }
            int hi = i + 1;
            while (p >= 0 && lexAboveMin(p, r)) {
                p = lpPrevPair(p);
                i--;
            }
            return ((long) (i + 1) << 32) | hi;
        }
        int lo = tree.countBelow(r.minEx ? ZSetTree.LEX_LE : ZSetTree.LEX_LT, 0, r.minKind, r.minBuf, r.minOff,
                r.minLen);
        int hi = tree.countBelow(r.maxEx ? ZSetTree.LEX_LT : ZSetTree.LEX_LE, 0, r.maxKind, r.maxBuf, r.maxOff,
                r.maxLen);
        return ((long) lo << 32) | hi;
    }

    private boolean lexAboveMin(int p, ZRange.Lex r) {
        return r.aboveMin(lp.array(), lp.dataOffset(p), lp.dataLength(p));
    }

    private boolean lexBelowMax(int p, ZRange.Lex r) {
        return r.belowMax(lp.array(), lp.dataOffset(p), lp.dataLength(p));
    }

    private static long spanLength(long span) {
        long n = (span & 0xFFFFFFFFL) - (span >>> 32);
        return Math.max(n, 0);
    }

    /** Number of elements in a score range (ZCOUNT). */
    public long countScore(ZRange.Score r) {
        return spanLength(scoreSpan(r));
    }

    /** Number of elements in a lex range (ZLEXCOUNT). */
    public long countLex(ZRange.Lex r) {
        return spanLength(lexSpan(r, false));
    }

    /**
     * Visits the elements of a score range, in order or reversed, skipping {@code offset}
     * elements (a negative offset skips everything, as Redis's loop does) and visiting at most
     * {@code limit} (negative: no limit). Returns the number visited.
     */
    public long visitScore(ZRange.Score r, boolean reverse, long offset, long limit, Visitor v) {
        return visitSpan(scoreSpan(r), reverse, offset, limit, v);
    }

    /** {@link #visitScore} for a lex range. */
    public long visitLex(ZRange.Lex r, boolean reverse, long offset, long limit, Visitor v) {
        return visitSpan(lexSpan(r, reverse), reverse, offset, limit, v);
    }

    /**
     * How many elements {@link #visitScore} would visit with these arguments (lets a reply
     * announce its length before the elements).
     */
    public long countScoreWindow(ZRange.Score r, long offset, long limit) {
        return window(scoreSpan(r), offset, limit);
    }

    /** How many elements {@link #visitLex} would visit. */
    public long countLexWindow(ZRange.Lex r, boolean reverse, long offset, long limit) {
        return window(lexSpan(r, reverse), offset, limit);
    }

    private static long window(long span, long offset, long limit) {
        long lo = span >>> 32;
        long hi = span & 0xFFFFFFFFL;
        if (hi <= lo || offset < 0 || limit == 0) {
            return 0;
        }
        long avail = hi - lo - offset;
        if (avail <= 0) {
            return 0;
        }
        return limit < 0 ? avail : Math.min(avail, limit);
    }

    private long visitSpan(long span, boolean reverse, long offset, long limit, Visitor v) {
        long lo = span >>> 32;
        long hi = span & 0xFFFFFFFFL;
        long n = window(span, offset, limit);
        if (n == 0) {
            return 0;
        }
        if (reverse) {
            long top = hi - 1 - offset;
            visitRanks(top - n + 1, top, true, v);
        } else {
            long start = lo + offset;
            visitRanks(start, start + n - 1, false, v);
        }
        return n;
    }

    /** Removes the elements of ranks {@code from..to} (inclusive, within bounds); returns how many. */
    public long removeRanks(long from, long to) {
        long n = to - from + 1;
        if (n <= 0) {
            return 0;
        }
        if (lp != null) {
            lp.deleteRange(lp.seek(2 * from), (int) (2 * n));
            return n;
        }
        int at = (int) from;
        for (long k = 0; k < n; k++) {
            byte[] e = tree.deleteAt(at);
            int mo = Entries.keyOffset(e);
            int ml = Entries.keyLength(e);
            dict.remove(e, mo, ml, KeyTable.hash(e, mo, ml));
        }
        return n;
    }

    /** ZREMRANGEBYSCORE: removes the elements of a score range; returns how many. */
    public long removeScore(ZRange.Score r) {
        long span = scoreSpan(r);
        return removeRanks(span >>> 32, (span & 0xFFFFFFFFL) - 1);
    }

    /** ZREMRANGEBYLEX. */
    public long removeLex(ZRange.Lex r) {
        long span = lexSpan(r, false);
        return removeRanks(span >>> 32, (span & 0xFFFFFFFFL) - 1);
    }

    // ---- scan -------------------------------------------------------------------------------------

    /**
     * One ZSCAN step over a skiplist-encoded set (see {@link KeyTable#scan}): visits the members
     * of one table bucket and returns the next cursor. A listpack has no cursor: every element
     * is visited and 0 returned.
     */
    public long scan(long cursor, Visitor v) {
        if (lp != null) {
            for (int p = lp.first(); p >= 0; p = lpNextPair(p)) {
                visitPair(p, v);
            }
            return 0;
        }
        return dict.scan(cursor, e -> {
            byte[] b = (byte[]) e;
            v.visit(b, Entries.keyOffset(b), Entries.keyLength(b), entryScore(b));
        });
    }

    // ---- building results ---------------------------------------------------------------------------

    /**
     * Accumulator support for set operations on a skiplist-encoded set under construction:
     * the entry of a member, or null. The score of an entry is read and changed with
     * {@link #accumulatedScore} / {@link #accumulate}; {@link #finishAccumulation} then orders
     * the members. Between those calls the order (tree) is not maintained.
     */
    public byte[] accumulatorFind(byte[] m, int off, int len) {
        return (byte[]) dict.get(m, off, len, KeyTable.hash(m, off, len));
    }

    /** Members accumulated so far. */
    public int accumulatorSize() {
        return dict.size();
    }

    /** Adds a member absent from the accumulator. */
    public void accumulatorAdd(byte[] m, int off, int len, double score) {
        dict.put(newEntry(m, off, len, score));
    }

    /** Removes a member from the accumulator; returns whether it was there. */
    public boolean accumulatorRemove(byte[] m, int off, int len) {
        return dict.remove(m, off, len, KeyTable.hash(m, off, len)) != null;
    }

    public static double accumulatedScore(byte[] entry) {
        return entryScore(entry);
    }

    public static void accumulate(byte[] entry, double score) {
        setEntryScore(entry, score);
    }

    /** Orders the accumulated members (builds the tree from the table). */
    public void finishAccumulation() {
        int n = dict.size();
        byte[][] entries = new byte[n][];
        int[] k = new int[1];
        dict.forEach(e -> entries[k[0]++] = (byte[]) e);
        Arrays.sort(entries, ZSetValue::compareEntries);
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            scores[i] = entryScore(entries[i]);
        }
        tree = ZSetTree.build(scores, entries, n);
    }

    private static int compareEntries(byte[] a, byte[] b) {
        double sa = entryScore(a);
        double sb = entryScore(b);
        if (sa < sb) {
            return -1;
        }
        if (sa > sb) {
            return 1;
        }
        int ao = Entries.keyOffset(a);
        int bo = Entries.keyOffset(b);
        return Arrays.compareUnsigned(a, ao, ao + Entries.keyLength(a), b, bo, bo + Entries.keyLength(b));
    }

    /** Length of the longest member and the total of member lengths: {maxLen, totalLen}. */
    public long[] memberLengths() {
        long max = 0;
        long total = 0;
        if (lp != null) {
            for (int p = lp.first(); p >= 0; p = lpNextPair(p)) {
                int l = lp.dataLength(p);
                max = Math.max(max, l);
                total += l;
            }
        } else {
            for (ZSetTree.Leaf leaf = tree.head(); leaf != null; leaf = leaf.next) {
                for (int i = 0; i < leaf.n; i++) {
                    int l = Entries.keyLength(leaf.entries[i]);
                    max = Math.max(max, l);
                    total += l;
                }
            }
        }
        return new long[] {max, total};
    }

    // ---- copy, digest, memory -------------------------------------------------------------------------

    /** A deep copy with the same encoding (COPY). */
    @Override
    public RedisValue copy() {
        if (lp != null) {
            return new ZSetValue(lp.copy());
        }
        int n = tree.size();
        KeyTable d = new KeyTable(n);
        double[] scores = new double[n];
        byte[][] entries = new byte[n][];
        int i = 0;
        for (ZSetTree.Leaf leaf = tree.head(); leaf != null; leaf = leaf.next) {
            for (int j = 0; j < leaf.n; j++) {
                byte[] e = leaf.entries[j].clone();
                d.put(e);
                scores[i] = leaf.scores[j];
                entries[i++] = e;
            }
        }
        return new ZSetValue(d, ZSetTree.build(scores, entries, n));
    }

    /** Redis's digest of a sorted set: each member and its score (fpconv text) as one element. */
    @Override
    public void digest(ValueDigest d) {
        byte[] num = new byte[Doubles.MAX_CHARS];
        if (lp != null) {
            for (int p = lp.first(); p >= 0; p = lpNextPair(p)) {
                int n = Doubles.fpconv(lpScore(p), num, 0);
                d.xorPair(lp.array(), lp.dataOffset(p), lp.dataLength(p), num, 0, n);
            }
            return;
        }
        dict.forEach(o -> {
            byte[] e = (byte[]) o;
            int n = Doubles.fpconv(entryScore(e), num, 0);
            d.xorPair(e, Entries.keyOffset(e), Entries.keyLength(e), num, 0, n);
        });
    }

    /** Approximate heap bytes of the value (object, listpack or table + tree + entries). */
    public long memoryEstimate() {
        if (lp != null) {
            return 24 + lp.footprint();
        }
        return 24 + dict.footprint() + tree.memoryEstimate();
    }

    /** O(1): the table and the tree keep their sizes current. */
    @Override
    public long memoryUsage(long samples) {
        return memoryEstimate();
    }

    /** Structural self-check for tests: tree invariants and table/tree agreement. */
    void check() {
        if (lp != null) {
            if (lp.size() % 2 != 0) {
                throw new AssertionError("odd listpack");
            }
            double ps = Double.NEGATIVE_INFINITY;
            int prev = -1;
            for (int p = lp.first(); p >= 0; p = lpNextPair(p)) {
                double s = lpScore(p);
                if (prev >= 0 && (s < ps || (s == ps && lpCompare(p, lp.array(), lp.dataOffset(prev),
                        lp.dataLength(prev)) <= 0))) {
                    throw new AssertionError("listpack out of order");
                }
                ps = s;
                prev = p;
            }
            return;
        }
        tree.check();
        if (dict.size() != tree.size()) {
            throw new AssertionError("table " + dict.size() + " != tree " + tree.size());
        }
        for (ZSetTree.Leaf leaf = tree.head(); leaf != null; leaf = leaf.next) {
            for (int i = 0; i < leaf.n; i++) {
                byte[] e = leaf.entries[i];
                int mo = Entries.keyOffset(e);
                int ml = Entries.keyLength(e);
                if (dict.get(e, mo, ml, KeyTable.hash(e, mo, ml)) != e) {
                    throw new AssertionError("tree entry not in the table");
                }
                if (entryScore(e) != leaf.scores[i]
                        || Double.doubleToRawLongBits(entryScore(e)) != Double.doubleToRawLongBits(leaf.scores[i])) {
                    throw new AssertionError("score mismatch");
                }
            }
        }
    }
}
