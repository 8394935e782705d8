package dev.cinnabar.server.persistence.aof;

import dev.cinnabar.server.config.ConfigText;
import java.util.ArrayList;
import java.util.List;

/**
 * The manifest of a multi-part append-only file (Redis 7 aofManifest): which files of the
 * append-only directory make up the data set, in load order.
 *
 * <p>WARNING: on-disk format shared with Redis (redis-server and redis-check-aof read it). One
 * line per file, {@code file <name> seq <n> type <b|h|i>}, base first, then history, then the
 * incremental files in sequence order; a name that needs quoting is written as Redis's
 * sdscatrepr does. Lines starting with '#' are comments; unknown key/value pairs are ignored
 * (Redis reads them so for forward compatibility).
 *
 * <p>File names: base {@code <appendfilename>.<seq>.base.rdb} (or {@code .base.aof} without an
 * RDB preamble), incremental {@code <appendfilename>.<seq>.incr.aof}. A manifest is changed on
 * a copy ({@link #copy}) and only replaces the current one once written to disk, as Redis does,
 * so a failed step leaves the previous state intact.
 */
public final class AofManifest {
    public static final char BASE = 'b';
    public static final char HISTORY = 'h';
    public static final char INCR = 'i';

    /** One file of the manifest. */
    public record FileInfo(String name, long seq, char type) {
        FileInfo withType(char t) {
            return new FileInfo(name, seq, t);
        }
    }

    /** A manifest that cannot be used, with Redis's reason and the offending line (or null). */
    public static final class ManifestException extends Exception {
        public final int line;
        public final String lineText;

        ManifestException(String message, int line, String lineText) {
            super(message);
            this.line = line;
            this.lineText = lineText;
        }
    }

    FileInfo base;
    final List<FileInfo> history = new ArrayList<>();
    final List<FileInfo> incr = new ArrayList<>();
    long baseSeq;
    long incrSeq;

    public FileInfo base() {
        return base;
    }

    public List<FileInfo> incr() {
        return incr;
    }

    public List<FileInfo> history() {
        return history;
    }

    public boolean isEmpty() {
        return base == null && incr.isEmpty();
    }

    /** Redis's longest manifest line (MANIFEST_MAX_LINE). */
    private static final int MAX_LINE = 1024;

    /** Parses a manifest file's text (Redis aofLoadManifestFromFile). */
    public static AofManifest parse(String text) throws ManifestException {
        AofManifest m = new AofManifest();
        long maxSeq = 0;
        int lineNo = 0;
        int p = 0;
        if (text.isEmpty()) {
            throw new ManifestException("Found an empty AOF manifest", 0, null);
        }
        while (p < text.length()) {
            int nl = text.indexOf('\n', p);
            String raw = nl < 0 ? text.substring(p) : text.substring(p, nl + 1);
            p = nl < 0 ? text.length() : nl + 1;
            lineNo++;
            if (raw.startsWith("#")) {
                continue;
            }
            if (raw.length() > MAX_LINE || nl < 0) {
                // fgets reads at most MAX_LINE bytes: a longer line has no newline in them.
                throw new ManifestException("The AOF manifest file contains too long line", lineNo, null);
            }
            String line = ConfigText.trim(raw, " \t\r\n");
            if (line.isEmpty()) {
                throw new ManifestException("Invalid AOF manifest file format", lineNo, line);
            }
            String[] argv = ConfigText.splitArgs(line);
            if (argv == null || argv.length < 6 || argv.length % 2 != 0) {
                throw new ManifestException("Invalid AOF manifest file format", lineNo, line);
            }
            String name = null;
            long seq = 0;
            char type = 0;
            for (int i = 0; i < argv.length; i += 2) {
                String k = argv[i];
                if (k.equalsIgnoreCase("file")) {
                    name = argv[i + 1];
                    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
                        throw new ManifestException("File can't be a path, just a filename", lineNo, line);
                    }
                } else if (k.equalsIgnoreCase("seq")) {
                    seq = atoll(argv[i + 1]);
                } else if (k.equalsIgnoreCase("type")) {
                    type = argv[i + 1].isEmpty() ? 0 : argv[i + 1].charAt(0);
                }
            }
            if (name == null || seq == 0 || type == 0) {
                throw new ManifestException("Invalid AOF manifest file format", lineNo, line);
            }
            FileInfo f = new FileInfo(name, seq, type);
            switch (type) {
                case BASE -> {
                    if (m.base != null) {
                        throw new ManifestException("Found duplicate base file information", lineNo, line);
                    }
                    m.base = f;
                    m.baseSeq = seq;
                }
                case HISTORY -> m.history.add(f);
                case INCR -> {
                    if (seq <= maxSeq) {
                        throw new ManifestException("Found a non-monotonic sequence number", lineNo, line);
                    }
                    m.incr.add(f);
                    m.incrSeq = seq;
                    maxSeq = seq;
                }
                default -> throw new ManifestException("Unknown AOF file type", lineNo, line);
            }
        }
        return m;
    }

    /** C atoll: optional blanks and sign, then digits up to the first other character. */
    private static long atoll(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        long v = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            v = v * 10 + (s.charAt(i) - '0');
            i++;
        }
        return neg ? -v : v;
    }

    /** The manifest's text (Redis getAofManifestAsString). */
    public String format() {
        StringBuilder sb = new StringBuilder();
        if (base != null) {
            line(sb, base);
        }
        for (FileInfo f : history) {
            line(sb, f);
        }
        for (FileInfo f : incr) {
            line(sb, f);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, FileInfo f) {
        sb.append("file ").append(needsRepr(f.name) ? ConfigText.repr(f.name) : f.name)
                .append(" seq ").append(f.seq).append(" type ").append(f.type).append('\n');
    }

    /** Redis sdsneedsrepr: quotes, backslashes, blanks and non-printable bytes need quoting. */
    private static boolean needsRepr(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '"' || c == '\n' || c == '\r' || c == '\t' || c == 7 || c == '\b'
                    || c < 0x20 || c > 0x7E || c == ' ' || c == '\f' || c == 0x0B) {
                return true;
            }
        }
        return false;
    }

    public AofManifest copy() {
        AofManifest m = new AofManifest();
        m.base = base;
        m.history.addAll(history);
        m.incr.addAll(incr);
        m.baseSeq = baseSeq;
        m.incrSeq = incrSeq;
        return m;
    }

    /**
     * A new base file name; the current base, if any, becomes history (Redis
     * getNewBaseFileNameAndMarkPreAsHistory).
     */
    String newBase(String appendFilename, boolean rdb) {
        if (base != null) {
            history.addFirst(base.withType(HISTORY));
        }
        baseSeq++;
        base = new FileInfo(appendFilename + "." + baseSeq + ".base" + (rdb ? ".rdb" : ".aof"), baseSeq, BASE);
        return base.name;
    }

    /** A new incremental file at the end of the list (Redis getNewIncrAofName). */
    String newIncr(String appendFilename) {
        incrSeq++;
        FileInfo f = new FileInfo(appendFilename + "." + incrSeq + ".incr.aof", incrSeq, INCR);
        incr.add(f);
        return f.name;
    }

    /** The last incremental file, or a new one when there is none (Redis getLastIncrAofName). */
    String lastIncr(String appendFilename) {
        if (incr.isEmpty()) {
            return newIncr(appendFilename);
        }
        return incr.getLast().name;
    }

    /**
     * After a rewrite: every incremental file but the one being written ({@code keepLast})
     * becomes history (Redis markRewrittenIncrAofAsHistory).
     */
    void markRewrittenIncrAsHistory(boolean keepLast) {
        int n = incr.size() - (keepLast && !incr.isEmpty() ? 1 : 0);
        for (int i = n - 1; i >= 0; i--) {
            history.addFirst(incr.get(i).withType(HISTORY));
        }
        incr.subList(0, Math.max(0, n)).clear();
    }

    /**
     * Turns a legacy single-file AOF into the base of a new manifest (Redis aofUpgradePrepare).
     */
    void upgradeFrom(String appendFilename) {
        base = new FileInfo(appendFilename, 1, BASE);
        baseSeq = 1;
    }
}
