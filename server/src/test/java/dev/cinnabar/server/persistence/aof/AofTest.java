package dev.cinnabar.server.persistence.aof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The append-only file end to end: appending, rewriting, loading, truncated files. */
class AofTest {
    @TempDir
    Path dir;

    private Server start(String extra) {
        return TestServers.start(new ServerClock(), "dir " + dir + "\nenable-debug-command yes\n" + extra);
    }

    private Path aofDir() {
        return dir.resolve("appendonlydir");
    }

    private String manifest() throws IOException {
        return Files.readString(aofDir().resolve("appendonly.aof.manifest"));
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(aofDir())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static void waitRewrite(RespClient c) throws Exception {
        for (int i = 0; i < 500; i++) {
            String info = (String) c.call("info", "persistence");
            if (info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("rewrite did not finish");
    }

    /** Every type and encoding, TTLs, several databases, a function library. */
    static void populate(RespClient c) throws Exception {
        c.call("set", "str", "hello");
        c.call("set", "int", "12345");
        c.call("set", "ttl", "v", "ex", "1000");
        c.call("rpush", "smalllist", "a", "b", "1", "2");
        for (int i = 0; i < 300; i++) {
            c.call("rpush", "biglist", "element-" + i);
            c.call("sadd", "bigset", "member-" + i);
            c.call("zadd", "bigzset", Integer.toString(i * 3), "m" + i);
            c.call("hset", "bighash", "f" + i, "v" + i);
        }
        c.call("sadd", "intset", "1", "2", "3");
        c.call("sadd", "lpset", "a", "b");
        c.call("zadd", "smallzset", "1.5", "a", "-2", "b");
        c.call("hset", "smallhash", "a", "1", "b", "2");
        c.call("pexpire", "bighash", "500000");
        for (int i = 1; i <= 20; i++) {
            c.call("xadd", "stream", i + "-1", "f", "v" + i, "g", Integer.toString(i));
        }
        c.call("xdel", "stream", "20-1");
        c.call("xgroup", "create", "stream", "g1", "0");
        c.call("xreadgroup", "group", "g1", "alice", "count", "3", "streams", "stream", ">");
        c.call("xgroup", "createconsumer", "stream", "g1", "bob");
        c.call("xgroup", "create", "stream", "g2", "$", "entriesread", "5");
        c.call("xadd", "empty", "MAXLEN", "0", "5-5", "x", "y");
        c.call("function", "load", "#!lua name=mylib\nredis.register_function('f1', function() return 1 end)");
        c.call("select", "3");
        c.call("set", "in3", "x");
        c.call("incr", "counter");
        c.call("select", "0");
    }

    private void rewriteAndReload(boolean preamble) throws Exception {
        Server s = start("appendonly yes\naof-use-rdb-preamble " + (preamble ? "yes" : "no") + "\n");
        Object digest;
        try (RespClient c = new RespClient(s.port())) {
            populate(c);
            digest = c.call("debug", "digest");
            // The incremental file alone reloads to the same data set.
            assertThat(c.call("debug", "loadaof")).isEqualTo("OK");
            assertThat(c.call("debug", "digest")).isEqualTo(digest);
            assertThat(c.call("bgrewriteaof")).isEqualTo("Background append only file rewriting started");
            waitRewrite(c);
            for (int i = 0; i < 200 && files().size() > 3; i++) {
                Thread.sleep(10); // history files are deleted in the background
            }
            assertThat(files()).containsExactly("appendonly.aof.2.base." + (preamble ? "rdb" : "aof"),
                    "appendonly.aof.2.incr.aof", "appendonly.aof.manifest");
            assertThat(manifest()).isEqualTo("file appendonly.aof.2.base." + (preamble ? "rdb" : "aof")
                    + " seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
            assertThat(c.call("debug", "loadaof")).isEqualTo("OK");
            assertThat(c.call("debug", "digest")).isEqualTo(digest);
            assertThat(c.call("fcall", "f1", "0")).isEqualTo(1L);
            assertThat((Long) c.call("ttl", "ttl")).isBetween(990L, 1000L);
            c.call("set", "after", "rewrite");
            digest = c.call("debug", "digest");
        } finally {
            s.close();
        }
        Server again = start("appendonly yes\n");
        try (RespClient c = new RespClient(again.port())) {
            assertThat(c.call("debug", "digest")).isEqualTo(digest);
            assertThat(c.call("get", "after")).isEqualTo("rewrite");
        } finally {
            again.close();
        }
    }

    @Test
    void rewriteWithRdbPreambleReloadsTheSameDataSet() throws Exception {
        rewriteAndReload(true);
    }

    @Test
    void rewriteAsCommandsReloadsTheSameDataSet() throws Exception {
        rewriteAndReload(false);
    }

    @Test
    void commandBaseIsWhatRedisWrites() throws Exception {
        Server s = start("appendonly yes\naof-use-rdb-preamble no\n");
        try (RespClient c = new RespClient(s.port())) {
            c.call("select", "2");
            c.call("set", "k", "v");
            c.call("pexpireat", "k", "99999999999999");
            c.call("xadd", "s", "1-1", "a", "b");
            c.call("xdel", "s", "1-1");
            c.call("bgrewriteaof");
            waitRewrite(c);
        } finally {
            s.close();
        }
        String base = Files.readString(aofDir().resolve("appendonly.aof.2.base.aof"), StandardCharsets.ISO_8859_1);
        String k = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$14\r\n99999999999999\r\n";
        String stream = "*7\r\n$4\r\nXADD\r\n$1\r\ns\r\n$6\r\nMAXLEN\r\n$1\r\n0\r\n$3\r\n0-1\r\n$1\r\nx\r\n$1\r\ny\r\n"
                + "*7\r\n$6\r\nXSETID\r\n$1\r\ns\r\n$3\r\n1-1\r\n$12\r\nENTRIESADDED\r\n$1\r\n1\r\n$12\r\nMAXDELETEDID\r\n$3\r\n1-1\r\n";
        assertThat(base).startsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n").contains(k).contains(stream);
    }

    @Test
    void appendsUnitsWithTheirOwnSelectsAndTransactions() throws Exception {
        Server s = start("appendonly yes\n");
        try (RespClient c = new RespClient(s.port())) {
            c.call("set", "a", "1");
            c.call("select", "1");
            c.call("multi");
            c.call("set", "b", "2");
            c.call("incr", "b");
            c.call("exec");
            c.call("set", "c", "3", "ex", "100");
        } finally {
            s.close();
        }
        String incr = Files.readString(aofDir().resolve("appendonly.aof.1.incr.aof"), StandardCharsets.ISO_8859_1);
        assertThat(incr).startsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n"
                + "*1\r\n$5\r\nMULTI\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n*3\r\n$3\r\nset\r\n$1\r\nb\r\n$1\r\n2\r\n"
                + "*2\r\n$4\r\nincr\r\n$1\r\nb\r\n*1\r\n$4\r\nEXEC\r\n*5\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n$4\r\nPXAT\r\n");
    }

    @Test
    void turningItOnAtRuntimeWritesABaseFirst() throws Exception {
        Server s = start("appendonly no\n");
        try (RespClient c = new RespClient(s.port())) {
            populate(c);
            Object digest = c.call("debug", "digest");
            assertThat(c.call("config", "set", "appendonly", "yes")).isEqualTo("OK");
            waitRewrite(c);
            assertThat((String) c.call("info", "persistence")).contains("aof_enabled:1");
            c.call("set", "later", "x");
            assertThat(manifest()).isEqualTo("file appendonly.aof.1.base.rdb seq 1 type b\n"
                    + "file appendonly.aof.1.incr.aof seq 1 type i\n");
            assertThat(c.call("debug", "loadaof")).isEqualTo("OK");
            assertThat(c.call("get", "later")).isEqualTo("x");
            c.call("del", "later");
            assertThat(c.call("debug", "digest")).isEqualTo(digest);
            assertThat(c.call("config", "set", "appendonly", "no")).isEqualTo("OK");
            assertThat((String) c.call("info", "persistence")).contains("aof_enabled:0")
                    .doesNotContain("aof_current_size");
        } finally {
            s.close();
        }
    }

    @Test
    void rewriteRequestedInsideATransactionIsScheduled() throws Exception {
        Server s = start("appendonly no\n");
        try (RespClient c = new RespClient(s.port())) {
            c.call("multi");
            c.call("set", "foo", "bar");
            c.call("bgrewriteaof");
            c.call("config", "set", "appendonly", "yes");
            assertThat(c.call("exec")).isEqualTo(List.of("OK", "Background append only file rewriting scheduled", "OK"));
            waitRewrite(c); // the cron starts it once the transaction is over
            assertThat((String) c.call("info", "persistence")).contains("aof_enabled:1", "aof_rewrites:1");
            assertThat(c.call("debug", "loadaof")).isEqualTo("OK");
            assertThat(c.call("get", "foo")).isEqualTo("bar");
            assertThat(c.call("bgrewriteaof")).isEqualTo("Background append only file rewriting started");
            waitRewrite(c);
        } finally {
            s.close();
        }
    }

    @Test
    void truncatedTailIsTrimmedWhenAllowed() throws Exception {
        Server s = start("appendonly yes\n");
        try (RespClient c = new RespClient(s.port())) {
            c.call("set", "a", "1");
            c.call("set", "b", "2");
        } finally {
            s.close();
        }
        Path incr = aofDir().resolve("appendonly.aof.1.incr.aof");
        long whole = Files.size(incr);
        // A crash in the middle of a write: half a command, then a transaction without its EXEC.
        Files.writeString(incr, "*3\r\n$3\r\nset\r\n$1\r\nc\r\n$5\r\nhal", StandardOpenOption.APPEND);
        Server again = start("appendonly yes\n");
        try (RespClient c = new RespClient(again.port())) {
            assertThat(c.call("get", "b")).isEqualTo("2");
            assertThat(c.call("exists", "c")).isEqualTo(0L);
            assertThat(Files.size(incr)).isEqualTo(whole);
            c.call("multi");
            c.call("set", "d", "4");
            c.call("set", "e", "5"); // two commands: the unit is written inside MULTI/EXEC
            c.call("exec");
        } finally {
            again.close();
        }
        long withTx = Files.size(incr);
        byte[] cut = Files.readAllBytes(incr);
        Files.write(incr, java.util.Arrays.copyOf(cut, cut.length - "*1\r\n$4\r\nEXEC\r\n".length()));
        Server third = start("appendonly yes\n");
        try (RespClient c = new RespClient(third.port())) {
            assertThat(c.call("exists", "d")).isEqualTo(0L); // the transaction is dropped whole
            assertThat(c.call("get", "a")).isEqualTo("1");
            assertThat(Files.size(incr)).isEqualTo(whole).isLessThan(withTx);
        } finally {
            third.close();
        }
    }

    @Test
    void truncatedTailIsFatalWhenNotAllowed() throws Exception {
        Server s = start("appendonly yes\n");
        try (RespClient c = new RespClient(s.port())) {
            c.call("set", "a", "1");
        } finally {
            s.close();
        }
        Files.writeString(aofDir().resolve("appendonly.aof.1.incr.aof"), "*2\r\n$3\r\nget", StandardOpenOption.APPEND);
        assertThatThrownBy(() -> start("appendonly yes\naof-load-truncated no\n")).isInstanceOf(IllegalStateException.class);
        Files.writeString(aofDir().resolve("appendonly.aof.1.incr.aof"), "garbage\r\n", StandardOpenOption.APPEND);
        assertThatThrownBy(() -> start("appendonly yes\n")).isInstanceOf(IllegalStateException.class);
    }

    /** Upstream integration/aof "AOF+EXPIRE": a past PEXPIREAT read from the file keeps the key until loaded. */
    @Test
    void pastExpireInTheFileExpiresAfterLoadingNotDuringIt() throws Exception {
        Files.writeString(dir.resolve("appendonly.aof"), "*3\r\n$5\r\nrpush\r\n$4\r\nlist\r\n$3\r\nfoo\r\n"
                + "*3\r\n$9\r\npexpireat\r\n$4\r\nlist\r\n$4\r\n1000\r\n"
                + "*3\r\n$5\r\nrpush\r\n$4\r\nlist\r\n$3\r\nbar\r\n");
        Server s = start("appendonly yes\n");
        try (RespClient c = new RespClient(s.port())) {
            // Deleted at load time, the second RPUSH would have made a new list without a TTL.
            assertThat(c.call("llen", "list")).isEqualTo(0L);
        } finally {
            s.close();
        }
    }

    @Test
    void legacySingleFileIsUpgraded() throws Exception {
        Files.writeString(dir.resolve("appendonly.aof"), "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$3\r\nold\r\n$3\r\nyes\r\n");
        Server s = start("appendonly yes\n");
        try (RespClient c = new RespClient(s.port())) {
            assertThat(c.call("get", "old")).isEqualTo("yes");
            c.call("set", "new", "1");
        } finally {
            s.close();
        }
        assertThat(Files.exists(dir.resolve("appendonly.aof"))).isFalse();
        assertThat(manifest()).isEqualTo("file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        Server again = start("appendonly yes\n");
        try (RespClient c = new RespClient(again.port())) {
            assertThat(c.call("mget", "old", "new")).isEqualTo(List.of("yes", "1"));
        } finally {
            again.close();
        }
    }

    @Test
    void timestampAnnotationsAreWrittenAndSkipped() throws Exception {
        Server s = start("appendonly yes\naof-timestamp-enabled yes\n");
        try (RespClient c = new RespClient(s.port())) {
            c.call("set", "a", "1");
        } finally {
            s.close();
        }
        assertThat(Files.readString(aofDir().resolve("appendonly.aof.1.incr.aof"))).startsWith("#TS:");
        Server again = start("appendonly yes\n");
        try (RespClient c = new RespClient(again.port())) {
            assertThat(c.call("get", "a")).isEqualTo("1");
        } finally {
            again.close();
        }
    }
}
