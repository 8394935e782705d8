package dev.cinnabar.server.replication;

import dev.cinnabar.resp.ArgList;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.command.CommandFlags;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * What changed the data set, as commands for replicas (Redis server.c call() propagation,
 * alsoPropagate, propagatePendingCommands and execution units).
 *
 * <p>Every command run through {@code Dispatcher.call} is a nested step of an <em>execution
 * unit</em>: the top-level command (EXEC counts as one), a served blocked command, or one key
 * removed by active expiry. While a unit runs, its effects are encoded, in order, as stream
 * commands: a command that changed the data set contributes its own arguments, or the ones it
 * asked for ({@link #rewrite}: SET EX becomes SET PXAT, GETDEL becomes DEL...), after any extra
 * operations it added ({@link #also}: SPOP's SREMs, the DEL of a key found expired on the way).
 * When the unit ends, the encoded commands go to the replication stream, wrapped in MULTI/EXEC
 * when there is more than one, unless the top-level command touches arbitrary keys (SCAN,
 * RANDOMKEY: their lazy-expiry DELs are independent).
 *
 * <p>"Changed the data set" is Redis's dirty counter: the keyspace writes the command made
 * ({@code Stats.keyspaceChanges}, counted by every {@code Database.modified}), or the count a
 * command sets itself ({@code Client.dirtyChanges}); only commands flagged write or
 * may-replicate count keyspace writes. FLUSHALL, FLUSHDB, SWAPDB, PUBLISH and FUNCTION FLUSH
 * force their propagation.
 *
 * <p>Nothing is recorded while nobody listens ({@link #active}): no encoding, no rewrites
 * (callers check {@link #active} before building one), one boolean test per command. While
 * recording, a command's own arguments are encoded straight from the client's argument arena
 * into one reused unit buffer, so propagating an unrewritten command allocates nothing here.
 *
 * <p>The unit has two consumers, as Redis's propagateNow feeds both: the replication stream
 * and the append-only file (while appendonly is on). Each tracks its own current database
 * (Redis slaveseldb and aof_selected_db), so the unit is encoded without SELECTs, with the
 * database of each command kept beside it; {@link #unitFor} inserts the SELECTs a consumer
 * needs, and hands out the unit buffer itself when it needs none (the common case).
 * Accessed with the server lock held.
 */
public final class Propagation {
    private static final int PREVENT = 1;
    private static final int FORCE = 2;

    static final byte[] DEL = Ascii.bytes("DEL");
    static final byte[] UNLINK = Ascii.bytes("UNLINK");

    private final Server server;
    private final Replication replication;
    /** The current unit's commands, encoded (reused from unit to unit). */
    private final ByteBuf unit = Unpooled.buffer(4096);
    /** Capacity the unit buffer keeps between units. */
    private static final int UNIT_KEEP = 64 * 1024;
    private int unitCommands;
    /** Per command of the unit: its database (-1: none) and where its encoding starts. */
    private int[] unitDbs = new int[16];
    private int[] unitStarts = new int[16];
    /** {@link #unitFor}'s output when SELECTs must be inserted (reused). */
    private final ByteBuf withSelects = Unpooled.buffer(256);
    /** The append-only file takes the stream (appendonly on, not loading). */
    private boolean aofFeeding;
    /** Loading a data set (AOF replay): nothing is propagated (Redis server.loading). */
    private boolean loading;
    /** See {@link #mute}. */
    private boolean muted;
    /** Commands running, outermost first (EXEC, then the queued command). */
    private int nesting;
    /** The running command's rewritten argv (null: propagate its own) and flags. */
    private byte[][] rewritten;
    private int flags;
    // Per nesting level: the state of the enclosing command and where the change count stood.
    private byte[][][] savedRewritten = new byte[4][][];
    private int[] savedFlags = new int[4];
    private long[] changesAtStart = new long[4];
    /** The stream offset when the current unit started. */
    private long offsetAtStart;

    public Propagation(Server server, Replication replication) {
        this.server = server;
        this.replication = replication;
    }

    /**
     * Whether effects are recorded: the stream has consumers (the replication backlog exists,
     * from the first replica's attachment until repl-backlog-ttl after the last one left) and
     * this server is no replica (a replica passes its master's stream on instead).
     */
    public boolean active() {
        return !loading && (aofFeeding || replication.recording());
    }

    /** The append-only file starts or stops taking the stream (Redis aof_state != AOF_OFF). */
    public void aofFeeding(boolean on) {
        aofFeeding = on;
    }

    /** While {@code on}, a data set is being loaded: nothing is recorded (Redis server.loading). */
    public void loading(boolean on) {
        loading = on;
    }

    /** Whether a command is running (an execution unit is open). */
    boolean running() {
        return nesting > 0;
    }

    // ---- the API commands use -------------------------------------------------------------------

    /**
     * Propagates {@code argv} instead of the running command's arguments (Redis
     * rewriteClientCommandVector). Only meaningful when {@link #active}; callers check first
     * so that nothing is built for nobody.
     */
    public void rewrite(byte[]... argv) {
        if (nesting > 0) {
            rewritten = argv;
        }
    }

    /** {@link #rewrite(byte[]...)} with the arguments of another request (GEOADD's ZADD). */
    public void rewrite(ArgList args) {
        if (nesting > 0) {
            rewritten = copyArgs(args);
        }
    }

    /**
     * Replaces argument {@code i} of what the running command propagates, extending the vector
     * when {@code i} is past its end (Redis rewriteClientCommandArgument).
     */
    public void rewriteArg(Client c, int i, byte[] value) {
        if (nesting == 0) {
            return;
        }
        byte[][] v = rewritten != null ? rewritten : copyArgs(c.args);
        if (i >= v.length) {
            v = Arrays.copyOf(v, i + 1);
        }
        v[i] = value;
        rewritten = v;
    }

    /**
     * Adds a command to the current unit, before the running command's own (Redis
     * alsoPropagate). Not affected by {@link #prevent}.
     */
    public void also(int db, byte[]... argv) {
        if (nesting > 0) {
            startCommand(db);
            replication.encode(unit, -1, argv);
        }
    }

    /** The running command is not propagated itself (its effects went through {@link #also}). */
    public void prevent() {
        if (nesting > 0) {
            flags |= PREVENT;
        }
    }

    /**
     * While {@code on}, commands run are not recorded themselves (a script's redis.set_repl
     * without the replica target); what they add with {@link #also}, and expiry DELs, still are.
     */
    public void mute(boolean on) {
        muted = on;
    }

    /** The running command is propagated even if it changed nothing (FLUSHALL on an empty db). */
    public void force() {
        if (nesting > 0) {
            flags |= FORCE;
        }
    }

    /** DEL, or UNLINK when {@code lazy} (the lazyfree-lazy-* setting that applies). */
    public static byte[] deleteCommand(boolean lazy) {
        return lazy ? UNLINK : DEL;
    }

    // ---- hooks of call() and of expiry -----------------------------------------------------------

    /** A command starts (Dispatcher.call, only while {@link #active}). */
    public void enter() {
        int n = nesting;
        if (n == savedFlags.length) {
            savedRewritten = Arrays.copyOf(savedRewritten, n * 2);
            savedFlags = Arrays.copyOf(savedFlags, n * 2);
            changesAtStart = Arrays.copyOf(changesAtStart, n * 2);
        }
        savedRewritten[n] = rewritten;
        savedFlags[n] = flags;
        changesAtStart[n] = server.stats.keyspaceChanges;
        if (n == 0) {
            offsetAtStart = replication.offset();
        }
        rewritten = null;
        flags = 0;
        nesting = n + 1;
    }

    /**
     * The command that {@link #enter} announced has run: records it if it changed the data set
     * and was not prevented, and ends the unit when it was the outermost one.
     */
    public void exit(Client c) {
        int n = --nesting;
        Command cmd = c.cmd;
        if (!c.has(Client.BLOCKED) && (flags & PREVENT) == 0 && !muted && !cmd.name().equals("exec")) {
            long dirty;
            if (c.dirtyChanges >= 0) {
                dirty = c.dirtyChanges;
            } else if (cmd.has(CommandFlags.WRITE) || cmd.has(CommandFlags.MAY_REPLICATE)) {
                dirty = server.stats.keyspaceChanges - changesAtStart[n];
            } else {
                dirty = 0;
            }
            if (dirty > 0 || (flags & FORCE) != 0) {
                startCommand(c.db.id);
                if (rewritten != null) {
                    replication.encode(unit, -1, rewritten);
                } else {
                    replication.encode(unit, -1, c.args);
                }
            }
        }
        rewritten = savedRewritten[n];
        savedRewritten[n] = null;
        flags = savedFlags[n];
        if (n == 0) {
            endUnit(cmd);
            if (replication.offset() != offsetAtStart) {
                // Redis c->woff: what WAIT waits for replicas to acknowledge.
                c.replOffset = replication.offset();
            }
            replication.unitEnded();
        }
    }

    /**
     * A key was deleted because it expired (lazily during a command, or by active expiry):
     * replicas delete it too. Outside any command it is a unit of its own, so a cycle that
     * expires many keys sends independent DELs.
     */
    public void expired(int db, byte[] k, int off, int len) {
        if (active()) {
            deleted(db, k, off, len, server.config.memory.lazyfreeLazyExpire.get());
        }
    }

    /**
     * A key was evicted for maxmemory (Redis propagateDeletion from performEvictions): as
     * {@link #expired}, with UNLINK chosen by lazyfree-lazy-eviction.
     */
    public void evicted(int db, byte[] k, int off, int len) {
        if (active()) {
            deleted(db, k, off, len, server.config.memory.lazyfreeLazyEviction.get());
        }
    }

    private void deleted(int db, byte[] k, int off, int len, boolean lazy) {
        startCommand(db);
        replication.encodeKeyCommand(unit, -1, deleteCommand(lazy), k, off, len);
        if (nesting == 0) {
            endUnit(null);
        }
    }

    /** Redis propagatePendingCommands. */
    private void endUnit(Command top) {
        if (unitCommands == 0) {
            return;
        }
        boolean transaction = unitCommands > 1 && (top == null || !top.has(CommandFlags.TOUCHES_ARBITRARY_KEYS));
        if (replication.recording()) {
            replication.feed(this, transaction);
        } else if (aofFeeding) {
            // Redis replicationFeedSlaves without a backlog: the offset still moves (by one per
            // command fed, MULTI and EXEC included), for WAITAOF's fsynced offset.
            replication.countUnrecorded(unitCommands + (transaction ? 2 : 0));
        }
        if (aofFeeding) {
            server.aof.feed(this, transaction);
        }
        unit.clear();
        if (unit.capacity() > UNIT_KEEP) {
            unit.capacity(UNIT_KEEP); // a huge unit (a big SPOP, a large MSET) lends its memory back
        }
        unitCommands = 0;
    }

    /** Records that the next encoded command of the unit runs in database {@code db}. */
    private void startCommand(int db) {
        int n = unitCommands;
        if (n == unitDbs.length) {
            unitDbs = Arrays.copyOf(unitDbs, n * 2);
            unitStarts = Arrays.copyOf(unitStarts, n * 2);
        }
        unitDbs[n] = db;
        unitStarts[n] = unit.writerIndex();
        unitCommands = n + 1;
    }

    // ---- the finished unit, for its consumers ---------------------------------------------------------

    /**
     * The unit's commands as a consumer whose stream is in database {@code selected} (-1:
     * unknown) must receive them: with a SELECT before each command whose database differs
     * from the one before it. Returns the unit buffer itself when no SELECT is needed, else a
     * reused scratch buffer; either is only valid until the next call. Not consumed (readers
     * read from {@code readerIndex()} without moving it, or copy).
     */
    public ByteBuf unitFor(int selected) {
        int cur = selected;
        boolean needed = false;
        for (int i = 0; i < unitCommands; i++) {
            int db = unitDbs[i];
            if (db >= 0 && db != cur) {
                needed = true;
                break;
            }
        }
        if (!needed) {
            return unit;
        }
        ByteBuf out = withSelects;
        out.clear();
        cur = selected;
        for (int i = 0; i < unitCommands; i++) {
            int db = unitDbs[i];
            if (db >= 0 && db != cur) {
                writeSelect(out, db);
                cur = db;
            }
            int end = i + 1 < unitCommands ? unitStarts[i + 1] : unit.writerIndex();
            out.writeBytes(unit, unitStarts[i], end - unitStarts[i]);
        }
        return out;
    }

    /** The database a consumer's stream is in after the unit, when it was in {@code selected} before. */
    public int dbAfter(int selected) {
        for (int i = unitCommands - 1; i >= 0; i--) {
            if (unitDbs[i] >= 0) {
                return unitDbs[i];
            }
        }
        return selected;
    }

    private static final byte[] SELECT_HEAD = Ascii.bytes("*2\r\n$6\r\nSELECT\r\n$");

    /** "SELECT db" as a RESP multibulk (Redis builds the same bytes for replicas and the AOF). */
    public static void writeSelect(ByteBuf b, int db) {
        byte[] digits = Ascii.longBytes(db);
        b.writeBytes(SELECT_HEAD);
        b.writeBytes(Ascii.longBytes(digits.length));
        b.writeByte('\r').writeByte('\n');
        b.writeBytes(digits);
        b.writeByte('\r').writeByte('\n');
    }

    static byte[][] copyArgs(ArgList a) {
        byte[][] v = new byte[a.size()][];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.copy(i);
        }
        return v;
    }
}
