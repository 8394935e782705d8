package dev.cinnabar.server.command;

import dev.cinnabar.server.metrics.LatencyHistogram;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A command as one server runs it: its shared {@link CommandSpec}, the handler bound to it,
 * its subcommands, and this server's statistics (INFO commandstats).
 *
 * <p>Statistics are plain fields: they are only updated while holding the server lock.
 */
public final class Command {
    public final CommandSpec spec;
    public final Command parent;
    /** Legacy key range for COMMAND INFO and key extraction fast path. */
    public final int firstKey;
    public final int lastKey;
    public final int keyStep;
    final Map<String, Command> subcommands = new LinkedHashMap<>();
    CommandHandler handler;

    // INFO commandstats
    public long calls;
    public long microseconds;
    public long rejectedCalls;
    public long failedCalls;
    /** INFO latencystats; created at the first call while latency tracking is on. */
    public LatencyHistogram latency;

    Command(CommandSpec spec, Command parent) {
        this.spec = spec;
        this.parent = parent;
        int[] legacy = SpecLoader.legacyRange(spec.keySpecs());
        this.firstKey = legacy[0];
        this.lastKey = legacy[1];
        this.keyStep = legacy[2];
        for (CommandSpec sub : spec.subcommands()) {
            subcommands.put(sub.name(), new Command(sub, this));
        }
    }

    public String name() {
        return spec.name();
    }

    public String fullName() {
        return spec.fullName();
    }

    public int arity() {
        return spec.arity();
    }

    public boolean has(long flag) {
        return (spec.flags() & flag) != 0;
    }

    public CommandHandler handler() {
        return handler;
    }

    public Map<String, Command> subcommands() {
        return subcommands;
    }

    public Command subcommand(String lowerName) {
        return subcommands.get(lowerName);
    }

    /** Whether argc satisfies the arity (Redis commandCheckArity). */
    public boolean arityOk(int argc) {
        int a = spec.arity();
        return a > 0 ? argc == a : argc >= -a;
    }

    public void resetStats() {
        calls = 0;
        microseconds = 0;
        rejectedCalls = 0;
        failedCalls = 0;
        latency = null;
        for (Command s : subcommands.values()) {
            s.resetStats();
        }
    }

    @Override
    public String toString() {
        return spec.fullName();
    }
}
