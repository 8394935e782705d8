package dev.cinnabar.server.replication;

import static dev.cinnabar.server.replication.ReplicationStreamTest.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RespClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The master side of the replication handshake: PSYNC full and partial resynchronization, the
 * backlog, the snapshot formats, REPLCONF, WAIT, ROLE and min-replicas-to-write.
 */
class ReplicationProtocolTest {
    private CinnabarServer server;
    private RespClient c;

    @BeforeEach
    void start() throws IOException {
        server = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
        c = new RespClient(server.port());
        c.call("CONFIG", "SET", "repl-ping-replica-period", "3600");
    }

    @AfterEach
    void stop() throws IOException {
        c.close();
        server.close();
    }

    private String info() throws IOException {
        return (String) c.call("INFO", "replication");
    }

    private static String infoString(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void nothingIsRecordedBeforeTheFirstReplica() throws IOException {
        c.call("SET", "a", "1");
        c.call("DEL", "a");
        String info = info();
        assertThat(field(info, "master_repl_offset")).isZero();
        assertThat(field(info, "repl_backlog_active")).isZero();
        assertThat(field(info, "repl_backlog_histlen")).isZero();
        assertThat(server.server().replication.propagation.active()).isFalse();
        assertThat(c.call("ROLE")).isEqualTo(List.of("master", 0L, List.of()));
    }

    @Test
    void psyncWithAnUnknownHistoryGetsAFullResyncWithANewReplicationId() throws IOException {
        c.call("SET", "before", "1");
        String oldId = infoString(info(), "master_replid");
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "?", -1, "listening-port", "6380", "capa", "psync2")) {
            String newId = infoString(info(), "master_replid");
            assertThat(newId).isNotEqualTo(oldId).hasSize(40);
            assertThat(r.psyncReply).isEqualTo("+FULLRESYNC " + newId + " 0");
            assertThat(new String(r.snapshot, 0, 9, StandardCharsets.US_ASCII)).isEqualTo("REDIS0010");
            assertThat(r.eofFormat).isFalse(); // no "capa eof": length-prefixed
            c.call("SET", "after", "2");
            r.expect("select 0", "set after 2");
            String info = info();
            assertThat(info).contains("slave0:ip=127.0.0.1,port=6380,state=online,offset=0,lag=");
            assertThat(field((String) c.call("INFO", "stats"), "sync_full")).isEqualTo(1);
            assertThat(field((String) c.call("INFO", "stats"), "sync_partial_err")).isZero();
        }
    }

    @Test
    void aReplicaContinuesFromTheBacklogAfterLosingTheLink() throws Exception {
        String replid;
        long offset;
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "?", -1, "capa", "psync2")) {
            String[] parts = r.psyncReply.split(" ");
            replid = parts[1];
            offset = Long.parseLong(parts[2]);
            c.call("SET", "a", "1");
            r.expect("select 0", "set a 1");
            offset += r.consumed;
        }
        // Written while the replica is away: kept by the backlog.
        c.call("SET", "b", "2");
        c.call("SELECT", "4");
        c.call("SET", "c", "3");
        awaitReplicas(0);
        try (ReplicaStream r = ReplicaStream.psync(server.port(), replid, offset + 1, "capa", "psync2")) {
            assertThat(r.psyncReply).isEqualTo("+CONTINUE " + replid);
            r.expect("set b 2", "select 4", "set c 3");
            assertThat(field((String) c.call("INFO", "stats"), "sync_partial_ok")).isEqualTo(1);
        }
        // Without psync2 the answer carries no id; an offset past the end needs a full resync.
        awaitReplicas(0);
        long end = field(info(), "master_repl_offset");
        try (ReplicaStream r = ReplicaStream.psync(server.port(), replid, end + 1)) {
            assertThat(r.psyncReply).isEqualTo("+CONTINUE");
        }
        awaitReplicas(0);
        try (ReplicaStream r = ReplicaStream.psync(server.port(), replid, end + 100)) {
            assertThat(r.psyncReply).startsWith("+FULLRESYNC " + replid + " ");
        }
        awaitReplicas(0);
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "0123456789012345678901234567890123456789", 1)) {
            assertThat(r.psyncReply).startsWith("+FULLRESYNC ");
        }
        assertThat(field((String) c.call("INFO", "stats"), "sync_partial_err")).isEqualTo(2);
    }

    @Test
    void theBacklogKeepsOnlyTheConfiguredSize() throws Exception {
        c.call("CONFIG", "SET", "repl-backlog-size", "16384");
        String replid;
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "?", -1)) {
            replid = r.psyncReply.split(" ")[1];
        }
        String big = "x".repeat(1000);
        for (int i = 0; i < 40; i++) {
            c.call("SET", "k" + i, big);
        }
        String info = info();
        long end = field(info, "master_repl_offset");
        assertThat(field(info, "repl_backlog_histlen")).isEqualTo(16384);
        assertThat(field(info, "repl_backlog_first_byte_offset")).isEqualTo(end - 16384 + 1);
        awaitReplicas(0);
        try (ReplicaStream r = ReplicaStream.psync(server.port(), replid, end - 16384)) {
            assertThat(r.psyncReply).startsWith("+FULLRESYNC"); // one byte too old
        }
        awaitReplicas(0);
        try (ReplicaStream r = ReplicaStream.psync(server.port(), replid, end - 16384 + 1)) {
            assertThat(r.psyncReply).isEqualTo("+CONTINUE");
            // Exactly the bytes the backlog holds, ending with the last SET.
            byte[] held = r.conn.readBytes(16384);
            assertThat(new String(held, StandardCharsets.ISO_8859_1)).endsWith("$3\r\nk39\r\n$1000\r\n" + big + "\r\n");
            assertThat(r.hasMore(100)).isFalse();
        }
        // Shrinking an existing backlog keeps its newest bytes.
        c.call("CONFIG", "SET", "repl-backlog-size", "1mb");
        for (int i = 0; i < 40; i++) {
            c.call("SET", "k" + i, big);
        }
        assertThat(field(info(), "repl_backlog_histlen")).isGreaterThan(40_000);
        c.call("CONFIG", "SET", "repl-backlog-size", "20000");
        assertThat(field(info(), "repl_backlog_histlen")).isEqualTo(20000);
        assertThat(field((String) c.call("INFO", "memory"), "mem_replication_backlog")).isPositive();
    }

    @Test
    void eofFormatIsUsedForCapaEofAndTheStreamWaitsForTheFirstAck() throws Exception {
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "?", -1, "capa", "eof", "capa", "psync2")) {
            assertThat(r.eofFormat).isTrue();
            assertThat(new String(r.snapshot, 0, 9, StandardCharsets.US_ASCII)).isEqualTo("REDIS0010");
            c.call("SET", "k", "v");
            assertThat(r.hasMore(200)).isFalse(); // held until the replica says it loaded the image
            r.conn.writeRaw(RespClient.encode("REPLCONF", "ACK", "0"));
            r.expect("select 0", "set k v");
        }
        c.call("CONFIG", "SET", "repl-diskless-sync", "no");
        awaitReplicas(0);
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "?", -1, "capa", "eof")) {
            assertThat(r.eofFormat).isFalse();
        }
    }

    @Test
    void waitCountsTheReplicasThatAcknowledgedTheClientsWrites() throws Exception {
        assertThat(c.call("WAIT", "0", "0")).isEqualTo(0L);
        assertThat(c.call("WAIT", "1", "50")).isEqualTo(0L); // no replica: times out
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "?", -1, "capa", "psync2")) {
            long base = Long.parseLong(r.psyncReply.split(" ")[2]);
            c.call("SET", "k", "v");
            c.send("WAIT", "1", "0");
            r.expect("select 0", "set k v");
            long acked = base + r.consumed;
            r.expect("replconf GETACK *");
            assertThat(c.hasPending(100)).isFalse(); // still waiting
            r.conn.writeRaw(RespClient.encode("REPLCONF", "ACK", Long.toString(acked - 1)));
            assertThat(c.hasPending(100)).isFalse(); // not far enough
            r.conn.writeRaw(RespClient.encode("REPLCONF", "ACK", Long.toString(acked)));
            assertThat(c.read()).isEqualTo(1L);
            assertThat(c.call("ROLE")).isEqualTo(List.of("master", field(info(), "master_repl_offset"),
                    List.of(List.of("127.0.0.1", "0", Long.toString(acked)))));
            // Already acknowledged: answered at once; asking for more replicas than exist times out.
            assertThat(c.call("WAIT", "1", "0")).isEqualTo(1L);
            assertThat(c.call("WAIT", "2", "50")).isEqualTo(1L);
            // Inside MULTI WAIT never blocks.
            c.call("SET", "k2", "v");
            c.call("MULTI");
            c.call("WAIT", "1", "0");
            assertThat(c.call("EXEC")).isEqualTo(List.of(0L));
        }
    }

    @Test
    void waitaofCountsReplicasWhoseAppendOnlyFileHasTheWrites() throws Exception {
        assertThat(c.call("WAITAOF", "1", "0", "0"))
                .isEqualTo(new RespClient.Err("ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled."));
        assertThat(c.call("WAITAOF", "2", "0", "0"))
                .isEqualTo(new RespClient.Err("ERR value is out of range, value must between 0 and 1"));
        assertThat(c.call("WAITAOF", "0", "-1", "0"))
                .isEqualTo(new RespClient.Err("ERR value is out of range, must be positive"));
        assertThat(c.call("WAITAOF", "0", "0", "-1")).isEqualTo(new RespClient.Err("ERR timeout is negative"));
        assertThat(c.call("WAITAOF", "0", "0", "0")).isEqualTo(List.of(0L, 0L));
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "?", -1)) {
            long base = Long.parseLong(r.psyncReply.split(" ")[2]);
            c.call("SET", "k", "v");
            c.send("WAITAOF", "0", "1", "0");
            r.expect("select 0", "set k v");
            long acked = base + r.consumed;
            r.expect("replconf GETACK *");
            // A plain ACK (no append-only file on the replica) does not count.
            r.conn.writeRaw(RespClient.encode("REPLCONF", "ACK", Long.toString(acked)));
            assertThat(c.hasPending(100)).isFalse();
            r.conn.writeRaw(RespClient.encode("REPLCONF", "ACK", Long.toString(acked), "FACK", Long.toString(acked)));
            assertThat(c.read()).isEqualTo(List.of(0L, 1L));
            assertThat(c.call("WAITAOF", "0", "2", "50")).isEqualTo(List.of(0L, 1L));
        }
    }

    @Test
    void waitIsUnblockedByClientUnblock() throws Exception {
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "?", -1);
             RespClient admin = new RespClient(server.port())) {
            long id = (Long) c.call("CLIENT", "ID");
            c.call("SET", "k", "v");
            c.send("WAIT", "1", "0");
            awaitBlocked(admin, 1);
            assertThat(admin.call("CLIENT", "UNBLOCK", Long.toString(id))).isEqualTo(1L);
            assertThat(c.read()).isEqualTo(0L);
            c.send("WAIT", "1", "0");
            awaitBlocked(admin, 1);
            assertThat(admin.call("CLIENT", "UNBLOCK", Long.toString(id), "ERROR")).isEqualTo(1L);
            assertThat(c.read()).isEqualTo(new RespClient.Err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
        }
    }

    @Test
    void minReplicasToWriteRefusesWritesWithoutEnoughGoodReplicas() throws Exception {
        c.call("CONFIG", "SET", "min-replicas-to-write", "1");
        assertThat(c.call("SET", "k", "v")).isEqualTo(new RespClient.Err("NOREPLICAS Not enough good replicas to write."));
        assertThat(c.call("GET", "k")).isNull();
        c.call("CONFIG", "SET", "min-replicas-to-write", "0");
        c.call("MULTI");
        c.call("SET", "k", "v");
        try (RespClient other = new RespClient(server.port())) {
            other.call("CONFIG", "SET", "min-replicas-to-write", "1");
        }
        assertThat(c.call("EXEC")).isEqualTo(
                new RespClient.Err("EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write."));
        assertThat(c.call("GET", "k")).isNull();
        assertThat(field(info(), "min_slaves_good_slaves")).isZero();
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "?", -1)) {
            awaitOnline();
            assertThat(c.call("SET", "k", "v")).isEqualTo("OK");
            assertThat(field(info(), "min_slaves_good_slaves")).isEqualTo(1);
        }
        c.call("CONFIG", "SET", "min-replicas-to-write", "0");
    }

    @Test
    void replconfValidatesItsOptions() throws IOException {
        assertThat(c.call("REPLCONF", "listening-port")).isEqualTo(new RespClient.Err("ERR syntax error"));
        assertThat(c.call("REPLCONF", "listening-port", "x"))
                .isEqualTo(new RespClient.Err("ERR value is not an integer or out of range"));
        assertThat(c.call("REPLCONF", "bogus", "1")).isEqualTo(new RespClient.Err("ERR Unrecognized REPLCONF option: bogus"));
        assertThat(c.call("REPLCONF", "rdb-only", "2"))
                .isEqualTo(new RespClient.Err("ERR value is out of range, value must between 0 and 1"));
        assertThat(c.call("REPLCONF", "rdb-filter-only", "keys"))
                .isEqualTo(new RespClient.Err("ERR Unsupported rdb-filter-only option: keys"));
        assertThat(c.call("REPLCONF", "capa", "eof", "capa", "whatever")).isEqualTo("OK");
        // ACK and GETACK from a client that is no replica: silently ignored (no reply at all).
        c.send("REPLCONF", "ACK", "100");
        c.send("REPLCONF", "GETACK", "*");
        assertThat(c.call("PING")).isEqualTo("PONG");
        assertThat(c.call("PSYNC", "?", "x")).isEqualTo(new RespClient.Err("ERR value is not an integer or out of range"));
        assertThat(c.call("PSYNC", "?", "-1", "FAILOVER"))
                .isEqualTo(new RespClient.Err("ERR PSYNC FAILOVER can't be sent to a master."));
        c.call("MULTI");
        assertThat(c.call("SYNC")).isEqualTo(new RespClient.Err("ERR Command not allowed inside a transaction"));
        c.call("DISCARD");
    }

    @Test
    void filteredReplicasNeedTheEofCapabilityAndGetNoKeys() throws IOException {
        c.call("SET", "k", "v");
        try (RespClient r = new RespClient(server.port())) {
            assertThat(r.call("REPLCONF", "rdb-filter-only", "")).isEqualTo("OK");
            assertThat(r.call("SYNC")).isEqualTo(new RespClient.Err("ERR Filtered replica requires EOF capability"));
        }
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "?", -1, "capa", "eof", "rdb-filter-only", "")) {
            assertThat(r.eofFormat).isTrue();
            assertThat(new String(r.snapshot, StandardCharsets.ISO_8859_1)).doesNotContain("\u0001k\u0001v");
        }
    }

    @Test
    void aReplicaReceivesTheSnapshotOfTheDataSetAtItsOffset() throws IOException {
        c.call("SET", "snapkey", "snapvalue");
        try (ReplicaStream r = ReplicaStream.sync(server.port())) {
            String rdb = new String(r.snapshot, StandardCharsets.ISO_8859_1);
            assertThat(rdb).contains("snapkey").contains("snapvalue").contains("repl-id").contains("repl-offset");
        }
    }

    @Test
    void replicasAreExemptFromClientPauseAndCountedInClientList() throws Exception {
        try (ReplicaStream r = ReplicaStream.psync(server.port(), "?", -1)) {
            awaitOnline();
            c.call("CLIENT", "PAUSE", "10000", "WRITE");
            r.conn.writeRaw(RespClient.encode("REPLCONF", "ACK", "5"));
            long deadline = System.currentTimeMillis() + 2000;
            while (!info().contains("offset=5,") && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertThat(info()).contains("offset=5,");
            c.call("CLIENT", "UNPAUSE");
            assertThat((String) c.call("CLIENT", "LIST", "TYPE", "slave")).contains("flags=S");
            assertThat((String) c.call("CLIENT", "LIST", "TYPE", "normal")).doesNotContain("flags=S");
            assertThat(c.call("CLIENT", "KILL", "TYPE", "replica")).isEqualTo(1L);
            awaitReplicas(0);
        }
    }

    private void awaitReplicas(int n) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (field(info(), "connected_slaves") != n) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private void awaitOnline() throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (!info().contains("state=online")) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static void awaitBlocked(RespClient admin, int n) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (field((String) admin.call("INFO", "clients"), "blocked_clients") != n) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
