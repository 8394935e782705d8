package dev.cinnabar.server.scripting;

import dev.cinnabar.server.Client;

/**
 * The script or function running now (Redis scriptRunCtx): who called it, the client its
 * commands run as, what it may do, and its state while it runs too long.
 *
 * <p>Fields are read and written under the server lock; {@link #killed} is also set by SCRIPT
 * KILL / FUNCTION KILL from other clients while the script is busy.
 */
public final class ScriptRun {
    // Flags a script declares (shebang "flags=..." or register_function flags), Redis's values.
    public static final int FLAG_NO_WRITES = 1;
    public static final int FLAG_ALLOW_OOM = 1 << 1;
    public static final int FLAG_ALLOW_STALE = 1 << 2;
    public static final int FLAG_NO_CLUSTER = 1 << 3;
    /** No shebang: an EVAL script of the pre-7.0 kind, with the old rules. */
    public static final int FLAG_EVAL_COMPAT = 1 << 4;
    public static final int FLAG_ALLOW_CROSS_SLOT = 1 << 5;

    /** Flag names in Redis's order (FUNCTION LIST, shebang parsing). */
    static final String[] FLAG_NAMES = {"no-writes", "allow-oom", "allow-stale", "no-cluster", null,
        "allow-cross-slot-keys"};

    // Replication targets of redis.set_repl (Redis PROPAGATE_*).
    public static final int REPL_AOF = 1;
    public static final int REPL_REPLICA = 2;

    public final Client caller;
    /** The client commands of the script run as (Redis lua_client / the engine's client). */
    public final Client client;
    /** "f_<sha1>" for EVAL, the function name for FCALL. */
    public final String name;
    public final boolean eval;
    public final long startNanos;
    /** Command time of the caller: keys do not expire and TIME stands still while it runs. */
    public final long startMillis;
    public final long startMicros;

    public boolean readOnly;
    public boolean allowOom;
    public boolean allowCrossSlot;
    /** Used memory was over maxmemory when the script started (Redis pre_command_oom_state). */
    public boolean oomAtStart;
    /** A write command ran: the script can no longer be killed. */
    public boolean wroteData;
    /** Ran past busy-reply-threshold: other clients get BUSY and may kill it. */
    public volatile boolean timedOut;
    public volatile boolean killed;
    /** redis.set_repl targets. */
    public int repl = REPL_AOF | REPL_REPLICA;

    ScriptRun(Client caller, Client client, String name, boolean eval, long startNanos, long startMicros) {
        this.caller = caller;
        this.client = client;
        this.name = name;
        this.eval = eval;
        this.startNanos = startNanos;
        this.startMillis = caller.now;
        this.startMicros = startMicros;
    }

    /** Milliseconds since the script started (FUNCTION STATS duration_ms). */
    public long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
