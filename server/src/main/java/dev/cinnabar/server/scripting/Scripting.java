package dev.cinnabar.server.scripting;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.cinnabar.resp.ArgList;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.Doubles;
import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Errors;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.command.CommandFlags;
import dev.cinnabar.server.config.ConfigText;
import dev.cinnabar.server.scripting.lua.Lua;
import dev.cinnabar.server.scripting.lua.LuaState;
import io.netty.buffer.ByteBuf;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scripting engine of one server: the EVAL script cache, the Lua interpreters, the script
 * that is running, redis.call, and the busy-script protocol (BUSY replies to other clients,
 * SCRIPT KILL / FUNCTION KILL, SHUTDOWN NOSAVE).
 *
 * <p>Interpreters are per thread: a script runs on the thread that received its command, in
 * that thread's interpreter, while holding the server lock for its whole run. Compiled code is
 * a per-interpreter cache of the server-wide script cache and function libraries, filled on
 * first use. Everything here is accessed with the server lock held.
 */
public final class Scripting {
    /**
     * Memory one interpreter may use by default; past it Lua code gets "not enough memory"
     * (Redis has no limit: a runaway script there grows until the system kills the process).
     */
    static final long LUA_MEMORY_LIMIT = Long.getLong("cinnabar.lua.maxmemory", 1L << 30);
    private long luaMemoryLimit = LUA_MEMORY_LIMIT;

    public static final String NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";
    static final String BUSY_EVAL =
            "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    static final String BUSY_FUNCTION =
            "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
    /** Redis calls the Lua garbage collector for a few steps every this many scripts. */
    private static final int GC_PERIOD = 50;

    final Server server;
    final EvalScripts scripts = new EvalScripts();
    private final Map<Thread, LuaSandbox> evalVms = new HashMap<>();
    private final Map<Thread, LuaSandbox> functionVms = new HashMap<>();
    private Client evalClient;
    private Client functionClient;
    private ReplyBuffers evalBuffers;
    private ReplyBuffers functionBuffers;
    /** The script or function running now, or null (volatile: the acceptor thread peeks). */
    volatile ScriptRun running;
    /** FUNCTION LOAD running library code (redis.register_function collects here), or null. */
    FunctionLoader.Load loading;
    final Lrand48 random = new Lrand48();
    private int gcCountdown = GC_PERIOD;
    private final byte[] numBuf = new byte[Doubles.MAX_CHARS + 2];

    public Scripting(Server server) {
        this.server = server;
    }

    // ---- state seen by the rest of the server -----------------------------------------------------

    /** The running script, or null (FUNCTION STATS, TIME inside scripts). */
    public ScriptRun running() {
        return running;
    }

    /** A script ran past busy-reply-threshold: other clients get BUSY (Redis scriptIsTimedout). */
    public boolean busy() {
        ScriptRun r = running;
        return r != null && r.timedOut;
    }

    /** The BUSY error other clients get while {@link #busy()}. */
    public String busyError() {
        ScriptRun r = running;
        return r == null || r.eval ? BUSY_EVAL : BUSY_FUNCTION;
    }

    /** SCRIPT KILL (eval) / FUNCTION KILL: Redis scriptKill. */
    public void kill(Client c, boolean eval) {
        ScriptRun r = running;
        if (r == null) {
            c.error("NOTBUSY No scripts in execution right now.");
        } else if (r.wroteData) {
            c.error("UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
                    + "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
                    + "NOSAVE command.");
        } else if (eval && !r.eval) {
            c.error(BUSY_FUNCTION);
        } else if (!eval && r.eval) {
            c.error(BUSY_EVAL);
        } else {
            r.killed = true;
            c.reply.ok();
        }
    }

    /** SHUTDOWN NOSAVE while a script runs: it must end, whatever it did. */
    public void killForShutdown() {
        ScriptRun r = running;
        if (r != null) {
            r.killed = true;
        }
    }

    /** Bytes used by the EVAL interpreters (INFO used_memory_lua / used_memory_vm_eval). */
    public long evalVmMemory() {
        if (evalVms.isEmpty()) {
            evalVm(); // Redis always has its interpreter: report a fresh one's size
        }
        long n = 0;
        for (LuaSandbox vm : evalVms.values()) {
            n += vm.memory();
        }
        return n;
    }

    /** Bytes used by the FUNCTION interpreters (INFO used_memory_vm_functions). */
    public long functionVmMemory() {
        if (functionVms.isEmpty()) {
            functionVm();
        }
        long n = 0;
        for (LuaSandbox vm : functionVms.values()) {
            n += vm.memory();
        }
        return n;
    }

    /** Sets the memory budget of every interpreter (tests use a small one). */
    public void luaMemoryLimit(long bytes) {
        luaMemoryLimit = bytes;
        for (LuaSandbox vm : evalVms.values()) {
            vm.state.memoryLimit(bytes);
        }
        for (LuaSandbox vm : functionVms.values()) {
            vm.state.memoryLimit(bytes);
        }
    }

    public int cachedScripts() {
        return scripts.size();
    }

    /** Script bodies and their cache overhead (INFO used_memory_scripts_eval). */
    public long scriptsMemory() {
        return scripts.memory();
    }

    // ---- interpreters ---------------------------------------------------------------------------

    LuaSandbox evalVm() {
        Thread t = Thread.currentThread();
        LuaSandbox vm = evalVms.get(t);
        if (vm == null) {
            vm = new LuaSandbox(this, false, luaMemoryLimit);
            evalVms.put(t, vm);
        }
        return vm;
    }

    LuaSandbox functionVm() {
        Thread t = Thread.currentThread();
        LuaSandbox vm = functionVms.get(t);
        if (vm == null) {
            vm = new LuaSandbox(this, true, luaMemoryLimit);
            functionVms.put(t, vm);
        }
        return vm;
    }

    /** Interpreters of the FUNCTION engine other than this thread's (they reload lazily). */
    List<LuaSandbox> functionVms() {
        return new ArrayList<>(functionVms.values());
    }

    /** Drops every FUNCTION interpreter (FUNCTION FLUSH / RESTORE FLUSH start from scratch). */
    void resetFunctionVms() {
        for (LuaSandbox vm : functionVms.values()) {
            vm.close();
        }
        functionVms.clear();
    }

    /**
     * The reply buffer of a script client: replies of the commands a script runs are parsed
     * right away, so one heap buffer is handed out again and again (a direct or a fresh buffer
     * per redis.call would be an allocation each time).
     */
    private static final class ReplyBuffers extends io.netty.buffer.AbstractByteBufAllocator {
        private ByteBuf spare;

        ReplyBuffers() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = spare;
            if (b != null) {
                spare = null;
                b.clear();
                return b;
            }
            return new io.netty.buffer.UnpooledHeapByteBuf(this, Math.max(initialCapacity, 1024), maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public ByteBuf ioBuffer(int initialCapacity) {
            return heapBuffer(initialCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        /** Takes a parsed reply buffer back for the next command (big ones are dropped). */
        void recycle(ByteBuf b) {
            if (spare == null && b.capacity() <= 64 * 1024) {
                spare = b;
            } else {
                b.release();
            }
        }
    }

    private Client scriptClient(boolean eval) {
        Client c = eval ? evalClient : functionClient;
        if (c == null) {
            ReplyBuffers buffers = new ReplyBuffers();
            c = new Client(server, server.clients.nextId(), new ArgList(), new ReplyWriter(buffers), null);
            // Scripts never block (blocking commands answer as on timeout) and keep SORT's
            // output deterministic (Redis CLIENT_SCRIPT | CLIENT_DENY_BLOCKING).
            c.flags |= Client.SCRIPT | Client.DENY_BLOCKING | Client.FAKE;
            c.authenticated = true;
            if (eval) {
                evalClient = c;
                evalBuffers = buffers;
            } else {
                functionClient = c;
                functionBuffers = buffers;
            }
        }
        return c;
    }

    // ---- EVAL / EVALSHA / SCRIPT ------------------------------------------------------------------

    /** EVAL, EVALSHA and their _RO variants (Redis evalGenericCommand). */
    public void eval(Client c, boolean bySha, boolean ro) {
        // EVAL is skip_monitor: it feeds monitors itself, so its line comes before the lines of
        // the commands it runs (Redis evalCommand), whatever happens next.
        server.ops.monitors.feed(c);
        if (bySha && c.argLen(1) != 40) {
            c.error(NOSCRIPT);
            return;
        }
        if (!c.parseLong(2)) {
            return;
        }
        long numkeys = c.parsed();
        if (numkeys > c.argc() - 3) {
            c.error("ERR Number of keys can't be greater than number of args");
            return;
        } else if (numkeys < 0) {
            c.error("ERR Number of keys can't be negative");
            return;
        }
        LuaSandbox vm = evalVm();
        EvalScripts.Script script;
        if (bySha) {
            script = scripts.find(c.argData(), c.argOff(1), c.argLen(1));
            if (script == null) {
                c.error(NOSCRIPT);
                return;
            }
        } else {
            script = createScript(c, vm, c.argData(), c.argOff(1), c.argLen(1));
            if (script == null) {
                return;
            }
        }
        int ref = compiled(vm, script, c);
        if (ref == Integer.MIN_VALUE) {
            return;
        }
        ScriptRun run = prepare(c, scriptClient(true), script.funcName(), script.flags, ro, true);
        if (run == null) {
            return;
        }
        try {
            vm.runEval(run, ref, c, (int) numkeys);
        } finally {
            finish(vm, run);
        }
    }

    /**
     * The cached script for a body, compiling and caching it first if new (Redis
     * luaCreateFunction); null after replying the error.
     */
    EvalScripts.Script createScript(Client c, LuaSandbox vm, byte[] d, int off, int len) {
        byte[] sha = scripts.digest(d, off, len);
        EvalScripts.Script s = scripts.find(sha, 0, 40);
        if (s != null) {
            return s;
        }
        byte[] body = java.util.Arrays.copyOfRange(d, off, off + len);
        int[] flagsOut = new int[2];
        String err = shebangFlags(body, flagsOut);
        if (err != null) {
            c.error("ERR " + err);
            return null;
        }
        s = new EvalScripts.Script(sha.clone(), body, flagsOut[0], flagsOut[1]);
        if (compile(vm, s, c) == Integer.MIN_VALUE) {
            return null;
        }
        scripts.add(s);
        return s;
    }

    /** The registry reference of the script's function in {@code vm}, compiling it if needed. */
    private int compiled(LuaSandbox vm, EvalScripts.Script s, Client c) {
        int ref = s.refIn(vm);
        return ref >= 0 ? ref : compile(vm, s, c);
    }

    private int compile(LuaSandbox vm, EvalScripts.Script s, Client c) {
        // The shebang line is skipped but its newline kept, so line numbers stay the user's.
        int status = vm.state.load(s.body, s.shebangLength, s.body.length - s.shebangLength, "@user_script");
        if (status != Lua.OK) {
            String msg = vm.state.toJavaString(vm.L, -1);
            Lua.settop(vm.L, 0);
            c.error("ERR Error compiling script (new function): " + msg);
            return Integer.MIN_VALUE;
        }
        int ref = Lua.ref(vm.L, Lua.REGISTRYINDEX);
        s.compiledIn(vm, ref);
        return ref;
    }

    /** SCRIPT LOAD. */
    public void load(Client c) {
        EvalScripts.Script s = createScript(c, evalVm(), c.argData(), c.argOff(2), c.argLen(2));
        if (s != null) {
            c.reply.bulk(s.sha);
        }
    }

    /** SCRIPT EXISTS. */
    public void exists(Client c) {
        c.reply.arrayLen(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            if (scripts.find(c.argData(), c.argOff(i), c.argLen(i)) != null) {
                c.reply.one();
            } else {
                c.reply.zero();
            }
        }
    }

    /**
     * SCRIPT FLUSH: forgets every script and starts a fresh EVAL interpreter (Redis
     * scriptingReset), so the memory of the old one is given back.
     */
    public void flush() {
        scripts.clear();
        for (LuaSandbox vm : evalVms.values()) {
            vm.close();
        }
        evalVms.clear();
    }

    /**
     * Redis evalExtractShebangFlags: {@code out[0]} gets the flags (FLAG_EVAL_COMPAT without a
     * shebang), {@code out[1]} the length of the shebang line. Returns the error or null.
     */
    static String shebangFlags(byte[] body, int[] out) {
        out[0] = ScriptRun.FLAG_EVAL_COMPAT;
        out[1] = 0;
        if (body.length < 2 || body[0] != '#' || body[1] != '!') {
            return null;
        }
        int nl = -1;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                nl = i;
                break;
            }
            if (body[i] == 0) {
                break; // Redis reads the body as a C string here
            }
        }
        if (nl < 0) {
            return "Invalid script shebang";
        }
        String[] parts = ConfigText.splitArgs(new String(body, 0, nl, StandardCharsets.ISO_8859_1));
        if (parts == null || parts.length == 0) {
            return "Invalid engine in script shebang";
        }
        if (!parts[0].equals("#!lua")) {
            return "Unexpected engine in script shebang: " + parts[0];
        }
        int flags = 0;
        for (int j = 1; j < parts.length; j++) {
            if (!parts[j].startsWith("flags=")) {
                return "Unknown lua shebang option: " + parts[j];
            }
            String list = parts[j].substring(6);
            if (list.isEmpty()) {
                continue;
            }
            for (String f : list.split(",", -1)) {
                int bit = flagBit(f, false);
                if (bit == 0) {
                    return "Unexpected flag in script shebang: " + f;
                }
                flags |= bit;
            }
        }
        out[0] = flags;
        out[1] = nl;
        return null;
    }

    /** The flag bit of a script flag name (case-insensitive for register_function), or 0. */
    static int flagBit(String name, boolean ignoreCase) {
        for (int i = 0; i < ScriptRun.FLAG_NAMES.length; i++) {
            String n = ScriptRun.FLAG_NAMES[i];
            if (n != null && (ignoreCase ? n.equalsIgnoreCase(name) : n.equals(name))) {
                return 1 << i;
            }
        }
        return 0;
    }

    // ---- FCALL / FUNCTION -----------------------------------------------------------------------

    /** FCALL and FCALL_RO (Redis fcallCommandGeneric). */
    public void fcall(Client c, boolean ro) {
        server.ops.monitors.feed(c); // before the commands the function runs (Redis fcallCommandGeneric)
        FunctionLibraries.Function f = server.functions.function(c.argForMessage(1));
        if (f == null) {
            c.error("ERR Function not found");
            return;
        }
        long numkeys = dev.cinnabar.resp.Ascii.parseLongOr(c.argData(), c.argOff(2), c.argLen(2), Long.MIN_VALUE);
        if (numkeys == Long.MIN_VALUE && !dev.cinnabar.resp.Ascii.isLong(c.argData(), c.argOff(2), c.argLen(2))) {
            c.error("ERR Bad number of keys provided");
            return;
        }
        if (numkeys > c.argc() - 3) {
            c.error("ERR Number of keys can't be greater than number of args");
            return;
        } else if (numkeys < 0) {
            c.error("ERR Number of keys can't be negative");
            return;
        }
        ScriptRun run = prepare(c, scriptClient(false), f.name, f.flags, ro, false);
        if (run == null) {
            return;
        }
        LuaSandbox vm = functionVm();
        try {
            int ref = vm.functionRef(f);
            if (ref < 0) {
                c.error("ERR Error running script " + f.name + ", not enough memory");
                return;
            }
            vm.runFunction(run, ref, c, (int) numkeys);
        } finally {
            finish(vm, run);
        }
    }

    /** FUNCTION LOAD [REPLACE] code: the library name, or throws with Redis's error text. */
    public String loadLibrary(byte[] code, boolean replace, boolean fromMaster) throws FunctionLoader.LoadException {
        return FunctionLoader.create(this, code, replace, server.functions,
                fromMaster ? 0 : FunctionLoader.LOAD_TIMEOUT_MILLIS);
    }

    /** FUNCTION DELETE: false when there is no such library. */
    public boolean deleteLibrary(String name) {
        FunctionLibraries.Library lib = server.functions.library(name);
        if (lib == null) {
            return false;
        }
        server.functions.unlink(lib);
        dropEverywhere(lib);
        return true;
    }

    /** FUNCTION FLUSH: every library goes, and the interpreters start afresh. */
    public void flushLibraries() {
        server.functions.clear();
        resetFunctionVms();
    }

    void dropEverywhere(FunctionLibraries.Library lib) {
        for (LuaSandbox vm : functionVms.values()) {
            vm.dropLibrary(lib);
        }
    }

    /**
     * FUNCTION RESTORE: loads every library of {@code codes} (from a verified payload) under
     * the policy; throws with Redis's error text, leaving the current libraries untouched.
     */
    public void restoreLibraries(List<byte[]> codes, String policy) throws FunctionLoader.LoadException {
        FunctionLibraries staged = new FunctionLibraries();
        try {
            for (byte[] code : codes) {
                FunctionLoader.create(this, code, false, staged, 0);
            }
        } catch (FunctionLoader.LoadException e) {
            for (FunctionLibraries.Library l : staged.libraries()) {
                dropEverywhere(l);
            }
            throw e;
        }
        FunctionLibraries current = server.functions;
        if (policy.equals("flush")) {
            for (FunctionLibraries.Library l : new ArrayList<>(current.libraries())) {
                current.unlink(l);
                dropEverywhere(l);
            }
            for (FunctionLibraries.Library l : staged.libraries()) {
                current.link(l);
            }
            return;
        }
        boolean replace = policy.equals("replace");
        List<FunctionLibraries.Library> replaced = new ArrayList<>();
        String err = null;
        for (FunctionLibraries.Library l : staged.libraries()) {
            FunctionLibraries.Library old = current.library(l.name);
            if (old != null) {
                if (!replace) {
                    err = "Library " + l.name + " already exists";
                    break;
                }
                current.unlink(old);
                replaced.add(old);
            }
        }
        if (err == null) {
            outer:
            for (FunctionLibraries.Library l : staged.libraries()) {
                for (FunctionLibraries.Function f : l.functions()) {
                    if (current.hasFunction(f.name)) {
                        err = "Function " + f.name + " already exists";
                        break outer;
                    }
                }
            }
        }
        if (err != null) {
            for (FunctionLibraries.Library old : replaced) {
                current.link(old);
            }
            for (FunctionLibraries.Library l : staged.libraries()) {
                dropEverywhere(l);
            }
            throw new FunctionLoader.LoadException(err);
        }
        for (FunctionLibraries.Library l : staged.libraries()) {
            current.link(l);
        }
        for (FunctionLibraries.Library old : replaced) {
            dropEverywhere(old);
        }
    }

    /**
     * Redis getCommandFlags for EVAL/EVALSHA/FCALL and their _RO forms: a script that declares
     * its flags (a shebang, or a registered function) stands for them, so a no-writes script is
     * not a write (CLIENT PAUSE WRITE lets it run) and an allow-oom one is not denied under
     * maxmemory. Scripts without a shebang, unknown scripts and other commands keep the
     * command's own flags.
     */
    public long commandFlags(Client c, Command cmd) {
        long flags = cmd.spec.flags();
        if (!cmd.has(CommandFlags.NOSCRIPT) || c.argc() < 2) {
            return flags; // only EVAL* and FCALL* resolve script flags; they are noscript
        }
        String name = cmd.name();
        int sf;
        if (name.equals("eval") || name.equals("eval_ro")) {
            EvalScripts.Script s = scripts.find(scripts.digest(c.argData(), c.argOff(1), c.argLen(1)), 0, 40);
            if (s != null) {
                sf = s.flags;
            } else {
                int[] out = new int[2];
                byte[] body = java.util.Arrays.copyOfRange(c.argData(), c.argOff(1), c.argOff(1) + c.argLen(1));
                if (shebangFlags(body, out) != null) {
                    return flags;
                }
                sf = out[0];
            }
        } else if (name.equals("evalsha") || name.equals("evalsha_ro")) {
            EvalScripts.Script s = c.argLen(1) == 40 ? scripts.find(c.argData(), c.argOff(1), 40) : null;
            if (s == null) {
                return flags;
            }
            sf = s.flags;
        } else if (name.equals("fcall") || name.equals("fcall_ro")) {
            FunctionLibraries.Function f = server.functions.function(c.argString(1));
            if (f == null) {
                return flags;
            }
            sf = f.flags;
        } else {
            return flags;
        }
        if ((sf & ScriptRun.FLAG_EVAL_COMPAT) != 0) {
            return flags;
        }
        flags &= ~(CommandFlags.STALE | CommandFlags.DENYOOM | CommandFlags.WRITE | CommandFlags.MAY_REPLICATE);
        if ((sf & (ScriptRun.FLAG_ALLOW_OOM | ScriptRun.FLAG_NO_WRITES)) == 0) {
            flags |= CommandFlags.DENYOOM;
        }
        if ((sf & ScriptRun.FLAG_NO_WRITES) == 0) {
            flags |= CommandFlags.WRITE;
        }
        if ((sf & ScriptRun.FLAG_ALLOW_STALE) != 0) {
            flags |= CommandFlags.STALE;
        }
        return flags;
    }

    // ---- running ---------------------------------------------------------------------------------

    /** Redis scriptPrepareForRun: checks the script may run now; null after replying why not. */
    ScriptRun prepare(Client caller, Client client, String name, int flags, boolean ro, boolean eval) {
        long maxmemory = server.config.memory.maxmemory.get();
        boolean oom = maxmemory != 0 && dev.cinnabar.server.metrics.Info.usedMemory(server) > maxmemory;
        boolean compat = (flags & ScriptRun.FLAG_EVAL_COMPAT) != 0;
        if (!compat) {
            if ((flags & ScriptRun.FLAG_NO_CLUSTER) != 0 && server.clusterEnabled()) {
                caller.error("ERR Can not run script on cluster, 'no-cluster' flag is set.");
                return null;
            }
            if (runningStale() && (flags & ScriptRun.FLAG_ALLOW_STALE) == 0) {
                caller.error("MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and "
                        + "'allow-stale' flag is not set on the script.");
                return null;
            }
            if ((flags & ScriptRun.FLAG_NO_WRITES) == 0 && readOnlyReplica(caller)) {
                caller.error("READONLY Can not run script with write flag on readonly replica");
                return null;
            }
            if ((flags & ScriptRun.FLAG_NO_WRITES) == 0 && server.rdb.writesDenied() && !caller.has(Client.MASTER)) {
                caller.error("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist"
                        + " to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.");
                return null;
            }
            if ((flags & ScriptRun.FLAG_NO_WRITES) == 0 && ro) {
                caller.error("ERR Can not execute a script with write flag using *_ro command.");
                return null;
            }
            if ((flags & ScriptRun.FLAG_NO_WRITES) == 0 && !server.replication.enoughGoodReplicas()) {
                caller.error("NOREPLICAS Not enough good replicas to write.");
                return null;
            }
            if (oom && (flags & (ScriptRun.FLAG_ALLOW_OOM | ScriptRun.FLAG_NO_WRITES)) == 0) {
                caller.error("OOM allow-oom flag is not set on the script, can not run it when used memory > "
                        + "'maxmemory'");
                return null;
            }
        }
        ScriptRun run = new ScriptRun(caller, client, name, eval, System.nanoTime(), server.clock.micros());
        client.db = caller.db;
        client.reply.resp(2);
        client.now = caller.now;
        client.user = caller.user;
        run.readOnly = ro || (!compat && (flags & ScriptRun.FLAG_NO_WRITES) != 0);
        run.allowOom = !compat && (flags & ScriptRun.FLAG_ALLOW_OOM) != 0;
        run.allowCrossSlot = compat || (flags & ScriptRun.FLAG_ALLOW_CROSS_SLOT) != 0;
        run.oomAtStart = oom;
        running = run;
        return run;
    }

    /** Redis scriptResetRun, plus the periodic garbage collection steps of luaCallFunction. */
    void finish(LuaSandbox vm, ScriptRun run) {
        running = null;
        // Scripts replicate as their effects (the commands they ran), never as EVAL/FCALL
        // itself (Redis scriptResetRun -> preventCommandPropagation).
        server.replication.propagation.prevent();
        if (run.timedOut) {
            server.log.notice("Script" + (run.eval ? " " : " function ") + run.name + " finished after "
                    + run.elapsedMillis() + " ms");
        }
        if (run.killed) {
            vm.resetHook();
        }
        run.client.args.reset();
        vm.state.clearPending(vm.L);
        if (vm.memory() > vm.state.memoryLimit() / 2) {
            // Lua 5.1 does not collect before failing an allocation: after a script that ran
            // into the memory limit, give its garbage back now, or every later script fails.
            Lua.gc(vm.L, Lua.GCCOLLECT, 0);
        } else if (--gcCountdown == 0) {
            gcCountdown = GC_PERIOD;
            Lua.gc(vm.L, Lua.GCSTEP, GC_PERIOD);
        }
    }

    /** A replica whose link is down and that may not serve stale data (Redis running_stale). */
    private boolean runningStale() {
        return server.replication.replicaOf.isReplica() && !server.replication.replicaOf.linkUp()
                && !server.config.replication.replicaServeStaleData.get();
    }

    /** Whether writes by {@code caller}'s script are refused: a read-only replica, not its master. */
    private boolean readOnlyReplica(Client caller) {
        return server.replication.replicaOf.isReplica() && server.config.replication.replicaReadOnly.get()
                && !caller.has(Client.MASTER);
    }

    /**
     * The count hook's question (every 100000 Lua instructions): 0 to go on, 1 to abort the
     * script (SCRIPT KILL / FUNCTION KILL / SHUTDOWN), 2 to abort a library load that ran past
     * its time limit. Once a script is past busy-reply-threshold, other clients are served here.
     */
    int checkHook() {
        FunctionLoader.Load load = loading;
        if (load != null) {
            return load.timeoutMillis > 0 && (System.nanoTime() - load.startNanos) / 1_000_000 > load.timeoutMillis
                    ? 2 : 0;
        }
        ScriptRun run = running;
        if (run == null) {
            return 0;
        }
        if (!run.timedOut) {
            long threshold = server.config.general.busyReplyThreshold.get();
            long elapsed = run.elapsedMillis();
            if (threshold <= 0 || elapsed < threshold) {
                return run.killed ? 1 : 0;
            }
            server.log.warning("Slow script detected: still in execution after " + elapsed + " milliseconds. "
                    + "You can try killing the script using the " + (run.eval ? "SCRIPT KILL" : "FUNCTION KILL")
                    + " command. Script name is: " + run.name + ".");
            run.timedOut = true;
        }
        BusyScripts.serveOthers(server, run.caller);
        if (run.killed) {
            server.log.notice("Lua script killed by user with SCRIPT KILL.");
            return 1;
        }
        return 0;
    }

    // ---- redis.call / redis.pcall ------------------------------------------------------------------

    /**
     * redis.call (raise) and redis.pcall: runs the command given as arguments through the
     * normal dispatch checks for scripts (Redis scriptCall) and pushes its reply converted to
     * Lua. Errors are returned as error tables; for redis.call after the error marker.
     */
    int call(LuaSandbox vm, MemorySegment L, boolean raise) throws LuaState.LuaException {
        ScriptRun run = running;
        if (run == null) {
            vm.state.pushErrorTable(L, "ERR redis.call can only be used while a script runs");
            return failed(raise);
        }
        int argc = Lua.gettop(L);
        if (argc == 0) {
            Lua.settop(L, 0);
            LuaReplies.pushErrorTable(vm, L, "Please specify at least one argument for this redis lib call", false);
            return failed(raise);
        }
        Client sc = run.client;
        ArgList a = sc.args;
        a.reset();
        LuaState s = vm.state;
        boolean bad = false;
        for (int i = 1; i <= argc; i++) {
            int t = Lua.type(L, i);
            if (t == Lua.TNUMBER) {
                int n = formatNumber(Lua.tonumber(L, i));
                int off = a.append(n);
                System.arraycopy(numBuf, 0, a.data(), off, n);
            } else if (t == Lua.TSTRING) {
                MemorySegment p = Lua.tostringNoAlloc(L, i, s.lenOut);
                int n = (int) s.lastLength();
                int off = a.append(n);
                MemorySegment.copy(p.reinterpret(n), JAVA_BYTE, 0, a.data(), off, n);
            } else {
                bad = true;
                break;
            }
        }
        Lua.settop(L, 0);
        if (bad) {
            LuaReplies.pushErrorTable(vm, L, "Lua redis lib command arguments must be strings or integers", false);
            return failed(raise);
        }
        String err = execute(run, sc);
        if (err != null) {
            LuaReplies.pushErrorTable(vm, L, err, true);
            return failed(raise);
        }
        ByteBuf out = sc.reply.take();
        if (out == null) {
            Lua.pushnil(L);
            return 1;
        }
        try {
            byte[] b;
            int at;
            if (out.hasArray()) {
                b = out.array();
                at = out.arrayOffset() + out.readerIndex();
            } else {
                b = vm.replyBytes(out);
                at = 0;
            }
            boolean error = b[at] == '-';
            LuaReplies.pushReply(vm, L, b, at, true);
            return failed(raise && error);
        } finally {
            (run.eval ? evalBuffers : functionBuffers).recycle(out);
        }
    }

    /** The error table on top is redis.call's error (raised) or redis.pcall's result. */
    private static int failed(boolean raise) throws LuaState.LuaException {
        if (raise) {
            throw LuaState.LuaException.onStack();
        }
        return 1;
    }

    /**
     * Formats a Lua number as a command argument as Redis does: integers exactly, other
     * values in the shortest round-trip form (not Lua's %.14g, which loses precision).
     */
    private int formatNumber(double d) {
        if (d >= -(double) (Long.MAX_VALUE / 2) && d <= (double) (Long.MAX_VALUE / 2)) {
            long l = (long) d;
            if (l == d) {
                return Ascii.putLong(numBuf, 0, l);
            }
        }
        return Doubles.fpconv(d, numBuf, 0);
    }

    /**
     * Redis scriptCall: the checks, then the command itself; returns the error ("-CODE text")
     * or null.
     */
    private String execute(ScriptRun run, Client sc) {
        Command cmd = server.commands.lookupFull(sc.args);
        sc.cmd = cmd;
        sc.lastCmd = cmd;
        String err = verify(run, sc, cmd);
        if (err != null) {
            server.stats.countError(err.substring(1));
            if (cmd != null) {
                cmd.rejectedCalls++;
            }
            return err;
        }
        if (cmd.has(CommandFlags.WRITE)) {
            run.wroteData = true;
        }
        // redis.set_repl without the replica target: the command's own effect is not sent.
        boolean mute = (run.repl & ScriptRun.REPL_REPLICA) == 0;
        if (mute) {
            server.replication.propagation.mute(true);
        }
        try {
            server.dispatcher.call(sc);
        } finally {
            if (mute) {
                server.replication.propagation.mute(false);
            }
        }
        return null;
    }

    private String verify(ScriptRun run, Client sc, Command cmd) {
        int argc = sc.argc();
        if (cmd == null || (cmd.handler() == null && cmd.subcommands().isEmpty())) {
            return "-ERR Unknown Redis command called from script";
        }
        if (!cmd.arityOk(argc)) {
            return "-ERR Wrong number of args calling Redis command from script";
        }
        if (!server.debug.disableDenyScripts && cmd.has(CommandFlags.NOSCRIPT)) {
            return "-ERR This Redis command is not allowed from script";
        }
        if (cmd.handler() == null) {
            return "-ERR Unknown Redis command called from script";
        }
        if (runningStale() && !cmd.has(CommandFlags.STALE)) {
            return "-ERR Can not execute the command on a stale replica";
        }
        if (run.readOnly && cmd.has(CommandFlags.WRITE | CommandFlags.MAY_REPLICATE)) {
            return "-ERR Write commands are not allowed from read-only scripts.";
        }
        if (cmd.has(CommandFlags.WRITE) && !run.wroteData) {
            // Before the script wrote anything it may still fail on the server's state.
            if (readOnlyReplica(run.caller)) {
                return "-READONLY You can't write against a read only replica.";
            }
            if (server.rdb.writesDenied()) {
                return "-" + dev.cinnabar.server.persistence.RdbPersistence.MISCONF;
            }
            if (!server.replication.enoughGoodReplicas()) {
                return "-NOREPLICAS Not enough good replicas to write.";
            }
        }
        if (!run.allowOom && !run.wroteData && run.oomAtStart && cmd.has(CommandFlags.DENYOOM)
                && server.config.memory.maxmemory.get() != 0) {
            return "-" + Errors.OOM;
        }
        return null;
    }

    // ---- small redis.* functions -----------------------------------------------------------------

    /** redis.setresp. */
    void setResp(int resp) {
        ScriptRun run = running;
        if (run != null) {
            run.client.reply.resp(resp);
        }
    }

    /** redis.set_repl. */
    void setRepl(int flags) {
        ScriptRun run = running;
        if (run != null) {
            run.repl = flags;
        }
    }

    /** The Lua error text of a failed run, as Redis's luaCallFunction words it. */
    static String runError(LuaReplies.ErrorInfo e, String funcName) {
        StringBuilder sb = new StringBuilder();
        sb.append('-').append(e.msg() == null ? "" : e.msg());
        if (e.line() != null && e.source() != null) {
            sb.append(" script: ").append(funcName).append(", on ").append(e.source()).append(':')
                    .append(e.line()).append('.');
        }
        return sb.toString();
    }
}
