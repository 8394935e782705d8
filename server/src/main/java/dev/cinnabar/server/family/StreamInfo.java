package dev.cinnabar.server.family;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.family.StreamReplies.Projection;
import dev.cinnabar.server.type.StreamGroup;
import dev.cinnabar.server.type.StreamGroup.Consumer;
import dev.cinnabar.server.type.StreamGroup.Nack;
import dev.cinnabar.server.type.StreamId;
import dev.cinnabar.server.type.StreamIterator;
import dev.cinnabar.server.type.StreamValue;
import dev.cinnabar.server.util.ByteKey;
import java.util.Map;

/** XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS and XINFO HELP, with Redis 7.2's fields. */
final class StreamInfo {
    private StreamInfo() {}

    static void register(CommandTable t) {
        t.bind("xinfo|stream", StreamInfo::stream)
                .bind("xinfo|groups", StreamInfo::groups)
                .bind("xinfo|consumers", StreamInfo::consumers)
                .bind("xinfo|help", StreamInfo::help);
    }

    private static final byte[] W_FULL = Ascii.bytes("full");
    private static final byte[] W_COUNT = Ascii.bytes("count");

    private static StreamValue lookup(Client c) {
        Object e = c.db.lookupRead(c, 2);
        if (e == null) {
            c.error("ERR no such key");
            return null;
        }
        StreamValue s = StreamArgs.asStream(e);
        if (s == null) {
            c.wrongType();
        }
        return s;
    }

    static void help(Client c) {
        Help.reply(c,
                "CONSUMERS <key> <groupname>",
                "    Show consumers of <groupname>.",
                "GROUPS <key>",
                "    Show the stream consumer groups.",
                "STREAM <key> [FULL [COUNT <count>]",
                "    Show information about the stream.");
    }

    /** A group's lag: a number, or null when it cannot be known. */
    private static void lag(ReplyWriter r, StreamValue s, StreamGroup g) {
        long lag = s.lag(g);
        if (lag == StreamValue.LAG_UNKNOWN) {
            r.nullBulk();
        } else {
            r.integer(lag);
        }
    }

    private static void entriesRead(ReplyWriter r, StreamGroup g) {
        if (g.entriesRead != StreamGroup.ENTRIES_READ_INVALID) {
            r.integer(g.entriesRead);
        } else {
            r.nullBulk();
        }
    }

    static void consumers(Client c) {
        StreamValue s = lookup(c);
        if (s == null) {
            return;
        }
        StreamGroup g = s.group(c.argData(), c.argOff(3), c.argLen(3));
        if (g == null) {
            c.error("NOGROUP No such consumer group '" + c.argForMessage(3) + "' for key name '"
                    + c.argForMessage(2) + "'");
            return;
        }
        ReplyWriter r = c.reply;
        r.arrayLen(g.consumers.size());
        long now = c.now;
        for (Consumer cons : g.consumers.values()) {
            long inactive = cons.activeTime != -1 ? now - cons.activeTime : -1;
            long idle = Math.max(0, now - cons.seenTime);
            r.mapLen(4);
            r.bulk("name");
            r.bulk(cons.name);
            r.bulk("pending");
            r.integer(cons.pel.size());
            r.bulk("idle");
            r.integer(idle);
            r.bulk("inactive");
            r.integer(inactive);
        }
    }

    static void groups(Client c) {
        StreamValue s = lookup(c);
        if (s == null) {
            return;
        }
        ReplyWriter r = c.reply;
        r.arrayLen(s.groupCount());
        for (Map.Entry<ByteKey, StreamGroup> e : s.groups().entrySet()) {
            StreamGroup g = e.getValue();
            r.mapLen(6);
            r.bulk("name");
            r.bulk(e.getKey().bytes());
            r.bulk("consumers");
            r.integer(g.consumers.size());
            r.bulk("pending");
            r.integer(g.pel.size());
            r.bulk("last-delivered-id");
            StreamReplies.id(c, g.lastMs, g.lastSeq);
            r.bulk("entries-read");
            entriesRead(r, g);
            r.bulk("lag");
            lag(r, s, g);
        }
    }

    static void stream(Client c) {
        StreamValue s = lookup(c);
        if (s == null) {
            return;
        }
        int optc = c.argc() - 3;
        boolean full = false;
        long count = 10;
        if (optc != 0) {
            if ((optc != 1 && optc != 3) || !c.argIs(3, W_FULL)) {
                Help.subcommandSyntaxError(c);
                return;
            }
            full = true;
            if (optc == 3) {
                if (!c.argIs(4, W_COUNT)) {
                    Help.subcommandSyntaxError(c);
                    return;
                }
                if (!c.parseLong(5)) {
                    return;
                }
                count = c.parsed();
                if (count < 0) {
                    count = 10;
                }
            }
        }
        ReplyWriter r = c.reply;
        r.mapLen(full ? 9 : 10);
        r.bulk("length");
        r.integer(s.length);
        r.bulk("radix-tree-keys");
        r.integer(s.nodeCount());
        r.bulk("radix-tree-nodes");
        r.integer(s.radixTreeNodes());
        r.bulk("last-generated-id");
        StreamReplies.id(c, s.lastMs, s.lastSeq);
        r.bulk("max-deleted-entry-id");
        StreamReplies.id(c, s.maxDeletedMs, s.maxDeletedSeq);
        r.bulk("entries-added");
        r.integer(s.entriesAdded);
        r.bulk("recorded-first-entry-id");
        StreamReplies.id(c, s.firstMs, s.firstSeq);
        if (!full) {
            r.bulk("groups");
            r.integer(s.groupCount());
            r.bulk("first-entry");
            edgeEntry(c, s, false);
            r.bulk("last-entry");
            edgeEntry(c, s, true);
            return;
        }
        r.bulk("entries");
        StreamReplies.range(c, s, 0, 0, -1L, -1L, count, false, Projection.ALL);
        r.bulk("groups");
        r.arrayLen(s.groupCount());
        for (Map.Entry<ByteKey, StreamGroup> e : s.groups().entrySet()) {
            StreamGroup g = e.getValue();
            r.mapLen(7);
            r.bulk("name");
            r.bulk(e.getKey().bytes());
            r.bulk("last-delivered-id");
            StreamReplies.id(c, g.lastMs, g.lastSeq);
            r.bulk("entries-read");
            entriesRead(r, g);
            r.bulk("lag");
            lag(r, s, g);
            r.bulk("pel-count");
            r.integer(g.pel.size());
            r.bulk("pending");
            int token = r.deferLen();
            long n = 0;
            for (Map.Entry<StreamId, Nack> p : g.pel.entrySet()) {
                if (count != 0 && n >= count) {
                    break;
                }
                r.arrayLen(4);
                StreamReplies.id(c, p.getKey().ms, p.getKey().seq);
                r.bulk(p.getValue().consumer.name);
                r.integer(p.getValue().deliveryTime);
                r.integer(p.getValue().deliveryCount);
                n++;
            }
            r.setDeferredArrayLen(token, n);
            r.bulk("consumers");
            r.arrayLen(g.consumers.size());
            for (Consumer cons : g.consumers.values()) {
                r.mapLen(5);
                r.bulk("name");
                r.bulk(cons.name);
                r.bulk("seen-time");
                r.integer(cons.seenTime);
                r.bulk("active-time");
                r.integer(cons.activeTime);
                r.bulk("pel-count");
                r.integer(cons.pel.size());
                r.bulk("pending");
                int ct = r.deferLen();
                long m = 0;
                for (Map.Entry<StreamId, Nack> p : cons.pel.entrySet()) {
                    if (count != 0 && m >= count) {
                        break;
                    }
                    r.arrayLen(3);
                    StreamReplies.id(c, p.getKey().ms, p.getKey().seq);
                    r.integer(p.getValue().deliveryTime);
                    r.integer(p.getValue().deliveryCount);
                    m++;
                }
                r.setDeferredArrayLen(ct, m);
            }
        }
    }

    /** XINFO STREAM's first-entry / last-entry: the entry, or null. */
    private static void edgeEntry(Client c, StreamValue s, boolean last) {
        StreamIterator it = s.iterator(0, 0, -1L, -1L, last);
        if (it.next()) {
            StreamReplies.entry(c, it, Projection.ALL);
        } else {
            c.reply.nullBulk();
        }
    }
}
