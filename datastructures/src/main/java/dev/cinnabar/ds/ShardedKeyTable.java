package dev.cinnabar.ds;

import java.util.random.RandomGenerator;

/**
 * The keyspace of one database, split into {@value #SHARDS} {@link KeyTable}s by Redis Cluster
 * hash slot: shard = slot / {@value #SLOTS_PER_SHARD}. A shard's table is created on its first
 * insert, so a small database does not pay for sixteen empty tables.
 *
 * <p>The shard is the unit that later features hang off: a per-shard lock (or owner thread) for
 * multi-threaded command execution, slot migration (a whole shard's slot range moves together,
 * and per-slot work only ever touches one table), and forkless snapshots (serialize one shard
 * at a time while the others keep serving writes). Keep everything per-shard: no cross-shard
 * state other than the shards array and the rehash rotation.
 *
 * <h2>Key tokens</h2>
 * Routing needs the cluster slot (CRC16) and the table needs the key hash; {@link #token}
 * computes both once into a {@code long} (slot in the high 32 bits, table hash in the low
 * 32). Compute it once per key per command and pass it to every call for that key, e.g. GET
 * then SET for a read-modify-write, or the slot check of cluster mode then the lookup. The
 * overloads without a token compute it themselves.
 *
 * <h2>Cursors</h2>
 * {@link #scan} and {@link #ttlScan} cursors carry the shard index in their low 4 bits and the
 * shard table's cursor above them. 0 starts an iteration and is returned when it ends. A
 * key never changes shard, so SCAN's guarantee holds shard by shard.
 *
 * <p>Not thread-safe, like {@link KeyTable}.
 */
public final class ShardedKeyTable {
    public static final int SHARD_BITS = 4;
    public static final int SHARDS = 1 << SHARD_BITS;
    public static final int SLOTS_PER_SHARD = Crc16.SLOTS / SHARDS;
    private static final int SLOT_TO_SHARD_SHIFT = Integer.numberOfTrailingZeros(SLOTS_PER_SHARD);
    /** This object plus the shards array (header + 16 compressed references). */
    private static final long OWN_BYTES = 16 + Entries.arrayBytes(4L * SHARDS);

    private final KeyTable[] shards = new KeyTable[SHARDS];
    /** Route by cluster hash slot (cluster mode) or by table-hash bits (standalone). */
    private final boolean bySlot;
    private int lastExamined;
    /** Shard where the next {@link #rehashStep} starts, rotated so every shard gets a turn. */
    private int rehashStart;
    /** Where the shards report changes of their footprint (maxmemory accounting), or null. */
    private final MemoryCounter counter;

    /** A keyspace routed by Redis Cluster hash slot. */
    public ShardedKeyTable() {
        this(true);
    }

    /**
     * @param bySlot true to route keys by their cluster hash slot (CRC16 of the key or its
     *     {tag}); false to route by bits of the table hash instead. Standalone servers use
     *     false: nothing needs slot ranges there, and it spares a CRC16 per key access, while the
     *     shards still exist for per-shard work.
     */
    public ShardedKeyTable(boolean bySlot) {
        this(bySlot, null);
    }

    /**
     * A keyspace whose shard tables report every change of their footprint (arrays and
     * entries, see {@link KeyTable#footprint}) to {@code counter}; see {@link #release}.
     */
    public ShardedKeyTable(boolean bySlot, MemoryCounter counter) {
        this.bySlot = bySlot;
        this.counter = counter;
        if (counter != null) {
            counter.add(OWN_BYTES);
        }
    }


    // ------------------------------------------------------------------------- tokens

    /**
     * The token of a key for this table's routing mode (see {@link #ShardedKeyTable(boolean)}):
     * the cluster slot, or a pseudo-slot made of the table hash's top 14 bits.
     */
    public long tokenFor(byte[] k, int off, int len) {
        int h = KeyTable.hash(k, off, len);
        int slot = bySlot ? Crc16.slot(k, off, len) : (h >>> 18) & (Crc16.SLOTS - 1);
        return ((long) slot << 32) | (h & 0xFFFFFFFFL);
    }

    /** Slot and table hash of a key, computed once: see the class comment. */
    public static long token(byte[] k, int off, int len) {
        return ((long) Crc16.slot(k, off, len) << 32) | (KeyTable.hash(k, off, len) & 0xFFFFFFFFL);
    }

    public static long token(byte[] k) {
        return token(k, 0, k.length);
    }

    public static int slotOf(long token) {
        return (int) (token >>> 32);
    }

    /** The {@link KeyTable#hash} part of the token. */
    public static int hashOf(long token) {
        return (int) token;
    }

    public static int shardOfSlot(int slot) {
        return slot >>> SLOT_TO_SHARD_SHIFT;
    }

    private static int shardOf(long token) {
        return (int) (token >>> (32 + SLOT_TO_SHARD_SHIFT));
    }

    private long tokenOfEntry(Object entry) {
        return tokenFor(Entries.keyArray(entry), Entries.keyOffset(entry), Entries.keyLength(entry));
    }

    // ------------------------------------------------------------------------- access

    public Object get(long token, byte[] k, int off, int len) {
        KeyTable t = shards[shardOf(token)];
        return t == null ? null : t.get(k, off, len, hashOf(token));
    }

    public Object get(byte[] k, int off, int len) {
        return get(tokenFor(k, off, len), k, off, len);
    }

    public Object get(byte[] k) {
        return get(k, 0, k.length);
    }

    /** Inserts or replaces; returns the replaced entry or null. {@code token} of the entry's key. */
    public Object put(long token, Object entry) {
        int s = shardOf(token);
        KeyTable t = shards[s];
        if (t == null) {
            t = new KeyTable();
            t.counter(counter);
            shards[s] = t;
        }
        return t.put(entry, hashOf(token));
    }

    public Object put(Object entry) {
        return put(tokenOfEntry(entry), entry);
    }

    public Object remove(long token, byte[] k, int off, int len) {
        KeyTable t = shards[shardOf(token)];
        return t == null ? null : t.remove(k, off, len, hashOf(token));
    }

    public Object remove(byte[] k, int off, int len) {
        return remove(tokenFor(k, off, len), k, off, len);
    }

    public Object remove(byte[] k) {
        return remove(k, 0, k.length);
    }

    /** See {@link KeyTable#replace}; {@code token} of the (shared) key. */
    public boolean replace(long token, Object current, Object replacement) {
        KeyTable t = shards[shardOf(token)];
        return t != null && t.replace(current, replacement, hashOf(token));
    }

    /** Removes every key and drops the shard tables. */
    public void clear() {
        for (int s = 0; s < SHARDS; s++) {
            KeyTable t = shards[s];
            if (t != null) {
                t.clear(); // fails fast if a visitor of that table is running
                t.counter(null);
                shards[s] = null;
            }
        }
    }

    /** The table of shard {@code index} (0..15), or null if it was never used. */
    public KeyTable shard(int index) {
        return shards[index];
    }

    // ------------------------------------------------------------------------- counts

    public long size() {
        long n = 0;
        for (KeyTable t : shards) {
            if (t != null) {
                n += t.size();
            }
        }
        return n;
    }

    public boolean isEmpty() {
        for (KeyTable t : shards) {
            if (t != null && !t.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    public long expiresCount() {
        long n = 0;
        for (KeyTable t : shards) {
            if (t != null) {
                n += t.expiresCount();
            }
        }
        return n;
    }

    /** Total slots of the allocated shards (sizes work such as an active-expiry pass). */
    public long capacity() {
        long n = 0;
        for (KeyTable t : shards) {
            if (t != null) {
                n += t.capacity();
            }
        }
        return n;
    }

    /**
     * Stops reporting to the counter, subtracting everything the shards hold from it: for a
     * table that is dropped whole (FLUSHDB replaces the table instead of emptying it).
     */
    public void release() {
        for (KeyTable t : shards) {
            if (t != null) {
                t.counter(null);
            }
        }
        if (counter != null) {
            counter.add(-OWN_BYTES);
        }
    }

    /** Heap bytes of the tables and their entries (not ObjectEntry values); O(shards). */
    public long footprint() {
        long bytes = OWN_BYTES;
        for (KeyTable t : shards) {
            if (t != null) {
                bytes += t.footprint();
            }
        }
        return bytes;
    }

    /** Heap bytes of the tables (not the entries), for INFO memory accounting. */
    public long memoryEstimate() {
        long bytes = OWN_BYTES;
        for (KeyTable t : shards) {
            if (t != null) {
                bytes += t.memoryEstimate();
            }
        }
        return bytes;
    }

    // ------------------------------------------------------------------------- sampling, iteration

    /**
     * A uniformly random entry, or null if empty: a shard is chosen with probability
     * proportional to its size, then a uniform entry within it.
     */
    public Object randomEntry(RandomGenerator rnd) {
        long total = size();
        if (total == 0) {
            return null;
        }
        long r = rnd.nextLong(total);
        for (KeyTable t : shards) {
            if (t == null) {
                continue;
            }
            if (r < t.size()) {
                return t.randomEntry(rnd);
            }
            r -= t.size();
        }
        throw new AssertionError("sizes changed during randomEntry");
    }

    /**
     * Up to {@code max} entries (with a TTL only, if {@code ttlOnly}) from a random region of one
     * shard, chosen in proportion to its entries (or TTL entries): see {@link KeyTable#sample}.
     * Returns how many were stored in {@code out}; 0 only when there is no candidate at all.
     */
    public int sample(RandomGenerator rnd, Object[] out, int max, boolean ttlOnly) {
        long total = ttlOnly ? expiresCount() : size();
        if (total == 0) {
            return 0;
        }
        long r = rnd.nextLong(total);
        for (KeyTable t : shards) {
            if (t == null) {
                continue;
            }
            long n = ttlOnly ? t.expiresCount() : t.size();
            if (r < n) {
                return t.sample(rnd, out, max, ttlOnly);
            }
            r -= n;
        }
        throw new AssertionError("sizes changed during sample");
    }

    /**
     * One SCAN step: one bucket of one shard (after skipping empty shards). Same contract as
     * {@link KeyTable#scan}, including what visitors may do.
     */
    public long scan(long cursor, EntryVisitor v) {
        int s = (int) (cursor & (SHARDS - 1));
        long tableCursor = cursor >>> SHARD_BITS;
        while (true) {
            KeyTable t = shards[s];
            if (t != null && !t.isEmpty()) {
                long next = t.scan(tableCursor, v);
                if (next != 0) {
                    return (next << SHARD_BITS) | s;
                }
                // Shard done: the next call starts the next shard (cursor non-zero since s+1 > 0).
                return s + 1 == SHARDS ? 0 : s + 1;
            }
            s++;
            tableCursor = 0;
            if (s == SHARDS) {
                return 0;
            }
        }
    }

    /**
     * Active-expiry walk over the shards with TTL entries, {@code maxSlots} examined in all; see
     * {@link KeyTable#ttlScan} for the visitor contract and coverage. Returns 0 after the last
     * shard's last slot.
     */
    public long ttlScan(long cursor, int maxSlots, ExpiryVisitor v) {
        int s = (int) (cursor & (SHARDS - 1));
        long pos = cursor >>> SHARD_BITS;
        int budget = maxSlots;
        lastExamined = 0;
        while (budget > 0) {
            KeyTable t = shards[s];
            if (t != null && t.expiresCount() > 0) {
                long next = t.ttlScan(pos, budget, v);
                int used = Math.max(1, t.lastExamined());
                budget -= used;
                lastExamined += used;
                if (next != 0) {
                    return (next << SHARD_BITS) | s;
                }
            }
            s++;
            pos = 0;
            if (s == SHARDS) {
                return 0;
            }
        }
        return (pos << SHARD_BITS) | s;
    }

    /**
     * Slots examined by the last {@link #ttlScan}, over all shards: cursors encode the shard in
     * their low bits, so their differences do not measure work.
     */
    public int lastExamined() {
        return lastExamined;
    }

    /** Visits every entry once, shard by shard. See {@link KeyTable#forEach}. */
    public void forEach(EntryVisitor v) {
        for (KeyTable t : shards) {
            if (t != null) {
                t.forEach(v);
            }
        }
    }

    /**
     * Spends about {@code budget} slots of resize work across the shards (starting from a
     * rotating shard, so a big resize in one shard cannot starve the others) and starts resizes
     * that are due. For the server cron. Returns whether any shard is still resizing.
     */
    public boolean rehashStep(int budget) {
        int remaining = budget;
        boolean more = false;
        for (int n = 0; n < SHARDS; n++) {
            KeyTable t = shards[(rehashStart + n) & (SHARDS - 1)];
            if (t == null) {
                continue;
            }
            if (remaining > 0) {
                remaining -= t.rehashAndResize(remaining);
            }
            more |= t.isResizing();
        }
        rehashStart = (rehashStart + 1) & (SHARDS - 1);
        return more;
    }
}
