package dev.cinnabar.server.config;

/**
 * {@code replicaof} (alias {@code slaveof}): the master to replicate from, set at startup only
 * ({@code replicaof <host> <port>} or {@code replicaof no one}); at runtime the REPLICAOF command
 * changes replication, not this parameter. CONFIG GET prints "host port" or "".
 */
public final class ReplicaOfParam extends ConfigParam {

    /** The configured master. */
    public record Master(String host, int port) {}

    private final BoolParam clusterEnabled;
    private volatile Master value;

    ReplicaOfParam(BoolParam clusterEnabled) {
        super("replicaof", "slaveof", ConfigFlag.IMMUTABLE, ConfigFlag.MULTI_ARG);
        this.clusterEnabled = clusterEnabled;
    }

    /** The configured master, or {@code null} for a master. */
    public Master get() {
        return value;
    }

    /**
     * The REPLICAOF command changed the master ({@code null}: none), which CONFIG GET and
     * CONFIG REWRITE then show, as Redis's getter reads its masterhost.
     */
    public void assign(Master m) {
        value = m;
    }

    @Override
    public String value() {
        Master m = value;
        return m == null ? "" : m.host() + " " + m.port();
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        if (args.length != 2) throw new ConfigValueException("wrong number of arguments");
        // Redis forgets the previous master before validating the port.
        value = null;
        if (ConfigText.equalsIgnoreCase(args[0], "no") && ConfigText.equalsIgnoreCase(args[1], "one")) {
            return CHANGED;
        }
        ConfigText.StrtolResult r = ConfigText.strtoll(args[1], 10);
        int port = (int) r.value(); // strtol into an int
        if (port < 0 || port > 65535 || !r.consumedAll(args[1])) {
            throw new ConfigValueException("Invalid master port");
        }
        value = new Master(args[0], port);
        return CHANGED;
    }

    @Override
    Object snapshot() {
        return new Object[] {value};
    }

    @Override
    void restore(Object snapshot) {
        value = (Master) ((Object[]) snapshot)[0];
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        Master m = value;
        // A cluster node never gets a replicaof line: cluster mode forbids the directive.
        if (clusterEnabled.get() || m == null) {
            state.markProcessed(name());
            return;
        }
        state.rewriteLine(name(), name() + " " + m.host() + " " + m.port(), true);
    }
}
