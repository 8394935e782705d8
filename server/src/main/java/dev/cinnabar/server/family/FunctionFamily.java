package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;

/**
 * FUNCTION subcommands. Only FLUSH exists until the Lua engine lands (other subcommands get
 * Redis's unknown-subcommand error, so clients see honestly what is missing).
 */
public final class FunctionFamily {
    private FunctionFamily() {}

    public static void register(CommandTable t) {
        t.bind("function|flush", FunctionFamily::flush);
    }

    static void flush(Client c) {
        if (c.argc() > 3) {
            c.error("ERR unknown subcommand or wrong number of arguments for '" + c.argForMessage(1)
                    + "'. Try FUNCTION HELP.");
            return;
        }
        if (c.argc() == 3 && !c.argIs(2, "sync") && !c.argIs(2, "async")) {
            c.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            return;
        }
        c.server.functions.clear();
        c.server.stats.dirty++;
        // A change of the data set even when no library existed: replicas flush too.
        c.server.replication.propagation.force();
        c.reply.ok();
    }
}
