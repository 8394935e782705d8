package dev.cinnabar.bench;

import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.resp.RespParser;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Log;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.config.ServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole command path without a socket (Garnet's embedded benchmark idea): a pre-encoded
 * batch of 100 commands goes through parser, dispatcher, handler and reply writer, exactly as a
 * connection's read batch does. {@code -prof gc} shows allocation per command.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseCompactObjectHeaders"})
public class EmbeddedCommandBench {
    static final int BATCH = 100;

    /**
     * LPUSH_LPOP alternates a push and a pop on small lists (so lists stay bounded however long
     * the run); LRANGE reads a whole 10-element list; XADD appends to one stream capped with
     * MAXLEN ~ 10000 (a producer's usual form, so the stream stays bounded).
     */
    @Param({"SET", "GET", "INCR", "PING", "LPUSH_LPOP", "LRANGE", "XADD"})
    public String command;

    private Server server;
    private Client client;
    private RespParser parser;
    private ByteBuf input;
    private int length;

    @Setup(Level.Trial)
    public void setup() {
        server = new Server(new ServerConfig(), Log.silent(), new ServerClock());
        parser = new RespParser();
        client = new Client(server, 1, parser.args(), new ReplyWriter(PooledByteBufAllocator.DEFAULT), null);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < BATCH; i++) {
            String key = "key:" + (1000000 + i);
            switch (command) {
                case "SET" -> sb.append(resp("SET", key, "0123456789abcdef"));
                case "GET" -> sb.append(resp("GET", key));
                case "INCR" -> sb.append(resp("INCR", "counter:" + i));
                case "LPUSH_LPOP" -> sb.append(i % 2 == 0 ? resp("LPUSH", "list:" + (i / 2), "0123456789abcdef")
                        : resp("LPOP", "list:" + (i / 2)));
                case "LRANGE" -> sb.append(resp("LRANGE", "list:" + i, "0", "-1"));
                case "XADD" -> sb.append(resp("XADD", "stream", "MAXLEN", "~", "10000", "*", "field", "0123456789abcdef"));
                default -> sb.append(resp("PING"));
            }
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        length = b.length;
        input = Unpooled.directBuffer(length);
        input.writeBytes(b);
        // Populate so GET hits.
        if (!command.equals("SET")) {
            runBatch(prefill());
        }
    }

    private ByteBuf prefill() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < BATCH; i++) {
            sb.append(resp("SET", "key:" + (1000000 + i), "0123456789abcdef"));
            // Ten elements per list: LPUSH_LPOP keeps it at ten, LRANGE reads them all.
            sb.append(resp("RPUSH", "list:" + i, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"));
        }
        return Unpooled.wrappedBuffer(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String resp(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    private int runBatch(ByteBuf in) {
        int n = 0;
        server.lock.enter();
        try {
            while (parser.parse(in) == RespParser.COMMAND) {
                server.dispatcher.process(client);
                n++;
            }
        } finally {
            server.lock.exit();
        }
        ByteBuf out = client.reply.take();
        if (out != null) {
            out.release();
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int batch() {
        input.setIndex(0, length);
        return runBatch(input);
    }

    @TearDown
    public void tearDown() {
        input.release();
        server.close();
    }
}
