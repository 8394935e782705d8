package dev.cinnabar.server.persistence.aof;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.persistence.ChunkedSnapshotWriter;
import dev.cinnabar.server.persistence.Snapshot;
import dev.cinnabar.server.persistence.rdb.RdbOutput;
import java.util.List;

/**
 * Serialises a {@link Snapshot} walk as an AOF base in the command format (aof-use-rdb-preamble
 * no): the same commands {@link AofRewriter#writeCommands} writes, produced key by key under
 * the lock and handed to the file between batches, so at most a few chunks of the base are in
 * memory (plus entries captured for databases the walk has not reached).
 */
final class CommandSnapshotWriter extends ChunkedSnapshotWriter {
    private final Server server;
    private final AofRewriter.Out out = new AofRewriter.Out();
    /** Captured entries are each written alone here, then copied out. */
    private final AofRewriter.Out scratch = new AofRewriter.Out();

    CommandSnapshotWriter(Server server, RdbOutput.Sink sink) {
        super(sink);
        this.server = server;
    }

    @Override
    public void start() {
        AofRewriter.writeHead(server, out);
    }

    @Override
    public void begin(Database db, long keys, long expires) {
        AofRewriter.writeSelect(out, db);
    }

    @Override
    public void entry(Database db, Object entry) {
        AofRewriter.writeKey(out, entry);
    }

    @Override
    public Object capture(Database db, Object entry) {
        scratch.reset();
        AofRewriter.writeKey(scratch, entry);
        return scratch.toByteArray();
    }

    @Override
    protected void append(byte[] serialised) {
        out.write(serialised);
    }

    @Override
    protected List<byte[]> takeFull(boolean all) {
        return out.takeFull(all);
    }
}
