package dev.cinnabar.server.config;

/**
 * A parameter value was refused. The message is Redis's reason text only (e.g. {@code argument
 * must be a memory value}); callers wrap it into the CONFIG SET error reply or the fatal config
 * file report. Also thrown by {@link ApplyHook}s to refuse a change (e.g. {@code Unable to listen
 * on this port. Check server logs.}); a {@code null} message means "failed without a reason",
 * which Redis reports without the {@code " - reason"} suffix.
 */
public final class ConfigValueException extends Exception {

    private static final long serialVersionUID = 1L;

    public ConfigValueException(String reason) {
        super(reason, null, false, false);
    }

    /** Redis's reason text, or {@code null}. */
    public String reason() {
        return getMessage();
    }
}
