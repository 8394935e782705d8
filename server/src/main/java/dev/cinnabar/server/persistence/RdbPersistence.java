package dev.cinnabar.server.persistence;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.config.SaveParam.SavePoint;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.persistence.rdb.RdbException;
import dev.cinnabar.server.persistence.rdb.RdbInput;
import dev.cinnabar.server.persistence.rdb.RdbLoader;
import dev.cinnabar.server.persistence.rdb.RdbOutput;
import dev.cinnabar.server.persistence.rdb.RdbSnapshotWriter;
import dev.cinnabar.server.persistence.rdb.RdbWriter;
import dev.cinnabar.server.scripting.FunctionLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * RDB files on disk (Redis rdb.c rdbSave / rdbSaveBackground / rdbLoad and serverCron's save
 * points): SAVE writes the data set synchronously under the lock; BGSAVE takes a forkless
 * point-in-time {@link Snapshot} and writes it from a background thread while the server keeps
 * serving. Both write {@code dir/temp-*.rdb}, fsync it, rename it over {@code dir/dbfilename}
 * and fsync the directory, so a crash leaves either the old file or the new one.
 *
 * <p>Everything here runs under the server lock except the background thread's file I/O.
 */
public final class RdbPersistence {
    /** Redis CONFIG_BGSAVE_RETRY_DELAY: seconds between automatic retries after a failure. */
    static final int BGSAVE_RETRY_DELAY = 5;
    /** Redis REDIS_AUTOSYNC_BYTES: rdb-save-incremental-fsync syncs every 4 MB. */
    static final long AUTOSYNC_BYTES = 4L * 1024 * 1024;

    private final Server server;
    private final long pid = ProcessHandle.current().pid();
    /** The running background save, or null. */
    private Background bg;
    private boolean lastBgsaveOk = true;
    /** Unix seconds of the last BGSAVE attempt (Redis lastbgsave_try). */
    private long lastBgsaveTry;
    private long lastBgsaveSeconds = -1;
    private long saves;
    private boolean scheduled;
    private long lastLoadKeysLoaded;
    private long lastLoadKeysExpired;
    private int tempSeq;

    public RdbPersistence(Server server) {
        this.server = server;
    }

    /** dir/dbfilename. */
    public Path file() {
        return server.config.persistence.dir.resolve(server.config.persistence.dbfilename.get());
    }

    // ---- INFO persistence --------------------------------------------------------------------

    public boolean bgsaveInProgress() {
        return bg != null;
    }

    public boolean lastBgsaveOk() {
        return lastBgsaveOk;
    }

    public long lastBgsaveSeconds() {
        return lastBgsaveSeconds;
    }

    /** Seconds the running BGSAVE has taken so far, -1 when none runs. */
    public long currentBgsaveSeconds() {
        return bg == null ? -1 : now() - bg.startSec;
    }

    public long saves() {
        return saves;
    }

    public long keysProcessed() {
        return bg == null ? 0 : bg.snapshot.keysWritten();
    }

    public long keysTotal() {
        return bg == null ? 0 : bg.keysTotal;
    }

    public long lastLoadKeysLoaded() {
        return lastLoadKeysLoaded;
    }

    public long lastLoadKeysExpired() {
        return lastLoadKeysExpired;
    }

    public boolean bgsaveScheduled() {
        return scheduled;
    }

    /**
     * Redis writeCommandsDeniedByDiskError for RDB: with stop-writes-on-bgsave-error, save points
     * and a failed last background save, writes (and PING) are refused with MISCONF.
     */
    public boolean writesDenied() {
        return !lastBgsaveOk && server.config.persistence.stopWritesOnBgsaveError.get()
                && !server.config.persistence.save.get().isEmpty();
    }

    public static final String MISCONF = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to"
            + " persist to disk. Commands that may modify the data set are disabled, because this instance is"
            + " configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error"
            + " option). Please check the Redis logs for details about the RDB error.";

    private long now() {
        return server.clock.millis() / 1000;
    }

    // ---- SAVE ------------------------------------------------------------------------------------

    /** SAVE: counts as a save (rdb_saves) and writes the file. Under the lock. */
    public boolean saveCommand() {
        saves++;
        return save();
    }

    /**
     * Redis rdbSave: the whole data set written to a temporary file under the lock, then moved
     * over dir/dbfilename. Resets the change counter and LASTSAVE on success.
     */
    public boolean save() {
        Path dir = server.config.persistence.dir.path();
        Path tmp = dir.resolve("temp-" + pid + ".rdb");
        try (FileChannel ch = openTemp(tmp)) {
            FileSink sink = new FileSink(ch, server.config.persistence.rdbSaveIncrementalFsync.get());
            RdbOutput out = new RdbOutput(sink);
            RdbWriter.write(server, replicationInfo(), out);
            out.flushToSink();
            ch.force(true);
        } catch (IOException | java.io.UncheckedIOException e) {
            IOException io = e instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) e;
            if (!(io instanceof TempOpenFailed)) {
                server.log.warning("Write error saving DB on disk: " + io.getMessage());
            }
            deleteQuietly(tmp);
            return false;
        }
        if (!moveIntoPlace(tmp)) {
            return false;
        }
        server.log.notice("DB saved on disk");
        server.stats.dirty = 0;
        server.lastSave = now();
        lastBgsaveOk = true;
        return true;
    }

    /** What a saved file tells a restarted replica or master about the stream (rdbPopulateSaveInfo). */
    private RdbWriter.ReplicationInfo replicationInfo() {
        // Replication ids in saved files are not written yet: a restart always resyncs fully.
        return null;
    }

    /** Thrown (and already logged) when the temporary file cannot be created. */
    private static final class TempOpenFailed extends IOException {
        TempOpenFailed(String msg) {
            super(msg);
        }
    }

    private FileChannel openTemp(Path tmp) throws IOException {
        try {
            return FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            server.log.warning("Failed opening the temp RDB file " + tmp.getFileName() + " (in server root dir "
                    + server.config.persistence.dir.get() + ") for saving: " + reason(e));
            throw new TempOpenFailed(e.getMessage());
        }
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        return String.valueOf(e.getMessage());
    }

    /** rename() over the final name, then fsync of the directory (Redis fsyncFileDir). */
    private boolean moveIntoPlace(Path tmp) {
        Path target = file();
        try {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            server.log.warning("Error moving temp DB file " + tmp.getFileName() + " on the final destination "
                    + target.getFileName() + " (in server root dir " + server.config.persistence.dir.get() + "): "
                    + reason(e));
            deleteQuietly(tmp);
            return false;
        }
        try (FileChannel d = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot open directories for sync; the rename itself is done.
        }
        return true;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // nothing more to do
        }
    }

    /** Writes chunks to a channel, syncing every 4 MB under rdb-save-incremental-fsync. */
    private static final class FileSink implements RdbOutput.Sink {
        private final FileChannel ch;
        private final boolean incremental;
        private long sinceSync;

        FileSink(FileChannel ch, boolean incremental) {
            this.ch = ch;
            this.incremental = incremental;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            sinceSync += len;
            if (incremental && sinceSync >= AUTOSYNC_BYTES) {
                ch.force(false);
                sinceSync = 0;
            }
        }
    }

    // ---- BGSAVE ----------------------------------------------------------------------------------

    /**
     * BGSAVE [SCHEDULE] (Redis bgsaveCommand): the reply text, "+" for a status or "-" for an
     * error. Under the lock; {@code inExec}: run from MULTI/EXEC, where Redis only schedules it;
     * {@code schedule}: the SCHEDULE option, which waits for a running AOF rewrite.
     */
    public String bgsaveCommand(boolean inExec, boolean schedule) {
        if (bg != null) {
            return "-ERR Background save already in progress";
        }
        if (server.snapshots.active() || inExec) {
            if (schedule || inExec) {
                scheduled = true;
                return "+Background saving scheduled";
            }
            return "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order"
                    + " to schedule a BGSAVE whenever possible.";
        }
        return startBackground() ? "+Background saving started" : "-ERR";
    }

    /**
     * Redis rdbSaveBackground: takes the snapshot's instant now, under the lock, and writes it
     * from a new thread. Returns false when one is already running.
     */
    public boolean startBackground() {
        if (bg != null || server.snapshots.active()) {
            return false;
        }
        saves++;
        lastBgsaveTry = now();
        scheduled = false;
        Path tmp = server.config.persistence.dir.path().resolve("temp-" + pid + "-" + (++tempSeq) + ".rdb");
        Background b = new Background(tmp);
        bg = b;
        b.dirtyBefore = server.stats.dirty;
        b.startSec = now();
        long total = 0;
        for (Database db : server.dbs()) {
            total += db.size();
        }
        b.keysTotal = total;
        b.writer = new RdbSnapshotWriter(server, replicationInfo(), RdbWriter.VERSION, b);
        b.snapshot = server.snapshots.begin(Snapshots.Job.RDB, b.writer);
        Thread t = new Thread(b::run, "rdb-bgsave");
        t.setDaemon(true);
        server.log.notice("Background saving started");
        t.start();
        return true;
    }

    /** Stops the running BGSAVE, as Redis kills its child (FLUSHALL, SHUTDOWN); under the lock. */
    public void abortBackground() {
        if (bg != null) {
            bg.snapshot.abort();
        }
    }

    /** One background save: the snapshot and its file. */
    private final class Background implements RdbOutput.Sink {
        final Path tmp;
        Snapshot snapshot;
        RdbSnapshotWriter writer;
        long dirtyBefore;
        long startSec;
        long keysTotal;
        private FileChannel ch;
        private FileSink sink;

        Background(Path tmp) {
            this.tmp = tmp;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (ch == null) {
                ch = openTemp(tmp);
                sink = new FileSink(ch, server.config.persistence.rdbSaveIncrementalFsync.get());
            }
            sink.write(b, off, len);
        }

        void run() {
            boolean written = false;
            boolean failed = false;
            try {
                if (snapshot.walk() == Snapshot.Outcome.DONE) {
                    if (ch == null) {
                        ch = openTemp(tmp);
                    }
                    ch.force(true);
                    ch.close();
                    ch = null;
                    written = true;
                }
            } catch (IOException | RuntimeException e) {
                failed = true;
                if (!(e instanceof TempOpenFailed)) {
                    server.log.warning("Write error saving DB on disk: " + e);
                }
            } finally {
                closeQuietly();
            }
            finish(written, failed);
            snapshot.clear();
        }

        private void closeQuietly() {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    // already failing
                }
                ch = null;
            }
        }

        private void finish(boolean written, boolean failed) {
            server.lock.enter();
            try {
                if (written && !snapshot.aborted() && moveIntoPlace(tmp)) {
                    server.log.notice("Background saving terminated with success");
                    server.stats.dirty -= dirtyBefore;
                    server.lastSave = now();
                    lastBgsaveOk = true;
                } else {
                    deleteQuietly(tmp);
                    if (failed || written) {
                        server.log.warning("Background saving error");
                        lastBgsaveOk = false;
                    } else {
                        // Aborted (FLUSHALL, SHUTDOWN...): Redis kills its child with SIGUSR1,
                        // which is not an error.
                        server.log.warning("Background saving terminated by signal 10");
                    }
                }
                lastBgsaveSeconds = now() - startSec;
                bg = null;
                server.snapshots.ended(Snapshots.Job.RDB);
            } finally {
                server.lock.exit();
            }
        }
    }

    // ---- serverCron ------------------------------------------------------------------------------

    /** Whether a failed BGSAVE was long enough ago to try again (or the last one succeeded). */
    private boolean retryAllowed() {
        return now() - lastBgsaveTry > BGSAVE_RETRY_DELAY || lastBgsaveOk;
    }

    /** serverCron's save points, while no background job runs. Under the lock. */
    public void cronSavePoints() {
        if (server.snapshots.active()) {
            return;
        }
        long now = now();
        boolean retryAllowed = retryAllowed();
        for (SavePoint p : server.config.persistence.save.get()) {
            if (server.stats.dirty >= p.changes() && now - server.lastSave > p.seconds() && retryAllowed) {
                server.log.notice(p.changes() + " changes in " + p.seconds() + " seconds. Saving...");
                startBackground();
                break;
            }
        }
    }

    /** serverCron's scheduled BGSAVE (BGSAVE SCHEDULE, or from MULTI), once nothing runs. */
    public void cronScheduled() {
        if (scheduled && !server.snapshots.active() && retryAllowed()) {
            startBackground();
        }
    }

    /**
     * SHUTDOWN / SIGTERM (Redis prepareForShutdown): a running BGSAVE is killed, then the final
     * save when asked or when save points exist. Returns false when that save failed (the
     * server must not exit unless forced). Under the lock.
     */
    public boolean saveForShutdown(boolean save, boolean nosave, boolean force) {
        if (bg != null) {
            server.log.warning("There is a child saving an .rdb. Killing it!");
            abortBackground();
        }
        if ((!server.config.persistence.save.get().isEmpty() && !nosave) || save) {
            server.log.notice("Saving the final RDB snapshot before exiting.");
            if (!save()) {
                if (force) {
                    server.log.warning("Error trying to save the DB. Exit anyway.");
                } else {
                    server.log.warning("Error trying to save the DB, can't exit.");
                    return false;
                }
            }
        }
        return true;
    }

    // ---- loading ---------------------------------------------------------------------------------

    /** Reads a whole file into chunks for {@link RdbInput}. */
    public static List<byte[]> readChunks(Path p) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        try (InputStream in = Files.newInputStream(p)) {
            while (true) {
                byte[] c = in.readNBytes(1 << 20);
                if (c.length == 0) {
                    break;
                }
                chunks.add(c);
                if (c.length < 1 << 20) {
                    break;
                }
            }
        }
        return chunks;
    }

    /**
     * Parses dir/dbfilename; null when it does not exist. Corruption is an {@link RdbException}
     * whose message {@link #logLoadFailure} turns into Redis's log lines.
     */
    public RdbLoader.Result read() throws IOException {
        List<byte[]> chunks;
        try {
            chunks = readChunks(file());
        } catch (NoSuchFileException e) {
            return null;
        }
        return RdbLoader.load(server, new RdbInput(chunks));
    }

    /**
     * Puts a parsed file in the data set (functions first, as they come first in the file), as
     * Redis's loading does: no events, no signals. {@code replaceLibraries}: MERGE semantics.
     * Throws when a library cannot be loaded. Under the lock.
     */
    public void apply(RdbLoader.Result loaded, boolean replaceLibraries) throws FunctionLoader.LoadException {
        for (byte[] code : loaded.functions) {
            server.scripting.loadLibrary(code, replaceLibraries, true);
        }
        for (int i = 0; i < loaded.perDb.size(); i++) {
            Database db = server.db(i);
            for (Object e : loaded.perDb.get(i)) {
                db.loadEntry(e);
            }
        }
        lastLoadKeysLoaded = loaded.keysLoaded;
        lastLoadKeysExpired = loaded.keysExpired;
    }

    /** Redis's "Done loading RDB" line. */
    public void logLoaded(RdbLoader.Result r) {
        if (r.emptyKeysSkipped > 0) {
            server.log.notice("Done loading RDB, keys loaded: " + r.keysLoaded + ", keys expired: " + r.keysExpired
                    + ", empty keys skipped: " + r.emptyKeysSkipped + ".");
        } else {
            server.log.notice("Done loading RDB, keys loaded: " + r.keysLoaded + ", keys expired: " + r.keysExpired
                    + ".");
        }
    }

    /** Redis rdbReportError's lines for a file that cannot be loaded. */
    public void logLoadFailure(RdbException e, long offset) {
        String msg = e.getMessage();
        String reason = msg;
        if (RdbLoader.isTruncation(e)) {
            server.log.warning("Short read or OOM loading DB. Unrecoverable error, aborting now.");
            reason = "Unexpected EOF reading RDB file";
        } else if (msg.startsWith("Wrong RDB checksum")) {
            server.log.warning(msg);
            reason = "RDB CRC error";
        }
        server.log.warning("Internal error in RDB reading offset " + offset + ", function at rdb.c:0 -> " + reason);
        server.log.warning("Terminating server after rdb file reading failure.");
    }

    /**
     * Start-up loading (Redis loadDataFromDisk without AOF): returns false when the file exists
     * but cannot be loaded, after logging why; the process must then exit with status 1.
     */
    public boolean loadAtStartup() {
        long start = System.nanoTime();
        server.lock.enter();
        try {
            RdbLoader.Result r;
            RdbInput in;
            List<byte[]> chunks;
            try {
                chunks = readChunks(file());
            } catch (NoSuchFileException e) {
                return true;
            } catch (IOException e) {
                server.log.warning("Fatal error: can't open the RDB file " + server.config.persistence.dbfilename.get()
                        + " for reading: " + reason(e));
                server.log.warning("Fatal error loading the DB, check server logs. Exiting.");
                return false;
            }
            in = new RdbInput(chunks);
            try {
                r = RdbLoader.load(server, in);
            } catch (RdbException e) {
                logLoadFailure(e, in.consumed());
                return false;
            }
            try {
                apply(r, false);
            } catch (FunctionLoader.LoadException e) {
                server.log.warning("Failed loading library from the RDB file: " + e.getMessage());
                server.log.warning("Fatal error loading the DB, check server logs. Exiting.");
                return false;
            }
            logLoaded(r);
            server.log.notice(String.format("DB loaded from disk: %.3f seconds", (System.nanoTime() - start) / 1e9));
            return true;
        } finally {
            server.lock.exit();
        }
    }
}
