package dev.cinnabar.server.config;

import static dev.cinnabar.server.config.ConfigFlag.DEBUG;
import static dev.cinnabar.server.config.ConfigFlag.DENY_LOADING;
import static dev.cinnabar.server.config.ConfigFlag.HIDDEN;
import static dev.cinnabar.server.config.ConfigFlag.IMMUTABLE;
import static dev.cinnabar.server.config.ConfigFlag.PROTECTED;
import static dev.cinnabar.server.config.NumericParam.INTEGER;
import static dev.cinnabar.server.config.NumericParam.MEMORY;
import static dev.cinnabar.server.config.ParamTable.INT_MAX;
import static dev.cinnabar.server.config.ParamTable.INT_MIN;
import static dev.cinnabar.server.config.ParamTable.LLONG_MAX;
import static dev.cinnabar.server.config.ParamTable.MB;

import dev.cinnabar.server.config.ConfigEnums.AppendFsync;
import dev.cinnabar.server.config.ConfigEnums.SanitizeDumpPayload;

/** RDB and AOF persistence parameters, and the loading/saving test knobs. */
public final class PersistenceParams {

    public final SaveParam save;
    public final DirParam dir;
    public final StringParam dbfilename;
    public final BoolParam rdbcompression;
    public final BoolParam rdbchecksum;
    public final BoolParam rdbDelSyncFiles;
    public final BoolParam rdbSaveIncrementalFsync;
    public final BoolParam stopWritesOnBgsaveError;
    public final EnumParam<SanitizeDumpPayload> sanitizeDumpPayload;
    public final BoolParam appendonly;
    public final StringParam appendfilename;
    public final StringParam appenddirname;
    public final EnumParam<AppendFsync> appendfsync;
    public final BoolParam noAppendfsyncOnRewrite;
    public final IntParam autoAofRewritePercentage;
    public final LongParam autoAofRewriteMinSize;
    public final BoolParam aofLoadTruncated;
    public final BoolParam aofUseRdbPreamble;
    public final BoolParam aofTimestampEnabled;
    public final BoolParam aofRewriteIncrementalFsync;
    public final BoolParam aofDisableAutoGc;
    /** Test knob: microseconds to sleep per key while saving; -N sleeps 1us for one key in N. */
    public final IntParam rdbKeySaveDelay;
    /** Test knob: like {@link #rdbKeySaveDelay}, per key while loading. */
    public final IntParam keyLoadDelay;
    public final LongParam loadingProcessEventsIntervalBytes;

    PersistenceParams(ParamTable t) {
        save = t.add(new SaveParam());
        dir = t.add(new DirParam());
        dbfilename = t.string("dbfilename", null, "dump.rdb", PersistenceParams::checkDbFilename, PROTECTED);
        rdbcompression = t.bool("rdbcompression", null, true);
        rdbchecksum = t.bool("rdbchecksum", null, true, IMMUTABLE);
        rdbDelSyncFiles = t.bool("rdb-del-sync-files", null, false);
        rdbSaveIncrementalFsync = t.bool("rdb-save-incremental-fsync", null, true);
        stopWritesOnBgsaveError = t.bool("stop-writes-on-bgsave-error", null, true);
        sanitizeDumpPayload = t.enumeration("sanitize-dump-payload", null, SanitizeDumpPayload.class,
                SanitizeDumpPayload.NO, DEBUG);
        appendonly = t.bool("appendonly", null, false, DENY_LOADING);
        appendfilename = t.string("appendfilename", null, "appendonly.aof", PersistenceParams::checkAofFilename,
                IMMUTABLE);
        appenddirname = t.string("appenddirname", null, "appendonlydir", PersistenceParams::checkAofDirname,
                IMMUTABLE);
        appendfsync = t.enumeration("appendfsync", null, AppendFsync.class, AppendFsync.EVERYSEC);
        noAppendfsyncOnRewrite = t.bool("no-appendfsync-on-rewrite", null, false);
        autoAofRewritePercentage = t.integer("auto-aof-rewrite-percentage", null, 0, INT_MAX, 100);
        autoAofRewriteMinSize = t.longNum("auto-aof-rewrite-min-size", null, NumericParam.Kind.OFF_T, 0, LLONG_MAX,
                64 * MB, MEMORY);
        aofLoadTruncated = t.bool("aof-load-truncated", null, true);
        aofUseRdbPreamble = t.bool("aof-use-rdb-preamble", null, true);
        aofTimestampEnabled = t.bool("aof-timestamp-enabled", null, false);
        aofRewriteIncrementalFsync = t.bool("aof-rewrite-incremental-fsync", null, true);
        aofDisableAutoGc = t.bool("aof-disable-auto-gc", null, false, HIDDEN);
        rdbKeySaveDelay = t.integer("rdb-key-save-delay", null, INT_MIN, INT_MAX, 0, HIDDEN);
        keyLoadDelay = t.integer("key-load-delay", null, INT_MIN, INT_MAX, 0, HIDDEN);
        loadingProcessEventsIntervalBytes = t.longNum("loading-process-events-interval-bytes", null,
                NumericParam.Kind.OFF_T, 1024, INT_MAX, 2 * MB, INTEGER, HIDDEN);
    }

    /** Redis's pathIsBaseName: neither '/' nor '\'. */
    private static boolean isBaseName(String s) {
        return s.indexOf('/') < 0 && s.indexOf('\\') < 0;
    }

    private static void checkDbFilename(String v) throws ConfigValueException {
        if (!isBaseName(v)) throw new ConfigValueException("dbfilename can't be a path, just a filename");
    }

    private static void checkAofFilename(String v) throws ConfigValueException {
        if (v.isEmpty()) throw new ConfigValueException("appendfilename can't be empty");
        if (!isBaseName(v)) throw new ConfigValueException("appendfilename can't be a path, just a filename");
    }

    private static void checkAofDirname(String v) throws ConfigValueException {
        if (v.isEmpty()) throw new ConfigValueException("appenddirname can't be empty");
        if (!isBaseName(v)) throw new ConfigValueException("appenddirname can't be a path, just a dirname");
    }
}
