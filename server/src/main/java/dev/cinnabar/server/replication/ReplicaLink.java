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
 *
 * <p>A replica that received its snapshot in the EOF-marker format finds the end of the
 * snapshot by looking at the last bytes it read, so nothing may follow the marker until it says
 * it has loaded it: the stream is {@link #hold held} until its first REPLCONF ACK (Redis
 * repl_start_cmd_stream_on_ack).
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
    /** Attached with SYNC, the old protocol: it sends no REPLCONF ACKs (Redis CLIENT_PRE_PSYNC). */
    boolean prePsync;
    /** Set by SYNC/PSYNC: the link is in the replica list. */
    boolean attached;
    volatile String state = WAIT_BGSAVE;
    /** Highest offset the replica acknowledged (repl_ack_off), and when (Unix ms). */
    long ackOffset;
    /** Highest offset the replica's append-only file holds (REPLCONF ACK ... FACK). */
    long aofOffset;
    volatile long ackTimeMillis;
    /** The snapshot went out in the EOF-marker format. */
    boolean eofFormat;
    /** An ACK arrived after the snapshot was queued (it may beat the write completion). */
    boolean ackedSinceSnapshot;
    /** When the output went above the soft limit (ms), 0 while below. */
    long softLimitSince;

    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    /** Stream bytes kept back until the replica's first ACK (EOF-marker snapshots). */
    private ArrayDeque<ByteBuf> held;
    /** Which queued buffer ends the snapshot (its write completion moves the state on). */
    private ByteBuf payloadEnd;
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

    boolean online() {
        return state == ONLINE;
    }

    // ---- output -------------------------------------------------------------------------------

    /** Queues bytes (takes ownership of {@code buf}). Safe from any thread. */
    void send(ByteBuf buf) {
        boolean schedule;
        synchronized (this) {
            if (closed) {
                buf.release();
                return;
            }
            queuedBytes += buf.readableBytes();
            if (held != null) {
                held.add(buf);
                return;
            }
            queue.add(buf);
            schedule = !drainScheduled;
            drainScheduled = true;
        }
        if (schedule) {
            conn.execute(this::drain);
        }
    }

    /**
     * Queues the snapshot's pieces; when the last one is on the socket the transfer is done.
     * (Limits are only checked for online replicas, so the snapshot never counts against the
     * output buffer limit, as Redis streams its RDB outside the output buffer.)
     */
    void sendSnapshot(ByteBuf[] pieces) {
        synchronized (this) {
            payloadEnd = pieces[pieces.length - 1];
        }
        for (ByteBuf b : pieces) {
            send(b);
        }
    }

    /** From now on, stream bytes wait for {@link #release}. */
    synchronized void hold() {
        if (held == null) {
            held = new ArrayDeque<>();
        }
    }

    /** Whether the stream is held back waiting for the replica's first ACK. */
    synchronized boolean holding() {
        return held != null;
    }

    /** Sends everything held back, and lets later bytes through. */
    void release() {
        boolean schedule;
        synchronized (this) {
            if (held == null) {
                return;
            }
            queue.addAll(held);
            held = null;
            if (closed || queue.isEmpty()) {
                return;
            }
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
        ByteBuf end;
        long n = 0;
        synchronized (this) {
            drainScheduled = false;
            if (closed || queue.isEmpty()) {
                return;
            }
            batch = queue.toArray(new ByteBuf[0]);
            queue.clear();
            end = payloadEnd;
            for (ByteBuf b : batch) {
                n += b.readableBytes();
                if (b == end) {
                    payloadEnd = null;
                }
            }
            queuedBytes -= n;
        }
        for (int i = 0; i < batch.length; i++) {
            ByteBuf b = batch[i];
            conn.writeRaw(b, i == batch.length - 1, b == end ? () -> owner.snapshotSent(this) : null);
        }
        owner.wrote(n);
    }

    /**
     * Stream bytes waiting for the replica, in our queue and in the channel (Redis
     * getClientOutputBufferMemoryUsage).
     */
    long outputBytes() {
        long q;
        synchronized (this) {
            q = queuedBytes;
        }
        return q + (conn == null ? 0 : conn.pendingOutputBytes());
    }

    /** Drops whatever is still queued; later sends are discarded. */
    void close() {
        synchronized (this) {
            closed = true;
            for (ByteBuf b : queue) {
                b.release();
            }
            queue.clear();
            if (held != null) {
                for (ByteBuf b : held) {
                    b.release();
                }
                held = null;
            }
            queuedBytes = 0;
        }
    }

    // ---- naming ---------------------------------------------------------------------------------

    /** The replica's address: announced, else the peer address of its connection. */
    String ip() {
        if (announcedIp != null) {
            return announcedIp;
        }
        if (conn == null) {
            return null;
        }
        String addr = conn.remoteAddress();
        int colon = addr.lastIndexOf(':');
        String ip = colon > 0 ? addr.substring(0, colon) : addr;
        if (ip.startsWith("[") && ip.endsWith("]")) {
            ip = ip.substring(1, ip.length() - 1);
        }
        return ip;
    }

    /** Redis replicationGetSlaveName: "ip:port", the port being the announced listening port. */
    public String name() {
        String ip = ip();
        if (ip == null) {
            return "client id #" + client.id;
        }
        return listeningPort != 0 ? ip + ":" + listeningPort : ip + ":<unknown-replica-port>";
    }
}
