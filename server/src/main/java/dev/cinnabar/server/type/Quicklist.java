package dev.cinnabar.server.type;

import com.ning.compress.lzf.ChunkDecoder;
import com.ning.compress.lzf.ChunkEncoder;
import com.ning.compress.lzf.LZFEncoder;
import com.ning.compress.lzf.LZFException;
import com.ning.compress.lzf.impl.VanillaChunkDecoder;
import com.ning.compress.lzf.impl.VanillaChunkEncoder;
import dev.cinnabar.ds.Listpack;
import java.util.Arrays;

/**
 * The "quicklist" encoding of big lists: a doubly linked list of nodes, each a {@link Listpack}
 * bounded by list-max-listpack-size, or a "plain" node holding one element of at least the
 * packed threshold (DEBUG QUICKLIST-PACKED-THRESHOLD, 1 GB by default). Interior nodes further
 * than list-compress-depth from either end are kept LZF-compressed.
 *
 * <p>Node boundaries follow Redis's quicklist.c rules (when a node accepts an element, when
 * nodes split and merge) with node sizes measured as Redis's listpack bytes
 * ({@link ListpackSizes}), because the list's encoding depends on them: a quicklist becomes a
 * listpack again only when it is down to one small packed node.
 *
 * <p>Fill and compression depth are fixed at creation, as in Redis: CONFIG SET affects lists
 * created afterwards. Not thread-safe; knows nothing about clients.
 */
final class Quicklist {
    /** Node byte limits for fill -1..-5. */
    private static final long[] SIZE_LEVELS = {4096, 8192, 16384, 32768, 65536};
    /** Largest multi-element node when nodes are limited by entry count. */
    private static final int SIZE_SAFETY_LIMIT = 8192;
    /** Estimated per-entry overhead when checking whether a node accepts one more element. */
    private static final int SIZE_ESTIMATE_OVERHEAD = 8;
    /** Nodes smaller than this are not worth compressing. */
    private static final int MIN_COMPRESS_BYTES = 48;
    /** Compression must save at least this much to be kept. */
    private static final int MIN_COMPRESS_IMPROVE = 8;
    private static final int FILL_MAX = (1 << 15) - 1;
    private static final int COMPRESS_MAX = (1 << 16) - 1;

    /** One node: a packed listpack, or a plain single element; either may be compressed. */
    static final class Node {
        Node prev;
        Node next;
        /** Packed node contents, null while compressed or for plain nodes. */
        Listpack lp;
        /** Plain node element, null while compressed or for packed nodes. */
        byte[] value;
        /** LZF image of the listpack bytes or plain element while compressed. */
        byte[] lzf;
        /** Length of the uncompressed image while compressed. */
        int rawLen;
        boolean plain;
        int count;
        /** Redis's node size: listpack bytes for packed nodes, element length for plain ones. */
        long sz;
        /** Decompressed temporarily for a change: compress again right after it. */
        boolean recompress;
        boolean dontCompress;

        boolean compressed() {
            return lzf != null;
        }
    }

    Node head;
    Node tail;
    /** Elements. */
    long count;
    /** Nodes. */
    int len;
    /** See {@link #accountedFootprint}: -1 when unknown, and the node count it was measured at. */
    private long middleFootprint = -1;
    private int middleLen;
    final int fill;
    final int compress;

    Quicklist(int fill, int compress) {
        this.fill = Math.max(-5, Math.min(fill, FILL_MAX));
        this.compress = Math.max(0, Math.min(compress, COMPRESS_MAX));
    }

    // ---- limits (Redis quicklistNodeLimit / quicklistNodeExceedsLimit) ---------------------

    /** Byte limit of a node (or of a listpack-encoded list) for a fill setting. */
    static long sizeLimit(int fill) {
        if (fill >= 0) {
            return Long.MAX_VALUE;
        }
        long level = -(long) fill - 1;
        return SIZE_LEVELS[(int) Math.min(level, SIZE_LEVELS.length - 1)];
    }

    /** Entry-count limit of a node for a fill setting (4294967295 when limited by bytes). */
    static long countLimit(int fill) {
        if (fill >= 0) {
            return fill == 0 ? 1 : fill;
        }
        return 0xFFFFFFFFL;
    }

    static boolean exceedsLimit(int fill, long newSz, long newCount) {
        if (fill < 0) {
            return newSz > sizeLimit(fill);
        }
        if (newSz > SIZE_SAFETY_LIMIT) {
            return true;
        }
        return newCount > countLimit(fill);
    }

    private boolean allowInsert(Node n, int len, long threshold) {
        if (n == null || n.plain || len >= threshold) {
            return false;
        }
        return !exceedsLimit(fill, n.sz + len + SIZE_ESTIMATE_OVERHEAD, n.count + 1L);
    }

    private boolean allowMerge(Node a, Node b) {
        if (a == null || b == null || a.plain || b.plain) {
            return false;
        }
        return !exceedsLimit(fill, a.sz + b.sz - ListpackSizes.EMPTY, (long) a.count + b.count);
    }

    // ---- node creation and linking --------------------------------------------------------

    private static Node packedNode(byte[] b, int off, int len) {
        return packedNode(b, off, len, 0);
    }

    /**
     * A node of one element whose listpack starts with room for {@code capacity} bytes: a list
     * that filled its end node will likely fill the next one too, and growing an array from a few
     * bytes to a full node costs a dozen copies (a tenth of LPUSH's time on a long list).
     */
    private static Node packedNode(byte[] b, int off, int len, int capacity) {
        Node n = new Node();
        n.lp = new Listpack(Math.max(len + 8, capacity));
        n.lp.append(b, off, len);
        n.count = 1;
        n.sz = ListpackSizes.EMPTY + ListpackSizes.entrySize(b, off, len);
        return n;
    }

    private static Node plainNode(byte[] b, int off, int len) {
        Node n = new Node();
        n.plain = true;
        n.value = Arrays.copyOfRange(b, off, off + len);
        n.count = 1;
        n.sz = len;
        return n;
    }

    /** Links {@code n} after (or before) {@code old}; null {@code old} only for the first node. */
    private void insertNode(Node old, Node n, boolean after) {
        if (after) {
            n.prev = old;
            if (old != null) {
                n.next = old.next;
                if (old.next != null) {
                    old.next.prev = n;
                }
                old.next = n;
            }
            if (tail == old) {
                tail = n;
            }
        } else {
            n.next = old;
            if (old != null) {
                n.prev = old.prev;
                if (old.prev != null) {
                    old.prev.next = n;
                }
                old.prev = n;
            }
            if (head == old) {
                head = n;
            }
        }
        if (len == 0) {
            head = tail = n;
        }
        len++;
        if (old != null) {
            compress(old);
        }
        compress(n);
    }

    private void insertPlainNode(Node old, byte[] b, int off, int len, boolean after) {
        insertNode(old, plainNode(b, off, len), after);
        count++;
    }

    private void deleteNode(Node n) {
        if (n.next != null) {
            n.next.prev = n.prev;
        }
        if (n.prev != null) {
            n.prev.next = n.next;
        }
        if (n == tail) {
            tail = n.prev;
        }
        if (n == head) {
            head = n.next;
        }
        len--;
        count -= n.count;
        // Nodes that moved into the uncompressed ends must be readable again.
        compressAround(null);
        n.prev = n.next = null;
    }

    // ---- compression (list-compress-depth) ------------------------------------------------

    // The plain-Java codecs: the library's factories would load its sun.misc.Unsafe variants.
    private static final ThreadLocal<ChunkEncoder> ENCODER =
            ThreadLocal.withInitial(() -> VanillaChunkEncoder.nonAllocatingEncoder(1 << 16));
    private static final ChunkDecoder DECODER = new VanillaChunkDecoder();
    /** Output space reused between compressions, up to this size (bigger nodes allocate). */
    private static final int SCRATCH_MAX = 1 << 17;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

    private static byte[] inflate(Node n) {
        byte[] raw = new byte[n.rawLen];
        try {
            DECODER.decode(n.lzf, 0, n.lzf.length, raw);
        } catch (LZFException e) {
            throw new IllegalStateException("corrupt compressed list node", e);
        }
        return raw;
    }

    /** Compresses an uncompressed interior node when that saves enough; returns whether it did. */
    private static boolean compressNode(Node n) {
        if (n.compressed() || n.dontCompress) {
            return false;
        }
        n.recompress = false;
        if (n.sz < MIN_COMPRESS_BYTES) {
            return false;
        }
        byte[] src = n.plain ? n.value : n.lp.array();
        int srcLen = n.plain ? n.value.length : n.lp.bytes();
        int need = LZFEncoder.estimateMaxWorkspaceSize(srcLen);
        byte[] out = need <= SCRATCH_MAX ? SCRATCH.get() : new byte[need];
        if (out.length < need) {
            out = new byte[need];
            SCRATCH.set(out);
        }
        int srcOff = n.plain ? 0 : n.lp.imageOffset();
        int outLen = LZFEncoder.appendEncoded(ENCODER.get(), src, srcOff, srcLen, out, 0);
        if (outLen + MIN_COMPRESS_IMPROVE >= srcLen) {
            return false;
        }
        n.lzf = Arrays.copyOf(out, outLen);
        n.rawLen = srcLen;
        n.lp = null;
        n.value = null;
        return true;
    }

    private static void decompressNode(Node n) {
        if (!n.compressed()) {
            return;
        }
        n.recompress = false;
        byte[] raw = inflate(n);
        if (n.plain) {
            n.value = raw;
        } else {
            n.lp = Listpack.wrap(raw, n.rawLen, n.count);
        }
        n.lzf = null;
    }

    /** Decompresses a node about to be read or changed, remembering to compress it again. */
    private static void decompressForUse(Node n) {
        if (n.compressed()) {
            decompressNode(n);
            n.recompress = true;
        }
    }

    private static void recompressOnly(Node n) {
        if (n.recompress) {
            compressNode(n);
        }
    }

    /** Redis quicklistCompress: compress a node taken for use, or re-establish the depth rule. */
    private void compress(Node n) {
        if (n.recompress) {
            compressNode(n);
        } else {
            compressAround(n);
        }
    }

    /**
     * Keeps the {@code compress} nodes at each end uncompressed and compresses {@code n} (when it
     * is interior) and the first node past the depth on each side.
     */
    private void compressAround(Node n) {
        if (len == 0 || compress == 0 || len < compress * 2) {
            return;
        }
        Node forward = head;
        Node reverse = tail;
        int depth = 0;
        boolean inDepth = false;
        while (depth++ < compress) {
            decompressNode(forward);
            decompressNode(reverse);
            if (forward == n || reverse == n) {
                inDepth = true;
            }
            if (forward == reverse || forward.next == reverse) {
                return;
            }
            forward = forward.next;
            reverse = reverse.prev;
        }
        if (!inDepth && n != null) {
            compressNode(n);
        }
        compressNode(forward);
        compressNode(reverse);
    }

    // ---- push / pop -----------------------------------------------------------------------

    void pushHead(byte[] b, int off, int len, long threshold) {
        if (head != null) {
            decompressNode(head); // the ends are kept raw; never work on a compressed image
        }
        if (len >= threshold) {
            insertPlainNode(head, b, off, len, false);
            return;
        }
        if (allowInsert(head, len, threshold)) {
            head.lp.prepend(b, off, len);
            head.sz += ListpackSizes.entrySize(b, off, len);
            head.count++;
        } else {
            int capacity = 0;
            if (head != null && !head.plain && head.lp != null) {
                capacity = Math.min(head.lp.bytes(), SIZE_SAFETY_LIMIT);
                head.lp.trim(); // full: give back the growth slack before it ages
            }
            insertNode(head, packedNode(b, off, len, capacity), false);
        }
        count++;
    }

    void pushTail(byte[] b, int off, int len, long threshold) {
        if (tail != null) {
            decompressNode(tail);
        }
        if (len >= threshold) {
            insertPlainNode(tail, b, off, len, true);
            return;
        }
        if (allowInsert(tail, len, threshold)) {
            tail.lp.append(b, off, len);
            tail.sz += ListpackSizes.entrySize(b, off, len);
            tail.count++;
        } else {
            int capacity = 0;
            if (tail != null && !tail.plain && tail.lp != null) {
                capacity = Math.min(tail.lp.bytes(), SIZE_SAFETY_LIMIT);
                tail.lp.trim();
            }
            insertNode(tail, packedNode(b, off, len, capacity), true);
        }
        count++;
    }

    /** Appends a whole listpack as a new tail node (listpack to quicklist conversion). */
    void appendListpack(Listpack lp, long sz) {
        middleChanged();
        Node n = new Node();
        n.lp = lp;
        n.count = lp.size();
        n.sz = sz;
        insertNode(tail, n, true);
        count += n.count;
    }

    /** Appends a plain node holding {@code value} (taken over, not copied). */
    void appendPlain(byte[] value) {
        middleChanged();
        Node n = new Node();
        n.plain = true;
        n.value = value;
        n.count = 1;
        n.sz = value.length;
        insertNode(tail, n, true);
        count++;
    }

    /** Removes the first or last element. */
    void pop(boolean fromHead) {
        Node n = fromHead ? head : tail;
        if (n == null) {
            return;
        }
        if (n.plain) {
            deleteNode(n);
            return;
        }
        decompressNode(n);
        deleteAt(n, fromHead ? n.lp.first() : n.lp.last());
    }

    private static long entrySizeAt(Listpack lp, int pos) {
        return ListpackSizes.entrySize(lp.array(), lp.dataOffset(pos), lp.dataLength(pos));
    }

    /**
     * Redis quicklistDelIndex: deletes the entry at {@code pos} of a packed, uncompressed node,
     * or a plain node. Returns the position of the entry that followed, or -1 (also when the node
     * itself went away, see {@code n.count}).
     */
    private int deleteAt(Node n, int pos) {
        if (n.plain) {
            deleteNode(n);
            return -1;
        }
        long es = entrySizeAt(n.lp, pos);
        int next = n.lp.delete(pos);
        n.count--;
        if (n.count == 0) {
            deleteNode(n);
            count--;
            return -1;
        }
        n.sz -= es;
        count--;
        return next;
    }

    // ---- positions --------------------------------------------------------------------------

    /** A node and the index of an element within it. */
    static final class Position {
        Node node;
        int offset;
    }

    /**
     * Finds the element at {@code index} (negative counts from the tail), walking from the
     * nearer end. Returns false when out of range.
     */
    boolean locate(long index, Position at) {
        long i = index < 0 ? count + index : index;
        if (i < 0 || i >= count) {
            return false;
        }
        if (i <= (count - 1) / 2) {
            long accum = 0;
            for (Node n = head; n != null; n = n.next) {
                if (accum + n.count > i) {
                    at.node = n;
                    at.offset = (int) (i - accum);
                    return true;
                }
                accum += n.count;
            }
        } else {
            long accum = 0;
            long fromTail = count - 1 - i;
            for (Node n = tail; n != null; n = n.prev) {
                if (accum + n.count > fromTail) {
                    at.node = n;
                    at.offset = (int) (n.count - 1 - (fromTail - accum));
                    return true;
                }
                accum += n.count;
            }
        }
        return false;
    }

    /** The listpack of a node for reading: its own, or a decompressed copy left unattached. */
    static Listpack readable(Node n) {
        if (!n.compressed()) {
            return n.lp;
        }
        byte[] raw = inflate(n);
        return Listpack.wrap(raw, n.rawLen, n.count);
    }

    /** The element of a plain node for reading. */
    static byte[] readablePlain(Node n) {
        if (!n.compressed()) {
            return n.value;
        }
        byte[] raw = inflate(n);
        return raw;
    }

    // ---- replace (LSET) ---------------------------------------------------------------------

    /** Redis quicklistReplaceAtIndex; false when the index is out of range. */
    boolean replace(long index, byte[] b, int off, int len, long threshold) {
        middleChanged();
        Position at = new Position();
        if (!locate(index, at)) {
            return false;
        }
        Node n = at.node;
        decompressForUse(n);
        boolean large = len >= threshold;
        if (!n.plain && !large) {
            int pos = n.lp.seek(at.offset);
            n.sz += ListpackSizes.entrySize(b, off, len) - entrySizeAt(n.lp, pos);
            n.lp.replace(pos, b, off, len);
            compress(n);
        } else if (n.plain) {
            if (large) {
                n.value = Arrays.copyOfRange(b, off, off + len);
                n.sz = len;
                compress(n);
            } else {
                insert(n, 0, true, b, off, len, threshold);
                deleteNode(n);
            }
        } else {
            // A packed node gets a large element: it goes into a plain node of its own, with
            // the node split around it.
            Node split = null;
            n.dontCompress = true;
            if (at.offset != n.count - 1) {
                split = splitNode(n, at.offset, true);
            }
            Node fresh = plainNode(b, off, len);
            insertNode(n, fresh, true);
            if (split != null) {
                insertNode(fresh, split, true);
            }
            count++;
            if (n.count == 1) {
                deleteNode(n);
            } else {
                deleteAt(n, n.lp.last());
                n.dontCompress = false;
                fresh = mergeNodes(fresh);
                compress(fresh);
                compress(fresh.prev);
                if (fresh.next != null) {
                    compress(fresh.next);
                }
            }
        }
        return true;
    }

    // ---- split / merge ----------------------------------------------------------------------

    /**
     * Redis _quicklistSplitNode. With {@code after}, {@code n} keeps elements [0, offset] and the
     * returned node gets the rest; otherwise the returned node gets [0, offset) and {@code n}
     * keeps the rest. The new node is not linked.
     */
    private static Node splitNode(Node n, int offset, boolean after) {
        Node fresh = new Node();
        fresh.lp = n.lp.copy();
        int origStart = after ? offset + 1 : 0;
        int origCount = after ? n.count - origStart : offset;
        int newStart = after ? 0 : offset;
        int newCount = after ? offset + 1 : n.count - offset;
        trimNode(n, origStart, origCount);
        trimNode(fresh, newStart, newCount);
        fresh.count = fresh.lp.size();
        return fresh;
    }

    /** Deletes {@code n} elements from index {@code start} of a node's listpack, keeping sz. */
    private static void trimNode(Node node, int start, int n) {
        if (n <= 0) {
            node.count = node.lp.size();
            node.sz = sizeOf(node.lp);
            return;
        }
        Listpack lp = node.lp;
        int pos = lp.seek(start);
        if (pos >= 0) {
            lp.deleteRange(pos, n);
        }
        node.count = lp.size();
        node.sz = sizeOf(lp);
    }

    /** Redis lpBytes of a listpack's contents. */
    static long sizeOf(Listpack lp) {
        long sz = ListpackSizes.EMPTY;
        byte[] a = lp.array();
        for (int p = lp.first(); p >= 0; p = lp.next(p)) {
            sz += ListpackSizes.entrySize(a, lp.dataOffset(p), lp.dataLength(p));
        }
        return sz;
    }

    /** Redis _quicklistListpackMerge: the bigger listpack absorbs the other; returns the kept node. */
    private Node mergeListpacks(Node a, Node b) {
        decompressNode(a);
        decompressNode(b);
        Node keep;
        Node drop;
        if (a.sz >= b.sz) {
            keep = a;
            drop = b;
            Listpack src = b.lp;
            byte[] arr = src.array();
            for (int p = src.first(); p >= 0; p = src.next(p)) {
                keep.lp.append(arr, src.dataOffset(p), src.dataLength(p));
            }
        } else {
            keep = b;
            drop = a;
            Listpack src = a.lp;
            byte[] arr = src.array();
            for (int p = src.last(); p >= 0; p = src.prev(p)) {
                keep.lp.prepend(arr, src.dataOffset(p), src.dataLength(p));
            }
        }
        keep.count = keep.lp.size();
        keep.sz = a.sz + b.sz - ListpackSizes.EMPTY;
        keep.recompress = false;
        drop.count = 0;
        deleteNode(drop);
        compress(keep);
        return keep;
    }

    /** Redis _quicklistMergeNodes: merges neighbours around {@code center}; returns the new center. */
    private Node mergeNodes(Node center) {
        Node prev = center.prev;
        Node prevPrev = prev == null ? null : prev.prev;
        Node next = center.next;
        Node nextNext = next == null ? null : next.next;
        if (allowMerge(prev, prevPrev)) {
            mergeListpacks(prevPrev, prev);
        }
        if (allowMerge(next, nextNext)) {
            mergeListpacks(next, nextNext);
        }
        Node target;
        if (allowMerge(center, center.prev)) {
            target = mergeListpacks(center.prev, center);
        } else {
            target = center;
        }
        if (allowMerge(target, target.next)) {
            target = mergeListpacks(target, target.next);
        }
        return target;
    }

    // ---- insert (LINSERT) -------------------------------------------------------------------

    /**
     * Inserts before or after the first element equal to {@code pivot}, searching from the head.
     * Returns false when there is no such element.
     */
    boolean insertAtPivot(boolean after, byte[] pb, int poff, int plen, byte[] b, int off, int len, long threshold) {
        middleChanged();
        for (Node n = head; n != null; n = n.next) {
            if (n.plain) {
                byte[] v = readablePlain(n);
                if (Arrays.equals(v, 0, v.length, pb, poff, poff + plen)) {
                    decompressForUse(n);
                    insert(n, 0, after, b, off, len, threshold);
                    return true;
                }
                continue;
            }
            Listpack lp = readable(n);
            int idx = 0;
            for (int p = lp.first(); p >= 0; p = lp.next(p), idx++) {
                if (lp.equalsAt(p, pb, poff, plen)) {
                    decompressForUse(n);
                    insert(n, idx, after, b, off, len, threshold);
                    return true;
                }
            }
        }
        return false;
    }

    /** Redis _quicklistInsert: a new element before/after element {@code offset} of {@code node}. */
    private void insert(Node node, int offset, boolean after, byte[] b, int off, int len, long threshold) {
        boolean full = !allowInsert(node, len, threshold);
        boolean atTail = false;
        boolean atHead = false;
        boolean availNext = false;
        boolean availPrev = false;
        if (after && offset == node.count - 1) {
            atTail = true;
            availNext = allowInsert(node.next, len, threshold);
        }
        if (!after && offset == 0) {
            atHead = true;
            availPrev = allowInsert(node.prev, len, threshold);
        }
        if (len >= threshold) {
            if (node.plain || (atTail && after) || (atHead && !after)) {
                insertPlainNode(node, b, off, len, after);
            } else {
                decompressForUse(node);
                Node split = splitNode(node, offset, after);
                Node entry = plainNode(b, off, len);
                insertNode(node, entry, after);
                insertNode(entry, split, after);
                count++;
            }
            return;
        }
        if (!full) {
            decompressForUse(node);
            int pos = node.lp.seek(offset);
            if (after) {
                node.lp.insertAfter(pos, b, off, len);
            } else {
                node.lp.insertBefore(pos, b, off, len);
            }
            node.count++;
            node.sz += ListpackSizes.entrySize(b, off, len);
            recompressOnly(node);
        } else if (atTail && availNext && after) {
            Node n = node.next;
            decompressForUse(n);
            n.lp.prepend(b, off, len);
            n.count++;
            n.sz += ListpackSizes.entrySize(b, off, len);
            recompressOnly(n);
            recompressOnly(node);
        } else if (atHead && availPrev && !after) {
            Node n = node.prev;
            decompressForUse(n);
            n.lp.append(b, off, len);
            n.count++;
            n.sz += ListpackSizes.entrySize(b, off, len);
            recompressOnly(n);
            recompressOnly(node);
        } else if ((atTail && !availNext && after) || (atHead && !availPrev && !after)) {
            insertNode(node, packedNode(b, off, len), after);
        } else {
            decompressForUse(node);
            Node n = splitNode(node, offset, after);
            if (after) {
                n.lp.prepend(b, off, len);
            } else {
                n.lp.append(b, off, len);
            }
            n.count++;
            n.sz += ListpackSizes.entrySize(b, off, len);
            insertNode(node, n, after);
            mergeNodes(node);
        }
        count++;
    }

    // ---- range delete (LTRIM, pops with a count) ---------------------------------------------

    /** Redis quicklistDelRange: deletes {@code n} elements from {@code start} (may be negative). */
    void deleteRange(long start, long n) {
        middleChanged();
        if (n <= 0) {
            return;
        }
        long extent = n;
        if (start >= 0 && extent > count - start) {
            extent = count - start;
        } else if (start < 0 && extent > -start) {
            extent = -start;
        }
        Position at = new Position();
        if (!locate(start, at)) {
            return;
        }
        Node node = at.node;
        int offset = at.offset;
        while (extent > 0 && node != null) {
            Node next = node.next;
            long del;
            boolean whole = false;
            if (offset == 0 && extent >= node.count) {
                whole = true;
                del = node.count;
            } else if (extent + offset >= node.count) {
                del = node.count - offset;
            } else {
                del = extent;
            }
            if (whole || node.plain) {
                deleteNode(node);
            } else {
                decompressForUse(node);
                int pos = node.lp.seek(offset);
                long removed = 0;
                byte[] a = node.lp.array();
                for (int p = pos, k = 0; k < del && p >= 0; k++, p = node.lp.next(p)) {
                    removed += ListpackSizes.entrySize(a, node.lp.dataOffset(p), node.lp.dataLength(p));
                }
                node.lp.deleteRange(pos, (int) del);
                node.sz -= removed;
                node.count -= (int) del;
                count -= del;
                if (node.count == 0) {
                    deleteNode(node);
                } else {
                    recompressOnly(node);
                }
            }
            extent -= del;
            node = next;
            offset = 0;
        }
    }

    // ---- remove matching (LREM) ---------------------------------------------------------------

    /**
     * Deletes up to {@code limit} elements equal to {@code b[off, off+len)} (0 = all), walking
     * from the head or from the tail. Returns how many were removed.
     */
    long removeMatching(boolean fromTail, long limit, byte[] b, int off, int len) {
        middleChanged();
        long removed = 0;
        Node n = fromTail ? tail : head;
        while (n != null) {
            Node following = fromTail ? n.prev : n.next;
            if (n.plain) {
                byte[] v = readablePlain(n);
                if (Arrays.equals(v, 0, v.length, b, off, off + len)) {
                    deleteNode(n);
                    removed++;
                    if (limit != 0 && removed == limit) {
                        return removed;
                    }
                }
                n = following;
                continue;
            }
            boolean touched = false;
            Listpack view = readable(n);
            int p = fromTail ? view.last() : view.first();
            while (p >= 0) {
                if (view.equalsAt(p, b, off, len)) {
                    if (!touched) {
                        // A decompressed copy has the same byte layout: p stays valid.
                        decompressForUse(n);
                        touched = true;
                    }
                    int nextPos = deleteAt(n, p);
                    removed++;
                    if (n.count == 0) {
                        break; // the node went away with its last element
                    }
                    view = n.lp;
                    if (limit != 0 && removed == limit) {
                        recompressOnly(n);
                        return removed;
                    }
                    p = fromTail ? (nextPos < 0 ? view.last() : view.prev(nextPos)) : nextPos;
                    continue;
                }
                p = fromTail ? view.prev(p) : view.next(p);
            }
            if (touched && n.count > 0) {
                compress(n);
            }
            if (limit != 0 && removed == limit) {
                return removed;
            }
            n = following;
        }
        return removed;
    }

    // ---- conversion and copies ------------------------------------------------------------------

    /** The only node when the list has a single packed node, else null. */
    Node singlePackedNode() {
        return len == 1 && !head.plain ? head : null;
    }

    /** The listpack of the single packed node, made readable (conversion back to listpack). */
    Listpack takeSingleListpack() {
        decompressNode(head);
        return head.lp;
    }

    Quicklist copy() {
        Quicklist q = new Quicklist(fill, compress);
        for (Node n = head; n != null; n = n.next) {
            Node c = new Node();
            c.plain = n.plain;
            c.count = n.count;
            c.sz = n.sz;
            c.rawLen = n.rawLen;
            c.lp = n.lp == null ? null : n.lp.copy();
            c.value = n.value == null ? null : n.value.clone();
            c.lzf = n.lzf == null ? null : n.lzf.clone();
            c.prev = q.tail;
            if (q.tail == null) {
                q.head = c;
            } else {
                q.tail.next = c;
            }
            q.tail = c;
            q.len++;
        }
        q.count = count;
        return q;
    }

    /**
     * Heap bytes held (MEMORY USAGE): with {@code samples} > 0 only that many nodes from the
     * head are measured and the average extrapolated to every node, as Redis does.
     */
    long footprint(long samples) {
        long measured = 0;
        long seen = 0;
        for (Node n = head; n != null && (samples <= 0 || seen < samples); n = n.next, seen++) {
            measured += nodeFootprint(n);
        }
        long nodes = seen == 0 ? 0 : seen == len ? measured : (long) ((double) measured / seen * len);
        return 40 + nodes;
    }

    /**
     * The size the maxmemory accounting counts, asked after every change of the list, so O(1)
     * for the common changes: the head and tail nodes (where pushes and pops happen) are measured
     * every time, the nodes between them only when their number changed or a command worked
     * inside the list (then a sample from the head's side, extrapolated, as {@link #footprint}).
     * Sampling eight cold nodes per LPUSH cost about a tenth of the command.
     */
    long accountedFootprint(int samples) {
        if (len <= 2) {
            return footprint(0);
        }
        if (middleFootprint < 0 || middleLen != len) {
            long measured = 0;
            int seen = 0;
            for (Node n = head.next; n != tail && seen < samples; n = n.next, seen++) {
                measured += nodeFootprint(n);
            }
            middleFootprint = seen == len - 2 ? measured : (long) ((double) measured / seen * (len - 2));
            middleLen = len;
        }
        return 40 + nodeFootprint(head) + nodeFootprint(tail) + middleFootprint;
    }

    /** The nodes between head and tail changed: {@link #accountedFootprint} measures them again. */
    private void middleChanged() {
        middleFootprint = -1;
    }

    private static long nodeFootprint(Node n) {
        long header = 48;
        if (n.lzf != null) {
            return header + ((12L + n.lzf.length + 7) & ~7L);
        } else if (n.plain) {
            return header + ((12L + n.value.length + 7) & ~7L);
        }
        return header + n.lp.footprint();
    }

    /** Redis quicklistRepr-like description for DEBUG QUICKLIST (printed, not replied). */
    String describe(boolean full) {
        StringBuilder sb = new StringBuilder();
        sb.append("{count : ").append(count).append("}\n");
        sb.append("{len : ").append(len).append("}\n");
        sb.append("{fill : ").append(fill).append("}\n");
        sb.append("{compress : ").append(compress).append("}\n");
        int i = 0;
        for (Node n = head; n != null; n = n.next, i++) {
            sb.append("{node ").append(i).append("}\n");
            sb.append("{container : ").append(n.plain ? "PLAIN" : "PACKED").append(", encoding: ")
                    .append(n.compressed() ? "LZF" : "RAW").append(", size: ").append(n.sz)
                    .append(", count: ").append(n.count).append(", recompress: ").append(n.recompress ? 1 : 0)
                    .append("}\n");
            if (full) {
                if (n.plain) {
                    byte[] v = readablePlain(n);
                    sb.append(new String(v, 0, Math.min(v.length, 64), java.nio.charset.StandardCharsets.ISO_8859_1))
                            .append('\n');
                } else {
                    Listpack lp = readable(n);
                    for (int p = lp.first(); p >= 0; p = lp.next(p)) {
                        sb.append("  ").append(new String(lp.array(), lp.dataOffset(p),
                                Math.min(lp.dataLength(p), 64), java.nio.charset.StandardCharsets.ISO_8859_1)).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }
}
