package dev.cinnabar.server;

import dev.cinnabar.resp.ArgList;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.util.ByteKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MULTI/EXEC/DISCARD/WATCH state (Redis multi.c): queued commands per client, and the watched
 * keys index that marks transactions dirty when a watched key is touched.
 *
 * <p>The index is empty unless someone WATCHes, so {@link #touch} costs one map-size check on
 * the write path.
 */
public final class Transactions {
    private final Server server;
    /** (db, key) -> clients watching it. */
    private final Map<Watched, List<Client>> watchers = new HashMap<>();

    Transactions(Server server) {
        this.server = server;
    }

    /** Per-client transaction state. */
    static final class State {
        final List<ArgList> queuedArgs = new ArrayList<>();
        final List<Command> queuedCmds = new ArrayList<>();
        final List<Watched> watched = new ArrayList<>();
        /** Union of the queued commands' flags, and of the flags they lack (script-aware). */
        long cmdFlags;
        long cmdInvFlags;
    }

    record Watched(int db, ByteKey key) {}

    private static State state(Client c) {
        if (c.multiState == null) {
            c.multiState = new State();
        }
        return (State) c.multiState;
    }

    /** Whether a command is queued inside MULTI rather than run (Redis processCommand). */
    public boolean queues(Command cmd) {
        String n = cmd.name();
        return !(n.equals("exec") || n.equals("discard") || n.equals("multi") || n.equals("watch")
                || n.equals("quit") || n.equals("reset"));
    }

    public void queue(Client c, Command cmd) {
        // Once the transaction is doomed there is no point in keeping the commands.
        if (!c.has(Client.DIRTY_CAS | Client.DIRTY_EXEC)) {
            State s = state(c);
            s.queuedArgs.add(c.args.snapshot());
            s.queuedCmds.add(cmd);
            // Redis queueMultiCommand keeps getCommandFlags: a script counts by its declared flags.
            long f = server.scripting.commandFlags(c, cmd);
            s.cmdFlags |= f;
            s.cmdInvFlags |= ~f;
        }
        c.reply.simple("QUEUED");
    }

    /** Redis flagTransaction: a rejected command inside MULTI makes EXEC fail. */
    public void flagDirty(Client c) {
        if (c.has(Client.MULTI)) {
            c.flags |= Client.DIRTY_EXEC;
        }
    }

    /** EXECs running (Redis server.in_exec): work they ask for waits until they end. */
    private int executing;

    public boolean executing() {
        return executing > 0;
    }

    public void multi(Client c) {
        c.flags |= Client.MULTI;
    }

    /** Runs the queued commands (EXEC); the caller has checked the client is in MULTI. */
    public void exec(Client c) {
        if (c.has(Client.DIRTY_EXEC)) {
            c.error(Errors.EXECABORT);
            discard(c);
            return;
        }
        if (c.has(Client.DIRTY_CAS) || watchedKeyExpired(c)) {
            c.reply.nullArray();
            discard(c);
            return;
        }
        State s = state(c);
        List<ArgList> args = new ArrayList<>(s.queuedArgs);
        List<Command> cmds = new ArrayList<>(s.queuedCmds);
        // Unwatch before running: the transaction's own writes must not abort it. The client
        // stays in MULTI state until the end, as in Redis (blocking commands then do not block).
        unwatchAll(c);
        ArgList original = c.args;
        Command execCmd = c.cmd;
        c.reply.arrayLen(cmds.size());
        c.flags |= Client.IN_EXEC;
        executing++;
        try {
            for (int i = 0; i < cmds.size(); i++) {
                c.args = args.get(i);
                c.cmd = cmds.get(i);
                server.dispatcher.call(c);
                server.stats.numCommandsInMultiExec++;
            }
        } finally {
            executing--;
            c.flags &= ~Client.IN_EXEC;
            c.args = original;
            c.cmd = execCmd;
            discard(c);
        }
    }

    /** Forgets the transaction and every watched key (DISCARD, EXEC, disconnect, RESET). */
    public void discard(Client c) {
        c.flags &= ~(Client.MULTI | Client.DIRTY_CAS | Client.DIRTY_EXEC);
        if (c.multiState == null) {
            return;
        }
        State s = (State) c.multiState;
        s.queuedArgs.clear();
        s.queuedCmds.clear();
        s.cmdFlags = 0;
        s.cmdInvFlags = 0;
        unwatchAll(c);
    }

    public void watch(Client c, Database db, byte[] key) {
        State s = state(c);
        Watched w = new Watched(db.id, new ByteKey(key));
        if (s.watched.contains(w)) {
            return;
        }
        s.watched.add(w);
        watchers.computeIfAbsent(w, k -> new ArrayList<>()).add(c);
        // Redis 7: a key already logically expired when watched does not abort the
        // transaction just by being reclaimed later.
        if (db.isExpiredNow(key, 0, key.length, server.clock.millis())) {
            expiredWhenWatched(c).add(w);
        }
    }

    private List<Watched> expiredWhenWatched(Client c) {
        if (c.watchExpired == null) {
            c.watchExpired = new ArrayList<>();
        }
        @SuppressWarnings("unchecked")
        List<Watched> l = (List<Watched>) c.watchExpired;
        return l;
    }

    public void unwatchAll(Client c) {
        if (c.multiState == null) {
            return;
        }
        State s = (State) c.multiState;
        for (Watched w : s.watched) {
            List<Client> l = watchers.get(w);
            if (l != null) {
                l.remove(c);
                if (l.isEmpty()) {
                    watchers.remove(w);
                }
            }
        }
        s.watched.clear();
        c.watchExpired = null;
        c.flags &= ~Client.DIRTY_CAS;
    }

    /** Redis isWatchedKeyExpired: a watched key that expired since WATCH aborts EXEC. */
    private boolean watchedKeyExpired(Client c) {
        if (c.multiState == null) {
            return false;
        }
        long now = server.clock.millis();
        for (Watched w : ((State) c.multiState).watched) {
            if (c.watchExpired != null && expiredWhenWatched(c).contains(w)) {
                continue;
            }
            byte[] k = w.key().bytes();
            if (server.db(w.db()).isExpiredNow(k, 0, k.length, now)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Redis touchWatchedKey: a write to (db, key) dooms transactions watching it. A key that was
     * already logically expired when watched and has now been deleted (lazy or active expiry,
     * DEL) has not logically changed: the watch just forgets it was stale.
     */
    public void touch(int db, byte[] k, int off, int len) {
        if (watchers.isEmpty()) {
            return;
        }
        Watched w = new Watched(db, ByteKey.of(k, off, len));
        List<Client> l = watchers.get(w);
        if (l != null) {
            for (Client c : l) {
                if (c.watchExpired != null && expiredWhenWatched(c).contains(w)) {
                    if (server.db(db).peek(k, off, len) == null) {
                        expiredWhenWatched(c).remove(w);
                    }
                    continue;
                }
                c.flags |= Client.DIRTY_CAS;
            }
        }
    }

    /** Redis touchAllWatchedKeysInDb: FLUSHDB/FLUSHALL/SWAPDB touch every watched key of a db. */
    public void touchAll(int db, java.util.function.Predicate<byte[]> existed) {
        if (watchers.isEmpty()) {
            return;
        }
        for (Map.Entry<Watched, List<Client>> e : watchers.entrySet()) {
            if (e.getKey().db() == db && existed.test(e.getKey().key().bytes())) {
                for (Client c : e.getValue()) {
                    c.flags |= Client.DIRTY_CAS;
                }
            }
        }
    }

    /**
     * Redis touchAllWatchedKeysInDb for a database about to be emptied (FLUSHDB, FLUSHALL:
     * {@code replacedWith} null) or to get the contents of {@code replacedWith} (SWAPDB). A
     * watched key is touched if it exists on either side, except where staleness hides the
     * change: a key stale when watched that disappears, or is replaced by another stale one, and
     * a missing key replaced by a stale one (which the watch then remembers as stale).
     */
    public void touchAllInDb(Database emptied, Database replacedWith) {
        if (watchers.isEmpty()) {
            return;
        }
        long now = server.clock.millis();
        for (Map.Entry<Watched, List<Client>> e : watchers.entrySet()) {
            Watched w = e.getKey();
            if (w.db() != emptied.id) {
                continue;
            }
            byte[] k = w.key().bytes();
            boolean inEmptied = emptied.peek(k, 0, k.length) != null;
            boolean inReplacement = replacedWith != null && replacedWith.peek(k, 0, k.length) != null;
            if (!inEmptied && !inReplacement) {
                continue;
            }
            boolean replacementStale = inReplacement && replacedWith.isExpiredNow(k, 0, k.length, now);
            for (Client c : e.getValue()) {
                boolean wasStale = c.watchExpired != null && expiredWhenWatched(c).contains(w);
                if (wasStale) {
                    if (!inReplacement) {
                        expiredWhenWatched(c).remove(w);
                        continue;
                    }
                    if (replacementStale) {
                        continue;
                    }
                } else if (!inEmptied && replacementStale) {
                    expiredWhenWatched(c).add(w);
                    continue;
                }
                c.flags |= Client.DIRTY_CAS;
            }
        }
    }

    public int watchingClients() {
        int n = 0;
        for (Client c : server.clients.all()) {
            if (c.multiState != null && !((State) c.multiState).watched.isEmpty()) {
                n++;
            }
        }
        return n;
    }

    public int watchedKeys() {
        return watchers.size();
    }

    public int watchedCount(Client c) {
        return c.multiState == null ? 0 : ((State) c.multiState).watched.size();
    }

    /** Memory of the queued commands as Redis counts it (CLIENT LIST multi-mem). */
    public long queuedBytes(Client c) {
        if (c.multiState == null) {
            return 0;
        }
        long n = 0;
        for (ArgList a : ((State) c.multiState).queuedArgs) {
            n += a.bytes() + 8L * a.size();
        }
        return n;
    }

    /** The union of the queued commands' flags (Redis mstate.cmd_flags): what EXEC will do. */
    public long queuedFlags(Client c) {
        return c.multiState == null ? 0 : ((State) c.multiState).cmdFlags;
    }

    /** The union of the flags the queued commands lack (Redis mstate.cmd_inv_flags). */
    public long queuedMissingFlags(Client c) {
        return c.multiState == null ? 0 : ((State) c.multiState).cmdInvFlags;
    }

    public int queuedCount(Client c) {
        return c.multiState == null ? 0 : ((State) c.multiState).queuedCmds.size();
    }
}
