package dev.cinnabar.server.type;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.KeyTable;
import dev.cinnabar.ds.Listpack;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The hash type: a map from field to value, both byte strings, in one of Redis's two
 * encodings.
 *
 * <ul>
 *   <li>{@code listpack}: field, value, field, value... in one {@link Listpack}, in insertion
 *       order (an updated field keeps its place, as in Redis). Lookups are linear, which is why
 *       it only holds small hashes.</li>
 *   <li>{@code hashtable}: a {@link KeyTable} whose entries are packed string entries with the
 *       field as key and the value as value ({@link Entries}): one {@code byte[]} per field,
 *       no per-field object graph, incremental resize, and a SCAN cursor with Redis's
 *       guarantees.</li>
 * </ul>
 *
 * The encoding only ever goes from listpack to hashtable, at the thresholds the caller passes
 * (Redis's hash-max-listpack-entries / -value are read by the command layer, so this class
 * knows nothing about configuration). Nothing here knows about clients or replies.
 *
 * <h2>Lookup results</h2>
 * {@link #get} and the iteration helpers report a value through {@link #valueArray()},
 * {@link #valueOffset()} and {@link #valueLength()}: a view valid until the next modification
 * of this hash. This keeps the read path allocation-free.
 *
 * <p>Memory of the hashtable encoding per field: the packed entry (12-byte array header,
 * 6 bytes of entry header, field and value bytes, rounded up to 8) plus 8 to 21 bytes of table
 * slots: for a 10-byte field and a 16-byte value about 48 + 13 = 61 bytes, against roughly 80
 * for Redis's dictEntry, two sds strings and bucket pointer.
 */
public final class HashValue implements RedisValue, Digestible {
    /** Non-null while listpack-encoded. */
    private Listpack lp;
    /** Non-null once converted to a hash table. */
    private KeyTable table;

    // The last value found (see the class comment).
    private byte[] vArr;
    private int vOff;
    private int vLen;

    /** An empty listpack-encoded hash. */
    public HashValue() {
        lp = new Listpack(32);
    }

    private HashValue(Listpack lp, KeyTable table) {
        this.lp = lp;
        this.table = table;
    }

    /** An empty hashtable-encoded hash sized for {@code expected} fields. */
    public static HashValue newTable(int expected) {
        return new HashValue(null, new KeyTable(tableSizeHint(expected)));
    }

    /**
     * A listpack-encoded hash over {@code lp}, which holds field, value, field, value... with
     * distinct fields (RDB loading). The listpack is taken over.
     */
    public static HashValue ofListpack(Listpack lp) {
        lp.trim();
        return new HashValue(lp, null);
    }

    /**
     * The KeyTable size hint that gives room for {@code n} entries without a resize but no more
     * than needed: the table keeps at most 3/4 of its slots in use, and its constructor sizes for
     * half full, so asking for 2/3 of n lands on the smallest power of two above 4n/3.
     */
    static int tableSizeHint(long n) {
        return (int) Math.min(Integer.MAX_VALUE / 2, (2 * n + 2) / 3 + 1);
    }

    @Override
    public String type() {
        return "hash";
    }

    @Override
    public String encoding() {
        return lp != null ? "listpack" : "hashtable";
    }

    public boolean isListpack() {
        return lp != null;
    }

    /** Number of fields. */
    public int size() {
        return lp != null ? lp.size() >>> 1 : table.size();
    }

    /** Bytes of the listpack payload (0 once a hash table): Redis's lpSafeToAdd check. */
    public long listpackBytes() {
        return lp != null ? lp.bytes() : 0;
    }

    // ---- lookups --------------------------------------------------------------------------

    /** Finds a field; on success the value is in {@link #valueArray()} and friends. */
    public boolean get(byte[] f, int off, int len) {
        if (lp != null) {
            int p = findField(f, off, len);
            if (p < 0) {
                return false;
            }
            int v = lp.next(p);
            vArr = lp.array();
            vOff = lp.dataOffset(v);
            vLen = lp.dataLength(v);
            return true;
        }
        Object e = table.get(f, off, len, KeyTable.hash(f, off, len));
        if (e == null) {
            return false;
        }
        byte[] b = (byte[]) e;
        vArr = b;
        vOff = Entries.valueOffset(b);
        vLen = b.length - vOff;
        return true;
    }

    public boolean contains(byte[] f, int off, int len) {
        if (lp != null) {
            return findField(f, off, len) >= 0;
        }
        return table.get(f, off, len, KeyTable.hash(f, off, len)) != null;
    }

    public byte[] valueArray() {
        return vArr;
    }

    public int valueOffset() {
        return vOff;
    }

    public int valueLength() {
        return vLen;
    }

    /** Position of the field entry in the listpack, or -1. */
    private int findField(byte[] f, int off, int len) {
        int first = lp.first();
        return first < 0 ? -1 : lp.find(first, f, off, len, 1);
    }

    // ---- modification -----------------------------------------------------------------------

    /**
     * Sets a field (Redis hashTypeSet): converts to a hash table first when the field or the
     * value is longer than {@code maxValue}, and after an insert that leaves more than
     * {@code maxEntries} fields. Returns true when the field is new, false on an update.
     */
    public boolean set(byte[] f, int fOff, int fLen, byte[] v, int vOff, int vLen, long maxEntries, long maxValue) {
        if (lp != null && (fLen > maxValue || vLen > maxValue)) {
            convertToTable(size());
        }
        if (lp != null) {
            int p = findField(f, fOff, fLen);
            if (p >= 0) {
                lp.replace(lp.next(p), v, vOff, vLen);
                return false;
            }
            lp.append(f, fOff, fLen);
            lp.append(v, vOff, vLen);
            if (size() > maxEntries) {
                convertToTable(size());
            }
            return true;
        }
        int h = KeyTable.hash(f, fOff, fLen);
        Object old = table.get(f, fOff, fLen, h);
        if (old != null) {
            byte[] o = (byte[]) old;
            byte[] n = Entries.withValue(o, v, vOff, vLen, Entries.ENC_RAW);
            if (n != o) {
                table.replace(o, n, h);
            }
            return false;
        }
        table.put(Entries.newString(f, fOff, fLen, v, vOff, vLen, Entries.ENC_RAW, -1, 0), h);
        return true;
    }

    /** Removes a field; returns whether it was there. */
    public boolean delete(byte[] f, int off, int len) {
        if (lp != null) {
            int p = findField(f, off, len);
            if (p < 0) {
                return false;
            }
            lp.deleteRange(p, 2);
            // Give memory back once most of the buffer is slack (Redis reallocs on every
            // delete; this amortises the copies).
            if (lp.footprint() > 2L * lp.bytes() + 96) {
                lp.trim();
            }
            return true;
        }
        return table.remove(f, off, len, KeyTable.hash(f, off, len)) != null;
    }

    /**
     * Converts to the hashtable encoding (Redis hashTypeConvert), sized for {@code expected}
     * fields (at least the current ones). No-op when already a hash table.
     */
    public void convertToTable(long expected) {
        if (lp == null) {
            return;
        }
        KeyTable t = new KeyTable(tableSizeHint(Math.max(expected, size())));
        byte[] a = lp.array();
        for (int p = lp.first(); p >= 0; ) {
            int v = lp.next(p);
            byte[] e = Entries.newString(a, lp.dataOffset(p), lp.dataLength(p), a, lp.dataOffset(v),
                    lp.dataLength(v), Entries.ENC_RAW, -1, 0);
            if (t.put(e) != null) {
                throw new IllegalStateException("hash listpack holds a field twice");
            }
            p = lp.next(v);
        }
        table = t;
        lp = null;
    }

    // ---- iteration --------------------------------------------------------------------------

    /** Receives field/value pairs; the arrays are views valid during the call only. */
    @FunctionalInterface
    public interface PairVisitor {
        void visit(byte[] f, int fOff, int fLen, byte[] v, int vOff, int vLen);
    }

    /**
     * Visits every pair once, in listpack order or table order. The visitor must not modify
     * this hash.
     */
    public void forEach(PairVisitor v) {
        if (lp != null) {
            byte[] a = lp.array();
            for (int p = lp.first(); p >= 0; ) {
                int q = lp.next(p);
                v.visit(a, lp.dataOffset(p), lp.dataLength(p), a, lp.dataOffset(q), lp.dataLength(q));
                p = lp.next(q);
            }
            return;
        }
        table.forEach(e -> visitEntry(e, v));
    }

    /**
     * One HSCAN step over the hashtable encoding ({@link KeyTable#scan}: Redis's reverse-binary
     * cursor, stable across resizes): visits the entries of one cursor position and returns the
     * next cursor, 0 at the end. Only for the hashtable encoding (a listpack is returned whole).
     */
    public long scan(long cursor, PairVisitor v) {
        if (table == null) {
            throw new IllegalStateException("listpack hashes are scanned whole");
        }
        return table.scan(cursor, e -> visitEntry(e, v));
    }

    // ---- random access ----------------------------------------------------------------------

    /**
     * The entries of a hashtable-encoded hash, in table order, for random selection (see
     * {@link #visitEntry}). Valid until the next modification.
     */
    public Object[] entries() {
        Object[] out = new Object[table.size()];
        int[] n = new int[1];
        table.forEach(e -> out[n[0]++] = e);
        return out;
    }

    /** Positions of the field entries of a listpack-encoded hash, in order. */
    public int[] fieldPositions() {
        int[] out = new int[size()];
        int i = 0;
        for (int p = lp.first(); p >= 0; p = lp.next(lp.next(p))) {
            out[i++] = p;
        }
        return out;
    }

    /** A uniformly random table entry (hashtable encoding, not empty). */
    public Object randomEntry(RandomGenerator rnd) {
        return table.randomEntry(rnd);
    }

    /** Visits the pair whose field entry is at listpack position {@code fieldPos}. */
    public void visitAt(int fieldPos, PairVisitor v) {
        int q = lp.next(fieldPos);
        byte[] a = lp.array();
        v.visit(a, lp.dataOffset(fieldPos), lp.dataLength(fieldPos), a, lp.dataOffset(q), lp.dataLength(q));
    }

    /** Visits the pair of a table entry from {@link #entries()}, {@link #randomEntry} or a scan. */
    public static void visitEntry(Object entry, PairVisitor v) {
        byte[] e = (byte[]) entry;
        int fOff = Entries.keyOffset(e);
        int fLen = Entries.keyLength(e);
        int vOff = fOff + fLen;
        v.visit(e, fOff, fLen, e, vOff, e.length - vOff);
    }

    // ---- RedisValue -------------------------------------------------------------------------

    /** A deep copy with the same encoding (Redis hashTypeDup). */
    @Override
    public HashValue copy() {
        if (lp != null) {
            return new HashValue(lp.copy(), null);
        }
        KeyTable t = new KeyTable(tableSizeHint(table.size()));
        table.forEach(e -> {
            byte[] b = (byte[]) e;
            t.put(Arrays.copyOf(b, b.length));
        });
        return new HashValue(null, t);
    }

    /** Redis xorObjectDigest for hashes: field and value mixed per pair, pairs xored together. */
    @Override
    public void digest(ValueDigest d) {
        forEach((f, fo, fl, v, vo, vl) -> d.xorPair(f, fo, fl, v, vo, vl));
    }

    /** Heap bytes held by this value (object, listpack or table and its entries). */
    @Override
    public long memoryUsage(long samples) {
        return memoryEstimate();
    }

    /** O(1): the table keeps the footprint of its entries current. */
    public long memoryEstimate() {
        return 16 + (lp != null ? lp.footprint() : table.footprint());
    }
}
