package dev.cinnabar.server.scripting;

import dev.cinnabar.server.scripting.lua.Lua;
import dev.cinnabar.server.scripting.lua.LuaState;
import dev.cinnabar.server.scripting.lua.LuaState.LuaException;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code cjson} library of Redis scripts (lua-cjson 2.1.0): encode and decode with its
 * exact output (escaping '/', numbers as "%.14g", empty tables as objects, sparse-array
 * rules), its error messages and its configuration functions. The configuration belongs to
 * the interpreter and persists across scripts, as in Redis; cjson.new() makes an independent
 * copy of the module.
 */
final class LuaCjson {
    private LuaCjson() {}

    /** lua-cjson's json_config_t. */
    static final class Config {
        boolean sparseConvert;
        int sparseRatio = 2;
        int sparseSafe = 10;
        int encodeMaxDepth = 1000;
        int decodeMaxDepth = 1000;
        /** 0 off, 1 on, 2 null. */
        int encodeInvalidNumbers;
        boolean decodeInvalidNumbers = true;
        boolean keepBuffer = true;
        int precision = 14;
    }

    private static final int UPVALUE = Lua.GLOBALSINDEX - 1;
    private static final String[] FUNCTIONS = {"encode", "decode", "encode_keep_buffer", "encode_max_depth",
        "decode_max_depth", "encode_invalid_numbers", "decode_invalid_numbers", "encode_number_precision",
        "encode_sparse_array", "new"};

    static void register(Map<String, LuaState.JavaFunction> m) {
        m.put("cjson.encode", LuaCjson::encode);
        m.put("cjson.decode", LuaCjson::decode);
        m.put("cjson.encode_keep_buffer", (s, L) -> {
            Config c = config(s, L);
            argCount(L, 1, "encode_keep_buffer");
            int[] v = {c.keepBuffer ? 1 : 0};
            int r = enumOption(s, L, 1, v, null, 1, "encode_keep_buffer");
            c.keepBuffer = v[0] != 0;
            return r;
        });
        m.put("cjson.encode_max_depth", (s, L) -> {
            Config c = config(s, L);
            argCount(L, 1, "encode_max_depth");
            c.encodeMaxDepth = intOption(L, 1, c.encodeMaxDepth, 1, Integer.MAX_VALUE, "encode_max_depth");
            return 1;
        });
        m.put("cjson.decode_max_depth", (s, L) -> {
            Config c = config(s, L);
            argCount(L, 1, "decode_max_depth");
            c.decodeMaxDepth = intOption(L, 1, c.decodeMaxDepth, 1, Integer.MAX_VALUE, "decode_max_depth");
            return 1;
        });
        m.put("cjson.encode_number_precision", (s, L) -> {
            Config c = config(s, L);
            argCount(L, 1, "encode_number_precision");
            c.precision = intOption(L, 1, c.precision, 1, 14, "encode_number_precision");
            return 1;
        });
        m.put("cjson.encode_invalid_numbers", (s, L) -> {
            Config c = config(s, L);
            argCount(L, 1, "encode_invalid_numbers");
            int[] v = {c.encodeInvalidNumbers};
            int r = enumOption(s, L, 1, v, new String[] {"off", "on", "null"}, 1, "encode_invalid_numbers");
            c.encodeInvalidNumbers = v[0];
            return r;
        });
        m.put("cjson.decode_invalid_numbers", (s, L) -> {
            Config c = config(s, L);
            argCount(L, 1, "decode_invalid_numbers");
            int[] v = {c.decodeInvalidNumbers ? 1 : 0};
            int r = enumOption(s, L, 1, v, null, 1, "decode_invalid_numbers");
            c.decodeInvalidNumbers = v[0] != 0;
            return r;
        });
        m.put("cjson.encode_sparse_array", (s, L) -> {
            Config c = config(s, L);
            argCount(L, 3, "encode_sparse_array");
            int[] v = {c.sparseConvert ? 1 : 0};
            enumOption(s, L, 1, v, null, 1, "encode_sparse_array");
            c.sparseConvert = v[0] != 0;
            c.sparseRatio = intOption(L, 2, c.sparseRatio, 0, Integer.MAX_VALUE, "encode_sparse_array");
            c.sparseSafe = intOption(L, 3, c.sparseSafe, 0, Integer.MAX_VALUE, "encode_sparse_array");
            return 3;
        });
        m.put("cjson.new", LuaCjson::newModule);
    }

    /** The configuration of the module the called function belongs to. */
    private static Config config(LuaState s, MemorySegment L) {
        LuaSandbox vm = LuaApi.vm(s);
        long id = Lua.topointer(L, UPVALUE);
        return id == 0 ? vm.cjson : vm.cjsonInstances.get((int) id - 1);
    }

    private static void argCount(MemorySegment L, int max, String fname) throws LuaException {
        if (Lua.gettop(L) > max) {
            throw LuaException.arg(max + 1, "found too many arguments");
        }
    }

    /** lua-cjson json_integer_option. */
    private static int intOption(MemorySegment L, int idx, int current, int min, int max, String fname)
            throws LuaException {
        int value = current;
        if (Lua.type(L, idx) > Lua.TNIL) {
            double d = Lua.tonumber(L, idx);
            if (d == 0 && !Lua.isnumber(L, idx)) {
                throw LuaBit.typeError(L, idx, fname, "number");
            }
            long l = LuaReplies.toLongLikeC(d);
            if (l < min || l > max) {
                throw LuaException.arg(1, "expected integer between " + min + " and " + max);
            }
            value = (int) l;
        }
        Lua.pushnumber(L, value);
        return value;
    }

    /** lua-cjson json_enum_option: booleans or one of the option names. */
    private static int enumOption(LuaState s, MemorySegment L, int idx, int[] setting, String[] options, int boolTrue,
            String fname) throws LuaException {
        if (options == null) {
            options = new String[] {"off", "on"};
        }
        if (Lua.type(L, idx) > Lua.TNIL) {
            if (Lua.type(L, idx) == Lua.TBOOLEAN) {
                setting[0] = Lua.toboolean(L, idx) ? boolTrue : 0;
            } else {
                int t = Lua.type(L, idx);
                if (t != Lua.TSTRING && t != Lua.TNUMBER) {
                    throw LuaBit.typeError(L, idx, fname, "string");
                }
                String name = s.toJavaString(L, idx);
                int found = -1;
                for (int i = 0; i < options.length; i++) {
                    if (options[i].equals(name)) {
                        found = i;
                    }
                }
                if (found < 0) {
                    throw LuaException.arg(idx, "invalid option '" + name + "'");
                }
                setting[0] = found;
            }
        }
        if (setting[0] == 0 || setting[0] == boolTrue) {
            Lua.pushboolean(L, setting[0] != 0);
        } else {
            s.pushString(L, options[setting[0]]);
        }
        return 1;
    }

    /** cjson.new(): a fresh module table with its own configuration. */
    private static int newModule(LuaState s, MemorySegment L) {
        LuaSandbox vm = LuaApi.vm(s);
        vm.cjsonInstances.add(new Config());
        long id = vm.cjsonInstances.size();
        Map<String, MemorySegment> fns = LuaLibraries.functions();
        Lua.settop(L, 0);
        Lua.createtable(L, 0, FUNCTIONS.length + 3);
        for (String f : FUNCTIONS) {
            s.pushString(L, f);
            Lua.pushlightuserdata(L, MemorySegment.ofAddress(id));
            Lua.pushcclosure(L, fns.get("cjson." + f), 1);
            Lua.rawset(L, -3);
        }
        s.pushString(L, "null");
        Lua.pushlightuserdata(L, MemorySegment.NULL);
        Lua.rawset(L, -3);
        s.pushString(L, "_NAME");
        s.pushString(L, "cjson");
        Lua.rawset(L, -3);
        s.pushString(L, "_VERSION");
        s.pushString(L, "2.1.0");
        Lua.rawset(L, -3);
        return 1;
    }

    // ---- encode -----------------------------------------------------------------------------------

    private static final String[] ESCAPES = new String[256];

    static {
        for (int i = 0; i < 32; i++) {
            ESCAPES[i] = String.format("\\u%04x", i);
        }
        ESCAPES['\b'] = "\\b";
        ESCAPES['\t'] = "\\t";
        ESCAPES['\n'] = "\\n";
        ESCAPES['\f'] = "\\f";
        ESCAPES['\r'] = "\\r";
        ESCAPES['"'] = "\\\"";
        ESCAPES['\\'] = "\\\\";
        ESCAPES['/'] = "\\/";
        ESCAPES[0x7f] = "\\u007f";
    }

    private static int encode(LuaState s, MemorySegment L) throws LuaException {
        Config cfg = config(s, L);
        if (Lua.gettop(L) != 1) {
            throw LuaException.arg(1, "expected 1 argument");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        appendValue(s, L, cfg, 0, out);
        Lua.settop(L, 0);
        s.pushBytes(L, out.toByteArray());
        return 1;
    }

    private static LuaException encodeError(MemorySegment L, int idx, String reason) {
        return new LuaException("Cannot serialise " + LuaBit.typeName(Lua.type(L, idx)) + ": " + reason);
    }

    private static void appendValue(LuaState s, MemorySegment L, Config cfg, int depth, ByteArrayOutputStream out)
            throws LuaException {
        switch (Lua.type(L, -1)) {
            case Lua.TSTRING -> appendString(s, L, -1, out);
            case Lua.TNUMBER -> appendNumber(s, L, cfg, -1, out);
            case Lua.TBOOLEAN -> out.writeBytes(Lua.toboolean(L, -1) ? TRUE : FALSE);
            case Lua.TTABLE -> {
                depth++;
                if (depth > cfg.encodeMaxDepth || !Lua.checkstack(L, 3)) {
                    throw new LuaException("Cannot serialise, excessive nesting (" + depth + ")");
                }
                int len = arrayLength(L, cfg);
                if (len > 0) {
                    out.write('[');
                    for (int i = 1; i <= len; i++) {
                        if (i > 1) {
                            out.write(',');
                        }
                        Lua.rawgeti(L, -1, i);
                        appendValue(s, L, cfg, depth, out);
                        Lua.pop(L, 1);
                    }
                    out.write(']');
                } else {
                    out.write('{');
                    boolean comma = false;
                    Lua.pushnil(L);
                    while (Lua.next(L, -2)) {
                        if (comma) {
                            out.write(',');
                        }
                        comma = true;
                        int kt = Lua.type(L, -2);
                        if (kt == Lua.TNUMBER) {
                            out.write('"');
                            appendNumber(s, L, cfg, -2, out);
                            out.write('"');
                            out.write(':');
                        } else if (kt == Lua.TSTRING) {
                            appendString(s, L, -2, out);
                            out.write(':');
                        } else {
                            throw encodeError(L, -2, "table key must be a number or string");
                        }
                        appendValue(s, L, cfg, depth, out);
                        Lua.pop(L, 1);
                    }
                    out.write('}');
                }
            }
            case Lua.TNIL -> out.writeBytes(NULL);
            case Lua.TLIGHTUSERDATA -> {
                if (Lua.topointer(L, -1) != 0) {
                    throw encodeError(L, -1, "type not supported");
                }
                out.writeBytes(NULL);
            }
            default -> throw encodeError(L, -1, "type not supported");
        }
    }

    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    /** lua_array_length: the array size, 0 for an object, after the sparse-array rules. */
    private static int arrayLength(MemorySegment L, Config cfg) throws LuaException {
        double max = 0;
        long items = 0;
        Lua.pushnil(L);
        while (Lua.next(L, -2)) {
            if (Lua.type(L, -2) == Lua.TNUMBER) {
                double k = Lua.tonumber(L, -2);
                if (k != 0 && Math.floor(k) == k && k >= 1) {
                    if (k > max) {
                        max = k;
                    }
                    items++;
                    Lua.pop(L, 1);
                    continue;
                }
            }
            Lua.pop(L, 2);
            return -1;
        }
        int imax = (int) LuaReplies.toLongLikeC(max);
        if (cfg.sparseRatio > 0 && imax > items * cfg.sparseRatio && imax > cfg.sparseSafe) {
            if (!cfg.sparseConvert) {
                throw new LuaException("Cannot serialise table: excessively sparse array");
            }
            return -1;
        }
        return imax;
    }

    private static void appendNumber(LuaState s, MemorySegment L, Config cfg, int idx, ByteArrayOutputStream out)
            throws LuaException {
        double num = Lua.tonumber(L, idx);
        boolean invalid = Double.isNaN(num) || Double.isInfinite(num);
        if (cfg.encodeInvalidNumbers == 0) {
            if (invalid) {
                throw encodeError(L, idx, "must not be NaN or Inf");
            }
        } else if (cfg.encodeInvalidNumbers == 1) {
            if (Double.isNaN(num)) {
                out.writeBytes("nan".getBytes(StandardCharsets.US_ASCII));
                return;
            }
        } else if (invalid) {
            out.writeBytes(NULL);
            return;
        }
        out.writeBytes(CFormat.g(num, cfg.precision).getBytes(StandardCharsets.US_ASCII));
    }

    private static void appendString(LuaState s, MemorySegment L, int idx, ByteArrayOutputStream out) {
        MemorySegment p = Lua.tostringNoAlloc(L, idx, s.lenOut);
        long n = s.lastLength();
        byte[] b = LuaApi.vm(s).bytes(p, n);
        out.write('"');
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xFF;
            String e = ESCAPES[c];
            if (e == null) {
                out.write(c);
            } else {
                out.writeBytes(e.getBytes(StandardCharsets.US_ASCII));
            }
        }
        out.write('"');
    }

    // ---- decode -----------------------------------------------------------------------------------

    private static final int T_OBJ_BEGIN = 0;
    private static final int T_OBJ_END = 1;
    private static final int T_ARR_BEGIN = 2;
    private static final int T_ARR_END = 3;
    private static final int T_STRING = 4;
    private static final int T_NUMBER = 5;
    private static final int T_BOOLEAN = 6;
    private static final int T_NULL = 7;
    private static final int T_COLON = 8;
    private static final int T_COMMA = 9;
    private static final int T_END = 10;
    private static final int T_WHITESPACE = 11;
    private static final int T_ERROR = 12;
    private static final int T_UNKNOWN = 13;
    private static final String[] TOKEN_NAMES = {"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END",
        "T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR",
        "T_UNKNOWN"};
    private static final int[] CH2TOKEN = new int[256];

    static {
        java.util.Arrays.fill(CH2TOKEN, T_ERROR);
        CH2TOKEN['{'] = T_OBJ_BEGIN;
        CH2TOKEN['}'] = T_OBJ_END;
        CH2TOKEN['['] = T_ARR_BEGIN;
        CH2TOKEN[']'] = T_ARR_END;
        CH2TOKEN[','] = T_COMMA;
        CH2TOKEN[':'] = T_COLON;
        CH2TOKEN[0] = T_END;
        CH2TOKEN[' '] = T_WHITESPACE;
        CH2TOKEN['\t'] = T_WHITESPACE;
        CH2TOKEN['\n'] = T_WHITESPACE;
        CH2TOKEN['\r'] = T_WHITESPACE;
        for (char c : "\"-0123456789fiInNt".toCharArray()) {
            CH2TOKEN[c] = T_UNKNOWN;
        }
    }

    /** The parser state (json_parse_t) and the current token (json_token_t). */
    private static final class Parser {
        final LuaState s;
        final MemorySegment L;
        final Config cfg;
        final byte[] data;
        int ptr;
        int depth;
        // current token
        int type;
        int index;
        boolean bool;
        double number;
        byte[] string;
        String error;

        Parser(LuaState s, MemorySegment L, Config cfg, byte[] data) {
            this.s = s;
            this.L = L;
            this.cfg = cfg;
            this.data = data;
        }

        int at(int i) {
            return i < data.length ? data[i] & 0xFF : 0;
        }

        boolean startsWith(String word) {
            for (int i = 0; i < word.length(); i++) {
                if (at(ptr + i) != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        boolean startsWithIgnoreCase(int from, String word) {
            for (int i = 0; i < word.length(); i++) {
                int c = at(from + i);
                if (Character.toLowerCase(c) != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        void tokenError(String what) {
            type = T_ERROR;
            index = ptr;
            error = what;
        }

        void next() {
            int ch;
            while (true) {
                ch = at(ptr);
                type = CH2TOKEN[ch];
                if (type != T_WHITESPACE) {
                    break;
                }
                ptr++;
            }
            index = ptr;
            if (type == T_ERROR) {
                tokenError("invalid token");
                return;
            }
            if (type == T_END) {
                return;
            }
            if (type != T_UNKNOWN) {
                ptr++;
                return;
            }
            if (ch == '"') {
                nextString();
            } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
                if (!cfg.decodeInvalidNumbers && invalidNumber()) {
                    tokenError("invalid number");
                    return;
                }
                nextNumber();
            } else if (startsWith("true")) {
                type = T_BOOLEAN;
                bool = true;
                ptr += 4;
            } else if (startsWith("false")) {
                type = T_BOOLEAN;
                bool = false;
                ptr += 5;
            } else if (startsWith("null")) {
                type = T_NULL;
                ptr += 4;
            } else if (cfg.decodeInvalidNumbers && invalidNumber()) {
                nextNumber();
            } else {
                tokenError("invalid token");
            }
        }

        /** json_is_invalid_number: valid for strtod but not JSON (hex, leading zeros, inf, nan). */
        boolean invalidNumber() {
            int p = ptr;
            if (at(p) == '+') {
                return true;
            }
            if (at(p) == '-') {
                p++;
            }
            if (at(p) == '0') {
                int ch2 = at(p + 1);
                return (ch2 | 0x20) == 'x' || (ch2 >= '0' && ch2 <= '9');
            } else if (at(p) <= '9') {
                return false;
            }
            return startsWithIgnoreCase(p, "inf") || startsWithIgnoreCase(p, "nan");
        }

        void nextNumber() {
            int end = Strtod.prefixLength(data, ptr);
            if (end == 0) {
                tokenError("invalid number");
                return;
            }
            type = T_NUMBER;
            number = Strtod.parse(data, ptr, end);
            ptr += end;
        }

        void nextString() {
            ptr++;
            ByteArrayOutputStream tmp = new ByteArrayOutputStream();
            int ch;
            while ((ch = at(ptr)) != '"') {
                if (ch == 0) {
                    tokenError("unexpected end of string");
                    return;
                }
                if (ch == '\\') {
                    int esc = at(ptr + 1);
                    int tr = switch (esc) {
                        case '"' -> '"';
                        case '\\' -> '\\';
                        case '/' -> '/';
                        case 'b' -> '\b';
                        case 'f' -> '\f';
                        case 'n' -> '\n';
                        case 'r' -> '\r';
                        case 't' -> '\t';
                        case 'u' -> 'u';
                        default -> 0;
                    };
                    if (tr == 'u') {
                        if (unicodeEscape(tmp)) {
                            continue;
                        }
                        tokenError("invalid unicode escape code");
                        return;
                    }
                    if (tr == 0) {
                        tokenError("invalid escape code");
                        return;
                    }
                    ptr++;
                    ch = tr;
                }
                tmp.write(ch);
                ptr++;
            }
            ptr++;
            type = T_STRING;
            string = tmp.toByteArray();
        }

        int hex4(int p) {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int c = at(p + i);
                int d = Character.digit(c, 16);
                if (c > 127 || d < 0) {
                    return -1;
                }
                v = v * 16 + d;
            }
            return v;
        }

        boolean unicodeEscape(ByteArrayOutputStream tmp) {
            int escapeLen = 6;
            int cp = hex4(ptr + 2);
            if (cp < 0) {
                return false;
            }
            if ((cp & 0xF800) == 0xD800) {
                if ((cp & 0x400) != 0) {
                    return false;
                }
                if (at(ptr + escapeLen) != '\\' || at(ptr + escapeLen + 1) != 'u') {
                    return false;
                }
                int low = hex4(ptr + 2 + escapeLen);
                if (low < 0 || (low & 0xFC00) != 0xDC00) {
                    return false;
                }
                cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
                escapeLen = 12;
            }
            if (cp <= 0x7F) {
                tmp.write(cp);
            } else if (cp <= 0x7FF) {
                tmp.write(0xC0 | (cp >> 6));
                tmp.write(0x80 | (cp & 0x3F));
            } else if (cp <= 0xFFFF) {
                tmp.write(0xE0 | (cp >> 12));
                tmp.write(0x80 | ((cp >> 6) & 0x3F));
                tmp.write(0x80 | (cp & 0x3F));
            } else {
                tmp.write(0xF0 | (cp >> 18));
                tmp.write(0x80 | ((cp >> 12) & 0x3F));
                tmp.write(0x80 | ((cp >> 6) & 0x3F));
                tmp.write(0x80 | (cp & 0x3F));
            }
            ptr += escapeLen;
            return true;
        }

        LuaException parseError(String expected) {
            String found = type == T_ERROR ? error : TOKEN_NAMES[type];
            return new LuaException("Expected " + expected + " but found " + found + " at character " + (index + 1));
        }

        void enter() throws LuaException {
            if (++depth > cfg.decodeMaxDepth) {
                throw new LuaException("Found too many nested data structures (" + depth + ") at character " + ptr);
            }
        }

        void value() throws LuaException {
            if (!Lua.checkstack(L, 3)) {
                throw new LuaException("Found too many nested data structures (" + depth + ") at character " + ptr);
            }
            switch (type) {
                case T_STRING -> s.pushBytes(L, string);
                case T_NUMBER -> Lua.pushnumber(L, number);
                case T_BOOLEAN -> Lua.pushboolean(L, bool);
                case T_OBJ_BEGIN -> object();
                case T_ARR_BEGIN -> array();
                case T_NULL -> Lua.pushlightuserdata(L, MemorySegment.NULL);
                default -> throw parseError("value");
            }
        }

        void object() throws LuaException {
            enter();
            Lua.createtable(L, 0, 0);
            next();
            if (type == T_OBJ_END) {
                depth--;
                return;
            }
            while (true) {
                if (type != T_STRING) {
                    throw parseError("object key string");
                }
                s.pushBytes(L, string);
                next();
                if (type != T_COLON) {
                    throw parseError("colon");
                }
                next();
                value();
                Lua.rawset(L, -3);
                next();
                if (type == T_OBJ_END) {
                    depth--;
                    return;
                }
                if (type != T_COMMA) {
                    throw parseError("comma or object end");
                }
                next();
            }
        }

        void array() throws LuaException {
            enter();
            Lua.createtable(L, 0, 0);
            next();
            if (type == T_ARR_END) {
                depth--;
                return;
            }
            for (int i = 1;; i++) {
                value();
                Lua.rawseti(L, -2, i);
                next();
                if (type == T_ARR_END) {
                    depth--;
                    return;
                }
                if (type != T_COMMA) {
                    throw parseError("comma or array end");
                }
                next();
            }
        }
    }

    private static int decode(LuaState s, MemorySegment L) throws LuaException {
        Config cfg = config(s, L);
        if (Lua.gettop(L) != 1) {
            throw LuaException.arg(1, "expected 1 argument");
        }
        int t = Lua.type(L, 1);
        if (t != Lua.TSTRING && t != Lua.TNUMBER) {
            throw LuaBit.typeError(L, 1, "decode", "string");
        }
        Lua.pushvalue(L, 1);
        byte[] json = s.toBytes(L, -1);
        Lua.settop(L, 0);
        if (json.length >= 2 && (json[0] == 0 || json[1] == 0)) {
            throw new LuaException("JSON parser does not support UTF-16 or UTF-32");
        }
        Parser p = new Parser(s, L, cfg, json);
        p.next();
        p.value();
        p.next();
        if (p.type != T_END) {
            throw p.parseError("the end");
        }
        return 1;
    }
}
