package dev.cinnabar.server.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unixsocket directive: the suite gives every server it starts one (redis-cli -s, redis-benchmark -s). */
class UnixSocketTest {
    @TempDir
    Path dir;

    private static String call(SocketChannel ch, String inline) throws Exception {
        ch.write(ByteBuffer.wrap((inline + "\r\n").getBytes(StandardCharsets.UTF_8)));
        ByteBuffer b = ByteBuffer.allocate(4096);
        StringBuilder sb = new StringBuilder();
        while (sb.indexOf("\r\n") < 0 || (sb.charAt(0) == '$' && sb.toString().split("\r\n").length < 2)) {
            b.clear();
            if (ch.read(b) < 0) {
                break;
            }
            sb.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    @Test
    void servesCommandsOnTheSocketAsALocalClient() throws Exception {
        Path sock = dir.resolve("redis.sock");
        Files.writeString(sock, "stale"); // a file left behind by a crash is replaced
        try (CinnabarServer s = CinnabarServer.builder().port(0).config("unixsocket", sock.toString())
                .config("unixsocketperm", "700").config("protected-mode", "yes").start()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rwx------");
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(sock));
                // Protected mode lets unix socket clients in, as loopback ones.
                assertThat(call(ch, "PING")).isEqualTo("+PONG\r\n");
                assertThat(call(ch, "CLIENT INFO")).contains("addr=" + sock + ":0 laddr=" + sock + ":0 ");
            }
        }
        assertThat(Files.exists(sock)).isFalse();
    }

    /** Upstream unit/networking "Default bind address configuration handling": bind "" closes TCP only. */
    @Test
    void emptyBindListensOnTheUnixSocketOnly() throws Exception {
        Path sock = dir.resolve("only.sock");
        try (CinnabarServer s = CinnabarServer.builder().port(0).config("unixsocket", sock.toString()).start();
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            assertThat(call(ch, "CONFIG SET bind \"\"")).isEqualTo("+OK\r\n");
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> new java.net.Socket("127.0.0.1", s.port()).close()).isInstanceOf(java.net.ConnectException.class);
            assertThat(call(ch, "CONFIG SET bind 127.0.0.1")).isEqualTo("+OK\r\n");
            try (dev.cinnabar.server.testkit.RespClient c = new dev.cinnabar.server.testkit.RespClient(s.port())) {
                assertThat(c.call("PING")).isEqualTo("PONG");
            }
        }
    }
}
