package dev.cinnabar.server.scripting;

import dev.cinnabar.server.config.ConfigText;
import dev.cinnabar.server.scripting.FunctionLibraries.Function;
import dev.cinnabar.server.scripting.FunctionLibraries.Library;
import dev.cinnabar.server.scripting.lua.Lua;
import dev.cinnabar.server.scripting.lua.LuaState;
import dev.cinnabar.server.scripting.lua.LuaState.LuaException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FUNCTION LOAD's work (Redis functionsCreateWithLibraryCtx and the Lua engine's create):
 * parsing the library's shebang, running its code with only the library API visible, and
 * redis.register_function collecting the functions.
 */
public final class FunctionLoader {
    private FunctionLoader() {}

    /** Redis LOAD_TIMEOUT_MS: library code must register its functions within this time. */
    static final long LOAD_TIMEOUT_MILLIS = 500;

    static final String BAD_NAME = "Library names can only contain letters, numbers, or underscores(_) and must be "
            + "at least one character long";

    /** A library whose code is running (Redis loadCtx). */
    static final class Load {
        final Library library;
        final LuaSandbox vm;
        final long startNanos = System.nanoTime();
        final long timeoutMillis;
        /** Running known code in another interpreter: only the references are new. */
        final boolean attach;
        /** Function name -> registry reference, in registration order. */
        final Map<String, Integer> refs = new LinkedHashMap<>();

        Load(Library library, LuaSandbox vm, long timeoutMillis, boolean attach) {
            this.library = library;
            this.vm = vm;
            this.timeoutMillis = timeoutMillis;
            this.attach = attach;
        }
    }

    /**
     * Creates the library of {@code code} in {@code ctx} (replacing the library of the same name
     * if {@code replace}); returns the library name, or throws with Redis's error text.
     */
    static String create(Scripting sc, byte[] code, boolean replace, FunctionLibraries ctx, long timeoutMillis)
            throws LoadException {
        String[] md = metadata(code);
        String name = md[0];
        String engine = md[1];
        if (!validName(name)) {
            throw new LoadException(BAD_NAME);
        }
        if (!engine.equalsIgnoreCase("LUA")) {
            throw new LoadException("Engine '" + engine + "' not found");
        }
        Library old = ctx.library(name);
        if (old != null && !replace) {
            throw new LoadException("Library '" + name + "' already exists");
        }
        if (old != null) {
            ctx.unlink(old);
        }
        Library lib = new Library(name, code);
        LuaSandbox vm = sc.functionVm();
        String err = run(sc, vm, lib, Integer.parseInt(md[2]), timeoutMillis, false);
        if (err == null && lib.functions.isEmpty()) {
            err = "No functions registered";
        }
        if (err == null) {
            for (Function f : lib.functions.values()) {
                if (ctx.hasFunction(f.name)) {
                    err = "Function " + f.name + " already exists";
                    break;
                }
            }
        }
        if (err != null) {
            vm.dropLibrary(lib);
            if (old != null) {
                ctx.link(old);
            }
            throw new LoadException(err);
        }
        ctx.link(lib);
        if (old != null) {
            sc.dropEverywhere(old);
        }
        return name;
    }

    /** A FUNCTION LOAD / RESTORE failure with Redis's message (without the "ERR " code). */
    public static final class LoadException extends Exception {
        LoadException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Redis functionExtractLibMetaData: {name, engine, offset of the code after the shebang}.
     */
    static String[] metadata(byte[] code) throws LoadException {
        if (code.length < 2 || code[0] != '#' || code[1] != '!') {
            throw new LoadException("Missing library metadata");
        }
        int nl = -1;
        for (int i = 0; i < code.length && code[i] != 0; i++) {
            if (code[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            throw new LoadException("Invalid library metadata");
        }
        String[] parts = ConfigText.splitArgs(new String(code, 0, nl, StandardCharsets.ISO_8859_1));
        if (parts == null || parts.length == 0) {
            throw new LoadException("Invalid library metadata");
        }
        String engine = parts[0].substring(2);
        String name = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.length() >= 5 && p.substring(0, 5).equalsIgnoreCase("name=")) {
                if (name != null) {
                    throw new LoadException("Invalid metadata value, name argument was given multiple times");
                }
                name = p.substring(5);
                continue;
            }
            throw new LoadException("Invalid metadata value given: " + p);
        }
        if (name == null) {
            throw new LoadException("Library name was not given");
        }
        return new String[] {name, engine, Integer.toString(nl)};
    }

    /** Redis functionsVerifyName: [a-zA-Z0-9_]+. */
    static boolean validName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the library code from {@code codeOffset} in {@code vm} with the library API as its
     * globals; returns the error text or null. With {@code attach} the functions are already
     * known and only get their references in this interpreter.
     */
    static String run(Scripting sc, LuaSandbox vm, Library lib, int codeOffset, long timeoutMillis, boolean attach) {
        MemorySegment L = vm.L;
        Lua.settop(L, 0);
        vm.libraryGlobals(true);
        Load load = new Load(lib, vm, timeoutMillis, attach);
        String err = null;
        try {
            int status = vm.state.load(lib.code, codeOffset, lib.code.length - codeOffset, "@user_function");
            if (status != Lua.OK) {
                err = "Error compiling function: " + vm.state.toJavaString(L, -1);
            } else {
                FunctionLoader.Load prev = sc.loading;
                sc.loading = load;
                try {
                    status = vm.state.pcall(0, 0, 0);
                } finally {
                    sc.loading = prev;
                }
                if (status != Lua.OK) {
                    LuaReplies.ErrorInfo e = LuaReplies.ErrorInfo.of(vm, -1);
                    err = "Error registering functions: " + (e.msg() == null ? "" : e.msg());
                    vm.resetHook();
                }
            }
        } finally {
            Lua.settop(L, 0);
            vm.libraryGlobals(false);
        }
        if (err != null) {
            for (int ref : load.refs.values()) {
                Lua.unref(L, Lua.REGISTRYINDEX, ref);
            }
            return err;
        }
        vm.attached(lib, load.refs);
        return null;
    }

    // ---- redis.register_function ----------------------------------------------------------------

    private static LuaException error(String msg) {
        return new LuaException("ERR " + msg, true);
    }

    /** redis.register_function(name, callback) or redis.register_function{...}. */
    static int registerFunction(LuaState s, MemorySegment L) throws LuaException {
        LuaSandbox vm = LuaApi.vm(s);
        Load load = vm.scripting.loading;
        if (load == null || load.vm != vm) {
            throw error("redis.register_function can only be called on FUNCTION LOAD command");
        }
        int argc = Lua.gettop(L);
        if (argc < 1 || argc > 2) {
            throw error("wrong number of arguments to redis.register_function");
        }
        String name = null;
        String desc = null;
        int flags = 0;
        int ref = -1;
        try {
            if (argc == 1) {
                if (Lua.type(L, 1) != Lua.TTABLE) {
                    throw error("calling redis.register_function with a single argument is only applicable to Lua "
                            + "table (representing named arguments).");
                }
                Lua.pushnil(L);
                while (Lua.next(L, 1)) {
                    int kt = Lua.type(L, -2);
                    if (kt != Lua.TSTRING && kt != Lua.TNUMBER) {
                        throw error("named argument key given to redis.register_function is not a string");
                    }
                    Lua.pushvalue(L, -2);
                    String key = s.toJavaString(L, -1);
                    Lua.pop(L, 1);
                    if (key.equalsIgnoreCase("function_name")) {
                        name = string(s, L, -1);
                        if (name == null) {
                            throw error("function_name argument given to redis.register_function must be a string");
                        }
                    } else if (key.equalsIgnoreCase("description")) {
                        desc = string(s, L, -1);
                        if (desc == null) {
                            throw error("description argument given to redis.register_function must be a string");
                        }
                    } else if (key.equalsIgnoreCase("callback")) {
                        if (Lua.type(L, -1) != Lua.TFUNCTION) {
                            throw error("callback argument given to redis.register_function must be a function");
                        }
                        if (ref >= 0) {
                            Lua.unref(L, Lua.REGISTRYINDEX, ref);
                        }
                        ref = Lua.ref(L, Lua.REGISTRYINDEX);
                        continue; // the value was popped by ref
                    } else if (key.equalsIgnoreCase("flags")) {
                        if (Lua.type(L, -1) != Lua.TTABLE) {
                            throw error("flags argument to redis.register_function must be a table representing "
                                    + "function flags");
                        }
                        flags = readFlags(s, L);
                    } else {
                        throw error("unknown argument given to redis.register_function");
                    }
                    Lua.pop(L, 1);
                }
                if (name == null) {
                    throw error("redis.register_function must get a function name argument");
                }
                if (ref < 0) {
                    throw error("redis.register_function must get a callback argument");
                }
            } else {
                name = string(s, L, 1);
                if (name == null) {
                    throw error("first argument to redis.register_function must be a string");
                }
                if (Lua.type(L, 2) != Lua.TFUNCTION) {
                    throw error("second argument to redis.register_function must be a function");
                }
                Lua.settop(L, 2);
                ref = Lua.ref(L, Lua.REGISTRYINDEX);
            }
            if (load.attach) {
                load.refs.put(name, ref);
                ref = -1;
                return 0;
            }
            if (!validName(name)) {
                throw error(BAD_NAME);
            }
            if (load.library.functions.containsKey(name)) {
                throw error("Function already exists in the library");
            }
            load.library.functions.put(name, new Function(name, desc, flags, load.library));
            load.refs.put(name, ref);
            ref = -1;
            return 0;
        } finally {
            if (ref >= 0) {
                Lua.unref(L, Lua.REGISTRYINDEX, ref);
            }
        }
    }

    /** luaGetStringSds: a string or a number (as Lua prints it), else null. */
    private static String string(LuaState s, MemorySegment L, int idx) {
        int t = Lua.type(L, idx);
        if (t != Lua.TSTRING && t != Lua.TNUMBER) {
            return null;
        }
        Lua.pushvalue(L, idx);
        String v = new String(s.toBytes(L, -1), StandardCharsets.ISO_8859_1);
        Lua.pop(L, 1);
        return v;
    }

    /** The flags table on top (Redis luaRegisterFunctionReadFlags): names, any case. */
    private static int readFlags(LuaState s, MemorySegment L) throws LuaException {
        int flags = 0;
        for (int j = 1;; j++) {
            Lua.rawgeti(L, -1, j);
            int t = Lua.type(L, -1);
            if (t == Lua.TNIL) {
                Lua.pop(L, 1);
                return flags;
            }
            if (t != Lua.TSTRING && t != Lua.TNUMBER) {
                throw error("unknown flag given");
            }
            String f = new String(s.toBytes(L, -1), StandardCharsets.ISO_8859_1);
            Lua.pop(L, 1);
            int bit = Scripting.flagBit(f, true);
            if (bit == 0) {
                throw error("unknown flag given");
            }
            flags |= bit;
        }
    }
}
