package dev.cinnabar.server.persistence.rdb;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.persistence.ChunkedSnapshotWriter;
import java.util.List;

/**
 * Serialises a {@link Snapshot} walk as an RDB file: bytes accumulate in an {@link RdbOutput}
 * under the lock, and whole chunks are handed to a {@link RdbOutput.Sink} between batches,
 * without the lock, so at most a few chunks of the image are in memory at any time (plus the
 * captured entries of databases the walk has not reached).
 */
public final class RdbSnapshotWriter extends ChunkedSnapshotWriter {
    private final RdbOutput out = new RdbOutput();
    private final RdbWriter writer;
    /** A second writer for captured entries, each serialised alone into {@link #scratch}. */
    private final RdbOutput scratch = new RdbOutput(4096);
    private final RdbWriter captureWriter;
    private final RdbWriter.ReplicationInfo repl;

    /** Must be created under the lock (it reads the configuration). */
    public RdbSnapshotWriter(Server server, RdbWriter.ReplicationInfo repl, int version, RdbOutput.Sink sink) {
        this(server, repl, version, sink, false);
    }

    /** {@code aofBase}: the image is the base of an append-only file (aux aof-base 1). */
    public RdbSnapshotWriter(Server server, RdbWriter.ReplicationInfo repl, int version, RdbOutput.Sink sink,
            boolean aofBase) {
        super(sink);
        this.writer = RdbWriter.streaming(server, out, version);
        this.writer.aofBase(aofBase);
        this.captureWriter = RdbWriter.streaming(server, scratch, version);
        this.repl = repl;
    }

    @Override
    public void start() {
        writer.header(repl);
        // Same access-data policy for captured entries as for the walk.
        captureWriter.copyPolicy(writer);
    }

    @Override
    public void begin(Database db, long keys, long expires) {
        writer.selectDb(db.id, keys, expires);
    }

    @Override
    public void entry(Database db, Object entry) {
        writer.entry(db, entry);
    }

    @Override
    public Object capture(Database db, Object entry) {
        scratch.reset();
        captureWriter.entry(db, entry);
        return scratch.toByteArray();
    }

    @Override
    protected void footer() {
        writer.footer();
    }

    @Override
    protected void append(byte[] serialised) {
        out.write(serialised);
    }

    @Override
    protected List<byte[]> takeFull(boolean all) {
        return out.takeFull(all);
    }

    /** Bytes produced so far. */
    public long size() {
        return out.size();
    }
}
