package dev.cinnabar.server.persistence.rdb;

/**
 * Corrupt or truncated RDB data. The message says what was wrong, for logs and tests; callers
 * reply with Redis's generic error ("Bad data format" for RESTORE). Thrown often by the fuzz
 * tests and by hostile payloads, so it carries no stack trace.
 */
public final class RdbException extends RuntimeException {
    public RdbException(String message) {
        super(message, null, false, false);
    }
}
