package dev.cinnabar.server.net;

import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.resp.RespParser;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.ClientConnection;
import dev.cinnabar.server.Server;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One client connection: reads bytes, parses requests, runs them under the server lock, and
 * writes all replies of a read batch with one flush (which is what makes pipelining cheap).
 *
 * <p>Unparsed bytes (a partial request line) are kept in a small cumulation buffer; bulk
 * payloads never are: the parser copies them into the request's argument arena as they
 * arrive. Runs on the channel's event loop only.
 */
final class Connection extends ChannelInboundHandlerAdapter implements ClientConnection {
    private final Server server;
    private final RespParser parser = new RespParser();
    private Client client;
    private Channel channel;
    private ByteBuf cumulation;
    private boolean closing;

    Connection(Server server) {
        this.server = server;
    }

    Client client() {
        return client;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ReplyWriter writer = new ReplyWriter(ctx.alloc());
        server.lock.enter();
        try {
            client = server.clients.create(parser.args(), writer, this);
            if (client == null) {
                // Refused (maxclients): send the error the registry wrote, then close.
                closing = true;
                ByteBuf err = writer.take();
                if (err != null) {
                    channel.writeAndFlush(err).addListener(ChannelFutureListener.CLOSE);
                } else {
                    channel.close();
                }
                return;
            }
            if (client.has(Client.CLOSE_AFTER_REPLY)) {
                closing = true; // protected mode refusal
            }
            applyLimits();
        } finally {
            server.lock.exit();
        }
        flushPending();
        ctx.fireChannelActive();
    }

    @Override
    public void applyLimits() {
        parser.protoMaxBulkLen(server.protoMaxBulkLen());
        parser.queryBufferLimit(server.queryBufferLimit());
        parser.authRequired(!client.authenticated);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        int received = in.readableBytes();
        if (client == null || closing) {
            in.release();
            return;
        }
        ByteBuf buf;
        if (cumulation == null) {
            buf = in;
        } else {
            buf = cumulation;
            if (buf.writableBytes() < in.readableBytes()) {
                buf.discardReadBytes();
                if (buf.writableBytes() < in.readableBytes()) {
                    ByteBuf bigger = ctx.alloc().buffer(buf.readableBytes() + in.readableBytes());
                    bigger.writeBytes(buf);
                    buf.release();
                    buf = cumulation = bigger;
                }
            }
            buf.writeBytes(in);
            in.release();
        }
        server.lock.enter();
        try {
            server.stats.totalNetInputBytes += received;
            server.stats.totalReadsProcessed++;
            runBatch(buf);
        } finally {
            batch = null;
            server.lock.exit();
        }
        if (buf.isReadable() && !closing) {
            if (cumulation == null) {
                cumulation = buf; // keep the partial request for the next read
            }
        } else {
            buf.release();
            cumulation = null;
        }
    }

    /** Parses and runs every complete request in {@code buf}. Called with the lock held. */
    private void processInput(ByteBuf buf) {
        Client c = client;
        while (!closing && !outputPaused && (c.flags & (Client.BLOCKED | Client.POSTPONED | Client.CLOSE_ASAP)) == 0) {
            int r = parser.parse(buf);
            if (r == RespParser.COMMAND) {
                c.lastInteractionMillis = server.clock.millis();
                server.dispatcher.process(c);
                if (c.has(Client.CLOSE_AFTER_REPLY)) {
                    closing = true;
                } else if (server.ops.outputLimits.pauseReading(c)) {
                    // The client does not read its replies fast enough: stop reading (and
                    // running) its requests until the output drains, so what it did not read
                    // cannot grow without bound. Resumed by channelWritabilityChanged.
                    outputPaused = true;
                    channel.config().setAutoRead(false);
                }
                if (!c.authenticated != parserAuthRequired) {
                    parserAuthRequired = !c.authenticated;
                    parser.authRequired(parserAuthRequired);
                }
            } else if (r == RespParser.PROTOCOL_ERROR) {
                c.error("ERR " + parser.error());
                c.flags |= Client.CLOSE_AFTER_REPLY | Client.PROTOCOL_ERROR;
                server.log.verbose("Protocol error (" + parser.error() + ") from client: " + server.clients.info(c));
                closing = true;
            } else if (r == RespParser.QUERY_BUFFER_LIMIT) {
                server.log.warning("Closing client that reached max query buffer length: " + server.clients.info(c));
                server.stats.clientQueryBufferLimitDisconnections++;
                closing = true;
                c.reply.discard();
                channel.close();
                return;
            } else {
                return;
            }
        }
    }

    private boolean parserAuthRequired;
    /** Reading is paused because too much output waits for the client (see processInput). */
    private boolean outputPaused;
    private boolean resumeQueued;
    /**
     * Set (on this event loop, under the lock) when the client blocks: until it is unblocked,
     * other threads may write replies to it under the lock, so taking its output needs the lock
     * too. Cleared once the client is unblocked and its output taken.
     */
    private boolean shared;
    /** The buffer being processed and where its unprocessed bytes started (CLIENT LIST qbuf). */
    private ByteBuf batch;
    private int batchStart;

    /**
     * CLIENT PAUSE ended: the postponed command is dispatched again (the parser has not moved
     * past it, so its arguments are intact), then the requests that arrived meanwhile.
     */
    @Override
    public void resumePostponed() {
        if (client == null || closing) {
            return;
        }
        Client c = client;
        ByteBuf buf = cumulation;
        server.lock.enter();
        try {
            if (c.has(Client.POSTPONED)) {
                c.flags &= ~Client.POSTPONED;
                c.lastInteractionMillis = server.clock.millis();
                server.dispatcher.process(c);
                if (c.has(Client.CLOSE_AFTER_REPLY)) {
                    closing = true;
                }
            }
            if (buf != null && !closing) {
                batch = buf;
                batchStart = buf.readerIndex();
                processInput(buf);
            }
        } finally {
            batch = null;
            server.lock.exit();
        }
        if (buf != null && (!buf.isReadable() || closing) && cumulation == buf) {
            buf.release();
            cumulation = null;
        }
        flushPending();
    }

    /**
     * Reads the socket directly while a script blocks this event loop past busy-reply-threshold
     * (Netty cannot run while we are inside a handler), runs what arrived and flushes. Only the
     * epoll transport exposes the descriptor; with NIO the client waits for the script instead.
     * Reading until EAGAIN keeps the edge-triggered readiness consistent for Netty afterwards.
     */
    @Override
    public void serveWhileBusy() {
        if (client == null || closing || batch != null || !(channel instanceof EpollSocketChannel ep)
                || !ep.isActive()) {
            return;
        }
        ByteBuf buf = cumulation;
        boolean fresh = buf == null;
        int total = 0;
        try {
            while (true) {
                if (buf == null) {
                    buf = channel.alloc().buffer(4096);
                }
                buf.ensureWritable(4096);
                java.nio.ByteBuffer nio = buf.internalNioBuffer(buf.writerIndex(), buf.writableBytes());
                int n = ep.fd().read(nio, nio.position(), nio.limit());
                if (n <= 0) {
                    break; // EAGAIN, or EOF (Netty closes the channel once the script is done)
                }
                buf.writerIndex(buf.writerIndex() + n);
                total += n;
            }
        } catch (java.io.IOException e) {
            // A reset connection: Netty reports it after the script.
        }
        if (total == 0) {
            if (fresh && buf != null) {
                buf.release();
            }
            return;
        }
        cumulation = buf;
        server.lock.enter();
        try {
            server.stats.totalNetInputBytes += total;
            server.stats.totalReadsProcessed++;
            runBatch(buf);
        } finally {
            batch = null;
            server.lock.exit();
        }
        if (!buf.isReadable() || closing) {
            buf.release();
            cumulation = null;
        }
        flushPending();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushPending();
    }

    @Override
    public void flushPending() {
        if (client == null) {
            return;
        }
        ByteBuf out;
        if (shared) {
            server.lock.enter();
            try {
                out = client.reply.take();
                if (!client.has(Client.BLOCKED)) {
                    shared = false;
                }
            } finally {
                server.lock.exit();
            }
        } else {
            out = client.reply.take();
        }
        if (out != null && client.has(Client.CLOSE_ASAP)) {
            // Closed for its output buffer limits (or killed): nothing more is sent.
            out.release();
            out = null;
        }
        if (out != null) {
            int n = out.readableBytes();
            client.reply.accountFlushed(n);
            server.stats.netOutputBytes.add(n);
            if (closing) {
                channel.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            } else {
                channel.writeAndFlush(out, channel.voidPromise());
            }
        } else if (closing) {
            channel.close();
        }
        if (outputPaused && !resumeQueued && channel.isWritable()) {
            // The socket took the output at once: no writability change will come to resume us.
            resumeQueued = true;
            channel.eventLoop().execute(() -> {
                resumeQueued = false;
                if (outputPaused && channel.isWritable()) {
                    resumeAfterOutputDrained();
                }
            });
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (outputPaused && channel.isWritable()) {
            resumeAfterOutputDrained();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** The output of a paused client drained: run the requests it sent meanwhile, read again. */
    private void resumeAfterOutputDrained() {
        if (client == null || closing) {
            return;
        }
        outputPaused = false;
        channel.config().setAutoRead(true);
        runPendingInput(Client.BLOCKED | Client.POSTPONED);
    }

    /**
     * Runs the requests waiting in the read buffer, unless the client is still held by one of
     * {@code holdFlags}, then flushes what the client was written.
     */
    private void runPendingInput(int holdFlags) {
        ByteBuf buf = cumulation;
        if (buf != null && !closing) {
            server.lock.enter();
            try {
                if ((client.flags & holdFlags) == 0) {
                    runBatch(buf);
                }
            } finally {
                batch = null;
                server.lock.exit();
            }
            if (cumulation == buf && (!buf.isReadable() || closing)) {
                buf.release();
                cumulation = null;
            }
        }
        flushPending();
    }

    /** Runs the requests in {@code buf} as one batch; with the lock held, the caller clears {@link #batch}. */
    private void runBatch(ByteBuf buf) {
        batch = buf;
        batchStart = buf.readerIndex();
        processInput(buf);
        if (client.has(Client.BLOCKED)) {
            shared = true;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        if (client != null) {
            server.lock.enter();
            try {
                server.clients.remove(client);
            } finally {
                server.lock.exit();
            }
            client.reply.discard();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and the like: Redis just frees the client.
        server.log.verbose("Client connection error: " + cause);
        ctx.close();
    }

    // ---- ClientConnection ------------------------------------------------------------------------

    @Override
    public String remoteAddress() {
        // A unix socket peer has no path of its own: Redis shows the server's socket.
        return format(isUnix() ? channel.localAddress() : channel.remoteAddress());
    }

    @Override
    public String localAddress() {
        return format(channel.localAddress());
    }

    private boolean isUnix() {
        SocketAddress l = channel.localAddress();
        return l instanceof io.netty.channel.unix.DomainSocketAddress || l instanceof java.net.UnixDomainSocketAddress;
    }

    static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() instanceof java.net.Inet6Address v6 ? ipv6(v6.getAddress())
                    : i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            // Redis formats IPv6 peers as [addr]:port (anetFormatAddr).
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + i.getPort() : host + ":" + i.getPort();
        }
        // Unix socket peers: Redis shows the server's socket path and port 0 for both ends.
        if (a instanceof io.netty.channel.unix.DomainSocketAddress d) {
            return d.path() + ":0";
        }
        if (a instanceof java.net.UnixDomainSocketAddress u) {
            return u.getPath() + ":0";
        }
        return String.valueOf(a);
    }

    /** An IPv6 address as inet_ntop prints it: lower-case hex, the longest zero run as "::". */
    static String ipv6(byte[] a) {
        int[] w = new int[8];
        for (int k = 0; k < 8; k++) {
            w[k] = ((a[2 * k] & 0xff) << 8) | (a[2 * k + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int k = 0; k < 8;) {
            if (w[k] != 0) {
                k++;
                continue;
            }
            int start = k;
            while (k < 8 && w[k] == 0) {
                k++;
            }
            if (k - start > bestLen && k - start >= 2) {
                bestStart = start;
                bestLen = k - start;
            }
        }
        boolean mapped = bestStart == 0 && bestLen == 5 && w[5] == 0xffff;
        if (mapped) {
            return "::ffff:" + (a[12] & 0xff) + "." + (a[13] & 0xff) + "." + (a[14] & 0xff) + "." + (a[15] & 0xff);
        }
        StringBuilder sb = new StringBuilder(40);
        for (int k = 0; k < 8; k++) {
            if (k == bestStart) {
                sb.append("::");
                k += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(w[k]));
        }
        return sb.toString();
    }

    @Override
    public int fd() {
        if (channel instanceof EpollSocketChannel e) {
            return e.fd().intValue();
        }
        return -1;
    }

    @Override
    public void closeAfterFlush() {
        if (channel.eventLoop().inEventLoop()) {
            closing = true;
            flushPending();
        } else {
            channel.eventLoop().execute(this::closeAfterFlush);
        }
    }

    @Override
    public void closeNow() {
        closing = true;
        channel.close();
    }

    @Override
    public void execute(Runnable task) {
        channel.eventLoop().execute(task);
    }

    @Override
    public java.util.concurrent.Future<?> schedule(Runnable task, long delayMillis) {
        return channel.eventLoop().schedule(task, delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void unblocked() {
        // Always through the task queue, even from this event loop: the commands this client
        // pipelined run after the current batch, as Redis runs unblocked clients before sleeping.
        channel.eventLoop().execute(this::resumeAfterUnblock);
    }

    /** Flushes what was written to the unblocked client and runs its pending input. */
    private void resumeAfterUnblock() {
        if (client == null) {
            return;
        }
        runPendingInput(Client.BLOCKED);
    }

    @Override
    public void writeRaw(ByteBuf buf, boolean flush, Runnable written) {
        if (closing) {
            buf.release();
            return;
        }
        server.stats.netOutputBytes.add(buf.readableBytes());
        if (written == null) {
            channel.write(buf, channel.voidPromise());
        } else {
            channel.write(buf).addListener(f -> {
                if (f.isSuccess()) {
                    written.run();
                }
            });
        }
        if (flush) {
            channel.flush();
        }
    }

    @Override
    public boolean inEventLoop() {
        return channel.eventLoop().inEventLoop();
    }

    @Override
    public long pendingOutputBytes() {
        return channel.unsafe().outboundBuffer() == null ? 0 : channel.unsafe().outboundBuffer().totalPendingWriteBytes();
    }

    @Override
    public int pendingOutputBlocks() {
        io.netty.channel.ChannelOutboundBuffer b = channel.unsafe().outboundBuffer();
        return b == null ? 0 : b.size();
    }

    @Override
    public boolean reading() {
        return channel.isActive() && channel.config().isAutoRead();
    }

    @Override
    public long queryBufferBytes() {
        ByteBuf b = batch;
        if (b != null) {
            // While its commands run, a client's query buffer still holds the whole read batch,
            // as Redis's does until processInputBuffer trims it.
            return b.writerIndex() - batchStart + parser.pendingBytes();
        }
        return (cumulation == null ? 0 : cumulation.readableBytes()) + parser.pendingBytes();
    }

    boolean isLoopback() {
        if (isUnix()) {
            return true; // unix socket clients are local (protected mode lets them in, as Redis)
        }
        return channel.remoteAddress() instanceof InetSocketAddress i && i.getAddress() != null
                && i.getAddress().isLoopbackAddress();
    }
}
