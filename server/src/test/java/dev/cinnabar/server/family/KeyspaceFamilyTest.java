package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.testkit.ManualClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import dev.cinnabar.server.type.RedisValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Generic keyspace commands against a real server with a hand-driven clock (active expiry off,
 * so expired keys stay until a command meets them). Mirrors unit/keyspace of the Redis suite,
 * plus the WATCH interplay of FLUSHDB/FLUSHALL/SWAPDB from unit/multi and OBJECT details.
 */
class KeyspaceFamilyTest {
    static ManualClock clock = new ManualClock();
    @RegisterExtension
    static final ServerFixture fixture = ServerFixture.manualTime(clock);
    final RespClient r = fixture.client();

    @BeforeEach
    void setUp() {
        config("maxmemory-policy", "noeviction");
        config("maxmemory", "0");
    }

    /** The server under test (active expiry off, time moved by hand). */
    static Server server() {
        return fixture.server();
    }

    private Object call(Object... args) throws Exception {
        return r.call(args);
    }

    /** A stand-in for a future collection type: lets the generic commands be tested on objects. */
    static final class FakeList implements RedisValue {
        final List<String> items;

        FakeList(List<String> items) {
            this.items = items;
        }

        @Override
        public String type() {
            return "list";
        }

        @Override
        public String encoding() {
            return "quicklist";
        }

        @Override
        public RedisValue copy() {
            return new FakeList(new ArrayList<>(items));
        }
    }

    private FakeList putList(int db, String key, String... items) {
        FakeList v = new FakeList(new ArrayList<>(List.of(items)));
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        server().runLocked(() -> server().db(db).setObject(k, 0, k.length, v, -1));
        return v;
    }

    private Object valueOf(int db, String key) {
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        Object[] out = new Object[1];
        server().runLocked(() -> out[0] = server().db(db).peek(k, 0, k.length));
        return out[0] instanceof ObjectEntry o ? o.value : out[0];
    }

    // ---- DEL, UNLINK, EXISTS, TYPE ------------------------------------------------------------

    @Test
    void delAndUnlinkCountOnlyExistingKeys() throws Exception {
        call("SET", "foo1", "a");
        call("SET", "foo2", "b");
        call("SET", "foo3", "c");
        assertThat(call("DEL", "foo1", "foo2", "foo4")).isEqualTo(2L);
        assertThat(call("GET", "foo1")).isNull();
        assertThat(call("UNLINK", "foo3", "foo3")).isEqualTo(1L);
        assertThat(call("DBSIZE")).isEqualTo(0L);
    }

    @Test
    void delOfAnExpiredKeyIsAnExpiryNotADeletion() throws Exception {
        call("SET", "k", "v", "PX", "100");
        clock.advance(101);
        long expired = server().stats.expiredKeys;
        assertThat(call("DEL", "k")).isEqualTo(0L);
        assertThat(server().stats.expiredKeys).isEqualTo(expired + 1);
    }

    @Test
    void existsCountsEveryArgumentAndTypeNamesTheValue() throws Exception {
        call("SET", "k", "");
        assertThat(call("EXISTS", "k", "k", "nokey")).isEqualTo(2L);
        assertThat(call("TYPE", "k")).isEqualTo("string");
        assertThat(call("TYPE", "nokey")).isEqualTo("none");
        putList(0, "l", "a");
        assertThat(call("TYPE", "l")).isEqualTo("list");
        assertThat(call("EXISTS", "l")).isEqualTo(1L);
    }

    @Test
    void lookupsCountKeyspaceHitsAndMisses() throws Exception {
        call("SET", "k", "v");
        long hits = server().stats.keyspaceHits;
        long misses = server().stats.keyspaceMisses;
        call("EXISTS", "k", "nokey");
        call("TYPE", "k");
        call("TTL", "nokey");
        assertThat(server().stats.keyspaceHits - hits).isEqualTo(2);
        assertThat(server().stats.keyspaceMisses - misses).isEqualTo(2);
    }

    // ---- RENAME / RENAMENX -------------------------------------------------------------------

    @Test
    void renameMovesValueAndTtl() throws Exception {
        call("SET", "mykey", "hello");
        assertThat(call("RENAME", "mykey", "mykey1")).isEqualTo("OK");
        assertThat(call("RENAME", "mykey1", "mykey2")).isEqualTo("OK");
        assertThat(call("GET", "mykey2")).isEqualTo("hello");
        assertThat(call("EXISTS", "mykey", "mykey1")).isEqualTo(0L);

        call("SET", "v", "x");
        call("EXPIRE", "v", "100");
        call("RENAME", "v", "v2");
        assertThat(call("TTL", "v2")).isEqualTo(100L);
    }

    @Test
    void renameOverwritesTargetWithoutInheritingItsTtl() throws Exception {
        call("SET", "a", "1");
        call("SET", "b", "2");
        call("EXPIRE", "b", "100");
        assertThat(call("RENAME", "a", "b")).isEqualTo("OK");
        assertThat(call("GET", "b")).isEqualTo("1");
        assertThat(call("TTL", "b")).isEqualTo(-1L);
        assertThat(call("EXISTS", "a")).isEqualTo(0L);
    }

    @Test
    void renameErrorsAndSameKey() throws Exception {
        assertThat(call("RENAME", "nokey", "foobar")).isEqualTo(new Err("ERR no such key"));
        assertThat(call("RENAMENX", "nokey", "foobar")).isEqualTo(new Err("ERR no such key"));
        assertThat(call("RENAME", "nokey", "nokey")).isEqualTo(new Err("ERR no such key"));
        call("SET", "mykey", "foo");
        assertThat(call("RENAME", "mykey", "mykey")).isEqualTo("OK");
        assertThat(call("RENAMENX", "mykey", "mykey")).isEqualTo(0L);
        assertThat(call("GET", "mykey")).isEqualTo("foo");
    }

    @Test
    void renamenxOnlyToAFreeName() throws Exception {
        call("SET", "mykey", "foobar");
        assertThat(call("RENAMENX", "mykey", "mykey2")).isEqualTo(1L);
        assertThat(call("GET", "mykey2")).isEqualTo("foobar");
        call("SET", "mykey", "foo");
        assertThat(call("RENAMENX", "mykey", "mykey2")).isEqualTo(0L);
        assertThat(call("GET", "mykey")).isEqualTo("foo");
        assertThat(call("GET", "mykey2")).isEqualTo("foobar");
    }

    @Test
    void renameTreatsAnExpiredTargetAsMissing() throws Exception {
        call("SET", "src", "v");
        call("SET", "dst", "old", "PX", "10");
        clock.advance(11);
        assertThat(call("RENAMENX", "src", "dst")).isEqualTo(1L);
        assertThat(call("GET", "dst")).isEqualTo("v");
    }

    @Test
    void renameKeepsObjectValues() throws Exception {
        FakeList v = putList(0, "l", "a", "b");
        assertThat(call("RENAME", "l", "l2")).isEqualTo("OK");
        assertThat(valueOf(0, "l2")).isSameAs(v);
        assertThat(call("TYPE", "l2")).isEqualTo("list");
    }

    // ---- KEYS, RANDOMKEY, DBSIZE ---------------------------------------------------------------

    @Test
    void keysWithPatterns() throws Exception {
        for (String k : List.of("key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c")) {
            call("SET", k, "hello");
        }
        assertThat(sorted(call("KEYS", "foo*"))).containsExactly("foo_a", "foo_b", "foo_c");
        assertThat(sorted(call("KEYS", "*"))).containsExactly("foo_a", "foo_b", "foo_c", "key_x", "key_y", "key_z");
        assertThat(sorted(call("KEYS", "key_[xy]"))).containsExactly("key_x", "key_y");
        assertThat(call("DBSIZE")).isEqualTo(6L);
    }

    @Test
    void keysSkipsExpiredKeysWithoutDeletingThem() throws Exception {
        call("SET", "live", "1");
        call("SET", "dead", "1", "PX", "5");
        clock.advance(6);
        assertThat(call("KEYS", "*")).isEqualTo(List.of("live"));
        assertThat(call("DBSIZE")).isEqualTo(2L);
    }

    @Test
    void keysPathologicalPatternsStayFast() throws Exception {
        call("SET", "a".repeat(40), "1");
        assertThat(call("KEYS", "a*".repeat(20) + "b")).isEqualTo(List.of());
        call("FLUSHDB");
        call("SET", "a".repeat(50000), "1");
        assertThat(call("KEYS", "*?".repeat(50000))).isEqualTo(List.of());
    }

    @Test
    void randomkeyReturnsLiveKeysOnly() throws Exception {
        assertThat(call("RANDOMKEY")).isNull();
        call("SET", "foo", "x");
        call("SET", "bar", "y");
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            seen.add(call("RANDOMKEY"));
        }
        assertThat(seen).containsExactlyInAnyOrder("foo", "bar");
        call("FLUSHDB");
        for (int i = 0; i < 200; i++) {
            call("SET", "dead" + i, "1", "PX", "5");
        }
        call("SET", "alive", "1");
        clock.advance(6);
        assertThat(call("RANDOMKEY")).isEqualTo("alive");
        call("DEL", "alive");
        assertThat(call("RANDOMKEY")).isNull();
        assertThat(call("DBSIZE")).isEqualTo(0L);
    }

    // ---- COPY, MOVE ----------------------------------------------------------------------------

    @Test
    void copyStringWithinAndAcrossDatabases() throws Exception {
        call("SET", "mykey", "foobar");
        assertThat(call("COPY", "mykey", "mynewkey")).isEqualTo(1L);
        assertThat(call("GET", "mynewkey")).isEqualTo("foobar");
        assertThat(call("COPY", "mykey", "mynewkey", "DB", "10")).isEqualTo(1L);
        call("SET", "mykey2", "hello");
        assertThat(call("COPY", "mykey2", "mynewkey", "DB", "10")).isEqualTo(0L);
        assertThat(call("COPY", "mykey2", "mynewkey", "db", "10", "replace")).isEqualTo(1L);
        call("SELECT", "10");
        assertThat(call("GET", "mynewkey")).isEqualTo("hello");
        call("SET", "mynewkey", "hoge");
        call("SELECT", "0");
        assertThat(call("GET", "mykey2")).isEqualTo("hello");
        assertThat(call("COPY", "nokey", "x")).isEqualTo(0L);
    }

    @Test
    void copyKeepsTtlAndEncoding() throws Exception {
        call("SET", "mykey", "foobar", "EX", "100");
        call("COPY", "mykey", "mynewkey", "REPLACE");
        assertThat(call("TTL", "mynewkey")).isEqualTo(100L);
        call("SET", "mykey", "12345");
        call("COPY", "mykey", "mynewkey", "REPLACE");
        assertThat(call("TTL", "mynewkey")).isEqualTo(-1L);
        assertThat(call("OBJECT", "ENCODING", "mynewkey")).isEqualTo("int");
    }

    @Test
    void copyErrors() throws Exception {
        call("SET", "mykey", "foobar");
        assertThat(call("COPY", "mykey", "x", "DB", "notanumber")).isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(call("COPY", "mykey", "x", "DB", "16")).isEqualTo(new Err("ERR DB index is out of range"));
        assertThat(call("COPY", "mykey", "x", "DB", "99999999999")).isEqualTo(
                new Err("ERR value is out of range, value must between -2147483648 and 2147483647"));
        assertThat(call("COPY", "mykey", "x", "DB")).isEqualTo(new Err("ERR syntax error"));
        assertThat(call("COPY", "mykey", "x", "foo")).isEqualTo(new Err("ERR syntax error"));
        assertThat(call("COPY", "mykey", "mykey")).isEqualTo(new Err("ERR source and destination objects are the same"));
        assertThat(call("COPY", "mykey", "mykey", "DB", "0")).isEqualTo(new Err("ERR source and destination objects are the same"));
        assertThat(call("COPY", "mykey", "mykey", "DB", "1")).isEqualTo(1L);
    }

    @Test
    void copyOfAnObjectValueIsIndependent() throws Exception {
        FakeList v = putList(0, "l", "a");
        assertThat(call("COPY", "l", "l2")).isEqualTo(1L);
        Object c = valueOf(0, "l2");
        assertThat(c).isInstanceOf(FakeList.class).isNotSameAs(v);
        ((FakeList) c).items.add("b");
        assertThat(v.items).containsExactly("a");
        assertThat(call("OBJECT", "ENCODING", "l2")).isEqualTo("quicklist");
    }

    @Test
    void moveBetweenDatabases() throws Exception {
        call("SET", "mykey", "foobar", "EX", "100");
        assertThat(call("MOVE", "mykey", "10")).isEqualTo(1L);
        assertThat(call("EXISTS", "mykey")).isEqualTo(0L);
        assertThat(call("TTL", "mykey")).isEqualTo(-2L);
        call("SELECT", "10");
        assertThat(call("GET", "mykey")).isEqualTo("foobar");
        assertThat(call("TTL", "mykey")).isEqualTo(100L);
        assertThat(call("DBSIZE")).isEqualTo(1L);
        call("SELECT", "0");
        call("SET", "mykey", "hello");
        assertThat(call("MOVE", "mykey", "10")).isEqualTo(0L);
        assertThat(call("MOVE", "nokey", "10")).isEqualTo(0L);
        assertThat(call("MOVE", "mykey", "notanumber")).isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(call("MOVE", "mykey", "0")).isEqualTo(new Err("ERR source and destination objects are the same"));
        assertThat(call("MOVE", "mykey", "16")).isEqualTo(new Err("ERR DB index is out of range"));
        assertThat(call("MOVE", "mykey", "-1")).isEqualTo(new Err("ERR DB index is out of range"));
    }

    // ---- OBJECT, TOUCH, access time ------------------------------------------------------------

    @Test
    void objectEncodingAndRefcount() throws Exception {
        call("SET", "i", "123");
        call("SET", "big", "12345");
        call("SET", "neg", "-1");
        call("SET", "e", "hello");
        call("SET", "r", "x".repeat(45));
        assertThat(call("OBJECT", "ENCODING", "i")).isEqualTo("int");
        assertThat(call("OBJECT", "ENCODING", "e")).isEqualTo("embstr");
        assertThat(call("OBJECT", "ENCODING", "r")).isEqualTo("raw");
        assertThat(call("OBJECT", "ENCODING", "nokey")).isNull();
        assertThat(call("OBJECT", "REFCOUNT", "i")).isEqualTo(2147483647L);
        assertThat(call("OBJECT", "REFCOUNT", "big")).isEqualTo(1L);
        assertThat(call("OBJECT", "REFCOUNT", "neg")).isEqualTo(1L);
        assertThat(call("OBJECT", "REFCOUNT", "e")).isEqualTo(1L);
        assertThat(call("OBJECT", "REFCOUNT", "nokey")).isNull();
    }

    @Test
    void sharedIntegersDependOnMaxmemoryPolicy() throws Exception {
        call("SET", "a", "1");
        try {
            config("maxmemory", "1gb");
            setPolicy("allkeys-random");
            assertThat(call("OBJECT", "REFCOUNT", "a")).isEqualTo(2147483647L);
            setPolicy("allkeys-lru");
            assertThat(call("OBJECT", "REFCOUNT", "a")).isEqualTo(1L);
            setPolicy("volatile-lfu");
            assertThat(call("OBJECT", "REFCOUNT", "a")).isEqualTo(1L);
            config("maxmemory", "0");
            assertThat(call("OBJECT", "REFCOUNT", "a")).isEqualTo(2147483647L);
        } finally {
            config("maxmemory", "0");
        }
    }

    static void config(String name, String value) {
        server().runLocked(() -> {
            try {
                server().config.set(List.<String[]>of(new String[] {name, value}));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private void setPolicy(String name) {
        config("maxmemory-policy", name);
    }

    @Test
    void idletimeFollowsTheLruClockAndOnlyRealAccessesResetIt() throws Exception {
        call("SET", "foo", "bar");
        clock.advance(3000);
        call("TTL", "foo");
        call("TYPE", "foo");
        call("EXISTS", "foo");
        call("OBJECT", "ENCODING", "foo");
        assertThat((Long) call("OBJECT", "IDLETIME", "foo")).isBetween(2L, 4L);
        call("TOUCH", "foo");
        assertThat(call("OBJECT", "IDLETIME", "foo")).isEqualTo(0L);
        clock.advance(5000);
        call("GET", "foo");
        assertThat(call("OBJECT", "IDLETIME", "foo")).isEqualTo(0L);
        clock.advance(10_000);
        assertThat((Long) call("OBJECT", "IDLETIME", "foo")).isBetween(9L, 11L);
    }

    @Test
    void touchCountsExistingKeys() throws Exception {
        call("SET", "key1", "1");
        call("SET", "key2", "2");
        assertThat(call("TOUCH", "key0", "key1", "key2", "key3")).isEqualTo(2L);
    }

    @Test
    void freqNeedsAnLfuPolicy() throws Exception {
        call("SET", "foo", "a");
        assertThat(call("OBJECT", "FREQ", "foo")).isEqualTo(new Err("ERR An LFU maxmemory policy is not selected, access"
                + " frequency not tracked. Please note that when switching between policies at runtime LRU and LFU"
                + " data will take some time to adjust."));
        assertThat(call("OBJECT", "FREQ", "nokey")).isNull();
        setPolicy("allkeys-lfu");
        call("DEL", "foo");
        call("SET", "foo", "a");
        assertThat(call("OBJECT", "FREQ", "foo")).isEqualTo(5L);
        assertThat(call("OBJECT", "IDLETIME", "foo")).isEqualTo(new Err("ERR An LFU maxmemory policy is selected, idle"
                + " time not tracked. Please note that when switching between policies at runtime LRU and LFU data"
                + " will take some time to adjust."));
        for (int i = 0; i < 200; i++) {
            call("GET", "foo");
        }
        long freq = (Long) call("OBJECT", "FREQ", "foo");
        assertThat(freq).isGreaterThan(5L).isLessThan(100L);
        // An overwrite keeps the access data of the old value (Redis dbSetValue): the counter
        // goes on (its own access may add one), it does not restart at 5.
        call("SET", "foo", "b");
        freq = (Long) call("OBJECT", "FREQ", "foo");
        assertThat(freq).isGreaterThan(5L);
        // One point of decay per lfu-decay-time (1) minute without access.
        clock.advance(3 * 60_000);
        assertThat(call("OBJECT", "FREQ", "foo")).isEqualTo(freq - 3);
    }

    @Test
    void objectHelpAndSubcommandErrors() throws Exception {
        @SuppressWarnings("unchecked")
        List<Object> help = (List<Object>) call("OBJECT", "HELP");
        assertThat(help.get(0)).isEqualTo("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        assertThat(help).hasSize(15).endsWith("HELP", "    Print this help.");
        assertThat(help.get(1)).isEqualTo("ENCODING <key>");
        assertThat(call("OBJECT", "foo", "k")).isEqualTo(new Err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
        assertThat(call("OBJECT", "encoding")).isEqualTo(new Err("ERR wrong number of arguments for 'object|encoding' command"));
        assertThat(call("OBJECT")).isEqualTo(new Err("ERR wrong number of arguments for 'object' command"));
    }

    // ---- FLUSHDB, FLUSHALL, SWAPDB and WATCH -------------------------------------------------------

    @Test
    void flushCommands() throws Exception {
        call("SET", "a", "1");
        call("SELECT", "1");
        call("SET", "b", "1");
        assertThat(call("FLUSHDB", "ASYNC")).isEqualTo("OK");
        assertThat(call("DBSIZE")).isEqualTo(0L);
        call("SELECT", "0");
        assertThat(call("DBSIZE")).isEqualTo(1L);
        assertThat(call("FLUSHALL", "sync")).isEqualTo("OK");
        assertThat(call("DBSIZE")).isEqualTo(0L);
        assertThat(call("FLUSHALL", "foo")).isEqualTo(new Err("ERR syntax error"));
        assertThat(call("FLUSHDB", "sync", "async")).isEqualTo(new Err("ERR syntax error"));
    }

    @Test
    void swapdbExchangesContents() throws Exception {
        call("SET", "a", "db0");
        call("SELECT", "1");
        call("SET", "a", "db1");
        call("SET", "b", "x");
        assertThat(call("SWAPDB", "0", "1")).isEqualTo("OK");
        assertThat(call("GET", "a")).isEqualTo("db0");
        assertThat(call("DBSIZE")).isEqualTo(1L);
        call("SELECT", "0");
        assertThat(call("GET", "a")).isEqualTo("db1");
        assertThat(call("SWAPDB", "3", "3")).isEqualTo("OK");
        assertThat(call("SWAPDB", "a", "1")).isEqualTo(new Err("ERR invalid first DB index"));
        assertThat(call("SWAPDB", "99999999999", "1")).isEqualTo(new Err("ERR invalid first DB index"));
        assertThat(call("SWAPDB", "0", "b")).isEqualTo(new Err("ERR invalid second DB index"));
        assertThat(call("SWAPDB", "0", "16")).isEqualTo(new Err("ERR DB index is out of range"));
    }

    /** WATCH x, run {@code between} on another connection, then EXEC a PING: aborted or not. */
    private boolean execSurvives(int watchDb, Runnable between) throws Exception {
        call("SELECT", Integer.toString(watchDb));
        assertThat(call("WATCH", "x")).isEqualTo("OK");
        between.run();
        call("MULTI");
        call("PING");
        Object res = call("EXEC");
        return res != null;
    }

    private Runnable on(Object... cmd) {
        return () -> {
            try (RespClient o = new RespClient(server().port())) {
                Object res = o.call(cmd);
                assertThat(res).isNotInstanceOf(Err.class);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
    }

    @Test
    void flushTouchesOnlyWatchedKeysThatExist() throws Exception {
        call("SET", "x", "30");
        assertThat(execSurvives(0, on("FLUSHALL"))).isFalse();
        assertThat(execSurvives(0, on("FLUSHALL"))).isTrue();
        call("SET", "x", "30");
        assertThat(execSurvives(0, () -> {
            try {
                call("FLUSHDB");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        })).isFalse();
        assertThat(execSurvives(0, on("FLUSHDB"))).isTrue();
    }

    @Test
    void flushWhileWatchingAStaleKeyDoesNotAbort() throws Exception {
        call("SET", "x", "foo", "PX", "1");
        clock.advance(2);
        call("WATCH", "x");
        call("FLUSHDB");
        call("MULTI");
        call("PING");
        assertThat(call("EXEC")).isEqualTo(List.of("PONG"));
    }

    @Test
    void lazyExpiryOfAStaleWatchedKeyDoesNotAbort() throws Exception {
        call("SET", "x", "foo", "PX", "1");
        clock.advance(2);
        call("WATCH", "x");
        assertThat(call("EXISTS", "x")).isEqualTo(0L);
        call("MULTI");
        call("PING");
        assertThat(call("EXEC")).isEqualTo(List.of("PONG"));
    }

    @Test
    void swapdbTouchesWatchedKeysLikeRedis() throws Exception {
        // Existing watched key swapped away.
        call("SET", "x", "30");
        assertThat(execSurvives(0, on("SWAPDB", "0", "1"))).isFalse();
        call("FLUSHALL");
        // Missing watched key created by the swap.
        call("SELECT", "1");
        call("SET", "x", "30");
        assertThat(execSurvives(0, on("SWAPDB", "0", "1"))).isFalse();
        call("FLUSHALL");
        // Stale key replaced with no key: no logical change.
        call("SELECT", "1");
        call("SET", "x", "foo", "PX", "1");
        clock.advance(2);
        assertThat(execSurvives(1, on("SWAPDB", "0", "1"))).isTrue();
        call("FLUSHALL");
        // No key replaced with a stale key.
        call("SELECT", "0");
        call("SET", "x", "foo", "PX", "1");
        clock.advance(2);
        assertThat(execSurvives(1, on("SWAPDB", "0", "1"))).isTrue();
        call("FLUSHALL");
        // Stale key replaced with another stale key.
        call("SELECT", "1");
        call("SET", "x", "foo", "PX", "1");
        call("SELECT", "0");
        call("SET", "x", "bar", "PX", "1");
        clock.advance(2);
        assertThat(execSurvives(1, on("SWAPDB", "0", "1"))).isTrue();
        // Unaffected: neither side has the key.
        call("FLUSHALL");
        assertThat(execSurvives(0, on("SWAPDB", "0", "1"))).isTrue();
    }

    @SuppressWarnings("unchecked")
    static List<String> sorted(Object reply) {
        List<String> l = new ArrayList<>((List<String>) reply);
        l.sort(null);
        return l;
    }
}
