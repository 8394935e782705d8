package dev.cinnabar.server.ops;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.ClientConnection;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.config.ClientOutputBufferLimitParam.ClientClass;
import dev.cinnabar.server.config.ClientOutputBufferLimitParam.Limit;

/**
 * {@code client-output-buffer-limit} for every client (Redis checkClientOutputBufferLimits and
 * closeClientOnOutputBufferLimitReached): the bytes written to a client and not yet sent (its
 * reply buffer, pushes waiting for its event loop, and what the transport holds) are checked
 * after every command and every push. Over the hard limit, or over the soft limit for longer
 * than its seconds, the client is closed at once and receives nothing more.
 *
 * <p>Clients whose class has no hard limit (normal clients by default) are not closed, but a
 * client that stops reading cannot grow its output without bound either: once more than
 * {@link #readPauseBytes} wait for it, its connection stops reading (and running) its requests
 * until the output drains ({@link #pauseReading}). Output pushed to it by others (Pub/Sub,
 * MONITOR) is bounded by its class limits, which pubsub clients have by default.
 *
 * <p>Accessed with the server lock held.
 */
public final class OutputLimits {
    /** Pending output above which a client without a hard limit stops being read. */
    public static final long READ_PAUSE_BYTES = 1L << 20;

    private final Server server;

    OutputLimits(Server server) {
        this.server = server;
    }

    /**
     * The limit class of a client (Redis getClientType, masters counted as normal): MONITOR
     * clients are normal clients here, as in Redis.
     */
    public static ClientClass classOf(Client c) {
        return c.has(Client.PUBSUB) ? ClientClass.PUBSUB : ClientClass.NORMAL;
    }

    /** Bytes written to the client and not yet sent (Redis getClientOutputBufferMemoryUsage). */
    public static long used(Client c) {
        long n = c.reply.pending();
        if (c.subscriber != null) {
            n += c.subscriber.queuedBytes();
        }
        ClientConnection conn = c.conn;
        if (conn != null) {
            n += conn.pendingOutputBytes();
        }
        return n;
    }

    /**
     * Redis checkClientOutputBufferLimits: whether {@code used} bytes break the client's limits
     * now. Tracks when the soft limit was first exceeded ({@link Client#obufSoftLimitSince}).
     */
    boolean over(Client c, Limit l, long used, long nowSec) {
        boolean hard = l.hardLimitBytes() != 0 && Long.compareUnsigned(used, l.hardLimitBytes()) >= 0;
        boolean soft = l.softLimitBytes() != 0 && Long.compareUnsigned(used, l.softLimitBytes()) >= 0;
        if (soft) {
            if (c.obufSoftLimitSince == 0) {
                c.obufSoftLimitSince = nowSec;
                soft = false; // first time over: the client gets soft-limit-seconds to catch up
            } else if (nowSec - c.obufSoftLimitSince <= l.softLimitSeconds()) {
                soft = false;
            }
        } else {
            c.obufSoftLimitSince = 0;
        }
        return hard || soft;
    }

    /**
     * Closes the client if its output breaks its limits (Redis
     * closeClientOnOutputBufferLimitReached, asynchronous form). Returns whether it was closed;
     * the caller then drops whatever it still holds for the client.
     */
    public boolean closeIfOver(Client c) {
        ClientConnection conn = c.conn;
        if (conn == null || c.has(Client.CLOSE_ASAP)) {
            return false;
        }
        Limit l = server.config.network.clientOutputBufferLimit.get(classOf(c));
        long used;
        if ((l.hardLimitBytes() == 0 && l.softLimitBytes() == 0) || (used = used(c)) == 0) {
            c.obufSoftLimitSince = 0;
            return false;
        }
        if (!over(c, l, used, server.clock.millis() / 1000)) {
            return false;
        }
        c.flags |= Client.CLOSE_ASAP;
        server.stats.clientOutputBufferLimitDisconnections++;
        server.log.warning("Client " + server.clients.info(c)
                + " scheduled to be closed ASAP for overcoming of output buffer limits.");
        // Closed from its own event loop, after whatever command is running: lists being walked
        // (subscribers, monitors) stay untouched until then.
        conn.execute(conn::closeNow);
        return true;
    }

    /**
     * Whether a client's connection should stop reading requests for now: its class has no hard
     * limit and more output than {@link #readPauseBytes} waits for it.
     */
    public boolean pauseReading(Client c) {
        Limit l = server.config.network.clientOutputBufferLimit.get(classOf(c));
        return l.hardLimitBytes() == 0 && used(c) > readPauseBytes(l);
    }

    /** At least the soft limit, so that a client stuck at the pause can still reach it and expire. */
    static long readPauseBytes(Limit l) {
        return l.softLimitBytes() == 0 ? READ_PAUSE_BYTES : Math.max(READ_PAUSE_BYTES, l.softLimitBytes() + 1);
    }

    /** Server cron: soft limits expire even when nothing more is written to the client. */
    void cron() {
        for (Client c : server.clients.all()) {
            if (c.obufSoftLimitSince != 0) {
                closeIfOver(c);
            }
        }
    }
}
