package dev.cinnabar.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The first log lines of a server process. The upstream test suite starts servers itself and
 * waits for " PID: <pid>" followed by "Server initialized" in the log before it talks to them.
 */
class StartupBannerTest {
    private static String banner(String conf) throws Exception {
        ServerConfig cfg = new ServerConfig();
        cfg.loadFromString(conf);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Log log = new Log(new PrintStream(out, true, StandardCharsets.UTF_8));
        Main.startupBanner(log, cfg, true);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void alwaysShowLogoPrintsPortAndPid() throws Exception {
        String text = banner("always-show-logo yes\nport 23456\n");
        long pid = ProcessHandle.current().pid();
        assertThat(text).contains("Redis version=7.2.6, bits=64").contains("pid=" + pid + ", just started")
                .contains("Configuration loaded").contains("Port: 23456").contains(" PID: " + pid + "\n");
    }

    @Test
    void withoutLogoOneRunningModeLine() throws Exception {
        String text = banner("always-show-logo no\nport 23457\n");
        // A test JVM has no console, as a server started by a supervisor.
        assertThat(text).contains("Running mode=standalone, port=23457.").doesNotContain(" PID: ");
    }
}
