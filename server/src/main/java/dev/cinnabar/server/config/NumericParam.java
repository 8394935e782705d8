package dev.cinnabar.server.config;

/**
 * Common part of integer parameters: Redis's numeric config with its C storage type (which decides
 * signed vs unsigned bound checks), inclusive bounds, default, and accepted notations (plain
 * integer, memory size with units, percentage, octal).
 */
public abstract sealed class NumericParam extends ConfigParam permits IntParam, LongParam {

    /** The C type Redis stores the value in. */
    enum Kind {
        INT, UINT, LONG, ULONG, LONG_LONG, ULONG_LONG, SIZE_T, SSIZE_T, OFF_T, TIME_T;

        /** Redis checks bounds as unsigned numbers only for these three types (not ulong). */
        boolean unsignedBounds() {
            return this == UINT || this == ULONG_LONG || this == SIZE_T;
        }
    }

    /** Plain decimal integer (Redis's INTEGER_CONFIG). */
    static final int INTEGER = 0;
    /** Accepts memory units (1k, 1kb, 1m, 1mb, 1g, 1gb); printed as a plain byte count. */
    static final int MEMORY = 1;
    /** Also accepts "N%" (stored as -N); printed back as "N%". */
    static final int PERCENT = 2;
    /** Read and printed in octal. */
    static final int OCTAL = 4;

    private final Kind kind;
    private final long lower;
    private final long upper;
    private final long defaultValue;
    private final int format;

    NumericParam(String name, String alias, Kind kind, long lower, long upper, long defaultValue,
                 int format, ConfigFlag... flags) {
        super(name, alias, flags);
        this.kind = kind;
        this.lower = lower;
        this.upper = upper;
        this.defaultValue = defaultValue;
        this.format = format;
    }

    abstract long raw();

    abstract void store(long v);

    /** Lower bound (for unsigned kinds read it as unsigned). */
    public final long lowerBound() {
        return lower;
    }

    /** Upper bound (for unsigned kinds read it as unsigned). */
    public final long upperBound() {
        return upper;
    }

    public final long defaultRaw() {
        return defaultValue;
    }

    /** Whether values above Long.MAX_VALUE are stored wrapped and must be read unsigned. */
    public final boolean isUnsigned() {
        return kind == Kind.ULONG_LONG;
    }

    /** Redis's numericParseString: try memory, then percent, then octal, then plain integer. */
    private long parse(String v) throws ConfigValueException {
        if ((format & MEMORY) != 0) {
            Long m = ConfigText.memToULL(v);
            if (m != null) return m;
        }
        if ((format & PERCENT) != 0 && v.length() > 1 && v.charAt(v.length() - 1) == '%') {
            Long p = ConfigText.string2ll(v.substring(0, v.length() - 1));
            if (p != null && p >= 0) return -p; // percentages are stored negated
        }
        if ((format & OCTAL) != 0) {
            ConfigText.StrtolResult r = ConfigText.strtoll(v, 8);
            // C strtoll leaves endptr at the start when there are no digits: "" parses as 0.
            if (!r.overflow() && r.consumedAll(v)) return r.value();
        }
        if (format == INTEGER) {
            Long i = ConfigText.string2ll(v);
            if (i != null) return i;
        }
        if ((format & MEMORY) != 0 && (format & PERCENT) != 0) {
            throw new ConfigValueException("argument must be a memory or percent value");
        } else if ((format & MEMORY) != 0) {
            throw new ConfigValueException("argument must be a memory value");
        } else if ((format & OCTAL) != 0) {
            throw new ConfigValueException("argument couldn't be parsed as an octal number");
        }
        throw new ConfigValueException("argument couldn't be parsed into an integer");
    }

    private void checkBounds(long v) throws ConfigValueException {
        if (kind.unsignedBounds()) {
            if (Long.compareUnsigned(v, upper) > 0 || Long.compareUnsigned(v, lower) < 0) {
                if ((format & OCTAL) != 0) {
                    throw new ConfigValueException("argument must be between "
                            + Long.toOctalString(lower) + " and " + Long.toOctalString(upper) + " inclusive");
                }
                throw new ConfigValueException("argument must be between "
                        + Long.toUnsignedString(lower) + " and " + Long.toUnsignedString(upper) + " inclusive");
            }
        } else if ((format & PERCENT) != 0 && v < 0) {
            // Negative means percent: only the magnitude is bounded (by -lower).
            if (v < lower) {
                throw new ConfigValueException("percentage argument must be less or equal to " + (-lower));
            }
        } else if (v > upper || v < lower) {
            throw new ConfigValueException("argument must be between " + lower + " and " + upper + " inclusive");
        }
    }

    @Override
    final int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        long v = parse(args[0]);
        checkBounds(v);
        if (raw() == v) return unchanged();
        store(v);
        return CHANGED;
    }

    @Override
    public final String value() {
        long v = raw();
        if ((format & PERCENT) != 0 && v < 0) return (-v) + "%";
        if ((format & MEMORY) != 0) return Long.toUnsignedString(v);
        if ((format & OCTAL) != 0) return Long.toOctalString(v);
        return Long.toString(v);
    }

    @Override
    final Object snapshot() {
        return raw();
    }

    @Override
    final void restore(Object snapshot) {
        store((Long) snapshot);
    }

    @Override
    final void rewrite(ConfigRewriter.State state) {
        long v = raw();
        String line;
        boolean force;
        if ((format & PERCENT) != 0 && v < 0) {
            line = name() + " " + (-v) + "%";
            force = -v != defaultValue;
        } else if ((format & MEMORY) != 0) {
            line = name() + " " + ConfigText.formatMemory(v);
            force = v != defaultValue;
        } else if ((format & OCTAL) != 0) {
            line = name() + " " + Long.toOctalString(v);
            force = v != defaultValue;
        } else {
            line = name() + " " + v;
            force = v != defaultValue;
        }
        state.rewriteLine(name(), line, force);
    }
}
