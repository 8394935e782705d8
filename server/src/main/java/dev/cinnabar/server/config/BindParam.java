package dev.cinnabar.server.config;

import java.util.List;

/**
 * {@code bind}: the addresses to listen on, at most 16. Default {@code * -::*} (all IPv4 and,
 * optionally, all IPv6 interfaces: a leading '-' means "skip if unavailable"). {@code bind ""}
 * means no TCP listener at all.
 */
public final class BindParam extends ConfigParam {

    /** Redis's CONFIG_BINDADDR_MAX. */
    public static final int MAX_ADDRESSES = 16;
    static final List<String> DEFAULT = List.of("*", "-::*");

    private volatile List<String> value = DEFAULT;

    BindParam() {
        super("bind", null, ConfigFlag.MULTI_ARG);
    }

    /** The addresses, possibly empty. */
    public List<String> get() {
        return value;
    }

    @Override
    public String value() {
        return String.join(" ", value);
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        if (args.length > MAX_ADDRESSES) throw new ConfigValueException("Too many bind addresses specified.");
        if (args.length == 1 && args[0].isEmpty()) args = new String[0];
        value = List.of(args);
        return CHANGED;
    }

    @Override
    Object snapshot() {
        return value;
    }

    @Override
    @SuppressWarnings("unchecked")
    void restore(Object snapshot) {
        value = (List<String>) snapshot;
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        List<String> v = value;
        if (v.equals(DEFAULT)) {
            // At default the directive is removed from the file rather than rewritten.
            state.markProcessed(name());
            return;
        }
        String addresses = v.isEmpty() ? "\"\"" : String.join(" ", v);
        state.rewriteLine(name(), name() + " " + addresses, true);
    }
}
