package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.ClientConnection;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.metrics.MemoryOverhead;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIENT ID, SETNAME, GETNAME, SETINFO, INFO, LIST, KILL, REPLY, UNBLOCK, NO-EVICT, NO-TOUCH,
 * PAUSE, UNPAUSE, HELP (Redis networking.c clientCommand); the client-side caching subcommands
 * are in {@link ClientTracking}.
 */
public final class ClientFamily {
    private ClientFamily() {}

    public static void register(CommandTable t) {
        t.bind("client|id", ClientFamily::id)
                .bind("client|setname", ClientFamily::setname)
                .bind("client|getname", ClientFamily::getname)
                .bind("client|setinfo", ClientFamily::setinfo)
                .bind("client|info", ClientFamily::info)
                .bind("client|list", ClientFamily::list)
                .bind("client|kill", ClientFamily::kill)
                .bind("client|reply", ClientFamily::reply)
                .bind("client|unblock", ClientFamily::unblock)
                .bind("client|no-evict", ClientFamily::noEvict)
                .bind("client|no-touch", ClientFamily::noTouch)
                .bind("client|pause", ClientFamily::pause)
                .bind("client|unpause", ClientFamily::unpause)
                .bind("client|tracking", ClientTracking::tracking)
                .bind("client|caching", ClientTracking::caching)
                .bind("client|getredir", ClientTracking::getredir)
                .bind("client|trackinginfo", ClientTracking::trackinginfo)
                .bind("client|help", ClientFamily::help);
    }

    // Redis client types (getClientType).
    static final int TYPE_NORMAL = 0;
    static final int TYPE_REPLICA = 1;
    static final int TYPE_PUBSUB = 2;
    static final int TYPE_MASTER = 3;

    static void id(Client c) {
        c.reply.integer(c.id);
    }

    /** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if the client was blocked and is now released. */
    static void unblock(Client c) {
        boolean withError = false;
        if (c.argc() == 4) {
            if (c.argIs(3, "error")) {
                withError = true;
            } else if (!c.argIs(3, "timeout")) {
                c.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        } else if (c.argc() > 4) {
            Help.subcommandSyntaxError(c);
            return;
        }
        if (!c.parseLong(2)) {
            return;
        }
        Client target = c.server.clients.byId(c.parsed());
        if (target != null && c.server.blocking.unblock(target, withError)) {
            c.reply.one();
        } else {
            c.reply.zero();
        }
    }

    static void setname(Client c) {
        String name = c.argForMessage(2);
        if (ClientNames.validOrReply(c, name)) {
            c.name = name.isEmpty() ? null : name;
            c.reply.ok();
        }
    }

    static void getname(Client c) {
        if (c.name == null) {
            c.reply.nullBulk();
        } else {
            c.reply.bulk(latin1(c.name));
        }
    }

    static void setinfo(Client c) {
        boolean libName;
        if (c.argIs(2, "lib-name")) {
            libName = true;
        } else if (c.argIs(2, "lib-ver")) {
            libName = false;
        } else {
            c.error("ERR Unrecognized option '" + c.argForMessage(2) + "'");
            return;
        }
        String v = c.argForMessage(3);
        if (!printable(v)) {
            c.error("ERR " + c.argForMessage(2) + " cannot contain spaces, newlines or special characters.");
            return;
        }
        String stored = v.isEmpty() ? null : v;
        if (libName) {
            c.libName = stored;
        } else {
            c.libVer = stored;
        }
        c.reply.ok();
    }

    /** Redis validateClientAttr: printable ASCII without spaces. */
    static boolean printable(String v) {
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch < '!' || ch > '~') {
                return false;
            }
        }
        return true;
    }

    static void info(Client c) {
        StringBuilder sb = new StringBuilder(320);
        describe(sb, c).append('\n');
        c.reply.verbatim(sb.toString(), "txt");
    }

    static void list(Client c) {
        Server s = c.server;
        StringBuilder sb = new StringBuilder(320 * Math.max(1, s.clients.size()));
        int argc = c.argc();
        if (argc == 4 && c.argIs(2, "type")) {
            int type = typeByName(c.argForMessage(3));
            if (type < 0) {
                c.error("ERR Unknown client type '" + c.argForMessage(3) + "'");
                return;
            }
            for (Client x : s.clients.all()) {
                if (typeOf(x) == type) {
                    describe(sb, x).append('\n');
                }
            }
        } else if (argc > 3 && c.argIs(2, "id")) {
            List<Client> found = new ArrayList<>();
            for (int j = 3; j < argc; j++) {
                if (!c.parseLong(j, "ERR Invalid client ID")) {
                    return;
                }
                Client x = s.clients.byId(c.parsed());
                if (x != null) {
                    found.add(x);
                }
            }
            for (Client x : found) {
                describe(sb, x).append('\n');
            }
        } else if (argc != 2) {
            c.syntaxError();
            return;
        } else {
            for (Client x : s.clients.all()) {
                describe(sb, x).append('\n');
            }
        }
        c.reply.verbatim(sb.toString(), "txt");
    }

    /** Redis getClientType (this server never has a master link yet). */
    static int typeOf(Client x) {
        if (x.has(Client.REPLICA) && !x.has(Client.MONITOR)) {
            return TYPE_REPLICA;
        }
        return x.has(Client.PUBSUB) ? TYPE_PUBSUB : TYPE_NORMAL;
    }

    /** Redis getClientTypeByName, or -1. */
    static int typeByName(String n) {
        return switch (n.toLowerCase(java.util.Locale.ROOT)) {
            case "normal" -> TYPE_NORMAL;
            case "slave", "replica" -> TYPE_REPLICA;
            case "pubsub" -> TYPE_PUBSUB;
            case "master" -> TYPE_MASTER;
            default -> -1;
        };
    }

    private static final String BAD_ID = "ERR client-id should be greater than 0";

    static void kill(Client c) {
        Server s = c.server;
        int argc = c.argc();
        String addr = null;
        String laddr = null;
        String user = null;
        int type = -1;
        long id = 0;
        long maxAge = 0;
        boolean skipme = true;
        if (argc == 3) {
            addr = c.argForMessage(2);
            skipme = false; // the old form may kill the caller itself
        } else {
            for (int i = 2; i < argc; i += 2) {
                boolean more = i + 1 < argc;
                if (more && c.argIs(i, "id")) {
                    if (!c.parseLong(i + 1, BAD_ID)) {
                        return;
                    }
                    if (c.parsed() < 1) {
                        c.error(BAD_ID);
                        return;
                    }
                    id = c.parsed();
                } else if (more && c.argIs(i, "type")) {
                    type = typeByName(c.argForMessage(i + 1));
                    if (type < 0) {
                        c.error("ERR Unknown client type '" + c.argForMessage(i + 1) + "'");
                        return;
                    }
                } else if (more && c.argIs(i, "addr")) {
                    addr = c.argForMessage(i + 1);
                } else if (more && c.argIs(i, "laddr")) {
                    laddr = c.argForMessage(i + 1);
                } else if (more && c.argIs(i, "user")) {
                    user = c.argForMessage(i + 1);
                    // Until ACLs exist the server has exactly one user.
                    if (!"default".equals(user)) {
                        c.error("ERR No such user '" + user + "'");
                        return;
                    }
                } else if (more && c.argIs(i, "maxage")) {
                    // Redis 7.4's filter: connections older than this many seconds.
                    if (!c.parseLong(i + 1, "ERR maxage is not an integer or out of range")) {
                        return;
                    }
                    if (c.parsed() <= 0) {
                        c.error("ERR maxage should be greater than 0");
                        return;
                    }
                    maxAge = c.parsed();
                } else if (more && c.argIs(i, "skipme")) {
                    if (c.argIs(i + 1, "yes")) {
                        skipme = true;
                    } else if (c.argIs(i + 1, "no")) {
                        skipme = false;
                    } else {
                        c.syntaxError();
                        return;
                    }
                } else {
                    c.syntaxError();
                    return;
                }
            }
        }
        List<Client> victims = new ArrayList<>();
        boolean killSelf = false;
        for (Client x : s.clients.all()) {
            if (addr != null && !addr.equals(peerAddress(x))) {
                continue;
            }
            if (laddr != null && !laddr.equals(localAddress(x))) {
                continue;
            }
            if (type != -1 && typeOf(x) != type) {
                continue;
            }
            if (id != 0 && x.id != id) {
                continue;
            }
            if (user != null && !user.equals(x.user)) {
                continue;
            }
            if (maxAge != 0 && c.now / 1000 - x.createdMillis / 1000 <= maxAge) {
                continue;
            }
            if (x == c) {
                if (skipme) {
                    continue;
                }
                killSelf = true;
            } else {
                victims.add(x);
            }
        }
        for (Client x : victims) {
            disconnect(s, x);
        }
        int killed = victims.size() + (killSelf ? 1 : 0);
        if (type == TYPE_MASTER && addr == null && laddr == null && id == 0 && user == null
                && s.replication.replicaOf.killMasterLink()) {
            // Our master's client is no connection of the registry: its link drops instead
            // (and resumes with PSYNC, as after any lost link).
            killed++;
        }
        if (argc == 3) {
            if (killed == 0) {
                c.error("ERR No such client");
            } else {
                c.reply.ok();
            }
        } else {
            c.reply.integer(killed);
        }
        if (killSelf) {
            c.flags |= Client.CLOSE_AFTER_REPLY;
        }
    }

    /**
     * Frees another client at once, as Redis freeClient does: it leaves the registry now (so
     * connected_clients drops immediately) and its connection is closed without flushing.
     */
    static void disconnect(Server s, Client x) {
        x.flags |= Client.CLOSE_ASAP;
        s.clients.remove(x);
        if (x.conn != null) {
            x.conn.closeNow();
        }
    }

    static void reply(Client c) {
        if (c.argIs(2, "on")) {
            c.flags &= ~(Client.REPLY_SKIP | Client.REPLY_OFF);
            c.reply.ok();
        } else if (c.argIs(2, "off")) {
            c.flags |= Client.REPLY_OFF;
        } else if (c.argIs(2, "skip")) {
            if (!c.has(Client.REPLY_OFF)) {
                c.flags |= Client.REPLY_SKIP_NEXT;
            }
        } else {
            c.syntaxError();
        }
    }

    /**
     * CLIENT PAUSE timeout [WRITE|ALL]: the timeout is in milliseconds from the command's time
     * (Redis getTimeoutFromObjectOrReply); 0 pauses nothing new but may still change the mode
     * of a pause in force.
     */
    static void pause(Client c) {
        if (c.argc() > 4) {
            Help.subcommandSyntaxError(c);
            return;
        }
        boolean all = true;
        if (c.argc() == 4) {
            if (c.argIs(3, "write")) {
                all = false;
            } else if (!c.argIs(3, "all")) {
                c.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        }
        if (!c.parseLong(2, "ERR timeout is not an integer or out of range")) {
            return;
        }
        long t = c.parsed();
        if (t < 0) {
            c.error("ERR timeout is negative");
            return;
        }
        if (t > 0) {
            if (t > Long.MAX_VALUE - c.now) {
                c.error("ERR timeout is out of range");
                return;
            }
            t += c.now;
        }
        c.server.pause.pauseByClient(t, all);
        c.reply.ok();
    }

    static void unpause(Client c) {
        c.server.pause.unpauseByClient();
        c.reply.ok();
    }

    static void noEvict(Client c) {
        onOff(c, Client.NO_EVICT);
    }

    static void noTouch(Client c) {
        onOff(c, Client.NO_TOUCH);
    }

    private static void onOff(Client c, int flag) {
        if (c.argIs(2, "on")) {
            c.flags |= flag;
        } else if (c.argIs(2, "off")) {
            c.flags &= ~flag;
        } else {
            c.syntaxError();
            return;
        }
        c.reply.ok();
    }

    static void help(Client c) {
        Help.reply(c,
                "CACHING (YES|NO)",
                "    In OPTIN (YES) or OPTOUT (NO) tracking mode, track or do not track the keys read by",
                "    the next command.",
                "GETREDIR",
                "    Reply with the id of the client receiving this connection's invalidation messages",
                "    (0 when they come to this connection, -1 when tracking is off).",
                "GETNAME",
                "    Reply with the name of this connection (nil when unnamed).",
                "ID",
                "    Reply with the unique id of this connection.",
                "INFO",
                "    Describe this connection, in the CLIENT LIST format.",
                "KILL <ip:port>",
                "    Close the connection coming from <ip:port>.",
                "KILL <option> <value> [<option> <value> [...]]",
                "    Close every connection matching all the filters:",
                "    * ADDR (<ip:port>|<unixsocket>:0)",
                "      Connections coming from this address.",
                "    * LADDR (<ip:port>|<unixsocket>:0)",
                "      Connections made to this local address.",
                "    * ID <client-id>",
                "      The connection with this id.",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Connections of this type.",
                "    * USER <username>",
                "      Connections authenticated as this user.",
                "    * MAXAGE <maxage>",
                "      Connections older than <maxage> seconds.",
                "    * SKIPME (YES|NO)",
                "      Whether to spare the calling connection (default: yes).",
                "LIST [options ...]",
                "    Describe every connection. Options:",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Only connections of this type.",
                "    * ID <client-id> [<client-id> ...]",
                "      Only the connections with these ids.",
                "REPLY (ON|OFF|SKIP)",
                "    Turn the replies to this connection on or off, or drop the next one.",
                "SETNAME <name>",
                "    Name this connection.",
                "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
                "         [OPTIN] [OPTOUT] [NOLOOP]",
                "    Turn server-assisted client-side caching on or off for this connection.",
                "TRACKINGINFO",
                "    Describe the client-side caching state of this connection.",
                "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                "    End the wait of a client blocked in a blocking command, as a timeout or with an error.",
                "SETINFO <option> <value>",
                "    Record client library details. Options are:",
                "    * LIB-NAME: the name of the client library.",
                "    * LIB-VER: the version of the client library.",
                "NO-EVICT (ON|OFF)",
                "    Exempt this connection from client eviction, or not.",
                "NO-TOUCH (ON|OFF)",
                "    Leave the access time of keys unchanged by this connection's commands, or not.",
                "PAUSE <timeout> [WRITE|ALL]",
                "    Hold back, for <timeout> milliseconds, the commands of every client (ALL, the",
                "    default) or only the ones that write (WRITE).",
                "UNPAUSE",
                "    End a pause early; the held commands run.");
    }

    // ---- the CLIENT LIST line -------------------------------------------------------------------

    static String peerAddress(Client x) {
        return x.conn == null ? "?:0" : x.conn.remoteAddress();
    }

    static String localAddress(Client x) {
        return x.conn == null ? "?:0" : x.conn.localAddress();
    }

    /**
     * Appends one CLIENT LIST line (Redis catClientInfoString): every field of Redis 7.2 in its
     * order. The reply buffer fields follow Redis's model: the first {@code rbs} bytes of
     * pending replies are the "buffer" (obl), the rest and what the transport still holds are
     * the output list (oll blocks, omem bytes).
     */
    static StringBuilder describe(StringBuilder sb, Client x) {
        Server s = x.server;
        ClientConnection conn = x.conn;
        long nowSec = s.clock.millis() / 1000;
        boolean running = x.has(Client.EXECUTING) || x.has(Client.BLOCKED);
        long argvMem = running ? x.args.bytes() : 0;
        long qbuf = conn == null ? 0 : conn.queryBufferBytes();
        long arena = x.args.arenaCapacity();
        long multiMem = x.has(Client.MULTI) ? s.transactions.queuedBytes(x) : 0;
        long rbs = x.reply.bufferSize();
        long pending = x.reply.pending() + (x.subscriber == null ? 0 : x.subscriber.queuedBytes());
        long obl = Math.min(pending, rbs);
        long transport = conn == null ? 0 : conn.pendingOutputBytes();
        long omem = pending - obl + transport;
        long oll = (pending > obl ? 1 : 0) + (conn == null ? 0 : conn.pendingOutputBlocks());
        long totMem = MemoryOverhead.clientTotalMemory(x);
        sb.append("id=").append(x.id)
                .append(" addr=").append(peerAddress(x))
                .append(" laddr=").append(localAddress(x))
                .append(" fd=").append(conn == null ? -1 : conn.fd())
                .append(" name=").append(x.name == null ? "" : x.name)
                .append(" age=").append(nowSec - x.createdMillis / 1000)
                .append(" idle=").append(nowSec - x.lastInteractionMillis / 1000)
                .append(" flags=");
        flags(sb, x);
        sb.append(" db=").append(x.db.id)
                .append(" sub=").append(x.subscriber == null ? 0 : x.subscriber.channelCount())
                .append(" psub=").append(x.subscriber == null ? 0 : x.subscriber.patternCount())
                .append(" ssub=").append(x.subscriber == null ? 0 : x.subscriber.shardChannelCount())
                .append(" multi=").append(x.has(Client.MULTI) ? s.transactions.queuedCount(x) : -1)
                .append(" qbuf=").append(qbuf)
                .append(" qbuf-free=").append(Math.max(0, arena - argvMem))
                .append(" argv-mem=").append(argvMem)
                .append(" multi-mem=").append(multiMem)
                .append(" rbs=").append(rbs)
                .append(" rbp=").append(x.reply.bufferPeak())
                .append(" obl=").append(obl)
                .append(" oll=").append(oll)
                .append(" omem=").append(omem)
                .append(" tot-mem=").append(totMem)
                .append(" events=");
        if (conn != null) {
            if (conn.reading()) {
                sb.append('r');
            }
            if (transport > 0) {
                sb.append('w');
            }
        }
        sb.append(" cmd=").append(x.lastCmd == null ? "NULL" : x.lastCmd.fullName())
                .append(" user=").append(x.user == null ? "(superuser)" : x.user)
                .append(" redir=").append(x.has(Client.TRACKING) ? x.trackingRedirect : -1)
                .append(" resp=").append(x.resp())
                .append(" lib-name=").append(x.libName == null ? "" : x.libName)
                .append(" lib-ver=").append(x.libVer == null ? "" : x.libVer);
        return sb;
    }

    /** The flags field, in Redis's letter order; N when none applies. */
    private static void flags(StringBuilder sb, Client x) {
        int start = sb.length();
        if (x.has(Client.MONITOR)) {
            sb.append('O');
        } else if (x.has(Client.REPLICA)) {
            sb.append('S');
        }
        if (x.has(Client.PUBSUB)) {
            sb.append('P');
        }
        if (x.has(Client.MULTI)) {
            sb.append('x');
        }
        if ((x.flags & (Client.BLOCKED | Client.POSTPONED)) != 0) {
            sb.append('b');
        }
        if (x.has(Client.TRACKING)) {
            sb.append('t');
        }
        if (x.has(Client.TRACKING_BROKEN_REDIR)) {
            sb.append('R');
        }
        if (x.has(Client.TRACKING_BCAST)) {
            sb.append('B');
        }
        if (x.has(Client.DIRTY_CAS)) {
            sb.append('d');
        }
        if (x.has(Client.CLOSE_AFTER_REPLY)) {
            sb.append('c');
        }
        if (x.has(Client.CLOSE_ASAP)) {
            sb.append('A');
        }
        if (x.has(Client.READONLY_CLUSTER)) {
            sb.append('r');
        }
        if (x.has(Client.NO_EVICT)) {
            sb.append('e');
        }
        if (x.has(Client.NO_TOUCH)) {
            sb.append('T');
        }
        if (sb.length() == start) {
            sb.append('N');
        }
    }

    private static byte[] latin1(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
