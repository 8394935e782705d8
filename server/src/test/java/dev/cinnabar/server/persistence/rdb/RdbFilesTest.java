package dev.cinnabar.server.persistence.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.Log;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.config.ServerConfig;
import dev.cinnabar.server.persistence.RdbPersistence;
import dev.cinnabar.server.testkit.ManualClock;
import dev.cinnabar.server.testkit.RealRedisServer;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RDB files on disk: files written by a real redis-server load at start-up, broken files are
 * refused with Redis's log lines (and the process exits with status 1), save points, MISCONF,
 * SHUTDOWN and FLUSHALL saves.
 */
class RdbFilesTest {

    @TempDir
    Path dir;

    /** A server on {@code dir} whose log goes to {@code log}, not started. */
    private Server server(ByteArrayOutputStream log, ServerClock clock, String extra) throws Exception {
        ServerConfig cfg = new ServerConfig();
        cfg.loadFromString("port 0\nbind 127.0.0.1\nappendonly no\nenable-debug-command yes\ndir \"" + dir + "\"\n"
                + extra);
        return new Server(cfg, new Log(new PrintStream(log, true, StandardCharsets.UTF_8)), clock);
    }

    @Test
    void fileSavedByRealRedisLoadsAtStartup() throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server is not installed");
        String digest;
        List<String[]> keys;
        try (RealRedisServer redis = RealRedisServer.start("--dir", dir.toString(), "--dbfilename", "redis.rdb");
             RespClient r = new RespClient(redis.port())) {
            RdbRoundTripTest.populate(r);
            r.call("SET", "volatile2", "v", "EX", "100000");
            digest = (String) r.call("DEBUG", "DIGEST");
            keys = RdbRoundTripTest.keysWithDigests(r);
            assertThat(r.call("SAVE")).isEqualTo("OK");
        }
        assertThat(keys.size()).isGreaterThan(30);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Server s = server(log, new ServerClock(), "save \"\"\ndbfilename redis.rdb\n");
        try {
            assertThat(s.rdb.loadAtStartup()).isTrue();
            s.start();
            try (RespClient c = new RespClient(s.port())) {
                assertThat(c.call("DEBUG", "DIGEST")).isEqualTo(digest);
                List<String> mismatches = new ArrayList<>();
                for (String[] k : keys) {
                    c.call("SELECT", k[0]);
                    if (!c.call("DEBUG", "DIGEST-VALUE", k[1]).equals(List.of(k[2]))) {
                        mismatches.add(k[0] + "/" + k[1]);
                    }
                }
                assertThat(mismatches).isEmpty();
                c.call("SELECT", "0");
                String info = (String) c.call("INFO", "persistence");
                assertThat(info).contains("rdb_last_load_keys_loaded:" + keys.size());
            }
        } finally {
            s.close();
        }
        assertThat(log.toString()).contains("Done loading RDB, keys loaded: " + keys.size() + ", keys expired: 0.")
                .contains("DB loaded from disk: ");
    }

    @Test
    void savedFileRoundTripsThroughStartup() throws Exception {
        String digest;
        try (CinnabarServer cs = CinnabarServer.builder().port(0).enableDebugCommand(true)
                .config("dir", dir.toString()).start();
             RespClient c = new RespClient(cs.port())) {
            RdbRoundTripTest.populate(c);
            c.call("SET", "gone", "x", "PX", "1");
            Thread.sleep(5);
            assertThat(c.call("SAVE")).isEqualTo("OK");
            // The file holds the expired key (as Redis writes it); loading drops it.
            assertThat(c.call("GET", "gone")).isNull();
            digest = (String) c.call("DEBUG", "DIGEST");
            assertThat(c.call("LASTSAVE")).isInstanceOf(Long.class);
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Server s = server(log, new ServerClock(), "save \"\"\n");
        try {
            assertThat(s.rdb.loadAtStartup()).isTrue();
            s.start();
            try (RespClient c = new RespClient(s.port())) {
                assertThat(c.call("DEBUG", "DIGEST")).isEqualTo(digest);
            }
        } finally {
            s.close();
        }
    }

    private byte[] validFile() throws Exception {
        try (CinnabarServer cs = CinnabarServer.builder().port(0).config("dir", dir.toString()).start();
             RespClient c = new RespClient(cs.port())) {
            for (int i = 0; i < 100; i++) {
                c.call("SET", "k" + i, "value-" + i);
            }
            c.call("RPUSH", "list", "a", "b");
            c.call("SAVE");
        }
        return Files.readAllBytes(dir.resolve("dump.rdb"));
    }

    private String failedLoadLog(byte[] content) throws Exception {
        Files.write(dir.resolve("dump.rdb"), content);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Server s = server(log, new ServerClock(), "save \"\"\n");
        try {
            assertThat(s.rdb.loadAtStartup()).isFalse();
            assertThat(s.db(0).size()).isZero(); // never half-loaded
        } finally {
            s.close();
        }
        return log.toString();
    }

    @Test
    void truncatedAndCorruptFilesAreRefused() throws Exception {
        byte[] ok = validFile();
        String truncated = failedLoadLog(java.util.Arrays.copyOf(ok, ok.length / 2));
        assertThat(truncated).contains("Short read or OOM loading DB. Unrecoverable error, aborting now.")
                .contains("-> Unexpected EOF reading RDB file")
                .contains("Terminating server after rdb file reading failure.");

        byte[] flipped = ok.clone();
        // Inside a value's text ("value-50" becomes "walue-50"), never a length or type byte,
        // wherever the keys' table order put it: only the checksum can tell.
        flipped[indexOf(ok, "value-50".getBytes(java.nio.charset.StandardCharsets.US_ASCII))] ^= 0x01;
        String crc = failedLoadLog(flipped);
        assertThat(crc).containsPattern("Wrong RDB checksum expected: \\([0-9a-f]+\\) but got \\([0-9a-f]+\\)\\. Aborting now\\.")
                .contains("-> RDB CRC error");

        byte[] badType = ok.clone();
        String head = new String(ok, 0, 9, StandardCharsets.US_ASCII);
        assertThat(head).isEqualTo("REDIS0011");
        badType[5] = '9';
        badType[6] = '9'; // version 9911
        assertThat(failedLoadLog(badType)).contains("Internal error in RDB reading offset");
    }

    @Test
    void corruptFileMakesTheProcessExitWithStatusOne() throws Exception {
        byte[] ok = validFile();
        Files.write(dir.resolve("dump.rdb"), java.util.Arrays.copyOf(ok, ok.length - 20));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "--enable-native-access=ALL-UNNAMED", "dev.cinnabar.server.Main",
                "--port", "0", "--bind", "127.0.0.1", "--dir", dir.toString())
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isEqualTo(1);
        assertThat(new String(out, StandardCharsets.UTF_8)).contains("Short read or OOM loading DB");
    }

    @Test
    void savePointsStartABackgroundSaveFromTheCron() throws Exception {
        ManualClock clock = new ManualClock();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Server s = server(log, clock, "save \"100 2\"\n");
        try {
            s.start();
            try (RespClient c = new RespClient(s.port())) {
                c.call("SET", "a", "1");
                c.call("SET", "b", "2");
                s.runLocked(s.snapshots::cron);
                assertThat(s.rdb.bgsaveInProgress()).isFalse(); // not yet 100 s
                clock.advance(101_000);
                s.runLocked(s.snapshots::cron);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!Files.exists(dir.resolve("dump.rdb"))) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    Thread.sleep(10);
                }
                while (((String) c.call("INFO", "persistence")).contains("rdb_bgsave_in_progress:1")) {
                    Thread.sleep(10);
                }
                assertThat((String) c.call("INFO", "persistence")).contains("rdb_changes_since_last_save:0");
            }
        } finally {
            s.close();
        }
        assertThat(log.toString()).contains("2 changes in 100 seconds. Saving...")
                .contains("Background saving terminated with success");
    }

    @Test
    void failedBgsaveStopsWritesWithMisconf() throws Exception {
        try (CinnabarServer cs = CinnabarServer.builder().port(0).config("dir", dir.toString())
                .config("save", "3600 1").start();
             RespClient c = new RespClient(cs.port())) {
            c.call("SET", "k", "v");
            // The temporary file cannot be created: a directory has its name.
            long pid = ProcessHandle.current().pid();
            Files.createDirectory(dir.resolve("temp-" + pid + "-1.rdb"));
            assertThat(c.call("BGSAVE")).isEqualTo("Background saving started");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!((String) c.call("INFO", "persistence")).contains("rdb_last_bgsave_status:err")) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(10);
            }
            RespClient.Err misconf = new RespClient.Err(RdbPersistence.MISCONF);
            assertThat(c.call("SET", "k", "w")).isEqualTo(misconf);
            assertThat(c.call("PING")).isEqualTo(misconf);
            assertThat(c.call("GET", "k")).isEqualTo("v");
            assertThat(((RespClient.Err) c.call("EVAL", "return redis.call('set','k','y')", "0")).message())
                    .startsWith("MISCONF Redis is configured to save RDB snapshots");
            // A script declaring flags counts as a write command itself: refused before it runs.
            assertThat(c.call("EVAL", "#!lua\nreturn redis.call('set','k','y')", "0")).isEqualTo(misconf);
            assertThat(c.call("EVAL", "#!lua flags=no-writes\nreturn redis.call('get','k')", "0")).isEqualTo("v");
            c.call("CONFIG", "SET", "stop-writes-on-bgsave-error", "no");
            assertThat(c.call("SET", "k", "w")).isEqualTo("OK");
            c.call("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes");
            // A successful save clears the error.
            assertThat(c.call("SAVE")).isEqualTo("OK");
            assertThat(c.call("SET", "k", "x")).isEqualTo("OK");
        }
    }

    @Test
    void shutdownSavesAndFlushallSavesWithSavePoints() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Server s = server(log, new ServerClock(), "save \"3600 1\"\n");
        s.start();
        try (RespClient c = new RespClient(s.port())) {
            c.call("SET", "k", "v");
            c.call("FLUSHALL");
            assertThat(Files.exists(dir.resolve("dump.rdb"))).isTrue();
            assertThat((String) c.call("INFO", "persistence")).contains("rdb_changes_since_last_save:0");
            c.call("SET", "kept", "1");
            c.call("SHUTDOWN");
        } catch (java.io.IOException expected) {
            // the connection closes
        }
        s.awaitTermination();
        assertThat(log.toString()).contains("Saving the final RDB snapshot before exiting.");
        Server again = TestServers.create(new ServerClock(), "dir \"" + dir + "\"\n");
        try {
            assertThat(again.rdb.loadAtStartup()).isTrue();
            assertThat(again.db(0).size()).isEqualTo(1);
        } finally {
            again.close();
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (java.util.Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not in the file");
    }
}
