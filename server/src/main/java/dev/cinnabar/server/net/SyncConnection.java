package dev.cinnabar.server.net;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * A blocking client connection whose every operation has a deadline (Redis connBlockingConnect,
 * connSyncWrite, connSyncReadLine), for MIGRATE. The socket is non-blocking underneath and
 * waits in a private selector, because a plain blocking socket cannot time out a write.
 * A timeout is a {@link SocketTimeoutException}, any other failure an {@link IOException}.
 * Not thread-safe; used under the server lock.
 */
public final class SyncConnection implements Closeable {
    private final SocketChannel ch;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(16 * 1024).flip();

    private SyncConnection(SocketChannel ch, Selector selector) {
        this.ch = ch;
        this.selector = selector;
    }

    /** Connects to {@code host:port} within {@code timeoutMs}. */
    public static SyncConnection connect(String host, int port, long timeoutMs) throws IOException {
        InetSocketAddress addr;
        try {
            addr = new InetSocketAddress(host, port);
        } catch (IllegalArgumentException e) {
            throw new IOException("bad address " + host + ":" + port, e);
        }
        if (addr.isUnresolved()) {
            throw new IOException("cannot resolve " + host);
        }
        SocketChannel ch = SocketChannel.open();
        Selector sel = null;
        try {
            ch.configureBlocking(false);
            sel = Selector.open();
            SyncConnection c = new SyncConnection(ch, sel);
            if (!ch.connect(addr)) {
                long deadline = deadline(timeoutMs);
                while (!ch.finishConnect()) {
                    c.await(SelectionKey.OP_CONNECT, deadline);
                }
            }
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            return c;
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (sel != null) {
                sel.close();
            }
            throw e;
        }
    }

    private static long deadline(long timeoutMs) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeoutMs));
    }

    /** Waits until the channel is ready for {@code op}, or throws at the deadline. */
    private void await(int op, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("timeout");
        }
        SelectionKey key = ch.register(selector, op);
        try {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } finally {
            key.interestOps(0);
            selector.selectedKeys().clear();
        }
    }

    /** Writes {@code b[off, off+len)} completely within {@code timeoutMs}. */
    public void write(byte[] b, int off, int len, long timeoutMs) throws IOException {
        long deadline = deadline(timeoutMs);
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
            if (ch.write(buf) == 0) {
                await(SelectionKey.OP_WRITE, deadline);
            }
        }
    }

    /**
     * Reads one line within {@code timeoutMs}, without its CRLF (Redis syncReadLine). Lines longer
     * than {@code max} characters are cut there, as a fixed buffer would; the rest of the line is
     * still consumed.
     */
    public String readLine(int max, long timeoutMs) throws IOException {
        long deadline = deadline(timeoutMs);
        StringBuilder sb = new StringBuilder();
        while (true) {
            while (in.hasRemaining()) {
                byte c = in.get();
                if (c == '\n') {
                    int n = sb.length();
                    if (n > 0 && sb.charAt(n - 1) == '\r') {
                        sb.setLength(n - 1);
                    }
                    return sb.toString();
                }
                if (sb.length() < max) {
                    sb.append((char) (c & 0xFF));
                }
            }
            in.clear();
            int n;
            try {
                n = ch.read(in);
            } finally {
                in.flip();
            }
            if (n < 0) {
                throw new IOException("connection closed by the target");
            }
            if (n == 0) {
                await(SelectionKey.OP_READ, deadline);
            }
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing to do
        }
        try {
            ch.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
