package dev.cinnabar.server;

import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.command.CommandFlags;
import java.util.ArrayList;

/**
 * CLIENT PAUSE / UNPAUSE (Redis pauseActions and friends, networking.c): while a pause is in
 * force, commands it covers are postponed, not refused. A postponed client keeps its command
 * and stops processing its input; when the pause ends or becomes less strict, every postponed
 * client is handed back to its event loop ({@link ClientConnection#resumePostponed}), where
 * the command is dispatched again (and may be postponed again) before the requests that
 * arrived meanwhile.
 *
 * <p>A pause also suspends key expiry (lazy and active) and, once it exists, eviction: keys
 * still read as expired, but are deleted only after the pause. The pause ends when UNPAUSE
 * runs or, at the latest, at the first check after its end time (commands, expiry checks and
 * the cron check it).
 *
 * <p>Accessed with the server lock held.
 */
public final class ClientPause {
    /** Write commands and commands that may replicate (PUBLISH, EVAL...) are postponed. */
    public static final int CLIENT_WRITE = 1;
    /** Every command is postponed. Larger than CLIENT_WRITE: the numeric order is the strictness. */
    public static final int CLIENT_ALL = 1 << 1;
    public static final int EXPIRE = 1 << 2;
    public static final int EVICT = 1 << 3;
    public static final int REPLICA = 1 << 4;
    static final int WRITE_SET = CLIENT_WRITE | EXPIRE | EVICT | REPLICA;
    static final int ALL_SET = CLIENT_ALL | EXPIRE | EVICT | REPLICA;
    private static final int CLIENT_MASK = CLIENT_WRITE | CLIENT_ALL;

    private final Server server;
    /** The pause set by CLIENT PAUSE (Redis has one per purpose; this is the only purpose yet). */
    private int byClientActions;
    private long byClientEnd;
    /** What is paused now. */
    private int actions;
    private final ArrayList<Client> postponed = new ArrayList<>();

    ClientPause(Server server) {
        this.server = server;
    }

    /** CLIENT PAUSE: until {@code end} (Unix ms); a longer earlier end and ALL are kept. */
    public void pauseByClient(long end, boolean all) {
        int a = all || (byClientActions & CLIENT_ALL) != 0 ? ALL_SET : WRITE_SET;
        byClientActions = a;
        if (byClientEnd < end) {
            byClientEnd = end;
        }
        update();
    }

    /** Writes paused while a shutdown waits for replicas (Redis PAUSE_DURING_SHUTDOWN). */
    private boolean duringShutdown;

    /** A shutdown started (true) or was cancelled (false) waiting for lagging replicas. */
    public void pauseDuringShutdown(boolean on) {
        duringShutdown = on;
        update();
    }

    /** CLIENT UNPAUSE. */
    public void unpauseByClient() {
        byClientActions = 0;
        byClientEnd = 0;
        update();
    }

    /**
     * Recomputes what is paused from the pause end times (Redis updatePausedActions); when the
     * pause becomes less strict, the postponed clients are let go.
     */
    public void update() {
        int prev = actions;
        long now = server.clock.millis();
        if (byClientEnd > now) {
            actions = byClientActions;
        } else {
            byClientActions = 0;
            byClientEnd = 0;
            actions = 0;
        }
        if (duringShutdown) {
            actions |= WRITE_SET;
        }
        if ((actions & CLIENT_MASK) < (prev & CLIENT_MASK)) {
            releaseAll();
        }
    }

    /** Whether any of {@code mask} is paused, after expiring an ended pause. */
    public boolean paused(int mask) {
        if ((actions & mask) == 0) {
            return false;
        }
        update();
        return (actions & mask) != 0;
    }

    /** Key expiry must wait (lazy deletion and the active cycle). */
    public boolean expiryPaused() {
        return paused(EXPIRE);
    }

    /**
     * Whether {@code cmd} from {@code c} must wait (Redis processCommand's pause check). An EXEC
     * counts as the union of its queued commands; scripts declare their flags once scripting
     * exists (a non-read-only EVAL/FCALL counts as may-replicate through its command flags).
     */
    public boolean postpones(Client c, Command cmd) {
        if ((actions & CLIENT_MASK) == 0 || !paused(CLIENT_MASK)) {
            return false;
        }
        if ((actions & CLIENT_ALL) != 0) {
            return true;
        }
        long mayReplicate = CommandFlags.WRITE | CommandFlags.MAY_REPLICATE;
        if ((server.scripting.commandFlags(c, cmd) & mayReplicate) != 0) {
            return true;
        }
        return "exec".equals(cmd.name()) && c.has(Client.MULTI)
                && (server.transactions.queuedFlags(c) & mayReplicate) != 0;
    }

    /** Redis blockPostponeClient. */
    public void postpone(Client c) {
        c.flags |= Client.POSTPONED;
        postponed.add(c);
    }

    /** Lets every postponed client run its command again, in the order they were postponed. */
    private void releaseAll() {
        if (postponed.isEmpty()) {
            return;
        }
        ArrayList<Client> list = new ArrayList<>(postponed);
        postponed.clear();
        for (Client c : list) {
            ClientConnection conn = c.conn;
            if (conn != null) {
                conn.execute(conn::resumePostponed);
            } else {
                c.flags &= ~Client.POSTPONED;
            }
        }
    }

    /** A postponed client disconnected. */
    void forget(Client c) {
        if (c.has(Client.POSTPONED)) {
            postponed.remove(c);
            c.flags &= ~Client.POSTPONED;
        }
    }

    /** Clients waiting for the pause to end (INFO blocked_clients counts them). */
    public int postponedCount() {
        return postponed.size();
    }
}
