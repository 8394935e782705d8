package dev.cinnabar.server;

/**
 * What a {@link Client} needs from its transport. Implemented by the network layer; fake
 * clients have none.
 */
public interface ClientConnection {
    /** "ip:port" of the peer (CLIENT LIST addr). */
    String remoteAddress();

    /** "ip:port" of our end (CLIENT LIST laddr). */
    String localAddress();

    /** Socket file descriptor number, or -1 if unknown (CLIENT LIST fd). */
    int fd();

    /** Closes the connection after pending replies are written. Safe from any thread. */
    void closeAfterFlush();

    /** Closes the connection now. Safe from any thread. */
    void closeNow();

    /**
     * Flushes replies written to this client outside its own request processing (unblocked
     * commands, pub/sub). Must be called on the client's event loop.
     */
    void flushPending();

    /** Runs a task on this client's event loop (for work another client triggers). */
    void execute(Runnable task);

    /** Whether the caller runs on this client's event loop. */
    boolean inEventLoop();

    /** Bytes queued for writing but not yet sent (CLIENT LIST omem). */
    long pendingOutputBytes();

    /** Buffers queued for writing but not yet sent (CLIENT LIST oll). */
    default int pendingOutputBlocks() {
        return pendingOutputBytes() > 0 ? 1 : 0;
    }

    /** Whether requests are being read (CLIENT LIST events "r"); false while reading is paused. */
    default boolean reading() {
        return true;
    }

    /** Bytes buffered for an incomplete request (CLIENT LIST qbuf). */
    long queryBufferBytes();

    /**
     * Runs a task on this client's event loop after {@code delayMillis} (blocked command
     * timeouts). Returns a handle to cancel it, or null when the transport cannot schedule.
     */
    default java.util.concurrent.Future<?> schedule(Runnable task, long delayMillis) {
        return null;
    }

    /**
     * The client was unblocked by someone else (served by another client's write, timed out,
     * CLIENT UNBLOCK): flush the replies written to it and resume the commands it pipelined
     * while blocked. Safe from any thread; the work runs on the client's event loop.
     */
    default void unblocked() {}

    /**
     * Re-reads the request limits (proto-max-bulk-len, client-query-buffer-limit) after CONFIG
     * SET. Must be called on the client's event loop.
     */
    default void applyLimits() {}

    /**
     * The end of a CLIENT PAUSE: re-runs the client's postponed command (it may be postponed
     * again) and then the requests buffered meanwhile, in order. Called on the client's event
     * loop without the server lock. Separate from the hooks of clients blocked on keys.
     */
    default void resumePostponed() {}

    /**
     * A script running past busy-reply-threshold blocks this client's event loop: reads what the
     * client sent and runs it (it gets BUSY, or runs an allow-busy command such as SCRIPT KILL),
     * then flushes the replies. Called on the client's event loop with the server lock held.
     */
    default void serveWhileBusy() {}

    /**
     * Writes bytes that are not a reply (the replication stream), after everything written
     * before, and flushes when {@code flush}. Takes ownership of {@code buf}. {@code written},
     * if not null, runs on the event loop once the bytes are on the socket. Must be called on
     * the client's event loop.
     */
    default void writeRaw(io.netty.buffer.ByteBuf buf, boolean flush, Runnable written) {
        buf.release();
    }
}
