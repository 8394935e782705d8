package dev.cinnabar.server.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One configuration parameter: its definition (name, alias, flags, type, bounds, default) and its
 * current value for one server instance. Concrete subclasses expose a typed {@code get()} for the
 * server's hot paths (e.g. {@link IntParam#get()}); everything else (CONFIG GET/SET, file
 * parsing, rewrite) goes through the string interface Redis defines for every type.
 *
 * <p><b>Threading.</b> Values are only written under the server's global lock (CONFIG SET,
 * startup loading). Each value lives in a volatile field (immutable objects for composite values),
 * so {@code get()} is a plain load on x86 and any thread (I/O threads included) sees a complete,
 * recent value of that one parameter. Readers outside the global lock may observe a multi
 * parameter CONFIG SET half applied or rolled back; code needing a consistent set of values must
 * read them under the lock. Apply hook registration is not synchronized: register hooks while
 * wiring the server, before it serves clients.
 */
public abstract class ConfigParam {

    /** {@link #set} result: the value changed (apply hooks of the parameter must run). */
    static final int CHANGED = 1;
    /** {@link #set} result: same value as before (no apply), Redis's return code 2. */
    static final int UNCHANGED = 2;

    private final String name;
    private final String alias;
    private final Set<ConfigFlag> flags;
    private final List<ApplyHook> applyHooks = new ArrayList<>(1);

    ConfigParam(String name, String alias, ConfigFlag... flags) {
        this.name = name;
        this.alias = alias;
        EnumSet<ConfigFlag> set = EnumSet.noneOf(ConfigFlag.class);
        Collections.addAll(set, flags);
        this.flags = Collections.unmodifiableSet(set);
    }

    /** The primary name, e.g. {@code replica-read-only}. */
    public final String name() {
        return name;
    }

    /** The alternative (legacy) name, e.g. {@code slave-read-only}, or {@code null}. */
    public final String alias() {
        return alias;
    }

    public final Set<ConfigFlag> flags() {
        return flags;
    }

    public final boolean is(ConfigFlag flag) {
        return flags.contains(flag);
    }

    /** The current value formatted exactly as CONFIG GET prints it. */
    public abstract String value();

    /**
     * Registers a hook run after a CONFIG SET changed this parameter. Hooks of one parameter run
     * in registration order; see {@link ApplyHook} for the contract.
     */
    public final void addApplyHook(ApplyHook hook) {
        if (!applyHooks.contains(hook)) applyHooks.add(hook);
    }

    final List<ApplyHook> applyHooks() {
        return applyHooks;
    }

    /**
     * Parses and stores a new value given as arguments (one argument unless {@link
     * ConfigFlag#MULTI_ARG}). Validation happens entirely before the value is stored: on error the
     * value is unchanged.
     *
     * @param readingConfigFile true while loading a config file (only {@code save} cares)
     * @return {@link #CHANGED} or {@link #UNCHANGED}
     */
    abstract int set(String[] args, boolean readingConfigFile) throws ConfigValueException;

    /** The current value as an opaque, immutable token for {@link #restore}. */
    abstract Object snapshot();

    /** Puts back a value taken with {@link #snapshot} (rollback of a failed CONFIG SET). */
    abstract void restore(Object snapshot);

    /** Emits this parameter's lines into a CONFIG REWRITE (Redis's per-type rewrite function). */
    abstract void rewrite(ConfigRewriter.State state);

    /** How CONFIG SET turns its single value argument into {@link #set} arguments. */
    final String[] argsForConfigSet(String value) {
        return is(ConfigFlag.MULTI_ARG) ? ConfigText.splitBySpace(value) : new String[] {value};
    }

    /** The result of {@link #set} for a parse that yielded the current value again. */
    final int unchanged() {
        return is(ConfigFlag.VOLATILE) ? CHANGED : UNCHANGED;
    }

    @Override
    public String toString() {
        return name + "=" + value();
    }
}
