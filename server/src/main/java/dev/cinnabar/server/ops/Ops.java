package dev.cinnabar.server.ops;

import dev.cinnabar.resp.ArgList;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.command.CommandFlags;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The operator's view of command execution: the slow log, the latency monitor, MONITOR
 * clients, output buffer limits and lazy freeing, and the one place the command path reports
 * to them ({@link #afterCall}).
 *
 * <p>Blocked commands are accounted as Redis does: MONITOR shows a blocking command once, when
 * it first runs; the slow log records it once, when it finally completes (served, timed out or
 * unblocked), with the time of every attempt added up.
 *
 * <p>Accessed with the server lock held.
 */
public final class Ops {
    private final Server server;
    public final SlowLog slowlog = new SlowLog();
    public final LatencyMonitor latency = new LatencyMonitor();
    public final Monitors monitors;
    public final OutputLimits outputLimits;
    public final LazyFree lazyfree;
    public final ReplyBuffers replyBuffers;
    public final ClientEviction clientEviction;
    /** Clients whose command blocked: the microseconds its attempts took so far (Redis c->duration). */
    private final Map<Client, long[]> blocked = new IdentityHashMap<>();

    public Ops(Server server) {
        this.server = server;
        this.monitors = new Monitors(server);
        this.outputLimits = new OutputLimits(server);
        this.lazyfree = new LazyFree(server);
        this.replyBuffers = new ReplyBuffers(server);
        this.clientEviction = new ClientEviction(server);
    }

    /**
     * After every execution of a command handler (Redis call(), from "Record the latency" on):
     * latency event, MONITOR line, slow log entry, output buffer limit. Called for commands
     * run by EXEC and by scripts too, and again when a blocked command is re-run to serve it.
     */
    public void afterCall(Client c, Command cmd, long durationMicros) {
        long threshold = server.config.monitoring.latencyMonitorThreshold.get();
        if (threshold != 0 && durationMicros / 1000 >= threshold) {
            latency.add(cmd.has(CommandFlags.FAST) ? "fast-command" : "command", durationMicros / 1000, unixTime());
        }
        long[] before = blocked.isEmpty() ? null : blocked.get(c);
        boolean reprocessing = before != null;
        if (!reprocessing && !monitors.isEmpty() && !cmd.has(CommandFlags.SKIP_MONITOR | CommandFlags.ADMIN)) {
            monitors.feed(c);
        }
        if (c.has(Client.BLOCKED)) {
            if (before == null) {
                blocked.put(c, new long[] {durationMicros});
            } else {
                before[0] += durationMicros;
            }
        } else {
            long total = durationMicros;
            if (reprocessing) {
                total += before[0];
                blocked.remove(c);
            }
            logIfSlow(c, cmd, c.args, c.redactedArgs, total);
        }
        if (c.conn != null) {
            outputLimits.closeIfOver(c);
        }
    }

    /**
     * A blocked command ended without running again (timeout, CLIENT UNBLOCK): Redis
     * updateStatsOnUnblock logs it in the slow log with the time its attempts took.
     */
    public void blockedCommandEnded(Client c, Command cmd, ArgList args) {
        long[] before = blocked.remove(c);
        logIfSlow(c, cmd, args, 0, before == null ? 0 : before[0]);
    }

    private void logIfSlow(Client c, Command cmd, ArgList args, long redacted, long micros) {
        if (cmd.has(CommandFlags.SKIP_SLOWLOG)) {
            return;
        }
        long slowerThan = server.config.monitoring.slowlogLogSlowerThan.get();
        if (slowerThan < 0) {
            return;
        }
        if (micros >= slowerThan) {
            slowlog.add(args, redacted, micros, unixTime(), c.conn == null ? "?:0" : c.conn.remoteAddress(), c.name);
        }
        // Trimmed on every call, so a lowered slowlog-max-len applies at the next command.
        slowlog.trim(server.config.monitoring.slowlogMaxLen.get());
    }

    /** Records a latency sample of a non-command event ("expire-cycle", ...) if over the threshold. */
    public void latencySample(String event, long millis) {
        latency.addIfNeeded(server.config.monitoring.latencyMonitorThreshold.get(), event, millis, unixTime());
    }

    long unixTime() {
        return server.clock.millis() / 1000;
    }

    /** The client went away (after leaving the client registry). */
    public void clientClosed(Client c) {
        blocked.remove(c);
        monitors.remove(c);
    }

    /** From the server cron. */
    public void cron() {
        outputLimits.cron();
        replyBuffers.cron(server.clock.millis());
        clientEviction.cron();
    }
}
