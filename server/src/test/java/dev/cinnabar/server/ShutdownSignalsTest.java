package dev.cinnabar.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM / SIGINT as upstream unit/shutdown checks them: the signal only schedules the shutdown,
 * the timer performs it, SHUTDOWN ABORT cancels it, and a final save that fails keeps the server
 * running. The signal is delivered by calling the handler (the test JVM's signals stay alone).
 */
class ShutdownSignalsTest {
    @TempDir
    Path dir;

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        for (int i = 0; i < 500 && !cond.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void abortCancelsAScheduledShutdownAndALaterSignalStopsTheServer() throws Exception {
        try (CinnabarServer s = CinnabarServer.builder().port(0).config("dir", dir.toString())
                .config("save", "900 1").enableDebugCommand(true).start();
                RespClient c = new RespClient(s.port())) {
            ShutdownSignals sig = new ShutdownSignals(s.server());
            s.server().shutdownSignals = sig;
            c.call("SET", "k", "v");
            c.call("DEBUG", "PAUSE-CRON", "1");
            sig.onSignal(ShutdownSignals.SIGTERM);
            assertThat(c.call("SHUTDOWN", "ABORT")).isEqualTo("OK");
            assertThat(c.call("SHUTDOWN", "ABORT").toString()).contains("No shutdown in progress");
            c.call("DEBUG", "PAUSE-CRON", "0");
            assertThat(c.call("PING")).isEqualTo("PONG");
            sig.onSignal(ShutdownSignals.SIGTERM);
            waitFor(() -> s.server().stopped());
            assertThat(s.server().stopped()).isTrue();
            // shutdown-on-sigterm default with save points: the final snapshot was written.
            assertThat(Files.exists(dir.resolve("dump.rdb"))).isTrue();
        }
    }

    @Test
    void aFailedFinalSaveKeepsTheServerRunning() throws Exception {
        Files.createDirectory(dir.resolve("dump.rdb")); // the rename over it fails
        try (CinnabarServer s = CinnabarServer.builder().port(0).config("dir", dir.toString())
                .config("save", "900 1").start();
                RespClient c = new RespClient(s.port())) {
            ShutdownSignals sig = new ShutdownSignals(s.server());
            s.server().shutdownSignals = sig;
            c.call("SET", "k", "v");
            sig.onSignal(ShutdownSignals.SIGINT);
            Thread.sleep(500); // a few timer ticks
            assertThat(s.server().stopped()).isFalse();
            assertThat(c.call("GET", "k")).isEqualTo("v");
            // Nothing is pending any more.
            assertThat(c.call("SHUTDOWN", "ABORT").toString()).contains("No shutdown in progress");
        }
    }
}
