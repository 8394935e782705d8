package dev.cinnabar.server.type;

import dev.cinnabar.ds.Listpack;
import java.util.Arrays;

/**
 * The list type (Redis t_list.c's list API over its two encodings): a single {@link Listpack}
 * while small ("listpack"), a {@link Quicklist} of listpack nodes once it passes
 * list-max-listpack-size ("quicklist"), and back to a listpack when a shrinking quicklist is
 * down to one node of at most half the limit.
 *
 * <p>Conversions are explicit calls the commands make exactly where Redis makes them
 * ({@link #growing}, {@link #shrinking}, {@link #autoConvert}); the plain mutators never change
 * the encoding. Sizes are Redis's listpack byte counts ({@link ListpackSizes}). Knows nothing
 * about clients; accessed under the server lock only.
 */
public final class ListValue implements RedisValue, Digestible {
    /** The listpack encoding's contents, or null while a quicklist. */
    private Listpack lp;
    /** Redis lpBytes of {@link #lp}. */
    private long lpSz;
    /** The quicklist encoding's contents, or null while a listpack. */
    private Quicklist ql;

    /** An empty list in the listpack encoding (createListListpackObject). */
    public ListValue() {
        lp = new Listpack(16);
        lpSz = ListpackSizes.EMPTY;
    }

    /**
     * An empty list in the quicklist encoding (createQuicklistObject), for lists built in bulk
     * that pick their encoding at the end with {@link #autoConvert} (SORT ... STORE).
     */
    public static ListValue newQuicklist(int fill, int compress) {
        return new ListValue(null, 0, new Quicklist(fill, compress));
    }

    /**
     * Appends a packed node holding {@code node}'s elements as they are, whatever the fill
     * (Redis quicklistAppendListpack, used when loading an RDB quicklist). Quicklist encoding
     * only; the listpack is taken over.
     */
    public void appendListpackNode(Listpack node) {
        node.trim();
        ql.appendListpack(node, Quicklist.sizeOf(node));
    }

    /** Appends a plain node holding {@code value} on its own (taken over, not copied). */
    public void appendPlainNode(byte[] value) {
        ql.appendPlain(value);
    }

    private ListValue(Listpack lp, long lpSz, Quicklist ql) {
        this.lp = lp;
        this.lpSz = lpSz;
        this.ql = ql;
    }

    @Override
    public String type() {
        return "list";
    }

    @Override
    public String encoding() {
        return ql != null ? "quicklist" : "listpack";
    }

    @Override
    public RedisValue copy() {
        return ql != null ? new ListValue(null, 0, ql.copy()) : new ListValue(lp.copy(), lpSz, null);
    }

    public boolean isQuicklist() {
        return ql != null;
    }

    public long length() {
        return ql != null ? ql.count : lp.size();
    }

    /** Nodes of the quicklist encoding (1 for a listpack): for tests and introspection. */
    public int nodes() {
        return ql != null ? ql.len : 1;
    }

    // ---- encoding conversions ---------------------------------------------------------------

    /**
     * Redis listTypeTryConversionAppend: before adding {@code addCount} elements of
     * {@code addBytes} total length, a listpack that would pass the limits becomes a quicklist
     * (with the current fill and compression depth).
     */
    public void growing(long addBytes, long addCount, int fill, int compress) {
        if (ql == null && Quicklist.exceedsLimit(fill, lpSz + addBytes, lp.size() + addCount)) {
            toQuicklist(fill, compress);
        }
    }

    /**
     * Redis listTypeTryConversion(LIST_CONV_SHRINKING): after removals, a quicklist with a single
     * packed node of at most half the limits becomes a listpack again (half, so that a list at
     * the boundary does not convert back and forth).
     */
    public void shrinking(int fill) {
        if (ql != null) {
            toListpackIfSmall(fill, true);
        }
    }

    /** Redis listTypeTryConversion(LIST_CONV_AUTO), for lists built in bulk (SORT STORE...). */
    public void autoConvert(int fill, int compress) {
        if (ql != null) {
            toListpackIfSmall(fill, false);
        } else if (Quicklist.exceedsLimit(fill, lpSz, lp.size())) {
            toQuicklist(fill, compress);
        }
    }

    private void toQuicklist(int fill, int compress) {
        Quicklist q = new Quicklist(fill, compress);
        if (lp.size() > 0) {
            lp.trim();
            q.appendListpack(lp, lpSz);
        }
        ql = q;
        lp = null;
        lpSz = 0;
    }

    private void toListpackIfSmall(int fill, boolean shrinking) {
        Quicklist.Node only = ql.singlePackedNode();
        if (only == null) {
            return;
        }
        long szLimit = Quicklist.sizeLimit(fill);
        long countLimit = Quicklist.countLimit(fill);
        if (shrinking) {
            szLimit /= 2;
            countLimit /= 2;
        }
        if (only.sz > szLimit || ql.count > countLimit) {
            return;
        }
        lp = ql.takeSingleListpack();
        lpSz = only.sz;
        ql = null;
    }

    // ---- writes -----------------------------------------------------------------------------

    /**
     * Adds an element at the head or tail. {@code packedThreshold}: quicklist elements at least
     * this long get a plain node of their own.
     */
    public void push(boolean head, byte[] b, int off, int len, long packedThreshold) {
        if (ql != null) {
            if (head) {
                ql.pushHead(b, off, len, packedThreshold);
            } else {
                ql.pushTail(b, off, len, packedThreshold);
            }
            return;
        }
        if (head) {
            lp.prepend(b, off, len);
        } else {
            lp.append(b, off, len);
        }
        lpSz += ListpackSizes.entrySize(b, off, len);
    }

    // The end element, read without a Cursor: LPOP and RPOP, the hot path, allocate nothing.
    // The list must not be empty; the array is valid until the list changes.

    /** The array holding the head (or tail) element. */
    public byte[] endArray(boolean head) {
        if (ql == null) {
            return lp.array();
        }
        Quicklist.Node n = head ? ql.head : ql.tail;
        return n.plain ? Quicklist.readablePlain(n) : Quicklist.readable(n).array();
    }

    /** Where the head (or tail) element starts in {@link #endArray}. */
    public int endOffset(boolean head) {
        if (ql == null) {
            return lp.dataOffset(head ? lp.first() : lp.last());
        }
        Quicklist.Node n = head ? ql.head : ql.tail;
        if (n.plain) {
            return 0;
        }
        Listpack v = Quicklist.readable(n);
        return v.dataOffset(head ? v.first() : v.last());
    }

    /** The head (or tail) element's length. */
    public int endLength(boolean head) {
        if (ql == null) {
            return lp.dataLength(head ? lp.first() : lp.last());
        }
        Quicklist.Node n = head ? ql.head : ql.tail;
        if (n.plain) {
            return Quicklist.readablePlain(n).length;
        }
        Listpack v = Quicklist.readable(n);
        return v.dataLength(head ? v.first() : v.last());
    }

    /** Removes the head or tail element (the caller has read it through a {@link Cursor}). */
    public void pop(boolean head) {
        if (ql != null) {
            ql.pop(head);
            return;
        }
        int pos = head ? lp.first() : lp.last();
        if (pos >= 0) {
            lpSz -= entrySize(lp, pos);
            lp.delete(pos);
        }
    }

    private static long entrySize(Listpack lp, int pos) {
        return ListpackSizes.entrySize(lp.array(), lp.dataOffset(pos), lp.dataLength(pos));
    }

    /** Replaces the element at {@code index} (LSET); false when out of range. */
    public boolean set(long index, byte[] b, int off, int len, long packedThreshold) {
        if (ql != null) {
            return ql.replace(index, b, off, len, packedThreshold);
        }
        int pos = lp.seek(index);
        if (pos < 0) {
            return false;
        }
        lpSz += ListpackSizes.entrySize(b, off, len) - entrySize(lp, pos);
        lp.replace(pos, b, off, len);
        return true;
    }

    /**
     * Inserts {@code value} before or after the first element equal to {@code pivot} (LINSERT);
     * false when there is no such element.
     */
    public boolean insert(boolean after, byte[] pb, int poff, int plen, byte[] b, int off, int len,
            long packedThreshold) {
        if (ql != null) {
            return ql.insertAtPivot(after, pb, poff, plen, b, off, len, packedThreshold);
        }
        int pos = lp.find(lp.first(), pb, poff, plen, 0);
        if (pos < 0) {
            return false;
        }
        if (after) {
            lp.insertAfter(pos, b, off, len);
        } else {
            lp.insertBefore(pos, b, off, len);
        }
        lpSz += ListpackSizes.entrySize(b, off, len);
        return true;
    }

    /**
     * Deletes up to {@code n} elements from index {@code start} (negative counts from the tail):
     * LTRIM and pops with a count.
     */
    public void deleteRange(long start, long n) {
        if (n <= 0) {
            return;
        }
        if (ql != null) {
            ql.deleteRange(start, n);
            return;
        }
        int pos = lp.seek(start);
        if (pos < 0) {
            return;
        }
        long removed = 0;
        int k = 0;
        for (int p = pos; p >= 0 && k < n; p = lp.next(p), k++) {
            removed += entrySize(lp, p);
        }
        lp.deleteRange(pos, k);
        lpSz -= removed;
    }

    /**
     * Redis LREM: removes elements equal to {@code b[off, off+len)}: the first {@code count} from
     * the head when positive, the last {@code -count} from the tail when negative, all when 0.
     * Returns how many were removed.
     */
    public long remove(long count, byte[] b, int off, int len) {
        boolean fromTail = count < 0;
        long limit = fromTail ? -count : count;
        if (ql != null) {
            return ql.removeMatching(fromTail, limit, b, off, len);
        }
        long removed = 0;
        int p = fromTail ? lp.last() : lp.first();
        while (p >= 0) {
            if (lp.equalsAt(p, b, off, len)) {
                lpSz -= entrySize(lp, p);
                int next = lp.delete(p);
                removed++;
                if (limit != 0 && removed == limit) {
                    break;
                }
                p = fromTail ? (next < 0 ? lp.last() : lp.prev(next)) : next;
            } else {
                p = fromTail ? lp.prev(p) : lp.next(p);
            }
        }
        return removed;
    }

    /** Gives back spare capacity (a listpack that shrank a lot). */
    public void trim() {
        if (lp != null) {
            lp.trim();
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    /**
     * A cursor on the element at {@code index} (negative counts from the tail) that moves towards
     * the tail ({@code forward}) or the head; null when the index is out of range. The list must
     * not change while the cursor is in use.
     */
    public Cursor cursor(long index, boolean forward) {
        Cursor c = new Cursor(forward);
        return c.start(this, index) ? c : null;
    }

    /** Reads a list element by element; the current element is {@code array()[offset(), +length())}. */
    public static final class Cursor {
        private final boolean forward;
        private Quicklist.Node node;
        private Listpack view;
        private int pos;
        private byte[] arr;
        private int off;
        private int len;

        Cursor(boolean forward) {
            this.forward = forward;
        }

        boolean start(ListValue l, long index) {
            if (l.ql == null) {
                view = l.lp;
                pos = view.seek(index);
                if (pos < 0) {
                    return false;
                }
                load();
                return true;
            }
            Quicklist.Position at = new Quicklist.Position();
            if (!l.ql.locate(index, at)) {
                return false;
            }
            node = at.node;
            enter(at.offset);
            return true;
        }

        private void enter(int offset) {
            if (node.plain) {
                view = null;
                arr = Quicklist.readablePlain(node);
                off = 0;
                len = arr.length;
                return;
            }
            view = Quicklist.readable(node);
            pos = offset >= 0 ? view.seek(offset) : view.last();
            load();
        }

        private void load() {
            arr = view.array();
            off = view.dataOffset(pos);
            len = view.dataLength(pos);
        }

        /** Moves to the next element in the cursor's direction; false at the end. */
        public boolean next() {
            if (view != null) {
                int p = forward ? view.next(pos) : view.prev(pos);
                if (p >= 0) {
                    pos = p;
                    load();
                    return true;
                }
            }
            if (node == null) {
                return false;
            }
            node = forward ? node.next : node.prev;
            if (node == null) {
                return false;
            }
            enter(forward ? 0 : -1);
            return true;
        }

        public byte[] array() {
            return arr;
        }

        public int offset() {
            return off;
        }

        public int length() {
            return len;
        }

        public boolean equalsTo(byte[] b, int boff, int blen) {
            return len == blen && Arrays.equals(arr, off, off + len, b, boff, boff + blen);
        }

        /** A copy of the current element. */
        public byte[] copy() {
            return Arrays.copyOfRange(arr, off, off + len);
        }
    }

    /** Receives a list node by node (the unit RDB's quicklist format stores). */
    public interface NodeVisitor {
        /** A node holding one element on its own (a quicklist "plain" node). */
        void plain(byte[] a, int off, int len);

        /** A packed node; its elements are read with {@code lp.first()/next()}. */
        void packed(Listpack lp);
    }

    /**
     * Visits the nodes head to tail: a listpack-encoded list is one packed node; compressed
     * quicklist nodes are handed out decompressed (the list itself stays as it is).
     */
    public void forEachNode(NodeVisitor v) {
        if (ql == null) {
            v.packed(lp);
            return;
        }
        for (Quicklist.Node n = ql.head; n != null; n = n.next) {
            if (n.plain) {
                byte[] b = Quicklist.readablePlain(n);
                v.plain(b, 0, b.length);
            } else {
                v.packed(Quicklist.readable(n));
            }
        }
    }

    // ---- introspection --------------------------------------------------------------------------

    @Override
    public void digest(ValueDigest d) {
        Cursor c = cursor(0, true);
        if (c == null) {
            return;
        }
        do {
            d.mix(c.array(), c.offset(), c.length());
        } while (c.next());
    }

    @Override
    public long accountedBytes() {
        return ql != null ? 24 + ql.accountedFootprint(ACCOUNTING_SAMPLES) : memoryUsage(0);
    }

    @Override
    public long memoryUsage(long samples) {
        return 24 + (ql != null ? ql.footprint(samples) : lp.footprint());
    }

    /** The quicklist details DEBUG OBJECT appends (nothing for a listpack). */
    public String debugObjectExtra() {
        if (ql == null) {
            return "";
        }
        long uncompressed = 0;
        for (Quicklist.Node n = ql.head; n != null; n = n.next) {
            uncompressed += n.sz;
        }
        double avg = ql.len == 0 ? 0 : (double) ql.count / ql.len;
        return " ql_nodes:" + ql.len + " ql_avg_node:" + String.format(java.util.Locale.ROOT, "%.2f", avg)
                + " ql_listpack_max:" + ql.fill + " ql_compressed:" + (ql.compress != 0 ? 1 : 0)
                + " ql_uncompressed_size:" + uncompressed;
    }

    /** Redis lpBytes of the listpack encoding (DEBUG LISTPACK), -1 for a quicklist. */
    public long listpackBytes() {
        return ql != null ? -1 : lpSz;
    }

    /** A human-readable dump of the structure (DEBUG LISTPACK / DEBUG QUICKLIST print it). */
    public String describe(boolean full) {
        if (ql != null) {
            return ql.describe(full);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("{total bytes ").append(lpSz).append("} {num entries ").append(lp.size()).append("}\n");
        int i = 0;
        for (int p = lp.first(); p >= 0; p = lp.next(p), i++) {
            sb.append("{\n\taddr: ").append(p).append(",\n\tindex: ").append(i).append(",\n\tentry: ")
                    .append(new String(lp.array(), lp.dataOffset(p), Math.min(lp.dataLength(p), 64),
                            java.nio.charset.StandardCharsets.ISO_8859_1))
                    .append("\n}\n");
        }
        return sb.append("{end}\n").toString();
    }
}
