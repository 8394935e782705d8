package dev.cinnabar.server.config;

/**
 * CONFIG SET was refused and nothing changed. {@link #getMessage()} is the complete error reply
 * text without the leading '-' and trailing CRLF, byte for byte as Redis sends it, e.g.
 * {@code ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0
 * and 65535 inclusive} or {@code LOADING Redis is loading the dataset in memory}.
 */
public final class ConfigSetException extends Exception {

    private static final long serialVersionUID = 1L;

    ConfigSetException(String errorReply) {
        // Redis's addReplyErrorFormat turns CR and LF into spaces so a reply stays on one line.
        super(errorReply.replace('\r', ' ').replace('\n', ' '), null, false, false);
    }
}
