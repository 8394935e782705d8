package dev.cinnabar.server.config;

import static dev.cinnabar.server.config.ConfigFlag.HIDDEN;
import static dev.cinnabar.server.config.ConfigFlag.IMMUTABLE;
import static dev.cinnabar.server.config.NumericParam.INTEGER;
import static dev.cinnabar.server.config.NumericParam.MEMORY;
import static dev.cinnabar.server.config.ParamTable.INT_MAX;
import static dev.cinnabar.server.config.ParamTable.LLONG_MAX;
import static dev.cinnabar.server.config.ParamTable.ULLONG_MAX;

import dev.cinnabar.server.config.ConfigEnums.ClusterEndpointType;

/** Redis Cluster parameters. */
public final class ClusterParams {

    /** Redis's NET_HOST_STR_LEN: hostnames must be shorter. */
    private static final int HOST_STR_LEN = 256;

    public final BoolParam clusterEnabled;
    public final StringParam clusterConfigFile;
    public final LongParam clusterNodeTimeout;
    /** Test knob: gossip ping interval in milliseconds, 0 = derived from the node timeout. */
    public final LongParam clusterPingInterval;
    public final IntParam clusterPort;
    public final StringParam clusterAnnounceIp;
    public final IntParam clusterAnnouncePort;
    public final IntParam clusterAnnounceBusPort;
    public final IntParam clusterAnnounceTlsPort;
    public final StringParam clusterAnnounceHostname;
    public final StringParam clusterAnnounceHumanNodename;
    public final EnumParam<ClusterEndpointType> clusterPreferredEndpointType;
    public final IntParam clusterReplicaValidityFactor;
    public final IntParam clusterMigrationBarrier;
    public final BoolParam clusterAllowReplicaMigration;
    public final BoolParam clusterRequireFullCoverage;
    public final BoolParam clusterReplicaNoFailover;
    public final BoolParam clusterAllowReadsWhenDown;
    public final BoolParam clusterAllowPubsubshardWhenDown;
    /** Unsigned: compare with {@link Long#compareUnsigned}. */
    public final LongParam clusterLinkSendbufLimit;

    ClusterParams(ParamTable t) {
        clusterEnabled = t.bool("cluster-enabled", null, false, IMMUTABLE);
        clusterConfigFile = t.string("cluster-config-file", null, "nodes.conf", null, IMMUTABLE);
        clusterNodeTimeout = t.longNum("cluster-node-timeout", null, NumericParam.Kind.LONG_LONG, 0, LLONG_MAX,
                15000, INTEGER);
        clusterPingInterval = t.longNum("cluster-ping-interval", null, NumericParam.Kind.LONG_LONG, 0, LLONG_MAX, 0,
                INTEGER, HIDDEN);
        clusterPort = t.integer("cluster-port", null, 0, 65535, 0, IMMUTABLE);
        clusterAnnounceIp = t.nullableString("cluster-announce-ip", null, null, null);
        clusterAnnouncePort = t.integer("cluster-announce-port", null, 0, 65535, 0);
        clusterAnnounceBusPort = t.integer("cluster-announce-bus-port", null, 0, 65535, 0);
        clusterAnnounceTlsPort = t.integer("cluster-announce-tls-port", null, 0, 65535, 0);
        clusterAnnounceHostname = t.nullableString("cluster-announce-hostname", null, null,
                ClusterParams::checkHostname);
        clusterAnnounceHumanNodename = t.nullableString("cluster-announce-human-nodename", null, null,
                ClusterParams::checkNodename);
        clusterPreferredEndpointType = t.enumeration("cluster-preferred-endpoint-type", null,
                ClusterEndpointType.class, ClusterEndpointType.IP);
        clusterReplicaValidityFactor = t.integer("cluster-replica-validity-factor", "cluster-slave-validity-factor",
                0, INT_MAX, 10);
        clusterMigrationBarrier = t.integer("cluster-migration-barrier", null, 0, INT_MAX, 1);
        clusterAllowReplicaMigration = t.bool("cluster-allow-replica-migration", null, true);
        clusterRequireFullCoverage = t.bool("cluster-require-full-coverage", null, true);
        clusterReplicaNoFailover = t.bool("cluster-replica-no-failover", "cluster-slave-no-failover", false);
        clusterAllowReadsWhenDown = t.bool("cluster-allow-reads-when-down", null, false);
        clusterAllowPubsubshardWhenDown = t.bool("cluster-allow-pubsubshard-when-down", null, true);
        clusterLinkSendbufLimit = t.longNum("cluster-link-sendbuf-limit", null, NumericParam.Kind.ULONG_LONG, 0,
                ULLONG_MAX, 0, MEMORY);
    }

    private static void checkHostname(String v) throws ConfigValueException {
        if (v.length() >= HOST_STR_LEN) {
            throw new ConfigValueException("Hostnames must be less than " + HOST_STR_LEN + " characters");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.';
            if (!ok) {
                throw new ConfigValueException("Hostnames may only contain alphanumeric characters, hyphens or dots");
            }
        }
    }

    /**
     * Redis's isValidAuxString. Its test reads "alphanumeric, or not one of the listed
     * punctuation": as written it accepts nearly everything and refuses only those punctuation
     * characters. Reproduced as is.
     */
    private static void checkNodename(String v) throws ConfigValueException {
        String refused = "!#$%&()*+:;<>?@[]^{|}~";
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            // C's strchr also "finds" the terminator, so a NUL byte is refused too.
            if (!alnum && (refused.indexOf(c) >= 0 || c == 0)) {
                throw new ConfigValueException("Announced human node name contained invalid character");
            }
        }
    }
}
