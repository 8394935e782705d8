package dev.cinnabar.server.blocking;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.ArgList;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.type.RedisValue;
import dev.cinnabar.server.util.ByteKey;
import dev.cinnabar.server.util.LongDouble;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Clients blocked on keys (Redis blocked.c): BLPOP and friends, and later BZPOPMIN/BZMPOP and
 * XREAD BLOCK.
 *
 * <p>A command that finds nothing to serve calls {@link #block}: the client waits, in FIFO order
 * per (db, key), for one of its keys to hold a value of the {@link Kind} it wants. Writes that
 * create such a value call {@link #signalReady} (the keyspace does it for every new key); after
 * each command run from the network, and after EXEC as a whole, {@link #handleReady} serves the
 * waiting clients of every signalled key, oldest first. Serving means running the blocked
 * command again, as Redis 7.2 does: the command itself is the "serve" callback, so it pops (or,
 * if the key vanished or holds nothing again, simply blocks again, keeping its deadline). A
 * served command may make further keys ready (BLMOVE pushes): they are handled in the same pass.
 *
 * <p>While blocked, a client's connection processes no further input; replies written to it by
 * another client's thread are flushed, and its pipelined input resumed, on its own event loop
 * ({@code ClientConnection.unblocked}). Timeouts run on that event loop too, from a timer armed
 * at block time, with the server cron as a safety net.
 *
 * <p>Accessed with the server lock held.
 */
public final class Blocking {
    /** The kind of value a blocked client waits for (Redis's BLOCKED_LIST/ZSET/STREAM). */
    public enum Kind {
        LIST("list"), ZSET("zset"), STREAM("stream"),
        /** WAIT: no keys; waits for replicas to acknowledge an offset (Redis BLOCKED_WAIT). */
        WAIT("");

        final String typeName;

        Kind(String typeName) {
            this.typeName = typeName;
        }
    }

    /** The state of one blocked client. */
    private static final class State {
        final Client client;
        Kind kind;
        Database db;
        final List<ByteKey> keys = new ArrayList<>(2);
        /** Absolute Unix ms; 0 = no timeout. */
        long deadline;
        boolean unblockOnNoKey;
        ArgList args;
        Command cmd;
        Future<?> timer;
        /** Microseconds spent running the command so far (Redis c->duration). */
        long durationMicros;
        /** WAIT: the replication offset to be acknowledged, and by how many replicas. */
        long replOffset;
        long replicasWanted;
        /** WAITAOF's numlocal (its reply is then [local, replicas]); -1 for WAIT. */
        long localWanted = -1;

        State(Client client) {
            this.client = client;
        }
    }

    private final Server server;
    /** Per database: key -> clients waiting on it, in blocking order. */
    private final Map<ByteKey, ArrayList<Client>>[] waiting;
    /** Per database: key -> clients that also want to hear when it is deleted (XREADGROUP). */
    private final Map<ByteKey, int[]>[] waitingOnNoKey;
    private final Map<Client, State> states = new IdentityHashMap<>();
    /** How many of {@link #states} are WAIT clients. */
    private int waitingForReplicas;
    /** Keys signalled since the last {@link #handleReady}, deduplicated. */
    private ArrayList<ReadyKey> ready = new ArrayList<>();
    private final HashSet<ReadyKey> readySet = new HashSet<>();
    private boolean handling;
    /** The state of the client whose command is being re-run, so re-blocking keeps its deadline. */
    private State reprocessing;

    private record ReadyKey(Database db, ByteKey key) {}

    @SuppressWarnings("unchecked")
    public Blocking(Server server, int databases) {
        this.server = server;
        this.waiting = new Map[databases];
        this.waitingOnNoKey = new Map[databases];
        for (int i = 0; i < databases; i++) {
            waiting[i] = new HashMap<>();
            waitingOnNoKey[i] = new HashMap<>();
        }
    }

    // ---- statistics ---------------------------------------------------------------------------

    /** INFO blocked_clients. */
    public int blockedClients() {
        return states.size();
    }

    /** INFO clients_in_timeout_table: blocked clients with a deadline. */
    public int clientsWithTimeout() {
        int n = 0;
        for (State s : states.values()) {
            if (s.deadline != 0) {
                n++;
            }
        }
        return n;
    }

    /** INFO total_blocking_keys: keys with at least one client waiting. */
    public long blockingKeys() {
        long n = 0;
        for (Map<ByteKey, ArrayList<Client>> m : waiting) {
            n += m.size();
        }
        return n;
    }

    /** INFO total_blocking_keys_on_nokey. */
    public long blockingKeysOnNoKey() {
        long n = 0;
        for (Map<ByteKey, int[]> m : waitingOnNoKey) {
            n += m.size();
        }
        return n;
    }

    public boolean isBlocked(Client c) {
        return states.containsKey(c);
    }

    // ---- timeouts -------------------------------------------------------------------------------

    /**
     * Redis getTimeoutFromObjectOrReply for a timeout in seconds (a float): the absolute deadline
     * in ms (0 = wait forever), or -1 after replying the error.
     */
    public static long parseTimeout(Client c, int arg) {
        LongDouble v = LongDouble.parse(c.argData(), c.argOff(arg), c.argLen(arg));
        if (v == null) {
            c.error("ERR timeout is not a float or out of range");
            return -1;
        }
        LongDouble ms = v.multiply(1000);
        long tval;
        if (!ms.isFinite()) {
            if (!ms.isNegative()) {
                c.error("ERR timeout is out of range");
                return -1;
            }
            tval = Long.MIN_VALUE; // what converting -inf to a 64-bit integer gives on x86
        } else {
            BigInteger ceil = ms.ceil();
            if (ceil.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0) {
                c.error("ERR timeout is out of range");
                return -1;
            }
            tval = ceil.bitLength() < 64 ? ceil.longValue() : Long.MIN_VALUE;
        }
        return toDeadline(c, tval);
    }

    /**
     * The same for a timeout in milliseconds, an integer (XREAD BLOCK): the absolute deadline
     * (0 = forever), or -1 after replying the error.
     */
    public static long parseTimeoutMillis(Client c, int arg) {
        if (!c.parseLong(arg, "ERR timeout is not an integer or out of range")) {
            return -1;
        }
        return toDeadline(c, c.parsed());
    }

    private static long toDeadline(Client c, long tval) {
        if (tval < 0) {
            c.error("ERR timeout is negative");
            return -1;
        }
        if (tval > 0) {
            if (tval > Long.MAX_VALUE - c.now) {
                c.error("ERR timeout is out of range");
                return -1;
            }
            tval += c.now;
        }
        return tval;
    }

    /**
     * Whether the running command may block (Redis CLIENT_DENY_BLOCKING): not inside EXEC, not
     * for scripts or other fake clients. Blocking commands that may not block answer as if they
     * had timed out at once.
     */
    public static boolean mayBlock(Client c) {
        return c.conn != null && (c.flags & (Client.IN_EXEC | Client.DENY_BLOCKING | Client.FAKE)) == 0;
    }

    // ---- blocking -------------------------------------------------------------------------------

    /**
     * Blocks the client running the current command on the keys in arguments
     * {@code firstKeyArg .. firstKeyArg+keyCount-1} until one holds a {@code kind} value, the
     * deadline passes (absolute ms; 0 = never), or CLIENT UNBLOCK. When served, the same command
     * runs again. {@code unblockOnNoKey}: also wake up when a key is deleted or changes type.
     * The caller has checked {@link #mayBlock}.
     */
    public void block(Client c, Kind kind, int firstKeyArg, int keyCount, long deadline, boolean unblockOnNoKey) {
        State s;
        if (reprocessing != null && reprocessing.client == c) {
            s = reprocessing; // blocking again while being served: keep the original deadline
            reprocessing = null;
            s.keys.clear();
        } else {
            s = new State(c);
            s.deadline = deadline;
            s.args = c.args.snapshot();
        }
        s.kind = kind;
        s.db = c.db;
        s.cmd = c.cmd;
        s.unblockOnNoKey = unblockOnNoKey;
        Map<ByteKey, ArrayList<Client>> byKey = waiting[c.db.id];
        for (int i = firstKeyArg; i < firstKeyArg + keyCount; i++) {
            ByteKey k = ByteKey.of(c.argData(), c.argOff(i), c.argLen(i));
            if (s.keys.contains(k)) {
                continue; // BLPOP a b a: one place in the queue per key
            }
            s.keys.add(k);
            byKey.computeIfAbsent(k, x -> new ArrayList<>(2)).add(c);
            if (unblockOnNoKey) {
                waitingOnNoKey[c.db.id].computeIfAbsent(k, x -> new int[1])[0]++;
            }
        }
        states.put(c, s);
        c.flags |= Client.BLOCKED;
        armTimer(s);
    }

    /**
     * WAIT: blocks the client until {@code replicas} replicas acknowledged {@code offset}
     * ({@link #replicasAcknowledged}), the deadline passes (absolute ms; 0 = never) or CLIENT
     * UNBLOCK; it is then answered with the number of replicas that did (Redis
     * blockForReplication). WAITAOF ({@code local} 0 or 1, -1 for WAIT) counts replicas whose
     * append-only file has the offset, and the local file too when {@code local} is 1, and
     * answers [local, replicas] (Redis blockForAofFsync). The caller has checked
     * {@link #mayBlock}.
     */
    public void blockForReplicas(Client c, long deadline, long offset, long replicas, long local) {
        State s = new State(c);
        s.kind = Kind.WAIT;
        s.deadline = deadline;
        s.args = c.args.snapshot();
        s.cmd = c.cmd;
        s.db = c.db;
        s.replOffset = offset;
        s.replicasWanted = replicas;
        s.localWanted = local;
        states.put(c, s);
        waitingForReplicas++;
        c.flags |= Client.BLOCKED;
        armTimer(s);
    }

    /**
     * A replica acknowledged an offset: answers the WAIT clients now satisfied (Redis
     * processClientsWaitingReplicas).
     */
    public void replicasAcknowledged() {
        if (waitingForReplicas == 0) {
            return;
        }
        List<State> done = null;
        List<State> failed = null;
        for (State s : states.values()) {
            if (s.kind == Kind.WAIT) {
                boolean aof = s.localWanted >= 0;
                if (aof && s.localWanted > 0 && !server.config.persistence.appendonly.get()) {
                    if (failed == null) {
                        failed = new ArrayList<>();
                    }
                    failed.add(s);
                    continue;
                }
                int acked = aof ? server.replication.acknowledgedAof(s.replOffset)
                        : server.replication.acknowledged(s.replOffset);
                if (acked >= s.replicasWanted && (!aof || server.aof.fsyncedLocally(s.replOffset) >= s.localWanted)) {
                    if (done == null) {
                        done = new ArrayList<>();
                    }
                    done.add(s);
                }
            }
        }
        if (failed != null) {
            // Redis processClientsWaitingReplicas: appendonly went off under a WAITAOF numlocal.
            for (State s : failed) {
                release(s);
                s.client.error("ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.");
                countUnblockedCall(s, true);
                s.client.conn.unblocked();
            }
        }
        if (done != null) {
            for (State s : done) {
                release(s);
                timedOutReply(s);
                countUnblockedCall(s, false);
                s.client.conn.unblocked();
            }
        }
    }

    /** Whether WAIT / WAITAOF clients are blocked (the AOF's fsyncs may answer them). */
    public boolean hasReplicaWaiters() {
        return waitingForReplicas > 0;
    }

    /** What a blocked command answers when its wait ends without being served. */
    private void timedOutReply(State s) {
        if (s.kind == Kind.WAIT && s.localWanted >= 0) {
            s.client.reply.arrayLen(2);
            s.client.reply.integer(server.aof.fsyncedLocally(s.replOffset));
            s.client.reply.integer(server.replication.acknowledgedAof(s.replOffset));
        } else if (s.kind == Kind.WAIT) {
            s.client.reply.integer(server.replication.acknowledged(s.replOffset));
        } else {
            s.client.reply.nullArray();
        }
    }

    private void armTimer(State s) {
        if (s.deadline == 0 || s.client.conn == null) {
            return;
        }
        long delay = Math.max(0, s.deadline - server.clock.millis());
        Client c = s.client;
        s.timer = c.conn.schedule(() -> timerFired(c, s), delay);
    }

    /** Runs on the blocked client's event loop. */
    private void timerFired(Client c, State s) {
        server.lock.enter();
        try {
            if (states.get(c) != s) {
                return; // served or unblocked meanwhile
            }
            long now = server.clock.millis();
            if (now < s.deadline) {
                // Woke early (the clock moved differently from the timer): wait the rest.
                s.timer = c.conn.schedule(() -> timerFired(c, s), s.deadline - now);
                return;
            }
            timeOut(s);
        } finally {
            server.lock.exit();
        }
        c.conn.unblocked();
    }

    /** Server cron: times out clients whose timer did not (e.g. a clock under test control). */
    public void cron() {
        if (states.isEmpty()) {
            return;
        }
        long now = server.clock.millis();
        List<State> due = null;
        for (State s : states.values()) {
            if (s.deadline != 0 && s.deadline <= now) {
                if (due == null) {
                    due = new ArrayList<>();
                }
                due.add(s);
            }
        }
        if (due != null) {
            for (State s : due) {
                timeOut(s);
                s.client.conn.unblocked();
            }
        }
    }

    /** Redis unblockClientOnTimeout: the null reply of a timed out blocking command. */
    private void timeOut(State s) {
        release(s);
        timedOutReply(s);
        countUnblockedCall(s, false);
    }

    /** Redis updateStatsOnUnblock: a blocked command that ends without running again. */
    private void countUnblockedCall(State s, boolean failed) {
        Command cmd = s.cmd;
        cmd.calls++;
        cmd.microseconds += s.durationMicros;
        if (failed) {
            cmd.failedCalls++;
        }
        server.stats.totalCommandsProcessed++;
        server.metrics.afterCommand(cmd, s.durationMicros, server.stats.totalReadsProcessed);
        server.ops.blockedCommandEnded(s.client, cmd, s.args);
    }

    /** Detaches a blocked client from every queue and clears its blocked state. */
    private void release(State s) {
        Client c = s.client;
        states.remove(c);
        if (s.kind == Kind.WAIT) {
            waitingForReplicas--;
        }
        int db = s.db.id;
        for (ByteKey k : s.keys) {
            ArrayList<Client> q = waiting[db].get(k);
            if (q != null) {
                q.remove(c);
                if (q.isEmpty()) {
                    waiting[db].remove(k);
                }
            }
            if (s.unblockOnNoKey) {
                int[] n = waitingOnNoKey[db].get(k);
                if (n != null && --n[0] <= 0) {
                    waitingOnNoKey[db].remove(k);
                }
            }
        }
        c.flags &= ~Client.BLOCKED;
        if (s.timer != null) {
            s.timer.cancel(false);
            s.timer = null;
        }
    }

    /**
     * Records the time a command ran before it blocked (Dispatcher.call skips the statistics of
     * a call that left its client blocked; they are counted when it finally completes).
     */
    public void blockedCallFinished(Client c, long durationMicros) {
        State s = states.get(c);
        if (s != null) {
            s.durationMicros += durationMicros;
        }
    }

    // ---- unblocking from outside ------------------------------------------------------------

    /**
     * CLIENT UNBLOCK: ends the wait with the timeout reply, or with an UNBLOCKED error.
     * Returns false if the client is not blocked.
     */
    public boolean unblock(Client target, boolean withError) {
        State s = states.get(target);
        if (s == null) {
            return false;
        }
        release(s);
        if (withError) {
            target.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
            countUnblockedCall(s, true);
        } else {
            timedOutReply(s);
            countUnblockedCall(s, false);
        }
        target.conn.unblocked();
        return true;
    }

    /**
     * Redis disconnectAllBlockedClients: every blocked client gets {@code error} (the server
     * became a replica, so what they wait for will not come from their own writes).
     */
    public void unblockAll(String error) {
        for (State s : new ArrayList<>(states.values())) {
            release(s);
            s.client.error(error);
            countUnblockedCall(s, true);
            if (s.client.conn != null) {
                s.client.conn.unblocked();
            }
        }
    }

    /** A disconnected client: forget it silently. */
    public void clientClosed(Client c) {
        State s = states.get(c);
        if (s != null) {
            release(s);
        }
    }

    // ---- readiness --------------------------------------------------------------------------

    /**
     * Redis signalKeyAsReady: {@code key} of {@code db} may now serve clients (it was created, or
     * moved or swapped in). Cheap when nobody is blocked.
     */
    public void signalReady(Database db, byte[] k, int off, int len) {
        if (states.isEmpty()) {
            return;
        }
        Map<ByteKey, ArrayList<Client>> byKey = waiting[db.id];
        if (byKey.isEmpty()) {
            return;
        }
        queueReady(db, ByteKey.of(k, off, len), false);
    }

    /**
     * Redis signalDeletedKeyAsReady: {@code key} was deleted or overwritten; wakes only the clients
     * that asked to hear about it ({@code unblockOnNoKey}).
     */
    public void signalDeleted(Database db, byte[] k, int off, int len) {
        if (states.isEmpty() || waitingOnNoKey[db.id].isEmpty()) {
            return;
        }
        queueReady(db, ByteKey.of(k, off, len), true);
    }

    private void queueReady(Database db, ByteKey key, boolean deleted) {
        if (deleted ? !waitingOnNoKey[db.id].containsKey(key) : !waiting[db.id].containsKey(key)) {
            return;
        }
        ReadyKey r = new ReadyKey(db, key);
        if (readySet.add(r)) {
            ready.add(r);
        }
    }

    /**
     * Redis scanDatabaseForReadyKeys / scanDatabaseForDeletedKeys after SWAPDB: {@code db} now
     * holds what was in {@code before}'s place. Keys that now exist may serve their waiters; keys
     * that vanished or changed type wake the no-key waiters.
     */
    public void databaseReplaced(Database db, Database before) {
        if (states.isEmpty()) {
            return;
        }
        for (ByteKey k : new ArrayList<>(waiting[db.id].keySet())) {
            byte[] b = k.bytes();
            Object now = db.peek(b, 0, b.length);
            if (now != null) {
                queueReady(db, k, false);
            }
            if (waitingOnNoKey[db.id].containsKey(k)) {
                Object old = before == null ? null : before.peek(b, 0, b.length);
                if ((old != null && now == null) || !typeName(old).equals(typeName(now))) {
                    queueReady(db, k, true);
                }
            }
        }
    }

    /** FLUSHDB / FLUSHALL is about to empty {@code db}: its keys go away for no-key waiters. */
    public void beforeFlush(Database db) {
        if (states.isEmpty() || waitingOnNoKey[db.id].isEmpty()) {
            return;
        }
        for (ByteKey k : new ArrayList<>(waitingOnNoKey[db.id].keySet())) {
            byte[] b = k.bytes();
            if (db.peek(b, 0, b.length) != null) {
                queueReady(db, k, true);
            }
        }
    }

    private static String typeName(Object e) {
        if (e == null) {
            return "";
        }
        return e instanceof ObjectEntry o && o.value instanceof RedisValue v ? v.type() : "string";
    }

    /** Whether keys were signalled and {@link #handleReady} has work. */
    public boolean hasReady() {
        return !ready.isEmpty();
    }

    /**
     * Redis handleClientsBlockedOnKeys: serves the clients waiting on every signalled key, in the
     * order they blocked, until no key is left ready (serving may signal more). Not reentrant.
     */
    public void handleReady() {
        if (handling || ready.isEmpty()) {
            return;
        }
        handling = true;
        try {
            while (!ready.isEmpty()) {
                ArrayList<ReadyKey> batch = ready;
                ready = new ArrayList<>();
                for (ReadyKey r : batch) {
                    // Forget it first, so serving may signal the same key again.
                    readySet.remove(r);
                    serveKey(r);
                }
            }
        } finally {
            handling = false;
        }
    }

    private void serveKey(ReadyKey r) {
        ArrayList<Client> q = waiting[r.db().id].get(r.key());
        if (q == null) {
            return;
        }
        // Only the clients waiting now: one that blocks again goes to the back and waits for
        // the next signal.
        Client[] receivers = q.toArray(new Client[0]);
        byte[] k = r.key().bytes();
        for (Client receiver : receivers) {
            State s = states.get(receiver);
            if (s == null || s.db != r.db() || !s.keys.contains(r.key())) {
                continue;
            }
            String type = liveType(r.db(), k);
            if ((type != null && type.equals(s.kind.typeName)) || s.unblockOnNoKey) {
                serve(s);
            }
        }
    }

    /** The type of a key's value as blocked clients see it: expired keys look missing. */
    private String liveType(Database db, byte[] k) {
        Object e = db.peek(k, 0, k.length);
        if (e == null || (Entries.hasExpire(e) && Entries.expireAt(e) < server.clock.millis())) {
            return null;
        }
        return typeName(e);
    }

    /** Redis unblockClientOnKey: runs the blocked command again for its client. */
    private void serve(State s) {
        Client c = s.client;
        release(s);
        ArgList saved = c.args;
        Command savedCmd = c.cmd;
        c.args = s.args;
        c.cmd = s.cmd;
        c.db = s.db;
        State previous = reprocessing;
        reprocessing = s;
        // The served client is the one running a command now (Redis sets current_client), so
        // pushes its command causes to itself follow its reply.
        Client outer = server.tracking.enter(c);
        try {
            server.dispatcher.call(c);
            if (c.subscriber != null) {
                server.pubsub.drain(c);
            }
        } finally {
            server.tracking.restore(outer);
            reprocessing = previous;
            c.args = saved;
            c.cmd = savedCmd;
        }
        if (!c.has(Client.BLOCKED)) {
            // Time spent before blocking counts towards the command that finally completed.
            s.cmd.microseconds += s.durationMicros;
            c.conn.unblocked();
        }
    }
}
