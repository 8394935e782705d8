package dev.cinnabar.server.persistence.rdb;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.IntSet;
import dev.cinnabar.ds.KeyTable;
import dev.cinnabar.ds.Listpack;
import dev.cinnabar.resp.Doubles;
import dev.cinnabar.server.config.EncodingParams;
import dev.cinnabar.server.metrics.Stats;
import dev.cinnabar.server.type.HashValue;
import dev.cinnabar.server.type.ListValue;
import dev.cinnabar.server.type.ListpackSizes;
import dev.cinnabar.server.type.SetValue;
import dev.cinnabar.server.type.StreamGroup;
import dev.cinnabar.server.type.StreamId;
import dev.cinnabar.server.type.StreamValue;
import dev.cinnabar.server.type.ZSetValue;
import java.util.Arrays;

/**
 * Reads one RDB value of a given type (Redis rdbLoadObject) into Cinnabar's types, with the
 * encoding Redis would give the value after loading it: small plain collections come back
 * compact, compact blobs over the current entry limits are converted, and so on, following
 * rdb.c branch by branch. Every value type and encoding Redis 7.2 writes or still loads is
 * read: strings (integer and LZF encodings), lists (QUICKLIST_2 with listpack and plain nodes,
 * QUICKLIST with ziplists, LIST_ZIPLIST, plain LIST), sets (SET, INTSET, SET_LISTPACK), sorted
 * sets (ZSET, ZSET_2, ZSET_ZIPLIST, ZSET_LISTPACK) and hashes (HASH, HASH_ZIPMAP, HASH_ZIPLIST,
 * HASH_LISTPACK) and streams (STREAM_LISTPACKS 1 to 3).
 *
 * <p>Corrupt input is an {@link RdbException}, never a partly built value reaching the
 * keyspace: the value is only handed out once complete. Members repeated inside a payload are
 * always rejected, even where Redis only looks for them under deep sanitization, because our
 * structures cannot hold a member twice (Redis would keep the corrupt value and could crash on
 * it later).
 */
public final class RdbValueReader {
    // Value types (rdb.h RDB_TYPE_*). WARNING: on-disk format, frozen numbers.
    public static final int TYPE_STRING = 0;
    public static final int TYPE_LIST = 1;
    public static final int TYPE_SET = 2;
    public static final int TYPE_ZSET = 3;
    public static final int TYPE_HASH = 4;
    public static final int TYPE_ZSET_2 = 5;
    public static final int TYPE_MODULE_PRE_GA = 6;
    public static final int TYPE_MODULE_2 = 7;
    public static final int TYPE_HASH_ZIPMAP = 9;
    public static final int TYPE_LIST_ZIPLIST = 10;
    public static final int TYPE_SET_INTSET = 11;
    public static final int TYPE_ZSET_ZIPLIST = 12;
    public static final int TYPE_HASH_ZIPLIST = 13;
    public static final int TYPE_LIST_QUICKLIST = 14;
    public static final int TYPE_STREAM_LISTPACKS = 15;
    public static final int TYPE_HASH_LISTPACK = 16;
    public static final int TYPE_ZSET_LISTPACK = 17;
    public static final int TYPE_LIST_QUICKLIST_2 = 18;
    public static final int TYPE_STREAM_LISTPACKS_2 = 19;
    public static final int TYPE_SET_LISTPACK = 20;
    public static final int TYPE_STREAM_LISTPACKS_3 = 21;

    /** Quicklist node containers (quicklist.h). */
    static final int CONTAINER_PLAIN = 1;
    static final int CONTAINER_PACKED = 2;

    /** Redis LISTPACK_MAX_SAFETY_SIZE: no listpack grows past 1 GB (lpSafeToAdd). */
    private static final long LISTPACK_SAFETY = 1L << 30;

    private final RdbInput in;
    private final EncodingParams enc;
    private final long packedThreshold;
    private final boolean deep;
    private final Stats stats;

    /**
     * @param packedThreshold list elements at least this long get quicklist nodes of their own
     *     when a list is rebuilt element by element
     * @param deep whether to sanitize compact encodings deeply (sanitize-dump-payload)
     * @param stats where deep sanitizations are counted (INFO dump_payload_sanitizations), or null
     */
    public RdbValueReader(RdbInput in, EncodingParams enc, long packedThreshold, boolean deep, Stats stats) {
        this.in = in;
        this.enc = enc;
        this.packedThreshold = packedThreshold;
        this.deep = deep;
        this.stats = stats;
    }

    /** Redis rdbIsObjectType. */
    public static boolean isObjectType(int t) {
        return (t >= 0 && t <= 7) || (t >= 9 && t <= 21);
    }

    private static RdbException corrupt(String what) {
        return new RdbException(what);
    }

    private void sanitized() {
        if (deep && stats != null) {
            stats.dumpPayloadSanitizations++;
        }
    }

    /**
     * Reads a value of {@code type}: a {@code byte[]} for a string, a {@code RedisValue} for the
     * rest, or null for an empty collection (which Redis refuses to create: RESTORE reports it
     * as bad data, loading a file skips the key).
     */
    public Object read(int type) {
        return switch (type) {
            case TYPE_STRING -> in.readString();
            case TYPE_LIST -> readPlainList();
            case TYPE_SET -> readSet();
            case TYPE_ZSET -> readZSet(false);
            case TYPE_ZSET_2 -> readZSet(true);
            case TYPE_HASH -> readHash();
            case TYPE_LIST_QUICKLIST -> readQuicklist(false);
            case TYPE_LIST_QUICKLIST_2 -> readQuicklist(true);
            case TYPE_HASH_ZIPMAP -> readZipmapHash(in.readString());
            case TYPE_LIST_ZIPLIST -> readZiplistList(in.readString());
            case TYPE_SET_INTSET -> readIntset(in.readString());
            case TYPE_SET_LISTPACK -> readListpackSet(in.readString());
            case TYPE_ZSET_ZIPLIST, TYPE_ZSET_LISTPACK -> readCompactZSet(type, in.readString());
            case TYPE_HASH_ZIPLIST, TYPE_HASH_LISTPACK -> readCompactHash(type, in.readString());
            case TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2, TYPE_STREAM_LISTPACKS_3 -> readStream(type);
            // No module API: Redis itself refuses a module value whose module is not loaded.
            case TYPE_MODULE_PRE_GA, TYPE_MODULE_2 -> throw corrupt("module values are not supported");
            default -> throw corrupt("unknown value type " + type);
        };
    }

    private int fill() {
        return enc.listMaxListpackSize.get();
    }

    private int compressDepth() {
        return enc.listCompressDepth.get();
    }

    /** A size hint bounded by the input left, so a corrupt count cannot allocate a huge table. */
    private long hint(long len) {
        return Math.max(0, Math.min(len, in.remaining()));
    }

    // ---- lists ----------------------------------------------------------------------------------

    /** RDB_TYPE_LIST: elements one by one into a quicklist, then the automatic conversion. */
    private ListValue readPlainList() {
        long len = in.readCount();
        if (len == 0) {
            return null;
        }
        ListValue l = ListValue.newQuicklist(fill(), compressDepth());
        for (long i = 0; i < len; i++) {
            byte[] e = in.readString();
            l.push(false, e, 0, e.length, packedThreshold);
        }
        l.autoConvert(fill(), compressDepth());
        return l;
    }

    /**
     * RDB_TYPE_LIST_QUICKLIST(_2): the saved nodes are kept as they are (listpack or plain;
     * version 1 nodes are ziplists, converted), empty ones skipped, then the automatic
     * conversion turns a single small node into a listpack-encoded list.
     */
    private ListValue readQuicklist(boolean v2) {
        long len = in.readCount();
        if (len == 0) {
            return null;
        }
        ListValue l = ListValue.newQuicklist(fill(), compressDepth());
        while (len-- > 0) {
            long container = CONTAINER_PACKED;
            if (v2) {
                container = in.readLen();
                if (container != CONTAINER_PACKED && container != CONTAINER_PLAIN) {
                    throw corrupt("quicklist integrity check failed");
                }
            }
            byte[] data = in.readString();
            if (data.length == 0) {
                throw corrupt("empty quicklist node");
            }
            if (container == CONTAINER_PLAIN) {
                l.appendPlainNode(data);
                continue;
            }
            Listpack lp = new Listpack(data.length);
            if (v2) {
                sanitized();
                RedisBlobs.listpack(data, deep, lp::append);
            } else {
                RedisBlobs.ziplist(data, lp::append);
            }
            if (lp.size() > 0) {
                l.appendListpackNode(lp);
            }
        }
        if (l.length() == 0) {
            return null;
        }
        l.autoConvert(fill(), compressDepth());
        return l;
    }

    /**
     * RDB_TYPE_LIST_ZIPLIST (Redis before 3.2): elements pushed one by one into a quicklist,
     * which Redis 7.2 leaves a quicklist whatever its size.
     */
    private ListValue readZiplistList(byte[] blob) {
        ListValue l = ListValue.newQuicklist(fill(), compressDepth());
        RedisBlobs.ziplist(blob, (a, off, n) -> l.push(false, a, off, n, packedThreshold));
        return l.length() == 0 ? null : l;
    }

    // ---- sets -------------------------------------------------------------------------------------

    private SetValue readSet() {
        long len = in.readCount();
        if (len == 0) {
            return null;
        }
        SetValue.Loader loader = new SetValue.Loader(len, hint(len), enc);
        for (long i = 0; i < len; i++) {
            byte[] m = in.readString();
            if (!loader.add(m, 0, m.length)) {
                throw corrupt("duplicate set members detected");
            }
        }
        return loader.finish();
    }

    private SetValue readIntset(byte[] blob) {
        sanitized();
        long[] values = new long[Math.max(0, (blob.length - 8) / 2)];
        int[] n = new int[1];
        boolean ascending = RedisBlobs.intset(blob, deep, v -> values[n[0]++] = v);
        IntSet is = IntSet.of(values, n[0]);
        if (!ascending && is.size() != n[0]) {
            // Accepted unsorted without deep sanitization, as Redis does, but a repeated member
            // cannot be represented.
            throw corrupt("duplicate intset members");
        }
        SetValue s = SetValue.ofIntset(is);
        if (is.size() > enc.setMaxIntsetEntries.get()) {
            s.convertToHashtable();
        }
        return s;
    }

    private SetValue readListpackSet(byte[] blob) {
        sanitized();
        Listpack lp = new Listpack(blob.length);
        MemberSet seen = new MemberSet();
        RedisBlobs.listpack(blob, deep, (a, off, n) -> {
            if (!seen.add(a, off, n)) {
                throw corrupt("set listpack with duplicate members");
            }
            lp.append(a, off, n);
        });
        if (lp.size() == 0) {
            return null;
        }
        SetValue s = SetValue.ofListpack(lp);
        if (lp.size() > enc.setMaxListpackEntries.get()) {
            s.convertToHashtable();
        }
        return s;
    }

    // ---- sorted sets ----------------------------------------------------------------------------------

    /** Member/score pairs gathered before the set is built in one go. */
    private static final class Pairs {
        byte[][] members = new byte[16][];
        double[] scores = new double[16];
        int n;
        long maxLen;
        long totalLen;

        void add(byte[] m, double score) {
            if (Double.isNaN(score)) {
                throw corrupt("zset with NAN score detected");
            }
            if (n == members.length) {
                members = Arrays.copyOf(members, n * 2);
                scores = Arrays.copyOf(scores, n * 2);
            }
            members[n] = m;
            scores[n++] = score;
            maxLen = Math.max(maxLen, m.length);
            totalLen += m.length;
        }

        ZSetValue build(boolean listpack) {
            ZSetValue z = ZSetValue.fromPairs(members, scores, n, listpack);
            if (z == null) {
                throw corrupt("duplicate zset fields detected");
            }
            return z;
        }
    }

    /** RDB_TYPE_ZSET / ZSET_2: a skiplist, converted to a listpack when it fits one. */
    private ZSetValue readZSet(boolean binaryScores) {
        long len = in.readCount();
        if (len == 0) {
            return null;
        }
        Pairs p = new Pairs();
        for (long i = 0; i < len; i++) {
            byte[] m = in.readString();
            p.add(m, binaryScores ? in.readBinaryDouble() : in.readTextDouble());
        }
        boolean listpack = p.n <= enc.zsetMaxListpackEntries.get() && p.maxLen <= enc.zsetMaxListpackValue.get()
                && p.totalLen <= LISTPACK_SAFETY;
        return p.build(listpack);
    }

    /**
     * RDB_TYPE_ZSET_ZIPLIST / ZSET_LISTPACK: member, score, member, score... where a score is an
     * integer or the text of a double; converted to a skiplist only past the entry limit.
     */
    private ZSetValue readCompactZSet(int type, byte[] blob) {
        Pairs p = new Pairs();
        byte[][] member = new byte[1][];
        RedisBlobs.Sink sink = (a, off, n) -> {
            if (member[0] == null) {
                member[0] = Arrays.copyOfRange(a, off, off + n);
            } else {
                double score = Doubles.parse(a, off, n);
                if (Double.isNaN(score)) {
                    throw corrupt("invalid zset score");
                }
                p.add(member[0], score);
                member[0] = null;
            }
        };
        if (type == TYPE_ZSET_LISTPACK) {
            sanitized();
            RedisBlobs.listpack(blob, deep, sink);
        } else {
            RedisBlobs.ziplist(blob, sink);
        }
        if (member[0] != null) {
            throw corrupt("zset with an odd number of elements");
        }
        if (p.n == 0) {
            return null;
        }
        return p.build(p.n <= enc.zsetMaxListpackEntries.get());
    }

    // ---- hashes ---------------------------------------------------------------------------------------

    /**
     * RDB_TYPE_HASH: field/value pairs into a listpack while they fit it (count, value length,
     * listpack size), then into a hash table.
     */
    private HashValue readHash() {
        long len = in.readCount();
        if (len == 0) {
            return null;
        }
        long maxEntries = enc.hashMaxListpackEntries.get();
        long maxValue = enc.hashMaxListpackValue.get();
        HashValue h = null;
        if (len > maxEntries) {
            h = HashValue.newTable((int) Math.min(hint(len), Integer.MAX_VALUE));
        } else {
            Listpack lp = new Listpack();
            MemberSet seen = new MemberSet();
            long lpBytes = ListpackSizes.EMPTY;
            while (len > 0) {
                len--;
                byte[] f = in.readString();
                byte[] v = in.readString();
                if (!seen.add(f, 0, f.length)) {
                    throw corrupt("hash with dup elements");
                }
                if (f.length > maxValue || v.length > maxValue || lpBytes + f.length + v.length > LISTPACK_SAFETY) {
                    h = HashValue.ofListpack(lp);
                    h.convertToTable(hint(len + h.size() + 1));
                    putNew(h, f, v);
                    break;
                }
                lp.append(f, 0, f.length);
                lp.append(v, 0, v.length);
                lpBytes += ListpackSizes.entrySize(f, 0, f.length) + ListpackSizes.entrySize(v, 0, v.length);
            }
            if (h == null) {
                return HashValue.ofListpack(lp);
            }
        }
        while (len > 0) {
            len--;
            byte[] f = in.readString();
            byte[] v = in.readString();
            putNew(h, f, v);
        }
        return h;
    }

    private static void putNew(HashValue h, byte[] f, byte[] v) {
        if (!h.set(f, 0, f.length, v, 0, v.length, Long.MAX_VALUE, Long.MAX_VALUE)) {
            throw corrupt("duplicate hash fields detected");
        }
    }

    /** RDB_TYPE_HASH_ZIPLIST / HASH_LISTPACK: converted to a table only past the entry limit. */
    private HashValue readCompactHash(int type, byte[] blob) {
        Listpack lp = new Listpack(blob.length);
        MemberSet seen = new MemberSet();
        RedisBlobs.Sink sink = (a, off, n) -> {
            if ((lp.size() & 1) == 0 && !seen.add(a, off, n)) {
                throw corrupt("hash with dup elements");
            }
            lp.append(a, off, n);
        };
        if (type == TYPE_HASH_LISTPACK) {
            sanitized();
            RedisBlobs.listpack(blob, deep, sink);
        } else {
            RedisBlobs.ziplist(blob, sink);
        }
        if ((lp.size() & 1) != 0) {
            throw corrupt("hash with an odd number of elements");
        }
        if (lp.size() == 0) {
            return null;
        }
        HashValue h = HashValue.ofListpack(lp);
        if (h.size() > enc.hashMaxListpackEntries.get()) {
            h.convertToTable(h.size());
        }
        return h;
    }

    /**
     * RDB_TYPE_HASH_ZIPMAP (Redis before 2.6): into a listpack, then a table when the count or
     * the longest field or value is over the limits.
     */
    private HashValue readZipmapHash(byte[] blob) {
        Listpack lp = new Listpack(blob.length);
        MemberSet seen = new MemberSet();
        long[] maxLen = new long[1];
        long[] lpBytes = {ListpackSizes.EMPTY};
        RedisBlobs.zipmap(blob, (a, fOff, fLen, vOff, vLen) -> {
            if (!seen.add(a, fOff, fLen) || lpBytes[0] + fLen + vLen > LISTPACK_SAFETY) {
                throw corrupt("hash zipmap with dup elements, or big length");
            }
            maxLen[0] = Math.max(maxLen[0], Math.max(fLen, vLen));
            lp.append(a, fOff, fLen);
            lp.append(a, vOff, vLen);
            lpBytes[0] += ListpackSizes.entrySize(a, fOff, fLen) + ListpackSizes.entrySize(a, vOff, vLen);
        });
        HashValue h = HashValue.ofListpack(lp);
        if (h.size() > enc.hashMaxListpackEntries.get() || maxLen[0] > enc.hashMaxListpackValue.get()) {
            h.convertToTable(h.size());
        }
        return h;
    }

    // ---- streams --------------------------------------------------------------------------------------

    /**
     * RDB_TYPE_STREAM_LISTPACKS(_2, _3): the nodes as (16-byte big-endian master ID, listpack)
     * pairs, the length and last ID, then (from version 2) the first ID, the maximal deleted
     * ID and the added-entries counter, then the consumer groups: name, last ID, entries read
     * (from version 2), the group PEL (raw IDs with delivery time and count), and the consumers
     * with seen time, active time (version 3) and the IDs of their pending entries, each of
     * which must be in the group PEL.
     *
     * <p>Every node is checked in full whatever sanitize-dump-payload says, and so are the
     * checks Redis makes only under deep sanitization (every pending entry owned by a consumer)
     * or never (an entry owned twice, IDs out of order, a length that disagrees with the
     * nodes): Redis would keep such a value and might crash on it later, we cannot even
     * represent some of them.
     */
    private StreamValue readStream(int type) {
        StreamValue s = new StreamValue();
        long nodes = in.readCount();
        // Redis keys nodes by master ID in a radix tree, so their order in the payload does not
        // matter to it: gather them and append them sorted.
        NodeList list = new NodeList();
        byte[] raw = new byte[16];
        for (long i = 0; i < nodes; i++) {
            byte[] key = in.readString();
            if (key.length != 16) {
                throw corrupt("Stream node key entry is not the size of a stream ID");
            }
            byte[] lp = in.readString();
            sanitized();
            list.add(idMs(key), idSeq(key), lp);
        }
        list.sort();
        for (int i = 0; i < list.n; i++) {
            if (!s.appendLoadedNode(list.ms[i], list.seq[i], list.lps[i])) {
                throw corrupt("Stream listpack integrity check failed, or listpack re-added with existing key");
            }
        }
        s.length = in.readCount();
        s.lastMs = in.readLen();
        s.lastSeq = in.readLen();
        if (type >= TYPE_STREAM_LISTPACKS_2) {
            s.firstMs = in.readLen();
            s.firstSeq = in.readLen();
            s.maxDeletedMs = in.readLen();
            s.maxDeletedSeq = in.readLen();
            s.entriesAdded = in.readLen();
        } else {
            // Before version 2 nothing was deleted as far as the counters can tell, and every
            // entry still there is all that was ever added.
            s.entriesAdded = s.length;
            s.edge(true, true);
            s.firstMs = s.edgeMs;
            s.firstSeq = s.edgeSeq;
        }
        if (!s.loadedConsistent()) {
            throw corrupt("Stream length inconsistent with its nodes");
        }
        long groups = in.readCount();
        for (long gi = 0; gi < groups; gi++) {
            byte[] name = in.readString();
            long gMs = in.readLen();
            long gSeq = in.readLen();
            long entriesRead = type >= TYPE_STREAM_LISTPACKS_2 ? in.readLen() : s.estimateDistance(gMs, gSeq);
            StreamGroup g = s.createGroup(name, 0, name.length, gMs, gSeq, entriesRead);
            if (g == null) {
                throw corrupt("Duplicated consumer group name");
            }
            long pel = in.readCount();
            for (long pi = 0; pi < pel; pi++) {
                in.readFully(raw, 0, 16);
                StreamId id = new StreamId(idMs(raw), idSeq(raw));
                long deliveryTime = in.readMillis();
                long deliveryCount = in.readLen();
                if (g.pel.putIfAbsent(id, new StreamGroup.Nack(deliveryTime, deliveryCount, null)) != null) {
                    throw corrupt("Duplicated global PEL entry loading stream consumer group");
                }
            }
            long consumers = in.readCount();
            for (long ci = 0; ci < consumers; ci++) {
                byte[] cname = in.readString();
                StreamGroup.Consumer c = g.createConsumer(cname, 0, cname.length, 0);
                if (c == null) {
                    throw corrupt("Duplicate stream consumer detected.");
                }
                c.seenTime = in.readMillis();
                // Version 2 had no active time: the seen time is the best guess (as Redis).
                c.activeTime = type >= TYPE_STREAM_LISTPACKS_3 ? in.readMillis() : c.seenTime;
                long owned = in.readCount();
                for (long oi = 0; oi < owned; oi++) {
                    in.readFully(raw, 0, 16);
                    StreamId id = new StreamId(idMs(raw), idSeq(raw));
                    StreamGroup.Nack nack = g.pel.get(id);
                    if (nack == null) {
                        throw corrupt("Consumer entry not found in group global PEL");
                    }
                    if (nack.consumer != null) {
                        throw corrupt("Duplicated consumer PEL entry loading a stream consumer group");
                    }
                    nack.consumer = c;
                    c.pel.put(id, nack);
                }
            }
            for (StreamGroup.Nack nack : g.pel.values()) {
                if (nack.consumer == null) {
                    throw corrupt("Stream CG PEL entry without consumer");
                }
            }
        }
        return s;
    }

    /** The two halves of a 16-byte big-endian stream ID (Redis streamEncodeID). */
    private static long idMs(byte[] b) {
        return beLong(b, 0);
    }

    private static long idSeq(byte[] b) {
        return beLong(b, 8);
    }

    private static long beLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** Stream nodes read from a payload, before they are sorted by master ID. */
    private static final class NodeList {
        long[] ms = new long[4];
        long[] seq = new long[4];
        byte[][] lps = new byte[4][];
        int n;

        void add(long m, long s, byte[] lp) {
            if (n == lps.length) {
                ms = Arrays.copyOf(ms, n * 2);
                seq = Arrays.copyOf(seq, n * 2);
                lps = Arrays.copyOf(lps, n * 2);
            }
            ms[n] = m;
            seq[n] = s;
            lps[n++] = lp;
        }

        /** Sorted by master ID; a no-op for payloads Redis wrote, which are in order already. */
        void sort() {
            boolean sorted = true;
            for (int i = 1; i < n && sorted; i++) {
                sorted = StreamId.compare(ms[i - 1], seq[i - 1], ms[i], seq[i]) < 0;
            }
            if (sorted) {
                return;
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> StreamId.compare(ms[a], seq[a], ms[b], seq[b]));
            long[] m2 = new long[n];
            long[] s2 = new long[n];
            byte[][] l2 = new byte[n][];
            for (int i = 0; i < n; i++) {
                m2[i] = ms[order[i]];
                s2[i] = seq[order[i]];
                l2[i] = lps[order[i]];
            }
            ms = m2;
            seq = s2;
            lps = l2;
        }
    }

    /** A set of byte strings, to find members repeated inside one payload. */
    static final class MemberSet {
        private static final byte[] NONE = new byte[0];
        private final KeyTable table = new KeyTable();

        boolean add(byte[] a, int off, int len) {
            int h = KeyTable.hash(a, off, len);
            if (table.get(a, off, len, h) != null) {
                return false;
            }
            table.put(Entries.newString(a, off, len, NONE, 0, 0, Entries.ENC_RAW, -1, 0), h);
            return true;
        }
    }
}
