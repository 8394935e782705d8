package dev.cinnabar.server;

import dev.cinnabar.server.config.CommandLine;
import dev.cinnabar.server.config.ConfigFileException;
import dev.cinnabar.server.config.ServerConfig;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;

/**
 * Command-line entry point with redis-server's syntax:
 * {@code cinnabar-server [config-file] [--name value ...]}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        switch (CommandLine.specialAction(args)) {
            case VERSION -> {
                System.out.println("Redis server v=" + Server.REDIS_VERSION + " sha=00000000:0 malloc=libc bits=64 build=cinnabar-"
                        + Server.CINNABAR_VERSION);
                return;
            }
            case HELP -> {
                System.err.println("Usage: ./cinnabar-server [/path/to/redis.conf] [options] [-]");
                System.err.println("       ./cinnabar-server - (read config from stdin)");
                System.err.println("       ./cinnabar-server -v or --version");
                System.err.println("       ./cinnabar-server -h or --help");
                System.err.println();
                System.err.println("Examples:");
                System.err.println("       ./cinnabar-server (run the server with default config)");
                System.err.println("       ./cinnabar-server /etc/redis/6379.conf");
                System.err.println("       ./cinnabar-server --port 7777");
                System.err.println("       ./cinnabar-server /etc/myredis.conf --loglevel verbose -");
                System.err.println("       ./cinnabar-server --port 7777 --replicaof 127.0.0.1 8888");
                return;
            }
            case TEST_MEMORY, CHECK_SYSTEM -> {
                System.err.println("This option is not supported by Cinnabar.");
                System.exit(1);
                return;
            }
            default -> { }
        }
        ServerConfig config = new ServerConfig();
        try {
            config.loadCommandLine(args, System.in);
        } catch (ConfigFileException e) {
            PrintStream err = new PrintStream(System.err, true, StandardCharsets.ISO_8859_1);
            err.print(e.getMessage());
            System.exit(1);
            return;
        }
        Log log = new Log(System.out);
        Server server = new Server(config, log, new ServerClock());
        try {
            server.applyLogConfig();
            startupBanner(log, config, args.length > 0 && config.configFile() != null);
            CrashReport.installSignalHandlers(log);
            // As redis-server: listen first, then say "Server initialized", then load the data.
            server.bindListeners();
            server.logInitialized();
            ShutdownSignals.install(server);
            server.oomScore.enable();
            server.oomScore.update();
            // Redis loadDataFromDisk: the RDB file, unless the AOF is the source of truth.
            if (!config.persistence.appendonly.get() && !server.rdb.loadAtStartup()) {
                System.exit(1);
                return;
            }
            server.start();
        } catch (BindException e) {
            // Redis's wording: tools (the upstream test suite) retry on another port when they
            // see "Failed listening on port".
            String m = e.getMessage();
            if (m != null && m.startsWith("Could not create")) {
                log.warning("Warning: " + m);
                m = "Failed listening on port " + config.network.port.get() + " (tcp), aborting.";
            }
            log.warning(m);
            System.exit(1);
            return;
        } catch (IllegalStateException e) {
            // Redis exits when the append-only file cannot be loaded; the loader has logged the
            // reason already (tools count those lines, so it must not appear twice).
            if (!(e.getCause() instanceof dev.cinnabar.server.persistence.aof.Aof.AofException)) {
                log.warning(e.getMessage());
            }
            System.exit(1);
            return;
        }
        server.awaitTermination();
        System.exit(0);
    }

    /**
     * The first log lines, in Redis's order and wording where tools read them: the version line,
     * the configuration line and then either a banner naming the port and the PID (always-show-logo
     * or an interactive terminal) or the one-line "Running mode" notice. Redis's own test suite
     * waits for " PID: <pid>" followed by "Server initialized" before it talks to a server it
     * started.
     */
    static void startupBanner(Log log, ServerConfig config, boolean fromFile) {
        long pid = ProcessHandle.current().pid();
        int port = config.network.port.get();
        log.warning("Cinnabar is starting (Redis " + Server.REDIS_VERSION + " compatible)");
        log.warning("Redis version=" + Server.REDIS_VERSION + ", bits=64, commit=00000000, modified=0, pid=" + pid
                + ", just started");
        log.warning(fromFile ? "Configuration loaded"
                : "Warning: no config file specified, using the default config. In order to specify a config file use "
                        + "cinnabar-server /path/to/redis.conf");
        if (config.general.alwaysShowLogo.get() || System.console() != null) {
            log.raw("");
            log.raw("    Cinnabar " + Server.CINNABAR_VERSION + " (Redis " + Server.REDIS_VERSION + " compatible) 64 bit");
            log.raw("    Running in standalone mode");
            log.raw("    Port: " + port);
            log.raw("    PID: " + pid);
            log.raw("");
        } else {
            log.notice("Running mode=standalone, port=" + port + ".");
        }
    }
}
