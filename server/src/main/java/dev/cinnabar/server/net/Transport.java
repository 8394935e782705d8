package dev.cinnabar.server.net;

import dev.cinnabar.server.Server;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The TCP listener and event loops (Netty: native epoll when available, NIO otherwise).
 * {@code io-threads} event loops serve the connections and run the server's timer
 * (serverCron); a separate acceptor thread owns the listening sockets, so CONFIG SET port /
 * bind can re-create them from a command (running on a connection's event loop) and wait
 * for the outcome.
 */
public final class Transport {
    private final Server server;
    private final EventLoopGroup group;
    private final EventLoopGroup acceptor;
    private final Class<? extends ServerChannel> channelClass;
    private final List<Channel> listeners = new ArrayList<>();
    private final boolean epoll;

    public Transport(Server server, int ioThreads) {
        this.server = server;
        this.epoll = Epoll.isAvailable() && !Boolean.getBoolean("cinnabar.nio");
        IoHandlerFactory f = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new Loops(Math.max(1, ioThreads), new DefaultThreadFactory("cinnabar-io", true), f);
        this.acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("cinnabar-accept", true), f);
        this.channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * The io-threads event loops plus one spare. A script running past busy-reply-threshold keeps
     * its event loop busy; connections accepted meanwhile go to the spare loop, so that a new
     * client (the usual redis-cli SCRIPT KILL) is served. Otherwise the spare gets none.
     */
    private final class Loops extends MultiThreadIoEventLoopGroup {
        private final io.netty.channel.IoEventLoop[] loops;
        private final int regular;
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();

        Loops(int n, java.util.concurrent.ThreadFactory tf, IoHandlerFactory f) {
            super(n + 1, tf, f);
            this.regular = n;
            List<io.netty.channel.IoEventLoop> l = new ArrayList<>();
            for (io.netty.util.concurrent.EventExecutor e : this) {
                l.add((io.netty.channel.IoEventLoop) e);
            }
            this.loops = l.toArray(new io.netty.channel.IoEventLoop[0]);
        }

        @Override
        public io.netty.channel.IoEventLoop next() {
            if (server.scripting.busy()) {
                return loops[regular];
            }
            return loops[Math.floorMod(next.getAndIncrement(), regular)];
        }
    }

    public String name() {
        return epoll ? "epoll" : "nio";
    }

    /**
     * Binds every address (Redis "bind" semantics: a leading '-' marks an optional address whose
     * failure is not fatal). Returns the bound port (useful with port 0).
     */
    public int bind(List<String> addresses, int port) throws BindException {
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptor, group)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, server.tcpBacklog())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("redis", new Connection(server));
                    }
                });
        int bound = port;
        for (String raw : addresses) {
            boolean optional = raw.startsWith("-");
            String host = optional ? raw.substring(1) : raw;
            InetSocketAddress addr = switch (host) {
                case "*" -> new InetSocketAddress("0.0.0.0", bound);
                case "::*" -> new InetSocketAddress("::", bound);
                default -> new InetSocketAddress(host, bound);
            };
            try {
                Channel ch = b.bind(addr).syncUninterruptibly().channel();
                listeners.add(ch);
                bound = ((InetSocketAddress) ch.localAddress()).getPort();
            } catch (Exception e) {
                if (optional) {
                    server.log.verbose("Skipping optional bind address " + host + ": " + e.getMessage());
                    continue;
                }
                closeListeners();
                BindException be = new BindException("Could not create server TCP listening socket " + host + ":" + port
                        + ": " + e.getMessage());
                be.initCause(e);
                throw be;
            }
        }
        if (listeners.isEmpty() && !addresses.isEmpty()) {
            // bind "" (no address at all) means no TCP listener, as Redis; only failures abort.
            throw new BindException("Failed listening on port " + port + " (tcp), aborting.");
        }
        return bound;
    }

    /** Runs a task periodically on the first event loop. */
    /** Runs a task once, soon, on one of the event loops. */
    public void execute(Runnable task) {
        group.next().execute(task);
    }

    public ScheduledFuture<?> every(long millis, Runnable task) {
        return group.next().scheduleAtFixedRate(task, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** The unix socket listener (unixsocket directive), or null. */
    private Channel unixListener;
    private java.nio.file.Path unixPath;

    /**
     * Listens on a unix domain socket as well (Redis unixsocket / unixsocketperm): a stale file
     * at the path is removed first; {@code perm} (octal bits, 0 = leave the umask's) is applied
     * to the new socket file.
     */
    public void bindUnix(String path, int perm) throws BindException {
        java.nio.file.Path p = java.nio.file.Path.of(path);
        try {
            java.nio.file.Files.deleteIfExists(p);
        } catch (java.io.IOException e) {
            // bind reports it
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptor, group)
                .channel(epoll ? io.netty.channel.epoll.EpollServerDomainSocketChannel.class
                        : io.netty.channel.socket.nio.NioServerDomainSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("redis", new Connection(server));
                    }
                });
        java.net.SocketAddress addr = epoll ? new io.netty.channel.unix.DomainSocketAddress(path)
                : java.net.UnixDomainSocketAddress.of(p);
        try {
            unixListener = b.bind(addr).syncUninterruptibly().channel();
        } catch (Exception e) {
            BindException be = new BindException("Failed opening Unix socket: " + e.getMessage());
            be.initCause(e);
            throw be;
        }
        unixPath = p;
        if (perm != 0) {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> set = new java.util.HashSet<>();
            java.nio.file.attribute.PosixFilePermission[] bits = java.nio.file.attribute.PosixFilePermission.values();
            // PosixFilePermission's order is owner rwx, group rwx, others rwx: bit 8 down to 0.
            for (int i = 0; i < 9; i++) {
                if ((perm & (1 << (8 - i))) != 0) {
                    set.add(bits[i]);
                }
            }
            try {
                java.nio.file.Files.setPosixFilePermissions(p, set);
            } catch (java.io.IOException | UnsupportedOperationException e) {
                server.log.warning("Failed to set permissions on the unix socket: " + e.getMessage());
            }
        }
    }

    /** Whether any TCP or unix socket listener is open. */
    public boolean listening() {
        return !listeners.isEmpty() || unixListener != null;
    }

    public void closeListeners() {
        for (Channel ch : listeners) {
            ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        listeners.clear();
    }

    public void shutdown() {
        closeListeners();
        if (unixListener != null) {
            unixListener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            unixListener = null;
            server.log.notice("Removing the unix socket file.");
            try {
                java.nio.file.Files.deleteIfExists(unixPath);
            } catch (java.io.IOException e) {
                server.log.warning("Error removing the unix socket file: " + e.getMessage());
            }
        }
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        // Bounded waits: a stop (SIGTERM, SHUTDOWN) must end the process even if an event loop
        // is wedged or gone.
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        acceptor.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
