package dev.cinnabar.server.family;

import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.type.StreamIds;
import dev.cinnabar.server.type.StreamIterator;
import dev.cinnabar.server.type.StreamLp;
import dev.cinnabar.server.type.StreamValue;

/**
 * Stream reply shapes: IDs as "ms-seq" bulk strings and entries as [id, [field, value, ...]],
 * written straight from the stream's nodes. A projection (FIELDS) keeps only the named fields
 * of each entry, in the entry's order.
 */
final class StreamReplies {
    private StreamReplies() {}

    /** Fields to keep: arguments {@code [first, first+count)} of the running command; count 0 = all. */
    record Projection(int first, int count) {
        static final Projection ALL = new Projection(0, 0);

        boolean all() {
            return count == 0;
        }
    }

    static void id(Client c, long ms, long seq) {
        byte[] t = StreamArgs.scratch().text;
        int n = StreamIds.format(t, 0, ms, seq);
        c.reply.bulk(t, 0, n);
    }

    /** One listpack element as a bulk string (integers are printed back in decimal). */
    static void element(ReplyWriter r, byte[] lp, int p) {
        if (StreamLp.isInt(lp, p)) {
            r.bulkLong(StreamLp.intValue(lp, p));
        } else {
            r.bulk(lp, StreamLp.strOffset(lp, p), StreamLp.strLength(lp, p));
        }
    }

    /** The iterator's current entry as [id, [field, value ...]]. */
    static void entry(Client c, StreamIterator it, Projection proj) {
        ReplyWriter r = c.reply;
        r.arrayLen(2);
        id(c, it.ms, it.seq);
        int n = it.numFields;
        if (proj.all()) {
            r.arrayLen(2L * n);
            for (int i = 0; i < n; i++) {
                it.nextField();
                element(r, it.node(), it.fieldPos());
                element(r, it.node(), it.valuePos());
            }
            return;
        }
        int token = r.deferLen();
        int kept = 0;
        byte[] d = c.argData();
        for (int i = 0; i < n; i++) {
            it.nextField();
            byte[] lp = it.node();
            int fp = it.fieldPos();
            for (int j = proj.first(); j < proj.first() + proj.count(); j++) {
                if (StreamLp.matches(lp, fp, d, c.argOff(j), c.argLen(j))) {
                    element(r, lp, fp);
                    element(r, lp, it.valuePos());
                    kept++;
                    break;
                }
            }
        }
        r.setDeferredArrayLen(token, 2L * kept);
    }

    /**
     * Redis streamReplyWithRange without a group, RAWENTRIES: the single entry (ms, seq) if it
     * exists; returns whether it did.
     */
    static boolean single(Client c, StreamValue s, long ms, long seq, Projection proj) {
        StreamIterator it = s.iterator(ms, seq, ms, seq, false);
        if (!it.next()) {
            return false;
        }
        entry(c, it, proj);
        return true;
    }

    /**
     * Redis streamReplyWithRange without a group: entries in [start, end] (reversed when
     * {@code rev}), at most {@code count} (0 = all), as an array. Returns how many.
     */
    static long range(Client c, StreamValue s, long startMs, long startSeq, long endMs, long endSeq, long count,
            boolean rev, Projection proj) {
        int token = c.reply.deferLen();
        long n = 0;
        StreamIterator it = s.iterator(startMs, startSeq, endMs, endSeq, rev);
        while (it.next()) {
            entry(c, it, proj);
            n++;
            if (count != 0 && n == count) {
                break;
            }
        }
        c.reply.setDeferredArrayLen(token, n);
        return n;
    }
}
