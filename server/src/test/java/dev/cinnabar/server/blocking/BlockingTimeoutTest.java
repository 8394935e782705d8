package dev.cinnabar.server.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.resp.RespParser;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Log;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.config.ServerConfig;
import dev.cinnabar.server.testkit.RespClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Redis getTimeoutFromObjectOrReply, seconds (long double) and milliseconds (integer). */
class BlockingTimeoutTest {
    static final long NOW = 1_700_000_000_000L;
    final Server server = new Server(new ServerConfig(), Log.silent(), new ServerClock());
    final RespParser parser = new RespParser();
    Client c;

    @AfterEach
    void close() {
        server.close();
    }

    /** The deadline for argument 1, or the error text after "-". */
    private String seconds(String arg) {
        return run(arg, true);
    }

    private String millis(String arg) {
        return run(arg, false);
    }

    private String run(String arg, boolean seconds) {
        ByteBuf in = Unpooled.wrappedBuffer(RespClient.encode("BLPOP", arg));
        assertThat(parser.parse(in)).isEqualTo(RespParser.COMMAND);
        c = new Client(server, 1, parser.args(), new ReplyWriter(UnpooledByteBufAllocator.DEFAULT), null);
        c.now = NOW;
        long d = seconds ? Blocking.parseTimeout(c, 1) : Blocking.parseTimeoutMillis(c, 1);
        ByteBuf out = c.reply.take();
        String reply = out == null ? "" : out.toString(StandardCharsets.ISO_8859_1).trim();
        if (out != null) {
            out.release();
        }
        if (d < 0) {
            return reply;
        }
        assertThat(reply).isEmpty();
        return d == 0 ? "forever" : "+" + (d - NOW);
    }

    @Test
    void secondsAreALongDoubleRoundedUpToMilliseconds() {
        assertThat(seconds("0")).isEqualTo("forever");
        assertThat(seconds("1")).isEqualTo("+1000");
        assertThat(seconds("0.1")).isEqualTo("+100");
        assertThat(seconds("0.001")).isEqualTo("+1");
        assertThat(seconds("0.0001")).isEqualTo("+1");
        assertThat(seconds("1.5e1")).isEqualTo("+15000");
        assertThat(seconds("0x10")).isEqualTo("+16000");
        // Tiny negatives round up to -0: wait forever, as in Redis. The long double nearest
        // to 0.001 is a little below it, so even -0.001 s is -0.99999999999999999995 ms, whose
        // ceiling is -0 (redis-server blocks forever on BLPOP k -0.001 too).
        assertThat(seconds("-0.0001")).isEqualTo("forever");
        assertThat(seconds("-0.001")).isEqualTo("forever");
        assertThat(seconds("-0.002")).isEqualTo("-ERR timeout is negative");
        assertThat(seconds("abc")).isEqualTo("-ERR timeout is not a float or out of range");
        assertThat(seconds("nan")).isEqualTo("-ERR timeout is not a float or out of range");
        assertThat(seconds(" 1")).isEqualTo("-ERR timeout is not a float or out of range");
        assertThat(seconds("inf")).isEqualTo("-ERR timeout is out of range");
        assertThat(seconds("-inf")).isEqualTo("-ERR timeout is negative");
        assertThat(seconds("0x7FFFFFFFFFFFFF")).isEqualTo("-ERR timeout is out of range");
        // Fits in a long as milliseconds, but not once added to the current time.
        assertThat(seconds("9223372036854775")).isEqualTo("-ERR timeout is out of range");
    }

    @Test
    void millisecondsAreAnInteger() {
        assertThat(millis("0")).isEqualTo("forever");
        assertThat(millis("250")).isEqualTo("+250");
        assertThat(millis("1.5")).isEqualTo("-ERR timeout is not an integer or out of range");
        assertThat(millis("-1")).isEqualTo("-ERR timeout is negative");
        assertThat(millis("9223372036854775807")).isEqualTo("-ERR timeout is out of range");
    }
}
