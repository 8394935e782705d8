package dev.cinnabar.server.config;

/** Parameter flags, Redis's {@code *_CONFIG} flags of config.c's table. */
public enum ConfigFlag {
    /** Only settable at startup (config file or command line); CONFIG SET refuses it. */
    IMMUTABLE,
    /** The value is a secret: the command layer must redact the CONFIG SET argument in logs. */
    SENSITIVE,
    /** Listed in debug dumps of the configuration (Redis's DEBUG_CONFIG). */
    DEBUG,
    /** Takes several arguments (a file line's arguments, or a space separated CONFIG SET value). */
    MULTI_ARG,
    /** Not matched by CONFIG GET patterns, only by its exact name (test/debug knobs). */
    HIDDEN,
    /** CONFIG SET only allowed when enable-protected-configs permits it for the client. */
    PROTECTED,
    /** CONFIG SET refused with -LOADING while the dataset is being loaded. */
    DENY_LOADING,
    /** The value refers to external state (e.g. a certificate file): setting the same value counts
     *  as a change, so apply hooks run again (to reload the file). */
    VOLATILE
}
