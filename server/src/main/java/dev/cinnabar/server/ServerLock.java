package dev.cinnabar.server;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The keyspace lock. Every command, MULTI/EXEC, script and cron task runs while holding it,
 * which gives Redis's guarantees (each command atomic and serial) for free.
 *
 * <p>It is taken in exactly one place per kind of caller: the connection's read batch
 * ({@code net.Connection}) and the server's timer tasks ({@link Server#runLocked}). When the
 * keyspace is split into per-slot shards for multi-core scaling, this is the class that
 * becomes a per-shard lock set; command code never takes it.
 */
public final class ServerLock {
    private final ReentrantLock lock = new ReentrantLock();

    public void enter() {
        lock.lock();
    }

    public void exit() {
        lock.unlock();
    }

    public boolean heldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }
}
