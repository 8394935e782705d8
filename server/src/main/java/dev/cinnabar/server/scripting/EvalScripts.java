package dev.cinnabar.server.scripting;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The EVAL script cache (Redis lctx.lua_scripts): SHA1 digest -> body and flags. Lookups by a
 * digest given as an argument are case-insensitive and allocate nothing (EVALSHA is hot).
 */
final class EvalScripts {
    static final class Script {
        /** Lower-case hex digest of the body. */
        final byte[] sha;
        final byte[] body;
        final int flags;
        final int shebangLength;
        private final String funcName;
        // Compiled function per interpreter: one slot for the usual single one, a map beyond.
        private LuaSandbox vm;
        private int ref = -1;
        private Map<LuaSandbox, Integer> others;

        Script(byte[] sha, byte[] body, int flags, int shebangLength) {
            this.sha = sha;
            this.body = body;
            this.flags = flags;
            this.shebangLength = shebangLength;
            this.funcName = new String(sha, StandardCharsets.ISO_8859_1);
        }

        /** The name Redis gives a running EVAL script in messages: its digest. */
        String funcName() {
            return funcName;
        }

        int refIn(LuaSandbox v) {
            if (v == vm) {
                return ref;
            }
            Integer r = others == null ? null : others.get(v);
            return r == null ? -1 : r;
        }

        void compiledIn(LuaSandbox v, int r) {
            if (vm == null) {
                vm = v;
                ref = r;
            } else {
                if (others == null) {
                    others = new IdentityHashMap<>();
                }
                others.put(v, r);
            }
        }
    }

    private Script[] table = new Script[64];
    private int size;
    private long bodyBytes;
    private final MessageDigest sha1;
    private final byte[] hex = new byte[40];

    EvalScripts() {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    int size() {
        return size;
    }

    /** Bodies, digests and per-entry overhead, roughly as Redis counts used_memory_scripts_eval. */
    long memory() {
        return bodyBytes + size * (40L + 64L) + table.length * 8L;
    }

    /** Lower-case hex SHA1 of the bytes, in a reused array (valid until the next call). */
    byte[] digest(byte[] d, int off, int len) {
        sha1.update(d, off, len);
        byte[] h = sha1.digest();
        for (int i = 0; i < 20; i++) {
            hex[2 * i] = HEX[(h[i] >> 4) & 15];
            hex[2 * i + 1] = HEX[h[i] & 15];
        }
        return hex;
    }

    static String sha1Hex(byte[] d, int off, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(d, off, len);
            byte[] h = md.digest();
            byte[] out = new byte[40];
            for (int i = 0; i < 20; i++) {
                out[2 * i] = HEX[(h[i] >> 4) & 15];
                out[2 * i + 1] = HEX[h[i] & 15];
            }
            return new String(out, StandardCharsets.ISO_8859_1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** The script whose digest is the (any case) hex text at d[off..off+len), or null. */
    Script find(byte[] d, int off, int len) {
        if (len != 40) {
            return null;
        }
        int mask = table.length - 1;
        for (int i = hash(d, off) & mask;; i = (i + 1) & mask) {
            Script s = table[i];
            if (s == null) {
                return null;
            }
            if (sameDigest(s.sha, d, off)) {
                return s;
            }
        }
    }

    void add(Script s) {
        if ((size + 1) * 2 > table.length) {
            Script[] old = table;
            table = new Script[old.length * 2];
            for (Script o : old) {
                if (o != null) {
                    insert(o);
                }
            }
        }
        insert(s);
        size++;
        bodyBytes += s.body.length;
    }

    private void insert(Script s) {
        int mask = table.length - 1;
        int i = hash(s.sha, 0) & mask;
        while (table[i] != null) {
            i = (i + 1) & mask;
        }
        table[i] = s;
    }

    void clear() {
        table = new Script[64];
        size = 0;
        bodyBytes = 0;
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    private static int hash(byte[] d, int off) {
        int h = 0;
        for (int i = 0; i < 12; i++) {
            h = h * 31 + lower(d[off + i]);
        }
        return h ^ (h >>> 15);
    }

    private static boolean sameDigest(byte[] lowerSha, byte[] d, int off) {
        for (int i = 0; i < 40; i++) {
            if (lowerSha[i] != lower(d[off + i])) {
                return false;
            }
        }
        return true;
    }
}
