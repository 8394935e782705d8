package dev.cinnabar.resp;

import io.netty.buffer.ByteBuf;

/**
 * Resumable request parser for RESP multibulk and inline requests, with Redis's limits and
 * error texts (networking.c processMultibulkBuffer / processInlineBuffer).
 *
 * <p>State survives between calls, so a request may arrive split at any byte. Bulk payloads
 * are copied straight into the connection's {@link ArgList} arena as they arrive, so a large
 * argument is never re-scanned. Usage:
 *
 * <pre>
 *   int r;
 *   while ((r = parser.parse(in)) == RespParser.COMMAND) { execute(parser.args()); }
 *   if (r == RespParser.PROTOCOL_ERROR) { reply "-ERR " + parser.error(); close after reply }
 * </pre>
 *
 * <p>The arguments of a returned command are valid until the next call to {@link #parse}.
 * Not thread-safe: owned by one connection.
 */
public final class RespParser {
    /** More bytes are needed; everything readable has been consumed or is kept for later. */
    public static final int INCOMPLETE = 0;
    /** {@link #args()} holds a complete command with at least one argument. */
    public static final int COMMAND = 1;
    /** Malformed input: reply with {@code "-ERR " + error()} and close the connection. */
    public static final int PROTOCOL_ERROR = 2;
    /** The pending request exceeds client-query-buffer-limit: close without a reply. */
    public static final int QUERY_BUFFER_LIMIT = 3;

    /** Longest line (inline request or count header) Redis accepts: PROTO_INLINE_MAX_SIZE. */
    public static final int INLINE_MAX_SIZE = 64 * 1024;
    /** Without authentication Redis accepts at most this many multibulk arguments. */
    static final int UNAUTH_MAX_MULTIBULK = 10;
    /** Without authentication Redis accepts bulk arguments of at most this many bytes. */
    static final int UNAUTH_MAX_BULK = 16384;

    private static final int NONE = 0;
    private static final int INLINE = 1;
    private static final int MULTIBULK = 2;

    private final ArgList args = new ArgList();
    private long protoMaxBulkLen = 512L * 1024 * 1024;
    private long queryBufferLimit = 1024L * 1024 * 1024;
    private boolean authRequired;

    private int reqType = NONE;
    private long multibulkLen;
    private long bulkLen = -1;
    private int bulkArg;
    private long bulkFilled;
    private String error;

    public ArgList args() {
        return args;
    }

    /** The protocol error text, without the "ERR " prefix (e.g. "Protocol error: ..."). */
    public String error() {
        return error;
    }

    public void protoMaxBulkLen(long v) {
        protoMaxBulkLen = v;
    }

    public void queryBufferLimit(long v) {
        queryBufferLimit = v;
    }

    /** Unauthenticated connections get Redis's tighter request limits. */
    public void authRequired(boolean v) {
        authRequired = v;
    }

    /** Bytes held for the request being parsed (CLIENT LIST qbuf, query buffer limit). */
    public long pendingBytes() {
        return reqType == MULTIBULK && bulkLen >= 0 ? bulkFilled : 0;
    }

    /** Whether a request has started but not completed. */
    public boolean inRequest() {
        return reqType != NONE;
    }

    public int parse(ByteBuf in) {
        while (true) {
            if (reqType == NONE) {
                if (!in.isReadable()) {
                    return INCOMPLETE;
                }
                args.reset();
                reqType = in.getByte(in.readerIndex()) == '*' ? MULTIBULK : INLINE;
            }
            int r = reqType == INLINE ? parseInline(in) : parseMultibulk(in);
            if (r == COMMAND) {
                reqType = NONE;
                if (args.size() == 0) {
                    continue; // empty line or non-positive multibulk count: nothing to run
                }
                return COMMAND;
            }
            if (r == INCOMPLETE && pendingBytes() + in.readableBytes() > queryBufferLimit) {
                return QUERY_BUFFER_LIMIT;
            }
            return r;
        }
    }

    private int fail(String msg) {
        error = msg;
        return PROTOCOL_ERROR;
    }

    // ---- multibulk -------------------------------------------------------------------------

    private int parseMultibulk(ByteBuf in) {
        if (multibulkLen == 0) {
            int start = in.readerIndex();
            int cr = scanLine(in, start + 1);
            if (cr < 0) {
                if (in.readableBytes() > INLINE_MAX_SIZE) {
                    return fail("Protocol error: too big mbulk count string");
                }
                return INCOMPLETE;
            }
            if (cr > in.writerIndex() - 2) {
                return INCOMPLETE; // the '\n' after '\r' has not arrived
            }
            long ll = lineValue;
            if (ll == BAD || ll > Integer.MAX_VALUE) {
                return fail("Protocol error: invalid multibulk length");
            }
            if (ll > UNAUTH_MAX_MULTIBULK && authRequired) {
                return fail("Protocol error: unauthenticated multibulk length");
            }
            in.readerIndex(cr + 2);
            if (ll <= 0) {
                return COMMAND; // Redis ignores "*0" and "*-1" requests
            }
            multibulkLen = ll;
        }
        while (multibulkLen > 0) {
            if (bulkLen == -1) {
                int start = in.readerIndex();
                int cr = scanLine(in, start + 1);
                if (cr < 0) {
                    if (in.readableBytes() > INLINE_MAX_SIZE) {
                        return fail("Protocol error: too big bulk count string");
                    }
                    return INCOMPLETE;
                }
                if (cr > in.writerIndex() - 2) {
                    return INCOMPLETE;
                }
                byte first = in.getByte(start);
                if (first != '$') {
                    return fail("Protocol error: expected '$', got '" + (char) (first & 0xff) + "'");
                }
                long ll = lineValue;
                if (ll == BAD || ll < 0 || ll > protoMaxBulkLen) {
                    return fail("Protocol error: invalid bulk length");
                }
                if (ll > UNAUTH_MAX_BULK && authRequired) {
                    return fail("Protocol error: unauthenticated bulk length");
                }
                in.readerIndex(cr + 2);
                bulkLen = ll;
                bulkFilled = 0;
                bulkArg = args.beginBulk((int) ll);
            }
            int avail = in.readableBytes();
            if (bulkFilled < bulkLen) {
                int n = (int) Math.min(avail, bulkLen - bulkFilled);
                args.fillBulk(bulkArg, in, (int) bulkFilled, n);
                bulkFilled += n;
                avail -= n;
            }
            if (bulkFilled >= bulkLen) {
                // Like Redis, skip the two bytes after the payload without checking them.
                int n = (int) Math.min(avail, bulkLen + 2 - bulkFilled);
                in.skipBytes(n);
                bulkFilled += n;
            }
            if (bulkFilled < bulkLen + 2) {
                return INCOMPLETE;
            }
            args.endBulk(bulkArg);
            bulkLen = -1;
            multibulkLen--;
        }
        return COMMAND;
    }

    private static final long BAD = Long.MIN_VALUE;

    /** The value of the count line found by the last {@link #scanLine}, or {@link #BAD}. */
    private long lineValue;

    /**
     * Finds the '\r' ending a count line that starts at {@code from} (just after '*' or '$') and
     * parses the count in the same pass, with Redis string2ll's rules: optional '-', no '+', no
     * leading zeros, at most 20 characters. Returns the index of '\r' (the value is then in
     * {@link #lineValue}), or -1 if the line is not complete yet. One pass instead of a search
     * followed by a parse: this runs twice per argument.
     */
    private int scanLine(ByteBuf in, int from) {
        int end = in.writerIndex();
        long v = 0;
        boolean ok = true;
        boolean neg = false;
        int i = from;
        for (; i < end; i++) {
            int b = in.getByte(i);
            if (b == '\r') {
                break;
            }
            int pos = i - from;
            if (b >= '0' && b <= '9') {
                int d = b - '0';
                // A leading zero is only valid as the whole number "0" ("-0" and "01" are not).
                if (pos > 20 || (d == 0 && v == 0 && (neg || nextIsDigit(in, i + 1, end)))
                        || v > (Long.MAX_VALUE - d) / 10) {
                    ok = false; // too long, a leading zero, or an overflow
                }
                v = v * 10 + d;
            } else if (b == '-' && pos == 0) {
                neg = true;
            } else {
                ok = false;
            }
        }
        if (i == end) {
            return -1;
        }
        int len = i - from;
        if (len == 0 || len > 20 || (neg && len == 1)) {
            ok = false;
        }
        lineValue = ok ? (neg ? -v : v) : BAD;
        return i;
    }

    private static boolean nextIsDigit(ByteBuf in, int i, int end) {
        if (i >= end) {
            return false;
        }
        int b = in.getByte(i);
        return b >= '0' && b <= '9';
    }

    // ---- inline ----------------------------------------------------------------------------

    private int parseInline(ByteBuf in) {
        int start = in.readerIndex();
        int nl = in.indexOf(start, in.writerIndex(), (byte) '\n');
        if (nl < 0) {
            if (in.readableBytes() > INLINE_MAX_SIZE) {
                return fail("Protocol error: too big inline request");
            }
            return INCOMPLETE;
        }
        int end = nl;
        if (end > start && in.getByte(end - 1) == '\r') {
            end--;
        }
        if (!splitArgs(in, start, end)) {
            return fail("Protocol error: unbalanced quotes in request");
        }
        in.readerIndex(nl + 1);
        return COMMAND;
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    private static int hexValue(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * Splits {@code in[from, to)} into arguments with Redis's sdssplitargs rules: blanks separate
     * arguments; "double quotes" understand \n \r \t \b \a \xHH and \ + any char; 'single quotes'
     * understand only \'; a closing quote must be followed by a blank or the end. The line is a C
     * string in Redis, so a NUL byte ends it. Returns false on unbalanced quotes.
     */
    private boolean splitArgs(ByteBuf in, int from, int to) {
        int p = from;
        while (true) {
            while (p < to && isSpace(in.getByte(p))) {
                p++;
            }
            if (p >= to || in.getByte(p) == 0) {
                return true;
            }
            boolean inq = false;
            boolean insq = false;
            int arg = args.beginOpen();
            while (true) {
                int c = p < to ? in.getByte(p) & 0xff : 0;
                int c1 = p + 1 < to ? in.getByte(p + 1) & 0xff : 0;
                if (inq) {
                    if (c == '\\' && c1 == 'x' && p + 3 < to
                            && hexValue(in.getByte(p + 2)) >= 0 && hexValue(in.getByte(p + 3)) >= 0) {
                        args.appendOpen(arg, (byte) (hexValue(in.getByte(p + 2)) * 16 + hexValue(in.getByte(p + 3))));
                        p += 3;
                    } else if (c == '\\' && c1 != 0) {
                        p++;
                        byte e = switch (c1) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> (byte) c1;
                        };
                        args.appendOpen(arg, e);
                    } else if (c == '"') {
                        if (c1 != 0 && !isSpace(c1)) {
                            return false;
                        }
                        p++;
                        break;
                    } else if (c == 0) {
                        return false;
                    } else {
                        args.appendOpen(arg, (byte) c);
                    }
                } else if (insq) {
                    if (c == '\\' && c1 == '\'') {
                        p++;
                        args.appendOpen(arg, (byte) '\'');
                    } else if (c == '\'') {
                        if (c1 != 0 && !isSpace(c1)) {
                            return false;
                        }
                        p++;
                        break;
                    } else if (c == 0) {
                        return false;
                    } else {
                        args.appendOpen(arg, (byte) c);
                    }
                } else {
                    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0) {
                        break;
                    } else if (c == '"') {
                        inq = true;
                    } else if (c == '\'') {
                        insq = true;
                    } else {
                        args.appendOpen(arg, (byte) c);
                    }
                }
                p++;
            }
        }
    }
}
