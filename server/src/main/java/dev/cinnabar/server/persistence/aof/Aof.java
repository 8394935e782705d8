package dev.cinnabar.server.persistence.aof;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.config.ConfigEnums.AppendFsync;
import dev.cinnabar.server.config.ConfigText;
import dev.cinnabar.server.config.ConfigValueException;
import dev.cinnabar.server.persistence.Snapshot;
import dev.cinnabar.server.persistence.Snapshots;
import dev.cinnabar.server.replication.Propagation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The append-only file (Redis aof.c), in Redis 7's multi-part layout: a directory
 * ({@code dir/appenddirname}) holding one base file (an RDB image, or commands when
 * aof-use-rdb-preamble is off), the incremental files written since, and the manifest that
 * lists them ({@link AofManifest}). A directory we write loads in Redis 7 and one Redis writes
 * loads here.
 *
 * <p><b>Appending.</b> Every execution unit that {@link Propagation} records is handed to
 * {@link #feed}, with this file's own SELECT tracking (Redis aof_selected_db), into an in-memory
 * buffer (Redis aof_buf). The buffer is written to the current incremental file just before the
 * server lock is released ({@link #beforeRelease}, through the lock's release hook), which is
 * before any reply of the commands it holds can be sent: Redis does the same write in
 * beforeSleep. With appendfsync always the file is fsynced there too, so no acknowledged write
 * can be lost; with everysec a background thread fsyncs once a second (Redis's bio job); with
 * no the kernel decides. While appendonly is off nothing here runs: {@link Propagation#active}
 * stays false unless replicas listen.
 *
 * <p><b>Rewriting</b> (BGREWRITEAOF, turning appendonly on, auto-aof-rewrite-*) follows Redis
 * 7's design without its fork: at the start new writes go to a new incremental file and a
 * forkless {@link Snapshot} of the data set is taken at that same instant, under the lock; a
 * background thread walks it into a temp base file a batch of keys at a time while commands
 * keep running ({@link AofRewriter#baseWriter}); when it is on disk the manifest switches to
 * the new base plus the new incremental file and the previous files are deleted. Only one
 * snapshot job runs at a time ({@link Snapshots}): a rewrite asked for during a BGSAVE is
 * scheduled.
 *
 * <p><b>Loading</b> is {@link AofLoader}: at start-up when appendonly is yes (the AOF wins
 * over an RDB file), and for DEBUG LOADAOF.
 *
 * <p>Accessed with the server lock held, except where a field says otherwise.
 */
public final class Aof {
    /** Redis aof_state. */
    public enum State { OFF, ON, WAIT_REWRITE }

    /** Redis AOF_* load results. */
    public static final int OK = 0;
    public static final int NOT_EXIST = 1;
    public static final int EMPTY = 2;
    public static final int OPEN_ERR = 3;
    public static final int FAILED = 4;
    public static final int TRUNCATED = 5;

    /**
     * RDB version of base files: 10 (Redis 7.0's), which Redis 7.2 also loads, so a directory
     * written here loads in either. Version 11 only adds SET_LISTPACK (small sets load back as
     * listpacks from the plain format anyway) and consumers' active-time, which a 7.2 loader
     * then takes from their seen-time.
     */
    static final int BASE_RDB_VERSION = 10;

    private final Server server;
    private State state = State.OFF;
    AofManifest manifest;
    /** The incremental file being appended to, or null. */
    private FileChannel channel;
    /** Redis aof_buf. */
    private final ByteBuf buf = Unpooled.directBuffer(16 * 1024);
    /** Capacity the buffer keeps between writes. */
    private static final int BUF_KEEP = 1 << 20;
    /** Redis aof_selected_db. */
    private int selectedDb = -1;
    /** Unix time (s) of the last timestamp annotation (Redis aof_cur_timestamp). */
    private long curTimestamp;
    /** Redis aof_current_size, aof_rewrite_base_size, aof_last_incr_size. */
    long currentSize;
    long baseSize;
    private long lastIncrSize;
    /** Size of the incremental file up to which an fsync was issued (Redis aof_last_incr_fsync_offset). */
    private long lastIncrFsyncOffset;
    /** Unix time (s) of the last fsync issued (Redis aof_last_fsync). */
    private long lastFsync;
    private boolean lastWriteOk = true;
    /** Set by the background fsync thread. */
    private volatile boolean bioFsyncOk = true;
    private final AtomicInteger pendingFsyncs = new AtomicInteger();
    private long delayedFsync;
    private long flushPostponedStart;
    /** Rewrite bookkeeping (Redis aof_rewrite_*, stat_aof_rewrites...). */
    private AofRewriter.Job rewrite;
    private boolean rewriteScheduled;
    private long rewriteTimeStart = -1;
    private long rewriteTimeLast = -1;
    private long rewrites;
    private long consecutiveFailures;
    private boolean lastBgrewriteOk = true;
    /**
     * Redis fsynced_reploff: the replication offset up to which the AOF is known to be on disk
     * (WAITAOF's local count); -1 while appendonly is off, 0 until a first rewrite is done.
     */
    private long fsyncedReploff = -1;
    /** Redis fsynced_reploff_pending: set by whoever completes an fsync (the bio thread too). */
    private final AtomicLong fsyncedReploffPending = new AtomicLong();
    /** Numbers the temp base files (Redis names them after the child's pid). */
    private int rewriteSeq;
    /** Redis's bio thread for AOF fsyncs and closes, and the rewrite writer; created on first use. */
    private ExecutorService bio;
    /** State of {@link AofRewriter#limited}. */
    final AofRewriter.Limit limit = new AofRewriter.Limit();

    public Aof(Server server) {
        this.server = server;
        server.lock.onRelease(this::beforeRelease);
        server.config.addApplyHook(this::appendonlyChanged, server.config.persistence.appendonly);
    }

    /** Whether any background snapshot job runs, this file's rewrite included (Redis hasActiveChildProcess). */
    private boolean childActive() {
        return server.snapshots.active();
    }

    /** Whether a background job other than a rewrite runs (a BGSAVE). */
    private boolean otherJobActive() {
        Snapshots.Job j = server.snapshots.running();
        return j != null && j != Snapshots.Job.AOF;
    }

    /** WAITAOF's local count for {@code offset}: 1 once the AOF holds it on disk. */
    public int fsyncedLocally(long offset) {
        return fsyncedReploff >= offset ? 1 : 0;
    }

    /** Redis fsynced_reploff (INFO, tests). */
    public long fsyncedReploff() {
        return fsyncedReploff;
    }

    /**
     * Redis beforeSleep: takes the offset the last completed fsync covered (once the AOF is on
     * and a first base exists) and answers the WAITAOF clients it satisfies.
     */
    private void updateFsyncedReploff() {
        if (state == State.ON && fsyncedReploff != -1) {
            long p = fsyncedReploffPending.get();
            if (p != fsyncedReploff) {
                fsyncedReploff = p;
                wakeWaiters();
            }
        }
    }

    /**
     * WAITAOF clients may be answerable (an fsync completed, or appendonly went off): checked
     * from the event loop, outside whatever holds the lock now.
     */
    private void wakeWaiters() {
        if (server.blocking.hasReplicaWaiters()) {
            server.execute(() -> server.runLocked(server.blocking::replicasAcknowledged));
        }
    }

    /** The bio thread finished an fsync of everything up to replication offset {@code offset}. */
    private void bioFsynced(long offset) {
        fsyncedReploffPending.set(offset);
        if (server.blocking.hasReplicaWaiters()) {
            server.execute(() -> server.runLocked(this::updateFsyncedReploff));
        }
    }

    public State state() {
        return state;
    }

    public boolean rewriteInProgress() {
        return rewrite != null;
    }

    // ---- paths -----------------------------------------------------------------------------------

    String fileName() {
        return server.config.persistence.appendfilename.get();
    }

    /** The append-only directory, resolved against dir. */
    Path dirPath() {
        return server.config.persistence.dir.resolve(server.config.persistence.appenddirname.get());
    }

    Path inDir(String name) {
        return dirPath().resolve(ConfigText.toPath(name));
    }

    private String tempIncrName() {
        return "temp-" + fileName() + ".incr";
    }

    // ---- appending -----------------------------------------------------------------------------

    private static final byte[] MULTI = Ascii.bytes("*1\r\n$5\r\nMULTI\r\n");
    private static final byte[] EXEC = Ascii.bytes("*1\r\n$4\r\nEXEC\r\n");

    /**
     * One execution unit to append (Redis feedAppendOnlyFile per propagated command): an
     * optional timestamp annotation, MULTI when {@code transaction}, the unit with the SELECTs
     * this file needs, EXEC.
     */
    public void feed(Propagation p, boolean transaction) {
        if (state == State.OFF || (state == State.WAIT_REWRITE && rewrite == null)) {
            return;
        }
        if (server.config.persistence.aofTimestampEnabled.get()) {
            long now = server.clock.millis() / 1000;
            if (curTimestamp < now) {
                curTimestamp = now;
                buf.writeBytes(timestampAnnotation(now));
            }
        }
        if (transaction) {
            buf.writeBytes(MULTI);
        }
        ByteBuf u = p.unitFor(selectedDb);
        buf.writeBytes(u, u.readerIndex(), u.readableBytes());
        selectedDb = p.dbAfter(selectedDb);
        if (transaction) {
            buf.writeBytes(EXEC);
        }
        server.lock.releaseWork();
    }

    /** "#TS:&lt;unix time&gt;\r\n" (Redis genAofTimestampAnnotationIfNeeded). */
    static byte[] timestampAnnotation(long unixSeconds) {
        return ("#TS:" + unixSeconds + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The lock's release hook: what the commands run under it appended reaches the file. */
    private void beforeRelease() {
        if (buf.isReadable()) {
            flush(false);
        }
        updateFsyncedReploff();
    }

    /**
     * Writes the buffer to the incremental file and fsyncs as appendfsync asks (Redis
     * flushAppendOnlyFile). {@code force} writes even while a background fsync is slow.
     */
    void flush(boolean force) {
        AppendFsync policy = server.config.persistence.appendfsync.get();
        long nowSec = server.clock.millis() / 1000;
        boolean syncInProgress = false;
        if (!buf.isReadable()) {
            // Nothing new, but an everysec fsync may still be due for what was written before.
            if (policy == AppendFsync.EVERYSEC && lastIncrFsyncOffset != lastIncrSize && nowSec > lastFsync
                    && pendingFsyncs.get() == 0) {
                trySync(policy, nowSec, false);
            } else if (policy == AppendFsync.ALWAYS && lastIncrFsyncOffset != lastIncrSize) {
                trySync(policy, nowSec, false);
            }
            return;
        }
        if (channel == null) {
            return; // WAIT_REWRITE before the temp file exists, or a failed open: kept for later
        }
        if (policy == AppendFsync.EVERYSEC) {
            syncInProgress = pendingFsyncs.get() != 0;
        }
        if (policy == AppendFsync.EVERYSEC && !force && syncInProgress) {
            // A slow fsync holds the file: postpone the write up to two seconds (Redis does
            // the same, since a write(2) would block behind the fsync).
            if (flushPostponedStart == 0) {
                flushPostponedStart = nowSec;
                return;
            } else if (nowSec - flushPostponedStart < 2) {
                return;
            }
            delayedFsync++;
            server.log.notice("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer "
                    + "without waiting for fsync to complete, this may slow down Redis.");
        }
        long sleep = server.debug.aofFlushSleep;
        if (sleep > 0) {
            try {
                Thread.sleep(sleep / 1000, (int) (sleep % 1000) * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long start = System.nanoTime();
        int len = buf.readableBytes();
        int written = 0;
        IOException error = null;
        try {
            ByteBuffer nio = buf.nioBuffer(buf.readerIndex(), len);
            while (nio.hasRemaining()) {
                written += channel.write(nio);
            }
        } catch (IOException e) {
            error = e;
        }
        server.ops.latencySample(syncInProgress ? "aof-write-pending-fsync" : "aof-write-alone",
                (System.nanoTime() - start) / 1_000_000);
        server.ops.latencySample("aof-write", (System.nanoTime() - start) / 1_000_000);
        flushPostponedStart = 0;
        if (error != null) {
            writeFailed(error, written, policy);
            return;
        }
        if (!lastWriteOk) {
            server.log.notice("AOF write error looks solved, Redis can write again.");
            lastWriteOk = true;
        }
        currentSize += written;
        lastIncrSize += written;
        buf.clear();
        if (buf.capacity() > BUF_KEEP) {
            buf.capacity(BUF_KEEP);
        }
        trySync(policy, nowSec, syncInProgress);
    }

    private long lastWriteErrorLog;

    private void writeFailed(IOException e, int written, AppendFsync policy) {
        long now = server.clock.millis() / 1000;
        if (now - lastWriteErrorLog > 30) {
            lastWriteErrorLog = now;
            server.log.warning("Error writing to the AOF file: " + ConfigText.strerror(e));
        }
        if (written > 0) {
            // Undo the partial write so the file keeps whole commands only.
            try {
                channel.truncate(lastIncrSize);
                written = 0;
            } catch (IOException t) {
                server.log.warning("Could not remove short write from the append-only file.  Redis may refuse to load "
                        + "the AOF the next time it starts.  ftruncate: " + ConfigText.strerror(t));
            }
        }
        lastWriteOk = false;
        if (written > 0) {
            currentSize += written;
            lastIncrSize += written;
            buf.skipBytes(written);
        }
        if (policy == AppendFsync.ALWAYS) {
            // The replies are already computed: without the file they would acknowledge
            // writes that may be lost. Redis exits here.
            server.log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
            fatalExit();
        }
    }

    private void trySync(AppendFsync policy, long nowSec, boolean syncInProgress) {
        if (server.config.persistence.noAppendfsyncOnRewrite.get() && childActive()) {
            return;
        }
        if (policy == AppendFsync.ALWAYS) {
            long start = System.nanoTime();
            try {
                channel.force(false);
            } catch (IOException e) {
                server.log.warning("Can't persist AOF for fsync error when the AOF fsync policy is 'always': "
                        + ConfigText.strerror(e) + ". Exiting...");
                fatalExit();
            }
            server.ops.latencySample("aof-fsync-always", (System.nanoTime() - start) / 1_000_000);
            lastIncrFsyncOffset = lastIncrSize;
            lastFsync = nowSec;
            fsyncedReploffPending.set(server.replication.offset());
        } else if (policy == AppendFsync.EVERYSEC && nowSec > lastFsync) {
            if (!syncInProgress) {
                backgroundFsync(channel, false);
                lastIncrFsyncOffset = lastIncrSize;
            }
            lastFsync = nowSec;
        }
    }

    /** Redis exit(1) where losing acknowledged writes is the alternative. */
    private static void fatalExit() {
        Runtime.getRuntime().halt(1);
    }

    private synchronized ExecutorService bio() {
        if (bio == null) {
            bio = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "aof-bio");
                t.setDaemon(true);
                return t;
            });
        }
        return bio;
    }

    /** Redis aof_background_fsync (and _and_close): fsync on the background thread. */
    private void backgroundFsync(FileChannel ch, boolean close) {
        pendingFsyncs.incrementAndGet();
        long offset = server.replication.offset();
        bio().execute(() -> {
            try {
                ch.force(false);
                bioFsyncOk = true;
                bioFsynced(offset);
            } catch (IOException e) {
                bioFsyncOk = false;
                server.log.warning("Fail to fsync the AOF file: " + ConfigText.strerror(e));
            } finally {
                pendingFsyncs.decrementAndGet();
                if (close) {
                    closeQuietly(ch);
                }
            }
        });
    }

    static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }

    /** serverCron: a scheduled rewrite starts once no background job runs. */
    public void cronScheduledRewrite() {
        if (rewriteScheduled && !childActive() && !AofRewriter.limited(this)) {
            startRewrite();
        }
    }

    /** serverCron: the automatic rewrite on growth (auto-aof-rewrite-*), when nothing runs. */
    public void cronAutoRewrite() {
        long pct = server.config.persistence.autoAofRewritePercentage.get();
        if (state == State.ON && !childActive() && pct != 0
                && currentSize > server.config.persistence.autoAofRewriteMinSize.get()) {
            long base = baseSize != 0 ? baseSize : 1;
            long growth = (currentSize * 100 / base) - 100;
            if (growth >= pct && !AofRewriter.limited(this)) {
                server.log.notice("Starting automatic rewriting of AOF on " + growth + "% growth");
                startRewrite();
            }
        }
    }

    /** serverCron's flushing part (postponed writes, an everysec fsync due, WAITAOF progress). */
    public void cron() {
        if (state != State.OFF) {
            // Writes that were postponed, and an everysec fsync due with nothing new to write.
            flush(false);
            updateFsyncedReploff();
        }
    }

    // ---- turning it on and off -------------------------------------------------------------------

    /** CONFIG SET appendonly (Redis updateAppendonly). */
    private void appendonlyChanged() throws ConfigValueException {
        boolean enabled = server.config.persistence.appendonly.get();
        if (!enabled && state != State.OFF) {
            stop();
        } else if (enabled && state == State.OFF) {
            if (!start()) {
                throw new ConfigValueException("Unable to turn on AOF. Check server logs.");
            }
        }
    }

    /** Redis startAppendOnly: the file becomes usable when the rewrite this starts ends. */
    boolean start() {
        setState(State.WAIT_REWRITE);
        if (otherJobActive()) {
            rewriteScheduled = true;
            server.log.notice("AOF was enabled but there is already another background operation. An AOF background was "
                    + "scheduled to start when possible.");
        } else if (server.transactions.executing()) {
            rewriteScheduled = true;
            server.log.notice("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
        } else {
            if (rewrite != null) {
                server.log.notice("AOF was enabled but there is already an AOF rewriting in background. Stopping background "
                        + "AOF and starting a rewrite now.");
                killRewrite();
            }
            if (!startRewrite()) {
                setState(State.OFF);
                server.log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. "
                        + "Check the above logs for more info about the error.");
                return false;
            }
        }
        lastFsync = server.clock.millis() / 1000;
        if (!bioFsyncOk) {
            server.log.warning("AOF reopen, just ignore the AOF fsync error in bio job");
            bioFsyncOk = true;
        }
        if (!lastWriteOk) {
            server.log.warning("AOF reopen, just ignore the last error.");
            lastWriteOk = true;
        }
        return true;
    }

    /** Redis stopAppendOnly. */
    void stop() {
        flush(true);
        if (channel != null) {
            try {
                channel.force(false);
                lastFsync = server.clock.millis() / 1000;
            } catch (IOException e) {
                server.log.warning("Fail to fsync the AOF file: " + ConfigText.strerror(e));
            }
            closeQuietly(channel);
            channel = null;
        }
        selectedDb = -1;
        setState(State.OFF);
        rewriteScheduled = false;
        lastIncrSize = 0;
        lastIncrFsyncOffset = 0;
        fsyncedReploff = -1;
        fsyncedReploffPending.set(0);
        killRewrite();
        buf.clear();
        // WAITAOF clients waiting for a local fsync now get an error.
        wakeWaiters();
    }

    private void setState(State s) {
        state = s;
        server.replication.propagation.aofFeeding(s != State.OFF);
    }

    /** The server stops: what is buffered reaches the disk (Redis prepareForShutdown). */
    public void close() {
        if (state != State.OFF) {
            flush(true);
            if (channel != null) {
                try {
                    channel.force(false);
                } catch (IOException e) {
                    server.log.warning("Fail to fsync the AOF file: " + ConfigText.strerror(e));
                }
                closeQuietly(channel);
                channel = null;
            }
        }
        killRewrite();
        ExecutorService b;
        synchronized (this) {
            b = bio;
        }
        if (b != null) {
            b.shutdown();
            try {
                b.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- start-up ---------------------------------------------------------------------------------

    /**
     * Start-up with appendonly yes (Redis loadDataFromDisk + aofOpenIfNeededOnServerStart):
     * loads the files, then opens the last incremental file for appending (creating a base
     * first when there is nothing at all). Throws {@link AofException} where Redis exits.
     */
    public void startup() throws AofException {
        if (!server.config.persistence.appendonly.get()) {
            return;
        }
        setState(State.ON);
        fsyncedReploff = 0;
        manifest = AofLoader.loadManifestFromDisk(this);
        long start = System.nanoTime();
        int ret = AofLoader.loadAppendOnlyFiles(this, manifest);
        if (ret == FAILED || ret == OPEN_ERR) {
            throw new AofException("AOF loading failed");
        }
        if (ret != NOT_EXIST) {
            server.log.notice(String.format("DB loaded from append only file: %.3f seconds",
                    (System.nanoTime() - start) / 1e9));
        }
        openOnServerStart();
    }

    private void openOnServerStart() throws AofException {
        Path dir = dirPath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            server.log.warning("Can't open or create append-only dir " + server.config.persistence.appenddirname.get()
                    + ": " + ConfigText.strerror(e));
            throw new AofException("append-only dir");
        }
        boolean hadIncr = !manifest.incr.isEmpty();
        if (manifest.base == null && manifest.incr.isEmpty()) {
            String name = manifest.newBase(fileName(), server.config.persistence.aofUseRdbPreamble.get());
            // Written aside and renamed into place (Redis rewriteAppendOnlyFile), so a crash
            // here never leaves a half-written base behind.
            Path tmp = server.config.persistence.dir.resolve("temp-rewriteaof-" + ProcessHandle.current().pid() + ".aof");
            try {
                AofRewriter.writeFile(AofRewriter.startupImage(this), tmp);
                Files.move(tmp, inDir(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                deleteQuietly(tmp);
                server.log.warning("Write error writing append only file on disk: " + ConfigText.strerror(e));
                throw new AofException("base");
            }
            server.log.notice("Creating AOF base file " + name + " on server start");
        }
        String name = manifest.lastIncr(fileName());
        try {
            channel = FileChannel.open(inDir(name), StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            lastIncrSize = channel.size();
        } catch (IOException e) {
            server.log.warning("Can't open the append-only file " + name + ": " + ConfigText.strerror(e));
            throw new AofException("open");
        }
        if (!persistManifest(manifest)) {
            throw new AofException("manifest");
        }
        lastIncrFsyncOffset = lastIncrSize;
        if (hadIncr) {
            server.log.notice("Opening AOF incr file " + name + " on server start");
        } else {
            server.log.notice("Creating AOF incr file " + name + " on server start");
        }
    }

    /** Not loadable, or not writable where Redis gives up (exit(1) at start-up). */
    public static final class AofException extends Exception {
        public AofException(String message) {
            super(message);
        }
    }

    // ---- the manifest on disk -----------------------------------------------------------------------

    /** Writes a manifest to a temp file, fsyncs it and renames it over the old one (Redis writeAofManifestFile). */
    boolean persistManifest(AofManifest m) {
        String name = fileName() + ".manifest";
        String tmpName = "temp-" + name;
        Path tmp = inDir(tmpName);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(m.format().getBytes(StandardCharsets.ISO_8859_1));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            server.log.warning("Can't open the AOF manifest file " + tmpName + ": " + ConfigText.strerror(e));
            return false;
        }
        try {
            Files.move(tmp, inDir(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            server.log.warning("Error trying to rename the temporary AOF manifest file " + tmpName + " into " + name + ": "
                    + ConfigText.strerror(e));
            return false;
        }
        fsyncDir(dirPath());
        return true;
    }

    /** Makes the directory's new entries durable (Redis fsyncFileDir). */
    static void fsyncDir(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException e) {
            // Not every file system lets a directory be opened for fsync; the rename stands.
        }
    }

    /** Deletes the history files and records that in the manifest (Redis aofDelHistoryFiles). */
    boolean deleteHistory() {
        if (manifest == null || server.config.persistence.aofDisableAutoGc.get() || manifest.history.isEmpty()) {
            return true;
        }
        for (AofManifest.FileInfo f : List.copyOf(manifest.history)) {
            server.log.notice("Removing the history file " + f.name() + " in the background");
            Path p = inDir(f.name());
            bio().execute(() -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a leftover history file is harmless
                }
            });
        }
        manifest.history.clear();
        return persistManifest(manifest);
    }

    // ---- rewriting --------------------------------------------------------------------------------

    /** BGREWRITEAOF (Redis bgrewriteaofCommand): the reply, as a status or an error ("-..."). */
    public String bgrewriteaof() {
        if (rewrite != null) {
            return "-ERR Background append only file rewriting already in progress";
        }
        if (childActive() || server.transactions.executing()) {
            rewriteScheduled = true;
            consecutiveFailures = 0;
            return "Background append only file rewriting scheduled";
        }
        if (startRewrite()) {
            return "Background append only file rewriting started";
        }
        return "-ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
    }

    /** Redis rewriteAppendOnlyFileBackground. */
    boolean startRewrite() {
        if (rewrite != null || childActive()) {
            return false;
        }
        try {
            Files.createDirectories(dirPath());
        } catch (IOException e) {
            server.log.warning("Can't open or create append-only dir " + server.config.persistence.appenddirname.get()
                    + ": " + ConfigText.strerror(e));
            lastBgrewriteOk = false;
            return false;
        }
        if (manifest == null) {
            // Turned on at runtime: the directory's current state (Redis loads it at start-up
            // whatever appendonly says).
            try {
                manifest = AofLoader.loadManifestFromDisk(this);
            } catch (AofException e) {
                lastBgrewriteOk = false;
                return false;
            }
        }
        selectedDb = -1; // the next command written selects its database
        flush(true);
        if (!openNewIncr()) {
            lastBgrewriteOk = false;
            return false;
        }
        if (state == State.WAIT_REWRITE) {
            // Redis bioDrainWorker: an fsync of the previous file must not move the offset
            // after this one is set; the offset becomes valid when the rewrite is done.
            drainBio();
            fsyncedReploffPending.set(server.replication.offset());
            fsyncedReploff = 0;
        }
        rewrites++;
        rewriteScheduled = false;
        rewriteTimeStart = server.clock.millis() / 1000;
        // Each rewrite its own temp file: an abandoned one's thread may still be finishing.
        Path tmp = server.config.persistence.dir.resolve("temp-rewriteaof-bg-" + ProcessHandle.current().pid() + "-"
                + (++rewriteSeq) + ".aof");
        AofRewriter.Job job = new AofRewriter.Job(server.config.persistence.aofUseRdbPreamble.get(), tmp);
        AofRewriter.BaseFile file = new AofRewriter.BaseFile(tmp, server.config.persistence.aofRewriteIncrementalFsync.get());
        rewrite = job;
        job.snapshot = server.snapshots.begin(Snapshots.Job.AOF, AofRewriter.baseWriter(server, job.rdbPreamble, file));
        server.log.notice("Background append only file rewriting started");
        Thread t = new Thread(() -> writeBase(job, file), "aof-rewrite");
        t.setDaemon(true);
        t.start();
        return true;
    }

    /** The rewrite's thread: walks the snapshot into the temp file, then hands the result over. */
    private void writeBase(AofRewriter.Job job, AofRewriter.BaseFile file) {
        boolean ok = false;
        boolean aborted = false;
        try {
            if (job.snapshot.walk() == Snapshot.Outcome.DONE) {
                file.finish();
                ok = true;
            } else {
                aborted = true;
            }
        } catch (IOException | RuntimeException e) {
            server.log.warning("Write error writing append only file on disk: "
                    + (e instanceof IOException io ? ConfigText.strerror(io) : e.toString()));
        } finally {
            file.closeQuietly();
        }
        boolean success = ok;
        boolean interrupted = aborted;
        server.runLocked(() -> rewriteDone(job, success, interrupted));
        job.snapshot.clear();
    }

    /** Waits for the fsyncs and closes queued on the bio thread (Redis bioDrainWorker). */
    private void drainBio() {
        try {
            bio().submit(() -> { }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // a no-op cannot fail
        }
    }

    /** Redis openNewIncrAofForAppend. */
    private boolean openNewIncr() {
        if (state == State.OFF) {
            return true;
        }
        AofManifest temp = null;
        String name;
        if (state == State.WAIT_REWRITE) {
            name = tempIncrName();
        } else {
            temp = manifest.copy();
            name = temp.newIncr(fileName());
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(inDir(name), StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            server.log.warning("Can't open the append-only file " + name + ": " + ConfigText.strerror(e));
            return false;
        }
        if (temp != null && !persistManifest(temp)) {
            closeQuietly(ch);
            return false;
        }
        server.log.notice("Creating AOF incr file " + name + " on background rewrite");
        if (channel != null) {
            backgroundFsync(channel, true);
            lastFsync = server.clock.millis() / 1000;
        }
        channel = ch;
        lastIncrSize = 0;
        lastIncrFsyncOffset = 0;
        if (temp != null) {
            manifest = temp;
        }
        return true;
    }

    /** Abandons a running rewrite (Redis killAppendOnlyChild). */
    private void killRewrite() {
        if (rewrite == null) {
            return;
        }
        server.log.notice("Killing running AOF rewrite child: " + ProcessHandle.current().pid());
        rewrite.cancelled = true;
        rewrite.snapshot.abort();
        rewrite = null;
        rewriteTimeStart = -1;
        server.snapshots.ended(Snapshots.Job.AOF);
    }

    /**
     * Redis backgroundRewriteDoneHandler, under the lock once the new base is on disk.
     * {@code aborted}: FLUSHALL, FLUSHDB or SWAPDB replaced tables under the walk, which cannot
     * go on; unlike a failure this only starts the rewrite over (Redis's child would have kept
     * its own copy of the old data), so it is neither an error nor counted as one.
     */
    private void rewriteDone(AofRewriter.Job job, boolean ok, boolean aborted) {
        Path tmp = job.tmp;
        if (job.cancelled || rewrite != job) {
            deleteQuietly(tmp);
            return;
        }
        rewrite = null;
        server.snapshots.ended(Snapshots.Job.AOF);
        if (aborted) {
            server.log.notice("Background AOF rewrite interrupted by a change of the whole data set: starting over");
            deleteQuietly(tmp);
            rewriteScheduled = true;
            rewriteTimeLast = server.clock.millis() / 1000 - rewriteTimeStart;
            rewriteTimeStart = -1;
            return;
        }
        if (ok) {
            server.log.notice("Background AOF rewrite terminated with success");
            ok = installRewrite(job, tmp);
        } else {
            server.log.warning("Background AOF rewrite terminated with error");
        }
        if (ok) {
            lastBgrewriteOk = true;
            consecutiveFailures = 0;
            server.log.notice("Background AOF rewrite finished successfully");
        } else {
            lastBgrewriteOk = false;
            consecutiveFailures++;
        }
        deleteQuietly(tmp);
        if (state == State.WAIT_REWRITE) {
            // The rewrite failed: what was collected meanwhile is useless without its base.
            buf.clear();
            if (channel != null) {
                closeQuietly(channel);
                channel = null;
            }
            server.log.notice("Removing the temp incr aof file " + tempIncrName() + " in the background");
            deleteQuietly(inDir(tempIncrName()));
            rewriteScheduled = true;
        }
        rewriteTimeLast = server.clock.millis() / 1000 - rewriteTimeStart;
        rewriteTimeStart = -1;
    }

    private boolean installRewrite(AofRewriter.Job job, Path tmp) {
        AofManifest temp = manifest.copy();
        String baseName = temp.newBase(fileName(), job.rdbPreamble);
        Path basePath = inDir(baseName);
        try {
            Files.move(tmp, basePath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            server.log.warning("Error trying to rename the temporary AOF base file " + tmp.getFileName() + " into "
                    + baseName + ": " + ConfigText.strerror(e));
            return false;
        }
        server.log.notice("Successfully renamed the temporary AOF base file " + tmp.getFileName() + " into " + baseName);
        Path newIncrPath = null;
        if (state == State.WAIT_REWRITE) {
            String incrName = temp.newIncr(fileName());
            newIncrPath = inDir(incrName);
            try {
                // The channel stays open across the rename: it keeps appending to the same file.
                Files.move(inDir(tempIncrName()), newIncrPath, StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                server.log.warning("Error trying to rename the temporary AOF incr file " + tempIncrName() + " into "
                        + incrName + ": " + ConfigText.strerror(e));
                deleteQuietly(basePath);
                return false;
            }
            server.log.notice("Successfully renamed the temporary AOF incr file " + tempIncrName() + " into " + incrName);
        }
        temp.markRewrittenIncrAsHistory(channel != null);
        if (!persistManifest(temp)) {
            deleteQuietly(basePath);
            if (newIncrPath != null) {
                deleteQuietly(newIncrPath);
            }
            return false;
        }
        manifest = temp;
        if (state != State.OFF) {
            long size;
            try {
                size = Files.size(basePath);
            } catch (IOException e) {
                size = 0;
            }
            currentSize = size + lastIncrSize;
            baseSize = currentSize;
        }
        deleteHistory();
        if (state == State.WAIT_REWRITE) {
            setState(State.ON);
            // The offset taken when the rewrite started (or a later fsync's) is now on disk.
            fsyncedReploff = fsyncedReploffPending.get();
            wakeWaiters();
        }
        return true;
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }

    // ---- DEBUG LOADAOF -------------------------------------------------------------------------------

    /**
     * DEBUG LOADAOF (Redis debug.c): flushes the buffer, empties the data set and loads the
     * files back. Returns null when done, or the error to reply.
     */
    public String debugLoadAof() {
        if (state != State.OFF) {
            flush(true);
        }
        AofLoader.emptyData(server);
        try {
            manifest = AofLoader.loadManifestFromDisk(this);
        } catch (AofException e) {
            return "ERR Error trying to load the AOF files, check server logs.";
        }
        deleteHistory();
        int ret = AofLoader.loadAppendOnlyFiles(this, manifest);
        if (ret != OK && ret != EMPTY) {
            return "ERR Error trying to load the AOF files, check server logs.";
        }
        server.stats.dirty = 0;
        server.log.notice("Append Only File loaded by DEBUG LOADAOF");
        return null;
    }

    // ---- INFO persistence ------------------------------------------------------------------------------

    /** The aof_* fields of INFO persistence, as Redis prints them. */
    public void info(StringBuilder sb) {
        long now = server.clock.millis() / 1000;
        field(sb, "aof_enabled", state != State.OFF ? "1" : "0");
        field(sb, "aof_rewrite_in_progress", rewrite != null ? "1" : "0");
        field(sb, "aof_rewrite_scheduled", rewriteScheduled ? "1" : "0");
        field(sb, "aof_last_rewrite_time_sec", Long.toString(rewriteTimeLast));
        field(sb, "aof_current_rewrite_time_sec", Long.toString(rewrite == null ? -1 : now - rewriteTimeStart));
        field(sb, "aof_last_bgrewrite_status", lastBgrewriteOk ? "ok" : "err");
        field(sb, "aof_rewrites", Long.toString(rewrites));
        field(sb, "aof_rewrites_consecutive_failures", Long.toString(consecutiveFailures));
        field(sb, "aof_last_write_status", lastWriteOk && bioFsyncOk ? "ok" : "err");
        field(sb, "aof_last_cow_size", "0");
    }

    /** The fields Redis adds while appendonly is yes (after module_fork_*). */
    public void infoEnabled(StringBuilder sb) {
        if (!server.config.persistence.appendonly.get()) {
            return;
        }
        field(sb, "aof_current_size", Long.toString(currentSize));
        field(sb, "aof_base_size", Long.toString(baseSize));
        field(sb, "aof_pending_rewrite", rewriteScheduled ? "1" : "0");
        field(sb, "aof_buffer_length", Integer.toString(buf.readableBytes()));
        field(sb, "aof_pending_bio_fsync", Integer.toString(pendingFsyncs.get()));
        field(sb, "aof_delayed_fsync", Long.toString(delayedFsync));
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(name).append(':').append(value).append("\r\n");
    }

    /** Bytes waiting in the buffer (MEMORY STATS aof.buffer, mem_aof_buffer). */
    public long bufferBytes() {
        return buf.capacity();
    }

    // ---- for the rewriter and the loader ------------------------------------------------------------

    Server server() {
        return server;
    }

    ExecutorService executor() {
        return bio();
    }

    long consecutiveFailures() {
        return consecutiveFailures;
    }

    /** After loading: the sizes the auto-rewrite growth is measured from. */
    void loaded(long total, long base) {
        currentSize = total;
        baseSize = base;
    }
}
