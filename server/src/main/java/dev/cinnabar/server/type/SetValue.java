package dev.cinnabar.server.type;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.EntryVisitor;
import dev.cinnabar.ds.IntSet;
import dev.cinnabar.ds.KeyTable;
import dev.cinnabar.ds.Listpack;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.config.EncodingParams;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The set type (Redis t_set.c), in one of three encodings chosen exactly as Redis 7.2 chooses
 * them, so OBJECT ENCODING answers alike:
 * <ul>
 *   <li>{@code intset}: an {@link IntSet} while every member is a canonical 64-bit decimal and
 *       there are at most set-max-intset-entries of them;</li>
 *   <li>{@code listpack}: a {@link Listpack} of member bytes while there are at most
 *       set-max-listpack-entries members of at most set-max-listpack-value bytes;</li>
 *   <li>{@code hashtable}: a {@link KeyTable} whose entries are packed string entries with the
 *       member as key and an empty value.</li>
 * </ul>
 * Sets only ever move to a bigger encoding (intset to listpack or hashtable, listpack to
 * hashtable), except for the explicit {@link #maybeConvertToIntset} that SINTERSTORE applies to
 * all-integer results.
 *
 * <p>Members are handed to callers as byte ranges, or as {@code long}s for intset members (see
 * {@link MemberVisitor} and {@link Member}); a range stays valid until the set is next modified.
 * A member is "an integer" exactly when Redis's string2ll accepts it: optional '-', no leading
 * zeros, no '+', within 64 bits.
 *
 * <p>Thresholds come from {@link EncodingParams}, read at each call so CONFIG SET applies to the
 * next write. Knows nothing about clients or replies.
 */
public final class SetValue implements RedisValue, Digestible, ScoredMembers {
    static final int INTSET = 0;
    static final int LISTPACK = 1;
    static final int HASHTABLE = 2;

    /** Redis LISTPACK_MAX_SAFETY_SIZE: a listpack never grows past 1 GB. */
    static final long LISTPACK_SAFETY = 1L << 30;
    /** Redis caps intsets at 2^30 members whatever set-max-intset-entries says. */
    static final long INTSET_HARD_MAX = 1L << 30;

    private static final byte[] NO_VALUE = new byte[0];
    private static final byte[] MIN_LONG_TEXT = Ascii.bytes("-9223372036854775808");

    /** INTSET, LISTPACK or HASHTABLE. */
    private int enc;
    /** {@link IntSet}, {@link Listpack} or {@link KeyTable}, per {@link #enc}. */
    private Object data;

    private SetValue(int enc, Object data) {
        this.enc = enc;
        this.data = data;
    }

    /** Receives members: byte ranges, or integers for an intset. Returning false stops the walk. */
    public interface MemberVisitor {
        boolean bytes(byte[] a, int off, int len);

        boolean integer(long v);
    }

    /**
     * One member handed out by {@link #random} and {@link #popRandom}: either an integer or a byte
     * range. A popped listpack member is copied into the holder's own buffer, since the listpack
     * bytes move on deletion.
     */
    public static final class Member {
        public boolean isInt;
        public long value;
        public byte[] array;
        public int offset;
        public int length;
        /** Holds a popped listpack member; allocated on first need. */
        private byte[] own;

        void setInt(long v) {
            isInt = true;
            value = v;
        }

        void setRange(byte[] a, int off, int len) {
            isInt = false;
            array = a;
            offset = off;
            length = len;
        }

        void setCopy(byte[] a, int off, int len) {
            if (own == null || own.length < len) {
                own = new byte[Math.max(len, own == null ? 32 : own.length * 2)];
            }
            System.arraycopy(a, off, own, 0, len);
            setRange(own, 0, len);
        }
    }

    // ---- creation and encoding choice -----------------------------------------------------------

    public static SetValue newIntset() {
        return new SetValue(INTSET, new IntSet());
    }

    public static SetValue newListpack() {
        return new SetValue(LISTPACK, new Listpack());
    }

    public static SetValue newHashtable(long expected) {
        return new SetValue(HASHTABLE, new KeyTable(clampCapacity(expected)));
    }

    /** A set over an intset of at least one member (RDB loading); the intset is taken over. */
    public static SetValue ofIntset(IntSet is) {
        return new SetValue(INTSET, is);
    }

    /** A set over a listpack of distinct members (RDB loading); the listpack is taken over. */
    public static SetValue ofListpack(Listpack lp) {
        lp.trim();
        return new SetValue(LISTPACK, lp);
    }

    /** Converts an intset or listpack to the hash-table encoding now (RDB loading). */
    public void convertToHashtable() {
        if (enc != HASHTABLE) {
            toHashtable(size());
        }
    }

    /**
     * Builds a set member by member as Redis's RDB loader does for the plain SET type
     * (rdbLoadObject): an intset while every member is an integer and the announced length fits
     * one, then a listpack while members stay within the listpack limits, else a hash table.
     * Unlike {@link #add}, the ladder follows the loader's own conditions, so a loaded set gets
     * the encoding Redis would give it.
     */
    public static final class Loader {
        private final EncodingParams p;
        private final long len;
        private final SetValue out;
        private long maxLen;
        private long total;

        /**
         * {@code len}: the member count the payload announces; {@code sizeHint}: how many members
         * to size a hash table for (the caller bounds it by the payload size, so a corrupt count
         * cannot allocate a huge table).
         */
        public Loader(long len, long sizeHint, EncodingParams p) {
            this.p = p;
            this.len = sizeHint;
            this.out = len > intsetMax(p) ? newHashtable(sizeHint) : newIntset();
        }

        /** Adds a member; false when it is already there (a corrupt payload). */
        public boolean add(byte[] a, int off, int n) {
            maxLen = Math.max(maxLen, n);
            total += n;
            if (out.enc == INTSET) {
                long v = parseInteger(a, off, n);
                if (v != NOT_INTEGER || isMinLong(a, off, n)) {
                    return ((IntSet) out.data).add(v);
                }
                if (out.size() < p.setMaxListpackEntries.get() && maxLen <= p.setMaxListpackValue.get()
                        && total <= LISTPACK_SAFETY) {
                    out.intsetToListpack(len);
                } else {
                    out.toHashtable(len);
                }
            }
            if (out.enc == LISTPACK) {
                Listpack lp = (Listpack) out.data;
                if (lp.size() < p.setMaxListpackEntries.get() && n <= p.setMaxListpackValue.get()
                        && lp.bytes() + (long) n <= LISTPACK_SAFETY) {
                    if (lp.size() > 0 && lp.find(lp.first(), a, off, n, 0) >= 0) {
                        return false;
                    }
                    lp.append(a, off, n);
                    return true;
                }
                out.toHashtable(len);
            }
            return out.hashtableAdd(a, off, n);
        }

        public SetValue finish() {
            out.trim();
            return out;
        }
    }

    /**
     * Redis setTypeCreate: an empty set that can hold {@code first}, for about {@code sizeHint}
     * members: an intset when {@code first} is an integer and the hint fits one, else a listpack
     * when the hint fits one, else a hash table sized for the hint.
     */
    public static SetValue create(byte[] first, int off, int len, long sizeHint, EncodingParams p) {
        if (isInteger(first, off, len) && sizeHint <= p.setMaxIntsetEntries.get()) {
            return newIntset();
        }
        if (sizeHint <= p.setMaxListpackEntries.get()) {
            return newListpack();
        }
        return newHashtable(sizeHint);
    }

    /** Redis setTypeMaybeConvert: go to a hash table now if {@code sizeHint} members would not fit. */
    public void maybeConvert(long sizeHint, EncodingParams p) {
        if ((enc == LISTPACK && sizeHint > p.setMaxListpackEntries.get())
                || (enc == INTSET && sizeHint > p.setMaxIntsetEntries.get())) {
            toHashtable(sizeHint);
        }
    }

    private static long intsetMax(EncodingParams p) {
        return Math.min(p.setMaxIntsetEntries.get(), INTSET_HARD_MAX);
    }

    private static int clampCapacity(long n) {
        return (int) Math.max(0, Math.min(n, 1L << 29));
    }

    /**
     * Redis maybeConvertToIntset, for a set known to hold only integers: becomes an intset unless
     * it is one already or has too many members for one.
     */
    public void maybeConvertToIntset(EncodingParams p) {
        if (enc == INTSET || size() > intsetMax(p)) {
            return;
        }
        long[] values = new long[size()];
        int[] n = new int[1];
        forEach(new MemberVisitor() {
            @Override
            public boolean bytes(byte[] a, int off, int len) {
                long v = parseInteger(a, off, len);
                if (v == NOT_INTEGER && !isMinLong(a, off, len)) {
                    throw new IllegalStateException("non-integer member in an all-integer set");
                }
                values[n[0]++] = v;
                return true;
            }

            @Override
            public boolean integer(long v) {
                values[n[0]++] = v;
                return true;
            }
        });
        data = IntSet.of(values, n[0]);
        enc = INTSET;
    }

    /** Rebuilds as a hash table presized for {@code capacity} members. */
    private void toHashtable(long capacity) {
        KeyTable t = new KeyTable(clampCapacity(Math.max(capacity, size())));
        if (enc == INTSET) {
            IntSet is = (IntSet) data;
            byte[] buf = new byte[20];
            for (int i = 0, n = is.size(); i < n; i++) {
                int len = Ascii.putLong(buf, 0, is.get(i));
                t.put(memberEntry(buf, 0, len));
            }
        } else {
            Listpack lp = (Listpack) data;
            byte[] a = lp.array();
            for (int p = lp.first(); p >= 0; p = lp.next(p)) {
                t.put(memberEntry(a, lp.dataOffset(p), lp.dataLength(p)));
            }
        }
        data = t;
        enc = HASHTABLE;
    }

    /** Rebuilds an intset as a listpack, in ascending order. */
    private void intsetToListpack(long capacity) {
        IntSet is = (IntSet) data;
        int n = is.size();
        long est = n == 0 ? capacity * 2
                : Math.max(listpackEstimate(is.min(), capacity), listpackEstimate(is.max(), capacity));
        Listpack lp = new Listpack((int) Math.min(est, 1 << 20));
        byte[] buf = new byte[20];
        for (int i = 0; i < n; i++) {
            lp.append(buf, 0, Ascii.putLong(buf, 0, is.get(i)));
        }
        data = lp;
        enc = LISTPACK;
    }

    /**
     * Redis lpEstimateBytesRepeatedInteger: bytes of a Redis listpack holding {@code rep} copies
     * of {@code v} (header, integer encodings plus back-lengths, end byte). Used only for the
     * listpack safety limit, so conversions happen at the same sizes as in Redis.
     */
    static long listpackEstimate(long v, long rep) {
        int enclen;
        if (v >= 0 && v <= 127) {
            enclen = 1;
        } else if (v >= -4096 && v <= 4095) {
            enclen = 2;
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            enclen = 3;
        } else if (v >= -8388608 && v <= 8388607) {
            enclen = 4;
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            enclen = 5;
        } else {
            enclen = 9;
        }
        return 6 + (enclen + 1L) * rep + 1;
    }

    private static byte[] memberEntry(byte[] a, int off, int len) {
        return Entries.newString(a, off, len, NO_VALUE, 0, 0, Entries.ENC_RAW, -1, 0);
    }

    // ---- integers -------------------------------------------------------------------------------

    /** Sentinel of {@link #parseInteger}; the one real value it shadows is checked separately. */
    static final long NOT_INTEGER = Long.MIN_VALUE;

    /** The member as Redis string2ll reads it, or {@link #NOT_INTEGER} (see {@link #isMinLong}). */
    static long parseInteger(byte[] a, int off, int len) {
        return Ascii.parseLongOr(a, off, len, NOT_INTEGER);
    }

    static boolean isMinLong(byte[] a, int off, int len) {
        return len == MIN_LONG_TEXT.length && Arrays.equals(a, off, off + len, MIN_LONG_TEXT, 0, len);
    }

    /** Whether Redis would store the member in an intset (string2ll succeeds). */
    public static boolean isInteger(byte[] a, int off, int len) {
        return parseInteger(a, off, len) != NOT_INTEGER || isMinLong(a, off, len);
    }

    // ---- queries --------------------------------------------------------------------------------

    public int size() {
        return switch (enc) {
            case INTSET -> ((IntSet) data).size();
            case LISTPACK -> ((Listpack) data).size();
            default -> ((KeyTable) data).size();
        };
    }

    public boolean isIntset() {
        return enc == INTSET;
    }

    public boolean isListpack() {
        return enc == LISTPACK;
    }

    public boolean isHashtable() {
        return enc == HASHTABLE;
    }

    /** Intset element width in bytes (2, 4 or 8), for tests and DEBUG; 0 for other encodings. */
    public int intsetWidth() {
        return enc == INTSET ? ((IntSet) data).width() : 0;
    }

    public boolean contains(byte[] a, int off, int len) {
        switch (enc) {
            case INTSET -> {
                long v = parseInteger(a, off, len);
                return (v != NOT_INTEGER || isMinLong(a, off, len)) && ((IntSet) data).contains(v);
            }
            case LISTPACK -> {
                return ((Listpack) data).find(0, a, off, len, 0) >= 0;
            }
            default -> {
                return ((KeyTable) data).get(a, off, len, KeyTable.hash(a, off, len)) != null;
            }
        }
    }

    /** Membership of an integer; {@code scratch} (20+ bytes) formats it for string encodings. */
    public boolean containsInt(long v, byte[] scratch) {
        if (enc == INTSET) {
            return ((IntSet) data).contains(v);
        }
        return contains(scratch, 0, Ascii.putLong(scratch, 0, v));
    }

    // ---- updates --------------------------------------------------------------------------------

    /**
     * Redis setTypeAdd: adds the member, converting the encoding when it no longer fits. Returns
     * false if it was already a member.
     */
    public boolean add(byte[] a, int off, int len, EncodingParams p) {
        switch (enc) {
            case HASHTABLE -> {
                return hashtableAdd(a, off, len);
            }
            case LISTPACK -> {
                Listpack lp = (Listpack) data;
                if (lp.find(0, a, off, len, 0) >= 0) {
                    return false;
                }
                if (lp.size() < p.setMaxListpackEntries.get() && len <= p.setMaxListpackValue.get()
                        && lp.bytes() + (long) len <= LISTPACK_SAFETY) {
                    lp.append(a, off, len);
                } else {
                    toHashtable(lp.size() + 1L);
                    hashtableAdd(a, off, len);
                }
                return true;
            }
            default -> {
                IntSet is = (IntSet) data;
                long v = parseInteger(a, off, len);
                if (v != NOT_INTEGER || isMinLong(a, off, len)) {
                    return intsetAdd(v, p);
                }
                // A non-integer: a listpack if every member is sure to fit one, else a hash table.
                int n = is.size();
                long maxLen = 0;
                long total = 0;
                if (n != 0) {
                    maxLen = Math.max(Ascii.digits(is.max()), Ascii.digits(is.min()));
                    total = Math.max(listpackEstimate(is.max(), n), listpackEstimate(is.min(), n));
                }
                long maxValue = p.setMaxListpackValue.get();
                if (n < p.setMaxListpackEntries.get() && len <= maxValue && maxLen <= maxValue
                        && total + len <= LISTPACK_SAFETY) {
                    intsetToListpack(n + 1L);
                    ((Listpack) data).append(a, off, len);
                } else {
                    toHashtable(n + 1L);
                    hashtableAdd(a, off, len);
                }
                return true;
            }
        }
    }

    /** {@link #add} of an integer member; {@code scratch} (20+ bytes) formats it if needed. */
    public boolean addInt(long v, EncodingParams p, byte[] scratch) {
        if (enc == INTSET) {
            return intsetAdd(v, p);
        }
        return add(scratch, 0, Ascii.putLong(scratch, 0, v), p);
    }

    private boolean intsetAdd(long v, EncodingParams p) {
        IntSet is = (IntSet) data;
        if (!is.add(v)) {
            return false;
        }
        if (is.size() > intsetMax(p)) {
            toHashtable(is.size());
        }
        return true;
    }

    private boolean hashtableAdd(byte[] a, int off, int len) {
        KeyTable t = (KeyTable) data;
        int h = KeyTable.hash(a, off, len);
        if (t.get(a, off, len, h) != null) {
            return false;
        }
        t.put(memberEntry(a, off, len), h);
        return true;
    }

    /** Redis setTypeRemove: returns whether the member was there. The encoding never changes. */
    public boolean remove(byte[] a, int off, int len) {
        switch (enc) {
            case HASHTABLE -> {
                return ((KeyTable) data).remove(a, off, len, KeyTable.hash(a, off, len)) != null;
            }
            case LISTPACK -> {
                Listpack lp = (Listpack) data;
                int pos = lp.find(0, a, off, len, 0);
                if (pos < 0) {
                    return false;
                }
                lp.delete(pos);
                return true;
            }
            default -> {
                long v = parseInteger(a, off, len);
                return (v != NOT_INTEGER || isMinLong(a, off, len)) && ((IntSet) data).remove(v);
            }
        }
    }

    public boolean removeInt(long v, byte[] scratch) {
        if (enc == INTSET) {
            return ((IntSet) data).remove(v);
        }
        return remove(scratch, 0, Ascii.putLong(scratch, 0, v));
    }

    /** Gives back listpack spare room after removals (Redis's listpack shrinks as it deletes). */
    public void trim() {
        if (enc == LISTPACK) {
            ((Listpack) data).trim();
        }
    }

    // ---- iteration ------------------------------------------------------------------------------

    /** ZUNION/ZINTER/ZDIFF see a plain set as a sorted set whose scores are all 1 (Redis). */
    @Override
    public void forEachScored(ScoredMembers.Visitor v) {
        byte[] digits = new byte[24];
        forEach(new MemberVisitor() {
            @Override
            public boolean bytes(byte[] a, int off, int len) {
                v.visit(a, off, len, 1.0);
                return true;
            }

            @Override
            public boolean integer(long n) {
                v.visit(digits, 0, dev.cinnabar.resp.Ascii.putLong(digits, 0, n), 1.0);
                return true;
            }
        });
    }

    @Override
    public double scoreOf(byte[] m, int off, int len) {
        return contains(m, off, len) ? 1.0 : Double.NaN;
    }

    /**
     * Visits every member: intsets in ascending order, listpacks in insertion order, hash tables
     * in table order. The visitor must not modify this set. Returns false if the visitor stopped
     * the walk.
     */
    public boolean forEach(MemberVisitor v) {
        switch (enc) {
            case INTSET -> {
                IntSet is = (IntSet) data;
                for (int i = 0, n = is.size(); i < n; i++) {
                    if (!v.integer(is.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            case LISTPACK -> {
                Listpack lp = (Listpack) data;
                byte[] a = lp.array();
                for (int p = lp.first(); p >= 0; p = lp.next(p)) {
                    if (!v.bytes(a, lp.dataOffset(p), lp.dataLength(p))) {
                        return false;
                    }
                }
                return true;
            }
            default -> {
                HashtableWalk walk = new HashtableWalk(v);
                ((KeyTable) data).forEach(walk);
                return !walk.stopped;
            }
        }
    }

    /** Adapts a member visitor to table entries, skipping the rest once it asked to stop. */
    private static final class HashtableWalk implements EntryVisitor {
        final MemberVisitor v;
        boolean stopped;

        HashtableWalk(MemberVisitor v) {
            this.v = v;
        }

        @Override
        public void visit(Object entry) {
            if (!stopped) {
                byte[] e = (byte[]) entry;
                stopped = !v.bytes(e, Entries.keyOffset(e), Entries.keyLength(e));
            }
        }
    }

    /**
     * One SSCAN step over a hash-table set (see {@link KeyTable#scan}); the visitor receives
     * member entries, whose member is the entry's key ({@link Entries#keyArray} and friends).
     * Only for {@link #isHashtable()} sets: the compact encodings are returned whole.
     */
    public long scanHashtable(long cursor, EntryVisitor v) {
        return ((KeyTable) data).scan(cursor, v);
    }

    // ---- random members ---------------------------------------------------------------------------

    /** A uniformly random member of a non-empty set (Redis setTypeRandomElement). */
    public void random(RandomGenerator r, Member out) {
        switch (enc) {
            case INTSET -> {
                IntSet is = (IntSet) data;
                out.setInt(is.get(r.nextInt(is.size())));
            }
            case LISTPACK -> {
                Listpack lp = (Listpack) data;
                int p = lp.seek(r.nextInt(lp.size()));
                out.setRange(lp.array(), lp.dataOffset(p), lp.dataLength(p));
            }
            default -> {
                byte[] e = (byte[]) ((KeyTable) data).randomEntry(r);
                out.setRange(e, Entries.keyOffset(e), Entries.keyLength(e));
            }
        }
    }

    /** Removes a uniformly random member of a non-empty set and hands it out (setTypePopRandom). */
    public void popRandom(RandomGenerator r, Member out) {
        switch (enc) {
            case INTSET -> {
                IntSet is = (IntSet) data;
                int i = r.nextInt(is.size());
                out.setInt(is.get(i));
                is.removeAt(i);
            }
            case LISTPACK -> {
                Listpack lp = (Listpack) data;
                int p = lp.seek(r.nextInt(lp.size()));
                out.setCopy(lp.array(), lp.dataOffset(p), lp.dataLength(p));
                lp.delete(p);
            }
            default -> {
                KeyTable t = (KeyTable) data;
                byte[] e = (byte[]) t.randomEntry(r);
                int off = Entries.keyOffset(e);
                int len = Entries.keyLength(e);
                // The removed entry array stays intact: it is immutable and now only ours.
                t.remove(e, off, len, KeyTable.hash(e, off, len));
                out.setRange(e, off, len);
            }
        }
    }

    /**
     * Listpack only: Redis lpNextRandom's one-pass selection sampling. Picks {@code k} distinct
     * positions (k at most the size), each subset equally likely, returned in listpack order.
     */
    private int[] listpackSample(int k, RandomGenerator r) {
        Listpack lp = (Listpack) data;
        int total = lp.size();
        int[] picked = new int[k];
        int n = 0;
        int i = 0;
        for (int p = lp.first(); p >= 0 && n < k; p = lp.next(p), i++) {
            // Take this one with probability (still wanted) / (still unseen).
            if (r.nextDouble() * (total - i) < k - n) {
                picked[n++] = p;
            }
        }
        return picked;
    }

    /** Listpack only: rebuilds the listpack without the entries at the ascending positions. */
    private void listpackRemove(int[] positions) {
        Listpack lp = (Listpack) data;
        Listpack out = new Listpack(Math.max(8, lp.bytes()));
        byte[] a = lp.array();
        int j = 0;
        for (int p = lp.first(); p >= 0; p = lp.next(p)) {
            if (j < positions.length && positions[j] == p) {
                j++;
                continue;
            }
            out.append(a, lp.dataOffset(p), lp.dataLength(p));
        }
        out.trim();
        data = out;
    }

    /**
     * SRANDMEMBER's listpack case for a positive count below the size: {@code k} distinct members
     * by selection sampling, visited in listpack order.
     */
    public void listpackSampleVisit(int k, RandomGenerator r, MemberVisitor v) {
        Listpack lp = (Listpack) data;
        byte[] a = lp.array();
        for (int p : listpackSample(k, r)) {
            v.bytes(a, lp.dataOffset(p), lp.dataLength(p));
        }
    }

    /**
     * SPOP's listpack case for a count small next to the size: {@code k} distinct members chosen
     * in one pass, visited in listpack order, then removed together.
     */
    public void listpackPopVisit(int k, RandomGenerator r, MemberVisitor v) {
        Listpack lp = (Listpack) data;
        byte[] a = lp.array();
        int[] picked = listpackSample(k, r);
        for (int p : picked) {
            v.bytes(a, lp.dataOffset(p), lp.dataLength(p));
        }
        listpackRemove(picked);
    }

    /**
     * SPOP's listpack case for a count close to the size: {@code keep} members chosen in one pass
     * move to a new set (a listpack unless the limits say otherwise), which is returned; this set
     * keeps the members being popped.
     */
    public SetValue listpackSplit(int keep, RandomGenerator r, EncodingParams params) {
        Listpack lp = (Listpack) data;
        byte[] a = lp.array();
        int[] picked = listpackSample(keep, r);
        SetValue kept = newListpack();
        for (int p : picked) {
            kept.add(a, lp.dataOffset(p), lp.dataLength(p), params);
        }
        listpackRemove(picked);
        return kept;
    }

    /** Random picks per batch of {@link #listpackRandomVisit} (Redis SRANDFIELD_RANDOM_SAMPLE_LIMIT). */
    static final int SAMPLE_BATCH = 1000;

    /**
     * SRANDMEMBER's listpack case for a negative count: {@code count} members picked with
     * repetition, in random order. As Redis's lpRandomEntries, each batch sorts its random indexes
     * so the listpack is walked once per batch. Stops early if the visitor returns false.
     */
    public void listpackRandomVisit(long count, RandomGenerator r, MemberVisitor v) {
        Listpack lp = (Listpack) data;
        int total = lp.size();
        int batch = (int) Math.min(count, SAMPLE_BATCH);
        long[] picks = new long[batch];
        int[] offsets = new int[batch];
        int[] lengths = new int[batch];
        byte[] a = lp.array();
        while (count > 0) {
            int n = (int) Math.min(count, batch);
            count -= n;
            // Index in the high half, request order in the low half: sorting orders by index.
            for (int i = 0; i < n; i++) {
                picks[i] = ((long) r.nextInt(total) << 32) | i;
            }
            Arrays.sort(picks, 0, n);
            int p = lp.first();
            int at = 0;
            for (int i = 0; i < n; i++) {
                int index = (int) (picks[i] >>> 32);
                while (at < index) {
                    p = lp.next(p);
                    at++;
                }
                int order = (int) picks[i];
                offsets[order] = lp.dataOffset(p);
                lengths[order] = lp.dataLength(p);
            }
            for (int i = 0; i < n; i++) {
                if (!v.bytes(a, offsets[i], lengths[i])) {
                    return;
                }
            }
        }
    }

    // ---- RedisValue -----------------------------------------------------------------------------

    @Override
    public String type() {
        return "set";
    }

    @Override
    public String encoding() {
        return switch (enc) {
            case INTSET -> "intset";
            case LISTPACK -> "listpack";
            default -> "hashtable";
        };
    }

    /** Same members, same encoding (Redis setTypeDup). Hash-table entries are immutable: shared. */
    @Override
    public SetValue copy() {
        return switch (enc) {
            case INTSET -> new SetValue(INTSET, ((IntSet) data).copy());
            case LISTPACK -> new SetValue(LISTPACK, ((Listpack) data).copy());
            default -> {
                KeyTable src = (KeyTable) data;
                KeyTable t = new KeyTable(src.size());
                src.forEach(t::put);
                yield new SetValue(HASHTABLE, t);
            }
        };
    }

    /** DEBUG DIGEST: each member's SHA-1 xored in (integers as their decimal text). */
    @Override
    public void digest(ValueDigest d) {
        byte[] buf = new byte[20];
        forEach(new MemberVisitor() {
            @Override
            public boolean bytes(byte[] a, int off, int len) {
                d.xor(a, off, len);
                return true;
            }

            @Override
            public boolean integer(long v) {
                d.xor(buf, 0, Ascii.putLong(buf, 0, v));
                return true;
            }
        });
    }

    /** Heap bytes held by the value (not its key entry); O(1) for every encoding. */
    public long memoryEstimate() {
        long own = 16;
        return switch (enc) {
            case INTSET -> own + ((IntSet) data).footprint();
            case LISTPACK -> own + ((Listpack) data).footprint();
            default -> own + ((KeyTable) data).footprint();
        };
    }

    @Override
    public long memoryUsage(long samples) {
        return memoryEstimate();
    }

    @Override
    public String toString() {
        return "SetValue[" + encoding() + ", " + size() + "]";
    }
}
