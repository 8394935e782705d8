package dev.cinnabar.server.persistence.rdb;

import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory RDB image: bytes appended into fixed-size chunks (no copying as it grows, no
 * single huge array), with the running CRC-64 of everything written. Not thread-safe.
 *
 * <p>For files the image need not stay in memory: with a {@link Sink} every full chunk is
 * handed over at once and its buffer reused (a synchronous SAVE), and {@link #takeFull} lets
 * a background snapshot move the full chunks out between batches and write them elsewhere.
 */
public final class RdbOutput {
    static final int CHUNK = 64 * 1024;

    /** Receives each full chunk when the output streams to a file. */
    @FunctionalInterface
    public interface Sink {
        void write(byte[] b, int off, int len) throws java.io.IOException;
    }

    private List<byte[]> full = new ArrayList<>();
    private final Sink sink;
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
        sink = null;
    }

    /** An output that passes every full chunk to {@code sink} (I/O errors come back unchecked). */
    public RdbOutput(Sink sink) {
        cur = new byte[CHUNK];
        this.sink = sink;
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
        if (sink != null) {
            try {
                sink.write(cur, 0, pos);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } else {
            full.add(cur);
            cur = new byte[CHUNK];
        }
        pos = 0;
    }

    /** Hands the last, partial chunk to the sink (streaming outputs, at the end). */
    public void flushToSink() {
        if (pos > 0) {
            nextChunk();
        }
    }

    /**
     * The full chunks written so far, removed from this output (size and CRC keep counting
     * them); the partial chunk being filled stays. With {@code all} the partial chunk is
     * included too (trimmed), at the end of an image.
     */
    public List<byte[]> takeFull(boolean all) {
        List<byte[]> out = full;
        full = new ArrayList<>();
        if (all && pos > 0) {
            out.add(java.util.Arrays.copyOf(cur, pos));
            crc = Crc64.update(crc, cur, 0, pos);
            size += pos;
            pos = 0;
        }
        return out;
    }

    /** Forgets everything written (a reused scratch output); the chunk buffer is kept. */
    public void reset() {
        full.clear();
        pos = 0;
        crc = 0;
        size = 0;
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
