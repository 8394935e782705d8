package dev.cinnabar.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.ServerFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Malformed, random and oversized input from some connections never takes down the server,
 * another client's connection, or stored data (Redis's protocol tests plus fuzzing).
 */
class ProtocolRobustnessTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create();

    @Test
    void garbageFromManyConnectionsLeavesOthersAndDataIntact() throws Exception {
        try (RespClient bystander = new RespClient(server.port())) {
            assertThat(bystander.call("SET", "precious", "value")).isEqualTo("OK");
            Random rnd = new Random(1234);
            byte[] seed = RespClient.encode("SET", "k", "v");
            for (int i = 0; i < 200; i++) {
                byte[] junk;
                switch (i % 4) {
                    case 0 -> {
                        junk = new byte[1 + rnd.nextInt(300)];
                        rnd.nextBytes(junk);
                    }
                    case 1 -> {
                        junk = seed.clone();
                        junk[rnd.nextInt(junk.length)] = (byte) rnd.nextInt(256);
                    }
                    case 2 -> junk = ("*" + rnd.nextInt(Integer.MAX_VALUE) + "\r\n$" + rnd.nextLong() + "\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
                    default -> junk = "set \"unbalanced\r\n\u0000\u00ff\r\n".getBytes(StandardCharsets.ISO_8859_1);
                }
                sendAndDrain(junk);
            }
            assertThat(bystander.call("GET", "precious")).isEqualTo("value");
            assertThat(bystander.call("PING")).isEqualTo("PONG");
        }
        try (RespClient fresh = new RespClient(server.port())) {
            assertThat(fresh.call("GET", "precious")).isEqualTo("value");
        }
    }

    @Test
    void protocolDesyncIsClosedWithAnError() throws Exception {
        // Redis "Protocol desync regression test": a NUL then endless payload without newline.
        for (String start : new String[] {"\u0000", "*\u0000", "$\u0000"}) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(start.getBytes(StandardCharsets.ISO_8859_1));
                byte[] payload = new byte[1024];
                java.util.Arrays.fill(payload, (byte) 'A');
                try {
                    for (int i = 0; i < 1000; i++) {
                        out.write(payload);
                    }
                } catch (IOException closed) {
                    // expected once the server gives up on the request
                }
                String reply = readLine(s.getInputStream());
                assertThat(reply).startsWith("-ERR Protocol error");
            }
        }
    }

    @Test
    void hugeDeclaredBulkIsRejectedWithoutAllocatingIt() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.writeRaw("*2\r\n$3\r\nGET\r\n$" + (600L * 1024 * 1024) + "\r\n");
            assertThat(c.read()).isEqualTo(new RespClient.Err("ERR Protocol error: invalid bulk length"));
        }
        try (RespClient c = new RespClient(server.port())) {
            // Within proto-max-bulk-len: the server waits for data, and a client that goes away
            // mid-argument costs nothing afterwards.
            c.writeRaw("*2\r\n$3\r\nSET\r\n$500000000\r\nabc");
        }
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("PING")).isEqualTo("PONG");
        }
    }

    private static void sendAndDrain(byte[] junk) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(200);
            s.getOutputStream().write(junk);
            s.getOutputStream().flush();
            try {
                s.getInputStream().read(new byte[4096]);
            } catch (IOException timeoutOrReset) {
                // the server may wait for more input or close: both are fine
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
