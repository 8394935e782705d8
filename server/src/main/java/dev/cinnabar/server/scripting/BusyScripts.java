package dev.cinnabar.server.scripting;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;

/**
 * What Redis's processEventsWhileBlocked does for a script past busy-reply-threshold: other
 * clients are served (they get BUSY, or run SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE and the
 * other allow-busy commands) while the script is paused at its count hook.
 *
 * <p>The script holds the server lock and runs on an event loop, which therefore cannot read
 * its connections. Clients of other event loops are let in by lending them the lock; clients of
 * the script's own event loop are read here directly ({@code ClientConnection.serveWhileBusy}).
 * The script's caller is left alone until the script returns (Redis protectClient).
 */
final class BusyScripts {
    private BusyScripts() {}

    /** Reading every connection costs a system call each: not more often than this. */
    private static final long READ_INTERVAL_NANOS = 2_000_000;
    private static long lastRead;

    static void serveOthers(Server server, Client caller) {
        server.lock.lend();
        long now = System.nanoTime();
        if (now - lastRead < READ_INTERVAL_NANOS) {
            return;
        }
        lastRead = now;
        // A snapshot: serving may close connections, which removes clients.
        for (Client c : server.clients.all().toArray(new Client[0])) {
            if (c != caller && c.conn != null && c.conn.inEventLoop()) {
                c.conn.serveWhileBusy();
            }
        }
    }
}
