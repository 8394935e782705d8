package dev.cinnabar.server.config;

import static dev.cinnabar.server.config.ConfigFlag.DEBUG;
import static dev.cinnabar.server.config.NumericParam.INTEGER;
import static dev.cinnabar.server.config.NumericParam.MEMORY;
import static dev.cinnabar.server.config.NumericParam.PERCENT;
import static dev.cinnabar.server.config.ParamTable.INT_MAX;
import static dev.cinnabar.server.config.ParamTable.LLONG_MAX;
import static dev.cinnabar.server.config.ParamTable.LONG_MAX;
import static dev.cinnabar.server.config.ParamTable.MB;
import static dev.cinnabar.server.config.ParamTable.SSIZE_MAX;
import static dev.cinnabar.server.config.ParamTable.ULLONG_MAX;

import dev.cinnabar.server.config.ConfigEnums.MaxmemoryPolicy;

/** Memory limits and eviction, lazy freeing, active defragmentation and expiry effort. */
public final class MemoryParams {

    /** Bytes, 0 = no limit. Unsigned: compare with {@link Long#compareUnsigned}. */
    public final LongParam maxmemory;
    public final EnumParam<MaxmemoryPolicy> maxmemoryPolicy;
    public final IntParam maxmemorySamples;
    public final IntParam maxmemoryEvictionTenacity;
    /** Client eviction threshold: bytes, or -N for N percent of maxmemory; 0 = off. */
    public final LongParam maxmemoryClients;
    public final IntParam lfuLogFactor;
    public final IntParam lfuDecayTime;
    public final BoolParam lazyfreeLazyEviction;
    public final BoolParam lazyfreeLazyExpire;
    public final BoolParam lazyfreeLazyServerDel;
    public final BoolParam lazyfreeLazyUserDel;
    public final BoolParam lazyfreeLazyUserFlush;
    public final BoolParam activedefrag;
    public final LongParam activeDefragIgnoreBytes;
    public final IntParam activeDefragThresholdLower;
    public final IntParam activeDefragThresholdUpper;
    public final IntParam activeDefragCycleMin;
    public final IntParam activeDefragCycleMax;
    public final LongParam activeDefragMaxScanFields;
    /** 1..10: how hard the active expire cycle works. */
    public final IntParam activeExpireEffort;
    public final BoolParam activerehashing;

    MemoryParams(ParamTable t) {
        maxmemory = t.longNum("maxmemory", null, NumericParam.Kind.ULONG_LONG, 0, ULLONG_MAX, 0, MEMORY);
        maxmemoryPolicy = t.enumeration("maxmemory-policy", null, MaxmemoryPolicy.class, MaxmemoryPolicy.NOEVICTION);
        maxmemorySamples = t.integer("maxmemory-samples", null, 1, INT_MAX, 5);
        maxmemoryEvictionTenacity = t.integer("maxmemory-eviction-tenacity", null, 0, 100, 10);
        maxmemoryClients = t.longNum("maxmemory-clients", null, NumericParam.Kind.SSIZE_T, -100, SSIZE_MAX, 0,
                MEMORY | PERCENT);
        lfuLogFactor = t.integer("lfu-log-factor", null, 0, INT_MAX, 10);
        lfuDecayTime = t.integer("lfu-decay-time", null, 0, INT_MAX, 1);
        lazyfreeLazyEviction = t.bool("lazyfree-lazy-eviction", null, false, DEBUG);
        lazyfreeLazyExpire = t.bool("lazyfree-lazy-expire", null, false, DEBUG);
        lazyfreeLazyServerDel = t.bool("lazyfree-lazy-server-del", null, false, DEBUG);
        lazyfreeLazyUserDel = t.bool("lazyfree-lazy-user-del", null, false, DEBUG);
        lazyfreeLazyUserFlush = t.bool("lazyfree-lazy-user-flush", null, false, DEBUG);
        activedefrag = t.bool("activedefrag", null, false, DEBUG);
        activeDefragIgnoreBytes = t.longNum("active-defrag-ignore-bytes", null, NumericParam.Kind.SIZE_T, 1, LLONG_MAX,
                100 * MB, MEMORY);
        activeDefragThresholdLower = t.integer("active-defrag-threshold-lower", null, 0, 1000, 10);
        activeDefragThresholdUpper = t.integer("active-defrag-threshold-upper", null, 0, 1000, 100);
        activeDefragCycleMin = t.integer("active-defrag-cycle-min", null, 1, 99, 1);
        activeDefragCycleMax = t.integer("active-defrag-cycle-max", null, 1, 99, 25);
        activeDefragMaxScanFields = t.longNum("active-defrag-max-scan-fields", null, NumericParam.Kind.ULONG, 1,
                LONG_MAX, 1000, INTEGER);
        activeExpireEffort = t.integer("active-expire-effort", null, 1, 10, 1);
        activerehashing = t.bool("activerehashing", null, true);
    }
}
