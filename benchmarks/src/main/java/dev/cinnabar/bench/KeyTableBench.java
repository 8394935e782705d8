package dev.cinnabar.bench;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.KeyTable;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Keyspace table lookups and overwrites on a populated table (key:NNNNNNN, 16-byte values). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseCompactObjectHeaders", "-Xmx2g"})
public class KeyTableBench {
    @Param({"100000", "1000000"})
    public int keys;

    private KeyTable table;
    private byte[][] names;
    private final byte[] value = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
    private int next;

    @Setup
    public void setup() {
        table = new KeyTable();
        names = new byte[keys][];
        for (int i = 0; i < keys; i++) {
            names[i] = ("key:" + (1000000 + i)).getBytes(StandardCharsets.ISO_8859_1);
            table.put(Entries.newString(names[i], value), KeyTable.hash(names[i]));
        }
    }

    private byte[] nextKey() {
        int i = next;
        next = (i + 7919) % keys;
        return names[i];
    }

    @Benchmark
    public Object get() {
        byte[] k = nextKey();
        return table.get(k, 0, k.length, KeyTable.hash(k, 0, k.length));
    }

    /** SET of an existing key: one new packed entry replaces the old one. */
    @Benchmark
    public Object overwrite() {
        byte[] k = nextKey();
        int h = KeyTable.hash(k, 0, k.length);
        return table.put(Entries.newString(k, 0, k.length, value, 0, value.length, Entries.ENC_EMBSTR, -1, 0), h);
    }
}
