package dev.cinnabar.server.persistence.aof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.testkit.RealRedisServer;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Append-only directories move both ways between Cinnabar and a real redis-server (7.0.15 here;
 * skipped where none is installed): the same data set, by DEBUG DIGEST, after loading.
 */
class AofRedisInteropTest {
    @TempDir
    Path dir;

    private static void waitRewrite(RespClient c) throws Exception {
        for (int i = 0; i < 500; i++) {
            String info = (String) c.call("info", "persistence");
            if (info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("rewrite did not finish");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void redisWritesCinnabarLoads(String preamble) throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server not installed");
        Object digest;
        RealRedisServer redis = RealRedisServer.start("--dir", dir.toString(), "--appendonly", "yes",
                "--aof-use-rdb-preamble", preamble);
        try (RespClient c = new RespClient(redis.port())) {
            waitRewrite(c);
            AofTest.populate(c);
            c.call("bgrewriteaof"); // a base with data, then more in the incremental file
            waitRewrite(c);
            c.call("set", "after", "rewrite");
            c.call("select", "5");
            c.call("rpush", "l5", "x", "y");
            digest = c.call("debug", "digest");
        } finally {
            redis.close(); // SIGTERM: Redis flushes and fsyncs the AOF on the way out
        }
        assertThat(Files.exists(dir.resolve("appendonlydir/appendonly.aof.manifest"))).isTrue();
        Server s = TestServers.start(new ServerClock(), "dir " + dir + "\nappendonly yes\nenable-debug-command yes\n");
        try (RespClient c = new RespClient(s.port())) {
            assertThat(c.call("debug", "digest")).isEqualTo(digest);
            assertThat(c.call("fcall", "f1", "0")).isEqualTo(1L);
        } finally {
            s.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void cinnabarWritesRedisLoads(String preamble) throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server not installed");
        Object digest;
        Server s = TestServers.start(new ServerClock(), "dir " + dir + "\nappendonly yes\nenable-debug-command yes\n"
                + "aof-use-rdb-preamble " + preamble + "\n");
        try (RespClient c = new RespClient(s.port())) {
            AofTest.populate(c);
            c.call("bgrewriteaof");
            waitRewrite(c);
            c.call("set", "after", "rewrite");
            c.call("select", "5");
            c.call("rpush", "l5", "x", "y");
            digest = c.call("debug", "digest");
        } finally {
            s.close();
        }
        RealRedisServer redis = RealRedisServer.start("--dir", dir.toString(), "--appendonly", "yes");
        try (RespClient c = new RespClient(redis.port())) {
            assertThat(c.call("debug", "digest")).isEqualTo(digest);
            assertThat(c.call("fcall", "f1", "0")).isEqualTo(1L);
        } finally {
            redis.close();
        }
    }
}
