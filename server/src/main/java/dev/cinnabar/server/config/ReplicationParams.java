package dev.cinnabar.server.config;

import static dev.cinnabar.server.config.ConfigFlag.DEBUG;
import static dev.cinnabar.server.config.ConfigFlag.DENY_LOADING;
import static dev.cinnabar.server.config.ConfigFlag.SENSITIVE;
import static dev.cinnabar.server.config.NumericParam.INTEGER;
import static dev.cinnabar.server.config.NumericParam.MEMORY;
import static dev.cinnabar.server.config.ParamTable.INT_MAX;
import static dev.cinnabar.server.config.ParamTable.LLONG_MAX;
import static dev.cinnabar.server.config.ParamTable.LONG_MAX;
import static dev.cinnabar.server.config.ParamTable.MB;

import dev.cinnabar.server.config.ConfigEnums.PropagationErrorBehavior;
import dev.cinnabar.server.config.ConfigEnums.ReplDisklessLoad;

/** Replication parameters (legacy "slave" names are aliases). */
public final class ReplicationParams {

    public final ReplicaOfParam replicaof;
    public final StringParam masterauth;
    public final StringParam masteruser;
    public final BoolParam replicaServeStaleData;
    public final BoolParam replicaReadOnly;
    public final BoolParam replicaLazyFlush;
    public final BoolParam replicaIgnoreMaxmemory;
    public final BoolParam replicaAnnounced;
    public final StringParam replicaAnnounceIp;
    public final IntParam replicaAnnouncePort;
    public final IntParam replicaPriority;
    public final BoolParam replicaIgnoreDiskWriteErrors;
    public final BoolParam replDisklessSync;
    public final IntParam replDisklessSyncDelay;
    public final IntParam replDisklessSyncMaxReplicas;
    public final EnumParam<ReplDisklessLoad> replDisklessLoad;
    public final BoolParam replDisableTcpNodelay;
    public final IntParam replPingReplicaPeriod;
    public final IntParam replTimeout;
    public final LongParam replBacklogSize;
    /** Seconds without replicas after which the backlog is freed. */
    public final LongParam replBacklogTtl;
    public final IntParam minReplicasToWrite;
    public final IntParam minReplicasMaxLag;
    public final EnumParam<PropagationErrorBehavior> propagationErrorBehavior;

    ReplicationParams(ParamTable t, BoolParam clusterEnabled) {
        replicaof = t.add(new ReplicaOfParam(clusterEnabled));
        masterauth = t.nullableString("masterauth", null, null, null, SENSITIVE);
        masteruser = t.nullableString("masteruser", null, null, null, SENSITIVE);
        replicaServeStaleData = t.bool("replica-serve-stale-data", "slave-serve-stale-data", true);
        replicaReadOnly = t.bool("replica-read-only", "slave-read-only", true, DEBUG);
        replicaLazyFlush = t.bool("replica-lazy-flush", "slave-lazy-flush", false);
        replicaIgnoreMaxmemory = t.bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", true);
        replicaAnnounced = t.bool("replica-announced", null, true);
        replicaAnnounceIp = t.nullableString("replica-announce-ip", "slave-announce-ip", null, null);
        replicaAnnouncePort = t.integer("replica-announce-port", "slave-announce-port", 0, 65535, 0);
        replicaPriority = t.integer("replica-priority", "slave-priority", 0, INT_MAX, 100);
        replicaIgnoreDiskWriteErrors = t.bool("replica-ignore-disk-write-errors", null, false);
        replDisklessSync = t.bool("repl-diskless-sync", null, true, DEBUG);
        replDisklessSyncDelay = t.integer("repl-diskless-sync-delay", null, 0, INT_MAX, 5);
        replDisklessSyncMaxReplicas = t.integer("repl-diskless-sync-max-replicas", null, 0, INT_MAX, 0);
        replDisklessLoad = t.enumeration("repl-diskless-load", null, ReplDisklessLoad.class, ReplDisklessLoad.DISABLED,
                DEBUG, DENY_LOADING);
        replDisableTcpNodelay = t.bool("repl-disable-tcp-nodelay", null, false);
        replPingReplicaPeriod = t.integer("repl-ping-replica-period", "repl-ping-slave-period", 1, INT_MAX, 10);
        replTimeout = t.integer("repl-timeout", null, 1, INT_MAX, 60);
        replBacklogSize = t.longNum("repl-backlog-size", null, NumericParam.Kind.LONG_LONG, 1, LLONG_MAX, MB, MEMORY);
        replBacklogTtl = t.longNum("repl-backlog-ttl", null, NumericParam.Kind.TIME_T, 0, LONG_MAX, 3600, INTEGER);
        minReplicasToWrite = t.integer("min-replicas-to-write", "min-slaves-to-write", 0, INT_MAX, 0);
        minReplicasMaxLag = t.integer("min-replicas-max-lag", "min-slaves-max-lag", 0, INT_MAX, 10);
        propagationErrorBehavior = t.enumeration("propagation-error-behavior", null, PropagationErrorBehavior.class,
                PropagationErrorBehavior.IGNORE);
    }
}
