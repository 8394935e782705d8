package dev.cinnabar.server.persistence;

import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.persistence.rdb.RdbOutput;
import java.io.IOException;
import java.util.List;

/**
 * What every file-writing {@link Snapshot.Visitor} shares, whatever its format (RDB image or AOF
 * commands): output accumulates under the lock in chunks, {@link #collect} moves the full ones
 * out at the end of each batch, and {@link #drain} writes them to the sink without the lock, so
 * at most a few chunks are in memory at any time. A captured entry comes back as the bytes it
 * was serialised to, appended in its database's section.
 */
public abstract class ChunkedSnapshotWriter implements Snapshot.Visitor {
    private final RdbOutput.Sink sink;
    private List<byte[]> collected = List.of();
    private boolean finished;

    protected ChunkedSnapshotWriter(RdbOutput.Sink sink) {
        this.sink = sink;
    }

    /** The full chunks written so far (all of it, the partial last one too, when {@code all}). */
    protected abstract List<byte[]> takeFull(boolean all);

    /** Appends bytes {@link #capture} produced. */
    protected abstract void append(byte[] serialised);

    /** The format's closing bytes, if any; runs once, under the lock, after the last database. */
    protected void footer() {}

    @Override
    public final void replay(Database db, Object captured) {
        append((byte[]) captured);
    }

    @Override
    public void end(Database db) {
        // nothing: the next database's header or the end of the file follows
    }

    @Override
    public final void finish() {
        footer();
        finished = true;
    }

    @Override
    public final void collect() {
        List<byte[]> taken = takeFull(finished);
        if (collected.isEmpty()) {
            collected = taken;
        } else {
            collected.addAll(taken);
        }
    }

    @Override
    public final void drain() throws IOException {
        List<byte[]> chunks = collected;
        collected = List.of();
        for (byte[] c : chunks) {
            sink.write(c, 0, c.length);
        }
    }
}
