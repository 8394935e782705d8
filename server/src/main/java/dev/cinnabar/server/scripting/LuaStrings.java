package dev.cinnabar.server.scripting;

import dev.cinnabar.server.scripting.lua.Lua;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Constant strings pushed on hot paths (table field names of replies, KEYS/ARGV), kept in
 * native memory so pushing one is a single call with no copy.
 */
final class LuaStrings {
    private LuaStrings() {}

    static final MemorySegment KEYS = make("KEYS");
    static final MemorySegment ARGV = make("ARGV");
    static final MemorySegment ERR = make("err");
    static final MemorySegment OK = make("ok");
    static final MemorySegment DOUBLE = make("double");
    static final MemorySegment BIG_NUMBER = make("big_number");
    static final MemorySegment VERBATIM = make("verbatim_string");
    static final MemorySegment MAP = make("map");
    static final MemorySegment SET = make("set");
    static final MemorySegment FORMAT = make("format");
    static final MemorySegment STRING = make("string");
    static final MemorySegment IGNORE_STATS = make("ignore_error_stats_update");
    static final MemorySegment SOURCE = make("source");
    static final MemorySegment LINE = make("line");
    static final MemorySegment INDEX = make("__index");

    private static MemorySegment make(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        MemorySegment m = Arena.global().allocate(b.length + 1);
        MemorySegment.copy(b, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
        return m;
    }

    static void push(MemorySegment L, MemorySegment s) {
        Lua.pushlstring(L, s, s.byteSize() - 1);
    }
}
