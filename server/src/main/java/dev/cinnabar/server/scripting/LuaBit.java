package dev.cinnabar.server.scripting;

import dev.cinnabar.server.scripting.lua.Lua;
import dev.cinnabar.server.scripting.lua.LuaState;
import dev.cinnabar.server.scripting.lua.LuaState.LuaException;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * The {@code bit} library scripts get in Redis (LuaBitOp 1.0): 32-bit operations on Lua
 * numbers, results as signed 32-bit numbers. Arguments are converted the way LuaBitOp does it,
 * by adding 2^52+2^51 and keeping the low 32 bits of the double, which rounds to nearest and
 * wraps modulo 2^32.
 */
final class LuaBit {
    private LuaBit() {}

    private interface Op {
        int apply(int a, int b);
    }

    static void register(Map<String, LuaState.JavaFunction> m) {
        m.put("bit.tobit", (s, L) -> push(L, arg(L, 1, "tobit")));
        m.put("bit.bnot", (s, L) -> push(L, ~arg(L, 1, "bnot")));
        m.put("bit.band", (s, L) -> fold(L, "band", (a, b) -> a & b));
        m.put("bit.bor", (s, L) -> fold(L, "bor", (a, b) -> a | b));
        m.put("bit.bxor", (s, L) -> fold(L, "bxor", (a, b) -> a ^ b));
        m.put("bit.lshift", (s, L) -> shift(L, "lshift", (a, n) -> a << n));
        m.put("bit.rshift", (s, L) -> shift(L, "rshift", (a, n) -> a >>> n));
        m.put("bit.arshift", (s, L) -> shift(L, "arshift", (a, n) -> a >> n));
        m.put("bit.rol", (s, L) -> shift(L, "rol", Integer::rotateLeft));
        m.put("bit.ror", (s, L) -> shift(L, "ror", Integer::rotateRight));
        m.put("bit.bswap", (s, L) -> push(L, Integer.reverseBytes(arg(L, 1, "bswap"))));
        m.put("bit.tohex", LuaBit::tohex);
    }

    private static int push(MemorySegment L, int v) {
        Lua.pushnumber(L, v);
        return 1;
    }

    /** LuaBitOp barg: the argument as 32 bits, or a "number expected" error. */
    static int arg(MemorySegment L, int idx, String fname) throws LuaException {
        double n = Lua.tonumber(L, idx);
        int b = (int) Double.doubleToRawLongBits(n + 6755399441055744.0);
        if (b == 0 && !Lua.isnumber(L, idx)) {
            throw typeError(L, idx, fname, "number");
        }
        return b;
    }

    /** luaL_typerror's message. */
    static LuaException typeError(MemorySegment L, int idx, String fname, String expected) {
        return LuaException.arg(idx, expected + " expected, got " + typeName(Lua.type(L, idx)));
    }

    /** luaL_typename. */
    static String typeName(int t) {
        return switch (t) {
            case Lua.TNONE -> "no value";
            case Lua.TNIL -> "nil";
            case Lua.TBOOLEAN -> "boolean";
            case Lua.TLIGHTUSERDATA, Lua.TUSERDATA -> "userdata";
            case Lua.TNUMBER -> "number";
            case Lua.TSTRING -> "string";
            case Lua.TTABLE -> "table";
            case Lua.TFUNCTION -> "function";
            case Lua.TTHREAD -> "thread";
            default -> "?";
        };
    }

    // band/bor/bxor: the first argument, then the others from the last one down (LuaBitOp's order).
    private static int fold(MemorySegment L, String fname, Op op) throws LuaException {
        int b = arg(L, 1, fname);
        for (int i = Lua.gettop(L); i > 1; i--) {
            b = op.apply(b, arg(L, i, fname));
        }
        return push(L, b);
    }

    private static int shift(MemorySegment L, String fname, Op op) throws LuaException {
        int b = arg(L, 1, fname);
        int n = arg(L, 2, fname) & 31;
        return push(L, op.apply(b, n));
    }

    private static int tohex(LuaState s, MemorySegment L) throws LuaException {
        int b = arg(L, 1, "tohex");
        int n = Lua.gettop(L) < 2 ? 8 : arg(L, 2, "tohex");
        if (n == Integer.MIN_VALUE) {
            n = Integer.MIN_VALUE + 1; // Redis's fix: -INT_MIN overflows
        }
        String digits = "0123456789abcdef";
        if (n < 0) {
            n = -n;
            digits = "0123456789ABCDEF";
        }
        if (n > 8) {
            n = 8;
        }
        byte[] buf = new byte[n];
        for (int i = n - 1; i >= 0; i--) {
            buf[i] = (byte) digits.charAt(b & 15);
            b >>>= 4;
        }
        s.pushBytes(L, buf);
        return 1;
    }
}
