package dev.cinnabar.server.keyspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.testkit.ManualClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Active expiry: keys nobody reads are reclaimed within about a second at hz 10, and a cycle
 * stays within its share of the tick however much there is to do.
 */
class ActiveExpiryTest {

    private static void put(Database db, String key, long expireAt) {
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        db.setString(k, 0, k.length, k, 0, k.length, Entries.ENC_RAW, expireAt);
    }

    @Test
    void unreadKeysExpireWithinAboutASecond() throws Exception {
        // Real time, real cron at the default hz 10.
        Server s = TestServers.start(new dev.cinnabar.server.ServerClock(), "");
        try (RespClient r = new RespClient(s.port())) {
            r.send("SET", "warmup", "1");
            r.read();
            for (int i = 0; i < 2000; i++) {
                r.send("SET", "p" + i, "v");
            }
            for (int i = 0; i < 1000; i++) {
                r.send("SET", "long" + i, "v", "EX", "1000");
            }
            for (int i = 0; i < 200; i++) {
                r.send("SET", "short" + i, "v", "PX", "100");
            }
            for (int i = 0; i < 3200; i++) {
                r.read();
            }
            long start = System.nanoTime();
            long size;
            do {
                Thread.sleep(20);
                size = (Long) r.call("DBSIZE");
            } while (size > 3001 && System.nanoTime() - start < 3_000_000_000L);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(size).isEqualTo(3001L);
            // 100 ms of TTL, then at most one pass (500 ms) plus a tick; generous for loaded CI.
            assertThat(tookMs).isLessThan(2000);
            assertThat(s.stats.expiredKeys).isEqualTo(200);
        } finally {
            s.close();
        }
    }

    @Test
    void aPassOverTheTableTakesAtMostPassMillisOfTicks() {
        ManualClock clock = new ManualClock();
        Server s = TestServers.create(clock, "hz 10\n");
        Database db = s.db(0);
        long now = clock.millis();
        for (int i = 0; i < 100_000; i++) {
            put(db, "k" + i, now + 1_000_000);
        }
        for (int i = 0; i < 20; i++) {
            put(db, "short" + i, now + 10);
        }
        clock.advance(11);
        int ticks = 1000 / 10 * Expiry.PASS_MILLIS / 1000; // ticks per pass at hz 10
        for (int t = 0; t < ticks; t++) {
            s.expiry.activeCycle();
            clock.advance(100);
        }
        assertThat(db.size()).isEqualTo(100_000);
        assertThat(s.stats.expiredKeys).isEqualTo(20);
    }

    @Test
    void aCycleWithNothingExpiredWalksOnlyItsQuota() {
        ManualClock clock = new ManualClock();
        Server s = TestServers.create(clock, "hz 10\n");
        Database db = s.db(0);
        long now = clock.millis();
        for (int i = 0; i < 100_000; i++) {
            put(db, "k" + i, now + 1_000_000);
        }
        s.expiry.activeCycle();
        int ticksPerPass = 10 * Expiry.PASS_MILLIS / 1000;
        long quota = db.capacity() / ticksPerPass;
        assertThat(s.expiry.lastWalked(0)).isBetween(quota, quota + Expiry.SLOTS_PER_STEP);
        assertThat(db.size()).isEqualTo(100_000);
    }

    @Test
    void massExpiryIsCaughtUpBeyondTheQuota() {
        ManualClock clock = new ManualClock();
        Server s = TestServers.create(clock, "hz 10\n");
        Database db = s.db(0);
        long now = clock.millis();
        for (int i = 0; i < 100_000; i++) {
            put(db, "k" + i, now + 1_000_000);
        }
        // Every key expired: the cycle keeps going while it keeps finding expired keys (no time
        // pressure here: the manual monotonic clock does not move).
        clock.advance(2_000_000);
        s.expiry.activeCycle();
        assertThat(db.size()).isZero();
        assertThat(s.stats.expiredKeys).isEqualTo(100_000);
    }

    @Test
    void aCycleStopsAtItsTimeBudget() {
        ManualClock clock = new ManualClock();
        Server s = TestServers.create(clock, "hz 10\n");
        Database db = s.db(0);
        long now = clock.millis();
        for (int i = 0; i < 100_000; i++) {
            put(db, "k" + i, now + 5);
        }
        clock.advance(6);
        // Every clock read "takes" 10 ms: the 25 ms budget of a 100 ms tick allows 3 steps.
        clock.microsPerRead(10_000);
        s.expiry.activeCycle();
        long first = 100_000 - db.size();
        assertThat(first).isPositive().isLessThanOrEqualTo(3L * Expiry.SLOTS_PER_STEP);
        assertThat(s.stats.expiredTimeCapReached).isEqualTo(1);
        // Later cycles carry on where it stopped, and eventually reclaim everything.
        for (int i = 0; i < 1000 && db.size() > 0; i++) {
            s.expiry.activeCycle();
        }
        assertThat(db.size()).isZero();
        assertThat(s.stats.expiredKeys).isEqualTo(100_000);
    }

    @Test
    void disabledActiveExpiryLeavesKeysForLazyExpiry() {
        ManualClock clock = new ManualClock();
        Server s = TestServers.create(clock, "");
        Database db = s.db(0);
        put(db, "k", clock.millis() + 5);
        clock.advance(6);
        s.expiry.enabled(false);
        s.expiry.activeCycle();
        assertThat(db.size()).isEqualTo(1);
        s.expiry.enabled(true);
        s.expiry.activeCycle();
        assertThat(db.size()).isZero();
    }

    @Test
    void averageTtlIsEstimatedFromTheWalk() {
        ManualClock clock = new ManualClock();
        Server s = TestServers.create(clock, "");
        Database db = s.db(0);
        for (int i = 0; i < 100; i++) {
            put(db, "k" + i, clock.millis() + 60_000);
        }
        s.expiry.activeCycle();
        assertThat(db.avgTtl()).isBetween(59_000L, 60_000L);
    }
}
