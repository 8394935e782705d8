package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RealRedisServer;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DEBUG subcommands, including digests compared with a real Redis on the same data. */
class DebugCommandTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand();

    static final String ZEROS = "0000000000000000000000000000000000000000";

    @Test
    void digestIsZeroForAnEmptyDataSetAndTracksContent() throws Exception {
        try (CinnabarServer s = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
                RespClient c = new RespClient(s.port())) {
            assertThat(c.call("DEBUG", "DIGEST")).isEqualTo(ZEROS);
            c.call("SET", "a", "1");
            c.call("SET", "b", "hello");
            String d1 = (String) c.call("DEBUG", "DIGEST");
            assertThat(d1).hasSize(40).isNotEqualTo(ZEROS);
            c.call("DEL", "a", "b");
            c.call("SET", "b", "hello");
            c.call("SET", "a", "1");
            assertThat(c.call("DEBUG", "DIGEST")).isEqualTo(d1); // insertion order does not matter
            c.call("SET", "a", "1", "EX", "100");
            assertThat(c.call("DEBUG", "DIGEST")).isNotEqualTo(d1); // a TTL does
            @SuppressWarnings("unchecked")
            List<Object> values = (List<Object>) c.call("DEBUG", "DIGEST-VALUE", "b", "missing");
            assertThat(values.get(1)).isEqualTo(ZEROS);
            assertThat((String) values.get(0)).hasSize(40).isNotEqualTo(ZEROS);
        }
    }

    @Test
    void digestsMatchRealRedisForTheSameStrings() throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server not installed");
        try (RealRedisServer real = RealRedisServer.start();
                CinnabarServer s = CinnabarServer.builder().port(0).enableDebugCommand(true).start();
                RespClient r = new RespClient(real.port()); RespClient c = new RespClient(s.port())) {
            for (RespClient x : List.of(r, c)) {
                assertThat(x.call("DEBUG", "DIGEST")).isEqualTo(ZEROS);
                x.call("SET", "str", "hello world");
                x.call("SET", "int", "12345");
                x.call("SET", "neg", "-7");
                x.call("SET", "long", "x".repeat(100));
                x.call("SET", "empty", "");
                x.call("SET", "bin", new byte[] {0, 1, 2, (byte) 255});
                x.call("SET", "ttl", "v", "EX", "1000");
                x.call("SELECT", "5");
                x.call("SET", "str", "in db 5");
                x.call("SELECT", "0");
            }
            assertThat(c.call("DEBUG", "DIGEST")).isEqualTo(r.call("DEBUG", "DIGEST"));
            Object[] keys = {"DEBUG", "DIGEST-VALUE", "str", "int", "neg", "long", "empty", "bin", "ttl", "missing"};
            assertThat(c.call(keys)).isEqualTo(r.call(keys));
        }
    }

    @Test
    void objectDescribesTheValue() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("SET", "dbg:s", "hello");
            c.call("SET", "dbg:n", "20000");
            c.call("SET", "dbg:l", "y".repeat(60));
            String pattern = "Value at:0x[0-9a-f]+ refcount:1 encoding:%s serializedlength:%d lru:\\d+ lru_seconds_idle:\\d+";
            assertThat((String) c.call("DEBUG", "OBJECT", "dbg:s")).matches(pattern.formatted("embstr", 6));
            assertThat((String) c.call("DEBUG", "OBJECT", "dbg:n")).matches(pattern.formatted("int", 3));
            assertThat((String) c.call("DEBUG", "OBJECT", "dbg:l")).matches(pattern.formatted("raw", 61));
            c.call("SET", "dbg:shared", "42");
            assertThat((String) c.call("DEBUG", "OBJECT", "dbg:shared")).contains(" refcount:2147483647 encoding:int ");
            assertThat(c.call("DEBUG", "OBJECT", "dbg:nosuch")).isEqualTo(new Err("ERR no such key"));
        }
    }

    @Test
    void protocolRepliesEachTypeInBothProtocols() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("DEBUG", "PROTOCOL", "string")).isEqualTo("Hello World");
            assertThat(c.call("DEBUG", "PROTOCOL", "integer")).isEqualTo(12345L);
            assertThat(c.call("DEBUG", "PROTOCOL", "double")).isEqualTo("3.141");
            assertThat(c.call("DEBUG", "PROTOCOL", "bignum")).isEqualTo("1234567999999999999999999999999999999");
            assertThat(c.call("DEBUG", "PROTOCOL", "null")).isNull();
            assertThat(c.call("DEBUG", "PROTOCOL", "array")).isEqualTo(List.of(0L, 1L, 2L));
            assertThat(c.call("DEBUG", "PROTOCOL", "map")).isEqualTo(List.of(0L, 0L, 1L, 1L, 2L, 0L));
            assertThat(c.call("DEBUG", "PROTOCOL", "attrib")).isEqualTo("Some real reply following the attribute");
            assertThat(c.call("DEBUG", "PROTOCOL", "push")).isEqualTo(new Err("ERR RESP2 is not supported by this command"));
            assertThat(c.call("DEBUG", "PROTOCOL", "true")).isEqualTo(1L);
            assertThat(c.call("DEBUG", "PROTOCOL", "verbatim")).isEqualTo("This is a verbatim\nstring");
            assertThat((Err) c.call("DEBUG", "PROTOCOL", "nope")).extracting(Err::message).asString()
                    .startsWith("ERR Wrong protocol type name.");
            c.call("HELLO", "3");
            assertThat(c.call("DEBUG", "PROTOCOL", "double")).isEqualTo(3.141);
            assertThat(c.call("DEBUG", "PROTOCOL", "bignum")).isEqualTo(new BigInteger("1234567999999999999999999999999999999"));
            assertThat(c.call("DEBUG", "PROTOCOL", "set")).isEqualTo(Set.of(0L, 1L, 2L));
            assertThat(c.call("DEBUG", "PROTOCOL", "map")).isEqualTo(Map.of(0L, false, 1L, true, 2L, false));
            assertThat(c.call("DEBUG", "PROTOCOL", "false")).isEqualTo(false);
            assertThat(c.call("DEBUG", "PROTOCOL", "push")).isEqualTo(List.of("server-cpu-usage", 42L));
            assertThat(c.read()).isEqualTo("Some real reply following the push reply");
            c.send("DEBUG", "PROTOCOL", "attrib");
            assertThat(c.line()).isEqualTo("|1");
        }
    }

    @Test
    void sleepBlocksTheServerAndActiveExpireCanBeTurnedOff() throws Exception {
        try (RespClient c = new RespClient(server.port()); RespClient other = new RespClient(server.port())) {
            c.send("DEBUG", "SLEEP", "0.2");
            Thread.sleep(20);
            long t0 = System.nanoTime();
            assertThat(other.call("PING")).isEqualTo("PONG");
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(100);
            assertThat(c.read()).isEqualTo("OK");

            assertThat(c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")).isEqualTo("OK");
            assertThat(server.server().expiry.enabled()).isFalse();
            assertThat(c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")).isEqualTo("OK");
            assertThat(server.server().expiry.enabled()).isTrue();
        }
    }

    @Test
    void otherSubcommands() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("DEBUG", "LOG", "hello")).isEqualTo("OK");
            assertThat(c.call("DEBUG", "RELOAD")).isEqualTo("OK");
            // NOSAVE loads the file the RELOAD above saved.
            assertThat(c.call("DEBUG", "RELOAD", "NOSAVE")).isEqualTo("OK");
            assertThat(c.call("DEBUG", "RELOAD", "MERGE", "NOFLUSH")).isEqualTo("OK");
            assertThat(c.call("DEBUG", "RELOAD", "FOO"))
                    .isEqualTo(new Err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."));
            // No append-only file to load (Redis 7.2 replies this; 7.0 exited).
            assertThat(c.call("DEBUG", "LOADAOF"))
                    .isEqualTo(new Err("ERR Error trying to load the AOF files, check server logs."));
            assertThat(c.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b")).isEqualTo("OK");
            assertThat(c.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "10gb"))
                    .isEqualTo(new Err("ERR argument must be a memory value bigger than 1 and smaller than 4gb"));
            c.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0");
            assertThat(c.call("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "NEVER")).isEqualTo("OK");
            assertThat(c.call("DEBUG", "REPLYBUFFER", "RESIZING", "1")).isEqualTo("OK");
            assertThat(c.call("DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0")).isEqualTo("OK");
            String before = (String) c.call("INFO", "replication");
            assertThat(c.call("DEBUG", "CHANGE-REPL-ID")).isEqualTo("OK");
            assertThat(c.call("INFO", "replication")).isNotEqualTo(before);
            assertThat(c.call("DEBUG", "STRINGMATCH-TEST")).isEqualTo("Apparently Redis did not crash: test passed");
            assertThat(c.call("DEBUG", "PAUSE-CRON", "1")).isEqualTo("OK");
            long loops = server.server().cronLoops;
            Thread.sleep(250);
            assertThat(server.server().cronLoops).isEqualTo(loops);
            assertThat(c.call("DEBUG", "PAUSE-CRON", "0")).isEqualTo("OK");
            assertThat(c.call("DEBUG", "POPULATE", "3", "pop")).isEqualTo("OK");
            assertThat(c.call("GET", "pop:2")).isEqualTo("value:2");
            assertThat(c.call("DEBUG", "POPULATE", "1", "sized", "10")).isEqualTo("OK");
            assertThat(c.call("GET", "sized:0")).isEqualTo("value:0\0\0\0");
            assertThat(c.call("DEBUG", "LISTPACK", "pop:0")).isEqualTo(new Err("ERR Not a listpack encoded object."));
            assertThat(c.call("DEBUG", "NOSUCH")).isEqualTo(new Err(
                    "ERR unknown subcommand or wrong number of arguments for 'NOSUCH'. Try DEBUG HELP."));
            assertThat(c.call("DEBUG", "OBJECT")).isEqualTo(new Err(
                    "ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP."));
            @SuppressWarnings("unchecked")
            List<Object> help = (List<Object>) c.call("DEBUG", "HELP");
            assertThat(help.get(0)).isEqualTo("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        }
    }

    @Test
    void debugIsProtected() throws Exception {
        try (CinnabarServer s = CinnabarServer.builder().port(0).start(); RespClient c = new RespClient(s.port())) {
            assertThat(((Err) c.call("DEBUG", "HELP")).message()).startsWith("ERR DEBUG command not allowed.");
        }
    }
}
