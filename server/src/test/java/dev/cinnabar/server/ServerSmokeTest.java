package dev.cinnabar.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ServerSmokeTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create();

    @Test
    void pingSetGet() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("PING")).isEqualTo("PONG");
            assertThat(c.call("ping", "hi")).isEqualTo("hi");
            assertThat(c.call("SET", "k", "v")).isEqualTo("OK");
            assertThat(c.call("GET", "k")).isEqualTo("v");
            assertThat(c.call("GET", "missing")).isNull();
        }
    }

    @Test
    void unknownCommandAndArityErrorsAreRedisExact() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("FOO", "a", "b")).isEqualTo(new Err("ERR unknown command 'FOO', with args beginning with: 'a' 'b' "));
            assertThat(c.call("GET")).isEqualTo(new Err("ERR wrong number of arguments for 'get' command"));
            assertThat(c.call("PING", "x", "y", "z")).isEqualTo(new Err("ERR wrong number of arguments for 'ping' command"));
        }
    }

    @Test
    void pipelinedInlineAndMultibulk() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.writeRaw("SET a 1\r\nGET a\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\n");
            assertThat(List.of(c.read(), c.read(), c.read(), c.read())).containsExactly("OK", "1", "1", "PONG");
        }
    }

    @Test
    void protocolErrorRepliesThenCloses() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.writeRaw("*1\r\nfoo\r\n");
            assertThat(c.read()).isEqualTo(new Err("ERR Protocol error: expected '$', got 'f'"));
            assertThat(c.isClosedByPeer()).isTrue();
        }
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void helloSwitchesProtocol() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            Object r = c.call("HELLO", "3");
            assertThat(r).isInstanceOf(java.util.Map.class);
            assertThat(((java.util.Map<?, ?>) r).get("proto")).isEqualTo(3L);
            assertThat(c.call("GET", "nope")).isNull();
            assertThat(c.call("HELLO", "4")).isEqualTo(new Err("NOPROTO unsupported protocol version"));
        }
    }

    @Test
    void multiExec() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("MULTI")).isEqualTo("OK");
            assertThat(c.call("SET", "m", "1")).isEqualTo("QUEUED");
            assertThat(c.call("GET", "m")).isEqualTo("QUEUED");
            assertThat(c.call("EXEC")).isEqualTo(List.of("OK", "1"));
            assertThat(c.call("MULTI")).isEqualTo("OK");
            assertThat(c.call("NOPE")).isInstanceOf(Err.class);
            assertThat(c.call("EXEC")).isEqualTo(new Err("EXECABORT Transaction discarded because of previous errors."));
        }
    }
}
