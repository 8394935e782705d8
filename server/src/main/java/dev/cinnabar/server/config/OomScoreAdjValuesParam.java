package dev.cinnabar.server.config;

/**
 * {@code oom-score-adj-values}: the OOM score adjustments for a master, a replica and a
 * background child, each in [-2000, 2000]. Default {@code 0 200 800}.
 */
public final class OomScoreAdjValuesParam extends ConfigParam {

    /** The three adjustments. */
    public record Values(int master, int replica, int bgChild) {}

    private static final Values DEFAULT = new Values(0, 200, 800);
    private static final System.Logger LOG = System.getLogger(OomScoreAdjValuesParam.class.getName());

    private volatile Values value = DEFAULT;

    OomScoreAdjValuesParam() {
        super("oom-score-adj-values", null, ConfigFlag.MULTI_ARG);
    }

    public Values get() {
        return value;
    }

    @Override
    public String value() {
        Values v = value;
        return v.master() + " " + v.replica() + " " + v.bgChild();
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        if (args.length != 3) throw new ConfigValueException("wrong number of arguments");
        int[] parsed = new int[3];
        for (int i = 0; i < 3; i++) {
            ConfigText.StrtolResult r = ConfigText.strtoll(args[i], 10);
            if (!r.consumedAll(args[i]) || r.value() < -2000 || r.value() > 2000) {
                throw new ConfigValueException(
                        "Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
            }
            parsed[i] = (int) r.value();
        }
        if (parsed[1] < parsed[0] || parsed[2] < parsed[1]) {
            // Kept anyway: a privileged process may still use such values.
            LOG.log(System.Logger.Level.WARNING, "The oom-score-adj-values configuration may not work for "
                    + "non-privileged processes! Please consult the documentation.");
        }
        Values next = new Values(parsed[0], parsed[1], parsed[2]);
        if (next.equals(value)) return UNCHANGED;
        value = next;
        return CHANGED;
    }

    @Override
    Object snapshot() {
        return value;
    }

    @Override
    void restore(Object snapshot) {
        value = (Values) snapshot;
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        state.rewriteLine(name(), name() + " " + value(), !value.equals(DEFAULT));
    }
}
