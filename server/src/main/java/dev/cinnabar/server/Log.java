package dev.cinnabar.server;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Log lines in redis-server's format ({@code pid:M 23 Nov 2026 19:26:00.123 * message}),
 * because operators' tooling and the upstream test suite read them ("Ready to accept
 * connections tcp"). Levels as Redis: debug '.', verbose '-', notice '*', warning '#'.
 */
public final class Log {
    public static final int DEBUG = 0;
    public static final int VERBOSE = 1;
    public static final int NOTICE = 2;
    public static final int WARNING = 3;
    public static final int NOTHING = 4;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH).withZone(ZoneId.systemDefault());
    private static final char[] MARK = {'.', '-', '*', '#'};

    private volatile int level = NOTICE;
    private volatile PrintStream out;
    private final long pid = ProcessHandle.current().pid();
    private volatile char role = 'M';

    public Log(PrintStream out) {
        this.out = out;
    }

    /** A log that writes nothing (embedded servers by default). */
    public static Log silent() {
        Log l = new Log(null);
        l.level = NOTHING;
        return l;
    }

    public void level(int l) {
        level = l;
    }

    public int level() {
        return level;
    }

    /** Sends log lines to a file ("" = standard output), as the logfile directive does. */
    public void file(String path) throws IOException {
        if (path == null || path.isEmpty()) {
            out = System.out;
        } else {
            out = new PrintStream(new FileOutputStream(path, true), true, StandardCharsets.UTF_8);
        }
    }

    public boolean debugEnabled() {
        return level <= DEBUG;
    }

    public void log(int lvl, String msg) {
        PrintStream o = out;
        if (lvl < level || o == null) {
            return;
        }
        String line = pid + ":" + role + " " + TIME.format(Instant.now()) + " " + MARK[Math.min(lvl, 3)] + " " + msg;
        synchronized (this) {
            o.println(line);
            o.flush();
        }
    }

    /** A raw line without the prefix (Redis's LL_RAW, used for the start-up banner). */
    public void raw(String msg) {
        PrintStream o = out;
        if (o != null && level < NOTHING) {
            synchronized (this) {
                o.println(msg);
                o.flush();
            }
        }
    }

    public void debug(String msg) {
        log(DEBUG, msg);
    }

    public void verbose(String msg) {
        log(VERBOSE, msg);
    }

    public void notice(String msg) {
        log(NOTICE, msg);
    }

    public void warning(String msg) {
        log(WARNING, msg);
    }
}
