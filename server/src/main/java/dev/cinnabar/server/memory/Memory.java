package dev.cinnabar.server.memory;

import dev.cinnabar.ds.MemoryCounter;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.ClientConnection;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.keyspace.Database;

/**
 * The memory measure behind maxmemory and INFO used_memory: what the data and the clients use,
 * counted as it changes, instead of the Java heap in use (which holds garbage until the next
 * collection: deleting a key would not lower it, so an eviction loop on it would empty the
 * database).
 *
 * <p>used = a fixed server overhead + the keyspace (tables, entries and values of every
 * database, kept current by the tables and {@link Database}, O(1) to read) + client buffers
 * (argument arena, replies not yet flushed, bytes queued on the socket, partial requests, and
 * a fixed cost per connection). A client's share is refreshed when it runs a command, by the
 * cron while maxmemory is set, and before INFO; it is dropped when the client goes away.
 *
 * <p>Values changed in place are counted again when the command ends: the keyspace notes
 * every object value a command may change ({@link #dirty}) and {@link #settle} recounts them
 * (O(1) each, see {@code RedisValue.accountedBytes}).
 *
 * <p>Accessed with the server lock held.
 */
public final class Memory {
    /**
     * The server's own structures (command table, configuration, scripting, statistics), as a
     * fixed estimate: about what Redis reports as used_memory_startup, so that maxmemory values
     * sized for Redis leave the same room for data.
     */
    static final long SERVER_OVERHEAD = 1L << 20;
    /** Per connection besides its buffers: the Client, Connection, parser and Netty channel. */
    static final long CLIENT_OVERHEAD = 2048;

    private final Server server;
    /** Tables, entries and values of every database. */
    public final MemoryCounter keyspace = new MemoryCounter();
    /** Sum of the clients' {@link Client#memAccounted}. */
    private long clients;
    private long peak;
    private long startup = SERVER_OVERHEAD;

    /** Values the running command may have changed in place, and their databases. */
    private static final int DIRTY_MAX = 64;
    private final ObjectEntry[] dirty = new ObjectEntry[DIRTY_MAX];
    private final Database[] dirtyDb = new Database[DIRTY_MAX];
    private int dirtyCount;

    public Memory(Server server) {
        this.server = server;
    }

    /**
     * Notes a value the running command may change in place, to count it again at
     * {@link #settle}. A command touching more values than the list holds settles early.
     */
    public void dirty(Database db, ObjectEntry e) {
        int n = dirtyCount;
        if (n > 0 && dirty[n - 1] == e) {
            return;
        }
        if (n == DIRTY_MAX) {
            settle();
            n = 0;
        }
        dirty[n] = e;
        dirtyDb[n] = db;
        dirtyCount = n + 1;
    }

    /**
     * The entry left its table: it must not be counted again. Cheap: the list holds the few
     * values of the running command.
     */
    public void forget(ObjectEntry e) {
        for (int i = dirtyCount - 1; i >= 0; i--) {
            if (dirty[i] == e) {
                dirty[i] = null;
            }
        }
    }

    /** Counts the dirty values again (after every command; before memory is read). */
    public void settle() {
        int n = dirtyCount;
        if (n == 0) {
            return;
        }
        dirtyCount = 0;
        for (int i = 0; i < n; i++) {
            ObjectEntry e = dirty[i];
            if (e != null) {
                dirtyDb[i].reaccount(e);
                dirty[i] = null;
            }
            dirtyDb[i] = null;
        }
    }

    /** Bytes in use for maxmemory and INFO used_memory; also tracks the peak. */
    public long used() {
        settle();
        long u = SERVER_OVERHEAD + keyspace.bytes() + clients;
        if (u > peak) {
            peak = u;
        }
        return u;
    }

    /** Highest {@link #used()} seen (INFO used_memory_peak). */
    public long peak() {
        return peak;
    }

    /** used_memory when the server started (INFO used_memory_startup). */
    public long startup() {
        return startup;
    }

    /** Records the start-up baseline; called once the server is ready. */
    public void started() {
        startup = used();
    }

    /** Memory of the client buffers counted in {@link #used()} (INFO mem_clients_normal). */
    public long clients() {
        return clients;
    }

    /**
     * Memory Redis leaves out of the maxmemory check (replication backlog overflow and AOF
     * buffer: mem_not_counted_for_evict): the replicas' output buffers.
     */
    public long notCountedForEvict() {
        return server.replication.replicaBufferMemory();
    }

    /** Recounts one client's buffers. Cheap: a few field reads. */
    public void updateClient(Client c) {
        ClientConnection conn = c.conn;
        if (conn == null) {
            return; // fake clients are not registered and own no socket buffers
        }
        long now = CLIENT_OVERHEAD + c.args.arenaCapacity() + c.reply.capacity()
                + conn.queryBufferBytes() + conn.pendingOutputBytes();
        clients += now - c.memAccounted;
        c.memAccounted = now;
    }

    /** Recounts every client (cron while maxmemory is set, INFO). O(clients). */
    public void updateAllClients() {
        for (Client c : server.clients.all()) {
            updateClient(c);
        }
    }

    /** A client disconnected: its buffers no longer count. */
    public void clientClosed(Client c) {
        clients -= c.memAccounted;
        c.memAccounted = 0;
    }

    /** Heap bytes of the keyspace tables' arrays (INFO used_memory_overhead); O(databases). */
    public long tablesOverhead() {
        long n = 0;
        for (Database db : server.dbs()) {
            n += db.tableOverhead();
        }
        return n;
    }

    /** The fixed part of {@link #used()}. */
    public long serverOverhead() {
        return SERVER_OVERHEAD;
    }
}
