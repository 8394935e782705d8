package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.ForeignValue;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bitmap commands through a real server: the upstream unit/bitops, unit/bitfield and the
 * SETBIT/GETBIT tests of unit/type/string, plus the Redis behaviour they rely on (raw encoding,
 * kept TTL, change counting, WATCH, wrong types).
 */
class BitmapFamilyTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create()
            .eachTest("FLUSHALL");
    final RespClient c = server.client();

    /** Sends a command; string arguments go as ISO-8859-1 bytes, so s(0xFF) is one byte. */
    private Object r(Object... args) throws Exception {
        Object[] raw = args.clone();
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] instanceof String str) {
                raw[i] = b(str);
            }
        }
        return c.call(raw);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A string from bytes given as ints, as GET returns it (ISO-8859-1). */
    private static String s(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    private static final Err WRONGTYPE = new Err("WRONGTYPE Operation against a key holding the wrong kind of value");
    private static final Err SYNTAX = new Err("ERR syntax error");
    private static final Err NOT_INTEGER = new Err("ERR value is not an integer or out of range");
    private static final Err BAD_OFFSET = new Err("ERR bit offset is not an integer or out of range");
    private static final Err BAD_BIT = new Err("ERR bit is not an integer or out of range");
    private static final Err BAD_TYPE = new Err(
            "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");

    private static void putList(String key) {
        ForeignValue.put(server.server(), key);
    }

    private long dirty() throws Exception {
        String info = (String) r("INFO", "persistence");
        for (String line : info.split("\r\n")) {
            if (line.startsWith("rdb_changes_since_last_save:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1));
            }
        }
        throw new AssertionError("no rdb_changes_since_last_save in INFO");
    }

    /** Population count the slow way. */
    private static long countBits(byte[] v, int fromBit, int toBit) {
        long n = 0;
        for (int i = Math.max(fromBit, 0); i <= toBit && i < v.length * 8; i++) {
            n += (v[i >>> 3] >> (7 - (i & 7))) & 1;
        }
        return n;
    }

    // ---- SETBIT / GETBIT (unit/type/string) ------------------------------------------------------

    @Test
    void setbitCreatesAndEditsStrings() throws Exception {
        assertThat(r("SETBIT", "mykey", "1", "1")).isEqualTo(0L);
        assertThat(r("GET", "mykey")).isEqualTo(s(0x40));
        // "@" is 0100 0000.
        r("SET", "mykey", "@");
        assertThat(r("SETBIT", "mykey", "2", "1")).isEqualTo(0L);
        assertThat(r("GET", "mykey")).isEqualTo(s(0x60));
        assertThat(r("SETBIT", "mykey", "1", "0")).isEqualTo(1L);
        assertThat(r("GET", "mykey")).isEqualTo(s(0x20));
        // An int-encoded "1" is the byte 0011 0001.
        r("SET", "mykey", "1");
        assertThat(r("OBJECT", "ENCODING", "mykey")).isEqualTo("int");
        assertThat(r("SETBIT", "mykey", "6", "1")).isEqualTo(0L);
        assertThat(r("GET", "mykey")).isEqualTo(s(0x33));
        assertThat(r("SETBIT", "mykey", "2", "0")).isEqualTo(1L);
        assertThat(r("GET", "mykey")).isEqualTo(s(0x13));
        assertThat(r("OBJECT", "ENCODING", "mykey")).isEqualTo("raw");
    }

    @Test
    void setbitErrors() throws Exception {
        putList("l");
        assertThat(r("SETBIT", "l", "0", "1")).isEqualTo(WRONGTYPE);
        assertThat(r("SETBIT", "k", Long.toString(4L * 1024 * 1024 * 1024), "1")).isEqualTo(BAD_OFFSET);
        assertThat(r("SETBIT", "k", "-1", "1")).isEqualTo(BAD_OFFSET);
        assertThat(r("SETBIT", "k", "x", "1")).isEqualTo(BAD_OFFSET);
        for (String v : List.of("-1", "2", "10", "20", "x")) {
            assertThat(r("SETBIT", "k", "0", v)).isEqualTo(BAD_BIT);
        }
        assertThat(r("EXISTS", "k")).isEqualTo(0L);
        // The offset is checked before the type.
        assertThat(r("SETBIT", "l", "-1", "1")).isEqualTo(BAD_OFFSET);
        // The last valid offset under proto-max-bulk-len is accepted; one byte more is not.
        r("CONFIG", "SET", "proto-max-bulk-len", "1048576");
        try {
            assertThat(r("SETBIT", "big", Long.toString(1048576L * 8 - 1), "1")).isEqualTo(0L);
            assertThat(r("STRLEN", "big")).isEqualTo(1048576L);
            assertThat(r("SETBIT", "big", Long.toString(1048576L * 8), "1")).isEqualTo(BAD_OFFSET);
        } finally {
            r("CONFIG", "SET", "proto-max-bulk-len", "536870912");
        }
    }

    @Test
    void setbitFuzzingMatchesAModel() throws Exception {
        Random rnd = new Random(11);
        byte[] model = new byte[0];
        for (int i = 0; i < 400; i++) {
            int bit = rnd.nextInt(256 * 8);
            int val = rnd.nextInt(2);
            if (bit / 8 >= model.length) {
                model = Arrays.copyOf(model, bit / 8 + 1);
            }
            int old = (model[bit / 8] >> (7 - bit % 8)) & 1;
            model[bit / 8] = (byte) ((model[bit / 8] & ~(1 << (7 - bit % 8))) | (val << (7 - bit % 8)));
            assertThat(r("SETBIT", "mykey", Integer.toString(bit), Integer.toString(val))).isEqualTo((long) old);
        }
        assertThat(r("GET", "mykey")).isEqualTo(new String(model, StandardCharsets.ISO_8859_1));
    }

    @Test
    void getbit() throws Exception {
        assertThat(r("GETBIT", "mykey", "0")).isEqualTo(0L);
        r("SET", "mykey", "`"); // 0110 0000
        long[] want = {0, 1, 1, 0};
        for (int i = 0; i < 4; i++) {
            assertThat(r("GETBIT", "mykey", Integer.toString(i))).isEqualTo(want[i]);
        }
        for (String past : List.of("8", "100", "10000")) {
            assertThat(r("GETBIT", "mykey", past)).isEqualTo(0L);
        }
        r("SET", "mykey", "1"); // int-encoded, the byte 0011 0001
        assertThat(r("GETBIT", "mykey", "2")).isEqualTo(1L);
        assertThat(r("GETBIT", "mykey", "7")).isEqualTo(1L);
        assertThat(r("OBJECT", "ENCODING", "mykey")).isEqualTo("int");
        assertThat(r("GETBIT", "mykey", "-1")).isEqualTo(BAD_OFFSET);
        putList("l");
        assertThat(r("GETBIT", "l", "0")).isEqualTo(WRONGTYPE);
    }

    @Test
    void writesKeepTheTtlAndSignalWatchers() throws Exception {
        r("SET", "k", "abc", "EX", "100");
        r("SETBIT", "k", "100", "1");
        assertThat((Long) r("TTL", "k")).isBetween(99L, 100L);
        r("BITFIELD", "k", "SET", "u8", "200", "7");
        assertThat((Long) r("TTL", "k")).isBetween(99L, 100L);
        assertThat(r("STRLEN", "k")).isEqualTo(26L);

        try (RespClient other = new RespClient(server.port())) {
            r("WATCH", "k");
            other.call("SETBIT", "k", "0", "1");
            r("MULTI");
            r("GET", "k");
            assertThat(r("EXEC")).isNull();
        }
    }

    @Test
    void onlyRealChangesAreCounted() throws Exception {
        long d = dirty();
        r("SETBIT", "foo", "0", "0");
        r("BITFIELD", "foo2", "SET", "i5", "0", "0");
        assertThat(dirty()).isEqualTo(d + 2); // new keys always count
        r("SETBIT", "foo", "0", "0");
        r("BITFIELD", "foo2", "SET", "i5", "0", "0");
        assertThat(dirty()).isEqualTo(d + 2);
        r("SETBIT", "foo", "0", "1");
        r("SETBIT", "foo", "0", "1");
        r("BITFIELD", "foo2", "SET", "i5", "0", "1");
        r("BITFIELD", "foo2", "SET", "i5", "0", "1");
        assertThat(dirty()).isEqualTo(d + 4);
        r("BITFIELD", "foo3", "INCRBY", "i5", "0", "1", "INCRBY", "i5", "0", "1");
        assertThat(dirty()).isEqualTo(d + 6); // one per changing operation
        r("SETBIT", "foo", "90", "0"); // only the length changes
        r("BITFIELD", "foo2", "SET", "i5", "90", "0");
        assertThat(dirty()).isEqualTo(d + 8);
        r("BITFIELD", "foo2", "GET", "i5", "0");
        r("SETBIT", "foo", "-1", "0");
        assertThat(dirty()).isEqualTo(d + 8);
    }

    // ---- BITCOUNT ---------------------------------------------------------------------------------

    @Test
    void bitcountVectorsAndRanges() throws Exception {
        assertThat(r("BITCOUNT", "no-key")).isEqualTo(0L);
        assertThat(r("BITCOUNT", "no-key", "0", "1000", "bit")).isEqualTo(0L);
        for (String vec : List.of("", s(0xAA), s(0, 0, 0xFF), "foobar", "123")) {
            r("SET", "str", b(vec));
            long n = countBits(b(vec), 0, Integer.MAX_VALUE);
            assertThat(r("BITCOUNT", "str")).isEqualTo(n);
            assertThat(r("BITCOUNT", "str", "0", "-1", "bit")).isEqualTo(n);
        }
        r("SET", "str", "xxxx");
        assertThat(r("BITCOUNT", "str", "4", "10")).isEqualTo(0L);
        assertThat(r("BITCOUNT", "str", "32", "87", "bit")).isEqualTo(0L);
        assertThat(r("BITCOUNT", "str", "-6", "-7")).isEqualTo(0L);
        assertThat(r("BITCOUNT", "str", "-6", "-15", "bit")).isEqualTo(0L);

        byte[] foobar = b("foobar");
        r("SET", "s", "foobar");
        assertThat(r("BITCOUNT", "s", "1", "-2")).isEqualTo(countBits(b("ooba"), 0, 31));
        assertThat(r("BITCOUNT", "s", "-2", "1")).isEqualTo(0L);
        assertThat(r("BITCOUNT", "s", "0", "1000")).isEqualTo(countBits(foobar, 0, 47));
        assertThat(r("BITCOUNT", "s", "10", "14", "bit")).isEqualTo(countBits(foobar, 10, 14));
        assertThat(r("BITCOUNT", "s", "3", "29", "bit")).isEqualTo(countBits(foobar, 3, 29));
        assertThat(r("BITCOUNT", "s", "10", "-34", "bit")).isEqualTo(countBits(foobar, 10, 14));
        assertThat(r("BITCOUNT", "s", "3", "-19", "bit")).isEqualTo(countBits(foobar, 3, 29));
        assertThat(r("BITCOUNT", "s", "-2", "1", "bit")).isEqualTo(0L);
        assertThat(r("BITCOUNT", "s", "0", "1000", "bit")).isEqualTo(countBits(foobar, 0, 47));

        r("SET", "str", "ab");
        assertThat(r("BITCOUNT", "str", "1", "-1")).isEqualTo(3L);
        r("SET", "str", "__PPxxxxxxxxxxxxxxxxRR__");
        assertThat(r("BITCOUNT", "str", "2", "-3")).isEqualTo(74L);
        r("SETBIT", "foo", "0", "1");
        assertThat(r("BITCOUNT", "foo", "0", "4294967296")).isEqualTo(1L);
    }

    @Test
    void bitcountFuzzingAgainstAModel() throws Exception {
        Random rnd = new Random(12);
        for (int i = 0; i < 60; i++) {
            byte[] v = new byte[rnd.nextInt(300)];
            rnd.nextBytes(v);
            r("SET", "str", v);
            int l = v.length;
            int a = l == 0 ? 0 : rnd.nextInt(l);
            int e = l == 0 ? 0 : rnd.nextInt(l);
            int start = Math.min(a, e);
            int end = Math.max(a, e);
            assertThat(r("BITCOUNT", "str", Integer.toString(start), Integer.toString(end)))
                    .isEqualTo(l == 0 ? 0 : countBits(v, start * 8, end * 8 + 7));
            int sb = l == 0 ? 0 : rnd.nextInt(l * 8);
            int eb = l == 0 ? 0 : rnd.nextInt(l * 8);
            assertThat(r("BITCOUNT", "str", Integer.toString(Math.min(sb, eb)), Integer.toString(Math.max(sb, eb)), "BIT"))
                    .isEqualTo(l == 0 ? 0 : countBits(v, Math.min(sb, eb), Math.max(sb, eb)));
        }
    }

    @Test
    void bitcountArgumentErrors() throws Exception {
        r("SET", "s", "foobar");
        assertThat(r("BITCOUNT", "s", "0")).isEqualTo(SYNTAX);
        assertThat(r("BITCOUNT", "s", "0", "1", "hello")).isEqualTo(SYNTAX);
        assertThat(r("BITCOUNT", "s", "0", "1", "bit", "x")).isEqualTo(SYNTAX);
        assertThat(r("BITCOUNT", "s", "x", "1")).isEqualTo(NOT_INTEGER);
        // Decided before the unit is looked at; a missing key before anything is parsed.
        assertThat(r("BITCOUNT", "s", "-1", "-2", "hello")).isEqualTo(0L);
        assertThat(r("BITCOUNT", "nokey", "x")).isEqualTo(0L);
        putList("l");
        assertThat(r("BITCOUNT", "l")).isEqualTo(WRONGTYPE);
    }

    // ---- BITPOS -----------------------------------------------------------------------------------

    @Test
    void bitposBasics() throws Exception {
        assertThat(r("BITPOS", "str", "0")).isEqualTo(0L);
        assertThat(r("BITPOS", "str", "0", "0", "-1", "bit")).isEqualTo(0L);
        assertThat(r("BITPOS", "str", "1")).isEqualTo(-1L);
        assertThat(r("BITPOS", "str", "1", "0", "-1")).isEqualTo(-1L);

        r("SET", "str", s(0xFF, 0xF0, 0));
        assertThat(r("BITPOS", "str", "0")).isEqualTo(12L);
        assertThat(r("BITPOS", "str", "0", "1")).isEqualTo(12L);
        assertThat(r("BITPOS", "str", "0", "1", "-1", "bit")).isEqualTo(12L);
        r("SET", "str", s(0, 0x0F, 0xFF));
        assertThat(r("BITPOS", "str", "1")).isEqualTo(12L);
        assertThat(r("BITPOS", "str", "1", "1", "-1", "bit")).isEqualTo(12L);

        // Three bytes of prefix, three words, then the first match.
        byte[] ones = new byte[28];
        Arrays.fill(ones, (byte) 0xFF);
        ones[27] = 0x0F;
        r("SET", "str", ones);
        byte[] zeros = new byte[28];
        zeros[27] = (byte) 0xF0;
        r("SET", "str2", zeros);
        for (int start = 0; start <= 8; start++) {
            assertThat(r("BITPOS", "str", "0", Integer.toString(start))).isEqualTo(216L);
            assertThat(r("BITPOS", "str", "0", Integer.toString(start * 8 + 1), "-1", "bit")).isEqualTo(216L);
            assertThat(r("BITPOS", "str2", "1", Integer.toString(start))).isEqualTo(216L);
            assertThat(r("BITPOS", "str2", "1", Integer.toString(start * 8 + 1), "-1", "bit")).isEqualTo(216L);
        }

        r("SET", "str", "");
        for (int j = 0; j < 20; j++) {
            assertThat(r("BITPOS", "str", "1")).isEqualTo(-1L);
            assertThat(r("BITPOS", "str", "1", "0", "-1", "bit")).isEqualTo(-1L);
            r("APPEND", "str", s(0));
        }
    }

    @Test
    void bitposIntervals() throws Exception {
        r("SET", "str", s(0, 0xFF, 0));
        assertThat(r("BITPOS", "str", "0", "0", "-1")).isEqualTo(0L);
        assertThat(r("BITPOS", "str", "0", "1", "-1")).isEqualTo(16L);
        assertThat(r("BITPOS", "str", "0", "2", "200")).isEqualTo(16L);
        assertThat(r("BITPOS", "str", "0", "1", "1")).isEqualTo(-1L);
        assertThat(r("BITPOS", "str", "0", "8", "-1", "bit")).isEqualTo(16L);
        assertThat(r("BITPOS", "str", "0", "16", "200", "bit")).isEqualTo(16L);
        assertThat(r("BITPOS", "str", "0", "8", "8", "bit")).isEqualTo(-1L);
        assertThat(r("BITPOS", "str", "1", "0", "-1")).isEqualTo(8L);
        assertThat(r("BITPOS", "str", "1", "2", "-1")).isEqualTo(-1L);
        assertThat(r("BITPOS", "str", "1", "1", "1")).isEqualTo(8L);
        assertThat(r("BITPOS", "str", "1", "16", "-1", "bit")).isEqualTo(-1L);
        assertThat(r("BITPOS", "str", "1", "8", "8", "bit")).isEqualTo(8L);
    }

    @Test
    void bitposForZerosAnswersPastTheEndOnlyWithoutAnEnd() throws Exception {
        r("SET", "str", s(0xFF, 0xFF, 0xFF));
        assertThat(r("BITPOS", "str", "0")).isEqualTo(24L);
        assertThat(r("BITPOS", "str", "0", "0")).isEqualTo(24L);
        assertThat(r("BITPOS", "str", "0", "0", "-1")).isEqualTo(-1L);
        assertThat(r("BITPOS", "str", "0", "0", "-1", "bit")).isEqualTo(-1L);
        // A BIT range that starts inside a byte still answers just past the bytes scanned.
        assertThat(r("BITPOS", "str", "0", "3", "-3", "bit")).isEqualTo(-1L);
    }

    @Test
    void bitposArgumentErrors() throws Exception {
        r("SET", "s", "foobar");
        assertThat(r("BITPOS", "s", "2")).isEqualTo(new Err("ERR The bit argument must be 1 or 0."));
        assertThat(r("BITPOS", "s", "x")).isEqualTo(NOT_INTEGER);
        assertThat(r("BITPOS", "s", "1", "0", "1", "bogus")).isEqualTo(SYNTAX);
        assertThat(r("BITPOS", "s", "1", "0", "x", "bogus")).isEqualTo(SYNTAX); // the unit is checked first
        assertThat(r("BITPOS", "s", "1", "0", "x")).isEqualTo(NOT_INTEGER);
        assertThat(r("BITPOS", "s", "1", "0", "1", "bit", "x")).isEqualTo(SYNTAX);
        assertThat(r("BITPOS", "nokey", "1", "x")).isEqualTo(-1L);
        assertThat(r("BITPOS", "nokey", "0", "x")).isEqualTo(0L);
        putList("l");
        assertThat(r("BITPOS", "l", "1")).isEqualTo(WRONGTYPE);
    }

    @Test
    void bitposAndBitcountOnSingleBitMutations() throws Exception {
        // Upstream "BITPOS/BITCOUNT fuzzy testing using SETBIT", exhaustively over small ranges.
        int max = 80;
        r("SETBIT", "str", Integer.toString(max - 1), "0");
        for (int bit = 0; bit < 2; bit++) {
            r("BITOP", "NOT", "str", "str");
            for (int j = 0; j < max; j += 3) {
                r("SETBIT", "str", Integer.toString(j), Integer.toString(bit));
                for (int start = 0; start < max; start += 7) {
                    for (int end = start; end < max; end += 11) {
                        boolean in = j >= start && j <= end;
                        long count = (long) (end - start + 1) * (1 - bit) + (in ? (bit == 1 ? 1 : -1) : 0);
                        String st = Integer.toString(start);
                        String en = Integer.toString(end);
                        assertThat(r("BITPOS", "str", Integer.toString(bit), st, en, "bit")).isEqualTo(in ? (long) j : -1L);
                        assertThat(r("BITCOUNT", "str", st, en, "bit")).isEqualTo(count);
                    }
                }
                r("SETBIT", "str", Integer.toString(j), Integer.toString(1 - bit));
            }
        }
    }

    // ---- BITOP ------------------------------------------------------------------------------------

    @Test
    void bitopNot() throws Exception {
        r("SET", "s", "");
        assertThat(r("BITOP", "NOT", "dest", "s")).isEqualTo(0L);
        assertThat(r("GET", "dest")).isNull();
        r("SET", "s", s(0xAA, 0, 0xFF, 0x55));
        assertThat(r("BITOP", "not", "dest", "s")).isEqualTo(4L);
        assertThat(r("GET", "dest")).isEqualTo(s(0x55, 0xFF, 0, 0xAA));
        r("BITOP", "NOT", "s", "s");
        assertThat(r("GET", "s")).isEqualTo(s(0x55, 0xFF, 0, 0xAA));
        assertThat(r("BITOP", "NOT", "dest", "s", "s")).isEqualTo(new Err("ERR BITOP NOT must be called with a single source key."));
        assertThat(r("BITOP", "NAND", "dest", "s")).isEqualTo(SYNTAX);
    }

    @Test
    void bitopPadsAndTreatsMissingKeysAsZeros() throws Exception {
        r("SET", "a", s(1, 2, 0xFF));
        r("BITOP", "AND", "res1", "a");
        r("BITOP", "OR", "res2", "a");
        r("BITOP", "XOR", "res3", "a");
        assertThat(List.of(r("GET", "res1"), r("GET", "res2"), r("GET", "res3"))).containsOnly(s(1, 2, 0xFF));

        r("BITOP", "AND", "res1", "no-such-key", "a");
        r("BITOP", "OR", "res2", "no-such-key", "a", "no-such-key");
        r("BITOP", "XOR", "res3", "no-such-key", "a");
        assertThat(r("GET", "res1")).isEqualTo(s(0, 0, 0));
        assertThat(r("GET", "res2")).isEqualTo(s(1, 2, 0xFF));
        assertThat(r("GET", "res3")).isEqualTo(s(1, 2, 0xFF));

        r("SET", "a", s(1, 2, 0xFF, 0xFF));
        r("SET", "b", s(1, 2, 0xFF));
        r("BITOP", "AND", "res1", "a", "b");
        r("BITOP", "OR", "res2", "a", "b");
        r("BITOP", "XOR", "res3", "a", "b");
        assertThat(r("GET", "res1")).isEqualTo(s(1, 2, 0xFF, 0));
        assertThat(r("GET", "res2")).isEqualTo(s(1, 2, 0xFF, 0xFF));
        assertThat(r("GET", "res3")).isEqualTo(s(0, 0, 0, 0xFF));

        r("SET", "z", s(new int[32]));
        assertThat(r("BITOP", "OR", "x", "z", "no-such-key")).isEqualTo(32L);
    }

    @Test
    void bitopFuzzingAgainstAModel() throws Exception {
        Random rnd = new Random(13);
        for (String op : List.of("and", "or", "xor", "not")) {
            for (int round = 0; round < 10; round++) {
                int n = op.equals("not") ? 1 : 1 + rnd.nextInt(10);
                byte[][] vec = new byte[n][];
                Object[] cmd = new Object[3 + n];
                cmd[0] = "BITOP";
                cmd[1] = op;
                cmd[2] = "target";
                int max = 0;
                for (int j = 0; j < n; j++) {
                    vec[j] = new byte[rnd.nextInt(200)];
                    rnd.nextBytes(vec[j]);
                    max = Math.max(max, vec[j].length);
                    r("SET", "v" + j, vec[j]);
                    cmd[3 + j] = "v" + j;
                }
                byte[] want = Arrays.copyOf(vec[0], max);
                for (int i = 0; i < max; i++) {
                    if (op.equals("not")) {
                        want[i] = (byte) ~want[i];
                    }
                    for (int j = 1; j < n; j++) {
                        byte x = i < vec[j].length ? vec[j][i] : 0;
                        want[i] = (byte) switch (op) {
                            case "and" -> want[i] & x;
                            case "or" -> want[i] | x;
                            default -> want[i] ^ x;
                        };
                    }
                }
                assertThat(r(cmd)).isEqualTo((long) max);
                assertThat(r("GET", "target")).isEqualTo(max == 0 ? null : new String(want, StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void bitopStoresARawStringWithoutTtlAndDeletesOnEmptyResult() throws Exception {
        r("SET", "a", "1");
        r("SET", "b", "2");
        r("BITOP", "XOR", "dest", "a", "b", "a");
        assertThat(r("GET", "dest")).isEqualTo("2");
        assertThat(r("OBJECT", "ENCODING", "dest")).isEqualTo("raw");

        r("SET", "dest", "x", "EX", "100");
        r("BITOP", "OR", "dest", "a");
        assertThat(r("TTL", "dest")).isEqualTo(-1L);

        r("SET", "dest", "x");
        assertThat(r("BITOP", "AND", "dest", "missing1", "missing2")).isEqualTo(0L);
        assertThat(r("EXISTS", "dest")).isEqualTo(0L);

        putList("c");
        assertThat(r("BITOP", "XOR", "dest", "a", "b", "c", "d")).isEqualTo(WRONGTYPE);
        assertThat(r("EXISTS", "dest")).isEqualTo(0L);
    }

    // ---- BITFIELD ---------------------------------------------------------------------------------

    @Test
    void bitfieldSetGetIncrby() throws Exception {
        assertThat(r("BITFIELD", "bits", "SET", "i8", "0", "-100")).isEqualTo(List.of(0L));
        assertThat(r("BITFIELD", "bits", "SET", "i8", "0", "101")).isEqualTo(List.of(-100L));
        assertThat(r("BITFIELD", "bits", "GET", "i8", "0")).isEqualTo(List.of(101L));
        r("DEL", "bits");
        assertThat(r("BITFIELD", "bits", "set", "u8", "0", "255", "set", "u8", "0", "100", "get", "u8", "0"))
                .isEqualTo(List.of(0L, 255L, 100L));
        r("DEL", "bits");
        assertThat(r("BITFIELD", "bits", "set", "i8", "0", "255", "set", "i8", "0", "100", "get", "i8", "0"))
                .isEqualTo(List.of(0L, -1L, 100L));
        r("DEL", "bits");
        assertThat(r("BITFIELD", "bits", "set", "u8", "0", "255", "incrby", "u8", "0", "100", "get", "u8", "0"))
                .isEqualTo(List.of(0L, 99L, 99L));
        assertThat(r("BITFIELD", "bits")).isEqualTo(List.of());
        assertThat(r("BITFIELD_RO", "bits")).isEqualTo(List.of());

        r("DEL", "bits");
        r("BITFIELD", "bits", "SET", "u8", "#0", "65");
        r("BITFIELD", "bits", "SET", "u8", "#1", "66");
        r("BITFIELD", "bits", "SET", "u8", "#2", "67");
        assertThat(r("GET", "bits")).isEqualTo("ABC");
        assertThat(r("BITFIELD", "bits", "INCRBY", "u8", "#0", "100", "INCRBY", "u8", "#0", "100"))
                .isEqualTo(List.of(165L, 9L));

        // Regressions #3221 and #3564: reads of an int-encoded value, fields past the end.
        r("SET", "bits", "1");
        assertThat(r("BITFIELD", "bits", "GET", "u1", "0")).isEqualTo(List.of(0L));
        r("DEL", "m");
        assertThat(r("BITFIELD", "m", "SET", "i8", "0", "10", "SET", "i8", "64", "10", "INCRBY", "i8", "10", "99900"))
                .isEqualTo(List.of(0L, 0L, 60L));
    }

    @Test
    void bitfieldOverflowModes() throws Exception {
        r("BITFIELD", "b", "SET", "u8", "#0", "100");
        assertThat(r("BITFIELD", "b", "OVERFLOW", "WRAP", "INCRBY", "u8", "#0", "257")).isEqualTo(List.of(101L));
        assertThat(r("BITFIELD", "b", "OVERFLOW", "wrap", "INCRBY", "u8", "#0", "255")).isEqualTo(List.of(100L));
        assertThat(r("BITFIELD", "b", "OVERFLOW", "SAT", "INCRBY", "u8", "#0", "257")).isEqualTo(List.of(255L));
        assertThat(r("BITFIELD", "b", "OVERFLOW", "SAT", "INCRBY", "u8", "#0", "-255")).isEqualTo(List.of(0L));
        r("BITFIELD", "b", "SET", "i8", "#0", "100");
        assertThat(r("BITFIELD", "b", "OVERFLOW", "WRAP", "INCRBY", "i8", "#0", "257")).isEqualTo(List.of(101L));
        assertThat(r("BITFIELD", "b", "OVERFLOW", "WRAP", "INCRBY", "i8", "#0", "255")).isEqualTo(List.of(100L));
        r("BITFIELD", "b", "SET", "u8", "#0", "100");
        assertThat(r("BITFIELD", "b", "OVERFLOW", "SAT", "INCRBY", "i8", "#0", "257")).isEqualTo(List.of(127L));
        assertThat(r("BITFIELD", "b", "OVERFLOW", "SAT", "INCRBY", "i8", "#0", "-255")).isEqualTo(List.of(-128L));
        // FAIL replies null and leaves the field alone; the mode applies to later operations only.
        assertThat(r("BITFIELD", "b", "INCRBY", "i8", "#0", "-1", "OVERFLOW", "FAIL", "INCRBY", "i8", "#0", "1",
                "GET", "i8", "#0")).isEqualTo(Arrays.asList(127L, null, 127L));
        // i64 is supported at its limits.
        assertThat(r("BITFIELD", "b", "OVERFLOW", "SAT", "SET", "i64", "8", "9223372036854775807",
                "INCRBY", "i64", "8", "1", "OVERFLOW", "WRAP", "INCRBY", "i64", "8", "1"))
                .isEqualTo(List.of(0L, 9223372036854775807L, -9223372036854775808L));
        // Wrapping SET of a negative into an unsigned field; SAT of -2^63 into i8 (Redis says "above").
        assertThat(r("BITFIELD", "c", "SET", "u8", "0", "-1", "GET", "u8", "0")).isEqualTo(List.of(0L, 255L));
        assertThat(r("BITFIELD", "c", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775808", "GET", "i8", "0"))
                .isEqualTo(List.of(-1L, 127L));
    }

    @Test
    void bitfieldOverflowDetectionFuzzing() throws Exception {
        Random rnd = new Random(14);
        for (int j = 0; j < 300; j++) {
            int bits = 1 + rnd.nextInt(64);
            boolean signed = bits == 64 || rnd.nextBoolean();
            java.math.BigInteger range = java.math.BigInteger.TWO.pow(bits);
            java.math.BigInteger min = signed ? range.shiftRight(1).negate() : java.math.BigInteger.ZERO;
            java.math.BigInteger max = min.add(range).subtract(java.math.BigInteger.ONE);
            java.math.BigInteger lo = java.math.BigInteger.valueOf(Long.MIN_VALUE);
            java.math.BigInteger hi = java.math.BigInteger.valueOf(Long.MAX_VALUE);
            java.math.BigInteger value = min.shiftLeft(1).add(new java.math.BigInteger(bits + 1, rnd)).max(lo).min(hi);
            java.math.BigInteger incr = min.shiftLeft(1).add(new java.math.BigInteger(bits + 1, rnd)).max(lo).min(hi);
            java.math.BigInteger sum = value.add(incr);
            boolean overflow = value.compareTo(max) > 0 || value.compareTo(min) < 0
                    || sum.compareTo(max) > 0 || sum.compareTo(min) < 0;
            String type = (signed ? "i" : "u") + bits;
            r("DEL", "bits");
            List<?> res1 = (List<?>) r("BITFIELD", "bits", "OVERFLOW", "FAIL", "SET", type, "0", value.toString());
            List<?> res2 = (List<?>) r("BITFIELD", "bits", "OVERFLOW", "FAIL", "INCRBY", type, "0", incr.toString());
            boolean detected = res1.get(0) == null || res2.get(0) == null;
            assertThat(detected).as("%s %s + %s", type, value, incr).isEqualTo(overflow);

            // And WRAP computes the sum modulo 2^bits.
            r("DEL", "bits");
            r("BITFIELD", "bits", "OVERFLOW", "WRAP", "SET", type, "0", value.toString());
            r("BITFIELD", "bits", "OVERFLOW", "WRAP", "INCRBY", type, "0", incr.toString());
            java.math.BigInteger want = sum.subtract(min).mod(range).add(min);
            assertThat(r("BITFIELD", "bits", "GET", type, "0")).isEqualTo(List.of(want.longValueExact()));
        }
    }

    @Test
    void bitfieldErrors() throws Exception {
        r("SET", "k", "abc");
        assertThat(r("BITFIELD", "k", "GET", "u64", "0")).isEqualTo(BAD_TYPE);
        assertThat(r("BITFIELD", "k", "GET", "i65", "0")).isEqualTo(BAD_TYPE);
        assertThat(r("BITFIELD", "k", "GET", "i0", "0")).isEqualTo(BAD_TYPE);
        assertThat(r("BITFIELD", "k", "GET", "x8", "0")).isEqualTo(BAD_TYPE);
        assertThat(r("BITFIELD", "k", "GET", "", "0")).isEqualTo(BAD_TYPE);
        assertThat(r("BITFIELD", "k", "GET", "i8", "-1")).isEqualTo(BAD_OFFSET);
        assertThat(r("BITFIELD", "k", "GET", "i8", "#x")).isEqualTo(BAD_OFFSET);
        assertThat(r("BITFIELD", "k", "GET", "i8", Long.toString(4L * 1024 * 1024 * 1024))).isEqualTo(BAD_OFFSET);
        assertThat(r("BITFIELD", "k", "SET", "i8", "0", "x")).isEqualTo(NOT_INTEGER);
        assertThat(r("BITFIELD", "k", "OVERFLOW", "bogus", "GET", "i8", "0"))
                .isEqualTo(new Err("ERR Invalid OVERFLOW type specified"));
        assertThat(r("BITFIELD", "k", "GET", "i8")).isEqualTo(SYNTAX);
        assertThat(r("BITFIELD", "k", "SET", "i8", "0")).isEqualTo(SYNTAX);
        assertThat(r("BITFIELD", "k", "bogus")).isEqualTo(SYNTAX);
        // Nothing is written when any operation is invalid, even after valid ones.
        assertThat(r("BITFIELD", "k", "SET", "u8", "0", "0", "GET", "u64", "0")).isEqualTo(BAD_TYPE);
        assertThat(r("GET", "k")).isEqualTo("abc");
        // "#n" counts fields; the multiplication wraps exactly as Redis's does.
        assertThat(r("BITFIELD", "k", "GET", "u8", "#1", "GET", "u8", "#-9223372036854775808"))
                .isEqualTo(List.of(98L, 97L));

        assertThat(r("BITFIELD_RO", "k", "SET", "u8", "0", "100", "GET", "u8", "0"))
                .isEqualTo(new Err("ERR BITFIELD_RO only supports the GET subcommand"));
        assertThat(r("BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i4", "4")).isEqualTo(List.of(97L, 1L));
        putList("l");
        assertThat(r("BITFIELD", "l", "GET", "u8", "0")).isEqualTo(WRONGTYPE);
        assertThat(r("BITFIELD", "l", "SET", "u8", "0", "1")).isEqualTo(WRONGTYPE);
        assertThat(r("BITFIELD_RO", "l", "GET", "u8", "0")).isEqualTo(WRONGTYPE);
    }

    @Test
    void bitfieldGetOnlyDoesNotCreateTheKey() throws Exception {
        assertThat(r("BITFIELD", "nokey", "GET", "i8", "100")).isEqualTo(List.of(0L));
        assertThat(r("EXISTS", "nokey")).isEqualTo(0L);
        // A failed write still grows the string, as Redis makes room before running operations.
        assertThat(r("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u2", "14", "9")).isEqualTo(Arrays.asList((Object) null));
        assertThat(r("GET", "k")).isEqualTo(s(0, 0));
    }
}
