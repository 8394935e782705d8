package dev.cinnabar.server.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One background snapshot job at a time, with Redis's texts and scheduling (rdb.c
 * bgsaveCommand, aof.c bgrewriteaofCommand, serverCron), and WAITAOF's local count.
 */
class BackgroundJobsTest {
    @TempDir
    Path dir;

    private Server start(String extra) {
        return TestServers.start(new ServerClock(), "dir " + dir + "\nenable-debug-command yes\n" + extra);
    }

    private static long field(RespClient c, String section, String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + name + ":(-?\\d+)").matcher((String) c.call("info", section));
        assertThat(m.find()).as(name).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static void waitIdle(RespClient c) throws Exception {
        for (int i = 0; i < 1000; i++) {
            if (field(c, "persistence", "rdb_bgsave_in_progress") == 0
                    && field(c, "persistence", "aof_rewrite_in_progress") == 0
                    && field(c, "persistence", "aof_rewrite_scheduled") == 0) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("background jobs did not end");
    }

    /** Keys slept on by a snapshot for about {@code ms} in total. */
    private static void slowSnapshots(RespClient c, int keys, int ms) throws Exception {
        for (int i = 0; i < keys; i++) {
            c.call("set", "k" + i, "v" + i);
        }
        c.call("config", "set", "rdb-key-save-delay", Integer.toString(ms * 1000 / keys));
    }

    @Test
    void rewriteDuringBgsaveIsScheduledAndRunsAfterIt() throws Exception {
        Server s = start("appendonly yes\n");
        try (RespClient c = new RespClient(s.port())) {
            slowSnapshots(c, 10, 400);
            long rewrites = field(c, "persistence", "aof_rewrites");
            assertThat(c.call("bgsave")).isEqualTo("Background saving started");
            assertThat(c.call("bgsave")).hasToString("-ERR Background save already in progress");
            assertThat(c.call("bgrewriteaof")).isEqualTo("Background append only file rewriting scheduled");
            assertThat(field(c, "persistence", "rdb_bgsave_in_progress")).isEqualTo(1);
            assertThat(field(c, "persistence", "aof_rewrite_scheduled")).isEqualTo(1);
            assertThat(field(c, "persistence", "aof_rewrite_in_progress")).isZero();
            c.call("config", "set", "rdb-key-save-delay", "0");
            waitIdle(c);
            assertThat(field(c, "persistence", "aof_rewrites")).isEqualTo(rewrites + 1);
            assertThat((String) c.call("info", "persistence")).contains("rdb_last_bgsave_status:ok")
                    .contains("aof_last_bgrewrite_status:ok");
            assertThat(Files.exists(dir.resolve("dump.rdb"))).isTrue();
        } finally {
            s.close();
        }
    }

    @Test
    void bgsaveDuringRewriteIsRefusedOrScheduled() throws Exception {
        Server s = start("appendonly yes\n");
        try (RespClient c = new RespClient(s.port())) {
            slowSnapshots(c, 10, 400);
            assertThat(c.call("bgrewriteaof")).isEqualTo("Background append only file rewriting started");
            assertThat(c.call("bgrewriteaof")).hasToString("-ERR Background append only file rewriting already in progress");
            assertThat(c.call("bgsave")).hasToString("-ERR Another child process is active (AOF?): can't BGSAVE right now."
                    + " Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
            assertThat(c.call("bgsave", "schedule")).isEqualTo("Background saving scheduled");
            assertThat(c.call("bgsave", "now")).hasToString("-ERR syntax error");
            assertThat(field(c, "persistence", "aof_rewrite_in_progress")).isEqualTo(1);
            assertThat(field(c, "persistence", "rdb_bgsave_in_progress")).isZero();
            assertThat(Files.exists(dir.resolve("dump.rdb"))).isFalse();
            c.call("config", "set", "rdb-key-save-delay", "0");
            for (int i = 0; i < 1000 && !Files.exists(dir.resolve("dump.rdb")); i++) {
                Thread.sleep(10); // the scheduled BGSAVE starts from the cron once the rewrite ends
            }
            assertThat(Files.exists(dir.resolve("dump.rdb"))).isTrue();
            waitIdle(c);
            assertThat((String) c.call("info", "persistence")).contains("aof_last_bgrewrite_status:ok");
        } finally {
            s.close();
        }
    }

    @Test
    void savePointsWaitForARunningRewrite() throws Exception {
        Server s = start("appendonly yes\n");
        try (RespClient c = new RespClient(s.port())) {
            slowSnapshots(c, 10, 500);
            assertThat(c.call("bgrewriteaof")).isEqualTo("Background append only file rewriting started");
            c.call("config", "set", "save", "1 1");
            long lastSave = (Long) c.call("lastsave");
            Thread.sleep(1300); // past the save point's second while the rewrite runs
            assertThat(Files.exists(dir.resolve("dump.rdb"))).isFalse();
            c.call("config", "set", "rdb-key-save-delay", "0");
            for (int i = 0; i < 1000 && !Files.exists(dir.resolve("dump.rdb")); i++) {
                Thread.sleep(10);
            }
            assertThat(Files.exists(dir.resolve("dump.rdb"))).isTrue();
            c.call("config", "set", "save", "");
            waitIdle(c);
            assertThat((Long) c.call("lastsave")).isGreaterThan(lastSave);
        } finally {
            s.close();
        }
    }

    @Test
    void waitaofCountsTheLocalFsync() throws Exception {
        Server s = start("appendonly no\n");
        try (RespClient c = new RespClient(s.port())) {
            c.call("incr", "foo");
            assertThat(c.call("waitaof", "1", "0", "0"))
                    .hasToString("-ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.");
            assertThat(c.call("waitaof", "0", "0", "0")).isEqualTo(List.of(0L, 0L));

            c.call("config", "set", "appendonly", "yes");
            waitIdle(c);
            // appendfsync no: nothing is ever known to be on disk.
            c.call("config", "set", "appendfsync", "no");
            c.call("incr", "foo");
            assertThat(c.call("waitaof", "1", "0", "50")).isEqualTo(List.of(0L, 0L));

            c.call("config", "set", "appendfsync", "always");
            long offset = field(c, "replication", "master_repl_offset");
            c.call("incr", "foo");
            // With AOF on and no backlog the offset still moves, one per command fed.
            assertThat(field(c, "replication", "master_repl_offset")).isEqualTo(offset + 1);
            assertThat(c.call("waitaof", "1", "0", "0")).isEqualTo(List.of(1L, 0L));

            c.call("config", "set", "appendfsync", "everysec");
            c.call("incr", "foo");
            // Blocks until the next once-a-second fsync has covered the write.
            assertThat(c.call("waitaof", "1", "0", "0")).isEqualTo(List.of(1L, 0L));
        } finally {
            s.close();
        }
    }

    @Test
    void waitaofBlockedOnLocalFailsWhenAppendonlyGoesOff() throws Exception {
        Server s = start("appendonly yes\nappendfsync no\n");
        try (RespClient c = new RespClient(s.port()); RespClient blocked = new RespClient(s.port())) {
            waitIdle(c);
            blocked.call("incr", "foo");
            blocked.send("waitaof", "1", "0", "0");
            for (int i = 0; i < 500 && field(c, "clients", "blocked_clients") == 0; i++) {
                Thread.sleep(5);
            }
            assertThat(field(c, "clients", "blocked_clients")).isEqualTo(1);
            c.call("config", "set", "appendonly", "no");
            assertThat(blocked.read())
                    .hasToString("-ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.");
            assertThat(blocked.call("ping")).isEqualTo("PONG");
        } finally {
            s.close();
        }
    }
}
