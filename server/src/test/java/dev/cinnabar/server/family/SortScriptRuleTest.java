package dev.cinnabar.server.family;

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

/**
 * SORT run by a script (Redis CLIENT_SCRIPT): a set sorted BY a constant comes out sorted ALPHA,
 * so scripts see the same result everywhere; lists and sorted sets keep their own order.
 */
class SortScriptRuleTest {
    final Server server = new Server(new ServerConfig(), Log.silent(), new ServerClock());
    final RespParser parser = new RespParser();

    @AfterEach
    void close() {
        server.close();
    }

    private String run(Client c, Object... args) {
        ByteBuf in = Unpooled.wrappedBuffer(RespClient.encode(args));
        assertThat(parser.parse(in)).isEqualTo(RespParser.COMMAND);
        c.args = parser.args();
        server.dispatcher.process(c);
        ByteBuf out = c.reply.take();
        String reply = out == null ? "" : out.toString(StandardCharsets.ISO_8859_1);
        if (out != null) {
            out.release();
        }
        return reply;
    }

    private Client client(boolean script) {
        Client c = new Client(server, script ? 2 : 1, null, new ReplyWriter(UnpooledByteBufAllocator.DEFAULT), null);
        c.authenticated = true;
        c.flags |= Client.FAKE | (script ? Client.SCRIPT : 0);
        return c;
    }

    @Test
    void setsByConstantAreSortedForScripts() {
        Client user = client(false);
        Client script = client(true);
        run(user, "sadd", "s", "c", "a", "b");
        assertThat(run(user, "sort", "s", "by", "nosort")).isEqualTo("*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n");
        assertThat(run(script, "sort", "s", "by", "nosort")).isEqualTo("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
        assertThat(run(script, "sort", "s", "by", "nosort", "desc")).isEqualTo("*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");

        run(user, "zadd", "z", "1", "a", "5", "b", "2", "c", "10", "d", "3", "e");
        assertThat(run(script, "sort", "z", "by", "nosort", "asc"))
                .isEqualTo("*5\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nd\r\n");
        assertThat(run(script, "sort", "z", "by", "nosort", "desc"))
                .isEqualTo("*5\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\ne\r\n$1\r\nc\r\n$1\r\na\r\n");
        run(user, "rpush", "l", "b", "a");
        assertThat(run(script, "sort", "l", "by", "nosort")).isEqualTo("*2\r\n$1\r\nb\r\n$1\r\na\r\n");
    }
}
