package dev.cinnabar.server.config;

import java.util.ArrayList;
import java.util.List;

/** A parameter taking one name from a fixed list (Redis's enum config). */
public final class EnumParam<E extends Enum<E> & ConfigEnum> extends ConfigParam {

    private final E defaultValue;
    private final List<E> constants;
    private final String choicesError;
    private volatile E value;

    EnumParam(String name, String alias, Class<E> type, E defaultValue, ConfigFlag... flags) {
        super(name, alias, flags);
        this.defaultValue = defaultValue;
        this.constants = List.of(type.getEnumConstants());
        List<String> names = new ArrayList<>();
        for (E e : constants) names.addAll(e.configNames());
        this.choicesError = choicesError(names);
        this.value = defaultValue;
    }

    /** Redis's "argument(s) must be one of the following: a, b, c" (cut to its 256 byte buffer). */
    static String choicesError(List<String> names) {
        String msg = "argument(s) must be one of the following: " + String.join(", ", names);
        return msg.length() > 255 ? msg.substring(0, 255) : msg;
    }

    public E get() {
        return value;
    }

    public E defaultValue() {
        return defaultValue;
    }

    @Override
    public String value() {
        return value.configNames().getFirst();
    }

    /** Looks a name up case-insensitively; {@code null} if unknown. */
    E lookup(String name) {
        for (E e : constants) {
            for (String n : e.configNames()) {
                if (ConfigText.equalsIgnoreCase(n, name)) return e;
            }
        }
        return null;
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        E v = args.length == 1 ? lookup(args[0]) : null;
        if (v == null) throw new ConfigValueException(choicesError);
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
        value = constants.get(((Enum<?>) snapshot).ordinal());
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        state.rewriteLine(name(), name() + " " + value(), value != defaultValue);
    }
}
