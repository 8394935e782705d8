package dev.cinnabar.server.family;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.blocking.Blocking;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.family.StreamArgs.Scratch;
import dev.cinnabar.server.family.StreamReplies.Projection;
import dev.cinnabar.server.type.StreamGroup;
import dev.cinnabar.server.type.StreamGroup.Consumer;
import dev.cinnabar.server.type.StreamGroup.Nack;
import dev.cinnabar.server.type.StreamId;
import dev.cinnabar.server.type.StreamIds;
import dev.cinnabar.server.type.StreamIterator;
import dev.cinnabar.server.type.StreamValue;
import java.util.Map;

/**
 * XREAD and XREADGROUP (Redis xreadCommand and streamReplyWithRange with a group): serve what
 * is there, else block ({@link Blocking.Kind#STREAM}) until an XADD, or for XREADGROUP also a
 * deletion, type change or group removal, runs the command again.
 *
 * <p>When blocking, "$" (and "+") are rewritten in the saved arguments as the IDs they stood for,
 * so running the command again waits for entries after those, as Redis 7.2 does. XREADGROUP
 * keeps waiting on its keys even when they vanish (unblock-on-no-key), so that the re-run can
 * report NOGROUP or WRONGTYPE.
 *
 * <p>Beyond Redis 7.2: the "+" ID of Redis 7.4 (XREAD only: start from the last entry), and a
 * {@code FIELDS n f1 .. fn} option before STREAMS that keeps only those fields of each entry.
 */
final class StreamRead {
    private StreamRead() {}

    static void register(CommandTable t) {
        t.bind("xread", c -> xread(c, false)).bind("xreadgroup", c -> xread(c, true));
    }

    private static final byte[] W_BLOCK = Ascii.bytes("block");
    private static final byte[] W_COUNT = Ascii.bytes("count");
    private static final byte[] W_STREAMS = Ascii.bytes("streams");
    private static final byte[] W_GROUP = Ascii.bytes("group");
    private static final byte[] W_NOACK = Ascii.bytes("noack");

    static void xread(Client c, boolean xreadgroup) {
        // XREAD[GROUP] is never propagated itself: a group read goes as the XCLAIM / XGROUP
        // commands its effects are made of (Redis preventCommandPropagation in xreadCommand).
        StreamPropagation.preventSelf(c);
        if (xreadgroup) {
            c.dirtyChanges = 0;
        }
        int argc = c.argc();
        boolean block = false;
        long deadline = 0;
        long count = 0;
        int streamsArg = 0;
        int streams = 0;
        boolean noack = false;
        int groupArg = -1;
        Projection proj = Projection.ALL;
        for (int i = 1; i < argc; i++) {
            int more = argc - i - 1;
            if (c.argIs(i, W_BLOCK) && more > 0) {
                if ((c.flags & Client.SCRIPT) != 0 && c.conn == null) {
                    c.error("ERR " + c.argForMessage(0) + " command is not allowed with BLOCK option from scripts");
                    return;
                }
                i++;
                deadline = Blocking.parseTimeoutMillis(c, i);
                if (deadline < 0) {
                    return;
                }
                block = true;
            } else if (c.argIs(i, W_COUNT) && more > 0) {
                i++;
                if (!c.parseLong(i)) {
                    return;
                }
                count = Math.max(0, c.parsed());
            } else if (c.argIs(i, W_STREAMS) && more > 0) {
                streamsArg = i + 1;
                streams = argc - streamsArg;
                if ((streams & 1) != 0) {
                    char symbol = xreadgroup ? '>' : '$';
                    c.error("ERR Unbalanced '" + c.cmd.fullName() + "' list of streams: for each stream key an ID or '"
                            + symbol + "' must be specified.");
                    return;
                }
                streams /= 2;
                break;
            } else if (c.argIs(i, W_GROUP) && more >= 2) {
                if (!xreadgroup) {
                    c.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }
                groupArg = i + 1;
                i += 2;
            } else if (c.argIs(i, W_NOACK)) {
                if (!xreadgroup) {
                    c.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }
                noack = true;
            } else if (StreamArgs.isFields(c, i)) {
                int last = StreamArgs.parseFields(c, i, argc);
                if (last < 0) {
                    return;
                }
                proj = new Projection(i + 2, last - i - 1);
                i = last;
            } else {
                c.syntaxError();
                return;
            }
        }
        if (streamsArg == 0) {
            c.syntaxError();
            return;
        }
        if (xreadgroup && groupArg < 0) {
            c.error("ERR Missing GROUP option for XREADGROUP");
            return;
        }

        // Resolve every ID (and group) before serving anything.
        byte[] d = c.argData();
        long[] ids = new long[2 * streams];
        StreamGroup[] groups = xreadgroup ? new StreamGroup[streams] : null;
        Scratch s = StreamArgs.scratch();
        for (int k = 0; k < streams; k++) {
            int keyArg = streamsArg + k;
            int idArg = streamsArg + streams + k;
            Object e = c.db.lookupRead(c, keyArg);
            StreamValue st = null;
            if (e != null) {
                st = StreamArgs.asStream(e);
                if (st == null) {
                    c.wrongType();
                    return;
                }
            }
            if (xreadgroup) {
                StreamGroup g = st == null ? null : st.group(d, c.argOff(groupArg), c.argLen(groupArg));
                if (g == null) {
                    c.error("NOGROUP No such key '" + c.argForMessage(keyArg) + "' or consumer group '"
                            + c.argForMessage(groupArg) + "' in XREADGROUP with GROUP option");
                    return;
                }
                groups[k] = g;
            }
            if (StreamArgs.argIsChar(c, idArg, '$')) {
                if (xreadgroup) {
                    c.error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history"
                            + " of this consumer by specifying a proper ID, or use the > ID to get new messages."
                            + " The $ ID would just return an empty result set.");
                    return;
                }
                ids[2 * k] = st == null ? 0 : st.lastMs;
                ids[2 * k + 1] = st == null ? 0 : st.lastSeq;
            } else if (StreamArgs.argIsChar(c, idArg, '>')) {
                if (!xreadgroup) {
                    c.error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group>"
                            + " <consumer> option.");
                    return;
                }
                // The maximal ID stands for ">": served from the group's last delivered ID.
                ids[2 * k] = -1L;
                ids[2 * k + 1] = -1L;
            } else if (StreamArgs.argIsChar(c, idArg, '+')) {
                // Redis 7.4's "+": the last entry of the stream (7.2 rejects it as an invalid ID).
                if (xreadgroup) {
                    c.error("ERR The + ID is meaningless in the context of XREADGROUP: you want to read the history"
                            + " of this consumer by specifying a proper ID, or use the > ID to get new messages."
                            + " The + ID would just return an empty result set.");
                    return;
                }
                long ms = 0;
                long seq = 0;
                if (st != null && st.length > 0) {
                    st.lastValid();
                    s.ms = st.edgeMs;
                    s.seq = st.edgeSeq;
                    StreamArgs.decr(s);
                    ms = s.ms;
                    seq = s.seq;
                } else if (st != null) {
                    ms = st.lastMs;
                    seq = st.lastSeq;
                }
                ids[2 * k] = ms;
                ids[2 * k + 1] = seq;
            } else {
                if (!StreamArgs.parseId(c, idArg, 0, true, false, false, s)) {
                    return;
                }
                ids[2 * k] = s.ms;
                ids[2 * k + 1] = s.seq;
            }
        }

        // Serve synchronously whatever can be served.
        long served = 0;
        int token = 0;
        for (int k = 0; k < streams; k++) {
            int keyArg = streamsArg + k;
            Object e = c.db.lookupRead(c, keyArg);
            if (e == null) {
                continue;
            }
            StreamValue st = StreamArgs.asStream(e);
            long gtMs = ids[2 * k];
            long gtSeq = ids[2 * k + 1];
            boolean serve = false;
            boolean history = false;
            Consumer consumer = null;
            if (xreadgroup) {
                StreamGroup g = groups[k];
                if (gtMs != -1L || gtSeq != -1L) {
                    serve = true;
                    history = true;
                } else if (st.length > 0) {
                    st.lastValid();
                    if (StreamId.compare(st.edgeMs, st.edgeSeq, g.lastMs, g.lastSeq) > 0) {
                        serve = true;
                        gtMs = g.lastMs;
                        gtSeq = g.lastSeq;
                    }
                }
                int nOff = c.argOff(groupArg + 1);
                int nLen = c.argLen(groupArg + 1);
                consumer = g.consumer(d, nOff, nLen);
                if (consumer == null) {
                    consumer = g.createConsumer(d, nOff, nLen, c.now);
                    StreamFamily.notify(c, StreamFamily.EV_CONSUMER_CREATE, keyArg);
                    c.dirtyChanges++;
                    if (noack) {
                        // Without NOACK the XCLAIMs of what it reads create it on replicas.
                        StreamPropagation.consumerCreation(c, keyArg, groupArg, groupArg + 1);
                    }
                }
                consumer.seenTime = c.now;
            } else if (st.length > 0) {
                st.lastValid();
                serve = StreamId.compare(st.edgeMs, st.edgeSeq, gtMs, gtSeq) > 0;
            }
            if (!serve) {
                continue;
            }
            served++;
            if (served == 1) {
                token = c.reply.deferLen();
            }
            s.ms = gtMs;
            s.seq = gtSeq;
            StreamArgs.incr(s);
            if (c.resp() == 2) {
                c.reply.arrayLen(2);
            }
            c.reply.bulk(d, c.argOff(keyArg), c.argLen(keyArg));
            if (xreadgroup) {
                if (history) {
                    replyFromConsumerPel(c, st, s.ms, s.seq, count, consumer, proj);
                } else {
                    replyWithGroup(c, st, s.ms, s.seq, count, groups[k], consumer, noack, proj, keyArg, groupArg);
                }
                c.dirtyChanges++;
            } else {
                StreamReplies.range(c, st, s.ms, s.seq, -1L, -1L, count, false, proj);
            }
        }
        if (served > 0) {
            if (c.resp() == 2) {
                c.reply.setDeferredArrayLen(token, served);
            } else {
                c.reply.setDeferredMapLen(token, served);
            }
            return;
        }
        if (block) {
            if (!Blocking.mayBlock(c)) {
                c.reply.nullArray(); // MULTI, scripts: as if the timeout passed at once
                return;
            }
            // Running the command again must wait for entries after the IDs "$" and "+" meant now.
            for (int k = 0; k < streams; k++) {
                int idArg = streamsArg + streams + k;
                if (StreamArgs.argIsChar(c, idArg, '$') || StreamArgs.argIsChar(c, idArg, '+')) {
                    byte[] t = new byte[StreamIds.MAX_TEXT];
                    int n = StreamIds.format(t, 0, ids[2 * k], ids[2 * k + 1]);
                    c.args.set(idArg, java.util.Arrays.copyOf(t, n));
                }
            }
            c.server.blocking.block(c, Blocking.Kind.STREAM, streamsArg, streams, deadline, xreadgroup);
            return;
        }
        c.reply.nullArray();
    }

    /**
     * Redis streamReplyWithRange with a group: new entries after (startMs, startSeq) go to the
     * consumer, advancing the group's last ID and read counter, and (without NOACK) into the
     * group's and the consumer's pending lists.
     */
    private static void replyWithGroup(Client c, StreamValue s, long startMs, long startSeq, long count,
            StreamGroup g, Consumer consumer, boolean noack, Projection proj, int keyArg, int groupArg) {
        boolean propagateLastId = false;
        int token = c.reply.deferLen();
        long n = 0;
        StreamIterator it = s.iterator(startMs, startSeq, -1L, -1L, false);
        while (it.next()) {
            long ms = it.ms;
            long seq = it.seq;
            if (StreamId.compare(ms, seq, g.lastMs, g.lastSeq) > 0) {
                if (g.entriesRead != StreamGroup.ENTRIES_READ_INVALID && !s.rangeHasTombstones(ms, seq, true, 0, 0)) {
                    g.entriesRead++;
                } else if (s.entriesAdded != 0) {
                    g.entriesRead = s.estimateDistance(ms, seq);
                }
                g.lastMs = ms;
                g.lastSeq = seq;
                // With NOACK no XCLAIM carries the new last ID: an XGROUP SETID does, at the end.
                propagateLastId = noack;
            }
            StreamReplies.entry(c, it, proj);
            if (!noack) {
                StreamId id = new StreamId(ms, seq);
                Nack nack = g.pel.get(id);
                if (nack == null) {
                    nack = new Nack(c.now, 1, consumer);
                    g.pel.put(id, nack);
                } else {
                    // Already pending (XGROUP SETID moved the group back): the new reader owns it.
                    nack.consumer.pel.remove(id);
                    nack.consumer = consumer;
                    nack.deliveryTime = c.now;
                    nack.deliveryCount = 1;
                }
                consumer.pel.put(id, nack);
                consumer.activeTime = c.now;
                StreamPropagation.xclaim(c, keyArg, groupArg, g, id, nack);
            }
            n++;
            if (count != 0 && n == count) {
                break;
            }
        }
        if (propagateLastId) {
            StreamPropagation.groupId(c, keyArg, groupArg, g);
        }
        c.reply.setDeferredArrayLen(token, n);
    }

    /**
     * Redis streamReplyWithRangeFromConsumerPEL: the consumer's own pending entries from
     * (startMs, startSeq) on; an entry no longer in the stream is reported as [id, nil].
     */
    private static void replyFromConsumerPel(Client c, StreamValue s, long startMs, long startSeq, long count,
            Consumer consumer, Projection proj) {
        int token = c.reply.deferLen();
        long n = 0;
        for (Map.Entry<StreamId, Nack> e : consumer.pel.tailMap(new StreamId(startMs, startSeq), true).entrySet()) {
            if (count != 0 && n >= count) {
                break;
            }
            StreamId id = e.getKey();
            if (StreamReplies.single(c, s, id.ms, id.seq, proj)) {
                Nack nack = e.getValue();
                nack.deliveryTime = c.now;
                nack.deliveryCount++;
            } else {
                c.reply.arrayLen(2);
                StreamReplies.id(c, id.ms, id.seq);
                c.reply.nullArray();
            }
            n++;
        }
        c.reply.setDeferredArrayLen(token, n);
    }
}
