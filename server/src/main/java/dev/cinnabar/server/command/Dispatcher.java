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
        // EXEC counts as a write (or read) when its queued commands do (Redis mstate.cmd_flags).
        long flags = c.has(Client.MULTI) && cmd.name().equals("exec") ? server.transactions.queuedFlags(c) : 0;
        if ((cmd.has(CommandFlags.WRITE) || (flags & CommandFlags.WRITE) != 0)
                && !server.replication.enoughGoodReplicas()) {
            reject(c, cmd, NOREPLICAS);
            return;
        }
        if (c.has(Client.REPLICA) && (cmd.has(CommandFlags.WRITE | CommandFlags.READONLY | CommandFlags.MAY_REPLICATE)
                || (flags & (CommandFlags.WRITE | CommandFlags.READONLY | CommandFlags.MAY_REPLICATE)) != 0)) {
            reject(c, cmd, "ERR Replica can't interact with the keyspace");
            return;
        }
        if (c.has(Client.MULTI) && server.transactions.queues(cmd)) {
            server.transactions.queue(c, cmd);
            return;
        }
        call(c);
        // Redis handleClientsBlockedOnKeys: after each command (EXEC as a whole), serve the
        // clients blocked on keys it made ready.
        if (server.blocking.hasReady()) {
            server.blocking.handleReady();
        }
    }

    /** Redis call(): runs the bound handler and records statistics. */
    public void call(Client c) {
        Command cmd = c.cmd;
        boolean wasErred = c.erred;
        c.erred = false;
        long start = server.clock.monoMicros();
        c.now = server.clock.millis();
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
        if (c.has(Client.BLOCKED)) {
            // Counted once, when the blocked command completes (served, timed out, unblocked).
            server.blocking.blockedCallFinished(c, duration);
            c.erred |= wasErred;
            return;
        }
        cmd.calls++;
        cmd.microseconds += duration;
        if (c.erred) {
            cmd.failedCalls++;
        }
        c.erred |= wasErred;
        server.stats.totalCommandsProcessed++;
        server.afterCommand(c, cmd, duration);
    }

    private void reject(Client c, Command cmd, String err) {
        if (cmd != null) {
            cmd.rejectedCalls++;
        }
        server.transactions.flagDirty(c);
        if (cmd != null && cmd.name().equals("exec") && c.has(Client.MULTI)) {
            // Redis execCommandAbort: a rejected EXEC ends the transaction.
            server.transactions.discard(c);
            c.error("EXECABORT Transaction discarded because of: " + err);
            return;
        }
        c.error(err);
    }

    static final String NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";

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
