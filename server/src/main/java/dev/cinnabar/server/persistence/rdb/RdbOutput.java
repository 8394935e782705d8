package dev.cinnabar.server.persistence.rdb;

import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory RDB image: bytes appended into fixed-size chunks (no copying as it grows, no
 * single huge array), with the running CRC-64 of everything written. Not thread-safe.
 */
public final class RdbOutput {
    static final int CHUNK = 64 * 1024;

    private final List<byte[]> full = new ArrayList<>();
    private byte[] cur;
    private int pos;
    private long crc;
    private long size;

    public RdbOutput() {
        this(CHUNK);
    }

    /** Starts with a first chunk of {@code initial} bytes (small images: DUMP payloads). */
    public RdbOutput(int initial) {
        cur = new byte[Math.max(16, initial)];
    }

    public void write(int b) {
        if (pos == cur.length) {
            nextChunk();
        }
        cur[pos++] = (byte) b;
    }

    public void write(byte[] b, int off, int len) {
        while (len > 0) {
            if (pos == cur.length) {
                nextChunk();
            }
            int n = Math.min(len, cur.length - pos);
            System.arraycopy(b, off, cur, pos, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    /** {@code n} bytes of {@code v}, least significant first. */
    public void writeLe(long v, int n) {
        for (int i = 0; i < n; i++) {
            write((int) (v >>> (8 * i)));
        }
    }

    private void nextChunk() {
        crc = Crc64.update(crc, cur, 0, pos);
        size += pos;
        full.add(cur);
        cur = new byte[CHUNK];
        pos = 0;
    }

    /** Bytes written so far. */
    public long size() {
        return size + pos;
    }

    /** CRC-64 of everything written so far. */
    public long crc() {
        return Crc64.update(crc, cur, 0, pos);
    }

    /**
     * The image as chunks, each used in full except the last, which is trimmed. The output must
     * not be written to afterwards.
     */
    public List<byte[]> chunks() {
        List<byte[]> out = new ArrayList<>(full.size() + 1);
        out.addAll(full);
        if (pos > 0) {
            out.add(java.util.Arrays.copyOf(cur, pos));
        }
        return out;
    }

    /** The whole image as one array (tests, small snapshots). */
    public byte[] toByteArray() {
        long n = size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("RDB image too large for one array: " + n);
        }
        byte[] all = new byte[(int) n];
        int at = 0;
        for (byte[] c : chunks()) {
            System.arraycopy(c, 0, all, at, c.length);
            at += c.length;
        }
        return all;
    }
}
