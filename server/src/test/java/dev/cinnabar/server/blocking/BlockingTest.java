package dev.cinnabar.server.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Blocking list commands and the blocking infrastructure, mirroring the blocking tests of
 * upstream unit/type/list: serving order, timeouts, readiness through RENAME / MULTI / SWAPDB,
 * wrong types on wake-up, CLIENT UNBLOCK, statistics, and pipelined commands behind a blocked one.
 */
class BlockingTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand()
            .eachTest("FLUSHALL").awaitUnblockedAfterEach();
    final RespClient c = server.client();

    private Object r(Object... args) throws Exception {
        return c.call(args);
    }

    private RespClient client() {
        return server.newClient();
    }

    private long blockedClients() {
        return server.blockedClients();
    }

    private void waitForBlocked(long n) {
        server.waitForBlocked(n);
    }

    private long clientId(RespClient x) throws Exception {
        return (Long) x.call("CLIENT", "ID");
    }

    @Test
    void servedByALaterPushInBlockingOrder() throws Exception {
        RespClient a = client();
        RespClient b = client();
        a.send("BLPOP", "q", "0");
        waitForBlocked(1);
        b.send("BRPOP", "q", "0");
        waitForBlocked(2);
        assertThat(r("RPUSH", "q", "1", "2")).isEqualTo(2L);
        assertThat(a.read()).isEqualTo(List.of("q", "1"));
        assertThat(b.read()).isEqualTo(List.of("q", "2"));
        assertThat(r("EXISTS", "q")).isEqualTo(0L);
    }

    @Test
    void existingElementsAreServedAtOnce() throws Exception {
        r("RPUSH", "l1", "a");
        r("RPUSH", "l2", "b");
        assertThat(r("BLPOP", "nosuch", "l2", "l1", "0")).isEqualTo(List.of("l2", "b"));
        assertThat(r("BLMPOP", "0", "2", "nosuch", "l1", "RIGHT", "COUNT", "5")).isEqualTo(List.of("l1", List.of("a")));
        r("SET", "s", "x");
        assertThat(r("BLPOP", "nosuch", "s", "0")).isEqualTo(new Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
    }

    @Test
    void timeoutsAndTheirErrors() throws Exception {
        long start = System.nanoTime();
        assertThat(r("BLPOP", "q", "0.05")).isNull();
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).isBetween(40L, 2000L);
        c.send("BRPOPLPUSH", "q", "dst", "0.01");
        assertThat(c.line()).isEqualTo("*-1"); // a blocked command's timeout reply is a null array
        assertThat(r("BLPOP", "q", "-1")).isEqualTo(new Err("ERR timeout is negative"));
        assertThat(r("BLPOP", "q", "abc")).isEqualTo(new Err("ERR timeout is not a float or out of range"));
        assertThat(r("BLPOP", "q", "0x7FFFFFFFFFFFFF")).isEqualTo(new Err("ERR timeout is out of range"));
        assertThat(r("BLPOP", "q", "inf")).isEqualTo(new Err("ERR timeout is out of range"));
        assertThat(r("BLMOVE", "q", "d", "LEFT", "RIGHT", "-0.5")).isEqualTo(new Err("ERR timeout is negative"));
        assertThat(r("BLMPOP", "0.01", "1", "q", "LEFT")).isNull();
        assertThat(blockedClients()).isZero();
    }

    @Test
    void wakesWhenTheKeyIsRenamedIntoPlace() throws Exception {
        RespClient a = client();
        a.send("BLPOP", "foo", "0");
        waitForBlocked(1);
        r("LPUSH", "bob", "abc", "def", "hij");
        r("RENAME", "bob", "foo");
        assertThat(a.read()).isEqualTo(List.of("foo", "hij"));
    }

    @Test
    void multiExecIsServedAsAWhole() throws Exception {
        RespClient a = client();
        a.send("BLPOP", "list", "0");
        waitForBlocked(1);
        r("MULTI");
        r("LPUSH", "list", "a");
        r("LPUSH", "list", "b");
        r("LPUSH", "list", "c");
        r("EXEC");
        assertThat(a.read()).isEqualTo(List.of("list", "c"));
        // A push undone in the same transaction does not wake anybody.
        a.send("BLPOP", "list2", "0");
        waitForBlocked(1);
        r("MULTI");
        r("LPUSH", "list2", "a");
        r("DEL", "list2");
        r("SET", "list2", "foo");
        r("EXEC");
        assertThat(blockedClients()).isEqualTo(1);
        r("DEL", "list2");
        r("LPUSH", "list2", "b");
        assertThat(a.read()).isEqualTo(List.of("list2", "b"));
    }

    @Test
    void blockingCommandsInsideMultiDoNotBlock() throws Exception {
        r("LPUSH", "xlist", "foo", "bar");
        r("MULTI");
        r("BLPOP", "xlist", "0");
        r("BLPOP", "xlist", "0");
        r("BLPOP", "xlist", "0");
        r("BRPOPLPUSH", "xlist", "t", "0");
        assertThat(r("EXEC")).isEqualTo(java.util.Arrays.asList(List.of("xlist", "bar"), List.of("xlist", "foo"), null, null));
    }

    @Test
    void wrongTypeWhenServedAndFairnessOnFailure() throws Exception {
        RespClient a = client();
        RespClient b = client();
        r("SET", "target1", "nolist");
        a.send("BRPOPLPUSH", "blist", "target1", "0");
        waitForBlocked(1);
        b.send("BRPOPLPUSH", "blist", "target2", "0");
        waitForBlocked(2);
        r("LPUSH", "blist", "foo");
        assertThat(a.read()).isEqualTo(new Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
        assertThat(b.read()).isEqualTo("foo");
        assertThat(r("LRANGE", "target2", "0", "-1")).isEqualTo(List.of("foo"));
    }

    @Test
    void chainedMovesAreServedInTheSamePass() throws Exception {
        RespClient a = client();
        RespClient b = client();
        a.send("BLMOVE", "list1", "list2", "RIGHT", "LEFT", "0");
        waitForBlocked(1);
        b.send("BLMOVE", "list2", "list3", "LEFT", "RIGHT", "0");
        waitForBlocked(2);
        r("RPUSH", "list1", "foo");
        assertThat(r("LRANGE", "list1", "0", "-1")).isEqualTo(List.of());
        assertThat(r("LRANGE", "list2", "0", "-1")).isEqualTo(List.of());
        assertThat(r("LRANGE", "list3", "0", "-1")).isEqualTo(List.of("foo"));
        assertThat(a.read()).isEqualTo("foo");
        assertThat(b.read()).isEqualTo("foo");
    }

    @Test
    void blmpopServesEachClientFromOneKey() throws Exception {
        RespClient[] rd = {client(), client(), client(), client()};
        rd[0].send("BLMPOP", "0", "2", "blist", "blist2", "left", "count", "1");
        waitForBlocked(1);
        rd[1].send("BLMPOP", "0", "2", "blist", "blist2", "right", "count", "10");
        waitForBlocked(2);
        rd[2].send("BLMPOP", "0", "2", "blist", "blist2", "left", "count", "10");
        waitForBlocked(3);
        rd[3].send("BLMPOP", "0", "2", "blist", "blist2", "right", "count", "1");
        waitForBlocked(4);
        r("MULTI");
        r("LPUSH", "blist", "a", "b", "c", "d", "e");
        r("LPUSH", "blist2", "1", "2", "3", "4", "5");
        r("EXEC");
        assertThat(rd[0].read()).isEqualTo(List.of("blist", List.of("e")));
        assertThat(rd[1].read()).isEqualTo(List.of("blist", List.of("a", "b", "c", "d")));
        assertThat(rd[2].read()).isEqualTo(List.of("blist2", List.of("5", "4", "3", "2", "1")));
        r("LPUSH", "blist2", "1", "2", "3");
        assertThat(rd[3].read()).isEqualTo(List.of("blist2", List.of("1")));
    }

    @Test
    void clientUnblock() throws Exception {
        RespClient a = client();
        long id = clientId(a);
        a.send("BLPOP", "l", "0");
        waitForBlocked(1);
        String list = (String) r("CLIENT", "LIST", "ID", Long.toString(id));
        assertThat(list).contains("flags=b ").contains("cmd=blpop");
        assertThat((String) r("INFO", "clients")).contains("blocked_clients:1").contains("total_blocking_keys:1");
        assertThat(r("CLIENT", "UNBLOCK", Long.toString(id))).isEqualTo(1L);
        assertThat(a.read()).isNull();
        a.send("BLMPOP", "0", "1", "l", "RIGHT");
        waitForBlocked(1);
        assertThat(r("CLIENT", "UNBLOCK", Long.toString(id), "TIMEOUT")).isEqualTo(1L);
        assertThat(a.read()).isNull();
        a.send("BLPOP", "l", "0");
        waitForBlocked(1);
        assertThat(r("CLIENT", "UNBLOCK", Long.toString(id), "ERROR")).isEqualTo(1L);
        assertThat(a.read()).isEqualTo(new Err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
        assertThat(r("CLIENT", "UNBLOCK", "asd")).isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(r("CLIENT", "UNBLOCK", Long.toString(clientId(c)))).isEqualTo(0L);
        assertThat(r("CLIENT", "UNBLOCK", "1", "later")).isEqualTo(new Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
        // Still usable afterwards.
        a.send("BLPOP", "l", "0");
        waitForBlocked(1);
        r("LPUSH", "l", "foo");
        assertThat(a.read()).isEqualTo(List.of("l", "foo"));
    }

    @Test
    void blockedCommandsAreCountedOnceInCommandstats() throws Exception {
        RespClient a = client();
        long id = clientId(a);
        r("CONFIG", "RESETSTAT");
        a.send("BLPOP", "mylist", "0");
        waitForBlocked(1);
        r("LPUSH", "mylist", "1");
        assertThat(a.read()).isEqualTo(List.of("mylist", "1"));
        assertThat((String) r("INFO", "commandstats")).contains("cmdstat_blpop:calls=1,").contains(
                "rejected_calls=0,failed_calls=0");
        r("CONFIG", "RESETSTAT");
        a.send("BLPOP", "mylist", "0");
        waitForBlocked(1);
        r("CLIENT", "UNBLOCK", Long.toString(id), "ERROR");
        a.read();
        assertThat((String) r("INFO", "commandstats")).contains("cmdstat_blpop:calls=1,").contains("failed_calls=1");
    }

    @Test
    void pipelinedCommandsWaitBehindTheBlockedOne() throws Exception {
        RespClient a = client();
        RespClient b = client();
        a.send("BLPOP", "mylist", "0");
        waitForBlocked(1);
        // One write: a push that serves the first client, then a blocking pop of our own.
        b.writeRaw("LPUSH mylist 1\r\nBLPOP mylist 0\r\nPING\r\n");
        assertThat(a.read()).isEqualTo(List.of("mylist", "1"));
        assertThat(b.read()).isEqualTo(1L);
        waitForBlocked(1);
        r("LPUSH", "mylist", "2");
        assertThat(b.read()).isEqualTo(List.of("mylist", "2"));
        assertThat(b.read()).isEqualTo("PONG");
        // Two blocking pops pipelined on one connection (upstream protocol regression).
        b.writeRaw("*3\r\n$5\r\nBLPOP\r\n$6\r\nnolist\r\n$1\r\n0\r\n*3\r\n$5\r\nBLPOP\r\n$6\r\nnolist\r\n$1\r\n0\r\n");
        waitForBlocked(1);
        r("RPUSH", "nolist", "a");
        assertThat(b.read()).isEqualTo(List.of("nolist", "a"));
        waitForBlocked(1);
        r("RPUSH", "nolist", "a");
        assertThat(b.read()).isEqualTo(List.of("nolist", "a"));
    }

    @Test
    void swapdbAndMoveWakeBlockedClients() throws Exception {
        RespClient a = client();
        r("SELECT", "1");
        r("RPUSH", "k", "hello");
        r("SELECT", "0");
        a.send("BRPOP", "k", "5");
        waitForBlocked(1);
        r("SWAPDB", "1", "0");
        assertThat(a.read()).isEqualTo(List.of("k", "hello"));
        r("FLUSHALL");
        a.send("BLPOP", "m", "5");
        waitForBlocked(1);
        r("SELECT", "2");
        r("RPUSH", "m", "moved");
        r("MOVE", "m", "0");
        assertThat(a.read()).isEqualTo(List.of("m", "moved"));
    }

    @Test
    void expiredKeyDoesNotServeAndTheDeadlineIsKept() throws Exception {
        RespClient a = client();
        r("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        try {
            long start = System.nanoTime();
            a.send("BLPOP", "mylist", "1");
            waitForBlocked(1);
            r("MULTI");
            r("RPUSH", "mylist", "a");
            r("PEXPIRE", "mylist", "100");
            r("DEBUG", "SLEEP", "0.2");
            r("EXEC");
            assertThat(blockedClients()).isEqualTo(1);
            assertThat(a.read()).isNull();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMs).isBetween(900L, 1500L);
        } finally {
            r("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        }
    }

    @Test
    void disconnectedBlockedClientsAreForgotten() throws Exception {
        RespClient a = new RespClient(server.port());
        a.send("BLPOP", "gone", "0");
        waitForBlocked(1);
        a.close();
        waitForBlocked(0);
        assertThat((String) r("INFO", "clients")).contains("total_blocking_keys:0");
        r("RPUSH", "gone", "x");
        assertThat(r("LLEN", "gone")).isEqualTo(1L);
    }

    @Test
    void blockingPopsIncreaseDirtyOnlyWhenServed() throws Exception {
        RespClient a = client();
        long before = dirty();
        a.send("BLPOP", "lst", "0");
        waitForBlocked(1);
        r("LPUSH", "lst", "a");
        assertThat(a.read()).isEqualTo(List.of("lst", "a"));
        assertThat(dirty() - before).isEqualTo(2);
    }

    @Test
    void sortedSetsReuseTheMachinery() throws Exception {
        RespClient a = client();
        RespClient b = client();
        a.send("BZPOPMIN", "z1", "z2", "0");
        waitForBlocked(1);
        b.send("BZMPOP", "0", "2", "z2", "z1", "MAX", "COUNT", "5");
        waitForBlocked(2);
        r("ZADD", "z2", "1", "a", "2", "b", "3", "c");
        assertThat(a.read()).isEqualTo(List.of("z2", "a", "1"));
        assertThat(b.read()).isEqualTo(List.of("z2", List.of(List.of("c", "3"), List.of("b", "2"))));
        assertThat(r("EXISTS", "z2")).isEqualTo(0L);
        // A list on a key a sorted set waiter watches does not serve it (wrong kind).
        a.send("BZPOPMAX", "k", "0");
        waitForBlocked(1);
        r("RPUSH", "k", "x");
        assertThat(blockedClients()).isEqualTo(1);
        r("DEL", "k");
        r("ZADD", "k", "5", "m");
        assertThat(a.read()).isEqualTo(List.of("k", "m", "5"));
        assertThat(r("BZPOPMIN", "nosuch", "0.01")).isNull();
        r("MULTI");
        r("BZMPOP", "0", "1", "nosuch", "MIN");
        assertThat(r("EXEC")).isEqualTo(java.util.Collections.singletonList(null));
    }

    private long dirty() throws Exception {
        String info = (String) r("INFO", "persistence");
        for (String line : info.split("\r\n")) {
            if (line.startsWith("rdb_changes_since_last_save:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1));
            }
        }
        throw new AssertionError("no rdb_changes_since_last_save");
    }
}
