package dev.cinnabar.server.net;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * MIGRATE's cache of connections to target servers (Redis migrate_cached_sockets): one per
 * "host:port" as the client spelled it, at most {@link #MAX_ITEMS} (a random one is closed to
 * make room), each closed by the cron once unused for more than {@link #TTL_SECONDS}. Each
 * remembers the database last SELECTed on it, so consecutive MIGRATEs to the same database
 * skip the SELECT. Used under the server lock only.
 */
public final class MigrateSockets {
    public static final int MAX_ITEMS = 64;
    public static final long TTL_SECONDS = 10;

    /** A cached connection. */
    public static final class Cached {
        public final SyncConnection conn;
        /** Database selected on the connection, -1 when unknown. */
        public long lastDb = -1;
        long lastUseSeconds;

        Cached(SyncConnection conn, long now) {
            this.conn = conn;
            this.lastUseSeconds = now;
        }
    }

    private final Map<String, Cached> cache = new HashMap<>();

    /** Number of cached connections (INFO migrate_cached_sockets). */
    public int size() {
        return cache.size();
    }

    /**
     * The cached connection to {@code name} ("host:port"), or a new one within
     * {@code timeoutMs}. {@code nowSeconds}: the Unix time, for expiry.
     */
    public Cached get(String name, String host, int port, long timeoutMs, long nowSeconds) throws IOException {
        Cached c = cache.get(name);
        if (c != null) {
            c.lastUseSeconds = nowSeconds;
            return c;
        }
        if (cache.size() >= MAX_ITEMS) {
            List<String> names = new ArrayList<>(cache.keySet());
            close(names.get(ThreadLocalRandom.current().nextInt(names.size())));
        }
        c = new Cached(SyncConnection.connect(host, port, timeoutMs), nowSeconds);
        cache.put(name, c);
        return c;
    }

    /** Closes and forgets the connection to {@code name}, if any (after an error on it). */
    public void close(String name) {
        Cached c = cache.remove(name);
        if (c != null) {
            c.conn.close();
        }
    }

    /** Cron: closes connections unused for more than {@link #TTL_SECONDS}. */
    public void closeIdle(long nowSeconds) {
        for (Iterator<Cached> it = cache.values().iterator(); it.hasNext(); ) {
            Cached c = it.next();
            if (nowSeconds - c.lastUseSeconds > TTL_SECONDS) {
                c.conn.close();
                it.remove();
            }
        }
    }

    /** Server shutdown. */
    public void closeAll() {
        for (Cached c : cache.values()) {
            c.conn.close();
        }
        cache.clear();
    }
}
