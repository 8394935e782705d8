package dev.cinnabar.server;

import dev.cinnabar.server.config.ConfigFileException;
import dev.cinnabar.server.config.ServerConfig;
import java.net.BindException;

/**
 * Embedding API: starts a real Cinnabar server inside the current JVM, for tests and
 * applications.
 *
 * <pre>{@code
 * try (CinnabarServer redis = CinnabarServer.builder().port(0).start()) {
 *     Jedis jedis = new Jedis("127.0.0.1", redis.port());
 *     ...
 * }
 * }</pre>
 *
 * Defaults for embedding: loopback only, an ephemeral port when {@code port(0)}, no log
 * output, and no files written unless persistence is configured.
 */
public final class CinnabarServer implements AutoCloseable {
    private final Server server;
    /** The private working directory made for this server when none was configured, or null. */
    private final java.nio.file.Path tempDir;

    private CinnabarServer(Server server, java.nio.file.Path tempDir) {
        this.server = server;
        this.tempDir = tempDir;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The TCP port the server listens on (the chosen one when started with port 0). */
    public int port() {
        return server.port();
    }

    /** "127.0.0.1:port", handy for client constructors. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** The server itself, for advanced use (introspection in tests). */
    public Server server() {
        return server;
    }

    /** Stops the server: closes the listener and every connection. */
    @Override
    public void close() {
        server.close();
        if (tempDir != null) {
            deleteTree(tempDir);
        }
    }

    private static void deleteTree(java.nio.file.Path dir) {
        try (var files = java.nio.file.Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // best effort: a temporary directory
        }
    }

    public static final class Builder {
        private final StringBuilder directives = new StringBuilder();
        private boolean log;
        private boolean dirSet;

        private Builder() {
            // Embedded defaults: an ephemeral loopback port, no persistence files.
            config("port", "0");
            config("bind", "127.0.0.1");
            config("save", "");
            config("appendonly", "no");
        }

        /**
         * Sets any redis.conf directive, e.g. {@code config("maxmemory", "100mb")} or
         * {@code config("save", "900 1")}; values are quoted as needed.
         */
        public Builder config(String name, String... values) {
            dirSet |= name.equalsIgnoreCase("dir");
            directives.append(name);
            for (String v : values) {
                directives.append(' ').append(quote(v));
            }
            directives.append('\n');
            return this;
        }

        public Builder port(int port) {
            return config("port", Integer.toString(port));
        }

        public Builder bind(String... addresses) {
            return config("bind", addresses);
        }

        public Builder databases(int n) {
            return config("databases", Integer.toString(n));
        }

        public Builder password(String requirepass) {
            return config("requirepass", requirepass);
        }

        public Builder ioThreads(int n) {
            return config("io-threads", Integer.toString(n));
        }

        /** Allows DEBUG (as redis-server's enable-debug-command yes). */
        public Builder enableDebugCommand(boolean on) {
            return config("enable-debug-command", on ? "yes" : "no");
        }

        /** Writes redis-server style log lines to standard output. */
        public Builder log(boolean on) {
            log = on;
            return this;
        }

        private static String quote(String v) {
            StringBuilder sb = new StringBuilder("\"");
            for (char ch : v.toCharArray()) {
                switch (ch) {
                    case '"', '\\' -> sb.append('\\').append(ch);
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.append(ch);
                }
            }
            return sb.append('"').toString();
        }

        public CinnabarServer start() {
            ServerConfig cfg = new ServerConfig();
            java.nio.file.Path tmp = null;
            String text = directives.toString();
            if (!dirSet) {
                // SAVE, BGSAVE and DEBUG RELOAD write files: without a configured dir they go to
                // a private temporary directory removed on close, never the JVM's working one.
                try {
                    tmp = java.nio.file.Files.createTempDirectory("cinnabar-");
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("cannot create a temporary directory", e);
                }
                text += "dir " + quote(tmp.toString()) + "\n";
            }
            try {
                cfg.loadFromString(text);
            } catch (ConfigFileException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            Server s = new Server(cfg, log ? new Log(System.out) : Log.silent(), new ServerClock());
            try {
                s.start();
            } catch (BindException e) {
                s.close();
                if (tmp != null) {
                    deleteTree(tmp);
                }
                throw new IllegalStateException(e.getMessage(), e);
            }
            return new CinnabarServer(s, tmp);
        }
    }
}
