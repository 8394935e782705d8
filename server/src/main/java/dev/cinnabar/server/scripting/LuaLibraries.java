package dev.cinnabar.server.scripting;

import dev.cinnabar.server.scripting.lua.LuaState;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every Java function the sandbox prelude receives, by name, as C function pointers. The
 * upcall stubs are created once per process and shared by all interpreters.
 */
final class LuaLibraries {
    private LuaLibraries() {}

    private static final Map<String, MemorySegment> FUNCTIONS = build();

    static Map<String, MemorySegment> functions() {
        return FUNCTIONS;
    }

    private static Map<String, MemorySegment> build() {
        Map<String, LuaState.JavaFunction> m = new LinkedHashMap<>();
        LuaApi.register(m);
        LuaBit.register(m);
        LuaStruct.register(m);
        LuaCjson.register(m);
        LuaCmsgpack.register(m);
        Map<String, MemorySegment> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            out.put(k, LuaState.cfunction(v, false));
            out.put("!" + k, LuaState.cfunction(v, true));
        });
        return Map.copyOf(out);
    }
}
