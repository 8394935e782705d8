package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.config.ConfigRewriteException;
import dev.cinnabar.server.config.ConfigSetException;
import dev.cinnabar.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CONFIG GET, SET, RESETSTAT, REWRITE, HELP over {@link ServerConfig}. Names and values are
 * byte strings: arguments are read as ISO-8859-1 and written back the same way.
 */
public final class ConfigFamily {
    private ConfigFamily() {}

    public static void register(CommandTable t) {
        t.bind("config|get", ConfigFamily::get)
                .bind("config|set", ConfigFamily::set)
                .bind("config|resetstat", ConfigFamily::resetstat)
                .bind("config|rewrite", ConfigFamily::rewrite)
                .bind("config|help", ConfigFamily::help);
    }

    static void get(Client c) {
        List<String> patterns = new ArrayList<>(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            patterns.add(c.argForMessage(i));
        }
        List<Map.Entry<String, String>> found = c.server.config.get(patterns);
        c.reply.mapLen(found.size());
        for (Map.Entry<String, String> e : found) {
            c.reply.bulk(e.getKey().getBytes(StandardCharsets.ISO_8859_1));
            c.reply.bulk(e.getValue().getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    static void set(Client c) {
        if (c.argc() % 2 != 0) {
            c.arityError();
            return;
        }
        List<String[]> pairs = new ArrayList<>(c.argc() / 2 - 1);
        ServerConfig cfg = c.server.config;
        for (int i = 2; i < c.argc(); i += 2) {
            String name = c.argForMessage(i);
            // Secrets (requirepass, masterauth...) never reach command logs, even when SET fails.
            if (cfg.isSensitive(name)) {
                c.redactArg(i + 1);
            }
            pairs.add(new String[] {name, c.argForMessage(i + 1)});
        }
        boolean local = c.conn == null || Server.isLocalAddress(c.conn.remoteAddress());
        try {
            cfg.set(pairs, new ServerConfig.SetContext(local, false));
        } catch (ConfigSetException e) {
            c.error(e.getMessage());
            return;
        }
        c.reply.ok();
    }

    /** Zeroes INFO's counters: server stats, command stats and latencies, error stats. */
    static void resetstat(Client c) {
        Server s = c.server;
        s.stats.reset();
        s.metrics.reset();
        s.ops.lazyfree.resetStats();
        s.ops.replyBuffers.resetStats();
        for (Command cmd : s.commands.all()) {
            cmd.resetStats();
        }
        c.reply.ok();
    }

    static void rewrite(Client c) {
        Server s = c.server;
        try {
            s.config.rewrite();
        } catch (ConfigRewriteException e) {
            c.error(e.getMessage());
            return;
        }
        s.log.notice("CONFIG REWRITE executed with success.");
        c.reply.ok();
    }

    static void help(Client c) {
        Help.reply(c,
                "GET <pattern>",
                "    Reply with the parameters matching the glob-style <pattern> and their values.",
                "SET <directive> <value>",
                "    Change a parameter at run time; several pairs change together or not at all.",
                "RESETSTAT",
                "    Zero the statistics that INFO reports.",
                "REWRITE",
                "    Write the running configuration back to the configuration file.");
    }
}
