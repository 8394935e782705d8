package dev.cinnabar.server.config;

import java.util.List;

/**
 * A Java enum usable as an {@link EnumParam} value: it lists the names Redis accepts for each
 * constant. Several names may map to one constant (e.g. oom-score-adj "yes" and "relative"); the
 * first name is the one CONFIG GET prints, and the declaration order of constants and names is
 * the order of Redis's table (it shows in the "must be one of the following" error).
 */
public interface ConfigEnum {

    /** Names accepted for this constant, canonical first. */
    List<String> configNames();
}
