package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** CONFIG through the command layer, mirroring upstream unit/introspection. */
class ConfigCommandTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create();

    @Test
    void getRepliesAMapOfMatchingParameters() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            @SuppressWarnings("unchecked")
            List<Object> flat = (List<Object>) c.call("CONFIG", "GET", "maxmemory", "maxmemory*", "bind", "*of");
            assertThat(flat).containsSubsequence("maxmemory", "0");
            assertThat(flat).contains("maxmemory-samples", "maxmemory-clients", "slaveof", "replicaof", "bind");
            assertThat(flat.size() % 2).isZero();
            assertThat(c.call("CONFIG", "GET", "nosuchparameter")).isEqualTo(List.of());
            c.call("HELLO", "3");
            @SuppressWarnings("unchecked")
            Map<Object, Object> m = (Map<Object, Object>) c.call("CONFIG", "GET", "port");
            assertThat(m).containsEntry("port", "0");
            assertThat(c.call("CONFIG", "GET")).isEqualTo(new Err("ERR wrong number of arguments for 'config|get' command"));
        }
    }

    @Test
    void setChangesValuesAndRepliesConfigErrors() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("CONFIG", "SET", "maxmemory", "10000001", "maxmemory-samples", "7")).isEqualTo("OK");
            assertThat(c.call("CONFIG", "GET", "maxmemory")).isEqualTo(List.of("maxmemory", "10000001"));
            assertThat(c.call("CONFIG", "SET", "maxmemory", "1", "maxmemory")).isEqualTo(
                    new Err("ERR wrong number of arguments for 'config|set' command"));
            assertThat(c.call("CONFIG", "SET", "maxmemory", "10000001", "maxmemory", "10000002")).isEqualTo(
                    new Err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"));
            assertThat(c.call("CONFIG", "SET", "daemonize", "yes")).isEqualTo(
                    new Err("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"));
            assertThat(c.call("CONFIG", "SET", "maxmemory", "10000005", "maxmemory-clients", "200%",
                    "client-query-buffer-limit", "invalid")).isEqualTo(new Err("ERR CONFIG SET failed (possibly related to "
                    + "argument 'maxmemory-clients') - percentage argument must be less or equal to 100"));
            assertThat(c.call("CONFIG", "GET", "maxmemory")).isEqualTo(List.of("maxmemory", "10000001"));
            c.call("CONFIG", "SET", "maxmemory", "0", "maxmemory-samples", "5");
        }
    }

    @Test
    void setRollsBackEverythingWhenThePortCannotBeOpened() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                RespClient c = new RespClient(server.port())) {
            Object reply = c.call("CONFIG", "SET", "maxmemory", "10000001", "port", taken.getLocalPort(),
                    "client-query-buffer-limit", "10m");
            assertThat(reply).isInstanceOf(Err.class);
            assertThat(((Err) reply).message())
                    .startsWith("ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port");
            assertThat(c.call("CONFIG", "GET", "maxmemory")).isEqualTo(List.of("maxmemory", "0"));
            assertThat(c.call("CONFIG", "GET", "port")).isEqualTo(List.of("port", "0"));
            assertThat(c.call("CONFIG", "GET", "client-query-buffer-limit")).isEqualTo(
                    List.of("client-query-buffer-limit", "1073741824"));
            // The listener is back on the original port.
            try (RespClient again = new RespClient(server.port())) {
                assertThat(again.call("PING")).isEqualTo("PONG");
            }
        }
    }

    @Test
    void setPortMovesTheListener() throws Exception {
        try (CinnabarServer s = CinnabarServer.builder().port(0).start(); RespClient c = new RespClient(s.port())) {
            int free;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                free = probe.getLocalPort();
            }
            assertThat(c.call("CONFIG", "SET", "port", free)).isEqualTo("OK");
            assertThat(s.port()).isEqualTo(free);
            try (RespClient moved = new RespClient(free)) {
                assertThat(moved.call("PING")).isEqualTo("PONG");
                String info = (String) moved.call("INFO", "server");
                assertThat(info).contains("tcp_port:" + free + "\r\n");
            }
        }
    }

    @Test
    void protoMaxBulkLenReachesExistingConnections() throws Exception {
        try (CinnabarServer s = CinnabarServer.builder().port(0).start(); RespClient c = new RespClient(s.port());
                RespClient other = new RespClient(s.port())) {
            other.call("PING");
            assertThat(c.call("CONFIG", "SET", "proto-max-bulk-len", "1mb")).isEqualTo("OK");
            other.writeRaw("*2\r\n$4\r\nECHO\r\n$2000000\r\n");
            assertThat(other.read()).isEqualTo(new Err("ERR Protocol error: invalid bulk length"));
        }
    }

    @Test
    void hzChangesTheCronRate() throws Exception {
        try (CinnabarServer s = CinnabarServer.builder().port(0).start(); RespClient c = new RespClient(s.port())) {
            assertThat(c.call("CONFIG", "SET", "hz", "100")).isEqualTo("OK");
            long before = s.server().cronLoops;
            Thread.sleep(300);
            // 100 ticks per second: far more than the 3 that hz 10 would run in 300 ms.
            assertThat(s.server().cronLoops - before).isGreaterThan(10);
        }
    }

    @Test
    void rewriteWithoutConfigFileAndResetStat(@TempDir Path dir) throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("CONFIG", "REWRITE")).isEqualTo(new Err("ERR The server is running without a config file"));
            c.call("GET", "x");
            assertThat(c.call("CONFIG", "RESETSTAT")).isEqualTo("OK");
            String stats = (String) c.call("INFO", "commandstats");
            assertThat(stats).doesNotContain("cmdstat_get:");
        }
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, "port 0\nbind 127.0.0.1\nsave \"\"\n");
        dev.cinnabar.server.config.ServerConfig cfg = new dev.cinnabar.server.config.ServerConfig();
        cfg.loadFromFile(conf);
        try (dev.cinnabar.server.Server s = new dev.cinnabar.server.Server(cfg, dev.cinnabar.server.Log.silent(),
                new dev.cinnabar.server.ServerClock())) {
            int port = s.start();
            try (RespClient c = new RespClient(port)) {
                assertThat(c.call("CONFIG", "SET", "maxmemory-samples", "9")).isEqualTo("OK");
                assertThat(c.call("CONFIG", "REWRITE")).isEqualTo("OK");
                assertThat(Files.readString(conf)).contains("maxmemory-samples 9");
            }
        }
    }

    @Test
    void help() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            @SuppressWarnings("unchecked")
            List<Object> help = (List<Object>) c.call("CONFIG", "HELP");
            assertThat(help.get(0)).isEqualTo("CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
            assertThat(help).contains("GET <pattern>", "RESETSTAT", "REWRITE", "HELP");
        }
    }

    @Test
    void sensitiveValuesAreRedactedEvenWhenSetFails() throws Exception {
        dev.cinnabar.server.config.ServerConfig cfg = new dev.cinnabar.server.config.ServerConfig();
        try (dev.cinnabar.server.Server s = new dev.cinnabar.server.Server(cfg, dev.cinnabar.server.Log.silent(),
                new dev.cinnabar.server.ServerClock())) {
            dev.cinnabar.resp.ArgList args = new dev.cinnabar.resp.ArgList();
            args.add("CONFIG").add("SET").add("maxmemory").add("1mb").add("requirepass").add("secret").add("nosuch").add("x");
            dev.cinnabar.server.Client c = new dev.cinnabar.server.Client(s, 1, args,
                    new dev.cinnabar.resp.ReplyWriter(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT), null);
            ConfigFamily.set(c);
            assertThat(c.erred).isTrue(); // the unknown parameter fails the whole call
            assertThat(c.argRedacted(5)).isTrue();
            assertThat(c.argRedacted(3)).isFalse();
            c.reply.discard();
        }
    }
}
