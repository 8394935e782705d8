package dev.cinnabar.server.persistence.aof;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.family.DebugFamily;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rewrite's base comes from a forkless snapshot walked while commands keep running: with a
 * writer changing the data set all along, the base alone is the data set at the rewrite's
 * instant, and base + incremental file the data set at the end.
 */
class AofSnapshotRewriteTest {
    @TempDir
    Path dir;

    private Server start(Path d, String extra) {
        return TestServers.start(new ServerClock(), "dir " + d + "\nenable-debug-command yes\n" + extra);
    }

    private static String info(RespClient c) throws Exception {
        return (String) c.call("info", "persistence");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void rewriteUnderWritesKeepsInstantAndFinalState(boolean preamble) throws Exception {
        Server s = start(dir, "appendonly yes\nappendfsync no\naof-use-rdb-preamble " + (preamble ? "yes" : "no") + "\n");
        String finalDigest;
        String instantDigest;
        long opsDuringRewrite;
        try (RespClient c = new RespClient(s.port())) {
            for (int i = 0; i < 2000; i++) {
                c.call("set", "s" + i, "value-" + i);
                if (i % 10 == 0) {
                    c.call("rpush", "l" + i, "a", "b", "c");
                    c.call("hset", "h" + i, "f", "v", "g", "w");
                    c.call("sadd", "set" + i, "x", "y");
                    c.call("zadd", "z" + i, "1", "a", "2.5", "b");
                    c.call("expire", "s" + i, "100000");
                }
            }
            c.call("select", "2");
            for (int i = 0; i < 300; i++) {
                c.call("set", "db2-" + i, Integer.toString(i));
            }
            c.call("select", "0");
            // Every key slept on without the lock: the walk lasts a few hundred ms.
            c.call("config", "set", "rdb-key-save-delay", "100");

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong ops = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                Random r = new Random(42);
                try (RespClient w = new RespClient(s.port())) {
                    while (!stop.get()) {
                        int k = r.nextInt(2400);
                        switch (r.nextInt(8)) {
                            case 0 -> w.call("set", "s" + k, "new-" + r.nextInt());
                            case 1 -> w.call("del", "s" + k);
                            case 2 -> w.call("rpush", "l" + (k / 10 * 10), "more");
                            case 3 -> w.call("hset", "h" + (k / 10 * 10), "f" + r.nextInt(5), "x");
                            case 4 -> w.call("incr", "counter" + r.nextInt(20));
                            case 5 -> w.call("sadd", "set" + (k / 10 * 10), "m" + r.nextInt(50));
                            case 6 -> {
                                w.call("select", "2");
                                w.call("set", "db2-" + (k % 400), "w" + k);
                                w.call("select", "0");
                            }
                            default -> w.call("zadd", "z" + (k / 10 * 10), Integer.toString(r.nextInt(9)), "m");
                        }
                        ops.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "writer");
            writer.start();
            while (ops.get() < 200) {
                Thread.sleep(1);
            }
            String[] digest = new String[1];
            Object[] reply = new Object[1];
            // The rewrite's instant and the digest of the data set at that instant, together.
            s.runLocked(() -> {
                reply[0] = s.aof.bgrewriteaof();
                digest[0] = DebugFamily.datasetDigest(s);
            });
            instantDigest = digest[0];
            assertThat(reply[0]).isEqualTo("Background append only file rewriting started");
            long before = ops.get();
            AofTest.waitRewrite(c);
            opsDuringRewrite = ops.get() - before;
            stop.set(true);
            writer.join();
            assertThat(failure.get()).isNull();
            assertThat(info(c)).contains("aof_last_bgrewrite_status:ok");
            finalDigest = (String) c.call("debug", "digest");
            assertThat(finalDigest).isNotEqualTo(instantDigest);
        } finally {
            s.close();
        }
        // Commands kept running during the walk (a rewrite under the lock would block them all).
        assertThat(opsDuringRewrite).isGreaterThan(50);

        String base = "appendonly.aof.2.base." + (preamble ? "rdb" : "aof");
        Path aofDir = dir.resolve("appendonlydir");
        byte[] baseBytes = Files.readAllBytes(aofDir.resolve(base));
        if (preamble) {
            // Redis marks a preamble with aux aof-base 1 (an int-encoded string).
            byte[] marker = "\u0008aof-base\u00c0\u0001".getBytes(StandardCharsets.ISO_8859_1);
            assertThat(indexOf(baseBytes, marker)).isPositive();
        } else {
            assertThat(new String(baseBytes, 0, 4, StandardCharsets.ISO_8859_1)).isEqualTo("*2\r\n");
        }

        // Base + incremental file: the data set at the end.
        Server again = start(dir, "appendonly yes\n");
        try (RespClient c = new RespClient(again.port())) {
            assertThat(c.call("debug", "digest")).isEqualTo(finalDigest);
        } finally {
            again.close();
        }

        // The base alone: the data set at the rewrite's instant.
        Path only = dir.resolve("base-only");
        Files.createDirectories(only.resolve("appendonlydir"));
        Files.copy(aofDir.resolve(base), only.resolve("appendonlydir").resolve(base));
        Files.writeString(only.resolve("appendonlydir").resolve("appendonly.aof.manifest"),
                "file " + base + " seq 2 type b\n");
        Server baseOnly = start(only, "appendonly yes\n");
        try (RespClient c = new RespClient(baseOnly.port())) {
            assertThat(c.call("debug", "digest")).isEqualTo(instantDigest);
        } finally {
            baseOnly.close();
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void flushDuringRewriteStartsItOver(boolean preamble) throws Exception {
        Server s = start(dir, "appendonly yes\naof-use-rdb-preamble " + (preamble ? "yes" : "no") + "\n");
        String digest;
        try (RespClient c = new RespClient(s.port())) {
            for (int i = 0; i < 50; i++) {
                c.call("set", "k" + i, "v" + i);
            }
            c.call("config", "set", "rdb-key-save-delay", "20000"); // 20 ms per key
            assertThat(c.call("bgrewriteaof")).isEqualTo("Background append only file rewriting started");
            c.call("flushall");
            c.call("config", "set", "rdb-key-save-delay", "0");
            c.call("set", "after", "flush");
            AofTest.waitRewrite(c);
            assertThat(info(c)).contains("aof_last_bgrewrite_status:ok");
            digest = (String) c.call("debug", "digest");
        } finally {
            s.close();
        }
        Server again = start(dir, "appendonly yes\n");
        try (RespClient c = new RespClient(again.port())) {
            assertThat(c.call("debug", "digest")).isEqualTo(digest);
            assertThat(c.call("dbsize")).isEqualTo(1L);
        } finally {
            again.close();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("temp-")).toList();
            assertThat(left).isEmpty();
        }
    }
}
