package dev.cinnabar.server.type;

/**
 * A stream entry ID as a key of the pending-entry maps: two unsigned 64-bit numbers (Unix ms and
 * sequence) ordered as Redis orders them (ms first, then sequence, both unsigned). Hot paths
 * pass the two longs around instead of allocating these.
 */
public final class StreamId implements Comparable<StreamId> {
    public final long ms;
    public final long seq;

    public StreamId(long ms, long seq) {
        this.ms = ms;
        this.seq = seq;
    }

    /** Redis streamCompareID for (ms, seq) pairs held as longs. */
    public static int compare(long aMs, long aSeq, long bMs, long bSeq) {
        int c = Long.compareUnsigned(aMs, bMs);
        return c != 0 ? c : Long.compareUnsigned(aSeq, bSeq);
    }

    @Override
    public int compareTo(StreamId o) {
        return compare(ms, seq, o.ms, o.seq);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamId i && i.ms == ms && i.seq == seq;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(ms) * 31 + Long.hashCode(seq);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }
}
