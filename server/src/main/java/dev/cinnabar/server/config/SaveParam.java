package dev.cinnabar.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code save}: RDB snapshot points, "after N seconds if at least M changes". Default
 * {@code 3600 1 300 100 60 10000}; {@code save ""} disables snapshots.
 *
 * <p>In a config file, {@code save} lines accumulate: the first one read replaces the defaults,
 * the next ones append (and {@code save ""} clears what was accumulated so far). CONFIG SET
 * always replaces the whole list.
 */
public final class SaveParam extends ConfigParam {

    /** One snapshot point. */
    public record SavePoint(long seconds, int changes) {}

    static final List<SavePoint> DEFAULT = List.of(
            new SavePoint(3600, 1), new SavePoint(300, 100), new SavePoint(60, 10000));

    private volatile List<SavePoint> value = DEFAULT;

    /** Whether a config file already replaced the defaults (Redis's static save_loaded). */
    private boolean loadedFromFile;

    SaveParam() {
        super("save", null, ConfigFlag.MULTI_ARG);
    }

    /** The snapshot points, in configuration order; empty when snapshots are disabled. */
    public List<SavePoint> get() {
        return value;
    }

    @Override
    public String value() {
        StringBuilder b = new StringBuilder();
        for (SavePoint p : value) {
            if (!b.isEmpty()) b.append(' ');
            b.append(p.seconds()).append(' ').append(p.changes());
        }
        return b.toString();
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        boolean cleared = false;
        if (args.length == 1 && args[0].isEmpty()) {
            // A single empty argument means "no save points"; it also drops what a config file
            // accumulated so far.
            args = new String[0];
            cleared = true;
        }
        if ((args.length & 1) != 0) throw new ConfigValueException("Invalid save parameters");
        for (int j = 0; j < args.length; j++) {
            ConfigText.StrtolResult r = ConfigText.strtoll(args[j], 10);
            // Like C, only the end pointer is checked: "" reads as 0 and overflow saturates.
            if (!r.consumedAll(args[j]) || ((j & 1) == 0 && r.value() < 1) || ((j & 1) == 1 && r.value() < 0)) {
                throw new ConfigValueException("Invalid save parameters");
            }
        }
        List<SavePoint> next;
        if (!readingConfigFile || cleared) {
            next = new ArrayList<>();
        } else if (!loadedFromFile) {
            next = new ArrayList<>();
        } else {
            next = new ArrayList<>(value);
        }
        if (readingConfigFile) loadedFromFile = true;
        for (int j = 0; j < args.length; j += 2) {
            long seconds = ConfigText.strtoll(args[j], 10).value();
            int changes = (int) ConfigText.strtoll(args[j + 1], 10).value();
            next.add(new SavePoint(seconds, changes));
        }
        value = List.copyOf(next);
        return CHANGED;
    }

    @Override
    Object snapshot() {
        return value;
    }

    @Override
    @SuppressWarnings("unchecked")
    void restore(Object snapshot) {
        value = (List<SavePoint>) snapshot;
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        List<SavePoint> points = value;
        // Always written, even at default: an absent "save" would mean "defaults" on restart,
        // and an empty list must be written as save "" to stay disabled.
        if (points.isEmpty()) {
            state.rewriteLine(name(), "save \"\"", true);
        } else {
            for (SavePoint p : points) {
                state.rewriteLine(name(), "save " + p.seconds() + " " + p.changes(), true);
            }
        }
        state.markProcessed(name());
    }
}
