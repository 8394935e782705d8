package dev.cinnabar.server.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RespClient;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The replication stream as a replica attached with SYNC reads it: every write as executed or
 * as Redis 7.2 rewrites it for replicas, SELECT when the database changes, MULTI/EXEC around
 * units of several operations, expiry DELs (the upstream suite's needs:repl tests, and more).
 */
class ReplicationStreamTest {
    private CinnabarServer server;
    private RespClient c;
    private ReplicaStream repl;

    @BeforeEach
    void start() throws IOException {
        server = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
        c = new RespClient(server.port());
        c.call("CONFIG", "SET", "repl-ping-replica-period", "3600");
        repl = ReplicaStream.sync(server.port());
    }

    @AfterEach
    void stop() throws IOException {
        repl.close();
        c.close();
        server.close();
    }

    @Test
    void plainWritesGoAsTheyAreAfterASelect() throws IOException {
        c.call("SET", "foo", "bar");
        c.call("RPUSH", "l", "a", "b");
        c.call("DEL", "missing"); // changed nothing: not propagated
        c.call("GET", "foo");
        c.call("INCR", "n");
        repl.expect("select 0", "set foo bar", "rpush l a b", "incr n");
    }

    @Test
    void writesThatChangeNothingAreNotPropagated() throws IOException {
        c.call("RPUSH", "l", "a", "b", "c");
        c.call("LTRIM", "l", "0", "-1");
        c.call("SADD", "s", "a");
        c.call("SADD", "s", "a");
        c.call("SREM", "s", "zz");
        c.call("SMOVE", "s", "s", "a");
        c.call("ZADD", "z", "1", "a");
        c.call("ZADD", "z", "1", "a");
        c.call("EXPIRE", "l", "100", "GT");
        c.call("PERSIST", "l");
        c.call("SETBIT", "b", "1", "1");
        c.call("SETBIT", "b", "1", "1");
        c.call("LTRIM", "l", "1", "-1");
        repl.expect("select 0", "rpush l a b c", "sadd s a", "zadd z 1 a", "setbit b 1 1", "ltrim l 1 -1");
    }

    @Test
    void databaseChangesAreAnnouncedWithSelect() throws IOException {
        c.call("SET", "a", "1");
        c.call("SELECT", "3");
        c.call("SET", "b", "2");
        c.call("SET", "c", "3");
        c.call("SELECT", "0");
        c.call("SET", "d", "4");
        repl.expect("select 0", "set a 1", "select 3", "set b 2", "set c 3", "select 0", "set d 4");
    }

    @Test
    void expiringSetsBecomeSetPxatWithAnAbsoluteTime() throws IOException {
        long before = System.currentTimeMillis();
        c.call("SET", "k", "v", "EX", "100");
        c.call("SET", "k", "v", "px", "100000");
        c.call("SET", "k", "v", "EXAT", Long.toString(before / 1000 + 100));
        c.call("SET", "k", "v", "pxat", Long.toString(before + 100000));
        c.call("SETEX", "k", "100", "v");
        c.call("PSETEX", "k", "100000", "v");
        c.call("SET", "k", "v2", "GET");
        c.call("SET", "k", "v3", "GET", "PXAT", Long.toString(before + 100000));
        repl.expect("select 0");
        for (int i = 0; i < 6; i++) {
            List<String> cmd = repl.next();
            assertThat(cmd.subList(0, 3)).containsExactly("set", "k", "v");
            assertThat(cmd.get(3)).isEqualToIgnoringCase("PXAT");
            assertThat(Long.parseLong(cmd.get(4))).isBetween(before + 99_000, before + 101_000);
            if (i == 3) {
                assertThat(cmd.get(3)).isEqualTo("pxat"); // absolute already: the command as sent
            }
        }
        repl.expect("set k v2", "set k v3 GET PXAT " + (before + 100000));
    }

    @Test
    void expireFamilyBecomesPexpireatOrDelete() throws IOException {
        long now = System.currentTimeMillis();
        c.call("SET", "k", "v");
        c.call("EXPIRE", "k", "100");
        c.call("PEXPIRE", "k", "200000", "GT");
        c.call("EXPIREAT", "k", Long.toString(now / 1000 + 200));
        c.call("PEXPIREAT", "k", Long.toString(now + 300000));
        c.call("EXPIRE", "missing", "100");
        c.call("EXPIREAT", "k", Long.toString(now / 1000 - 100));
        repl.expect("select 0", "set k v");
        List<String> e = repl.next();
        assertThat(e.subList(0, 2)).containsExactly("pexpireat", "k");
        assertThat(Long.parseLong(e.get(2))).isBetween(now + 99_000, now + 101_000);
        e = repl.next();
        assertThat(e).hasSize(4);
        assertThat(Long.parseLong(e.get(2))).isBetween(now + 199_000, now + 201_000);
        assertThat(e.get(3)).isEqualTo("GT");
        repl.expect("pexpireat k " + (now / 1000 + 200) * 1000, "pexpireat k " + (now + 300000), "del k");
    }

    @Test
    void getexGetdelGetsetAndFloatIncrementsAreRewritten() throws IOException {
        long now = System.currentTimeMillis();
        c.call("SET", "k", "v");
        c.call("GETEX", "k");
        c.call("GETEX", "k", "EX", "100");
        c.call("GETEX", "k", "PERSIST");
        c.call("GETEX", "k", "PERSIST"); // no TTL any more: nothing to propagate
        c.call("GETEX", "k", "EXAT", Long.toString(now / 1000 - 10));
        c.call("SET", "g", "1");
        c.call("GETSET", "g", "2");
        c.call("GETDEL", "g");
        c.call("GETDEL", "g");
        c.call("INCRBYFLOAT", "f", "1.5");
        c.call("HINCRBYFLOAT", "h", "x", "0.25");
        repl.expect("select 0", "set k v");
        List<String> e = repl.next();
        assertThat(e.subList(0, 2)).containsExactly("pexpireat", "k");
        assertThat(Long.parseLong(e.get(2))).isBetween(now + 99_000, now + 101_000);
        repl.expect("persist k", "del k", "set g 1", "set g 2", "del g", "set f 1.5 KEEPTTL", "hset h x 0.25");
    }

    @Test
    void restoreGetsAnAbsoluteTtlAndGeoaddBecomesZadd() throws IOException {
        long now = System.currentTimeMillis();
        c.call("SET", "src", "value");
        Object payload = c.call("DUMP", "src");
        byte[] dump = ((String) payload).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        c.call("RESTORE", "r1", "0", dump);
        c.call("RESTORE", "r2", "100000", dump);
        c.call("RESTORE", "r3", Long.toString(now + 200000), dump, "ABSTTL");
        c.call("RESTORE", "r1", Long.toString(now - 1000), dump, "REPLACE", "ABSTTL");
        c.call("RESTORE", "gone", Long.toString(now - 1000), dump, "ABSTTL"); // nothing to delete
        c.call("GEOADD", "g", "13.361389", "38.115556", "Palermo");
        repl.expect("select 0", "set src value");
        assertThat(repl.next().subList(0, 3)).containsExactly("restore", "r1", "0");
        List<String> r2 = repl.next();
        assertThat(r2).hasSize(5);
        assertThat(Long.parseLong(r2.get(2))).isBetween(now + 99_000, now + 101_000);
        assertThat(r2.get(4)).isEqualTo("ABSTTL");
        List<String> r3 = repl.next();
        assertThat(r3.get(2)).isEqualTo(Long.toString(now + 200000));
        assertThat(r3.get(4)).isEqualTo("ABSTTL");
        assertThat(r3).hasSize(5);
        repl.expect("del r1", "zadd g 3479099956230698 Palermo");
    }

    @Test
    void migrateWithoutCopyReachesReplicasAsADelOfTheMovedKeys() throws IOException {
        try (CinnabarServer target = CinnabarServer.builder().port(0).start()) {
            c.call("SET", "a", "1");
            c.call("SET", "b", "2");
            c.call("SET", "c", "3");
            assertThat(c.call("MIGRATE", "127.0.0.1", Integer.toString(target.port()), "", "0", "5000", "COPY",
                    "KEYS", "a")).isEqualTo("OK");
            assertThat(c.call("MIGRATE", "127.0.0.1", Integer.toString(target.port()), "", "0", "5000", "REPLACE",
                    "KEYS", "a", "missing", "b")).isEqualTo("OK");
            c.call("SET", "done", "1");
        }
        repl.expect("select 0", "set a 1", "set b 2", "set c 3", "del a b", "set done 1");
    }

    @Test
    void scriptsSetReplAndFunctionsReplicateAsRedis() throws IOException {
        c.call("EVAL", "redis.call('set', KEYS[1], 'a'); redis.call('get', KEYS[1]); return redis.call('incr', 'n')", "1", "k");
        c.call("EVAL", "return redis.call('get', 'k')", "0"); // reads only: nothing
        c.call("EVAL", "redis.call('expire', 'k', 100)", "0");
        c.call("EVAL", "redis.set_repl(redis.REPL_NONE); redis.call('set', 'hidden', '1'); "
                + "redis.set_repl(redis.REPL_ALL); redis.call('set', 'shown', '1')", "0");
        c.call("SCRIPT", "LOAD", "return 1");
        c.call("SCRIPT", "FLUSH");
        c.call("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function(k) return redis.call('set', k[1], 'v') end)");
        c.call("FCALL", "f", "1", "fk");
        c.call("SET", "end", "1");
        repl.expect("multi", "select 0", "set k a", "incr n", "exec");
        List<String> e = repl.next();
        assertThat(e.subList(0, 2)).containsExactly("pexpireat", "k");
        repl.expect("set shown 1");
        assertThat(repl.next().subList(0, 2)).containsExactly("function", "LOAD");
        repl.expect("set fk v", "set end 1");
    }

    @Test
    void streamWritesAreReplicatedWithTheChoicesMadeHere() throws IOException {
        c.call("XADD", "s2", "5-*", "f", "v");
        Object id = c.call("XADD", "s", "*", "f", "v");
        for (int i = 0; i < 300; i++) {
            c.call("XADD", "s", "*", "f", Integer.toString(i));
        }
        c.call("XADD", "s", "MAXLEN", "~", "5", "*", "f", "last");
        long afterAdd = (Long) c.call("XLEN", "s");
        c.call("XADD", "s", "MAXLEN", "~", "5", "LIMIT", "1", "*", "f", "limited");
        c.call("XTRIM", "s", "MAXLEN", "~", "3");
        long afterTrim = (Long) c.call("XLEN", "s");
        c.call("XTRIM", "s", "MAXLEN", "=", "1000"); // removes nothing: not propagated
        repl.expect("select 0", "xadd s2 5-0 f v");
        assertThat(repl.next()).containsExactly("xadd", "s", (String) id, "f", "v");
        for (int i = 0; i < 300; i++) {
            assertThat(repl.next().get(2)).doesNotContain("*");
        }
        List<String> trimmed = repl.next();
        assertThat(trimmed.subList(0, 5)).containsExactly("xadd", "s", "MAXLEN", "=", Long.toString(afterAdd));
        assertThat(afterAdd).isGreaterThan(5); // approximate: whole nodes only
        List<String> limited = repl.next();
        assertThat(limited.subList(0, 4)).containsExactly("xadd", "s", "MAXLEN", "=");
        assertThat(limited.subList(5, 7)).containsExactly("LIMIT", "1");
        List<String> xtrim = repl.next();
        assertThat(xtrim).containsExactly("xtrim", "s", "MAXLEN", "=", Long.toString(afterTrim));
        c.call("SET", "end", "1");
        repl.expect("set end 1");
    }

    @Test
    void consumerGroupReadsGoAsXclaimAndSetid() throws IOException {
        c.call("XADD", "s", "1-1", "f", "v");
        c.call("XADD", "s", "2-1", "f", "v");
        c.call("XGROUP", "CREATE", "s", "g", "0");
        c.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">");
        c.call("XREADGROUP", "GROUP", "g", "bob", "NOACK", "STREAMS", "s", ">");
        c.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"); // nothing new: nothing sent
        c.call("XCLAIM", "s", "g", "carol", "0", "1-1");
        c.call("XAUTOCLAIM", "s", "g", "dave", "0", "0");
        c.call("XACK", "s", "g", "1-1");
        repl.expect("select 0", "xadd s 1-1 f v", "xadd s 2-1 f v", "xgroup CREATE s g 0");
        List<String> x = repl.next();
        assertThat(x).hasSize(14);
        assertThat(x.subList(0, 6)).containsExactly("xclaim", "s", "g", "alice", "0", "1-1");
        assertThat(x.subList(6, 14)).containsExactly("TIME", x.get(7), "RETRYCOUNT", "1", "FORCE", "JUSTID", "LASTID", "1-1");
        repl.expect("multi", "xgroup CREATECONSUMER s g bob", "xgroup SETID s g 2-1 ENTRIESREAD 2", "exec");
        x = repl.next();
        assertThat(x.subList(0, 6)).containsExactly("xclaim", "s", "g", "carol", "0", "1-1");
        assertThat(x.get(9)).isEqualTo("2");
        x = repl.next();
        assertThat(x.subList(0, 6)).containsExactly("xclaim", "s", "g", "dave", "0", "1-1");
        repl.expect("xack s g 1-1");
    }

    @Test
    void lazyFreeSettingsChooseUnlink() throws IOException {
        c.call("CONFIG", "SET", "lazyfree-lazy-expire", "yes");
        c.call("CONFIG", "SET", "lazyfree-lazy-server-del", "yes");
        c.call("SET", "k", "v");
        c.call("EXPIRE", "k", "-1");
        c.call("SADD", "s", "a", "b");
        c.call("SPOP", "s", "5");
        repl.expect("select 0", "set k v", "unlink k", "sadd s a b", "unlink s");
    }

    @Test
    void spopBecomesSremOfTheChosenMembers() throws IOException {
        c.call("SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        Object one = c.call("SPOP", "s");
        @SuppressWarnings("unchecked")
        List<Object> some = (List<Object>) c.call("SPOP", "s", "3");
        c.call("SPOP", "s", "0");
        repl.expect("select 0", "sadd s a b c d e f g h i j", "srem s " + one);
        List<String> srem = repl.next();
        assertThat(srem.subList(0, 2)).containsExactly("srem", "s");
        assertThat(srem.subList(2, srem.size())).containsExactlyInAnyOrderElementsOf(some.stream().map(String::valueOf).toList());
    }

    @Test
    void largeSpopIsSplitIntoBatchesOf1024() throws IOException {
        Object[] sadd = new Object[2 + 3000];
        sadd[0] = "SADD";
        sadd[1] = "s";
        for (int i = 0; i < 3000; i++) {
            sadd[i + 2] = "m" + i;
        }
        c.call(sadd);
        c.call("SPOP", "s", "2500");
        repl.expect("select 0");
        assertThat(repl.next()).hasSize(3002);
        repl.expect("multi");
        assertThat(repl.next()).hasSize(2 + 1024);
        assertThat(repl.next()).hasSize(2 + 1024);
        assertThat(repl.next()).hasSize(2 + 452);
        repl.expect("exec");
    }

    @Test
    void multiKeyAndBlockingPopsBecomePlainPops() throws IOException {
        c.call("RPUSH", "l", "a", "b", "c", "d");
        c.call("LMPOP", "2", "empty", "l", "LEFT", "COUNT", "3");
        c.call("BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "10");
        c.call("RPUSH", "l", "x", "y");
        c.call("BLPOP", "l", "0");
        c.call("BRPOPLPUSH", "l", "m", "0");
        c.call("BLMOVE", "m", "l", "LEFT", "RIGHT", "0");
        c.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
        c.call("ZMPOP", "1", "z", "MIN", "COUNT", "2");
        c.call("BZPOPMAX", "z", "0");
        c.call("ZADD", "z", "1", "a");
        c.call("BZMPOP", "0", "1", "z", "MAX");
        repl.expect("select 0", "rpush l a b c d", "lpop l 3", "rpop l 1", "rpush l x y", "lpop l", "rpoplpush l m",
                "lmove m l LEFT RIGHT", "zadd z 1 a 2 b 3 c", "zpopmin z 2", "zpopmax z", "zadd z 1 a", "zpopmax z 1");
    }

    @Test
    void aServedBlockedPopFollowsThePushThatServedIt() throws Exception {
        try (RespClient blocked = new RespClient(server.port())) {
            blocked.send("BLPOP", "q", "0");
            waitForBlocked(1);
            c.call("RPUSH", "q", "job");
            assertThat(blocked.read()).isEqualTo(List.of("q", "job"));
        }
        repl.expect("select 0", "rpush q job", "lpop q");
    }

    @Test
    void transactionsAreWrappedOnlyWhenTheyPropagateSeveralCommands() throws IOException {
        c.call("MULTI");
        c.call("SET", "a", "1");
        c.call("GET", "a");
        c.call("EXEC");
        c.call("MULTI");
        c.call("GET", "a");
        c.call("EXEC");
        c.call("MULTI");
        c.call("SET", "b", "1");
        c.call("SELECT", "2");
        c.call("SET", "c", "1");
        c.call("DEL", "nothing");
        c.call("EXEC");
        c.call("SELECT", "0");
        c.call("MULTI");
        c.call("PUBLISH", "ch", "hello");
        c.call("EXEC");
        repl.expect("select 0", "set a 1", "multi", "set b 1", "select 2", "set c 1", "exec", "select 0",
                "publish ch hello");
    }

    @Test
    void flushesAndSwapdbArePropagatedEvenWhenNothingChanged() throws IOException {
        c.call("FLUSHALL");
        c.call("FLUSHDB");
        c.call("SWAPDB", "0", "1");
        c.call("PUBLISH", "nobody", "listens");
        repl.expect("select 0", "flushall", "flushdb", "swapdb 0 1", "publish nobody listens");
    }

    @Test
    void lazyExpiryPropagatesADeleteButNotTheRead() throws Exception {
        c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        c.call("SET", "k", "v", "PX", "20");
        Thread.sleep(40);
        assertThat(c.call("GET", "k")).isNull();
        c.call("SET", "other", "x");
        repl.expect("select 0", "set k v PXAT *", "del k", "set other x");
    }

    @Test
    void lazyExpiryInsideAWriteGoesBeforeItInOneTransaction() throws Exception {
        c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        c.call("SET", "k", "v", "PX", "20");
        Thread.sleep(40);
        c.call("APPEND", "k", "new");
        repl.expect("select 0", "set k v PXAT *", "multi", "del k", "append k new", "exec");
    }

    @Test
    void scanExpiriesAreNotWrappedInATransaction() throws Exception {
        c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        c.call("SET", "a", "1", "PX", "20");
        c.call("SET", "b", "1", "PX", "20");
        Thread.sleep(40);
        c.call("SCAN", "0");
        c.call("SET", "done", "1");
        repl.expect("select 0", "set a 1 PXAT *", "set b 1 PXAT *");
        List<String> d1 = repl.next();
        List<String> d2 = repl.next();
        assertThat(List.of(d1.get(0), d2.get(0))).containsExactly("del", "del");
        assertThat(List.of(d1.get(1), d2.get(1))).containsExactlyInAnyOrder("a", "b");
        repl.expect("set done 1");
    }

    @Test
    void activeExpiryDeletesOneKeyPerUnit() throws Exception {
        c.call("SET", "k", "v", "PX", "30");
        repl.expect("select 0", "set k v PXAT *");
        long deadline = System.currentTimeMillis() + 5000;
        while (!repl.hasMore(50) && System.currentTimeMillis() < deadline) {
            // the expiry cycle runs a few times a second
        }
        repl.expect("del k");
    }

    @Test
    void evictionsAreDeletesChosenByLazyfreeLazyEviction() throws IOException {
        // The hook maxmemory eviction calls for each key it evicts (a unit of its own).
        c.call("SET", "a", "1");
        c.call("SET", "b", "1");
        byte[] a = "a".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] b = "xbx".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        server.server().lock.enter();
        try {
            server.server().replication.propagation.evicted(0, a, 0, 1);
        } finally {
            server.server().lock.exit();
        }
        c.call("CONFIG", "SET", "lazyfree-lazy-eviction", "yes");
        server.server().lock.enter();
        try {
            server.server().replication.propagation.evicted(0, b, 1, 1);
        } finally {
            server.server().lock.exit();
        }
        repl.expect("select 0", "set a 1", "set b 1", "del a", "unlink b");
    }

    @Test
    void theStreamAdvancesTheReplicationOffset() throws IOException {
        String info = (String) c.call("INFO", "replication");
        long start = field(info, "master_repl_offset");
        assertThat(field(info, "repl_backlog_active")).isEqualTo(1);
        assertThat(field(info, "connected_slaves")).isEqualTo(1);
        assertThat(info).containsPattern("slave0:ip=127\\.0\\.0\\.1,port=0,state=(online|send_bulk),offset=0,lag=\\d+");
        c.call("SET", "k", "v");
        repl.expect("select 0", "set k v");
        info = (String) c.call("INFO", "replication");
        assertThat(field(info, "master_repl_offset")).isEqualTo(start + repl.consumed);
        assertThat(field(info, "repl_backlog_histlen")).isEqualTo(start + repl.consumed);
        assertThat(field(info, "repl_backlog_first_byte_offset")).isEqualTo(1);
        String clients = (String) c.call("CLIENT", "LIST", "TYPE", "replica");
        assertThat(clients).contains("flags=S").contains("cmd=sync");
        assertThat(field((String) c.call("INFO", "clients"), "connected_clients")).isEqualTo(1);
    }

    @Test
    void aReplicaThatSendsACommandWithAReplyIsDisconnected() throws IOException {
        repl.conn.writeRaw("*1\r\n$4\r\nPING\r\n");
        assertThat(repl.conn.isClosedByPeer()).isTrue();
        long deadline = System.currentTimeMillis() + 2000;
        while (field((String) c.call("INFO", "replication"), "connected_slaves") != 0
                && System.currentTimeMillis() < deadline) {
            Thread.yield();
        }
        assertThat(field((String) c.call("INFO", "replication"), "connected_slaves")).isZero();
    }

    private void waitForBlocked(int n) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (field((String) c.call("INFO", "clients"), "blocked_clients") != n) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    static long field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError(name + " not in " + info);
    }

    /** Scripts replicate as the commands they ran, never as EVAL/FCALL (Redis 7 effects replication). */
    @Test
    void scriptsReplicateTheirEffectsOnly() throws IOException {
        c.call("EVAL", "redis.call('set', KEYS[1], '1') redis.call('incr', KEYS[1])", "1", "k");
        c.call("EVAL", "return redis.call('get', KEYS[1])", "1", "k"); // read only: nothing
        c.call("EVAL", "redis.call('set', KEYS[1], 'x')", "1", "j");
        repl.expect("multi", "select 0", "set k 1", "incr k", "exec", "set j x"); // SELECT inside, as Redis
    }
}
