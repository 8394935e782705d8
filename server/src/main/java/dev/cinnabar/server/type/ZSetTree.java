package dev.cinnabar.server.type;

import dev.cinnabar.ds.Entries;
import java.util.Arrays;

/**
 * The ordered half of a skiplist-encoded sorted set: an order-statistic B+ tree of
 * (score, member) elements, ordered by score, then by member bytes (unsigned, shorter first),
 * exactly Redis's zset order. Scores compare with {@code <} and {@code ==} on doubles, as in
 * Redis, so -0.0 and 0.0 are equal scores.
 *
 * <h2>Why a B+ tree and not a skiplist</h2>
 * Every operation Redis's skiplist offers (insert, delete, rank of an element, element at a
 * rank, first/last element in a score or lex range, stepping both ways) is O(log n) here too,
 * but the memory is far smaller: a skiplist needs a node object per element (score, member
 * pointer, backward pointer and 1.33 levels of forward pointer + span on average: 40-60 bytes
 * in Java), while a leaf here stores an element as a member reference and a score in two
 * parallel arrays: 12 bytes per element when full, about 17 at the 70% average fill of random
 * inserts. The member itself is not copied: the leaf references the same packed entry
 * ({@code byte[]}, see {@link Entries}) that the member-to-score {@code KeyTable} holds, whose
 * key is the member. Leaves are contiguous arrays, so range scans and binary searches are
 * cache friendly, and the tree is shallow (3 levels for a million elements).
 *
 * <h2>Structure</h2>
 * Leaves hold up to {@value #LEAF_MAX} elements and are doubly linked for iteration. Inner
 * nodes hold up to {@value #INNER_MAX} children, each child's subtree size (for ranks), and
 * for every child but the first a separator key: a lower bound of that child's keys that is
 * above every key of the child before it. A separator need not be a current element (deleting
 * the element it came from keeps it a valid bound), so deletions never touch separators
 * except when nodes are rebalanced; separators keep their own copy of the score, because the
 * score inside a packed entry changes in place when a member's score is updated.
 *
 * <p>Inserts split full nodes; an append at the end of the last leaf (or a prepend before
 * the first) starts a new leaf instead of splitting in half, so data loaded in order fills
 * leaves completely. Deletes rebalance a node that drops below a quarter of its capacity with
 * a neighbour (merge when both fit in one node, otherwise even out).
 *
 * <p>Positions are given to callers as {@link Cursor}s; a cursor is invalid after any change
 * to the tree. Not thread-safe.
 */
final class ZSetTree {
    static final int LEAF_MAX = 64;
    static final int INNER_MAX = 64;
    private static final int LEAF_MIN = LEAF_MAX / 4;
    private static final int INNER_MIN = INNER_MAX / 4;

    abstract static sealed class Node permits Leaf, Inner {
        /** Elements (leaf) or children (inner). */
        int n;

        abstract int total();
    }

    static final class Leaf extends Node {
        final double[] scores = new double[LEAF_MAX];
        final byte[][] entries = new byte[LEAF_MAX][];
        Leaf prev;
        Leaf next;

        @Override
        int total() {
            return n;
        }
    }

    static final class Inner extends Node {
        final Node[] kids = new Node[INNER_MAX];
        final int[] counts = new int[INNER_MAX];
        final double[] sepScores = new double[INNER_MAX];
        final byte[][] sepEntries = new byte[INNER_MAX][];
        /** Elements in this subtree. */
        int size;

        @Override
        int total() {
            return size;
        }
    }

    /** A position in the tree: a leaf and an index in it (leaf null = no position). */
    static final class Cursor {
        Leaf leaf;
        int idx;

        boolean valid() {
            return leaf != null;
        }

        double score() {
            return leaf.scores[idx];
        }

        byte[] entry() {
            return leaf.entries[idx];
        }

        void next() {
            if (++idx >= leaf.n) {
                leaf = leaf.next;
                idx = 0;
            }
        }

        void prev() {
            if (--idx < 0) {
                leaf = leaf.prev;
                idx = leaf == null ? 0 : leaf.n - 1;
            }
        }
    }

    private Node root = new Leaf();
    private int size;
    /** Nodes of each kind, so that {@link #memoryEstimate} is O(1). */
    private int leaves = 1;
    private int inners;
    private Leaf head;
    private Leaf tail;

    /** Separator produced by the last split, travelling up to the parent. */
    private double upScore;
    private byte[] upEntry;

    ZSetTree() {
        head = tail = (Leaf) root;
    }

    int size() {
        return size;
    }

    // ---- key comparison --------------------------------------------------------------------------

    static int memberOffset(byte[] entry) {
        return Entries.keyOffset(entry);
    }

    static int memberLength(byte[] entry) {
        return Entries.keyLength(entry);
    }

    /** Compares the member of a packed entry with {@code m[off, off+len)}. */
    static int compareMember(byte[] entry, byte[] m, int off, int len) {
        int eo = Entries.keyOffset(entry);
        return Arrays.compareUnsigned(entry, eo, eo + Entries.keyLength(entry), m, off, off + len);
    }

    /** Key (s1, entry) against key (s2, m): Redis's zset order. */
    private static int compareKey(double s1, byte[] entry, double s2, byte[] m, int off, int len) {
        if (s1 < s2) {
            return -1;
        }
        if (s1 > s2) {
            return 1;
        }
        return compareMember(entry, m, off, len);
    }

    // ---- predicates for counting ------------------------------------------------------------------

    /** Predicate kinds for {@link #countBelow}: each is true on a prefix of the order. */
    static final int SCORE_LT = 0;
    static final int SCORE_LE = 1;
    static final int LEX_LT = 2;
    static final int LEX_LE = 3;
    static final int KEY_LT = 4;

    /** Lex bound kinds: the smallest and largest possible strings ("-" and "+"). */
    static final int LEX_MIN = -1;
    static final int LEX_VALUE = 0;
    static final int LEX_MAX = 1;

    /** Compares a member with a lex bound of the given kind. */
    static int compareLex(byte[] entry, int kind, byte[] b, int off, int len) {
        if (kind == LEX_MIN) {
            return 1;
        }
        if (kind == LEX_MAX) {
            return -1;
        }
        return compareMember(entry, b, off, len);
    }

    private static boolean test(int mode, double s, byte[] entry, double x, int kind, byte[] b, int off, int len) {
        return switch (mode) {
            case SCORE_LT -> s < x;
            case SCORE_LE -> s <= x;
            case LEX_LT -> compareLex(entry, kind, b, off, len) < 0;
            case LEX_LE -> compareLex(entry, kind, b, off, len) <= 0;
            default -> compareKey(s, entry, x, b, off, len) < 0;
        };
    }

    /**
     * Number of elements for which the predicate holds; the predicate must hold on a prefix of
     * the order (true for all elements before any element where it holds). {@code kind} is
     * used by the LEX modes; {@code x} by the SCORE and KEY modes, {@code b} by LEX and KEY.
     */
    int countBelow(int mode, double x, int kind, byte[] b, int off, int len) {
        Node node = root;
        int count = 0;
        while (node instanceof Inner in) {
            // The last child whose separator satisfies the predicate: every child before it
            // lies entirely below that separator, so satisfies it too.
            int lo = 1;
            int hi = in.n - 1;
            int pick = 0;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (test(mode, in.sepScores[mid], in.sepEntries[mid], x, kind, b, off, len)) {
                    pick = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            for (int i = 0; i < pick; i++) {
                count += in.counts[i];
            }
            node = in.kids[pick];
        }
        Leaf leaf = (Leaf) node;
        int lo = 0;
        int hi = leaf.n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (test(mode, leaf.scores[mid], leaf.entries[mid], x, kind, b, off, len)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return count + lo;
    }

    /** 0-based rank of the element (score, member), which must be present. */
    int rank(double score, byte[] m, int off, int len) {
        return countBelow(KEY_LT, score, LEX_VALUE, m, off, len);
    }

    /** Positions {@code c} on the element of 0-based rank {@code r} (invalid when out of range). */
    void seek(long r, Cursor c) {
        if (r < 0 || r >= size) {
            c.leaf = null;
            return;
        }
        if (r == 0) {
            c.leaf = head;
            c.idx = 0;
            return;
        }
        if (r == size - 1) {
            c.leaf = tail;
            c.idx = tail.n - 1;
            return;
        }
        int rank = (int) r;
        Node node = root;
        while (node instanceof Inner in) {
            int i = 0;
            while (rank >= in.counts[i]) {
                rank -= in.counts[i];
                i++;
            }
            node = in.kids[i];
        }
        c.leaf = (Leaf) node;
        c.idx = rank;
    }

    Leaf head() {
        return size == 0 ? null : head;
    }

    Leaf tail() {
        return size == 0 ? null : tail;
    }

    // ---- insertion ------------------------------------------------------------------------------

    /** Inserts an element whose key is not present. */
    void insert(double score, byte[] entry) {
        int mo = Entries.keyOffset(entry);
        int ml = Entries.keyLength(entry);
        Node right = insertInto(root, score, entry, mo, ml);
        if (right != null) {
            Inner r = new Inner();
            r.kids[0] = root;
            r.kids[1] = right;
            r.counts[0] = root.total();
            r.counts[1] = right.total();
            r.sepScores[1] = upScore;
            r.sepEntries[1] = upEntry;
            r.n = 2;
            r.size = size + 1;
            root = r;
            inners++;
        }
        upEntry = null;
        size++;
    }

    /** Index of the child of {@code in} whose range holds the key. */
    private static int childFor(Inner in, double score, byte[] m, int off, int len) {
        int lo = 1;
        int hi = in.n - 1;
        int pick = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (compareKey(in.sepScores[mid], in.sepEntries[mid], score, m, off, len) <= 0) {
                pick = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return pick;
    }

    /** First index in the leaf whose key is >= the given key. */
    private static int leafSearch(Leaf leaf, double score, byte[] m, int off, int len) {
        int lo = 0;
        int hi = leaf.n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compareKey(leaf.scores[mid], leaf.entries[mid], score, m, off, len) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Inserts below {@code node}; returns a new right sibling if the node split (separator in up*). */
    private Node insertInto(Node node, double score, byte[] entry, int mo, int ml) {
        if (node instanceof Leaf leaf) {
            int pos = leafSearch(leaf, score, entry, mo, ml);
            if (leaf.n < LEAF_MAX) {
                leafInsertAt(leaf, pos, score, entry);
                return null;
            }
            boolean append = pos == leaf.n && leaf.next == null;
            boolean prepend = pos == 0 && leaf.prev == null;
            Leaf right = new Leaf();
            leaves++;
            linkAfter(leaf, right);
            if (append) {
                // Appending at the very end: start a fresh leaf, keep this one full.
                leafInsertAt(right, 0, score, entry);
            } else if (prepend) {
                // Prepending at the very start: everything moves right, the new key stays.
                moveLeaf(leaf, 0, right, 0, leaf.n);
                leafInsertAt(leaf, 0, score, entry);
            } else {
                int half = LEAF_MAX / 2;
                moveLeaf(leaf, half, right, 0, LEAF_MAX - half);
                if (pos <= half) {
                    leafInsertAt(leaf, pos, score, entry);
                } else {
                    leafInsertAt(right, pos - half, score, entry);
                }
            }
            upScore = right.scores[0];
            upEntry = right.entries[0];
            return right;
        }
        Inner in = (Inner) node;
        int i = childFor(in, score, entry, mo, ml);
        in.counts[i]++;
        in.size++;
        Node split = insertInto(in.kids[i], score, entry, mo, ml);
        if (split == null) {
            return null;
        }
        int moved = split.total();
        in.counts[i] -= moved;
        if (in.n < INNER_MAX) {
            innerInsertAt(in, i + 1, split, moved, upScore, upEntry);
            return null;
        }
        // Split this inner node; the child goes in whichever half holds position i + 1.
        Inner right = new Inner();
        inners++;
        int half = INNER_MAX / 2;
        double sepS = upScore;
        byte[] sepE = upEntry;
        moveInner(in, half, right, 0, INNER_MAX - half);
        // The separator of the right node's first child becomes the one moving up.
        double outS = right.sepScores[0];
        byte[] outE = right.sepEntries[0];
        right.sepEntries[0] = null;
        if (i + 1 <= half) {
            // (At i + 1 == half the new child ends the left half; the separator moving up is
            // still that of the right node's first child, above every key of the new child.)
            innerInsertAt(in, i + 1, split, moved, sepS, sepE);
        } else {
            innerInsertAt(right, i + 1 - half, split, moved, sepS, sepE);
            // Its elements were counted in this node's size on the way down.
            in.size -= moved;
            right.size += moved;
        }
        upScore = outS;
        upEntry = outE;
        return right;
    }

    private static void leafInsertAt(Leaf leaf, int pos, double score, byte[] entry) {
        int tailLen = leaf.n - pos;
        System.arraycopy(leaf.scores, pos, leaf.scores, pos + 1, tailLen);
        System.arraycopy(leaf.entries, pos, leaf.entries, pos + 1, tailLen);
        leaf.scores[pos] = score;
        leaf.entries[pos] = entry;
        leaf.n++;
    }

    private void linkAfter(Leaf leaf, Leaf right) {
        right.prev = leaf;
        right.next = leaf.next;
        if (leaf.next != null) {
            leaf.next.prev = right;
        } else {
            tail = right;
        }
        leaf.next = right;
    }

    /** Moves {@code len} elements from src[from] to the (empty tail of) dst at dst[at]. */
    private static void moveLeaf(Leaf src, int from, Leaf dst, int at, int len) {
        System.arraycopy(dst.scores, at, dst.scores, at + len, dst.n - at);
        System.arraycopy(dst.entries, at, dst.entries, at + len, dst.n - at);
        System.arraycopy(src.scores, from, dst.scores, at, len);
        System.arraycopy(src.entries, from, dst.entries, at, len);
        System.arraycopy(src.scores, from + len, src.scores, from, src.n - from - len);
        System.arraycopy(src.entries, from + len, src.entries, from, src.n - from - len);
        Arrays.fill(src.entries, src.n - len, src.n, null);
        src.n -= len;
        dst.n += len;
    }

    private static void innerInsertAt(Inner in, int pos, Node kid, int count, double sepS, byte[] sepE) {
        int tailLen = in.n - pos;
        System.arraycopy(in.kids, pos, in.kids, pos + 1, tailLen);
        System.arraycopy(in.counts, pos, in.counts, pos + 1, tailLen);
        System.arraycopy(in.sepScores, pos, in.sepScores, pos + 1, tailLen);
        System.arraycopy(in.sepEntries, pos, in.sepEntries, pos + 1, tailLen);
        in.kids[pos] = kid;
        in.counts[pos] = count;
        in.sepScores[pos] = sepS;
        in.sepEntries[pos] = sepE;
        in.n++;
    }

    /**
     * Moves children src[from, from+len) to dst at {@code at}, with their counts and separators
     * (the separator of the child landing at dst[0] is kept in dst's slot 0: callers take it
     * out or overwrite it), updating both subtree sizes.
     */
    private static void moveInner(Inner src, int from, Inner dst, int at, int len) {
        int moved = 0;
        for (int i = from; i < from + len; i++) {
            moved += src.counts[i];
        }
        System.arraycopy(dst.kids, at, dst.kids, at + len, dst.n - at);
        System.arraycopy(dst.counts, at, dst.counts, at + len, dst.n - at);
        System.arraycopy(dst.sepScores, at, dst.sepScores, at + len, dst.n - at);
        System.arraycopy(dst.sepEntries, at, dst.sepEntries, at + len, dst.n - at);
        System.arraycopy(src.kids, from, dst.kids, at, len);
        System.arraycopy(src.counts, from, dst.counts, at, len);
        System.arraycopy(src.sepScores, from, dst.sepScores, at, len);
        System.arraycopy(src.sepEntries, from, dst.sepEntries, at, len);
        int rest = src.n - from - len;
        System.arraycopy(src.kids, from + len, src.kids, from, rest);
        System.arraycopy(src.counts, from + len, src.counts, from, rest);
        System.arraycopy(src.sepScores, from + len, src.sepScores, from, rest);
        System.arraycopy(src.sepEntries, from + len, src.sepEntries, from, rest);
        Arrays.fill(src.kids, src.n - len, src.n, null);
        Arrays.fill(src.sepEntries, src.n - len, src.n, null);
        src.n -= len;
        dst.n += len;
        src.size -= moved;
        dst.size += moved;
    }

    // ---- deletion -------------------------------------------------------------------------------

    /** Removes the element (score, member); returns its entry, or null if absent. */
    byte[] delete(double score, byte[] m, int off, int len) {
        byte[] e = deleteFrom(root, score, m, off, len);
        if (e != null) {
            size--;
            if (root instanceof Inner in && in.n == 1) {
                root = in.kids[0];
                inners--;
            }
        }
        return e;
    }

    private byte[] deleteFrom(Node node, double score, byte[] m, int off, int len) {
        if (node instanceof Leaf leaf) {
            int pos = leafSearch(leaf, score, m, off, len);
            if (pos >= leaf.n || leaf.scores[pos] != score || compareMember(leaf.entries[pos], m, off, len) != 0) {
                return null;
            }
            byte[] e = leaf.entries[pos];
            leafRemoveAt(leaf, pos);
            return e;
        }
        Inner in = (Inner) node;
        int i = childFor(in, score, m, off, len);
        byte[] e = deleteFrom(in.kids[i], score, m, off, len);
        if (e != null) {
            in.counts[i]--;
            in.size--;
            rebalance(in, i);
        }
        return e;
    }

    /** Removes the element of 0-based rank {@code r}; returns its entry. */
    byte[] deleteAt(int r) {
        byte[] e = deleteRank(root, r);
        size--;
        if (root instanceof Inner in && in.n == 1) {
            root = in.kids[0];
            inners--;
        }
        return e;
    }

    private byte[] deleteRank(Node node, int r) {
        if (node instanceof Leaf leaf) {
            byte[] e = leaf.entries[r];
            leafRemoveAt(leaf, r);
            return e;
        }
        Inner in = (Inner) node;
        int i = 0;
        while (r >= in.counts[i]) {
            r -= in.counts[i];
            i++;
        }
        byte[] e = deleteRank(in.kids[i], r);
        in.counts[i]--;
        in.size--;
        rebalance(in, i);
        return e;
    }

    private static void leafRemoveAt(Leaf leaf, int pos) {
        int tailLen = leaf.n - pos - 1;
        System.arraycopy(leaf.scores, pos + 1, leaf.scores, pos, tailLen);
        System.arraycopy(leaf.entries, pos + 1, leaf.entries, pos, tailLen);
        leaf.n--;
        leaf.entries[leaf.n] = null;
    }

    /** Restores the fill of child {@code i} of {@code in} after a removal below it. */
    private void rebalance(Inner in, int i) {
        Node kid = in.kids[i];
        boolean leaf = kid instanceof Leaf;
        int min = leaf ? LEAF_MIN : INNER_MIN;
        if (kid.n >= min || in.n < 2) {
            return;
        }
        // Pair the child with a neighbour: (left, right) = (i-1, i) or (i, i+1).
        int l = i > 0 ? i - 1 : i;
        Node left = in.kids[l];
        Node right = in.kids[l + 1];
        int max = leaf ? LEAF_MAX : INNER_MAX;
        if (left.n + right.n <= max) {
            merge(in, l);
        } else {
            even(in, l);
        }
    }

    /** Merges child l+1 into child l and removes it from {@code in}. */
    private void merge(Inner in, int l) {
        Node left = in.kids[l];
        Node right = in.kids[l + 1];
        if (left instanceof Leaf ll) {
            Leaf rl = (Leaf) right;
            moveLeaf(rl, 0, ll, ll.n, rl.n);
            unlink(rl);
            leaves--;
        } else {
            Inner li = (Inner) left;
            Inner ri = (Inner) right;
            int at = li.n;
            moveInner(ri, 0, li, at, ri.n);
            inners--;
            // The right node's first child is bounded below by the parent's separator of it.
            li.sepScores[at] = in.sepScores[l + 1];
            li.sepEntries[at] = in.sepEntries[l + 1];
        }
        in.counts[l] += in.counts[l + 1];
        removeChild(in, l + 1);
    }

    /** Moves elements between children l and l+1 so they hold about as many each. */
    private void even(Inner in, int l) {
        Node left = in.kids[l];
        Node right = in.kids[l + 1];
        int target = (left.n + right.n) / 2;
        if (left instanceof Leaf ll) {
            Leaf rl = (Leaf) right;
            if (ll.n < target) {
                int k = target - ll.n;
                moveLeaf(rl, 0, ll, ll.n, k);
                in.counts[l] += k;
                in.counts[l + 1] -= k;
            } else {
                int k = ll.n - target;
                moveLeaf(ll, ll.n - k, rl, 0, k);
                in.counts[l] -= k;
                in.counts[l + 1] += k;
            }
            in.sepScores[l + 1] = rl.scores[0];
            in.sepEntries[l + 1] = rl.entries[0];
            return;
        }
        Inner li = (Inner) left;
        Inner ri = (Inner) right;
        int before = li.size;
        if (li.n < target) {
            // Rotate left: right's first children join left, the parent separator moves down.
            int k = target - li.n;
            int at = li.n;
            double downS = in.sepScores[l + 1];
            byte[] downE = in.sepEntries[l + 1];
            moveInner(ri, 0, li, at, k);
            li.sepScores[at] = downS;
            li.sepEntries[at] = downE;
            in.sepScores[l + 1] = ri.sepScores[0];
            in.sepEntries[l + 1] = ri.sepEntries[0];
            ri.sepEntries[0] = null;
        } else {
            // Rotate right: left's last children go to the front of right.
            int k = li.n - target;
            double downS = in.sepScores[l + 1];
            byte[] downE = in.sepEntries[l + 1];
            moveInner(li, li.n - k, ri, 0, k);
            // Old first child of right now sits at k and is bounded by the old separator.
            ri.sepScores[k] = downS;
            ri.sepEntries[k] = downE;
            in.sepScores[l + 1] = ri.sepScores[0];
            in.sepEntries[l + 1] = ri.sepEntries[0];
            ri.sepEntries[0] = null;
        }
        int delta = li.size - before;
        in.counts[l] += delta;
        in.counts[l + 1] -= delta;
    }

    private static void removeChild(Inner in, int i) {
        int tailLen = in.n - i - 1;
        System.arraycopy(in.kids, i + 1, in.kids, i, tailLen);
        System.arraycopy(in.counts, i + 1, in.counts, i, tailLen);
        System.arraycopy(in.sepScores, i + 1, in.sepScores, i, tailLen);
        System.arraycopy(in.sepEntries, i + 1, in.sepEntries, i, tailLen);
        in.n--;
        in.kids[in.n] = null;
        in.sepEntries[in.n] = null;
        in.sepEntries[0] = null;
    }

    private void unlink(Leaf leaf) {
        if (leaf.prev != null) {
            leaf.prev.next = leaf.next;
        } else {
            head = leaf.next;
        }
        if (leaf.next != null) {
            leaf.next.prev = leaf.prev;
        } else {
            tail = leaf.prev;
        }
        leaf.prev = leaf.next = null;
    }

    // ---- bulk loading -----------------------------------------------------------------------------

    /**
     * A tree holding {@code n} elements given in order (ascending keys, no duplicates). Leaves
     * are filled completely, except that the elements are spread evenly over the last two
     * nodes of a level so that none is under its minimum.
     */
    static ZSetTree build(double[] scores, byte[][] entries, int n) {
        ZSetTree t = new ZSetTree();
        if (n == 0) {
            return t;
        }
        int leaves = (n + LEAF_MAX - 1) / LEAF_MAX;
        t.leaves = leaves;
        Node[] level = new Node[leaves];
        int at = 0;
        Leaf prev = null;
        for (int j = 0; j < leaves; j++) {
            int take = share(n, leaves, j, LEAF_MAX);
            Leaf leaf = new Leaf();
            System.arraycopy(scores, at, leaf.scores, 0, take);
            System.arraycopy(entries, at, leaf.entries, 0, take);
            leaf.n = take;
            at += take;
            leaf.prev = prev;
            if (prev != null) {
                prev.next = leaf;
            } else {
                t.head = leaf;
            }
            prev = leaf;
            level[j] = leaf;
        }
        t.tail = prev;
        int count = leaves;
        while (count > 1) {
            int parents = (count + INNER_MAX - 1) / INNER_MAX;
            t.inners += parents;
            Node[] up = new Node[parents];
            int k = 0;
            for (int j = 0; j < parents; j++) {
                int take = share(count, parents, j, INNER_MAX);
                Inner in = new Inner();
                for (int c = 0; c < take; c++) {
                    Node kid = level[k++];
                    in.kids[c] = kid;
                    in.counts[c] = kid.total();
                    in.size += kid.total();
                    if (c > 0) {
                        Leaf first = firstLeaf(kid);
                        in.sepScores[c] = first.scores[0];
                        in.sepEntries[c] = first.entries[0];
                    }
                }
                in.n = take;
                up[j] = in;
            }
            level = up;
            count = parents;
        }
        t.root = level[0];
        t.size = n;
        return t;
    }

    /** How many of {@code total} items node {@code j} of {@code nodes} takes: full nodes, the last two even. */
    private static int share(int total, int nodes, int j, int max) {
        if (nodes == 1) {
            return total;
        }
        int fullBefore = nodes - 2;
        if (j < fullBefore) {
            return max;
        }
        int rest = total - fullBefore * max;
        return j == nodes - 2 ? (rest + 1) / 2 : rest / 2;
    }

    private static Leaf firstLeaf(Node node) {
        while (node instanceof Inner in) {
            node = in.kids[0];
        }
        return (Leaf) node;
    }

    // ---- accounting and checks ----------------------------------------------------------------------

    /** Approximate heap bytes of the tree's nodes (not the entries it references); O(1). */
    long memoryEstimate() {
        return leaves * LEAF_BYTES + inners * INNER_BYTES;
    }

    private static final long LEAF_BYTES = 32 + (16 + 8L * LEAF_MAX) + (16 + 4L * LEAF_MAX);
    private static final long INNER_BYTES = 24 + 4 * (16 + 8L * INNER_MAX);

    private static long nodeBytes(Node node) {
        if (node instanceof Leaf) {
            return LEAF_BYTES;
        }
        Inner in = (Inner) node;
        long b = INNER_BYTES;
        for (int i = 0; i < in.n; i++) {
            b += nodeBytes(in.kids[i]);
        }
        return b;
    }

    /** Verifies every structural invariant (order, counts, separators, links, fill); for tests. */
    void check() {
        if (root.total() != size) {
            throw new AssertionError("size " + size + " != root total " + root.total());
        }
        if (nodeBytes(root) != memoryEstimate()) {
            throw new AssertionError("node counts " + leaves + "/" + inners + " disagree with the tree");
        }
        int[] leafCount = new int[1];
        checkNode(root, true, Double.NaN, null, Double.NaN, null, leafCount);
        int walked = 0;
        Leaf prev = null;
        double ps = 0;
        byte[] pe = null;
        for (Leaf l = head; l != null; l = l.next) {
            if (l.prev != prev) {
                throw new AssertionError("broken prev link");
            }
            for (int i = 0; i < l.n; i++) {
                if (pe != null && compareKey(ps, pe, l.scores[i], l.entries[i], memberOffset(l.entries[i]),
                        memberLength(l.entries[i])) >= 0) {
                    throw new AssertionError("keys out of order at element " + walked);
                }
                ps = l.scores[i];
                pe = l.entries[i];
                walked++;
            }
            prev = l;
        }
        if (prev != tail) {
            throw new AssertionError("tail is not the last leaf");
        }
        if (walked != size) {
            throw new AssertionError("leaf chain holds " + walked + " != " + size);
        }
    }

    private static void checkNode(Node node, boolean isRoot, double loS, byte[] loE, double hiS, byte[] hiE,
                                  int[] leafCount) {
        if (node instanceof Leaf leaf) {
            if (!isRoot && leaf.n == 0) {
                throw new AssertionError("empty non-root leaf");
            }
            for (int i = 0; i < leaf.n; i++) {
                byte[] e = leaf.entries[i];
                if (loE != null && compareKey(leaf.scores[i], e, loS, loE, memberOffset(loE), memberLength(loE)) < 0) {
                    throw new AssertionError("element below its separator");
                }
                if (hiE != null && compareKey(leaf.scores[i], e, hiS, hiE, memberOffset(hiE), memberLength(hiE)) >= 0) {
                    throw new AssertionError("element at or above the next separator");
                }
            }
            for (int i = leaf.n; i < LEAF_MAX; i++) {
                if (leaf.entries[i] != null) {
                    throw new AssertionError("stale reference in leaf");
                }
            }
            return;
        }
        Inner in = (Inner) node;
        if (in.n < (isRoot ? 2 : 1)) {
            throw new AssertionError("inner node with " + in.n + " children");
        }
        int sum = 0;
        for (int i = 0; i < in.n; i++) {
            if (in.counts[i] != in.kids[i].total()) {
                throw new AssertionError("count " + in.counts[i] + " != subtree " + in.kids[i].total());
            }
            sum += in.counts[i];
            double ls = i == 0 ? loS : in.sepScores[i];
            byte[] le = i == 0 ? loE : in.sepEntries[i];
            double hs = i + 1 < in.n ? in.sepScores[i + 1] : hiS;
            byte[] he = i + 1 < in.n ? in.sepEntries[i + 1] : hiE;
            checkNode(in.kids[i], false, ls, le, hs, he, leafCount);
        }
        if (sum != in.size) {
            throw new AssertionError("inner size " + in.size + " != " + sum);
        }
    }
}
