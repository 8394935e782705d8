package dev.cinnabar.server.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server process on a free loopback port, for differential tests. Use
 * {@link #available()} in an assumption so tests skip where Redis is not installed.
 */
public final class RealRedisServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private RealRedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static boolean available() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "redis-server"))) {
                return true;
            }
        }
        return false;
    }

    /** Starts redis-server without persistence, with DEBUG enabled, plus the given options. */
    public static RealRedisServer start(String... extraArgs) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--enable-debug-command", "yes"));
        cmd.addAll(List.of(extraArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        for (int attempt = 0; attempt < 100; attempt++) {
            try (RespClient probe = new RespClient(port)) {
                if ("PONG".equals(probe.call("PING"))) {
                    return new RealRedisServer(p, port);
                }
            } catch (IOException e) {
                if (!p.isAlive()) {
                    throw new IOException("redis-server exited with " + p.exitValue());
                }
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("redis-server did not start");
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
