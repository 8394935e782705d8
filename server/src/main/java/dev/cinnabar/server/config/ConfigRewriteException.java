package dev.cinnabar.server.config;

/**
 * CONFIG REWRITE failed. {@link #getMessage()} is the complete error reply text, e.g. {@code ERR
 * The server is running without a config file} or {@code ERR Rewriting config file: Permission
 * denied}.
 */
public final class ConfigRewriteException extends Exception {

    private static final long serialVersionUID = 1L;

    ConfigRewriteException(String errorReply, Throwable cause) {
        super(errorReply, cause);
    }
}
