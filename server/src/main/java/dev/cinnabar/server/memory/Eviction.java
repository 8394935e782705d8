package dev.cinnabar.server.memory;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.ClientPause;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.config.ConfigEnums.MaxmemoryPolicy;
import dev.cinnabar.server.config.MemoryParams;
import dev.cinnabar.server.keyspace.Database;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Key eviction under maxmemory, as Redis's evict.c: before a command runs (and from a
 * background task after a time-limited pass) keys are deleted by the configured policy until
 * the accounted memory ({@link Memory#used()}) is back under maxmemory.
 *
 * <p>LRU, LFU and volatile-ttl are approximated as Redis does: every pass samples
 * maxmemory-samples keys of every database (keys with a TTL only for volatile-*) into a pool of
 * the 16 best candidates seen so far, kept across passes, and evicts the best one that still
 * exists. The score is the idle time (LRU), 255 minus the decayed frequency counter (LFU) or
 * how soon the key expires (TTL); access data is the per-entry LRU word that OBJECT IDLETIME and
 * OBJECT FREQ read. The random policies take a random key, one database after the other.
 *
 * <p>The effort per call is bounded by maxmemory-eviction-tenacity (Redis's time limit,
 * checked every 16 keys); what is left is done by a task that runs again and again on an event
 * loop until memory is under the limit or nothing can be evicted. Evictions stop while a
 * CLIENT PAUSE WRITE holds them back.
 *
 * <p>Allocation-free in the steady state: the pool copies keys into reused arrays. Accessed with
 * the server lock held.
 */
public final class Eviction {
    /** Memory is under the limit (or eviction is not possible now). */
    public static final int OK = 0;
    /** Over the limit, some keys evicted, the background task goes on. */
    public static final int RUNNING = 1;
    /** Over the limit and nothing (more) can be evicted: denyoom commands are refused. */
    public static final int FAIL = 2;

    static final int POOL_SIZE = 16;
    /** Keys up to this length are copied into the pool slot's own array. */
    static final int POOL_KEY_CACHE = 255;

    private final Server server;
    private final Memory memory;

    // The pool, ordered by score ascending: the best candidate is the rightmost non-empty slot.
    // Slots are filled from the left; an empty slot has key == null.
    private final long[] score = new long[POOL_SIZE];
    private final byte[][] key = new byte[POOL_SIZE][];
    private final byte[][] cache = new byte[POOL_SIZE][];
    private final int[] keyLen = new int[POOL_SIZE];
    private final int[] db = new int[POOL_SIZE];
    private Object[] samples = new Object[8];

    /** Database the random policies try next. */
    private int nextDb;
    /** Database of the key the last {@link #bestFromPool} / {@link #randomKey} returned. */
    private int pickedDb;
    /** Whether the background task is scheduled. */
    private boolean taskRunning;
    private final Runnable task = this::backgroundPass;
    /**
     * The result of the check made before the running command (Redis pre_command_oom_state):
     * scripts refuse denyoom calls when it was FAIL.
     */
    public boolean preCommandOom;

    public Eviction(Server server) {
        this.server = server;
        this.memory = server.memory;
        for (int i = 0; i < POOL_SIZE; i++) {
            cache[i] = new byte[POOL_KEY_CACHE];
        }
    }

    /**
     * Redis processCommand's maxmemory step: with maxmemory set, counts the client's current
     * buffers and evicts as needed; returns whether the command must be refused if it may use
     * memory (the eviction result is FAIL).
     */
    public boolean outOfMemory(Client c) {
        memory.updateClient(c);
        boolean oom = performEvictions() == FAIL;
        preCommandOom = oom;
        return oom;
    }

    /** Redis getMaxmemoryState: bytes to free to get under maxmemory, 0 when under it. */
    long toFree() {
        long max = server.config.memory.maxmemory.get();
        if (max == 0) {
            return 0;
        }
        long used = memory.used() - memory.notCountedForEvict();
        // maxmemory is unsigned: a value above Long.MAX_VALUE is no limit in practice.
        return max < 0 || used <= max ? 0 : used - max;
    }

    /**
     * Redis performEvictions: frees memory until under maxmemory, for at most the time the
     * tenacity allows. Returns {@link #OK}, {@link #RUNNING} or {@link #FAIL}.
     */
    public int performEvictions() {
        if (server.pause.paused(ClientPause.EVICT)) {
            return OK; // as if nothing were needed; the pause ends and the next check evicts
        }
        if (server.config.replication.replicaIgnoreMaxmemory.get() && server.replication.replicaOf.isReplica()) {
            return OK; // a replica's data set is its master's: the master evicts, its DELs follow
        }
        int result;
        long toFree = toFree();
        MemoryParams cfg = server.config.memory;
        MaxmemoryPolicy policy = cfg.maxmemoryPolicy.get();
        if (toFree == 0) {
            result = OK;
        } else if (policy == MaxmemoryPolicy.NOEVICTION) {
            result = FAIL;
        } else {
            result = evict(toFree, policy, cfg);
        }
        exceeded(result);
        return result;
    }

    private int evict(long toFree, MaxmemoryPolicy policy, MemoryParams cfg) {
        long limitMicros = timeLimitMicros(cfg.maxmemoryEvictionTenacity.get());
        boolean lazy = cfg.lazyfreeLazyEviction.get();
        long start = server.clock.monoMicros();
        long freed = 0;
        int keys = 0;
        while (freed < toFree) {
            Database victimDb = null;
            Object victim = null;
            if (policy.lru() || policy.lfu() || policy == MaxmemoryPolicy.VOLATILE_TTL) {
                victim = bestFromPool(policy, cfg.maxmemorySamples.get());
                if (victim != null) {
                    victimDb = server.db(pickedDb);
                }
            } else {
                victim = randomKey(policy.allKeys());
                if (victim != null) {
                    victimDb = server.db(pickedDb);
                }
            }
            if (victim == null) {
                return FAIL; // nothing left to evict
            }
            freed += victimDb.evict(victim);
            keys++;
            if (keys % 16 == 0) {
                // With lazy freeing Redis frees in the background and re-checks the real usage;
                // our accounting drops at once, so the check only confirms the loop condition.
                if (lazy && toFree() == 0) {
                    break;
                }
                if (server.clock.monoMicros() - start > limitMicros) {
                    startBackgroundTask();
                    break;
                }
            }
        }
        return taskRunning ? RUNNING : OK;
    }

    /**
     * Refills the pool from every database and pops the best candidate that still exists (and
     * still has a TTL for volatile policies); null when no database has a candidate.
     */
    private Object bestFromPool(MaxmemoryPolicy policy, int samplesPerDb) {
        boolean allKeys = policy.allKeys();
        if (samples.length < samplesPerDb) {
            samples = new Object[samplesPerDb];
        }
        while (true) {
            long candidates = 0;
            for (Database d : server.dbs()) {
                long n = allKeys ? d.size() : d.expiresCount();
                if (n != 0) {
                    populate(d, allKeys, policy, samplesPerDb);
                    candidates += n;
                }
            }
            if (candidates == 0) {
                return null;
            }
            for (int k = POOL_SIZE - 1; k >= 0; k--) {
                if (key[k] == null) {
                    continue;
                }
                Database d = server.db(db[k]);
                Object e = d.peek(key[k], 0, keyLen[k]);
                key[k] = null;
                score[k] = 0;
                if (e != null && (allKeys || Entries.hasExpire(e))) {
                    pickedDb = d.id;
                    return e;
                }
                // A ghost: deleted (or made persistent) since it was sampled; try the next.
            }
        }
    }

    /** Redis evictionPoolPopulate: samples one database and merges the keys into the pool. */
    private void populate(Database d, boolean allKeys, MaxmemoryPolicy policy, int count) {
        Object[] out = samples;
        int n = d.sample(ThreadLocalRandom.current(), out, count, !allKeys);
        for (int j = 0; j < n; j++) {
            Object e = out[j];
            out[j] = null;
            long s;
            if (policy.lru()) {
                s = d.idleMillis(e);
            } else if (policy.lfu()) {
                s = 255 - d.lfuCounter(Entries.lru(e));
            } else {
                // volatile-ttl: the sooner it expires, the better a candidate.
                s = Long.MAX_VALUE - Entries.expireAt(e);
            }
            insert(s, e, d.id);
        }
    }

    /** Inserts a candidate in score order, dropping the worst one when the pool is full. */
    private void insert(long s, Object e, int dbId) {
        int k = 0;
        while (k < POOL_SIZE && key[k] != null && score[k] < s) {
            k++;
        }
        if (k == 0 && key[POOL_SIZE - 1] != null) {
            return; // worse than every candidate of a full pool
        }
        if (k < POOL_SIZE && key[k] == null) {
            // an empty slot: take it as is
        } else if (key[POOL_SIZE - 1] == null) {
            // Room on the right: shift k.. one slot right; the last slot's array moves to k.
            byte[] spare = cache[POOL_SIZE - 1];
            shift(k, k + 1, POOL_SIZE - 1 - k);
            cache[k] = spare;
        } else {
            // Full: drop the worst (leftmost) and insert just before the first better one.
            k--;
            byte[] spare = cache[0];
            shift(1, 0, k);
            cache[k] = spare;
        }
        int len = Entries.keyLength(e);
        byte[] dst = len <= POOL_KEY_CACHE ? cache[k] : new byte[len];
        System.arraycopy(Entries.keyArray(e), Entries.keyOffset(e), dst, 0, len);
        key[k] = dst;
        keyLen[k] = len;
        score[k] = s;
        db[k] = dbId;
    }

    private void shift(int from, int to, int n) {
        System.arraycopy(score, from, score, to, n);
        System.arraycopy(key, from, key, to, n);
        System.arraycopy(cache, from, cache, to, n);
        System.arraycopy(keyLen, from, keyLen, to, n);
        System.arraycopy(db, from, db, to, n);
    }

    /** allkeys-random / volatile-random: a random key of the next database that has one. */
    private Object randomKey(boolean allKeys) {
        Database[] dbs = server.dbs();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < dbs.length; i++) {
            nextDb = (nextDb + 1) % dbs.length;
            Database d = dbs[nextDb];
            Object e = null;
            if (allKeys && d.size() != 0) {
                e = d.anyEntry(rnd);
            } else if (!allKeys && d.expiresCount() != 0) {
                e = d.sample(rnd, samples, 1, true) == 1 ? samples[0] : null;
                samples[0] = null;
            }
            if (e != null) {
                pickedDb = d.id;
                return e;
            }
        }
        return null;
    }

    /** Redis evictionTimeLimitUs: 50 µs per point up to 10, then +15% a point, 100 = none. */
    static long timeLimitMicros(int tenacity) {
        if (tenacity <= 10) {
            return 50L * tenacity;
        }
        if (tenacity < 100) {
            return (long) (500.0 * Math.pow(1.15, tenacity - 10.0));
        }
        return Long.MAX_VALUE;
    }

    /** Redis's eviction-exceeded time statistics. */
    private void exceeded(int result) {
        var st = server.stats;
        if (result != OK) {
            if (st.evictionExceededSince == 0) {
                st.evictionExceededSince = Math.max(1, server.clock.monoMicros());
            }
        } else if (st.evictionExceededSince != 0) {
            st.evictionExceededMicros += server.clock.monoMicros() - st.evictionExceededSince;
            st.evictionExceededSince = 0;
        }
    }

    /** Microseconds of the current episode over maxmemory, 0 when under it. */
    public long currentExceededMicros() {
        long since = server.stats.evictionExceededSince;
        return since == 0 ? 0 : server.clock.monoMicros() - since;
    }

    /**
     * Redis startEvictionTimeProc: keeps evicting from an event loop, between commands, until
     * memory is under the limit or nothing can be evicted. CONFIG SET maxmemory starts it too,
     * so lowering the limit evicts right away even with no traffic.
     */
    public void startBackgroundTask() {
        if (!taskRunning && server.execute(task)) {
            taskRunning = true;
        }
    }

    private void backgroundPass() {
        server.runLocked(() -> {
            taskRunning = false;
            if (server.stopped()) {
                return;
            }
            if (performEvictions() == RUNNING) {
                startBackgroundTask();
            }
        });
    }
}
