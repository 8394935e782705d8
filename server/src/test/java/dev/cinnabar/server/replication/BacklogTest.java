package dev.cinnabar.server.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The backlog against a plain byte array holding the whole stream. */
class BacklogTest {

    @Test
    void keepsTheNewestBytesAndServesAnyOffsetItCovers() {
        Random rnd = new Random(7);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        long start = 1001; // the backlog was created when the stream was at offset 1000
        Backlog b = new Backlog(start, 40_000);
        for (int round = 0; round < 300; round++) {
            byte[] piece = new byte[rnd.nextInt(round % 50 == 0 ? 30_000 : 700)];
            rnd.nextBytes(piece);
            all.writeBytes(piece);
            if (rnd.nextBoolean()) {
                b.append(piece);
            } else {
                ByteBuf buf = Unpooled.buffer(piece.length + 10);
                buf.writeBytes(new byte[5]).readerIndex(5); // a reader index that is not 0
                buf.writeBytes(piece);
                b.append(buf);
                assertThat(buf.readerIndex()).isEqualTo(5);
            }
            byte[] stream = all.toByteArray();
            long end = start + stream.length; // offset of the next byte
            assertThat(b.histlen()).isEqualTo(Math.min(stream.length, 40_000));
            assertThat(b.firstOffset()).isEqualTo(end - b.histlen());
            assertThat(b.covers(b.firstOffset() - 1)).isFalse();
            assertThat(b.covers(end + 1)).isFalse();
            for (int probe = 0; probe < 3; probe++) {
                long from = b.firstOffset() + (long) (rnd.nextDouble() * (b.histlen() + 1));
                assertThat(b.covers(from)).isTrue();
                byte[] expected = Arrays.copyOfRange(stream, (int) (from - start), stream.length);
                assertThat(concat(b, from)).isEqualTo(expected);
            }
        }
        b.resize(10); // below the minimum: 16 KB are kept
        assertThat(b.histlen()).isEqualTo(Backlog.MIN_SIZE);
        byte[] stream = all.toByteArray();
        assertThat(concat(b, b.firstOffset())).isEqualTo(Arrays.copyOfRange(stream, stream.length - 16 * 1024, stream.length));
        assertThat(b.memory()).isLessThanOrEqualTo(2 * 16 * 1024);
    }

    private static byte[] concat(Backlog b, long from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf part : b.from(from)) {
            byte[] x = new byte[part.readableBytes()];
            part.readBytes(x);
            out.writeBytes(x);
        }
        return out.toByteArray();
    }
}
