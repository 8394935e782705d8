package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;

/** Generic keyspace commands (Redis db.c / expire.c): DEL, EXISTS, ... */
public final class KeyspaceFamily {
    private KeyspaceFamily() {}

    public static void register(CommandTable t) {
        t.bind("del", KeyspaceFamily::del)
                .bind("exists", KeyspaceFamily::exists);
    }

    static void del(Client c) {
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.db.find(c.argData(), c.argOff(i), c.argLen(i), c.now) != null
                    && c.db.delete(c.argData(), c.argOff(i), c.argLen(i))) {
                n++;
            }
        }
        c.reply.integer(n);
    }

    static void exists(Client c) {
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.db.lookupRead(c, i) != null) {
                n++;
            }
        }
        c.reply.integer(n);
    }
}
