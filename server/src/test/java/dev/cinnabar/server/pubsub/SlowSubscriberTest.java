package dev.cinnabar.server.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.testkit.RespClient;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that never reads must not make the server hold unbounded output: once the
 * bytes waiting for it pass client-output-buffer-limit pubsub (hard limit, default 32 MB) it is
 * disconnected, as Redis does, while a publisher sends a million messages.
 */
class SlowSubscriberTest {
    static final long HARD_LIMIT = 32L * 1024 * 1024;

    @Test
    void subscriberThatNeverReadsIsDisconnectedAndMemoryStaysBounded() throws Exception {
        try (CinnabarServer cs = CinnabarServer.builder().port(0).start()) {
            Server server = cs.server();
            long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            Socket slow = new Socket();
            slow.setReceiveBufferSize(1024); // before connecting, so the window stays tiny
            slow.connect(new InetSocketAddress("127.0.0.1", cs.port()), 5000);
            slow.setSoTimeout(10_000);
            OutputStream so = slow.getOutputStream();
            so.write(RespClient.encode("SUBSCRIBE", "feed"));
            so.flush();
            InputStream si = slow.getInputStream();
            byte[] confirmation = "*3\r\n$9\r\nsubscribe\r\n$4\r\nfeed\r\n:1\r\n".getBytes(StandardCharsets.ISO_8859_1);
            assertThat(si.readNBytes(confirmation.length)).isEqualTo(confirmation);

            // Samples what the server holds for subscribers while the flood runs.
            AtomicLong maxPending = new AtomicLong();
            AtomicLong maxDirect = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    server.runLocked(() -> {
                        for (Client c : server.clients.all()) {
                            if (c.subscriber != null && c.conn != null) {
                                long p = c.subscriber.queuedBytes() + c.conn.pendingOutputBytes();
                                maxPending.accumulateAndGet(p, Math::max);
                            }
                        }
                    });
                    maxDirect.accumulateAndGet(PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(), Math::max);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();

            int total = 1_000_000;
            String payload = "x".repeat(64);
            long received;
            try (Socket pub = new Socket("127.0.0.1", cs.port())) {
                pub.setSoTimeout(60_000);
                AtomicLong replies = new AtomicLong();
                Thread reader = new Thread(() -> {
                    try {
                        InputStream in = pub.getInputStream();
                        byte[] buf = new byte[65536];
                        long lines = 0;
                        while (lines < total) {
                            int n = in.read(buf);
                            if (n < 0) {
                                break;
                            }
                            for (int i = 0; i < n; i++) {
                                if (buf[i] == '\n') {
                                    lines++;
                                }
                            }
                        }
                        replies.set(lines);
                    } catch (Exception e) {
                        replies.set(-1);
                    }
                });
                reader.start();
                byte[] one = RespClient.encode("PUBLISH", "feed", payload);
                ByteArrayOutputStream chunk = new ByteArrayOutputStream();
                for (int i = 0; i < 1000; i++) {
                    chunk.writeBytes(one);
                }
                byte[] batch = chunk.toByteArray();
                OutputStream po = pub.getOutputStream();
                for (int i = 0; i < total / 1000; i++) {
                    po.write(batch);
                }
                po.flush();
                reader.join(120_000);
                received = replies.get();
            }
            assertThat(received).isEqualTo(total);
            sampler.interrupt();
            sampler.join();

            // Disconnected as Redis does: counted, gone from the client list.
            assertThat(server.stats.clientOutputBufferLimitDisconnections).isEqualTo(1);
            PubSubTest.waitFor(() -> {
                long[] subs = new long[1];
                server.runLocked(() -> subs[0] = server.pubsub.channelCount());
                return subs[0] == 0;
            });
            // The subscriber's socket ends after what the kernel had buffered.
            byte[] sink = new byte[65536];
            long drained = 0;
            try {
                int n;
                while ((n = si.read(sink)) >= 0) {
                    drained += n;
                }
            } catch (java.net.SocketException reset) {
                // a reset is an end too
            }
            assertThat(drained).isLessThan(HARD_LIMIT + (8L << 20));
            slow.close();

            // What was held for the subscriber never went much past the hard limit (one
            // publishing batch at most), and neither did the transport's buffer pool.
            assertThat(maxPending.get()).isLessThan(HARD_LIMIT + (1L << 20));
            assertThat(maxDirect.get() - directBefore).isLessThan(256L << 20);
        }
    }
}
