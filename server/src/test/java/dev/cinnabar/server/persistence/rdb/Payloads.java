package dev.cinnabar.server.persistence.rdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds DUMP payloads by hand, including the encodings Redis 7 no longer writes (ziplists,
 * zipmaps, plain lists, text-score sorted sets), so the reader can be checked against a real
 * redis-server loading the very same bytes. Every builder follows the formats as documented in
 * Redis's rdb.c / ziplist.c / zipmap.c / intset.c comments.
 */
public final class Payloads {
    private Payloads() {}

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** type + body + version (LE16) + CRC-64 (LE64) of all before it. */
    public static byte[] wrap(int type, byte[] body, int version) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(type);
        o.writeBytes(body);
        o.write(version & 0xFF);
        o.write(version >>> 8);
        byte[] b = o.toByteArray();
        long crc = Crc64.of(b);
        byte[] out = java.util.Arrays.copyOf(b, b.length + 8);
        for (int i = 0; i < 8; i++) {
            out[b.length + i] = (byte) (crc >>> (8 * i));
        }
        return out;
    }

    /** The same payload with another version number and a recomputed checksum. */
    public static byte[] withVersion(byte[] payload, int version) {
        byte[] body = java.util.Arrays.copyOfRange(payload, 1, payload.length - 10);
        return wrap(payload[0] & 0xFF, body, version);
    }

    /** Concatenation. */
    public static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** An RDB length. */
    public static byte[] len(long n) {
        if (n < 64) {
            return new byte[] {(byte) n};
        }
        if (n < 16384) {
            return new byte[] {(byte) (0x40 | (n >>> 8)), (byte) n};
        }
        return new byte[] {(byte) 0x80, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    /** An RDB string stored plainly (length + bytes). */
    public static byte[] str(byte[] s) {
        return cat(len(s.length), s);
    }

    public static byte[] str(String s) {
        return str(bytes(s));
    }

    /** Strings as a sequence of plain RDB strings. */
    public static byte[] strs(String... ss) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (String s : ss) {
            o.writeBytes(str(s));
        }
        return o.toByteArray();
    }

    /** A ziplist holding the elements, integers in their smallest integer encoding. */
    public static byte[] ziplist(String... elements) {
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        int prevLen = 0;
        int tail = 10;
        for (String e : elements) {
            tail = 10 + entries.size();
            ByteArrayOutputStream en = new ByteArrayOutputStream();
            if (prevLen < 254) {
                en.write(prevLen);
            } else {
                en.write(254);
                le(en, prevLen, 4);
            }
            byte[] b = bytes(e);
            Long v = integer(e);
            if (v != null) {
                long x = v;
                if (x >= 0 && x <= 12) {
                    en.write(0xF1 + (int) x);
                } else if (x >= Byte.MIN_VALUE && x <= Byte.MAX_VALUE) {
                    en.write(0xFE);
                    le(en, x, 1);
                } else if (x >= Short.MIN_VALUE && x <= Short.MAX_VALUE) {
                    en.write(0xC0);
                    le(en, x, 2);
                } else if (x >= -(1 << 23) && x < (1 << 23)) {
                    en.write(0xF0);
                    le(en, x, 3);
                } else if (x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE) {
                    en.write(0xD0);
                    le(en, x, 4);
                } else {
                    en.write(0xE0);
                    le(en, x, 8);
                }
            } else if (b.length <= 63) {
                en.write(b.length);
                en.writeBytes(b);
            } else if (b.length <= 16383) {
                en.write(0x40 | (b.length >>> 8));
                en.write(b.length & 0xFF);
                en.writeBytes(b);
            } else {
                en.write(0x80);
                en.write(b.length >>> 24);
                en.write(b.length >>> 16);
                en.write(b.length >>> 8);
                en.write(b.length);
                en.writeBytes(b);
            }
            byte[] entry = en.toByteArray();
            prevLen = entry.length;
            entries.writeBytes(entry);
        }
        ByteArrayOutputStream zl = new ByteArrayOutputStream();
        int total = 10 + entries.size() + 1;
        le(zl, total, 4);
        le(zl, elements.length == 0 ? 10 : tail, 4);
        le(zl, Math.min(elements.length, 0xFFFF), 2);
        zl.writeBytes(entries.toByteArray());
        zl.write(0xFF);
        return zl.toByteArray();
    }

    /** A zipmap of field, value, field, value... (free bytes: 0). */
    public static byte[] zipmap(String... pairs) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(Math.min(pairs.length / 2, 254));
        for (int i = 0; i < pairs.length; i += 2) {
            byte[] f = bytes(pairs[i]);
            byte[] v = bytes(pairs[i + 1]);
            zmLen(o, f.length);
            o.writeBytes(f);
            zmLen(o, v.length);
            o.write(0);
            o.writeBytes(v);
        }
        o.write(0xFF);
        return o.toByteArray();
    }

    private static void zmLen(ByteArrayOutputStream o, int n) {
        if (n < 254) {
            o.write(n);
        } else {
            o.write(254);
            le(o, n, 4);
        }
    }

    /** An intset of the values in the given order, {@code width} bytes each. */
    public static byte[] intset(int width, long... values) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        le(o, width, 4);
        le(o, values.length, 4);
        for (long v : values) {
            le(o, v, width);
        }
        return o.toByteArray();
    }

    /** A Redis-format listpack of the elements. */
    public static byte[] listpack(String... elements) {
        RedisListpack lp = new RedisListpack();
        for (String e : elements) {
            byte[] b = bytes(e);
            lp.add(b, 0, b.length);
        }
        return lp.toByteArray();
    }

    private static Long integer(String s) {
        long v = RedisListpack.canonicalInteger(bytes(s), 0, s.length());
        if (v != RedisListpack.NOT_INTEGER || RedisListpack.isMinLong(bytes(s), 0, s.length())) {
            return v;
        }
        return null;
    }

    private static void le(ByteArrayOutputStream o, long v, int n) {
        for (int i = 0; i < n; i++) {
            o.write((int) (v >>> (8 * i)));
        }
    }
}
