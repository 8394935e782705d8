package dev.cinnabar.ds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyTableTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] str(String k, String v) {
        return Entries.newString(b(k), b(v));
    }

    static byte[] strTtl(String k, String v, long at) {
        byte[] kb = b(k);
        byte[] vb = b(v);
        return Entries.newString(kb, 0, kb.length, vb, 0, vb.length, Entries.ENC_RAW, at, 0);
    }

    static String keyOf(Object e) {
        return new String(Entries.copyKey(e), StandardCharsets.UTF_8);
    }

    static Object get(KeyTable t, String k) {
        return t.get(b(k));
    }

    @Test
    void putGetRemove() {
        KeyTable t = new KeyTable();
        assertThat(t.put(str("a", "1"))).isNull();
        assertThat(t.put(new ObjectEntry(b("b"), "list"))).isNull();
        assertThat(t.size()).isEqualTo(2);
        assertThat(keyOf(get(t, "a"))).isEqualTo("a");
        assertThat(((ObjectEntry) get(t, "b")).value).isEqualTo("list");
        assertThat(get(t, "c")).isNull();

        byte[] a2 = str("a", "2");
        Object prev = t.put(a2);
        assertThat(keyOf(prev)).isEqualTo("a");
        assertThat(get(t, "a")).isSameAs(a2);
        assertThat(t.size()).isEqualTo(2);

        // Keys are compared by content, at any offset.
        byte[] buf = b("xxbxx");
        assertThat(t.get(buf, 2, 1, KeyTable.hash(buf, 2, 1))).isInstanceOf(ObjectEntry.class);
        assertThat(t.remove(buf, 2, 1, KeyTable.hash(buf, 2, 1))).isInstanceOf(ObjectEntry.class);
        assertThat(t.remove(b("b"))).isNull();
        assertThat(t.size()).isEqualTo(1);
        t.checkInvariants(true);
    }

    @Test
    void expiresCountFollowsPutReplaceAndRemove() {
        KeyTable t = new KeyTable();
        t.put(strTtl("a", "1", 100));
        t.put(str("b", "1"));
        ObjectEntry c = new ObjectEntry(b("c"), "x", 50, 0);
        t.put(c);
        assertThat(t.expiresCount()).isEqualTo(2);

        // Overwrite with a TTL-less value (SET without KEEPTTL).
        t.put(str("a", "2"));
        assertThat(t.expiresCount()).isEqualTo(1);

        // EXPIRE on a packed entry: new array, swapped in.
        byte[] bOld = (byte[]) get(t, "b");
        byte[] bNew = Entries.withExpire(bOld, 500);
        assertThat(t.replace(bOld, bNew, KeyTable.hash(b("b")))).isTrue();
        assertThat(get(t, "b")).isSameAs(bNew);
        assertThat(t.expiresCount()).isEqualTo(2);

        // PERSIST on an ObjectEntry in place, then tell the table.
        c.expireAt = -1;
        assertThat(t.replace(c, c, KeyTable.hash(b("c")))).isTrue();
        assertThat(t.expiresCount()).isEqualTo(1);
        assertThat(t.replace(str("zz", "1"), str("zz", "2"), KeyTable.hash(b("zz")))).isFalse();

        t.remove(b("b"));
        assertThat(t.expiresCount()).isZero();
        t.checkInvariants(true);
    }

    @Test
    void growthIsIncrementalAndLookupsSeeBothTables() {
        KeyTable t = new KeyTable();
        int n = 0;
        // Fill to the edge of a big grow, then trigger it.
        while (t.capacity() < 1 << 15 || t.isResizing()) {
            t.put(str("key:" + n, "v"));
            n++;
        }
        while (!t.isResizing()) {
            t.put(str("key:" + n, "v"));
            n++;
        }
        int target = t.capacity();
        assertThat(target).isEqualTo(1 << 16);
        // One more operation does only a bounded slice of the migration.
        t.put(str("key:" + n++, "v"));
        assertThat(t.isResizing()).isTrue();
        t.checkInvariants(true);
        for (int i = 0; i < n; i++) {
            assertThat(get(t, "key:" + i)).as("key %d", i).isNotNull();
        }
        // The lookups above did migration work too; the cron finishes the rest.
        int steps = 0;
        while (t.rehashStep(1000)) {
            steps++;
        }
        assertThat(steps).isLessThan(100);
        assertThat(t.isResizing()).isFalse();
        assertThat(t.size()).isEqualTo(n);
        t.checkInvariants(true);
    }

    @Test
    void shrinksIncrementallyWhenMostlyEmpty() {
        KeyTable t = new KeyTable();
        for (int i = 0; i < 20_000; i++) {
            t.put(str("k" + i, "v"));
        }
        while (t.rehashStep(1 << 20)) {
            // finish the last grow
        }
        int big = t.capacity();
        for (int i = 0; i < 19_990; i++) {
            assertThat(t.remove(b("k" + i))).isNotNull();
            if (i % 997 == 0) {
                t.checkInvariants(true);
            }
        }
        while (t.rehashStep(64)) {
            // drain
        }
        assertThat(t.capacity()).isLessThan(big / 64);
        assertThat(t.size()).isEqualTo(10);
        for (int i = 19_990; i < 20_000; i++) {
            assertThat(get(t, "k" + i)).isNotNull();
        }
        t.checkInvariants(true);
    }

    @Test
    void insertsDuringAShrinkNeverOverfillTheSmallTable() {
        // The slowest migration (1 slot per operation) and an insert storm right after a shrink
        // began: puts must speed the migration up before the new table reaches its limit.
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            KeyTable t = new KeyTable(0, 1);
            for (int i = 0; i < 40_000; i++) {
                t.put(str("a" + i, "v"));
            }
            while (t.rehashStep(1 << 20)) {
                // settle
            }
            int i = 0;
            while (!t.isResizing()) {
                t.remove(b("a" + i++));
            }
            int oldCapacity = t.capacity();
            int maxBatch = 0;
            for (int j = 0; j < 30_000; j++) {
                boolean shrinking = t.isResizing() && t.capacity() == oldCapacity;
                t.maxRehashBatchAndReset();
                t.put(str("b" + j, "v"));
                if (shrinking) {
                    maxBatch = Math.max(maxBatch, t.maxRehashBatchAndReset());
                }
                if (j % 1000 == 0) {
                    t.checkInvariants(true);
                }
            }
            t.checkInvariants(true);
            assertThat(t.size()).isEqualTo(40_000 - i + 30_000);
            assertThat(t.capacity()).isGreaterThan(oldCapacity);
            // Spread out: ~old capacity / insert headroom per put plus whole runs, never the whole
            // rest at once. Runs are moved whole and their length depends on the (per-process,
            // random) hash seed, so the bound leaves room for an occasional run of a few hundred.
            assertThat(maxBatch).isBetween(1, oldCapacity / 8);
        });
    }

    @Test
    void collidingHashesWrapAroundAndShiftBackCorrectly() {
        // Every key gets the same home bucket (the last one), so runs wrap past the array end.
        KeyTable t = new KeyTable();
        int h = 0x7FFFFFFE;
        Map<String, Object> model = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(5);
        for (int op = 0; op < 4000; op++) {
            String k = "c" + rnd.nextInt(60);
            byte[] kb = b(k);
            if (rnd.nextInt(3) == 0) {
                assertThat(t.remove(kb, 0, kb.length, h)).isSameAs(model.remove(k));
            } else {
                byte[] e = rnd.nextBoolean() ? str(k, "v" + op) : strTtl(k, "v" + op, op);
                assertThat(t.put(e, h)).isSameAs(model.put(k, e));
            }
            for (String mk : model.keySet()) {
                byte[] mb = b(mk);
                assertThat(t.get(mb, 0, mb.length, h)).isSameAs(model.get(mk));
            }
            t.checkInvariants(false);
        }
    }

    @Test
    void scanWithoutResizeReturnsEachEntryExactlyOnce() {
        KeyTable t = new KeyTable();
        for (int i = 0; i < 5000; i++) {
            t.put(str("s" + i, "v"));
        }
        while (t.rehashStep(1 << 20)) {
            // settle
        }
        List<String> seen = new ArrayList<>();
        long cursor = 0;
        int calls = 0;
        do {
            cursor = t.scan(cursor, e -> seen.add(keyOf(e)));
            calls++;
        } while (cursor != 0);
        assertThat(calls).isEqualTo(t.capacity());
        assertThat(seen).hasSize(5000).doesNotHaveDuplicates();
        assertThat(new KeyTable().scan(0, e -> { })).isZero();
    }

    @Test
    void reverseBinaryCursorCountsTopBitFirst() {
        // 8 buckets: 0, 4, 2, 6, 1, 5, 3, 7.
        long c = 0;
        List<Long> order = new ArrayList<>();
        do {
            order.add(c);
            c = KeyTable.nextCursor(c, 7);
        } while (c != 0);
        assertThat(order).containsExactly(0L, 4L, 2L, 6L, 1L, 5L, 3L, 7L);
        // Bits above the mask (from a bigger table before a shrink) are dropped.
        assertThat(KeyTable.nextCursor(4 + 64, 7)).isEqualTo(2);
    }

    @Test
    void ttlScanOffersExactlyTheEntriesWithTtl() {
        KeyTable t = new KeyTable();
        Set<String> withTtl = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            if (i % 3 == 0) {
                t.put(strTtl("t" + i, "v", 1000 + i));
                withTtl.add("t" + i);
            } else if (i % 3 == 1) {
                t.put(new ObjectEntry(b("t" + i), "obj", i % 2 == 0 ? 1000 + i : -1, 0));
                if (i % 2 == 0) {
                    withTtl.add("t" + i);
                }
            } else {
                t.put(str("t" + i, "v"));
            }
        }
        while (t.rehashStep(1 << 20)) {
            // settle
        }
        assertThat(t.expiresCount()).isEqualTo(withTtl.size());
        List<String> seen = new ArrayList<>();
        long cursor = 0;
        do {
            cursor = t.ttlScan(cursor, 100, e -> {
                seen.add(keyOf(e));
                return false;
            });
            assertThat(t.lastExamined()).isLessThanOrEqualTo(100);
        } while (cursor != 0);
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(withTtl);
    }

    @Test
    void ttlScanDeletesWhatTheVisitorExpires() {
        KeyTable t = new KeyTable();
        for (int i = 0; i < 4000; i++) {
            t.put(strTtl("e" + i, "v", i));
        }
        for (int i = 0; i < 1000; i++) {
            t.put(str("p" + i, "v"));
        }
        while (t.rehashStep(1 << 20)) {
            // settle
        }
        long now = 2000; // entries with expireAt < 2000 are expired
        long cursor = 0;
        do {
            cursor = t.ttlScan(cursor, 64, e -> Entries.expireAt(e) < now);
        } while (cursor != 0);
        assertThat(t.size()).isEqualTo(3000);
        assertThat(t.expiresCount()).isEqualTo(2000);
        for (int i = 0; i < 4000; i++) {
            assertThat(get(t, "e" + i) != null).as("e%d", i).isEqualTo(i >= 2000);
        }
        t.checkInvariants(true);
    }

    @Test
    void visitorsMayReadButNotWrite() {
        KeyTable t = new KeyTable();
        for (int i = 0; i < 100; i++) {
            t.put(strTtl("m" + i, "v", 5));
        }
        EntryVisitor reads = e -> assertThat(t.get(Entries.copyKey(e))).isSameAs(e);
        t.forEach(reads);
        t.scan(0, reads);
        assertThatThrownBy(() -> t.forEach(e -> t.put(str("new", "v"))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> {
            long c = 0;
            do {
                c = t.scan(c, e -> t.remove(Entries.copyKey(e)));
            } while (c != 0);
        }).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> t.ttlScan(0, 1000, e -> t.remove(Entries.copyKey(e)) != null))
                .isInstanceOf(IllegalStateException.class);
        // The guard is released after a visitor throws.
        t.put(str("after", "v"));
        assertThat(t.size()).isEqualTo(101);
    }

    @Test
    void randomEntryIsFairAlsoDuringResize() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (boolean resizing : new boolean[] {false, true}) {
            KeyTable t = new KeyTable();
            int n = 0;
            while (!(t.isResizing() == resizing && n >= 40)) {
                t.put(str("r" + n, "v"));
                n++;
                if (!resizing) {
                    t.rehashStep(1 << 20);
                }
            }
            Map<String, Integer> hits = new HashMap<>();
            int samples = n * 200;
            for (int s = 0; s < samples; s++) {
                hits.merge(keyOf(t.randomEntry(rnd)), 1, Integer::sum);
            }
            assertThat(hits).hasSize(n);
            double chi2 = 0;
            for (int c : hits.values()) {
                chi2 += (c - 200.0) * (c - 200.0) / 200.0;
            }
            // n-1 degrees of freedom; mean n-1, generous bound.
            assertThat(chi2).as("resizing=%s n=%d", resizing, n).isLessThan(2.0 * n + 60);
        }
        assertThat(new KeyTable().randomEntry(rnd)).isNull();
    }

    @Test
    void clearAndMemoryEstimate() {
        KeyTable t = new KeyTable();
        long empty = t.memoryEstimate();
        assertThat(empty).isEqualTo(80 + 2 * Entries.arrayBytes(4L * KeyTable.MIN_CAPACITY));
        for (int i = 0; i < 1000; i++) {
            t.put(strTtl("z" + i, "v", 1));
        }
        assertThat(t.memoryEstimate()).isGreaterThan(2L * 4 * 1024);
        t.clear();
        assertThat(t.size()).isZero();
        assertThat(t.expiresCount()).isZero();
        assertThat(t.isResizing()).isFalse();
        assertThat(t.memoryEstimate()).isEqualTo(empty);
        assertThat(get(t, "z1")).isNull();
        t.checkInvariants(true);
    }

    @Test
    void capacityFor() {
        assertThat(KeyTable.capacityFor(0)).isEqualTo(KeyTable.MIN_CAPACITY);
        assertThat(KeyTable.capacityFor(4)).isEqualTo(8);
        assertThat(KeyTable.capacityFor(5)).isEqualTo(16);
        assertThat(KeyTable.capacityFor(1000)).isEqualTo(2048);
        assertThat(new KeyTable(1000).capacity()).isEqualTo(2048);
    }
}
