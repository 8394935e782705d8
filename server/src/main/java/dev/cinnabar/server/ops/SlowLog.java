package dev.cinnabar.server.ops;

import dev.cinnabar.resp.ArgList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The slow log (Redis slowlog.c): the most recent commands whose execution took at least
 * {@code slowlog-log-slower-than} microseconds, newest first, at most {@code slowlog-max-len}.
 *
 * <p>An entry keeps a trimmed copy of the arguments, so a log full of huge commands stays
 * small: at most {@link #MAX_ARGC} arguments (the last one then says how many were left
 * out) and at most {@link #MAX_STRING} bytes of each (followed by how many bytes were cut).
 * Arguments the command marked as secret are stored as "(redacted)".
 *
 * <p>Accessed with the server lock held.
 */
public final class SlowLog {
    /** Arguments kept per entry, the last one possibly replaced by a "... (N more arguments)" note. */
    public static final int MAX_ARGC = 32;
    /** Bytes kept per argument. */
    public static final int MAX_STRING = 128;

    static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.US_ASCII);

    /** One logged command. */
    public record Entry(long id, long unixTime, long durationMicros, byte[][] args, String peer, String clientName) {}

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long nextId;

    /**
     * Logs a command that ran for {@code durationMicros}.
     *
     * @param redacted bit i set = argument i is secret
     */
    public void add(ArgList args, long redacted, long durationMicros, long unixTime, String peer, String clientName) {
        entries.addFirst(new Entry(nextId++, unixTime, durationMicros, trimmed(args, redacted), peer,
                clientName == null ? "" : clientName));
    }

    /** Drops the oldest entries beyond {@code maxLen}. */
    public void trim(long maxLen) {
        while (entries.size() > maxLen) {
            entries.removeLast();
        }
    }

    /** The arguments as an entry stores them. */
    static byte[][] trimmed(ArgList args, long redacted) {
        int argc = args.size();
        int kept = Math.min(argc, MAX_ARGC);
        byte[][] out = new byte[kept][];
        for (int j = 0; j < kept; j++) {
            if (kept != argc && j == kept - 1) {
                out[j] = ("... (" + (argc - kept + 1) + " more arguments)").getBytes(StandardCharsets.US_ASCII);
            } else if (j < 64 && (redacted & (1L << j)) != 0) {
                out[j] = REDACTED;
            } else {
                out[j] = trimmedArg(args.data(), args.offset(j), args.length(j));
            }
        }
        return out;
    }

    static byte[] trimmedArg(byte[] d, int off, int len) {
        if (len <= MAX_STRING) {
            return java.util.Arrays.copyOfRange(d, off, off + len);
        }
        byte[] note = ("... (" + (len - MAX_STRING) + " more bytes)").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[MAX_STRING + note.length];
        System.arraycopy(d, off, out, 0, MAX_STRING);
        System.arraycopy(note, 0, out, MAX_STRING, note.length);
        return out;
    }

    public int size() {
        return entries.size();
    }

    /** Entries from the newest. */
    public Iterator<Entry> newestFirst() {
        return entries.iterator();
    }

    public void reset() {
        entries.clear();
    }
}
