package dev.cinnabar.server.persistence.aof;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety with appendfsync always: a real server process is killed with SIGKILL while
 * clients write; after a restart from the same directory every acknowledged write is there.
 */
class AofCrashTest {
    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process startServer(int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), "dev.cinnabar.server.Main", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir",
                dir.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        for (int i = 0; i < 300; i++) {
            try (RespClient c = new RespClient(port)) {
                if ("PONG".equals(c.call("ping"))) {
                    return p;
                }
            } catch (IOException e) {
                if (!p.isAlive()) {
                    throw new IOException("server exited: " + Files.readString(dir.resolve("server.log")));
                }
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("server did not start");
    }

    @Test
    void everyAcknowledgedWriteSurvivesKill9() throws Exception {
        int port = freePort();
        Process server = startServer(port);
        int writers = 4;
        AtomicLongArray acked = new AtomicLongArray(writers); // writes acknowledged per writer
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    try (RespClient c = new RespClient(port)) {
                        for (long n = 0; !stop.get(); n++) {
                            // Two writes per round: a key per write, and a counter.
                            c.call("set", "w" + id + ":" + n, Long.toString(n));
                            acked.set(id, 2 * n + 1);
                            c.call("incr", "count" + id);
                            acked.set(id, 2 * n + 2);
                        }
                    } catch (IOException e) {
                        // the server was killed mid-request
                    }
                });
                t.start();
                threads.add(t);
            }
            Thread.sleep(1500);
            server.destroyForcibly(); // SIGKILL: no shutdown hook, no final flush
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(5000);
            }
            if (server.isAlive()) {
                server.destroyForcibly();
            }
        }
        long total = 0;
        for (int w = 0; w < writers; w++) {
            total += acked.get(w);
        }
        assertThat(total).as("writes acknowledged before the kill").isGreaterThan(20);
        Process again = startServer(port);
        try (RespClient c = new RespClient(port)) {
            for (int w = 0; w < writers; w++) {
                long a = acked.get(w);
                long rounds = a / 2; // complete SET+INCR rounds
                Object stored = c.call("get", "count" + w);
                long counter = stored == null ? 0 : Long.parseLong((String) stored);
                // Every acknowledged INCR is there; one more may have been written but not acknowledged.
                assertThat(counter).isBetween(rounds, rounds + 1);
                long sets = (a + 1) / 2; // SETs acknowledged
                for (long n = 0; n < sets; n++) {
                    assertThat(c.call("get", "w" + w + ":" + n)).as("w%d:%d", w, n).isEqualTo(Long.toString(n));
                }
            }
        } finally {
            again.destroy();
            again.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
