package dev.cinnabar.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code latency-tracking-info-percentiles}: the percentiles INFO latencystats reports, each in
 * [0, 100]. Default {@code 50 99 99.9}; {@code ""} for none. Printed with "%f" then trailing zeros
 * trimmed, like Redis.
 */
public final class LatencyPercentilesParam extends ConfigParam {

    private static final List<Double> DEFAULT = List.of(50.0, 99.0, 99.9);

    private volatile List<Double> value = DEFAULT;

    LatencyPercentilesParam() {
        super("latency-tracking-info-percentiles", null, ConfigFlag.MULTI_ARG);
    }

    public List<Double> get() {
        return value;
    }

    @Override
    public String value() {
        StringBuilder b = new StringBuilder();
        for (double d : value) {
            if (!b.isEmpty()) b.append(' ');
            b.append(ConfigText.formatTrimmedDouble(d));
        }
        return b.toString();
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        if (args.length == 1 && args[0].isEmpty()) args = new String[0];
        List<Double> next = new ArrayList<>(args.length);
        for (String arg : args) {
            Double d = ConfigText.string2d(arg);
            if (d == null) throw new ConfigValueException("Invalid latency-tracking-info-percentiles parameters");
            if (d > 100.0 || d < 0.0) {
                throw new ConfigValueException(
                        "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
            }
            next.add(d);
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
        value = (List<Double>) snapshot;
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        // Always written (even at default), with "" standing for an empty list.
        String v = value.isEmpty() ? "\"\"" : value();
        state.rewriteLine(name(), name() + " " + v, true);
    }
}
