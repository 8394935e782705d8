package dev.cinnabar.server.persistence.aof;

import dev.cinnabar.resp.ArgList;
import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.config.ConfigText;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.persistence.rdb.RdbException;
import dev.cinnabar.server.persistence.rdb.RdbInput;
import dev.cinnabar.server.persistence.rdb.RdbLoader;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the append-only files (Redis loadAppendOnlyFiles / loadSingleAppendOnlyFile): the base
 * (an RDB image, or commands), then every incremental file in manifest order. Commands are
 * replayed through their handlers by a fake client that never replies or blocks, MULTI/EXEC
 * included, with nothing propagated and no key expiring while loading (Redis server.loading).
 *
 * <p>A file that ends in the middle of a command (a crash during a write) is truncated to its
 * last complete command when aof-load-truncated is yes and it is the last file; a transaction
 * without its EXEC is dropped the same way. Anything else wrong is fatal, with Redis's log lines.
 * A legacy single appendonly.aof in dir (Redis before 7) is moved into the directory as the
 * base of a new manifest first (Redis aofUpgradePrepare).
 */
final class AofLoader {
    private AofLoader() {}

    /** Redis AOF_ANNOTATION_LINE_MAX_LEN: fgets reads at most this minus one byte per line. */
    private static final int LINE_MAX = 1024;

    /** Reads the manifest of the directory, or an empty one when there is none (Redis aofLoadManifestFromDisk). */
    static AofManifest loadManifestFromDisk(Aof aof) throws Aof.AofException {
        Server s = aof.server();
        Path dir = aof.dirPath();
        if (!Files.isDirectory(dir)) {
            s.log.debug("The AOF directory " + s.config.persistence.appenddirname.get() + " doesn't exist");
            return new AofManifest();
        }
        String name = aof.fileName() + ".manifest";
        Path p = aof.inDir(name);
        if (!Files.exists(p)) {
            s.log.debug("The AOF manifest file " + name + " doesn't exist");
            return new AofManifest();
        }
        String text;
        try {
            text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            s.log.warning("Fatal error: can't open the AOF manifest file " + p + " for reading: " + ConfigText.strerror(e));
            throw new Aof.AofException("manifest");
        }
        try {
            return AofManifest.parse(text);
        } catch (AofManifest.ManifestException e) {
            s.log.warning("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
            if (e.lineText != null) {
                s.log.warning("Reading the manifest file, at line " + e.line + "\n");
                s.log.warning(">>> '" + e.lineText + "'\n");
            }
            s.log.warning(e.getMessage() + "\n");
            throw new Aof.AofException(e.getMessage());
        }
    }

    /** Redis loadAppendOnlyFiles. */
    static int loadAppendOnlyFiles(Aof aof, AofManifest am) {
        Server s = aof.server();
        String legacy = aof.fileName();
        Path legacyPath = s.config.persistence.dir.resolve(legacy);
        if (Files.exists(legacyPath)) {
            boolean noDir = !Files.isDirectory(aof.dirPath());
            boolean emptyManifest = am.base == null && am.incr.isEmpty();
            boolean halfDone = am.base != null && am.incr.isEmpty() && am.base.name().equals(legacy)
                    && !Files.exists(aof.inDir(legacy));
            if (noDir || emptyManifest || halfDone) {
                if (!upgrade(aof, am, legacyPath)) {
                    return Aof.FAILED;
                }
            }
        }
        if (am.isEmpty()) {
            return Aof.NOT_EXIST;
        }
        int total = (am.base != null ? 1 : 0) + am.incr.size();
        long totalSize = 0;
        List<AofManifest.FileInfo> files = new ArrayList<>();
        if (am.base != null) {
            files.add(am.base);
        }
        files.addAll(am.incr);
        for (AofManifest.FileInfo f : files) {
            try {
                totalSize += Files.size(aof.inDir(f.name()));
            } catch (IOException e) {
                s.log.warning("Unable to obtain the AOF file " + f.name() + " length. stat: " + ConfigText.strerror(e));
                return e instanceof NoSuchFileException ? Aof.FAILED : Aof.OPEN_ERR;
            }
        }
        if (totalSize == 0) {
            return Aof.EMPTY;
        }
        long baseSize = 0;
        int ret = Aof.OK;
        s.loading = true;
        s.replication.propagation.loading(true);
        try {
            int n = 0;
            for (AofManifest.FileInfo f : files) {
                boolean isBase = f == am.base;
                boolean last = ++n == total;
                if (isBase) {
                    try {
                        baseSize = Files.size(aof.inDir(f.name()));
                    } catch (IOException e) {
                        baseSize = 0;
                    }
                }
                long start = System.nanoTime();
                ret = loadSingle(aof, f.name());
                if (ret == Aof.OK || (ret == Aof.TRUNCATED && last)) {
                    s.log.notice(String.format("DB loaded from %s file %s: %.3f seconds", isBase ? "base" : "incr",
                            f.name(), (System.nanoTime() - start) / 1e9));
                }
                if (!isBase && ret == Aof.EMPTY) {
                    ret = Aof.OK; // an empty incremental file is fine when another one had data
                }
                if (ret == Aof.TRUNCATED && !last) {
                    ret = Aof.FAILED;
                    s.log.warning("Fatal error: the truncated file is not the last file");
                }
                if (ret == Aof.OPEN_ERR || ret == Aof.FAILED) {
                    return ret;
                }
            }
        } finally {
            s.loading = false;
            s.replication.propagation.loading(false);
        }
        aof.loaded(totalSize, baseSize);
        return ret;
    }

    /** Redis aofUpgradePrepare: the legacy file becomes the base of a new manifest in the directory. */
    private static boolean upgrade(Aof aof, AofManifest am, Path legacyPath) {
        Server s = aof.server();
        try {
            Files.createDirectories(aof.dirPath());
        } catch (IOException e) {
            s.log.warning("Can't open or create append-only dir " + s.config.persistence.appenddirname.get() + ": "
                    + ConfigText.strerror(e));
            return false;
        }
        am.upgradeFrom(aof.fileName());
        if (!aof.persistManifest(am)) {
            return false;
        }
        try {
            Files.move(legacyPath, aof.inDir(aof.fileName()));
        } catch (IOException e) {
            s.log.warning("Error trying to move the old AOF file " + aof.fileName() + " into dir "
                    + s.config.persistence.appenddirname.get() + ": " + ConfigText.strerror(e));
            return false;
        }
        s.log.notice("Successfully migrated an old-style AOF file (" + aof.fileName() + ") into the AOF directory ("
                + s.config.persistence.appenddirname.get() + ").");
        return true;
    }

    /** Redis emptyData for a reload: tracking clients hear "everything", libraries go too. */
    static void emptyData(Server s) {
        s.tracking.invalidateAllOnFlush();
        for (Database db : s.dbs()) {
            db.flush();
        }
        s.scripting.flushLibraries();
    }

    // ---- one file --------------------------------------------------------------------------------

    /** Redis loadSingleAppendOnlyFile. */
    static int loadSingle(Aof aof, String name) {
        Server s = aof.server();
        Path path = aof.inDir(name);
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            s.log.warning("The append log file " + name + " doesn't exist: No such file or directory");
            return Aof.NOT_EXIST;
        } catch (IOException e) {
            s.log.warning("Fatal error: can't open the append log file " + name + " for reading: " + ConfigText.strerror(e));
            return Aof.OPEN_ERR;
        }
        if (size == 0) {
            return Aof.EMPTY;
        }
        try (InputStream raw = Files.newInputStream(path)) {
            Reader in = new Reader(raw);
            long validUpTo = 0;
            byte[] sig = new byte[5];
            int got = in.peek(sig);
            if (got == 5 && new String(sig, StandardCharsets.ISO_8859_1).equals("REDIS")) {
                boolean oldStyle = name.equals(aof.fileName());
                s.log.notice(oldStyle ? "Reading RDB preamble from AOF file..." : "Reading RDB base file on AOF loading...");
                if (!loadRdb(s, path, in)) {
                    s.log.warning(oldStyle
                            ? "Error reading the RDB preamble of the AOF file " + name + ", AOF loading aborted"
                            : "Error reading the RDB base file " + name + ", AOF loading aborted");
                    return Aof.FAILED;
                }
                // Unlike Redis (which keeps 0 here), a truncated tail never cuts into the image.
                validUpTo = in.position();
                if (oldStyle) {
                    s.log.notice("Reading the remaining AOF tail...");
                }
            }
            return replay(aof, name, path, in, validUpTo);
        } catch (IOException e) {
            s.log.warning("Unrecoverable error reading the append only file " + name + ": " + ConfigText.strerror(e));
            return Aof.FAILED;
        }
    }

    /**
     * Loads the RDB image at the start of the file and moves {@code in} past it. Expired keys
     * are kept, as Redis does for AOF preambles: later commands of the file may still use them.
     */
    private static boolean loadRdb(Server s, Path path, Reader in) throws IOException {
        List<byte[]> chunks = in.readAllChunks();
        RdbInput rdb = new RdbInput(chunks);
        long total = 0;
        for (byte[] c : chunks) {
            total += c.length;
        }
        RdbLoader.Result r;
        try {
            r = RdbLoader.load(s, rdb, true);
        } catch (RdbException e) {
            s.log.warning(e.getMessage());
            return false;
        }
        for (byte[] code : r.functions) {
            try {
                s.scripting.loadLibrary(code, false, true);
            } catch (dev.cinnabar.server.scripting.FunctionLoader.LoadException e) {
                s.log.warning("Failed loading a function library: " + e.getMessage());
                return false;
            }
        }
        for (int i = 0; i < r.perDb.size(); i++) {
            Database db = s.db(i);
            for (Object e : r.perDb.get(i)) {
                db.loadEntry(e);
            }
        }
        long consumed = total - rdb.remaining();
        in.rewindTo(chunks, consumed);
        return true;
    }

    /** The command part of a file: replays until the end, handling a truncated tail. */
    private static int replay(Aof aof, String name, Path path, Reader in, long validUpTo) throws IOException {
        Server s = aof.server();
        boolean truncatedOk = s.config.persistence.aofLoadTruncated.get();
        Client fake = new Client(s, -1, new ArgList(), new ReplyWriter(UnpooledByteBufAllocator.DEFAULT), null);
        // MASTER: what the file says is obeyed as a master's stream is (Redis mustObeyClient
        // covers both the AOF client and the master), e.g. XADD "= id LIMIT n" as rewritten.
        fake.flags |= Client.FAKE | Client.DENY_BLOCKING | Client.MASTER;
        fake.authenticated = true;
        long validBeforeMulti = 0;
        byte[] line = new byte[LINE_MAX];
        int delay = s.config.persistence.keyLoadDelay.get();
        boolean eofInCommand = false;
        boolean formatError = false;
        try {
            while (true) {
                int n = in.readLine(line);
                if (n < 0) {
                    break; // a clean end
                }
                if (line[0] == '#') {
                    continue; // an annotation (#TS:...)
                }
                if (line[0] != '*') {
                    formatError = true;
                    break;
                }
                if (n == 1) {
                    eofInCommand = true; // the line ended right after '*': a cut file
                    break;
                }
                long argc = atol(line, 1, n);
                if (argc < 1) {
                    formatError = true;
                    break;
                }
                ArgList args = new ArgList();
                boolean complete = true;
                for (long j = 0; j < argc; j++) {
                    int m = in.readLine(line);
                    if (m < 0) {
                        complete = false;
                        break;
                    }
                    if (line[0] != '$') {
                        formatError = true;
                        break;
                    }
                    long len = atol(line, 1, m);
                    if (len < 0 || len > Integer.MAX_VALUE - 16) {
                        formatError = true;
                        break;
                    }
                    int off = args.append((int) len);
                    if (!in.readFully(args.data(), off, (int) len) || in.skip(2) != 2) {
                        complete = false;
                        break;
                    }
                }
                if (formatError) {
                    break;
                }
                if (!complete) {
                    eofInCommand = true;
                    break;
                }
                fake.args = args;
                Command cmd = s.commands.lookupFull(args);
                if (cmd == null || cmd.handler() == null) {
                    s.log.warning("Unknown command '" + args.latin1(0) + "' reading the append only file " + name);
                    return Aof.FAILED;
                }
                if (cmd.name().equals("multi")) {
                    validBeforeMulti = validUpTo;
                }
                run(s, fake, cmd);
                if (truncatedOk) {
                    validUpTo = in.position();
                }
                if (delay != 0) {
                    keyLoadDelay(delay);
                }
            }
        } finally {
            if (fake.has(Client.MULTI) && (formatError || eofInCommand)) {
                s.transactions.discard(fake);
            }
        }
        if (formatError) {
            s.log.warning("Bad file format reading the append only file " + name + ": make a backup of your AOF file, then "
                    + "use ./redis-check-aof --fix <filename.manifest>");
            return Aof.FAILED;
        }
        if (!eofInCommand && fake.has(Client.MULTI)) {
            s.log.warning("Revert incomplete MULTI/EXEC transaction in AOF file " + name);
            s.transactions.discard(fake);
            validUpTo = validBeforeMulti;
            eofInCommand = true;
        }
        if (!eofInCommand) {
            return Aof.OK;
        }
        if (truncatedOk) {
            s.log.warning("!!! Warning: short read while loading the AOF file " + name + "!!!");
            s.log.warning("!!! Truncating the AOF " + name + " at offset " + validUpTo + " !!!");
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.truncate(validUpTo);
                s.log.warning("AOF " + name + " loaded anyway because aof-load-truncated is enabled");
                return Aof.TRUNCATED;
            } catch (IOException e) {
                s.log.warning("Error truncating the AOF file " + name + ": " + ConfigText.strerror(e));
            }
        }
        s.log.warning("Unexpected end of file reading the append only file " + name + ". You can: 1) Make a backup of "
                + "your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the "
                + "'aof-load-truncated' configuration option to yes and restart the server.");
        return Aof.FAILED;
    }

    /**
     * Runs one command of the file as Redis's loader does: the handler directly (no
     * processCommand checks, no statistics), queued instead while the fake client is in MULTI.
     */
    private static void run(Server s, Client fake, Command cmd) {
        fake.cmd = cmd;
        fake.lastCmd = cmd;
        if (fake.has(Client.MULTI) && !cmd.name().equals("exec")) {
            s.transactions.queue(fake, cmd);
        } else {
            fake.now = s.clock.millis();
            fake.flags |= Client.EXECUTING;
            try {
                if (cmd.handler() != null) {
                    cmd.handler().run(fake);
                }
            } catch (RuntimeException e) {
                s.log.warning("Command " + cmd.fullName() + " failed while loading the AOF: " + e);
            } finally {
                fake.flags &= ~Client.EXECUTING;
                fake.dirtyChanges = -1;
            }
            s.memory.settle();
        }
        fake.reply.discard();
    }

    /** Redis debugDelay: positive = microseconds per key, negative = 1 us every -N keys. */
    private static int delayCounter;

    private static void keyLoadDelay(int usec) {
        if (usec < 0) {
            if (++delayCounter % -usec != 0) {
                return;
            }
            usec = 1;
        }
        long end = System.nanoTime() + usec * 1000L;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** C atol over [from, to): optional sign, digits up to the first other byte. */
    static long atol(byte[] b, int from, int to) {
        int i = from;
        boolean neg = false;
        if (i < to && (b[i] == '-' || b[i] == '+')) {
            neg = b[i] == '-';
            i++;
        }
        long v = 0;
        while (i < to && b[i] >= '0' && b[i] <= '9' && v < Long.MAX_VALUE / 10) {
            v = v * 10 + (b[i] - '0');
            i++;
        }
        return neg ? -v : v;
    }

    /**
     * A buffered reader that knows its position in the file, with fgets' line semantics: a
     * line is read up to and including '\n' or up to {@link #LINE_MAX}-1 bytes.
     */
    static final class Reader {
        private InputStream in;
        private byte[] buf = new byte[64 * 1024];
        private int pos;
        private int lim;
        private long base;

        Reader(InputStream in) {
            this.in = in;
        }

        long position() {
            return base + pos;
        }

        private boolean fill() throws IOException {
            if (pos < lim) {
                return true;
            }
            base += lim;
            pos = 0;
            lim = 0;
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            lim = n;
            return true;
        }

        /** Copies up to dst.length bytes without consuming them; the count copied. */
        int peek(byte[] dst) throws IOException {
            while (lim - pos < dst.length) {
                if (pos > 0) {
                    System.arraycopy(buf, pos, buf, 0, lim - pos);
                    base += pos;
                    lim -= pos;
                    pos = 0;
                }
                int n = in.read(buf, lim, buf.length - lim);
                if (n <= 0) {
                    break;
                }
                lim += n;
            }
            int n = Math.min(dst.length, lim - pos);
            System.arraycopy(buf, pos, dst, 0, n);
            return n;
        }

        /** A line as fgets reads it; its length, or -1 at the end of the file. */
        int readLine(byte[] dst) throws IOException {
            int n = 0;
            while (n < dst.length - 1) {
                if (!fill()) {
                    return n == 0 ? -1 : n;
                }
                byte b = buf[pos++];
                dst[n++] = b;
                if (b == '\n') {
                    break;
                }
            }
            return n;
        }

        boolean readFully(byte[] dst, int off, int len) throws IOException {
            while (len > 0) {
                if (!fill()) {
                    return false;
                }
                int n = Math.min(len, lim - pos);
                System.arraycopy(buf, pos, dst, off, n);
                pos += n;
                off += n;
                len -= n;
            }
            return true;
        }

        int skip(int len) throws IOException {
            int done = 0;
            while (done < len && fill()) {
                int n = Math.min(len - done, lim - pos);
                pos += n;
                done += n;
            }
            return done;
        }

        /** The rest of the file, in chunks (an RDB image is parsed from memory). */
        List<byte[]> readAllChunks() throws IOException {
            List<byte[]> chunks = new ArrayList<>();
            long start = position();
            if (pos < lim) {
                byte[] first = new byte[lim - pos];
                System.arraycopy(buf, pos, first, 0, first.length);
                chunks.add(first);
            }
            while (true) {
                byte[] c = in.readNBytes(1 << 20);
                if (c.length == 0) {
                    break;
                }
                chunks.add(c);
            }
            readFrom = start;
            return chunks;
        }

        private long readFrom;

        /** After {@link #readAllChunks}: continues reading at {@code consumed} bytes into those chunks. */
        void rewindTo(List<byte[]> chunks, long consumed) {
            List<byte[]> rest = new ArrayList<>();
            long skip = consumed;
            for (byte[] c : chunks) {
                if (skip >= c.length) {
                    skip -= c.length;
                    continue;
                }
                if (skip > 0) {
                    byte[] tail = new byte[c.length - (int) skip];
                    System.arraycopy(c, (int) skip, tail, 0, tail.length);
                    rest.add(tail);
                    skip = 0;
                } else {
                    rest.add(c);
                }
            }
            in = new ChunksInput(rest);
            base = readFrom + consumed;
            pos = 0;
            lim = 0;
            buf = new byte[64 * 1024];
        }
    }

    /** An input stream over byte arrays. */
    private static final class ChunksInput extends InputStream {
        private final List<byte[]> chunks;
        private int chunk;
        private int at;

        ChunksInput(List<byte[]> chunks) {
            this.chunks = chunks;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            while (chunk < chunks.size() && at == chunks.get(chunk).length) {
                chunk++;
                at = 0;
            }
            if (chunk == chunks.size()) {
                return -1;
            }
            byte[] c = chunks.get(chunk);
            int n = Math.min(len, c.length - at);
            System.arraycopy(c, at, b, off, n);
            at += n;
            return n;
        }
    }
}
