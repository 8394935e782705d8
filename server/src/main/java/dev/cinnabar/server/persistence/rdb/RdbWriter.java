package dev.cinnabar.server.persistence.rdb;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.Listpack;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.Doubles;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.config.ConfigEnums.MaxmemoryPolicy;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.type.HashValue;
import dev.cinnabar.server.type.ListValue;
import dev.cinnabar.server.type.MutableString;
import dev.cinnabar.server.type.SetValue;
import dev.cinnabar.server.type.StreamGroup;
import dev.cinnabar.server.type.StreamId;
import dev.cinnabar.server.type.StreamValue;
import dev.cinnabar.server.type.ZSetValue;
import java.nio.charset.StandardCharsets;

/**
 * Writes the data set as a Redis RDB file (rdb.c), version 11 as Redis 7.2 writes it, or 10 for
 * Redis 7.0 readers (the formats differ only in SET_LISTPACK, which version 10 lacks).
 *
 * <p>File layout (WARNING: on-disk format, every id below is frozen): "REDIS00NN"; AUX fields
 * redis-ver, redis-bits, ctime, used-mem, the replication ones when the file seeds a replica,
 * aof-base; per non-empty database SELECTDB, RESIZEDB (keys, keys with a TTL) and its keys, each
 * as [EXPIRETIME_MS][IDLE|FREQ] type key value; EOF; the CRC-64 of all preceding bytes, little
 * endian (0 when rdbchecksum is off, which readers take as "not checked").
 *
 * <p>Values are saved with the types Redis 7.2 picks for the same encodings (rdbSaveObjectType),
 * so a load, here or in Redis, gives each value back the encoding Redis would: strings as
 * Redis saves them (small integers int-encoded, LZF above 20 bytes when rdbcompression is on),
 * lists as QUICKLIST_2 with our nodes written as Redis-format listpacks (or plain nodes for
 * elements stored alone), intsets as SET_INTSET blobs, listpack sets as SET_LISTPACK (plain SET
 * for a version 10 reader, which lacks that type), listpack sorted sets and hashes as
 * ZSET_LISTPACK / HASH_LISTPACK blobs, hash tables as SET / HASH, skiplists as ZSET_2 (binary
 * double scores). Keys already expired are written with their expiry time, as Redis does: a
 * loading master drops them, a replica waits for the master's DEL. {@link #dumpPayload} is the
 * same value serialization for DUMP and MIGRATE.
 *
 * <p>The caller holds the server lock for the whole write, so the file is a point-in-time
 * image; the writer itself allocates one output buffer and a few scratch arrays.
 */
public final class RdbWriter {
    public static final int VERSION = 11;

    // Value types (rdb.h RDB_TYPE_*).
    static final int TYPE_STRING = 0;
    static final int TYPE_SET = 2;
    static final int TYPE_HASH = 4;
    static final int TYPE_ZSET_2 = 5;
    static final int TYPE_SET_INTSET = 11;
    static final int TYPE_HASH_LISTPACK = 16;
    static final int TYPE_ZSET_LISTPACK = 17;
    static final int TYPE_LIST_QUICKLIST_2 = 18;
    static final int TYPE_SET_LISTPACK = 20;
    /** Streams as Redis 7.0 writes them (no consumer active-time), for RDB version 10. */
    static final int TYPE_STREAM_LISTPACKS_2 = 19;
    static final int TYPE_STREAM_LISTPACKS_3 = 21;

    // Opcodes (rdb.h RDB_OPCODE_*).
    static final int OPCODE_IDLE = 248;
    static final int OPCODE_FREQ = 249;
    static final int OPCODE_AUX = 250;
    static final int OPCODE_RESIZEDB = 251;
    static final int OPCODE_EXPIRETIME_MS = 252;
    static final int OPCODE_SELECTDB = 254;
    static final int OPCODE_EOF = 255;

    // Length encodings (rdb.h RDB_6BITLEN ... RDB_ENCVAL) and special string encodings.
    static final int ENC_INT8 = 0xC0;
    static final int ENC_INT16 = 0xC1;
    static final int ENC_INT32 = 0xC2;
    static final int ENC_LZF = 0xC3;

    // Quicklist node containers (quicklist.h QUICKLIST_NODE_CONTAINER_*).
    static final int CONTAINER_PLAIN = 1;
    static final int CONTAINER_PACKED = 2;

    /** What a replica needs to continue the stream after loading (Redis rdbSaveInfo). */
    public record ReplicationInfo(int streamDb, String replId, long offset) {}

    private final Server server;
    private final RdbOutput out;
    private final int version;
    private final boolean compress;
    private final Lzf lzf = new Lzf();
    private final RedisListpack listpack = new RedisListpack();
    private final byte[] num = new byte[Doubles.MAX_CHARS];

    private RdbWriter(Server server, RdbOutput out, int version, boolean compress) {
        this.server = server;
        this.out = out;
        this.version = version;
        this.compress = compress;
    }

    /**
     * The whole data set as an RDB image in the server's current configuration (rdbcompression,
     * rdbchecksum). {@code repl} adds the replication aux fields (null for plain saves). Must be
     * called with the server lock held.
     */
    public static RdbOutput snapshot(Server server, ReplicationInfo repl) {
        return snapshot(server, repl, VERSION);
    }

    /** As {@link #snapshot(Server, ReplicationInfo)}, writing RDB {@code version} (10 or 11). */
    public static RdbOutput snapshot(Server server, ReplicationInfo repl, int version) {
        if (version != 10 && version != 11) {
            throw new IllegalArgumentException("RDB version " + version);
        }
        RdbOutput out = new RdbOutput();
        RdbWriter w = new RdbWriter(server, out, version, server.config.persistence.rdbcompression.get());
        w.writeAll(repl);
        return out;
    }

    /**
     * An image with the header and aux fields but no keys (a replica's REPLCONF rdb-filter-only
     * asked for functions only, and there are no functions yet).
     */
    public static RdbOutput snapshotWithoutData(Server server, ReplicationInfo repl, int version) {
        RdbOutput out = new RdbOutput();
        RdbWriter w = new RdbWriter(server, out, version, server.config.persistence.rdbcompression.get());
        w.excludeData = true;
        w.writeAll(repl);
        return out;
    }

    private boolean excludeData;
    /** The image is an AOF base (Redis RDBFLAGS_AOF_PREAMBLE): aux aof-base 1. */
    private boolean aofBase;
    private boolean saveLru;
    private boolean saveLfu;

    /**
     * A writer that appends to {@code out} piece by piece, for a snapshot that walks the data
     * set itself ({@link RdbSnapshotWriter}): {@link #header}, then per database
     * {@link #selectDb} and its {@link #entry entries}, then {@link #footer}. Every call
     * needs the server lock (it reads the configuration and the entries).
     */
    static RdbWriter streaming(Server server, RdbOutput out, int version) {
        return new RdbWriter(server, out, version, server.config.persistence.rdbcompression.get());
    }

    /**
     * The whole data set into {@code out} (a synchronous SAVE streaming to a file through an
     * {@link RdbOutput.Sink}). Must be called with the server lock held.
     */
    public static void write(Server server, ReplicationInfo repl, RdbOutput out) {
        streaming(server, out, VERSION).writeAll(repl);
    }

    private void writeAll(ReplicationInfo repl) {
        header(repl);
        for (Database db : server.dbs()) {
            if (db.size() == 0 || excludeData) {
                continue;
            }
            selectDb(db.id, db.size(), db.expiresCount());
            db.forEach(e -> entry(db, e));
        }
        footer();
    }

    /** The signature, the aux fields and the function libraries (what precedes the keys). */
    void header(ReplicationInfo repl) {
        out.write(("REDIS" + (version < 10 ? "000" : "00") + version).getBytes(StandardCharsets.US_ASCII));
        aux("redis-ver", Server.REDIS_VERSION);
        aux("redis-bits", 64);
        aux("ctime", server.clock.millis() / 1000);
        aux("used-mem", server.memory.used());
        if (repl != null) {
            aux("repl-stream-db", repl.streamDb());
            aux("repl-id", repl.replId());
            aux("repl-offset", repl.offset());
        }
        aux("aof-base", aofBase ? 1 : 0);
        // Function libraries, each as its code (Redis rdbSaveFunctions).
        for (byte[] code : server.functions.codes()) {
            out.write(FunctionsPayload.OPCODE_FUNCTION2);
            writeString(code, 0, code.length);
        }
        // The access data saved with each key follows the policy at the start of the save.
        MaxmemoryPolicy policy = server.config.memory.maxmemoryPolicy.get();
        saveLru = policy == MaxmemoryPolicy.ALLKEYS_LRU || policy == MaxmemoryPolicy.VOLATILE_LRU;
        saveLfu = policy == MaxmemoryPolicy.ALLKEYS_LFU || policy == MaxmemoryPolicy.VOLATILE_LFU;
    }

    /** Marks the image as the base of an append-only file (before {@link #header}). */
    void aofBase(boolean on) {
        aofBase = on;
    }

    /**
     * The whole data set as the RDB base of an append-only file (aux aof-base 1), under the
     * lock: for a base written where nothing else can run meanwhile (start-up).
     */
    public static RdbOutput aofBaseImage(Server server, int version) {
        RdbOutput out = new RdbOutput();
        RdbWriter w = new RdbWriter(server, out, version, server.config.persistence.rdbcompression.get());
        w.aofBase = true;
        w.writeAll(null);
        return out;
    }

    /** Takes the access-data policy {@code other} read in its {@link #header}. */
    void copyPolicy(RdbWriter other) {
        saveLru = other.saveLru;
        saveLfu = other.saveLfu;
    }

    /** SELECTDB and RESIZEDB: the start of a database's keys. */
    void selectDb(int id, long size, long expires) {
        out.write(OPCODE_SELECTDB);
        writeLen(id);
        out.write(OPCODE_RESIZEDB);
        writeLen(size);
        writeLen(expires);
    }

    /** EOF and the checksum (0 when rdbchecksum is off). */
    void footer() {
        out.write(OPCODE_EOF);
        long crc = server.config.persistence.rdbchecksum.get() ? out.crc() : 0;
        out.writeLe(crc, 8);
    }

    /** One key of {@code db}: its expiry, access data, type, key and value. */
    void entry(Database db, Object e) {
        writeEntry(db, e, saveLru, saveLfu);
    }

    // ---- keys ----------------------------------------------------------------------------------

    private void writeEntry(Database db, Object e, boolean saveLru, boolean saveLfu) {
        if (Entries.hasExpire(e)) {
            out.write(OPCODE_EXPIRETIME_MS);
            out.writeLe(Entries.expireAt(e), 8);
        }
        if (saveLru) {
            out.write(OPCODE_IDLE);
            writeLen(db.idleMillis(e) / 1000);
        } else if (saveLfu) {
            out.write(OPCODE_FREQ);
            out.write(db.lfuCounter(Entries.lru(e)));
        }
        Object v = e instanceof byte[] ? e : ((ObjectEntry) e).value;
        out.write(typeOf(v));
        writeString(Entries.keyArray(e), Entries.keyOffset(e), Entries.keyLength(e));
        writeValue(e, v);
    }

    /**
     * The RDB type Redis 7.2 saves a value under (rdbSaveObjectType): compact encodings as their
     * blob types, except listpack sets for a version 10 reader, which has no SET_LISTPACK.
     */
    private int typeOf(Object v) {
        return switch (v) {
            case byte[] p -> TYPE_STRING;
            case MutableString s -> TYPE_STRING;
            case ListValue l -> TYPE_LIST_QUICKLIST_2;
            case SetValue s -> s.isIntset() ? TYPE_SET_INTSET
                    : s.isListpack() && version >= 11 ? TYPE_SET_LISTPACK : TYPE_SET;
            case ZSetValue z -> z.isListpack() ? TYPE_ZSET_LISTPACK : TYPE_ZSET_2;
            case HashValue h -> h.isListpack() ? TYPE_HASH_LISTPACK : TYPE_HASH;
            case StreamValue st -> version >= 11 ? TYPE_STREAM_LISTPACKS_3 : TYPE_STREAM_LISTPACKS_2;
            default -> throw new IllegalStateException("no RDB encoding for " + v.getClass().getSimpleName());
        };
    }

    /** The value part (rdbSaveObject) of entry {@code e} whose value is {@code v}. */
    private void writeValue(Object e, Object v) {
        switch (v) {
            case byte[] p -> writeString(p, Entries.valueOffset(p), Entries.valueLength(p));
            case MutableString s -> writeString(s.array(), 0, s.length());
            case ListValue l -> writeList(l);
            case SetValue s -> {
                if (s.isIntset()) {
                    writeIntset(s);
                } else if (s.isListpack() && version >= 11) {
                    writeSetListpack(s);
                } else {
                    writeSet(s);
                }
            }
            case ZSetValue z -> {
                if (z.isListpack()) {
                    writeZSetListpack(z);
                } else {
                    writeZSet(z);
                }
            }
            case HashValue h -> {
                if (h.isListpack()) {
                    writeHashListpack(h);
                } else {
                    writeLen(h.size());
                    h.forEach((f, fOff, fLen, val, vOff, vLen) -> {
                        writeString(f, fOff, fLen);
                        writeString(val, vOff, vLen);
                    });
                }
            }
            case StreamValue st -> writeStream(st);
            default -> throw new IllegalStateException("no RDB encoding for " + v.getClass().getSimpleName());
        }
    }

    // ---- DUMP payloads ------------------------------------------------------------------------------

    /**
     * The DUMP serialization of one entry's value (Redis createDumpPayload): the RDB type byte,
     * the value as an RDB file holds it, the RDB version (2 bytes) and the CRC-64 of everything
     * before it (8 bytes), both little-endian. Compression follows rdbcompression.
     */
    public static byte[] dumpPayload(Server server, Object entry) {
        return dumpPayload(server, entry, VERSION);
    }

    /** As {@link #dumpPayload(Server, Object)} in RDB {@code version} 10 or 11 (10: what Redis 7.0 loads). */
    static byte[] dumpPayload(Server server, Object entry, int version) {
        RdbOutput out = new RdbOutput(256);
        RdbWriter w = new RdbWriter(server, out, version, server.config.persistence.rdbcompression.get());
        Object v = entry instanceof byte[] ? entry : ((ObjectEntry) entry).value;
        out.write(w.typeOf(v));
        w.writeValue(entry, v);
        out.writeLe(version, 2);
        out.writeLe(out.crc(), 8);
        return out.toByteArray();
    }

    private void writeList(ListValue l) {
        writeLen(l.nodes());
        l.forEachNode(new ListValue.NodeVisitor() {
            @Override
            public void plain(byte[] a, int off, int len) {
                writeLen(CONTAINER_PLAIN);
                writeString(a, off, len);
            }

            @Override
            public void packed(Listpack lp) {
                writeLen(CONTAINER_PACKED);
                RedisListpack rl = listpack.reset();
                byte[] a = lp.array();
                for (int p = lp.first(); p >= 0; p = lp.next(p)) {
                    rl.add(a, lp.dataOffset(p), lp.dataLength(p));
                }
                int n = rl.finish();
                // A listpack blob is never int-encoded (it is binary), but it is compressed.
                writeRawBytes(rl.array(), 0, n);
            }
        });
    }

    private void writeSet(SetValue s) {
        writeLen(s.size());
        s.forEach(new SetValue.MemberVisitor() {
            @Override
            public boolean bytes(byte[] a, int off, int len) {
                writeString(a, off, len);
                return true;
            }

            @Override
            public boolean integer(long v) {
                writeInteger(v);
                return true;
            }
        });
    }

    /** An intset blob: width, count, then the members ascending, all little-endian. */
    private void writeIntset(SetValue s) {
        int width = s.intsetWidth();
        int n = s.size();
        byte[] blob = new byte[8 + n * width];
        putLe(blob, 0, width, 4);
        putLe(blob, 4, n, 4);
        int[] at = {8};
        s.forEach(new SetValue.MemberVisitor() {
            @Override
            public boolean bytes(byte[] a, int off, int len) {
                throw new IllegalStateException("intset member as bytes");
            }

            @Override
            public boolean integer(long v) {
                putLe(blob, at[0], v, width);
                at[0] += width;
                return true;
            }
        });
        writeRawBytes(blob, 0, blob.length);
    }

    private static void putLe(byte[] b, int at, long v, int n) {
        for (int i = 0; i < n; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private void writeSetListpack(SetValue s) {
        RedisListpack rl = listpack.reset();
        s.forEach(new SetValue.MemberVisitor() {
            @Override
            public boolean bytes(byte[] a, int off, int len) {
                rl.add(a, off, len);
                return true;
            }

            @Override
            public boolean integer(long v) {
                rl.addInteger(v);
                return true;
            }
        });
        writeRawBytes(rl.array(), 0, rl.finish());
    }

    /** Member, score, member, score... ascending, scores as Redis's listpack keeps them (d2string). */
    private void writeZSetListpack(ZSetValue z) {
        RedisListpack rl = listpack.reset();
        int n = z.size();
        if (n > 0) {
            z.visitRanks(0, n - 1, false, (m, off, len, score) -> {
                rl.add(m, off, len);
                int t = Doubles.d2string(score, num, 0);
                rl.add(num, 0, t);
            });
        }
        writeRawBytes(rl.array(), 0, rl.finish());
    }

    private void writeHashListpack(HashValue h) {
        RedisListpack rl = listpack.reset();
        h.forEach((f, fOff, fLen, val, vOff, vLen) -> {
            rl.add(f, fOff, fLen);
            rl.add(val, vOff, vLen);
        });
        writeRawBytes(rl.array(), 0, rl.finish());
    }

    private void writeZSet(ZSetValue z) {
        writeLen(z.size());
        // Highest score first, as Redis saves a skiplist from its tail (loading then inserts
        // at the head of the new skiplist, its cheapest place).
        z.forEachScored((m, off, len, score) -> {
            writeString(m, off, len);
            out.writeLe(Double.doubleToRawLongBits(score), 8);
        });
    }

    /**
     * rdb.c's stream value: the nodes as (master ID key, listpack) pairs, since Cinnabar's nodes
     * are Redis listpacks byte for byte, then the counters, then each group with its PEL (IDs
     * as 16 raw big-endian bytes, delivery time and count) and its consumers (name, seen and,
     * from version 11, active time, and the IDs of their own pending entries).
     */
    private void writeStream(StreamValue s) {
        writeLen(s.nodeCount());
        byte[] key = new byte[16];
        s.forEachNode((ms, seq, lp, bytes) -> {
            putId(key, 0, ms, seq);
            writeString(key, 0, 16);
            writeString(lp, 0, bytes);
        });
        writeLen(s.length);
        writeUnsignedLen(s.lastMs);
        writeUnsignedLen(s.lastSeq);
        writeUnsignedLen(s.firstMs);
        writeUnsignedLen(s.firstSeq);
        writeUnsignedLen(s.maxDeletedMs);
        writeUnsignedLen(s.maxDeletedSeq);
        writeUnsignedLen(s.entriesAdded);
        writeLen(s.groupCount());
        for (java.util.Map.Entry<dev.cinnabar.server.util.ByteKey, StreamGroup> e : s.groups().entrySet()) {
            StreamGroup g = e.getValue();
            byte[] name = e.getKey().bytes();
            writeString(name, 0, name.length);
            writeUnsignedLen(g.lastMs);
            writeUnsignedLen(g.lastSeq);
            writeUnsignedLen(g.entriesRead); // -1 (unknown) is saved as 2^64-1, as Redis does
            writeLen(g.pel.size());
            for (java.util.Map.Entry<StreamId, StreamGroup.Nack> p : g.pel.entrySet()) {
                putId(key, 0, p.getKey().ms, p.getKey().seq);
                out.write(key, 0, 16);
                out.writeLe(p.getValue().deliveryTime, 8);
                writeUnsignedLen(p.getValue().deliveryCount);
            }
            writeLen(g.consumers.size());
            for (StreamGroup.Consumer c : g.consumers.values()) {
                writeString(c.name, 0, c.name.length);
                out.writeLe(c.seenTime, 8);
                if (version >= 11) {
                    out.writeLe(c.activeTime, 8);
                }
                writeLen(c.pel.size());
                for (StreamId id : c.pel.keySet()) {
                    putId(key, 0, id.ms, id.seq);
                    out.write(key, 0, 16);
                }
            }
        }
    }

    private static void putId(byte[] b, int off, long ms, long seq) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (ms >>> (56 - 8 * i));
            b[off + 8 + i] = (byte) (seq >>> (56 - 8 * i));
        }
    }

    /** rdbSaveLen of an unsigned 64-bit value held in a long. */
    private void writeUnsignedLen(long v) {
        if (v < 0) {
            out.write(0x81);
            writeBe(v, 8);
        } else {
            writeLen(v);
        }
    }

    // ---- primitives (rdbSaveLen, rdbSaveRawString, rdbSaveAuxField...) ------------------------

    /** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit length. */
    void writeLen(long len) {
        if (len < (1 << 6)) {
            out.write((int) len);
        } else if (len < (1 << 14)) {
            out.write((int) ((len >>> 8) | 0x40));
            out.write((int) len);
        } else if (len <= 0xFFFFFFFFL) {
            out.write(0x80);
            writeBe(len, 4);
        } else {
            out.write(0x81);
            writeBe(len, 8);
        }
    }

    private void writeBe(long v, int n) {
        for (int i = n - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)));
        }
    }

    /**
     * rdbSaveRawString: short canonical integers in 32 bits are int-encoded, strings over 20
     * bytes LZF-compressed when that saves at least 4 bytes, the rest written as they are.
     */
    void writeString(byte[] b, int off, int len) {
        if (len <= 11) {
            long v = RedisListpack.canonicalInteger(b, off, len);
            if (v != RedisListpack.NOT_INTEGER && writeEncodedInt(v)) {
                return;
            }
        }
        writeRawBytes(b, off, len);
    }

    /** A binary blob: compressed when worthwhile, never int-encoded. */
    private void writeRawBytes(byte[] b, int off, int len) {
        if (compress && len > 20) {
            int n = lzf.compress(b, off, len);
            if (n > 0) {
                out.write(ENC_LZF);
                writeLen(n);
                writeLen(len);
                out.write(lzf.output(), 0, n);
                return;
            }
        }
        writeLen(len);
        out.write(b, off, len);
    }

    /** rdbSaveLongLongAsStringObject: int-encoded in 32 bits, else as its decimal text. */
    void writeInteger(long v) {
        if (!writeEncodedInt(v)) {
            int n = Ascii.putLong(num, 0, v);
            writeLen(n);
            out.write(num, 0, n);
        }
    }

    /** rdbEncodeInteger; false when {@code v} needs more than 32 bits. */
    private boolean writeEncodedInt(long v) {
        if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            out.write(ENC_INT8);
            out.writeLe(v, 1);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            out.write(ENC_INT16);
            out.writeLe(v, 2);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write(ENC_INT32);
            out.writeLe(v, 4);
        } else {
            return false;
        }
        return true;
    }

    private void aux(String key, String value) {
        out.write(OPCODE_AUX);
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
        writeString(k, 0, k.length);
        writeString(v, 0, v.length);
    }

    private void aux(String key, long value) {
        out.write(OPCODE_AUX);
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        writeString(k, 0, k.length);
        // rdbSaveAuxFieldStrInt formats the number and saves the text, which int-encodes it.
        int n = Ascii.putLong(num, 0, value);
        writeString(num.clone(), 0, n);
    }
}
