package dev.cinnabar.server.family;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.family.StreamArgs.Scratch;
import dev.cinnabar.server.family.StreamReplies.Projection;
import dev.cinnabar.server.type.StreamGroup;
import dev.cinnabar.server.type.StreamGroup.Consumer;
import dev.cinnabar.server.type.StreamGroup.Nack;
import dev.cinnabar.server.type.StreamId;
import dev.cinnabar.server.type.StreamValue;
import java.util.ArrayList;
import java.util.Map;

/**
 * Consumer group commands (Redis t_stream.c): XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/
 * DELCONSUMER/HELP, XACK, XPENDING, XCLAIM and XAUTOCLAIM. Reading through a group is
 * {@link StreamRead}.
 */
final class StreamGroupFamily {
    private StreamGroupFamily() {}

    static void register(CommandTable t) {
        t.bind("xgroup|create", c -> xgroup(c, Sub.CREATE))
                .bind("xgroup|setid", c -> xgroup(c, Sub.SETID))
                .bind("xgroup|destroy", c -> xgroup(c, Sub.DESTROY))
                .bind("xgroup|createconsumer", c -> xgroup(c, Sub.CREATECONSUMER))
                .bind("xgroup|delconsumer", c -> xgroup(c, Sub.DELCONSUMER))
                .bind("xgroup|help", StreamGroupFamily::xgroupHelp)
                .bind("xack", StreamGroupFamily::xack)
                .bind("xpending", StreamGroupFamily::xpending)
                .bind("xclaim", StreamGroupFamily::xclaim)
                .bind("xautoclaim", StreamGroupFamily::xautoclaim);
    }

    private enum Sub { CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER }

    private static final byte[] W_MKSTREAM = Ascii.bytes("mkstream");
    private static final byte[] W_ENTRIESREAD = Ascii.bytes("entriesread");
    private static final byte[] W_IDLE = Ascii.bytes("idle");
    private static final byte[] W_TIME = Ascii.bytes("time");
    private static final byte[] W_RETRYCOUNT = Ascii.bytes("retrycount");
    private static final byte[] W_FORCE = Ascii.bytes("force");
    private static final byte[] W_JUSTID = Ascii.bytes("justid");
    private static final byte[] W_LASTID = Ascii.bytes("lastid");
    private static final byte[] W_COUNT = Ascii.bytes("count");

    private static String noGroup(Client c, int keyArg, int groupArg) {
        return "NOGROUP No such key '" + c.argForMessage(keyArg) + "' or consumer group '" + c.argForMessage(groupArg)
                + "'";
    }

    /** Redis streamCreateConsumer with notification and dirty count. */
    static Consumer createConsumer(Client c, StreamGroup g, int nameArg, int keyArg) {
        Consumer cons = g.createConsumer(c.argData(), c.argOff(nameArg), c.argLen(nameArg), c.now);
        if (cons != null) {
            c.dirtyChanges++;
            StreamFamily.notify(c, StreamFamily.EV_CONSUMER_CREATE, keyArg);
        }
        return cons;
    }

    // ---- XGROUP ---------------------------------------------------------------------------------

    static void xgroup(Client c, Sub sub) {
        c.dirtyChanges = 0;
        int argc = c.argc();
        boolean mkstream = false;
        long entriesRead = StreamGroup.ENTRIES_READ_INVALID;
        for (int i = 5; i < argc;) {
            if (sub == Sub.CREATE && c.argIs(i, W_MKSTREAM)) {
                mkstream = true;
                i++;
            } else if ((sub == Sub.CREATE || sub == Sub.SETID) && c.argIs(i, W_ENTRIESREAD) && i + 1 < argc) {
                if (!c.parseLong(i + 1)) {
                    return;
                }
                entriesRead = c.parsed();
                if (entriesRead < 0 && entriesRead != StreamGroup.ENTRIES_READ_INVALID) {
                    c.error("ERR value for ENTRIESREAD must be positive or -1");
                    return;
                }
                i += 2;
            } else {
                Help.subcommandSyntaxError(c);
                return;
            }
        }
        StreamValue s = null;
        Object e = c.db.lookupWrite(c, 2);
        if (e != null) {
            s = StreamArgs.asStream(e);
            if (s == null) {
                c.wrongType();
                return;
            }
        }
        byte[] d = c.argData();
        StreamGroup g = null;
        if (!mkstream) {
            if (s == null) {
                c.error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to"
                        + " use the MKSTREAM option to create an empty stream automatically.");
                return;
            }
            g = s.group(d, c.argOff(3), c.argLen(3));
            if (g == null && (sub == Sub.SETID || sub == Sub.CREATECONSUMER || sub == Sub.DELCONSUMER)) {
                c.error("NOGROUP No such consumer group '" + c.argForMessage(3) + "' for key name '"
                        + c.argForMessage(2) + "'");
                return;
            }
        }
        Scratch sc = StreamArgs.scratch();
        switch (sub) {
            case CREATE -> {
                if (argc > 8) {
                    Help.subcommandSyntaxError(c);
                    return;
                }
                long ms;
                long seq;
                if (StreamArgs.argIsChar(c, 4, '$')) {
                    ms = s == null ? 0 : s.lastMs;
                    seq = s == null ? 0 : s.lastSeq;
                } else if (StreamArgs.parseId(c, 4, 0, true, false, false, sc)) {
                    ms = sc.ms;
                    seq = sc.seq;
                } else {
                    return;
                }
                if (s == null) {
                    s = new StreamValue();
                    c.db.setObject(d, c.argOff(2), c.argLen(2), s, -1);
                }
                if (s.createGroup(d, c.argOff(3), c.argLen(3), ms, seq, entriesRead) != null) {
                    c.reply.ok();
                    c.dirtyChanges++;
                    StreamFamily.notify(c, StreamFamily.EV_GROUP_CREATE, 2);
                } else {
                    c.error("BUSYGROUP Consumer Group name already exists");
                }
            }
            case SETID -> {
                if (argc != 5 && argc != 7) {
                    Help.subcommandSyntaxError(c);
                    return;
                }
                if (StreamArgs.argIsChar(c, 4, '$')) {
                    sc.ms = s.lastMs;
                    sc.seq = s.lastSeq;
                } else if (!StreamArgs.parseId(c, 4, 0, false, false, false, sc)) {
                    return;
                }
                g.lastMs = sc.ms;
                g.lastSeq = sc.seq;
                g.entriesRead = entriesRead;
                c.reply.ok();
                c.dirtyChanges++;
                StreamFamily.notify(c, StreamFamily.EV_GROUP_SETID, 2);
            }
            case DESTROY -> {
                if (g != null) {
                    s.destroyGroup(d, c.argOff(3), c.argLen(3));
                    c.reply.one();
                    c.dirtyChanges++;
                    StreamFamily.notify(c, StreamFamily.EV_GROUP_DESTROY, 2);
                    // Clients blocked in XREADGROUP on this group run again and get NOGROUP.
                    c.server.blocking.signalReady(c.db, d, c.argOff(2), c.argLen(2));
                } else {
                    c.reply.zero();
                }
            }
            case CREATECONSUMER -> c.reply.integer(createConsumer(c, g, 4, 2) != null ? 1 : 0);
            case DELCONSUMER -> {
                Consumer cons = g.consumer(d, c.argOff(4), c.argLen(4));
                long pending = 0;
                if (cons != null) {
                    pending = cons.pel.size();
                    g.deleteConsumer(cons);
                    c.dirtyChanges++;
                    StreamFamily.notify(c, StreamFamily.EV_CONSUMER_DELETE, 2);
                }
                c.reply.integer(pending);
            }
        }
    }

    static void xgroupHelp(Client c) {
        Help.reply(c,
                "CREATE <key> <groupname> <id|$> [option]",
                "    Create a new consumer group. Options are:",
                "    * MKSTREAM",
                "      Create the empty stream if it does not exist.",
                "    * ENTRIESREAD entries_read",
                "      Set the group's entries_read counter (internal use).",
                "CREATECONSUMER <key> <groupname> <consumer>",
                "    Create a new consumer in the specified group.",
                "DELCONSUMER <key> <groupname> <consumer>",
                "    Remove the specified consumer.",
                "DESTROY <key> <groupname>",
                "    Remove the specified group.",
                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                "    Set the current group ID and entries_read counter.");
    }

    // ---- XACK / XPENDING ------------------------------------------------------------------------

    /** XACK key group id [id ...] */
    static void xack(Client c) {
        c.dirtyChanges = 0;
        Object e = c.db.lookupRead(c, 1);
        StreamGroup g = null;
        if (e != null) {
            StreamValue s = StreamArgs.asStream(e);
            if (s == null) {
                c.wrongType();
                return;
            }
            g = s.group(c.argData(), c.argOff(2), c.argLen(2));
        }
        if (g == null) {
            c.reply.zero();
            return;
        }
        int argc = c.argc();
        Scratch sc = StreamArgs.scratch();
        StreamId[] ids = new StreamId[argc - 3];
        for (int j = 3; j < argc; j++) {
            if (!StreamArgs.parseId(c, j, 0, true, false, false, sc)) {
                return;
            }
            ids[j - 3] = new StreamId(sc.ms, sc.seq);
        }
        long acked = 0;
        for (StreamId id : ids) {
            Nack nack = g.pel.remove(id);
            if (nack != null) {
                nack.consumer.pel.remove(id);
                acked++;
            }
        }
        c.dirtyChanges = acked;
        c.reply.integer(acked);
    }

    /** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
    static void xpending(Client c) {
        int argc = c.argc();
        boolean summary = argc == 3;
        long minIdle = 0;
        long count = 0;
        long startMs = 0;
        long startSeq = 0;
        long endMs = 0;
        long endSeq = 0;
        int consumerArg = -1;
        if (argc != 3 && (argc < 6 || argc > 9)) {
            c.syntaxError();
            return;
        }
        Scratch sc = StreamArgs.scratch();
        if (argc >= 6) {
            int startIdx = 3;
            if (c.argIs(3, W_IDLE)) {
                if (!c.parseLong(4)) {
                    return;
                }
                minIdle = c.parsed();
                if (argc < 8) {
                    c.syntaxError();
                    return;
                }
                startIdx += 2;
            }
            if (!c.parseLong(startIdx + 2)) {
                return;
            }
            count = Math.max(0, c.parsed());
            if (!StreamArgs.parseIntervalId(c, startIdx, 0, sc)) {
                return;
            }
            if (sc.exclusive && !StreamArgs.incr(sc)) {
                c.error("ERR invalid start ID for the interval");
                return;
            }
            startMs = sc.ms;
            startSeq = sc.seq;
            if (!StreamArgs.parseIntervalId(c, startIdx + 1, -1L, sc)) {
                return;
            }
            if (sc.exclusive && !StreamArgs.decr(sc)) {
                c.error("ERR invalid end ID for the interval");
                return;
            }
            endMs = sc.ms;
            endSeq = sc.seq;
            if (startIdx + 3 < argc) {
                consumerArg = startIdx + 3;
            }
        }
        Object e = c.db.lookupRead(c, 1);
        StreamValue s = null;
        if (e != null) {
            s = StreamArgs.asStream(e);
            if (s == null) {
                c.wrongType();
                return;
            }
        }
        StreamGroup g = s == null ? null : s.group(c.argData(), c.argOff(2), c.argLen(2));
        if (g == null) {
            c.error(noGroup(c, 1, 2));
            return;
        }
        if (summary) {
            c.reply.arrayLen(4);
            c.reply.integer(g.pel.size());
            if (g.pel.isEmpty()) {
                c.reply.nullBulk();
                c.reply.nullBulk();
                c.reply.nullArray();
                return;
            }
            StreamId first = g.pel.firstKey();
            StreamId last = g.pel.lastKey();
            StreamReplies.id(c, first.ms, first.seq);
            StreamReplies.id(c, last.ms, last.seq);
            int token = c.reply.deferLen();
            long n = 0;
            for (Consumer cons : g.consumers.values()) {
                if (cons.pel.isEmpty()) {
                    continue;
                }
                c.reply.arrayLen(2);
                c.reply.bulk(cons.name);
                c.reply.bulkLong(cons.pel.size());
                n++;
            }
            c.reply.setDeferredArrayLen(token, n);
            return;
        }
        Map<StreamId, Nack> pel = g.pel;
        if (consumerArg >= 0) {
            Consumer cons = g.consumer(c.argData(), c.argOff(consumerArg), c.argLen(consumerArg));
            if (cons == null) {
                c.reply.emptyArray();
                return;
            }
            pel = cons.pel;
        }
        int token = c.reply.deferLen();
        long n = 0;
        StreamId from = new StreamId(startMs, startSeq);
        for (Map.Entry<StreamId, Nack> en : ((java.util.NavigableMap<StreamId, Nack>) pel).tailMap(from, true)
                .entrySet()) {
            if (count == 0) {
                break;
            }
            StreamId id = en.getKey();
            if (StreamId.compare(id.ms, id.seq, endMs, endSeq) > 0) {
                break;
            }
            Nack nack = en.getValue();
            if (minIdle != 0 && c.now - nack.deliveryTime < minIdle) {
                continue;
            }
            n++;
            count--;
            c.reply.arrayLen(4);
            StreamReplies.id(c, id.ms, id.seq);
            c.reply.bulk(nack.consumer.name);
            c.reply.integer(Math.max(0, c.now - nack.deliveryTime));
            c.reply.integer(nack.deliveryCount);
        }
        c.reply.setDeferredArrayLen(token, n);
    }

    // ---- XCLAIM / XAUTOCLAIM --------------------------------------------------------------------

    /**
     * XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms-unix-time]
     * [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
     */
    static void xclaim(Client c) {
        c.dirtyChanges = 0;
        Object e = c.db.lookupRead(c, 1);
        StreamValue s = null;
        StreamGroup g = null;
        if (e != null) {
            s = StreamArgs.asStream(e);
            if (s == null) {
                c.wrongType();
                return;
            }
            g = s.group(c.argData(), c.argOff(2), c.argLen(2));
        }
        if (g == null) {
            c.error(noGroup(c, 1, 2));
            return;
        }
        if (!c.parseLong(4, "ERR Invalid min-idle-time argument for XCLAIM")) {
            return;
        }
        long minIdle = Math.max(0, c.parsed());
        int argc = c.argc();
        Scratch sc = StreamArgs.scratch();
        ArrayList<StreamId> ids = new ArrayList<>();
        int j = 5;
        for (; j < argc; j++) {
            if (!StreamArgs.parseId(c, j, 0, true, false, true, sc)) {
                break;
            }
            ids.add(new StreamId(sc.ms, sc.seq));
        }
        long now = c.now;
        long retryCount = -1;
        long deliveryTime = -1;
        boolean force = false;
        boolean justId = false;
        long lastMs = 0;
        long lastSeq = 0;
        for (; j < argc; j++) {
            int more = argc - 1 - j;
            if (c.argIs(j, W_FORCE)) {
                force = true;
            } else if (c.argIs(j, W_JUSTID)) {
                justId = true;
            } else if (c.argIs(j, W_IDLE) && more > 0) {
                j++;
                if (!c.parseLong(j, "ERR Invalid IDLE option argument for XCLAIM")) {
                    return;
                }
                deliveryTime = now - c.parsed();
            } else if (c.argIs(j, W_TIME) && more > 0) {
                j++;
                if (!c.parseLong(j, "ERR Invalid TIME option argument for XCLAIM")) {
                    return;
                }
                deliveryTime = c.parsed();
            } else if (c.argIs(j, W_RETRYCOUNT) && more > 0) {
                j++;
                if (!c.parseLong(j, "ERR Invalid RETRYCOUNT option argument for XCLAIM")) {
                    return;
                }
                retryCount = c.parsed();
            } else if (c.argIs(j, W_LASTID) && more > 0) {
                j++;
                if (!StreamArgs.parseId(c, j, 0, true, false, false, sc)) {
                    return;
                }
                lastMs = sc.ms;
                lastSeq = sc.seq;
            } else {
                c.error("ERR Unrecognized XCLAIM option '" + c.argForMessage(j) + "'");
                return;
            }
        }
        boolean propagateLastId = false;
        if (StreamId.compare(lastMs, lastSeq, g.lastMs, g.lastSeq) > 0) {
            g.lastMs = lastMs;
            g.lastSeq = lastSeq;
            propagateLastId = true;
        }
        if (deliveryTime != -1) {
            // A bogus time (in the future, or negative) is taken as now rather than refused.
            if (deliveryTime < 0 || deliveryTime > now) {
                deliveryTime = now;
            }
        } else {
            deliveryTime = now;
        }
        Consumer cons = g.consumer(c.argData(), c.argOff(3), c.argLen(3));
        if (cons == null) {
            cons = createConsumer(c, g, 3, 1);
        }
        cons.seenTime = now;
        int token = c.reply.deferLen();
        long n = 0;
        for (StreamId id : ids) {
            Nack nack = g.pel.get(id);
            if (!s.exists(id.ms, id.seq)) {
                if (nack != null) {
                    // The entry is gone: its pending record goes too (and the replicas' with it).
                    StreamPropagation.xclaim(c, 1, 2, g, id, nack);
                    propagateLastId = false;
                    c.dirtyChanges++;
                    g.pel.remove(id);
                    nack.consumer.pel.remove(id);
                }
                continue;
            }
            if (force && nack == null) {
                nack = new Nack(now, 1, null);
                g.pel.put(id, nack);
            }
            if (nack == null) {
                continue;
            }
            if (nack.consumer != null && minIdle != 0 && now - nack.deliveryTime < minIdle) {
                continue;
            }
            if (nack.consumer != cons && nack.consumer != null) {
                nack.consumer.pel.remove(id);
            }
            nack.deliveryTime = deliveryTime;
            if (retryCount >= 0) {
                nack.deliveryCount = retryCount;
            } else if (!justId) {
                nack.deliveryCount++;
            }
            if (nack.consumer != cons) {
                cons.pel.put(id, nack);
                nack.consumer = cons;
            }
            if (justId) {
                StreamReplies.id(c, id.ms, id.seq);
            } else {
                StreamReplies.single(c, s, id.ms, id.seq, Projection.ALL);
            }
            n++;
            cons.activeTime = now;
            StreamPropagation.xclaim(c, 1, 2, g, id, nack);
            propagateLastId = false; // the XCLAIM carries LASTID
            c.dirtyChanges++;
        }
        if (propagateLastId) {
            StreamPropagation.groupId(c, 1, 2, g);
            c.dirtyChanges++;
        }
        c.reply.setDeferredArrayLen(token, n);
        StreamPropagation.preventSelf(c);
    }

    /** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
    static void xautoclaim(Client c) {
        c.dirtyChanges = 0;
        if (!c.parseLong(4, "ERR Invalid min-idle-time argument for XAUTOCLAIM")) {
            return;
        }
        long minIdle = Math.max(0, c.parsed());
        Scratch sc = StreamArgs.scratch();
        if (!StreamArgs.parseIntervalId(c, 5, 0, sc)) {
            return;
        }
        if (sc.exclusive && !StreamArgs.incr(sc)) {
            c.error("ERR invalid start ID for the interval");
            return;
        }
        StreamId start = new StreamId(sc.ms, sc.seq);
        long count = 100;
        boolean justId = false;
        int argc = c.argc();
        for (int j = 6; j < argc; j++) {
            int more = argc - 1 - j;
            if (c.argIs(j, W_COUNT) && more > 0) {
                // Redis caps COUNT so that COUNT * 16 bytes of bookkeeping cannot overflow.
                long max = Long.MAX_VALUE / 16;
                if (!c.parseLong(j + 1, "ERR COUNT must be > 0")) {
                    return;
                }
                count = c.parsed();
                if (count < 1 || count > max) {
                    c.error("ERR COUNT must be > 0");
                    return;
                }
                j++;
            } else if (c.argIs(j, W_JUSTID)) {
                justId = true;
            } else {
                c.syntaxError();
                return;
            }
        }
        Object e = c.db.lookupRead(c, 1);
        StreamValue s = null;
        StreamGroup g = null;
        if (e != null) {
            s = StreamArgs.asStream(e);
            if (s == null) {
                c.wrongType();
                return;
            }
            g = s.group(c.argData(), c.argOff(2), c.argLen(2));
        }
        if (g == null) {
            c.error(noGroup(c, 1, 2));
            return;
        }
        Consumer cons = g.consumer(c.argData(), c.argOff(3), c.argLen(3));
        if (cons == null) {
            cons = createConsumer(c, g, 3, 1);
        }
        long now = c.now;
        cons.seenTime = now;
        long attempts = count * 10;
        ArrayList<StreamId> claimed = new ArrayList<>();
        ArrayList<StreamId> deleted = new ArrayList<>();
        StreamId k = g.pel.ceilingKey(start);
        while (attempts-- > 0 && count > 0 && k != null) {
            StreamId id = k;
            Nack nack = g.pel.get(id);
            if (!s.exists(id.ms, id.seq)) {
                // Gone from the stream: dropped from the PEL (the replicas' too), reported.
                StreamPropagation.xclaim(c, 1, 2, g, id, nack);
                c.dirtyChanges++;
                g.pel.remove(id);
                nack.consumer.pel.remove(id);
                deleted.add(id);
                count--;
                k = g.pel.higherKey(id);
                continue;
            }
            if (minIdle != 0 && now - nack.deliveryTime < minIdle) {
                k = g.pel.higherKey(id);
                continue;
            }
            if (nack.consumer != cons && nack.consumer != null) {
                nack.consumer.pel.remove(id);
            }
            nack.deliveryTime = now;
            if (!justId) {
                nack.deliveryCount++;
            }
            if (nack.consumer != cons) {
                cons.pel.put(id, nack);
                nack.consumer = cons;
            }
            claimed.add(id);
            count--;
            cons.activeTime = now;
            StreamPropagation.xclaim(c, 1, 2, g, id, nack);
            c.dirtyChanges++;
            k = g.pel.higherKey(id);
        }
        c.reply.arrayLen(3);
        if (k == null) {
            StreamReplies.id(c, 0, 0);
        } else {
            StreamReplies.id(c, k.ms, k.seq);
        }
        c.reply.arrayLen(claimed.size());
        for (StreamId id : claimed) {
            if (justId) {
                StreamReplies.id(c, id.ms, id.seq);
            } else {
                StreamReplies.single(c, s, id.ms, id.seq, Projection.ALL);
            }
        }
        c.reply.arrayLen(deleted.size());
        for (StreamId id : deleted) {
            StreamReplies.id(c, id.ms, id.seq);
        }
        StreamPropagation.preventSelf(c);
    }
}
