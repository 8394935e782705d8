package dev.cinnabar.server.scripting;

import dev.cinnabar.server.scripting.lua.Lua;
import dev.cinnabar.server.scripting.lua.LuaState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * One sandboxed Lua interpreter as Redis sets it up: the base, table, string and math libraries,
 * cjson, cmsgpack, bit and struct, the {@code redis} table, globals sealed read-only, and the
 * count hook that enforces busy-reply-threshold and SCRIPT KILL.
 *
 * <p>Two kinds exist, as in Redis: one for EVAL scripts (KEYS and ARGV are globals) and one for
 * the FUNCTION engine (functions see an empty global table reading through to the sealed one,
 * and library code sees only the library API while FUNCTION LOAD runs it).
 */
public final class LuaSandbox implements AutoCloseable {
    private static final byte[] PRELUDE = readPrelude();
    private static final String[] LIBRARIES = {"", "luaopen_base", "table", "luaopen_table", "string",
        "luaopen_string", "math", "luaopen_math", "debug", "luaopen_debug"};

    public final LuaState state;
    public final MemorySegment L;
    public final boolean functions;
    public final Scripting scripting;
    /** cjson's settings in this interpreter (they persist across scripts, as in Redis). */
    final LuaCjson.Config cjson = new LuaCjson.Config();
    /** Settings of the modules cjson.new() made, by upvalue id - 1. */
    final java.util.List<LuaCjson.Config> cjsonInstances = new java.util.ArrayList<>();
    /** Registry references of the prelude's internals. */
    final int handlerRef;
    final int resethookRef;
    /** The count hook function and debug.sethook, for new coroutines. */
    final int hookRef;
    final int sethookRef;
    /** Lua's own string.find / match / gmatch / gsub, called by our guards. */
    final int findRef;
    final int matchRef;
    final int gmatchRef;
    final int gsubRef;
    /** Lua's coroutine.wrap closure function (auxwrap). */
    final MemorySegment auxwrap;
    /** FUNCTION engine only: the library API table and the metatable of the function globals. */
    final int libraryApiRef;
    final int globalsMetaRef;
    final int realGlobalsRef;

    LuaSandbox(Scripting scripting, boolean functions, long memoryLimit) {
        this.scripting = scripting;
        this.functions = functions;
        this.state = new LuaState(memoryLimit);
        state.owner = this;
        this.L = state.L;
        try {
            for (int i = 0; i < LIBRARIES.length; i += 2) {
                Lua.pushcfunction(L, Lua.symbol(LIBRARIES[i + 1]));
                state.pushString(L, LIBRARIES[i]);
                check(state.pcall(1, 0, 0), "opening " + LIBRARIES[i + 1]);
            }
            check(state.load(PRELUDE, 0, PRELUDE.length, "=cinnabar"), "compiling the prelude");
            Lua.pushlightuserdata(L, LuaState.ERROR_MARK);
            pushJavaFunctions();
            Lua.pushboolean(L, functions);
            check(state.pcall(3, 1, 0), "running the prelude");
            int internals = Lua.gettop(L);
            handlerRef = refField(internals, "handler");
            resethookRef = refField(internals, "resethook");
            hookRef = refField(internals, "hook");
            sethookRef = refField(internals, "sethook");
            findRef = refField(internals, "find");
            matchRef = refField(internals, "match");
            gmatchRef = refField(internals, "gmatch");
            gsubRef = refField(internals, "gsub");
            getField(internals, "auxwrap");
            auxwrap = Lua.tocfunction(L, -1);
            Lua.pop(L, 1);
            // The real globals: an error on reading unknown names, then everything read-only.
            Lua.pushvalue(L, Lua.GLOBALSINDEX);
            setErrorMetatable(internals);
            protectRecursively();
            Lua.pop(L, 1);
            // Strings share one metatable; sealing it keeps scripts from changing string methods.
            state.pushString(L, "");
            if (Lua.getmetatable(L, -1)) {
                protectRecursively();
                Lua.pop(L, 1);
            }
            Lua.pop(L, 1);
            if (functions) {
                getField(internals, "library_api");
                protectRecursively();
                libraryApiRef = Lua.ref(L, Lua.REGISTRYINDEX);
                Lua.pushvalue(L, Lua.GLOBALSINDEX);
                realGlobalsRef = Lua.ref(L, Lua.REGISTRYINDEX);
                getField(internals, "globals");
                Lua.getmetatable(L, -1);
                Lua.enablereadonlytable(L, -1, true);
                globalsMetaRef = Lua.ref(L, Lua.REGISTRYINDEX);
                Lua.enablereadonlytable(L, -1, true);
                Lua.replace(L, Lua.GLOBALSINDEX);
            } else {
                libraryApiRef = -1;
                globalsMetaRef = -1;
                realGlobalsRef = -1;
            }
            Lua.settop(L, 0);
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
    }

    private static byte[] readPrelude() {
        try (InputStream in = LuaSandbox.class.getResourceAsStream("sandbox.lua")) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing scripting/sandbox.lua", e);
        }
    }

    private void check(int status, String what) {
        if (status != Lua.OK) {
            String msg = Lua.type(L, -1) == Lua.TSTRING ? state.toJavaString(L, -1) : "error " + status;
            throw new IllegalStateException("Lua sandbox setup failed " + what + ": " + msg);
        }
    }

    /** The table J the prelude receives: every Java function by name, plus a few constants. */
    private void pushJavaFunctions() {
        Map<String, MemorySegment> fns = LuaLibraries.functions();
        Lua.createtable(L, 0, fns.size() + 3);
        for (Map.Entry<String, MemorySegment> e : fns.entrySet()) {
            state.pushString(L, e.getKey());
            Lua.pushcfunction(L, e.getValue());
            Lua.rawset(L, -3);
        }
        state.pushString(L, "version");
        state.pushString(L, dev.cinnabar.server.Server.REDIS_VERSION);
        Lua.rawset(L, -3);
        state.pushString(L, "version_num");
        Lua.pushnumber(L, dev.cinnabar.server.Server.REDIS_VERSION_NUM);
        Lua.rawset(L, -3);
        state.pushString(L, "cjson.null");
        Lua.pushlightuserdata(L, MemorySegment.NULL);
        Lua.rawset(L, -3);
    }

    private void getField(int table, String name) {
        state.pushString(L, name);
        Lua.rawget(L, table);
    }

    private int refField(int table, String name) {
        getField(table, name);
        return Lua.ref(L, Lua.REGISTRYINDEX);
    }

    /** Redis luaSetErrorMetatable: reading a missing key of the table on top raises. */
    private void setErrorMetatable(int internals) {
        Lua.createtable(L, 0, 1);
        state.pushString(L, "__index");
        getField(internals, "noglobal");
        Lua.rawset(L, -3);
        Lua.setmetatable(L, -2);
    }

    /**
     * Redis luaSetTableProtectionRecursively: the table on top, every table reachable from it
     * and their metatables become read-only.
     */
    private void protectRecursively() {
        if (Lua.isreadonlytable(L, -1)) {
            return;
        }
        Lua.enablereadonlytable(L, -1, true);
        Lua.checkstack(L, 2);
        Lua.pushnil(L);
        while (Lua.next(L, -2)) {
            if (Lua.type(L, -1) == Lua.TTABLE) {
                protectRecursively();
            }
            Lua.pop(L, 1);
        }
        if (Lua.getmetatable(L, -1)) {
            protectRecursively();
            Lua.pop(L, 1);
        }
    }

    private byte[] buf = new byte[256];

    /** The bytes at native {@code p} in a reused array (valid until the next call). */
    byte[] bytes(MemorySegment p, long n) {
        if (n > buf.length) {
            buf = new byte[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(n, buf.length * 2L))];
        }
        return LuaReplies.copy(p, n, buf);
    }

    private byte[] replyBuf = new byte[1024];

    /** A command's reply bytes in a reused array (valid until the next call). */
    byte[] replyBytes(io.netty.buffer.ByteBuf out) {
        int n = out.readableBytes();
        if (n > replyBuf.length) {
            replyBuf = new byte[Math.max(n, replyBuf.length * 2)];
        }
        out.getBytes(out.readerIndex(), replyBuf, 0, n);
        return replyBuf;
    }

    // ---- running scripts ----------------------------------------------------------------------

    /**
     * Runs the EVAL script compiled as {@code ref} for {@code c} (KEYS and ARGV from its
     * arguments, as globals) and replies the result or the error (Redis luaCallFunction).
     */
    void runEval(ScriptRun run, int ref, dev.cinnabar.server.Client c, int numkeys) {
        Lua.settop(L, 0);
        Lua.rawgeti(L, Lua.REGISTRYINDEX, handlerRef);
        Lua.rawgeti(L, Lua.REGISTRYINDEX, ref);
        Lua.enablereadonlytable(L, Lua.GLOBALSINDEX, false);
        LuaStrings.push(L, LuaStrings.KEYS);
        pushArgs(c, 3, numkeys);
        Lua.rawset(L, Lua.GLOBALSINDEX);
        LuaStrings.push(L, LuaStrings.ARGV);
        pushArgs(c, 3 + numkeys, c.argc() - 3 - numkeys);
        Lua.rawset(L, Lua.GLOBALSINDEX);
        Lua.enablereadonlytable(L, Lua.GLOBALSINDEX, true);
        complete(run, c, state.pcall(0, 1, 1));
    }

    /** Runs a library function (registry reference {@code ref}) with KEYS and ARGV as arguments. */
    void runFunction(ScriptRun run, int ref, dev.cinnabar.server.Client c, int numkeys) {
        Lua.settop(L, 0);
        Lua.rawgeti(L, Lua.REGISTRYINDEX, handlerRef);
        Lua.rawgeti(L, Lua.REGISTRYINDEX, ref);
        pushArgs(c, 3, numkeys);
        pushArgs(c, 3 + numkeys, c.argc() - 3 - numkeys);
        complete(run, c, state.pcall(2, 1, 1));
    }

    private void complete(ScriptRun run, dev.cinnabar.server.Client c, int status) {
        if (status == Lua.OK) {
            LuaReplies.writeReply(this, c, run.client.reply.resp());
        } else if (Lua.type(L, -1) == Lua.TTABLE) {
            LuaReplies.ErrorInfo e = LuaReplies.ErrorInfo.of(this, -1);
            LuaReplies.replyError(c, Scripting.runError(e, run.name), e.ignoreStats());
        } else {
            // Errors that never reached the handler: out of memory, an error in the handler.
            int t = Lua.type(L, -1);
            String msg = t == Lua.TSTRING || t == Lua.TNUMBER ? LuaReplies.cString(state.toBytes(L, -1))
                    : "execution failure";
            if (msg.length() > 100) {
                msg = msg.substring(0, 100);
            }
            LuaReplies.replyError(c, "-ERR Error running script " + run.name + ", " + msg, false);
        }
        Lua.settop(L, 0);
    }

    /** Pushes a table of {@code count} arguments of {@code c} from {@code from} (KEYS / ARGV). */
    private void pushArgs(dev.cinnabar.server.Client c, int from, int count) {
        Lua.createtable(L, count, 0);
        byte[] d = c.argData();
        for (int i = 0; i < count; i++) {
            int a = from + i;
            state.pushBytes(L, d, c.argOff(a), c.argLen(a));
            Lua.rawseti(L, -2, i + 1);
        }
    }

    // ---- function libraries (FUNCTION engine interpreters) ---------------------------------------

    /** Function -> registry reference of its callback in this interpreter. */
    private final java.util.IdentityHashMap<FunctionLibraries.Function, Integer> functionRefs =
            new java.util.IdentityHashMap<>();
    private final java.util.Set<FunctionLibraries.Library> libraries =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    /**
     * Points the function globals at the library API (while FUNCTION LOAD runs library code) or
     * back at the real globals (Redis luaEngineCreate's __index switch).
     */
    void libraryGlobals(boolean loading) {
        Lua.rawgeti(L, Lua.REGISTRYINDEX, globalsMetaRef);
        Lua.enablereadonlytable(L, -1, false);
        LuaStrings.push(L, LuaStrings.INDEX);
        Lua.rawgeti(L, Lua.REGISTRYINDEX, loading ? libraryApiRef : realGlobalsRef);
        Lua.rawset(L, -3);
        Lua.enablereadonlytable(L, -1, true);
        Lua.pop(L, 1);
    }

    /** Records the callbacks a successful load registered. */
    void attached(FunctionLibraries.Library lib, Map<String, Integer> refs) {
        libraries.add(lib);
        for (FunctionLibraries.Function f : lib.functions()) {
            Integer r = refs.get(f.name);
            if (r != null) {
                functionRefs.put(f, r);
            }
        }
    }

    /** Frees the callbacks of a deleted or replaced library. */
    void dropLibrary(FunctionLibraries.Library lib) {
        libraries.remove(lib);
        for (FunctionLibraries.Function f : lib.functions()) {
            Integer r = functionRefs.remove(f);
            if (r != null) {
                Lua.unref(L, Lua.REGISTRYINDEX, r);
            }
        }
    }

    /**
     * The registry reference of a function's callback, running its library's code here first if
     * this interpreter has not seen it (libraries are loaded where FUNCTION LOAD ran); -1 when
     * that fails (out of memory).
     */
    int functionRef(FunctionLibraries.Function f) {
        Integer r = functionRefs.get(f);
        if (r == null && !libraries.contains(f.library)) {
            try {
                String[] md = FunctionLoader.metadata(f.library.code);
                FunctionLoader.run(scripting, this, f.library, Integer.parseInt(md[2]), 0, true);
            } catch (FunctionLoader.LoadException e) {
                return -1;
            }
            r = functionRefs.get(f);
        }
        return r == null ? -1 : r;
    }

    /** Bytes used by this interpreter (INFO used_memory_lua / used_memory_vm_functions). */
    public long memory() {
        return state.memoryUsed();
    }

    /** After a killed run: the hook is back to counting instructions. */
    void resetHook() {
        Lua.rawgeti(L, Lua.REGISTRYINDEX, resethookRef);
        state.pcall(0, 0, 0);
        Lua.settop(L, 0);
    }

    @Override
    public void close() {
        state.close();
    }
}
