package dev.cinnabar.server.replication;

import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.resp.RespParser;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.config.ReplicaOfParam;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.persistence.rdb.RdbException;
import dev.cinnabar.server.persistence.rdb.RdbInput;
import dev.cinnabar.server.persistence.rdb.RdbLoader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;

/**
 * The replica side of replication (Redis replication.c, replica part): REPLICAOF, the state of
 * the link with the master, and applying what the master sends.
 *
 * <p>The master is the {@code replicaof} parameter (set at start-up or by REPLICAOF). While
 * one is set the server is a replica: its data set only changes by its master's stream (writes
 * from clients get READONLY unless replica-read-only is off), it never expires keys itself (a
 * key past its time reads as missing but stays until the master's DEL), and it records nothing
 * of its own for sub-replicas: it passes on the master's stream, byte for byte, into its own
 * backlog and to its sub-replicas, so its offset and replication id are its master's.
 *
 * <p>The link itself runs on a {@link MasterLink} thread, which takes the server lock to apply
 * each batch of commands through the dispatcher as the master client (flag {@code
 * Client.MASTER}, replies dropped). A lost link is retried once a second from the cron; if it
 * was synchronized, the master's id and our offset are kept (Redis's cached master) so the next
 * PSYNC can continue where the stream stopped.
 *
 * <p>Accessed with the server lock held.
 */
public final class ReplicaOf {
    /** Redis repl_state names as ROLE reports them. */
    static final String NONE = "none";
    static final String CONNECT = "connect";
    static final String CONNECTING = "connecting";
    static final String HANDSHAKE = "handshake";
    static final String TRANSFER = "sync";
    static final String CONNECTED = "connected";

    private final Server server;
    private final Replication replication;
    private volatile String state = NONE;
    private MasterLink link;
    /** The client the master's commands run as; kept while the link is cached. */
    private Client master;
    /** Applied and read stream offsets (Redis master->reploff / read_reploff). */
    private long applied;
    private long read;
    /** History to continue with PSYNC (Redis cached_master), or null. */
    private String cachedReplId;
    private long cachedOffset;
    /** The GETACK answer waiting to be sent, or -1. */
    private long ackToSend = -1;
    /** Whether the master client's commands are running (they see expired keys as present). */
    private boolean applying;
    /** When the link went down (Unix ms), 0 if never. */
    private long downSince;
    /** Last time something arrived from the master (Unix ms). */
    volatile long lastIoMillis;
    /** Snapshot transfer progress for INFO: total (-1 when unknown) and received bytes. */
    volatile long transferSize;
    volatile long transferRead;
    volatile long transferLastIoMillis;

    ReplicaOf(Server server, Replication replication) {
        this.server = server;
        this.replication = replication;
    }

    /** Whether a master is configured (Redis server.masterhost != NULL). */
    public boolean isReplica() {
        return server.config.replication.replicaof.get() != null;
    }

    /** Whether the link with the master is up and synchronized (REPL_STATE_CONNECTED). */
    public boolean linkUp() {
        return state == CONNECTED;
    }

    /** Whether the master's commands are being applied right now. */
    public boolean applyingMasterStream() {
        return applying;
    }

    // ---- REPLICAOF --------------------------------------------------------------------------------

    /**
     * REPLICAOF host port (Redis replicationSetMaster). Returns false when already replicating
     * from that master (nothing done).
     */
    public boolean setMaster(String host, int port, Client by) {
        ReplicaOfParam.Master current = server.config.replication.replicaof.get();
        if (current != null && current.host().equalsIgnoreCase(host) && current.port() == port) {
            server.log.notice("REPLICAOF would result into synchronization with the master we are already connected with. "
                    + "No operation performed.");
            return false;
        }
        boolean wasMaster = current == null;
        dropLink(true);
        server.blocking.unblockAll("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)");
        server.config.replication.replicaof.assign(new ReplicaOfParam.Master(host, port));
        replication.roleChanged();
        if (wasMaster) {
            // Our own history is what the new master may share with us (after a failover).
            cachedReplId = server.metrics.replId;
            cachedOffset = replication.offset();
            master = null;
        }
        if (by != null) {
            server.log.notice("REPLICAOF " + host + ":" + port + " enabled (user request from '" + server.clients.info(by) + "')");
        }
        state = CONNECT;
        connect();
        return true;
    }

    /** REPLICAOF NO ONE (Redis replicationUnsetMaster). */
    public void unsetMaster(Client by) {
        if (!isReplica()) {
            return;
        }
        dropLink(false);
        master = null;
        cachedReplId = null;
        server.config.replication.replicaof.assign(null);
        replication.becameMaster();
        state = NONE;
        downSince = 0;
        replication.roleChanged();
        if (by != null) {
            server.log.notice("MASTER MODE enabled (user request from '" + server.clients.info(by) + "')");
        }
    }

    /** Stops the current link; {@code cache} keeps a synchronized master's history for PSYNC. */
    private void dropLink(boolean cache) {
        MasterLink l = link;
        link = null;
        if (l != null) {
            l.cancel();
        }
        if (state == CONNECTED) {
            if (cache) {
                cacheMaster();
            }
            server.log.notice("Connection with master lost.");
            downSince = server.clock.millis();
        }
    }

    /** Redis replicationCacheMaster: remember where the stream stopped. */
    private void cacheMaster() {
        cachedReplId = server.metrics.replId;
        cachedOffset = applied;
        if (master != null) {
            // A transaction cut by the link loss never happened here.
            server.transactions.discard(master);
        }
    }

    private void connect() {
        ReplicaOfParam.Master m = server.config.replication.replicaof.get();
        server.log.notice("Connecting to MASTER " + m.host() + ":" + m.port());
        state = CONNECTING;
        link = new MasterLink(server, this, m.host(), m.port());
        link.start();
    }

    /**
     * Once a second: start a new link when one is due (after a lost link, or the first time
     * when replicaof was set at start-up).
     */
    public void cron() {
        if (isReplica() && (state == CONNECT || state == NONE)) {
            connect();
        }
    }

    /** CLIENT KILL TYPE master: drops a synchronized link (the cron reconnects). */
    public boolean killMasterLink() {
        MasterLink l = link;
        if (l == null || state != CONNECTED) {
            return false;
        }
        l.cancel();
        return true;
    }

    /** The server stops. */
    void close() {
        MasterLink l = link;
        link = null;
        if (l != null) {
            l.cancel();
        }
    }

    // ---- events from the link thread (server lock held) ------------------------------------------

    private boolean current(MasterLink l) {
        return l == link;
    }

    void handshaking(MasterLink l) {
        if (current(l)) {
            state = HANDSHAKE;
        }
    }

    /** The PSYNC to send: our cached history, or "? -1". */
    String[] psyncArguments(MasterLink l) {
        if (cachedReplId != null) {
            server.log.notice("Trying a partial resynchronization (request " + cachedReplId + ":" + (cachedOffset + 1) + ").");
            return new String[] {cachedReplId, Long.toString(cachedOffset + 1)};
        }
        server.log.notice("Partial resynchronization not possible (no cached master)");
        return new String[] {"?", "-1"};
    }

    /** +FULLRESYNC: the snapshot follows (Redis replicationAttachToNewMaster). */
    void fullSyncStarting(MasterLink l, String replId, long offset) {
        if (!current(l)) {
            return;
        }
        server.log.notice("Full resync from master: " + replId + ":" + offset);
        cachedReplId = null;
        master = null;
        replication.detachFromOldHistory();
        state = TRANSFER;
        transferRead = 0;
        transferLastIoMillis = server.clock.millis();
    }

    /**
     * The snapshot arrived: the data set becomes it. Returns false (link to be dropped) when it
     * cannot be loaded.
     */
    boolean loadSnapshot(MasterLink l, List<byte[]> chunks, String replId, long offset) {
        if (!current(l)) {
            return false;
        }
        RdbLoader.Result loaded;
        try {
            loaded = RdbLoader.load(server, new RdbInput(chunks), true);
        } catch (RdbException | IndexOutOfBoundsException e) {
            server.log.warning("Failed trying to load the MASTER synchronization DB from socket: " + e.getMessage());
            return false;
        }
        server.log.notice("MASTER <-> REPLICA sync: Flushing old data");
        server.tracking.invalidateAllOnFlush();
        for (Database db : server.dbs()) {
            db.flush();
        }
        // Redis's emptyData clears the function libraries too; the image brings the master's.
        server.scripting.flushLibraries();
        server.log.notice("MASTER <-> REPLICA sync: Loading DB in memory");
        for (byte[] code : loaded.functions) {
            try {
                server.scripting.loadLibrary(code, true, true);
            } catch (dev.cinnabar.server.scripting.FunctionLoader.LoadException e) {
                server.log.warning("Failed loading a function library from the MASTER synchronization DB: "
                        + e.getMessage());
                return false;
            }
        }
        for (int i = 0; i < loaded.perDb.size() && i < server.dbCount(); i++) {
            Database db = server.db(i);
            for (Object e : loaded.perDb.get(i)) {
                db.loadEntry(e);
            }
        }
        server.log.notice("Done loading RDB, keys loaded: " + loaded.keysLoaded + ", keys expired: " + loaded.keysExpired + ".");
        replication.adoptHistory(replId, offset);
        master = newMasterClient();
        if (loaded.replStreamDb > 0 && loaded.replStreamDb < server.dbCount()) {
            // The stream goes on in this database without announcing it (our master may itself
            // be a replica, passing on a stream that selected it long ago).
            master.db = server.db(loaded.replStreamDb);
        }
        applied = offset;
        read = offset;
        online();
        server.log.notice("MASTER <-> REPLICA sync: Finished with success");
        return true;
    }

    /** +CONTINUE [id]: the stream goes on from our offset (Redis replicationResurrectCachedMaster). */
    void continued(MasterLink l, String newReplId) {
        if (!current(l)) {
            return;
        }
        server.log.notice("Successful partial resynchronization with master.");
        replication.continueHistory(newReplId, cachedOffset);
        if (master == null) {
            master = newMasterClient();
        }
        applied = cachedOffset;
        read = cachedOffset;
        cachedReplId = null;
        online();
        server.log.notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
    }

    private void online() {
        state = CONNECTED;
        downSince = 0;
        lastIoMillis = server.clock.millis();
        replication.roleChanged();
    }

    private Client newMasterClient() {
        Client c = new Client(server, server.clients.nextId(), null, new ReplyWriter(UnpooledByteBufAllocator.DEFAULT), null);
        c.authenticated = true;
        c.flags |= Client.MASTER;
        return c;
    }

    /**
     * Runs the complete commands in {@code raw} (parsed from its reader index on) as the
     * master, passes the applied bytes, which start at {@code passFrom}, on to our backlog and
     * sub-replicas, and returns where the bytes not yet passed on start. A transaction is passed
     * on and counted as applied only at its EXEC, as Redis does. Returns -1 when the link must
     * be dropped (protocol error, or the link was replaced).
     */
    int apply(MasterLink l, ByteBuf raw, RespParser parser, int passFrom) {
        if (!current(l) || master == null) {
            return -1;
        }
        if (server.pause.expiryPaused()) {
            // CLIENT PAUSE WRITE (or ALL) holds the master's stream back too (Redis
            // PAUSE_ACTION_REPLICA); it stays buffered until the pause ends.
            return passFrom;
        }
        Client c = master;
        applying = true;
        try {
            while (true) {
                int r = parser.parse(raw);
                if (r == RespParser.PROTOCOL_ERROR) {
                    server.log.warning("Protocol error from master: " + parser.error());
                    return -1;
                }
                if (r != RespParser.COMMAND) {
                    break;
                }
                c.args = parser.args();
                server.dispatcher.process(c);
                c.reply.discard();
                if (!c.has(Client.MULTI)) {
                    int end = raw.readerIndex();
                    applied += end - passFrom;
                    replication.passOn(raw, passFrom, end - passFrom);
                    passFrom = end;
                }
            }
        } finally {
            applying = false;
        }
        read = applied + (raw.writerIndex() - passFrom);
        lastIoMillis = server.clock.millis();
        return passFrom;
    }

    /** REPLCONF GETACK from the master: answer with what was applied before it. */
    public void ackRequested(Client c) {
        if (c == master) {
            ackToSend = applied;
        }
    }

    /** The pending GETACK answer, or -1; cleared. */
    long takeAck() {
        long a = ackToSend;
        ackToSend = -1;
        return a;
    }

    long applied() {
        return applied;
    }

    /** The database the master's stream is in (Redis master->db), for our sub-replicas' images. */
    int streamDb() {
        return master != null ? master.db.id : 0;
    }

    /** The link ended (error, timeout, cancel): retry from the cron unless it was replaced. */
    void linkEnded(MasterLink l, String why) {
        if (!current(l)) {
            return;
        }
        link = null;
        if (why != null) {
            server.log.warning(why);
        }
        if (state == CONNECTED) {
            cacheMaster();
            server.log.notice("Connection with master lost.");
            downSince = server.clock.millis();
        }
        state = isReplica() ? CONNECT : NONE;
        replication.roleChanged();
    }

    // ---- INFO, ROLE -------------------------------------------------------------------------------

    /** The replica part of INFO replication (after role:slave). */
    public void info(StringBuilder sb) {
        ReplicaOfParam.Master m = server.config.replication.replicaof.get();
        long now = server.clock.millis();
        long offset = master != null ? applied : cachedReplId != null ? cachedOffset : 1;
        long readOffset = master != null ? read : cachedReplId != null ? cachedOffset : 1;
        line(sb, "master_host", m.host());
        line(sb, "master_port", m.port());
        line(sb, "master_link_status", state == CONNECTED ? "up" : "down");
        line(sb, "master_last_io_seconds_ago", state == CONNECTED ? (now - lastIoMillis) / 1000 : -1);
        line(sb, "master_sync_in_progress", state == TRANSFER ? 1 : 0);
        line(sb, "slave_read_repl_offset", readOffset);
        line(sb, "slave_repl_offset", offset);
        if (state == TRANSFER) {
            long size = transferSize;
            long got = transferRead;
            line(sb, "master_sync_total_bytes", size);
            line(sb, "master_sync_read_bytes", got);
            line(sb, "master_sync_left_bytes", size - got);
            double perc = size > 0 ? (double) got / size * 100 : 0;
            line(sb, "master_sync_perc", String.format(java.util.Locale.ROOT, "%.2f", perc));
            line(sb, "master_sync_last_io_seconds_ago", (now - transferLastIoMillis) / 1000);
        }
        if (state != CONNECTED) {
            line(sb, "master_link_down_since_seconds", downSince != 0 ? (now - downSince) / 1000 : -1);
        }
        line(sb, "slave_priority", server.config.replication.replicaPriority.get());
        line(sb, "slave_read_only", server.config.replication.replicaReadOnly.get() ? 1 : 0);
        line(sb, "replica_announced", server.config.replication.replicaAnnounced.get() ? 1 : 0);
    }

    private static void line(StringBuilder sb, String name, Object value) {
        sb.append(name).append(':').append(value).append("\r\n");
    }

    /** ROLE's state word (Redis: "handshake" for every handshake step). */
    public String roleState() {
        return state;
    }

    /** ROLE's offset: the master client's applied offset, -1 without one. */
    public long roleOffset() {
        return master != null && state == CONNECTED ? applied : -1;
    }
}
