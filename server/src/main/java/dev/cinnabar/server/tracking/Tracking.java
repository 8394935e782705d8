package dev.cinnabar.server.tracking;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.command.CommandFlags;
import dev.cinnabar.server.command.KeyExtractor;
import dev.cinnabar.server.util.ByteKey;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Server-assisted client-side caching (Redis tracking.c).
 *
 * <p><b>Default mode.</b> After a read-only command of a tracking client, the keys it read go
 * into the tracking table (key → ids of the clients that may cache it). When a key changes,
 * every client in its row gets one invalidation message and the row is dropped: a client is
 * told once, then tracked again when it reads the key again. Ids of clients that went away or
 * stopped tracking are left in the table and skipped when met, as in Redis (dropping them
 * eagerly would cost a walk of the whole table per client).
 *
 * <p><b>Broadcast mode (BCAST).</b> No table: every modified key that starts with a registered
 * prefix is collected per prefix (with the client that modified it last, for NOLOOP), and the
 * collected keys go out in one message per prefix when the event loop that ran the command is
 * done with its batch of requests (Redis beforeSleep), or at the end of a cron tick for keys
 * that expired there.
 *
 * <p><b>Delivery.</b> RESP3 clients get {@code >2 invalidate [keys]} pushes; a client with
 * REDIRECT has them sent to the redirection client instead, as a push when that client speaks
 * RESP3, or as a Pub/Sub message on {@code __redis__:invalidate} when it is a RESP2 subscriber.
 * Messages travel through the receiver's Pub/Sub outbox, so they reach it in order with other
 * pushes, from its own event loop. Invalidations caused by a client's own running command are
 * held until the command (EXEC as a whole) has replied, as Redis's tracking_pending_keys.
 *
 * <p>Everything here runs with the server lock held.
 */
public final class Tracking {
    private static final byte[] PUSH2 = Ascii.bytes(">2\r\n");
    private static final byte[] INVALIDATE = Ascii.bytes("$10\r\ninvalidate\r\n");
    private static final byte[] REDIR_BROKEN = Ascii.bytes("$21\r\ntracking-redir-broken\r\n");
    private static final byte[] CHANNEL_MESSAGE = Ascii.bytes("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n");
    private static final byte[] ONE_KEY = Ascii.bytes("*1\r\n");
    private static final byte[] NULL2 = Ascii.bytes("$-1\r\n");
    private static final byte[] NULL3 = Ascii.bytes("_\r\n");
    private static final byte[] CRLF = {'\r', '\n'};

    /** Flags a CLIENT TRACKING ON may set (the options); the others are state. */
    public static final int OPTION_FLAGS = Client.TRACKING_BCAST | Client.TRACKING_OPTIN | Client.TRACKING_OPTOUT
            | Client.TRACKING_NOLOOP;
    private static final int ALL_FLAGS = Client.TRACKING | Client.TRACKING_BROKEN_REDIR | Client.TRACKING_CACHING
            | OPTION_FLAGS;

    /** One row of the tracking table. */
    private static final class Row {
        final ByteKey key;
        final IdSet ids = new IdSet();
        /** Position in {@link #rows}, for random eviction. */
        int index;

        Row(ByteKey key) {
            this.key = key;
        }
    }

    /** The clients of one BCAST prefix and the keys with that prefix modified since the last broadcast. */
    private static final class Prefix {
        final LinkedHashSet<Client> clients = new LinkedHashSet<>();
        /** Key → the client that modified it last (null: no client, e.g. expiry), in byte order. */
        final TreeMap<ByteKey, Client> keys = new TreeMap<>();
    }

    private final Server server;
    private final HashMap<ByteKey, Row> table = new HashMap<>();
    private final ArrayList<Row> rows = new ArrayList<>();
    /** Client ids over all rows (INFO tracking_total_items). */
    private long totalItems;
    private final TreeMap<ByteKey, Prefix> prefixes = new TreeMap<>();
    private int trackingClients;
    /** The client whose request is being processed (Redis server.current_client), or null. */
    private Client current;
    /** Keys invalidated for {@link #current} by its own running command; null = everything (flush). */
    private final ArrayList<byte[]> pending = new ArrayList<>();
    private boolean broadcastDue;
    private boolean broadcastScheduled;
    private final Runnable broadcastTask;
    /** Consecutive limit checks that could not get under tracking-table-max-keys. */
    private int limitRounds;
    private final KeyProbe probe = new KeyProbe();
    private final KeyExtractor.Result keyPositions = new KeyExtractor.Result();
    private final byte[] num = new byte[24];

    public Tracking(Server server) {
        this.server = server;
        this.broadcastTask = () -> server.runLocked(() -> {
            broadcastScheduled = false;
            broadcast();
        });
    }

    // ---- the running client ----------------------------------------------------------------------

    /** Makes {@code c} the client being processed; returns the previous one, for {@link #restore}. */
    public Client enter(Client c) {
        Client prev = current;
        current = c;
        return prev;
    }

    public void restore(Client prev) {
        current = prev;
    }

    public Client current() {
        return current;
    }

    // ---- enabling and disabling ------------------------------------------------------------------

    /** Redis enableTracking: options are already validated; prefixes are added to the existing ones. */
    public void enable(Client c, long redirect, int options, ArrayList<ByteKey> newPrefixes) {
        if (!c.has(Client.TRACKING)) {
            trackingClients++;
        }
        c.flags = (c.flags & ~(Client.TRACKING_BROKEN_REDIR | OPTION_FLAGS)) | Client.TRACKING;
        c.trackingRedirect = redirect;
        if ((options & Client.TRACKING_BCAST) != 0) {
            c.flags |= Client.TRACKING_BCAST;
            if (newPrefixes.isEmpty()) {
                addPrefix(c, new ByteKey(new byte[0]));
            }
            for (ByteKey p : newPrefixes) {
                addPrefix(c, p);
            }
        }
        c.flags |= options & (Client.TRACKING_OPTIN | Client.TRACKING_OPTOUT | Client.TRACKING_NOLOOP);
    }

    private void addPrefix(Client c, ByteKey p) {
        Prefix bs = prefixes.computeIfAbsent(p, k -> new Prefix());
        if (bs.clients.add(c)) {
            if (c.trackingPrefixes == null) {
                c.trackingPrefixes = new TreeSet<>();
            }
            c.trackingPrefixes.add(p);
        }
    }

    /** Redis disableTracking (CLIENT TRACKING OFF, RESET, disconnect). Table rows are cleaned lazily. */
    public void disable(Client c) {
        if (c.has(Client.TRACKING_BCAST) && c.trackingPrefixes != null) {
            for (ByteKey p : c.trackingPrefixes) {
                Prefix bs = prefixes.get(p);
                if (bs != null) {
                    bs.clients.remove(c);
                    if (bs.clients.isEmpty()) {
                        prefixes.remove(p);
                    }
                }
            }
            c.trackingPrefixes = null;
        }
        if (c.has(Client.TRACKING)) {
            trackingClients--;
            c.flags &= ~ALL_FLAGS;
        }
    }

    /**
     * Redis checkPrefixCollisionsOrReply: two prefixes of one client must not both match a key.
     * Returns the error text, or null when the prefixes are acceptable.
     */
    public static String prefixCollision(Client c, ArrayList<ByteKey> ps) {
        for (int i = 0; i < ps.size(); i++) {
            byte[] a = ps.get(i).bytes();
            if (c.trackingPrefixes != null) {
                for (ByteKey existing : c.trackingPrefixes) {
                    if (overlap(existing.bytes(), a)) {
                        return "ERR Prefix '" + cString(a) + "' overlaps with an existing prefix '"
                                + cString(existing.bytes()) + "'. Prefixes for a single client must not overlap.";
                    }
                }
            }
            for (int j = i + 1; j < ps.size(); j++) {
                byte[] b = ps.get(j).bytes();
                if (overlap(a, b)) {
                    return "ERR Prefix '" + cString(a) + "' overlaps with another provided prefix '"
                            + cString(b) + "'. Prefixes for a single client must not overlap.";
                }
            }
        }
        return null;
    }

    /** One is a prefix of the other (an empty prefix overlaps everything). */
    private static boolean overlap(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        return java.util.Arrays.equals(a, 0, n, b, 0, n);
    }

    /** As Redis prints a binary string with %s: up to the first NUL byte. */
    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    // ---- remembering keys ----------------------------------------------------------------------

    /**
     * After a read-only command ran for {@code executing} (Redis call()): remembers its keys for
     * the current client, if that client tracks in default mode and OPTIN/OPTOUT allow it.
     */
    public void afterReadOnly(Client executing, Command cmd) {
        Client t = current;
        if (t == null || (t.flags & (Client.TRACKING | Client.TRACKING_BCAST)) != Client.TRACKING) {
            return;
        }
        boolean caching = t.has(Client.TRACKING_CACHING);
        if ((t.has(Client.TRACKING_OPTIN) && !caching) || (t.has(Client.TRACKING_OPTOUT) && caching)) {
            return;
        }
        if (cmd.has(CommandFlags.PUBSUB)) {
            return; // shard channels are keys only for routing: nothing to cache
        }
        if (cmd.has(CommandFlags.NOSCRIPT) && cmd.has(CommandFlags.READONLY)) {
            // EVAL_RO / EVALSHA_RO / FCALL_RO: as Redis, the script's declared keys are not
            // tracked, only what the commands it runs read (they come through here themselves).
            return;
        }
        int n = KeyExtractor.keys(cmd, executing.args, 0, executing.argc(), keyPositions);
        byte[] d = executing.argData();
        for (int i = 0; i < n; i++) {
            int p = keyPositions.position(i);
            remember(t.id, d, executing.argOff(p), executing.argLen(p));
        }
    }

    private void remember(long id, byte[] d, int off, int len) {
        Row r = table.get(probe.set(d, off, len));
        if (r == null) {
            r = new Row(ByteKey.of(d, off, len));
            r.index = rows.size();
            rows.add(r);
            table.put(r.key, r);
        }
        if (r.ids.add(id)) {
            totalItems++;
        }
    }

    private void removeRow(Row r) {
        table.remove(r.key);
        Row last = rows.remove(rows.size() - 1);
        if (last != r) {
            rows.set(r.index, last);
            last.index = r.index;
        }
        totalItems -= r.ids.size();
    }

    // ---- invalidation ----------------------------------------------------------------------------

    /**
     * A key changed (Redis trackingInvalidateKey from signalModifiedKey). {@code modifier} is the
     * client whose command changed it, null when no client did (expiry); {@code bcast} is false
     * when the key did not change but leaves the table (tracking-table-max-keys).
     */
    public void invalidateKey(Client modifier, byte[] k, int off, int len, boolean bcast) {
        if (bcast && !prefixes.isEmpty()) {
            rememberForBroadcast(modifier, k, off, len);
        }
        if (table.isEmpty()) {
            return;
        }
        Row r = table.get(probe.set(k, off, len));
        if (r == null) {
            return;
        }
        removeRow(r);
        byte[] key = r.key.bytes();
        long[] ids = r.ids.slots();
        for (long id : ids) {
            if (id == 0) {
                continue;
            }
            Client target = server.clients.byId(id);
            // A client that switched to BCAST does not hear about keys it read before.
            if (target == null || (target.flags & (Client.TRACKING | Client.TRACKING_BCAST)) != Client.TRACKING) {
                continue;
            }
            if (target == current && target.has(Client.TRACKING_NOLOOP)) {
                continue;
            }
            if (target == current && target.has(Client.EXECUTING)) {
                // After the command's reply, not inside it.
                pending.add(key);
            } else {
                send(target, key, 0, key.length, false);
            }
        }
    }

    private void rememberForBroadcast(Client modifier, byte[] k, int off, int len) {
        ByteKey key = null;
        for (Map.Entry<ByteKey, Prefix> e : prefixes.entrySet()) {
            byte[] p = e.getKey().bytes();
            if (p.length > len || !java.util.Arrays.equals(p, 0, p.length, k, off, off + p.length)) {
                continue;
            }
            if (key == null) {
                key = ByteKey.of(k, off, len);
            }
            e.getValue().keys.put(key, modifier);
            broadcastDue = true;
        }
        if (key != null && !broadcastScheduled && current != null && current.conn != null) {
            // The end of this event loop's batch, where Redis's beforeSleep would broadcast.
            broadcastScheduled = true;
            current.conn.execute(broadcastTask);
        }
    }

    /**
     * FLUSHALL / FLUSHDB / DEBUG RELOAD (Redis trackingInvalidateKeysOnFlush): every tracking
     * client is told that all keys are invalid (a null instead of the key array), and the table
     * is emptied.
     */
    public void invalidateAllOnFlush() {
        if (trackingClients > 0) {
            for (Client x : server.clients.all()) {
                if (!x.has(Client.TRACKING)) {
                    continue;
                }
                if (x == current) {
                    pending.add(null);
                } else {
                    byte[] n = x.resp() == 3 ? NULL3 : NULL2;
                    send(x, n, 0, n.length, true);
                }
            }
        }
        table.clear();
        rows.clear();
        totalItems = 0;
    }

    /**
     * Sends the invalidations held for the current client (Redis
     * trackingHandlePendingKeyInvalidations): after a command that is not inside EXEC.
     */
    public void flushPending() {
        if (pending.isEmpty()) {
            return;
        }
        Client c = current;
        if (c != null) {
            for (int i = 0; i < pending.size(); i++) {
                byte[] k = pending.get(i);
                if (k == null) {
                    byte[] n = c.resp() == 3 ? NULL3 : NULL2;
                    send(c, n, 0, n.length, true);
                } else {
                    send(c, k, 0, k.length, false);
                }
            }
        }
        pending.clear();
    }

    /**
     * Redis sendTrackingMessage: {@code proto} false = one key name, true = an already encoded
     * RESP value (a key array, or a null meaning every key).
     */
    private void send(Client c, byte[] d, int off, int len, boolean proto) {
        Client to = c;
        boolean redirected = false;
        if (c.trackingRedirect != 0) {
            Client r = server.clients.byId(c.trackingRedirect);
            // A redirection client that is closing will never read again: it counts as gone.
            if (r == null || (r.flags & (Client.CLOSE_ASAP | Client.CLOSE_AFTER_REPLY)) != 0) {
                c.flags |= Client.TRACKING_BROKEN_REDIR;
                if (c.resp() == 3) {
                    ByteBuf b = server.pubsub.pushBuffer(c);
                    if (b != null) {
                        b.writeBytes(PUSH2);
                        b.writeBytes(REDIR_BROKEN);
                        b.writeByte(':');
                        b.writeBytes(num, 0, Ascii.putLong(num, 0, c.trackingRedirect));
                        b.writeBytes(CRLF);
                        server.pubsub.pushed(c);
                    }
                }
                return;
            }
            to = r;
            redirected = true;
        }
        byte[] header;
        if (to.resp() == 3) {
            header = null;
        } else if (redirected && to.has(Client.PUBSUB)) {
            header = CHANNEL_MESSAGE;
        } else {
            return; // RESP2 without a subscribed redirection client has nowhere to receive pushes
        }
        ByteBuf b = server.pubsub.pushBuffer(to);
        if (b == null) {
            return;
        }
        if (header == null) {
            b.writeBytes(PUSH2);
            b.writeBytes(INVALIDATE);
        } else {
            b.writeBytes(header);
        }
        if (proto) {
            b.writeBytes(d, off, len);
        } else {
            b.writeBytes(ONE_KEY);
            b.writeByte('$');
            b.writeBytes(num, 0, Ascii.putLong(num, 0, len));
            b.writeBytes(CRLF);
            b.writeBytes(d, off, len);
            b.writeBytes(CRLF);
        }
        server.pubsub.pushed(to);
    }

    // ---- broadcast ---------------------------------------------------------------------------------

    /** Redis trackingBroadcastInvalidationMessages: one message per prefix with modified keys. */
    public void broadcast() {
        if (!broadcastDue) {
            return;
        }
        broadcastDue = false;
        if (trackingClients == 0) {
            return;
        }
        for (Prefix bs : prefixes.values()) {
            if (bs.keys.isEmpty()) {
                continue;
            }
            byte[] all = keyArray(null, bs.keys);
            for (Client x : bs.clients) {
                if (x.has(Client.TRACKING_NOLOOP)) {
                    byte[] own = keyArray(x, bs.keys);
                    if (own != null) {
                        send(x, own, 0, own.length, true);
                    }
                } else {
                    send(x, all, 0, all.length, true);
                }
            }
            bs.keys.clear();
        }
    }

    /** The RESP array of the keys, leaving out those {@code skip} modified last; null if empty. */
    private byte[] keyArray(Client skip, TreeMap<ByteKey, Client> keys) {
        int count = 0;
        for (Client m : keys.values()) {
            if (skip == null || m != skip) {
                count++;
            }
        }
        if (count == 0) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + count * 16);
        out.write('*');
        out.write(num, 0, Ascii.putLong(num, 0, count));
        out.write('\r');
        out.write('\n');
        for (Map.Entry<ByteKey, Client> e : keys.entrySet()) {
            if (skip != null && e.getValue() == skip) {
                continue;
            }
            byte[] k = e.getKey().bytes();
            out.write('$');
            out.write(num, 0, Ascii.putLong(num, 0, k.length));
            out.write('\r');
            out.write('\n');
            out.write(k, 0, k.length);
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    // ---- table size limit ------------------------------------------------------------------------

    /**
     * Redis trackingLimitUsedSlots: over tracking-table-max-keys, random rows are dropped (their
     * clients told as if the keys changed) until under the limit or out of effort; the effort
     * grows by 100 keys each time the limit could not be reached.
     */
    public void limitUsedSlots() {
        if (trackingClients == 0) {
            return;
        }
        long max = server.config.monitoring.trackingTableMaxKeys.get();
        if (max == 0) {
            return;
        }
        if (table.size() <= max) {
            limitRounds = 0;
            return;
        }
        int effort = 100 * (limitRounds + 1);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (effort-- > 0 && !rows.isEmpty()) {
            byte[] k = rows.get(rnd.nextInt(rows.size())).key.bytes();
            invalidateKey(null, k, 0, k.length, false);
            if (table.size() <= max) {
                limitRounds = 0;
                return;
            }
        }
        limitRounds++;
    }

    /** From the server cron: the table limit (it may have been lowered), and broadcasts of expired keys. */
    public void cron() {
        limitUsedSlots();
        broadcast();
    }

    // ---- introspection ---------------------------------------------------------------------------

    public int clients() {
        return trackingClients;
    }

    public long totalKeys() {
        return table.size();
    }

    public long totalItems() {
        return totalItems;
    }

    public long totalPrefixes() {
        return prefixes.size();
    }

    /**
     * Finds a key without copying it: HashMap compares {@code probe.equals(storedKey)}, so only
     * that direction is needed; the hash matches {@link ByteKey}'s.
     */
    private static final class KeyProbe {
        private byte[] d;
        private int off;
        private int len;
        private int hash;

        KeyProbe set(byte[] d, int off, int len) {
            this.d = d;
            this.off = off;
            this.len = len;
            int h = 1;
            for (int i = off; i < off + len; i++) {
                h = 31 * h + d[i];
            }
            hash = h;
            return this;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByteKey k && java.util.Arrays.equals(k.bytes(), 0, k.bytes().length, d, off, off + len);
        }
    }
}
