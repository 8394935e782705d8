package dev.cinnabar.server.config;

/**
 * A numeric parameter needing 64 bits. For {@link #isUnsigned() unsigned} parameters
 * ({@code maxmemory}, {@code cluster-link-sendbuf-limit}) values above Long.MAX_VALUE are stored
 * wrapped: compare them with {@link Long#compareUnsigned}. For percent-capable parameters
 * ({@code maxmemory-clients}) a negative value -N means N percent.
 */
public final class LongParam extends NumericParam {

    private volatile long value;

    LongParam(String name, String alias, Kind kind, long lower, long upper, long defaultValue,
              int format, ConfigFlag... flags) {
        super(name, alias, kind, lower, upper, defaultValue, format, flags);
        this.value = defaultValue;
    }

    public long get() {
        return value;
    }

    @Override
    long raw() {
        return value;
    }

    @Override
    void store(long v) {
        value = v;
    }
}
