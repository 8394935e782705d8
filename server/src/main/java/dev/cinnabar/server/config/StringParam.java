package dev.cinnabar.server.config;

import java.util.Objects;

/**
 * A string parameter (Redis's string and sds configs, which behave the same here since values are
 * byte strings). When {@code emptyIsNull}, an empty value means "unset": {@link #get()} returns
 * {@code null}, CONFIG GET prints "" and CONFIG REWRITE drops the directive.
 */
public final class StringParam extends ConfigParam {

    /** Validation run on the raw argument before it is stored (Redis's is_valid_fn). */
    @FunctionalInterface
    interface Validator {
        void check(String value) throws ConfigValueException;
    }

    private final String defaultValue;
    private final boolean emptyIsNull;
    private final Validator validator;
    private volatile String value;

    StringParam(String name, String alias, String defaultValue, boolean emptyIsNull, Validator validator,
                ConfigFlag... flags) {
        super(name, alias, flags);
        this.defaultValue = defaultValue;
        this.emptyIsNull = emptyIsNull;
        this.validator = validator;
        this.value = emptyIsNull && defaultValue == null ? null : Objects.requireNonNull(defaultValue);
    }

    /** The value, or {@code null} when unset (only for parameters where empty means unset). */
    public String get() {
        return value;
    }

    public String defaultValue() {
        return defaultValue;
    }

    @Override
    public String value() {
        String v = value;
        return v == null ? "" : v;
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        String arg = args[0];
        if (validator != null) validator.check(arg);
        String v = emptyIsNull && arg.isEmpty() ? null : arg;
        if (Objects.equals(v, value)) return unchanged();
        value = v;
        return CHANGED;
    }

    @Override
    Object snapshot() {
        return new Object[] {value};
    }

    @Override
    void restore(Object snapshot) {
        value = (String) ((Object[]) snapshot)[0];
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        String v = value;
        if (v == null) {
            // Unset values must not appear in the file so that a restart leaves them unset.
            state.markProcessed(name());
            return;
        }
        boolean force = defaultValue == null || !defaultValue.equals(v);
        state.rewriteLine(name(), name() + " " + ConfigText.repr(v), force);
    }
}
