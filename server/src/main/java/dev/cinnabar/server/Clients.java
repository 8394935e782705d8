package dev.cinnabar.server;

import dev.cinnabar.resp.ArgList;
import dev.cinnabar.resp.ReplyWriter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The registry of connected clients (Redis server.clients): admission control (maxclients,
 * protected mode), ids, and lookup for CLIENT LIST / KILL. Accessed with the server lock held.
 */
public final class Clients {
    static final String MAX_CLIENTS = "ERR max number of clients reached";
    static final String DENIED = "DENIED Redis is running in protected mode because protected "
            + "mode is enabled and no password is set for the default user. "
            + "In this mode connections are only accepted from the loopback interface. "
            + "If you want to connect from external computers to Redis you "
            + "may adopt one of the following solutions: "
            + "1) Just disable protected mode sending the command "
            + "'CONFIG SET protected-mode no' from the loopback interface "
            + "by connecting to Redis from the same host the server is "
            + "running, however MAKE SURE Redis is not publicly accessible "
            + "from internet if you do so. Use CONFIG REWRITE to make this "
            + "change permanent. "
            + "2) Alternatively you can just disable the protected mode by "
            + "editing the Redis configuration file, and setting the protected "
            + "mode option to 'no', and then restarting the server. "
            + "3) If you started the server manually just for testing, restart "
            + "it with the '--protected-mode no' option. "
            + "4) Set up an authentication password for the default user. "
            + "NOTE: You only need to do one of the above things in order for "
            + "the server to start accepting connections from the outside.";

    private final Server server;
    private final Map<Long, Client> byId = new LinkedHashMap<>();
    private long nextId = 1;

    Clients(Server server) {
        this.server = server;
    }

    /** Next client id; fake clients take ids from the same sequence, as in Redis. */
    public long nextId() {
        return nextId++;
    }

    /**
     * Admits a new connection. Returns null when it is refused; the refusal reply has then been
     * written to {@code writer} and the caller closes the connection after sending it.
     */
    public Client create(ArgList args, ReplyWriter writer, ClientConnection conn) {
        if (byId.size() >= server.maxClients()) {
            writer.error(MAX_CLIENTS);
            server.stats.rejectedConnections++;
            return null;
        }
        Client c = new Client(server, nextId(), args, writer, conn);
        if (server.protectedModeRefuses(conn)) {
            writer.error(DENIED);
            server.stats.rejectedConnections++;
            // The client object exists only to flush the refusal.
            byId.put(c.id, c);
            c.flags |= Client.CLOSE_AFTER_REPLY;
            return c;
        }
        byId.put(c.id, c);
        server.stats.totalConnectionsReceived++;
        return c;
    }

    public void remove(Client c) {
        if (byId.remove(c.id) != null) {
            server.onClientClosed(c);
        }
    }

    public Client byId(long id) {
        return byId.get(id);
    }

    public Collection<Client> all() {
        return byId.values();
    }

    public int size() {
        return byId.size();
    }

    /** A short description for log lines (Redis catClientInfoString subset). */
    public String info(Client c) {
        String addr = c.conn == null ? "" : c.conn.remoteAddress();
        String laddr = c.conn == null ? "" : c.conn.localAddress();
        return "id=" + c.id + " addr=" + addr + " laddr=" + laddr + " name=" + (c.name == null ? "" : c.name);
    }
}
