package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.metrics.LatencyHistogram;
import dev.cinnabar.server.ops.LatencyMonitor;
import java.util.Map;

/** LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR / HISTOGRAM / HELP (Redis latency.c). */
public final class LatencyFamily {
    private LatencyFamily() {}

    public static void register(CommandTable t) {
        t.bind("latency|latest", LatencyFamily::latest)
                .bind("latency|history", LatencyFamily::history)
                .bind("latency|reset", LatencyFamily::reset)
                .bind("latency|graph", LatencyFamily::graph)
                .bind("latency|doctor", LatencyFamily::doctor)
                .bind("latency|histogram", LatencyFamily::histogram)
                .bind("latency|help", LatencyFamily::help);
    }

    /** Per event: name, time of the latest spike, its latency, the all-time maximum. */
    static void latest(Client c) {
        Map<String, LatencyMonitor.Series> all = c.server.ops.latency.all();
        c.reply.arrayLen(all.size());
        for (Map.Entry<String, LatencyMonitor.Series> e : all.entrySet()) {
            LatencyMonitor.Series s = e.getValue();
            c.reply.arrayLen(4);
            c.reply.bulk(e.getKey());
            c.reply.integer(s.lastTime());
            c.reply.integer(s.lastLatency());
            c.reply.integer(s.max());
        }
    }

    /** The (time, latency) samples of one event, oldest first; empty for an unknown event. */
    static void history(Client c) {
        LatencyMonitor.Series s = c.server.ops.latency.get(c.argForMessage(2));
        if (s == null) {
            c.reply.emptyArray();
            return;
        }
        c.reply.arrayLen(s.count());
        s.forEach((time, ms) -> {
            c.reply.arrayLen(2);
            c.reply.integer(time);
            c.reply.integer(ms);
        });
    }

    /** Forgets all events, or the named ones; replies how many were forgotten. */
    static void reset(Client c) {
        LatencyMonitor m = c.server.ops.latency;
        if (c.argc() == 2) {
            c.reply.integer(m.reset(null));
            return;
        }
        long n = 0;
        for (int i = 2; i < c.argc(); i++) {
            n += m.reset(c.argForMessage(i));
        }
        c.reply.integer(n);
    }

    static void graph(Client c) {
        String event = c.argForMessage(2);
        LatencyMonitor m = c.server.ops.latency;
        if (m.get(event) == null) {
            c.error("ERR No samples available for event '" + event + "'");
            return;
        }
        c.reply.verbatim(m.graph(event, c.server.clock.millis() / 1000), "txt");
    }

    static void doctor(Client c) {
        c.reply.verbatim(LatencyDoctor.report(c.server), "txt");
    }

    /**
     * Per command with recorded latencies: {@code calls} and {@code histogram_usec}, a map of
     * power-of-two latency steps (µs) to the cumulative number of calls at or below them. With
     * arguments, only the named commands (a container includes its subcommands); unknown
     * names are skipped.
     */
    static void histogram(Client c) {
        Server s = c.server;
        int token = c.reply.deferLen();
        int n = 0;
        if (c.argc() == 2) {
            for (Command cmd : s.commands.allWithSubcommands()) {
                n += cdf(c, cmd);
            }
        } else {
            for (int i = 2; i < c.argc(); i++) {
                Command cmd = IntrospectionFamily.byFullName(s.commands, c.argForMessage(i));
                if (cmd == null) {
                    continue;
                }
                n += cdf(c, cmd);
                for (Command sub : cmd.subcommands().values()) {
                    n += cdf(c, sub);
                }
            }
        }
        c.reply.setDeferredMapLen(token, n);
    }

    /** One command's entry of the HISTOGRAM map; returns 1 if it had one. */
    private static int cdf(Client c, Command cmd) {
        LatencyHistogram h = cmd.latency;
        if (h == null) {
            return 0;
        }
        c.reply.bulk(cmd.fullName());
        c.reply.mapLen(2);
        c.reply.bulk("calls");
        c.reply.integer(h.count());
        c.reply.bulk("histogram_usec");
        int token = c.reply.deferLen();
        int[] steps = {0};
        long[] previous = {0};
        h.forEachPowerOfTwoStep((highestNanos, cumulative) -> {
            if (cumulative > previous[0]) {
                c.reply.integer(highestNanos / 1000);
                c.reply.integer(cumulative);
                steps[0]++;
            }
            previous[0] = cumulative;
        });
        c.reply.setDeferredMapLen(token, steps[0]);
        return 1;
    }

    static void help(Client c) {
        Help.reply(c,
                "DOCTOR",
                "    Reply with a report, in plain words, on the latency spikes observed.",
                "GRAPH <event>",
                "    Reply with an ASCII art graph of the latency samples of <event>.",
                "HISTORY <event>",
                "    Reply with the (time, latency) samples of <event>.",
                "LATEST",
                "    Reply with the latest latency sample of every event.",
                "RESET [<event> ...]",
                "    Forget the samples of the given events, or of all events when none is given.",
                "HISTOGRAM [COMMAND ...]",
                "    Reply with the cumulative distribution of the latencies of the given commands,",
                "    or of every command when none is given.");
    }
}
