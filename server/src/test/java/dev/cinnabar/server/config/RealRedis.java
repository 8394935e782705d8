package dev.cinnabar.server.config;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server process for differential tests, with a minimal RESP2 client. Tests use
 * {@link #available()} in a JUnit assumption so that they skip where Redis is not installed.
 */
final class RealRedis implements AutoCloseable {

    /** An error reply. */
    record Error(String message) {}

    private final Process process;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    static boolean available() {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "redis-server"))) return true;
        }
        return false;
    }

    /** Starts redis-server on a free loopback port with the given extra arguments. */
    static RealRedis start(Path dir, String... extraArgs) throws IOException, InterruptedException {
        return start(null, dir, extraArgs);
    }

    /** The options every test server gets (after the config file, before extra arguments). */
    static List<String> baseOptions(int port, Path dir) {
        return List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", dir.toString());
    }

    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** Starts redis-server with an optional config file. */
    static RealRedis start(Path configFile, Path dir, String... extraArgs) throws IOException, InterruptedException {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of("redis-server"));
        if (configFile != null) cmd.add(configFile.toString());
        cmd.addAll(baseOptions(port, dir));
        cmd.addAll(List.of(extraArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        // Bounded wait for the listener.
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new RealRedis(p, s);
            } catch (IOException e) {
                if (!p.isAlive()) throw new IOException("redis-server exited with " + p.exitValue());
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("redis-server did not start");
    }

    private RealRedis(Process process, Socket socket) throws IOException {
        this.process = process;
        this.socket = socket;
        socket.setSoTimeout(5000);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Sends a command; returns String, Long, List, null or {@link Error}. */
    Object call(String... args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.ISO_8859_1);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.write(b.toByteArray());
        out.flush();
        return read();
    }

    private Object read() throws IOException {
        int type = in.read();
        String line = readLine();
        return switch (type) {
            case '+' -> line;
            case '-' -> new Error(line);
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int len = Integer.parseInt(line);
                if (len < 0) yield null;
                byte[] data = in.readNBytes(len);
                in.readNBytes(2);
                yield new String(data, StandardCharsets.ISO_8859_1);
            }
            case '*' -> {
                int len = Integer.parseInt(line);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < len; i++) items.add(read());
                yield items;
            }
            default -> throw new IOException("unexpected reply type " + type);
        };
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) throw new IOException("connection closed");
            b.write(c);
        }
        in.read();
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Runs redis-server expecting it to refuse its configuration; returns what it printed.
     * Bounded: a server that starts anyway is killed after a few seconds.
     */
    static String runExpectingFailure(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-server"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close(); // empty stdin, for "-"
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("redis-server accepted " + cmd);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            socket.close();
        } finally {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }
}
