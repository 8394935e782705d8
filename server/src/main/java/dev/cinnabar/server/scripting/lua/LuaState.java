package dev.cinnabar.server.scripting.lua;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;

/**
 * One Lua interpreter ({@code lua_State}) with a memory budget, scratch native buffers and the
 * plumbing for Java functions callable from Lua.
 *
 * <h2>Memory</h2>
 * Every allocation goes through our allocator, which counts the bytes in use. While Lua code
 * runs under {@link #pcall} it refuses to grow past the budget, so a runaway script gets
 * Lua's own "not enough memory" error instead of taking the process down. While Java code runs
 * (between protected calls, or inside a Java function called from Lua) it never refuses: a
 * refused allocation raises a Lua error, and that must never unwind through Java frames.
 *
 * <h2>Java functions</h2>
 * A {@link JavaFunction} is exposed to Lua as a C function (an FFM upcall). It must not raise a
 * Lua error itself: that would unwind through the upcall. It throws {@link LuaException}
 * instead, and the error is raised for it in one of two ways:
 * <ul>
 *   <li>Called from Lua code (the usual case): the error value (with the caller's position, as
 *       luaL_error gives it) is parked here and the count hook is armed for the very next
 *       instruction; the sandbox's hook raises it there, before the caller goes on. So the
 *       function stays a real C function (a script's {@code return f()} keeps its frame, and
 *       error positions are the caller's line, as in Redis).</li>
 *   <li>The "marked" variant of a function returns {@link #ERROR_MARK} and the error value; the
 *       sandbox uses it where the caller is C code that must catch the error itself
 *       ({@code pcall(redis.call, ...)}), wrapped in a Lua function that raises.</li>
 * </ul>
 *
 * <p>Not thread-safe: used by one thread at a time (the server lock serialises scripts).
 */
public final class LuaState implements AutoCloseable {
    /** Lua C functions implemented in Java. */
    @FunctionalInterface
    public interface JavaFunction {
        /** Runs with the arguments on the stack; returns the number of results pushed. */
        int call(LuaState s, MemorySegment L) throws LuaException;
    }

    /** An error a {@link JavaFunction} reports to its Lua caller (string or error table). */
    public static final class LuaException extends Exception {
        /** Raise an error table {err = message} (Redis luaPushError + luaError) instead of a string. */
        public final boolean table;
        /** The error value is already on top of the Lua stack (built by the function). */
        public final boolean onStack;

        public LuaException(String message) {
            this(message, false);
        }

        public LuaException(String message, boolean table) {
            super(message, null, false, false);
            this.table = table;
            this.onStack = false;
            this.arg = -1;
        }

        /** luaL_argerror's "bad argument #n to 'f' (msg)", the name as the caller called it. */
        public final int arg;

        /** The value on top of the stack is the error. */
        public static LuaException onStack() {
            return new LuaException(null, false, true, 0);
        }

        /** A bad argument {@code n} (luaL_argerror): the function's name is added when raised. */
        public static LuaException arg(int n, String msg) {
            return new LuaException(msg, false, false, n);
        }

        private LuaException(String message, boolean table, boolean onStack, int arg) {
            super(message, null, false, false);
            this.table = table;
            this.onStack = onStack;
            this.arg = arg;
        }
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle REALLOC = LINKER.downcallHandle(LINKER.defaultLookup().find("realloc").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle FREE = LINKER.downcallHandle(LINKER.defaultLookup().find("free").orElseThrow(),
            FunctionDescriptor.ofVoid(ADDRESS), Linker.Option.critical(false));
    private static final MemorySegment ALLOC_STUB;
    private static final MethodHandle DISPATCH;
    private static final MemorySegment SL = Arena.global().allocateFrom("Sl");
    /** Chunk name of the sandbox prelude: its frames are never "the caller" of anything. */
    public static final String INTERNAL_SOURCE = "=cinnabar";

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            MethodHandle alloc = l.findStatic(LuaState.class, "alloc",
                    MethodType.methodType(MemorySegment.class, MemorySegment.class, MemorySegment.class, long.class,
                            long.class));
            ALLOC_STUB = LINKER.upcallStub(alloc, FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG),
                    Arena.global());
            DISPATCH = l.findStatic(LuaState.class, "dispatch",
                    MethodType.methodType(int.class, JavaFunction.class, boolean.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The marker a Java function returns before its error value (a unique light userdata). */
    public static final MemorySegment ERROR_MARK = Arena.global().allocate(8);

    /** States by id: the allocator finds its state from the id passed as Lua's "ud". */
    private static volatile LuaState[] states = new LuaState[8];
    /** The state whose Lua code the current thread runs (Java functions need it). */
    private static final ThreadLocal<LuaState> CURRENT = new ThreadLocal<>();

    private final int id;
    public final MemorySegment L;
    /**
     * Native buffers of this state come from malloc and are wrapped without a session: an
     * arena's liveness checks (an atomic per access for a shared arena) would sit on the hot
     * path, and a confined one cannot be closed by another thread (SCRIPT FLUSH).
     */
    private final java.util.List<MemorySegment> buffers = new java.util.ArrayList<>();
    /** Bytes Lua has allocated and not freed. */
    private long used;
    private long limit;
    /** Allocation may fail (Lua code runs under a protected call started from Java). */
    private boolean mayFail;
    private boolean closed;
    /** 8-byte out-parameter for lua_tolstring. */
    public final MemorySegment lenOut;
    private MemorySegment scratch;
    /** Application data (the scripting context owning this state). */
    public Object owner;
    private final MemorySegment debug;
    // The error a Java function left for the count hook to raise (registry reference), and
    // where its caller was, for the error handler.
    private int pendingRef = -1;
    private String pendingSource;
    private int pendingLine;
    /** The parked error has not been handed to the hook yet. */
    private boolean armed;

    public LuaState(long memoryLimit) {
        this.limit = memoryLimit;
        this.id = register(this);
        this.lenOut = malloc(8);
        this.scratch = malloc(4096);
        this.debug = malloc(256);
        MemorySegment l = Lua.newstate(ALLOC_STUB, MemorySegment.ofAddress(id));
        if (l.equals(MemorySegment.NULL)) {
            unregister(id);
            throw new OutOfMemoryError("cannot create a Lua state");
        }
        this.L = l;
    }

    private static synchronized int register(LuaState s) {
        LuaState[] a = states;
        for (int i = 1; i < a.length; i++) {
            if (a[i] == null) {
                a[i] = s;
                return i;
            }
        }
        LuaState[] b = java.util.Arrays.copyOf(a, a.length * 2);
        int i = a.length;
        b[i] = s;
        states = b;
        return i;
    }

    private static synchronized void unregister(int id) {
        states[id] = null;
    }

    /** Bytes in use by this interpreter (what Lua's collectgarbage("count") reports, exactly). */
    public long memoryUsed() {
        return used;
    }

    public void memoryLimit(long bytes) {
        limit = bytes;
    }

    public long memoryLimit() {
        return limit;
    }

    // Lua's allocator contract (lua_Alloc): nsize 0 frees; shrinking must not fail.
    private static MemorySegment alloc(MemorySegment ud, MemorySegment ptr, long osize, long nsize) {
        LuaState s = states[(int) ud.address()];
        try {
            if (nsize == 0) {
                if (!ptr.equals(MemorySegment.NULL)) {
                    FREE.invokeExact(ptr);
                    s.used -= osize;
                }
                return MemorySegment.NULL;
            }
            long old = ptr.equals(MemorySegment.NULL) ? 0 : osize;
            if (nsize > old && s.mayFail && s.used - old + nsize > s.limit) {
                return MemorySegment.NULL;
            }
            MemorySegment p = (MemorySegment) REALLOC.invokeExact(ptr, nsize);
            if (!p.equals(MemorySegment.NULL)) {
                s.used += nsize - old;
            }
            return p;
        } catch (Throwable t) {
            // Nothing may escape an upcall; a failed allocation is Lua's to report.
            return nsize <= osize ? ptr : MemorySegment.NULL;
        }
    }

    // ---- running Lua code ---------------------------------------------------------------------

    /**
     * lua_pcall with the allocation budget enforced and this state marked current for the
     * Java functions the code may call. Returns Lua's status code.
     */
    public int pcall(int nargs, int nresults, int errfunc) {
        LuaState prev = CURRENT.get();
        boolean prevFail = mayFail;
        if (prev != this) {
            CURRENT.set(this);
        }
        mayFail = true;
        try {
            return Lua.pcall(L, nargs, nresults, errfunc);
        } finally {
            mayFail = prevFail;
            if (prev != this) {
                CURRENT.set(prev);
            }
        }
    }

    /** Compiles a chunk (pushes the function, or the error message); returns Lua's status. */
    public int load(byte[] code, int off, int len, String chunkName) {
        MemorySegment buf = scratch(len + chunkName.length() + 1);
        MemorySegment.copy(code, off, buf, JAVA_BYTE, 0, len);
        MemorySegment name = buf.asSlice(len);
        byte[] n = chunkName.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment.copy(n, 0, name, JAVA_BYTE, 0, n.length);
        name.set(JAVA_BYTE, n.length, (byte) 0);
        boolean prevFail = mayFail;
        mayFail = true;
        try {
            return Lua.loadbuffer(L, buf, len, name);
        } finally {
            mayFail = prevFail;
        }
    }

    public int load(String code, String chunkName) {
        byte[] b = code.getBytes(StandardCharsets.ISO_8859_1);
        return load(b, 0, b.length, chunkName);
    }

    /** The state running Lua code on this thread, if any. */
    public static LuaState current() {
        return CURRENT.get();
    }

    // ---- Java functions -------------------------------------------------------------------------

    /**
     * An upcall stub exposing {@code f} as a lua_CFunction (shared by all states; never freed).
     * {@code marked}: errors are returned after {@link #ERROR_MARK} instead of raised by the hook.
     */
    public static MemorySegment cfunction(JavaFunction f, boolean marked) {
        return LINKER.upcallStub(MethodHandles.insertArguments(DISPATCH, 0, f, marked),
                FunctionDescriptor.of(JAVA_INT, ADDRESS), Arena.global());
    }

    private static int dispatch(JavaFunction f, boolean marked, MemorySegment L) {
        LuaState s = CURRENT.get();
        if (s == null) {
            return 0; // called outside any run we started: cannot happen through the sandbox
        }
        boolean prevFail = s.mayFail;
        s.mayFail = false;
        try {
            return f.call(s, L);
        } catch (LuaException e) {
            return s.fail(L, e, marked);
        } catch (Throwable t) {
            // Never let a Java exception reach the upcall stub (the JVM would abort).
            return s.fail(L, new LuaException("ERR internal error in a Lua library function: " + t, true), marked);
        } finally {
            s.mayFail = prevFail;
        }
    }

    /**
     * Reports an error of a Java function: a table {err = message} (Redis luaPushError +
     * luaError), or a string prefixed with the caller's position (luaL_error).
     */
    private int fail(MemorySegment L, LuaException e, boolean marked) {
        String message = e.getMessage();
        if (e.arg >= 0) {
            message = argError(L, e.arg, message, marked);
        }
        boolean where = fillCaller(L, 1);
        String source = where ? callerSource() : null;
        int line = where ? callerLine() : -1;
        if (e.onStack) {
            if (Lua.gettop(L) > 1) {
                Lua.replace(L, 1);
                Lua.settop(L, 1);
            }
        } else {
            Lua.settop(L, 0);
            if (e.table) {
                pushErrorTable(L, e.getMessage());
            } else {
                String prefix = where && line > 0 ? callerShortSrc() + ":" + line + ": " : "";
                pushString(L, prefix + message);
            }
        }
        MemorySegment hook = marked ? MemorySegment.NULL : Lua.gethook(L);
        if (marked || hook.equals(MemorySegment.NULL)) {
            // (A thread without the sandbox hook cannot raise it: it gets the marked form.)
            Lua.pushlightuserdata(L, ERROR_MARK);
            Lua.insert(L, 1);
            return 2;
        }
        clearPending(L);
        pendingRef = Lua.ref(L, Lua.REGISTRYINDEX);
        pendingSource = source;
        pendingLine = line;
        armed = true;
        // Raise it before the caller's next instruction (the sandbox hook does it).
        Lua.sethook(L, hook, Lua.MASKCOUNT, 1);
        return 0;
    }

    private static final MemorySegment N = Arena.global().allocateFrom("n");

    /**
     * luaL_argerror: the running C function's name comes from its caller's call instruction
     * ('?' when called from C, as from pcall); a method call does not count self.
     */
    private String argError(MemorySegment L, int n, String msg, boolean marked) {
        String name = null;
        String namewhat = null;
        if (!marked && Lua.getstack(L, 0, debug) && Lua.getinfo(L, N, debug)) {
            name = cstr(debug.get(ADDRESS, Lua.DEBUG_NAME));
            namewhat = cstr(debug.get(ADDRESS, Lua.DEBUG_NAMEWHAT));
        }
        if ("method".equals(namewhat)) {
            n--;
            if (n == 0) {
                return "calling '" + name + "' on bad self (" + msg + ")";
            }
        }
        return "bad argument #" + n + " to '" + (name == null ? "?" : name) + "' (" + msg + ")";
    }

    /** Pushes the error a Java function left to be raised, once; false if there is none. */
    public boolean takeArmedError(MemorySegment L) {
        if (!armed) {
            return false;
        }
        armed = false;
        Lua.rawgeti(L, Lua.REGISTRYINDEX, pendingRef);
        return true;
    }

    /**
     * If the value at {@code idx} is the error a Java function raised through the hook, its
     * caller's position as {source, line} (then forgotten); otherwise null.
     */
    public Object[] takePendingPosition(MemorySegment L, int idx) {
        if (pendingRef < 0) {
            return null;
        }
        Lua.rawgeti(L, Lua.REGISTRYINDEX, pendingRef);
        boolean same = Lua.rawequal(L, idx < 0 ? idx - 1 : idx, -1);
        Lua.pop(L, 1);
        if (!same) {
            return null;
        }
        Object[] pos = pendingSource == null ? new Object[0] : new Object[] {pendingSource, pendingLine};
        clearPending(L);
        return pos;
    }

    /** Forgets a parked error (end of a run, or a new one). */
    public void clearPending(MemorySegment L) {
        if (pendingRef >= 0) {
            Lua.unref(L, Lua.REGISTRYINDEX, pendingRef);
            pendingRef = -1;
            pendingSource = null;
            armed = false;
        }
    }

    // ---- call stack (lua_getstack / lua_getinfo) --------------------------------------------

    /**
     * Loads the frame at {@code level} into the debug record; false if there is none or it is
     * one of the sandbox prelude's frames.
     */
    public boolean fillCaller(MemorySegment L, int level) {
        return frame(L, level) && !INTERNAL_SOURCE.equals(callerSource());
    }

    /** Loads the frame at {@code level} ("S" and "l" information); false past the stack. */
    public boolean frame(MemorySegment L, int level) {
        return Lua.getstack(L, level, debug) && Lua.getinfo(L, SL, debug);
    }

    /** "Lua", "C", "main" or "tail" for the loaded frame. */
    public String callerWhat() {
        return cstr(debug.get(ADDRESS, Lua.DEBUG_WHAT));
    }

    public String callerSource() {
        return cstr(debug.get(ADDRESS, Lua.DEBUG_SOURCE));
    }

    public int callerLine() {
        return debug.get(JAVA_INT, Lua.DEBUG_CURRENTLINE);
    }

    public String callerShortSrc() {
        return debug.asSlice(Lua.DEBUG_SHORT_SRC, 60).getString(0, StandardCharsets.ISO_8859_1);
    }

    private static String cstr(MemorySegment p) {
        return p.equals(MemorySegment.NULL) ? null : p.reinterpret(Integer.MAX_VALUE).getString(0,
                StandardCharsets.ISO_8859_1);
    }

    /** Pushes {err = message} (Redis luaPushError's table). */
    public void pushErrorTable(MemorySegment L, String message) {
        Lua.createtable(L, 0, 1);
        pushString(L, "err");
        pushString(L, message);
        Lua.rawset(L, -3);
    }

    // ---- strings --------------------------------------------------------------------------------

    private MemorySegment malloc(long n) {
        MemorySegment p;
        try {
            p = (MemorySegment) REALLOC.invokeExact(MemorySegment.NULL, n);
        } catch (Throwable t) {
            throw new OutOfMemoryError(t.toString());
        }
        if (p.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("cannot allocate " + n + " bytes for Lua");
        }
        MemorySegment seg = p.reinterpret(n);
        buffers.add(seg);
        return seg;
    }

    private void free(MemorySegment seg) {
        buffers.remove(seg);
        freeNative(seg);
    }

    private static void freeNative(MemorySegment seg) {
        try {
            FREE.invokeExact(seg);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Native scratch memory of at least {@code n} bytes (reused; valid until the next call). */
    public MemorySegment scratch(long n) {
        if (scratch.byteSize() < n) {
            long size = Math.max(n, scratch.byteSize() * 2);
            free(scratch);
            scratch = malloc(size);
        }
        return scratch;
    }

    public void pushBytes(MemorySegment L, byte[] b, int off, int len) {
        MemorySegment buf = scratch(Math.max(len, 1));
        MemorySegment.copy(b, off, buf, JAVA_BYTE, 0, len);
        Lua.pushlstring(L, buf, len);
    }

    public void pushBytes(MemorySegment L, byte[] b) {
        pushBytes(L, b, 0, b.length);
    }

    /**
     * Pushes a Java string as ISO-8859-1 bytes: scripting keeps Lua strings byte-exact as
     * one char per byte in Java.
     */
    public void pushString(MemorySegment L, String s) {
        pushBytes(L, s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The bytes of the string (or number, converted by Lua) at {@code idx}, or null. */
    public byte[] toBytes(MemorySegment L, int idx) {
        MemorySegment p = Lua.tolstring(L, idx, lenOut);
        if (p.equals(MemorySegment.NULL)) {
            return null;
        }
        long n = lenOut.get(JAVA_LONG, 0);
        return p.reinterpret(n).toArray(JAVA_BYTE);
    }

    /** The value at {@code idx} as text (one char per byte; numbers as Lua prints them), or null. */
    public String toJavaString(MemorySegment L, int idx) {
        byte[] b = toBytes(L, idx);
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Length of the last {@link Lua#tolstring} result. */
    public long lastLength() {
        return lenOut.get(JAVA_LONG, 0);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LuaState prev = CURRENT.get();
        CURRENT.set(this);
        try {
            Lua.close(L);
        } finally {
            CURRENT.set(prev);
        }
        unregister(id);
        for (MemorySegment b : buffers) {
            freeNative(b);
        }
        buffers.clear();
    }
}
