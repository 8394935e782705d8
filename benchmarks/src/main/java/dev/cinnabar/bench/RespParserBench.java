package dev.cinnabar.bench;

import dev.cinnabar.resp.RespParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Request parsing cost per command: a pipelined batch of 100 SET commands (3 arguments,
 * 16-byte values) parsed from one buffer. Run with {@code -prof gc}: the steady state must
 * allocate nothing per command.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseCompactObjectHeaders"})
public class RespParserBench {
    static final int BATCH = 100;
    private final RespParser parser = new RespParser();
    private ByteBuf input;
    private int length;

    @Setup
    public void setup() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < BATCH; i++) {
            String key = "key:" + (1000000 + i);
            sb.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key)
                    .append("\r\n$16\r\n0123456789abcdef\r\n");
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        length = b.length;
        input = Unpooled.directBuffer(length);
        input.writeBytes(b);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int parseSetBatch() {
        input.setIndex(0, length);
        int n = 0;
        while (parser.parse(input) == RespParser.COMMAND) {
            n += parser.args().size();
        }
        return n;
    }
}
