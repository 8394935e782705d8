package dev.cinnabar.server.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection that reads every reply as a {@link Reply} tree keeping its exact RESP2/RESP3 type,
 * for differential tests. Arguments and bulk data are bytes as ISO-8859-1 strings.
 */
public final class ReplyClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public ReplyClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public Reply call(List<String> args) throws IOException {
        out.write(RespClient.encode(args.stream().map(a -> (Object) a.getBytes(StandardCharsets.ISO_8859_1)).toArray()));
        out.flush();
        return read();
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int ch;
        while ((ch = in.read()) != '\n') {
            if (ch < 0) {
                throw new IOException("connection closed");
            }
            sb.append((char) ch);
        }
        return sb.substring(0, sb.length() - 1);
    }

    private Reply read() throws IOException {
        char type = (char) in.read();
        String line = line();
        switch (type) {
            case '$', '=', '!' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return new Reply(type, line, null);
                }
                String data = new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
                in.readNBytes(2);
                return new Reply(type, data, null);
            }
            case '*', '~', '>', '%', '|' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return new Reply(type, line, null);
                }
                int count = type == '%' || type == '|' ? 2 * n : n;
                List<Reply> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read());
                }
                return new Reply(type, null, items);
            }
            default -> {
                return new Reply(type, line, null);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
