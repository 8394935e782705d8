package dev.cinnabar.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A parameter holding a set of flags written as several names (Redis's MULTI_ARG enum config,
 * used by {@code shutdown-on-sigint} / {@code shutdown-on-sigterm}: {@code "nosave now"}). The
 * value is a bit mask; the name list may contain a zero-valued name ("default") printed for an
 * empty mask.
 */
public final class FlagSetParam extends ConfigParam {

    /** A flag name and its bits, in Redis's table order. */
    record Flag(String name, int bits) {}

    /** Rejects invalid combinations (Redis's is_valid_fn). */
    @FunctionalInterface
    interface Validator {
        void check(int mask) throws ConfigValueException;
    }

    private final List<Flag> flagTable;
    private final int defaultValue;
    private final Validator validator;
    private final String choicesError;
    private volatile int value;

    FlagSetParam(String name, String alias, List<Flag> flagTable, int defaultValue, Validator validator,
                 ConfigFlag... flags) {
        super(name, alias, flags);
        this.flagTable = List.copyOf(flagTable);
        this.defaultValue = defaultValue;
        this.validator = validator;
        List<String> names = new ArrayList<>();
        for (Flag f : flagTable) names.add(f.name());
        this.choicesError = EnumParam.choicesError(names);
        this.value = defaultValue;
    }

    /** The flag bits. */
    public int get() {
        return value;
    }

    public boolean has(int bits) {
        return (value & bits) == bits;
    }

    @Override
    public String value() {
        return names(value);
    }

    /** Redis's configEnumGetName for bit flags: exact match first, else the names of set bits. */
    private String names(int mask) {
        StringBuilder out = null;
        int unmatched = mask;
        for (Flag f : flagTable) {
            if (mask == f.bits()) return f.name();
            if (f.bits() != 0 && f.bits() == (unmatched & f.bits())) {
                out = out == null ? new StringBuilder(f.name()) : out.append(' ').append(f.name());
                unmatched &= ~f.bits();
            }
        }
        return out == null || unmatched != 0 ? "unknown" : out.toString();
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        if (args.length == 0) throw new ConfigValueException(choicesError);
        int mask = 0;
        for (String arg : args) {
            boolean matched = false;
            for (Flag f : flagTable) {
                if (ConfigText.equalsIgnoreCase(arg, f.name())) {
                    mask |= f.bits();
                    matched = true;
                }
            }
            if (!matched) throw new ConfigValueException(choicesError);
        }
        if (validator != null) validator.check(mask);
        if (mask == value) return unchanged();
        value = mask;
        return CHANGED;
    }

    @Override
    Object snapshot() {
        return value;
    }

    @Override
    void restore(Object snapshot) {
        value = (Integer) snapshot;
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        state.rewriteLine(name(), name() + " " + value(), value != defaultValue);
    }
}
