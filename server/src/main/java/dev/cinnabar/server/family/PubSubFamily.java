package dev.cinnabar.server.family;

import dev.cinnabar.ds.Glob;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.pubsub.PubSub;
import dev.cinnabar.server.util.ByteKey;
import java.util.List;

/**
 * SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH
 * and PUBSUB (Redis pubsub.c). State and delivery live in {@link PubSub}.
 *
 * <p>Standalone, shard channels are a separate namespace with the same behaviour as channels
 * but without pattern matching, as in a Redis 7.2 server without cluster mode.
 */
public final class PubSubFamily {
    private PubSubFamily() {}

    public static void register(CommandTable t) {
        t.bind("subscribe", c -> subscribe(c, false))
                .bind("ssubscribe", c -> subscribe(c, true))
                .bind("unsubscribe", c -> unsubscribe(c, false))
                .bind("sunsubscribe", c -> unsubscribe(c, true))
                .bind("psubscribe", PubSubFamily::psubscribe)
                .bind("punsubscribe", PubSubFamily::punsubscribe)
                .bind("publish", c -> publish(c, false))
                .bind("spublish", c -> publish(c, true))
                .bind("pubsub|channels", c -> channels(c, false))
                .bind("pubsub|shardchannels", c -> channels(c, true))
                .bind("pubsub|numsub", c -> numsub(c, false))
                .bind("pubsub|shardnumsub", c -> numsub(c, true))
                .bind("pubsub|numpat", PubSubFamily::numpat)
                .bind("pubsub|help", PubSubFamily::help);
    }

    private static byte[] arg(Client c, int i) {
        return c.argCopy(i);
    }

    /** SUBSCRIBE / SSUBSCRIBE: one confirmation per argument, repeated ones included. */
    static void subscribe(Client c, boolean shard) {
        PubSub ps = c.server.pubsub;
        byte[] d = c.argData();
        for (int j = 1; j < c.argc(); j++) {
            ps.subscribe(c, d, c.argOff(j), c.argLen(j), shard);
            ps.confirmSubscribe(c, shard ? PubSub.Kind.SSUBSCRIBE : PubSub.Kind.SUBSCRIBE, arg(c, j));
        }
        c.flags |= Client.PUBSUB;
    }

    /** UNSUBSCRIBE / SUNSUBSCRIBE: without arguments, from everything (one reply even if nothing). */
    static void unsubscribe(Client c, boolean shard) {
        PubSub ps = c.server.pubsub;
        PubSub.Kind kind = shard ? PubSub.Kind.SUNSUBSCRIBE : PubSub.Kind.UNSUBSCRIBE;
        if (c.argc() == 1) {
            List<ByteKey> all = ps.channelsOf(c, shard);
            for (ByteKey k : all) {
                ps.unsubscribe(c, k, shard);
                ps.confirmSubscribe(c, kind, k.bytes());
            }
            if (all.isEmpty()) {
                ps.confirmSubscribe(c, kind, null);
            }
        } else {
            for (int j = 1; j < c.argc(); j++) {
                byte[] ch = arg(c, j);
                ps.unsubscribe(c, new ByteKey(ch), shard);
                ps.confirmSubscribe(c, kind, ch);
            }
        }
        leaveIfDone(c);
    }

    static void psubscribe(Client c) {
        PubSub ps = c.server.pubsub;
        byte[] d = c.argData();
        for (int j = 1; j < c.argc(); j++) {
            ps.psubscribe(c, d, c.argOff(j), c.argLen(j));
            ps.confirmSubscribe(c, PubSub.Kind.PSUBSCRIBE, arg(c, j));
        }
        c.flags |= Client.PUBSUB;
    }

    static void punsubscribe(Client c) {
        PubSub ps = c.server.pubsub;
        if (c.argc() == 1) {
            List<ByteKey> all = ps.patternsOf(c);
            for (ByteKey k : all) {
                ps.punsubscribe(c, k);
                ps.confirmSubscribe(c, PubSub.Kind.PUNSUBSCRIBE, k.bytes());
            }
            if (all.isEmpty()) {
                ps.confirmSubscribe(c, PubSub.Kind.PUNSUBSCRIBE, null);
            }
        } else {
            for (int j = 1; j < c.argc(); j++) {
                byte[] p = arg(c, j);
                ps.punsubscribe(c, new ByteKey(p));
                ps.confirmSubscribe(c, PubSub.Kind.PUNSUBSCRIBE, p);
            }
        }
        leaveIfDone(c);
    }

    /** A client without any subscription leaves Pub/Sub mode. */
    private static void leaveIfDone(Client c) {
        if (c.server.pubsub.totalSubscriptions(c) == 0) {
            c.flags &= ~Client.PUBSUB;
        }
    }

    static void publish(Client c, boolean shard) {
        long n = c.server.pubsub.publish(c.argData(), c.argOff(1), c.argLen(1), c.argData(), c.argOff(2),
                c.argLen(2), shard);
        // Replicas publish it to their own subscribers (Redis forceCommandPropagation outside cluster mode).
        c.server.replication.propagation.force();
        c.reply.integer(n);
    }

    /** PUBSUB CHANNELS / SHARDCHANNELS [pattern]. */
    static void channels(Client c, boolean shard) {
        if (c.argc() > 3) {
            Help.subcommandSyntaxError(c);
            return;
        }
        byte[] pat = c.argc() == 3 ? c.argCopy(2) : null;
        int token = c.reply.deferLen();
        long n = 0;
        for (ByteKey k : c.server.pubsub.channelNames(shard)) {
            byte[] ch = k.bytes();
            if (pat == null || Glob.match(pat, 0, pat.length, ch, 0, ch.length, false)) {
                c.reply.bulk(ch);
                n++;
            }
        }
        c.reply.setDeferredArrayLen(token, n);
    }

    /** PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: pattern subscribers are not counted. */
    static void numsub(Client c, boolean shard) {
        PubSub ps = c.server.pubsub;
        byte[] d = c.argData();
        c.reply.arrayLen(2L * (c.argc() - 2));
        for (int j = 2; j < c.argc(); j++) {
            c.reply.bulk(d, c.argOff(j), c.argLen(j));
            c.reply.integer(ps.subscribers(d, c.argOff(j), c.argLen(j), shard));
        }
    }

    static void numpat(Client c) {
        c.reply.integer(c.server.pubsub.patternCount());
    }

    static void help(Client c) {
        Help.reply(c,
                "CHANNELS [<pattern>]",
                "    List the channels that have subscribers, optionally only those matching <pattern>.",
                "NUMPAT",
                "    Count the distinct patterns subscribed to.",
                "NUMSUB [<channel> ...]",
                "    Count the subscribers of each channel (pattern subscribers are not counted).",
                "SHARDCHANNELS [<pattern>]",
                "    List the shard channels that have subscribers, optionally only those matching <pattern>.",
                "SHARDNUMSUB [<shardchannel> ...]",
                "    Count the subscribers of each shard channel.");
    }
}
