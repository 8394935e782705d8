package dev.cinnabar.server.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Eviction under maxmemory, as Redis's evict.c: each policy evicts the right class of keys,
 * LRU/LFU/TTL pick the right candidates, noeviction refuses writes with Redis's OOM error, a
 * cache workload stays at its budget, and CONFIG SET maxmemory evicts at once with "evicted"
 * keyspace events and tracking invalidations before the reply (upstream unit/pubsub, unit/tracking
 * and unit/maxmemory).
 */
class EvictionTest {
    static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand()
            .afterEachTest("CONFIG", "SET", "maxmemory", "0")
            .afterEachTest("CONFIG", "SET", "maxmemory-policy", "noeviction")
            .afterEachTest("CONFIG", "SET", "notify-keyspace-events", "")
            .afterEachTest("FLUSHALL")
            .afterEachTest("CONFIG", "RESETSTAT");

    static long info(RespClient c, String field) throws Exception {
        String text = (String) c.call("INFO", "everything");
        for (String line : text.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1));
            }
        }
        throw new AssertionError("no " + field + " in INFO");
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Check check) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!check.ok()) {
            assertThat(System.currentTimeMillis()).as("condition not reached in time").isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    /** SETs {@code n} keys "prefix:i" with a 100-byte value, pipelined. */
    static void fill(RespClient c, String prefix, int n, boolean volatileKeys) throws Exception {
        String v = "v".repeat(100);
        for (int i = 0; i < n; i++) {
            if (volatileKeys) {
                c.send("SET", prefix + ":" + i, v, "EX", "100000");
            } else {
                c.send("SET", prefix + ":" + i, v);
            }
        }
        for (int i = 0; i < n; i++) {
            assertThat(c.read()).isEqualTo("OK");
        }
    }

    static long existing(RespClient c, String prefix, int n) throws Exception {
        List<Object> cmd = new ArrayList<>();
        cmd.add("EXISTS");
        for (int i = 0; i < n; i++) {
            cmd.add(prefix + ":" + i);
        }
        return (Long) c.call(cmd.toArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"})
    void volatilePoliciesNeverEvictKeysWithoutTtl(String policy) throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "maxmemory-policy", policy);
            fill(c, "p", 300, false);
            fill(c, "v", 300, true);
            long used = info(c, "used_memory");
            c.call("CONFIG", "SET", "maxmemory", Long.toString(used - 10_000));
            waitFor(() -> info(c, "used_memory") <= used - 10_000);
            assertThat(info(c, "evicted_keys")).isPositive();
            assertThat(existing(c, "p", 300)).isEqualTo(300);
            assertThat(existing(c, "v", 300)).isLessThan(300);
            assertThat(c.call("SET", "new", "x")).isEqualTo("OK");
            // Below what the persistent keys need: every volatile key goes, then writes fail.
            c.call("CONFIG", "SET", "maxmemory", "1");
            waitFor(() -> existing(c, "v", 300) == 0);
            assertThat(c.call("SET", "new", "x")).isEqualTo(new Err(OOM));
            assertThat(existing(c, "p", 300)).isEqualTo(300);
            assertThat(c.call("GET", "p:1")).isEqualTo("v".repeat(100));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"allkeys-lru", "allkeys-lfu", "allkeys-random"})
    void allkeysPoliciesEvictAnyKey(String policy) throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "maxmemory-policy", policy);
            fill(c, "p", 200, false);
            c.call("SELECT", "3");
            fill(c, "q", 200, false);
            c.call("CONFIG", "SET", "maxmemory", "1");
            // Every database is a candidate: all keys go, then writes are refused.
            waitFor(() -> existing(c, "q", 200) == 0);
            c.call("SELECT", "0");
            assertThat(existing(c, "p", 200)).isZero();
            assertThat(info(c, "evicted_keys")).isEqualTo(400);
            assertThat(c.call("SET", "x", "y")).isEqualTo(new Err(OOM));
            assertThat(c.call("GET", "x")).isNull(); // reads still run
        }
    }

    @Test
    void noevictionRefusesWritesButNotReadsOrDeletes() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            long used = info(c, "used_memory");
            c.call("CONFIG", "SET", "maxmemory", Long.toString(used + 50_000));
            String v = "x".repeat(1000);
            int stored = 0;
            Object r = null;
            for (int i = 0; i < 1000; i++) {
                r = c.call("SET", "k" + i, v);
                if (!"OK".equals(r)) {
                    break;
                }
                stored++;
            }
            assertThat(r).isEqualTo(new Err(OOM));
            assertThat(stored).isBetween(20, 60);
            assertThat(info(c, "evicted_keys")).isZero();
            assertThat(c.call("GET", "k0")).isEqualTo(v);
            assertThat(c.call("DEL", "k0", "k1", "k2")).isEqualTo(3L);
            assertThat(c.call("SET", "again", v)).isEqualTo("OK");
            assertThat(c.call("DBSIZE")).isEqualTo((long) stored - 2);
        }
    }

    /** Sets the access data of the keys directly (the LRU clock counts whole seconds). */
    static void setAccess(Iterable<String> keys, java.util.function.IntUnaryOperator word) {
        Server s = server.server();
        s.runLocked(() -> {
            Database db = s.db(0);
            for (String k : keys) {
                byte[] b = k.getBytes();
                Object e = db.peek(b, 0, b.length);
                Entries.setLru(e, word.applyAsInt(db.newLru()));
            }
        });
    }

    /**
     * 1000 keys of which a seeded half was last used long ago: evicting a quarter of the keys
     * must take (nearly) only old ones.
     */
    @ParameterizedTest
    @ValueSource(strings = {"allkeys-lru", "allkeys-lfu", "volatile-ttl"})
    void approximatedPoliciesPickTheBestCandidates(String policy) throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "maxmemory-policy", policy);
            fill(c, "k", 1000, false);
            Random rnd = new Random(42);
            Set<String> worse = new HashSet<>();
            Set<String> better = new HashSet<>();
            for (int i = 0; i < 1000; i++) {
                (rnd.nextBoolean() ? worse : better).add("k:" + i);
            }
            switch (policy) {
                case "allkeys-lru" -> setAccess(worse, now -> (now - 10_000) & 0xFFFFFF); // idle 10000 s
                case "allkeys-lfu" -> {
                    setAccess(worse, now -> (now & ~0xFF) | 1);
                    setAccess(better, now -> (now & ~0xFF) | 100);
                }
                default -> {
                    for (String k : worse) {
                        c.call("EXPIRE", k, "1000");
                    }
                    for (String k : better) {
                        c.call("EXPIRE", k, "1000000");
                    }
                }
            }
            long empty = info(c, "used_memory_startup");
            long used = info(c, "used_memory");
            long perKey = (used - empty) / 1000;
            long limit = used - 250 * perKey;
            c.call("CONFIG", "SET", "maxmemory", Long.toString(limit));
            waitFor(() -> info(c, "used_memory") <= limit);
            int worseEvicted = 0;
            int betterEvicted = 0;
            for (String k : worse) {
                worseEvicted += ((Long) c.call("EXISTS", k)) == 0 ? 1 : 0;
            }
            for (String k : better) {
                betterEvicted += ((Long) c.call("EXISTS", k)) == 0 ? 1 : 0;
            }
            assertThat(worseEvicted + betterEvicted).isGreaterThan(100);
            assertThat(worseEvicted).as("%s evicted %d good keys", policy, betterEvicted)
                    .isGreaterThanOrEqualTo(9 * (worseEvicted + betterEvicted) / 10);
        }
    }

    /**
     * A cache: SETs worth twice the budget. Memory stays at maxmemory (at most one command's worth
     * above it, as in Redis) and the database keeps about what fits, never emptied.
     */
    @Test
    void cacheWorkloadStaysAtItsBudget() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
            long budget = 1 << 20;
            long limit = info(c, "used_memory") + budget;
            c.call("CONFIG", "SET", "maxmemory", Long.toString(limit));
            String v = "x".repeat(100);
            long maxUsed = 0;
            long minKeysOnceFull = Long.MAX_VALUE;
            boolean full = false;
            int keys = 0;
            for (int batch = 0; batch < 200; batch++) {
                for (int i = 0; i < 100; i++) {
                    c.send("SET", "key:" + keys++, v);
                }
                for (int i = 0; i < 100; i++) {
                    assertThat(c.read()).isEqualTo("OK");
                }
                long used = info(c, "used_memory");
                maxUsed = Math.max(maxUsed, used);
                full |= info(c, "evicted_keys") > 0;
                if (full) {
                    minKeysOnceFull = Math.min(minKeysOnceFull, (Long) c.call("DBSIZE"));
                }
            }
            assertThat(keys * 150L).as("written twice the budget").isGreaterThan(2 * budget);
            assertThat(full).isTrue();
            assertThat(maxUsed).isLessThanOrEqualTo(limit + 32 * 1024);
            long used = info(c, "used_memory");
            assertThat(used).isGreaterThan(limit - budget / 5);
            // About budget / 150 bytes per key fit: the database holds most of them throughout.
            assertThat(minKeysOnceFull).isGreaterThan(budget / 150 / 2);
        }
    }

    @Test
    void configSetMaxmemoryEvictsAtOnceWithEvictedEvents() throws Exception {
        try (RespClient c = new RespClient(server.port()); RespClient sub = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "notify-keyspace-events", "Ee");
            c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
            sub.call("PSUBSCRIBE", "*");
            c.call("SET", "foo", "bar");
            c.call("CONFIG", "SET", "maxmemory", "1");
            sub.setTimeout(5000);
            assertThat(sub.read()).isEqualTo(List.of("pmessage", "*", "__keyevent@0__:evicted", "foo"));
        }
    }

    @Test
    void trackingInvalidationOfEvictedKeysPrecedesTheReply() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("HELLO", "3");
            c.call("CLIENT", "TRACKING", "on");
            long used = info(c, "used_memory") - info(c, "mem_not_counted_for_evict");
            c.call("CONFIG", "SET", "maxmemory", Long.toString(used + 100 * 1024));
            c.call("CONFIG", "SET", "maxmemory-policy", "volatile-random");
            c.call("SETEX", "volatile-key", "10000", "x");
            c.call("GET", "volatile-key");
            c.call("SETBIT", "big-key", "1600000", "0"); // 200 KB: over the limit
            c.send("GETBIT", "big-key", "0");
            assertThat(c.readPush()).isEqualTo(List.of("invalidate", List.of("volatile-key")));
            assertThat(c.read()).isEqualTo(0L);
            assertThat(c.call("EXISTS", "big-key")).isEqualTo(1L);
        }
    }

    @Test
    void maxmemorySetInsideMultiEvictsAfterExec() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
            c.call("MULTI");
            c.call("INCR", "x");
            c.call("CONFIG", "SET", "maxmemory", "1");
            c.call("INCR", "x");
            assertThat(c.call("EXEC")).isEqualTo(List.of(1L, "OK", 2L));
            waitFor(() -> (Long) c.call("DBSIZE") == 0);
        }
    }

    @Test
    void clientPauseWriteHoldsEvictionBack() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
            fill(c, "k", 50, false);
            c.call("CLIENT", "PAUSE", "10000", "WRITE");
            c.call("CONFIG", "SET", "maxmemory", "1");
            Thread.sleep(50); // time for the background task, which must not evict
            assertThat(c.call("DBSIZE")).isEqualTo(50L);
            c.call("CLIENT", "UNPAUSE");
            // The next command's check evicts before it runs.
            assertThat(c.call("DBSIZE")).isEqualTo(0L);
        }
    }

    @Test
    void timeOverTheLimitIsReported() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("SET", "k", "v");
            c.call("CONFIG", "SET", "maxmemory", "1");
            assertThat(c.call("SET", "k2", "v")).isEqualTo(new Err(OOM));
            Thread.sleep(20);
            assertThat(info(c, "current_eviction_exceeded_time")).isGreaterThanOrEqualTo(10);
            c.call("CONFIG", "SET", "maxmemory", "0");
            c.call("PING");
            assertThat(info(c, "current_eviction_exceeded_time")).isZero();
            assertThat(info(c, "total_eviction_exceeded_time")).isGreaterThanOrEqualTo(10);
            c.call("CONFIG", "RESETSTAT");
            assertThat(info(c, "total_eviction_exceeded_time")).isZero();
        }
    }
}
