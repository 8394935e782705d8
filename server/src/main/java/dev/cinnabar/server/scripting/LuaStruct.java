package dev.cinnabar.server.scripting;

import dev.cinnabar.server.scripting.lua.Lua;
import dev.cinnabar.server.scripting.lua.LuaState;
import dev.cinnabar.server.scripting.lua.LuaState.LuaException;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * The {@code struct} library of Redis scripts (Roberto Ierusalimschy's struct 0.2 with Redis's
 * bounds checks): struct.pack(fmt, ...), struct.unpack(fmt, s [, pos]), struct.size(fmt), with
 * the sizes and alignment of a 64-bit little-endian platform (long = 8, int = 4).
 */
final class LuaStruct {
    private LuaStruct() {}

    private static final int MAXINTSIZE = 32;
    private static final int MAXALIGN = 8;

    /** Parsing state of a format string: position, endianness and maximum alignment. */
    private static final class Fmt {
        final byte[] f;
        int p;
        boolean little = true;
        int align = 1;
        final String fname;

        Fmt(byte[] f, String fname) {
            this.f = f;
            this.fname = fname;
        }

        boolean more() {
            return p < f.length && f[p] != 0;
        }

        int getnum(int df) throws LuaException {
            if (!more() || !isDigit(f[p])) {
                return df;
            }
            int a = 0;
            do {
                int d = f[p] - '0';
                if (a > Integer.MAX_VALUE / 10 || a * 10 > Integer.MAX_VALUE - d) {
                    throw new LuaException("integral size overflow");
                }
                a = a * 10 + d;
                p++;
            } while (more() && isDigit(f[p]));
            return a;
        }

        long optsize(int opt) throws LuaException {
            switch (opt) {
                case 'B', 'b', 'x':
                    return 1;
                case 'H', 'h':
                    return 2;
                case 'L', 'l', 'T', 'd':
                    return 8;
                case 'f':
                    return 4;
                case 'c':
                    return getnum(1);
                case 'i', 'I': {
                    int sz = getnum(4);
                    if (sz > MAXINTSIZE) {
                        throw new LuaException("integral size " + sz + " is larger than limit of " + MAXINTSIZE);
                    }
                    return sz;
                }
                default:
                    return 0;
            }
        }

        long toalign(long len, int opt, long size) {
            if (size == 0 || opt == 'c') {
                return 0;
            }
            if (size > align) {
                size = align;
            }
            return (size - (len & (size - 1))) & (size - 1);
        }

        void control(LuaState s, int opt) throws LuaException {
            switch (opt) {
                case ' ':
                    return;
                case '>':
                    little = false;
                    return;
                case '<':
                    little = true;
                    return;
                case '!': {
                    int a = getnum(MAXALIGN);
                    if (a == 0 || (a & (a - 1)) != 0) {
                        throw new LuaException("alignment " + a + " is not a power of 2");
                    }
                    align = a;
                    return;
                }
                default:
                    throw LuaException.arg(1, "invalid format option '" + (char) (opt & 0xFF) + "'");
            }
        }
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static void register(Map<String, LuaState.JavaFunction> m) {
        m.put("struct.pack", LuaStruct::pack);
        m.put("struct.unpack", LuaStruct::unpack);
        m.put("struct.size", LuaStruct::size);
    }

    private static byte[] checkString(LuaState s, MemorySegment L, int idx, String fname) throws LuaException {
        int t = Lua.type(L, idx);
        if (t != Lua.TSTRING && t != Lua.TNUMBER) {
            throw LuaBit.typeError(L, idx, fname, "string");
        }
        Lua.pushvalue(L, idx);
        byte[] b = s.toBytes(L, -1);
        Lua.pop(L, 1);
        return b;
    }

    private static double checkNumber(MemorySegment L, int idx, String fname) throws LuaException {
        double d = Lua.tonumber(L, idx);
        if (d == 0 && !Lua.isnumber(L, idx)) {
            throw LuaBit.typeError(L, idx, fname, "number");
        }
        return d;
    }

    private static int pack(LuaState s, MemorySegment L) throws LuaException {
        Fmt f = new Fmt(checkString(s, L, 1, "pack"), "pack");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int arg = 2;
        long total = 0;
        while (f.more()) {
            int opt = f.f[f.p++] & 0xFF;
            long size = f.optsize(opt);
            long toalign = f.toalign(total, opt, size);
            total += toalign;
            while (toalign-- > 0) {
                b.write(0);
            }
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> {
                    double n = checkNumber(L, arg++, "pack");
                    long v = n < 0 ? LuaReplies.toLongLikeC(n) : unsignedLikeC(n);
                    byte[] buf = new byte[(int) size];
                    for (int i = 0; i < size; i++) {
                        int at = f.little ? i : (int) size - 1 - i;
                        buf[at] = (byte) (i < 8 ? v >>> (8 * i) : 0);
                    }
                    b.writeBytes(buf);
                }
                case 'x' -> b.write(0);
                case 'f' -> {
                    int bits = Float.floatToRawIntBits((float) checkNumber(L, arg++, "pack"));
                    for (int i = 0; i < 4; i++) {
                        b.write(bits >>> (8 * (f.little ? i : 3 - i)));
                    }
                }
                case 'd' -> {
                    long bits = Double.doubleToRawLongBits(checkNumber(L, arg++, "pack"));
                    for (int i = 0; i < 8; i++) {
                        b.write((int) (bits >>> (8 * (f.little ? i : 7 - i))));
                    }
                }
                case 'c', 's' -> {
                    byte[] str = checkString(s, L, arg++, "pack");
                    if (size == 0) {
                        size = str.length;
                    }
                    if (str.length < size) {
                        throw LuaException.arg(arg, "string too short");
                    }
                    b.write(str, 0, (int) size);
                    if (opt == 's') {
                        b.write(0);
                        size++;
                    }
                }
                default -> f.control(s, opt);
            }
            total += size;
        }
        Lua.settop(L, 0);
        s.pushBytes(L, b.toByteArray());
        return 1;
    }

    /** C's (unsigned long) cast of a non-negative double on x86-64. */
    private static long unsignedLikeC(double n) {
        if (Double.isNaN(n)) {
            return Long.MIN_VALUE;
        }
        if (n < 0x1p63) {
            return (long) n;
        }
        if (n < 0x1p64) {
            return (long) (n - 0x1p63) ^ Long.MIN_VALUE;
        }
        return 0;
    }

    private static int unpack(LuaState s, MemorySegment L) throws LuaException {
        Fmt f = new Fmt(checkString(s, L, 1, "unpack"), "unpack");
        byte[] data = checkString(s, L, 2, "unpack");
        long ld = data.length;
        long pos = 1;
        if (Lua.type(L, 3) > Lua.TNIL) {
            pos = (long) checkNumber(L, 3, "unpack");
        }
        if (pos <= 0) {
            throw LuaException.arg(3, "offset must be 1 or greater");
        }
        pos--;
        Lua.settop(L, 2);
        while (f.more()) {
            int opt = f.f[f.p++] & 0xFF;
            long size = f.optsize(opt);
            pos += f.toalign(pos, opt, size);
            if (!(size <= ld && pos <= ld - size)) {
                throw LuaException.arg(2, "data string too short");
            }
            if (!Lua.checkstack(L, 1)) {
                throw new LuaException("stack overflow (too many results)");
            }
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> {
                    boolean signed = Character.isLowerCase(opt);
                    long l = 0;
                    for (int i = 0; i < size; i++) {
                        int at = (int) pos + (f.little ? (int) size - 1 - i : i);
                        l = (l << 8) | (data[at] & 0xFF);
                    }
                    double res;
                    if (!signed) {
                        res = l >= 0 ? (double) l : (double) (l >>> 1) * 2.0 + (l & 1);
                    } else {
                        if (size < 8) {
                            long mask = -1L << (size * 8 - 1);
                            if ((l & mask) != 0) {
                                l |= mask;
                            }
                        }
                        res = (double) l;
                    }
                    Lua.pushnumber(L, res);
                }
                case 'x' -> { }
                case 'f' -> {
                    int bits = 0;
                    for (int i = 0; i < 4; i++) {
                        bits |= (data[(int) pos + i] & 0xFF) << (8 * (f.little ? i : 3 - i));
                    }
                    Lua.pushnumber(L, Float.intBitsToFloat(bits));
                }
                case 'd' -> {
                    long bits = 0;
                    for (int i = 0; i < 8; i++) {
                        bits |= (data[(int) pos + i] & 0xFFL) << (8 * (f.little ? i : 7 - i));
                    }
                    Lua.pushnumber(L, Double.longBitsToDouble(bits));
                }
                case 'c' -> {
                    if (size == 0) {
                        if (Lua.gettop(L) < 3 || !Lua.isnumber(L, -1)) {
                            throw new LuaException("format 'c0' needs a previous size");
                        }
                        size = (long) Lua.tonumber(L, -1);
                        Lua.pop(L, 1);
                        if (!(size <= ld && pos <= ld - size)) {
                            throw LuaException.arg(2, "data string too short");
                        }
                    }
                    s.pushBytes(L, data, (int) pos, (int) size);
                }
                case 's' -> {
                    int e = -1;
                    for (int i = (int) pos; i < ld; i++) {
                        if (data[i] == 0) {
                            e = i;
                            break;
                        }
                    }
                    if (e < 0) {
                        throw new LuaException("unfinished string in data");
                    }
                    size = e - pos + 1;
                    s.pushBytes(L, data, (int) pos, (int) size - 1);
                }
                default -> f.control(s, opt);
            }
            pos += size;
        }
        Lua.pushnumber(L, pos + 1);
        return Lua.gettop(L) - 2;
    }

    private static int size(LuaState s, MemorySegment L) throws LuaException {
        Fmt f = new Fmt(checkString(s, L, 1, "size"), "size");
        long pos = 0;
        while (f.more()) {
            int opt = f.f[f.p++] & 0xFF;
            long size = f.optsize(opt);
            pos += f.toalign(pos, opt, size);
            if (opt == 's') {
                throw LuaException.arg(1, "option 's' has no fixed size");
            } else if (opt == 'c' && size == 0) {
                throw LuaException.arg(1, "option 'c0' has no fixed size");
            }
            if (!((opt >= 'a' && opt <= 'z') || (opt >= 'A' && opt <= 'Z') || (opt >= '0' && opt <= '9'))) {
                f.control(s, opt);
            }
            pos += size;
        }
        Lua.pushnumber(L, pos);
        return 1;
    }
}
