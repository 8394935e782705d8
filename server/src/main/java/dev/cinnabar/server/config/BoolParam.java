package dev.cinnabar.server.config;

/** A yes/no parameter (Redis's bool config). */
public final class BoolParam extends ConfigParam {

    private final boolean defaultValue;
    private volatile boolean value;

    BoolParam(String name, String alias, boolean defaultValue, ConfigFlag... flags) {
        super(name, alias, flags);
        this.defaultValue = defaultValue;
        this.value = defaultValue;
    }

    public boolean get() {
        return value;
    }

    public boolean defaultValue() {
        return defaultValue;
    }

    @Override
    public String value() {
        return value ? "yes" : "no";
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        boolean v;
        if (ConfigText.equalsIgnoreCase(args[0], "yes")) v = true;
        else if (ConfigText.equalsIgnoreCase(args[0], "no")) v = false;
        else throw new ConfigValueException("argument must be 'yes' or 'no'");
        if (v == value) return unchanged();
        value = v;
        return CHANGED;
    }

    @Override
    Object snapshot() {
        return value;
    }

    @Override
    void restore(Object snapshot) {
        value = (Boolean) snapshot;
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        state.rewriteLine(name(), name() + " " + value(), value != defaultValue);
    }
}
