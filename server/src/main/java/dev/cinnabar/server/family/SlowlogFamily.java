package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.ops.SlowLog;
import java.util.Iterator;

/** SLOWLOG GET / LEN / RESET / HELP (Redis slowlog.c). */
public final class SlowlogFamily {
    private SlowlogFamily() {}

    public static void register(CommandTable t) {
        t.bind("slowlog|get", SlowlogFamily::get)
                .bind("slowlog|len", SlowlogFamily::len)
                .bind("slowlog|reset", SlowlogFamily::reset)
                .bind("slowlog|help", SlowlogFamily::help);
    }

    /** SLOWLOG GET [count]: newest first, 10 by default, -1 for all. */
    static void get(Client c) {
        if (c.argc() > 3) {
            Help.subcommandSyntaxError(c);
            return;
        }
        SlowLog log = c.server.ops.slowlog;
        long count = 10;
        if (c.argc() == 3) {
            String err = "ERR count should be greater than or equal to -1";
            if (!c.parseLong(2, err)) {
                return;
            }
            count = c.parsed();
            if (count < -1) {
                c.error(err);
                return;
            }
            if (count == -1) {
                count = log.size();
            }
        }
        count = Math.min(count, log.size());
        c.reply.arrayLen(count);
        Iterator<SlowLog.Entry> it = log.newestFirst();
        for (long i = 0; i < count; i++) {
            SlowLog.Entry e = it.next();
            c.reply.arrayLen(6);
            c.reply.integer(e.id());
            c.reply.integer(e.unixTime());
            c.reply.integer(e.durationMicros());
            c.reply.arrayLen(e.args().length);
            for (byte[] a : e.args()) {
                c.reply.bulk(a);
            }
            c.reply.bulk(e.peer());
            c.reply.bulk(e.clientName());
        }
    }

    static void len(Client c) {
        c.reply.integer(c.server.ops.slowlog.size());
    }

    static void reset(Client c) {
        c.server.ops.slowlog.reset();
        c.reply.ok();
    }

    static void help(Client c) {
        Help.reply(c,
                "GET [<count>]",
                "    Reply with up to <count> entries of the slow log, newest first (default: 10,",
                "    -1 for all). Each entry holds: an id, the unix time it was logged, the",
                "    execution time in microseconds, the command and its arguments, the client's",
                "    IP address and port, and the client's name.",
                "LEN",
                "    Reply with the number of entries in the slow log.",
                "RESET",
                "    Empty the slow log.");
    }
}
