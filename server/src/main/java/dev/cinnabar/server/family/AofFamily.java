package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;

/** BGREWRITEAOF; the append-only file itself is {@code persistence.aof.Aof}. */
public final class AofFamily {
    private AofFamily() {}

    public static void register(CommandTable t) {
        t.bind("bgrewriteaof", AofFamily::bgrewriteaof);
    }

    /** BGREWRITEAOF: started, scheduled (during EXEC or a BGSAVE), or Redis's error. */
    static void bgrewriteaof(Client c) {
        String r = c.server.aof.bgrewriteaof();
        if (r.startsWith("-")) {
            c.error(r.substring(1));
        } else {
            c.reply.simple(r);
        }
    }
}
