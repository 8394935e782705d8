package dev.cinnabar.server.testkit;

import dev.cinnabar.server.Log;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.config.ServerConfig;

/** Starts in-process servers with a chosen clock (the embedding builder always uses real time). */
public final class TestServers {
    private TestServers() {}

    /** A started server on an ephemeral loopback port; {@code extraConfig} is redis.conf text. */
    public static Server start(ServerClock clock, String extraConfig) {
        Server s = create(clock, extraConfig);
        try {
            s.start();
        } catch (java.net.BindException e) {
            throw new IllegalStateException(e);
        }
        return s;
    }

    private static java.nio.file.Path tempDir;

    /** One temporary directory per test JVM, deleted with its files at exit. */
    private static synchronized String tempDir() {
        if (tempDir == null) {
            try {
                tempDir = java.nio.file.Files.createTempDirectory("cinnabar-test-");
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            java.nio.file.Path d = tempDir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = java.nio.file.Files.walk(d)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (java.io.IOException | java.io.UncheckedIOException e) {
                    // best effort
                }
            }));
        }
        return tempDir.toString();
    }

    /** A server that is not listening: for driving keyspace internals directly. */
    public static Server create(ServerClock clock, String extraConfig) {
        ServerConfig cfg = new ServerConfig();
        try {
            // Files (SAVE, DEBUG RELOAD) go to a temporary directory, removed when the JVM exits.
            cfg.loadFromString("port 0\nbind 127.0.0.1\nsave \"\"\nappendonly no\ndir \"" + tempDir() + "\"\n"
                    + extraConfig);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
        return new Server(cfg, Log.silent(), clock);
    }
}
