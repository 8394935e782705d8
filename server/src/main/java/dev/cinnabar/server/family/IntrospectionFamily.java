package dev.cinnabar.server.family;

import dev.cinnabar.ds.Glob;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.command.CommandFlags;
import dev.cinnabar.server.command.CommandReplies;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.command.KeyExtractor;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** COMMAND and its subcommands: the server describing its own command table. */
public final class IntrospectionFamily {
    private IntrospectionFamily() {}

    public static void register(CommandTable t) {
        t.bind("command", IntrospectionFamily::command)
                .bind("command|count", IntrospectionFamily::count)
                .bind("command|docs", IntrospectionFamily::docs)
                .bind("command|getkeys", c -> getkeys(c, false))
                .bind("command|getkeysandflags", c -> getkeys(c, true))
                .bind("command|help", IntrospectionFamily::help)
                .bind("command|info", IntrospectionFamily::info)
                .bind("command|list", IntrospectionFamily::list);
    }

    static void command(Client c) {
        CommandTable t = c.server.commands;
        c.reply.arrayLen(t.size());
        for (Command cmd : t.all()) {
            CommandReplies.info(c.reply, cmd);
        }
    }

    static void count(Client c) {
        c.reply.integer(c.server.commands.size());
    }

    /**
     * Redis lookupCommandBySds: "name" or "container|sub", case-insensitively; anything else
     * (a subcommand of a plain command, deeper nesting) is unknown.
     */
    static Command byFullName(CommandTable t, String name) {
        String[] parts = name.split("\\|", -1);
        if (parts.length > 2) {
            return null;
        }
        Command base = t.find(parts[0]);
        if (base == null || parts.length == 1) {
            return base;
        }
        if (base.subcommands().isEmpty()) {
            return null;
        }
        return base.subcommand(parts[1].toLowerCase(Locale.ROOT));
    }

    static void info(Client c) {
        CommandTable t = c.server.commands;
        if (c.argc() == 2) {
            command(c);
            return;
        }
        c.reply.arrayLen(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            CommandReplies.info(c.reply, byFullName(t, c.argForMessage(i)));
        }
    }

    static void docs(Client c) {
        CommandTable t = c.server.commands;
        if (c.argc() == 2) {
            c.reply.mapLen(t.size());
            for (Command cmd : t.all()) {
                c.reply.bulk(cmd.fullName());
                CommandReplies.docs(c.reply, cmd);
            }
            return;
        }
        int token = c.reply.deferLen();
        int n = 0;
        for (int i = 2; i < c.argc(); i++) {
            Command cmd = byFullName(t, c.argForMessage(i));
            if (cmd != null) {
                c.reply.bulk(cmd.fullName());
                CommandReplies.docs(c.reply, cmd);
                n++;
            }
        }
        c.reply.setDeferredMapLen(token, n);
    }

    static void getkeys(Client c, boolean withFlags) {
        CommandTable t = c.server.commands;
        int argc = c.argc() - 2;
        Command cmd = t.lookup(c.args, 2);
        if (cmd != null && !cmd.subcommands().isEmpty() && argc >= 2) {
            cmd = cmd.subcommand(c.argForMessage(3).toLowerCase(Locale.ROOT));
        }
        if (cmd == null) {
            c.error("ERR Invalid command specified");
            return;
        }
        if (!KeyExtractor.hasKeys(cmd)) {
            c.error("ERR The command has no key arguments");
            return;
        }
        if (!cmd.arityOk(argc)) {
            c.error("ERR Invalid number of arguments specified for command");
            return;
        }
        KeyExtractor.Result keys = new KeyExtractor.Result();
        int n = KeyExtractor.keys(cmd, c.args, 2, argc, keys);
        if (n == 0) {
            if (cmd.has(CommandFlags.NO_MANDATORY_KEYS)) {
                c.reply.emptyArray();
            } else {
                c.error("ERR Invalid arguments specified for command");
            }
            return;
        }
        c.reply.arrayLen(n);
        for (int i = 0; i < n; i++) {
            int arg = 2 + keys.position(i);
            if (withFlags) {
                c.reply.arrayLen(2);
                c.reply.bulk(c.argData(), c.argOff(arg), c.argLen(arg));
                CommandReplies.keyFlags(c.reply, keys.flags(i));
            } else {
                c.reply.bulk(c.argData(), c.argOff(arg), c.argLen(arg));
            }
        }
    }

    static void list(Client c) {
        int filter = 0; // 0 none, 1 module, 2 acl category, 3 pattern
        String arg = null;
        for (int i = 2; i < c.argc(); i++) {
            int more = c.argc() - 1 - i;
            if (c.argIs(i, "filterby") && more == 2) {
                if (c.argIs(i + 1, "module")) {
                    filter = 1;
                } else if (c.argIs(i + 1, "aclcat")) {
                    filter = 2;
                } else if (c.argIs(i + 1, "pattern")) {
                    filter = 3;
                } else {
                    c.syntaxError();
                    return;
                }
                arg = c.argForMessage(i + 2);
                i += 2;
            } else {
                c.syntaxError();
                return;
            }
        }
        long category = 0;
        if (filter == 2) {
            for (int k = 0; k < CommandFlags.ACL_CATEGORY_NAMES.length; k++) {
                if (CommandFlags.ACL_CATEGORY_NAMES[k].equalsIgnoreCase(arg)) {
                    category = 1L << k;
                }
            }
        }
        byte[] pattern = filter == 3 ? arg.getBytes(StandardCharsets.ISO_8859_1) : null;
        int token = c.reply.deferLen();
        int n = 0;
        for (Command cmd : c.server.commands.allWithSubcommands()) {
            boolean keep = switch (filter) {
                case 1 -> false; // no modules are loaded
                case 2 -> (cmd.spec.acl() & category) != 0;
                case 3 -> Glob.match(pattern, cmd.fullName().getBytes(StandardCharsets.ISO_8859_1), true);
                default -> true;
            };
            if (keep) {
                c.reply.bulk(cmd.fullName());
                n++;
            }
        }
        c.reply.setDeferredArrayLen(token, n);
    }

    static void help(Client c) {
        Help.reply(c,
                "(no subcommand)",
                "    Describe every command of this server.",
                "COUNT",
                "    Reply with the number of commands of this server.",
                "LIST",
                "    Reply with the names of all commands of this server.",
                "INFO [<command-name> ...]",
                "    Describe the given commands, or every command when none is given.",
                "DOCS [<command-name> ...]",
                "    Reply with the documentation of the given commands, or of every command",
                "    when none is given.",
                "GETKEYS <full-command>",
                "    Reply with the key arguments of a complete command.",
                "GETKEYSANDFLAGS <full-command>",
                "    Reply with the key arguments of a complete command and how each is accessed.");
    }
}
