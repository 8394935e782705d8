package dev.cinnabar.server.config;

/**
 * Redis's reason texts for apply failures, for the hooks server components register
 * ({@code throw new ConfigValueException(ApplyErrors.LISTEN_FAILED)}), so CONFIG SET errors stay
 * byte-identical. Each constant names the parameters whose Redis apply function uses it.
 */
public final class ApplyErrors {

    private ApplyErrors() {}

    /** port, tls-port: the new listener could not be opened. */
    public static final String LISTEN_FAILED = "Unable to listen on this port. Check server logs.";

    /** bind: listening on the new addresses failed (TCP and TLS listeners together). */
    public static final String BIND_FAILED = "Failed to bind to specified addresses.";

    /** tls-*: the TLS context could not be rebuilt. */
    public static final String TLS_FAILED = "Unable to update TLS configuration. Check server logs.";

    /** appendonly yes: AOF could not be started. */
    public static final String AOF_START_FAILED = "Unable to turn on AOF. Check server logs.";

    /** oom-score-adj, oom-score-adj-values. */
    public static final String OOM_SCORE_ADJ_FAILED = "Failed to set current oom_score_adj. Check server logs.";

    /** proc-title-template. */
    public static final String PROC_TITLE_FAILED = "failed to set process title";

    /** maxclients: the event loop cannot grow. */
    public static final String EVENT_LOOP_TOO_SMALL =
            "The event loop API used by Redis is not able to handle the specified number of clients";

    /** maxclients above what the file descriptor limit allows; {@code possible} is the feasible value. */
    public static String maxclientsTooHigh(long possible) {
        return "The operating system is not able to handle the specified number of clients, try with " + possible;
    }
}
