package dev.cinnabar.server.command;

import dev.cinnabar.resp.ArgList;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Errors;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.replication.Propagation;

/**
 * Runs requests: the checks Redis's processCommand makes before a command may run (existence,
 * arity, protection, authentication, transaction state), then {@link #call} (Redis call()):
 * time snapshot, handler, statistics.
 *
 * <p>Runs on the client's event loop with the server lock held.
 */
public final class Dispatcher {
    private final Server server;

    public Dispatcher(Server server) {
        this.server = server;
    }

    /** Processes the request in {@code c.args}. */
    public void process(Client c) {
        Client previous = server.tracking.enter(c);
        try {
            processCurrent(c);
        } finally {
            server.tracking.restore(previous);
        }
    }

    private void processCurrent(Client c) {
        if (c.has(Client.REPLICA)) {
            // A replica reads the replication stream on this connection: Redis 7.2 drops a
            // replica whose command would put a reply into it.
            int mark = c.reply.pending();
            dispatch(c);
            if (c.reply.pending() != mark) {
                c.reply.truncate(mark);
                server.replication.replicaReplied(c);
            }
            return;
        }
        if (c.subscriber != null) {
            // Messages published to this client since its last command go before this reply.
            server.pubsub.drain(c);
        }
        if ((c.flags & (Client.REPLY_OFF | Client.REPLY_SKIP)) == 0) {
            dispatch(c);
        } else {
            // CLIENT REPLY OFF / SKIP: the command runs, its reply is dropped (Redis
            // prepareClientToWrite refuses to queue it). A command that turns replies back
            // on (CLIENT REPLY ON) keeps its own reply.
            int mark = c.reply.pending();
            dispatch(c);
            if ((c.flags & (Client.REPLY_OFF | Client.REPLY_SKIP)) != 0) {
                c.reply.truncate(mark);
            }
        }
        if (c.has(Client.POSTPONED)) {
            return; // the command runs again when the pause ends; its reply flags stay armed
        }
        if (c.subscriber != null) {
            // Pushes to the client itself (a PUBLISH to its own channel, keyspace events of its
            // own writes) follow the command's reply, as Redis's pending push messages do.
            server.pubsub.drain(c);
        }
        if (c.has(Client.TRACKING_CACHING) && !c.has(Client.MULTI) && !c.argIs(0, "client")) {
            // Redis resetClient: CLIENT CACHING applies to the next command (or transaction) only.
            c.flags &= ~Client.TRACKING_CACHING;
        }
        if ((c.flags & (Client.REPLY_SKIP | Client.REPLY_SKIP_NEXT)) != 0) {
            // Redis resetClient: SKIP silences one command; CLIENT REPLY SKIP arms it for the next.
            c.flags &= ~Client.REPLY_SKIP;
            if ((c.flags & Client.REPLY_SKIP_NEXT) != 0) {
                c.flags = (c.flags & ~Client.REPLY_SKIP_NEXT) | Client.REPLY_SKIP;
            }
        }
    }

    private void dispatch(Client c) {
        ArgList a = c.args;
        c.erred = false;
        Command cmd = server.commands.lookupFull(a);
        if (cmd == null || (cmd.handler == null && cmd.subcommands.isEmpty())) {
            reject(c, null, unknownCommand(a));
            return;
        }
        c.cmd = cmd;
        c.lastCmd = cmd;
        if (!cmd.arityOk(a.size())) {
            reject(c, cmd, Errors.arity(cmd.fullName()));
            return;
        }
        if (cmd.has(CommandFlags.PROTECTED) && !server.allowProtected(c, cmd)) {
            reject(c, cmd, server.protectedError(cmd));
            return;
        }
        if (!c.authenticated && !cmd.has(CommandFlags.NO_AUTH)) {
            reject(c, cmd, Errors.NOAUTH);
            return;
        }
        if (c.has(Client.MULTI) && cmd.has(CommandFlags.NO_MULTI)) {
            reject(c, cmd, Errors.NOT_ALLOWED_IN_MULTI);
            return;
        }
        boolean replica = server.replication.replicaOf.isReplica();
        // A replica's master is obeyed, not checked (Redis mustObeyClient); a replica that
        // ignores maxmemory neither evicts nor refuses (performEvictions returns at once).
        boolean obey = c.has(Client.MASTER);
        if (server.config.memory.maxmemory.get() != 0 && !obey
                && !(replica && server.config.replication.replicaIgnoreMaxmemory.get())
                && server.eviction.outOfMemory(c) && deniedByMemory(c, cmd)) {
            reject(c, cmd, Errors.OOM);
            return;
        }
        if (server.tracking.clients() > 0) {
            // Redis processCommand keeps the tracking table within tracking-table-max-keys before
            // every command; invalidations for this client go before this command's reply.
            server.tracking.limitUsedSlots();
            if (c.subscriber != null) {
                server.pubsub.drain(c);
            }
        }
        // EXEC counts as a write (or read) when its queued commands do (Redis mstate.cmd_flags).
        long queued = c.has(Client.MULTI) && cmd.name().equals("exec") ? server.transactions.queuedFlags(c) : 0;
        if (server.rdb.writesDenied() && !obey
                && ((server.scripting.commandFlags(c, cmd) & CommandFlags.WRITE) != 0
                        || (queued & CommandFlags.WRITE) != 0 || cmd.name().equals("ping"))) {
            // The last BGSAVE failed under stop-writes-on-bgsave-error (Redis refuses PING too).
            reject(c, cmd, dev.cinnabar.server.persistence.RdbPersistence.MISCONF);
            return;
        }
        if (replica || server.config.replication.minReplicasToWrite.get() != 0) {
            // A script that declared its flags is judged by them (Redis getCommandFlags).
            boolean write = (server.scripting.commandFlags(c, cmd) & CommandFlags.WRITE) != 0
                    || (queued & CommandFlags.WRITE) != 0;
            if (write && !server.replication.enoughGoodReplicas()) {
                reject(c, cmd, NOREPLICAS);
                return;
            }
            if (write && replica && !obey && server.config.replication.replicaReadOnly.get()) {
                reject(c, cmd, "READONLY You can't write against a read only replica.");
                return;
            }
        }
        if (c.has(Client.PUBSUB) && c.resp() == 2 && !allowedWhileSubscribed(cmd)) {
            reject(c, cmd, "ERR Can't execute '" + cmd.fullName() + "': only (P|S)SUBSCRIBE / "
                    + "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return;
        }
        if (replica && !server.replication.replicaOf.linkUp() && !server.config.replication.replicaServeStaleData.get()
                && deniedWhenStale(c, cmd)) {
            reject(c, cmd, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
            return;
        }
        if (server.scripting.busy() && !cmd.has(CommandFlags.ALLOW_BUSY)) {
            // A script runs past busy-reply-threshold (Redis isInsideYieldingLongCommand).
            reject(c, cmd, server.scripting.busyError());
            return;
        }
        long keyspaceFlags = CommandFlags.WRITE | CommandFlags.READONLY | CommandFlags.MAY_REPLICATE;
        if (c.has(Client.REPLICA) && (cmd.has(keyspaceFlags) || (queued & keyspaceFlags) != 0)) {
            reject(c, cmd, "ERR Replica can't interact with the keyspace");
            return;
        }
        if (!c.has(Client.REPLICA | Client.MASTER) && server.pause.postpones(c, cmd)) {
            // Redis blockPostponeClient: nothing is replied; the connection stops reading
            // requests until the pause ends, then dispatches this one again. Replicas are never
            // paused (their ACKs must keep flowing).
            server.pause.postpone(c);
            return;
        }
        if (c.has(Client.MULTI) && server.transactions.queues(cmd)) {
            server.transactions.queue(c, cmd);
            return;
        }
        call(c);
        // Redis handleClientsBlockedOnKeys: after each command (EXEC as a whole), serve the
        // clients blocked on keys it made ready.
        if (server.blocking.hasReady() && server.scripting.running() == null) {
            server.blocking.handleReady();
        }
    }

    /** Redis call(): runs the bound handler and records statistics. */
    public void call(Client c) {
        Command cmd = c.cmd;
        boolean wasErred = c.erred;
        c.erred = false;
        long start = server.clock.monoMicros();
        if ((c.flags & Client.SCRIPT) == 0) {
            // Commands of a script keep the script's time: keys do not expire while it runs.
            c.now = server.clock.millis();
        }
        c.redactedArgs = 0;
        int prev = c.flags & Client.EXECUTING;
        c.flags |= Client.EXECUTING;
        // Recording for replicas costs nothing while none is attached.
        Propagation propagation = server.replication.propagation;
        boolean propagating = propagation.active();
        if (propagating) {
            propagation.enter();
        }
        try {
            cmd.handler.run(c);
        } catch (RuntimeException e) {
            // A bug in one command must not take the connection or the server down.
            server.log.warning("Command " + cmd.fullName() + " failed: " + e);
            if (server.log.debugEnabled()) {
                e.printStackTrace();
            }
            c.error("ERR internal error while executing '" + cmd.fullName() + "': " + e.getClass().getSimpleName());
        } finally {
            c.flags = (c.flags & ~Client.EXECUTING) | prev;
            if (propagating) {
                propagation.exit(c);
            }
        }
        long duration = server.clock.monoMicros() - start;
        // Values the command changed in place are counted again (maxmemory accounting).
        server.memory.settle();
        // Latency monitor, MONITOR, slow log and output buffer limits (blocked calls included).
        server.ops.afterCall(c, cmd, duration);
        if (cmd.has(CommandFlags.READONLY)) {
            // Redis trackingRememberKeys: the keys a tracking client read may now be cached by it.
            server.tracking.afterReadOnly(c, cmd);
        }
        if (!c.has(Client.IN_EXEC)) {
            // Invalidations caused by the client's own command follow its reply (EXEC's as a whole).
            server.tracking.flushPending();
        }
        if (c.has(Client.BLOCKED)) {
            // Counted once, when the blocked command completes (served, timed out, unblocked).
            server.blocking.blockedCallFinished(c, duration);
            c.erred = wasErred;
            return;
        }
        cmd.calls++;
        cmd.microseconds += duration;
        if (c.erred) {
            cmd.failedCalls++;
        }
        // As Redis's incrCommandStatsOnError: an error replied by a nested call (a command
        // inside EXEC) is that command's failure, not the caller's.
        c.erred = wasErred;
        server.stats.totalCommandsProcessed++;
        server.afterCommand(c, cmd, duration);
    }

    /**
     * Redis rejectCommand: counts the rejection and dooms the transaction; a rejected EXEC
     * discards it and replies EXECABORT with the reason (execCommandAbort).
     */
    private void reject(Client c, Command cmd, String err) {
        if (cmd != null) {
            cmd.rejectedCalls++;
        }
        server.transactions.flagDirty(c);
        if (cmd != null && c.has(Client.MULTI) && "exec".equals(cmd.name())) {
            server.transactions.discard(c);
            c.error("EXECABORT Transaction discarded because of: " + err);
            // Redis execCommandAbort: monitors saw the MULTI, so they see the EXEC that ends it.
            server.ops.monitors.feed(c, c.args, 0, c.db.id);
            return;
        }
        c.error(err);
    }

    static final String NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";

    /**
     * Redis is_denystale_command: a command without the stale flag, or an EXEC with a queued
     * command without it, may not run while a replica's link is down (replica-serve-stale-data no).
     */
    private boolean deniedWhenStale(Client c, Command cmd) {
        if ((server.scripting.commandFlags(c, cmd) & CommandFlags.STALE) == 0) {
            return true;
        }
        return c.has(Client.MULTI) && "exec".equals(cmd.name())
                && (server.transactions.queuedMissingFlags(c) & CommandFlags.STALE) != 0;
    }

    /** RESP2 subscribers may only manage subscriptions, PING, QUIT and RESET (Redis processCommand). */
    private static boolean allowedWhileSubscribed(Command cmd) {
        return switch (cmd.name()) {
            case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe",
                    "quit", "reset" -> true;
            default -> false;
        };
    }

    /**
     * Redis's maxmemory check in processCommand, once eviction could not get under maxmemory:
     * commands that may use memory are refused, and inside MULTI so is queueing anything but
     * EXEC/DISCARD/QUIT/RESET (an EXEC is refused when a queued command may use memory).
     */
    private boolean deniedByMemory(Client c, Command cmd) {
        boolean deny = cmd.has(CommandFlags.DENYOOM);
        String n = cmd.name();
        boolean exec = "exec".equals(n);
        if (exec && c.has(Client.MULTI)) {
            deny = (server.transactions.queuedFlags(c) & CommandFlags.DENYOOM) != 0;
        } else if (c.has(Client.MULTI) && !n.equals("discard") && !n.equals("quit") && !n.equals("reset")) {
            deny = true;
        }
        return deny;
    }

    /** Redis commandCheckExistence's two messages. */
    private String unknownCommand(ArgList a) {
        Command container = server.commands.lookup(a, 0);
        if (container != null && !container.subcommands.isEmpty()) {
            return Errors.unknownSubcommand(a.latin1(1), container.name());
        }
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < a.size() && args.length() < 128; i++) {
            String s = a.latin1(i);
            int room = 128 - args.length();
            args.append('\'').append(s, 0, Math.min(s.length(), room)).append("' ");
        }
        String name = a.latin1(0);
        if (name.length() > 128) {
            name = name.substring(0, 128);
        }
        return "ERR unknown command '" + name + "', with args beginning with: " + args;
    }
}
