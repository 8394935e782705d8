package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import java.util.Locale;

/**
 * The HELP subcommand reply shape every Redis container command uses: a header naming the
 * command, the given lines, and the HELP entry itself, each as a status reply in an array
 * (clients print them verbatim).
 */
final class Help {
    private Help() {}

    static void reply(Client c, String... lines) {
        c.reply.arrayLen(lines.length + 3);
        c.reply.simple(c.argForMessage(0).toUpperCase(Locale.ROOT) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String l : lines) {
            c.reply.simple(l);
        }
        c.reply.simple("HELP");
        c.reply.simple("    Print this help.");
    }

    /** Redis addReplySubcommandSyntaxError, for commands that parse their own subcommands. */
    static void subcommandSyntaxError(Client c) {
        String sub = c.argForMessage(1);
        if (sub.length() > 128) {
            sub = sub.substring(0, 128);
        }
        c.error("ERR unknown subcommand or wrong number of arguments for '" + sub + "'. Try "
                + c.argForMessage(0).toUpperCase(Locale.ROOT) + " HELP.");
    }
}
