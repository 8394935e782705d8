package dev.cinnabar.server.scripting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.persistence.rdb.RdbWriter;
import dev.cinnabar.server.testkit.RealRedisServer;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Function libraries travel as Redis stores them: in RDB snapshots (RDB_OPCODE_FUNCTION2) and
 * in FUNCTION DUMP payloads, readable by a real redis-server and back.
 */
class FunctionPersistenceTest {
    @TempDir
    Path dir;

    private static final String LIB = "#!lua name=persisted\n"
            + "redis.register_function('hello', function(keys, args) return 'hello ' .. args[1] end)\n"
            + "redis.register_function{function_name='ro', callback=function() return 1 end, flags={'no-writes'}}";

    @Test
    void snapshotsCarryLibrariesToRealRedis() throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server is not installed");
        Server s = TestServers.start(new ServerClock(), "");
        try (RespClient c = new RespClient(s.port())) {
            assertThat(c.call("function", "load", LIB)).isEqualTo("persisted");
            byte[][] rdb = new byte[1][];
            s.runLocked(() -> rdb[0] = RdbWriter.snapshot(s, null, 10).toByteArray());
            Files.write(dir.resolve("f.rdb"), rdb[0]);
        } finally {
            s.close();
        }
        try (RealRedisServer redis = RealRedisServer.start("--dir", dir.toString(), "--dbfilename", "f.rdb");
                RespClient r = new RespClient(redis.port())) {
            assertThat(r.call("fcall", "hello", "0", "world")).isEqualTo("hello world");
            assertThat(r.call("fcall_ro", "ro", "0")).isEqualTo(1L);
        }
    }

    @Test
    void dumpPayloadsOfRealRedisRestoreHere() throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server is not installed");
        byte[] payload;
        try (RealRedisServer redis = RealRedisServer.start(); RespClient r = new RespClient(redis.port())) {
            r.call("function", "load", LIB);
            payload = ((String) r.call("function", "dump")).getBytes(StandardCharsets.ISO_8859_1);
        }
        Server s = TestServers.start(new ServerClock(), "");
        try (RespClient c = new RespClient(s.port())) {
            assertThat(c.call("function", "restore", payload)).isEqualTo("OK");
            assertThat(c.call("fcall", "hello", "0", "again")).isEqualTo("hello again");
            assertThat(c.call("function", "list")).isEqualTo(List.of(List.of("library_name", "persisted", "engine",
                    "LUA", "functions", List.of(java.util.Arrays.asList("name", "hello", "description", null, "flags",
                            List.of()), java.util.Arrays.asList("name", "ro", "description", null, "flags",
                            List.of("no-writes"))))));
            // Our own payload restores here and differs from 7.0's only in the RDB version and CRC.
            byte[] ours = ((String) c.call("function", "dump")).getBytes(StandardCharsets.ISO_8859_1);
            assertThat(java.util.Arrays.copyOf(ours, ours.length - 10))
                    .isEqualTo(java.util.Arrays.copyOf(payload, payload.length - 10));
            c.call("function", "flush");
            assertThat(c.call("function", "restore", ours)).isEqualTo("OK");
            assertThat(c.call("fcall", "hello", "0", "x")).isEqualTo("hello x");
        } finally {
            s.close();
        }
    }

    /** DEBUG RELOAD saves and loads the libraries with the keys (functions.tcl "debug reload"). */
    @Test
    void debugReloadKeepsLibrariesAndRefusesDuplicatesWithoutMerge() throws Exception {
        Server s = TestServers.start(new ServerClock(), "enable-debug-command yes\n");
        try (RespClient c = new RespClient(s.port())) {
            assertThat(c.call("function", "load", LIB)).isEqualTo("persisted");
            c.call("set", "k", "v");
            assertThat(c.call("debug", "reload")).isEqualTo("OK");
            assertThat(c.call("fcall", "hello", "0", "again")).isEqualTo("hello again");
            assertThat(c.call("get", "k")).isEqualTo("v");
            // NOFLUSH keeps the library, so loading it again collides: Redis's error, nothing lost.
            c.call("del", "k");
            assertThat(String.valueOf(c.call("debug", "reload", "noflush")))
                    .contains("Error trying to load the RDB dump");
            assertThat(c.call("fcall", "hello", "0", "x")).isEqualTo("hello x");
            // MERGE replaces it.
            assertThat(c.call("debug", "reload", "noflush", "merge")).isEqualTo("OK");
            assertThat(c.call("fcall_ro", "ro", "0")).isEqualTo(1L);
            assertThat((List<?>) c.call("function", "list")).hasSize(1);
        } finally {
            s.close();
        }
    }
}
