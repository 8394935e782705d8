package dev.cinnabar.server.family;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.replication.Propagation;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.config.EncodingParams;
import dev.cinnabar.server.family.StreamArgs.Scratch;
import dev.cinnabar.server.family.StreamReplies.Projection;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.type.StreamId;
import dev.cinnabar.server.type.StreamValue;

/**
 * Stream commands without consumer groups (Redis t_stream.c): XADD, XLEN, XRANGE, XREVRANGE,
 * XDEL, XTRIM and XSETID over {@link StreamValue}. XREAD/XREADGROUP live in
 * {@link StreamRead}, the group commands in {@link StreamGroupFamily}, XINFO in
 * {@link StreamInfo}.
 *
 * <p>Beyond Redis: XRANGE and XREVRANGE accept {@code FIELDS n f1 .. fn} after the range, and
 * then return only those fields of each entry.
 */
public final class StreamFamily {
    private StreamFamily() {}

    public static void register(CommandTable t) {
        t.bind("xadd", StreamFamily::xadd)
                .bind("xlen", StreamFamily::xlen)
                .bind("xrange", c -> xrange(c, false))
                .bind("xrevrange", c -> xrange(c, true))
                .bind("xdel", StreamFamily::xdel)
                .bind("xtrim", StreamFamily::xtrim)
                .bind("xsetid", StreamFamily::xsetid);
        StreamRead.register(t);
        StreamGroupFamily.register(t);
        StreamInfo.register(t);
    }

    // Keyspace events (Redis notifies them under the "t" class).
    static final byte[] EV_XADD = Ascii.bytes("xadd");
    static final byte[] EV_XTRIM = Ascii.bytes("xtrim");
    static final byte[] EV_XDEL = Ascii.bytes("xdel");
    static final byte[] EV_XSETID = Ascii.bytes("xsetid");
    static final byte[] EV_GROUP_CREATE = Ascii.bytes("xgroup-create");
    static final byte[] EV_GROUP_SETID = Ascii.bytes("xgroup-setid");
    static final byte[] EV_GROUP_DESTROY = Ascii.bytes("xgroup-destroy");
    static final byte[] EV_CONSUMER_CREATE = Ascii.bytes("xgroup-createconsumer");
    static final byte[] EV_CONSUMER_DELETE = Ascii.bytes("xgroup-delconsumer");

    private static final byte[] W_MAXLEN = Ascii.bytes("maxlen");
    private static final byte[] W_MINID = Ascii.bytes("minid");
    private static final byte[] W_LIMIT = Ascii.bytes("limit");
    private static final byte[] W_NOMKSTREAM = Ascii.bytes("nomkstream");
    private static final byte[] W_COUNT = Ascii.bytes("count");
    private static final byte[] W_ENTRIESADDED = Ascii.bytes("entriesadded");
    private static final byte[] W_MAXDELETEDID = Ascii.bytes("maxdeletedid");

    static void notify(Client c, byte[] event, int keyArg) {
        KeyEvents.fire(c, KeyEvents.STREAM, event, keyArg);
    }

    // ---- XADD / XTRIM argument parsing -----------------------------------------------------------

    /** Parsed XADD/XTRIM options (Redis streamAddTrimArgs). */
    private static final class TrimArgs {
        boolean idGiven;
        boolean seqGiven;
        long idMs;
        long idSeq;
        boolean noMkStream;
        /** 0 none, 1 MAXLEN, 2 MINID. */
        int strategy;
        boolean approx;
        long limit;
        /** Argument index of the MAXLEN count / MINID id (its "~" is just before it when approx). */
        int thresholdArg;
        long maxLen;
        long minMs;
        long minSeq;
    }

    private static final ThreadLocal<TrimArgs> TRIM_ARGS = ThreadLocal.withInitial(TrimArgs::new);

    /**
     * Redis streamParseAddOrTrimArgsOrReply: returns the index of the ID argument (XADD) or of
     * the end of the options, or -1 after replying an error.
     */
    private static int parseAddOrTrim(Client c, TrimArgs a, boolean xadd, Scratch s) {
        a.idGiven = false;
        a.seqGiven = true;
        a.noMkStream = false;
        a.strategy = 0;
        a.approx = false;
        a.limit = 0;
        a.maxLen = 0;
        int argc = c.argc();
        boolean limitGiven = false;
        int i = 2;
        for (; i < argc; i++) {
            int more = argc - 1 - i;
            if (xadd && StreamArgs.argIsChar(c, i, '*')) {
                break;
            } else if (c.argIs(i, W_MAXLEN) && more > 0) {
                if (a.strategy != 0) {
                    c.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                    return -1;
                }
                a.approx = false;
                if (more >= 2 && StreamArgs.argIsChar(c, i + 1, '~')) {
                    a.approx = true;
                    i++;
                } else if (more >= 2 && StreamArgs.argIsChar(c, i + 1, '=')) {
                    i++;
                }
                if (!c.parseLong(i + 1)) {
                    return -1;
                }
                a.thresholdArg = i + 1;
                a.maxLen = c.parsed();
                if (a.maxLen < 0) {
                    c.error("ERR The MAXLEN argument must be >= 0.");
                    return -1;
                }
                i++;
                a.strategy = 1;
            } else if (c.argIs(i, W_MINID) && more > 0) {
                if (a.strategy != 0) {
                    c.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                    return -1;
                }
                a.approx = false;
                if (more >= 2 && StreamArgs.argIsChar(c, i + 1, '~')) {
                    a.approx = true;
                    i++;
                } else if (more >= 2 && StreamArgs.argIsChar(c, i + 1, '=')) {
                    i++;
                }
                if (!StreamArgs.parseId(c, i + 1, 0, true, false, false, s)) {
                    return -1;
                }
                a.thresholdArg = i + 1;
                a.minMs = s.ms;
                a.minSeq = s.seq;
                i++;
                a.strategy = 2;
            } else if (c.argIs(i, W_LIMIT) && more > 0) {
                if (!c.parseLong(i + 1)) {
                    return -1;
                }
                a.limit = c.parsed();
                if (a.limit < 0) {
                    c.error("ERR The LIMIT argument must be >= 0.");
                    return -1;
                }
                limitGiven = true;
                i++;
            } else if (xadd && c.argIs(i, W_NOMKSTREAM)) {
                a.noMkStream = true;
            } else if (xadd) {
                if (!StreamArgs.parseId(c, i, 0, true, true, false, s)) {
                    return -1;
                }
                a.idGiven = true;
                a.seqGiven = s.seqGiven;
                a.idMs = s.ms;
                a.idSeq = s.seq;
                break;
            } else {
                c.syntaxError();
                return -1;
            }
        }
        if (a.limit != 0 && a.strategy == 0) {
            c.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
            return -1;
        }
        if (!xadd && a.strategy == 0) {
            c.error("ERR syntax error, XTRIM must be called with a trimming strategy");
            return -1;
        }
        if (c.has(Client.MASTER)) {
            // From our master: its trimming threshold was rewritten to the exact result, so no
            // LIMIT applies (and "= n LIMIT m" is accepted), as Redis's mustObeyClient.
            a.limit = 0;
        } else if (limitGiven) {
            if (!a.approx) {
                c.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
                return -1;
            }
        } else if (a.approx) {
            // Approximate trimming is capped at 100 nodes' worth of work by default.
            long limit = 100 * c.server.config.encoding.streamNodeMaxEntries.get();
            if (limit <= 0) {
                limit = 10000;
            }
            a.limit = Math.min(limit, 1000000);
        } else {
            a.limit = 0;
        }
        return i;
    }

    private static final byte[] EQUALS = Ascii.bytes("=");

    /**
     * Redis streamRewriteApproxSpecifier + streamRewriteTrimArgument: an approximate trim goes to
     * replicas as an exact one to the result reached here ("= length" or "= first ID"), so they
     * trim exactly as much whatever their node sizes.
     */
    private static void rewriteTrim(Client c, Propagation p, StreamValue st, TrimArgs a) {
        p.rewriteArg(c, a.thresholdArg - 1, EQUALS);
        if (a.strategy == 1) {
            p.rewriteArg(c, a.thresholdArg, Ascii.longBytes(st.length));
        } else {
            st.edge(true, false);
            p.rewriteArg(c, a.thresholdArg, StreamPropagation.idText(st.edgeMs, st.edgeSeq));
        }
    }

    /** Runs the parsed trimming on {@code s}; returns the entries removed. */
    private static long trim(StreamValue s, TrimArgs a) {
        if (a.strategy == 0) {
            return 0;
        }
        return s.trim(a.strategy == 1, a.maxLen, a.minMs, a.minSeq, a.approx, a.limit);
    }

    // ---- commands -------------------------------------------------------------------------------

    /** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...] */
    static void xadd(Client c) {
        c.dirtyChanges = 0;
        Scratch s = StreamArgs.scratch();
        TrimArgs a = TRIM_ARGS.get();
        int idPos = parseAddOrTrim(c, a, true, s);
        if (idPos < 0) {
            return;
        }
        int fieldPos = idPos + 1;
        int argc = c.argc();
        if (argc - fieldPos < 2 || ((argc - fieldPos) & 1) == 1) {
            c.arityError();
            return;
        }
        if (a.idGiven && a.seqGiven && a.idMs == 0 && a.idSeq == 0) {
            c.error("ERR The ID specified in XADD must be greater than 0-0");
            return;
        }
        Object e = c.db.lookupWrite(c, 1);
        StreamValue st;
        if (e == null) {
            if (a.noMkStream) {
                c.reply.nullBulk();
                return;
            }
            st = new StreamValue();
            c.db.setObject(c.argData(), c.argOff(1), c.argLen(1), st, -1);
        } else {
            st = StreamArgs.asStream(e);
            if (st == null) {
                c.wrongType();
                return;
            }
        }
        if (st.lastMs == -1L && st.lastSeq == -1L) {
            c.error("ERR The stream has exhausted the last possible ID, unable to add more items");
            return;
        }
        EncodingParams enc = c.server.config.encoding;
        int r = st.add(c.args, fieldPos, (argc - fieldPos) / 2, a.idGiven, a.idMs, a.idSeq, a.seqGiven, c.now,
                enc.streamNodeMaxBytes.get(), enc.streamNodeMaxEntries.get());
        if (r == StreamValue.ADD_ID_TOO_SMALL) {
            c.error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
            return;
        } else if (r == StreamValue.ADD_TOO_LARGE) {
            c.error("ERR Elements are too large to be stored");
            return;
        }
        StreamReplies.id(c, st.addedMs, st.addedSeq);
        c.db.modified(c.argData(), c.argOff(1), c.argLen(1));
        notify(c, EV_XADD, 1);
        c.dirtyChanges = 1;
        if (a.strategy != 0 && trim(st, a) > 0) {
            notify(c, EV_XTRIM, 1);
        }
        Propagation p = c.server.replication.propagation;
        if (p.active()) {
            if (a.strategy != 0 && a.approx) {
                rewriteTrim(c, p, st, a);
            }
            if (!a.idGiven || !a.seqGiven) {
                // Replicas store the ID generated here.
                p.rewriteArg(c, idPos, StreamPropagation.idText(st.addedMs, st.addedSeq));
            }
        }
        c.server.blocking.signalReady(c.db, c.argData(), c.argOff(1), c.argLen(1));
    }

    /** XLEN key */
    static void xlen(Client c) {
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        StreamValue s = StreamArgs.asStream(e);
        if (s == null) {
            c.wrongType();
            return;
        }
        c.reply.integer(s.length);
    }

    /** XRANGE key start end [COUNT n] [FIELDS n f ...] / XREVRANGE key end start [COUNT n] [FIELDS ...] */
    static void xrange(Client c, boolean rev) {
        Scratch s = StreamArgs.scratch();
        int startArg = rev ? 3 : 2;
        int endArg = rev ? 2 : 3;
        if (!StreamArgs.parseIntervalId(c, startArg, 0, s)) {
            return;
        }
        if (s.exclusive && !StreamArgs.incr(s)) {
            c.error("ERR invalid start ID for the interval");
            return;
        }
        long startMs = s.ms;
        long startSeq = s.seq;
        if (!StreamArgs.parseIntervalId(c, endArg, -1L, s)) {
            return;
        }
        if (s.exclusive && !StreamArgs.decr(s)) {
            c.error("ERR invalid end ID for the interval");
            return;
        }
        long endMs = s.ms;
        long endSeq = s.seq;
        long count = -1;
        Projection proj = Projection.ALL;
        int argc = c.argc();
        for (int j = 4; j < argc; j++) {
            int additional = argc - j - 1;
            if (c.argIs(j, W_COUNT) && additional >= 1) {
                if (!c.parseLong(j + 1)) {
                    return;
                }
                count = Math.max(0, c.parsed());
                j++;
            } else if (StreamArgs.isFields(c, j)) {
                int last = StreamArgs.parseFields(c, j, argc);
                if (last < 0) {
                    return;
                }
                proj = new Projection(j + 2, last - j - 1);
                j = last;
            } else {
                c.syntaxError();
                return;
            }
        }
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.emptyArray();
            return;
        }
        StreamValue st = StreamArgs.asStream(e);
        if (st == null) {
            c.wrongType();
            return;
        }
        if (count == 0) {
            c.reply.nullArray();
            return;
        }
        StreamReplies.range(c, st, startMs, startSeq, endMs, endSeq, count == -1 ? 0 : count, rev, proj);
    }

    /** XDEL key id [id ...] */
    static void xdel(Client c) {
        c.dirtyChanges = 0;
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        StreamValue st = StreamArgs.asStream(e);
        if (st == null) {
            c.wrongType();
            return;
        }
        int argc = c.argc();
        Scratch s = StreamArgs.scratch();
        // Every ID is checked before anything is deleted.
        long[] ids = new long[2 * (argc - 2)];
        for (int j = 2; j < argc; j++) {
            if (!StreamArgs.parseId(c, j, 0, true, false, false, s)) {
                return;
            }
            ids[2 * (j - 2)] = s.ms;
            ids[2 * (j - 2) + 1] = s.seq;
        }
        long deleted = 0;
        boolean firstEntry = false;
        for (int j = 0; j < argc - 2; j++) {
            long ms = ids[2 * j];
            long seq = ids[2 * j + 1];
            if (st.delete(ms, seq)) {
                if (ms == st.firstMs && seq == st.firstSeq) {
                    firstEntry = true;
                }
                if (StreamId.compare(ms, seq, st.maxDeletedMs, st.maxDeletedSeq) > 0) {
                    st.maxDeletedMs = ms;
                    st.maxDeletedSeq = seq;
                }
                deleted++;
            }
        }
        if (deleted > 0) {
            if (st.length == 0) {
                st.firstMs = 0;
                st.firstSeq = 0;
            } else if (firstEntry) {
                st.edge(true, true);
                st.firstMs = st.edgeMs;
                st.firstSeq = st.edgeSeq;
            }
            c.db.modified(c.argData(), c.argOff(1), c.argLen(1));
            notify(c, EV_XDEL, 1);
            c.dirtyChanges = deleted;
        }
        c.reply.integer(deleted);
    }

    /** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
    static void xtrim(Client c) {
        c.dirtyChanges = 0;
        TrimArgs a = TRIM_ARGS.get();
        if (parseAddOrTrim(c, a, false, StreamArgs.scratch()) < 0) {
            return;
        }
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            c.reply.zero();
            return;
        }
        StreamValue st = StreamArgs.asStream(e);
        if (st == null) {
            c.wrongType();
            return;
        }
        long deleted = trim(st, a);
        if (deleted > 0) {
            notify(c, EV_XTRIM, 1);
            Propagation p = c.server.replication.propagation;
            if (a.approx && p.active()) {
                rewriteTrim(c, p, st, a);
            }
            c.db.modified(c.argData(), c.argOff(1), c.argLen(1));
            c.dirtyChanges = deleted;
        }
        c.reply.integer(deleted);
    }

    /** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
    static void xsetid(Client c) {
        c.dirtyChanges = 0;
        Scratch s = StreamArgs.scratch();
        if (!StreamArgs.parseId(c, 2, 0, true, false, false, s)) {
            return;
        }
        long idMs = s.ms;
        long idSeq = s.seq;
        long entriesAdded = -1;
        long delMs = 0;
        long delSeq = 0;
        int argc = c.argc();
        int i = 3;
        while (i < argc) {
            int more = argc - 1 - i;
            if (c.argIs(i, W_ENTRIESADDED) && more > 0) {
                if (!c.parseLong(i + 1)) {
                    return;
                }
                entriesAdded = c.parsed();
                if (entriesAdded < 0) {
                    c.error("ERR entries_added must be positive");
                    return;
                }
                i += 2;
            } else if (c.argIs(i, W_MAXDELETEDID) && more > 0) {
                if (!StreamArgs.parseId(c, i + 1, 0, true, false, false, s)) {
                    return;
                }
                delMs = s.ms;
                delSeq = s.seq;
                if (StreamId.compare(idMs, idSeq, delMs, delSeq) < 0) {
                    c.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                    return;
                }
                i += 2;
            } else {
                c.syntaxError();
                return;
            }
        }
        Object e = c.db.lookupWrite(c, 1);
        if (e == null) {
            c.error("ERR no such key");
            return;
        }
        StreamValue st = StreamArgs.asStream(e);
        if (st == null) {
            c.wrongType();
            return;
        }
        if (StreamId.compare(idMs, idSeq, st.maxDeletedMs, st.maxDeletedSeq) < 0) {
            c.error("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
            return;
        }
        if (st.length > 0) {
            st.lastValid();
            if (StreamId.compare(idMs, idSeq, st.edgeMs, st.edgeSeq) < 0) {
                c.error("ERR The ID specified in XSETID is smaller than the target stream top item");
                return;
            }
            if (entriesAdded != -1 && st.length > entriesAdded) {
                c.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
                return;
            }
        }
        st.lastMs = idMs;
        st.lastSeq = idSeq;
        if (entriesAdded != -1) {
            st.entriesAdded = entriesAdded;
        }
        if (delMs != 0 || delSeq != 0) {
            st.maxDeletedMs = delMs;
            st.maxDeletedSeq = delSeq;
        }
        c.reply.ok();
        c.dirtyChanges = 1;
        notify(c, EV_XSETID, 1);
    }
}
