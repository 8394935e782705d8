package dev.cinnabar.server;

import java.util.Map;

/**
 * The crash report Redis writes to its log when it dies on a fatal signal (SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGABRT) or on DEBUG SEGFAULT / PANIC / ASSERT, then the exit itself.
 * Operators and the upstream test suite look for the marker lines ("crashed by signal", the
 * "BUG REPORT START/END" framing, "STACK TRACE"); the stack section here is the JVM's thread
 * dump, which is what tells us where every thread was.
 */
public final class CrashReport {
    /** POSIX signal numbers as Linux numbers them (the report prints them). */
    public static final int SIGILL = 4;
    public static final int SIGABRT = 6;
    public static final int SIGBUS = 7;
    public static final int SIGFPE = 8;
    public static final int SIGSEGV = 11;

    /**
     * Set when this JVM is a server process of its own (Main): only then may DEBUG SEGFAULT and
     * friends end the process; an embedded server must not take its host application down.
     */
    private static volatile boolean ownsProcess;

    private CrashReport() {}

    public static boolean ownsProcess() {
        return ownsProcess;
    }

    /**
     * Catches the fatal signals the JVM lets an application handle (SIGABRT; SIGSEGV and the
     * others belong to the VM itself, which writes its own hs_err report).
     */
    public static void installSignalHandlers(Log log) {
        ownsProcess = true;
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("ABRT"), sig -> crashOnSignal(log, SIGABRT, "signal"));
        } catch (IllegalArgumentException e) {
            log.verbose("Cannot handle SIGABRT: " + e.getMessage());
        }
    }

    /** Writes the report for a fatal signal and ends the process without cleanup, as Redis. */
    public static void crashOnSignal(Log log, int signal, String cause) {
        log.raw("\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===");
        log.warning("Redis " + Server.REDIS_VERSION + " crashed by signal: " + signal + ", si_code: 0");
        log.warning("Crashed by " + cause + " (Cinnabar " + Server.CINNABAR_VERSION + ")");
        stackTrace(log);
        log.raw("\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n");
        // Redis re-raises the signal with the default action; the nearest a JVM gets is an
        // immediate halt with the shell's "killed by signal" status.
        Runtime.getRuntime().halt(128 + signal);
    }

    /** Redis's "Guru Meditation" for DEBUG PANIC / ASSERT and internal assertions. */
    public static void panic(Log log, String message) {
        log.raw("\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===");
        log.warning("------------------------------------------------");
        log.warning("!!! Software Failure. Press left mouse button to continue");
        log.warning("Guru Meditation: " + message);
        stackTrace(log);
        log.raw("\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n");
        Runtime.getRuntime().halt(1);
    }

    private static void stackTrace(Log log) {
        StringBuilder sb = new StringBuilder("\n------ STACK TRACE ------\n");
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            sb.append('\n').append("Thread ").append(t.getKey().threadId()).append(" \"")
                    .append(t.getKey().getName()).append("\" ").append(t.getKey().getState()).append('\n');
            for (StackTraceElement e : t.getValue()) {
                sb.append("    at ").append(e).append('\n');
            }
        }
        log.raw(sb.toString());
    }
}
