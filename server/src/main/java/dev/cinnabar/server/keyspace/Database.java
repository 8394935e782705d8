package dev.cinnabar.server.keyspace;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.EntryVisitor;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.ds.KeyTable;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One numbered database (SELECT n): the keyspace table plus Redis's semantics around it: lazy
 * expiry on access, LRU clock updates, hit/miss statistics, and the "key modified" signal that
 * WATCH (and later client tracking) hang off.
 *
 * <p>Entries are either packed strings ({@code byte[]}, see {@link Entries}) or
 * {@link ObjectEntry} holding a {@code RedisValue}. Accessed only with the server lock held.
 */
public final class Database {
    private final Server server;
    public final int id;
    // TODO(shards): becomes ShardedKeyTable (slot-range shards) once it lands in datastructures.
    private KeyTable table = new KeyTable();

    public Database(Server server, int id) {
        this.server = server;
        this.id = id;
    }

    public long size() {
        return table.size();
    }

    public long expiresCount() {
        return table.expiresCount();
    }

    /** Redis's 24-bit LRU clock in seconds. */
    public int lruClock() {
        return (int) ((server.clock.millis() / 1000) & 0xFFFFFF);
    }

    // ---- lookups ------------------------------------------------------------------------------

    /**
     * Finds a key at time {@code now}, deleting it first if it has expired (Redis
     * expireIfNeeded + lookupKey without side effects on statistics or LRU).
     */
    public Object find(byte[] k, int off, int len, long now) {
        Object e = table.get(k, off, len, KeyTable.hash(k, off, len));
        if (e != null && Entries.hasExpire(e) && Entries.expireAt(e) <= now && expireNow(e, k, off, len)) {
            return null;
        }
        return e;
    }

    /** Lookup for reading: lazy expiry, keyspace hits/misses, LRU touch (Redis lookupKeyRead). */
    public Object lookupRead(Client c, int arg) {
        Object e = find(c.argData(), c.argOff(arg), c.argLen(arg), c.now);
        if (e == null) {
            server.stats.keyspaceMisses++;
        } else {
            server.stats.keyspaceHits++;
            touchLru(c, e);
        }
        return e;
    }

    /** Lookup for writing: lazy expiry and LRU touch, no hit/miss statistics. */
    public Object lookupWrite(Client c, int arg) {
        Object e = find(c.argData(), c.argOff(arg), c.argLen(arg), c.now);
        if (e != null) {
            touchLru(c, e);
        }
        return e;
    }

    private void touchLru(Client c, Object e) {
        if (!c.has(Client.NO_TOUCH)) {
            Entries.setLru(e, lruClock());
        }
    }

    /** Whether the key exists but is logically expired at {@code now} (WATCH checks). */
    public boolean isExpiredNow(byte[] k, int off, int len, long now) {
        Object e = table.get(k, off, len, KeyTable.hash(k, off, len));
        return e != null && Entries.hasExpire(e) && Entries.expireAt(e) <= now;
    }

    /** Finds an entry without expiring it or touching anything (DEBUG, introspection). */
    public Object peek(byte[] k, int off, int len) {
        return table.get(k, off, len, KeyTable.hash(k, off, len));
    }

    // ---- writes -------------------------------------------------------------------------------

    /**
     * Stores a string value, replacing any value of any type. {@code expireAt} is an absolute
     * Unix time in ms, -1 for none.
     */
    public void setString(byte[] k, int off, int len, byte[] v, int vOff, int vLen, int enc, long expireAt) {
        byte[] e = Entries.newString(k, off, len, v, vOff, vLen, enc, expireAt, lruClock());
        table.put(e, KeyTable.hash(k, off, len));
        modified(k, off, len);
    }

    /** Stores an object value (any type), replacing any value. */
    public void setObject(byte[] k, int off, int len, Object value, long expireAt) {
        byte[] key = java.util.Arrays.copyOfRange(k, off, off + len);
        table.put(new ObjectEntry(key, value, expireAt, lruClock()), KeyTable.hash(k, off, len));
        modified(k, off, len);
    }

    /** Puts an entry as is (RENAME, MOVE, COPY keep a prepared entry). */
    public void putEntry(Object entry) {
        byte[] k = Entries.keyArray(entry);
        int off = Entries.keyOffset(entry);
        int len = Entries.keyLength(entry);
        table.put(entry, KeyTable.hash(k, off, len));
        modified(k, off, len);
    }

    /** Deletes a key; returns whether it existed. */
    public boolean delete(byte[] k, int off, int len) {
        Object e = table.remove(k, off, len, KeyTable.hash(k, off, len));
        if (e != null) {
            modified(k, off, len);
            return true;
        }
        return false;
    }

    /** Removes and returns an entry (RENAME, MOVE, GETDEL). */
    public Object remove(byte[] k, int off, int len) {
        Object e = table.remove(k, off, len, KeyTable.hash(k, off, len));
        if (e != null) {
            modified(k, off, len);
        }
        return e;
    }

    /** Sets or clears (at = -1) the expiry of an existing entry; returns the stored entry. */
    public Object setExpire(Object entry, long at) {
        Object n = Entries.withExpire(entry, at);
        byte[] k = Entries.keyArray(n);
        int off = Entries.keyOffset(n);
        int len = Entries.keyLength(n);
        table.put(n, KeyTable.hash(k, off, len));
        modified(k, off, len);
        return n;
    }

    /** Empties the database (FLUSHDB). Returns the number of keys removed. */
    public long flush() {
        long n = table.size();
        server.transactions.touchAll(id, key -> table.get(key, 0, key.length, KeyTable.hash(key, 0, key.length)) != null);
        table = new KeyTable();
        return n;
    }

    /** SWAPDB: exchanges the contents of two databases. */
    public void swapWith(Database other) {
        KeyTable t = table;
        table = other.table;
        other.table = t;
    }

    /** Signals that a key changed (Redis signalModifiedKey: WATCH, later client tracking). */
    public void modified(byte[] k, int off, int len) {
        server.transactions.touch(id, k, off, len);
    }

    // ---- expiry -------------------------------------------------------------------------------

    /**
     * Deletes an expired entry on access (Redis deleteExpiredKeyAndPropagate). Returns whether
     * the key must be treated as missing.
     */
    private boolean expireNow(Object e, byte[] k, int off, int len) {
        table.remove(k, off, len, KeyTable.hash(k, off, len));
        server.stats.expiredKeys++;
        modified(k, off, len);
        server.expiry.expired(this, e);
        return true;
    }

    /** Active expiry over this database: visits entries with a TTL, bounded by {@code maxSlots}. */
    public long activeExpire(long cursor, int maxSlots, long now, int[] found) {
        return table.ttlScan(cursor, maxSlots, e -> {
            if (Entries.expireAt(e) <= now) {
                found[0]++;
                server.stats.expiredKeys++;
                server.transactions.touch(id, Entries.keyArray(e), Entries.keyOffset(e), Entries.keyLength(e));
                server.expiry.expired(this, e);
                return true;
            }
            found[1]++;
            return false;
        });
    }

    // ---- iteration --------------------------------------------------------------------------

    public long scan(long cursor, EntryVisitor v) {
        return table.scan(cursor, v);
    }

    public void forEach(EntryVisitor v) {
        table.forEach(v);
    }

    /** A random entry, not expired at {@code now}, or null (Redis dbRandomKey). */
    public Object randomEntry(long now) {
        // Bounded retries: a database full of expired keys must not loop forever.
        for (int tries = 0; tries < 100 && table.size() > 0; tries++) {
            Object e = table.randomEntry(ThreadLocalRandom.current());
            if (e == null) {
                return null;
            }
            if (Entries.hasExpire(e) && Entries.expireAt(e) <= now) {
                byte[] k = Entries.keyArray(e);
                expireNow(e, k, Entries.keyOffset(e), Entries.keyLength(e));
                continue;
            }
            return e;
        }
        return null;
    }

    public void rehashStep() {
        table.rehashStep(100);
    }

    public long memoryEstimate() {
        return table.memoryEstimate();
    }
}
