package dev.cinnabar.server.persistence.aof;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.persistence.Snapshot;
import dev.cinnabar.server.persistence.rdb.RdbOutput;
import java.io.IOException;
import java.util.List;

/**
 * Serialises a {@link Snapshot} walk as an AOF base in the command format (aof-use-rdb-preamble
 * no): the same commands {@link AofRewriter#writeCommands} writes, produced key by key under
 * the lock and handed to the file between batches, so at most a few chunks of the base are in
 * memory (plus entries captured for databases the walk has not reached).
 */
final class CommandSnapshotWriter implements Snapshot.Visitor {
    private final Server server;
    private final AofRewriter.Out out = new AofRewriter.Out();
    /** Captured entries are each written alone here, then copied out. */
    private final AofRewriter.Out scratch = new AofRewriter.Out();
    private final RdbOutput.Sink sink;
    private List<byte[]> collected = List.of();
    private boolean finished;

    CommandSnapshotWriter(Server server, RdbOutput.Sink sink) {
        this.server = server;
        this.sink = sink;
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
    public void replay(Database db, Object captured) {
        out.write((byte[]) captured);
    }

    @Override
    public void end(Database db) {
        // nothing: the next SELECT or the end of the file follows
    }

    @Override
    public void finish() {
        finished = true;
    }

    @Override
    public void collect() {
        List<byte[]> taken = out.takeFull(finished);
        if (collected.isEmpty()) {
            collected = taken;
        } else {
            collected.addAll(taken);
        }
    }

    @Override
    public void drain() throws IOException {
        List<byte[]> chunks = collected;
        collected = List.of();
        for (byte[] c : chunks) {
            sink.write(c, 0, c.length);
        }
    }
}
