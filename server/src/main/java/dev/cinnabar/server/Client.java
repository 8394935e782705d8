package dev.cinnabar.server;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.ArgList;
import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.keyspace.Database;
import java.nio.charset.StandardCharsets;

/**
 * One client of the server, as commands see it (Redis's {@code client}): the current request's
 * arguments, the reply writer, the selected database and the connection state that commands
 * read or change (name, protocol, flags, MULTI state...).
 *
 * <p>Transport details live in {@code net.Connection}; a client without a connection is a fake
 * client (scripts, AOF loading). Every field is accessed only on the client's own event loop
 * while the server lock is held, unless stated otherwise.
 */
public final class Client {
    // ---- flags (subset of Redis's CLIENT_*) -----------------------------------------------------
    public static final int CLOSE_AFTER_REPLY = 1;
    public static final int MULTI = 1 << 1;
    public static final int DIRTY_EXEC = 1 << 2;
    public static final int DIRTY_CAS = 1 << 3;
    public static final int PUBSUB = 1 << 4;
    public static final int BLOCKED = 1 << 5;
    public static final int NO_EVICT = 1 << 6;
    public static final int NO_TOUCH = 1 << 7;
    public static final int REPLY_OFF = 1 << 8;
    public static final int REPLY_SKIP = 1 << 9;
    public static final int REPLY_SKIP_NEXT = 1 << 10;
    public static final int PROTOCOL_ERROR = 1 << 11;
    public static final int FAKE = 1 << 12;
    public static final int CLOSE_ASAP = 1 << 13;
    public static final int MONITOR = 1 << 14;
    public static final int READONLY_CLUSTER = 1 << 15;
    /** Set while a command runs; an error reply then counts as a failed call. */
    public static final int EXECUTING = 1 << 16;
    /** Set while EXEC runs the queued commands. */
    public static final int IN_EXEC = 1 << 17;
    /**
     * The current command waits for the end of a CLIENT PAUSE (Redis BLOCKED_POSTPONE): the
     * connection stops processing requests, the command stays in {@link #args}, and
     * {@link ClientConnection#resumePostponed} runs it again when the pause ends.
     */
    public static final int POSTPONED = 1 << 24;

    /**
     * Blocking commands must not block (Redis CLIENT_DENY_BLOCKING): scripts and other callers
     * that cannot wait set it; such commands then answer as if they had timed out.
     */
    public static final int DENY_BLOCKING = 1 << 18;
    /**
     * The client scripts run their commands through (Redis CLIENT_SCRIPT): commands whose output
     * order would otherwise be arbitrary make it deterministic (SORT of a set BY a constant).
     */
    public static final int SCRIPT = 1 << 27;

    // Client-side caching (Redis CLIENT_TRACKING*), managed by tracking.Tracking.
    public static final int TRACKING = 1 << 19;
    /** The redirection client went away: invalidations cannot be delivered. */
    public static final int TRACKING_BROKEN_REDIR = 1 << 20;
    public static final int TRACKING_BCAST = 1 << 21;
    public static final int TRACKING_OPTIN = 1 << 22;
    public static final int TRACKING_OPTOUT = 1 << 23;
    /** CLIENT CACHING YES/NO was given for the next command (or transaction). */
    public static final int TRACKING_CACHING = 1 << 25;
    public static final int TRACKING_NOLOOP = 1 << 26;
    /**
     * An attached replica (Redis CLIENT_SLAVE, set by SYNC/PSYNC): it receives the replication
     * stream, may not touch the keyspace, and is disconnected if a command of its produces a reply.
     */
    public static final int REPLICA = 1 << 28;
    /**
     * The client applying the replication stream of this server's master (Redis CLIENT_MASTER):
     * its commands are obeyed even on a read-only replica and their replies are dropped.
     */
    public static final int MASTER = 1 << 29;

    public final Server server;
    public final long id;
    public ArgList args;
    public final ReplyWriter reply;
    /** The transport, or null for fake clients. */
    public final ClientConnection conn;

    public int flags;
    public Database db;
    public Command cmd;
    public Command lastCmd;
    /** Command time snapshot (ms): keys do not expire while one command runs. */
    public long now;
    public String name;
    public String libName;
    public String libVer;
    public String user = "default";
    public boolean authenticated;
    public final long createdMillis;
    public long lastInteractionMillis;
    /** An error reply was written by the running command (for failed_calls / rejected_calls). */
    public boolean erred;
    /**
     * Arguments of the running command that must never be shown (Redis
     * redactClientCommandArgument): bit i set = argument i is printed as "(redacted)" by
     * anything that echoes commands (slow log, MONITOR). Cleared before every command.
     */
    public long redactedArgs;
    /**
     * Changes the running command made to the dataset (Redis server.dirty increments, INFO
     * rdb_changes_since_last_save), for commands that count them as Redis does (a SETBIT that
     * changes nothing counts 0). -1 = not set: a write command then counts as one change.
     * Reset after every command.
     */
    public long dirtyChanges = -1;
    /** This client's buffers as last counted in the server's used memory (maxmemory). */
    public long memAccounted;
    /**
     * The replication offset right after the last command of this client that added to the
     * replication stream (Redis c->woff): what WAIT waits for replicas to acknowledge.
     */
    public long replOffset;
    /** Scratch space for option parsers, so parsing allocates nothing. */
    public final int[] scratch = new int[8];
    /** Scratch bytes for formatting a number into a stored value (INCR...) without allocating. */
    public final byte[] numScratch = new byte[24];
    /** MULTI/WATCH state, owned by {@link Transactions} (null until first used). */
    Object multiState;
    /** Watched keys that were already expired when watched (owned by Transactions). */
    Object watchExpired;
    /** Pub/Sub subscriptions and undelivered messages (owned by PubSub; null until first used). */
    public dev.cinnabar.server.pubsub.Subscriber subscriber;
    /**
     * Unix time (s) the client's pending output first went over its class's soft
     * client-output-buffer-limit, 0 while under it (Redis obuf_soft_limit_reached_time).
     */
    public long obufSoftLimitSince;
    /** CLIENT TRACKING REDIRECT id (0 = none); meaningful while {@link #TRACKING} is set. */
    public long trackingRedirect;
    /** BCAST prefixes of this client, in byte order (null when none). */
    public java.util.TreeSet<dev.cinnabar.server.util.ByteKey> trackingPrefixes;

    public Client(Server server, long id, ArgList args, ReplyWriter reply, ClientConnection conn) {
        this.server = server;
        this.id = id;
        this.args = args;
        this.reply = reply;
        this.conn = conn;
        this.db = server.db(0);
        this.createdMillis = server.clock.millis();
        this.lastInteractionMillis = createdMillis;
        this.authenticated = !server.authRequired();
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public int resp() {
        return reply.resp();
    }

    // ---- arguments -------------------------------------------------------------------------------

    public int argc() {
        return args.size();
    }

    public byte[] argData() {
        return args.data();
    }

    public int argOff(int i) {
        return args.offset(i);
    }

    public int argLen(int i) {
        return args.length(i);
    }

    public byte[] argCopy(int i) {
        return args.copy(i);
    }

    public String argString(int i) {
        return args.string(i);
    }

    /** Case-insensitive compare with a lower-case ASCII word. */
    public boolean argIs(int i, byte[] lower) {
        return args.is(i, lower);
    }

    public boolean argIs(int i, String word) {
        return args.is(i, word);
    }

    /** Hides argument {@code i} of the running command from command logs (secrets). */
    public void redactArg(int i) {
        if (i < 64) {
            redactedArgs |= 1L << i;
        }
    }

    public boolean argRedacted(int i) {
        return i < 64 && (redactedArgs & (1L << i)) != 0;
    }

    // ---- errors (counted in INFO errorstats as Redis does) ----------------------------------

    /** Replies with an error; {@code text} starts with its code ("ERR ...", "WRONGTYPE ..."). */
    public void error(String text) {
        erred = true;
        server.stats.countError(text);
        reply.error(text);
    }

    public void wrongType() {
        error(Errors.WRONGTYPE);
    }

    public void syntaxError() {
        error(Errors.SYNTAX);
    }

    public void notInteger() {
        error(Errors.NOT_INTEGER);
    }

    public void notFloat() {
        error(Errors.NOT_FLOAT);
    }

    public void arityError() {
        error(Errors.arity(cmd.fullName()));
    }

    // ---- numeric arguments (Redis getLongLongFromObjectOrReply family) ---------------------

    private long parsed;

    /**
     * Parses argument {@code i} as a 64-bit integer; on failure replies {@code err} (or
     * "value is not an integer or out of range") and returns false. The value is then in
     * {@link #parsed()}.
     */
    public boolean parseLong(int i, String err) {
        byte[] d = args.data();
        int off = args.offset(i);
        int len = args.length(i);
        long v = Ascii.parseLongOr(d, off, len, Long.MIN_VALUE);
        if (v == Long.MIN_VALUE && !Ascii.isLong(d, off, len)) {
            error(err != null ? err : Errors.NOT_INTEGER);
            return false;
        }
        parsed = v;
        return true;
    }

    public boolean parseLong(int i) {
        return parseLong(i, null);
    }

    /** The value of the last successful {@link #parseLong}. */
    public long parsed() {
        return parsed;
    }

    /** Argument as text for error messages, as Redis prints sds with %s. */
    public String argForMessage(int i) {
        return new String(args.data(), args.offset(i), args.length(i), StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return "client#" + id;
    }
}
