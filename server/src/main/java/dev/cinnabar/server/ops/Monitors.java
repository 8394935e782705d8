package dev.cinnabar.server.ops;

import dev.cinnabar.resp.ArgList;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;

/**
 * MONITOR clients and the lines they receive (Redis replicationFeedMonitors): for every
 * command executed, a status reply
 * {@code +<unix seconds>.<micros> [<db> <ip:port>] "arg" "arg" ...} with each argument quoted
 * and escaped as Redis's sdscatrepr does; commands run by a script show {@code [<db> lua]}.
 *
 * <p>Lines are delivered like Pub/Sub messages: written into the monitor's push outbox under
 * the server lock and flushed on the monitor's own event loop, with its output buffer limits
 * enforced after each line.
 *
 * <p>Accessed with the server lock held.
 */
public final class Monitors {
    private final Server server;
    private final ArrayList<Client> monitors = new ArrayList<>();
    private byte[] line = new byte[256];
    private int len;

    Monitors(Server server) {
        this.server = server;
    }

    public boolean isEmpty() {
        return monitors.isEmpty();
    }

    public int size() {
        return monitors.size();
    }

    /** MONITOR: the client starts receiving every executed command. */
    public void add(Client c) {
        if (!c.has(Client.MONITOR)) {
            c.flags |= Client.MONITOR;
            monitors.add(c);
        }
    }

    /** RESET or disconnect: the client stops monitoring. */
    public void remove(Client c) {
        if (c.has(Client.MONITOR)) {
            c.flags &= ~Client.MONITOR;
            monitors.remove(c);
        }
    }

    /** Sends the command {@code c} is running, with its arguments as they are now, to every monitor. */
    public void feed(Client c) {
        feed(c, c.args, c.redactedArgs, c.db.id);
    }

    /**
     * Sends one command line to every monitor.
     *
     * @param redacted bit i set = argument i is shown as "(redacted)"
     */
    public void feed(Client c, ArgList args, long redacted, int db) {
        if (monitors.isEmpty()) {
            return;
        }
        len = 0;
        format(c, args, redacted, db);
        for (int i = 0; i < monitors.size(); i++) {
            Client m = monitors.get(i);
            ByteBuf out = server.pubsub.pushBuffer(m);
            if (out != null) {
                out.writeBytes(line, 0, len);
                server.pubsub.pushed(m);
            }
        }
    }

    private void format(Client c, ArgList args, long redacted, int db) {
        long us = server.clock.micros();
        put('+');
        putAscii(Long.toString(us / 1_000_000));
        put('.');
        String frac = Long.toString(1_000_000 + us % 1_000_000);
        putAscii(frac.substring(1));
        put(' ');
        put('[');
        putAscii(Integer.toString(db));
        put(' ');
        if (c.conn == null && c.has(Client.SCRIPT)) {
            // Script clients have no connection; the flag alone would also match other clients
            // sharing its bit.
            putAscii("lua");
        } else {
            putAscii(c.conn == null ? "?:0" : c.conn.remoteAddress());
        }
        put(']');
        put(' ');
        byte[] d = args.data();
        for (int j = 0; j < args.size(); j++) {
            if (j > 0) {
                put(' ');
            }
            if (j < 64 && (redacted & (1L << j)) != 0) {
                putAscii("\"(redacted)\"");
            } else {
                quoted(d, args.offset(j), args.length(j));
            }
        }
        put('\r');
        put('\n');
    }

    /** Redis sdscatrepr: a double-quoted string with C escapes and \xHH for the unprintable. */
    private void quoted(byte[] d, int off, int n) {
        put('"');
        for (int i = off; i < off + n; i++) {
            int b = d[i] & 0xff;
            switch (b) {
                case '\\', '"' -> {
                    put('\\');
                    put(b);
                }
                case '\n' -> escape('n');
                case '\r' -> escape('r');
                case '\t' -> escape('t');
                case 7 -> escape('a');
                case '\b' -> escape('b');
                default -> {
                    if (b >= 0x20 && b <= 0x7e) {
                        put(b);
                    } else {
                        put('\\');
                        put('x');
                        put(HEX[b >>> 4]);
                        put(HEX[b & 15]);
                    }
                }
            }
        }
        put('"');
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private void escape(char ch) {
        put('\\');
        put(ch);
    }

    private void put(int b) {
        if (len == line.length) {
            line = java.util.Arrays.copyOf(line, line.length * 2);
        }
        line[len++] = (byte) b;
    }

    private void putAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            put(s.charAt(i));
        }
    }
}
