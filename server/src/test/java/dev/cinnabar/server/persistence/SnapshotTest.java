package dev.cinnabar.server.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.family.DebugFamily;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forkless BGSAVE: the file holds the data set exactly as it was at the instant BGSAVE
 * ran, although writers change it while the snapshot is written, and other clients are served
 * meanwhile.
 */
class SnapshotTest {

    @TempDir
    Path dir;

    private static String info(RespClient c, String field) throws Exception {
        String all = (String) c.call("INFO", "persistence");
        for (String line : all.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        throw new AssertionError("no " + field);
    }

    private static void waitForBgsave(RespClient c) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (info(c, "rdb_bgsave_in_progress").equals("1")) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** A data set of every type, several databases, with TTLs far in the future. */
    private static void populate(RespClient c, int n) throws Exception {
        c.call("DEBUG", "POPULATE", Integer.toString(n), "str", "20");
        List<Object> pipeline = new ArrayList<>();
        for (int i = 0; i < n / 10; i++) {
            c.send("HSET", "h:" + i, "f1", "v" + i, "f2", "w" + i);
            c.send("RPUSH", "l:" + i, "a", "b", Integer.toString(i));
            c.send("SADD", "s:" + i, "x", "y", Integer.toString(i));
            c.send("ZADD", "z:" + i, "1", "a", Integer.toString(i), "b");
            c.send("EXPIRE", "str:" + i, "100000");
            pipeline.add(i);
        }
        for (int i = 0; i < pipeline.size() * 5; i++) {
            c.read();
        }
        c.call("SELECT", "3");
        c.call("DEBUG", "POPULATE", Integer.toString(n / 4), "db3", "10");
        c.call("SELECT", "0");
    }

    @Test
    void bgsaveIsAPointInTimeImageWhileWritersChangeEverything() throws Exception {
        try (CinnabarServer cs = CinnabarServer.builder().port(0).enableDebugCommand(true)
                .config("dir", dir.toString()).start();
             RespClient c = new RespClient(cs.port())) {
            Server s = cs.server();
            populate(c, 60_000);
            // Slow the walk a little (about 1 us per 2 keys, off the lock) so writers overlap it.
            c.call("CONFIG", "SET", "rdb-key-save-delay", "-2");

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            List<Throwable> errors = new ArrayList<>();
            Thread writer = new Thread(() -> {
                Random rnd = new Random(7);
                try (RespClient w = new RespClient(cs.port())) {
                    while (!stop.get()) {
                        int i = rnd.nextInt(60_000);
                        int j = rnd.nextInt(6000);
                        switch (rnd.nextInt(10)) {
                            case 0 -> w.call("SET", "str:" + i, "changed" + rnd.nextInt());
                            case 1 -> w.call("DEL", "str:" + i);
                            case 2 -> w.call("HSET", "h:" + j, "f1", "new", "f3", "added");
                            case 3 -> w.call("EXPIRE", "str:" + i, "50000");
                            case 4 -> w.call("RENAME", "l:" + j, "renamed:" + rnd.nextInt(1000));
                            case 5 -> w.call("SADD", "s:" + j, "new" + rnd.nextInt(100));
                            case 6 -> w.call("ZINCRBY", "z:" + j, "5", "a");
                            case 7 -> w.call("APPEND", "str:" + i, "tail");
                            case 8 -> {
                                w.call("SELECT", "3");
                                w.call("SET", "db3:" + rnd.nextInt(15_000), "x");
                                w.call("DEL", "db3:" + rnd.nextInt(15_000));
                                w.call("SELECT", "0");
                            }
                            default -> w.call("LPUSH", "l:" + j, "pushed");
                        }
                        writes.incrementAndGet();
                    }
                } catch (Throwable t) {
                    synchronized (errors) {
                        errors.add(t);
                    }
                }
            }, "writer");

            // The digest and the snapshot's instant are taken under the lock together.
            String before;
            s.lock.enter();
            try {
                before = DebugFamily.datasetDigest(s);
                assertThat(s.rdb.startBackground()).isTrue();
            } finally {
                s.lock.exit();
            }
            writer.start();
            long writesAtStart = writes.get();
            waitForBgsave(c);
            long during = writes.get() - writesAtStart;
            stop.set(true);
            writer.join();
            assertThat(errors).isEmpty();
            assertThat(info(c, "rdb_last_bgsave_status")).isEqualTo("ok");
            assertThat(during).as("writes while the snapshot ran").isGreaterThan(100);
            assertThat((String) c.call("DEBUG", "DIGEST")).isNotEqualTo(before);

            // Load the file into a fresh server: it must be the data set of the instant.
            Server fresh = TestServers.create(new ServerClock(), "dir \"" + dir + "\"\n");
            try {
                assertThat(fresh.rdb.loadAtStartup()).isTrue();
                fresh.lock.enter();
                try {
                    assertThat(DebugFamily.datasetDigest(fresh)).isEqualTo(before);
                } finally {
                    fresh.lock.exit();
                }
            } finally {
                fresh.close();
            }
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("dump.rdb");
            }
        }
    }

    @Test
    void otherClientsAreServedWhileABgsaveRuns() throws Exception {
        try (CinnabarServer cs = CinnabarServer.builder().port(0).enableDebugCommand(true)
                .config("dir", dir.toString()).start();
             RespClient c = new RespClient(cs.port());
             RespClient other = new RespClient(cs.port())) {
            c.call("DEBUG", "POPULATE", "20000");
            // 1 ms per key: the save would take 20 s.
            c.call("CONFIG", "SET", "rdb-key-save-delay", "1000");
            assertThat(c.call("BGSAVE")).isEqualTo("Background saving started");
            assertThat(other.call("PING")).isEqualTo("PONG");
            assertThat(other.call("SET", "during", "1")).isEqualTo("OK");
            assertThat(other.call("GET", "key:5")).isEqualTo("value:5");
            // Answered while the save is still running, not after it.
            assertThat(info(c, "rdb_bgsave_in_progress")).isEqualTo("1");
            assertThat(c.call("BGSAVE")).isEqualTo(new RespClient.Err("ERR Background save already in progress"));
            assertThat(c.call("SAVE")).isEqualTo(new RespClient.Err("ERR Background save already in progress"));
            assertThat(Long.parseLong(info(c, "current_save_keys_total"))).isEqualTo(20000);

            // FLUSHALL kills the save as Redis kills its child: no error, no file, temp removed.
            c.call("FLUSHALL");
            waitForBgsave(c);
            assertThat(info(c, "rdb_last_bgsave_status")).isEqualTo("ok");
            try (var files = Files.list(dir)) {
                assertThat(files.toList()).isEmpty();
            }
            c.call("CONFIG", "SET", "rdb-key-save-delay", "0");
            c.call("SET", "after", "1");
            assertThat(c.call("BGSAVE")).isEqualTo("Background saving started");
            waitForBgsave(c);
            assertThat(Files.exists(dir.resolve("dump.rdb"))).isTrue();
            assertThat(info(c, "rdb_saves")).isEqualTo("2");
        }
    }

    @Test
    void bgsaveInMultiIsScheduledAndSyntaxIsChecked() throws Exception {
        try (CinnabarServer cs = CinnabarServer.builder().port(0).config("dir", dir.toString()).start();
             RespClient c = new RespClient(cs.port())) {
            assertThat(c.call("BGSAVE", "FOO")).isEqualTo(new RespClient.Err("ERR syntax error"));
            c.call("MULTI");
            c.call("BGSAVE");
            assertThat(c.call("EXEC")).isEqualTo(List.of("Background saving scheduled"));
            assertThat(c.call("MULTI")).isEqualTo("OK");
            assertThat(c.call("SAVE")).isEqualTo(new RespClient.Err("ERR Command not allowed inside a transaction"));
            c.call("DISCARD");
            // The cron starts the scheduled save.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(dir.resolve("dump.rdb"))) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }
}
