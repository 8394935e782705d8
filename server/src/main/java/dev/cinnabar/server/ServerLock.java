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

    /**
     * Lets threads waiting for the lock have it for a moment, then takes it back (a script
     * running too long serves other event loops this way, as Redis processes events from its
     * script hook). Only the thread holding the lock calls this.
     */
    public void lend() {
        if (!lock.hasQueuedThreads()) {
            return;
        }
        int holds = lock.getHoldCount();
        for (int i = 0; i < holds; i++) {
            lock.unlock();
        }
        try {
            long deadline = System.nanoTime() + 1_000_000;
            while (lock.hasQueuedThreads() && !lock.isLocked() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        } finally {
            for (int i = 0; i < holds; i++) {
                lock.lock();
            }
        }
    }

    /**
     * Called by a background thread that just released the lock and is about to take it again
     * (a snapshot walking the keyspace in small batches): lets a waiting event loop have it
     * first, since the lock does not queue fairly and the releasing thread would win the race.
     */
    public void yieldToWaiters() {
        long deadline = System.nanoTime() + 200_000;
        while (lock.hasQueuedThreads() && !lock.isLocked() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    public boolean heldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }
}
