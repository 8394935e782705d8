package dev.cinnabar.server.config;

/** A numeric parameter whose whole range fits a Java int. */
public final class IntParam extends NumericParam {

    private volatile int value;

    IntParam(String name, String alias, Kind kind, long lower, long upper, int defaultValue,
             int format, ConfigFlag... flags) {
        super(name, alias, kind, lower, upper, defaultValue, format, flags);
        if (lower < Integer.MIN_VALUE || upper > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": range does not fit an int");
        }
        this.value = defaultValue;
    }

    public int get() {
        return value;
    }

    @Override
    long raw() {
        return value;
    }

    @Override
    void store(long v) {
        value = (int) v;
    }
}
