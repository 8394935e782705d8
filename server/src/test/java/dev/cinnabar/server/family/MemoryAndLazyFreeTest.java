package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MEMORY STATS / DOCTOR / MALLOC-STATS / HELP, MODULE, and lazy freeing (upstream unit/lazyfree
 * and unit/other's coverage tests).
 */
class MemoryAndLazyFreeTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create();

    static long infoField(RespClient c, String name) throws Exception {
        String info = (String) c.call("INFO", "all");
        int i = info.indexOf("\r\n" + name + ":");
        String v = info.substring(i + name.length() + 3);
        return Long.parseLong(v.substring(0, v.indexOf('\r')));
    }

    static void waitNoPending(RespClient c) throws Exception {
        for (int i = 0; i < 250 && infoField(c, "lazyfree_pending_objects") != 0; i++) {
            Thread.sleep(20);
        }
        assertThat(infoField(c, "lazyfree_pending_objects")).isZero();
    }

    @Test
    @SuppressWarnings("unchecked")
    void statsHasRedisKeysInOrder() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("FLUSHALL");
            c.call("SELECT", "3");
            c.call("SET", "a", "1");
            List<Object> m = (List<Object>) c.call("MEMORY", "STATS");
            List<Object> keys = new ArrayList<>();
            for (int i = 0; i < m.size(); i += 2) {
                keys.add(m.get(i));
            }
            assertThat(keys).containsExactly("peak.allocated", "total.allocated", "startup.allocated",
                    "replication.backlog", "clients.slaves", "clients.normal", "cluster.links", "aof.buffer",
                    "lua.caches", "functions.caches", "db.3", "overhead.total", "keys.count",
                    "keys.bytes-per-key", "dataset.bytes", "dataset.percentage", "peak.percentage",
                    "allocator.allocated", "allocator.active", "allocator.resident",
                    "allocator-fragmentation.ratio", "allocator-fragmentation.bytes", "allocator-rss.ratio",
                    "allocator-rss.bytes", "rss-overhead.ratio", "rss-overhead.bytes", "fragmentation",
                    "fragmentation.bytes");
            List<Object> db = (List<Object>) m.get(keys.indexOf("db.3") * 2 + 1);
            assertThat(db).element(0).isEqualTo("overhead.hashtable.main");
            assertThat(db).element(2).isEqualTo("overhead.hashtable.expires");
            assertThat(db).element(4).isEqualTo("overhead.hashtable.slot-to-keys");
            assertThat(m.get(keys.indexOf("keys.count") * 2 + 1)).isEqualTo(1L);
            assertThat((Long) m.get(1)).isGreaterThanOrEqualTo((Long) m.get(3)); // peak >= total
            assertThat((String) m.get(keys.indexOf("dataset.percentage") * 2 + 1)).matches("[0-9.e+-]+");
            assertThat((String) c.call("MEMORY", "DOCTOR")).isNotEmpty();
            assertThat((String) c.call("MEMORY", "MALLOC-STATS")).contains("Heap");
            assertThat((List<Object>) c.call("MEMORY", "HELP")).first()
                    .isEqualTo("MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
            assertThat(c.call("MEMORY", "STATS", "x")).isEqualTo(new Err("ERR wrong number of arguments for 'memory|stats' command"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void moduleCommandsLoadNothing() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat((List<Object>) c.call("MODULE", "LIST")).isEmpty();
            assertThat((List<Object>) c.call("MODULE", "HELP")).first()
                    .isEqualTo("MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
            // Protected unless enable-module-command allows it, as in Redis.
            assertThat(((Err) c.call("MODULE", "LOAD", "/x.so")).message()).startsWith("ERR MODULE command not allowed");
        }
        try (CinnabarServer s = CinnabarServer.builder().port(0).config("enable-module-command", "yes").start();
                RespClient c = new RespClient(s.port())) {
            assertThat(c.call("MODULE", "LOAD", "/x.so"))
                    .isEqualTo(new Err("ERR Error loading the extension. Please check the server logs."));
            assertThat(c.call("MODULE", "UNLOAD", "x"))
                    .isEqualTo(new Err("ERR Error unloading module: no such module with that name"));
        }
    }

    static void bigSet(RespClient c, String key, int n) throws Exception {
        List<Object> args = new ArrayList<>(List.of("SADD", key));
        for (int i = 0; i < n; i++) {
            args.add(Integer.toString(i));
        }
        c.call(args.toArray());
    }

    @Test
    void unlinkAndAsyncFlushFreeInTheBackground() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("FLUSHALL");
            waitNoPending(c);
            c.call("CONFIG", "RESETSTAT");
            // Small values are freed by the command itself, big ones by the lazy-free thread.
            c.call("SADD", "small", "a", "b");
            assertThat(c.call("UNLINK", "small", "nokey")).isEqualTo(1L);
            bigSet(c, "myset", 10_000);
            assertThat(c.call("UNLINK", "myset")).isEqualTo(1L);
            assertThat(c.call("EXISTS", "myset")).isEqualTo(0L);
            waitNoPending(c);
            assertThat(infoField(c, "lazyfreed_objects")).isEqualTo(1);

            // DEL frees in the command unless lazyfree-lazy-user-del says otherwise.
            bigSet(c, "myset", 10_000);
            c.call("DEL", "myset");
            assertThat(infoField(c, "lazyfreed_objects")).isEqualTo(1);
            c.call("CONFIG", "SET", "lazyfree-lazy-user-del", "yes");
            bigSet(c, "myset", 10_000);
            c.call("DEL", "myset");
            waitNoPending(c);
            assertThat(infoField(c, "lazyfreed_objects")).isEqualTo(2);
            c.call("CONFIG", "SET", "lazyfree-lazy-user-del", "no");

            // An asynchronous flush counts every key of the table it releases.
            for (int i = 0; i < 5; i++) {
                c.call("SET", "k" + i, "v");
            }
            c.call("FLUSHDB", "ASYNC");
            assertThat(c.call("DBSIZE")).isEqualTo(0L);
            waitNoPending(c);
            assertThat(infoField(c, "lazyfreed_objects")).isEqualTo(7);
            c.call("SET", "k", "v");
            c.call("FLUSHALL", "SYNC");
            assertThat(infoField(c, "lazyfreed_objects")).isEqualTo(7);
            c.call("CONFIG", "SET", "lazyfree-lazy-user-flush", "yes");
            c.call("SET", "k", "v");
            c.call("FLUSHALL");
            waitNoPending(c);
            assertThat(infoField(c, "lazyfreed_objects")).isEqualTo(8);
            c.call("CONFIG", "SET", "lazyfree-lazy-user-flush", "no");
            assertThat(c.call("FLUSHALL", "LAZY")).isEqualTo(new Err("ERR syntax error"));

            c.call("CONFIG", "RESETSTAT");
            assertThat(infoField(c, "lazyfreed_objects")).isZero();
        }
    }

    /** unit/lazyfree "lazy free a stream with all types of metadata": a big stream goes lazily. */
    @Test
    void bigStreamsAreFreedLazily() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("FLUSHALL");
            waitNoPending(c);
            c.call("CONFIG", "RESETSTAT");
            c.call("CONFIG", "SET", "stream-node-max-entries", "5");
            for (int j = 0; j < 1000; j++) {
                c.call("XADD", "stream", "*", "foo", Integer.toString(j));
            }
            c.call("XGROUP", "CREATE", "stream", "mygroup", "0");
            c.call("XREADGROUP", "GROUP", "mygroup", "Alice", "COUNT", "2", "STREAMS", "stream", ">");
            c.call("XADD", "small", "*", "f", "v");
            assertThat(c.call("UNLINK", "stream", "small")).isEqualTo(2L);
            waitNoPending(c);
            assertThat(infoField(c, "lazyfreed_objects")).isEqualTo(1); // the small one went at once
            c.call("CONFIG", "SET", "stream-node-max-entries", "100");
        }
    }
}
