package dev.cinnabar.server.config;

/**
 * The configuration (file, stdin or command line options) could not be loaded. redis-server
 * prints the report to stderr and exits with status 1; the launcher is expected to do the same
 * with {@link #getMessage()}, which is the exact text, e.g.
 *
 * <pre>
 *
 * *** FATAL CONFIG FILE ERROR (Redis 7.2.6) ***
 * Reading the configuration file, at line 2
 * &gt;&gt;&gt; 'port "abc"'
 * argument couldn't be parsed into an integer
 * </pre>
 *
 * (starting with an empty line and ending with a newline). Like config values, the text is a byte
 * string (the offending line is shown raw): print it encoded with ISO-8859-1 to emit Redis's
 * bytes. {@link #isLogMessage()} tells the few
 * failures redis-server reports as a log line instead ({@code Fatal error, can't open config file
 * '/abs/path': No such file or directory}).
 */
public final class ConfigFileException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean logMessage;

    ConfigFileException(String text, boolean logMessage) {
        super(text, null, false, false);
        this.logMessage = logMessage;
    }

    /** True when Redis logs this failure (with its log prefix) rather than printing a report. */
    public boolean isLogMessage() {
        return logMessage;
    }
}
