package dev.cinnabar.server;

/**
 * Knobs that DEBUG subcommands set for tests (Redis keeps them as server.* globals). The
 * features that read them (lists, scripting, reply buffers, RDB) consult these fields.
 */
public final class DebugSettings {
    /** DEBUG QUICKLIST-PACKED-THRESHOLD: list elements at least this big get a node of their own. */
    public volatile long quicklistPackedThreshold = 1L << 30;
    /** DEBUG SET-DISABLE-DENY-SCRIPTS: let scripts run commands flagged noscript. */
    public volatile boolean disableDenyScripts;
    /** DEBUG SET-SKIP-CHECKSUM-VALIDATION: skip RDB / RESTORE payload checksums. */
    public volatile boolean skipChecksumValidation;
    /** DEBUG REPLYBUFFER PEAK-RESET-TIME (ms, -1 = never) and RESIZING. */
    public volatile long replyBufferPeakResetTime = 5000;
    public volatile boolean replyBufferResizing = true;
    /** DEBUG AOF-FLUSH-SLEEP (µs). */
    public volatile long aofFlushSleep;
}
