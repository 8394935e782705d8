package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stream commands through a real server, mirroring what upstream unit/type/stream and
 * stream-cgroups pin down (ID forms and errors, trimming, exclusive ranges, recorded first and
 * maximal deleted IDs, XSETID checks, groups, PELs, claims, XINFO with 7.2's fields, lag), plus
 * Cinnabar's FIELDS projection and the 7.4 "+" ID of XREAD.
 */
class StreamFamilyTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand()
            .eachTest("FLUSHALL")
            .eachTest("CONFIG", "SET", "stream-node-max-entries", "100")
            .eachTest("CONFIG", "SET", "stream-node-max-bytes", "4096");
    final RespClient c = server.client();

    private Object r(Object... args) throws Exception {
        return c.call(args);
    }

    private String err(Object... args) throws Exception {
        Object o = c.call(args);
        assertThat(o).as("error reply to %s", List.of(args)).isInstanceOf(Err.class);
        return ((Err) o).message();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    /** A RESP2 flat map reply as a Map. */
    private static Map<String, Object> map(Object o) {
        List<Object> l = list(o);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < l.size(); i += 2) {
            m.put((String) l.get(i), l.get(i + 1));
        }
        return m;
    }

    private static List<Object> entry(String id, String... fv) {
        return List.of(id, List.of((Object[]) fv));
    }

    // ---- XADD --------------------------------------------------------------------------------

    @Test
    void xaddIdFormsAndErrors() throws Exception {
        assertThat(err("XADD", "s", "*", "field")).isEqualTo("ERR wrong number of arguments for 'xadd' command");
        assertThat(err("XADD", "s", "MAXLEN", "5", "*")).isEqualTo("ERR wrong number of arguments for 'xadd' command");
        assertThat(r("XADD", "s", "123-456", "a", "1")).isEqualTo("123-456");
        assertThat(r("XADD", "s", "123-*", "a", "2")).isEqualTo("123-457");
        assertThat(r("XADD", "s", "789-*", "a", "3")).isEqualTo("789-0");
        assertThat(err("XADD", "s", "42-*", "a", "4"))
                .isEqualTo("ERR The ID specified in XADD is equal or smaller than the target stream top item");
        assertThat(r("XADD", "s", "790", "a", "5")).isEqualTo("790-0");
        assertThat(err("XADD", "s", "abc", "a", "1")).isEqualTo("ERR Invalid stream ID specified as stream command argument");
        assertThat(err("XADD", "s", "-", "a", "1")).isEqualTo("ERR Invalid stream ID specified as stream command argument");
        // strtoull rules behind the strict integer parser: leading zeros and '+' are fine.
        assertThat(r("XADD", "s", "0800-01", "a", "1")).isEqualTo("800-1");
        assertThat(r("XADD", "s", "+801", "a", "1")).isEqualTo("801-0");
        assertThat(err("XADD", "s", "-1", "a", "1")).isEqualTo("ERR Invalid stream ID specified as stream command argument");

        r("DEL", "o");
        assertThat(err("XADD", "o", "0-0", "k", "v")).isEqualTo("ERR The ID specified in XADD must be greater than 0-0");
        assertThat(r("EXISTS", "o")).isEqualTo(0L);
        assertThat(r("XADD", "o", "0-*", "a", "b")).isEqualTo("0-1");

        r("DEL", "m");
        r("XADD", "m", "18446744073709551615-18446744073709551615", "a", "b");
        assertThat(err("XADD", "m", "*", "c", "d"))
                .isEqualTo("ERR The stream has exhausted the last possible ID, unable to add more items");
        r("DEL", "m");
        r("XADD", "m", "1-18446744073709551615", "a", "b");
        assertThat(err("XADD", "m", "1-*", "c", "d"))
                .isEqualTo("ERR The ID specified in XADD is equal or smaller than the target stream top item");
        // An automatic ID right after the largest sequence moves to the next millisecond.
        r("DEL", "m");
        r("XADD", "m", "2577343934890-18446744073709551615", "f", "v");
        assertThat(r("XADD", "m", "*", "f2", "v2")).isEqualTo("2577343934891-0");

        r("SET", "str", "x");
        assertThat(err("XADD", "str", "*", "a", "b")).startsWith("WRONGTYPE");
        assertThat(r("TYPE", "s")).isEqualTo("stream");
        assertThat(r("OBJECT", "ENCODING", "s")).isEqualTo("stream");
    }

    @Test
    void xaddNoMkStream() throws Exception {
        assertThat(r("XADD", "s", "NOMKSTREAM", "*", "item", "1")).isNull();
        assertThat(r("EXISTS", "s")).isEqualTo(0L);
        r("XADD", "s", "1", "item", "1");
        assertThat(r("XADD", "s", "NOMKSTREAM", "2", "item", "2")).isEqualTo("2-0");
        assertThat(r("XLEN", "s")).isEqualTo(2L);
    }

    @Test
    void xaddTrimming() throws Exception {
        for (int j = 0; j < 1000; j++) {
            r("XADD", "s", "MAXLEN", "5", "*", j % 10 == 0 ? "yitem" : "xitem", Integer.toString(j));
        }
        assertThat(r("XLEN", "s")).isEqualTo(5L);
        List<Object> all = list(r("XRANGE", "s", "-", "+"));
        for (int i = 0; i < 5; i++) {
            assertThat(list(list(all.get(i)).get(1)).get(1)).isEqualTo(Integer.toString(995 + i));
        }
        r("DEL", "s");
        for (int j = 0; j < 1000; j++) {
            r("XADD", "s", "MAXLEN", "~", "555", "*", "xitem", Integer.toString(j));
        }
        assertThat(r("XLEN", "s")).isEqualTo(600L); // whole 100-entry nodes only
        r("DEL", "s");
        for (int j = 1; j <= 1000; j++) {
            r("XADD", "s", "MINID", Integer.toString(Math.max(0, j - 5)), Integer.toString(j), "x", "y");
        }
        assertThat(r("XLEN", "s")).isEqualTo(6L);
        r("DEL", "s");
        for (int j = 0; j < 3; j++) {
            r("XADD", "s", "*", "xitem", "v");
        }
        r("XADD", "s", "MAXLEN", "~", "0", "LIMIT", "1", "*", "xitem", "v");
        assertThat(r("XLEN", "s")).isEqualTo(4L);
        assertThat(r("XADD", "e", "MAXLEN", "0", "*", "a", "b")).isNotNull();
        assertThat(map(r("XINFO", "STREAM", "e")).get("length")).isEqualTo(0L);

        assertThat(err("XADD", "s", "MAXLEN", "-1", "*", "a", "b")).isEqualTo("ERR The MAXLEN argument must be >= 0.");
        assertThat(err("XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "a", "b"))
                .isEqualTo("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        assertThat(err("XADD", "s", "LIMIT", "5", "*", "a", "b"))
                .isEqualTo("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        assertThat(err("XADD", "s", "MAXLEN", "5", "LIMIT", "5", "*", "a", "b"))
                .isEqualTo("ERR syntax error, LIMIT cannot be used without the special ~ option");
        assertThat(err("XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "*", "a", "b"))
                .isEqualTo("ERR The LIMIT argument must be >= 0.");
        assertThat(err("XTRIM", "s", "LIMIT", "5")).isEqualTo("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        assertThat(err("XTRIM", "s", "FOO", "5")).isEqualTo("ERR syntax error");
    }

    @Test
    void xtrimLimitsApproximateWork() throws Exception {
        r("CONFIG", "SET", "stream-node-max-entries", "10");
        for (int j = 0; j < 100; j++) {
            r("XADD", "s", "*", "xitem", "v");
        }
        r("XADD", "s", "MAXLEN", "~", "55", "LIMIT", "30", "*", "xitem", "v");
        assertThat(r("XLEN", "s")).isEqualTo(71L);
        r("XADD", "s", "MAXLEN", "~", "55", "LIMIT", "30", "*", "xitem", "v");
        assertThat(r("XLEN", "s")).isEqualTo(62L);
        r("CONFIG", "SET", "stream-node-max-entries", "1");
        r("DEL", "s");
        for (int j = 0; j < 102; j++) {
            r("XADD", "s", "*", "xitem", "v");
        }
        r("XTRIM", "s", "MAXLEN", "~", "1");
        assertThat(r("XLEN", "s")).isEqualTo(2L); // at most 100 nodes of work by default
        r("XTRIM", "s", "MAXLEN", "1");
        assertThat(r("XLEN", "s")).isEqualTo(1L);
        r("CONFIG", "SET", "stream-node-max-entries", "2");
        r("DEL", "s");
        for (int j = 0; j < 3; j++) {
            r("XADD", "s", "*", "xitem", "v");
        }
        assertThat(r("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "1")).isEqualTo(0L);
        assertThat(r("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "2")).isEqualTo(2L);
    }

    // ---- reading -------------------------------------------------------------------------------

    @Test
    void xrangeExclusiveRangesAndCount() throws Exception {
        String[] ids = {"0-1", "0-18446744073709551615", "1-0", "42-0", "42-42", "18446744073709551615-18446744073709551614",
            "18446744073709551615-18446744073709551615"};
        for (String id : ids) {
            r("XADD", "v", id, "foo", "bar");
        }
        assertThat(list(r("XRANGE", "v", "-", "+"))).hasSize(7);
        assertThat(list(r("XRANGE", "v", "(0-1", "+"))).hasSize(6);
        assertThat(list(r("XRANGE", "v", "-", "(18446744073709551615-18446744073709551615"))).hasSize(6);
        assertThat(list(r("XRANGE", "v", "(0-1", "(1-0"))).hasSize(1);
        assertThat(list(r("XRANGE", "v", "(1-0", "(42-42"))).hasSize(1);
        assertThat(err("XRANGE", "v", "(-", "+")).isEqualTo("ERR Invalid stream ID specified as stream command argument");
        assertThat(err("XRANGE", "v", "-", "(+")).isEqualTo("ERR Invalid stream ID specified as stream command argument");
        assertThat(err("XRANGE", "v", "(18446744073709551615-18446744073709551615", "+"))
                .isEqualTo("ERR invalid start ID for the interval");
        assertThat(err("XRANGE", "v", "-", "(0-0")).isEqualTo("ERR invalid end ID for the interval");
        // An incomplete end ID means its whole millisecond.
        assertThat(list(r("XRANGE", "v", "42", "42"))).hasSize(2);
        assertThat(list(r("XREVRANGE", "v", "+", "-", "COUNT", "2"))).containsExactly(
                entry("18446744073709551615-18446744073709551615", "foo", "bar"),
                entry("18446744073709551615-18446744073709551614", "foo", "bar"));
        assertThat(r("XRANGE", "v", "-", "+", "COUNT", "0")).isNull(); // a null array
        assertThat(r("XRANGE", "v", "-", "+", "COUNT", "-5")).isNull();
        assertThat(r("XRANGE", "nokey", "-", "+")).isEqualTo(List.of());
        assertThat(err("XRANGE", "v", "-", "+", "COUNT")).isEqualTo("ERR syntax error");
        assertThat(err("XRANGE", "v", "-", "+", "COUNT", "x")).isEqualTo("ERR value is not an integer or out of range");
    }

    @Test
    void xrevrangeOverSameFieldsAndMixedEntries() throws Exception {
        r("XADD", "t", "1234567891230", "key1", "value1");
        r("XADD", "t", "1234567891240", "key2", "value2");
        r("XADD", "t", "1234567891250", "key3", "value3");
        r("XADD", "t2", "1234567891230", "key1", "value1");
        r("XADD", "t2", "1234567891240", "key1", "value2");
        r("XADD", "t2", "1234567891250", "key1", "value3");
        assertThat(r("XREVRANGE", "t", "1234567891245", "-")).isEqualTo(List.of(
                entry("1234567891240-0", "key2", "value2"), entry("1234567891230-0", "key1", "value1")));
        assertThat(r("XREVRANGE", "t2", "1234567891245", "-")).isEqualTo(List.of(
                entry("1234567891240-0", "key1", "value2"), entry("1234567891230-0", "key1", "value1")));
    }

    @Test
    void xreadServesWhatIsThere() throws Exception {
        r("XADD", "s", "1-1", "f", "v");
        r("XADD", "s", "1-18446744073709551615", "f", "v");
        r("XADD", "s", "2-1", "f", "v");
        assertThat(r("XREAD", "BLOCK", "0", "STREAMS", "s", "1-18446744073709551615"))
                .isEqualTo(List.of(List.of("s", List.of(entry("2-1", "f", "v")))));
        assertThat(r("XREAD", "STREAMS", "none1", "none2", "0-0", "0-0")).isNull();
        assertThat(r("XREAD", "COUNT", "1", "STREAMS", "none", "s", "0-0", "0-0"))
                .isEqualTo(List.of(List.of("s", List.of(entry("1-1", "f", "v")))));
        assertThat(err("XREAD", "COUNT", "1", "STREAMS", "s"))
                .isEqualTo("ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.");
        assertThat(err("XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"))
                .isEqualTo("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        assertThat(err("XREAD", "NOACK", "STREAMS", "s", "0"))
                .isEqualTo("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        assertThat(err("XREAD", "STREAMS", "s", ">")).isEqualTo(
                "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
        assertThat(err("XREAD", "BLOCK", "-1", "STREAMS", "s", "0")).isEqualTo("ERR timeout is negative");
        assertThat(err("XREAD", "BLOCK", "x", "STREAMS", "s", "0")).isEqualTo("ERR timeout is not an integer or out of range");
        assertThat(err("XREAD", "COUNT", "1", "FOO", "bar")).isEqualTo("ERR syntax error");
        // Deleted tail: nothing newer than 666 is live, so no [key, []] reply.
        r("XADD", "d", "666", "f", "v");
        r("XADD", "d", "667", "f2", "v2");
        r("XDEL", "d", "667");
        assertThat(r("XREAD", "STREAMS", "d", "666")).isNull();
    }

    @Test
    void xreadResp3IsAMap() throws Exception {
        r("XADD", "s", "1", "f", "v");
        r("HELLO", "3");
        Object reply = r("XREAD", "STREAMS", "s", "0");
        assertThat(reply).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) reply).get("s")).isEqualTo(List.of(entry("1-0", "f", "v")));
        assertThat(r("XREAD", "STREAMS", "s", "1")).isNull();
    }

    @Test
    void xreadPlusReadsTheLastEntry() throws Exception {
        assertThat(r("XREAD", "STREAMS", "s", "+")).isNull();
        r("XADD", "s", "1", "a", "1");
        r("XADD", "s", "2", "b", "2");
        r("XADD", "s", "3", "c", "3");
        assertThat(r("XREAD", "STREAMS", "s", "+")).isEqualTo(List.of(List.of("s", List.of(entry("3-0", "c", "3")))));
        r("XDEL", "s", "3");
        assertThat(r("XREAD", "COUNT", "5", "STREAMS", "s", "+"))
                .isEqualTo(List.of(List.of("s", List.of(entry("2-0", "b", "2")))));
        r("XGROUP", "CREATE", "s", "g", "0");
        assertThat(err("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "+")).startsWith("ERR The + ID is meaningless");
    }

    // ---- deletion, first and deleted IDs, XSETID ------------------------------------------------

    @Test
    void recordedFirstAndMaxDeletedIds() throws Exception {
        for (int i = 1; i <= 5; i++) {
            r("XADD", "x", i + "-0", "data", "a");
        }
        Map<String, Object> info = map(r("XINFO", "STREAM", "x", "FULL"));
        assertThat(info.get("entries-added")).isEqualTo(5L);
        assertThat(info.get("recorded-first-entry-id")).isEqualTo("1-0");
        assertThat(info.get("max-deleted-entry-id")).isEqualTo("0-0");
        r("XDEL", "x", "2-0");
        assertThat(map(r("XINFO", "STREAM", "x")).get("recorded-first-entry-id")).isEqualTo("1-0");
        assertThat(r("XDEL", "x", "1-0", "9-9")).isEqualTo(1L);
        info = map(r("XINFO", "STREAM", "x"));
        assertThat(info.get("recorded-first-entry-id")).isEqualTo("3-0");
        assertThat(info.get("max-deleted-entry-id")).isEqualTo("2-0");
        r("XTRIM", "x", "MAXLEN", "=", "2");
        assertThat(map(r("XINFO", "STREAM", "x")).get("recorded-first-entry-id")).isEqualTo("4-0");
        // An invalid ID anywhere deletes nothing.
        assertThat(err("XDEL", "x", "4-0", "bad")).isEqualTo("ERR Invalid stream ID specified as stream command argument");
        assertThat(r("XLEN", "x")).isEqualTo(2L);
        assertThat(r("XDEL", "nokey", "bad")).isEqualTo(0L);
    }

    @Test
    void xsetidChecks() throws Exception {
        r("XADD", "s", "MAXLEN", "0", "*", "a", "b");
        assertThat(r("XSETID", "s", "200-0")).isEqualTo("OK");
        Map<String, Object> info = map(r("XINFO", "STREAM", "s"));
        assertThat(info.get("last-generated-id")).isEqualTo("200-0");
        assertThat(info.get("entries-added")).isEqualTo(1L);
        r("XADD", "s", "*", "a", "b");
        assertThat(err("XSETID", "s", "1-1")).isEqualTo("ERR The ID specified in XSETID is smaller than the target stream top item");
        assertThat(err("XSETID", "none", "1-1")).isEqualTo("ERR no such key");
        assertThat(err("XSETID", "none", "1-1", "0")).isEqualTo("ERR syntax error");
        assertThat(err("XSETID", "none", "1-1", "ENTRIESADDED", "-1", "MAXDELETEDID", "0-0"))
                .isEqualTo("ERR entries_added must be positive");
        r("XADD", "x", "1-0", "a", "b");
        assertThat(err("XSETID", "x", "1-0", "ENTRIESADDED", "1", "MAXDELETEDID", "2-0"))
                .isEqualTo("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
        assertThat(err("XSETID", "x", "1-0", "ENTRIESADDED", "0", "MAXDELETEDID", "0-0"))
                .isEqualTo("ERR The entries_added specified in XSETID is smaller than the target stream length");
        r("DEL", "x");
        r("XADD", "x", "1-1", "a", "1");
        r("XADD", "x", "1-2", "b", "2");
        r("XADD", "x", "1-3", "c", "3");
        r("XDEL", "x", "1-2");
        r("XDEL", "x", "1-3");
        assertThat(err("XSETID", "x", "1-2")).isEqualTo("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
        assertThat(r("XSETID", "x", "5-0", "ENTRIESADDED", "10", "MAXDELETEDID", "4-0")).isEqualTo("OK");
        info = map(r("XINFO", "STREAM", "x"));
        assertThat(info.get("entries-added")).isEqualTo(10L);
        assertThat(info.get("max-deleted-entry-id")).isEqualTo("4-0");
    }

    // ---- consumer groups --------------------------------------------------------------------------

    @Test
    void groupCreationAndReading() throws Exception {
        r("XADD", "s", "*", "foo", "bar");
        assertThat(r("XGROUP", "CREATE", "s", "g", "$")).isEqualTo("OK");
        assertThat(err("XGROUP", "CREATE", "s", "g", "$")).isEqualTo("BUSYGROUP Consumer Group name already exists");
        assertThat(err("XGROUP", "CREATE", "nokey", "g", "$")).startsWith("ERR The XGROUP subcommand requires the key to exist.");
        assertThat(r("XGROUP", "CREATE", "mk", "g", "$", "MKSTREAM")).isEqualTo("OK");
        assertThat(err("XGROUP", "CREATE", "s", "g3", "$", "ENTRIESREAD", "-3"))
                .isEqualTo("ERR value for ENTRIESREAD must be positive or -1");
        assertThat(err("XGROUP", "CREATE", "s", "g3", "$", "BOGUS")).startsWith("ERR unknown subcommand or wrong number of arguments for 'CREATE'");
        assertThat(err("XGROUP", "SETID", "s", "nog", "0")).isEqualTo("NOGROUP No such consumer group 'nog' for key name 's'");
        assertThat(err("XGROUP", "CREATECONSUMER", "s", "nog", "c")).isEqualTo("NOGROUP No such consumer group 'nog' for key name 's'");

        r("XADD", "s", "*", "a", "1");
        r("XADD", "s", "*", "b", "2");
        List<Object> got = list(r("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"));
        List<Object> entries = list(list(got.get(0)).get(1));
        assertThat(entries).hasSize(2);
        assertThat(list(entries.get(0)).get(1)).isEqualTo(List.of("a", "1"));
        r("XADD", "s", "*", "c", "3");
        r("XADD", "s", "*", "d", "4");
        got = list(r("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"));
        assertThat(list(list(list(got.get(0)).get(1)).get(0)).get(1)).isEqualTo(List.of("c", "3"));
        // History: each consumer sees only what was delivered to it.
        got = list(r("XREADGROUP", "GROUP", "g", "c1", "COUNT", "10", "STREAMS", "s", "0"));
        assertThat(list(list(got.get(0)).get(1))).hasSize(2);
        assertThat(list(r("XPENDING", "s", "g", "-", "+", "10"))).hasSize(4);
        assertThat(list(r("XPENDING", "s", "g", "-", "+", "10", "c1"))).hasSize(2);
        assertThat(r("XPENDING", "s", "g", "-", "+", "10", "nobody")).isEqualTo(List.of());
        List<Object> summary = list(r("XPENDING", "s", "g"));
        assertThat(summary.get(0)).isEqualTo(4L);
        assertThat(summary.get(3)).isEqualTo(List.of(List.of("c1", "2"), List.of("c2", "2")));
        assertThat(err("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$")).startsWith("ERR The $ ID is meaningless");
        assertThat(err("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"))
                .isEqualTo("NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option");
        assertThat(err("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s"))
                .isEqualTo("ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified.");
        assertThat(err("XREADGROUP", "COUNT", "1", "BLOCK", "1", "STREAMS", "s", ">"))
                .isEqualTo("ERR Missing GROUP option for XREADGROUP");
        assertThat(err("XPENDING", "s", "nog")).isEqualTo("NOGROUP No such key 's' or consumer group 'nog'");
        assertThat(err("XPENDING", "s", "g", "-", "+")).isEqualTo("ERR syntax error");
        assertThat(err("XPENDING", "s", "g", "IDLE", "5", "-", "+")).isEqualTo("ERR syntax error");
    }

    @Test
    void pendingAckAndIdle() throws Exception {
        r("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        r("XADD", "s", "1", "a", "1");
        r("XADD", "s", "2", "b", "2");
        r("XADD", "s", "3", "c", "3");
        r("XADD", "s", "4", "d", "4");
        r("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">");
        r("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">");
        Thread.sleep(20);
        assertThat(list(r("XPENDING", "s", "g", "IDLE", "99999999", "-", "+", "10", "c1"))).isEmpty();
        assertThat(list(r("XPENDING", "s", "g", "IDLE", "1", "-", "+", "10", "c1"))).hasSize(2);
        assertThat(list(r("XPENDING", "s", "g", "IDLE", "1", "-", "+", "10"))).hasSize(4);
        assertThat(list(r("XPENDING", "s", "g", "(1-0", "(4-0", "10"))).extracting(e -> list(e).get(0))
                .containsExactly("2-0", "3-0");
        assertThat(r("XACK", "s", "g", "1-0")).isEqualTo(1L);
        assertThat(r("XACK", "s", "g", "1-0")).isEqualTo(0L);
        assertThat(r("XACK", "s", "g", "1-0", "2-0")).isEqualTo(1L);
        // One bad ID: nothing is acknowledged.
        assertThat(err("XACK", "s", "g", "3-0", "invalid-id")).isEqualTo("ERR Invalid stream ID specified as stream command argument");
        assertThat(r("XACK", "s", "g", "3-0")).isEqualTo(1L);
        assertThat(r("XACK", "nokey", "g", "bad")).isEqualTo(0L);
        // XGROUP SETID back: already pending entries move to the new reader.
        r("XGROUP", "SETID", "s", "g", "-");
        List<Object> got = list(r("XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", ">"));
        assertThat(list(list(got.get(0)).get(1))).hasSize(4);
        assertThat(list(r("XPENDING", "s", "g", "-", "+", "10", "c3"))).hasSize(4);
        assertThat(list(r("XPENDING", "s", "g", "-", "+", "10", "c2"))).isEmpty();
    }

    @Test
    void historyReportsDeletedEntriesAsNil() throws Exception {
        r("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        r("XADD", "s", "1", "field1", "A");
        r("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
        r("XADD", "s", "MAXLEN", "1", "2", "field1", "B");
        r("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
        List<Object> got = list(list(list(r("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0-1")).get(0)).get(1));
        assertThat(got.get(0)).isEqualTo(java.util.Arrays.asList("1-0", null));
        assertThat(got.get(1)).isEqualTo(entry("2-0", "field1", "B"));
        // An empty history is [key, []], not nil.
        r("XGROUP", "CREATE", "e", "g", "0", "MKSTREAM");
        assertThat(r("XREADGROUP", "GROUP", "g", "c", "STREAMS", "e", "0")).isEqualTo(List.of(List.of("e", List.of())));
    }

    @Test
    void xclaimOptions() throws Exception {
        r("XADD", "s", "1", "a", "1");
        r("XADD", "s", "2", "b", "2");
        r("XADD", "s", "3", "c", "3");
        r("XGROUP", "CREATE", "s", "g", "0");
        r("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">");
        Thread.sleep(15);
        assertThat(r("XCLAIM", "s", "g", "c2", "10", "1-0")).isEqualTo(List.of(entry("1-0", "a", "1")));
        assertThat(list(list(r("XPENDING", "s", "g", "-", "+", "10")).get(0)).get(3)).isEqualTo(2L);
        assertThat(list(r("XPENDING", "s", "g", "-", "+", "10", "c1"))).isEmpty();
        // Too recently delivered for this min-idle-time.
        assertThat(r("XCLAIM", "s", "g", "c3", "100000", "1-0")).isEqualTo(List.of());
        // JUSTID does not count a delivery; RETRYCOUNT sets it.
        assertThat(r("XCLAIM", "s", "g", "c3", "0", "1-0", "JUSTID")).isEqualTo(List.of("1-0"));
        assertThat(list(list(r("XPENDING", "s", "g", "-", "+", "10")).get(0)).get(3)).isEqualTo(2L);
        r("XCLAIM", "s", "g", "c3", "0", "1-0", "RETRYCOUNT", "7", "JUSTID");
        assertThat(list(list(r("XPENDING", "s", "g", "-", "+", "10")).get(0)).get(3)).isEqualTo(7L);
        // Not pending: ignored, unless FORCE (which counts the creation and the claim).
        assertThat(r("XCLAIM", "s", "g", "c3", "0", "2-0")).isEqualTo(List.of());
        assertThat(r("XCLAIM", "s", "g", "c3", "0", "2-0", "FORCE")).isEqualTo(List.of(entry("2-0", "b", "2")));
        assertThat(list(list(r("XPENDING", "s", "g", "2-0", "2-0", "1")).get(0)).get(3)).isEqualTo(2L);
        // LASTID moves the group forward only.
        r("XCLAIM", "s", "g", "c3", "0", "2-0", "LASTID", "3-0", "JUSTID");
        assertThat(map(list(r("XINFO", "GROUPS", "s")).get(0)).get("last-delivered-id")).isEqualTo("3-0");
        // Deleted entries leave the PEL.
        r("XDEL", "s", "2-0");
        assertThat(r("XCLAIM", "s", "g", "c1", "0", "2-0")).isEqualTo(List.of());
        assertThat(list(r("XPENDING", "s", "g", "-", "+", "10"))).hasSize(1);
        assertThat(err("XCLAIM", "s", "g", "c1", "x", "1-0")).isEqualTo("ERR Invalid min-idle-time argument for XCLAIM");
        assertThat(err("XCLAIM", "s", "g", "c1", "0", "1-0", "IDLE", "x")).isEqualTo("ERR Invalid IDLE option argument for XCLAIM");
        assertThat(err("XCLAIM", "s", "g", "c1", "0", "1-0", "TIME", "x")).isEqualTo("ERR Invalid TIME option argument for XCLAIM");
        assertThat(err("XCLAIM", "s", "g", "c1", "0", "1-0", "RETRYCOUNT", "x"))
                .isEqualTo("ERR Invalid RETRYCOUNT option argument for XCLAIM");
        assertThat(err("XCLAIM", "s", "g", "c1", "0", "1-0", "WHAT")).isEqualTo("ERR Unrecognized XCLAIM option 'WHAT'");
        assertThat(err("XCLAIM", "s", "nog", "c1", "0", "1-0")).isEqualTo("NOGROUP No such key 's' or consumer group 'nog'");
        // 7.2: the claiming consumer exists afterwards even when nothing was claimed.
        r("XCLAIM", "s", "g", "newbie", "0", "9-9");
        assertThat(list(r("XINFO", "CONSUMERS", "s", "g"))).extracting(x -> map(x).get("name")).contains("newbie");
    }

    @Test
    void xautoclaimIteratesAndReportsDeletedEntries() throws Exception {
        for (int i = 1; i <= 5; i++) {
            r("XADD", "s", i + "-0", "f", "v" + i);
        }
        r("XGROUP", "CREATE", "s", "g", "0");
        r("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">");
        List<Object> rep = list(r("XAUTOCLAIM", "s", "g", "c2", "0", "-", "COUNT", "2"));
        assertThat(rep.get(0)).isEqualTo("3-0");
        assertThat(rep.get(1)).isEqualTo(List.of(entry("1-0", "f", "v1"), entry("2-0", "f", "v2")));
        assertThat(rep.get(2)).isEqualTo(List.of());
        r("XDEL", "s", "3-0", "4-0");
        rep = list(r("XAUTOCLAIM", "s", "g", "c2", "0", "3-0", "COUNT", "2", "JUSTID"));
        assertThat(rep).isEqualTo(List.of("5-0", List.of(), List.of("3-0", "4-0")));
        rep = list(r("XAUTOCLAIM", "s", "g", "c2", "0", "5-0"));
        assertThat(rep).isEqualTo(List.of("0-0", List.of(entry("5-0", "f", "v5")), List.of()));
        assertThat(err("XAUTOCLAIM", "s", "g", "c", "1", "1", "COUNT", "0")).isEqualTo("ERR COUNT must be > 0");
        assertThat(err("XAUTOCLAIM", "s", "g", "c", "1", "1", "COUNT", "8070450532247928833")).isEqualTo("ERR COUNT must be > 0");
        assertThat(err("XAUTOCLAIM", "s", "g", "c", "x", "1")).isEqualTo("ERR Invalid min-idle-time argument for XAUTOCLAIM");
        assertThat(err("XAUTOCLAIM", "s", "g", "c", "0", "1", "FOO")).isEqualTo("ERR syntax error");
    }

    @Test
    void xinfoFullAndConsumerTimes() throws Exception {
        r("XADD", "x", "100", "a", "1");
        r("XADD", "x", "101", "b", "1");
        r("XADD", "x", "102", "c", "1");
        r("XADD", "x", "103", "e", "1");
        r("XADD", "x", "104", "f", "1");
        r("XGROUP", "CREATE", "x", "g1", "0");
        r("XGROUP", "CREATE", "x", "g2", "0");
        r("XREADGROUP", "GROUP", "g1", "Alice", "COUNT", "1", "STREAMS", "x", ">");
        r("XREADGROUP", "GROUP", "g1", "Bob", "COUNT", "1", "STREAMS", "x", ">");
        r("XREADGROUP", "GROUP", "g1", "Bob", "NOACK", "COUNT", "1", "STREAMS", "x", ">");
        r("XREADGROUP", "GROUP", "g2", "Charlie", "COUNT", "4", "STREAMS", "x", ">");
        r("XDEL", "x", "103");
        Map<String, Object> full = map(r("XINFO", "STREAM", "x", "FULL"));
        assertThat(full.keySet()).containsExactly("length", "radix-tree-keys", "radix-tree-nodes", "last-generated-id",
                "max-deleted-entry-id", "entries-added", "recorded-first-entry-id", "entries", "groups");
        assertThat(full.get("entries")).isEqualTo(List.of(entry("100-0", "a", "1"), entry("101-0", "b", "1"),
                entry("102-0", "c", "1"), entry("104-0", "f", "1")));
        Map<String, Object> g1 = map(list(full.get("groups")).get(0));
        assertThat(g1.keySet()).containsExactly("name", "last-delivered-id", "entries-read", "lag", "pel-count", "pending",
                "consumers");
        assertThat(g1.get("name")).isEqualTo("g1");
        assertThat(g1.get("pel-count")).isEqualTo(2L);
        Map<String, Object> alice = map(list(g1.get("consumers")).get(0));
        assertThat(alice.keySet()).containsExactly("name", "seen-time", "active-time", "pel-count", "pending");
        assertThat(list(list(alice.get("pending")).get(0)).get(0)).isEqualTo("100-0");
        assertThat(list(map(r("XINFO", "STREAM", "x", "FULL", "COUNT", "1")).get("entries"))).hasSize(1);
        Map<String, Object> plain = map(r("XINFO", "STREAM", "x"));
        assertThat(plain.keySet()).containsExactly("length", "radix-tree-keys", "radix-tree-nodes", "last-generated-id",
                "max-deleted-entry-id", "entries-added", "recorded-first-entry-id", "groups", "first-entry",
                "last-entry");
        assertThat(plain.get("first-entry")).isEqualTo(entry("100-0", "a", "1"));
        assertThat(plain.get("last-entry")).isEqualTo(entry("104-0", "f", "1"));
        assertThat(err("XINFO", "STREAM", "x", "FULL", "COUNT")).startsWith("ERR unknown subcommand or wrong number of arguments for 'STREAM'");
        assertThat(err("XINFO", "STREAM", "nokey")).isEqualTo("ERR no such key");
        assertThat(err("XINFO", "CONSUMERS", "x", "nog")).isEqualTo("NOGROUP No such consumer group 'nog' for key name 'x'");
        assertThat(err("XGROUP", "HELP", "xxx")).isEqualTo("ERR wrong number of arguments for 'xgroup|help' command");
        assertThat(err("XINFO", "HELP", "xxx")).isEqualTo("ERR wrong number of arguments for 'xinfo|help' command");

        // Consumer idle (seen) and inactive (active) times, 7.2 style.
        r("XGROUP", "CREATE", "m", "g", "$", "MKSTREAM");
        r("XREADGROUP", "GROUP", "g", "Alice", "COUNT", "1", "STREAMS", "m", ">");
        Thread.sleep(30);
        Map<String, Object> cons = map(list(r("XINFO", "CONSUMERS", "m", "g")).get(0));
        assertThat(cons.keySet()).containsExactly("name", "pending", "idle", "inactive");
        assertThat((Long) cons.get("idle")).isGreaterThanOrEqualTo(30L);
        assertThat(cons.get("inactive")).isEqualTo(-1L);
        r("XADD", "m", "*", "f", "v");
        r("XREADGROUP", "GROUP", "g", "Alice", "COUNT", "1", "STREAMS", "m", ">");
        cons = map(list(r("XINFO", "CONSUMERS", "m", "g")).get(0));
        assertThat((Long) cons.get("idle")).isLessThan(30L);
        assertThat((Long) cons.get("inactive")).isLessThan(30L);
    }

    @Test
    void createAndDeleteConsumers() throws Exception {
        r("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        r("XADD", "s", "*", "f", "v");
        assertThat(map(list(r("XINFO", "GROUPS", "s")).get(0)).get("consumers")).isEqualTo(0L);
        r("XREADGROUP", "GROUP", "g", "Alice", "COUNT", "1", "STREAMS", "s", ">");
        assertThat(r("XGROUP", "CREATECONSUMER", "s", "g", "Alice")).isEqualTo(0L);
        assertThat(r("XGROUP", "CREATECONSUMER", "s", "g", "Bob")).isEqualTo(1L);
        assertThat(list(r("XINFO", "CONSUMERS", "s", "g"))).extracting(x -> map(x).get("name"))
                .containsExactly("Alice", "Bob");
        assertThat(r("XGROUP", "DELCONSUMER", "s", "g", "Alice")).isEqualTo(1L); // its pending count
        assertThat(r("XGROUP", "DELCONSUMER", "s", "g", "Zed")).isEqualTo(0L);
        assertThat(list(r("XPENDING", "s", "g")).get(0)).isEqualTo(0L);
        assertThat(r("XGROUP", "DESTROY", "s", "g")).isEqualTo(1L);
        assertThat(r("XGROUP", "DESTROY", "s", "g")).isEqualTo(0L);
    }

    @Test
    void readCounterAndLag() throws Exception {
        r("XGROUP", "CREATE", "e", "g1", "0", "MKSTREAM");
        Map<String, Object> g = map(list(map(r("XINFO", "STREAM", "e", "FULL")).get("groups")).get(0));
        assertThat(g.get("entries-read")).isNull();
        assertThat(g.get("lag")).isEqualTo(0L);
        for (int i = 1; i <= 5; i++) {
            r("XADD", "x", i + "-0", "data", "a");
        }
        r("XDEL", "x", "3-0");
        r("XGROUP", "CREATE", "x", "g1", "0");
        r("XGROUP", "CREATE", "x", "g2", "0");
        for (int i = 0; i < 3; i++) {
            r("XREADGROUP", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "x", ">");
            g = map(list(r("XINFO", "GROUPS", "x")).get(0));
            assertThat(g.get("entries-read")).isNull();
            assertThat(g.get("lag")).isNull();
        }
        r("XREADGROUP", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "x", ">");
        g = map(list(r("XINFO", "GROUPS", "x")).get(0));
        assertThat(g.get("entries-read")).isEqualTo(5L);
        assertThat(g.get("lag")).isEqualTo(0L);
        r("XADD", "x", "6-0", "data", "f");
        r("XTRIM", "x", "MINID", "=", "3-0");
        List<Object> groups = list(r("XINFO", "GROUPS", "x"));
        assertThat(map(groups.get(0)).get("lag")).isEqualTo(1L);
        assertThat(map(groups.get(1)).get("entries-read")).isNull();
        assertThat(map(groups.get(1)).get("lag")).isEqualTo(3L);
        r("XTRIM", "x", "MINID", "=", "5-0");
        assertThat(map(list(r("XINFO", "GROUPS", "x")).get(1)).get("lag")).isEqualTo(2L);
        // XGROUP CREATE with ENTRIESREAD.
        r("XGROUP", "CREATE", "x", "g3", "$", "ENTRIESREAD", "3");
        assertThat(map(list(r("XINFO", "GROUPS", "x")).get(2)).get("entries-read")).isEqualTo(3L);
    }

    // ---- FIELDS projection ---------------------------------------------------------------------

    @Test
    void fieldsProjection() throws Exception {
        r("XADD", "s", "1", "temp", "20", "hum", "40", "site", "a");
        r("XADD", "s", "2", "temp", "21", "hum", "41", "site", "b");
        r("XADD", "s", "3", "other", "x");
        assertThat(r("XRANGE", "s", "-", "+", "FIELDS", "1", "temp")).isEqualTo(List.of(entry("1-0", "temp", "20"),
                entry("2-0", "temp", "21"), entry("3-0")));
        assertThat(r("XREVRANGE", "s", "+", "-", "COUNT", "2", "FIELDS", "2", "site", "other")).isEqualTo(List.of(
                entry("3-0", "other", "x"), entry("2-0", "site", "b")));
        // Fields come back in the entry's order; unknown names select nothing.
        assertThat(r("XRANGE", "s", "1", "1", "FIELDS", "3", "site", "nope", "temp"))
                .isEqualTo(List.of(entry("1-0", "temp", "20", "site", "a")));
        assertThat(r("XREAD", "FIELDS", "1", "hum", "COUNT", "1", "STREAMS", "s", "0"))
                .isEqualTo(List.of(List.of("s", List.of(entry("1-0", "hum", "40")))));
        r("XGROUP", "CREATE", "s", "g", "0");
        assertThat(r("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "FIELDS", "1", "site", "STREAMS", "s", ">"))
                .isEqualTo(List.of(List.of("s", List.of(entry("1-0", "site", "a")))));
        assertThat(r("XREADGROUP", "GROUP", "g", "c", "FIELDS", "1", "temp", "STREAMS", "s", "0"))
                .isEqualTo(List.of(List.of("s", List.of(entry("1-0", "temp", "20")))));
        // Integer-encoded names match their text.
        r("XADD", "n", "1", "42", "x", "7", "y");
        assertThat(r("XRANGE", "n", "-", "+", "FIELDS", "1", "7")).isEqualTo(List.of(entry("1-0", "7", "y")));
        // Without FIELDS, the reply is Redis's.
        assertThat(list(list(r("XRANGE", "s", "1", "1")).get(0)).get(1)).isEqualTo(List.of("temp", "20", "hum", "40", "site", "a"));
        assertThat(err("XRANGE", "s", "-", "+", "FIELDS")).isEqualTo("ERR syntax error");
        assertThat(err("XRANGE", "s", "-", "+", "FIELDS", "2", "a")).isEqualTo("ERR syntax error");
        assertThat(err("XRANGE", "s", "-", "+", "FIELDS", "0")).isEqualTo("ERR FIELDS needs at least one field name");
        assertThat(err("XRANGE", "s", "-", "+", "FIELDS", "x", "a")).isEqualTo("ERR value is not an integer or out of range");
        // Field names are not keys.
        assertThat(r("COMMAND", "GETKEYS", "XREAD", "FIELDS", "2", "a", "b", "STREAMS", "s1", "s2", "0", "0"))
                .isEqualTo(List.of("s1", "s2"));
    }

    // ---- type integration ----------------------------------------------------------------------

    @Test
    void copyDigestAndMemory() throws Exception {
        for (int i = 1; i <= 300; i++) {
            r("XADD", "s", i + "-0", "f", "v" + i);
        }
        r("XGROUP", "CREATE", "s", "g", "0");
        r("XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", "s", ">");
        assertThat(r("COPY", "s", "t")).isEqualTo(1L);
        assertThat(r("DEBUG", "DIGEST-VALUE", "s")).isEqualTo(r("DEBUG", "DIGEST-VALUE", "t"));
        r("XADD", "s", "301-0", "f", "v");
        assertThat(r("XLEN", "t")).isEqualTo(300L);
        assertThat(r("DEBUG", "DIGEST-VALUE", "s")).isNotEqualTo(r("DEBUG", "DIGEST-VALUE", "t"));
        assertThat(list(r("XPENDING", "t", "g")).get(0)).isEqualTo(3L);
        r("XACK", "s", "g", "1-0");
        assertThat(list(r("XPENDING", "t", "g")).get(0)).isEqualTo(3L);
        assertThat((Long) r("MEMORY", "USAGE", "s")).isGreaterThan(300L * 8);
        assertThat(r("RENAME", "t", "u")).isEqualTo("OK");
        assertThat(r("XLEN", "u")).isEqualTo(300L);
    }

    @Test
    void keyspaceEvents() throws Exception {
        r("CONFIG", "SET", "notify-keyspace-events", "KEAn");
        try (RespClient sub = new RespClient(server.port())) {
            sub.call("PSUBSCRIBE", "__keyevent@*__:*");
            r("XADD", "s", "MAXLEN", "1", "1", "a", "b");
            r("XADD", "s", "MAXLEN", "1", "2", "a", "b");
            r("XGROUP", "CREATE", "s", "g", "0");
            r("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
            r("XGROUP", "SETID", "s", "g", "0");
            r("XGROUP", "CREATECONSUMER", "s", "g", "d");
            r("XGROUP", "DELCONSUMER", "s", "g", "d");
            r("XDEL", "s", "2");
            r("XSETID", "s", "5");
            r("XGROUP", "DESTROY", "s", "g");
            r("XTRIM", "s", "MAXLEN", "0"); // nothing to trim: no event
            r("SET", "after", "1");
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 14; i++) {
                String ch = (String) list(sub.read()).get(2);
                events.add(ch.substring(ch.indexOf(':') + 1));
            }
            assertThat(events).containsExactly("new", "xadd", "xadd", "xtrim", "xgroup-create", "xgroup-createconsumer",
                    "xgroup-setid", "xgroup-createconsumer", "xgroup-delconsumer", "xdel", "xsetid", "xgroup-destroy",
                    "new", "set");
        } finally {
            r("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }
}
