package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;

/** MULTI, EXEC, DISCARD, WATCH, UNWATCH (state in {@link dev.cinnabar.server.Transactions}). */
public final class TransactionFamily {
    private TransactionFamily() {}

    public static void register(CommandTable t) {
        t.bind("multi", TransactionFamily::multi)
                .bind("exec", TransactionFamily::exec)
                .bind("discard", TransactionFamily::discard)
                .bind("watch", TransactionFamily::watch)
                .bind("unwatch", TransactionFamily::unwatch);
    }

    static void multi(Client c) {
        if (c.has(Client.MULTI)) {
            c.error("ERR MULTI calls can not be nested");
            return;
        }
        c.server.transactions.multi(c);
        c.reply.ok();
    }

    static void exec(Client c) {
        if (!c.has(Client.MULTI)) {
            c.error("ERR EXEC without MULTI");
            return;
        }
        c.server.transactions.exec(c);
    }

    static void discard(Client c) {
        if (!c.has(Client.MULTI)) {
            c.error("ERR DISCARD without MULTI");
            return;
        }
        c.server.transactions.discard(c);
        c.reply.ok();
    }

    static void watch(Client c) {
        if (c.has(Client.MULTI)) {
            c.error("ERR WATCH inside MULTI is not allowed");
            return;
        }
        // A client that is already doomed need not watch more keys (Redis 7 behaviour).
        if (!c.has(Client.DIRTY_CAS)) {
            for (int i = 1; i < c.argc(); i++) {
                c.server.transactions.watch(c, c.db, c.argCopy(i));
            }
        }
        c.reply.ok();
    }

    static void unwatch(Client c) {
        c.server.transactions.unwatchAll(c);
        c.flags &= ~Client.DIRTY_CAS;
        c.reply.ok();
    }
}
