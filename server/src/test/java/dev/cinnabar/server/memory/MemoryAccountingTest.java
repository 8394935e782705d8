package dev.cinnabar.server.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The accounted memory behind INFO used_memory and maxmemory: it rises with writes of every
 * type (new keys and in-place growth), falls back exactly when keys go away (DEL, expiry,
 * FLUSHALL), and the incremental count always equals a recount from scratch, i.e. every command
 * that changes a value in place reports it.
 */
class MemoryAccountingTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand()
            .afterEachTest("FLUSHALL");

    static long info(RespClient c, String field) throws Exception {
        String text = (String) c.call("INFO", "memory");
        for (String line : text.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1));
            }
        }
        throw new AssertionError("no " + field + " in INFO");
    }

    /** Keyspace bytes only: client buffers are left out so the numbers are exact. */
    static long keyspace() {
        long[] out = new long[1];
        server.server().runLocked(() -> out[0] = server.server().memory.keyspace.bytes());
        return out[0];
    }

    /** Entries and values of every database: the keyspace without the tables' arrays. */
    static long dataset() {
        long[] out = new long[1];
        Server s = server.server();
        s.runLocked(() -> out[0] = s.memory.keyspace.bytes() - s.memory.tablesOverhead());
        return out[0];
    }

    /** Recounts every value from scratch; the incremental count must have been right already. */
    static void assertConsistent() {
        Server s = server.server();
        s.runLocked(() -> {
            long sum = 0;
            for (Database db : s.dbs()) {
                assertThat(db.recount()).as("recount of db %d", db.id).isZero();
                sum += db.accountedBytes();
            }
            assertThat(s.memory.keyspace.bytes()).isEqualTo(sum);
        });
    }

    /** Writes that create a key of each type, then grow it in place, then shrink it. */
    static final List<String[][]> TYPES = List.of(
            new String[][] {{"SET", "k", "small"}, {"APPEND", "k", "x".repeat(200)}, {"SETRANGE", "k", "1000", "y"},
                {"SET", "k", "1"}},
            new String[][] {{"SETBIT", "k", "100", "1"}, {"SETBIT", "k", "80000", "1"}, {"BITFIELD", "k", "SET", "u8",
                "200000", "7"}, {"GETDEL", "k"}},
            new String[][] {{"RPUSH", "k", "a", "b"}, {"RPUSH", "k", "x".repeat(100)}, {"LPUSH", "k", "c"},
                {"LPOP", "k", "2"}},
            new String[][] {{"HSET", "k", "f", "v"}, {"HSET", "k", "g", "w".repeat(100)}, {"HINCRBY", "k", "n", "5"},
                {"HDEL", "k", "g"}},
            new String[][] {{"SADD", "k", "1", "2"}, {"SADD", "k", "member"}, {"SADD", "k", "x".repeat(100)},
                {"SREM", "k", "member"}},
            new String[][] {{"ZADD", "k", "1", "a"}, {"ZADD", "k", "3", "x".repeat(100)}, {"ZADD", "k", "2", "b"},
                {"ZREM", "k", "b"}});

    @Test
    void everyTypeCountsOnWritesAndGoesBackToZeroWhenDeleted() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            // The shard table of "k" is created once and then stays: count from there.
            c.call("SET", "k", "v");
            c.call("DEL", "k");
            long empty = keyspace();
            for (String[][] steps : TYPES) {
                c.call((Object[]) steps[0]);
                long created = keyspace();
                assertThat(created).as(steps[0][0] + " creates").isGreaterThan(empty);
                c.call((Object[]) steps[1]);
                long grown = keyspace();
                assertThat(grown).as(steps[1][0] + " grows in place").isGreaterThan(created);
                c.call((Object[]) steps[2]);
                assertConsistent();
                c.call((Object[]) steps[3]);
                assertConsistent();
                c.call("DEL", "k");
                assertThat(keyspace()).as("after deleting what " + steps[0][0] + " made").isEqualTo(empty);
            }
        }
    }

    @Test
    void bigCollectionsCountTheirElements() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            long empty = keyspace();
            List<Object> cmd = new ArrayList<>();
            for (String[] make : new String[][] {{"RPUSH", "l"}, {"SADD", "s"}, {"HSET", "h"}, {"ZADD", "z"}}) {
                cmd.clear();
                cmd.add(make[0]);
                cmd.add(make[1]);
                for (int i = 0; i < 2000; i++) {
                    if (make[0].equals("ZADD")) {
                        cmd.add(Integer.toString(i));
                    }
                    cmd.add("element:" + i);
                    if (make[0].equals("HSET")) {
                        cmd.add("value:" + i);
                    }
                }
                long before = keyspace();
                c.call(cmd.toArray());
                long after = keyspace();
                // 2000 elements of 12 bytes or more cannot take less than 24 KB anywhere.
                assertThat(after - before).as(make[0]).isGreaterThan(24_000L).isLessThan(400_000L);
            }
            c.call("SPOP", "s", "1000");
            c.call("LTRIM", "l", "0", "99");
            c.call("ZREMRANGEBYRANK", "z", "0", "999");
            c.call("HDEL", "h", "element:1", "element:2");
            assertConsistent();
            c.call("FLUSHALL");
            assertThat(keyspace()).isEqualTo(empty);
        }
    }

    @Test
    void renameMoveCopySwapAndExpiryKeepTheCountRight() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            long empty = dataset();
            c.call("RPUSH", "list", "a", "b", "c");
            c.call("SET", "str", "v".repeat(300));
            c.call("RENAME", "list", "list2");
            c.call("COPY", "list2", "list3");
            c.call("MOVE", "list3", "1");
            c.call("SWAPDB", "0", "1");
            c.call("SWAPDB", "0", "1");
            c.call("PEXPIRE", "str", "1");
            c.call("EXPIRE", "list2", "100");
            c.call("PERSIST", "list2");
            assertConsistent();
            Thread.sleep(5);
            assertThat(c.call("GET", "str")).isNull(); // expired lazily
            c.call("SELECT", "1");
            c.call("FLUSHDB");
            c.call("SELECT", "0");
            c.call("DEL", "list2");
            assertConsistent();
            assertThat(dataset()).isEqualTo(empty);
        }
    }

    @Test
    void infoReportsTheAccountedMemory() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("SET", "big", "v");
            c.call("DEL", "big");
            long before = info(c, "used_memory_dataset");
            c.call("SET", "big", "x".repeat(100_000));
            long after = info(c, "used_memory_dataset");
            assertThat(after - before).isBetween(100_000L, 101_000L);
            // The client's argument arena that held the value counts too, in the overhead.
            assertThat(info(c, "used_memory") - info(c, "used_memory_dataset")).isGreaterThan(100_000L);
            assertThat(info(c, "used_memory_peak")).isGreaterThanOrEqualTo(info(c, "used_memory"));
            c.call("DEL", "big");
            // Unlike the heap, the measure drops at once: nothing waits for a collection.
            assertThat(info(c, "used_memory_dataset")).isEqualTo(before);
            assertThat(info(c, "used_memory_startup")).isPositive().isLessThanOrEqualTo(info(c, "used_memory"));
            assertThat(info(c, "mem_not_counted_for_evict")).isZero();
        }
    }

    @Test
    void clientBuffersCount() throws Exception {
        try (RespClient c = new RespClient(server.port()); RespClient other = new RespClient(server.port())) {
            long before = info(c, "mem_clients_normal");
            // A partial request of 200 KB waits in the other client's argument arena.
            other.writeRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$300000\r\n" + "x".repeat(200_000));
            long deadline = System.currentTimeMillis() + 5_000;
            while (info(c, "mem_clients_normal") < before + 200_000 && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertThat(info(c, "mem_clients_normal")).isGreaterThanOrEqualTo(before + 200_000);
            other.close();
            deadline = System.currentTimeMillis() + 5_000;
            while (info(c, "mem_clients_normal") > before && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertThat(info(c, "mem_clients_normal")).isLessThanOrEqualTo(before);
        }
    }
}
