package dev.cinnabar.server.scripting.lua;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Our FFM binding of the PUC Lua 5.1.5 C API (the shared library of the
 * {@code infinispan-lua51-platform} natives jar, built from Redis's patched Lua, so it has
 * {@code lua_enablereadonlytable}).
 *
 * <p>Rules every caller must follow, because a Lua error unwinds the native stack (the library
 * is compiled as C++, errors are exceptions) and must never cross a Java frame:
 * <ul>
 *   <li>From Java, only call functions that cannot raise, or raise only inside
 *       {@link #pcall} / {@link #loadbuffer}: use the raw table accessors, never the ones that run
 *       metamethods, and only on tables known not to be read-only.</li>
 *   <li>Allocation never fails while Java code runs (see {@link LuaState}): the allocator only
 *       refuses memory while Lua code runs under a protected call.</li>
 *   <li>No finalizers: the sandbox offers no {@code newproxy}, so garbage collection never runs
 *       Lua code, and may happen anywhere.</li>
 * </ul>
 * Functions that neither allocate nor free may be linked as {@code critical} (no thread-state
 * transition); anything that may allocate reaches our allocator upcall and must not be.
 */
public final class Lua {
    private Lua() {}

    public static final int REGISTRYINDEX = -10000;
    public static final int GLOBALSINDEX = -10002;
    public static final int MULTRET = -1;

    public static final int TNONE = -1;
    public static final int TNIL = 0;
    public static final int TBOOLEAN = 1;
    public static final int TLIGHTUSERDATA = 2;
    public static final int TNUMBER = 3;
    public static final int TSTRING = 4;
    public static final int TTABLE = 5;
    public static final int TFUNCTION = 6;
    public static final int TUSERDATA = 7;
    public static final int TTHREAD = 8;

    public static final int OK = 0;
    public static final int ERRRUN = 2;
    public static final int ERRSYNTAX = 3;
    public static final int ERRMEM = 4;
    public static final int ERRERR = 5;

    public static final int GCSTOP = 0;
    public static final int GCRESTART = 1;
    public static final int GCCOLLECT = 2;
    public static final int GCCOUNT = 3;
    public static final int GCCOUNTB = 4;
    public static final int GCSTEP = 5;

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIB = load();

    private static SymbolLookup load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        String name;
        if (os.contains("linux")) {
            name = arm ? "liblua51arm64.so" : "liblua5164.so";
        } else if (os.contains("mac")) {
            name = arm ? "liblua51arm64.dylib" : "liblua5164.dylib";
        } else {
            throw new UnsupportedOperationException("no Lua library for " + os + "/" + arch);
        }
        try (InputStream in = Lua.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalStateException("Lua library " + name + " is not on the class path");
            }
            // The loader needs a file; one private copy per process, removed at exit.
            Path file = Files.createTempFile("cinnabar-lua-", "-" + name);
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return SymbolLookup.libraryLookup(file, Arena.global());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the Lua library", e);
        }
    }

    static MethodHandle fn(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIB.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), fd);
    }

    /** For functions that never allocate, free, or call back into Java. */
    static MethodHandle leaf(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIB.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), fd,
                Linker.Option.critical(false));
    }

    /** Address of a library function (the {@code luaopen_*} loaders are pushed as C functions). */
    public static MemorySegment symbol(String name) {
        return LIB.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name));
    }

    private static final MethodHandle NEWSTATE = fn("lua_newstate", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle CLOSE = fn("lua_close", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle GETTOP = leaf("lua_gettop", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SETTOP = leaf("lua_settop", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    private static final MethodHandle PUSHVALUE = leaf("lua_pushvalue", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    private static final MethodHandle REMOVE = leaf("lua_remove", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    private static final MethodHandle INSERT = leaf("lua_insert", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    private static final MethodHandle REPLACE = leaf("lua_replace", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    private static final MethodHandle CHECKSTACK = fn("lua_checkstack", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle TYPE = leaf("lua_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ISNUMBER = leaf("lua_isnumber", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle TOBOOLEAN = leaf("lua_toboolean", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle TONUMBER = leaf("lua_tonumber", FunctionDescriptor.of(JAVA_DOUBLE, ADDRESS, JAVA_INT));
    private static final MethodHandle TOLSTRING = fn("lua_tolstring", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle TOLSTRING_LEAF = leaf("lua_tolstring", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle OBJLEN = leaf("lua_objlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));
    private static final MethodHandle TOPOINTER = leaf("lua_topointer", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle PUSHNIL = leaf("lua_pushnil", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle PUSHNUMBER = leaf("lua_pushnumber", FunctionDescriptor.ofVoid(ADDRESS, JAVA_DOUBLE));
    private static final MethodHandle PUSHBOOLEAN = leaf("lua_pushboolean", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    private static final MethodHandle PUSHLIGHTUSERDATA =
            leaf("lua_pushlightuserdata", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    private static final MethodHandle PUSHLSTRING =
            fn("lua_pushlstring", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle PUSHCCLOSURE =
            fn("lua_pushcclosure", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CREATETABLE =
            fn("lua_createtable", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle RAWGET = leaf("lua_rawget", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    private static final MethodHandle RAWGETI = leaf("lua_rawgeti", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle RAWSET = fn("lua_rawset", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    private static final MethodHandle RAWSETI = fn("lua_rawseti", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETMETATABLE =
            leaf("lua_getmetatable", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETMETATABLE =
            fn("lua_setmetatable", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle NEXT = leaf("lua_next", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PCALL =
            fn("lua_pcall", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GC = fn("lua_gc", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle LOADBUFFER =
            fn("luaL_loadbuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle REF = fn("luaL_ref", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle UNREF = fn("luaL_unref", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ENABLEREADONLY =
            leaf("lua_enablereadonlytable", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ISREADONLY =
            leaf("lua_isreadonlytable", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private static final MethodHandle GETSTACK =
            leaf("lua_getstack", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle GETINFO =
            leaf("lua_getinfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle GETHOOK = leaf("lua_gethook", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle SETHOOK =
            leaf("lua_sethook", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle RAWEQUAL =
            leaf("lua_rawequal", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

    private static final MethodHandle NEWTHREAD = fn("lua_newthread", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle XMOVE = leaf("lua_xmove", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle TOCFUNCTION = leaf("lua_tocfunction", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle ISCFUNCTION = leaf("lua_iscfunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    /** lua_newthread: pushes a new coroutine (it inherits the hook settings of L). */
    public static MemorySegment newthread(MemorySegment L) {
        try {
            return (MemorySegment) NEWTHREAD.invokeExact(L);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void xmove(MemorySegment from, MemorySegment to, int n) {
        try {
            XMOVE.invokeExact(from, to, n);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static MemorySegment tocfunction(MemorySegment L, int idx) {
        try {
            return (MemorySegment) TOCFUNCTION.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static boolean iscfunction(MemorySegment L, int idx) {
        try {
            return (int) ISCFUNCTION.invokeExact(L, idx) != 0;
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static final int MASKLINE = 1 << 2;
    public static final int MASKCOUNT = 1 << 3;

    // struct lua_Debug (LP64): int event; const char *name, *namewhat, *what, *source;
    // int currentline, nups, linedefined, lastlinedefined; char short_src[60]; int i_ci.
    public static final long DEBUG_SIZE = 120;
    public static final long DEBUG_NAME = 8;
    public static final long DEBUG_NAMEWHAT = 16;
    public static final long DEBUG_WHAT = 24;
    public static final long DEBUG_SOURCE = 32;
    public static final long DEBUG_CURRENTLINE = 40;
    public static final long DEBUG_SHORT_SRC = 56;

    /** lua_getstack: fills {@code ar} for the function at {@code level}; false past the stack. */
    public static boolean getstack(MemorySegment L, int level, MemorySegment ar) {
        try {
            return (int) GETSTACK.invokeExact(L, level, ar) != 0;
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** lua_getinfo with {@code what} a NUL-terminated option string ("Sl"); no allocation. */
    public static boolean getinfo(MemorySegment L, MemorySegment what, MemorySegment ar) {
        try {
            return (int) GETINFO.invokeExact(L, what, ar) != 0;
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static MemorySegment gethook(MemorySegment L) {
        try {
            return (MemorySegment) GETHOOK.invokeExact(L);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void sethook(MemorySegment L, MemorySegment f, int mask, int count) {
        try {
            int ignored = (int) SETHOOK.invokeExact(L, f, mask, count);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static boolean rawequal(MemorySegment L, int a, int b) {
        try {
            return (int) RAWEQUAL.invokeExact(L, a, b) != 0;
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    private static Error fail(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        return new AssertionError(t);
    }

    public static MemorySegment newstate(MemorySegment alloc, MemorySegment ud) {
        try {
            return (MemorySegment) NEWSTATE.invokeExact(alloc, ud);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void close(MemorySegment L) {
        try {
            CLOSE.invokeExact(L);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int gettop(MemorySegment L) {
        try {
            return (int) GETTOP.invokeExact(L);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void settop(MemorySegment L, int idx) {
        try {
            SETTOP.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void pop(MemorySegment L, int n) {
        settop(L, -n - 1);
    }

    public static void pushvalue(MemorySegment L, int idx) {
        try {
            PUSHVALUE.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void remove(MemorySegment L, int idx) {
        try {
            REMOVE.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void insert(MemorySegment L, int idx) {
        try {
            INSERT.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void replace(MemorySegment L, int idx) {
        try {
            REPLACE.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** Grows the stack for {@code n} more slots; false past Lua's limit (LUAI_MAXCSTACK). */
    public static boolean checkstack(MemorySegment L, int n) {
        try {
            return (int) CHECKSTACK.invokeExact(L, n) != 0;
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int type(MemorySegment L, int idx) {
        try {
            return (int) TYPE.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** A number, or a string convertible to one. */
    public static boolean isnumber(MemorySegment L, int idx) {
        try {
            return (int) ISNUMBER.invokeExact(L, idx) != 0;
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static boolean toboolean(MemorySegment L, int idx) {
        try {
            return (int) TOBOOLEAN.invokeExact(L, idx) != 0;
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static double tonumber(MemorySegment L, int idx) {
        try {
            return (double) TONUMBER.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /**
     * The string at {@code idx} (a number is converted in place, which allocates); the length
     * goes to {@code lenOut} (8 bytes). NULL for other types.
     */
    public static MemorySegment tolstring(MemorySegment L, int idx, MemorySegment lenOut) {
        try {
            return (MemorySegment) TOLSTRING.invokeExact(L, idx, lenOut);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** {@link #tolstring} for a value known to be a string (no conversion, no allocation). */
    public static MemorySegment tostringNoAlloc(MemorySegment L, int idx, MemorySegment lenOut) {
        try {
            return (MemorySegment) TOLSTRING_LEAF.invokeExact(L, idx, lenOut);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** Length of a string or table (call only for those: numbers would be converted). */
    public static long objlen(MemorySegment L, int idx) {
        try {
            return (long) OBJLEN.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static long topointer(MemorySegment L, int idx) {
        try {
            return ((MemorySegment) TOPOINTER.invokeExact(L, idx)).address();
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void pushnil(MemorySegment L) {
        try {
            PUSHNIL.invokeExact(L);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void pushnumber(MemorySegment L, double v) {
        try {
            PUSHNUMBER.invokeExact(L, v);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void pushboolean(MemorySegment L, boolean v) {
        try {
            PUSHBOOLEAN.invokeExact(L, v ? 1 : 0);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void pushlightuserdata(MemorySegment L, MemorySegment p) {
        try {
            PUSHLIGHTUSERDATA.invokeExact(L, p);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void pushlstring(MemorySegment L, MemorySegment s, long len) {
        try {
            PUSHLSTRING.invokeExact(L, s, len);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void pushcfunction(MemorySegment L, MemorySegment f) {
        pushcclosure(L, f, 0);
    }

    public static void pushcclosure(MemorySegment L, MemorySegment f, int n) {
        try {
            PUSHCCLOSURE.invokeExact(L, f, n);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void createtable(MemorySegment L, int narr, int nrec) {
        try {
            CREATETABLE.invokeExact(L, narr, nrec);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void rawget(MemorySegment L, int idx) {
        try {
            RAWGET.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void rawgeti(MemorySegment L, int idx, int n) {
        try {
            RAWGETI.invokeExact(L, idx, n);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** t[k] = v without metamethods; t must not be read-only (that raises). */
    public static void rawset(MemorySegment L, int idx) {
        try {
            RAWSET.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void rawseti(MemorySegment L, int idx, int n) {
        try {
            RAWSETI.invokeExact(L, idx, n);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static boolean getmetatable(MemorySegment L, int idx) {
        try {
            return (int) GETMETATABLE.invokeExact(L, idx) != 0;
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static void setmetatable(MemorySegment L, int idx) {
        try {
            int ignored = (int) SETMETATABLE.invokeExact(L, idx);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static boolean next(MemorySegment L, int idx) {
        try {
            return (int) NEXT.invokeExact(L, idx) != 0;
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int pcall(MemorySegment L, int nargs, int nresults, int errfunc) {
        try {
            return (int) PCALL.invokeExact(L, nargs, nresults, errfunc);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int gc(MemorySegment L, int what, int data) {
        try {
            return (int) GC.invokeExact(L, what, data);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int loadbuffer(MemorySegment L, MemorySegment buf, long len, MemorySegment name) {
        try {
            return (int) LOADBUFFER.invokeExact(L, buf, len, name);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int ref(MemorySegment L, int t) {
        try {
            return (int) REF.invokeExact(L, t);
        } catch (Throwable t2) {
            throw fail(t2);
        }
    }

    public static void unref(MemorySegment L, int t, int ref) {
        try {
            UNREF.invokeExact(L, t, ref);
        } catch (Throwable t2) {
            throw fail(t2);
        }
    }

    public static void enablereadonlytable(MemorySegment L, int idx, boolean on) {
        try {
            ENABLEREADONLY.invokeExact(L, idx, on ? 1 : 0);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static boolean isreadonlytable(MemorySegment L, int idx) {
        try {
            return (int) ISREADONLY.invokeExact(L, idx) != 0;
        } catch (Throwable t) {
            throw fail(t);
        }
    }
}
