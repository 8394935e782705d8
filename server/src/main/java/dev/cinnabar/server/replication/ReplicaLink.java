package dev.cinnabar.server.replication;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.ClientConnection;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * One replica's side of the link (the CLIENT_SLAVE part of a Redis client): what it announced
 * with REPLCONF, its state and acknowledged offset, and its output queue.
 *
 * <p>Output: the stream is produced under the server lock by whichever event loop runs the
 * command, but the replica's channel belongs to its own loop. Netty would write directly when
 * called on the channel's loop and through a task otherwise, which can reorder bytes coming
 * from different threads; so every piece goes through {@link #send} into this link's queue (in
 * lock order, hence stream order), and one drain task on the replica's loop hands the queue to
 * the channel. The queue is guarded by this object's monitor, never the server lock.
 */
public final class ReplicaLink {
    /** Redis's replstate names, as INFO prints them. */
    static final String WAIT_BGSAVE = "wait_bgsave";
    static final String SEND_BULK = "send_bulk";
    static final String ONLINE = "online";

    final Client client;
    final ClientConnection conn;
    /** REPLCONF listening-port (0 = not announced). */
    int listeningPort;
    /** REPLCONF ip-address, or null for the peer address. */
    String announcedIp;
    boolean capaEof;
    boolean capaPsync2;
    /** REPLCONF rdb-only 1: the replica wants the snapshot and no stream. */
    boolean rdbOnly;
    /** REPLCONF rdb-filter-only with no data filter: the snapshot carries no keys. */
    boolean excludeData;
    /** Whether it attached with SYNC (no REPLCONF ACKs expected) rather than PSYNC. */
    boolean prePsync;
    /** Set once the replica is in the replica list (SYNC/PSYNC done). */
    boolean attached;
    volatile String state = WAIT_BGSAVE;
    /** Highest offset the replica acknowledged, and when (ms). */
    long ackOffset;
    volatile long ackTimeMillis;
    /** When the output went above the soft limit (ms), 0 while below. */
    long softLimitSince;

    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    /** Which queued buffer is the initial payload (its write completion puts the link online). */
    private ByteBuf payload;
    private long queuedBytes;
    private boolean drainScheduled;
    private boolean closed;
    private final Replication owner;

    ReplicaLink(Replication owner, Client client) {
        this.owner = owner;
        this.client = client;
        this.conn = client.conn;
    }

    // ---- REPLCONF settings ----------------------------------------------------------------------

    public void listeningPort(int port) {
        listeningPort = port;
    }

    public void announcedIp(String ip) {
        announcedIp = ip;
    }

    public void capaEof(boolean on) {
        capaEof = on;
    }

    public boolean capaEof() {
        return capaEof;
    }

    public void capaPsync2(boolean on) {
        capaPsync2 = on;
    }

    public void rdbOnly(boolean on) {
        rdbOnly = on;
    }

    public void excludeData(boolean on) {
        excludeData = on;
    }

    public boolean excludeData() {
        return excludeData;
    }

    /** Queues stream bytes (takes ownership of {@code buf}). Safe from any thread. */
    void send(ByteBuf buf) {
        enqueue(buf, false);
    }

    /** Queues the initial payload; the replica is online once it is on the socket. */
    void sendPayload(ByteBuf buf) {
        enqueue(buf, true);
    }

    private void enqueue(ByteBuf buf, boolean isPayload) {
        boolean schedule;
        synchronized (this) {
            if (closed) {
                buf.release();
                return;
            }
            if (isPayload) {
                payload = buf;
                state = SEND_BULK;
            } else {
                queuedBytes += buf.readableBytes();
            }
            queue.add(buf);
            schedule = !drainScheduled;
            drainScheduled = true;
        }
        if (schedule) {
            conn.execute(this::drain);
        }
    }

    /** Runs on the replica's event loop: everything queued goes to the channel, then a flush. */
    private void drain() {
        ByteBuf[] batch;
        ByteBuf bulk;
        synchronized (this) {
            drainScheduled = false;
            if (closed || queue.isEmpty()) {
                return;
            }
            batch = queue.toArray(new ByteBuf[0]);
            queue.clear();
            queuedBytes = 0;
            bulk = payload;
            payload = null;
        }
        long n = 0;
        for (int i = 0; i < batch.length; i++) {
            ByteBuf b = batch[i];
            n += b.readableBytes();
            conn.writeRaw(b, i == batch.length - 1, b == bulk ? () -> owner.payloadSent(this) : null);
        }
        owner.wrote(n);
    }

    /**
     * Stream bytes waiting for an online replica, in our queue and in the channel (Redis
     * getClientOutputBufferMemoryUsage). The initial snapshot does not count, as Redis sends
     * its RDB outside the output buffer; limits are only checked once the replica is online.
     */
    long outputBytes() {
        long q;
        synchronized (this) {
            q = queuedBytes;
        }
        return q + conn.pendingOutputBytes();
    }

    /** Drops whatever is still queued; later sends are discarded. */
    void close() {
        synchronized (this) {
            closed = true;
            for (ByteBuf b : queue) {
                b.release();
            }
            queue.clear();
            queuedBytes = 0;
        }
    }

    /** Redis replicationGetSlaveName: "ip:port", the port being the announced listening port. */
    public String name() {
        String ip = announcedIp;
        if (ip == null && conn != null) {
            String addr = conn.remoteAddress();
            int colon = addr.lastIndexOf(':');
            ip = colon > 0 ? addr.substring(0, colon) : addr;
            if (ip.startsWith("[") && ip.endsWith("]")) {
                ip = ip.substring(1, ip.length() - 1);
            }
        }
        if (ip == null) {
            return "client id #" + client.id;
        }
        return listeningPort != 0 ? ip + ":" + listeningPort : ip + ":<unknown-replica-port>";
    }

    /** The address INFO prints for the replica (announced, else the peer's IP). */
    String ip() {
        String n = name();
        return n.startsWith("client id") ? "" : n.substring(0, n.lastIndexOf(':'));
    }
}
