package dev.cinnabar.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RespParserTest {

    /** Feeds {@code input} in the given chunk sizes; returns the commands and the final status. */
    static Result feed(byte[] input, int[] chunks, RespParser p) {
        List<List<String>> cmds = new ArrayList<>();
        ByteBuf buf = Unpooled.buffer();
        int pos = 0;
        int status = RespParser.INCOMPLETE;
        int ci = 0;
        outer:
        while (pos < input.length) {
            int n = Math.min(chunks[ci++ % chunks.length], input.length - pos);
            buf.writeBytes(input, pos, n);
            pos += n;
            while (true) {
                status = p.parse(buf);
                if (status == RespParser.COMMAND) {
                    List<String> c = new ArrayList<>();
                    for (int i = 0; i < p.args().size(); i++) {
                        c.add(p.args().latin1(i));
                    }
                    cmds.add(c);
                } else if (status == RespParser.INCOMPLETE) {
                    buf.discardReadBytes();
                    break;
                } else {
                    break outer;
                }
            }
        }
        return new Result(cmds, status, p.error());
    }

    record Result(List<List<String>> commands, int status, String error) {}

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static Result whole(String s) {
        return feed(b(s), new int[] {Integer.MAX_VALUE}, new RespParser());
    }

    @Test
    void multibulkAndInlineCommands() {
        Result r = whole("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nPING\r\nset  a   \"b c\"\r\n");
        assertThat(r.commands()).containsExactly(List.of("SET", "k", "hello"), List.of("PING"), List.of("set", "a", "b c"));
        assertThat(r.status()).isEqualTo(RespParser.INCOMPLETE);
    }

    @Test
    void byteByByteGivesTheSameCommands() {
        String s = "*2\r\n$4\r\nECHO\r\n$10\r\n0123456789\r\n*1\r\n$4\r\nPING\r\nget x\n";
        Result r = feed(b(s), new int[] {1}, new RespParser());
        assertThat(r.commands()).containsExactly(List.of("ECHO", "0123456789"), List.of("PING"), List.of("get", "x"));
    }

    @Test
    void emptyLinesAndNonPositiveCountsAreIgnored() {
        Result r = whole("\r\n*-10\r\n*0\r\nPING\r\n");
        assertThat(r.commands()).containsExactly(List.of("PING"));
    }

    @Test
    void inlineQuotingFollowsRedis() {
        Result r = whole("set \"a\\x41\\n\" 'it\\'s' \"\"\r\n");
        assertThat(r.commands()).containsExactly(List.of("set", "aA\n", "it's", ""));
        assertThat(whole("set \"\"\"test-key\"\"\" test-value\r\n").error())
                .isEqualTo("Protocol error: unbalanced quotes in request");
        assertThat(whole("set \"abc\r\n").error()).isEqualTo("Protocol error: unbalanced quotes in request");
    }

    @Test
    void redisProtocolErrors() {
        assertThat(whole("*3000000000\r\n").error()).isEqualTo("Protocol error: invalid multibulk length");
        assertThat(whole("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n").error())
                .isEqualTo("Protocol error: expected '$', got 'f'");
        assertThat(whole("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n").error()).isEqualTo("Protocol error: invalid bulk length");
        assertThat(whole("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n").error())
                .isEqualTo("Protocol error: invalid bulk length");
        assertThat(whole("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n").error())
                .isEqualTo("Protocol error: invalid bulk length");
        assertThat(whole("*1\r\nfoo\r\n").error()).isEqualTo("Protocol error: expected '$', got 'f'");
        assertThat(whole("*abc\r\n").error()).isEqualTo("Protocol error: invalid multibulk length");
        // Redis string2ll: no leading zeros, no "-0", no '+', at most 20 characters.
        for (String bad : new String[] {"*01\r\n", "*-0\r\n", "*+1\r\n", "*-\r\n", "*1-\r\n", "*\r\n",
                "*000000000000000000001\r\n", "*99999999999999999999\r\n"}) {
            assertThat(whole(bad).error()).as(bad).isEqualTo("Protocol error: invalid multibulk length");
        }
        assertThat(whole("*1\r\n$01\r\nx\r\n").error()).isEqualTo("Protocol error: invalid bulk length");
        assertThat(whole("*1\r\n$0\r\n\r\n").commands()).containsExactly(List.of(""));
    }

    @Test
    void oversizedLinesAreRejected() {
        String big = "A".repeat(RespParser.INLINE_MAX_SIZE + 10);
        assertThat(whole(big).error()).isEqualTo("Protocol error: too big inline request");
        assertThat(whole("*" + big).error()).isEqualTo("Protocol error: too big mbulk count string");
        assertThat(whole("*1\r\n$" + big).error()).isEqualTo("Protocol error: too big bulk count string");
    }

    @Test
    void unauthenticatedLimits() {
        RespParser p = new RespParser();
        p.authRequired(true);
        assertThat(feed(b("*11\r\n"), new int[] {100}, p).error()).isEqualTo("Protocol error: unauthenticated multibulk length");
        p = new RespParser();
        p.authRequired(true);
        assertThat(feed(b("*1\r\n$16385\r\n"), new int[] {100}, p).error())
                .isEqualTo("Protocol error: unauthenticated bulk length");
    }

    @Test
    void protoMaxBulkLenIsEnforced() {
        RespParser p = new RespParser();
        p.protoMaxBulkLen(10);
        assertThat(feed(b("*1\r\n$11\r\n"), new int[] {100}, p).error()).isEqualTo("Protocol error: invalid bulk length");
    }

    @Test
    void queryBufferLimitStopsAGrowingRequest() {
        RespParser p = new RespParser();
        p.queryBufferLimit(1000);
        Result r = feed(b("*1\r\n$5000\r\n" + "x".repeat(2000)), new int[] {100}, p);
        assertThat(r.status()).isEqualTo(RespParser.QUERY_BUFFER_LIMIT);
    }

    @Test
    void largeBulkArrivesInPiecesWithoutUpFrontAllocation() {
        int n = 3_000_000;
        StringBuilder sb = new StringBuilder("*2\r\n$3\r\nSET\r\n$").append(n).append("\r\n");
        RespParser p = new RespParser();
        ByteBuf buf = Unpooled.buffer();
        buf.writeBytes(b(sb.toString()));
        assertThat(p.parse(buf)).isEqualTo(RespParser.INCOMPLETE);
        // Announcing a 3 MB bulk did not make the arena 3 MB.
        assertThat(p.args().arenaCapacity()).isLessThan(n);
        byte[] chunk = new byte[65536];
        java.util.Arrays.fill(chunk, (byte) 'v');
        int sent = 0;
        while (sent < n) {
            int k = Math.min(chunk.length, n - sent);
            buf.writeBytes(chunk, 0, k);
            sent += k;
            assertThat(p.parse(buf)).isEqualTo(RespParser.INCOMPLETE);
            buf.discardReadBytes();
        }
        buf.writeBytes(b("\r\n"));
        assertThat(p.parse(buf)).isEqualTo(RespParser.COMMAND);
        assertThat(p.args().length(1)).isEqualTo(n);
    }

    /** Random pipelines of random binary arguments, fed in random chunk sizes. */
    @Test
    void anySplitGivesTheSameCommands() {
        Random rnd = new Random(7);
        for (int iter = 0; iter < 300; iter++) {
            List<List<String>> cmds = new ArrayList<>();
            int ncmds = 1 + rnd.nextInt(8);
            for (int i = 0; i < ncmds; i++) {
                List<String> c = new ArrayList<>();
                int nargs = 1 + rnd.nextInt(6);
                for (int j = 0; j < nargs; j++) {
                    char[] a = new char[rnd.nextInt(41)];
                    for (int k = 0; k < a.length; k++) {
                        a[k] = (char) rnd.nextInt(256);
                    }
                    c.add(new String(a));
                }
                cmds.add(c);
            }
            int[] chunks = new int[1 + rnd.nextInt(8)];
            for (int i = 0; i < chunks.length; i++) {
                chunks[i] = 1 + rnd.nextInt(64);
            }
            StringBuilder sb = new StringBuilder();
            for (List<String> c : cmds) {
                sb.append('*').append(c.size()).append("\r\n");
                for (String a : c) {
                    sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
                }
            }
            Result r = feed(b(sb.toString()), chunks, new RespParser());
            assertThat(r.commands()).as("iteration %d", iter).isEqualTo(cmds);
            assertThat(r.status()).isEqualTo(RespParser.INCOMPLETE);
        }
    }

    /** Fuzz: random and mutated input never throws; the parser either parses, waits or errs. */
    @Test
    void fuzzNeverThrows() {
        Random rnd = new Random(42);
        byte[] seed = b("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nPING\r\nset a \"b\\x41\" 'c'\r\n");
        for (int iter = 0; iter < 20_000; iter++) {
            byte[] in;
            if (rnd.nextBoolean()) {
                in = seed.clone();
                int muts = 1 + rnd.nextInt(4);
                for (int m = 0; m < muts; m++) {
                    in[rnd.nextInt(in.length)] = (byte) rnd.nextInt(256);
                }
            } else {
                in = new byte[rnd.nextInt(200)];
                rnd.nextBytes(in);
            }
            RespParser p = new RespParser();
            p.protoMaxBulkLen(1 << 20);
            int[] chunks = {1 + rnd.nextInt(16), 1 + rnd.nextInt(64)};
            Result r = feed(in, chunks, p);
            assertThat(r.status()).isIn(RespParser.INCOMPLETE, RespParser.COMMAND, RespParser.PROTOCOL_ERROR);
            if (r.status() == RespParser.PROTOCOL_ERROR) {
                assertThat(r.error()).startsWith("Protocol error: ");
            }
        }
    }
}
