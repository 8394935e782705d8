package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.testkit.ForeignValue;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import dev.cinnabar.server.type.Strings;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * String and counter commands through a real server, mirroring upstream unit/type/string and
 * unit/type/incr, plus what those tests assert through commands other families own (OBJECT
 * ENCODING, TTL, wrong types): checked here on the stored entries directly.
 */
class StringFamilyTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create();
    final RespClient c = server.client();

    @BeforeEach
    void flushDb() {
        server.server().runLocked(() -> server.server().db(0).flush());
    }

    private Object r(Object... args) throws Exception {
        return c.call(args);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The stored entry of a key in db 0 (no expiry, no LRU touch). */
    private static Object entry(String key) {
        AtomicReference<Object> out = new AtomicReference<>();
        Database db = server.server().db(0);
        byte[] k = b(key);
        server.server().runLocked(() -> out.set(db.peek(k, 0, k.length)));
        return out.get();
    }

    /** What OBJECT ENCODING would say. */
    private static String encoding(String key) {
        return Strings.encodingName(entry(key));
    }

    /** Absolute expiry in ms, -1 for none, -2 for a missing key. */
    private static long expireAt(String key) {
        Object e = entry(key);
        return e == null ? -2 : Entries.expireAt(e);
    }

    /** Seconds to live, as TTL rounds them. */
    private static long ttl(String key) {
        long at = expireAt(key);
        return at < 0 ? at : (at - System.currentTimeMillis() + 500) / 1000;
    }

    private static void putList(String key) {
        ForeignValue.put(server.server(), key);
    }

    private static final Err WRONGTYPE = new Err("WRONGTYPE Operation against a key holding the wrong kind of value");
    private static final Err NOT_INT = new Err("ERR value is not an integer or out of range");
    private static final Err NOT_FLOAT = new Err("ERR value is not a valid float");

    // ---- SET / GET ---------------------------------------------------------------------------

    @Test
    void setAndGet() throws Exception {
        assertThat(r("SET", "x", "foobar")).isEqualTo("OK");
        assertThat(r("GET", "x")).isEqualTo("foobar");
        assertThat(r("SET", "x", "")).isEqualTo("OK");
        assertThat(r("GET", "x")).isEqualTo("");
        String big = "abcd".repeat(1_000_000);
        assertThat(r("SET", "foo", big)).isEqualTo("OK");
        assertThat(r("GET", "foo")).isEqualTo(big);
        putList("l");
        assertThat(r("GET", "l")).isEqualTo(WRONGTYPE);
    }

    @Test
    void setEncodingsFollowTryObjectEncoding() throws Exception {
        r("SET", "i", "12345");
        r("SET", "neg", "-555");
        r("SET", "e", "x".repeat(44));
        r("SET", "raw", "x".repeat(45));
        r("SET", "bigint", "12345678901234567890"); // out of range: a string
        r("SET", "lead0", "012");
        assertThat(encoding("i")).isEqualTo("int");
        assertThat(encoding("neg")).isEqualTo("int");
        assertThat(encoding("e")).isEqualTo("embstr");
        assertThat(encoding("raw")).isEqualTo("raw");
        assertThat(encoding("bigint")).isEqualTo("embstr");
        assertThat(encoding("lead0")).isEqualTo("embstr");
    }

    @Test
    void extendedSetOptions() throws Exception {
        assertThat(r("SET", "foo", "bar", "non-existing-option")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("SET", "foo", "1", "nx")).isEqualTo("OK");
        assertThat(r("SET", "foo", "2", "nx")).isNull();
        assertThat(r("GET", "foo")).isEqualTo("1");
        r("DEL", "foo");
        assertThat(r("SET", "foo", "1", "xx")).isNull();
        r("SET", "foo", "bar");
        assertThat(r("SET", "foo", "2", "xx")).isEqualTo("OK");
        assertThat(r("GET", "foo")).isEqualTo("2");

        r("SET", "foo", "bar");
        assertThat(r("SET", "foo", "bar2", "GET")).isEqualTo("bar");
        assertThat(r("GET", "foo")).isEqualTo("bar2");
        r("DEL", "foo");
        assertThat(r("SET", "foo", "bar", "GET")).isNull();
        assertThat(r("GET", "foo")).isEqualTo("bar");
        assertThat(r("SET", "foo", "baz", "GET", "XX")).isEqualTo("bar");
        assertThat(r("GET", "foo")).isEqualTo("baz");
        r("DEL", "foo");
        assertThat(r("SET", "foo", "bar", "GET", "XX")).isNull();
        assertThat(r("GET", "foo")).isNull();
        assertThat(r("SET", "foo", "bar", "GET", "NX")).isNull();
        assertThat(r("GET", "foo")).isEqualTo("bar");
        assertThat(r("SET", "foo", "baz", "GET", "NX")).isEqualTo("bar");
        assertThat(r("GET", "foo")).isEqualTo("bar");

        putList("foo");
        assertThat(r("SET", "foo", "bar", "GET")).isEqualTo(WRONGTYPE);
        assertThat(entry("foo")).isInstanceOf(dev.cinnabar.ds.ObjectEntry.class); // untouched
    }

    @Test
    void setExpiryOptions() throws Exception {
        r("SET", "foo", "bar", "ex", "10");
        assertThat(ttl("foo")).isBetween(9L, 10L);
        r("SET", "foo", "bar", "px", "10000");
        assertThat(ttl("foo")).isBetween(9L, 10L);
        long now = System.currentTimeMillis();
        r("SET", "foo", "bar", "exat", now / 1000 + 10);
        assertThat(ttl("foo")).isBetween(5L, 10L);
        r("SET", "foo", "bar", "pxat", now + 10_000);
        assertThat(expireAt("foo")).isEqualTo(now + 10_000);
        r("SET", "foo", "val");
        assertThat(expireAt("foo")).isEqualTo(-1);
        assertThat(r("SET", "foo", "bar", "xx", "px", "10000")).isEqualTo("OK");
        assertThat(ttl("foo")).isBetween(9L, 10L);
        long at = expireAt("foo");
        assertThat(r("SET", "foo", "new", "KEEPTTL")).isEqualTo("OK");
        assertThat(expireAt("foo")).isEqualTo(at);
        assertThat(r("SET", "foo", "newer")).isEqualTo("OK");
        assertThat(expireAt("foo")).isEqualTo(-1);

        assertThat(r("SET", "foo", "bar", "ex", "10", "px", "10")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("SET", "foo", "bar", "ex", "10", "keepttl")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("SET", "foo", "bar", "nx", "xx")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("SET", "foo", "bar", "ex")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("SET", "foo", "bar", "ex", "0")).isEqualTo(new Err("ERR invalid expire time in 'set' command"));
        assertThat(r("SET", "foo", "bar", "ex", "9223372036854776")).isEqualTo(new Err("ERR invalid expire time in 'set' command"));
        assertThat(r("SET", "foo", "bar", "px", "9223372036854775807")).isEqualTo(new Err("ERR invalid expire time in 'set' command"));
        assertThat(r("SET", "foo", "bar", "ex", "x")).isEqualTo(NOT_INT);
    }

    // ---- SETNX / SETEX / PSETEX --------------------------------------------------------------

    @Test
    void setnx() throws Exception {
        assertThat(r("SETNX", "novar", "foobared")).isEqualTo(1L);
        assertThat(r("GET", "novar")).isEqualTo("foobared");
        assertThat(r("SETNX", "novar", "blabla")).isEqualTo(0L);
        assertThat(r("GET", "novar")).isEqualTo("foobared");
        // Against a volatile key, alive and expired.
        r("SET", "x", "10", "EX", "10000");
        assertThat(r("SETNX", "x", "20")).isEqualTo(0L);
        assertThat(r("GET", "x")).isEqualTo("10");
        r("SET", "x", "10", "PX", "1");
        Thread.sleep(5);
        assertThat(r("SETNX", "x", "20")).isEqualTo(1L);
        assertThat(r("GET", "x")).isEqualTo("20");
        assertThat(encoding("x")).isEqualTo("int");
    }

    @Test
    void setexAndPsetex() throws Exception {
        assertThat(r("SETEX", "k", "100", "12")).isEqualTo("OK");
        assertThat(ttl("k")).isBetween(99L, 100L);
        assertThat(encoding("k")).isEqualTo("int");
        assertThat(r("PSETEX", "k", "100000", "v")).isEqualTo("OK");
        assertThat(ttl("k")).isBetween(99L, 100L);
        assertThat(r("SETEX", "k", "0", "v")).isEqualTo(new Err("ERR invalid expire time in 'setex' command"));
        assertThat(r("SETEX", "k", "-1", "v")).isEqualTo(new Err("ERR invalid expire time in 'setex' command"));
        assertThat(r("PSETEX", "k", "0", "v")).isEqualTo(new Err("ERR invalid expire time in 'psetex' command"));
        assertThat(r("SETEX", "k", "abc", "v")).isEqualTo(NOT_INT);
        assertThat(r("GET", "k")).isEqualTo("v");
    }

    // ---- GETEX / GETDEL / GETSET ---------------------------------------------------------------

    @Test
    void getexOptions() throws Exception {
        r("SET", "foo", "bar");
        assertThat(r("GETEX", "foo", "ex", "10")).isEqualTo("bar");
        assertThat(ttl("foo")).isBetween(9L, 10L);
        assertThat(r("GETEX", "foo", "px", "10000")).isEqualTo("bar");
        assertThat(ttl("foo")).isBetween(9L, 10L);
        long now = System.currentTimeMillis();
        r("GETEX", "foo", "exat", now / 1000 + 10);
        assertThat(ttl("foo")).isBetween(5L, 10L);
        r("GETEX", "foo", "pxat", now + 10_000);
        assertThat(expireAt("foo")).isEqualTo(now + 10_000);
        assertThat(r("GETEX", "foo", "persist")).isEqualTo("bar");
        assertThat(expireAt("foo")).isEqualTo(-1);
        r("GETEX", "foo");
        assertThat(r("GETEX", "foo")).isEqualTo("bar");
        assertThat(expireAt("foo")).isEqualTo(-1);

        assertThat(r("GETEX", "foo", "non-existent-option")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("GETEX", "foo", "ex", "10", "px", "10")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("GETEX", "foo", "persist", "ex", "10")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("GETEX", "foo", "keepttl")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("GETEX")).isEqualTo(new Err("ERR wrong number of arguments for 'getex' command"));
        assertThat(r("GETEX", "foo", "ex", "0")).isEqualTo(new Err("ERR invalid expire time in 'getex' command"));
        // The time is validated only for an existing string.
        assertThat(r("GETEX", "nokey", "ex", "0")).isNull();
        putList("l");
        assertThat(r("GETEX", "l", "ex", "0")).isEqualTo(WRONGTYPE);

        // An absolute time in the past deletes the key after replying its value.
        assertThat(r("GETEX", "foo", "pxat", "1")).isEqualTo("bar");
        assertThat(entry("foo")).isNull();
    }

    @Test
    void getexAndGetOnExpiredKey() throws Exception {
        r("SET", "foo", "bar", "px", "1");
        Thread.sleep(5);
        assertThat(r("GETEX", "foo")).isNull();
        assertThat(r("GET", "foo")).isNull();
    }

    @Test
    void getdel() throws Exception {
        r("SET", "foo", "bar");
        assertThat(r("GETDEL", "foo")).isEqualTo("bar");
        assertThat(r("GETDEL", "foo")).isNull();
        assertThat(entry("foo")).isNull();
        putList("l");
        assertThat(r("GETDEL", "l")).isEqualTo(WRONGTYPE);
        assertThat(entry("l")).isNotNull();
    }

    @Test
    void getset() throws Exception {
        assertThat(r("GETSET", "foo", "xyz")).isNull();
        assertThat(r("GET", "foo")).isEqualTo("xyz");
        r("SET", "foo", "bar", "EX", "100");
        assertThat(r("GETSET", "foo", "123")).isEqualTo("bar");
        assertThat(r("GET", "foo")).isEqualTo("123");
        assertThat(expireAt("foo")).isEqualTo(-1); // GETSET drops the TTL
        assertThat(encoding("foo")).isEqualTo("int");
        putList("l");
        assertThat(r("GETSET", "l", "x")).isEqualTo(WRONGTYPE);
    }

    // ---- MGET / MSET / MSETNX ----------------------------------------------------------------

    @Test
    void mgetAndMset() throws Exception {
        r("SET", "foo{t}", "BAR");
        r("SET", "bar{t}", "FOO");
        assertThat(r("MGET", "foo{t}", "bar{t}")).isEqualTo(List.of("BAR", "FOO"));
        assertThat(r("MGET", "foo{t}", "baazz{t}", "bar{t}")).isEqualTo(Arrays.asList("BAR", null, "FOO"));
        putList("myset{t}");
        assertThat(r("MGET", "foo{t}", "baazz{t}", "bar{t}", "myset{t}")).isEqualTo(Arrays.asList("BAR", null, "FOO", null));

        assertThat(r("MSET", "x{t}", "10", "y{t}", "foo bar", "z{t}", "x x x x x x x\n\n\r\n")).isEqualTo("OK");
        assertThat(r("MGET", "x{t}", "y{t}", "z{t}")).isEqualTo(List.of("10", "foo bar", "x x x x x x x\n\n\r\n"));
        assertThat(encoding("x{t}")).isEqualTo("int");
        assertThat(encoding("y{t}")).isEqualTo("embstr");
        assertThat(r("MSET", "x{t}", "10", "y{t}", "foo bar", "z{t}"))
                .isEqualTo(new Err("ERR wrong number of arguments for 'mset' command"));
        assertThat(r("MSETNX", "x{t}", "20", "y{t}", "foo bar", "z{t}"))
                .isEqualTo(new Err("ERR wrong number of arguments for 'msetnx' command"));

        r("SET", "x{t}", "x", "EX", "100");
        assertThat(r("MSET", "x{t}", "xxx", "x{t}", "yyy")).isEqualTo("OK");
        assertThat(r("GET", "x{t}")).isEqualTo("yyy");
        assertThat(expireAt("x{t}")).isEqualTo(-1);
    }

    @Test
    void msetnx() throws Exception {
        r("SET", "x{t}", "x");
        assertThat(r("MSETNX", "x1{t}", "xxx", "y2{t}", "yyy", "x{t}", "20")).isEqualTo(0L);
        assertThat(entry("x1{t}")).isNull();
        assertThat(entry("y2{t}")).isNull();
        assertThat(r("MSETNX", "x1{t}", "xxx", "y2{t}", "yyy")).isEqualTo(1L);
        assertThat(r("MGET", "x1{t}", "y2{t}")).isEqualTo(List.of("xxx", "yyy"));
        r("DEL", "x1{t}");
        assertThat(r("MSETNX", "x1{t}", "xxx", "x1{t}", "yyy")).isEqualTo(1L);
        assertThat(r("GET", "x1{t}")).isEqualTo("yyy");
        assertThat(r("MSETNX", "x1{t}", "xxx", "x1{t}", "zzz")).isEqualTo(0L);
        assertThat(r("GET", "x1{t}")).isEqualTo("yyy");
    }

    // ---- STRLEN / APPEND -----------------------------------------------------------------------

    @Test
    void strlen() throws Exception {
        assertThat(r("STRLEN", "notakey")).isEqualTo(0L);
        r("SET", "myinteger", "-555");
        assertThat(r("STRLEN", "myinteger")).isEqualTo(4L);
        r("SET", "mystring", "foozzz0123456789 baz");
        assertThat(r("STRLEN", "mystring")).isEqualTo(20L);
        r("APPEND", "mystring", "!");
        assertThat(r("STRLEN", "mystring")).isEqualTo(21L);
        putList("l");
        assertThat(r("STRLEN", "l")).isEqualTo(WRONGTYPE);
    }

    @Test
    void appendEncodingsAndTtl() throws Exception {
        assertThat(r("APPEND", "n", "12")).isEqualTo(2L);
        assertThat(encoding("n")).isEqualTo("int"); // a new key is stored as SET would
        assertThat(r("APPEND", "s", "abc")).isEqualTo(3L);
        assertThat(encoding("s")).isEqualTo("embstr");

        r("SET", "foo", "1");
        assertThat(encoding("foo")).isEqualTo("int");
        assertThat(r("APPEND", "foo", "2")).isEqualTo(2L);
        assertThat(r("GET", "foo")).isEqualTo("12");
        assertThat(encoding("foo")).isEqualTo("raw");
        r("SET", "bar", "12");
        assertThat(encoding("bar")).isEqualTo("int");

        // Appending nothing still makes the value raw, as Redis unshares it first.
        r("SET", "e", "5");
        assertThat(r("APPEND", "e", "")).isEqualTo(1L);
        assertThat(encoding("e")).isEqualTo("raw");
        assertThat(r("APPEND", "missing", "")).isEqualTo(0L);
        assertThat(entry("missing")).isNotNull();

        r("SET", "t", "a", "EX", "100");
        long at = expireAt("t");
        r("APPEND", "t", "b");
        r("APPEND", "t", "c");
        assertThat(expireAt("t")).isEqualTo(at);
        assertThat(r("GET", "t")).isEqualTo("abc");

        putList("l");
        assertThat(r("APPEND", "l", "x")).isEqualTo(WRONGTYPE);
    }

    @Test
    void manyAppendsBuildTheRightValue() throws Exception {
        StringBuilder want = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            String piece = Integer.toString(i, 36);
            want.append(piece);
            c.send("APPEND", "big", piece);
        }
        for (int i = 0; i < 2000; i++) {
            c.read();
        }
        assertThat(r("GET", "big")).isEqualTo(want.toString());
        assertThat(r("STRLEN", "big")).isEqualTo((long) want.length());
    }

    // ---- SETRANGE / GETRANGE -------------------------------------------------------------------

    @Test
    void setrangeAgainstMissingKey() throws Exception {
        assertThat(r("SETRANGE", "mykey", "0", "foo")).isEqualTo(3L);
        assertThat(r("GET", "mykey")).isEqualTo("foo");
        assertThat(encoding("mykey")).isEqualTo("raw");
        r("DEL", "mykey");
        assertThat(r("SETRANGE", "mykey", "0", "")).isEqualTo(0L);
        assertThat(entry("mykey")).isNull();
        assertThat(r("SETRANGE", "mykey", "1", "foo")).isEqualTo(4L);
        assertThat(r("GET", "mykey")).isEqualTo("\0foo");
    }

    @Test
    void setrangeAgainstStrings() throws Exception {
        r("SET", "mykey", "foo");
        assertThat(r("SETRANGE", "mykey", "0", "b")).isEqualTo(3L);
        assertThat(r("GET", "mykey")).isEqualTo("boo");
        r("SET", "mykey", "foo");
        assertThat(r("SETRANGE", "mykey", "0", "")).isEqualTo(3L);
        assertThat(r("GET", "mykey")).isEqualTo("foo");
        r("SET", "mykey", "foo");
        assertThat(r("SETRANGE", "mykey", "1", "b")).isEqualTo(3L);
        assertThat(r("GET", "mykey")).isEqualTo("fbo");
        r("SET", "mykey", "foo");
        assertThat(r("SETRANGE", "mykey", "4", "bar")).isEqualTo(7L);
        assertThat(r("GET", "mykey")).isEqualTo("foo\0bar");
    }

    @Test
    void setrangeAgainstIntegers() throws Exception {
        r("SET", "mykey", "1234");
        assertThat(encoding("mykey")).isEqualTo("int");
        assertThat(r("SETRANGE", "mykey", "0", "2")).isEqualTo(4L);
        assertThat(encoding("mykey")).isEqualTo("raw");
        assertThat(r("GET", "mykey")).isEqualTo("2234");

        r("SET", "mykey", "1234");
        assertThat(r("SETRANGE", "mykey", "0", "")).isEqualTo(4L);
        assertThat(encoding("mykey")).isEqualTo("int"); // nothing set: unchanged
        assertThat(r("GET", "mykey")).isEqualTo("1234");

        r("SET", "mykey", "1234");
        assertThat(r("SETRANGE", "mykey", "1", "3")).isEqualTo(4L);
        assertThat(encoding("mykey")).isEqualTo("raw");
        assertThat(r("GET", "mykey")).isEqualTo("1334");

        r("SET", "mykey", "1234");
        assertThat(r("SETRANGE", "mykey", "5", "2")).isEqualTo(6L);
        assertThat(encoding("mykey")).isEqualTo("raw");
        assertThat(r("GET", "mykey")).isEqualTo("1234\0002");
    }

    @Test
    void setrangeErrorsAndTtl() throws Exception {
        putList("l");
        assertThat(r("SETRANGE", "l", "0", "bar")).isEqualTo(WRONGTYPE);
        Err tooBig = new Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        assertThat(r("SETRANGE", "mykey", 512L * 1024 * 1024 - 4, "world")).isEqualTo(tooBig);
        r("SET", "mykey", "hello");
        assertThat(r("SETRANGE", "mykey", "-1", "world")).isEqualTo(new Err("ERR offset is out of range"));
        assertThat(r("SETRANGE", "mykey", 512L * 1024 * 1024 - 4, "world")).isEqualTo(tooBig);
        assertThat(r("SETRANGE", "mykey", "9223372036854775807", "A")).isEqualTo(tooBig);
        assertThat(r("SETRANGE", "mykey", "2147483647", "A")).isEqualTo(tooBig);
        assertThat(r("SETRANGE", "mykey", "x", "A")).isEqualTo(NOT_INT);
        assertThat(r("GET", "mykey")).isEqualTo("hello");

        r("SET", "t", "hello", "EX", "100");
        long at = expireAt("t");
        r("SETRANGE", "t", "0", "J");
        r("SETRANGE", "t", "5", "!");
        assertThat(r("GET", "t")).isEqualTo("Jello!");
        assertThat(expireAt("t")).isEqualTo(at);
    }

    @Test
    void getrange() throws Exception {
        assertThat(r("GETRANGE", "mykey", "0", "-1")).isEqualTo("");
        putList("lkey1");
        assertThat(r("GETRANGE", "lkey1", "0", "-1")).isEqualTo(WRONGTYPE);

        r("SET", "mykey", "Hello World");
        assertThat(r("GETRANGE", "mykey", "0", "3")).isEqualTo("Hell");
        assertThat(r("GETRANGE", "mykey", "0", "-1")).isEqualTo("Hello World");
        assertThat(r("GETRANGE", "mykey", "-4", "-1")).isEqualTo("orld");
        assertThat(r("GETRANGE", "mykey", "5", "3")).isEqualTo("");
        assertThat(r("GETRANGE", "mykey", "5", "5000")).isEqualTo(" World");
        assertThat(r("GETRANGE", "mykey", "-5000", "10000")).isEqualTo("Hello World");
        assertThat(r("GETRANGE", "mykey", "-1", "-5")).isEqualTo("");
        assertThat(r("GETRANGE", "mykey", "-9223372036854775808", "9223372036854775807")).isEqualTo("Hello World");
        assertThat(r("GETRANGE", "mykey", "x", "1")).isEqualTo(NOT_INT);

        r("SET", "mykey", "1234");
        assertThat(r("GETRANGE", "mykey", "0", "2")).isEqualTo("123");
        assertThat(r("GETRANGE", "mykey", "0", "-1")).isEqualTo("1234");
        assertThat(r("GETRANGE", "mykey", "-3", "-1")).isEqualTo("234");
        assertThat(r("GETRANGE", "mykey", "5", "3")).isEqualTo("");
        assertThat(r("GETRANGE", "mykey", "3", "5000")).isEqualTo("4");
        assertThat(r("GETRANGE", "mykey", "-5000", "10000")).isEqualTo("1234");

        r("SET", "foo", "bar");
        assertThat(r("GETRANGE", "foo", "0", "4294967297")).isEqualTo("bar");
        r("SET", "empty", "");
        assertThat(r("GETRANGE", "empty", "0", "-1")).isEqualTo("");
    }

    @Test
    void getrangeFuzzing() throws Exception {
        Random rnd = new Random(7);
        for (int i = 0; i < 300; i++) {
            byte[] bin = new byte[rnd.nextInt(1025)];
            rnd.nextBytes(bin);
            int start = rnd.nextInt(1500);
            int end = rnd.nextInt(1500);
            r("SET", "bin", bin);
            int last = Math.min(end, bin.length - 1);
            String want = start > last ? "" : new String(bin, start, last - start + 1, StandardCharsets.ISO_8859_1);
            assertThat(r("GETRANGE", "bin", start, end)).isEqualTo(want);
        }
    }

    @Test
    void substr() throws Exception {
        r("SET", "key", "abcde");
        assertThat(r("SUBSTR", "key", "0", "0")).isEqualTo("a");
        assertThat(r("SUBSTR", "key", "0", "3")).isEqualTo("abcd");
        assertThat(r("SUBSTR", "key", "-4", "-1")).isEqualTo("bcde");
        assertThat(r("SUBSTR", "key", "-1", "-3")).isEqualTo("");
        assertThat(r("SUBSTR", "key", "7", "8")).isEqualTo("");
        assertThat(r("SUBSTR", "nokey", "0", "1")).isEqualTo("");
    }

    // ---- LCS -------------------------------------------------------------------------------------

    @Test
    void lcs() throws Exception {
        r("MSET", "key1", "ohmytext", "key2", "mynewtext");
        assertThat(r("LCS", "key1", "key2")).isEqualTo("mytext");
        assertThat(r("LCS", "key1", "key2", "LEN")).isEqualTo(6L);
        assertThat(r("LCS", "key1", "key2", "IDX")).isEqualTo(List.of(
                "matches", List.of(List.of(List.of(4L, 7L), List.of(5L, 8L)), List.of(List.of(2L, 3L), List.of(0L, 1L))),
                "len", 6L));
        assertThat(r("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")).isEqualTo(List.of(
                "matches", List.of(List.of(List.of(4L, 7L), List.of(5L, 8L), 4L)),
                "len", 6L));
        assertThat(r("LCS", "key1", "key2", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "-3")).isEqualTo(List.of(
                "matches", List.of(List.of(List.of(4L, 7L), List.of(5L, 8L), 4L), List.of(List.of(2L, 3L), List.of(0L, 1L), 2L)),
                "len", 6L));
        assertThat(r("LCS", "nokey1", "nokey2")).isEqualTo("");
        assertThat(r("LCS", "nokey1", "key2", "IDX")).isEqualTo(List.of("matches", List.of(), "len", 0L));

        assertThat(r("LCS", "key1", "key2", "IDX", "LEN"))
                .isEqualTo(new Err("ERR If you want both the length and indexes, please just use IDX."));
        assertThat(r("LCS", "key1", "key2", "FOO")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("LCS", "key1", "key2", "MINMATCHLEN")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("LCS", "key1", "key2", "MINMATCHLEN", "x")).isEqualTo(NOT_INT);
        putList("l");
        assertThat(r("LCS", "key1", "l")).isEqualTo(new Err("ERR The specified keys must contain string values"));
    }

    @Test
    void lcsIdxInResp3IsAMap() throws Exception {
        r("HELLO", "3");
        r("MSET", "key1", "ohmytext", "key2", "mynewtext");
        Object reply = r("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4");
        assertThat(reply).isEqualTo(Map.of("matches", List.of(List.of(List.of(4L, 7L), List.of(5L, 8L))), "len", 6L));
    }

    @Test
    void lcsOfLongStrings() throws Exception {
        // A long shared middle with different prefixes and suffixes.
        String common = "ACGT".repeat(100);
        r("SET", "a", "xx" + common + "yyy");
        r("SET", "b", "zzzz" + common + "w");
        assertThat(r("LCS", "a", "b")).isEqualTo(common);
        assertThat(r("LCS", "a", "b", "IDX", "WITHMATCHLEN")).isEqualTo(List.of(
                "matches", List.of(List.of(List.of(2L, 401L), List.of(4L, 403L), 400L)), "len", 400L));
    }

    // ---- INCR family -----------------------------------------------------------------------------

    @Test
    void incrDecrBasics() throws Exception {
        assertThat(r("INCR", "novar")).isEqualTo(1L);
        assertThat(r("GET", "novar")).isEqualTo("1");
        assertThat(r("INCR", "novar")).isEqualTo(2L);
        assertThat(r("DECR", "novar")).isEqualTo(1L);
        assertThat(r("DECR", "novar_not_exist")).isEqualTo(-1L);
        assertThat(r("INCR", "novar_not_exist")).isEqualTo(0L);
        r("SET", "novar", "100");
        assertThat(r("INCR", "novar")).isEqualTo(101L);
        r("SET", "novar", "17179869184");
        assertThat(r("INCR", "novar")).isEqualTo(17179869185L);
        r("SET", "novar", "17179869184");
        assertThat(r("INCRBY", "novar", "17179869184")).isEqualTo(34359738368L);
        r("SET", "novar", "17179869184");
        assertThat(r("DECRBY", "novar", "17179869185")).isEqualTo(-1L);
        assertThat(r("DECRBY", "key_not_exist", "1")).isEqualTo(-1L);
        assertThat(encoding("novar")).isEqualTo("int");
    }

    @Test
    void incrErrors() throws Exception {
        for (String v : new String[] {"    11", "11    ", "    11    ", "1.5", "012", "+1", "", "abc"}) {
            r("SET", "novar", v);
            assertThat(r("INCR", "novar")).as("'%s'", v).isEqualTo(NOT_INT);
            assertThat(r("GET", "novar")).isEqualTo(v);
        }
        r("SET", "x", "0");
        assertThat(r("DECRBY", "x", "-9223372036854775808")).isEqualTo(new Err("ERR decrement would overflow"));
        assertThat(r("INCRBY", "x", "1x")).isEqualTo(NOT_INT);
        assertThat(r("INCRBY", "x", "9223372036854775808")).isEqualTo(NOT_INT);
        r("SET", "x", "9223372036854775807");
        assertThat(r("INCR", "x")).isEqualTo(new Err("ERR increment or decrement would overflow"));
        r("SET", "x", "-9223372036854775808");
        assertThat(r("DECR", "x")).isEqualTo(new Err("ERR increment or decrement would overflow"));
        assertThat(r("INCRBY", "x", "9223372036854775807")).isEqualTo(-1L);
        putList("mylist");
        assertThat(r("INCR", "mylist")).isEqualTo(WRONGTYPE);
        assertThat(r("INCRBYFLOAT", "mylist", "1.0")).isEqualTo(WRONGTYPE);
    }

    @Test
    void incrModifiesTheEntryInPlaceWhenTheDigitCountStays() throws Exception {
        r("SET", "foo", "20000");
        r("INCR", "foo");
        Object before = entry("foo");
        r("INCR", "foo");
        assertThat(entry("foo")).isSameAs(before);
        assertThat(r("GET", "foo")).isEqualTo("20002");
        r("SET", "foo", "99");
        r("INCR", "foo");
        assertThat(r("GET", "foo")).isEqualTo("100");
        assertThat(encoding("foo")).isEqualTo("int");
    }

    @Test
    void countersKeepTheTtl() throws Exception {
        r("SET", "c", "9", "EX", "100");
        long at = expireAt("c");
        r("INCR", "c"); // 9 -> 10: a new entry
        r("INCR", "c"); // in place
        r("DECRBY", "c", "5");
        r("INCRBYFLOAT", "c", "0.5");
        assertThat(r("GET", "c")).isEqualTo("6.5");
        assertThat(expireAt("c")).isEqualTo(at);
    }

    @Test
    void incrUpdatesEncodingFromRawToInt() throws Exception {
        for (String cmd : new String[] {"INCR", "DECR", "INCRBY", "DECRBY"}) {
            r("SET", "foo", "1");
            assertThat(encoding("foo")).isEqualTo("int");
            r("APPEND", "foo", "2");
            assertThat(encoding("foo")).isEqualTo("raw");
            Object v = cmd.endsWith("BY") ? r(cmd, "foo", "1") : r(cmd, "foo");
            assertThat(v).isEqualTo(cmd.startsWith("INCR") ? 13L : 11L);
            assertThat(encoding("foo")).isEqualTo("int");
        }
    }

    @Test
    void incrbyfloat() throws Exception {
        assertThat(r("INCRBYFLOAT", "novar", "1")).isEqualTo("1");
        assertThat(encoding("novar")).isEqualTo("embstr"); // a formatted number, never "int"
        assertThat(r("INCRBYFLOAT", "novar", "0.25")).isEqualTo("1.25");
        assertThat(r("GET", "novar")).isEqualTo("1.25");
        r("SET", "novar", "1.5");
        assertThat(r("INCRBYFLOAT", "novar", "1.5")).isEqualTo("3");
        r("SET", "novar", "17179869184");
        assertThat(r("INCRBYFLOAT", "novar", "1.5")).isEqualTo("17179869185.5");
        r("SET", "novar", "17179869184");
        assertThat(r("INCRBYFLOAT", "novar", "17179869184")).isEqualTo("34359738368");
        for (String v : new String[] {"    11", "11    ", " 11 "}) {
            r("SET", "novar", v);
            assertThat(r("INCRBYFLOAT", "novar", "1.0")).isEqualTo(NOT_FLOAT);
        }
        r("SET", "foo", "0");
        assertThat(r("INCRBYFLOAT", "foo", "+inf")).isEqualTo(new Err("ERR increment would produce NaN or Infinity"));
        assertThat(r("INCRBYFLOAT", "foo", "nan")).isEqualTo(NOT_FLOAT);
        r("SET", "foo", "1");
        assertThat(r("INCRBYFLOAT", "foo", "-1.1")).isEqualTo("-0.1");
        // "1\0" + "2": strtold stops at the NUL, so the value is not a float.
        r("SET", "foo", "1");
        r("SETRANGE", "foo", "2", "2");
        assertThat(r("INCRBYFLOAT", "foo", "1")).isEqualTo(NOT_FLOAT);
        r("DEL", "foo");
        r("INCRBYFLOAT", "foo", Double.toString(1.0 / 41));
        r("INCRBYFLOAT", "foo", Double.toString(-1.0 / 41));
        assertThat(r("GET", "foo")).isEqualTo("0");
        assertThat(r("INCRBYFLOAT", "foo", "1e400")).asString().startsWith("1" + "0".repeat(19) + "281880683947586514586").hasSize(401);
        assertThat(encoding("foo")).isEqualTo("raw");
    }

    // ---- WATCH and limits --------------------------------------------------------------------------

    @Test
    void inPlaceWritesTouchWatchedKeys() throws Exception {
        String[][] writes = {{"INCR", "k"}, {"APPEND", "k", "x"}, {"SETRANGE", "k", "0", "9"}, {"INCRBYFLOAT", "k", "1"}};
        for (String[] w : writes) {
            r("SET", "k", "100"); // INCR 100 -> 101 rewrites this packed entry in place
            if (w[0].equals("APPEND") || w[0].equals("SETRANGE")) {
                r("APPEND", "k", ""); // a raw value, which APPEND and SETRANGE edit in place
            }
            try (RespClient other = new RespClient(server.port())) {
                assertThat(r("WATCH", "k")).isEqualTo("OK");
                other.call((Object[]) w);
                r("MULTI");
                r("GET", "k");
                assertThat(r("EXEC")).as(w[0]).isNull();
            }
        }
    }

    @Test
    void protoMaxBulkLenLimitsAppendSetrangeAndLcs() throws Exception {
        try (CinnabarServer small = CinnabarServer.builder().port(0).config("proto-max-bulk-len", "1mb").start();
             RespClient s = new RespClient(small.port())) {
            Err tooBig = new Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            assertThat(s.call("SETRANGE", "k", 1024 * 1024 - 1, "x")).isEqualTo(1024L * 1024);
            assertThat(s.call("APPEND", "k", "y")).isEqualTo(tooBig);
            assertThat(s.call("SETRANGE", "k", 1024 * 1024, "x")).isEqualTo(tooBig);
            assertThat(s.call("SETRANGE", "n", 1024 * 1024, "x")).isEqualTo(tooBig);
            assertThat(s.call("STRLEN", "k")).isEqualTo(1024L * 1024);
            s.call("SET", "a", "a".repeat(600));
            s.call("SET", "b", "b".repeat(600));
            assertThat(s.call("LCS", "a", "b")).isEqualTo(
                    new Err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"));
        }
    }
}
