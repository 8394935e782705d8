package dev.cinnabar.server.config;

import static dev.cinnabar.server.config.NumericParam.INTEGER;
import static dev.cinnabar.server.config.ParamTable.LLONG_MAX;
import static dev.cinnabar.server.config.ParamTable.LONG_MAX;

/** Slow log, latency monitoring and tracking, keyspace notifications, client-side caching. */
public final class MonitoringParams {

    /** Microseconds; -1 disables the slow log, 0 logs everything. */
    public final LongParam slowlogLogSlowerThan;
    public final LongParam slowlogMaxLen;
    /** Milliseconds, 0 = latency monitor off. */
    public final LongParam latencyMonitorThreshold;
    public final BoolParam latencyTracking;
    public final LatencyPercentilesParam latencyTrackingInfoPercentiles;
    public final NotifyKeyspaceEventsParam notifyKeyspaceEvents;
    /** Max keys remembered for client-side caching invalidation, 0 = unlimited. */
    public final LongParam trackingTableMaxKeys;

    MonitoringParams(ParamTable t) {
        slowlogLogSlowerThan = t.longNum("slowlog-log-slower-than", null, NumericParam.Kind.LONG_LONG, -1, LLONG_MAX,
                10000, INTEGER);
        slowlogMaxLen = t.longNum("slowlog-max-len", null, NumericParam.Kind.ULONG, 0, LONG_MAX, 128, INTEGER);
        latencyMonitorThreshold = t.longNum("latency-monitor-threshold", null, NumericParam.Kind.LONG_LONG, 0,
                LLONG_MAX, 0, INTEGER);
        latencyTracking = t.bool("latency-tracking", null, true);
        latencyTrackingInfoPercentiles = t.add(new LatencyPercentilesParam());
        notifyKeyspaceEvents = t.add(new NotifyKeyspaceEventsParam());
        trackingTableMaxKeys = t.longNum("tracking-table-max-keys", null, NumericParam.Kind.SIZE_T, 0, LONG_MAX,
                1000000, INTEGER);
    }
}
