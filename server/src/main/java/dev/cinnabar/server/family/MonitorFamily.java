package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;

/** MONITOR: stream every command the server executes to this connection (Redis monitorCommand). */
public final class MonitorFamily {
    private MonitorFamily() {}

    public static void register(CommandTable t) {
        t.bind("monitor", MonitorFamily::monitor);
    }

    static void monitor(Client c) {
        if (c.has(Client.DENY_BLOCKING) || c.has(Client.IN_EXEC)) {
            // Such a client expects exactly one reply per command (inside EXEC, for instance).
            c.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
            return;
        }
        if (c.has(Client.MONITOR)) {
            return; // already monitoring: Redis ignores the command, without a reply
        }
        c.server.ops.monitors.add(c);
        c.reply.ok();
    }
}
