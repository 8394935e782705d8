package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * XREAD / XREADGROUP BLOCK, mirroring the blocking tests of upstream unit/type/stream and
 * stream-cgroups: woken by XADD from any source (MULTI included), not by a key that comes back
 * as another type, "$" meaning the last ID at block time, and for XREADGROUP the NOGROUP /
 * WRONGTYPE errors when the key or group goes away while it waits.
 */
class StreamBlockingTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().config("databases", "16")
            .eachTest("FLUSHALL").awaitUnblockedAfterEach();
    final RespClient c = server.client();

    private Object r(Object... args) throws Exception {
        return c.call(args);
    }

    private RespClient client() {
        return server.newClient();
    }

    private long blocked() {
        return server.blockedClients();
    }

    private void waitForBlocked(long n) {
        server.waitForBlocked(n);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    private static List<Object> entry(String id, String... fv) {
        return List.of(id, List.of((Object[]) fv));
    }

    private static String infoField(RespClient c, String name) throws Exception {
        for (String line : ((String) c.call("INFO", "clients")).split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1);
            }
        }
        return null;
    }

    @Test
    void xreadWaitsForNewData() throws Exception {
        r("XADD", "s2", "*", "old", "abcd1234");
        RespClient rd = client();
        rd.send("XREAD", "BLOCK", "20000", "STREAMS", "s1", "s2", "s3", "$", "$", "$");
        waitForBlocked(1);
        r("XADD", "s2", "*", "new", "abcd1234");
        List<Object> res = list(rd.read());
        assertThat(list(res.get(0)).get(0)).isEqualTo("s2");
        assertThat(list(list(list(res.get(0)).get(1)).get(0)).get(1)).isEqualTo(List.of("new", "abcd1234"));
        // Old data is served at once.
        rd.send("XREAD", "BLOCK", "20000", "STREAMS", "s1", "s2", "s3", "$", "0-0", "$");
        res = list(rd.read());
        assertThat(list(list(list(res.get(0)).get(1)).get(0)).get(1)).isEqualTo(List.of("old", "abcd1234"));
    }

    @Test
    void xreadTimesOutWithNil() throws Exception {
        r("XADD", "s", "666", "f", "v");
        r("XADD", "s", "667", "f2", "v2");
        r("XDEL", "s", "667");
        RespClient rd = client();
        long t0 = System.nanoTime();
        rd.send("XREAD", "BLOCK", "30", "STREAMS", "s", "666");
        assertThat(rd.read()).isNull();
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(25);
    }

    @Test
    void xreadKeyDeletedOrTypeChanged() throws Exception {
        r("XADD", "s", "666", "f", "v");
        RespClient rd = client();
        rd.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        waitForBlocked(1);
        r("DEL", "s");
        r("SET", "s", "val1");
        r("DEL", "s");
        assertThat(blocked()).isEqualTo(1);
        r("XADD", "s", "667", "f", "v");
        assertThat(list(list(list(rd.read()).get(0)).get(1)).get(0)).isEqualTo(entry("667-0", "f", "v"));
        // XADD + DEL (+ LPUSH) inside MULTI wakes nobody; the next XADD does.
        r("DEL", "s");
        rd.send("XREAD", "BLOCK", "20000", "STREAMS", "s", "$");
        waitForBlocked(1);
        r("MULTI");
        r("XADD", "s", "*", "old", "abcd1234");
        r("DEL", "s");
        r("LPUSH", "s", "foo", "bar");
        r("EXEC");
        r("DEL", "s");
        assertThat(blocked()).isEqualTo(1);
        r("XADD", "s", "*", "new", "abcd1234");
        assertThat(list(list(list(list(rd.read()).get(0)).get(1)).get(0)).get(1)).isEqualTo(List.of("new", "abcd1234"));
    }

    @Test
    void xreadSeesEveryEntryOfATransaction() throws Exception {
        r("XADD", "s2", "*", "old", "abcd1234");
        RespClient rd = client();
        rd.send("XREAD", "BLOCK", "20000", "STREAMS", "s2", "s2", "s2", "$", "$", "$");
        waitForBlocked(1);
        r("MULTI");
        r("XADD", "s2", "*", "field", "one");
        r("XADD", "s2", "*", "field", "two");
        r("XADD", "s2", "*", "field", "three");
        r("EXEC");
        List<Object> res = list(rd.read());
        assertThat(res).hasSize(3); // one reply per key argument, repeated keys included (as Redis)
        List<Object> entries = list(list(res.get(0)).get(1));
        assertThat(entries).hasSize(3);
        assertThat(list(entries.get(0)).get(1)).isEqualTo(List.of("field", "one"));
    }

    @Test
    void xreadStreamIdEdgeWhileBlocked() throws Exception {
        RespClient rd = client();
        rd.send("XREAD", "BLOCK", "0", "STREAMS", "x", "1-18446744073709551615");
        waitForBlocked(1);
        r("XADD", "x", "1-1", "f", "v");
        r("XADD", "x", "1-18446744073709551615", "f", "v");
        assertThat(blocked()).isEqualTo(1);
        r("XADD", "x", "2-1", "f", "v");
        assertThat(list(list(list(rd.read()).get(0)).get(1)).get(0)).isEqualTo(entry("2-1", "f", "v"));
    }

    @Test
    void blockingInsideMultiIsATimeout() throws Exception {
        r("MULTI");
        r("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        r("XADD", "s", "1", "a", "b");
        List<Object> res = list(r("EXEC"));
        assertThat(res.get(0)).isNull();
        assertThat(res.get(1)).isEqualTo("1-0");
    }

    @Test
    void xreadgroupWokenByXadd() throws Exception {
        r("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        r("XADD", "s", "666", "key", "value");
        r("XDEL", "s", "666");
        RespClient rd = client();
        rd.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "10", "STREAMS", "s", ">");
        assertThat(rd.read()).isNull();
        rd.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
        waitForBlocked(1);
        r("XADD", "s", "667", "key", "value");
        assertThat(rd.read()).isEqualTo(List.of(List.of("s", List.of(entry("667-0", "key", "value")))));
        assertThat(r("XPENDING", "s", "g", "-", "+", "10", "c")).asList().hasSize(1);
        // Any ID but ">" is served at once from the consumer's history.
        rd.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", "700");
        assertThat(rd.read()).isEqualTo(List.of(List.of("s", List.of())));
    }

    private void blockOnGroup(RespClient rd, String key) throws Exception {
        r("DEL", key);
        r("XADD", key, "666", "f", "v");
        r("XGROUP", "CREATE", key, "g", "$");
        rd.send("XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "0", "STREAMS", key, ">");
        waitForBlocked(1);
    }

    @Test
    void xreadgroupGetsNoGroupOrWrongTypeWhenTheKeyGoes() throws Exception {
        RespClient rd = client();
        blockOnGroup(rd, "s");
        assertThat(infoField(c, "total_blocking_keys_on_nokey")).isEqualTo("1");
        r("DEL", "s");
        assertThat(rd.read()).isInstanceOf(Err.class).hasToString(
                "-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option");
        assertThat(infoField(c, "total_blocking_keys_on_nokey")).isEqualTo("0");

        blockOnGroup(rd, "s");
        r("SET", "s", "val1");
        assertThat(((Err) rd.read()).message()).startsWith("WRONGTYPE");

        blockOnGroup(rd, "s");
        r("MULTI");
        r("DEL", "s");
        r("SADD", "s", "e1");
        r("EXEC");
        assertThat(((Err) rd.read()).message()).startsWith("WRONGTYPE");

        blockOnGroup(rd, "s");
        r("FLUSHALL");
        assertThat(((Err) rd.read()).message()).startsWith("NOGROUP");

        r("CONFIG", "RESETSTAT");
        blockOnGroup(rd, "s");
        r("XGROUP", "DESTROY", "s", "g");
        assertThat(((Err) rd.read()).message()).startsWith("NOGROUP");
        String stats = (String) r("INFO", "commandstats");
        assertThat(stats).contains("cmdstat_xreadgroup:calls=1,").contains("rejected_calls=0,failed_calls=1");
    }

    @Test
    void xreadgroupAcrossSwapdb() throws Exception {
        RespClient rd = client();
        r("SELECT", "4");
        r("FLUSHDB");
        r("LPUSH", "s", "e1");
        r("SELECT", "9");
        rd.call("SELECT", "9");
        blockOnGroup(rd, "s");
        r("SWAPDB", "4", "9");
        assertThat(((Err) rd.read()).message()).startsWith("WRONGTYPE");
        r("SELECT", "4");
        r("FLUSHDB");
        r("SELECT", "9");
        r("FLUSHDB");
        blockOnGroup(rd, "s");
        r("SWAPDB", "4", "9");
        assertThat(((Err) rd.read()).message()).startsWith("NOGROUP");
        r("SELECT", "0");
    }

    @Test
    void renameCanWakeXreadgroup() throws Exception {
        r("XGROUP", "CREATE", "s{t}", "g", "$", "MKSTREAM");
        RespClient rd = client();
        rd.send("XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "0", "STREAMS", "s{t}", ">");
        waitForBlocked(1);
        r("XGROUP", "CREATE", "s2{t}", "g", "$", "MKSTREAM");
        r("XADD", "s2{t}", "100", "f1", "v1");
        r("RENAME", "s2{t}", "s{t}");
        assertThat(rd.read()).isEqualTo(List.of(List.of("s{t}", List.of(entry("100-0", "f1", "v1")))));

        r("DEL", "s{t}");
        r("XGROUP", "CREATE", "s{t}", "g", "$", "MKSTREAM");
        rd.send("XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "0", "STREAMS", "s{t}", ">");
        waitForBlocked(1);
        r("XADD", "s2{t}", "100", "f1", "v1");
        r("RENAME", "s2{t}", "s{t}");
        assertThat(((Err) rd.read()).message()).startsWith("NOGROUP");
    }

    @Test
    void reblockedXreadgroupKeepsItsDeadline() throws Exception {
        r("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        RespClient rd1 = client();
        RespClient rd2 = client();
        rd1.send("XREADGROUP", "GROUP", "g", "u", "BLOCK", "0", "STREAMS", "s", ">");
        waitForBlocked(1);
        long t0 = System.nanoTime();
        rd2.send("XREADGROUP", "GROUP", "g", "u", "BLOCK", "300", "STREAMS", "s", ">");
        waitForBlocked(2);
        Thread.sleep(100);
        r("XADD", "s", "*", "field", "value");
        assertThat(list(rd1.read())).hasSize(1);
        assertThat(rd2.read()).isNull();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isBetween(290L, 390L);
    }

    @Test
    void listAndStreamWaitersOnOneKey() throws Exception {
        RespClient rd = client();
        RespClient rd2 = client();
        rd2.send("BLPOP", "s", "0");
        waitForBlocked(1);
        assertThat(infoField(c, "total_blocking_keys")).isEqualTo("1");
        assertThat(infoField(c, "total_blocking_keys_on_nokey")).isEqualTo("0");
        r("XADD", "s", "666", "key", "value");
        r("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        rd.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
        waitForBlocked(2);
        assertThat(infoField(c, "total_blocking_keys")).isEqualTo("1");
        assertThat(infoField(c, "total_blocking_keys_on_nokey")).isEqualTo("1");
        r("DEL", "s");
        assertThat(((Err) rd.read()).message()).startsWith("NOGROUP");
        assertThat(infoField(c, "total_blocking_keys_on_nokey")).isEqualTo("0");
    }

    @Test
    void clientUnblockEndsTheWait() throws Exception {
        RespClient rd = client();
        long id = (Long) rd.call("CLIENT", "ID");
        rd.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        waitForBlocked(1);
        assertThat(r("CLIENT", "UNBLOCK", Long.toString(id))).isEqualTo(1L);
        assertThat(rd.read()).isNull();
        rd.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        waitForBlocked(1);
        r("CLIENT", "UNBLOCK", Long.toString(id), "ERROR");
        assertThat(((Err) rd.read()).message()).isEqualTo("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    }
}
