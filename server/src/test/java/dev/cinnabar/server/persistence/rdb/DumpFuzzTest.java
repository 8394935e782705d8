package dev.cinnabar.server.persistence.rdb;

import static dev.cinnabar.server.persistence.rdb.Payloads.cat;
import static dev.cinnabar.server.persistence.rdb.Payloads.len;
import static dev.cinnabar.server.persistence.rdb.Payloads.str;
import static dev.cinnabar.server.persistence.rdb.Payloads.strs;
import static dev.cinnabar.server.persistence.rdb.Payloads.wrap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.testkit.ManualClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.TestServers;
import dev.cinnabar.server.type.Digestible;
import dev.cinnabar.server.type.HashValue;
import dev.cinnabar.server.type.ListValue;
import dev.cinnabar.server.type.RedisValue;
import dev.cinnabar.server.type.SetValue;
import dev.cinnabar.server.type.StreamGroup;
import dev.cinnabar.server.type.StreamIterator;
import dev.cinnabar.server.type.StreamValue;
import dev.cinnabar.server.type.ValueDigest;
import dev.cinnabar.server.type.ZSetValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Corrupt payloads (random bit flips, truncations, byte insertions and deletions of valid
 * payloads of every type and encoding): the reader must either refuse them with an
 * {@link RdbException} or produce a value that works (iterates, digests, serializes and reads
 * back); RESTORE must answer OK or an error, store nothing on error, and keep the connection.
 */
class DumpFuzzTest {

    /** Valid payloads of every type and encoding: DUMPs of a live server plus legacy blobs. */
    private static List<byte[]> seeds() throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (CinnabarServer cs = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             RespClient c = new RespClient(cs.port())) {
            List<Object[]> cmds = new ArrayList<>();
            cmds.add(new Object[] {"SET", "k", "hello"});
            cmds.add(new Object[] {"SET", "k", "123456"});
            cmds.add(new Object[] {"SET", "k", "abc".repeat(40)});
            cmds.add(new Object[] {"RPUSH", "k", "a", "1", "-300", "70000", "bb", "9999999999"});
            List<Object> big = new ArrayList<>(List.of("RPUSH", "k"));
            for (int i = 0; i < 300; i++) {
                big.add(i % 2 == 0 ? Integer.toString(i * 1000) : "item-" + i + "-" + "q".repeat(i % 50));
            }
            cmds.add(big.toArray());
            cmds.add(new Object[] {"SADD", "k", "1", "2", "-3", "100000"});
            cmds.add(new Object[] {"SADD", "k", "a", "b", "c", "12"});
            List<Object> bigSet = new ArrayList<>(List.of("SADD", "k"));
            for (int i = 0; i < 200; i++) {
                bigSet.add("member" + i);
            }
            cmds.add(bigSet.toArray());
            cmds.add(new Object[] {"ZADD", "k", "1", "a", "2.5", "b", "-inf", "c"});
            List<Object> bigZ = new ArrayList<>(List.of("ZADD", "k"));
            for (int i = 0; i < 200; i++) {
                bigZ.add(Integer.toString(i % 17));
                bigZ.add("m" + i);
            }
            cmds.add(bigZ.toArray());
            cmds.add(new Object[] {"HSET", "k", "f", "v", "n", "12", "e", ""});
            List<Object> bigH = new ArrayList<>(List.of("HSET", "k"));
            for (int i = 0; i < 600; i++) {
                bigH.add("f" + i);
                bigH.add("v" + i);
            }
            cmds.add(bigH.toArray());
            for (Object[] cmd : cmds) {
                c.call("DEL", "k");
                c.call(cmd);
                out.add(((String) c.call("DUMP", "k")).getBytes(StandardCharsets.ISO_8859_1));
            }
            // Streams: several nodes, tombstones, groups with owned and claimed pending entries.
            c.call("DEL", "k");
            StreamDumpTest.build(c, "k");
            out.add(((String) c.call("DUMP", "k")).getBytes(StandardCharsets.ISO_8859_1));
            c.call("CONFIG", "SET", "list-compress-depth", "1");
            c.call("CONFIG", "SET", "list-max-listpack-size", "4");
            c.call("DEL", "k");
            for (int i = 0; i < 30; i++) {
                c.call("RPUSH", "k", "element number " + i);
            }
            out.add(((String) c.call("DUMP", "k")).getBytes(StandardCharsets.ISO_8859_1));
        }
        out.add(wrap(RdbValueReader.TYPE_LIST, cat(len(3), strs("a", "1", "b")), 9));
        out.add(wrap(RdbValueReader.TYPE_ZSET, cat(len(2), str("a"), new byte[] {3}, Payloads.bytes("1.5"), str("b"),
                new byte[] {(byte) 254}), 9));
        out.add(wrap(RdbValueReader.TYPE_HASH_ZIPMAP, str(Payloads.zipmap("f", "v", "n", "12")), 9));
        out.add(wrap(RdbValueReader.TYPE_LIST_ZIPLIST, str(Payloads.ziplist("a", "127", "-70000", "x".repeat(70))), 9));
        out.add(wrap(RdbValueReader.TYPE_ZSET_ZIPLIST, str(Payloads.ziplist("a", "1", "b", "2.5")), 9));
        out.add(wrap(RdbValueReader.TYPE_HASH_ZIPLIST, str(Payloads.ziplist("f", "1", "g", "300")), 9));
        out.add(wrap(RdbValueReader.TYPE_LIST_QUICKLIST, cat(len(2), str(Payloads.ziplist("a", "b")),
                str(Payloads.ziplist("12", "c"))), 9));
        out.add(wrap(RdbValueReader.TYPE_SET_INTSET, str(Payloads.intset(4, -5, 7, 100000)), 9));
        out.add(wrap(RdbValueReader.TYPE_SET_LISTPACK, str(Payloads.listpack("x", "y", "17")), 11));
        out.add(StreamDumpTest.legacyV1Payload());
        return out;
    }

    private static byte[] mutate(byte[] p, Random rnd) {
        byte[] m = p.clone();
        switch (rnd.nextInt(5)) {
            case 0 -> {
                int flips = 1 + rnd.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int at = rnd.nextInt(m.length);
                    m[at] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> m = Arrays.copyOf(m, rnd.nextInt(m.length));
            case 2 -> {
                int at = rnd.nextInt(m.length);
                m[at] = (byte) rnd.nextInt(256);
            }
            case 3 -> {
                int at = rnd.nextInt(m.length + 1);
                byte[] n = new byte[m.length + 1];
                System.arraycopy(m, 0, n, 0, at);
                n[at] = (byte) rnd.nextInt(256);
                System.arraycopy(m, at, n, at + 1, m.length - at);
                m = n;
            }
            default -> {
                if (m.length > 1) {
                    int at = rnd.nextInt(m.length);
                    byte[] n = new byte[m.length - 1];
                    System.arraycopy(m, 0, n, 0, at);
                    System.arraycopy(m, at + 1, n, at, m.length - at - 1);
                    m = n;
                }
            }
        }
        return m;
    }

    /** Uses every part of a loaded value, then serializes it and reads it back. */
    private static void exercise(Server s, Object value) {
        Object entry = RdbEntries.entry(Payloads.bytes("k"), 0, 1, value, -1, 0);
        if (value instanceof RedisValue v) {
            assertThat(v.encoding()).isNotEmpty();
            ((Digestible) v).digest(new ValueDigest());
            v.copy();
            v.memoryUsage(0);
            switch (v) {
                case ListValue l -> {
                    long n = 0;
                    ListValue.Cursor cur = l.cursor(0, true);
                    while (cur != null) {
                        n++;
                        if (!cur.next()) {
                            break;
                        }
                    }
                    assertThat(n).isEqualTo(l.length());
                }
                case SetValue set -> set.forEach(new SetValue.MemberVisitor() {
                    @Override
                    public boolean bytes(byte[] a, int off, int len) {
                        assertThat(set.contains(a, off, len)).isTrue();
                        return true;
                    }

                    @Override
                    public boolean integer(long x) {
                        return true;
                    }
                });
                case ZSetValue z -> z.forEachScored((m, off, len, score) -> {
                    assertThat(z.scoreOf(m, off, len)).isEqualTo(score);
                    assertThat(z.rank(m, off, len, false)).isNotNegative();
                });
                case HashValue h -> h.forEach((f, fo, fl, val, vo, vl) -> assertThat(h.contains(f, fo, fl)).isTrue());
                case StreamValue st -> {
                    long n = 0;
                    StreamIterator it = st.iterator(0, 0, -1L, -1L, false);
                    while (it.next()) {
                        for (int i = 0; i < it.numFields; i++) {
                            it.nextField();
                        }
                        n++;
                    }
                    assertThat(n).isEqualTo(st.length);
                    StreamIterator back = st.iterator(0, 0, -1L, -1L, true);
                    while (back.next()) {
                        n--;
                    }
                    assertThat(n).isZero();
                    for (StreamGroup g : st.groups().values()) {
                        for (StreamGroup.Nack nack : g.pel.values()) {
                            assertThat(nack.consumer).isNotNull();
                        }
                    }
                }
                default -> fail("unexpected value " + v);
            }
        }
        s.lock.enter();
        try {
            byte[] again = RdbWriter.dumpPayload(s, entry);
            Object back = DumpPayload.read(again, 0, again.length, s.config.encoding, 1L << 30, true, null);
            assertThat(back.getClass()).isEqualTo(value.getClass());
        } finally {
            s.lock.exit();
        }
    }

    @Test
    void corruptPayloadsNeverEscapeAsAnythingButRdbException() throws Exception {
        Server s = TestServers.create(new ManualClock(), "");
        Random rnd = new Random(20261122);
        List<byte[]> seeds = seeds();
        int accepted = 0;
        int refused = 0;
        for (byte[] seed : seeds) {
            exercise(s, DumpPayload.read(seed, 0, seed.length, s.config.encoding, 1L << 30, true, null));
        }
        for (int i = 0; i < 12_000; i++) {
            byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
            byte[] m = mutate(seed, rnd);
            boolean deep = rnd.nextBoolean();
            Object v;
            try {
                v = DumpPayload.read(m, 0, m.length, s.config.encoding, 1L << 30, deep, null);
            } catch (RdbException e) {
                refused++;
                continue;
            } catch (Throwable t) {
                throw new AssertionError("payload " + java.util.HexFormat.of().formatHex(m) + " threw", t);
            }
            accepted++;
            try {
                exercise(s, v);
            } catch (Throwable t) {
                throw new AssertionError("value of payload " + java.util.HexFormat.of().formatHex(m) + " is broken", t);
            }
        }
        assertThat(refused).isGreaterThan(500);
        assertThat(accepted).isGreaterThan(100);
    }

    @Test
    void restoreOfCorruptPayloadsKeepsTheServerHealthy() throws Exception {
        List<byte[]> seeds = seeds();
        Random rnd = new Random(99);
        try (CinnabarServer cs = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
             RespClient c = new RespClient(cs.port())) {
            c.setTimeout(10_000);
            c.call("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1");
            for (int i = 0; i < 800; i++) {
                if (i % 100 == 0) {
                    c.call("CONFIG", "SET", "sanitize-dump-payload", (i / 100) % 2 == 0 ? "no" : "yes");
                }
                byte[] m = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
                c.call("DEL", "k");
                Object reply = c.call("RESTORE", "k", "0", m);
                if (reply instanceof Err e) {
                    assertThat(e.message()).isIn("ERR Bad data format", "ERR DUMP payload version or checksum are wrong");
                    assertThat(c.call("EXISTS", "k")).isEqualTo(0L);
                } else {
                    assertThat(reply).isEqualTo("OK");
                    use(c);
                }
                assertThat(c.call("PING")).isEqualTo("PONG");
            }
        }
    }

    /** Reads and changes a restored key through commands. */
    private static void use(RespClient c) throws IOException {
        String type = (String) c.call("TYPE", "k");
        assertThat(c.call("OBJECT", "ENCODING", "k")).isNotInstanceOf(Err.class);
        assertThat(c.call("DEBUG", "DIGEST-VALUE", "k")).isNotInstanceOf(Err.class);
        List<Object[]> cmds = switch (type) {
            case "string" -> List.of(new Object[] {"GET", "k"}, new Object[] {"APPEND", "k", "x"});
            case "list" -> List.of(new Object[] {"LRANGE", "k", "0", "-1"}, new Object[] {"LINDEX", "k", "-2"},
                    new Object[] {"LPOS", "k", "nope"}, new Object[] {"LPUSH", "k", "new"}, new Object[] {"RPOP", "k"},
                    new Object[] {"LREM", "k", "0", "a"});
            case "set" -> List.of(new Object[] {"SMEMBERS", "k"}, new Object[] {"SADD", "k", "new", "1"},
                    new Object[] {"SISMEMBER", "k", "a"}, new Object[] {"SREM", "k", "a", "2"}, new Object[] {"SCARD", "k"});
            case "zset" -> List.of(new Object[] {"ZRANGE", "k", "0", "-1", "WITHSCORES"},
                    new Object[] {"ZADD", "k", "3", "new"}, new Object[] {"ZRANGEBYSCORE", "k", "-inf", "+inf"},
                    new Object[] {"ZREM", "k", "a"}, new Object[] {"ZRANK", "k", "new"}, new Object[] {"ZCARD", "k"});
            case "hash" -> List.of(new Object[] {"HGETALL", "k"}, new Object[] {"HSET", "k", "new", "v"},
                    new Object[] {"HDEL", "k", "f"}, new Object[] {"HLEN", "k"});
            case "stream" -> List.of(new Object[] {"XRANGE", "k", "-", "+"}, new Object[] {"XREVRANGE", "k", "+", "-"},
                    new Object[] {"XINFO", "STREAM", "k", "FULL"}, new Object[] {"XADD", "k", "*", "new", "v"},
                    new Object[] {"XDEL", "k", "5-4"}, new Object[] {"XTRIM", "k", "MAXLEN", "5"},
                    new Object[] {"XLEN", "k"});
            default -> List.of();
        };
        for (Object[] cmd : cmds) {
            Object r = c.call(cmd);
            assertThat(r instanceof Err).as(Arrays.toString(cmd) + " -> " + r).isFalse();
        }
        Object d = c.call("DUMP", "k");
        if (d != null) {
            assertThat(c.call("RESTORE", "k2", "0", ((String) d).getBytes(StandardCharsets.ISO_8859_1), "REPLACE"))
                    .isEqualTo("OK");
            assertThat(c.call("DEBUG", "DIGEST-VALUE", "k2")).isEqualTo(c.call("DEBUG", "DIGEST-VALUE", "k"));
        }
    }
}
