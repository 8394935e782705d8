package dev.cinnabar.server.ops;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.metrics.MemoryOverhead;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Client eviction (Redis evictClients, {@code maxmemory-clients}): when the memory held by
 * normal and pubsub clients together reaches the limit, the biggest clients are disconnected
 * until it is under again. Clients that said CLIENT NO-EVICT ON are never chosen (their memory
 * still counts). Runs from the server cron with the server lock held.
 */
public final class ClientEviction {
    private final Server server;

    ClientEviction(Server server) {
        this.server = server;
    }

    /** The limit in bytes (Redis getClientEvictionLimit): absolute, a percentage of maxmemory, or 0 = off. */
    long limit() {
        long v = server.config.memory.maxmemoryClients.get();
        long maxmemory = server.config.memory.maxmemory.get();
        if (v < 0 && maxmemory != 0) {
            return (long) ((double) maxmemory * -(double) v / 100);
        }
        return Math.max(0, v);
    }

    /**
     * Whether CLIENT NO-EVICT and the client's type allow evicting it (Redis
     * clientEvictionAllowed). Every connected client is a normal or pubsub client until
     * replication adds replicas and masters, which must be excluded here.
     */
    static boolean allowed(Client c) {
        return c.conn != null && !c.has(Client.NO_EVICT) && !c.has(Client.CLOSE_ASAP);
    }

    void cron() {
        long limit = limit();
        if (limit == 0) {
            return;
        }
        long total = 0;
        List<Client> candidates = null;
        List<long[]> sizes = null;
        for (Client c : server.clients.all()) {
            long m = MemoryOverhead.clientTotalMemory(c);
            total += m;
            if (allowed(c)) {
                if (candidates == null) {
                    candidates = new ArrayList<>();
                    sizes = new ArrayList<>();
                }
                candidates.add(c);
                sizes.add(new long[] {m, candidates.size() - 1});
            }
        }
        if (total < limit || candidates == null) {
            return;
        }
        sizes.sort(Comparator.comparingLong((long[] a) -> a[0]).reversed());
        for (long[] s : sizes) {
            if (total < limit) {
                return;
            }
            Client victim = candidates.get((int) s[1]);
            server.log.notice("Evicting client: " + server.clients.info(victim));
            victim.flags |= Client.CLOSE_ASAP;
            server.clients.remove(victim);
            victim.conn.closeNow();
            server.stats.evictedClients++;
            total -= s[0];
        }
        if (total >= limit) {
            server.log.warning("Over client maxmemory after evicting all evictable clients");
        }
    }
}
