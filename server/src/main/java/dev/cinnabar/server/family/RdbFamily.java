package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;

/** SAVE and BGSAVE (Redis rdb.c saveCommand / bgsaveCommand); LASTSAVE is in ServerFamily. */
public final class RdbFamily {
    private RdbFamily() {}

    public static void register(CommandTable t) {
        t.bind("save", RdbFamily::save)
                .bind("bgsave", RdbFamily::bgsave);
    }

    static void save(Client c) {
        if (c.server.rdb.bgsaveInProgress()) {
            c.error("ERR Background save already in progress");
            return;
        }
        if (c.server.rdb.saveCommand()) {
            c.reply.ok();
        } else {
            c.error("ERR");
        }
    }

    static void bgsave(Client c) {
        boolean schedule = c.argc() == 2 && c.argIs(1, "schedule");
        if (c.argc() > 1 && !schedule) {
            c.syntaxError();
            return;
        }
        String r = c.server.rdb.bgsaveCommand(c.has(Client.IN_EXEC), schedule);
        if (r.startsWith("+")) {
            c.reply.simple(r.substring(1));
        } else {
            c.error(r.substring(1));
        }
    }
}
