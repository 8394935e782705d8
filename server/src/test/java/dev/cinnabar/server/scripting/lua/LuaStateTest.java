package dev.cinnabar.server.scripting.lua;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The FFM binding on its own: real Lua 5.1 semantics, protected errors, the memory budget. */
class LuaStateTest {
    private static String run(LuaState s, String code) {
        MemorySegment L = s.L;
        Lua.settop(L, 0);
        int status = s.load(code, "=test");
        if (status == Lua.OK) {
            status = s.pcall(0, 1, 0);
        }
        String out = (status == Lua.OK ? "" : "error: ") + s.toJavaString(L, -1);
        Lua.settop(L, 0);
        return out;
    }

    private static LuaState withBaseLibraries(long limit) {
        LuaState s = new LuaState(limit);
        for (String[] lib : new String[][] {{"", "luaopen_base"}, {"string", "luaopen_string"},
                {"table", "luaopen_table"}, {"math", "luaopen_math"}}) {
            Lua.pushcfunction(s.L, Lua.symbol(lib[1]));
            s.pushString(s.L, lib[0]);
            assertThat(s.pcall(1, 0, 0)).isEqualTo(Lua.OK);
        }
        return s;
    }

    @Test
    void numbersFormatAsLua51() {
        try (LuaState s = withBaseLibraries(64 << 20)) {
            assertThat(run(s, "return tostring(10/3)")).isEqualTo("3.3333333333333");
            assertThat(run(s, "return tostring(2^53)")).isEqualTo("9.007199254741e+15");
            assertThat(run(s, "return string.format('%5.1f', 3.14159)")).isEqualTo("  3.1");
            assertThat(run(s, "return _VERSION")).isEqualTo("Lua 5.1");
            assertThat(run(s, "return type(unpack) .. type(loadstring) .. type(setfenv)"))
                    .isEqualTo("functionfunctionfunction");
        }
    }

    @Test
    void errorsAreReturnedNotThrown() {
        try (LuaState s = withBaseLibraries(64 << 20)) {
            assertThat(run(s, "local x; return x.y")).isEqualTo("error: test:1: attempt to index local 'x' (a nil value)");
            assertThat(run(s, "error('boom')")).isEqualTo("error: test:1: boom");
            assertThat(run(s, "return (")).startsWith("error: test:1:");
            assertThat(run(s, "local function f() return 1 + f() end return f()")).contains("stack overflow");
        }
    }

    @Test
    void readOnlyTablesRefuseWrites() {
        try (LuaState s = withBaseLibraries(64 << 20)) {
            MemorySegment L = s.L;
            Lua.enablereadonlytable(L, Lua.GLOBALSINDEX, true);
            assertThat(run(s, "x = 1")).isEqualTo("error: test:1: Attempt to modify a readonly table");
            assertThat(run(s, "rawset(_G, 'x', 1)")).contains("Attempt to modify a readonly table");
            Lua.enablereadonlytable(L, Lua.GLOBALSINDEX, false);
            assertThat(run(s, "x = 1 return x")).isEqualTo("1");
        }
    }

    @Test
    void theMemoryBudgetIsEnforcedAndCounted() {
        try (LuaState s = withBaseLibraries(8 << 20)) {
            long base = s.memoryUsed();
            assertThat(base).isPositive();
            assertThat(run(s, "local s = 'x' while true do s = s .. s end")).isEqualTo("error: not enough memory");
            Lua.gc(s.L, Lua.GCCOLLECT, 0);
            assertThat(s.memoryUsed()).isLessThan(base + (1 << 20));
            // Lua's own count agrees with ours.
            assertThat(Lua.gc(s.L, Lua.GCCOUNT, 0) * 1024L + Lua.gc(s.L, Lua.GCCOUNTB, 0)).isEqualTo(s.memoryUsed());
            s.memoryLimit(64 << 20);
            assertThat(run(s, "return #string.rep('y', 2^20)")).isEqualTo("1048576");
        }
    }

    @Test
    void javaFunctionsAreCalledAndReportErrors() {
        MemorySegment add = LuaState.cfunction((s, L) -> {
            Lua.pushnumber(L, Lua.tonumber(L, 1) + Lua.tonumber(L, 2));
            return 1;
        }, false);
        MemorySegment failing = LuaState.cfunction((s, L) -> {
            throw new LuaState.LuaException("nope");
        }, true);
        try (LuaState s = withBaseLibraries(64 << 20)) {
            MemorySegment L = s.L;
            Lua.pushcfunction(L, add);
            Lua.pushnumber(L, 2);
            Lua.pushnumber(L, 40);
            assertThat(s.pcall(2, 1, 0)).isEqualTo(Lua.OK);
            assertThat(Lua.tonumber(L, -1)).isEqualTo(42.0);
            Lua.settop(L, 0);
            // The marked form returns the marker and the message instead of raising.
            Lua.pushcfunction(L, failing);
            assertThat(s.pcall(0, Lua.MULTRET, 0)).isEqualTo(Lua.OK);
            assertThat(Lua.gettop(L)).isEqualTo(2);
            assertThat(Lua.type(L, 1)).isEqualTo(Lua.TLIGHTUSERDATA);
            assertThat(s.toJavaString(L, 2)).isEqualTo("nope");
        }
    }
}
