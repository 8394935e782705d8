package dev.cinnabar.server.replication;

import dev.cinnabar.resp.ArgList;
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
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The master side of replication (Redis replication.c, master part): the replicas, the
 * replication stream they share, its backlog, the replication id and offset.
 *
 * <p>The stream is RESP multibulk commands, each preceded by a SELECT when its database differs
 * from the stream's current one (Redis slaveseldb), so a replica applies it like a client's
 * commands. {@link Propagation} produces it one execution unit at a time. Every byte goes to
 * the backlog and to each attached replica; {@link #offset} (master_repl_offset) counts them.
 *
 * <p>The backlog exists from the first replica's attachment until repl-backlog-ttl seconds
 * after the last one left (Redis frees it then and starts a new replication history). While
 * there is no backlog nothing is recorded at all: {@link Propagation#active} is false and
 * commands pay one boolean test.
 *
 * <p>Attaching: PSYNC with our replication id (or the previous one, up to the offset where it
 * ended) and an offset still in the backlog continues the stream ("+CONTINUE"); otherwise, and
 * for SYNC, a full resynchronization: "+FULLRESYNC id offset" (PSYNC only), then an RDB image
 * of the data set, then the live stream. The image is written while the SYNC command holds the
 * server lock, so it is exactly the data set at the stream offset the replica continues from;
 * no fork and no copy-on-write are needed, at the price of stalling other clients for the time
 * serialization takes (see docs/architecture.md). It goes out as "$length" + RDB, or, when
 * repl-diskless-sync is on and the replica announced "capa eof", as "$EOF:mark" + RDB + mark
 * (Redis's diskless format); the stream then waits for the replica's first ACK.
 *
 * <p>The replica side is {@link ReplicaOf}: while this server is a replica it records nothing
 * of its own and passes its master's stream on instead ({@link #passOn}).
 *
 * <p>Accessed with the server lock held, except the links' output queues (see
 * {@link ReplicaLink}).
 */
public final class Replication {
    private static final byte[] PING = Ascii.bytes("ping");
    private static final byte[] REPLCONF = Ascii.bytes("REPLCONF");
    private static final byte[] GETACK = Ascii.bytes("GETACK");
    private static final byte[] STAR = Ascii.bytes("*");
    private static final byte[] CRLF = {'\r', '\n'};
    /** Redis RDB_EOF_MARK_SIZE. */
    private static final int EOF_MARK_SIZE = 40;
    /**
     * RDB version of the images sent to replicas: the image only uses value types that version
     * 10 knows, so every Redis 7.x replica (7.0 included, which refuses version 11) loads it.
     */
    static final int RDB_VERSION = 10;

    private final Server server;
    public final Propagation propagation;
    /** The replica side: REPLICAOF and the link with our master. */
    public final ReplicaOf replicaOf;
    /** Whether our own commands are recorded: a backlog exists and we are no replica. */
    private boolean recording;
    /** Attached replicas in attach order (Redis server.slaves; INFO slaveN). */
    private final ArrayList<ReplicaLink> replicas = new ArrayList<>();
    /** Every client that sent REPLCONF or SYNC, attached or not. */
    private final Map<Client, ReplicaLink> links = new IdentityHashMap<>();
    private Backlog backlog;
    /** Database the stream is in, -1 when the next command must SELECT (Redis slaveseldb). */
    private int streamDb = -1;
    /** master_repl_offset. */
    private long offset;
    /** When the last replica went away, or start-up (Unix ms; Redis repl_no_slaves_since). */
    private long noReplicasSince;
    /**
     * Runs of {@link #cron} (Redis replication_cron_loops). Redis's first run, number 0, happens
     * at start-up before any replica can attach; counting from 1 keeps the PING schedule the
     * same (the first PING one period after start) whatever the first cron's timing.
     */
    private long cronLoops = 1;
    /** WAIT asked for acknowledgements during the running unit. */
    private boolean ackRequested;

    public Replication(Server server) {
        this.server = server;
        this.propagation = new Propagation(server, this);
        this.replicaOf = new ReplicaOf(server, this);
        this.noReplicasSince = server.clock.millis();
        server.config.addApplyHook(() -> {
            if (backlog != null) {
                backlog.resize(server.config.replication.replBacklogSize.get());
            }
        }, server.config.replication.replBacklogSize);
    }

    /** The server stops: the link with our master goes (replicas go with the connections). */
    public void close() {
        replicaOf.close();
    }

    /** Whether a backlog exists. */
    public boolean hasBacklog() {
        return backlog != null;
    }

    /**
     * Whether commands executed here are recorded for the stream: a backlog exists and this
     * server is no replica (a replica passes its master's stream on instead).
     */
    boolean recording() {
        return recording;
    }

    /** The backlog or the role changed: recompute {@link #recording}. */
    void roleChanged() {
        recording = backlog != null && !replicaOf.isReplica();
    }

    public boolean hasReplicas() {
        return !replicas.isEmpty();
    }

    public int replicaCount() {
        return replicas.size();
    }

    /** master_repl_offset. */
    public long offset() {
        return offset;
    }

    /** Whether the client is an attached replica (Redis CLIENT_SLAVE). */
    public boolean isReplica(Client c) {
        return c.has(Client.REPLICA);
    }

    // ---- the stream -------------------------------------------------------------------------------

    private static final byte[] MULTI_CMD = Ascii.bytes("*1\r\n$5\r\nMULTI\r\n");
    private static final byte[] EXEC_CMD = Ascii.bytes("*1\r\n$4\r\nEXEC\r\n");

    /**
     * Sends one execution unit's encoded commands (left untouched for the caller to reuse),
     * with the SELECTs this stream needs, wrapped in MULTI/EXEC when {@code transaction}.
     */
    void feed(Propagation p, boolean transaction) {
        if (backlog == null || replicaOf.isReplica()) {
            // (A master turned replica inside the unit, by REPLICAOF in a transaction: what it
            // did before is not sent, as in Redis, where a replica feeds no stream of its own.)
            return;
        }
        ByteBuf unit = p.unitFor(streamDb);
        streamDb = p.dbAfter(streamDb);
        feed(unit, transaction);
    }

    /**
     * A unit of {@code commands} the AOF takes while nothing records the stream (no backlog):
     * a master still advances its offset, as Redis does for WAITAOF.
     */
    void countUnrecorded(int commands) {
        if (backlog == null && !replicaOf.isReplica()) {
            offset += commands;
        }
    }

    /** Sends encoded stream bytes (SELECTs included), wrapped in MULTI/EXEC when {@code transaction}. */
    private void feed(ByteBuf unit, boolean transaction) {
        if (backlog == null || replicaOf.isReplica()) {
            return;
        }
        int n = unit.readableBytes() + (transaction ? MULTI_CMD.length + EXEC_CMD.length : 0);
        offset += n;
        if (transaction) {
            backlog.append(MULTI_CMD);
        }
        backlog.append(unit);
        if (transaction) {
            backlog.append(EXEC_CMD);
        }
        if (streaming()) {
            ByteBuf copy = Unpooled.buffer(n);
            if (transaction) {
                copy.writeBytes(MULTI_CMD);
            }
            copy.writeBytes(unit, unit.readerIndex(), unit.readableBytes());
            if (transaction) {
                copy.writeBytes(EXEC_CMD);
            }
            send(copy);
        }
    }

    /** Whether some replica takes the stream. */
    private boolean streaming() {
        for (int i = 0; i < replicas.size(); i++) {
            if (!replicas.get(i).rdbOnly) {
                return true;
            }
        }
        return false;
    }

    /** A command that belongs to no database (PING, REPLCONF GETACK) as a unit of its own. */
    private void feedCommand(byte[]... argv) {
        if (backlog == null) {
            return;
        }
        ByteBuf b = Unpooled.buffer(64);
        encode(b, -1, argv);
        feed(b, false);
        b.release();
    }

    /** Hands stream bytes to every replica that takes the stream (takes ownership of {@code b}). */
    private void send(ByteBuf b) {
        for (int i = 0; i < replicas.size(); i++) {
            ReplicaLink r = replicas.get(i);
            if (!r.rdbOnly) {
                r.send(b.retainedDuplicate());
            }
        }
        b.release();
        checkOutputLimits();
    }

    /** Emits SELECT first when {@code db} is not the stream's current database. */
    private void select(ByteBuf b, int db) {
        if (db >= 0 && db != streamDb) {
            b.writeBytes(SELECT_HEAD);
            int digits = decimalLength(db);
            b.writeByte('$');
            writeDecimal(b, digits);
            b.writeBytes(CRLF);
            writeDecimal(b, db);
            b.writeBytes(CRLF);
            streamDb = db;
        }
    }

    private static final byte[] SELECT_HEAD = Ascii.bytes("*2\r\n$6\r\nSELECT\r\n");

    /** One command as a RESP multibulk, preceded by SELECT when the database changes. */
    void encode(ByteBuf b, int db, byte[][] argv) {
        select(b, db);
        multibulkHeader(b, argv.length);
        for (byte[] a : argv) {
            bulk(b, a, 0, a.length);
        }
    }

    /** The same for a command's own arguments, read from the client's argument arena. */
    void encode(ByteBuf b, int db, ArgList args) {
        select(b, db);
        int n = args.size();
        multibulkHeader(b, n);
        byte[] data = args.data();
        for (int i = 0; i < n; i++) {
            bulk(b, data, args.offset(i), args.length(i));
        }
    }

    /** {@code name key} (an expiry's DEL or UNLINK) without copying the key. */
    void encodeKeyCommand(ByteBuf b, int db, byte[] name, byte[] k, int off, int len) {
        select(b, db);
        multibulkHeader(b, 2);
        bulk(b, name, 0, name.length);
        bulk(b, k, off, len);
    }

    private static void multibulkHeader(ByteBuf b, int n) {
        b.writeByte('*');
        writeDecimal(b, n);
        b.writeBytes(CRLF);
    }

    private static void bulk(ByteBuf b, byte[] a, int off, int len) {
        b.writeByte('$');
        writeDecimal(b, len);
        b.writeBytes(CRLF);
        b.writeBytes(a, off, len);
        b.writeBytes(CRLF);
    }

    /** Writes a non-negative number in decimal without allocating. */
    private static void writeDecimal(ByteBuf b, long v) {
        int digits = decimalLength(v);
        int at = b.writerIndex();
        b.ensureWritable(digits);
        for (int i = digits - 1; i >= 0; i--) {
            b.setByte(at + i, (int) ('0' + v % 10));
            v /= 10;
        }
        b.writerIndex(at + digits);
    }

    private static int decimalLength(long v) {
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    // ---- attaching replicas -------------------------------------------------------------------------

    /** The link state of a client, created on first use (REPLCONF before SYNC). */
    public ReplicaLink link(Client c) {
        return links.computeIfAbsent(c, x -> new ReplicaLink(this, x));
    }

    /**
     * Redis masterTryPartialResynchronization: continues the stream for a replica that asks
     * for it from {@code psyncOffset} (the first byte it lacks) of history {@code replid}.
     * Returns false when a full resynchronization is needed.
     */
    public boolean tryContinue(Client c, String replid, long psyncOffset) {
        ReplicaLink link = link(c);
        ServerMetrics m = server.metrics;
        if (!replid.equalsIgnoreCase(m.replId)
                && (!replid.equalsIgnoreCase(m.replId2) || psyncOffset > m.secondReplOffset)) {
            if (replid.startsWith("?")) {
                server.log.notice("Full resync requested by replica " + link.name());
            } else if (!replid.equalsIgnoreCase(m.replId) && !replid.equalsIgnoreCase(m.replId2)) {
                server.log.notice("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '"
                        + replid + "', my replication IDs are '" + m.replId + "' and '" + m.replId2 + "')");
            } else {
                server.log.notice("Partial resynchronization not accepted: Requested offset for second ID was "
                        + psyncOffset + ", but I can reply up to " + m.secondReplOffset);
            }
            return false;
        }
        if (backlog == null || !backlog.covers(psyncOffset)) {
            server.log.notice("Unable to partial resync with replica " + link.name()
                    + " for lack of backlog (Replica request was: " + psyncOffset + ").");
            if (psyncOffset > offset) {
                server.log.warning("Warning: replica " + link.name()
                        + " tried to PSYNC with an offset that is greater than the master replication offset.");
            }
            return false;
        }
        c.flags |= Client.REPLICA;
        link.attached = true;
        link.state = ReplicaLink.ONLINE;
        link.ackTimeMillis = server.clock.millis();
        replicas.add(link);
        String head = link.capaPsync2 ? "+CONTINUE " + m.replId + "\r\n" : "+CONTINUE\r\n";
        link.send(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII)));
        long sent = 0;
        for (ByteBuf b : backlog.from(psyncOffset)) {
            sent += b.readableBytes();
            link.send(b);
        }
        server.log.notice("Partial resynchronization request from " + link.name() + " accepted. Sending " + sent
                + " bytes of backlog starting from offset " + psyncOffset + ".");
        return true;
    }

    /**
     * SYNC, or PSYNC that cannot continue: the client becomes a replica and gets a snapshot of
     * the data set, then the stream. Its answer goes to the link, never to the reply buffer.
     */
    public void fullResync(Client c, boolean psync) {
        ReplicaLink link = link(c);
        link.prePsync = !psync;
        server.stats.syncFull++;
        link.state = ReplicaLink.WAIT_BGSAVE;
        c.flags |= Client.REPLICA;
        link.attached = true;
        replicas.add(link);
        ServerMetrics m = server.metrics;
        if (replicas.size() == 1 && backlog == null && !replicaOf.isReplica()) {
            // A new backlog starts a new history: new id, no previous one.
            m.replId = ServerMetrics.randomId();
            m.replId2 = "0000000000000000000000000000000000000000";
            m.secondReplOffset = -1;
            backlog = new Backlog(offset + 1, server.config.replication.replBacklogSize.get());
            roleChanged();
            server.log.notice("Replication backlog created, my new replication IDs are '" + m.replId + "' and '"
                    + m.replId2 + "'");
        }
        // Redis sends the image over the socket (no RDB file) when the replica can take it.
        boolean eofFormat = link.capaEof && (server.config.replication.replDisklessSync.get() || link.excludeData);
        if (psync) {
            link.send(Unpooled.wrappedBuffer(("+FULLRESYNC " + m.replId + " " + offset + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
        }
        long start = server.clock.monoMicros();
        // Where the stream continues: our own stream's database, or, on a replica, the one our
        // master's stream is in (the stream we pass on may not select it again).
        int db = replicaOf.isReplica() ? replicaOf.streamDb() : streamDb == -1 ? 0 : streamDb;
        RdbWriter.ReplicationInfo info = new RdbWriter.ReplicationInfo(db, m.replId, offset);
        RdbOutput rdb = link.excludeData
                ? RdbWriter.snapshotWithoutData(server, info, RDB_VERSION)
                : RdbWriter.snapshot(server, info, RDB_VERSION);
        List<byte[]> chunks = rdb.chunks();
        ByteBuf[] pieces = new ByteBuf[chunks.size() + (eofFormat ? 2 : 1)];
        int n = 0;
        if (eofFormat) {
            byte[] mark = eofMark();
            pieces[n++] = Unpooled.wrappedBuffer(("$EOF:" + new String(mark, StandardCharsets.US_ASCII) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (byte[] chunk : chunks) {
                pieces[n++] = Unpooled.wrappedBuffer(chunk);
            }
            pieces[n++] = Unpooled.wrappedBuffer(mark);
        } else {
            pieces[n++] = Unpooled.wrappedBuffer(("$" + rdb.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (byte[] chunk : chunks) {
                pieces[n++] = Unpooled.wrappedBuffer(chunk);
            }
        }
        server.log.notice("Sending a " + rdb.size() + " bytes snapshot to replica " + link.name() + " ("
                + (eofFormat ? "EOF-marker" : "length-prefixed") + " format, taken in "
                + (server.clock.monoMicros() - start) / 1000 + " ms under the server lock)");
        link.state = eofFormat ? ReplicaLink.WAIT_BGSAVE : ReplicaLink.SEND_BULK;
        link.eofFormat = eofFormat;
        link.sendSnapshot(pieces);
        if (eofFormat && !link.prePsync && !link.rdbOnly) {
            link.hold();
        }
        // The replica continues from the snapshot: the next command names its database.
        streamDb = -1;
    }

    private static byte[] eofMark() {
        byte[] random = new byte[EOF_MARK_SIZE];
        new SecureRandom().nextBytes(random);
        byte[] mark = new byte[EOF_MARK_SIZE];
        for (int i = 0; i < EOF_MARK_SIZE; i++) {
            mark[i] = (byte) "0123456789abcdef".charAt(random[i] & 15);
        }
        return mark;
    }

    /** Called on the replica's event loop once its snapshot is on the socket. */
    void snapshotSent(ReplicaLink link) {
        server.lock.enter();
        try {
            if (!link.attached || links.get(link.client) != link) {
                return;
            }
            link.state = ReplicaLink.ONLINE;
            link.ackTimeMillis = server.clock.millis();
            if (link.rdbOnly) {
                server.log.notice("Streamed RDB transfer with replica " + link.name() + " succeeded");
                if (link.conn != null) {
                    link.conn.closeAfterFlush();
                }
            } else if (link.holding() && !link.ackedSinceSnapshot) {
                server.log.notice("Streamed RDB transfer with replica " + link.name()
                        + " succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming");
            } else {
                link.release();
                server.log.notice("Synchronization with replica " + link.name() + " succeeded");
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

    // ---- acknowledgements, WAIT, good replicas -----------------------------------------------------

    /**
     * REPLCONF ACK offset [FACK aofOffset] from an attached replica ({@code fack} -1 when
     * absent). {@code complete} is false when the FACK part was malformed: Redis has taken the
     * offset by then, and stops.
     */
    public void ack(Client c, long ackOffset, long fack, boolean complete) {
        ReplicaLink link = links.get(c);
        if (link == null || !link.attached) {
            return;
        }
        if (ackOffset > link.ackOffset) {
            link.ackOffset = ackOffset;
        }
        if (!complete) {
            return;
        }
        if (fack > link.aofOffset) {
            link.aofOffset = fack;
        }
        link.ackTimeMillis = server.clock.millis();
        link.ackedSinceSnapshot = true;
        if (link.online() && link.holding()) {
            // Redis replicaStartCommandStream: the replica loaded the snapshot.
            link.release();
            server.log.notice("Synchronization with replica " + link.name() + " succeeded");
        }
        server.blocking.replicasAcknowledged();
    }

    /** Redis replicationCountAcksByOffset: online replicas that acknowledged {@code off}. */
    public int acknowledged(long off) {
        int n = 0;
        for (ReplicaLink r : replicas) {
            if (r.online() && r.ackOffset >= off) {
                n++;
            }
        }
        return n;
    }

    /** Redis replicationCountAOFAcksByOffset: online replicas whose AOF has {@code off}. */
    public int acknowledgedAof(long off) {
        int n = 0;
        for (ReplicaLink r : replicas) {
            if (r.online() && r.aofOffset >= off) {
                n++;
            }
        }
        return n;
    }

    /**
     * Redis replicationRequestAckFromSlaves: asks every replica for an ACK (REPLCONF GETACK *,
     * which is part of the stream and moves the offset). Sent once the running command's unit
     * is over (Redis sends it before the event loop sleeps), so it is not counted as a write of
     * the client that asked.
     */
    public void requestAcks() {
        if (replicas.isEmpty() || replicaOf.isReplica()) {
            return;
        }
        if (propagation.running()) {
            ackRequested = true;
        } else {
            feedCommand(REPLCONF, GETACK, STAR);
        }
    }

    /** An execution unit ended: a GETACK asked for during it goes out now. */
    void unitEnded() {
        if (ackRequested) {
            ackRequested = false;
            if (!replicas.isEmpty()) {
                feedCommand(REPLCONF, GETACK, STAR);
            }
        }
    }

    /** Redis refreshGoodSlavesCount: online replicas that acknowledged within min-replicas-max-lag. */
    public int goodReplicas() {
        long now = server.clock.millis() / 1000;
        int maxLag = server.config.replication.minReplicasMaxLag.get();
        int n = 0;
        for (ReplicaLink r : replicas) {
            if (r.online() && now - r.ackTimeMillis / 1000 <= maxLag) {
                n++;
            }
        }
        return n;
    }

    /** Redis checkGoodReplicasStatus: whether writes are allowed by min-replicas-to-write. */
    public boolean enoughGoodReplicas() {
        if (replicaOf.isReplica()) {
            return true; // only a master counts its replicas
        }
        int min = server.config.replication.minReplicasToWrite.get();
        if (min == 0 || server.config.replication.minReplicasMaxLag.get() == 0) {
            return true;
        }
        return goodReplicas() >= min;
    }

    // ---- cron -------------------------------------------------------------------------------------------

    /**
     * Once a second from the server cron (Redis replicationCron): PINGs replicas every
     * repl-ping-replica-period seconds, drops replicas silent for repl-timeout, frees the
     * backlog repl-backlog-ttl seconds after the last replica left.
     */
    public void cron() {
        long now = server.clock.millis();
        replicaOf.cron();
        boolean master = !replicaOf.isReplica();
        int period = Math.max(1, server.config.replication.replPingReplicaPeriod.get());
        if (master && cronLoops % period == 0 && !replicas.isEmpty()) {
            // (A replica passes its master's PINGs on instead.)
            feedCommand(PING);
        }
        long timeout = server.config.replication.replTimeout.get() * 1000L;
        for (int i = replicas.size() - 1; i >= 0; i--) {
            ReplicaLink r = replicas.get(i);
            if (r.online() && !r.prePsync && now - r.ackTimeMillis > timeout) {
                server.log.warning("Disconnecting timedout replica (streaming sync): " + r.name());
                drop(r);
            }
        }
        long ttl = server.config.replication.replBacklogTtl.get();
        if (master && replicas.isEmpty() && ttl != 0 && backlog != null && (now - noReplicasSince) / 1000 > ttl) {
            // A new history begins: the old id must not be continued by anyone.
            ServerMetrics m = server.metrics;
            m.replId = ServerMetrics.randomId();
            m.replId2 = "0000000000000000000000000000000000000000";
            m.secondReplOffset = -1;
            backlog = null;
            roleChanged();
            server.log.notice("Replication backlog freed after " + ttl + " seconds without connected replicas.");
        }
        checkOutputLimits();
        cronLoops++;
    }

    private void drop(ReplicaLink r) {
        Client c = r.client;
        c.flags |= Client.CLOSE_ASAP;
        clientClosed(c);
        if (r.conn != null) {
            r.conn.closeNow();
        }
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
            if (!r.online()) {
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
                drop(r);
            }
        }
    }

    // ---- history changes of a replica ---------------------------------------------------------------

    /**
     * A replica applied these bytes of its master's stream ({@code raw}, from {@code from}):
     * they go, unchanged, to the backlog and the sub-replicas (Redis
     * replicationFeedStreamFromMasterStream).
     */
    void passOn(ByteBuf raw, int from, int len) {
        if (len == 0) {
            return;
        }
        offset += len;
        if (backlog == null) {
            return;
        }
        ByteBuf part = raw.slice(from, len);
        backlog.append(part);
        if (streaming()) {
            send(Unpooled.copiedBuffer(part));
        }
    }

    /** A full resynchronization with a master begins: our sub-replicas must resync too. */
    void detachFromOldHistory() {
        dropAllReplicas();
        backlog = null;
        roleChanged();
    }

    /** The master's snapshot is loaded: its history, from {@code off}, is ours. */
    void adoptHistory(String replId, long off) {
        ServerMetrics m = server.metrics;
        m.replId = replId;
        m.replId2 = "0000000000000000000000000000000000000000";
        m.secondReplOffset = -1;
        offset = off;
        backlog = new Backlog(off + 1, server.config.replication.replBacklogSize.get());
        streamDb = -1;
        roleChanged();
    }

    /**
     * +CONTINUE from the master at {@code off}: a new id (the master's history moved on, e.g. it
     * was promoted) becomes ours, the old one our secondary, and sub-replicas reconnect.
     */
    void continueHistory(String newReplId, long off) {
        ServerMetrics m = server.metrics;
        offset = off;
        if (newReplId != null && !newReplId.equalsIgnoreCase(m.replId)) {
            m.replId2 = m.replId;
            m.secondReplOffset = off + 1;
            m.replId = newReplId;
            server.log.notice("Master replication ID changed to " + newReplId);
            dropAllReplicas();
        }
        if (backlog == null) {
            backlog = new Backlog(off + 1, server.config.replication.replBacklogSize.get());
        }
        roleChanged();
    }

    /**
     * REPLICAOF NO ONE (Redis shiftReplicationId): a new history starts here; the old one stays
     * valid as the secondary id up to our offset, so sub-replicas can continue with PSYNC.
     */
    void becameMaster() {
        ServerMetrics m = server.metrics;
        m.replId2 = m.replId;
        m.secondReplOffset = offset + 1;
        m.replId = ServerMetrics.randomId();
        server.log.notice("Setting secondary replication ID to " + m.replId2 + ", valid up to offset: " + m.secondReplOffset
                + ". New replication ID is " + m.replId);
        dropAllReplicas();
        streamDb = -1;
        noReplicasSince = server.clock.millis();
    }

    /** Redis disconnectSlaves. */
    private void dropAllReplicas() {
        for (ReplicaLink r : new ArrayList<>(replicas)) {
            drop(r);
        }
    }

    // ---- INFO replication, ROLE ---------------------------------------------------------------------

    /** The connected_slaves ... slaveN lines of INFO replication. */
    public void infoReplicas(StringBuilder sb) {
        sb.append("connected_slaves:").append(replicas.size()).append("\r\n");
        if (server.config.replication.minReplicasToWrite.get() != 0 && server.config.replication.minReplicasMaxLag.get() != 0) {
            sb.append("min_slaves_good_slaves:").append(goodReplicas()).append("\r\n");
        }
        long now = server.clock.millis() / 1000;
        int id = 0;
        for (ReplicaLink r : replicas) {
            String ip = r.ip();
            if (ip == null) {
                continue;
            }
            long lag = r.online() ? now - r.ackTimeMillis / 1000 : 0;
            sb.append("slave").append(id++).append(":ip=").append(ip).append(",port=").append(r.listeningPort)
                    .append(",state=").append(r.state).append(",offset=").append(r.ackOffset).append(",lag=")
                    .append(lag).append("\r\n");
        }
    }

    /** repl_backlog_first_byte_offset (0 without a backlog). */
    public long backlogFirstByteOffset() {
        return backlog == null ? 0 : backlog.firstOffset();
    }

    /** repl_backlog_histlen (0 without a backlog). */
    public long backlogHistlen() {
        return backlog == null ? 0 : backlog.histlen();
    }

    /** Memory the backlog holds (INFO mem_replication_backlog). */
    public long backlogMemory() {
        return backlog == null ? 0 : backlog.memory();
    }

    /** Stream bytes queued for replicas and not yet written (INFO mem_clients_slaves). */
    public long replicaBufferMemory() {
        long n = 0;
        for (ReplicaLink r : replicas) {
            n += r.outputBytes();
        }
        return n;
    }

    /**
     * Redis isReadyToShutdown: every replica has acknowledged the whole stream (a shutdown waits
     * for that, up to shutdown-timeout).
     */
    public boolean replicasInSync() {
        long off = offset();
        for (ReplicaLink r : replicas) {
            if (r.ackOffset != off) {
                return false;
            }
        }
        return true;
    }

    /** Redis finishShutdown's report: a line per lagging replica, then how many are in sync. */
    public void logShutdownSync() {
        long off = offset();
        long now = server.clock.millis() / 1000;
        int lagging = 0;
        for (ReplicaLink r : replicas) {
            if (r.ackOffset != off) {
                lagging++;
                long lag = r.online() ? now - r.ackTimeMillis / 1000 : 0;
                server.log.notice("Lagging replica " + r.name() + " reported offset " + (off - r.ackOffset)
                        + " behind master, lag=" + lag + ", state=" + r.state + ".");
            }
        }
        if (!replicas.isEmpty()) {
            server.log.notice((replicas.size() - lagging) + " of " + replicas.size()
                    + " replicas are in sync when shutting down.");
        }
    }

    /** The online replicas as ROLE lists them: address, listening port, acknowledged offset. */
    public List<String[]> onlineReplicas() {
        ArrayList<String[]> out = new ArrayList<>();
        for (ReplicaLink r : replicas) {
            String ip = r.ip();
            if (ip == null || !r.online()) {
                continue;
            }
            out.add(new String[] {ip, Long.toString(r.listeningPort), Long.toString(r.ackOffset)});
        }
        return out;
    }
}
