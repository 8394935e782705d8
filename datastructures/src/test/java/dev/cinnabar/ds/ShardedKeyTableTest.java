package dev.cinnabar.ds;

import static dev.cinnabar.ds.KeyTableTest.b;
import static dev.cinnabar.ds.KeyTableTest.keyOf;
import static dev.cinnabar.ds.KeyTableTest.str;
import static dev.cinnabar.ds.KeyTableTest.strTtl;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShardedKeyTableTest {

    @Test
    void tokensCarrySlotAndHash() {
        byte[] k = b("foo");
        long token = ShardedKeyTable.token(k);
        assertThat(ShardedKeyTable.slotOf(token)).isEqualTo(12182);
        assertThat(ShardedKeyTable.hashOf(token)).isEqualTo(KeyTable.hash(k));
        assertThat(ShardedKeyTable.shardOfSlot(12182)).isEqualTo(11);
        assertThat(ShardedKeyTable.shardOfSlot(0)).isZero();
        assertThat(ShardedKeyTable.shardOfSlot(16383)).isEqualTo(15);
        // A negative table hash must not leak into the slot half.
        for (int i = 0; i < 1000; i++) {
            long t = ShardedKeyTable.token(b("k" + i));
            assertThat(ShardedKeyTable.slotOf(t)).isBetween(0, 16383);
        }
    }

    @Test
    void routesBySlotAndCreatesShardsLazily() {
        ShardedKeyTable db = new ShardedKeyTable();
        long emptyBytes = db.memoryEstimate();
        assertThat(emptyBytes).isLessThan(100);
        db.put(str("foo", "1"));
        assertThat(db.shard(11)).isNotNull();
        for (int s = 0; s < ShardedKeyTable.SHARDS; s++) {
            if (s != 11) {
                assertThat(db.shard(s)).isNull();
            }
        }
        // Hash tags keep related keys together.
        db.put(str("{foo}.a", "2"));
        db.put(str("{foo}.b", "3"));
        assertThat(db.shard(11).size()).isEqualTo(3);
        assertThat(db.memoryEstimate()).isLessThan(emptyBytes + 200);

        byte[] k = b("{foo}.a");
        long token = ShardedKeyTable.token(k);
        assertThat(keyOf(db.get(token, k, 0, k.length))).isEqualTo("{foo}.a");
        byte[] updated = str("{foo}.a", "4");
        assertThat(keyOf(db.put(token, updated))).isEqualTo("{foo}.a");
        assertThat(db.get(k)).isSameAs(updated);
        byte[] withTtl = Entries.withExpire(updated, 99);
        assertThat(db.replace(token, updated, withTtl)).isTrue();
        assertThat(db.expiresCount()).isEqualTo(1);
        assertThat(db.remove(token, k, 0, k.length)).isSameAs(withTtl);
        assertThat(db.remove(b("nope"))).isNull();
        assertThat(db.get(b("nope"))).isNull();
        assertThat(db.size()).isEqualTo(2);
        assertThat(db.expiresCount()).isZero();

        db.clear();
        assertThat(db.isEmpty()).isTrue();
        assertThat(db.shard(11)).isNull();
        assertThat(db.memoryEstimate()).isEqualTo(emptyBytes);
    }

    @Test
    void modelAndScanAcrossShardsAndResizes() {
        Seeds.check(8, rnd -> {
            ShardedKeyTable db = new ShardedKeyTable();
            Map<String, Object> model = new HashMap<>();
            for (int i = 0; i < 6000; i++) {
                String k = "m" + rnd.nextInt(3000);
                if (rnd.nextInt(3) == 0) {
                    assertThat(db.remove(b(k))).isSameAs(model.remove(k));
                } else {
                    Object e = rnd.nextBoolean() ? str(k, "v") : strTtl(k, "v", i);
                    assertThat(db.put(e)).isSameAs(model.put(k, e));
                }
                if (rnd.nextInt(50) == 0) {
                    db.rehashStep(rnd.nextInt(100));
                }
            }
            assertThat(db.size()).isEqualTo(model.size());
            assertThat(db.expiresCount()).isEqualTo(
                    model.values().stream().filter(Entries::hasExpire).count());
            Map<String, Object> all = new HashMap<>();
            db.forEach(e -> all.put(keyOf(e), e));
            assertThat(all).isEqualTo(model);

            // SCAN while growing and shrinking several shards.
            Set<String> stable = new HashSet<>(model.keySet());
            Set<String> seen = new HashSet<>();
            List<String> extra = new ArrayList<>();
            long cursor = 0;
            int steps = 0;
            do {
                cursor = db.scan(cursor, e -> seen.add(keyOf(e)));
                steps++;
                int dice = rnd.nextInt(100);
                if (dice < 3) {
                    for (int i = rnd.nextInt(5000); i > 0; i--) {
                        String k = "x" + extra.size();
                        db.put(str(k, "v"));
                        extra.add(k);
                    }
                } else if (dice < 6) {
                    while (!extra.isEmpty()) {
                        db.remove(b(extra.removeLast()));
                    }
                }
            } while (cursor != 0 && steps < 1_000_000);
            assertThat(cursor).isZero();
            assertThat(seen).containsAll(stable);
        });
    }

    @Test
    void ttlScanVisitsExactlyTheTtlEntriesOfAllShards() {
        ShardedKeyTable db = new ShardedKeyTable();
        Set<String> ttl = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            if (i % 4 == 0) {
                db.put(strTtl("t" + i, "v", i));
                ttl.add("t" + i);
            } else {
                db.put(str("t" + i, "v"));
            }
        }
        while (db.rehashStep(1 << 20)) {
            // settle
        }
        List<String> seen = new ArrayList<>();
        long cursor = 0;
        int calls = 0;
        do {
            cursor = db.ttlScan(cursor, 50, e -> {
                seen.add(keyOf(e));
                return false;
            });
            calls++;
        } while (cursor != 0);
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ttl);
        assertThat(calls).isGreaterThan(5000 * 4 / 3 / 50 / 2);

        // Expire half of them through the visitor's decision.
        cursor = 0;
        do {
            cursor = db.ttlScan(cursor, 50, e -> Entries.expireAt(e) % 8 == 0);
        } while (cursor != 0);
        assertThat(db.expiresCount()).isEqualTo(625);
        assertThat(db.size()).isEqualTo(5000 - 625);
    }

    @Test
    void randomEntryIsFairAcrossUnevenShards() {
        ShardedKeyTable db = new ShardedKeyTable();
        // 30 keys in one shard (one hash tag), 10 spread out.
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            keys.add("{tag}" + i);
        }
        for (int i = 0; i < 10; i++) {
            keys.add("spread" + i);
        }
        keys.forEach(k -> db.put(str(k, "v")));
        SplittableRandom rnd = new SplittableRandom(3);
        Map<String, Integer> hits = new HashMap<>();
        int perKey = 300;
        for (int i = 0; i < keys.size() * perKey; i++) {
            hits.merge(keyOf(db.randomEntry(rnd)), 1, Integer::sum);
        }
        assertThat(hits.keySet()).containsExactlyInAnyOrderElementsOf(keys);
        double chi2 = 0;
        for (int c : hits.values()) {
            chi2 += (c - (double) perKey) * (c - (double) perKey) / perKey;
        }
        assertThat(chi2).isLessThan(2.0 * keys.size() + 60);
        assertThat(new ShardedKeyTable().randomEntry(rnd)).isNull();
    }

    @Test
    void rehashStepServesEveryResizingShard() {
        ShardedKeyTable db = new ShardedKeyTable();
        for (int i = 0; i < 50_000; i++) {
            db.put(str("r" + i, "v"));
        }
        int steps = 0;
        while (db.rehashStep(256)) {
            steps++;
        }
        assertThat(steps).isLessThan(2000);
        for (int s = 0; s < ShardedKeyTable.SHARDS; s++) {
            assertThat(db.shard(s).isResizing()).isFalse();
            db.shard(s).checkInvariants(true);
        }
        assertThat(db.size()).isEqualTo(50_000);
    }
}
