package dev.cinnabar.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects parameters while the area classes ({@link GeneralParams}, {@link NetworkParams}...)
 * define them, in definition order (the order CONFIG GET and CONFIG REWRITE list them in), with
 * the C limits Redis's table uses for bounds.
 */
final class ParamTable {

    static final long INT_MIN = Integer.MIN_VALUE;
    static final long INT_MAX = Integer.MAX_VALUE;
    static final long UINT_MAX = 0xFFFF_FFFFL;
    static final long LONG_MAX = Long.MAX_VALUE;
    static final long LLONG_MAX = Long.MAX_VALUE;
    static final long SSIZE_MAX = Long.MAX_VALUE;
    /** ULLONG_MAX, stored wrapped. */
    static final long ULLONG_MAX = -1L;

    static final long KB = 1024;
    static final long MB = 1024 * 1024;
    static final long GB = 1024 * 1024 * 1024;

    private final List<ConfigParam> params = new ArrayList<>();

    List<ConfigParam> params() {
        return params;
    }

    <T extends ConfigParam> T add(T param) {
        params.add(param);
        return param;
    }

    BoolParam bool(String name, String alias, boolean defaultValue, ConfigFlag... flags) {
        return add(new BoolParam(name, alias, defaultValue, flags));
    }

    /** A plain C int parameter. */
    IntParam integer(String name, String alias, long lower, long upper, int defaultValue, ConfigFlag... flags) {
        return add(new IntParam(name, alias, NumericParam.Kind.INT, lower, upper, defaultValue,
                NumericParam.INTEGER, flags));
    }

    IntParam integer(String name, String alias, NumericParam.Kind kind, long lower, long upper, int defaultValue,
                     int format, ConfigFlag... flags) {
        return add(new IntParam(name, alias, kind, lower, upper, defaultValue, format, flags));
    }

    LongParam longNum(String name, String alias, NumericParam.Kind kind, long lower, long upper, long defaultValue,
                      int format, ConfigFlag... flags) {
        return add(new LongParam(name, alias, kind, lower, upper, defaultValue, format, flags));
    }

    /** A string where "" is a real value. */
    StringParam string(String name, String alias, String defaultValue, StringParam.Validator validator,
                       ConfigFlag... flags) {
        return add(new StringParam(name, alias, defaultValue, false, validator, flags));
    }

    /** A string where "" means unset ({@code null}). */
    StringParam nullableString(String name, String alias, String defaultValue, StringParam.Validator validator,
                               ConfigFlag... flags) {
        return add(new StringParam(name, alias, defaultValue, true, validator, flags));
    }

    <E extends Enum<E> & ConfigEnum> EnumParam<E> enumeration(String name, String alias, Class<E> type,
                                                             E defaultValue, ConfigFlag... flags) {
        return add(new EnumParam<>(name, alias, type, defaultValue, flags));
    }
}
