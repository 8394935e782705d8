package dev.cinnabar.server.scripting;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.scripting.lua.Lua;
import dev.cinnabar.server.scripting.lua.LuaState;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Conversions between Lua values and RESP, exactly as Redis's script_lua.c does them:
 * {@link #pushReply} turns a command's reply into the Lua value redis.call returns, and
 * {@link #writeReply} turns a script's return value into the reply its caller gets.
 */
final class LuaReplies {
    private LuaReplies() {}

    // ---- Lua -> RESP (luaReplyToRedisReply) -----------------------------------------------------

    /** An aggregate being written: its kind, its deferred length, its progress. */
    private static final class Frame {
        static final int ARRAY = 0;
        static final int MAP = 1;
        static final int SET = 2;
        final int kind;
        final int token;
        long n;
        int next = 1;
        /** MAP: the key was written, the value comes next. */
        boolean valueNext;

        Frame(int kind, int token) {
            this.kind = kind;
            this.token = token;
        }
    }

    /**
     * Writes the value on top of the stack to {@code c} and pops it (Redis luaReplyToRedisReply).
     * {@code scriptResp} is the protocol the script chose (redis.setresp): booleans are written
     * as in that protocol. Nested tables are walked with an explicit stack, since a table may
     * contain itself: like Redis we go as deep as the Lua stack allows.
     */
    static void writeReply(LuaSandbox sb, Client c, int scriptResp) {
        MemorySegment L = sb.L;
        ReplyWriter w = c.reply;
        java.util.ArrayDeque<Frame> frames = new java.util.ArrayDeque<>();
        Frame f = writeValue(sb, c, scriptResp);
        if (f == null) {
            return;
        }
        frames.push(f);
        while (!frames.isEmpty()) {
            f = frames.peek();
            Frame child = null;
            boolean done = false;
            switch (f.kind) {
                case Frame.ARRAY -> {
                    // stack: ..., array
                    Lua.rawgeti(L, -1, f.next);
                    if (Lua.type(L, -1) == Lua.TNIL) {
                        Lua.pop(L, 2);
                        w.setDeferredArrayLen(f.token, f.n);
                        done = true;
                    } else {
                        f.next++;
                        f.n++;
                        child = writeValue(sb, c, scriptResp);
                    }
                }
                case Frame.MAP -> {
                    // stack: ..., container, map, key [, value]
                    if (f.valueNext) {
                        f.valueNext = false;
                        child = writeValue(sb, c, scriptResp); // the value
                    } else if (Lua.next(L, -2)) {
                        Lua.pushvalue(L, -2);
                        f.n++;
                        f.valueNext = true;
                        child = writeValue(sb, c, scriptResp); // a copy of the key
                    } else {
                        Lua.pop(L, 2);
                        w.setDeferredMapLen(f.token, f.n);
                        done = true;
                    }
                }
                default -> {
                    // SET; stack: ..., container, set, key
                    if (Lua.next(L, -2)) {
                        Lua.pop(L, 1);
                        Lua.pushvalue(L, -1);
                        f.n++;
                        child = writeValue(sb, c, scriptResp);
                    } else {
                        Lua.pop(L, 2);
                        w.setDeferredSetLen(f.token, f.n);
                        done = true;
                    }
                }
            }
            if (done) {
                frames.pop();
            } else if (child != null) {
                frames.push(child);
            }
        }
    }

    /**
     * Writes the value on top and pops it, unless it is an aggregate: then its header is
     * deferred, what must be walked is left on the stack, and the frame to walk it is returned.
     */
    private static Frame writeValue(LuaSandbox sb, Client c, int scriptResp) {
        MemorySegment L = sb.L;
        LuaState s = sb.state;
        ReplyWriter w = c.reply;
        if (!Lua.checkstack(L, 4)) {
            // A table containing itself: Redis stops where the Lua stack runs out.
            c.error("ERR reached lua stack limit");
            Lua.pop(L, 1);
            return null;
        }
        switch (Lua.type(L, -1)) {
            case Lua.TSTRING -> {
                MemorySegment p = Lua.tostringNoAlloc(L, -1, s.lenOut);
                long n = s.lastLength();
                byte[] b = sb.bytes(p, n);
                w.bulk(b, 0, (int) n);
            }
            case Lua.TBOOLEAN -> {
                boolean v = Lua.toboolean(L, -1);
                if (scriptResp == 2) {
                    if (v) {
                        w.one();
                    } else {
                        w.nullBulk();
                    }
                } else {
                    w.bool(v);
                }
            }
            case Lua.TNUMBER -> w.integer(toLongLikeC(Lua.tonumber(L, -1)));
            case Lua.TTABLE -> {
                return writeTable(sb, c);
            }
            default -> w.nullBulk();
        }
        Lua.pop(L, 1);
        return null;
    }

    /** C's (long long) cast of a double on x86-64: out of range and NaN give LLONG_MIN. */
    static long toLongLikeC(double d) {
        if (Double.isNaN(d) || d >= 0x1p63 || d < -0x1p63) {
            return Long.MIN_VALUE;
        }
        return (long) d;
    }

    private static int field(LuaSandbox sb, MemorySegment name, int table) {
        LuaStrings.push(sb.L, name);
        Lua.rawget(sb.L, table - 1);
        return Lua.type(sb.L, -1);
    }

    /** A table: an error, status, double, big number or verbatim reply, or an aggregate to walk. */
    private static Frame writeTable(LuaSandbox sb, Client c) {
        MemorySegment L = sb.L;
        ReplyWriter w = c.reply;
        // Most scripts return plain arrays: if no key follows the array border, the table has
        // no err/ok/... field and the field probes can be skipped.
        long border = Lua.objlen(L, -1);
        if (border == 0) {
            Lua.pushnil(L);
        } else {
            Lua.pushnumber(L, border);
        }
        if (!Lua.next(L, -2)) {
            return new Frame(Frame.ARRAY, w.deferLen());
        }
        Lua.pop(L, 2);
        if (field(sb, LuaStrings.ERR, -1) == Lua.TSTRING) {
            Lua.pop(L, 1);
            ErrorInfo e = ErrorInfo.of(sb, -1);
            replyError(c, "-" + e.msg, e.ignoreStats);
            Lua.pop(L, 1);
            return null;
        }
        Lua.pop(L, 1);
        if (field(sb, LuaStrings.OK, -1) == Lua.TSTRING) {
            byte[] ok = sb.state.toBytes(L, -1);
            w.simple(statusText(ok));
            Lua.pop(L, 2);
            return null;
        }
        Lua.pop(L, 1);
        if (field(sb, LuaStrings.DOUBLE, -1) == Lua.TNUMBER) {
            w.doubleValue(Lua.tonumber(L, -1));
            Lua.pop(L, 2);
            return null;
        }
        Lua.pop(L, 1);
        if (field(sb, LuaStrings.BIG_NUMBER, -1) == Lua.TSTRING) {
            byte[] n = sb.state.toBytes(L, -1);
            for (int i = 0; i < n.length; i++) {
                if (n[i] == '\r' || n[i] == '\n') {
                    n[i] = ' ';
                }
            }
            w.bigNumber(new String(n, StandardCharsets.ISO_8859_1));
            Lua.pop(L, 2);
            return null;
        }
        Lua.pop(L, 1);
        if (field(sb, LuaStrings.VERBATIM, -1) == Lua.TTABLE) {
            if (field(sb, LuaStrings.FORMAT, -1) == Lua.TSTRING) {
                byte[] format = sb.state.toBytes(L, -1);
                if (field(sb, LuaStrings.STRING, -2) == Lua.TSTRING) {
                    verbatim(w, sb.state.toBytes(L, -1), format);
                    Lua.pop(L, 4);
                    return null;
                }
                Lua.pop(L, 1);
            }
            Lua.pop(L, 1);
        }
        Lua.pop(L, 1);
        if (field(sb, LuaStrings.MAP, -1) == Lua.TTABLE) {
            // stack: container, map; the walk pushes the keys on top
            Lua.pushnil(L);
            return new Frame(Frame.MAP, w.deferLen());
        }
        Lua.pop(L, 1);
        if (field(sb, LuaStrings.SET, -1) == Lua.TTABLE) {
            Lua.pushnil(L);
            return new Frame(Frame.SET, w.deferLen());
        }
        Lua.pop(L, 1);
        // An array: elements 1, 2, ... up to the first nil.
        return new Frame(Frame.ARRAY, w.deferLen());
    }

    /** sdsnew(lua_tostring(..)) with CR/LF mapped to spaces: a C string, cut at a NUL byte. */
    private static byte[] statusText(byte[] s) {
        int n = 0;
        while (n < s.length && s[n] != 0) {
            n++;
        }
        byte[] out = java.util.Arrays.copyOf(s, n);
        for (int i = 0; i < n; i++) {
            if (out[i] == '\r' || out[i] == '\n') {
                out[i] = ' ';
            }
        }
        return out;
    }

    private static void verbatim(ReplyWriter w, byte[] text, byte[] format) {
        if (w.resp() != 3) {
            w.bulk(text);
            return;
        }
        // Redis addReplyVerbatim copies exactly three bytes of the format.
        ByteArrayOutputStream o = new ByteArrayOutputStream(text.length + 16);
        o.writeBytes(("=" + (text.length + 4) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 3; i++) {
            o.write(i < format.length ? format[i] : 0);
        }
        o.write(':');
        o.writeBytes(text);
        o.write('\r');
        o.write('\n');
        w.raw(o.toByteArray());
    }

    /**
     * An error reply from a script ("-CODE message"): Redis addReplyErrorFormatEx trims CR/LF at
     * the ends (the writer maps inner ones to spaces). With {@code noStats} the error was already
     * counted when the command that produced it failed: the call still counts as failed.
     */
    static void replyError(Client c, String text, boolean noStats) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\r' || text.charAt(end - 1) == '\n')) {
            end--;
        }
        int start = 0;
        while (start < end && (text.charAt(start) == '\r' || text.charAt(start) == '\n')) {
            start++;
        }
        String s = text.substring(start, end);
        if (s.isEmpty() || s.charAt(0) != '-') {
            s = "ERR " + s;
        } else {
            s = s.substring(1);
        }
        if (noStats) {
            c.erred = true;
            c.reply.error(s);
        } else {
            c.error(s);
        }
    }

    /** What Redis's luaExtractErrorInformation reads from an error table (raw reads here). */
    record ErrorInfo(String msg, String source, String line, boolean ignoreStats) {
        static ErrorInfo of(LuaSandbox sb, int idx) {
            MemorySegment L = sb.L;
            int t = Lua.gettop(L) + 1 + idx;
            if (Lua.type(L, t) != Lua.TTABLE) {
                String m = Lua.type(L, t) == Lua.TSTRING || Lua.type(L, t) == Lua.TNUMBER
                        ? cString(sb.state.toBytes(L, t)) : null;
                return new ErrorInfo(m == null ? null : "ERR " + m, null, null, false);
            }
            String msg = stringField(sb, t, LuaStrings.ERR);
            String source = stringField(sb, t, LuaStrings.SOURCE);
            String line = stringField(sb, t, LuaStrings.LINE);
            LuaStrings.push(L, LuaStrings.IGNORE_STATS);
            Lua.rawget(L, t);
            boolean ignore = Lua.type(L, -1) == Lua.TBOOLEAN && Lua.toboolean(L, -1);
            Lua.pop(L, 1);
            return new ErrorInfo(msg, source, line, ignore);
        }

        private static String stringField(LuaSandbox sb, int t, MemorySegment name) {
            MemorySegment L = sb.L;
            LuaStrings.push(L, name);
            Lua.rawget(L, t);
            int type = Lua.type(L, -1);
            String v = type == Lua.TSTRING || type == Lua.TNUMBER ? cString(sb.state.toBytes(L, -1)) : null;
            Lua.pop(L, 1);
            return v;
        }
    }

    /** A C string view of Lua bytes (Redis copies error texts with sdsnew): cut at NUL. */
    static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    // ---- RESP -> Lua (redisProtocolToLuaType) -------------------------------------------------

    /**
     * Pushes the Lua value of the RESP reply at {@code b[p]}; returns the position after it.
     * With {@code push} false the reply is skipped (attributes are not shown to scripts).
     */
    static int pushReply(LuaSandbox sb, MemorySegment L, byte[] b, int p, boolean push) {
        LuaState s = sb.state;
        byte type = b[p];
        int eol = lineEnd(b, p);
        switch (type) {
            case '$' -> {
                long len = parseLong(b, p + 1, eol);
                if (len < 0) {
                    if (push) {
                        Lua.pushboolean(L, false);
                    }
                    return eol + 2;
                }
                int start = eol + 2;
                if (push) {
                    s.pushBytes(L, b, start, (int) len);
                }
                return start + (int) len + 2;
            }
            case '+' -> {
                if (push) {
                    Lua.checkstack(L, 3);
                    Lua.createtable(L, 0, 1);
                    LuaStrings.push(L, LuaStrings.OK);
                    s.pushBytes(L, b, p + 1, eol - p - 1);
                    Lua.rawset(L, -3);
                }
                return eol + 2;
            }
            case '-' -> {
                if (push) {
                    pushErrorTable(sb, L, new String(b, p, eol - p, StandardCharsets.ISO_8859_1), true);
                }
                return eol + 2;
            }
            case ':' -> {
                if (push) {
                    Lua.pushnumber(L, parseLong(b, p + 1, eol));
                }
                return eol + 2;
            }
            case '*', '~', '%', '>' -> {
                long n = parseLong(b, p + 1, eol);
                int q = eol + 2;
                if (n < 0) {
                    if (push) {
                        Lua.pushboolean(L, false);
                    }
                    return q;
                }
                if (type == '*' || type == '>') {
                    if (push) {
                        Lua.checkstack(L, 2);
                        Lua.createtable(L, (int) Math.min(n, 1 << 20), 0);
                    }
                    for (int j = 0; j < n; j++) {
                        q = pushReply(sb, L, b, q, push);
                        if (push) {
                            Lua.rawseti(L, -2, j + 1);
                        }
                    }
                    return q;
                }
                if (push) {
                    Lua.checkstack(L, 4);
                    Lua.createtable(L, 0, 1);
                    LuaStrings.push(L, type == '%' ? LuaStrings.MAP : LuaStrings.SET);
                    Lua.createtable(L, 0, (int) Math.min(n, 1 << 20));
                }
                for (int j = 0; j < n; j++) {
                    q = pushReply(sb, L, b, q, push);
                    if (type == '%') {
                        q = pushReply(sb, L, b, q, push);
                    } else if (push) {
                        Lua.pushboolean(L, true);
                    }
                    if (push) {
                        rawsetAllowingNil(L);
                    }
                }
                if (push) {
                    Lua.rawset(L, -3);
                }
                return q;
            }
            case '_' -> {
                if (push) {
                    Lua.pushnil(L);
                }
                return eol + 2;
            }
            case '#' -> {
                if (push) {
                    Lua.pushboolean(L, b[p + 1] == 't');
                }
                return eol + 2;
            }
            case ',' -> {
                if (push) {
                    Lua.checkstack(L, 3);
                    Lua.createtable(L, 0, 1);
                    LuaStrings.push(L, LuaStrings.DOUBLE);
                    Lua.pushnumber(L, parseDouble(b, p + 1, eol));
                    Lua.rawset(L, -3);
                }
                return eol + 2;
            }
            case '(' -> {
                if (push) {
                    Lua.checkstack(L, 3);
                    Lua.createtable(L, 0, 1);
                    LuaStrings.push(L, LuaStrings.BIG_NUMBER);
                    s.pushBytes(L, b, p + 1, eol - p - 1);
                    Lua.rawset(L, -3);
                }
                return eol + 2;
            }
            case '=' -> {
                int len = (int) parseLong(b, p + 1, eol);
                int start = eol + 2;
                if (push) {
                    Lua.checkstack(L, 5);
                    Lua.createtable(L, 0, 1);
                    LuaStrings.push(L, LuaStrings.VERBATIM);
                    Lua.createtable(L, 0, 2);
                    LuaStrings.push(L, LuaStrings.STRING);
                    s.pushBytes(L, b, start + 4, len - 4);
                    Lua.rawset(L, -3);
                    LuaStrings.push(L, LuaStrings.FORMAT);
                    s.pushBytes(L, b, start, 3);
                    Lua.rawset(L, -3);
                    Lua.rawset(L, -3);
                }
                return start + len + 2;
            }
            case '|' -> {
                long n = parseLong(b, p + 1, eol);
                int q = eol + 2;
                for (long j = 0; j < 2 * n; j++) {
                    q = pushReply(sb, L, b, q, false);
                }
                return pushReply(sb, L, b, q, push);
            }
            default -> throw new IllegalStateException("unexpected reply type '" + (char) type + "'");
        }
    }

    /** lua_settable for a fresh table: a nil key cannot be stored, as in Redis (which errors). */
    private static void rawsetAllowingNil(MemorySegment L) {
        if (Lua.type(L, -2) == Lua.TNIL) {
            Lua.pop(L, 2);
            return;
        }
        Lua.rawset(L, -3);
    }

    /**
     * Redis luaPushErrorBuff: "-CODE message" keeps its code, anything else gets ERR; CR/LF at
     * the ends are trimmed. {@code fromCommand} marks errors already counted in the error stats.
     */
    static void pushErrorTable(LuaSandbox sb, MemorySegment L, String err, boolean fromCommand) {
        Lua.checkstack(L, 4);
        Lua.createtable(L, 0, 2);
        LuaStrings.push(L, LuaStrings.ERR);
        sb.state.pushBytes(L, errorText(err).getBytes(StandardCharsets.ISO_8859_1));
        Lua.rawset(L, -3);
        if (fromCommand) {
            LuaStrings.push(L, LuaStrings.IGNORE_STATS);
            Lua.pushboolean(L, true);
            Lua.rawset(L, -3);
        }
    }

    static String errorText(String err) {
        int nul = err.indexOf('\0');
        if (nul >= 0) {
            err = err.substring(0, nul);
        }
        String code;
        String msg;
        if (err.startsWith("-")) {
            int sp = err.indexOf(' ');
            if (sp < 0) {
                code = "ERR";
                msg = err.substring(1);
            } else {
                code = err.substring(1, sp);
                msg = err.substring(sp + 1);
            }
        } else {
            code = "ERR";
            msg = err;
        }
        int a = 0;
        int z = msg.length();
        while (a < z && (msg.charAt(a) == '\r' || msg.charAt(a) == '\n')) {
            a++;
        }
        while (z > a && (msg.charAt(z - 1) == '\r' || msg.charAt(z - 1) == '\n')) {
            z--;
        }
        return code + " " + msg.substring(a, z);
    }

    private static int lineEnd(byte[] b, int p) {
        int i = p + 1;
        while (b[i] != '\r') {
            i++;
        }
        return i;
    }

    private static long parseLong(byte[] b, int from, int to) {
        boolean neg = b[from] == '-';
        long v = 0;
        for (int i = neg ? from + 1 : from; i < to; i++) {
            v = v * 10 + (b[i] - '0');
        }
        return neg ? -v : v;
    }

    private static double parseDouble(byte[] b, int from, int to) {
        String s = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        return switch (s) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan", "-nan" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    /** Copies native bytes (a Lua string) into a Java array (reused scratch of the sandbox). */
    static byte[] copy(MemorySegment p, long n, byte[] into) {
        MemorySegment.copy(p.reinterpret(n), JAVA_BYTE, 0, into, 0, (int) n);
        return into;
    }
}
