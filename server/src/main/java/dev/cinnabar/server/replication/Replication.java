package dev.cinnabar.server.replication;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.config.ClientOutputBufferLimitParam;
import dev.cinnabar.server.metrics.ServerMetrics;
import dev.cinnabar.server.persistence.rdb.RdbOutput;
import dev.cinnabar.server.persistence.rdb.RdbWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The master side of replication (Redis replication.c, master part): the replicas, the
 * replication stream they share, the replication id and offset.
 *
 * <p>The stream is RESP multibulk commands, each preceded by a SELECT when its database differs
 * from the stream's current one (Redis slaveseldb), so a replica applies it like a client's
 * commands. {@link Propagation} produces it one execution unit at a time. The offset counts
 * every stream byte sent while at least one replica is attached.
 *
 * <p>A replica attaches with SYNC, or PSYNC answered "+FULLRESYNC id offset" (partial resync
 * needs the backlog, which is not kept yet): it gets "$length" and an RDB image of the data
 * set, then the live stream. The image is taken synchronously while the command holds the
 * server lock, so it is exactly the data set at the stream position where the replica
 * continues; a large data set stalls the server for the time it takes to serialize (forkless
 * background snapshots come later).
 *
 * <p>Not done yet (later work): the backlog and partial resynchronization, WAIT, REPLICAOF
 * (the replica side), diskless "EOF:" transfers. Until the backlog exists the replication
 * offset only advances while a replica is attached, and the replication id changes when a
 * replica attaches after none was attached for repl-backlog-ttl seconds (when Redis would have
 * freed its backlog and created a new one).
 *
 * <p>Accessed with the server lock held, except the links' output queues (see
 * {@link ReplicaLink}).
 */
public final class Replication {
    private static final byte[] MULTI = Ascii.bytes("MULTI");
    private static final byte[] EXEC = Ascii.bytes("EXEC");
    private static final byte[] PING = Ascii.bytes("ping");
    private static final byte[] CRLF = {'\r', '\n'};

    private final Server server;
    public final Propagation propagation;
    /** Attached replicas, in attach order (INFO slaveN). */
    private final ArrayList<ReplicaLink> replicas = new ArrayList<>();
    /** Every client that sent REPLCONF or SYNC, attached or not. */
    private final Map<Client, ReplicaLink> links = new IdentityHashMap<>();
    /** Database the stream is in, -1 when the next command must SELECT (Redis slaveseldb). */
    private int streamDb = -1;
    /** master_repl_offset. */
    private long offset;
    /** When the last replica went away (ms), or 0: the stand-in for the backlog's lifetime. */
    private long noReplicasSince;
    private boolean everAttached;
    private long lastPingMillis;

    public Replication(Server server) {
        this.server = server;
        this.propagation = new Propagation(server, this);
    }

    public boolean hasReplicas() {
        return !replicas.isEmpty();
    }

    public int replicaCount() {
        return replicas.size();
    }

    public long offset() {
        return offset;
    }

    /** Whether the client is an attached replica (Redis CLIENT_SLAVE). */
    public boolean isReplica(Client c) {
        return c.has(Client.REPLICA);
    }

    // ---- the stream -------------------------------------------------------------------------------

    /** Sends one execution unit's operations, wrapped in MULTI/EXEC when {@code transaction}. */
    void feed(List<Propagation.Op> ops, boolean transaction) {
        if (replicas.isEmpty()) {
            return;
        }
        ByteBuf b = Unpooled.buffer(256);
        if (transaction) {
            encode(b, -1, new byte[][] {MULTI});
        }
        for (Propagation.Op op : ops) {
            encode(b, op.db(), op.argv());
        }
        if (transaction) {
            encode(b, -1, new byte[][] {EXEC});
        }
        broadcast(b);
    }

    private void broadcast(ByteBuf b) {
        offset += b.readableBytes();
        for (int i = 0; i < replicas.size(); i++) {
            ReplicaLink r = replicas.get(i);
            if (!r.rdbOnly) {
                r.send(b.retainedDuplicate());
            }
        }
        b.release();
        checkOutputLimits();
    }

    /** One command as a RESP multibulk, preceded by SELECT when the database changes. */
    private void encode(ByteBuf b, int db, byte[][] argv) {
        if (db >= 0 && db != streamDb) {
            byte[] id = Ascii.longBytes(db);
            encodeArgv(b, new byte[][] {Ascii.bytes("SELECT"), id});
            streamDb = db;
        }
        encodeArgv(b, argv);
    }

    private static void encodeArgv(ByteBuf b, byte[][] argv) {
        b.writeByte('*');
        writeDecimal(b, argv.length);
        b.writeBytes(CRLF);
        for (byte[] a : argv) {
            b.writeByte('$');
            writeDecimal(b, a.length);
            b.writeBytes(CRLF);
            b.writeBytes(a);
            b.writeBytes(CRLF);
        }
    }

    private static void writeDecimal(ByteBuf b, long v) {
        b.writeBytes(Ascii.longBytes(v));
    }

    // ---- replicas -----------------------------------------------------------------------------------

    /** The link state of a client, created on first use (REPLCONF before SYNC). */
    public ReplicaLink link(Client c) {
        return links.computeIfAbsent(c, x -> new ReplicaLink(this, x));
    }

    /**
     * SYNC / PSYNC after the checks: the client becomes a replica. Its answer is written to the
     * link ("+FULLRESYNC" for PSYNC, then the snapshot), never to the reply buffer.
     */
    public void fullResync(Client c, boolean psync) {
        ReplicaLink link = link(c);
        link.prePsync = !psync;
        server.stats.syncFull++;
        ServerMetrics m = server.metrics;
        if (replicas.isEmpty() && (!everAttached
                || server.clock.millis() - noReplicasSince >= server.config.replication.replBacklogTtl.get() * 1000)) {
            // Redis creates its backlog here, with a new history: new id, no previous id.
            m.replId = ServerMetrics.randomId();
            m.replId2 = "0000000000000000000000000000000000000000";
            m.secondReplOffset = -1;
            server.log.notice("Replication backlog created, my new replication IDs are '" + m.replId + "' and '"
                    + m.replId2 + "'");
        }
        everAttached = true;
        if (psync) {
            server.log.notice("Full resync requested by replica " + link.name());
            link.send(Unpooled.wrappedBuffer(("+FULLRESYNC " + m.replId + " " + offset + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
        }
        long start = server.clock.monoMicros();
        RdbOutput rdb = link.excludeData
                ? RdbWriter.snapshotWithoutData(server, replicationInfo())
                : RdbWriter.snapshot(server, replicationInfo());
        List<byte[]> chunks = rdb.chunks();
        ByteBuf payload = Unpooled.wrappedBuffer(chunks.size() + 1,
                prepend(("$" + rdb.size() + "\r\n").getBytes(StandardCharsets.US_ASCII), chunks));
        server.log.notice("Sending a " + rdb.size() + " bytes snapshot to replica " + link.name()
                + " (taken in " + (server.clock.monoMicros() - start) / 1000 + " ms under the server lock)");
        link.sendPayload(payload);
        // The replica continues from the snapshot: the next command names its database.
        streamDb = -1;
        c.flags |= Client.REPLICA;
        link.attached = true;
        if (!link.rdbOnly) {
            replicas.add(link);
        }
        if (lastPingMillis == 0 || replicas.size() == 1) {
            lastPingMillis = server.clock.millis();
        }
    }

    private static byte[][] prepend(byte[] head, List<byte[]> rest) {
        byte[][] all = new byte[rest.size() + 1][];
        all[0] = head;
        for (int i = 0; i < rest.size(); i++) {
            all[i + 1] = rest.get(i);
        }
        return all;
    }

    /** Redis rdbPopulateSaveInfo for a master: where the stream continues after the snapshot. */
    private RdbWriter.ReplicationInfo replicationInfo() {
        return new RdbWriter.ReplicationInfo(streamDb == -1 ? 0 : streamDb, server.metrics.replId, offset);
    }

    /** Called on the replica's event loop once its snapshot is on the socket. */
    void payloadSent(ReplicaLink link) {
        server.lock.enter();
        try {
            link.state = ReplicaLink.ONLINE;
            link.ackTimeMillis = server.clock.millis();
            server.log.notice("Synchronization with replica " + link.name() + " succeeded");
            if (link.rdbOnly && link.conn != null) {
                link.conn.closeAfterFlush();
            }
        } finally {
            server.lock.exit();
        }
    }

    /** Bytes handed to replica sockets (from their event loops). */
    void wrote(long n) {
        server.stats.netReplOutputBytes.add(n);
    }

    /** A client went away: if it was a replica, the link goes too. */
    public void clientClosed(Client c) {
        ReplicaLink link = links.remove(c);
        if (link == null) {
            return;
        }
        link.close();
        if (replicas.remove(link)) {
            server.log.notice("Connection with replica " + link.name() + " lost.");
            if (replicas.isEmpty()) {
                noReplicasSince = server.clock.millis();
            }
        }
    }

    /**
     * A replica sent a command that produced a reply (Redis 7.2 disconnects it rather than mix
     * replies into the stream it reads).
     */
    public void replicaReplied(Client c) {
        server.log.warning("Replica generated a reply to command '" + (c.lastCmd == null ? "<unknown>" : c.lastCmd.fullName())
                + "', disconnecting it: " + server.clients.info(c));
        if (c.conn != null) {
            c.conn.closeNow();
        }
    }

    // ---- REPLCONF ACK, good replicas, cron ----------------------------------------------------------

    public void ack(Client c, long ackOffset) {
        ReplicaLink link = links.get(c);
        if (link == null) {
            return;
        }
        if (ackOffset > link.ackOffset) {
            link.ackOffset = ackOffset;
        }
        link.ackTimeMillis = server.clock.millis();
    }

    /** Redis refreshGoodSlavesCount: online replicas that acknowledged within min-replicas-max-lag. */
    public int goodReplicas() {
        long now = server.clock.millis() / 1000;
        int maxLag = server.config.replication.minReplicasMaxLag.get();
        int n = 0;
        for (ReplicaLink r : replicas) {
            if (ReplicaLink.ONLINE.equals(r.state) && now - r.ackTimeMillis / 1000 <= maxLag) {
                n++;
            }
        }
        return n;
    }

    /** Redis checkGoodReplicasStatus: whether writes are allowed by min-replicas-to-write. */
    public boolean enoughGoodReplicas() {
        int min = server.config.replication.minReplicasToWrite.get();
        if (min == 0 || server.config.replication.minReplicasMaxLag.get() == 0) {
            return true;
        }
        return goodReplicas() >= min;
    }

    /** Once a second from the server cron: PINGs replicas every repl-ping-replica-period. */
    public void cron() {
        if (replicas.isEmpty()) {
            return;
        }
        long now = server.clock.millis();
        long period = server.config.replication.replPingReplicaPeriod.get() * 1000L;
        if (now - lastPingMillis >= period) {
            lastPingMillis = now;
            ByteBuf b = Unpooled.buffer(16);
            encode(b, -1, new byte[][] {PING});
            broadcast(b);
        }
        checkOutputLimits();
    }

    /** Redis checkClientOutputBufferLimits for the replica class. */
    private void checkOutputLimits() {
        ClientOutputBufferLimitParam.Limit limit =
                server.config.network.clientOutputBufferLimit.get(ClientOutputBufferLimitParam.ClientClass.REPLICA);
        if (limit.hardLimitBytes() == 0 && limit.softLimitBytes() == 0) {
            return;
        }
        long now = server.clock.millis();
        for (int i = replicas.size() - 1; i >= 0; i--) {
            ReplicaLink r = replicas.get(i);
            if (!ReplicaLink.ONLINE.equals(r.state)) {
                continue;
            }
            long used = r.outputBytes();
            boolean hard = limit.hardLimitBytes() != 0 && used >= limit.hardLimitBytes();
            boolean soft = false;
            if (limit.softLimitBytes() != 0 && used >= limit.softLimitBytes()) {
                if (r.softLimitSince == 0) {
                    r.softLimitSince = now;
                } else {
                    soft = now - r.softLimitSince > limit.softLimitSeconds() * 1000;
                }
            } else {
                r.softLimitSince = 0;
            }
            if (hard || soft) {
                server.log.warning("Client " + server.clients.info(r.client)
                        + " scheduled to be closed ASAP for overcoming of output buffer limits.");
                server.stats.clientOutputBufferLimitDisconnections++;
                r.client.flags |= Client.CLOSE_ASAP;
                clientClosed(r.client);
                if (r.conn != null) {
                    r.conn.closeNow();
                }
            }
        }
    }

    // ---- INFO replication -------------------------------------------------------------------------

    /** The connected_slaves ... slaveN lines of INFO replication. */
    public void infoReplicas(StringBuilder sb) {
        sb.append("connected_slaves:").append(replicas.size()).append("\r\n");
        if (server.config.replication.minReplicasToWrite.get() != 0 && server.config.replication.minReplicasMaxLag.get() != 0) {
            sb.append("min_slaves_good_slaves:").append(goodReplicas()).append("\r\n");
        }
        long now = server.clock.millis() / 1000;
        int id = 0;
        for (ReplicaLink r : replicas) {
            long lag = ReplicaLink.ONLINE.equals(r.state) ? now - r.ackTimeMillis / 1000 : 0;
            sb.append("slave").append(id++).append(":ip=").append(r.ip()).append(",port=").append(r.listeningPort)
                    .append(",state=").append(r.state).append(",offset=").append(r.ackOffset).append(",lag=")
                    .append(lag).append("\r\n");
        }
    }
}
