package dev.cinnabar.server;

import java.net.BindException;
import java.util.ArrayList;
import java.util.List;

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

    private CinnabarServer(Server server) {
        this.server = server;
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
    }

    public static final class Builder {
        private final BootConfig config = new BootConfig();
        private boolean log;

        private Builder() {
            config.port = 0;
            config.bind = new ArrayList<>(List.of("127.0.0.1"));
        }

        public Builder port(int port) {
            config.port = port;
            return this;
        }

        public Builder bind(String... addresses) {
            config.bind = new ArrayList<>(List.of(addresses));
            return this;
        }

        public Builder databases(int n) {
            config.databases = n;
            return this;
        }

        public Builder password(String requirepass) {
            config.requirepass = requirepass;
            return this;
        }

        public Builder ioThreads(int n) {
            config.ioThreads = n;
            return this;
        }

        /** Allows DEBUG (as redis-server's enable-debug-command yes). */
        public Builder enableDebugCommand(boolean on) {
            config.enableDebugCommand = on ? "yes" : "no";
            return this;
        }

        /** Writes redis-server style log lines to standard output. */
        public Builder log(boolean on) {
            log = on;
            return this;
        }

        public CinnabarServer start() {
            Server s = new Server(config, log ? new Log(System.out) : Log.silent(), new ServerClock());
            try {
                s.start();
            } catch (BindException e) {
                s.close();
                throw new IllegalStateException(e.getMessage(), e);
            }
            return new CinnabarServer(s);
        }
    }
}
