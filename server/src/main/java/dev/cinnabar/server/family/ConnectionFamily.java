package dev.cinnabar.server.family;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Errors;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.CommandTable;

/** PING, ECHO, QUIT, RESET, SELECT, HELLO, AUTH. */
public final class ConnectionFamily {
    private ConnectionFamily() {}

    private static final byte[] PONG = Ascii.bytes("+PONG\r\n");
    private static final byte[] PONG_WORD = Ascii.bytes("pong");

    public static void register(CommandTable t) {
        t.bind("ping", ConnectionFamily::ping)
                .bind("echo", ConnectionFamily::echo)
                .bind("quit", ConnectionFamily::quit)
                .bind("reset", ConnectionFamily::reset)
                .bind("select", ConnectionFamily::select)
                .bind("hello", ConnectionFamily::hello)
                .bind("auth", ConnectionFamily::auth);
    }

    static void ping(Client c) {
        if (c.argc() > 2) {
            c.arityError();
            return;
        }
        // RESP2 subscribers get PING replies in the pub/sub message shape.
        if (c.has(Client.PUBSUB) && c.resp() == 2) {
            c.reply.arrayLen(2);
            c.reply.bulk(PONG_WORD);
            if (c.argc() == 1) {
                c.reply.emptyBulk();
            } else {
                c.reply.bulk(c.argData(), c.argOff(1), c.argLen(1));
            }
            return;
        }
        if (c.argc() == 1) {
            c.reply.raw(PONG);
        } else {
            c.reply.bulk(c.argData(), c.argOff(1), c.argLen(1));
        }
    }

    static void echo(Client c) {
        c.reply.bulk(c.argData(), c.argOff(1), c.argLen(1));
    }

    static void quit(Client c) {
        c.reply.ok();
        c.flags |= Client.CLOSE_AFTER_REPLY;
    }

    static void reset(Client c) {
        Server s = c.server;
        s.transactions.discard(c);
        s.resetClientState(c);
        c.reply.simple("RESET");
    }

    static void select(Client c) {
        if (!c.parseLong(1, "ERR value is not an integer or out of range")) {
            return;
        }
        long id = c.parsed();
        if (c.server.clusterEnabled() && id != 0) {
            c.error("ERR SELECT is not allowed in cluster mode");
            return;
        }
        if (id < 0 || id >= c.server.dbCount()) {
            c.error(Errors.INVALID_DB);
            return;
        }
        c.db = c.server.db((int) id);
        c.reply.ok();
    }

    static void hello(Client c) {
        long ver = 0;
        int argc = c.argc();
        if (argc >= 2) {
            if (!c.parseLong(1, "ERR Protocol version is not an integer or out of range")) {
                return;
            }
            ver = c.parsed();
            if (ver < 2 || ver > 3) {
                c.error("NOPROTO unsupported protocol version");
                return;
            }
        }
        String user = null;
        String pass = null;
        String name = null;
        for (int j = 2; j < argc; j++) {
            int more = argc - 1 - j;
            if (c.argIs(j, "auth") && more >= 2) {
                // Credentials never reach the slow log or MONITOR (Redis redactClientCommandArgument).
                c.redactArg(j + 1);
                c.redactArg(j + 2);
                user = c.argString(j + 1);
                pass = c.argString(j + 2);
                j += 2;
            } else if (c.argIs(j, "setname") && more >= 1) {
                name = c.argString(j + 1);
                j++;
            } else {
                c.error("ERR Syntax error in HELLO option '" + c.argForMessage(j) + "'");
                return;
            }
        }
        if (user != null && !c.server.authenticate(c, user, pass)) {
            return; // the authentication error was replied
        }
        if (!c.authenticated) {
            c.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto>"
                    + " AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol"
                    + " version at the same time");
            return;
        }
        if (name != null && !ClientNames.validOrReply(c, name)) {
            return;
        }
        if (name != null) {
            c.name = name.isEmpty() ? null : name;
        }
        if (ver != 0) {
            c.reply.resp((int) ver);
        }
        c.reply.mapLen(7);
        c.reply.bulk("server");
        c.reply.bulk("redis");
        c.reply.bulk("version");
        c.reply.bulk(Server.REDIS_VERSION);
        c.reply.bulk("proto");
        c.reply.integer(c.resp());
        c.reply.bulk("id");
        c.reply.integer(c.id);
        c.reply.bulk("mode");
        c.reply.bulk(c.server.clusterEnabled() ? "cluster" : "standalone");
        c.reply.bulk("role");
        c.reply.bulk("master");
        c.reply.bulk("modules");
        c.reply.emptyArray();
    }

    static void auth(Client c) {
        if (c.argc() > 3) {
            c.syntaxError();
            return;
        }
        c.redactArg(1);
        if (c.argc() == 3) {
            c.redactArg(2);
        }
        String user = c.argc() == 2 ? "default" : c.argString(1);
        String pass = c.argString(c.argc() - 1);
        if (c.argc() == 2 && !c.server.authRequired()) {
            c.error("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
            return;
        }
        if (c.server.authenticate(c, user, pass)) {
            c.reply.ok();
        }
    }
}
