package dev.cinnabar.server.config;

import java.util.List;

/**
 * The value sets of Redis's enum parameters. Constants and their names are declared in Redis's
 * table order, which is visible in error messages.
 */
public final class ConfigEnums {

    private ConfigEnums() {}

    /** maxmemory-policy. */
    public enum MaxmemoryPolicy implements ConfigEnum {
        VOLATILE_LRU("volatile-lru"),
        VOLATILE_LFU("volatile-lfu"),
        VOLATILE_RANDOM("volatile-random"),
        VOLATILE_TTL("volatile-ttl"),
        ALLKEYS_LRU("allkeys-lru"),
        ALLKEYS_LFU("allkeys-lfu"),
        ALLKEYS_RANDOM("allkeys-random"),
        NOEVICTION("noeviction");

        private final List<String> names;

        MaxmemoryPolicy(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }

        /** Whether eviction may pick any key (not only keys with a TTL). */
        public boolean allKeys() {
            return this == ALLKEYS_LRU || this == ALLKEYS_LFU || this == ALLKEYS_RANDOM;
        }

        public boolean lru() {
            return this == VOLATILE_LRU || this == ALLKEYS_LRU;
        }

        public boolean lfu() {
            return this == VOLATILE_LFU || this == ALLKEYS_LFU;
        }
    }

    /** syslog-facility. */
    public enum SyslogFacility implements ConfigEnum {
        USER("user"), LOCAL0("local0"), LOCAL1("local1"), LOCAL2("local2"), LOCAL3("local3"),
        LOCAL4("local4"), LOCAL5("local5"), LOCAL6("local6"), LOCAL7("local7");

        private final List<String> names;

        SyslogFacility(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }
    }

    /** loglevel, from most to least verbose. */
    public enum LogLevel implements ConfigEnum {
        DEBUG("debug"), VERBOSE("verbose"), NOTICE("notice"), WARNING("warning"), NOTHING("nothing");

        private final List<String> names;

        LogLevel(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }
    }

    /** supervised. */
    public enum Supervised implements ConfigEnum {
        UPSTART("upstart"), SYSTEMD("systemd"), AUTO("auto"), NO("no");

        private final List<String> names;

        Supervised(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }
    }

    /** appendfsync. */
    public enum AppendFsync implements ConfigEnum {
        EVERYSEC("everysec"), ALWAYS("always"), NO("no");

        private final List<String> names;

        AppendFsync(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }
    }

    /** repl-diskless-load. */
    public enum ReplDisklessLoad implements ConfigEnum {
        DISABLED("disabled"), ON_EMPTY_DB("on-empty-db"), SWAPDB("swapdb");

        private final List<String> names;

        ReplDisklessLoad(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }
    }

    /** tls-auth-clients. */
    public enum TlsAuthClients implements ConfigEnum {
        NO("no"), YES("yes"), OPTIONAL("optional");

        private final List<String> names;

        TlsAuthClients(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }
    }

    /** oom-score-adj. "yes" is a synonym of "relative" and is what CONFIG GET prints for both. */
    public enum OomScoreAdj implements ConfigEnum {
        NO("no"), RELATIVE("yes", "relative"), ABSOLUTE("absolute");

        private final List<String> names;

        OomScoreAdj(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }
    }

    /** acl-pubsub-default. */
    public enum AclPubsubDefault implements ConfigEnum {
        ALLCHANNELS("allchannels"), RESETCHANNELS("resetchannels");

        private final List<String> names;

        AclPubsubDefault(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }
    }

    /** sanitize-dump-payload. */
    public enum SanitizeDumpPayload implements ConfigEnum {
        NO("no"), YES("yes"), CLIENTS("clients");

        private final List<String> names;

        SanitizeDumpPayload(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }
    }

    /**
     * enable-protected-configs, enable-debug-command, enable-module-command: whether an action is
     * allowed never, always, or only for clients connected over loopback or a unix socket.
     */
    public enum ProtectedAction implements ConfigEnum {
        NO("no"), YES("yes"), LOCAL("local");

        private final List<String> names;

        ProtectedAction(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }

        /** Redis's allowProtectedAction. */
        public boolean allows(boolean localClient) {
            return this == YES || (this == LOCAL && localClient);
        }
    }

    /** cluster-preferred-endpoint-type. */
    public enum ClusterEndpointType implements ConfigEnum {
        IP("ip"), HOSTNAME("hostname"), UNKNOWN_ENDPOINT("unknown-endpoint");

        private final List<String> names;

        ClusterEndpointType(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }
    }

    /** propagation-error-behavior. */
    public enum PropagationErrorBehavior implements ConfigEnum {
        IGNORE("ignore"), PANIC("panic"), PANIC_ON_REPLICAS("panic-on-replicas");

        private final List<String> names;

        PropagationErrorBehavior(String... names) {
            this.names = List.of(names);
        }

        @Override
        public List<String> configNames() {
            return names;
        }
    }

    /** shutdown-on-sigint / shutdown-on-sigterm bit: save even without save points. */
    public static final int SHUTDOWN_SAVE = 1;
    /** Don't save. */
    public static final int SHUTDOWN_NOSAVE = 2;
    /** Don't wait for replicas to catch up. */
    public static final int SHUTDOWN_NOW = 4;
    /** Don't let errors prevent the shutdown. */
    public static final int SHUTDOWN_FORCE = 8;

    static final List<FlagSetParam.Flag> SHUTDOWN_FLAGS = List.of(
            new FlagSetParam.Flag("default", 0),
            new FlagSetParam.Flag("save", SHUTDOWN_SAVE),
            new FlagSetParam.Flag("nosave", SHUTDOWN_NOSAVE),
            new FlagSetParam.Flag("now", SHUTDOWN_NOW),
            new FlagSetParam.Flag("force", SHUTDOWN_FORCE));
}
