package dev.cinnabar.server;

import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.command.CommandFlags;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.command.Dispatcher;
import dev.cinnabar.server.config.ConfigEnums.ProtectedAction;
import dev.cinnabar.server.config.ServerConfig;
import dev.cinnabar.server.family.Families;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.keyspace.Expiry;
import dev.cinnabar.server.config.ApplyErrors;
import dev.cinnabar.server.config.ConfigValueException;
import dev.cinnabar.server.metrics.ServerMetrics;
import dev.cinnabar.server.metrics.Stats;
import dev.cinnabar.server.net.Transport;
import java.net.BindException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ScheduledFuture;

/**
 * One Cinnabar server: configuration, databases, command table, clients, statistics, the
 * transport and the timer (serverCron). Everything here is per instance, so several servers
 * can run in one JVM (embedded use in tests).
 */
public final class Server implements AutoCloseable {
    public static final String REDIS_VERSION = "7.2.6";
    public static final long REDIS_VERSION_NUM = 0x00070206;
    public static final String CINNABAR_VERSION = "0.1.0";

    public final ServerConfig config;
    public final Log log;
    public final ServerClock clock;
    public final Stats stats = new Stats();
    /** The memory measure behind maxmemory and INFO used_memory. */
    public final dev.cinnabar.server.memory.Memory memory = new dev.cinnabar.server.memory.Memory(this);
    public final ServerMetrics metrics = new ServerMetrics();
    public final DebugSettings debug = new DebugSettings();
    public final ServerLock lock = new ServerLock();
    public final CommandTable commands;
    public final Dispatcher dispatcher;
    public final Transactions transactions;
    public final Clients clients;
    public final Expiry expiry;
    public final dev.cinnabar.server.pubsub.PubSub pubsub;
    public final ClientPause pause;
    /** Client-side caching: tracked keys, BCAST prefixes, invalidation messages. */
    public final dev.cinnabar.server.tracking.Tracking tracking;
    /** Clients blocked on keys (BLPOP...) and the keys that may serve them. */
    public final dev.cinnabar.server.blocking.Blocking blocking;
    /** MIGRATE's cached connections to target servers. */
    public final dev.cinnabar.server.net.MigrateSockets migrateSockets = new dev.cinnabar.server.net.MigrateSockets();
    /** Slow log, latency monitor, MONITOR clients, output buffer limits, lazy freeing. */
    public final dev.cinnabar.server.ops.Ops ops;
    public final dev.cinnabar.server.scripting.FunctionLibraries functions =
            new dev.cinnabar.server.scripting.FunctionLibraries();
    /** Key eviction under maxmemory. */
    public final dev.cinnabar.server.memory.Eviction eviction;
    /** EVAL / FCALL engine: script cache, Lua interpreters, the running script. */
    public final dev.cinnabar.server.scripting.Scripting scripting = new dev.cinnabar.server.scripting.Scripting(this);
    /** Replicas, the replication stream and command propagation. */
    public final dev.cinnabar.server.replication.Replication replication;
    /** RDB files: SAVE, BGSAVE (forkless snapshots), save points, loading. */
    public final dev.cinnabar.server.persistence.RdbPersistence rdb;
    /** The one background snapshot job (BGSAVE or AOF rewrite) and its scheduling. */
    public final dev.cinnabar.server.persistence.Snapshots snapshots = new dev.cinnabar.server.persistence.Snapshots(this);
    public final String runId;
    public final long startMillis;
    public final long startMonoMicros;
    private final Database[] dbs;
    private Transport transport;
    private ScheduledFuture<?> cron;
    private int port;
    /** The port bound at start-up (the ephemeral one when configured as 0). */
    private int startPort;
    private volatile boolean stopped;
    private long lastReplicationCron;
    /** Number of cron ticks since start (Redis cronloops). */
    public long cronLoops;
    /** Unix time (s) of the last successful save (LASTSAVE); the start time until persistence exists. */
    public long lastSave;
    /**
     * A data set is being loaded (Redis server.loading): keys do not expire and nothing is
     * propagated while it is set.
     */
    public boolean loading;
    /** The append-only file. */
    public final dev.cinnabar.server.persistence.aof.Aof aof;
    /** The process's OOM-killer score (oom-score-adj), managed only by a server process. */
    public final OomScore oomScore = new OomScore(this);
    /** SIGTERM / SIGINT handling of a server process (null when embedded). */
    public volatile ShutdownSignals shutdownSignals;

    public Server(ServerConfig config, Log log, ServerClock clock) {
        this.config = config;
        this.log = log;
        this.clock = clock;
        this.commands = new CommandTable();
        Families.registerAll(commands);
        this.dispatcher = new Dispatcher(this);
        this.transactions = new Transactions(this);
        this.clients = new Clients(this);
        this.blocking = new dev.cinnabar.server.blocking.Blocking(this, config.general.databases.get());
        this.dbs = new Database[config.general.databases.get()];
        for (int i = 0; i < dbs.length; i++) {
            dbs[i] = new Database(this, i);
        }
        this.expiry = new Expiry(this);
        this.pubsub = new dev.cinnabar.server.pubsub.PubSub(this);
        this.pause = new ClientPause(this);
        this.tracking = new dev.cinnabar.server.tracking.Tracking(this);
        this.ops = new dev.cinnabar.server.ops.Ops(this);
        this.eviction = new dev.cinnabar.server.memory.Eviction(this);
        this.replication = new dev.cinnabar.server.replication.Replication(this);
        this.rdb = new dev.cinnabar.server.persistence.RdbPersistence(this);
        this.aof = new dev.cinnabar.server.persistence.aof.Aof(this);
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        this.runId = HexFormat.of().formatHex(id);
        this.startMillis = clock.millis();
        this.startMonoMicros = clock.monoMicros();
        this.lastSave = startMillis / 1000;
        registerApplyHooks();
    }

    /** Binds the listeners and starts the timer. Returns the bound port. */
    public int start() throws BindException {
        try {
            lock.enter();
            try {
                aof.startup();
            } finally {
                lock.exit();
            }
        } catch (dev.cinnabar.server.persistence.aof.Aof.AofException e) {
            throw new IllegalStateException("Fatal: can't load the append only file: " + e.getMessage(), e);
        }
        bindListeners();
        scheduleCron();
        memory.started();
        logInitialized();
        if (!config.network.bind.get().isEmpty()) {
            log.notice("Ready to accept connections tcp");
        }
        String unix = config.network.unixsocket.get();
        if (unix != null && !unix.isEmpty()) {
            log.notice("Ready to accept connections unix");
        }
        return port;
    }

    private boolean initializedLogged;

    /**
     * Logs "Server initialized" once. Redis logs it before loading the data set, and tools (the
     * upstream test suite) wait for it to know the process started, even if loading then fails.
     */
    public void logInitialized() {
        if (!initializedLogged) {
            initializedLogged = true;
            log.notice("Server initialized");
        }
    }

    /**
     * Binds the listeners (once). A server process does it before loading its data, as
     * redis-server, so clients can connect while it loads; {@link #start} binds otherwise.
     */
    public int bindListeners() throws BindException {
        if (transport == null) {
            transport = new Transport(this, config.general.ioThreads.get());
            port = transport.bind(config.network.bind.get(), config.network.port.get());
            startPort = port;
            String unix = config.network.unixsocket.get();
            if (unix != null && !unix.isEmpty()) {
                transport.bindUnix(unix, config.network.unixsocketperm.get());
            }
            if (!transport.listening()) {
                throw new BindException("Configured to not listen anywhere, exiting.");
            }
        }
        return port;
    }

    public int port() {
        return port;
    }

    public int dbCount() {
        return dbs.length;
    }

    public Database db(int i) {
        return dbs[i];
    }

    public Database[] dbs() {
        return dbs;
    }

    /** Runs a task under the server lock (timers, admin work outside a client request). */
    public void runLocked(Runnable r) {
        lock.enter();
        try {
            r.run();
        } finally {
            lock.exit();
        }
    }

    /**
     * Runs a task soon on one of the event loops (after the command being executed, if called
     * from one); returns false when the server is not serving (no transport).
     */
    public boolean execute(Runnable task) {
        if (transport == null || stopped) {
            return false;
        }
        transport.execute(task);
        return true;
    }

    /** (Re)starts the timer at the configured hz (start-up, CONFIG SET hz). */
    private void scheduleCron() {
        if (cron != null) {
            cron.cancel(false);
        }
        cron = transport.every(Math.max(1, 1000 / config.general.hz.get()), this::cronTick);
    }

    public String transportName() {
        return transport == null ? "nio" : transport.name();
    }

    private void cronTick() {
        if (stopped || metrics.cronPaused) {
            return;
        }
        try {
            runLocked(() -> {
                if (scripting.running() != null) {
                    // A script past busy-reply-threshold lent us the lock: like Redis while a
                    // script is busy, no expiry, rehashing or timeouts until it ends.
                    return;
                }
                long start = clock.monoMicros();
                cronLoops++;
                ShutdownSignals signals = shutdownSignals;
                if (signals != null) {
                    signals.cron();
                }
                pause.update();
                long expireStart = clock.monoMicros();
                expiry.activeCycle();
                ops.latencySample("expire-cycle", (clock.monoMicros() - expireStart) / 1000);
                blocking.cron();
                // Redis runs replicationCron once a second.
                long now = clock.millis();
                if (now - lastReplicationCron >= 1000) {
                    lastReplicationCron = now;
                    replication.cron();
                }
                for (Database db : dbs) {
                    db.rehashStep();
                }
                tracking.cron();
                snapshots.cron();
                aof.cron();
                migrateSockets.closeIdle(clock.millis() / 1000);
                ops.cron();
                if (config.memory.maxmemory.get() != 0) {
                    // Output drains and idle clients' buffers change outside their commands.
                    memory.updateAllClients();
                }
                memory.used(); // peak tracking
                // Redis samples its instantaneous metrics every 100 ms (run_with_period(100)).
                int periodTicks = Math.max(1, 100 / Math.max(1, 1000 / config.general.hz.get()));
                metrics.cron(clock.millis(), stats, stats.totalReadsProcessed, clock.monoMicros() - start,
                        cronLoops % periodTicks == 0);
            });
        } catch (RuntimeException e) {
            log.warning("serverCron failed: " + e);
        }
    }

    // ---- policy hooks used by the request path ----------------------------------------------

    public boolean authRequired() {
        String p = config.general.requirepass.get();
        return p != null && !p.isEmpty();
    }

    public int maxClients() {
        return (int) Math.min(Integer.MAX_VALUE, config.network.maxclients.get());
    }

    public long protoMaxBulkLen() {
        return config.network.protoMaxBulkLen.get();
    }

    public long queryBufferLimit() {
        return config.network.clientQueryBufferLimit.get();
    }

    public int tcpBacklog() {
        return config.network.tcpBacklog.get();
    }

    boolean protectedModeRefuses(ClientConnection conn) {
        if (!config.network.protectedMode.get() || authRequired()) {
            return false;
        }
        return !isLocalAddress(conn.remoteAddress());
    }

    /**
     * Whether a peer address ("ip:port", "[ipv6]:port") is the loopback interface, or a unix
     * socket ("path:0": no TCP peer has port 0).
     */
    public static boolean isLocalAddress(String addr) {
        return addr.startsWith("127.") || addr.startsWith("[::1]:") || addr.startsWith("[::ffff:127.")
                || addr.endsWith(":0");
    }

    /** Redis allowProtectedAction for DEBUG / MODULE. */
    public boolean allowProtected(Client c, Command cmd) {
        ProtectedAction v = "debug".equals(cmd.name()) ? config.general.enableDebugCommand.get()
                : config.general.enableModuleCommand.get();
        if (v == ProtectedAction.YES) {
            return true;
        }
        if (v == ProtectedAction.LOCAL && c.conn != null) {
            return isLocalAddress(c.conn.remoteAddress());
        }
        return false;
    }

    public String protectedError(Command cmd) {
        boolean debug = "debug".equals(cmd.name());
        return "ERR " + (debug ? "DEBUG" : "MODULE") + " command not allowed. If the "
                + (debug ? "enable-debug-command" : "enable-module-command")
                + " option is set to \"local\", you can run it from a local connection, otherwise you need to set"
                + " this option in the configuration file, and then restart the server.";
    }

    /** After every executed command (slowlog, latency monitor hook points). */
    public void afterCommand(Client c, Command cmd, long durationMicros) {
        if (c.dirtyChanges >= 0) {
            stats.dirty += c.dirtyChanges;
            c.dirtyChanges = -1;
        } else if (cmd.has(CommandFlags.WRITE)) {
            stats.dirty++;
        }
        metrics.afterCommand(cmd, durationMicros, stats.totalReadsProcessed);
    }

    // ---- CONFIG SET reactions ---------------------------------------------------------------

    /** Redis's apply functions for the parameters the server itself depends on. */
    private void registerApplyHooks() {
        config.addApplyHook(() -> rebind(ApplyErrors.LISTEN_FAILED), config.network.port);
        config.addApplyHook(() -> rebind(ApplyErrors.BIND_FAILED), config.network.bind);
        config.addApplyHook(() -> {
            if (transport != null) {
                scheduleCron();
            }
        }, config.general.hz);
        config.addApplyHook(() -> log.level(config.general.loglevel.get().ordinal()), config.general.loglevel);
        config.addApplyHook(() -> metrics.latencyTracking = config.monitoring.latencyTracking.get(),
                config.monitoring.latencyTracking);
        config.addApplyHook(this::checkMaxClients, config.network.maxclients);
        config.addApplyHook(() -> {
            if (!oomScore.update()) {
                throw new ConfigValueException("Failed to set current oom_score_adj. Check server logs.");
            }
        }, config.general.oomScoreAdj, config.general.oomScoreAdjValues);
        config.addApplyHook(this::maxmemoryChanged, config.memory.maxmemory);
        config.addApplyHook(this::pushClientLimits, config.network.protoMaxBulkLen,
                config.network.clientQueryBufferLimit);
        metrics.latencyTracking = config.monitoring.latencyTracking.get();
    }

    /**
     * Re-creates the listeners for the new port / bind addresses (Redis changeListener: the
     * old listener closes first). On failure CONFIG SET restores the old values and runs this
     * again, which re-opens the old ones.
     *
     * <p>Port 0 differs from Redis: there it closes the TCP listener, which would leave
     * Cinnabar (no unix sockets) unreachable; here, as at start-up, it means the ephemeral
     * port the server was given when it started.
     */
    private void rebind(String failure) throws ConfigValueException {
        if (transport == null) {
            return;
        }
        transport.closeListeners();
        int p = config.network.port.get();
        if (p == 0) {
            p = startPort;
        }
        try {
            port = transport.bind(config.network.bind.get(), p);
        } catch (BindException e) {
            log.warning(e.getMessage());
            throw new ConfigValueException(failure);
        }
    }

    /** Redis updateMaxmemory: warns when already over the new limit and starts evicting. */
    private void maxmemoryChanged() {
        long max = config.memory.maxmemory.get();
        if (max == 0) {
            eviction.performEvictions(); // closes the current over-the-limit episode
            return;
        }
        memory.updateAllClients();
        long used = memory.used() - memory.notCountedForEvict();
        if (Long.compareUnsigned(max, used) < 0) {
            log.warning("WARNING: the new maxmemory value set via CONFIG SET (" + Long.toUnsignedString(max)
                    + ") is smaller than the current memory usage (" + used + "). This will result in key eviction"
                    + " and/or the inability to accept new write commands depending on the maxmemory-policy.");
        }
        // After the running command, as Redis's time event: an EXEC that sets maxmemory keeps
        // its keys until it is over.
        eviction.startBackgroundTask();
    }

    /** Redis updateMaxclients: the process must be able to open that many sockets. */
    private void checkMaxClients() throws ConfigValueException {
        long limit = openFilesLimit();
        long wanted = config.network.maxclients.get();
        // Redis keeps 32 descriptors for itself (CONFIG_MIN_RESERVED_FDS).
        if (limit > 0 && wanted + 32 > limit) {
            throw new ConfigValueException(ApplyErrors.maxclientsTooHigh(Math.max(1, limit - 32)));
        }
    }

    /** The soft limit of open files of this process, or -1 when unknown. */
    private static long openFilesLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String v = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return "unlimited".equals(v) ? -1 : Long.parseLong(v);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // unknown: no check
        }
        return -1;
    }

    /** New proto-max-bulk-len / client-query-buffer-limit reach every connection's parser. */
    private void pushClientLimits() {
        for (Client c : clients.all()) {
            if (c.conn != null) {
                ClientConnection conn = c.conn;
                if (conn.inEventLoop()) {
                    conn.applyLimits();
                } else {
                    conn.execute(() -> {
                        lock.enter();
                        try {
                            conn.applyLimits();
                        } finally {
                            lock.exit();
                        }
                    });
                }
            }
        }
    }

    public boolean clusterEnabled() {
        return false;
    }

    /**
     * Checks credentials and marks the client authenticated; replies the error otherwise.
     * Until ACLs exist there is one user, "default", whose password is requirepass.
     */
    public boolean authenticate(Client c, String user, String pass) {
        if ("default".equals(user) && (!authRequired() || config.general.requirepass.get().equals(pass))) {
            c.authenticated = true;
            c.user = "default";
            return true;
        }
        c.error("WRONGPASS invalid username-password pair or user is disabled.");
        return false;
    }

    /** Redis clearClientConnectionState (RESET): protocol 2, db 0, no name, default user. */
    public void resetClientState(Client c) {
        c.reply.resp(2);
        c.db = db(0);
        c.name = null;
        c.flags &= ~(Client.REPLY_OFF | Client.REPLY_SKIP | Client.REPLY_SKIP_NEXT | Client.NO_EVICT
                | Client.NO_TOUCH | Client.READONLY_CLUSTER);
        c.user = "default";
        c.authenticated = !authRequired();
        pubsub.unsubscribeAll(c);
        tracking.disable(c);
        ops.monitors.remove(c);
    }

    void onClientClosed(Client c) {
        memory.clientClosed(c);
        transactions.discard(c);
        blocking.clientClosed(c);
        pubsub.clientClosed(c);
        tracking.disable(c);
        pause.forget(c);
        ops.clientClosed(c);
        replication.clientClosed(c);
    }

    /**
     * Publishes a keyspace notification (Redis notifyKeyspaceEvent), if notify-keyspace-events
     * enables {@code type}. Every command that changes the keyspace calls this once per event,
     * after the change and in Redis's order: {@code type} is the class constant of
     * {@link dev.cinnabar.server.config.NotifyKeyspaceEventsParam} (STRING, HASH, LIST,
     * GENERIC...), {@code event} the event name as Redis spells it (see
     * {@link dev.cinnabar.server.pubsub.KeyEvents}, which also has a shortcut for a key that
     * is a command argument). Key creation ("new") and expiry ("expired") are notified by the
     * keyspace itself; commands must not notify them.
     */
    public void notify(int type, byte[] event, int db, byte[] k, int off, int len) {
        pubsub.notifyKeyspaceEvent(type, event, db, k, off, len);
    }

    /** Applies loglevel / logfile (at start-up and after CONFIG SET). */
    public void applyLogConfig() throws java.io.IOException {
        log.level(config.general.loglevel.get().ordinal());
        String f = config.general.logfile.get();
        if (f != null && !f.isEmpty()) {
            log.file(f);
        }
    }

    private final java.util.concurrent.CountDownLatch terminated = new java.util.concurrent.CountDownLatch(1);

    /** Blocks until the server has shut down (SHUTDOWN command or signal). */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /**
     * SHUTDOWN: stops serving and releases {@link #awaitTermination}. The final save (SHUTDOWN
     * SAVE, save points) is done by the caller first ({@link
     * dev.cinnabar.server.persistence.RdbPersistence#saveForShutdown}), so it can refuse to exit.
     */
    public void shutdown(boolean save) {
        try {
            close();
        } finally {
            // Whatever went wrong while closing, the process must still exit.
            terminated.countDown();
        }
    }

    public boolean stopped() {
        return stopped;
    }

    /** Stops serving: closes listeners and connections, stops the timer. Idempotent. */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (cron != null) {
            cron.cancel(false);
        }
        runLocked(replication::close);
        if (transport != null) {
            transport.shutdown();
        }
        // After the connections: every command that got a reply is in the file.
        runLocked(aof::close);
        runLocked(migrateSockets::closeAll);
        log.notice("Redis is now ready to exit, bye bye...");
    }
}
