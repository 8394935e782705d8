package dev.cinnabar.server.persistence.rdb;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.config.ConfigEnums.MaxmemoryPolicy;
import dev.cinnabar.server.config.ConfigEnums.SanitizeDumpPayload;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a whole RDB file (Redis rdbLoadRioWithLoadingCtx): header, auxiliary fields, database
 * selectors and size hints, per-key expiry and LRU/LFU opcodes, values, the end marker and the
 * CRC-64 trailer. The keyspace is not touched: the result is the entries to add, per database,
 * so a caller can refuse a corrupt file without losing the data it holds.
 *
 * <p>As in Redis, keys already expired are dropped (a master loads no expired key; a replica keeps
 * them, see {@code keepExpired}), empty collections are skipped, and a key's access
 * data is restored from IDLE / FREQ only under a policy that uses it.
 */
public final class RdbLoader {
    // Opcodes (rdb.h RDB_OPCODE_*). WARNING: on-disk format.
    static final int OPCODE_FUNCTION2 = 245;
    static final int OPCODE_FUNCTION_PRE_GA = 246;
    static final int OPCODE_MODULE_AUX = 247;
    static final int OPCODE_IDLE = 248;
    static final int OPCODE_FREQ = 249;
    static final int OPCODE_AUX = 250;
    static final int OPCODE_RESIZEDB = 251;
    static final int OPCODE_EXPIRETIME_MS = 252;
    static final int OPCODE_EXPIRETIME = 253;
    static final int OPCODE_SELECTDB = 254;
    static final int OPCODE_EOF = 255;

    private static final long LRU_CLOCK_MAX = (1 << 24) - 1;

    /** The loaded data set. */
    public static final class Result {
        /** Entries to add, per database number. */
        public final List<List<Object>> perDb = new ArrayList<>();
        public long keysLoaded;
        public long keysExpired;
        public long emptyKeysSkipped;
        /**
         * The aux field repl-stream-db: the database the replication stream continues in after
         * this image (a replica's master client starts there), 0 when absent.
         */
        public int replStreamDb;
        /** Function libraries (RDB_OPCODE_FUNCTION2), as their code, in file order. */
        public final List<byte[]> functions = new ArrayList<>();

        Result(int dbs) {
            for (int i = 0; i < dbs; i++) {
                perDb.add(new ArrayList<>());
            }
        }
    }

    private RdbLoader() {}

    /**
     * Parses the RDB image in {@code in} for {@code server} (its database count, encoding limits,
     * eviction policy and clock). Throws {@link RdbException} when the image is corrupt, has a
     * version this server cannot read, or holds what Cinnabar cannot load (module data).
     */
    public static Result load(Server server, RdbInput in) {
        return load(server, in, false);
    }

    /**
     * As {@link #load(Server, RdbInput)}; {@code keepExpired} keeps keys whose time has passed,
     * as a replica loading its master's image does (the master sends their DEL).
     */
    public static Result load(Server server, RdbInput in, boolean keepExpired) {
        byte[] magic = new byte[9];
        in.readFully(magic, 0, 9);
        String head = new String(magic, StandardCharsets.ISO_8859_1);
        if (!head.startsWith("REDIS")) {
            throw new RdbException("wrong signature trying to load DB");
        }
        int version = atoi(head.substring(5));
        if (version < 1 || version > RdbWriter.VERSION) {
            throw new RdbException("can't handle RDB format version " + version);
        }
        // "clients" sanitizes only what clients send; loading is trusted.
        boolean deep = server.config.persistence.sanitizeDumpPayload.get() == SanitizeDumpPayload.YES;
        RdbValueReader reader = new RdbValueReader(in, server.config.encoding, server.debug.quicklistPackedThreshold,
                deep, server.stats);
        MaxmemoryPolicy policy = server.config.memory.maxmemoryPolicy.get();
        boolean lfu = policy == MaxmemoryPolicy.ALLKEYS_LFU || policy == MaxmemoryPolicy.VOLATILE_LFU;
        long now = server.clock.millis();
        int dbCount = server.dbCount();
        Result r = new Result(dbCount);
        int db = 0;
        long expireAt = -1;
        long lfuFreq = -1;
        long lruIdle = -1;
        while (true) {
            int type = in.readByte();
            switch (type) {
                case OPCODE_EXPIRETIME -> {
                    expireAt = (long) (int) in.readLe(4) * 1000;
                    continue;
                }
                case OPCODE_EXPIRETIME_MS -> {
                    expireAt = in.readMillis();
                    continue;
                }
                case OPCODE_FREQ -> {
                    lfuFreq = in.readByte();
                    continue;
                }
                case OPCODE_IDLE -> {
                    lruIdle = in.readLen();
                    continue;
                }
                case OPCODE_SELECTDB -> {
                    long id = in.readLen();
                    if (id < 0 || id >= dbCount) {
                        throw new RdbException("data file was created with a server configured to handle more than "
                                + dbCount + " databases");
                    }
                    db = (int) id;
                    continue;
                }
                case OPCODE_RESIZEDB -> {
                    in.readLen();
                    in.readLen();
                    continue;
                }
                case OPCODE_AUX -> {
                    String name = new String(in.readString(), StandardCharsets.ISO_8859_1);
                    byte[] value = in.readString();
                    if (name.equals("repl-stream-db")) {
                        r.replStreamDb = atoi(new String(value, StandardCharsets.ISO_8859_1));
                    }
                    continue;
                }
                case OPCODE_MODULE_AUX -> throw new RdbException("module data is not supported");
                case OPCODE_FUNCTION_PRE_GA ->
                        throw new RdbException("pre-release function format not supported");
                case OPCODE_FUNCTION2 -> {
                    r.functions.add(in.readString());
                    continue;
                }
                default -> {
                    // a value, or the end
                }
            }
            if (type == OPCODE_EOF) {
                break;
            }
            if (!RdbValueReader.isObjectType(type)) {
                throw new RdbException("unknown RDB type " + type);
            }
            byte[] key = in.readString();
            Object value = reader.read(type);
            if (value == null) {
                r.emptyKeysSkipped++;
            } else if (expireAt != -1 && expireAt < now && !keepExpired) {
                r.keysExpired++;
            } else {
                int lru = server.db(db).newLru();
                if (lfu) {
                    if (lfuFreq >= 0) {
                        lru = (lru & ~0xFF) | (int) lfuFreq;
                    }
                } else if (lruIdle >= 0) {
                    long abs = server.db(db).lruClock() - lruIdle * 1000 / 1000;
                    if (abs < 0) {
                        abs += LRU_CLOCK_MAX;
                    }
                    lru = (int) (abs & LRU_CLOCK_MAX);
                }
                r.perDb.get(db).add(RdbEntries.entry(key, 0, key.length, value, expireAt, lru));
                r.keysLoaded++;
            }
            expireAt = -1;
            lfuFreq = -1;
            lruIdle = -1;
        }
        if (version >= 5) {
            long expected = in.crcOfConsumed();
            long stored = in.readLe(8);
            boolean check = server.config.persistence.rdbchecksum.get() && !server.debug.skipChecksumValidation;
            if (check && stored == 0) {
                server.log.notice("RDB file was saved with checksum disabled: no check performed.");
            } else if (check && stored != expected) {
                throw new RdbException("Wrong RDB checksum expected: (" + Long.toHexString(expected) + ") but got ("
                        + Long.toHexString(stored) + "). Aborting now.");
            }
        }
        return r;
    }

    /** Whether a load failed because the data ended early (Redis's "Short read" case). */
    public static boolean isTruncation(RdbException e) {
        return RdbInput.TRUNCATED.equals(e.getMessage());
    }

    /** C atoi over the version digits. */
    private static int atoi(String s) {
        int v = 0;
        for (int i = 0; i < s.length() && Character.isDigit(s.charAt(i)) && v < 100000; i++) {
            v = v * 10 + (s.charAt(i) - '0');
        }
        return v;
    }
}
