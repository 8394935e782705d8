package dev.cinnabar.server.scripting;

import dev.cinnabar.server.scripting.lua.Lua;
import dev.cinnabar.server.scripting.lua.LuaState;
import dev.cinnabar.server.scripting.lua.LuaState.LuaException;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * The {@code cmsgpack} library of Redis scripts (lua-cmsgpack 0.4.0): pack(...) and
 * unpack / unpack_one / unpack_limit, with its choices of encodings (integers in the smallest
 * form, doubles as floats when exact, tables as arrays only when keys are exactly 1..n, nesting
 * cut at 16 levels) and its error messages.
 */
final class LuaCmsgpack {
    private LuaCmsgpack() {}

    private static final int MAX_NESTING = 16;

    static void register(Map<String, LuaState.JavaFunction> m) {
        m.put("cmsgpack.pack", LuaCmsgpack::pack);
        m.put("cmsgpack.unpack", (s, L) -> unpackFull(s, L, 0, 0));
        m.put("cmsgpack.unpack_one", (s, L) -> {
            int offset = optInt(L, 2, 0, "unpack_one");
            Lua.settop(L, 1);
            return unpackFull(s, L, 1, offset);
        });
        m.put("cmsgpack.unpack_limit", (s, L) -> {
            int limit = checkInt(L, 2, "unpack_limit");
            int offset = optInt(L, 3, 0, "unpack_limit");
            Lua.settop(L, 1);
            return unpackFull(s, L, limit, offset);
        });
    }

    private static int checkInt(MemorySegment L, int idx, String fname) throws LuaException {
        double d = Lua.tonumber(L, idx);
        if (d == 0 && !Lua.isnumber(L, idx)) {
            throw LuaBit.typeError(L, idx, fname, "number");
        }
        return (int) LuaReplies.toLongLikeC(d);
    }

    private static int optInt(MemorySegment L, int idx, int def, String fname) throws LuaException {
        return Lua.type(L, idx) <= Lua.TNIL ? def : checkInt(L, idx, fname);
    }

    // ---- pack -------------------------------------------------------------------------------------

    private static int pack(LuaState s, MemorySegment L) throws LuaException {
        int nargs = Lua.gettop(L);
        if (nargs == 0) {
            throw LuaException.arg(0, "MessagePack pack needs input.");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i <= nargs; i++) {
            if (!Lua.checkstack(L, 1)) {
                throw new LuaException("stack overflow (in function mp_check)");
            }
            Lua.pushvalue(L, i);
            encode(s, L, out, 0);
        }
        Lua.settop(L, 0);
        s.pushBytes(L, out.toByteArray());
        return 1;
    }

    /** mp_encode_lua_type: encodes the value on top and pops it. */
    private static void encode(LuaState s, MemorySegment L, ByteArrayOutputStream out, int level)
            throws LuaException {
        int t = Lua.type(L, -1);
        if (t == Lua.TTABLE && level == MAX_NESTING) {
            t = Lua.TNIL;
        }
        switch (t) {
            case Lua.TSTRING -> {
                byte[] b = s.toBytes(L, -1);
                int len = b.length;
                if (len < 32) {
                    out.write(0xa0 | len);
                } else if (len <= 0xff) {
                    out.write(0xd9);
                    out.write(len);
                } else if (len <= 0xffff) {
                    out.write(0xda);
                    be(out, len, 2);
                } else {
                    out.write(0xdb);
                    be(out, len, 4);
                }
                out.writeBytes(b);
            }
            case Lua.TBOOLEAN -> out.write(Lua.toboolean(L, -1) ? 0xc3 : 0xc2);
            case Lua.TNUMBER -> {
                double n = Lua.tonumber(L, -1);
                if (!Double.isInfinite(n) && LuaReplies.toLongLikeC(n) == n) {
                    encodeInt(out, (long) n);
                } else {
                    float f = (float) n;
                    if (n == (double) f) {
                        out.write(0xca);
                        be(out, Float.floatToRawIntBits(f) & 0xFFFFFFFFL, 4);
                    } else {
                        out.write(0xcb);
                        be(out, Double.doubleToRawLongBits(n), 8);
                    }
                }
            }
            case Lua.TTABLE -> encodeTable(s, L, out, level);
            default -> out.write(0xc0);
        }
        Lua.pop(L, 1);
    }

    private static void be(ByteArrayOutputStream out, long v, int n) {
        for (int i = n - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)));
        }
    }

    private static void encodeInt(ByteArrayOutputStream out, long n) {
        if (n >= 0) {
            if (n <= 127) {
                out.write((int) n);
            } else if (n <= 0xff) {
                out.write(0xcc);
                out.write((int) n);
            } else if (n <= 0xffff) {
                out.write(0xcd);
                be(out, n, 2);
            } else if (n <= 0xffffffffL) {
                out.write(0xce);
                be(out, n, 4);
            } else {
                out.write(0xcf);
                be(out, n, 8);
            }
        } else if (n >= -32) {
            out.write((int) n & 0xff);
        } else if (n >= -128) {
            out.write(0xd0);
            out.write((int) n & 0xff);
        } else if (n >= -32768) {
            out.write(0xd1);
            be(out, n, 2);
        } else if (n >= -2147483648L) {
            out.write(0xd2);
            be(out, n, 4);
        } else {
            out.write(0xd3);
            be(out, n, 8);
        }
    }

    private static void encodeTable(LuaState s, MemorySegment L, ByteArrayOutputStream out, int level)
            throws LuaException {
        if (!Lua.checkstack(L, 3)) {
            throw new LuaException("stack overflow (in function mp_encode_lua_table)");
        }
        if (isArray(L)) {
            long len = Lua.objlen(L, -1);
            if (len <= 15) {
                out.write(0x90 | (int) len);
            } else if (len <= 0xffff) {
                out.write(0xdc);
                be(out, len, 2);
            } else {
                out.write(0xdd);
                be(out, len, 4);
            }
            for (long j = 1; j <= len; j++) {
                Lua.rawgeti(L, -1, (int) j);
                encode(s, L, out, level + 1);
            }
            return;
        }
        long len = 0;
        Lua.pushnil(L);
        while (Lua.next(L, -2)) {
            Lua.pop(L, 1);
            len++;
        }
        if (len <= 15) {
            out.write(0x80 | (int) len);
        } else if (len <= 0xffff) {
            out.write(0xde);
            be(out, len, 2);
        } else {
            out.write(0xdf);
            be(out, len, 4);
        }
        Lua.pushnil(L);
        while (Lua.next(L, -2)) {
            Lua.pushvalue(L, -2);
            encode(s, L, out, level + 1); // key
            encode(s, L, out, level + 1); // value
        }
    }

    /** table_is_an_array: every key a positive integer (fits an int) and they are 1..count. */
    private static boolean isArray(MemorySegment L) {
        long count = 0;
        double max = 0;
        int top = Lua.gettop(L);
        Lua.pushnil(L);
        while (Lua.next(L, -2)) {
            Lua.pop(L, 1);
            double n;
            if (Lua.type(L, -1) != Lua.TNUMBER || (n = Lua.tonumber(L, -1)) <= 0 || Double.isInfinite(n)
                    || (int) LuaReplies.toLongLikeC(n) != n) {
                Lua.settop(L, top);
                return false;
            }
            max = Math.max(max, n);
            count++;
        }
        Lua.settop(L, top);
        return max == count;
    }

    // ---- unpack ------------------------------------------------------------------------------------

    /** The input cursor (mp_cur): position, end, and the first error met. */
    private static final class Cur {
        final byte[] b;
        int p;
        final int end;
        /** 0 none, 1 missing bytes, 2 bad format. */
        int err;

        Cur(byte[] b, int p) {
            this.b = b;
            this.p = p;
            this.end = b.length;
        }

        boolean need(int n) {
            if (end - p < n) {
                err = 1;
                return false;
            }
            return true;
        }

        long be(int at, int n) {
            long v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 8) | (b[at + i] & 0xFF);
            }
            return v;
        }
    }

    private static int unpackFull(LuaState s, MemorySegment L, int limit, int offset) throws LuaException {
        int t = Lua.type(L, 1);
        if (t != Lua.TSTRING && t != Lua.TNUMBER) {
            throw LuaBit.typeError(L, 1, "unpack", "string");
        }
        Lua.pushvalue(L, 1);
        byte[] b = s.toBytes(L, -1);
        Lua.pop(L, 1);
        boolean all = limit == 0 && offset == 0;
        if (offset < 0 || limit < 0) {
            throw new LuaException("Invalid request to unpack with offset of " + offset + " and limit of " + b.length
                    + ".");
        } else if (offset > b.length) {
            throw new LuaException("Start offset " + offset + " greater than input length " + b.length + ".");
        }
        if (all) {
            limit = Integer.MAX_VALUE;
        }
        Cur c = new Cur(b, offset);
        int cnt;
        for (cnt = 0; c.end - c.p > 0 && cnt < limit; cnt++) {
            decode(s, L, c);
            if (c.err == 1) {
                throw new LuaException("Missing bytes in input.");
            } else if (c.err == 2) {
                throw new LuaException("Bad data format in input.");
            }
        }
        if (!all) {
            int left = c.end - c.p;
            Lua.pushnumber(L, left == 0 ? -1 : b.length - left);
            Lua.insert(L, 2);
            cnt++;
        }
        return cnt;
    }

    /** mp_decode_to_lua_type: pushes the next object (nothing pushed when c.err is set). */
    private static void decode(LuaState s, MemorySegment L, Cur c) throws LuaException {
        if (!c.need(1)) {
            return;
        }
        if (!Lua.checkstack(L, 1)) {
            throw new LuaException("stack overflow (too many return values at once; use unpack_one or unpack_limit "
                    + "instead.)");
        }
        int type = c.b[c.p] & 0xFF;
        switch (type) {
            case 0xcc -> {
                if (c.need(2)) {
                    Lua.pushnumber(L, c.b[c.p + 1] & 0xFF);
                    c.p += 2;
                }
            }
            case 0xd0 -> {
                if (c.need(2)) {
                    Lua.pushnumber(L, c.b[c.p + 1]);
                    c.p += 2;
                }
            }
            case 0xcd, 0xd1 -> {
                if (c.need(3)) {
                    long v = c.be(c.p + 1, 2);
                    Lua.pushnumber(L, type == 0xd1 ? (short) v : v);
                    c.p += 3;
                }
            }
            case 0xce, 0xd2 -> {
                if (c.need(5)) {
                    long v = c.be(c.p + 1, 4);
                    Lua.pushnumber(L, type == 0xd2 ? (int) v : v);
                    c.p += 5;
                }
            }
            case 0xcf, 0xd3 -> {
                if (c.need(9)) {
                    long v = c.be(c.p + 1, 8);
                    double d = type == 0xd3 || v >= 0 ? (double) v : (double) (v >>> 1) * 2.0 + (v & 1);
                    Lua.pushnumber(L, d);
                    c.p += 9;
                }
            }
            case 0xc0 -> {
                Lua.pushnil(L);
                c.p++;
            }
            case 0xc3, 0xc2 -> {
                Lua.pushboolean(L, type == 0xc3);
                c.p++;
            }
            case 0xca -> {
                if (c.need(5)) {
                    Lua.pushnumber(L, Float.intBitsToFloat((int) c.be(c.p + 1, 4)));
                    c.p += 5;
                }
            }
            case 0xcb -> {
                if (c.need(9)) {
                    Lua.pushnumber(L, Double.longBitsToDouble(c.be(c.p + 1, 8)));
                    c.p += 9;
                }
            }
            case 0xd9, 0xda, 0xdb -> {
                int n = type == 0xd9 ? 1 : type == 0xda ? 2 : 4;
                if (c.need(1 + n)) {
                    long len = c.be(c.p + 1, n);
                    if (len > Integer.MAX_VALUE - 16 || !c.need((int) (1 + n + len))) {
                        c.err = 1;
                        return;
                    }
                    s.pushBytes(L, c.b, c.p + 1 + n, (int) len);
                    c.p += 1 + n + (int) len;
                }
            }
            case 0xdc, 0xdd, 0xde, 0xdf -> {
                int n = type == 0xdc || type == 0xde ? 2 : 4;
                if (c.need(1 + n)) {
                    long len = c.be(c.p + 1, n);
                    c.p += 1 + n;
                    if (type <= 0xdd) {
                        array(s, L, c, len);
                    } else {
                        map(s, L, c, len);
                    }
                }
            }
            default -> {
                if ((type & 0x80) == 0) {
                    Lua.pushnumber(L, type);
                    c.p++;
                } else if ((type & 0xe0) == 0xe0) {
                    Lua.pushnumber(L, (byte) type);
                    c.p++;
                } else if ((type & 0xe0) == 0xa0) {
                    int len = type & 0x1f;
                    if (c.need(1 + len)) {
                        s.pushBytes(L, c.b, c.p + 1, len);
                        c.p += 1 + len;
                    }
                } else if ((type & 0xf0) == 0x90) {
                    c.p++;
                    array(s, L, c, type & 0xf);
                } else if ((type & 0xf0) == 0x80) {
                    c.p++;
                    map(s, L, c, type & 0xf);
                } else {
                    c.err = 2;
                }
            }
        }
    }

    private static void array(LuaState s, MemorySegment L, Cur c, long len) throws LuaException {
        Lua.createtable(L, 0, 0);
        for (long i = 1; i <= len; i++) {
            decode(s, L, c);
            if (c.err != 0) {
                return;
            }
            Lua.rawseti(L, -2, (int) i);
        }
    }

    private static void map(LuaState s, MemorySegment L, Cur c, long len) throws LuaException {
        Lua.createtable(L, 0, 0);
        for (long i = 0; i < len; i++) {
            decode(s, L, c);
            if (c.err != 0) {
                return;
            }
            decode(s, L, c);
            if (c.err != 0) {
                Lua.pop(L, 1);
                return;
            }
            if (Lua.type(L, -2) == Lua.TNIL) {
                throw new LuaException("table index is nil");
            }
            Lua.rawset(L, -3);
        }
    }
}
