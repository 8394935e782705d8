package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sorted set commands through a real server, mirroring what upstream unit/type/zset, the ZSCAN
 * tests of unit/scan and the zset COPY tests of unit/keyspace pin down: replies and their
 * RESP2/RESP3 shapes, error texts, encodings and conversions.
 */
class ZSetFamilyTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create()
            .eachTest("FLUSHALL")
            .eachTest("CONFIG", "SET", "zset-max-listpack-entries", "128")
            .eachTest("CONFIG", "SET", "zset-max-listpack-value", "64");
    final RespClient c = server.client();

    private Object r(Object... args) throws Exception {
        return c.call(args);
    }

    private String err(Object... args) throws Exception {
        Object o = c.call(args);
        assertThat(o).as("reply to %s", List.of(args)).isInstanceOf(Err.class);
        return ((Err) o).message();
    }

    private void encoding(String enc) throws Exception {
        r("CONFIG", "SET", "zset-max-listpack-entries", enc.equals("listpack") ? "128" : "0");
        r("CONFIG", "SET", "zset-max-listpack-value", enc.equals("listpack") ? "64" : "0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"listpack", "skiplist"})
    void zaddOptionsAndReplies(String enc) throws Exception {
        encoding(enc);
        assertThat(r("ZADD", "z", "10", "x")).isEqualTo(1L);
        assertThat(r("OBJECT", "ENCODING", "z")).isEqualTo(enc);
        assertThat(r("ZADD", "z", "20", "y", "30", "z")).isEqualTo(2L);
        assertThat(r("ZADD", "z", "1", "y")).isEqualTo(0L);
        assertThat(r("ZRANGE", "z", "0", "-1")).isEqualTo(List.of("y", "x", "z"));
        assertThat(r("ZADD", "z", "xx", "20", "y", "5", "new")).isEqualTo(0L);
        assertThat(r("ZCARD", "z")).isEqualTo(3L);
        assertThat(r("ZADD", "z", "gt", "ch", "5", "foo", "11", "x", "21", "y", "29", "z")).isEqualTo(3L);
        assertThat(r("ZSCORE", "z", "z")).isEqualTo("30");
        assertThat(r("ZADD", "z", "lt", "ch", "5", "foo", "12", "x", "1", "y")).isEqualTo(1L);
        assertThat(r("ZADD", "z", "nx", "100", "x", "7", "n")).isEqualTo(1L);
        assertThat(r("ZSCORE", "z", "x")).isEqualTo("11");
        assertThat(r("ZADD", "missing", "xx", "1", "a")).isEqualTo(0L);
        assertThat(r("EXISTS", "missing")).isEqualTo(0L);
        // INCR with GT/LT: a null reply when the score is not changed.
        r("DEL", "t");
        r("ZADD", "t", "28", "x");
        assertThat(r("ZADD", "t", "lt", "incr", "1", "x")).isNull();
        assertThat(r("ZADD", "t", "gt", "incr", "-1", "x")).isNull();
        assertThat(r("ZADD", "t", "incr", "15", "x")).isEqualTo("43");
        r("ZADD", "t", "+inf", "i");
        assertThat(r("ZADD", "t", "gt", "incr", "1", "i")).isNull();
        assertThat(r("ZSCORE", "t", "i")).isEqualTo("inf");
    }

    @Test
    void zaddErrors() throws Exception {
        assertThat(err("ZADD", "z", "xx", "nx", "1", "a")).isEqualTo("ERR XX and NX options at the same time are not compatible");
        assertThat(err("ZADD", "z", "gt", "nx", "1", "a"))
                .isEqualTo("ERR GT, LT, and/or NX options at the same time are not compatible");
        assertThat(err("ZADD", "z", "lt", "gt", "1", "a"))
                .isEqualTo("ERR GT, LT, and/or NX options at the same time are not compatible");
        assertThat(err("ZADD", "z", "incr", "1", "a", "2", "b")).isEqualTo("ERR INCR option supports a single increment-element pair");
        assertThat(err("ZADD", "z", "xx", "10", "x", "20")).isEqualTo("ERR syntax error");
        assertThat(err("ZADD", "z", "nan", "a")).isEqualTo("ERR value is not a valid float");
        assertThat(err("ZADD", "z", "", "a")).isEqualTo("ERR value is not a valid float");
        assertThat(err("ZADD", "z", "10", "a", "20", "b", "30.badscore", "c")).isEqualTo("ERR value is not a valid float");
        assertThat(r("EXISTS", "z")).isEqualTo(0L);
        assertThat(err("ZINCRBY", "z", "nan", "a")).isEqualTo("ERR value is not a valid float");
        assertThat(err("ZINCRBY", "z", "1", "a", "2")).isEqualTo("ERR wrong number of arguments for 'zincrby' command");
        r("ZINCRBY", "z", "+inf", "abc");
        assertThat(err("ZINCRBY", "z", "-inf", "abc")).isEqualTo("ERR resulting score is not a number (NaN)");
        r("SET", "s", "v");
        assertThat(err("ZADD", "s", "1", "a")).startsWith("WRONGTYPE");
        assertThat(err("ZRANGE", "s", "0", "-1")).startsWith("WRONGTYPE");
    }

    @ParameterizedTest
    @ValueSource(strings = {"listpack", "skiplist"})
    void ranksAndRanges(String enc) throws Exception {
        encoding(enc);
        r("ZADD", "z", "-inf", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "+inf", "g");
        assertThat(r("ZRANGEBYSCORE", "z", "(-inf", "(2")).isEqualTo(List.of("b"));
        assertThat(r("ZREVRANGEBYSCORE", "z", "(6", "(3")).isEqualTo(List.of("f", "e"));
        assertThat(r("ZRANGEBYSCORE", "z", "0", "10", "LIMIT", "2", "3")).isEqualTo(List.of("d", "e", "f"));
        assertThat(r("ZREVRANGEBYSCORE", "z", "5", "2", "LIMIT", "2", "3", "WITHSCORES")).isEqualTo(List.of("d", "3", "c", "2"));
        assertThat(r("ZRANGE", "z", "5", "0", "BYSCORE", "REV", "LIMIT", "0", "2", "WITHSCORES"))
                .isEqualTo(List.of("f", "5", "e", "4"));
        assertThat(r("ZCOUNT", "z", "(0", "(3")).isEqualTo(2L);
        assertThat(r("ZRANGE", "z", "-2", "-1", "WITHSCORES")).isEqualTo(List.of("f", "5", "g", "inf"));
        assertThat(r("ZREVRANGE", "z", "0", "1")).isEqualTo(List.of("g", "f"));
        assertThat(r("ZRANK", "z", "c")).isEqualTo(2L);
        assertThat(r("ZREVRANK", "z", "c", "withscore")).isEqualTo(List.of(4L, "2"));
        assertThat(r("ZRANK", "z", "nope")).isNull();
        assertThat(r("ZRANK", "z", "nope", "withscore")).isNull();
        assertThat(err("ZRANK", "z", "c", "withscores")).isEqualTo("ERR syntax error");
        assertThat(err("ZRANK", "z", "c", "withscore", "x")).isEqualTo("ERR wrong number of arguments for 'zrank' command");
        assertThat(err("ZRANGEBYSCORE", "z", "str", "1")).isEqualTo("ERR min or max is not a float");
        assertThat(err("ZRANGEBYSCORE", "z", "1", "NaN")).isEqualTo("ERR min or max is not a float");
        assertThat(err("ZRANGE", "z", "0", "-1", "LIMIT", "1", "2"))
                .isEqualTo("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        assertThat(err("ZRANGE", "z", "0", "-1", "BYLEX", "WITHSCORES"))
                .isEqualTo("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        assertThat(err("ZREVRANGE", "z", "0", "-1", "BYSCORE")).isEqualTo("ERR syntax error");
        assertThat(err("ZRANGEBYSCORE", "z", "0", "-1", "REV")).isEqualTo("ERR syntax error");
        // Negative offsets give nothing; a negative count means no limit.
        assertThat(r("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2")).isEqualTo(List.of());
        assertThat(r("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "5", "-7")).isEqualTo(List.of("f", "g"));

        r("DEL", "l");
        r("ZADD", "l", "0", "alpha", "0", "bar", "0", "cool", "0", "down", "0", "elephant", "0", "foo", "0", "great",
                "0", "hill", "0", "omega");
        assertThat(r("ZRANGEBYLEX", "l", "-", "[cool")).isEqualTo(List.of("alpha", "bar", "cool"));
        assertThat(r("ZREVRANGEBYLEX", "l", "+", "(great")).isEqualTo(List.of("omega", "hill"));
        assertThat(r("ZRANGE", "l", "[bar", "[down", "BYLEX", "LIMIT", "1", "1")).isEqualTo(List.of("cool"));
        assertThat(r("ZLEXCOUNT", "l", "(bar", "[foo")).isEqualTo(4L);
        assertThat(r("ZLEXCOUNT", "l", "+", "-")).isEqualTo(0L);
        assertThat(err("ZRANGEBYLEX", "l", "foo", "[bar")).isEqualTo("ERR min or max not valid string range item");
        assertThat(err("ZRANGEBYLEX", "l", "+x", "[bar")).isEqualTo("ERR min or max not valid string range item");
        assertThat(r("ZREMRANGEBYLEX", "l", "[bar", "[down")).isEqualTo(3L);
        assertThat(r("ZREMRANGEBYLEX", "l", "-", "+")).isEqualTo(6L);
        assertThat(r("EXISTS", "l")).isEqualTo(0L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"listpack", "skiplist"})
    void removals(String enc) throws Exception {
        encoding(enc);
        r("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
        assertThat(r("ZREMRANGEBYRANK", "z", "1", "3")).isEqualTo(3L);
        assertThat(r("ZRANGE", "z", "0", "-1")).isEqualTo(List.of("a", "e"));
        assertThat(r("ZREMRANGEBYRANK", "z", "5", "-1")).isEqualTo(0L);
        r("ZADD", "z", "2", "b", "3", "c", "4", "d");
        assertThat(r("ZREMRANGEBYSCORE", "z", "(1", "(5")).isEqualTo(3L);
        assertThat(r("ZREM", "z", "x", "a", "e", "k")).isEqualTo(2L);
        assertThat(r("EXISTS", "z")).isEqualTo(0L);
        assertThat(r("ZREM", "z", "a")).isEqualTo(0L);
        assertThat(err("ZREMRANGEBYSCORE", "z", "1", "str")).isEqualTo("ERR min or max is not a float");
    }

    @ParameterizedTest
    @ValueSource(strings = {"listpack", "skiplist"})
    void popsInBothProtocols(String enc) throws Exception {
        encoding(enc);
        r("ZADD", "z", "-1", "a", "1", "b", "2", "c", "3", "d", "4", "e");
        assertThat(r("ZPOPMIN", "z")).isEqualTo(List.of("a", "-1"));
        assertThat(r("ZPOPMAX", "z", "2")).isEqualTo(List.of("e", "4", "d", "3"));
        assertThat(r("ZPOPMIN", "z", "0")).isEqualTo(List.of());
        assertThat(r("ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "1")).isEqualTo(List.of("z", List.of(List.of("c", "2"))));
        r("HELLO", "3");
        assertThat(r("ZPOPMIN", "z")).isEqualTo(List.of("b", 1.0));
        assertThat(r("EXISTS", "z")).isEqualTo(0L);
        r("ZADD", "z", "0", "a", "1", "b", "2", "c");
        assertThat(r("ZPOPMIN", "z", "2")).isEqualTo(List.of(List.of("a", 0.0), List.of("b", 1.0)));
        assertThat(r("ZMPOP", "1", "nokey", "MIN")).isNull();
        r("HELLO", "2");
        assertThat(r("ZMPOP", "1", "nokey", "MIN")).isNull();
        assertThat(r("ZPOPMIN", "nokey")).isEqualTo(List.of());
        r("SET", "s", "v");
        assertThat(err("ZPOPMIN", "s", "-1")).isEqualTo("ERR value is out of range, must be positive");
        assertThat(err("ZPOPMIN", "s")).startsWith("WRONGTYPE");
        assertThat(err("ZMPOP", "2", "nokey", "s", "MIN")).startsWith("WRONGTYPE");
        assertThat(err("ZMPOP", "0", "z", "MIN")).isEqualTo("ERR numkeys should be greater than 0");
        assertThat(err("ZMPOP", "a", "z", "MIN")).isEqualTo("ERR numkeys should be greater than 0");
        assertThat(err("ZMPOP", "1", "z", "MAX", "MIN")).isEqualTo("ERR syntax error");
        assertThat(err("ZMPOP", "1", "z", "MAX", "COUNT", "1", "COUNT", "2")).isEqualTo("ERR syntax error");
        assertThat(err("ZMPOP", "1", "z", "MIN", "COUNT", "0")).isEqualTo("ERR count should be greater than 0");
        assertThat(err("ZMPOP", "5", "z", "MIN")).isEqualTo("ERR syntax error");
    }

    @Test
    void resp3ShapesAndDoubles() throws Exception {
        r("ZADD", "z", "1", "a", "2.5", "b");
        r("HELLO", "3");
        assertThat(r("ZRANGE", "z", "0", "-1", "WITHSCORES")).isEqualTo(List.of(List.of("a", 1.0), List.of("b", 2.5)));
        assertThat(r("ZSCORE", "z", "b")).isEqualTo(2.5);
        assertThat(r("ZSCORE", "z", "x")).isNull();
        assertThat(r("ZMSCORE", "z", "a", "x")).isEqualTo(java.util.Arrays.asList(1.0, null));
        assertThat(r("ZINCRBY", "z", "0.1", "a")).isEqualTo(1.1);
        assertThat(r("ZRANK", "z", "b", "WITHSCORE")).isEqualTo(List.of(1L, 2.5));
        // The raw bytes: a RESP3 double is ",text".
        c.writeRaw(RespClient.encode("ZSCORE", "z", "b"));
        assertThat(c.line()).isEqualTo(",2.5");
        r("HELLO", "2");
        assertThat(r("ZINCRBY", "z", "0.2", "a")).isEqualTo("1.3");
        assertThat(r("ZINCRBY", "n", "0.1", "x")).isEqualTo("0.1");
        assertThat(r("ZINCRBY", "n", "0.2", "x")).isEqualTo("0.30000000000000004");
        String dblmax = "17976931348623157" + "0".repeat(292) + ".00000000000000000";
        r("ZADD", "zz", dblmax, "dblmax");
        assertThat(r("OBJECT", "ENCODING", "zz")).isEqualTo("listpack");
        assertThat(r("ZSCORE", "zz", "dblmax")).isEqualTo("1.7976931348623157e+308");
    }

    @Test
    void negativeZeroFollowsTheEncoding() throws Exception {
        r("ZADD", "lp", "-0", "m");
        assertThat(r("ZSCORE", "lp", "m")).isEqualTo("0");
        encoding("skiplist");
        r("ZADD", "sl", "-0", "m");
        assertThat(r("ZSCORE", "sl", "m")).isEqualTo("-0");
        assertThat(r("ZINCRBY", "new", "-0", "m")).isEqualTo("-0");
    }

    @Test
    void conversions() throws Exception {
        r("CONFIG", "SET", "zset-max-listpack-entries", "64");
        List<Object> args = new ArrayList<>(List.of("ZADD", "z"));
        for (int i = 0; i < 128; i++) {
            args.add(Integer.toString(i));
        }
        r(args.toArray());
        assertThat(r("OBJECT", "ENCODING", "z")).isEqualTo("listpack");
        assertThat(r("ZCARD", "z")).isEqualTo(64L);
        assertThat(r("ZADD", "z", "1", "b")).isEqualTo(1L);
        assertThat(r("OBJECT", "ENCODING", "z")).isEqualTo("skiplist");
        // Announcing more pairs than the limit converts even when nothing is added (XX).
        r("DEL", "y");
        r("ZADD", "y", "1", "1");
        List<Object> xx = new ArrayList<>(List.of("ZADD", "y", "XX"));
        for (int i = 0; i < 130; i++) {
            xx.add(Integer.toString(i));
        }
        r(xx.toArray());
        assertThat(r("OBJECT", "ENCODING", "y")).isEqualTo("skiplist");
        // A long member converts.
        r("CONFIG", "SET", "zset-max-listpack-value", "10");
        r("ZADD", "v", "1", "a");
        r("ZADD", "v", "2", "x".repeat(11));
        assertThat(r("OBJECT", "ENCODING", "v")).isEqualTo("skiplist");
        // ZRANGESTORE: created for the announced length, then grows like ZADD.
        r("CONFIG", "SET", "zset-max-listpack-entries", "1");
        r("DEL", "z1");
        r("ZADD", "z1", "1", "a", "2", "b");
        assertThat(r("ZRANGESTORE", "z2", "z1", "0", "0")).isEqualTo(1L);
        assertThat(r("OBJECT", "ENCODING", "z2")).isEqualTo("listpack");
        assertThat(r("ZRANGESTORE", "z3", "z1", "0", "1")).isEqualTo(2L);
        assertThat(r("OBJECT", "ENCODING", "z3")).isEqualTo("skiplist");
        r("CONFIG", "SET", "zset-max-listpack-entries", "0");
        r("DEL", "z1");
        r("ZADD", "z1", "1", "a");
        assertThat(r("ZRANGESTORE", "z2", "z1", "0", "-1")).isEqualTo(1L);
        assertThat(r("OBJECT", "ENCODING", "z2")).isEqualTo("skiplist");
        // Set-operation results go back to a listpack when small enough.
        r("ZUNIONSTORE", "u", "1", "z1");
        assertThat(r("OBJECT", "ENCODING", "u")).isEqualTo("skiplist");
        r("CONFIG", "SET", "zset-max-listpack-entries", "128");
        r("CONFIG", "SET", "zset-max-listpack-value", "64");
        r("ZUNIONSTORE", "u", "1", "z1");
        assertThat(r("OBJECT", "ENCODING", "u")).isEqualTo("listpack");
    }

    @ParameterizedTest
    @ValueSource(strings = {"listpack", "skiplist"})
    void setAlgebra(String enc) throws Exception {
        encoding(enc);
        r("ZADD", "a", "1", "a", "2", "b", "3", "c");
        r("ZADD", "b", "1", "b", "2", "c", "3", "d");
        assertThat(r("ZUNIONSTORE", "c", "2", "a", "b")).isEqualTo(4L);
        assertThat(r("ZRANGE", "c", "0", "-1", "WITHSCORES")).isEqualTo(List.of("a", "1", "b", "3", "d", "3", "c", "5"));
        assertThat(r("ZUNION", "2", "a", "b", "WEIGHTS", "2", "3", "WITHSCORES"))
                .isEqualTo(List.of("a", "2", "b", "7", "d", "9", "c", "12"));
        assertThat(r("ZINTER", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES")).isEqualTo(List.of("b", "1", "c", "2"));
        assertThat(r("ZINTER", "2", "a", "b", "AGGREGATE", "MAX", "WITHSCORES")).isEqualTo(List.of("b", "2", "c", "3"));
        assertThat(r("ZDIFF", "2", "a", "b", "WITHSCORES")).isEqualTo(List.of("a", "1"));
        assertThat(r("ZDIFFSTORE", "c", "2", "a", "a")).isEqualTo(0L);
        assertThat(r("EXISTS", "c")).isEqualTo(0L);
        assertThat(r("ZINTERCARD", "2", "a", "b", "LIMIT", "1")).isEqualTo(1L);
        assertThat(r("ZINTERCARD", "2", "a", "b")).isEqualTo(2L);
        assertThat(r("ZUNIONSTORE", "c", "1", "nokey")).isEqualTo(0L);
        r("HELLO", "3");
        assertThat(r("ZINTER", "2", "a", "b", "WITHSCORES")).isEqualTo(List.of(List.of("b", 3.0), List.of("c", 5.0)));
        r("HELLO", "2");
        // +inf + -inf is 0, not NaN; a weight of 0 on -inf too.
        r("ZADD", "i1", "+inf", "k");
        r("ZADD", "i2", "-inf", "k");
        r("ZUNIONSTORE", "i3", "2", "i1", "i2");
        assertThat(r("ZSCORE", "i3", "k")).isEqualTo("0");
        r("ZUNIONSTORE", "i3", "1", "i2", "WEIGHTS", "0");
        assertThat(r("ZSCORE", "i3", "k")).isEqualTo("0");
        assertThat(err("ZUNIONSTORE", "i3", "2", "i1", "i2", "WEIGHTS", "nan", "nan")).isEqualTo("ERR weight value is not a float");
        assertThat(err("ZUNION", "0", "a")).isEqualTo("ERR at least 1 input key is needed for 'zunion' command");
        assertThat(err("ZINTERSTORE", "d", "0", "a")).isEqualTo("ERR at least 1 input key is needed for 'zinterstore' command");
        assertThat(err("ZUNIONSTORE", "d", "2", "a", "b", "WITHSCORES")).isEqualTo("ERR syntax error");
        assertThat(err("ZINTERCARD", "1", "a", "LIMIT", "-1")).isEqualTo("ERR LIMIT can't be negative");
        assertThat(err("ZINTERCARD", "1", "a", "LIMIT")).isEqualTo("ERR syntax error");
        assertThat(err("ZUNION", "3", "a", "b")).isEqualTo("ERR syntax error");
        assertThat(err("ZUNION", "2", "a", "b", "AGGREGATE", "AVG")).isEqualTo("ERR syntax error");
        r("SET", "s", "v");
        assertThat(err("ZUNION", "2", "a", "s")).startsWith("WRONGTYPE");
    }

    @Test
    void randomMembers() throws Exception {
        assertThat(r("ZRANDMEMBER", "nokey")).isNull();
        assertThat(r("ZRANDMEMBER", "nokey", "5")).isEqualTo(List.of());
        for (String enc : new String[] {"listpack", "skiplist"}) {
            encoding(enc);
            r("DEL", "z");
            r("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f", "7", "g", "8", "h", "9", "i", "10", "j");
            assertThat(r("OBJECT", "ENCODING", "z")).isEqualTo(enc);
            Set<String> members = Set.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
            assertThat(members).contains((String) r("ZRANDMEMBER", "z"));
            @SuppressWarnings("unchecked")
            List<String> neg = (List<String>) r("ZRANDMEMBER", "z", "-25");
            assertThat(neg).hasSize(25);
            assertThat(members).containsAll(neg);
            for (int count : new int[] {1, 2, 4, 8, 9, 10, 20}) {
                @SuppressWarnings("unchecked")
                List<String> u = (List<String>) r("ZRANDMEMBER", "z", Integer.toString(count), "WITHSCORES");
                assertThat(u).hasSize(2 * Math.min(count, 10));
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < u.size(); i += 2) {
                    assertThat(seen.add(u.get(i))).isTrue();
                    assertThat(r("ZSCORE", "z", u.get(i))).isEqualTo(u.get(i + 1));
                }
            }
            r("HELLO", "3");
            @SuppressWarnings("unchecked")
            List<Object> pairs = (List<Object>) r("ZRANDMEMBER", "z", "3", "WITHSCORES");
            assertThat(pairs).hasSize(3).allSatisfy(p -> assertThat((List<?>) p).hasSize(2));
            r("HELLO", "2");
        }
        assertThat(r("ZRANDMEMBER", "z", "0")).isEqualTo(List.of());
        assertThat(err("ZRANDMEMBER", "z", "-9223372036854770000", "WITHSCORES")).isEqualTo("ERR value is out of range");
        assertThat(err("ZRANDMEMBER", "z", "-9223372036854775808"))
                .isEqualTo("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        assertThat(err("ZRANDMEMBER", "z", "1", "WITHSCORE")).isEqualTo("ERR syntax error");
    }

    @ParameterizedTest
    @ValueSource(strings = {"listpack", "skiplist"})
    void zscan(String enc) throws Exception {
        int count = enc.equals("listpack") ? 30 : 1000;
        List<Object> args = new ArrayList<>(List.of("ZADD", "z"));
        for (int j = 0; j < count; j++) {
            args.add(Integer.toString(j));
            args.add("key:" + j);
        }
        r(args.toArray());
        assertThat(r("OBJECT", "ENCODING", "z")).isEqualTo(enc);
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        do {
            List<?> res = (List<?>) r("ZSCAN", "z", cursor);
            cursor = (String) res.get(0);
            List<?> kv = (List<?>) res.get(1);
            for (int i = 0; i < kv.size(); i += 2) {
                assertThat(kv.get(i)).isEqualTo("key:" + kv.get(i + 1));
                seen.add((String) kv.get(i));
            }
        } while (!cursor.equals("0"));
        assertThat(seen).hasSize(count);
        List<?> matched = (List<?>) ((List<?>) r("ZSCAN", "z", "0", "MATCH", "key:1?", "COUNT", "100000")).get(1);
        assertThat(matched).hasSize(20);
        assertThat(err("ZSCAN", "z", "x")).isEqualTo("ERR invalid cursor");
        assertThat(err("ZSCAN", "z", "0", "COUNT", "0")).isEqualTo("ERR syntax error");
        assertThat(r("ZSCAN", "nokey", "0")).isEqualTo(List.of("0", List.of()));
    }

    @Test
    void zscanScoresArePrintedWithSeventeenDigits() throws Exception {
        for (int j = 0; j < 500; j++) {
            r("ZADD", "z", "9.8813129168249309e-323", Integer.toString(j));
        }
        r("ZADD", "z", "0.1", "x");
        List<?> kv = (List<?>) ((List<?>) r("ZSCAN", "z", "0", "MATCH", "x", "COUNT", "10000")).get(1);
        assertThat(kv).isEqualTo(List.of("x", "0.10000000000000001"));
        List<?> first = (List<?>) ((List<?>) r("ZSCAN", "z", "0", "MATCH", "1", "COUNT", "10000")).get(1);
        assertThat(first).isEqualTo(List.of("1", "9.8813129168249309e-323"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"listpack", "skiplist"})
    void copyKeepsEncodingAndDigest(String enc) throws Exception {
        encoding(enc);
        int n = enc.equals("listpack") ? 100 : 130;
        for (int j = 0; j < n; j++) {
            r("ZADD", "z", Integer.toString(j % 50), "ele-" + (j % 10) + "-" + j);
        }
        assertThat(r("OBJECT", "ENCODING", "z")).isEqualTo(enc);
        r("COPY", "z", "c");
        Object digest = r("DEBUG", "DIGEST-VALUE", "z");
        assertThat(r("DEBUG", "DIGEST-VALUE", "c")).isEqualTo(digest);
        assertThat(r("OBJECT", "ENCODING", "c")).isEqualTo(enc);
        r("DEL", "z");
        assertThat(r("DEBUG", "DIGEST-VALUE", "c")).isEqualTo(digest);
        r("ZADD", "c", "1000", "new");
        assertThat(r("ZCARD", "c")).isEqualTo(n + 1L);
    }

    @Test
    void skiplistOrderUnderManyUpdates() throws Exception {
        encoding("skiplist");
        java.util.Random rnd = new java.util.Random(1);
        for (int j = 0; j < 3000; j++) {
            r("ZADD", "z", Integer.toString(rnd.nextInt(50)), "ele-" + rnd.nextInt(300));
            if (rnd.nextInt(5) == 0) {
                r("ZREM", "z", "ele-" + rnd.nextInt(300));
            }
        }
        List<?> all = (List<?>) r("ZRANGE", "z", "0", "-1", "WITHSCORES");
        for (int i = 2; i < all.size(); i += 2) {
            double ps = Double.parseDouble((String) all.get(i - 1));
            double s = Double.parseDouble((String) all.get(i + 1));
            assertThat(ps < s || (ps == s && ((String) all.get(i - 2)).compareTo((String) all.get(i)) < 0)).isTrue();
        }
        for (int i = 0; i < all.size(); i += 20) {
            assertThat(r("ZRANK", "z", all.get(i))).isEqualTo((long) (i / 2));
        }
    }
}
