package dev.cinnabar.server.pubsub;

import dev.cinnabar.ds.Glob;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.config.NotifyKeyspaceEventsParam;
import dev.cinnabar.server.util.ByteKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Pub/Sub registry (Redis pubsub.c): channel, shard channel and pattern subscriptions,
 * message delivery, keyspace notifications (notify.c) and the pubsub output buffer limits.
 *
 * <p><b>Delivery.</b> A message for client X is encoded into X's {@link Subscriber#outbox}
 * by the thread running the publishing command (it holds the server lock). If X is that
 * command's own client, the dispatcher appends the outbox to X's reply after the command (Redis
 * defers pushes to the current client the same way, so a PUBLISH to oneself inside MULTI lands
 * after the EXEC reply). Otherwise a flush task is queued on X's event loop, which moves the
 * outbox into X's reply stream and flushes it; every publish of one event-loop turn shares one
 * task and one flush per subscriber.
 *
 * <p><b>Slow subscribers.</b> After each delivery the bytes waiting for X (outbox plus what the
 * transport has not sent) are checked against {@code client-output-buffer-limit} for X's class,
 * as Redis's checkClientOutputBufferLimits does: over the hard limit, or over the soft limit for
 * longer than its seconds, X is closed and receives nothing more (the check is shared with
 * every other client: {@code ops.OutputLimits}). Memory held for a subscriber that never reads
 * is therefore bounded by its limit plus one message.
 *
 * <p>Everything here runs with the server lock held.
 */
public final class PubSub {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NULL2 = Ascii.bytes("$-1\r\n");
    private static final byte[] NULL3 = Ascii.bytes("_\r\n");
    static final byte[] MESSAGE = bulk("message");
    static final byte[] PMESSAGE = bulk("pmessage");
    static final byte[] SMESSAGE = bulk("smessage");

    /** The SUBSCRIBE-family confirmations: their first element and which count they carry. */
    public enum Kind {
        SUBSCRIBE("subscribe", false), UNSUBSCRIBE("unsubscribe", false),
        PSUBSCRIBE("psubscribe", false), PUNSUBSCRIBE("punsubscribe", false),
        SSUBSCRIBE("ssubscribe", true), SUNSUBSCRIBE("sunsubscribe", true);

        final byte[] bulk;
        /** Shard confirmations count shard channels; the others channels + patterns. */
        final boolean shard;

        Kind(String word, boolean shard) {
            this.bulk = bulk(word);
            this.shard = shard;
        }
    }

    private static final byte[] KEYSPACE_PREFIX = Ascii.bytes("__keyspace@");
    private static final byte[] KEYEVENT_PREFIX = Ascii.bytes("__keyevent@");

    private final Server server;
    private final Map<ByteKey, ArrayList<Client>> channels = new LinkedHashMap<>();
    private final Map<ByteKey, ArrayList<Client>> shardChannels = new LinkedHashMap<>();
    /** Pattern subscriptions, in a list for allocation-free iteration on every publish. */
    private final ArrayList<Pattern> patternList = new ArrayList<>();
    private final Map<ByteKey, Pattern> patterns = new HashMap<>();
    private final Probe probe = new Probe();
    private final byte[] numScratch = new byte[24];
    /** Channel names of keyspace notifications are built here. */
    private byte[] nameBuf = new byte[128];

    private static final class Pattern {
        final ByteKey key;
        final ArrayList<Client> clients = new ArrayList<>(2);

        Pattern(ByteKey key) {
            this.key = key;
        }
    }

    public PubSub(Server server) {
        this.server = server;
    }

    private static byte[] bulk(String s) {
        return Ascii.bytes("$" + s.length() + "\r\n" + s + "\r\n");
    }

    // ---- subscriptions --------------------------------------------------------------------------

    /** The client's Pub/Sub state, created on first use. */
    public Subscriber of(Client c) {
        Subscriber s = c.subscriber;
        if (s == null) {
            s = c.subscriber = new Subscriber(c, this);
        }
        return s;
    }

    /** Adds a channel subscription; false if the client already had it. */
    public boolean subscribe(Client c, byte[] d, int off, int len, boolean shard) {
        Subscriber s = of(c);
        ByteKey k = ByteKey.of(d, off, len);
        if (!(shard ? s.shardChannels : s.channels).add(k)) {
            return false;
        }
        (shard ? shardChannels : channels).computeIfAbsent(k, x -> new ArrayList<>(2)).add(c);
        return true;
    }

    /** Removes a channel subscription; false if the client did not have it. */
    public boolean unsubscribe(Client c, ByteKey k, boolean shard) {
        Subscriber s = c.subscriber;
        if (s == null || !(shard ? s.shardChannels : s.channels).remove(k)) {
            return false;
        }
        Map<ByteKey, ArrayList<Client>> m = shard ? shardChannels : channels;
        ArrayList<Client> l = m.get(k);
        if (l != null) {
            l.remove(c);
            if (l.isEmpty()) {
                // Dropping empty channels keeps the registry as small as the live subscriptions.
                m.remove(k);
            }
        }
        return true;
    }

    public boolean psubscribe(Client c, byte[] d, int off, int len) {
        Subscriber s = of(c);
        ByteKey k = ByteKey.of(d, off, len);
        if (!s.patterns.add(k)) {
            return false;
        }
        Pattern p = patterns.get(k);
        if (p == null) {
            p = new Pattern(k);
            patterns.put(k, p);
            patternList.add(p);
        }
        p.clients.add(c);
        return true;
    }

    public boolean punsubscribe(Client c, ByteKey k) {
        Subscriber s = c.subscriber;
        if (s == null || !s.patterns.remove(k)) {
            return false;
        }
        Pattern p = patterns.get(k);
        if (p != null) {
            p.clients.remove(c);
            if (p.clients.isEmpty()) {
                patterns.remove(k);
                patternList.remove(p);
            }
        }
        return true;
    }

    /** The client's channels (or shard channels), copied so the caller may unsubscribe while iterating. */
    public List<ByteKey> channelsOf(Client c, boolean shard) {
        Subscriber s = c.subscriber;
        return s == null ? List.of() : new ArrayList<>(shard ? s.shardChannels : s.channels);
    }

    public List<ByteKey> patternsOf(Client c) {
        Subscriber s = c.subscriber;
        return s == null ? List.of() : new ArrayList<>(s.patterns);
    }

    /** Channels + patterns of a client (the count in SUBSCRIBE-family replies). */
    public int subscriptionCount(Client c) {
        return c.subscriber == null ? 0 : c.subscriber.count();
    }

    public int shardSubscriptionCount(Client c) {
        return c.subscriber == null ? 0 : c.subscriber.shardChannels.size();
    }

    public int totalSubscriptions(Client c) {
        return c.subscriber == null ? 0 : c.subscriber.total();
    }

    /**
     * Drops every subscription without telling the client (RESET, disconnect) and leaves
     * Pub/Sub mode. Undelivered messages are dropped only when the client is gone.
     */
    public void unsubscribeAll(Client c) {
        Subscriber s = c.subscriber;
        if (s == null) {
            return;
        }
        for (ByteKey k : new ArrayList<>(s.channels)) {
            unsubscribe(c, k, false);
        }
        for (ByteKey k : new ArrayList<>(s.shardChannels)) {
            unsubscribe(c, k, true);
        }
        for (ByteKey k : new ArrayList<>(s.patterns)) {
            punsubscribe(c, k);
        }
        c.flags &= ~Client.PUBSUB;
    }

    /** The client is gone: subscriptions and queued messages are released. */
    public void clientClosed(Client c) {
        unsubscribeAll(c);
        Subscriber s = c.subscriber;
        if (s != null && s.outbox != null) {
            s.outbox.release();
            s.outbox = null;
        }
    }

    // ---- introspection ------------------------------------------------------------------------

    public int channelCount() {
        return channels.size();
    }

    public int patternCount() {
        return patterns.size();
    }

    public int shardChannelCount() {
        return shardChannels.size();
    }

    public Iterable<ByteKey> channelNames(boolean shard) {
        return (shard ? shardChannels : channels).keySet();
    }

    /** Subscribers of a channel (PUBSUB NUMSUB / SHARDNUMSUB). */
    public int subscribers(byte[] d, int off, int len, boolean shard) {
        ArrayList<Client> l = (shard ? shardChannels : channels).get(probe.set(d, off, len));
        return l == null ? 0 : l.size();
    }

    // ---- replies to the subscribing client ------------------------------------------------------

    /**
     * A SUBSCRIBE-family confirmation ([kind, name or null, count]): these commands reply with
     * pushes only, which must reach the client even under CLIENT REPLY OFF/SKIP (Redis writes
     * them with CLIENT_PUSHING). Replies the dispatcher would drop go through the outbox, which it
     * appends after the command.
     */
    public void confirmSubscribe(Client c, Kind kind, byte[] name) {
        long count = kind.shard ? shardSubscriptionCount(c) : subscriptionCount(c);
        if ((c.flags & (Client.REPLY_OFF | Client.REPLY_SKIP)) != 0 && !c.has(Client.IN_EXEC)) {
            ByteBuf b = outbox(of(c));
            header(b, c.resp(), 3);
            b.writeBytes(kind.bulk);
            if (name == null) {
                b.writeBytes(c.resp() == 3 ? NULL3 : NULL2);
            } else {
                bulk(b, name, 0, name.length);
            }
            integer(b, count);
            return;
        }
        c.reply.pushLen(3);
        c.reply.raw(kind.bulk);
        if (name == null) {
            c.reply.nullBulk();
        } else {
            c.reply.bulk(name);
        }
        c.reply.integer(count);
    }

    // ---- publishing ---------------------------------------------------------------------------

    /** PUBLISH / SPUBLISH: delivers to channel subscribers (and, unless shard, to matching patterns). */
    public long publish(byte[] ch, int chOff, int chLen, byte[] msg, int mOff, int mLen, boolean shard) {
        long receivers = 0;
        ArrayList<Client> subs = (shard ? shardChannels : channels).get(probe.set(ch, chOff, chLen));
        if (subs != null) {
            byte[] kind = shard ? SMESSAGE : MESSAGE;
            for (int i = 0; i < subs.size(); i++) {
                Client x = subs.get(i);
                receivers++;
                Subscriber s = x.subscriber;
                if (!deliverable(x)) {
                    continue;
                }
                ByteBuf b = outbox(s);
                header(b, x.resp(), 3);
                b.writeBytes(kind);
                bulk(b, ch, chOff, chLen);
                bulk(b, msg, mOff, mLen);
                delivered(s);
            }
        }
        if (shard) {
            return receivers; // shard channels ignore patterns
        }
        for (int p = 0; p < patternList.size(); p++) {
            Pattern pat = patternList.get(p);
            byte[] pb = pat.key.bytes();
            if (!Glob.match(pb, 0, pb.length, ch, chOff, chLen, false)) {
                continue;
            }
            ArrayList<Client> l = pat.clients;
            for (int i = 0; i < l.size(); i++) {
                Client x = l.get(i);
                receivers++;
                Subscriber s = x.subscriber;
                if (!deliverable(x)) {
                    continue;
                }
                ByteBuf b = outbox(s);
                header(b, x.resp(), 4);
                b.writeBytes(PMESSAGE);
                bulk(b, pb, 0, pb.length);
                bulk(b, ch, chOff, chLen);
                bulk(b, msg, mOff, mLen);
                delivered(s);
            }
        }
        return receivers;
    }

    /**
     * The outbox of client {@code x} for a push that is not a channel message (client tracking
     * invalidations), or null when {@code x} cannot receive anything. After writing one whole
     * message, call {@link #pushed}.
     */
    public ByteBuf pushBuffer(Client x) {
        return deliverable(x) ? outbox(of(x)) : null;
    }

    /** A message was written into {@link #pushBuffer}: get it flushed, enforce the output limits. */
    public void pushed(Client x) {
        delivered(x.subscriber);
    }

    /** Redis skips replies to clients about to be closed (they still count as receivers). */
    private static boolean deliverable(Client x) {
        return (x.flags & (Client.CLOSE_ASAP | Client.CLOSE_AFTER_REPLY)) == 0 && x.conn != null;
    }

    private ByteBuf outbox(Subscriber s) {
        ByteBuf b = s.outbox;
        if (b == null) {
            b = s.outbox = PooledByteBufAllocator.DEFAULT.heapBuffer(256);
        }
        return b;
    }

    /** After a message was queued for {@code s}: get it flushed, and enforce the output limits. */
    private void delivered(Subscriber s) {
        Client x = s.client;
        // The running command's own client gets its pushes from the dispatcher after the command.
        if (!x.has(Client.EXECUTING) && !s.flushScheduled) {
            s.flushScheduled = true;
            x.conn.execute(s.flushTask);
        }
        checkOutputLimit(s);
    }

    /**
     * Moves queued messages into the client's reply stream. Runs on the client's event loop
     * (the dispatcher around each command, or the flush task).
     */
    public void drain(Client c) {
        Subscriber s = c.subscriber;
        if (s == null || s.outbox == null) {
            return;
        }
        ByteBuf o = s.outbox;
        s.outbox = null;
        if (!c.has(Client.CLOSE_ASAP)) {
            c.reply.raw(o);
        }
        o.release();
    }

    /** The flush task: on the subscriber's own event loop. */
    void flushOnOwnLoop(Subscriber s) {
        Client c = s.client;
        server.lock.enter();
        try {
            s.flushScheduled = false;
            drain(c);
        } finally {
            server.lock.exit();
        }
        if (c.conn != null) {
            c.conn.flushPending();
        }
    }

    // ---- output buffer limits -----------------------------------------------------------------

    /**
     * Redis closeClientOnOutputBufferLimitReached after a push: the shared check of
     * {@code ops.OutputLimits}; a client closed for its limits gets nothing more.
     */
    private void checkOutputLimit(Subscriber s) {
        if (server.ops.outputLimits.closeIfOver(s.client) && s.outbox != null) {
            s.outbox.release();
            s.outbox = null;
        }
    }

    // ---- keyspace notifications ---------------------------------------------------------------

    /**
     * Redis notifyKeyspaceEvent: publishes {@code event} on {@code __keyspace@<db>__:<key>} and
     * {@code key} on {@code __keyevent@<db>__:<event>}, as notify-keyspace-events selects.
     */
    public void notifyKeyspaceEvent(int type, byte[] event, int db, byte[] k, int off, int len) {
        int flags = server.config.monitoring.notifyKeyspaceEvents.get();
        if ((flags & type) == 0) {
            return;
        }
        if (channels.isEmpty() && patternList.isEmpty()) {
            return; // nobody could receive it
        }
        if ((flags & NotifyKeyspaceEventsParam.KEYSPACE) != 0) {
            int n = channelName(KEYSPACE_PREFIX, db, k, off, len);
            publish(nameBuf, 0, n, event, 0, event.length, false);
        }
        if ((flags & NotifyKeyspaceEventsParam.KEYEVENT) != 0) {
            int n = channelName(KEYEVENT_PREFIX, db, event, 0, event.length);
            publish(nameBuf, 0, n, k, off, len, false);
        }
    }

    /** prefix + db + "__:" + suffix into {@link #nameBuf}; returns the length. */
    private int channelName(byte[] prefix, int db, byte[] d, int off, int len) {
        int need = prefix.length + 20 + 3 + len;
        if (nameBuf.length < need) {
            nameBuf = new byte[Math.max(need, nameBuf.length * 2)];
        }
        byte[] b = nameBuf;
        System.arraycopy(prefix, 0, b, 0, prefix.length);
        int n = prefix.length;
        n = Ascii.putLong(b, n, db) + n;
        b[n++] = '_';
        b[n++] = '_';
        b[n++] = ':';
        System.arraycopy(d, off, b, n, len);
        return n + len;
    }

    // ---- encoding -------------------------------------------------------------------------------

    private void header(ByteBuf b, int resp, int n) {
        b.writeByte(resp == 3 ? '>' : '*');
        int len = Ascii.putLong(numScratch, 0, n);
        b.writeBytes(numScratch, 0, len);
        b.writeBytes(CRLF);
    }

    private void bulk(ByteBuf b, byte[] d, int off, int len) {
        b.writeByte('$');
        int n = Ascii.putLong(numScratch, 0, len);
        b.writeBytes(numScratch, 0, n);
        b.writeBytes(CRLF);
        b.writeBytes(d, off, len);
        b.writeBytes(CRLF);
    }

    private void integer(ByteBuf b, long v) {
        b.writeByte(':');
        int n = Ascii.putLong(numScratch, 0, v);
        b.writeBytes(numScratch, 0, n);
        b.writeBytes(CRLF);
    }

    /**
     * A reusable lookup key: finds a channel in the registry without copying the name.
     * HashMap compares with {@code probe.equals(storedKey)}, so only that direction is needed;
     * the hash is Arrays.hashCode of the bytes, as {@link ByteKey}'s.
     */
    private static final class Probe {
        private byte[] d;
        private int off;
        private int len;
        private int hash;

        Probe set(byte[] d, int off, int len) {
            this.d = d;
            this.off = off;
            this.len = len;
            int h = 1;
            for (int i = off; i < off + len; i++) {
                h = 31 * h + d[i];
            }
            this.hash = h;
            return this;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof ByteKey k)) {
                return false;
            }
            byte[] b = k.bytes();
            return b.length == len && java.util.Arrays.equals(b, 0, len, d, off, off + len);
        }
    }
}
