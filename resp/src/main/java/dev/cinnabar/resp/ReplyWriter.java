package dev.cinnabar.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The one semantic reply writer: commands say what they reply (a bulk string, a map, a null),
 * and the writer chooses the RESP2 or RESP3 bytes, as Redis's addReply* family does.
 *
 * <p>Replies accumulate in one pooled output buffer per read batch; the connection takes it
 * with {@link #take()} and flushes it once, which is what makes pipelining cheap. Constant
 * replies are pre-encoded; numbers are formatted straight into the buffer.
 *
 * <p>Not thread-safe: owned by one connection and used only on its event loop.
 */
public final class ReplyWriter {
    // Pre-encoded constant replies (Redis createSharedObjects).
    private static final byte[] OK = Ascii.bytes("+OK\r\n");
    private static final byte[] CRLF = Ascii.bytes("\r\n");
    private static final byte[] NULL_BULK2 = Ascii.bytes("$-1\r\n");
    private static final byte[] NULL_ARRAY2 = Ascii.bytes("*-1\r\n");
    private static final byte[] NULL3 = Ascii.bytes("_\r\n");
    private static final byte[] ZERO = Ascii.bytes(":0\r\n");
    private static final byte[] ONE = Ascii.bytes(":1\r\n");
    private static final byte[] TRUE3 = Ascii.bytes("#t\r\n");
    private static final byte[] FALSE3 = Ascii.bytes("#f\r\n");
    private static final byte[] EMPTY_ARRAY = Ascii.bytes("*0\r\n");
    private static final byte[] EMPTY_BULK = Ascii.bytes("$0\r\n\r\n");
    private static final int SMALL_INTS = 1024;
    private static final byte[][] INT_REPLIES = new byte[SMALL_INTS][];
    private static final byte[][] BULK_HEADERS = new byte[SMALL_INTS][];

    static {
        for (int i = 0; i < SMALL_INTS; i++) {
            INT_REPLIES[i] = Ascii.bytes(":" + i + "\r\n");
            BULK_HEADERS[i] = Ascii.bytes("$" + i + "\r\n");
        }
    }

    private final ByteBufAllocator alloc;
    private ByteBuf out;
    private int resp = 2;
    private final byte[] scratch = new byte[32];
    private long written;
    /**
     * Reply buffer sizing, as Redis sizes each client's static reply buffer (CLIENT LIST rbs /
     * rbp): the capacity a batch's buffer starts with, and the most of it a batch filled. The
     * server cron grows it for clients whose replies fill it and shrinks it for idle ones
     * ({@link #resizeBuffer}). Read and adjusted by the cron thread: plain fields, the races are
     * harmless (a lost peak update at worst).
     */
    private int bufSize = MIN_BUFFER;
    private int bufPeak;
    private long bufPeakResetAt;
    /** Smallest and largest sizes the buffer is resized to (Redis PROTO_REPLY_MIN_BYTES / CHUNK_BYTES). */
    public static final int MIN_BUFFER = 1024;
    public static final int MAX_BUFFER = 16 * 1024;

    public ReplyWriter(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Protocol version of this connection: 2 or 3 (HELLO). */
    public int resp() {
        return resp;
    }

    public void resp(int v) {
        resp = v;
    }

    /** Takes the accumulated output (may be null when nothing was written). */
    public ByteBuf take() {
        ByteBuf b = out;
        out = null;
        if (b != null) {
            int used = Math.min(b.readableBytes(), bufSize);
            if (used > bufPeak) {
                bufPeak = used;
            }
        }
        return b;
    }

    /** The capacity a batch's reply buffer starts with (CLIENT LIST rbs). */
    public int bufferSize() {
        return bufSize;
    }

    /** The most of {@link #bufferSize} a batch filled since the last peak reset (CLIENT LIST rbp). */
    public int bufferPeak() {
        return bufPeak;
    }

    /** When the peak was last reset (caller's clock, ms). */
    public long bufferPeakResetAt() {
        return bufPeakResetAt;
    }

    /** Starts a new peak period: the peak becomes what the current buffer holds. */
    public void resetBufferPeak(long now) {
        bufPeak = Math.min(pending(), bufSize);
        bufPeakResetAt = now;
    }

    /** The size the next batch's buffer starts with. */
    public void resizeBuffer(int size) {
        bufSize = Math.max(1, size);
    }

    /** Bytes written since the last {@link #take()}. */
    public int pending() {
        return out == null ? 0 : out.readableBytes();
    }

    /** Capacity of the buffer holding replies not yet taken (CLIENT LIST rbs), 0 if none. */
    public int capacity() {
        return out == null ? 0 : out.capacity();
    }

    /**
     * Drops what was written after {@link #pending()} returned {@code mark}: replies of a
     * command whose client asked not to receive them (CLIENT REPLY OFF / SKIP).
     */
    public void truncate(int mark) {
        if (out != null && out.readableBytes() > mark) {
            out.writerIndex(out.readerIndex() + mark);
        }
    }

    /** Total bytes ever written (INFO total_net_output_bytes is derived from this). */
    public long totalWritten() {
        return written + pending();
    }

    /** Drops anything not yet taken (connection closing). */
    public void discard() {
        if (out != null) {
            out.release();
            out = null;
        }
    }

    private ByteBuf buf() {
        ByteBuf b = out;
        if (b == null) {
            b = out = alloc.ioBuffer(bufSize);
        }
        return b;
    }

    /** Records bytes handed to the transport, for statistics. */
    public void accountFlushed(int n) {
        written += n;
    }

    // ---- raw ---------------------------------------------------------------------------------

    /** Writes pre-encoded RESP bytes as they are. */
    public void raw(byte[] encoded) {
        buf().writeBytes(encoded);
    }

    public void raw(ByteBuf encoded) {
        buf().writeBytes(encoded, encoded.readerIndex(), encoded.readableBytes());
    }

    private void prefixed(byte prefix, long v) {
        ByteBuf b = buf();
        scratch[0] = prefix;
        int n = Ascii.putLong(scratch, 1, v);
        scratch[n + 1] = '\r';
        scratch[n + 2] = '\n';
        b.writeBytes(scratch, 0, n + 3);
    }

    // ---- simple types --------------------------------------------------------------------------

    public void ok() {
        buf().writeBytes(OK);
    }

    /** A status reply ("+text"); text must not contain CR or LF. */
    public void simple(String text) {
        ByteBuf b = buf();
        b.writeByte('+');
        b.writeCharSequence(text, StandardCharsets.ISO_8859_1);
        b.writeBytes(CRLF);
    }

    public void simple(byte[] text) {
        ByteBuf b = buf();
        b.writeByte('+');
        b.writeBytes(text);
        b.writeBytes(CRLF);
    }

    /**
     * An error reply. {@code text} starts with the error code ("ERR ...", "WRONGTYPE ...");
     * CR and LF are replaced by spaces as Redis does, so an error can never break the stream.
     */
    public void error(String text) {
        ByteBuf b = buf();
        b.writeByte('-');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            b.writeByte(c == '\r' || c == '\n' ? ' ' : (c < 256 ? c : '?'));
        }
        b.writeBytes(CRLF);
    }

    public void integer(long v) {
        if (v >= 0 && v < SMALL_INTS) {
            buf().writeBytes(INT_REPLIES[(int) v]);
        } else {
            prefixed((byte) ':', v);
        }
    }

    public void zero() {
        buf().writeBytes(ZERO);
    }

    public void one() {
        buf().writeBytes(ONE);
    }

    /** RESP3 boolean; RESP2 gets :1 / :0 like Redis. */
    public void bool(boolean v) {
        if (resp == 3) {
            buf().writeBytes(v ? TRUE3 : FALSE3);
        } else {
            buf().writeBytes(v ? ONE : ZERO);
        }
    }

    /** The null bulk string ("$-1" in RESP2, "_" in RESP3). */
    public void nullBulk() {
        buf().writeBytes(resp == 3 ? NULL3 : NULL_BULK2);
    }

    /** The null array ("*-1" in RESP2, "_" in RESP3). */
    public void nullArray() {
        buf().writeBytes(resp == 3 ? NULL3 : NULL_ARRAY2);
    }

    // ---- bulk strings -------------------------------------------------------------------------

    public void bulk(byte[] b, int off, int len) {
        ByteBuf o = buf();
        if (len < SMALL_INTS) {
            o.writeBytes(BULK_HEADERS[len]);
        } else {
            prefixed((byte) '$', len);
        }
        o.writeBytes(b, off, len);
        o.writeBytes(CRLF);
    }

    public void bulk(byte[] b) {
        bulk(b, 0, b.length);
    }

    public void bulk(String s) {
        bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    public void emptyBulk() {
        buf().writeBytes(EMPTY_BULK);
    }

    /** A number as a bulk string (e.g. INCRBYFLOAT results, CONFIG GET values). */
    public void bulkLong(long v) {
        int n = Ascii.putLong(scratch, 0, v);
        ByteBuf o = buf();
        o.writeBytes(BULK_HEADERS[n]);
        o.writeBytes(scratch, 0, n);
        o.writeBytes(CRLF);
    }

    /** Big number: RESP3 "(digits", RESP2 a bulk string. */
    public void bigNumber(String digits) {
        if (resp == 3) {
            ByteBuf o = buf();
            o.writeByte('(');
            o.writeCharSequence(digits, StandardCharsets.ISO_8859_1);
            o.writeBytes(CRLF);
        } else {
            bulk(Ascii.bytes(digits));
        }
    }

    /** Verbatim string with a 3-letter format ("txt", "mkd"): RESP2 gets a plain bulk. */
    public void verbatim(String text, String format) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (resp == 3) {
            prefixed((byte) '=', b.length + 4);
            ByteBuf o = buf();
            o.writeCharSequence(format, StandardCharsets.ISO_8859_1);
            o.writeByte(':');
            o.writeBytes(b);
            o.writeBytes(CRLF);
        } else {
            bulk(b);
        }
    }

    /**
     * A double, already formatted by the caller with Redis's rules: RESP3 ",text", RESP2 a bulk
     * string (Redis addReplyDouble).
     */
    public void doubleFormatted(byte[] text) {
        doubleFormatted(text, 0, text.length);
    }

    /** {@link #doubleFormatted(byte[])} for a slice of a buffer. */
    public void doubleFormatted(byte[] text, int off, int len) {
        if (resp == 3) {
            ByteBuf o = buf();
            o.writeByte(',');
            o.writeBytes(text, off, len);
            o.writeBytes(CRLF);
        } else {
            bulk(text, off, len);
        }
    }

    /** A double formatted as Redis 7.2's addReplyDouble does ({@link Doubles#d2string}). */
    public void doubleValue(double v) {
        int n = Doubles.d2string(v, scratch, 0);
        doubleFormatted(scratch, 0, n);
    }

    // ---- aggregates ---------------------------------------------------------------------------

    public void arrayLen(long n) {
        if (n == 0) {
            buf().writeBytes(EMPTY_ARRAY);
        } else {
            prefixed((byte) '*', n);
        }
    }

    public void emptyArray() {
        buf().writeBytes(EMPTY_ARRAY);
    }

    /** A map of {@code n} pairs: RESP3 "%n", RESP2 a flat array of 2n. */
    public void mapLen(long n) {
        if (resp == 3) {
            prefixed((byte) '%', n);
        } else {
            arrayLen(2 * n);
        }
    }

    /** A set: RESP3 "~n", RESP2 an array. */
    public void setLen(long n) {
        if (resp == 3) {
            prefixed((byte) '~', n);
        } else {
            arrayLen(n);
        }
    }

    /** Out-of-band push: RESP3 ">n", RESP2 an array (pub/sub messages). */
    public void pushLen(long n) {
        if (resp == 3) {
            prefixed((byte) '>', n);
        } else {
            arrayLen(n);
        }
    }

    /** RESP3 attribute header; RESP2 has no attributes, so nothing is written there. */
    public void attributeLen(long n) {
        if (resp == 3) {
            prefixed((byte) '|', n);
        }
    }

    // ---- deferred lengths -------------------------------------------------------------------

    /**
     * Marks the place of an aggregate header whose count is known only after its elements are
     * written (Redis addReplyDeferredLen). Returns a token for {@link #setDeferred}.
     */
    public int deferLen() {
        return buf().writerIndex();
    }

    /** Inserts an array header of {@code n} elements at the place {@link #deferLen()} marked. */
    public void setDeferredArrayLen(int token, long n) {
        insertHeader(token, (byte) '*', n);
    }

    public void setDeferredMapLen(int token, long n) {
        if (resp == 3) {
            insertHeader(token, (byte) '%', n);
        } else {
            insertHeader(token, (byte) '*', 2 * n);
        }
    }

    public void setDeferredSetLen(int token, long n) {
        insertHeader(token, resp == 3 ? (byte) '~' : (byte) '*', n);
    }

    private void insertHeader(int at, byte prefix, long n) {
        ByteBuf o = buf();
        scratch[0] = prefix;
        int len = Ascii.putLong(scratch, 1, n) + 3;
        scratch[len - 2] = '\r';
        scratch[len - 1] = '\n';
        int tail = o.writerIndex() - at;
        // Deferred replies are for non-hot commands; a copy of the tail keeps this simple.
        byte[] moved = new byte[tail];
        o.getBytes(at, moved);
        o.writerIndex(at);
        o.writeBytes(scratch, 0, len);
        o.writeBytes(moved);
    }
}
