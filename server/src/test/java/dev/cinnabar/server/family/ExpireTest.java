package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.testkit.ManualClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT, TTL family, PERSIST and lazy expiry, on a server
 * whose clock only moves when the test says so (active expiry off). Mirrors unit/expire.
 */
class ExpireTest {
    static ManualClock clock = new ManualClock();
    @RegisterExtension
    static final ServerFixture fixture = ServerFixture.manualTime(clock);
    final RespClient r = fixture.client();

    /** The server under test (active expiry off, time moved by hand). */
    static Server server() {
        return fixture.server();
    }

    private Object call(Object... args) throws Exception {
        return r.call(args);
    }

    private long ttl(String key) throws Exception {
        return (Long) call("TTL", key);
    }

    @Test
    void setTimeoutsMultipleTimes() throws Exception {
        call("SET", "x", "foobar");
        assertThat(call("EXPIRE", "x", "5")).isEqualTo(1L);
        assertThat(ttl("x")).isEqualTo(5L);
        assertThat(call("EXPIRE", "x", "10")).isEqualTo(1L);
        assertThat(ttl("x")).isEqualTo(10L);
        assertThat(call("GET", "x")).isEqualTo("foobar");
        clock.advance(10_000);
        assertThat(call("GET", "x")).isEqualTo("foobar"); // alive at its expiry time itself
        clock.advance(1);
        assertThat(call("GET", "x")).isNull();
        assertThat(call("EXISTS", "x")).isEqualTo(0L);
    }

    @Test
    void absoluteForms() throws Exception {
        long nowSec = clock.millis() / 1000;
        call("SET", "x", "foo");
        assertThat(call("EXPIREAT", "x", nowSec + 15)).isEqualTo(1L);
        assertThat(ttl("x")).isBetween(14L, 15L);
        assertThat(call("EXPIRETIME", "x")).isEqualTo(nowSec + 15);
        long at = clock.millis() + 200;
        assertThat(call("PEXPIREAT", "x", at)).isEqualTo(1L);
        assertThat(call("PEXPIRETIME", "x")).isEqualTo(at);
        assertThat(call("PTTL", "x")).isEqualTo(200L);
        clock.advance(201);
        assertThat(call("GET", "x")).isNull();
    }

    @Test
    void secondsAreRoundedToTheNearest() throws Exception {
        call("SET", "x", "v");
        long base = (clock.millis() / 1000 + 100) * 1000;
        call("PEXPIREAT", "x", base + 500);
        assertThat(call("EXPIRETIME", "x")).isEqualTo(base / 1000 + 1);
        call("PEXPIREAT", "x", base + 499);
        assertThat(call("EXPIRETIME", "x")).isEqualTo(base / 1000);
        call("PEXPIRE", "x", "1499");
        assertThat(call("TTL", "x")).isEqualTo(1L);
        call("PEXPIRE", "x", "1500");
        assertThat(call("TTL", "x")).isEqualTo(2L);
    }

    @Test
    void noExpireAndMissingKey() throws Exception {
        call("SET", "x", "hello");
        assertThat(List.of(call("TTL", "x"), call("PTTL", "x"), call("EXPIRETIME", "x"), call("PEXPIRETIME", "x")))
                .containsExactly(-1L, -1L, -1L, -1L);
        call("DEL", "x");
        assertThat(List.of(call("TTL", "x"), call("PTTL", "x"), call("EXPIRETIME", "x"), call("PEXPIRETIME", "x")))
                .containsExactly(-2L, -2L, -2L, -2L);
    }

    @Test
    void persist() throws Exception {
        call("SET", "x", "foo");
        call("EXPIRE", "x", "50");
        assertThat(List.of(call("TTL", "x"), call("PERSIST", "x"), call("TTL", "x"), call("GET", "x")))
                .containsExactly(50L, 1L, -1L, "foo");
        assertThat(call("PERSIST", "x")).isEqualTo(0L);
        assertThat(call("PERSIST", "nokeyatall")).isEqualTo(0L);
    }

    @Test
    void overwritingSetDropsTheTtl() throws Exception {
        call("SET", "foo", "bar", "EX", "100");
        call("SET", "foo", "bar");
        assertThat(ttl("foo")).isEqualTo(-1L);
    }

    @Test
    void conditionOptions() throws Exception {
        call("SET", "foo", "bar", "EX", "100");
        assertThat(call("EXPIRE", "foo", "200", "NX")).isEqualTo(0L);
        assertThat(ttl("foo")).isEqualTo(100L);
        call("SET", "foo", "bar");
        assertThat(call("EXPIRE", "foo", "200", "NX")).isEqualTo(1L);
        assertThat(ttl("foo")).isEqualTo(200L);

        call("SET", "foo", "bar", "EX", "100");
        assertThat(call("EXPIRE", "foo", "200", "XX")).isEqualTo(1L);
        assertThat(ttl("foo")).isEqualTo(200L);
        call("SET", "foo", "bar");
        assertThat(call("EXPIRE", "foo", "200", "xx")).isEqualTo(0L);
        assertThat(ttl("foo")).isEqualTo(-1L);

        call("SET", "foo", "bar", "EX", "100");
        assertThat(call("EXPIRE", "foo", "200", "GT")).isEqualTo(1L);
        assertThat(call("EXPIRE", "foo", "100", "GT")).isEqualTo(0L);
        assertThat(call("EXPIRE", "foo", "200", "GT")).isEqualTo(0L); // equal is not greater
        assertThat(ttl("foo")).isEqualTo(200L);
        call("SET", "foo", "bar");
        assertThat(call("EXPIRE", "foo", "200", "GT")).isEqualTo(0L); // no TTL counts as infinite
        assertThat(ttl("foo")).isEqualTo(-1L);

        call("SET", "foo", "bar", "EX", "100");
        assertThat(call("EXPIRE", "foo", "200", "LT")).isEqualTo(0L);
        assertThat(call("EXPIRE", "foo", "50", "LT")).isEqualTo(1L);
        assertThat(ttl("foo")).isEqualTo(50L);
        call("SET", "foo", "bar");
        assertThat(call("EXPIRE", "foo", "100", "LT")).isEqualTo(1L);
        assertThat(ttl("foo")).isEqualTo(100L);

        call("SET", "foo", "bar", "EX", "200");
        assertThat(call("EXPIRE", "foo", "100", "LT", "XX")).isEqualTo(1L);
        assertThat(ttl("foo")).isEqualTo(100L);
        call("SET", "foo", "bar");
        assertThat(call("EXPIRE", "foo", "200", "LT", "XX")).isEqualTo(0L);
        assertThat(ttl("foo")).isEqualTo(-1L);

        for (String opt : List.of("NX", "XX", "GT", "LT")) {
            assertThat(call("EXPIRE", "none", "100", opt)).isEqualTo(0L);
        }
    }

    @Test
    void optionErrors() throws Exception {
        assertThat(call("EXPIRE", "foo", "200", "LT", "GT"))
                .isEqualTo(new Err("ERR GT and LT options at the same time are not compatible"));
        for (String opt : List.of("GT", "LT", "XX")) {
            assertThat(call("EXPIRE", "foo", "200", "NX", opt))
                    .isEqualTo(new Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
        }
        assertThat(call("EXPIRE", "foo", "200", "AB")).isEqualTo(new Err("ERR Unsupported option AB"));
        assertThat(call("EXPIRE", "foo", "200", "XX", "AB")).isEqualTo(new Err("ERR Unsupported option AB"));
        // Options are checked before the time argument.
        assertThat(call("PEXPIRE", "foo", "abc", "AB")).isEqualTo(new Err("ERR Unsupported option AB"));
        assertThat(call("EXPIRE", "foo", "")).isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(call("EXPIRE", "foo", "1.5")).isEqualTo(new Err("ERR value is not an integer or out of range"));
    }

    @Test
    void overflowIsAnInvalidExpireTime() throws Exception {
        call("SET", "foo", "bar");
        for (String v : List.of("9223370399119966", "9223372036854776", "10000000000000000", "18446744073709561",
                "-9223372036854776", "-9999999999999999")) {
            assertThat(call("EXPIRE", "foo", v)).as(v)
                    .isEqualTo(new Err("ERR invalid expire time in 'expire' command"));
        }
        assertThat(call("PEXPIRE", "foo", "9223372036854770000"))
                .isEqualTo(new Err("ERR invalid expire time in 'pexpire' command"));
        assertThat(call("EXPIREAT", "foo", "9223372036854776"))
                .isEqualTo(new Err("ERR invalid expire time in 'expireat' command"));
        assertThat(ttl("foo")).isEqualTo(-1L);
        assertThat(call("PEXPIREAT", "foo", "9223372036854770000")).isEqualTo(1L);
        assertThat(call("PEXPIRETIME", "foo")).isEqualTo(9223372036854770000L);
        assertThat(call("PEXPIREAT", "foo", Long.MAX_VALUE)).isEqualTo(1L);
        assertThat(call("EXPIRETIME", "foo")).isEqualTo(9223372036854776L); // rounding without overflow
    }

    @Test
    void pastOrNegativeTimesDeleteTheKey() throws Exception {
        long expired = server().stats.expiredKeys;
        call("SET", "foo", "bar", "EX", "100");
        assertThat(call("EXPIRE", "foo", "-10", "LT")).isEqualTo(1L);
        assertThat(ttl("foo")).isEqualTo(-2L);
        call("SET", "foo", "bar");
        assertThat(call("EXPIRE", "foo", "-10", "LT")).isEqualTo(1L);
        assertThat(ttl("foo")).isEqualTo(-2L);
        call("SET", "foo", "bar");
        assertThat(call("PEXPIREAT", "foo", "-9223372036854770000")).isEqualTo(1L);
        assertThat(ttl("foo")).isEqualTo(-2L);
        call("SET", "foo", "bar");
        assertThat(call("PEXPIREAT", "foo", clock.millis())).isEqualTo(1L);
        assertThat(call("EXISTS", "foo")).isEqualTo(0L);
        call("SET", "foo", "bar");
        assertThat(call("EXPIRE", "foo", "0")).isEqualTo(1L);
        assertThat(call("EXISTS", "foo")).isEqualTo(0L);
        // Explicit deletions, not expirations.
        assertThat(server().stats.expiredKeys).isEqualTo(expired);
    }

    @Test
    void lazyExpiryDeletesOnAccessOnly() throws Exception {
        long expired = server().stats.expiredKeys;
        call("SET", "key1", "a", "PX", "500");
        call("SET", "key2", "a", "PX", "500");
        call("SET", "key3", "a", "PX", "500");
        assertThat(call("DBSIZE")).isEqualTo(3L);
        clock.advance(1000);
        assertThat(call("DBSIZE")).isEqualTo(3L);
        assertThat(call("GET", "key1")).isNull();
        assertThat(call("TTL", "key2")).isEqualTo(-2L);
        assertThat(call("EXISTS", "key3")).isEqualTo(0L);
        assertThat(call("DBSIZE")).isEqualTo(0L);
        assertThat(server().stats.expiredKeys).isEqualTo(expired + 3);
    }

    @Test
    void expireDoesNotResurrectKeys() throws Exception {
        call("SET", "foo", "bar");
        call("PEXPIRE", "foo", "500");
        clock.advance(1000);
        assertThat(call("EXPIRE", "foo", "10")).isEqualTo(0L);
        assertThat(call("EXISTS", "foo")).isEqualTo(0L);
    }

    @Test
    void keysListsOnlyLiveKeys() throws Exception {
        call("SET", "a", "c");
        call("EXPIRE", "a", "5");
        for (String k : List.of("t", "e", "s", "foo")) {
            call("SET", k, "c");
        }
        assertThat(KeyspaceFamilyTest.sorted(call("KEYS", "*"))).containsExactly("a", "e", "foo", "s", "t");
        clock.advance(5001);
        assertThat(KeyspaceFamilyTest.sorted(call("KEYS", "*"))).containsExactly("e", "foo", "s", "t");
    }

    @Test
    void expireInsideMultiUsesTheCommandTime() throws Exception {
        call("SET", "k", "v");
        call("MULTI");
        call("PEXPIRE", "k", "100");
        call("PTTL", "k");
        assertThat(call("EXEC")).isEqualTo(List.of(1L, 100L));
    }
}
