package dev.cinnabar.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The arguments of one request, as slices of a reused per-connection byte arena.
 *
 * <p>The parser copies each argument's bytes once into {@link #data()}; commands read them in
 * place through {@link #offset(int)}/{@link #length(int)}. No object is created per argument,
 * and the arena is reused from one request to the next. After a request with a very large
 * argument the arena is shrunk back ({@link #reset()}), so an idle connection does not keep
 * holding the memory of its biggest request (Redis trims its query buffers the same way).
 *
 * <p>Not thread-safe: owned by one connection.
 */
public final class ArgList {
    /** Arenas larger than this are dropped after the request that needed them. */
    static final int SHRINK_ABOVE = 256 * 1024;
    private static final int INITIAL_ARENA = 1024;

    private byte[] data = new byte[INITIAL_ARENA];
    private int used;
    private int[] offs = new int[16];
    private int[] lens = new int[16];
    private int argc;

    public int size() {
        return argc;
    }

    /** The arena that holds every argument's bytes. Valid until the next {@link #reset()}. */
    public byte[] data() {
        return data;
    }

    public int offset(int i) {
        return offs[i];
    }

    public int length(int i) {
        return lens[i];
    }

    /** A fresh copy of argument {@code i}: for values that outlive the request. */
    public byte[] copy(int i) {
        return Arrays.copyOfRange(data, offs[i], offs[i] + lens[i]);
    }

    /** Argument {@code i} decoded as UTF-8 (for rare paths: config values, names, errors). */
    public String string(int i) {
        return new String(data, offs[i], lens[i], StandardCharsets.UTF_8);
    }

    /** Argument {@code i} decoded as ISO-8859-1 (one char per byte, lossless). */
    public String latin1(int i) {
        return new String(data, offs[i], lens[i], StandardCharsets.ISO_8859_1);
    }

    /** Case-insensitive compare with an ASCII word given in lower case. */
    public boolean is(int i, byte[] lowerAscii) {
        int n = lens[i];
        if (n != lowerAscii.length) {
            return false;
        }
        int o = offs[i];
        for (int k = 0; k < n; k++) {
            int c = data[o + k];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lowerAscii[k]) {
                return false;
            }
        }
        return true;
    }

    /** Case-insensitive compare with an ASCII word (any case). */
    public boolean is(int i, String word) {
        int n = lens[i];
        if (n != word.length()) {
            return false;
        }
        int o = offs[i];
        for (int k = 0; k < n; k++) {
            if (Ascii.lower(data[o + k]) != Ascii.lower((byte) word.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /** Byte-exact equality of two arguments. */
    public boolean same(int i, int j) {
        return Arrays.equals(data, offs[i], offs[i] + lens[i], data, offs[j], offs[j] + lens[j]);
    }

    // ---- building (parser and tests) -------------------------------------------------------

    /** Starts a new request: forgets all arguments, shrinking an oversized arena. */
    public void reset() {
        argc = 0;
        used = 0;
        if (data.length > SHRINK_ABOVE) {
            data = new byte[INITIAL_ARENA];
        }
    }

    /**
     * Opens a bulk argument of a declared length whose bytes arrive later through
     * {@link #fillBulk}. The arena grows only as bytes arrive, so a client that merely
     * announces a huge bulk does not make us allocate it up front.
     */
    int beginBulk(int length) {
        ensureArgSlot();
        offs[argc] = used;
        lens[argc] = length;
        return argc++;
    }

    /** Copies {@code n} bytes of the bulk opened by {@link #beginBulk} at position {@code at}. */
    void fillBulk(int arg, io.netty.buffer.ByteBuf in, int at, int n) {
        int off = offs[arg];
        ensureArena(off - used + at + n);
        in.readBytes(data, off + at, n);
    }

    /** Closes the bulk argument opened by {@link #beginBulk}. */
    void endBulk(int arg) {
        used = offs[arg] + lens[arg];
    }

    /** Opens a new argument of the given length and returns its offset in the arena. */
    int begin(int length) {
        ensureArgSlot();
        ensureArena(length);
        int off = used;
        offs[argc] = off;
        lens[argc] = length;
        argc++;
        used += length;
        return off;
    }

    /** Opens a new argument whose length is not known yet (inline parsing). */
    int beginOpen() {
        ensureArgSlot();
        offs[argc] = used;
        lens[argc] = 0;
        return argc++;
    }

    /** Appends one byte to the argument opened by {@link #beginOpen()}. */
    void appendOpen(int arg, byte b) {
        ensureArena(1);
        data[used++] = b;
        lens[arg]++;
    }

    /**
     * Adds an argument of {@code length} bytes and returns its offset in {@link #data()}, where
     * the caller copies the bytes (scripts building a command from Lua strings in native memory).
     */
    public int append(int length) {
        return begin(length);
    }

    /** Adds a whole argument (tests, internal command synthesis). */
    public ArgList add(byte[] bytes) {
        int off = begin(bytes.length);
        System.arraycopy(bytes, 0, data, off, bytes.length);
        return this;
    }

    public ArgList add(String s) {
        return add(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces argument {@code i} with new bytes (argument rewriting for propagation). */
    public void set(int i, byte[] bytes) {
        ensureArena(bytes.length);
        System.arraycopy(bytes, 0, data, used, bytes.length);
        offs[i] = used;
        lens[i] = bytes.length;
        used += bytes.length;
    }

    /** A compact, independent copy (for queued MULTI commands and propagation). */
    public ArgList snapshot() {
        ArgList c = new ArgList();
        c.data = new byte[Math.max(used, 1)];
        c.offs = Arrays.copyOf(offs, Math.max(argc, 1));
        c.lens = Arrays.copyOf(lens, Math.max(argc, 1));
        c.argc = argc;
        // Arguments may have been rewritten, so copy each slice rather than the used prefix.
        int p = 0;
        for (int i = 0; i < argc; i++) {
            System.arraycopy(data, offs[i], c.data, p, lens[i]);
            c.offs[i] = p;
            p += lens[i];
        }
        c.used = p;
        return c;
    }

    /** Total bytes held by arguments (CLIENT LIST argv-mem). */
    public long bytes() {
        long n = 0;
        for (int i = 0; i < argc; i++) {
            n += lens[i];
        }
        return n;
    }

    public int arenaCapacity() {
        return data.length;
    }

    private void ensureArgSlot() {
        if (argc == offs.length) {
            int n = offs.length * 2;
            offs = Arrays.copyOf(offs, n);
            lens = Arrays.copyOf(lens, n);
        }
    }

    private void ensureArena(int extra) {
        long need = (long) used + extra;
        if (need > data.length) {
            if (need > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("request too large");
            }
            long n = Math.max(need, Math.min((long) data.length * 2, Integer.MAX_VALUE - 8));
            data = Arrays.copyOf(data, (int) n);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < argc; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(latin1(i));
        }
        return sb.append(']').toString();
    }
}
