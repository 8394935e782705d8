package dev.cinnabar.server.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A small blocking RESP2/RESP3 client for tests: sends commands as multibulk (or raw bytes)
 * and decodes replies into plain Java values:
 * simple string -> {@link String}; error -> {@link Err}; integer -> {@link Long};
 * bulk -> {@link String} (ISO-8859-1, byte-exact); null -> {@code null}; array/push -> {@link List};
 * map -> {@link Map}; set -> {@link java.util.Set}; double -> {@link Double}; boolean -> {@link Boolean};
 * big number -> {@link java.math.BigInteger}; verbatim -> {@link String} without the format prefix.
 */
public final class RespClient implements AutoCloseable {
    /** An error reply. */
    public record Err(String message) {
        @Override
        public String toString() {
            return "-" + message;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RespClient(String host, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 65536);
        out = socket.getOutputStream();
    }

    public RespClient(int port) throws IOException {
        this("127.0.0.1", port);
    }

    /** Sends one command and reads its reply. */
    public Object call(Object... args) throws IOException {
        send(args);
        return read();
    }

    /** Sends one command without reading the reply (pipelining). */
    public void send(Object... args) throws IOException {
        out.write(encode(args));
        out.flush();
    }

    public static byte[] encode(Object... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (Object a : args) {
            byte[] v = a instanceof byte[] x ? x : String.valueOf(a).getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + v.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            b.writeBytes(v);
            b.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        return b.toByteArray();
    }

    /** Writes raw bytes (malformed protocol, inline commands, byte-by-byte feeding). */
    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void writeRaw(String s) throws IOException {
        writeRaw(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Whether the server closed the connection (reads until EOF or timeout). */
    public boolean isClosedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    public Object read() throws IOException {
        int t = in.read();
        if (t < 0) {
            throw new IOException("connection closed");
        }
        String line = line();
        switch (t) {
            case '+':
                return line;
            case '-':
                return new Err(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                return new String(bytes(n), StandardCharsets.ISO_8859_1);
            }
            case '=': {
                int n = Integer.parseInt(line);
                String s = new String(bytes(n), StandardCharsets.ISO_8859_1);
                return s.substring(4);
            }
            case '*':
            case '>': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(read());
                }
                return l;
            }
            case '~': {
                int n = Integer.parseInt(line);
                LinkedHashSet<Object> s = new LinkedHashSet<>();
                for (int i = 0; i < n; i++) {
                    s.add(read());
                }
                return s;
            }
            case '%': {
                int n = Integer.parseInt(line);
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    Object k = read();
                    m.put(k, read());
                }
                return m;
            }
            case '|': {
                int n = Integer.parseInt(line);
                for (int i = 0; i < 2 * n; i++) {
                    read(); // attributes are skipped
                }
                return read();
            }
            case '_':
                return null;
            case ',':
                return Double.parseDouble(line.replace("inf", "Infinity"));
            case '#':
                return line.equals("t");
            case '(':
                return new java.math.BigInteger(line);
            default:
                throw new IOException("unexpected reply type '" + (char) t + "' line " + line);
        }
    }

    /** Reads the next reply, which must be a RESP3 push ('>'): tells pushes from replies. */
    @SuppressWarnings("unchecked")
    public List<Object> readPush() throws IOException {
        in.mark(1);
        int t = in.read();
        in.reset();
        if (t != '>') {
            throw new IOException("expected a push, got a reply of type '" + (char) t + "': " + read());
        }
        return (List<Object>) read();
    }

    /** Whether reply bytes are waiting to be read, after up to {@code millis} ms. */
    public boolean hasPending(int millis) throws IOException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (in.available() == 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return in.available() > 0;
    }

    /** Reads one raw line of the reply stream (without CRLF). */
    public String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c == '\r') {
                int n = in.read();
                if (n == '\n') {
                    return sb.toString();
                }
                sb.append('\r');
                c = n;
            }
            sb.append((char) c);
        }
    }

    /** Reads exactly {@code n} raw bytes (a replication snapshot, which has no trailing CRLF). */
    public byte[] readBytes(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("connection closed");
        }
        return b;
    }

    private byte[] bytes(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n || in.read() != '\r' || in.read() != '\n') {
            throw new IOException("truncated bulk");
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
