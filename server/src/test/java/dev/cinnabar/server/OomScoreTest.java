package dev.cinnabar.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinnabar.server.testkit.RespClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * oom-score-adj as upstream unit/oom-score-adj checks it: the score of the current role, relative
 * to the original one or absolute, and the original restored when turned off. Runs against this
 * JVM's own /proc entry (only raising the score, which needs no privilege).
 */
class OomScoreTest {
    private static final Path PROC = Path.of("/proc/self/oom_score_adj");

    private static int score() throws Exception {
        return Integer.parseInt(Files.readString(PROC).trim());
    }

    @Test
    void followsConfigAndRoleAndRestoresTheOriginal() throws Exception {
        assumeTrue(Files.isWritable(PROC), "needs Linux /proc");
        int base = score();
        assumeTrue(base >= 0 && base <= 10, "a score the test can raise and restore");
        try (CinnabarServer s = CinnabarServer.builder().port(0).start();
                RespClient c = new RespClient(s.port())) {
            s.server().oomScore.enable();
            assertThat(c.call("CONFIG", "SET", "oom-score-adj-values", "10 20 30")).isEqualTo("OK");
            assertThat(score()).isEqualTo(base); // off: untouched
            assertThat(c.call("CONFIG", "SET", "oom-score-adj", "yes")).isEqualTo("OK");
            assertThat(score()).isEqualTo(base + 10);
            c.call("REPLICAOF", "127.0.0.1", "1");
            assertThat(score()).isEqualTo(base + 20);
            c.call("REPLICAOF", "NO", "ONE");
            assertThat(score()).isEqualTo(base + 10);
            assertThat(c.call("CONFIG", "SET", "oom-score-adj", "absolute")).isEqualTo("OK");
            assertThat(score()).isEqualTo(10);
            assertThat(c.call("CONFIG", "SET", "oom-score-adj", "no")).isEqualTo("OK");
            assertThat(score()).isEqualTo(base);
        } finally {
            Files.writeString(PROC, base + "\n");
        }
    }
}
