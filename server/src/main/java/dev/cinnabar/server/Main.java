package dev.cinnabar.server;

import java.util.ArrayList;
import java.util.List;

/**
 * Command-line entry point with redis-server's syntax:
 * {@code cinnabar-server [config-file] [--name value ...]}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        BootConfig cfg = new BootConfig();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                continue;
            }
            String name = a.substring(2);
            List<String> vals = new ArrayList<>();
            while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                vals.add(args[++i]);
            }
            String v = vals.isEmpty() ? "" : vals.get(0);
            switch (name) {
                case "port" -> cfg.port = Integer.parseInt(v);
                case "bind" -> cfg.bind = vals;
                case "protected-mode" -> cfg.protectedMode = v.equals("yes");
                case "io-threads" -> cfg.ioThreads = Integer.parseInt(v);
                case "databases" -> cfg.databases = Integer.parseInt(v);
                case "requirepass" -> cfg.requirepass = v;
                case "enable-debug-command" -> cfg.enableDebugCommand = v;
                default -> { }
            }
        }
        Log log = new Log(System.out);
        Server server = new Server(cfg, log, new ServerClock());
        server.start();
        Thread hook = new Thread(() -> {
            log.warning("Received SIGTERM scheduling shutdown...");
            server.close();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Thread.currentThread().join();
    }
}
