package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * List commands through a real server, mirroring upstream unit/type/list and list-3: encodings
 * and their conversions, plain nodes, LPOS, pops with counts and their RESP2/RESP3 null shapes,
 * and the error texts.
 */
class ListFamilyTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand()
            .eachTest("FLUSHALL")
            .eachTest("CONFIG", "SET", "list-max-listpack-size", "-2")
            .eachTest("CONFIG", "SET", "list-compress-depth", "0")
            .eachTest("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0");
    final RespClient c = server.client();

    static final String LARGE = "x".repeat(8192);

    private Object r(Object... args) throws Exception {
        return c.call(args);
    }

    private void rpush(String key, String... elements) throws Exception {
        r("DEL", key);
        for (String e : elements) {
            r("RPUSH", key, e);
        }
    }

    private String encoding(String key) throws Exception {
        return (String) r("OBJECT", "ENCODING", key);
    }

    @Test
    void pushPopIndexAcrossEncodings() throws Exception {
        for (String large : List.of("hello", LARGE)) {
            r("DEL", "l");
            assertThat(r("LPUSH", "l", large)).isEqualTo(1L);
            assertThat(encoding("l")).isEqualTo(large.equals(LARGE) ? "quicklist" : "listpack");
            assertThat(r("RPUSH", "l", "b", "c")).isEqualTo(3L);
            assertThat(r("LLEN", "l")).isEqualTo(3L);
            assertThat(r("LINDEX", "l", "0")).isEqualTo(large);
            assertThat(r("LINDEX", "l", "-1")).isEqualTo("c");
            assertThat(r("LINDEX", "l", "3")).isNull();
            assertThat(r("RPOP", "l")).isEqualTo("c");
            assertThat(r("LPOP", "l")).isEqualTo(large);
            assertThat(r("LPOP", "l")).isEqualTo("b");
            assertThat(r("EXISTS", "l")).isEqualTo(0L); // emptied lists are deleted
        }
        assertThat(r("LPUSH", "l", "a", "b", "c", "d")).isEqualTo(4L);
        assertThat(r("RPUSH", "l", "0", "1", "2", "3")).isEqualTo(8L);
        assertThat(r("LRANGE", "l", "0", "-1")).isEqualTo(List.of("d", "c", "b", "a", "0", "1", "2", "3"));
        assertThat(r("LPUSHX", "nosuch", "a")).isEqualTo(0L);
        assertThat(r("EXISTS", "nosuch")).isEqualTo(0L);
    }

    @Test
    void popWithCountAndNullShapes() throws Exception {
        assertThat(r("LPUSH", "lc", "aa", "bb", "cc", "dd", "ee", "ff", "gg")).isEqualTo(7L);
        assertThat(r("LPOP", "lc", "1")).isEqualTo(List.of("gg"));
        assertThat(r("LPOP", "lc", "2")).isEqualTo(List.of("ff", "ee"));
        assertThat(r("RPOP", "lc", "2")).isEqualTo(List.of("aa", "bb"));
        assertThat(r("RPOP", "lc", "123")).isEqualTo(List.of("cc", "dd"));
        assertThat(r("LPOP", "lc", "-123")).isEqualTo(new Err("ERR value is out of range, must be positive"));
        assertThat(r("LPOP", "lc", "1", "1")).isEqualTo(new Err("ERR wrong number of arguments for 'lpop' command"));
        r("RPUSH", "one", "zero");
        for (int resp : new int[] {2, 3}) {
            r("HELLO", Integer.toString(resp));
            c.send("LPOP", "one", "0");
            assertThat(c.line()).isEqualTo("*0");
            c.send("LPOP", "nosuch");
            assertThat(c.line()).isEqualTo(resp == 2 ? "$-1" : "_");
            c.send("RPOP", "nosuch", "0");
            assertThat(c.line()).isEqualTo(resp == 2 ? "*-1" : "_");
            c.send("LPOP", "nosuch", "1");
            assertThat(c.line()).isEqualTo(resp == 2 ? "*-1" : "_");
        }
        r("HELLO", "2");
    }

    @Test
    void lpos() throws Exception {
        r("RPUSH", "mylist", "a", "b", "c", LARGE, "2", "3", "c", "c");
        assertThat(r("LPOS", "mylist", "a")).isEqualTo(0L);
        assertThat(r("LPOS", "mylist", "c")).isEqualTo(2L);
        assertThat(r("LPOS", "mylist", "c", "RANK", "1")).isEqualTo(2L);
        assertThat(r("LPOS", "mylist", "c", "RANK", "2")).isEqualTo(6L);
        assertThat(r("LPOS", "mylist", "c", "RANK", "4")).isNull();
        assertThat(r("LPOS", "mylist", "c", "RANK", "-1")).isEqualTo(7L);
        assertThat(r("LPOS", "mylist", "c", "RANK", "-2")).isEqualTo(6L);
        assertThat(r("LPOS", "mylist", "c", "RANK", "0")).isEqualTo(new Err(ListFamily.RANK_ZERO));
        assertThat(r("LPOS", "mylist", "c", "RANK", "-9223372036854775808")).isEqualTo(
                new Err("ERR value is out of range, must be between -9223372036854775807 and 9223372036854775807"));
        assertThat(r("LPOS", "mylist", "c", "COUNT", "0")).isEqualTo(List.of(2L, 6L, 7L));
        assertThat(r("LPOS", "mylist", "c", "COUNT", "2")).isEqualTo(List.of(2L, 6L));
        assertThat(r("LPOS", "mylist", "c", "COUNT", "0", "RANK", "2")).isEqualTo(List.of(6L, 7L));
        assertThat(r("LPOS", "mylist", "c", "COUNT", "2", "RANK", "-1")).isEqualTo(List.of(7L, 6L));
        assertThat(r("LPOS", "nosuch", "c", "COUNT", "0", "RANK", "2")).isEqualTo(List.of());
        assertThat(r("LPOS", "mylist", "x", "RANK", "-1")).isNull();
        assertThat(r("LPOS", "mylist", "a", "COUNT", "0", "MAXLEN", "1")).isEqualTo(List.of(0L));
        assertThat(r("LPOS", "mylist", "c", "COUNT", "0", "MAXLEN", "1")).isEqualTo(List.of());
        assertThat(r("LPOS", "mylist", "c", "COUNT", "0", "MAXLEN", "3", "RANK", "-1")).isEqualTo(List.of(7L, 6L));
        assertThat(r("LPOS", "mylist", "c", "COUNT", "-1")).isEqualTo(new Err("ERR COUNT can't be negative"));
        assertThat(r("LPOS", "mylist", "c", "MAXLEN", "x")).isEqualTo(new Err("ERR MAXLEN can't be negative"));
        assertThat(r("LPOS", "mylist", "c", "RANK")).isEqualTo(new Err("ERR syntax error"));
    }

    @Test
    void listpackToQuicklistConversions() throws Exception {
        for (String[] setting : new String[][] {{"3", "hello"}, {"-1", LARGE}}) {
            r("CONFIG", "SET", "list-max-listpack-size", setting[0]);
            String large = setting[1];
            rpush("lst", "a", "b", "c");
            assertThat(encoding("lst")).isEqualTo("listpack");
            r("RPUSH", "lst", large);
            assertThat(encoding("lst")).isEqualTo("quicklist");
            rpush("lst", "a", "b", "c");
            r("LINSERT", "lst", "after", "b", large);
            assertThat(encoding("lst")).isEqualTo("quicklist");
            rpush("lst", "a", "b", "c");
            r("LSET", "lst", "0", large);
            assertThat(encoding("lst")).isEqualTo("quicklist");
            rpush("lsrc", "a", "b", "c", large);
            rpush("ldes", "d", "e", "f");
            r("LMOVE", "lsrc", "ldes", "right", "right");
            assertThat(encoding("ldes")).isEqualTo("quicklist");
        }
    }

    @Test
    void quicklistToListpackWhenShrunkToHalfTheLimit() throws Exception {
        r("CONFIG", "SET", "list-max-listpack-size", "3");
        rpush("lst", "a", "b", "c", "d");
        r("RPOP", "lst", "3");
        assertThat(encoding("lst")).isEqualTo("listpack");
        rpush("lst", "a", "a", "a", "d");
        r("LREM", "lst", "3", "a");
        assertThat(encoding("lst")).isEqualTo("listpack");
        rpush("lst", "a", "b", "c", "d");
        r("LTRIM", "lst", "1", "1");
        assertThat(encoding("lst")).isEqualTo("listpack");
        r("CONFIG", "SET", "list-max-listpack-size", "-1");
        rpush("lst", "a", "b", "c", LARGE);
        r("RPOP", "lst", "1");
        assertThat(encoding("lst")).isEqualTo("listpack");
        rpush("lst", LARGE, "a", "b");
        r("RPOP", "lst", "2");
        assertThat(encoding("lst")).isEqualTo("quicklist");
        r("LSET", "lst", "-1", "c");
        assertThat(encoding("lst")).isEqualTo("listpack");
    }

    @Test
    void debugReloadRebuildsEncodingsAsAnRdbLoad() throws Exception {
        r("CONFIG", "SET", "list-max-listpack-size", "3");
        rpush("lst", "a", "b", "c");
        assertThat(r("DEBUG", "RELOAD")).isEqualTo("OK");
        assertThat(encoding("lst")).isEqualTo("listpack");
        r("RPUSH", "lst", "d");
        r("DEBUG", "RELOAD");
        assertThat(encoding("lst")).isEqualTo("quicklist");
        // One packed node of 3 stays a quicklist while shrinking (half the limit), but a load
        // converts with the full limit.
        r("RPOP", "lst");
        assertThat(encoding("lst")).isEqualTo("quicklist");
        r("DEBUG", "RELOAD");
        assertThat(encoding("lst")).isEqualTo("listpack");
        assertThat(r("LRANGE", "lst", "0", "-1")).isEqualTo(List.of("a", "b", "c"));
        // Plain nodes survive as they are.
        r("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b");
        r("CONFIG", "SET", "list-max-listpack-size", "1");
        rpush("p", "xxxxxxxxxx", "y", "zz");
        assertThat(encoding("p")).isEqualTo("quicklist");
        r("DEBUG", "RELOAD");
        assertThat(encoding("p")).isEqualTo("quicklist");
        assertThat(r("LRANGE", "p", "0", "-1")).isEqualTo(List.of("xxxxxxxxxx", "y", "zz"));
        assertThat((String) r("DEBUG", "OBJECT", "p")).contains("ql_nodes:3");
    }

    @Test
    void sizeLimitsUseRedisListpackBytes() throws Exception {
        // 0 counts as 1; below -5 counts as -5 (64 KB).
        r("CONFIG", "SET", "list-max-listpack-size", "0");
        r("RPUSH", "lst", "a");
        assertThat(encoding("lst")).isEqualTo("listpack");
        r("RPUSH", "lst", "b");
        assertThat(encoding("lst")).isEqualTo("quicklist");
        r("CONFIG", "SET", "list-max-listpack-size", "-6");
        r("DEL", "lst");
        r("RPUSH", "lst", "x".repeat(60000));
        assertThat(encoding("lst")).isEqualTo("listpack");
        r("RPUSH", "lst", "x".repeat(5536));
        assertThat(encoding("lst")).isEqualTo("quicklist");
        // Small integers take 2 bytes each in a Redis listpack: 4000 of them make 8007 bytes
        // with the header. Each further push of "5" is checked as 8007 + 2k + 1 > 8192 before
        // it goes in, so the 94th converts, not earlier, not later.
        r("CONFIG", "SET", "list-max-listpack-size", "-2");
        r("DEL", "ints");
        List<Object> args = new ArrayList<>(List.of("RPUSH", "ints"));
        for (int i = 0; i < 4000; i++) {
            args.add(Integer.toString(i % 100));
        }
        r(args.toArray());
        assertThat(encoding("ints")).isEqualTo("listpack");
        for (int m = 1; m <= 93; m++) {
            r("RPUSH", "ints", "5");
        }
        assertThat(encoding("ints")).isEqualTo("listpack");
        r("RPUSH", "ints", "5");
        assertThat(encoding("ints")).isEqualTo("quicklist");
    }

    @Test
    void plainNodesWithALowPackedThreshold() throws Exception {
        r("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b");
        r("CONFIG", "SET", "list-compress-depth", "1");
        r("LPUSH", "lst", "xxxxxxxxxxx");
        r("LPUSH", "lst", "9");
        r("LPUSH", "lst", "xxxxxxxxxxx");
        r("LINSERT", "lst", "before", "9", "8");
        assertThat(r("LINDEX", "lst", "1")).isEqualTo("8");
        r("LINSERT", "lst", "BEFORE", "9", "xxxxxxxxxxx");
        assertThat(r("LRANGE", "lst", "0", "-1")).isEqualTo(
                List.of("xxxxxxxxxxx", "8", "xxxxxxxxxxx", "9", "xxxxxxxxxxx"));
        r("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5b");
        r("CONFIG", "SET", "list-max-listpack-size", "4");
        r("DEL", "lst");
        r("RPUSH", "lst", "aa", "bb", "cc", "dd", "ee");
        assertThat(encoding("lst")).isEqualTo("quicklist");
        r("LSET", "lst", "2", "e".repeat(10));
        assertThat(r("LRANGE", "lst", "0", "-1")).isEqualTo(List.of("aa", "bb", "e".repeat(10), "dd", "ee"));
        r("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100b");
        r("DEL", "lst");
        String small = "x".repeat(32);
        String big = "x".repeat(100);
        r("RPUSH", "lst", big, small, small);
        r("LSET", "lst", "-1", big);
        assertThat(r("LRANGE", "lst", "0", "-1")).isEqualTo(List.of(big, small, big));
        assertThat(r("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb")).isEqualTo(
                new Err("ERR argument must be a memory value bigger than 1 and smaller than 4gb"));
    }

    @Test
    void compressedInteriorNodesReadBack() throws Exception {
        r("CONFIG", "SET", "list-compress-depth", "1");
        r("CONFIG", "SET", "list-max-listpack-size", "4");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String v = "element-" + i + "-" + "y".repeat(i % 40);
            r("RPUSH", "lst", v);
            expected.add(v);
        }
        assertThat(r("LRANGE", "lst", "0", "-1")).isEqualTo(expected);
        assertThat(r("LINDEX", "lst", "100")).isEqualTo(expected.get(100));
        r("LSET", "lst", "100", "changed");
        expected.set(100, "changed");
        r("LINSERT", "lst", "before", "changed", "inserted");
        expected.add(100, "inserted");
        r("LREM", "lst", "0", expected.get(50));
        expected.remove(50);
        assertThat(r("LRANGE", "lst", "0", "-1")).isEqualTo(expected);
        String debug = (String) r("DEBUG", "OBJECT", "lst");
        assertThat(debug).contains("encoding:quicklist").contains("ql_compressed:1").contains("ql_listpack_max:4");
        assertThat(r("DEBUG", "QUICKLIST", "lst")).isEqualTo("Quicklist structure printed on stdout");
        assertThat(r("DEBUG", "LISTPACK", "lst")).isEqualTo(new Err("ERR Not a listpack encoded object."));
    }

    @Test
    void insertSetTrimRemove() throws Exception {
        rpush("xlist", "a", LARGE, "c", "d");
        assertThat(r("LINSERT", "xlist", "before", "c", "zz")).isEqualTo(5L);
        assertThat(r("LINSERT", "xlist", "after", "c", "yy")).isEqualTo(6L);
        assertThat(r("LINSERT", "xlist", "after", "bad", "ddd")).isEqualTo(-1L);
        assertThat(r("LINSERT", "xlist", "aft3r", "aa", "42")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("LINSERT", "nosuch", "before", "0", "0")).isEqualTo(0L);
        assertThat(r("LRANGE", "xlist", "0", "10")).isEqualTo(List.of("a", LARGE, "zz", "c", "yy", "d"));
        assertThat(r("LSET", "xlist", "-1", "bar")).isEqualTo("OK");
        assertThat(r("LSET", "xlist", "10", "foo")).isEqualTo(new Err("ERR index out of range"));
        assertThat(r("LSET", "nosuch", "10", "foo")).isEqualTo(new Err("ERR no such key"));
        rpush("mylist", "1", "2", "3", "4", LARGE);
        r("LTRIM", "mylist", "1", "-2");
        assertThat(r("LRANGE", "mylist", "0", "-1")).isEqualTo(List.of("2", "3", "4"));
        r("LTRIM", "mylist", "0", "-6");
        assertThat(r("EXISTS", "mylist")).isEqualTo(0L);
        rpush("mylist", LARGE, "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo");
        assertThat(r("LREM", "mylist", "0", "bar")).isEqualTo(2L);
        assertThat(r("LREM", "mylist", "-1", "foo")).isEqualTo(1L);
        assertThat(r("LREM", "mylist", "1", "foo")).isEqualTo(1L);
        assertThat(r("LRANGE", "mylist", "0", "-1")).isEqualTo(List.of(LARGE, "foobar", "foobared", "zap", "test"));
        assertThat(r("LRANGE", "mylist", "1", "0")).isEqualTo(List.of());
        assertThat((List<?>) r("LRANGE", "mylist", "-1000", "1000")).hasSize(5);
    }

    @Test
    void moveAndMultiPop() throws Exception {
        rpush("src", "a", LARGE, "c");
        assertThat(r("RPOPLPUSH", "src", "src")).isEqualTo("c");
        assertThat(r("LRANGE", "src", "0", "-1")).isEqualTo(List.of("c", "a", LARGE));
        assertThat(r("LMOVE", "src", "dst", "LEFT", "RIGHT")).isEqualTo("c");
        assertThat(r("LMOVE", "src", "dst", "left", "left")).isEqualTo("a");
        assertThat(r("LRANGE", "dst", "0", "-1")).isEqualTo(List.of("a", "c"));
        assertThat(r("LMOVE", "src", "dst", "up", "left")).isEqualTo(new Err("ERR syntax error"));
        r("SET", "str", "x");
        assertThat(r("RPOPLPUSH", "src", "str")).isEqualTo(new Err(
                "WRONGTYPE Operation against a key holding the wrong kind of value"));
        assertThat(r("LRANGE", "src", "0", "-1")).isEqualTo(List.of(LARGE));
        assertThat(r("RPOPLPUSH", "nosuch", "dst")).isNull();

        rpush("m1", "a", "b", LARGE, "d", "e");
        assertThat(r("LMPOP", "2", "nosuch", "m1", "left", "count", "2")).isEqualTo(List.of("m1", List.of("a", "b")));
        assertThat(r("LMPOP", "2", "nosuch", "m1", "right", "count", "10")).isEqualTo(
                List.of("m1", List.of("e", "d", LARGE)));
        assertThat(r("LMPOP", "1", "m1", "left")).isNull();
        assertThat(r("LMPOP", "0", "m1", "LEFT")).isEqualTo(new Err("ERR numkeys should be greater than 0"));
        assertThat(r("LMPOP", "a", "m1", "LEFT")).isEqualTo(new Err("ERR numkeys should be greater than 0"));
        assertThat(r("LMPOP", "1", "m1", "bad_where")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("LMPOP", "1", "m1", "LEFT", "COUNT", "1", "COUNT", "2")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("LMPOP", "1", "m1", "RIGHT", "COUNT", "0")).isEqualTo(new Err("ERR count should be greater than 0"));
        assertThat(r("LMPOP", "5", "m1", "LEFT")).isEqualTo(new Err("ERR syntax error"));
        assertThat(r("LMPOP", "1")).isEqualTo(new Err("ERR wrong number of arguments for 'lmpop' command"));
    }

    @Test
    void wrongTypes() throws Exception {
        r("SET", "s", "foobar");
        Err wrong = new Err("WRONGTYPE Operation against a key holding the wrong kind of value");
        for (Object[] cmd : new Object[][] {{"LLEN", "s"}, {"LINDEX", "s", "0"}, {"LPUSH", "s", "0"}, {"RPUSH", "s", "0"},
                {"LPOP", "s"}, {"LRANGE", "s", "0", "1"}, {"LSET", "s", "0", "x"}, {"LINSERT", "s", "after", "0", "0"},
                {"LPOS", "s", "x"}, {"LREM", "s", "0", "x"}, {"LTRIM", "s", "0", "1"}, {"BLPOP", "s", "0"},
                {"BLMPOP", "0", "1", "s", "left"}}) {
            assertThat(r(cmd)).as(String.join(" ", java.util.Arrays.stream(cmd).map(String::valueOf).toList()))
                    .isEqualTo(wrong);
        }
        assertThat(r("GET", "s")).isEqualTo("foobar");
    }

    @Test
    void digestMatchesRedisFormula() throws Exception {
        r("RPUSH", "a", "x", "y");
        r("RPUSH", "b", "y", "x");
        List<?> d = (List<?>) r("DEBUG", "DIGEST-VALUE", "a", "b");
        assertThat(d.get(0)).isNotEqualTo(d.get(1)); // order matters for lists
        assertThat(r("TYPE", "a")).isEqualTo("list");
        assertThat(r("COPY", "a", "c")).isEqualTo(1L);
        assertThat(((List<?>) r("DEBUG", "DIGEST-VALUE", "c")).get(0)).isEqualTo(d.get(0));
    }
}
