package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.metrics.Info;
import java.util.ArrayList;
import java.util.List;

/** INFO, TIME, LASTSAVE, SHUTDOWN, LOLWUT. */
public final class ServerFamily {
    private ServerFamily() {}

    public static void register(CommandTable t) {
        t.bind("info", ServerFamily::info)
                .bind("time", ServerFamily::time)
                .bind("lastsave", ServerFamily::lastsave)
                .bind("shutdown", ServerFamily::shutdown)
                .bind("lolwut", ServerFamily::lolwut);
    }

    static void info(Client c) {
        List<String> sections = new ArrayList<>(c.argc() - 1);
        for (int i = 1; i < c.argc(); i++) {
            sections.add(c.argForMessage(i));
        }
        c.reply.verbatim(Info.generate(c.server, Info.Selection.of(sections), c), "txt");
    }

    static void time(Client c) {
        dev.cinnabar.server.scripting.ScriptRun run = c.server.scripting.running();
        // Inside a script TIME stands still, as Redis's cached time does.
        long us = run != null && c.has(Client.SCRIPT) ? run.startMicros : c.server.clock.micros();
        c.reply.arrayLen(2);
        c.reply.bulkLong(us / 1_000_000);
        c.reply.bulkLong(us % 1_000_000);
    }

    static void lastsave(Client c) {
        c.reply.integer(c.server.lastSave);
    }

    static void shutdown(Client c) {
        boolean nosave = false;
        boolean save = false;
        boolean abort = false;
        boolean other = false;
        boolean force = false;
        for (int i = 1; i < c.argc(); i++) {
            if (c.argIs(i, "nosave")) {
                nosave = true;
            } else if (c.argIs(i, "save")) {
                save = true;
            } else if (c.argIs(i, "now") || c.argIs(i, "force")) {
                other = true;
                force |= c.argIs(i, "force");
            } else if (c.argIs(i, "abort")) {
                abort = true;
            } else {
                c.syntaxError();
                return;
            }
        }
        if ((abort && (nosave || save || other)) || (nosave && save)) {
            c.syntaxError();
            return;
        }
        Server s = c.server;
        if (abort) {
            // Only a shutdown a signal scheduled can be pending: SHUTDOWN itself is immediate.
            if (s.shutdownSignals != null && s.shutdownSignals.abort()) {
                c.reply.ok();
            } else {
                c.error("ERR No shutdown in progress.");
            }
            return;
        }
        if (!nosave && s.scripting.busy()) {
            // Redis: while a script is busy only SHUTDOWN NOSAVE may stop the server.
            c.error(s.scripting.busyError());
            return;
        }
        s.scripting.killForShutdown();
        boolean wantsSave = save || (!nosave && !s.config.persistence.save.value().isEmpty());
        s.log.warning("User requested shutdown...");
        if (!dev.cinnabar.server.ShutdownSignals.finish(s, save, nosave, force)) {
            c.error("ERR Errors trying to SHUTDOWN. Check logs.");
            return;
        }
        // Like Redis, a successful SHUTDOWN sends no reply: the connection just closes. Closing
        // the transport waits for the event loops, so it must not run on one of them.
        c.flags |= Client.CLOSE_AFTER_REPLY;
        Thread t = new Thread(() -> s.shutdown(wantsSave), "shutdown");
        t.setDaemon(false);
        t.start();
    }

    static void lolwut(Client c) {
        long version = 7;
        int rest = 1;
        if (c.argc() >= 3 && c.argIs(1, "version")) {
            if (!c.parseLong(2)) {
                return;
            }
            version = c.parsed();
            rest = 3;
        }
        StringBuilder sb = new StringBuilder();
        if ((version == 5 || version == 6) && !Lolwut.draw(sb, version, c, rest)) {
            return;
        }
        sb.append("Redis ver. ").append(Server.REDIS_VERSION).append('\n');
        c.reply.verbatim(sb.toString(), "txt");
    }
}
