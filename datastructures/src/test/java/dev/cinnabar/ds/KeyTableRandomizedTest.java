package dev.cinnabar.ds;

import static dev.cinnabar.ds.KeyTableTest.b;
import static dev.cinnabar.ds.KeyTableTest.keyOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Randomized operation sequences against a HashMap model, with sizes swinging across several
 * grow and shrink thresholds so that many operations land in the middle of an incremental
 * resize; and the SCAN guarantee under resizes.
 */
class KeyTableRandomizedTest {
    private static final int[] TARGETS = {3, 40, 400, 3000};

    /** Table hash used by a run: real, or squeezed to few distinct homes to force long runs. */
    private record Hasher(boolean lowEntropy) {
        int of(String k) {
            byte[] kb = b(k);
            int h = KeyTable.hash(kb, 0, kb.length);
            return lowEntropy ? h & 0xFE : h;
        }
    }

    @Test
    void matchesHashMapModel() {
        int[] opsWhileResizing = new int[1];
        Seeds.check(40, rnd -> opsWhileResizing[0] += runModel(rnd));
        // Typically 3000-5000 of ~150k: each of those runs interleaves with a migration.
        assertThat(opsWhileResizing[0]).as("operations that met a resize under way").isGreaterThan(1500);
    }

    private static int runModel(SplittableRandom rnd) {
        Hasher hasher = new Hasher(rnd.nextInt(5) == 0);
        int maxTarget = hasher.lowEntropy() ? 2 : TARGETS.length;
        // A small per-operation migration budget keeps resizes under way for longer.
        KeyTable t = new KeyTable(0, rnd.nextBoolean() ? 1 : 1 + rnd.nextInt(KeyTable.OP_REHASH_BUDGET));
        MemoryCounter counter = new MemoryCounter();
        t.counter(counter);
        Map<String, Object> model = new HashMap<>();
        int resizingOps = 0;
        int phases = 2 + rnd.nextInt(4);
        int op = 0;
        for (int phase = 0; phase < phases; phase++) {
            int target = TARGETS[rnd.nextInt(maxTarget)];
            int domain = target * 2 + 1;
            int ops = 200 + rnd.nextInt(target * 6 + 200);
            for (int i = 0; i < ops; i++, op++) {
                if (t.isResizing()) {
                    resizingOps++;
                }
                String k = "k" + rnd.nextInt(domain);
                int h = hasher.of(k);
                byte[] kb = b(k);
                int kind = rnd.nextInt(100);
                boolean grow = model.size() < target;
                if (kind < (grow ? 50 : 25)) {
                    Object e = newEntry(rnd, k, op);
                    assertThat(t.put(e, h)).isSameAs(model.put(k, e));
                } else if (kind < 70) {
                    assertThat(t.remove(kb, 0, kb.length, h)).isSameAs(model.remove(k));
                } else if (kind < 85) {
                    assertThat(t.get(kb, 0, kb.length, h)).isSameAs(model.get(k));
                } else if (kind < 93) {
                    Object cur = model.get(k);
                    if (cur != null) {
                        Object next = changeExpiry(rnd, cur);
                        assertThat(t.replace(cur, next, h)).isTrue();
                        model.put(k, next);
                    }
                } else if (kind < 96) {
                    t.rehashStep(1 + rnd.nextInt(64));
                } else if (kind < 97) {
                    Object r = t.randomEntry(rnd);
                    if (model.isEmpty()) {
                        assertThat(r).isNull();
                    } else {
                        assertThat(model.get(keyOf(r))).isSameAs(r);
                    }
                } else if (kind < 98) {
                    checkSample(rnd, t, model);
                } else {
                    ttlPass(rnd, t, model);
                }
                assertThat(t.size()).isEqualTo(model.size());
                if (op % 97 == 0) {
                    t.checkInvariants(!hasher.lowEntropy());
                    assertThat(t.expiresCount()).isEqualTo(countTtl(model));
                    checkAccounting(t, counter, model);
                }
            }
        }
        t.checkInvariants(!hasher.lowEntropy());
        Map<String, Object> all = new HashMap<>();
        t.forEach(e -> assertThat(all.put(keyOf(e), e)).isNull());
        assertThat(all).isEqualTo(model);
        assertThat(t.expiresCount()).isEqualTo(countTtl(model));
        checkAccounting(t, counter, model);
        t.clear();
        checkAccounting(t, counter, Map.of());
        t.counter(null);
        assertThat(counter.bytes()).isZero();
        return resizingOps;
    }

    /** The entry bytes kept by every mutation equal a recount, and the counter follows. */
    private static void checkAccounting(KeyTable t, MemoryCounter counter, Map<String, Object> model) {
        long entries = 0;
        for (Object e : model.values()) {
            entries += Entries.footprint(e);
        }
        assertThat(t.entryBytes()).isEqualTo(entries);
        assertThat(counter.bytes()).isEqualTo(t.footprint()).isEqualTo(t.memoryEstimate() + entries);
    }

    /** Eviction sampling: entries of the table (with a TTL if asked), never none when some fit. */
    private static void checkSample(SplittableRandom rnd, KeyTable t, Map<String, Object> model) {
        boolean ttlOnly = rnd.nextBoolean();
        Object[] out = new Object[1 + rnd.nextInt(8)];
        int n = t.sample(rnd, out, out.length, ttlOnly);
        long candidates = ttlOnly ? countTtl(model) : model.size();
        assertThat(n > 0).isEqualTo(candidates > 0);
        for (int i = 0; i < n; i++) {
            assertThat(model.get(keyOf(out[i]))).isSameAs(out[i]);
            if (ttlOnly) {
                assertThat(Entries.hasExpire(out[i])).isTrue();
            }
        }
    }

    /** A full ttlScan pass; exact when no resize is under way, and expiring a random subset. */
    private static void ttlPass(SplittableRandom rnd, KeyTable t, Map<String, Object> model) {
        boolean exact = !t.isResizing();
        boolean expire = rnd.nextBoolean();
        Set<String> offered = new HashSet<>();
        long salt = rnd.nextLong();
        long cursor = 0;
        int calls = 0;
        do {
            cursor = t.ttlScan(cursor, 1 + rnd.nextInt(200), e -> {
                String k = keyOf(e);
                assertThat(Entries.hasExpire(e)).isTrue();
                assertThat(model.get(k)).isSameAs(e);
                offered.add(k);
                boolean delete = expire && ((k.hashCode() ^ salt) & 3) == 0;
                if (delete) {
                    model.remove(k);
                }
                return delete;
            });
            calls++;
        } while (cursor != 0 && calls < 1_000_000);
        assertThat(cursor).isZero();
        if (exact && !expire) {
            Set<String> ttlKeys = new HashSet<>();
            model.forEach((k, e) -> {
                if (Entries.hasExpire(e)) {
                    ttlKeys.add(k);
                }
            });
            assertThat(offered).isEqualTo(ttlKeys);
        }
    }

    private static Object newEntry(SplittableRandom rnd, String k, int op) {
        long at = rnd.nextBoolean() ? 1000 + op : -1;
        if (rnd.nextInt(4) == 0) {
            return new ObjectEntry(b(k), "obj" + op, at, op);
        }
        byte[] kb = b(k);
        byte[] v = b("value-" + op);
        return Entries.newString(kb, 0, kb.length, v, 0, v.length, Entries.ENC_RAW, at, op);
    }

    private static Object changeExpiry(SplittableRandom rnd, Object cur) {
        long at = Entries.hasExpire(cur) && rnd.nextBoolean() ? -1 : rnd.nextLong(1, 1 << 40);
        if (cur instanceof ObjectEntry o) {
            // In place, then announced with the same object twice.
            o.expireAt = at;
            return o;
        }
        return Entries.withExpire((byte[]) cur, at);
    }

    private static int countTtl(Map<String, Object> model) {
        int n = 0;
        for (Object e : model.values()) {
            n += Entries.hasExpire(e) ? 1 : 0;
        }
        return n;
    }

    @Test
    void scanReturnsEveryEntryPresentThroughoutDespiteResizes() {
        int[] resizingSteps = new int[1];
        Seeds.check(60, rnd -> {
            KeyTable t = new KeyTable(0, 1 + rnd.nextInt(KeyTable.OP_REHASH_BUDGET));
            int n0 = rnd.nextInt(1500);
            Set<String> stable = new HashSet<>();
            for (int i = 0; i < n0; i++) {
                t.put(KeyTableTest.str("s" + i, "v"));
                stable.add("s" + i);
            }
            List<String> extra = new ArrayList<>();
            int nextExtra = 0;
            Set<String> seen = new HashSet<>();
            long cursor = 0;
            int steps = 0;
            do {
                cursor = t.scan(cursor, e -> seen.add(keyOf(e)));
                steps++;
                if (t.isResizing()) {
                    resizingSteps[0]++;
                }
                int dice = rnd.nextInt(100);
                if (dice < 2) {
                    // Growth burst: may double the table a few times.
                    int burst = rnd.nextInt(4 * n0 + 50);
                    for (int i = 0; i < burst; i++) {
                        String k = "x" + nextExtra++;
                        t.put(KeyTableTest.str(k, "v"));
                        extra.add(k);
                    }
                } else if (dice < 4) {
                    // Shrink burst: drop most extra keys and some stable ones (which then need
                    // not be returned any more).
                    while (extra.size() > 3) {
                        t.remove(b(extra.removeLast()));
                    }
                    for (int i = 0; i < n0; i += 1 + rnd.nextInt(4)) {
                        if (stable.remove("s" + i)) {
                            t.remove(b("s" + i));
                        }
                    }
                } else if (dice < 6) {
                    t.rehashStep(1 + rnd.nextInt(100));
                } else if (dice < 20 && !extra.isEmpty()) {
                    t.remove(b(extra.remove(rnd.nextInt(extra.size()))));
                }
            } while (cursor != 0 && steps < 1_000_000);
            assertThat(cursor).isZero();
            assertThat(seen).containsAll(stable);
        });
        assertThat(resizingSteps[0]).as("scan steps that met a resize under way").isGreaterThan(1000);
    }

    @Test
    void ttlScanEventuallyExpiresEverythingAcrossResizes() {
        Seeds.check(20, rnd -> {
            KeyTable t = new KeyTable();
            int n = 200 + rnd.nextInt(2000);
            for (int i = 0; i < n; i++) {
                t.put(KeyTableTest.strTtl("e" + i, "v", 1));
            }
            int extra = 0;
            long cursor = 0;
            int passes = 0;
            int calls = 0;
            // Deletions shrink the table (restarting passes), so count calls, not passes: the
            // bound is generous, the point is that no TTL entry stays behind for good.
            for (; t.expiresCount() > 0 && calls < 200_000; calls++) {
                cursor = t.ttlScan(cursor, 1 + rnd.nextInt(100), e -> true);
                if (cursor == 0) {
                    passes++;
                }
                // Churn during the first pass only: resizes in both directions.
                if (passes == 0 && rnd.nextInt(20) == 0) {
                    if (rnd.nextBoolean()) {
                        for (int i = rnd.nextInt(3 * n); i > 0; i--) {
                            t.put(KeyTableTest.str("p" + extra++, "v"));
                        }
                    } else {
                        while (extra > 0) {
                            t.remove(b("p" + --extra));
                        }
                    }
                }
            }
            assertThat(t.expiresCount()).as("after %d calls", calls).isZero();
            assertThat(t.size()).isEqualTo(extra);
            t.checkInvariants(true);
        });
    }
}
