package dev.cinnabar.server.config;

import static dev.cinnabar.server.config.ConfigFlag.DEBUG;
import static dev.cinnabar.server.config.NumericParam.INTEGER;
import static dev.cinnabar.server.config.NumericParam.MEMORY;
import static dev.cinnabar.server.config.ParamTable.INT_MAX;
import static dev.cinnabar.server.config.ParamTable.INT_MIN;
import static dev.cinnabar.server.config.ParamTable.LLONG_MAX;
import static dev.cinnabar.server.config.ParamTable.LONG_MAX;

/**
 * Thresholds choosing compact encodings of data types (legacy "ziplist" names are aliases of the
 * "listpack" ones).
 */
public final class EncodingParams {

    public final LongParam hashMaxListpackEntries;
    public final LongParam hashMaxListpackValue;
    /** Positive: max entries per quicklist node; -1..-5: max node size 4kb..64kb. */
    public final IntParam listMaxListpackSize;
    public final IntParam listCompressDepth;
    public final LongParam setMaxIntsetEntries;
    public final LongParam setMaxListpackEntries;
    public final LongParam setMaxListpackValue;
    public final LongParam zsetMaxListpackEntries;
    public final LongParam zsetMaxListpackValue;
    public final LongParam hllSparseMaxBytes;
    public final LongParam streamNodeMaxBytes;
    public final LongParam streamNodeMaxEntries;

    EncodingParams(ParamTable t) {
        NumericParam.Kind sizeT = NumericParam.Kind.SIZE_T;
        hashMaxListpackEntries = t.longNum("hash-max-listpack-entries", "hash-max-ziplist-entries", sizeT, 0,
                LONG_MAX, 512, INTEGER);
        hashMaxListpackValue = t.longNum("hash-max-listpack-value", "hash-max-ziplist-value", sizeT, 0, LONG_MAX, 64,
                MEMORY);
        listMaxListpackSize = t.integer("list-max-listpack-size", "list-max-ziplist-size", INT_MIN, INT_MAX, -2);
        listCompressDepth = t.integer("list-compress-depth", null, 0, INT_MAX, 0, DEBUG);
        setMaxIntsetEntries = t.longNum("set-max-intset-entries", null, sizeT, 0, LONG_MAX, 512, INTEGER);
        setMaxListpackEntries = t.longNum("set-max-listpack-entries", null, sizeT, 0, LONG_MAX, 128, INTEGER);
        setMaxListpackValue = t.longNum("set-max-listpack-value", null, sizeT, 0, LONG_MAX, 64, INTEGER);
        zsetMaxListpackEntries = t.longNum("zset-max-listpack-entries", "zset-max-ziplist-entries", sizeT, 0,
                LONG_MAX, 128, INTEGER);
        zsetMaxListpackValue = t.longNum("zset-max-listpack-value", "zset-max-ziplist-value", sizeT, 0, LONG_MAX, 64,
                MEMORY);
        hllSparseMaxBytes = t.longNum("hll-sparse-max-bytes", null, sizeT, 0, LONG_MAX, 3000, MEMORY);
        streamNodeMaxBytes = t.longNum("stream-node-max-bytes", null, sizeT, 0, LONG_MAX, 4096, MEMORY);
        streamNodeMaxEntries = t.longNum("stream-node-max-entries", null, NumericParam.Kind.LONG_LONG, 0, LLONG_MAX,
                100, INTEGER);
    }
}
