package dev.cinnabar.server.replication;

import static dev.cinnabar.server.replication.ReplicationStreamTest.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RealRedisServer;
import dev.cinnabar.server.testkit.RespClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replica side: REPLICAOF against another Cinnabar and against a real redis-server master,
 * the read-only and stale-data rules, expiry left to the master, partial resynchronization after
 * a lost link, chained replicas and promotion with REPLICAOF NO ONE.
 */
class ReplicaSideTest {

    private static String info(RespClient c) throws IOException {
        return (String) c.call("INFO", "replication");
    }

    private static String infoString(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " not in " + info);
    }

    private static void awaitLinkUp(RespClient r) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!info(r).contains("master_link_status:up")) {
            assertThat(System.currentTimeMillis()).as("link up").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Waits until the replica applied everything the master wrote so far. */
    private static void awaitCaughtUp(RespClient master, RespClient replica) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        long target = field(info(master), "master_repl_offset");
        while (field(info(replica), "master_repl_offset") < target) {
            assertThat(System.currentTimeMillis()).as("replica catches up").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void aCinnabarReplicaFollowsACinnabarMaster() throws Exception {
        try (CinnabarServer ms = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             CinnabarServer rs = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             RespClient m = new RespClient(ms.port());
             RespClient r = new RespClient(rs.port())) {
            m.call("SET", "before", "1");
            m.call("RPUSH", "list", "a", "b", "c");
            m.call("SELECT", "3");
            m.call("HSET", "h", "f", "v");
            m.call("SELECT", "0");
            r.call("SET", "local", "gone after the sync");
            assertThat(r.call("REPLICAOF", "127.0.0.1", Integer.toString(ms.port()))).isEqualTo("OK");
            assertThat(r.call("REPLICAOF", "127.0.0.1", Integer.toString(ms.port())))
                    .isEqualTo("OK Already connected to specified master");
            awaitLinkUp(r);
            assertThat(r.call("GET", "local")).isNull();
            m.call("SET", "after", "2");
            m.call("SADD", "s", "x", "y");
            m.call("SPOP", "s");
            m.call("MULTI");
            m.call("INCR", "n");
            m.call("INCR", "n");
            m.call("EXEC");
            awaitCaughtUp(m, r);
            assertThat(r.call("DEBUG", "DIGEST")).isEqualTo(m.call("DEBUG", "DIGEST"));
            assertThat(r.call("GET", "n")).isEqualTo("2");

            // The replica takes the master's history and offset.
            String mi = info(m);
            String ri = info(r);
            assertThat(infoString(ri, "role")).isEqualTo("slave");
            assertThat(infoString(ri, "master_replid")).isEqualTo(infoString(mi, "master_replid"));
            assertThat(infoString(ri, "master_port")).isEqualTo(Integer.toString(ms.port()));
            assertThat(infoString(ri, "slave_repl_offset")).isEqualTo(infoString(mi, "master_repl_offset"));
            assertThat(r.call("ROLE")).isEqualTo(List.of("slave", "127.0.0.1", (long) ms.port(), "connected",
                    field(mi, "master_repl_offset")));
            assertThat(r.call("CONFIG", "GET", "replicaof")).isEqualTo(List.of("replicaof", "127.0.0.1 " + ms.port()));
            // Its port was announced, and it acknowledges what it applied.
            assertThat(mi).contains("slave0:ip=127.0.0.1,port=" + rs.port() + ",state=online");
            m.call("SET", "acked", "1");
            assertThat(m.call("WAIT", "1", "5000")).isEqualTo(1L);

            // Read-only, and no WAIT here.
            assertThat(r.call("SET", "x", "1"))
                    .isEqualTo(new RespClient.Err("READONLY You can't write against a read only replica."));
            assertThat(r.call("WAIT", "0", "0")).isInstanceOf(RespClient.Err.class);
            r.call("CONFIG", "SET", "replica-read-only", "no");
            assertThat(r.call("SET", "x", "1")).isEqualTo("OK");
            r.call("CONFIG", "SET", "replica-read-only", "yes");

            // The link drops (the master kills it): the replica continues where it stopped.
            assertThat(m.call("CLIENT", "KILL", "TYPE", "replica")).isEqualTo(1L);
            m.call("SET", "while-down", "1");
            awaitLinkUp(r);
            awaitCaughtUp(m, r);
            assertThat(r.call("GET", "while-down")).isEqualTo("1");
            assertThat(field((String) m.call("INFO", "stats"), "sync_partial_ok")).isEqualTo(1);

            // Killing the master client from the replica side does the same.
            assertThat(r.call("CLIENT", "KILL", "TYPE", "master")).isEqualTo(1L);
            m.call("SET", "while-down-2", "1");
            awaitLinkUp(r);
            awaitCaughtUp(m, r);
            assertThat(r.call("GET", "while-down-2")).isEqualTo("1");
            assertThat(field((String) m.call("INFO", "stats"), "sync_partial_ok")).isEqualTo(2);

            // Promotion: a new history, the old one kept as the secondary id.
            String oldId = infoString(info(r), "master_replid");
            assertThat(r.call("REPLICAOF", "NO", "ONE")).isEqualTo("OK");
            ri = info(r);
            assertThat(infoString(ri, "role")).isEqualTo("master");
            assertThat(infoString(ri, "master_replid2")).isEqualTo(oldId);
            assertThat(infoString(ri, "master_replid")).isNotEqualTo(oldId);
            assertThat(r.call("SET", "writable", "again")).isEqualTo("OK");
            assertThat(r.call("CONFIG", "GET", "replicaof")).isEqualTo(List.of("replicaof", ""));
        }
    }

    @Test
    void replicaofAtStartUpConnects() throws Exception {
        try (CinnabarServer ms = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             RespClient m = new RespClient(ms.port())) {
            m.call("SET", "k", "v");
            try (CinnabarServer rs = CinnabarServer.builder().port(0).config("replicaof", "127.0.0.1",
                    Integer.toString(ms.port())).start();
                 RespClient r = new RespClient(rs.port())) {
                awaitLinkUp(r);
                assertThat(r.call("GET", "k")).isEqualTo("v");
            }
            // The replica's server stopped: its link went with it.
            long deadline = System.currentTimeMillis() + 5000;
            while (field(info(m), "connected_slaves") != 0) {
                assertThat(System.currentTimeMillis()).isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    @Test
    void expiredKeysWaitForTheMastersDelete() throws Exception {
        try (CinnabarServer ms = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             CinnabarServer rs = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             RespClient m = new RespClient(ms.port());
             RespClient r = new RespClient(rs.port())) {
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(ms.port()));
            awaitLinkUp(r);
            m.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
            m.call("SET", "k", "v", "PX", "50");
            awaitCaughtUp(m, r);
            Thread.sleep(80);
            // Past its time: reads see nothing, but only the master's DEL removes the key.
            assertThat(r.call("GET", "k")).isNull();
            assertThat(r.call("DBSIZE")).isEqualTo(1L);
            assertThat(m.call("GET", "k")).isNull(); // the master expires it and sends DEL
            awaitCaughtUp(m, r);
            assertThat(r.call("DBSIZE")).isEqualTo(0L);
        }
    }

    @Test
    void chainedReplicasGetTheMastersStreamAndSurviveAPromotion() throws Exception {
        try (CinnabarServer ms = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             CinnabarServer r1s = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             CinnabarServer r2s = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             RespClient m = new RespClient(ms.port());
             RespClient r1 = new RespClient(r1s.port());
             RespClient r2 = new RespClient(r2s.port())) {
            m.call("SET", "a", "1");
            r1.call("REPLICAOF", "127.0.0.1", Integer.toString(ms.port()));
            awaitLinkUp(r1);
            r2.call("REPLICAOF", "127.0.0.1", Integer.toString(r1s.port()));
            awaitLinkUp(r2);
            m.call("SET", "b", "2");
            m.call("ZADD", "z", "1.5", "x");
            awaitCaughtUp(m, r1);
            awaitCaughtUp(m, r2);
            assertThat(r2.call("DEBUG", "DIGEST")).isEqualTo(m.call("DEBUG", "DIGEST"));
            assertThat(infoString(info(r2), "master_replid")).isEqualTo(infoString(info(m), "master_replid"));

            // A sub-replica attaching while the stream is in another database: its image says
            // which, since the stream it gets will not select it again.
            m.call("SELECT", "5");
            m.call("SET", "in5", "first");
            awaitCaughtUp(m, r1);
            try (CinnabarServer r3s = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
                 RespClient r3 = new RespClient(r3s.port())) {
                r3.call("REPLICAOF", "127.0.0.1", Integer.toString(r1s.port()));
                awaitLinkUp(r3);
                m.call("SET", "in5", "second");
                awaitCaughtUp(m, r3);
                r3.call("SELECT", "5");
                assertThat(r3.call("GET", "in5")).isEqualTo("second");
                assertThat(r3.call("DEBUG", "DIGEST")).isEqualTo(m.call("DEBUG", "DIGEST"));
            }
            m.call("SELECT", "0");

            // r1 becomes a master: r2 continues with it, no full resync.
            r1.call("REPLICAOF", "NO", "ONE");
            r1.call("SET", "c", "3");
            awaitLinkUp(r2);
            awaitCaughtUp(r1, r2);
            assertThat(r2.call("GET", "c")).isEqualTo("3");
            assertThat(field((String) r1.call("INFO", "stats"), "sync_partial_ok")).isEqualTo(1);
            assertThat(field((String) r1.call("INFO", "stats"), "sync_full")).isEqualTo(2); // r2 and r3
        }
    }

    @Test
    void anUnreachableMasterLeavesTheLinkDown() throws Exception {
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            deadPort = probe.getLocalPort();
        }
        try (CinnabarServer rs = CinnabarServer.builder().port(0).start();
             RespClient r = new RespClient(rs.port());
             RespClient blocked = new RespClient(rs.port());
             RespClient queued = new RespClient(rs.port())) {
            // A transaction queued while a master, with a command that needs fresh data.
            r.call("CONFIG", "SET", "replica-serve-stale-data", "no");
            queued.call("MULTI");
            queued.call("PING");
            assertThat(r.call("REPLICAOF", "127.0.0.1", "70000")).isEqualTo(new RespClient.Err("ERR Invalid master port"));
            assertThat(r.call("REPLICAOF", "127.0.0.1", "x")).isEqualTo(new RespClient.Err("ERR Invalid master port"));
            r.call("SET", "k", "v");
            blocked.send("BLPOP", "nothing", "0");
            long deadline = System.currentTimeMillis() + 5000;
            while (field((String) r.call("INFO", "clients"), "blocked_clients") != 1) {
                assertThat(System.currentTimeMillis()).isLessThan(deadline);
                Thread.sleep(5);
            }
            assertThat(r.call("REPLICAOF", "127.0.0.1", Integer.toString(deadPort))).isEqualTo("OK");
            // Clients blocked on keys cannot be served by a replica's own writes any more.
            assertThat(blocked.read()).isEqualTo(new RespClient.Err(
                    "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)"));
            String ri = info(r);
            assertThat(infoString(ri, "master_link_status")).isEqualTo("down");
            r.call("CONFIG", "SET", "replica-serve-stale-data", "yes");
            assertThat(r.call("GET", "k")).isEqualTo("v"); // stale data is served by default
            r.call("CONFIG", "SET", "replica-serve-stale-data", "no");
            assertThat(r.call("GET", "k")).isEqualTo(
                    new RespClient.Err("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."));
            assertThat(r.call("INFO", "server")).isInstanceOf(String.class); // INFO is a stale command
            assertThat(queued.call("EXEC")).isEqualTo(new RespClient.Err("EXECABORT Transaction discarded because of: "
                    + "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."));
            r.call("CONFIG", "SET", "replica-serve-stale-data", "yes");
            assertThat(r.call("SYNC")).isEqualTo(new RespClient.Err("NOMASTERLINK Can't SYNC while not connected with my master"));
            assertThat(r.call("ROLE")).satisfies(role -> {
                List<?> l = (List<?>) role;
                assertThat(l.get(0)).isEqualTo("slave");
                assertThat(l.get(3)).isIn("connect", "connecting", "handshake");
                assertThat(l.get(4)).isEqualTo(-1L);
            });
            assertThat(r.call("REPLICAOF", "NO", "ONE")).isEqualTo("OK");
            assertThat(r.call("SET", "k", "again")).isEqualTo("OK");
        }
    }

    @Test
    void aTransactionThatDemotesTheMasterIsNotPropagated() throws Exception {
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            deadPort = probe.getLocalPort();
        }
        try (CinnabarServer s = CinnabarServer.builder().port(0).start();
             RespClient c = new RespClient(s.port());
             ReplicaStream repl = ReplicaStream.sync(s.port())) {
            c.call("SET", "foo", "bar");
            c.call("MULTI");
            c.call("SET", "foo2", "bar");
            c.call("REPLICAOF", "127.0.0.1", Integer.toString(deadPort));
            c.call("SET", "foo3", "bar");
            assertThat(c.call("EXEC")).isEqualTo(List.of("OK", "OK", "OK"));
            assertThat(c.call("SET", "foo4", "bar"))
                    .isEqualTo(new RespClient.Err("READONLY You can't write against a read only replica."));
            repl.expect("select 0", "set foo bar");
            assertThat(repl.hasMore(200)).isFalse();
            c.call("REPLICAOF", "NO", "ONE");
        }
    }

    @Test
    void aCinnabarReplicaLoadsARealRedisMaster() throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server is not installed");
        try (RealRedisServer redis = RealRedisServer.start("--repl-diskless-sync-delay", "0");
             RespClient m = new RespClient(redis.port());
             CinnabarServer rs = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             RespClient r = new RespClient(rs.port())) {
            // Redis's own encodings: listpacks, intsets, quicklists, skiplists, hash tables.
            m.call("SET", "str", "hello");
            m.call("SET", "int", "12345");
            m.call("SET", "ttl", "v", "EX", "5000");
            m.call("RPUSH", "list", "a", "1", "b");
            m.call("SADD", "intset", "1", "2", "3");
            m.call("SADD", "lpset", "a", "b");
            m.call("HSET", "hash", "f", "v", "g", "1");
            m.call("ZADD", "zset", "1", "a", "2.5", "b");
            for (int i = 0; i < 300; i++) {
                m.call("RPUSH", "biglist", "element-" + i);
                m.call("SADD", "bigset", "member-" + i);
                m.call("HSET", "bighash", "field-" + i, "value-" + i);
                m.call("ZADD", "bigzset", Integer.toString(i), "member-" + i);
            }
            m.call("SELECT", "2");
            m.call("SET", "db2", "x");
            m.call("SELECT", "0");
            r.call("REPLICAOF", "127.0.0.1", Integer.toString(redis.port()));
            awaitLinkUp(r);
            m.call("SET", "streamed", "1");
            m.call("INCRBYFLOAT", "float", "1.5");
            m.call("LPOP", "list");
            m.call("EXPIRE", "str", "1000");
            awaitCaughtUp(m, r);
            assertThat(r.call("DEBUG", "DIGEST")).isEqualTo(m.call("DEBUG", "DIGEST"));
            assertThat(r.call("OBJECT", "ENCODING", "bigzset")).isEqualTo("skiplist");
            assertThat(r.call("OBJECT", "ENCODING", "intset")).isEqualTo("intset");
            assertThat(m.call("WAIT", "1", "5000")).isEqualTo(1L);
        }
    }
}
