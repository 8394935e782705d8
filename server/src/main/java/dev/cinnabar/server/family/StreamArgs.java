package dev.cinnabar.server.family;

import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.type.StreamIds;
import dev.cinnabar.server.type.StreamValue;

/**
 * Argument parsing shared by the stream commands: stream IDs as Redis parses them
 * (streamGenericParseIDOrReply, string2ull, interval IDs with the "(" prefix) and the
 * {@code FIELDS n f1 .. fn} projection (our extension). Results land in a per-thread scratch
 * object, so parsing allocates nothing.
 */
final class StreamArgs {
    private StreamArgs() {}

    static final String INVALID_ID = "ERR Invalid stream ID specified as stream command argument";

    /** Per-thread results of the parsers. */
    static final class Scratch {
        long ms;
        long seq;
        /** False after "ms-*" (the sequence is to be generated). */
        boolean seqGiven;
        /** The interval ID had the "(" prefix. */
        boolean exclusive;
        final long[] num = new long[1];
        /** Room for formatting IDs into replies. */
        final byte[] text = new byte[64];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    static StreamValue asStream(Object e) {
        return e instanceof ObjectEntry o && o.value instanceof StreamValue s ? s : null;
    }

    static boolean argIsChar(Client c, int i, char ch) {
        return c.argLen(i) == 1 && c.argData()[c.argOff(i)] == ch;
    }

    /**
     * Redis streamGenericParseIDOrReply over argument {@code i}: "-" and "+" (unless
     * {@code strict}), "ms-seq", "ms" (sequence {@code missingSeq}), and with {@code allowStar}
     * "ms-*". Replies the error and returns false when invalid (no reply when {@code quiet}).
     */
    static boolean parseId(Client c, int i, long missingSeq, boolean strict, boolean allowStar, boolean quiet,
            Scratch s) {
        return parseId(c, c.argData(), c.argOff(i), c.argLen(i), missingSeq, strict, allowStar, quiet, s);
    }

    static boolean parseId(Client c, byte[] d, int off, int len, long missingSeq, boolean strict, boolean allowStar,
            boolean quiet, Scratch s) {
        if (parse(d, off, len, missingSeq, strict, allowStar, s)) {
            return true;
        }
        if (!quiet) {
            c.error(INVALID_ID);
        }
        return false;
    }

    private static boolean parse(byte[] d, int off, int len, long missingSeq, boolean strict, boolean allowStar,
            Scratch s) {
        if (len > 127) {
            return false;
        }
        // C sees the text up to its first NUL byte.
        int clen = 0;
        while (clen < len && d[off + clen] != 0) {
            clen++;
        }
        s.seqGiven = true;
        if (clen == 1 && (d[off] == '-' || d[off] == '+')) {
            if (strict) {
                return false;
            }
            s.ms = d[off] == '-' ? 0 : -1L;
            s.seq = s.ms;
            return true;
        }
        int dash = -1;
        for (int k = 0; k < clen; k++) {
            if (d[off + k] == '-') {
                dash = k;
                break;
            }
        }
        int msLen = dash < 0 ? clen : dash;
        if (!StreamIds.parseUnsigned(d, off, msLen, s.num)) {
            return false;
        }
        long ms = s.num[0];
        long seq;
        if (dash >= 0) {
            int so = off + dash + 1;
            int sl = clen - dash - 1;
            if (allowStar && sl == 1 && d[so] == '*') {
                seq = 0;
                s.seqGiven = false;
            } else if (StreamIds.parseUnsigned(d, so, sl, s.num)) {
                seq = s.num[0];
            } else {
                return false;
            }
        } else {
            seq = missingSeq;
        }
        s.ms = ms;
        s.seq = seq;
        return true;
    }

    /**
     * Redis streamParseIntervalIDOrReply: an ID that may start with "(" (exclusive; then "-"
     * and "+" are invalid). Sets {@link Scratch#exclusive}.
     */
    static boolean parseIntervalId(Client c, int i, long missingSeq, Scratch s) {
        byte[] d = c.argData();
        int off = c.argOff(i);
        int len = c.argLen(i);
        boolean ex = len > 1 && d[off] == '(';
        boolean ok = ex ? parseId(c, d, off + 1, len - 1, missingSeq, true, false, false, s)
                : parseId(c, d, off, len, missingSeq, false, false, false, s);
        s.exclusive = ex;
        return ok;
    }

    /** The ID after (ms, seq) in {@code s}; false when it was the last possible one (Redis streamIncrID). */
    static boolean incr(Scratch s) {
        if (s.seq == -1L) {
            if (s.ms == -1L) {
                s.ms = 0;
                s.seq = 0;
                return false;
            }
            s.ms++;
            s.seq = 0;
        } else {
            s.seq++;
        }
        return true;
    }

    /** The ID before (ms, seq) in {@code s}; false when it was 0-0 (Redis streamDecrID). */
    static boolean decr(Scratch s) {
        if (s.seq == 0) {
            if (s.ms == 0) {
                s.ms = -1L;
                s.seq = -1L;
                return false;
            }
            s.ms--;
            s.seq = -1L;
        } else {
            s.seq--;
        }
        return true;
    }

    // ---- FIELDS projection ------------------------------------------------------------------

    private static final byte[] W_FIELDS = Ascii.bytes("fields");

    /** Whether argument {@code i} is the FIELDS keyword. */
    static boolean isFields(Client c, int i) {
        return c.argIs(i, W_FIELDS);
    }

    /**
     * Parses {@code FIELDS n f1 .. fn} starting at the keyword in argument {@code i}, within
     * arguments {@code < limit}. Returns the index of the last argument consumed, or -1 after
     * replying an error. The projection is then arguments {@code [i+2, i+2+n)}.
     */
    static int parseFields(Client c, int i, int limit) {
        if (i + 1 >= limit) {
            c.syntaxError();
            return -1;
        }
        if (!c.parseLong(i + 1)) {
            return -1;
        }
        long n = c.parsed();
        if (n < 1) {
            c.error("ERR FIELDS needs at least one field name");
            return -1;
        }
        if (n > limit - i - 2) {
            c.syntaxError();
            return -1;
        }
        return i + 1 + (int) n;
    }
}
