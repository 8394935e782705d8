package dev.cinnabar.server.type;

/**
 * Walks the entries of a {@link StreamValue} with IDs in [start, end], forwards or backwards
 * (Redis streamIterator). After {@link #next} returns true, {@link #ms}, {@link #seq} and
 * {@link #numFields} describe the entry, and each {@link #nextField} call exposes one field and
 * its value as listpack element positions in {@link #node()} (read them with {@link StreamLp}).
 * The stream must not change while an iterator is in use.
 */
public final class StreamIterator {
    private final StreamValue s;
    private final boolean rev;
    private final long startMs;
    private final long startSeq;
    private final long endMs;
    private final long endSeq;
    /** Whether deleted entries are skipped (the default). */
    boolean skipTombstones = true;

    /** Next node index to load (forward: increasing; backward: decreasing). */
    private int nodeIdx;
    private byte[] lp;
    private long mMs;
    private long mSeq;
    private int masterFields;
    private int masterFieldsStart;
    /** Forward: position of the element before the next entry (lp-count or master terminator). */
    private int cursor;
    private boolean done;

    /** The current entry. */
    public long ms;
    public long seq;
    public int numFields;
    private int flags;
    private int flagsPos;
    private int fieldsStart;
    private int fieldsRead;
    private int masterPtr;
    private int fieldPos;
    private int valuePos;

    StreamIterator(StreamValue s, long startMs, long startSeq, long endMs, long endSeq, boolean rev) {
        this.s = s;
        this.rev = rev;
        this.startMs = startMs;
        this.startSeq = startSeq;
        this.endMs = endMs;
        this.endSeq = endSeq;
        if (!rev) {
            int n = (startMs != 0 || startSeq != 0) ? s.floorNode(startMs, startSeq) : -1;
            nodeIdx = n < 0 ? s.head : n;
        } else {
            nodeIdx = (endMs != 0 || endSeq != 0) ? s.floorNode(endMs, endSeq) : s.end - 1;
            if (nodeIdx < s.head) {
                done = true;
            }
        }
    }

    /** Advances to the next entry in range; false when there is none. */
    public boolean next() {
        if (done) {
            return false;
        }
        while (true) {
            if (lp == null) {
                if (!loadNode()) {
                    done = true;
                    return false;
                }
            } else if (!rev) {
                finishEntry();
            }
            if (!rev) {
                int p = StreamLp.next(lp, cursor);
                if (p == -1) {
                    lp = null;
                    continue;
                }
                readEntry(p);
                if (StreamId.compare(ms, seq, startMs, startSeq) >= 0 && !skipped()) {
                    if (StreamId.compare(ms, seq, endMs, endSeq) > 0) {
                        done = true;
                        return false;
                    }
                    return true;
                }
                cursor = skipFields(fieldsStart, numFields);
                fieldsRead = numFields;
            } else {
                // cursor is the lp-count of the entry to look at, or the master terminator.
                long lpCount = StreamLp.intValue(lp, cursor);
                if (lpCount == 0) {
                    lp = null;
                    continue;
                }
                int p = cursor;
                for (long i = 0; i < lpCount; i++) {
                    p = StreamLp.prev(lp, p);
                }
                readEntry(p);
                cursor = StreamLp.prev(lp, flagsPos);
                if (StreamId.compare(ms, seq, endMs, endSeq) <= 0 && !skipped()) {
                    if (StreamId.compare(ms, seq, startMs, startSeq) < 0) {
                        done = true;
                        return false;
                    }
                    return true;
                }
            }
        }
    }

    private boolean skipped() {
        return skipTombstones && (flags & StreamValue.FLAG_DELETED) != 0;
    }

    private boolean loadNode() {
        if (rev ? nodeIdx < s.head : nodeIdx >= s.end) {
            return false;
        }
        lp = s.nodes[nodeIdx];
        mMs = s.masterMs[nodeIdx];
        mSeq = s.masterSeq[nodeIdx];
        nodeIdx += rev ? -1 : 1;
        int p = StreamLp.first(lp); // live count
        p = StreamLp.next(lp, p); // deleted count
        p = StreamLp.next(lp, p); // master field count
        masterFields = (int) StreamLp.intValue(lp, p);
        masterFieldsStart = StreamLp.next(lp, p);
        if (!rev) {
            p = masterFieldsStart;
            for (int i = 0; i < masterFields; i++) {
                p = StreamLp.next(lp, p);
            }
            cursor = p; // the master terminator
        } else {
            cursor = StreamLp.last(lp);
        }
        return true;
    }

    /** Reads the entry whose flags element is at {@code p}. */
    private void readEntry(int p) {
        flagsPos = p;
        flags = (int) StreamLp.intValue(lp, p);
        p = StreamLp.next(lp, p);
        ms = mMs + StreamLp.intValue(lp, p);
        p = StreamLp.next(lp, p);
        seq = mSeq + StreamLp.intValue(lp, p);
        p = StreamLp.next(lp, p);
        if ((flags & StreamValue.FLAG_SAMEFIELDS) != 0) {
            numFields = masterFields;
        } else {
            numFields = (int) StreamLp.intValue(lp, p);
            p = StreamLp.next(lp, p);
        }
        fieldsStart = p;
        fieldsRead = 0;
        masterPtr = masterFieldsStart;
    }

    /** Forward: moves the cursor to the current entry's lp-count element. */
    private void finishEntry() {
        if (fieldsRead < numFields) {
            // Re-walk from the start of the fields: callers rarely stop half-way.
            cursor = skipFields(fieldsStart, numFields);
            fieldsRead = numFields;
        }
    }

    private int skipFields(int p, int n) {
        long skip = (flags & StreamValue.FLAG_SAMEFIELDS) != 0 ? n : 2L * n;
        for (long i = 0; i < skip; i++) {
            p = StreamLp.next(lp, p);
        }
        return p;
    }

    /** Moves to the entry's next field/value pair. */
    public void nextField() {
        int p = fieldsRead == 0 ? fieldsStart : valueNext;
        if ((flags & StreamValue.FLAG_SAMEFIELDS) != 0) {
            fieldPos = masterPtr;
            masterPtr = StreamLp.next(lp, masterPtr);
            valuePos = p;
        } else {
            fieldPos = p;
            valuePos = StreamLp.next(lp, p);
        }
        valueNext = StreamLp.next(lp, valuePos);
        fieldsRead++;
        if (fieldsRead == numFields && !rev) {
            cursor = valueNext;
        }
    }

    private int valueNext;

    /** The listpack holding the current entry. */
    public byte[] node() {
        return lp;
    }

    public int fieldPos() {
        return fieldPos;
    }

    public int valuePos() {
        return valuePos;
    }
}
