package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HyperLogLog commands through a real server, mirroring upstream unit/hyperloglog: replies,
 * the cached cardinality byte, sparse to dense promotion, corruption and type errors, PFMERGE
 * and PFDEBUG, plus what the suite does not pin (TTL kept, encodings, events, dirty count).
 */
class HyperLogLogFamilyTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create()
            .eachTest("FLUSHALL")
            .eachTest("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
    final RespClient c = server.client();

    private Object r(Object... args) throws Exception {
        return c.call(args);
    }

    private String err(Object... args) throws Exception {
        Object o = c.call(args);
        assertThat(o).as("reply to %s", List.of(args)).isInstanceOf(Err.class);
        return ((Err) o).message();
    }

    private static byte[] bin(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private void addRandom(String key, Random rnd, int n) throws Exception {
        List<Object> args = new ArrayList<>(List.of("PFADD", key));
        for (int i = 0; i < n; i++) {
            args.add(Double.toString(rnd.nextDouble()));
        }
        r(args.toArray());
    }

    @Test
    void addAndCount() throws Exception {
        assertThat(r("PFADD", "hll")).isEqualTo(1L);
        assertThat(r("EXISTS", "hll")).isEqualTo(1L);
        assertThat(r("PFCOUNT", "hll")).isEqualTo(0L);
        assertThat(r("PFADD", "hll", "a", "b", "c")).isEqualTo(1L);
        assertThat(r("PFADD", "hll", "a", "b", "c")).isEqualTo(0L);
        assertThat(r("PFADD", "hll", "")).isEqualTo(1L);
        r("DEL", "hll");
        r("PFADD", "hll", "1", "2", "3", "4", "5");
        assertThat(r("PFCOUNT", "hll")).isEqualTo(5L);
        r("PFADD", "hll", "6", "7", "8", "8", "9", "10");
        assertThat(r("PFCOUNT", "hll")).isEqualTo(10L);
        assertThat(r("PFCOUNT", "nokey")).isEqualTo(0L);
        assertThat(r("TYPE", "hll")).isEqualTo("string");
        assertThat(r("OBJECT", "ENCODING", "hll")).isEqualTo("raw");
    }

    @Test
    void cachedCardinalityByte() throws Exception {
        r("PFADD", "hll", "a", "b", "c");
        assertThat(r("GETRANGE", "hll", "15", "15")).isEqualTo("\u0080");
        r("PFCOUNT", "hll");
        assertThat(r("GETRANGE", "hll", "8", "15")).isEqualTo("\u0003\u0000\u0000\u0000\u0000\u0000\u0000\u0000");
        r("PFADD", "hll", "a", "b", "c");
        assertThat(r("GETRANGE", "hll", "15", "15")).isEqualTo("\u0000");
        r("PFADD", "hll", "1", "2", "3");
        assertThat(r("GETRANGE", "hll", "15", "15")).isEqualTo("\u0080");
        // A valid cache is trusted as it is, as in Redis.
        r("PFCOUNT", "hll");
        r("SETRANGE", "hll", "8", "\u0063");
        assertThat(r("PFCOUNT", "hll")).isEqualTo(99L);
    }

    @Test
    void sparseIsPromotedToDense() throws Exception {
        Random rnd = new Random(1);
        int n = 0;
        while (n < 12000) {
            addRandom("hll", rnd, 100);
            n += 100;
            long card = (Long) r("PFCOUNT", "hll");
            assertThat(Math.abs(card - n)).isLessThan(card / 100 * 5 + 1);
            if (n < 1000) {
                assertThat(r("PFDEBUG", "ENCODING", "hll")).isEqualTo("sparse");
            } else if (n > 10000) {
                assertThat(r("PFDEBUG", "ENCODING", "hll")).isEqualTo("dense");
            }
        }
        assertThat(r("STRLEN", "hll")).isEqualTo(12304L);
    }

    @Test
    void sparseLimitFollowsTheConfig() throws Exception {
        r("PFADD", "hll", "a", "b", "c", "d", "e", "d", "g", "h", "i", "j", "k");
        assertThat(r("PFDEBUG", "ENCODING", "hll")).isEqualTo("sparse");
        r("CONFIG", "SET", "hll-sparse-max-bytes", "30");
        r("PFADD", "hll", "new_element");
        assertThat(r("PFDEBUG", "ENCODING", "hll")).isEqualTo("dense");
        for (String max : new String[] {"100", "500", "3000"}) {
            r("CONFIG", "SET", "hll-sparse-max-bytes", max);
            r("DEL", "hll");
            r("PFADD", "hll");
            Random rnd = new Random(max.hashCode());
            long len = (Long) r("STRLEN", "hll");
            while (len <= Long.parseLong(max)) {
                assertThat(r("PFDEBUG", "ENCODING", "hll")).isEqualTo("sparse");
                addRandom("hll", rnd, 10);
                len = (Long) r("STRLEN", "hll");
            }
            assertThat(r("PFDEBUG", "ENCODING", "hll")).isEqualTo("dense");
        }
    }

    @Test
    void sparseAndDenseCountTheSame() throws Exception {
        Random rnd = new Random(2);
        for (int x = 0; x < 100; x++) {
            r("DEL", "hll1", "hll2");
            r("PFADD", "hll2");
            assertThat(r("PFDEBUG", "TODENSE", "hll2")).isEqualTo(1L);
            assertThat(r("PFDEBUG", "TODENSE", "hll2")).isEqualTo(0L);
            List<Object> els = new ArrayList<>();
            for (int j = rnd.nextInt(100); j > 0; j--) {
                els.add(Double.toString(rnd.nextDouble()));
            }
            List<Object> a = new ArrayList<>(List.of("PFADD", "hll1"));
            a.addAll(els);
            r(a.toArray());
            a.set(1, "hll2");
            r(a.toArray());
            assertThat(r("PFDEBUG", "ENCODING", "hll1")).isEqualTo("sparse");
            assertThat(r("PFDEBUG", "ENCODING", "hll2")).isEqualTo("dense");
            assertThat(r("PFCOUNT", "hll1")).isEqualTo(r("PFCOUNT", "hll2"));
        }
    }

    @Test
    void corruptionIsDetected() throws Exception {
        r("PFADD", "hll", "a", "b", "c");
        r("APPEND", "hll", "hello");
        assertThat(err("PFCOUNT", "hll")).isEqualTo("INVALIDOBJ Corrupted HLL object detected");
        // Like Redis, an add only walks the opcodes up to its register: the tail goes unnoticed.
        assertThat(r("PFADD", "hll", "x", "y", "z", "w", "v")).isEqualTo(1L);
        assertThat(err("PFMERGE", "out", "hll")).isEqualTo("INVALIDOBJ Corrupted HLL object detected");
        assertThat(err("PFCOUNT", "hll", "nokey")).isEqualTo("INVALIDOBJ Corrupted HLL object detected");
        assertThat(err("PFDEBUG", "GETREG", "hll")).isEqualTo("INVALIDOBJ Corrupted HLL object detected");
        assertThat(r("EXISTS", "out")).isEqualTo(0L);

        String notHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
        r("DEL", "hll");
        r("PFADD", "hll", "a", "b", "c");
        r("SETRANGE", "hll", "0", "0123");
        assertThat(err("PFCOUNT", "hll")).isEqualTo(notHll);
        r("DEL", "hll");
        r("PFADD", "hll", "a", "b", "c");
        r("SETRANGE", "hll", "4", "x");
        assertThat(err("PFCOUNT", "hll")).isEqualTo(notHll);
        r("DEL", "hll");
        r("PFADD", "hll", "a", "b", "c");
        r("SETRANGE", "hll", "4", "\u0000");
        assertThat(err("PFCOUNT", "hll")).isEqualTo(notHll);
        r("SET", "int", "12345");
        assertThat(err("PFCOUNT", "int")).isEqualTo(notHll);
    }

    @Test
    void randomCorruptionNeverBreaksTheServer() throws Exception {
        Random rnd = new Random(3);
        for (int j = 0; j < 200; j++) {
            r("DEL", "hll");
            addRandom("hll", rnd, rnd.nextInt(3000));
            for (int i = 0; i < 5; i++) {
                long len = (Long) r("STRLEN", "hll");
                r("SETRANGE", "hll", Long.toString(rnd.nextLong(len)), new byte[] {(byte) rnd.nextInt(256)});
                if (rnd.nextBoolean()) {
                    break;
                }
            }
            Object count = r("PFCOUNT", "hll");
            if (count instanceof Err e) {
                assertThat(e.message()).matches("INVALIDOBJ.*|WRONGTYPE.*");
            }
            r("PFADD", "hll", "x", "y");
        }
        assertThat(r("PING")).isEqualTo("PONG");
    }

    @Test
    void typeChecks() throws Exception {
        r("SET", "foo{t}", "bar");
        String notHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
        assertThat(err("PFADD", "foo{t}", "1")).isEqualTo(notHll);
        assertThat(err("PFCOUNT", "foo{t}")).isEqualTo(notHll);
        assertThat(err("PFMERGE", "bar{t}", "foo{t}")).isEqualTo(notHll);
        assertThat(err("PFMERGE", "foo{t}", "bar{t}")).isEqualTo(notHll);
        r("RPUSH", "list", "a");
        assertThat(err("PFADD", "list", "1")).startsWith("WRONGTYPE Operation against a key");
        assertThat(err("PFCOUNT", "hll", "list")).startsWith("WRONGTYPE Operation against a key");
        assertThat(r("EXISTS", "bar{t}")).isEqualTo(0L);
    }

    @Test
    void merge() throws Exception {
        r("PFADD", "hll1{t}", "a", "b", "c");
        r("PFADD", "hll2{t}", "b", "c", "d");
        r("PFADD", "hll3{t}", "c", "d", "e");
        assertThat(r("PFMERGE", "hll{t}", "hll1{t}", "hll2{t}", "hll3{t}")).isEqualTo("OK");
        assertThat(r("PFCOUNT", "hll{t}")).isEqualTo(5L);
        assertThat(r("PFCOUNT", "hll1{t}", "hll2{t}", "hll3{t}")).isEqualTo(5L);

        assertThat(r("PFMERGE", "destkey{t}", "sourcekey{t}")).isEqualTo("OK");
        assertThat(r("EXISTS", "destkey{t}")).isEqualTo(1L);
        assertThat(r("PFCOUNT", "destkey{t}")).isEqualTo(0L);
        assertThat(r("PFMERGE", "destkey")).isEqualTo("OK");
        assertThat(r("PFCOUNT", "destkey")).isEqualTo(0L);
        r("DEL", "destkey");
        r("PFADD", "destkey", "a", "b", "c");
        assertThat(r("PFMERGE", "destkey")).isEqualTo("OK");
        assertThat(r("PFCOUNT", "destkey")).isEqualTo(3L);

        // A dense input makes the result dense; sparse inputs keep it sparse.
        r("PFADD", "dense{t}", "x");
        r("PFDEBUG", "TODENSE", "dense{t}");
        r("PFMERGE", "m1{t}", "hll1{t}", "dense{t}");
        assertThat(r("PFDEBUG", "ENCODING", "m1{t}")).isEqualTo("dense");
        r("PFMERGE", "m2{t}", "hll1{t}", "hll2{t}");
        assertThat(r("PFDEBUG", "ENCODING", "m2{t}")).isEqualTo("sparse");
        assertThat(r("PFCOUNT", "m1{t}")).isEqualTo(4L);
    }

    @Test
    void multiKeyCountLeavesTheValuesAlone() throws Exception {
        r("PFADD", "a{t}", "1", "2");
        r("PFADD", "b{t}", "3");
        Object before = r("GET", "a{t}");
        assertThat(r("PFCOUNT", "a{t}", "b{t}", "missing{t}")).isEqualTo(3L);
        assertThat(r("GET", "a{t}")).isEqualTo(before);
        Random rnd = new Random(4);
        List<Integer> all = new ArrayList<>();
        r("DEL", "a{t}", "b{t}");
        for (int x = 0; x < 3000; x++) {
            int v = rnd.nextInt(6000);
            all.add(v);
            r("PFADD", (x % 2 == 0 ? "a{t}" : "b{t}"), Integer.toString(v));
        }
        long real = all.stream().distinct().count();
        long card = (Long) r("PFCOUNT", "a{t}", "b{t}");
        assertThat(Math.abs(card - real)).isLessThan(card / 100 * 5);
    }

    @Test
    void debugCommands() throws Exception {
        assertThat(err("PFDEBUG", "GETREG", "nokey")).isEqualTo("ERR The specified key does not exist");
        r("PFADD", "hll", "1", "2", "3");
        assertThat(r("PFDEBUG", "DECODE", "hll")).asString().matches("([zZ]:\\d+|v:\\d+,\\d+)( ([zZ]:\\d+|v:\\d+,\\d+))*");
        assertThat(err("PFDEBUG", "nosuch", "hll")).isEqualTo("ERR Unknown PFDEBUG subcommand 'nosuch'");
        @SuppressWarnings("unchecked")
        List<Object> regs = (List<Object>) r("PFDEBUG", "GETREG", "hll");
        assertThat(regs).hasSize(16384);
        assertThat(regs.stream().filter(v -> (Long) v != 0)).hasSize(3);
        assertThat(r("PFDEBUG", "ENCODING", "hll")).isEqualTo("dense");
        assertThat(err("PFDEBUG", "DECODE", "hll")).isEqualTo("ERR HLL encoding is not sparse");
        assertThat(r("PFSELFTEST")).isEqualTo("OK");
        assertThat(err("PFDEBUG", "GETREG")).startsWith("ERR wrong number of arguments");
    }

    @Test
    void stringsFromElsewhereAreUsedAndKeepTheirTtl() throws Exception {
        r("PFADD", "src", "a", "b", "c", "d");
        Object bytes = r("GET", "src");
        r("SET", "copy", bin((String) bytes), "EX", "1000");
        assertThat(r("OBJECT", "ENCODING", "copy")).isEqualTo("embstr");
        assertThat(r("PFCOUNT", "copy")).isEqualTo(4L);
        assertThat(r("OBJECT", "ENCODING", "copy")).isEqualTo("raw");
        assertThat(r("PFADD", "copy", "e")).isEqualTo(1L);
        assertThat(r("PFCOUNT", "copy")).isEqualTo(5L);
        assertThat((Long) r("TTL", "copy")).isGreaterThan(990L);
    }

    @Test
    void changesAreCountedAsRedisCountsThem() throws Exception {
        long before = dirty();
        r("PFADD", "hll", "a", "b");
        assertThat(dirty() - before).isEqualTo(3); // the new key and two registers
        before = dirty();
        r("PFADD", "hll", "a", "b");
        assertThat(dirty() - before).isZero();
        r("PFCOUNT", "hll");
        before = dirty();
        r("PFCOUNT", "hll");
        assertThat(dirty() - before).isZero(); // served from the cache
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
}
