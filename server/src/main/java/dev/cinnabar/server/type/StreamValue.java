package dev.cinnabar.server.type;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.ArgList;
import dev.cinnabar.server.util.ByteKey;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stream (Redis t_stream.c's low level): entries with 128-bit IDs kept in nodes, each node a
 * Redis-format listpack ({@link StreamLp}) holding up to stream-node-max-entries entries or
 * stream-node-max-bytes bytes, and keyed by the ID of its first entry ("master ID").
 *
 * <p>A node starts with a master entry: live count, deleted count, and the field names of the
 * entry that opened it. Every entry stores its ID as a delta from the master ID; an entry whose
 * field names are the master's stores only its values (SAMEFIELDS flag). Each entry ends with
 * the number of elements it spans, so a node can be walked backwards. Deleting marks an entry
 * (DELETED flag) and updates the node's counters; a node whose last live entry goes is dropped.
 * This is Redis's own layout, so node boundaries (and so approximate trimming) and node sizes
 * match Redis exactly, and 1M small entries take about 20 bytes each.
 *
 * <p>Nodes only ever get appended (IDs grow) and removed, so they sit in a sorted array with a
 * moving head: appends are amortized O(1), trimming from the front O(1) per node, lookups
 * O(log nodes). IDs are pairs of unsigned 64-bit numbers held in longs.
 *
 * <p>Knows nothing about clients or replies; not thread-safe.
 */
public final class StreamValue implements RedisValue, Digestible {
    static final int FLAG_DELETED = 1;
    static final int FLAG_SAMEFIELDS = 2;
    /** Redis STREAM_LISTPACK_MAX_SIZE: no node grows past 1 GB whatever the configuration. */
    static final long LISTPACK_MAX_SIZE = 1L << 30;

    /** Results of {@link #add}. */
    public static final int ADD_OK = 0;
    /** The ID is not greater than the stream's last ID (Redis EDOM). */
    public static final int ADD_ID_TOO_SMALL = 1;
    /** The entry is too large for a node (Redis ERANGE). */
    public static final int ADD_TOO_LARGE = 2;

    // Nodes [head, end) in ID order.
    byte[][] nodes = new byte[4][];
    long[] masterMs = new long[4];
    long[] masterSeq = new long[4];
    int head;
    int end;

    public long length;
    public long lastMs;
    public long lastSeq;
    public long firstMs;
    public long firstSeq;
    public long maxDeletedMs;
    public long maxDeletedSeq;
    public long entriesAdded;
    /** Consumer groups by name, created on first use. */
    private TreeMap<ByteKey, StreamGroup> groups;

    @Override
    public String type() {
        return "stream";
    }

    @Override
    public String encoding() {
        return "stream";
    }

    /** Number of nodes (XINFO radix-tree-keys). */
    public int nodeCount() {
        return end - head;
    }

    // ---- adding -------------------------------------------------------------------------------

    /** The ID the last add produced. */
    public long addedMs;
    public long addedSeq;

    /**
     * Redis streamAppendItem: appends an entry with the {@code numFields} field/value pairs in
     * arguments {@code first..} of {@code a}. The ID is {@code (ms, seq)} when {@code idGiven}
     * (with an automatic sequence when {@code seqGiven} is false), else generated from
     * {@code now}. On {@link #ADD_OK} the new ID is in {@link #addedMs}/{@link #addedSeq}.
     */
    public int add(ArgList a, int first, int numFields, boolean idGiven, long ms, long seq, boolean seqGiven,
            long now, long nodeMaxBytes, long nodeMaxEntries) {
        long idMs;
        long idSeq;
        if (idGiven) {
            if (seqGiven) {
                idMs = ms;
                idSeq = seq;
            } else if (lastMs == ms) {
                if (lastSeq == -1L) {
                    return ADD_ID_TOO_SMALL;
                }
                idMs = lastMs;
                idSeq = lastSeq + 1;
            } else {
                idMs = ms;
                idSeq = 0;
            }
        } else if (Long.compareUnsigned(now, lastMs) > 0) {
            idMs = now;
            idSeq = 0;
        } else {
            idMs = lastMs;
            idSeq = lastSeq + 1;
            if (idSeq == 0) {
                idMs++; // wraps to 0-0 after the last possible ID, which the check below refuses
            }
        }
        if (StreamId.compare(idMs, idSeq, lastMs, lastSeq) <= 0) {
            return ADD_ID_TOO_SMALL;
        }
        byte[] d = a.data();
        long totalLen = 0;
        for (int i = 0; i < numFields * 2; i++) {
            totalLen += a.length(first + i);
        }
        if (totalLen > LISTPACK_MAX_SIZE) {
            return ADD_TOO_LARGE;
        }

        byte[] lp = end > head ? nodes[end - 1] : null;
        int sizeHint = 0;
        if (lp != null) {
            long maxBytes = nodeMaxBytes == 0 || nodeMaxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : nodeMaxBytes;
            boolean full = StreamLp.bytes(lp) + totalLen >= maxBytes;
            if (!full && nodeMaxEntries != 0) {
                int p = StreamLp.first(lp);
                long count = StreamLp.intValue(lp, p) + StreamLp.intValue(lp, StreamLp.next(lp, p));
                full = count >= nodeMaxEntries;
            }
            if (full) {
                // The node is final: trim its spare room unless that is small. The next node
                // will likely fill to about the same size, so it starts with that much room
                // (no growth copies on the append path).
                int used = StreamLp.bytes(lp);
                if (lp.length - used > (used >> 5)) {
                    nodes[end - 1] = StreamLp.shrink(lp);
                }
                sizeHint = Math.min(used, 64 * 1024);
                lp = null;
            }
        }

        int flags = 0;
        long mMs;
        long mSeq;
        if (lp == null) {
            mMs = idMs;
            mSeq = idSeq;
            int size = StreamLp.EMPTY_BYTES + 3 * StreamLp.intElementSize(0) + StreamLp.intElementSize(numFields);
            for (int i = 0; i < numFields; i++) {
                size += StreamLp.stringElementSize(d, a.offset(first + 2 * i), a.length(first + 2 * i));
            }
            lp = StreamLp.create(Math.max(size + 64, sizeHint + (sizeHint >> 6)));
            int at = StreamLp.HEADER;
            at += StreamLp.writeInt(lp, at, 1);
            at += StreamLp.writeInt(lp, at, 0);
            at += StreamLp.writeInt(lp, at, numFields);
            for (int i = 0; i < numFields; i++) {
                at += StreamLp.writeString(lp, at, d, a.offset(first + 2 * i), a.length(first + 2 * i));
            }
            at += StreamLp.writeInt(lp, at, 0);
            lp[at] = (byte) StreamLp.EOF;
            StreamLp.setBytes(lp, at + 1);
            StreamLp.setCount(lp, 0);
            StreamLp.addCount(lp, 4 + numFields);
            appendNode(lp, idMs, idSeq);
            flags = FLAG_SAMEFIELDS;
        } else {
            mMs = masterMs[end - 1];
            mSeq = masterSeq[end - 1];
            int p = StreamLp.first(lp);
            lp = StreamLp.replaceInt(lp, p, StreamLp.intValue(lp, p) + 1);
            p = StreamLp.next(lp, p); // deleted count
            p = StreamLp.next(lp, p); // master field count
            long masterFields = StreamLp.intValue(lp, p);
            if (masterFields == numFields) {
                int i = 0;
                for (; i < numFields; i++) {
                    p = StreamLp.next(lp, p);
                    if (!StreamLp.matches(lp, p, d, a.offset(first + 2 * i), a.length(first + 2 * i))) {
                        break;
                    }
                }
                if (i == numFields) {
                    flags = FLAG_SAMEFIELDS;
                }
            }
        }

        boolean same = flags == FLAG_SAMEFIELDS;
        long msDelta = idMs - mMs;
        long seqDelta = idSeq - mSeq;
        long lpCount = 3 + numFields + (same ? 0 : numFields + 1);
        int size = StreamLp.intElementSize(flags) + StreamLp.intElementSize(msDelta)
                + StreamLp.intElementSize(seqDelta) + StreamLp.intElementSize(lpCount);
        if (!same) {
            size += StreamLp.intElementSize(numFields);
        }
        for (int i = 0; i < numFields; i++) {
            if (!same) {
                size += StreamLp.stringElementSize(d, a.offset(first + 2 * i), a.length(first + 2 * i));
            }
            size += StreamLp.stringElementSize(d, a.offset(first + 2 * i + 1), a.length(first + 2 * i + 1));
        }
        lp = StreamLp.ensure(lp, size);
        int at = StreamLp.bytes(lp) - 1;
        at += StreamLp.writeInt(lp, at, flags);
        at += StreamLp.writeInt(lp, at, msDelta);
        at += StreamLp.writeInt(lp, at, seqDelta);
        if (!same) {
            at += StreamLp.writeInt(lp, at, numFields);
        }
        for (int i = 0; i < numFields; i++) {
            if (!same) {
                at += StreamLp.writeString(lp, at, d, a.offset(first + 2 * i), a.length(first + 2 * i));
            }
            at += StreamLp.writeString(lp, at, d, a.offset(first + 2 * i + 1), a.length(first + 2 * i + 1));
        }
        at += StreamLp.writeInt(lp, at, lpCount);
        lp[at] = (byte) StreamLp.EOF;
        StreamLp.setBytes(lp, at + 1);
        StreamLp.addCount(lp, (int) lpCount + 1); // the entry's elements and its lp-count
        nodes[end - 1] = lp;

        length++;
        entriesAdded++;
        lastMs = idMs;
        lastSeq = idSeq;
        if (length == 1) {
            firstMs = idMs;
            firstSeq = idSeq;
        }
        addedMs = idMs;
        addedSeq = idSeq;
        return ADD_OK;
    }

    private void appendNode(byte[] lp, long ms, long seq) {
        if (end == nodes.length) {
            if (head > nodes.length / 2) {
                int n = end - head;
                System.arraycopy(nodes, head, nodes, 0, n);
                System.arraycopy(masterMs, head, masterMs, 0, n);
                System.arraycopy(masterSeq, head, masterSeq, 0, n);
                Arrays.fill(nodes, n, end, null);
                head = 0;
                end = n;
            } else {
                int cap = nodes.length * 2;
                nodes = Arrays.copyOf(nodes, cap);
                masterMs = Arrays.copyOf(masterMs, cap);
                masterSeq = Arrays.copyOf(masterSeq, cap);
            }
        }
        nodes[end] = lp;
        masterMs[end] = ms;
        masterSeq[end] = seq;
        end++;
    }

    /**
     * Appends a node read from an RDB payload (RESTORE, loading): {@code lp} must be a valid
     * stream listpack and its master ID must be above the last node's. The counters (length,
     * last/first/max-deleted IDs, entries added) are the loader's to set. Returns false, with
     * nothing changed, for invalid input.
     */
    public boolean appendLoadedNode(long ms, long seq, byte[] lp) {
        if (!StreamLp.validStreamNode(lp)) {
            return false;
        }
        if (end > head && StreamId.compare(ms, seq, masterMs[end - 1], masterSeq[end - 1]) <= 0) {
            return false;
        }
        appendNode(lp, ms, seq);
        return true;
    }

    /**
     * Checks what a loaded stream must satisfy beyond each node being well formed, because the
     * code walking nodes relies on it and a payload can break it without breaking any node:
     * entry IDs (deleted ones included) strictly increase across the whole stream, no node has
     * lost all its live entries (Redis drops such nodes), and the live entries number
     * {@link #length}.
     */
    public boolean loadedConsistent() {
        long live = 0;
        for (int i = head; i < end; i++) {
            long n = StreamLp.intValue(nodes[i], StreamLp.first(nodes[i]));
            if (n <= 0) {
                return false;
            }
            live += n;
        }
        if (live != length) {
            return false;
        }
        StreamIterator it = new StreamIterator(this, 0, 0, -1L, -1L, false);
        it.skipTombstones = false;
        boolean any = false;
        long pMs = 0;
        long pSeq = 0;
        while (it.next()) {
            if (any && StreamId.compare(pMs, pSeq, it.ms, it.seq) >= 0) {
                return false;
            }
            any = true;
            pMs = it.ms;
            pSeq = it.seq;
        }
        return true;
    }

    private void removeNode(int i) {
        if (i == head) {
            nodes[head++] = null;
        } else {
            System.arraycopy(nodes, i + 1, nodes, i, end - i - 1);
            System.arraycopy(masterMs, i + 1, masterMs, i, end - i - 1);
            System.arraycopy(masterSeq, i + 1, masterSeq, i, end - i - 1);
            nodes[--end] = null;
        }
        if (head == end) {
            head = end = 0;
        }
    }

    /** Index of the last node whose master ID is <= (ms, seq), or -1 (Redis raxSeek "<="). */
    int floorNode(long ms, long seq) {
        int lo = head;
        int hi = end - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (StreamId.compare(masterMs[mid], masterSeq[mid], ms, seq) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    // ---- reading ------------------------------------------------------------------------------

    /**
     * An iterator over entries with IDs in [start, end] (both inclusive), forwards or backwards,
     * skipping deleted entries (Redis streamIteratorStart).
     */
    public StreamIterator iterator(long startMs, long startSeq, long endMs, long endSeq, boolean rev) {
        return new StreamIterator(this, startMs, startSeq, endMs, endSeq, rev);
    }

    /** Whether the entry exists and is not deleted (Redis streamEntryExists). */
    public boolean exists(long ms, long seq) {
        StreamIterator it = iterator(ms, seq, ms, seq, false);
        return it.next();
    }

    /**
     * Redis streamGetEdgeID: the first or last entry's ID, optionally counting deleted ones;
     * when there is none, the maximal ID for the first and 0-0 for the last. Returned in
     * {@link #addedMs}/{@link #addedSeq}-like out fields {@link #edgeMs}/{@link #edgeSeq}.
     */
    public void edge(boolean first, boolean skipTombstones) {
        StreamIterator it = new StreamIterator(this, 0, 0, -1L, -1L, !first);
        it.skipTombstones = skipTombstones;
        if (it.next()) {
            edgeMs = it.ms;
            edgeSeq = it.seq;
        } else {
            edgeMs = first ? -1L : 0;
            edgeSeq = first ? -1L : 0;
        }
    }

    public long edgeMs;
    public long edgeSeq;

    // ---- deleting -----------------------------------------------------------------------------

    /**
     * Redis streamDeleteItem: marks the live entry with this ID deleted (dropping its node when
     * it was the node's last live entry). Returns whether there was one. Does not update the
     * first ID or the maximal deleted ID: XDEL does that for the whole batch.
     */
    public boolean delete(long ms, long seq) {
        int n = floorNode(ms, seq);
        if (n < 0) {
            return false;
        }
        byte[] lp = nodes[n];
        long mMs = masterMs[n];
        long mSeq = masterSeq[n];
        int p = StreamLp.first(lp);
        p = StreamLp.next(lp, p);
        p = StreamLp.next(lp, p);
        long masterFields = StreamLp.intValue(lp, p);
        for (long i = 0; i <= masterFields; i++) {
            p = StreamLp.next(lp, p); // master fields, then the master terminator
        }
        while ((p = StreamLp.next(lp, p)) != -1) {
            int flagsPos = p;
            int flags = (int) StreamLp.intValue(lp, p);
            p = StreamLp.next(lp, p);
            long eMs = mMs + StreamLp.intValue(lp, p);
            p = StreamLp.next(lp, p);
            long eSeq = mSeq + StreamLp.intValue(lp, p);
            int c = StreamId.compare(eMs, eSeq, ms, seq);
            if (c > 0) {
                return false;
            }
            if (c == 0 && (flags & FLAG_DELETED) == 0) {
                markDeleted(n, flagsPos, flags);
                return true;
            }
            p = skipEntryRest(lp, p, flags, masterFields);
        }
        return false;
    }

    /** From an entry's seq-delta element to its lp-count element. */
    private static int skipEntryRest(byte[] lp, int p, int flags, long masterFields) {
        long skip;
        p = StreamLp.next(lp, p);
        if ((flags & FLAG_SAMEFIELDS) != 0) {
            skip = masterFields;
        } else {
            skip = StreamLp.intValue(lp, p) * 2;
            p = StreamLp.next(lp, p);
        }
        for (long i = 0; i < skip; i++) {
            p = StreamLp.next(lp, p);
        }
        return p;
    }

    private void markDeleted(int n, int flagsPos, int flags) {
        byte[] lp = nodes[n];
        StreamLp.writeInt(lp, flagsPos, flags | FLAG_DELETED); // flags are 0..3: same size in place
        int p = StreamLp.first(lp);
        long live = StreamLp.intValue(lp, p);
        if (live == 1) {
            removeNode(n);
        } else {
            lp = StreamLp.replaceInt(lp, p, live - 1);
            p = StreamLp.next(lp, p);
            lp = StreamLp.replaceInt(lp, p, StreamLp.intValue(lp, p) + 1);
            nodes[n] = lp;
        }
        length--;
    }

    /**
     * Redis streamTrim: removes entries from the head, by length ({@code byLength}: keep at most
     * {@code maxLen}) or by ID (drop IDs below {@code minMs-minSeq}). {@code approx} removes only
     * whole nodes; {@code limit} (0 = none) caps the entries removed. Returns the number removed.
     */
    public long trim(boolean byLength, long maxLen, long minMs, long minSeq, boolean approx, long limit) {
        long deleted = 0;
        while (head < end) {
            if (byLength && length <= maxLen) {
                break;
            }
            byte[] lp = nodes[head];
            int p = StreamLp.first(lp);
            long entries = StreamLp.intValue(lp, p);
            if (limit != 0 && deleted + entries > limit) {
                break;
            }
            long mMs = masterMs[head];
            long mSeq = masterSeq[head];
            boolean removeNode;
            if (byLength) {
                removeNode = length - entries >= maxLen;
            } else {
                long[] lastId = lastInNode(head);
                removeNode = StreamId.compare(lastId[0], lastId[1], minMs, minSeq) < 0;
            }
            if (removeNode) {
                removeNode(head);
                length -= entries;
                deleted += entries;
                continue;
            }
            if (approx) {
                break;
            }
            long fromNode = 0;
            p = StreamLp.next(lp, p); // deleted count
            p = StreamLp.next(lp, p); // master field count
            long masterFields = StreamLp.intValue(lp, p);
            for (long i = 0; i <= masterFields; i++) {
                p = StreamLp.next(lp, p);
            }
            p = StreamLp.next(lp, p); // first entry's flags
            while (p != -1) {
                int flagsPos = p;
                int flags = (int) StreamLp.intValue(lp, p);
                p = StreamLp.next(lp, p);
                long eMs = mMs + StreamLp.intValue(lp, p);
                p = StreamLp.next(lp, p);
                long eSeq = mSeq + StreamLp.intValue(lp, p);
                boolean stop = byLength ? length <= maxLen : StreamId.compare(eMs, eSeq, minMs, minSeq) >= 0;
                if (stop) {
                    break;
                }
                p = skipEntryRest(lp, p, flags, masterFields);
                p = StreamLp.next(lp, p);
                if ((flags & FLAG_DELETED) == 0) {
                    StreamLp.writeInt(lp, flagsPos, flags | FLAG_DELETED);
                    fromNode++;
                    length--;
                }
            }
            deleted += fromNode;
            p = StreamLp.first(lp);
            lp = StreamLp.replaceInt(lp, p, entries - fromNode);
            p = StreamLp.next(lp, p);
            lp = StreamLp.replaceInt(lp, p, StreamLp.intValue(lp, p) + fromNode);
            nodes[head] = lp;
            break; // there was enough to delete within this node
        }
        if (length == 0) {
            firstMs = 0;
            firstSeq = 0;
        } else if (deleted > 0) {
            edge(true, true);
            firstMs = edgeMs;
            firstSeq = edgeSeq;
        }
        return deleted;
    }

    /** The ID of the last entry of node {@code n}, deleted or not (Redis lpGetEdgeStreamID). */
    private long[] lastInNode(int n) {
        byte[] lp = nodes[n];
        int p = StreamLp.last(lp);
        long count = StreamLp.intValue(lp, p);
        for (long i = 0; i < count; i++) {
            p = StreamLp.prev(lp, p);
        }
        p = StreamLp.next(lp, p);
        long ms = masterMs[n] + StreamLp.intValue(lp, p);
        p = StreamLp.next(lp, p);
        long seq = masterSeq[n] + StreamLp.intValue(lp, p);
        return new long[] {ms, seq};
    }

    /** Redis streamLastValidID: the last live entry's ID, or 0-0 (in edgeMs/edgeSeq). */
    public void lastValid() {
        edge(false, true);
    }

    // ---- consumer groups ------------------------------------------------------------------------

    public StreamGroup group(byte[] d, int off, int len) {
        return groups == null ? null : groups.get(ByteKey.of(d, off, len));
    }

    /** Creates a group; null when one of that name exists (Redis streamCreateCG). */
    public StreamGroup createGroup(byte[] d, int off, int len, long ms, long seq, long entriesRead) {
        if (groups == null) {
            groups = new TreeMap<>();
        }
        ByteKey k = ByteKey.of(d, off, len);
        if (groups.containsKey(k)) {
            return null;
        }
        StreamGroup g = new StreamGroup(ms, seq, entriesRead);
        groups.put(k, g);
        return g;
    }

    public boolean destroyGroup(byte[] d, int off, int len) {
        return groups != null && groups.remove(ByteKey.of(d, off, len)) != null;
    }

    /** The groups by name (bytewise order); empty when there are none. */
    public Map<ByteKey, StreamGroup> groups() {
        return groups == null ? Map.of() : groups;
    }

    public int groupCount() {
        return groups == null ? 0 : groups.size();
    }

    // ---- lag (Redis 7 logical read counters) ----------------------------------------------------

    /**
     * Redis streamRangeHasTombstones: whether [start, end] (end null = +inf) may hold a deleted
     * entry, judged by the maximal deleted ID.
     */
    public boolean rangeHasTombstones(long startMs, long startSeq, boolean toEnd, long endMs, long endSeq) {
        if (length == 0 || (maxDeletedMs == 0 && maxDeletedSeq == 0)) {
            return false;
        }
        if (StreamId.compare(firstMs, firstSeq, maxDeletedMs, maxDeletedSeq) > 0) {
            return false;
        }
        long eMs = toEnd ? -1L : endMs;
        long eSeq = toEnd ? -1L : endSeq;
        return StreamId.compare(startMs, startSeq, maxDeletedMs, maxDeletedSeq) <= 0
                && StreamId.compare(maxDeletedMs, maxDeletedSeq, eMs, eSeq) <= 0;
    }

    /**
     * Redis streamEstimateDistanceFromFirstEverEntry: the logical read counter of an ID, or
     * {@link StreamGroup#ENTRIES_READ_INVALID} when it cannot be known.
     */
    public long estimateDistance(long ms, long seq) {
        if (entriesAdded == 0) {
            return 0;
        }
        if (length == 0 && StreamId.compare(ms, seq, lastMs, lastSeq) < 1) {
            return entriesAdded;
        }
        int cmpLast = StreamId.compare(ms, seq, lastMs, lastSeq);
        if (cmpLast == 0) {
            return entriesAdded;
        } else if (cmpLast > 0) {
            return StreamGroup.ENTRIES_READ_INVALID;
        }
        int cmpFirst = StreamId.compare(ms, seq, firstMs, firstSeq);
        int cmpDelFirst = StreamId.compare(maxDeletedMs, maxDeletedSeq, firstMs, firstSeq);
        if ((maxDeletedMs == 0 && maxDeletedSeq == 0) || cmpDelFirst < 0) {
            if (cmpFirst < 0) {
                return entriesAdded - length;
            } else if (cmpFirst == 0) {
                return entriesAdded - length + 1;
            }
        }
        return StreamGroup.ENTRIES_READ_INVALID;
    }

    /** {@link #lag} when the lag cannot be known. */
    public static final long LAG_UNKNOWN = Long.MIN_VALUE;

    /**
     * Redis streamReplyWithCGLag's value: the group's lag (negative after an XSETID lowered the
     * added-entries counter), or {@link #LAG_UNKNOWN}.
     */
    public long lag(StreamGroup g) {
        if (entriesAdded == 0) {
            return 0;
        }
        if (g.entriesRead != StreamGroup.ENTRIES_READ_INVALID
                && !rangeHasTombstones(g.lastMs, g.lastSeq, true, 0, 0)) {
            return entriesAdded - g.entriesRead;
        }
        long read = estimateDistance(g.lastMs, g.lastSeq);
        return read == StreamGroup.ENTRIES_READ_INVALID ? LAG_UNKNOWN : entriesAdded - read;
    }

    // ---- introspection --------------------------------------------------------------------------

    /** Receives the nodes of a stream in ID order (RDB writing). */
    public interface NodeVisitor {
        /** A node: its master ID and its Redis listpack, {@code lp[0, bytes)}. */
        void node(long masterMs, long masterSeq, byte[] lp, int bytes);
    }

    public void forEachNode(NodeVisitor v) {
        for (int i = head; i < end; i++) {
            v.node(masterMs[i], masterSeq[i], nodes[i], StreamLp.bytes(nodes[i]));
        }
    }

    /**
     * XINFO radix-tree-nodes: Redis reports the node count of the radix tree holding the master
     * IDs (16-byte big-endian keys). We keep no radix tree, so this counts the nodes of the
     * compressed radix tree of those keys: a head node, one node per branching point, one per
     * run of single-child bytes, one leaf per key. Redis's rax has that shape after appends and
     * deletions alike (the differential test compares the numbers).
     */
    public long radixTreeNodes() {
        int n = end - head;
        if (n == 0) {
            return 1;
        }
        byte[][] keys = new byte[n][];
        for (int i = 0; i < n; i++) {
            byte[] k = new byte[16];
            for (int b = 0; b < 8; b++) {
                k[b] = (byte) (masterMs[head + i] >>> (56 - 8 * b));
                k[8 + b] = (byte) (masterSeq[head + i] >>> (56 - 8 * b));
            }
            keys[i] = k;
        }
        return trieNodes(keys, 0, n, 0);
    }

    private static long trieNodes(byte[][] keys, int from, int to, int depth) {
        if (to - from == 1) {
            return depth == 16 ? 1 : 2;
        }
        int common = depth;
        while (common < 16 && keys[from][common] == keys[to - 1][common]) {
            common++;
        }
        long nodes = (common > depth ? 1 : 0) + 1;
        int i = from;
        while (i < to) {
            int j = i + 1;
            while (j < to && keys[j][common] == keys[i][common]) {
                j++;
            }
            nodes += trieNodes(keys, i, j, common + 1);
            i = j;
        }
        return nodes;
    }

    @Override
    public RedisValue copy() {
        StreamValue s = new StreamValue();
        int n = end - head;
        int cap = Math.max(4, n);
        s.nodes = new byte[cap][];
        s.masterMs = new long[cap];
        s.masterSeq = new long[cap];
        for (int i = 0; i < n; i++) {
            s.nodes[i] = StreamLp.shrink(nodes[head + i]).clone();
            s.masterMs[i] = masterMs[head + i];
            s.masterSeq[i] = masterSeq[head + i];
        }
        s.end = n;
        s.length = length;
        s.lastMs = lastMs;
        s.lastSeq = lastSeq;
        s.firstMs = firstMs;
        s.firstSeq = firstSeq;
        s.maxDeletedMs = maxDeletedMs;
        s.maxDeletedSeq = maxDeletedSeq;
        s.entriesAdded = entriesAdded;
        if (groups != null) {
            s.groups = new TreeMap<>();
            for (Map.Entry<ByteKey, StreamGroup> e : groups.entrySet()) {
                s.groups.put(e.getKey(), e.getValue().copy());
            }
        }
        return s;
    }

    @Override
    public long memoryUsage(long samples) {
        long n = 96 + 40L * nodes.length;
        for (int i = head; i < end; i++) {
            n += 16 + ((nodes[i].length + 7) & ~7L);
        }
        if (groups != null) {
            for (Map.Entry<ByteKey, StreamGroup> e : groups.entrySet()) {
                n += 48 + e.getKey().bytes().length + e.getValue().memoryUsage();
            }
        }
        return n;
    }

    /** Redis xorObjectDigest for streams: "ms.seq" of each entry, then its fields and values. */
    @Override
    public void digest(ValueDigest d) {
        byte[] buf = new byte[48];
        StreamIterator it = iterator(0, 0, -1L, -1L, false);
        while (it.next()) {
            int n = StreamIds.putUnsigned(buf, 0, it.ms);
            buf[n++] = '.';
            n = StreamIds.putUnsigned(buf, n, it.seq);
            d.mix(buf, 0, n);
            for (int i = 0; i < it.numFields; i++) {
                it.nextField();
                mixElement(d, it.node(), it.fieldPos(), buf);
                mixElement(d, it.node(), it.valuePos(), buf);
            }
        }
    }

    private static void mixElement(ValueDigest d, byte[] lp, int p, byte[] buf) {
        if (StreamLp.isInt(lp, p)) {
            int n = Ascii.putLong(buf, 0, StreamLp.intValue(lp, p));
            d.mix(buf, 0, n);
        } else {
            d.mix(lp, StreamLp.strOffset(lp, p), StreamLp.strLength(lp, p));
        }
    }
}
