package dev.cinnabar.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RespClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * client-output-buffer-limit for normal clients, and the bound on what a client that never reads
 * its replies can make the server hold (upstream unit/obuf-limits, for normal clients).
 */
class OutputBufferLimitTest {
    static CinnabarServer server;
    static final int VALUE = 256 * 1024;

    @BeforeAll
    static void start() throws Exception {
        server = CinnabarServer.builder().port(0).start();
        try (RespClient c = new RespClient(server.port())) {
            c.call("SET", "big", "x".repeat(VALUE));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void defaults() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0");
        }
    }

    /** A connection that sends requests and never reads, with a tiny receive window. */
    static Socket nonReader(String name) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", server.port()));
        s.getOutputStream().write(RespClient.encode("CLIENT", "SETNAME", name));
        return s;
    }

    static void sendGets(Socket s, int n) throws IOException {
        byte[] get = RespClient.encode("GET", "big");
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < n; i++) {
            out.write(get);
        }
        out.flush();
    }

    /** The CLIENT LIST line of the named client, or null when it is gone. */
    static String line(RespClient c, String name) throws IOException {
        for (String l : ((String) c.call("CLIENT", "LIST")).split("\n")) {
            if (l.contains(" name=" + name + " ")) {
                return l;
            }
        }
        return null;
    }

    static long field(String line, String name) {
        for (String kv : line.split(" ")) {
            if (kv.startsWith(name + "=")) {
                return Long.parseLong(kv.substring(name.length() + 1));
            }
        }
        throw new AssertionError(name + " not in " + line);
    }

    @Test
    void clientThatNeverReadsIsClosedAtTheHardLimit() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0");
            try (Socket s = nonReader("hard")) {
                sendGets(s, 400); // 100 MB of replies
                long maxSeen = 0;
                String l;
                long deadline = System.currentTimeMillis() + 10_000;
                while ((l = line(c, "hard")) != null && System.currentTimeMillis() < deadline) {
                    maxSeen = Math.max(maxSeen, field(l, "omem") + field(l, "obl"));
                    Thread.sleep(5);
                }
                assertThat(l).as("closed for its output buffer limit").isNull();
                // Never more than the limit plus the reply that crossed it.
                assertThat(maxSeen).isLessThan((1 << 20) + 2L * VALUE);
                assertThat(drainedToEof(s)).isLessThan(100L * VALUE);
            }
            assertThat(c.call("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void softLimitClosesAfterItsSeconds() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 512kb 1");
            try (Socket s = nonReader("soft")) {
                sendGets(s, 40);
                long start = System.currentTimeMillis();
                Thread.sleep(300);
                assertThat(line(c, "soft")).as("within the soft limit's seconds").isNotNull();
                while (line(c, "soft") != null && System.currentTimeMillis() - start < 10_000) {
                    Thread.sleep(20);
                }
                assertThat(line(c, "soft")).isNull();
                // Over the limit for more than one second (counted in whole seconds, as Redis does).
                assertThat(System.currentTimeMillis() - start).isGreaterThanOrEqualTo(1000);
            }
        }
    }

    @Test
    void withoutLimitsAClientThatStopsReadingHoldsBoundedOutputAndResumes() throws Exception {
        int n = 300; // 75 MB of replies
        try (RespClient c = new RespClient(server.port()); Socket s = nonReader("unlimited")) {
            sendGets(s, n);
            Thread.sleep(500);
            String l = line(c, "unlimited");
            assertThat(l).isNotNull();
            // Reading paused: the server holds about a megabyte, not the 75 MB asked for.
            assertThat(field(l, "omem") + field(l, "obl")).isLessThan((1 << 20) + 2L * VALUE);
            assertThat(l).contains(" events=w ");
            Thread.sleep(300);
            assertThat(field(line(c, "unlimited"), "omem")).isLessThan((1 << 20) + 2L * VALUE);
            // Once it reads, every reply arrives, complete and in order.
            InputStream in = s.getInputStream();
            s.setSoTimeout(20_000);
            assertThat(readLine(in)).isEqualTo("+OK");
            for (int i = 0; i < n; i++) {
                assertThat(readLine(in)).isEqualTo("$" + VALUE);
                byte[] v = in.readNBytes(VALUE + 2);
                assertThat(v[0]).isEqualTo((byte) 'x');
                assertThat(v[VALUE - 1]).isEqualTo((byte) 'x');
                assertThat(v[VALUE]).isEqualTo((byte) '\r');
            }
            long deadline = System.currentTimeMillis() + 5000;
            while (!line(c, "unlimited").contains(" events=r ") && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertThat(line(c, "unlimited")).contains(" events=r ");
        }
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("eof");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    /** Reads what the server sent before closing; returns the byte count. */
    static long drainedToEof(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[65536];
        long n = 0;
        try {
            int r;
            while ((r = in.read(buf)) > 0) {
                n += r;
            }
        } catch (java.net.SocketException reset) {
            // closed with data unread: fine
        }
        return n;
    }
}
