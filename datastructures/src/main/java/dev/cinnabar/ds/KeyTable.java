package dev.cinnabar.ds;

import java.util.random.RandomGenerator;

/**
 * The keyspace hash table: open addressing with linear probing over entries ({@code byte[]}
 * packed strings or {@link ObjectEntry}), with a parallel array of cached hashes.
 *
 * <h2>Layout</h2>
 * {@code slots[i]} holds an entry or null (null is the only "empty" marker: deletion shifts
 * entries back instead of leaving tombstones). {@code hashes[i]} holds the entry's table hash
 * {@code h} (see {@link #hash}: low bit clear, never 0) or-ed with 1 when the entry has a TTL,
 * and 0 for empty slots, so probes can run on the int array alone. The home bucket of an entry
 * is {@code (h >>> 1) & mask}; every entry lies in the contiguous run of occupied slots that
 * starts at its home bucket. The cached hash spares key comparisons on probe mismatches, lets a
 * resize move entries without re-hashing keys, and lets active expiry walk one {@code int[]}
 * sequentially looking only at TTL bits.
 *
 * <p>Memory: 8 bytes per slot (compressed reference + int). Capacity is a power of two, the
 * table grows past 3/4 full and shrinks below 1/8 full, so entries cost 10.7 to 21.3 bytes of
 * table each (about 15 on average) on top of the entry itself (48 bytes for an 11-byte key and
 * a 16-byte value, see {@link Entries}): about 63 bytes per such key. Linear probing at 0.75
 * still averages about 2.5 probes for a hit and 8.5 for a miss, and probes walk adjacent ints,
 * so the load factor trades little speed for the memory.
 *
 * <h2>Incremental resize</h2>
 * A resize never rehashes everything in one call. The current array pair becomes the "old"
 * table and a new pair of the target size the "main" one. Every get/put/remove then moves a
 * few slots' worth of old entries ({@value #OP_REHASH_BUDGET}, whole runs at a time), and the
 * server's cron calls {@link #rehashStep}. The old table is drained in index order starting
 * just after an empty slot and always a whole run at a time: runs are separated by empty
 * slots, so nulling a migrated run cannot cut the probe path of any entry still in the old
 * table. Lookups check both tables, inserts go to the main one. Puts speed the migration up
 * when needed so the main table can never fill before the old one is drained.
 *
 * <h2>Iteration and mutation</h2>
 * {@link #scan} (SCAN's reverse-binary cursor, safe across resizes), {@link #forEach} and
 * {@link #ttlScan} call visitors; see {@link EntryVisitor} and {@link ExpiryVisitor} for what a
 * visitor may do. Mutations from inside a visitor throw {@link IllegalStateException}.
 *
 * <p>Hashes are passed in by the caller (compute {@link #hash} once per command and reuse it
 * for get then put); a caller must use the same hash for a key every time.
 *
 * <p>Not thread-safe: one owner at a time (the shard's thread or lock).
 */
public final class KeyTable {
    static final int MIN_CAPACITY = 8;
    static final int MAX_CAPACITY = 1 << 30;
    /** Old-table slots migrated per get/put/remove during a resize. */
    static final int OP_REHASH_BUDGET = 16;
    /** Random probes before {@link #randomEntry} falls back to a linear walk. */
    private static final int RANDOM_TRIES = 256;

    private Object[] slots;
    private int[] hashes;
    private int mask;
    /** Entries in {@link #slots}. */
    private int used;
    /** {@link #used} above this starts a grow (3/4 of capacity). */
    private int growAt;
    /** Entries in both tables. */
    private int size;
    /** Entries with a TTL, both tables. */
    private int expires;

    // Resize state; oldSlots == null when no resize is under way. Unmigrated old slots are the
    // migrateLeft positions starting at migratePos (cyclically); the slot before migratePos is
    // empty, as is every migrated one.
    private Object[] oldSlots;
    private int[] oldHashes;
    private int oldMask;
    private int oldUsed;
    private int migratePos;
    private int migrateLeft;

    /** Greater than zero while a visitor runs: mutations throw, reads do not rehash. */
    private int visiting;
    /** Slots examined (rehash included) by the last {@link #ttlScan}, for budget sharing. */
    private int lastExamined;
    /** Largest migration batch so far (slots examined): lets tests bound per-operation work. */
    private int maxRehashBatch;
    /** Old-table slots migrated per operation; a field only so tests can slow resizes down. */
    private final int opRehashBudget;
    /** Heap bytes of the entries held: the sum of their {@link Entries#footprint}. */
    private long entryBytes;
    /** Where changes of this table's footprint are reported (maxmemory accounting), or null. */
    private MemoryCounter counter;

    public KeyTable() {
        this(0);
    }

    /** A table sized to hold {@code expectedSize} entries without resizing. */
    public KeyTable(int expectedSize) {
        this(expectedSize, OP_REHASH_BUDGET);
    }

    KeyTable(int expectedSize, int opRehashBudget) {
        this.opRehashBudget = opRehashBudget;
        allocate(capacityFor(expectedSize));
    }

    /**
     * The table hash of a key: {@link Hashing#hash} with the low (TTL flag) bit cleared, and
     * never 0 (so that a stored hash of 0 means "empty slot", see {@link #probe}).
     */
    public static int hash(byte[] k, int off, int len) {
        return normalize(Hashing.hash(k, off, len));
    }

    public static int hash(byte[] k) {
        return hash(k, 0, k.length);
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Entries that have a TTL. */
    public int expiresCount() {
        return expires;
    }

    /** Slots of the main table (the target table while resizing). */
    public int capacity() {
        return mask + 1;
    }

    public boolean isResizing() {
        return oldSlots != null;
    }

    // ------------------------------------------------------------------------- lookups

    /** The entry whose key is {@code k[off, off+len)}, or null. {@code h} from {@link #hash}. */
    public Object get(byte[] k, int off, int len, int h) {
        h = normalize(h);
        if (oldSlots != null && visiting == 0) {
            rehashWork(opRehashBudget);
        }
        int i = probe(slots, hashes, mask, k, off, len, h);
        if (i >= 0) {
            return slots[i];
        }
        if (oldSlots != null) {
            i = probe(oldSlots, oldHashes, oldMask, k, off, len, h);
            if (i >= 0) {
                return oldSlots[i];
            }
        }
        return null;
    }

    public Object get(byte[] k) {
        return get(k, 0, k.length, hash(k));
    }

    // ------------------------------------------------------------------------- mutations

    /**
     * Inserts {@code entry}, or replaces the entry with an equal key. Returns the replaced entry
     * or null. {@code h} must be the {@link #hash} of the entry's key.
     */
    public Object put(Object entry, int h) {
        checkMutable();
        h = normalize(h);
        if (oldSlots != null) {
            rehashBeforeInsert();
        }
        byte[] k = Entries.keyArray(entry);
        int off = Entries.keyOffset(entry);
        int len = Entries.keyLength(entry);
        int ttl = Entries.hasExpire(entry) ? 1 : 0;
        int i = probe(slots, hashes, mask, k, off, len, h);
        if (i >= 0) {
            return swap(slots, hashes, i, entry, h | ttl);
        }
        if (oldSlots != null) {
            int j = probe(oldSlots, oldHashes, oldMask, k, off, len, h);
            if (j >= 0) {
                return swap(oldSlots, oldHashes, j, entry, h | ttl);
            }
        } else if (used >= hardLimit(mask + 1)) {
            // Only reachable at MAX_CAPACITY, where growing is impossible.
            throw new IllegalStateException("key table full");
        }
        // The probe stopped at the first empty slot of the key's run: insert there.
        i = ~i;
        slots[i] = entry;
        hashes[i] = h | ttl;
        used++;
        size++;
        expires += ttl;
        entriesChanged(Entries.footprint(entry));
        if (oldSlots == null && used > growAt) {
            maybeResize();
        }
        return null;
    }

    public Object put(Object entry) {
        return put(entry, hash(Entries.keyArray(entry), Entries.keyOffset(entry),
                Entries.keyLength(entry)));
    }

    /**
     * Swaps {@code current} (found by identity) for {@code replacement}, which must have the
     * same key, updating the TTL bookkeeping from {@code replacement}. Use after
     * {@link Entries#withExpire}/{@link Entries#withValue} returned a new array, or with the
     * same object twice after changing an {@link ObjectEntry}'s expiry in place. Returns false
     * if {@code current} is not in the table.
     */
    public boolean replace(Object current, Object replacement, int h) {
        checkMutable();
        h = normalize(h);
        assert Entries.keyEquals(current, Entries.keyArray(replacement),
                Entries.keyOffset(replacement), Entries.keyLength(replacement));
        int ttl = Entries.hasExpire(replacement) ? 1 : 0;
        int i = probeIdentity(slots, mask, current, h);
        if (i >= 0) {
            swap(slots, hashes, i, replacement, h | ttl);
            return true;
        }
        if (oldSlots != null) {
            i = probeIdentity(oldSlots, oldMask, current, h);
            if (i >= 0) {
                swap(oldSlots, oldHashes, i, replacement, h | ttl);
                return true;
            }
        }
        return false;
    }

    /** Removes and returns the entry whose key is {@code k[off, off+len)}, or null. */
    public Object remove(byte[] k, int off, int len, int h) {
        checkMutable();
        h = normalize(h);
        if (oldSlots != null) {
            rehashWork(opRehashBudget);
        }
        Object removed;
        int i = probe(slots, hashes, mask, k, off, len, h);
        if (i >= 0) {
            removed = slots[i];
            expires -= hashes[i] & 1;
            deleteAt(slots, hashes, mask, i);
            used--;
        } else if (oldSlots != null && (i = probe(oldSlots, oldHashes, oldMask, k, off, len, h)) >= 0) {
            removed = oldSlots[i];
            expires -= oldHashes[i] & 1;
            deleteAt(oldSlots, oldHashes, oldMask, i);
            oldUsed--;
            if (oldUsed == 0) {
                finishResize();
            }
        } else {
            return null;
        }
        size--;
        entriesChanged(-Entries.footprint(removed));
        if (oldSlots == null && used < (mask + 1) >>> 3) {
            maybeResize();
        }
        return removed;
    }

    public Object remove(byte[] k) {
        return remove(k, 0, k.length, hash(k));
    }

    /** Removes everything and returns to the minimum capacity (memory is released). */
    public void clear() {
        checkMutable();
        long before = footprint();
        allocate(MIN_CAPACITY);
        oldSlots = null;
        oldHashes = null;
        oldUsed = 0;
        migrateLeft = 0;
        size = 0;
        expires = 0;
        entryBytes = 0;
        report(footprint() - before);
    }

    // ------------------------------------------------------------------------- resize

    /**
     * Does up to about {@code budget} slots of pending resize work (and starts a resize the
     * table is due for). For the server cron. Returns whether a resize is still under way.
     */
    public boolean rehashStep(int budget) {
        rehashAndResize(budget);
        return oldSlots != null;
    }

    /** {@link #rehashStep}, returning the slots examined (for sharing a budget among tables). */
    int rehashAndResize(int budget) {
        checkMutable();
        int done = rehashWork(budget);
        maybeResize();
        return done;
    }

    /** Migrates old-table runs until at least {@code budget} slots were examined or none is left. */
    int rehashWork(int budget) {
        if (oldSlots == null) {
            return 0;
        }
        Object[] os = oldSlots;
        int[] oh = oldHashes;
        int om = oldMask;
        int pos = migratePos;
        int left = migrateLeft;
        int done = 0;
        while (done < budget && oldUsed > 0) {
            Object e = os[pos];
            if (e == null) {
                pos = (pos + 1) & om;
                left--;
                done++;
                continue;
            }
            // A whole run, so that the empty slot after it keeps separating what is left.
            do {
                int hv = oh[pos];
                insertAbsent(slots, hashes, mask, e, hv);
                os[pos] = null;
                oh[pos] = 0;
                used++;
                oldUsed--;
                pos = (pos + 1) & om;
                left--;
                done++;
                e = os[pos];
            } while (e != null);
        }
        migratePos = pos;
        migrateLeft = left;
        if (done > maxRehashBatch) {
            maxRehashBatch = done;
        }
        assert left >= 0 && (left > 0 || oldUsed == 0);
        if (oldUsed == 0) {
            finishResize();
        }
        return done;
    }

    /**
     * Migration ahead of an insert. Normally the fixed per-operation budget; when the main
     * table nears its hard limit, enough that the old table is drained before it is reached:
     * with H inserts of headroom left and L old slots to go, each insert migrates L/H slots, and
     * L/H cannot grow from one insert to the next.
     */
    private void rehashBeforeInsert() {
        int headroom = hardLimit(mask + 1) - size;
        if (headroom <= 1) {
            rehashWork(Integer.MAX_VALUE);
            return;
        }
        int needed = (migrateLeft + headroom - 1) / headroom;
        rehashWork(Math.max(opRehashBudget, needed));
    }

    int maxRehashBatchAndReset() {
        int m = maxRehashBatch;
        maxRehashBatch = 0;
        return m;
    }

    /** Starts a grow or shrink if the load calls for one and none is under way. */
    private void maybeResize() {
        if (oldSlots != null) {
            return;
        }
        int cap = mask + 1;
        if (used > growAt && cap < MAX_CAPACITY) {
            startResize(capacityFor(size));
        } else if (cap > MIN_CAPACITY && used < cap >>> 3) {
            // At most a 16x shrink per resize: a tiny main table next to a huge old one would
            // leave little insert headroom and force big per-operation migration batches.
            startResize(Math.max(capacityFor(size), cap >>> 4));
        }
    }

    private void startResize(int newCap) {
        if (newCap == mask + 1) {
            return;
        }
        long before = memoryEstimate();
        oldSlots = slots;
        oldHashes = hashes;
        oldMask = mask;
        oldUsed = used;
        allocate(newCap);
        report(memoryEstimate() - before);
        // Start after an empty slot (there is one: the load is below 1) so the first position
        // examined begins a run.
        int s = 0;
        while (oldSlots[s] != null) {
            s++;
        }
        migratePos = (s + 1) & oldMask;
        migrateLeft = oldMask; // every slot but the starting empty one
        // Small tables (and empty ones) are done at once; big ones continue incrementally.
        rehashWork(opRehashBudget);
    }

    private void finishResize() {
        long before = memoryEstimate();
        oldSlots = null;
        oldHashes = null;
        oldUsed = 0;
        migrateLeft = 0;
        report(memoryEstimate() - before);
    }

    private void allocate(int cap) {
        slots = new Object[cap];
        hashes = new int[cap];
        mask = cap - 1;
        used = 0;
        growAt = cap - (cap >>> 2);
    }

    /** The smallest capacity holding {@code n} entries at most half full. */
    static int capacityFor(int n) {
        long want = Math.max(MIN_CAPACITY, 2L * n);
        if (want >= MAX_CAPACITY) {
            return MAX_CAPACITY;
        }
        return Integer.highestOneBit((int) want - 1) << 1;
    }

    /** Entries a table of {@code cap} slots may ever hold (7/8): probes need empty slots. */
    private static int hardLimit(int cap) {
        return cap - (cap >>> 3);
    }

    // ------------------------------------------------------------------------- iteration

    /**
     * One step of SCAN with Redis's reverse-binary cursor over home buckets: visits every entry
     * whose home is the cursor's bucket and returns the next cursor, 0 when the iteration is
     * complete. Start with 0.
     *
     * <p>Guarantee (Redis's): an entry present during the whole iteration is visited at least
     * once, whatever grows, shrinks and incremental rehashing happen between calls; entries may
     * be visited more than once. The cursor counts in bit-reversed order, so the buckets already
     * covered are exactly those whose reversed index is below it; when the table doubles each
     * bucket b splits into b and b+size, which share their low bits and hence their place in
     * that order. During a resize, the bucket of the smaller table is visited together with all
     * its expansions in the larger one.
     */
    public long scan(long cursor, EntryVisitor v) {
        if (size == 0) {
            return 0;
        }
        visiting++;
        try {
            if (oldSlots == null) {
                visitHome(slots, hashes, mask, (int) (cursor & mask), v);
                return nextCursor(cursor, mask);
            }
            boolean oldIsSmall = oldMask < mask;
            Object[] smallS = oldIsSmall ? oldSlots : slots;
            int[] smallH = oldIsSmall ? oldHashes : hashes;
            int smallM = oldIsSmall ? oldMask : mask;
            Object[] bigS = oldIsSmall ? slots : oldSlots;
            int[] bigH = oldIsSmall ? hashes : oldHashes;
            int bigM = oldIsSmall ? mask : oldMask;
            visitHome(smallS, smallH, smallM, (int) (cursor & smallM), v);
            do {
                visitHome(bigS, bigH, bigM, (int) (cursor & bigM), v);
                cursor = nextCursor(cursor, bigM);
            } while ((cursor & (smallM ^ bigM)) != 0);
            return cursor;
        } finally {
            visiting--;
        }
    }

    /** Increments the bits of {@code cursor} under {@code m} in reversed order. */
    static long nextCursor(long cursor, int m) {
        // Setting the bits above the mask makes the carry of the reversed increment run past
        // them and vanish, leaving only the masked bits counted.
        long c = cursor | ~(long) m;
        return Long.reverse(Long.reverse(c) + 1);
    }

    private static void visitHome(Object[] s, int[] hs, int m, int bucket, EntryVisitor v) {
        // Entries homed at `bucket` all sit in the run that starts there.
        for (int i = bucket; s[i] != null; i = (i + 1) & m) {
            if (((hs[i] >>> 1) & m) == bucket) {
                v.visit(s[i]);
            }
        }
    }

    /** Visits every entry once. Allocation-free; for KEYS, serialization, FLUSH callbacks. */
    public void forEach(EntryVisitor v) {
        visiting++;
        try {
            visitAll(slots, v);
            if (oldSlots != null) {
                visitAll(oldSlots, v);
            }
        } finally {
            visiting--;
        }
    }

    private static void visitAll(Object[] s, EntryVisitor v) {
        for (Object e : s) {
            if (e != null) {
                v.visit(e);
            }
        }
    }

    /**
     * Active-expiry walk: examines up to {@code maxSlots} slots from slot {@code cursor} of the
     * main table, offering each entry with a TTL to {@code v}, and removes the entries for which
     * {@code v} answers true. Returns the cursor to continue from, 0 after the last slot (a
     * complete pass; start with 0).
     *
     * <p>Removal during the walk is safe: a deletion shifts later entries of the run back into
     * the freed slot, which is then examined again, so nothing ahead is skipped. While a resize
     * is under way half of the budget goes to migration instead: entries still in the old table
     * reach the walk once moved. A pass therefore visits every TTL entry present for the whole
     * pass when no resize happens during it; across resizes a TTL entry can be missed by one
     * pass (never by all: resizes finish), which suits active expiry, a sampling process whose
     * misses lazy expiry covers anyway. An entry may be offered twice in a pass.
     */
    public long ttlScan(long cursor, int maxSlots, ExpiryVisitor v) {
        checkMutable();
        int examined = 0;
        if (oldSlots != null) {
            examined = rehashWork(Math.max(1, maxSlots >>> 1));
            maybeResize();
        }
        Object[] s = slots;
        int[] hs = hashes;
        int cap = s.length;
        if (cursor < 0 || cursor >= cap) {
            // From a bigger table before a shrink: that pass is over.
            lastExamined = examined;
            return 0;
        }
        int i = (int) cursor;
        int budget = Math.max(1, maxSlots - examined);
        boolean removed = false;
        while (budget > 0 && i < cap) {
            budget--;
            examined++;
            if ((hs[i] & 1) != 0) {
                boolean delete;
                visiting++;
                try {
                    delete = v.visit(s[i]);
                } finally {
                    visiting--;
                }
                if (delete) {
                    entriesChanged(-Entries.footprint(s[i]));
                    deleteAt(s, hs, mask, i);
                    used--;
                    size--;
                    expires--;
                    removed = true;
                    continue; // slot i may hold a shifted-back entry now
                }
            }
            i++;
        }
        lastExamined = examined;
        if (removed) {
            maybeResize();
        }
        return i >= cap ? 0 : i;
    }

    /** Slots examined by the last {@link #ttlScan} (migration included). */
    int lastExamined() {
        return lastExamined;
    }

    /**
     * Fills {@code out} with up to {@code max} entries taken from a random region of the table,
     * only entries with a TTL when {@code ttlOnly} (Redis dictGetSomeKeys, for eviction
     * sampling); returns how many. The walk reads consecutive slots from a random position of
     * the main or the old table (chosen in proportion to the entries they hold) and gives up
     * after about {@code 10 * max} slots, except that it goes on, up to the whole table, while it
     * has found nothing: a sample is never empty when the table holds a candidate, however sparse
     * the TTL entries are. Entries may repeat only if the table is smaller than the walk.
     */
    public int sample(RandomGenerator rnd, Object[] out, int max, boolean ttlOnly) {
        if (max <= 0 || size == 0 || (ttlOnly && expires == 0)) {
            return 0;
        }
        boolean oldFirst = oldSlots != null && rnd.nextInt(size) < oldUsed;
        int n = 0;
        for (int pass = 0; pass < 2 && n == 0; pass++) {
            boolean old = (pass == 0) == oldFirst;
            if (old && oldSlots == null) {
                continue;
            }
            Object[] s = old ? oldSlots : slots;
            int[] hs = old ? oldHashes : hashes;
            int m = old ? oldMask : mask;
            int cap = m + 1;
            int minSteps = 10 * max;
            int i = rnd.nextInt(cap);
            for (int step = 0; step < cap && n < max; step++, i = (i + 1) & m) {
                if (n > 0 && step >= minSteps) {
                    break;
                }
                int hv = hs[i];
                if (hv != 0 && (!ttlOnly || (hv & 1) != 0)) {
                    out[n++] = s[i];
                }
            }
        }
        return n;
    }

    /**
     * A uniformly random entry, or null if empty. Each slot of the main table and of the
     * unmigrated part of the old one is equally likely to be probed and every entry occupies
     * exactly one slot, so rejection sampling is exactly fair (better than Redis's bucket-then-
     * chain pick). The table is at least 1/8 full outside resizes, so this takes few probes;
     * after {@value #RANDOM_TRIES} misses it settles for the next entry after a random slot.
     */
    public Object randomEntry(RandomGenerator rnd) {
        if (size == 0) {
            return null;
        }
        int cap = mask + 1;
        int oldRange = oldSlots != null ? migrateLeft : 0;
        long range = (long) cap + oldRange;
        for (int t = 0; t < RANDOM_TRIES; t++) {
            long r = rnd.nextLong(range);
            Object e = r < cap ? slots[(int) r] : oldSlots[(migratePos + (int) (r - cap)) & oldMask];
            if (e != null) {
                return e;
            }
        }
        Object e = firstFrom(slots, rnd.nextInt(cap));
        if (e == null) {
            e = firstFrom(oldSlots, rnd.nextInt(oldSlots.length));
        }
        return e;
    }

    private static Object firstFrom(Object[] s, int start) {
        int m = s.length - 1;
        for (int n = 0, i = start; n <= m; n++, i = (i + 1) & m) {
            if (s[i] != null) {
                return s[i];
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------- accounting

    /** Heap bytes of the table itself (arrays of both tables and this object), not entries. */
    public long memoryEstimate() {
        long bytes = 80 + 2 * Entries.arrayBytes(4L * slots.length);
        if (oldSlots != null) {
            bytes += 2 * Entries.arrayBytes(4L * oldSlots.length);
        }
        return bytes;
    }

    /**
     * Heap bytes of the entries held ({@link Entries#footprint} of each; an {@link ObjectEntry}'s
     * value is not included). Kept current by every mutation: O(1).
     */
    public long entryBytes() {
        return entryBytes;
    }

    /** Heap bytes of the table and its entries: {@link #memoryEstimate()} + {@link #entryBytes()}. */
    public long footprint() {
        return memoryEstimate() + entryBytes;
    }

    /**
     * Reports this table's footprint to {@code c} from now on (adding what it holds now), or,
     * with null, stops reporting to the current counter (subtracting what it holds now).
     */
    public void counter(MemoryCounter c) {
        if (counter != null) {
            counter.add(-footprint());
        }
        counter = c;
        if (c != null) {
            c.add(footprint());
        }
    }

    private void entriesChanged(long delta) {
        entryBytes += delta;
        if (counter != null) {
            counter.add(delta);
        }
    }

    private void report(long delta) {
        if (counter != null) {
            counter.add(delta);
        }
    }

    // ------------------------------------------------------------------------- internals

    /**
     * Clears the TTL bit and maps 0 to 2 (one hash value in 2^31 moves to a neighbour; same home
     * bucket parity, no measurable effect on spread). Applied on entry so that hashes made up
     * by callers (tests) keep the invariants too.
     */
    private static int normalize(int h) {
        h &= ~1;
        return h != 0 ? h : 2;
    }

    private void checkMutable() {
        if (visiting != 0) {
            throw new IllegalStateException("key table modified from inside a visitor");
        }
    }

    private Object swap(Object[] s, int[] hs, int i, Object entry, int hv) {
        Object prev = s[i];
        if (prev != entry) {
            entriesChanged(Entries.footprint(entry) - Entries.footprint(prev));
        }
        expires += (hv & 1) - (hs[i] & 1);
        s[i] = entry;
        hs[i] = hv;
        return prev;
    }

    /**
     * Slot of the key, or {@code ~firstEmptySlot} on its probe path if absent. Walks only the
     * hashes array (occupied slots never store hash 0) and touches {@code slots} and the entry
     * on a hash match only: one cache miss per probe instead of two.
     */
    private static int probe(Object[] s, int[] hs, int m, byte[] k, int off, int len, int h) {
        int i = (h >>> 1) & m;
        int hv;
        while ((hv = hs[i]) != 0) {
            if ((hv & ~1) == h && Entries.keyEquals(s[i], k, off, len)) {
                return i;
            }
            i = (i + 1) & m;
        }
        return ~i;
    }

    private static int probeIdentity(Object[] s, int m, Object entry, int h) {
        int i = (h >>> 1) & m;
        Object e;
        while ((e = s[i]) != null) {
            if (e == entry) {
                return i;
            }
            i = (i + 1) & m;
        }
        return -1;
    }

    /** Places an entry known to be absent at the end of its home run. */
    private static void insertAbsent(Object[] s, int[] hs, int m, Object e, int hv) {
        int i = (hv >>> 1) & m;
        while (hs[i] != 0) {
            i = (i + 1) & m;
        }
        s[i] = e;
        hs[i] = hv;
    }

    /**
     * Empties slot {@code i} by backward shift: walks the rest of the run and moves back into
     * the hole each entry whose home is not strictly between the hole and its own slot (such an
     * entry would become unreachable behind an empty slot otherwise), repeating with the hole
     * it leaves. Entries only move towards lower positions of their own run.
     */
    private static void deleteAt(Object[] s, int[] hs, int m, int i) {
        int j = i;
        while (true) {
            j = (j + 1) & m;
            Object e = s[j];
            if (e == null) {
                break;
            }
            int home = (hs[j] >>> 1) & m;
            // Movable iff the hole lies in [home, j) cyclically: distance home->j >= hole->j.
            if (((j - home) & m) >= ((j - i) & m)) {
                s[i] = e;
                hs[i] = hs[j];
                i = j;
            }
        }
        s[i] = null;
        hs[i] = 0;
    }

    /**
     * Verifies every structural invariant; O(capacity). For tests. {@code realHashes}: whether
     * the cached hashes must equal {@link #hash} of the keys (false for tests that feed
     * artificial hashes).
     */
    void checkInvariants(boolean realHashes) {
        int[] counts = new int[2];
        checkTable(slots, hashes, mask, counts, realHashes);
        if (counts[0] != used) {
            throw new AssertionError("used " + used + " != counted " + counts[0]);
        }
        int total = counts[0];
        int ttl = counts[1];
        if (oldSlots != null) {
            counts[0] = 0;
            counts[1] = 0;
            checkTable(oldSlots, oldHashes, oldMask, counts, realHashes);
            if (counts[0] != oldUsed || oldUsed == 0) {
                throw new AssertionError("oldUsed " + oldUsed + " != counted " + counts[0]);
            }
            total += counts[0];
            ttl += counts[1];
            // Migrated positions are empty, and so is the one before the frontier.
            for (int n = 0, p = (migratePos + migrateLeft) & oldMask; n < oldSlots.length - migrateLeft;
                 n++, p = (p + 1) & oldMask) {
                if (oldSlots[p] != null) {
                    throw new AssertionError("entry left behind in migrated old slot " + p);
                }
            }
        }
        if (total != size || ttl != expires) {
            throw new AssertionError("size/expires " + size + "/" + expires + " != " + total + "/" + ttl);
        }
        if (used > hardLimit(mask + 1)) {
            throw new AssertionError("main table over its hard limit");
        }
    }

    private static void checkTable(Object[] s, int[] hs, int m, int[] counts, boolean realHashes) {
        for (int i = 0; i <= m; i++) {
            Object e = s[i];
            if (e == null) {
                if (hs[i] != 0) {
                    throw new AssertionError("hash left in empty slot " + i);
                }
                continue;
            }
            counts[0]++;
            if (hs[i] == 0) {
                throw new AssertionError("occupied slot " + i + " with hash 0");
            }
            int ttl = Entries.hasExpire(e) ? 1 : 0;
            counts[1] += ttl;
            if ((hs[i] & 1) != ttl) {
                throw new AssertionError("TTL bit wrong at " + i);
            }
            byte[] k = Entries.keyArray(e);
            if (realHashes && (hs[i] & ~1) != hash(k, Entries.keyOffset(e), Entries.keyLength(e))) {
                throw new AssertionError("stale hash at " + i);
            }
            for (int p = (hs[i] >>> 1) & m; p != i; p = (p + 1) & m) {
                if (s[p] == null) {
                    throw new AssertionError("entry at " + i + " cut off from its home");
                }
            }
        }
    }
}
