package dev.cinnabar.server.config;

import java.util.Arrays;

/**
 * {@code client-output-buffer-limit}: per client class, a hard limit, a soft limit and how many
 * seconds the soft limit may be exceeded. Setting it with some classes leaves the others as they
 * are. CONFIG GET prints {@code normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608
 * 60} (note "slave"), CONFIG REWRITE writes one line per class naming it "replica".
 */
public final class ClientOutputBufferLimitParam extends ConfigParam {

    /** The client classes having limits (a master link has none). */
    public enum ClientClass {
        NORMAL("normal"), REPLICA("slave"), PUBSUB("pubsub");

        private final String getName;

        ClientClass(String getName) {
            this.getName = getName;
        }
    }

    /** One class's limits. A limit of 0 means "no limit". */
    public record Limit(long hardLimitBytes, long softLimitBytes, long softLimitSeconds) {}

    private static final Limit[] DEFAULTS = {
        new Limit(0, 0, 0),
        new Limit(256L * 1024 * 1024, 64L * 1024 * 1024, 60),
        new Limit(32L * 1024 * 1024, 8L * 1024 * 1024, 60),
    };

    private volatile Limit[] value = DEFAULTS.clone();

    ClientOutputBufferLimitParam() {
        super("client-output-buffer-limit", null, ConfigFlag.MULTI_ARG);
    }

    /** The limits of one client class. */
    public Limit get(ClientClass clientClass) {
        return value[clientClass.ordinal()];
    }

    @Override
    public String value() {
        Limit[] v = value;
        StringBuilder b = new StringBuilder();
        for (ClientClass c : ClientClass.values()) {
            Limit l = v[c.ordinal()];
            if (!b.isEmpty()) b.append(' ');
            b.append(c.getName).append(' ').append(Long.toUnsignedString(l.hardLimitBytes()))
                    .append(' ').append(Long.toUnsignedString(l.softLimitBytes()))
                    .append(' ').append(l.softLimitSeconds());
        }
        return b.toString();
    }

    /** Redis's getClientTypeByName restricted to classes with limits; -1 otherwise. */
    private static int classIndex(String name) {
        if (ConfigText.equalsIgnoreCase(name, "normal")) return ClientClass.NORMAL.ordinal();
        if (ConfigText.equalsIgnoreCase(name, "slave") || ConfigText.equalsIgnoreCase(name, "replica")) {
            return ClientClass.REPLICA.ordinal();
        }
        if (ConfigText.equalsIgnoreCase(name, "pubsub")) return ClientClass.PUBSUB.ordinal();
        return -1;
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        if (args.length % 4 != 0) {
            throw new ConfigValueException("Wrong number of arguments in buffer limit configuration.");
        }
        // Validate everything first: the whole setting is accepted or refused.
        Limit[] next = value.clone();
        for (int j = 0; j < args.length; j += 4) {
            int cls = classIndex(args[j]);
            if (cls < 0) {
                throw new ConfigValueException("Invalid client class specified in buffer limit configuration.");
            }
            Long hard = ConfigText.memToULL(args[j + 1]);
            Long soft = ConfigText.memToULL(args[j + 2]);
            ConfigText.StrtolResult secs = ConfigText.strtoll(args[j + 3], 10);
            // Redis stores strtoll's result in an int before checking the sign.
            int seconds = (int) secs.value();
            if (hard == null || soft == null || seconds < 0 || !secs.consumedAll(args[j + 3])) {
                throw new ConfigValueException(
                        "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            }
            next[cls] = new Limit(hard, soft, seconds);
        }
        value = next;
        return CHANGED;
    }

    @Override
    Object snapshot() {
        return value;
    }

    @Override
    void restore(Object snapshot) {
        value = (Limit[]) snapshot;
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        Limit[] v = value;
        for (ClientClass c : ClientClass.values()) {
            Limit l = v[c.ordinal()];
            boolean force = !l.equals(DEFAULTS[c.ordinal()]);
            String typeName = c == ClientClass.REPLICA ? "replica" : c.getName;
            String line = name() + " " + typeName + " " + ConfigText.formatMemory(l.hardLimitBytes()) + " "
                    + ConfigText.formatMemory(l.softLimitBytes()) + " " + l.softLimitSeconds();
            state.rewriteLine(name(), line, force);
        }
    }

    @Override
    public String toString() {
        return name() + "=" + Arrays.toString(value);
    }
}
