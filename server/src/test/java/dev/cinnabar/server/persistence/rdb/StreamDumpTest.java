package dev.cinnabar.server.persistence.rdb;

import static dev.cinnabar.server.persistence.rdb.Payloads.bytes;
import static dev.cinnabar.server.persistence.rdb.Payloads.cat;
import static dev.cinnabar.server.persistence.rdb.Payloads.len;
import static dev.cinnabar.server.persistence.rdb.Payloads.str;
import static dev.cinnabar.server.persistence.rdb.Payloads.wrap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.testkit.ManualClock;
import dev.cinnabar.server.testkit.RealRedisServer;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.TestServers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Streams through DUMP / RESTORE: our own round trip, payloads of every stream RDB type (1 to
 * 3, the older ones built by hand), corrupt payloads refused with "Bad data format" and
 * nothing stored, and both directions against a real redis-server 7.0.15 when installed.
 */
class StreamDumpTest {
    static CinnabarServer cs;
    static RespClient c;

    @BeforeAll
    static void start() throws Exception {
        cs = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
        c = new RespClient(cs.port());
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
        cs.close();
    }

    /** A stream with several nodes, deletions, two groups, owned and claimed pending entries. */
    static void build(RespClient r, String key) throws IOException {
        r.call("DEL", key);
        r.call("CONFIG", "SET", "stream-node-max-entries", "4");
        for (int i = 1; i <= 14; i++) {
            r.call("XADD", key, "5-" + i, "f", "v" + i, "n", Integer.toString(i));
        }
        r.call("XADD", key, "6-0", "other", "x");
        r.call("XDEL", key, "5-3", "5-9");
        r.call("XGROUP", "CREATE", key, "g1", "0");
        r.call("XGROUP", "CREATE", key, "g2", "5-5", "ENTRIESREAD", "3");
        r.call("XGROUP", "CREATE", key, "empty", "$");
        r.call("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", key, ">");
        r.call("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "4", "STREAMS", key, ">");
        r.call("XCLAIM", key, "g1", "carol", "0", "5-2");
        r.call("XGROUP", "CREATECONSUMER", key, "g1", "idle");
        r.call("XREADGROUP", "GROUP", "g2", "zed", "STREAMS", key, ">");
        r.call("XACK", key, "g2", "5-7");
        r.call("CONFIG", "SET", "stream-node-max-entries", "100");
    }

    private static byte[] dump(RespClient r, String key) throws IOException {
        return ((String) r.call("DUMP", key)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Object full(RespClient r, String key) throws IOException {
        return r.call("XINFO", "STREAM", key, "FULL");
    }

    /** XINFO STREAM FULL without consumers' active-time, which Redis 7.0 does not have. */
    @SuppressWarnings("unchecked")
    private static Object without70Fields(Object o) {
        if (!(o instanceof List<?> l)) {
            return o;
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            if ("active-time".equals(l.get(i)) && i + 1 < l.size()) {
                i++;
                continue;
            }
            out.add(without70Fields(l.get(i)));
        }
        return out;
    }

    @Test
    void roundTripKeepsEverything() throws Exception {
        build(c, "s");
        Object before = full(c, "s");
        byte[] d = dump(c, "s");
        assertThat(d[0]).isEqualTo((byte) RdbValueReader.TYPE_STREAM_LISTPACKS_3);
        assertThat(c.call("RESTORE", "t", "0", d)).isEqualTo("OK");
        assertThat(full(c, "t")).isEqualTo(before);
        assertThat(c.call("DEBUG", "DIGEST-VALUE", "t")).isEqualTo(c.call("DEBUG", "DIGEST-VALUE", "s"));
        // The loaded stream keeps working: PEL ownership is shared between group and consumer.
        assertThat(c.call("XACK", "t", "g1", "5-1", "5-2")).isEqualTo(2L);
        assertThat(c.call("XPENDING", "t", "g1")).isEqualTo(List.of(5L, "5-4", "5-8",
                List.of(List.of("alice", "1"), List.of("bob", "4"))));
        assertThat(c.call("XADD", "t", "*", "a", "b")).isInstanceOf(String.class);
        assertThat(c.call("XLEN", "t")).isEqualTo(14L);
        // An empty stream with a group survives too (Redis keeps empty streams).
        c.call("DEL", "e", "e2");
        c.call("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM");
        assertThat(c.call("RESTORE", "e2", "0", dump(c, "e"))).isEqualTo("OK");
        assertThat(full(c, "e2")).isEqualTo(full(c, "e"));
        c.call("DEL", "s", "t", "e", "e2");
    }

    private static final byte[] ZERO_ID = new byte[16];

    private static byte[] id(long ms, long seq) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (ms >>> (56 - 8 * i));
            b[8 + i] = (byte) (seq >>> (56 - 8 * i));
        }
        return b;
    }

    private static byte[] le64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    /**
     * A stream node as Redis lays it out: master entry (live, deleted, fields "f", 0), then one
     * entry per sequence number {@code seqs} (ms 0 relative to master 1-0, same fields as the
     * master) with value "v", deleted ones flagged.
     */
    private static byte[] node(long[] seqs, boolean[] deleted) {
        List<String> e = new ArrayList<>();
        int live = 0;
        for (boolean d : deleted) {
            live += d ? 0 : 1;
        }
        e.addAll(List.of(Integer.toString(live), Integer.toString(seqs.length - live), "1", "f", "0"));
        for (int i = 0; i < seqs.length; i++) {
            e.addAll(List.of(Integer.toString(2 | (deleted[i] ? 1 : 0)), "0", Long.toString(seqs[i]), "v", "4"));
        }
        return Payloads.listpack(e.toArray(new String[0]));
    }

    /** Body of a stream payload with one node keyed 1-0 holding entries 1-0 .. 1-(n-1). */
    private static byte[] oneNode(int n, boolean[] deleted) {
        long[] seqs = new long[n];
        for (int i = 0; i < n; i++) {
            seqs[i] = i;
        }
        return cat(len(1), str(id(1, 0)), str(node(seqs, deleted)));
    }

    /** A STREAM_LISTPACKS (type 1, Redis 5 to 6.2) payload, described in its test below. */
    static byte[] legacyV1Payload() {
        byte[] body = cat(oneNode(6, new boolean[] {false, false, true, true, false, false}), len(4), len(1), len(5),
                len(3),
                str("g1"), len(1), len(1), len(1), id(1, 1), le64(1000), len(2), len(1), str("c"), le64(900), len(1),
                id(1, 1),
                str("g2"), len(1), len(5), len(0), len(0),
                str("g3"), len(0), len(0), len(0), len(0));
        return wrap(RdbValueReader.TYPE_STREAM_LISTPACKS, body, 9);
    }

    @Test
    void legacyVersionOnePayloadEstimatesCounters() throws Exception {
        // Entries 1-0 .. 1-5, 1-2 and 1-3 deleted: 4 live, last ID 1-5. Group g1 read up to
        // 1-1 (before the tombstones: its counter cannot be known), g2 up to 1-5 (the end),
        // g3 at 0-0 (before the first entry).
        assertThat(c.call("RESTORE", "old", "0", legacyV1Payload(), "REPLACE")).isEqualTo("OK");
        List<?> info = (List<?>) full(c, "old");
        assertThat(field(info, "length")).isEqualTo(4L);
        assertThat(field(info, "entries-added")).isEqualTo(4L);
        assertThat(field(info, "max-deleted-entry-id")).isEqualTo("0-0");
        assertThat(field(info, "recorded-first-entry-id")).isEqualTo("1-0");
        List<?> groups = (List<?>) field(info, "groups");
        assertThat(field((List<?>) groups.get(0), "entries-read")).isNull();
        assertThat(field((List<?>) groups.get(1), "entries-read")).isEqualTo(4L);
        assertThat(field((List<?>) groups.get(1), "lag")).isEqualTo(0L);
        assertThat(field((List<?>) groups.get(2), "entries-read")).isEqualTo(0L);
        List<?> consumer = (List<?>) ((List<?>) field((List<?>) groups.get(0), "consumers")).get(0);
        assertThat(field(consumer, "seen-time")).isEqualTo(900L);
        assertThat(field(consumer, "active-time")).isEqualTo(900L);
        assertThat(c.call("XPENDING", "old", "g1")).isEqualTo(List.of(1L, "1-1", "1-1", List.of(List.of("c", "1"))));
        c.call("DEL", "old");
    }

    @Test
    void versionTwoPayloadTakesActiveTimeFromSeenTime() throws Exception {
        byte[] body = cat(oneNode(1, new boolean[] {false}), len(1), len(1), len(0), len(1), len(0), len(0), len(0),
                len(1), len(1),
                str("g"), len(1), len(0), len(1), len(1), id(1, 0), le64(5000), len(1), len(1), str("Alice"),
                le64(4242), len(1), id(1, 0));
        assertThat(c.call("RESTORE", "v2", "0", wrap(RdbValueReader.TYPE_STREAM_LISTPACKS_2, body, 10), "REPLACE"))
                .isEqualTo("OK");
        List<?> group = (List<?>) ((List<?>) field((List<?>) full(c, "v2"), "groups")).get(0);
        List<?> consumer = (List<?>) ((List<?>) field(group, "consumers")).get(0);
        assertThat(field(consumer, "seen-time")).isEqualTo(4242L);
        assertThat(field(consumer, "active-time")).isEqualTo(4242L);
        c.call("DEL", "v2");
    }

    private static Object field(List<?> flat, String name) {
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            if (name.equals(flat.get(i))) {
                return flat.get(i + 1);
            }
        }
        throw new AssertionError("no field " + name + " in " + flat);
    }

    /** A version 3 payload: {@code nodes} then counters then groups, all given as raw bodies. */
    private static byte[] v3(byte[] nodes, long length, byte[] groups) {
        return wrap(RdbValueReader.TYPE_STREAM_LISTPACKS_3, cat(nodes, len(length), len(1), len(9), len(1), len(0),
                len(0), len(0), len(length), groups), 11);
    }

    /** One group "g" with a PEL and consumers given as raw bodies. */
    private static byte[] group(String name, byte[] pel, byte[] consumers) {
        return cat(str(name), len(1), len(9), len(3), pel, consumers);
    }

    private static byte[] nack(long seq) {
        return cat(id(1, seq), le64(1), len(1));
    }

    private static byte[] consumer(String name, long... owned) {
        byte[] b = cat(str(name), le64(1), le64(1), len(owned.length));
        for (long s : owned) {
            b = cat(b, id(1, s));
        }
        return b;
    }

    @Test
    void corruptStreamsAreRefusedWholeWhateverTheSanitizeSetting() throws Exception {
        byte[] nodes = oneNode(3, new boolean[] {false, false, false});
        byte[] ok = v3(nodes, 3, cat(len(1), group("g", cat(len(1), nack(1)), cat(len(1), consumer("a", 1)))));
        List<byte[]> bad = new ArrayList<>();
        // Duplicate consumer.
        bad.add(v3(nodes, 3, cat(len(1), group("g", len(0), cat(len(2), consumer("a"), consumer("a"))))));
        // Consumer owns an entry the group PEL lacks.
        bad.add(v3(nodes, 3, cat(len(1), group("g", cat(len(1), nack(1)), cat(len(1), consumer("a", 2))))));
        // Group PEL entry nobody owns.
        bad.add(v3(nodes, 3, cat(len(1), group("g", cat(len(2), nack(1), nack(2)), cat(len(1), consumer("a", 1))))));
        // Entry owned by two consumers.
        bad.add(v3(nodes, 3, cat(len(1), group("g", cat(len(1), nack(1)), cat(len(2), consumer("a", 1),
                consumer("b", 1))))));
        // Entry listed twice in one consumer.
        bad.add(v3(nodes, 3, cat(len(1), group("g", cat(len(1), nack(1)), cat(len(1), consumer("a", 1, 1))))));
        // Duplicate group PEL entry.
        bad.add(v3(nodes, 3, cat(len(1), group("g", cat(len(2), nack(1), nack(1)), cat(len(1), consumer("a", 1))))));
        // Duplicate group.
        bad.add(v3(nodes, 3, cat(len(2), group("g", len(0), len(0)), group("g", len(0), len(0)))));
        // Length disagreeing with the nodes, and a length with no nodes at all.
        bad.add(v3(nodes, 2, len(0)));
        bad.add(v3(len(0), 1, len(0)));
        // Node key not 16 bytes.
        bad.add(v3(cat(len(1), str("short"), str(node(new long[] {0}, new boolean[] {false}))), 1, len(0)));
        // Empty listpack as a node, and a node whose entries are all deleted.
        bad.add(v3(cat(len(1), str(id(1, 0)), str(Payloads.listpack())), 0, len(0)));
        bad.add(v3(oneNode(2, new boolean[] {true, true}), 0, len(0)));
        // Two nodes under the same master ID.
        byte[] n1 = str(node(new long[] {0}, new boolean[] {false}));
        bad.add(v3(cat(len(2), str(id(1, 0)), n1, str(id(1, 0)), n1), 2, len(0)));
        // Entry IDs going backwards inside a node.
        bad.add(v3(cat(len(1), str(id(1, 0)), str(node(new long[] {0, 5, 3}, new boolean[3]))), 3, len(0)));
        // Entry count in the master entry wrong (lp-count check).
        byte[] lp = node(new long[] {0, 1}, new boolean[2]);
        byte[] wrongCount = lp.clone();
        wrongCount[6] = (byte) 3; // the live counter: the first element, a 7-bit integer
        bad.add(v3(cat(len(1), str(id(1, 0)), str(wrongCount)), 2, len(0)));
        for (String sanitize : List.of("no", "yes")) {
            c.call("CONFIG", "SET", "sanitize-dump-payload", sanitize);
            assertThat(c.call("RESTORE", "k", "0", ok, "REPLACE")).as("valid payload").isEqualTo("OK");
            c.call("DEL", "k");
            for (int i = 0; i < bad.size(); i++) {
                assertThat(c.call("RESTORE", "k", "0", bad.get(i))).as("case " + i + " sanitize " + sanitize)
                        .isEqualTo(new Err("ERR Bad data format"));
                assertThat(c.call("EXISTS", "k")).isEqualTo(0L);
            }
        }
        c.call("CONFIG", "SET", "sanitize-dump-payload", "no");
    }

    @Test
    void nodesOutOfOrderAreSortedAsRedisRadixTreeDoes() throws Exception {
        byte[] a = str(node(new long[] {0}, new boolean[] {false}));
        byte[] b = Payloads.listpack("1", "0", "1", "f", "0", "2", "0", "0", "v", "4");
        byte[] p = v3(cat(len(2), str(id(1, 5)), str(b), str(id(1, 0)), a), 2, len(0));
        assertThat(c.call("RESTORE", "o", "0", p, "REPLACE")).isEqualTo("OK");
        assertThat(c.call("XRANGE", "o", "-", "+")).isEqualTo(List.of(List.of("1-0", List.of("f", "v")),
                List.of("1-5", List.of("f", "v"))));
        c.call("DEL", "o");
    }

    @Test
    void bothWaysWithRedis70() throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server is not installed");
        try (RealRedisServer redis = RealRedisServer.start(); RespClient r = new RespClient(redis.port())) {
            build(r, "s");
            byte[] theirs = dump(r, "s");
            assertThat(theirs[0]).isEqualTo((byte) RdbValueReader.TYPE_STREAM_LISTPACKS_2);
            assertThat(c.call("RESTORE", "s70", "0", theirs, "REPLACE")).isEqualTo("OK");
            Object here = full(c, "s70");
            assertThat(without70Fields(here)).isEqualTo(full(r, "s"));
            assertThat(c.call("XINFO", "GROUPS", "s70")).isEqualTo(r.call("XINFO", "GROUPS", "s"));

            // Ours, written as RDB version 10 (stream type 2), loads in 7.0 with the same contents.
            build(c, "mine");
            Server srv = TestServers.create(new ManualClock(), "");
            byte[] v11 = dump(c, "mine");
            Object value = DumpPayload.read(v11, 0, v11.length, srv.config.encoding, 1L << 30, true, null);
            byte[] v10;
            srv.lock.enter();
            try {
                v10 = RdbWriter.dumpPayload(srv, RdbEntries.entry(bytes("mine"), 0, 4, value, -1, 0), 10);
            } finally {
                srv.lock.exit();
            }
            assertThat(v10[0]).isEqualTo((byte) RdbValueReader.TYPE_STREAM_LISTPACKS_2);
            assertThat(r.call("RESTORE", "mine", "0", v10, "REPLACE")).isEqualTo("OK");
            assertThat(full(r, "mine")).isEqualTo(without70Fields(full(c, "mine")));
            c.call("DEL", "s70", "mine");
        }
    }
}
