package dev.cinnabar.server.persistence.aof;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.Listpack;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.Doubles;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.persistence.Snapshot;
import dev.cinnabar.server.persistence.rdb.RdbOutput;
import dev.cinnabar.server.persistence.rdb.RdbSnapshotWriter;
import dev.cinnabar.server.persistence.rdb.RdbWriter;
import dev.cinnabar.server.type.HashValue;
import dev.cinnabar.server.type.ListValue;
import dev.cinnabar.server.type.MutableString;
import dev.cinnabar.server.type.SetValue;
import dev.cinnabar.server.type.StreamGroup;
import dev.cinnabar.server.type.StreamId;
import dev.cinnabar.server.type.StreamIds;
import dev.cinnabar.server.type.StreamIterator;
import dev.cinnabar.server.type.StreamLp;
import dev.cinnabar.server.type.StreamValue;
import dev.cinnabar.server.type.ZSetValue;
import dev.cinnabar.server.util.ByteKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The base file of a rewrite: a point-in-time image of the data set, as an RDB image
 * (aof-use-rdb-preamble yes) or as the commands that rebuild it (Redis rewriteAppendOnlyFileRio):
 * FUNCTION LOAD per library, then per non-empty database SELECT and, per key, SET, or RPUSH /
 * SADD / ZADD / HMSET batches of at most 64 items (AOF_REWRITE_ITEMS_PER_CMD), or for a stream
 * XADD per entry (XADD MAXLEN 0 of a dummy entry for an empty one), XSETID with the counters,
 * and per group XGROUP CREATE with ENTRIESREAD, then XCLAIM ... FORCE per pending entry or
 * XGROUP CREATECONSUMER for a consumer without any; then PEXPIREAT for a key with a TTL.
 */
final class AofRewriter {
    private AofRewriter() {}

    /** Redis AOF_REWRITE_ITEMS_PER_CMD. */
    static final int ITEMS_PER_CMD = 64;

    /** One background rewrite. */
    static final class Job {
        final boolean rdbPreamble;
        /** The temp file the base is written to, renamed into the directory at the end. */
        final Path tmp;
        /** Set (under the lock) when the rewrite is abandoned; its result is then ignored. */
        volatile boolean cancelled;
        /** The walk writing the base (set under the lock when the job starts). */
        Snapshot snapshot;

        Job(boolean rdbPreamble, Path tmp) {
            this.rdbPreamble = rdbPreamble;
            this.tmp = tmp;
        }
    }

    /**
     * Starts writing a base to {@code file} from a forkless {@link Snapshot} taken now, under
     * the lock (so it is exactly the state at this instant: new writes already go to the new
     * incremental file): an RDB image with aof-base 1, or the commands that rebuild the data
     * set. The walk itself runs on the caller's thread ({@link Snapshot#walk}), serialising
     * about a millisecond of keys per lock hold and writing them out between holds, so neither
     * the lock nor memory holds the whole image.
     */
    static Snapshot.Visitor baseWriter(Server s, boolean rdbPreamble, RdbOutput.Sink file) {
        if (rdbPreamble) {
            return new RdbSnapshotWriter(s, null, Aof.BASE_RDB_VERSION, file, true);
        }
        return new CommandSnapshotWriter(s, file);
    }

    /**
     * The data set as the bytes of a base file, all at once under the lock: at start-up, when
     * nothing else runs and the lock holder would wait for a walker anyway.
     */
    static List<byte[]> startupImage(Aof aof) {
        Server s = aof.server();
        if (s.config.persistence.aofUseRdbPreamble.get()) {
            return RdbWriter.aofBaseImage(s, Aof.BASE_RDB_VERSION).chunks();
        }
        Out out = new Out();
        writeCommands(s, out);
        return out.chunks();
    }

    /**
     * The temp base file a background rewrite writes, opened by the walking thread on first
     * use. Syncs every 4 MB with aof-rewrite-incremental-fsync (Redis REDIS_AUTOSYNC_BYTES), so
     * the final fsync does not stall on a whole image of dirty pages.
     */
    static final class BaseFile implements RdbOutput.Sink {
        private static final long AUTOSYNC_BYTES = 4L * 1024 * 1024;
        private final Path path;
        private final boolean incremental;
        private FileChannel ch;
        private long sinceSync;

        BaseFile(Path path, boolean incremental) {
            this.path = path;
            this.incremental = incremental;
        }

        private FileChannel channel() throws IOException {
            if (ch == null) {
                ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            }
            return ch;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            FileChannel ch = channel();
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

        /** The last fsync, then close. */
        void finish() throws IOException {
            FileChannel c = channel();
            c.force(true);
            c.close();
            ch = null;
        }

        void closeQuietly() {
            if (ch != null) {
                Aof.closeQuietly(ch);
                ch = null;
            }
        }
    }

    /** Writes an image to {@code path}, fsynced (the caller renames it into place). */
    static void writeFile(List<byte[]> image, Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (byte[] chunk : image) {
                ByteBuffer b = ByteBuffer.wrap(chunk);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
            ch.force(true);
        }
    }

    /**
     * Redis aofRewriteLimited: after three failures in a row, automatic rewrites wait 1, 2, 4...
     * up to 60 minutes between attempts (BGREWRITEAOF still runs at once).
     */
    static boolean limited(Aof aof) {
        Limit l = aof.limit;
        long now = aof.server().clock.millis() / 1000;
        if (aof.consecutiveFailures() < 3) {
            l.nextDelayMinutes = 0;
            l.nextRewriteTime = 0;
            return false;
        }
        if (l.nextRewriteTime != 0) {
            if (now < l.nextRewriteTime) {
                return true;
            }
            l.nextRewriteTime = 0;
            return false;
        }
        l.nextDelayMinutes = l.nextDelayMinutes == 0 ? 1 : Math.min(60, l.nextDelayMinutes * 2);
        l.nextRewriteTime = now + l.nextDelayMinutes * 60L;
        aof.server().log.warning("Background AOF rewrite has repeatedly failed and triggered the limit, will retry in "
                + l.nextDelayMinutes + " minutes");
        return true;
    }

    /** State of {@link #limited}. */
    static final class Limit {
        int nextDelayMinutes;
        long nextRewriteTime;
    }

    // ---- the data set as commands ----------------------------------------------------------------

    /** A growing list of chunks (no copy when the image is large). */
    static final class Out {
        private static final int CHUNK = 64 * 1024;
        private final List<byte[]> full = new ArrayList<>();
        private byte[] cur = new byte[CHUNK];
        private int pos;

        void write(byte[] b, int off, int len) {
            while (len > 0) {
                if (pos == cur.length) {
                    full.add(cur);
                    cur = new byte[CHUNK];
                    pos = 0;
                }
                int n = Math.min(len, cur.length - pos);
                System.arraycopy(b, off, cur, pos, n);
                pos += n;
                off += n;
                len -= n;
            }
        }

        void write(byte[] b) {
            write(b, 0, b.length);
        }

        void writeByte(int b) {
            if (pos == cur.length) {
                full.add(cur);
                cur = new byte[CHUNK];
                pos = 0;
            }
            cur[pos++] = (byte) b;
        }

        private final byte[] num = new byte[24];

        void decimal(long v) {
            int n = Ascii.putLong(num, 0, v);
            write(num, 0, n);
        }

        /** "*n\r\n". */
        void count(long n) {
            writeByte('*');
            decimal(n);
            writeByte('\r');
            writeByte('\n');
        }

        /** "$len\r\n" + bytes + "\r\n" (Redis rioWriteBulkString). */
        void bulk(byte[] b, int off, int len) {
            writeByte('$');
            decimal(len);
            writeByte('\r');
            writeByte('\n');
            write(b, off, len);
            writeByte('\r');
            writeByte('\n');
        }

        void bulk(byte[] b) {
            bulk(b, 0, b.length);
        }

        /** A number as a bulk string (Redis rioWriteBulkLongLong). */
        void bulk(long v) {
            int n = Ascii.putLong(num, 0, v);
            byte[] copy = new byte[n];
            System.arraycopy(num, 0, copy, 0, n);
            bulk(copy, 0, n);
        }

        /**
         * The full chunks so far, removed from this output; with {@code all} the partial chunk
         * too (copied, and the output starts a fresh one).
         */
        List<byte[]> takeFull(boolean all) {
            List<byte[]> taken = new ArrayList<>(full);
            full.clear();
            if (all && pos > 0) {
                taken.add(java.util.Arrays.copyOf(cur, pos));
                pos = 0;
            }
            return taken;
        }

        /** Forgets everything written (a reused scratch output). */
        void reset() {
            full.clear();
            pos = 0;
        }

        /** Everything written, as one array (a captured entry: small). */
        byte[] toByteArray() {
            int n = pos;
            for (byte[] c : full) {
                n += c.length;
            }
            byte[] all = new byte[n];
            int at = 0;
            for (byte[] c : full) {
                System.arraycopy(c, 0, all, at, c.length);
                at += c.length;
            }
            System.arraycopy(cur, 0, all, at, pos);
            return all;
        }

        List<byte[]> chunks() {
            List<byte[]> all = new ArrayList<>(full);
            byte[] last = new byte[pos];
            System.arraycopy(cur, 0, last, 0, pos);
            all.add(last);
            return all;
        }
    }

    private static final byte[] SELECT = Ascii.bytes("SELECT");
    private static final byte[] SET = Ascii.bytes("SET");
    private static final byte[] RPUSH = Ascii.bytes("RPUSH");
    private static final byte[] SADD = Ascii.bytes("SADD");
    private static final byte[] ZADD = Ascii.bytes("ZADD");
    private static final byte[] HMSET = Ascii.bytes("HMSET");
    private static final byte[] PEXPIREAT = Ascii.bytes("PEXPIREAT");
    private static final byte[] FUNCTION = Ascii.bytes("FUNCTION");
    private static final byte[] LOAD = Ascii.bytes("LOAD");
    private static final byte[] XADD = Ascii.bytes("XADD");
    private static final byte[] XSETID = Ascii.bytes("XSETID");
    private static final byte[] XGROUP = Ascii.bytes("XGROUP");
    private static final byte[] XCLAIM = Ascii.bytes("XCLAIM");
    private static final byte[] CREATE = Ascii.bytes("CREATE");
    private static final byte[] CREATECONSUMER = Ascii.bytes("CREATECONSUMER");

    static void writeCommands(Server s, Out out) {
        writeHead(s, out);
        for (Database db : s.dbs()) {
            if (db.size() == 0) {
                continue;
            }
            writeSelect(out, db);
            db.forEach(e -> writeKey(out, e));
        }
    }

    /** What precedes the keys: the timestamp annotation when enabled, the function libraries. */
    static void writeHead(Server s, Out out) {
        if (s.config.persistence.aofTimestampEnabled.get()) {
            out.write(Aof.timestampAnnotation(System.currentTimeMillis() / 1000));
        }
        for (byte[] code : s.functions.codes()) {
            out.count(3);
            out.bulk(FUNCTION);
            out.bulk(LOAD);
            out.bulk(code);
        }
    }

    static void writeSelect(Out out, Database db) {
        out.count(2);
        out.bulk(SELECT);
        out.bulk(db.id);
    }

    /** One key as the commands that rebuild it (and its TTL). */
    static void writeKey(Out out, Object e) {
        byte[] k = Entries.keyArray(e);
        int kOff = Entries.keyOffset(e);
        int kLen = Entries.keyLength(e);
        Object v = e instanceof byte[] ? e : ((ObjectEntry) e).value;
        switch (v) {
            case byte[] p -> {
                out.count(3);
                out.bulk(SET);
                out.bulk(k, kOff, kLen);
                out.bulk(p, Entries.valueOffset(p), Entries.valueLength(p));
            }
            case MutableString m -> {
                out.count(3);
                out.bulk(SET);
                out.bulk(k, kOff, kLen);
                out.bulk(m.array(), 0, m.length());
            }
            case ListValue l -> writeList(out, k, kOff, kLen, l);
            case SetValue set -> writeSet(out, k, kOff, kLen, set);
            case ZSetValue z -> writeZSet(out, k, kOff, kLen, z);
            case HashValue h -> writeHash(out, k, kOff, kLen, h);
            case StreamValue st -> writeStream(out, k, kOff, kLen, st);
            default -> throw new IllegalStateException("no AOF rewrite for " + v.getClass().getSimpleName());
        }
        if (Entries.hasExpire(e)) {
            out.count(3);
            out.bulk(PEXPIREAT);
            out.bulk(k, kOff, kLen);
            out.bulk(Entries.expireAt(e));
        }
    }

    /** Opens a batch command when {@code count} is 0: "*(2 + items*per)" NAME key. */
    private static void batchHead(Out out, byte[] name, byte[] k, int kOff, int kLen, long remaining, int per) {
        long items = Math.min(remaining, ITEMS_PER_CMD);
        out.count(2 + items * per);
        out.bulk(name);
        out.bulk(k, kOff, kLen);
    }

    private static void writeList(Out out, byte[] k, int kOff, int kLen, ListValue l) {
        long[] state = {0, l.length()}; // position in the batch, items left
        l.forEachNode(new ListValue.NodeVisitor() {
            @Override
            public void plain(byte[] a, int off, int len) {
                item(a, off, len);
            }

            @Override
            public void packed(Listpack lp) {
                byte[] a = lp.array();
                for (int p = lp.first(); p >= 0; p = lp.next(p)) {
                    item(a, lp.dataOffset(p), lp.dataLength(p));
                }
            }

            private void item(byte[] a, int off, int len) {
                if (state[0] == 0) {
                    batchHead(out, RPUSH, k, kOff, kLen, state[1], 1);
                }
                out.bulk(a, off, len);
                if (++state[0] == ITEMS_PER_CMD) {
                    state[0] = 0;
                }
                state[1]--;
            }
        });
    }

    private static void writeSet(Out out, byte[] k, int kOff, int kLen, SetValue set) {
        long[] state = {0, set.size()};
        set.forEach(new SetValue.MemberVisitor() {
            @Override
            public boolean bytes(byte[] a, int off, int len) {
                head();
                out.bulk(a, off, len);
                tail();
                return true;
            }

            @Override
            public boolean integer(long v) {
                head();
                out.bulk(v);
                tail();
                return true;
            }

            private void head() {
                if (state[0] == 0) {
                    batchHead(out, SADD, k, kOff, kLen, state[1], 1);
                }
            }

            private void tail() {
                if (++state[0] == ITEMS_PER_CMD) {
                    state[0] = 0;
                }
                state[1]--;
            }
        });
    }

    private static void writeZSet(Out out, byte[] k, int kOff, int kLen, ZSetValue z) {
        int n = z.size();
        if (n == 0) {
            return;
        }
        long[] state = {0, n};
        byte[] num = new byte[Doubles.MAX_CHARS];
        z.visitRanks(0, n - 1, false, (m, off, len, score) -> {
            if (state[0] == 0) {
                batchHead(out, ZADD, k, kOff, kLen, state[1], 2);
            }
            // Redis rioWriteBulkDouble: the shortest text that reads back as the same double.
            int t = Doubles.fpconv(score, num, 0);
            out.bulk(num, 0, t);
            out.bulk(m, off, len);
            if (++state[0] == ITEMS_PER_CMD) {
                state[0] = 0;
            }
            state[1]--;
        });
    }

    private static void writeHash(Out out, byte[] k, int kOff, int kLen, HashValue h) {
        long[] state = {0, h.size()};
        h.forEach((f, fOff, fLen, val, vOff, vLen) -> {
            if (state[0] == 0) {
                batchHead(out, HMSET, k, kOff, kLen, state[1], 2);
            }
            out.bulk(f, fOff, fLen);
            out.bulk(val, vOff, vLen);
            if (++state[0] == ITEMS_PER_CMD) {
                state[0] = 0;
            }
            state[1]--;
        });
    }

    private static final byte[] MAXLEN = Ascii.bytes("MAXLEN");
    private static final byte[] ZERO = Ascii.bytes("0");
    private static final byte[] X = Ascii.bytes("x");
    private static final byte[] Y = Ascii.bytes("y");
    private static final byte[] ENTRIESADDED = Ascii.bytes("ENTRIESADDED");
    private static final byte[] MAXDELETEDID = Ascii.bytes("MAXDELETEDID");
    private static final byte[] ENTRIESREAD = Ascii.bytes("ENTRIESREAD");
    private static final byte[] TIME = Ascii.bytes("TIME");
    private static final byte[] RETRYCOUNT = Ascii.bytes("RETRYCOUNT");
    private static final byte[] JUSTID = Ascii.bytes("JUSTID");
    private static final byte[] FORCE = Ascii.bytes("FORCE");

    private static void id(Out out, long ms, long seq) {
        byte[] t = new byte[StreamIds.MAX_TEXT];
        int n = StreamIds.format(t, 0, ms, seq);
        out.bulk(t, 0, n);
    }

    /** A listpack element (string or integer) as a bulk string. */
    private static void lpElement(Out out, byte[] lp, int p) {
        if (StreamLp.isInt(lp, p)) {
            out.bulk(StreamLp.intValue(lp, p));
        } else {
            out.bulk(lp, StreamLp.strOffset(lp, p), StreamLp.strLength(lp, p));
        }
    }

    private static void writeStream(Out out, byte[] k, int kOff, int kLen, StreamValue s) {
        if (s.length > 0) {
            StreamIterator it = s.iterator(0, 0, -1, -1, false);
            while (it.next()) {
                out.count(3 + it.numFields * 2L);
                out.bulk(XADD);
                out.bulk(k, kOff, kLen);
                id(out, it.ms, it.seq);
                for (int i = 0; i < it.numFields; i++) {
                    it.nextField();
                    lpElement(out, it.node(), it.fieldPos());
                    lpElement(out, it.node(), it.valuePos());
                }
            }
        } else {
            // An empty stream: XADD MAXLEN 0 of a dummy entry leaves it empty but existing.
            out.count(7);
            out.bulk(XADD);
            out.bulk(k, kOff, kLen);
            out.bulk(MAXLEN);
            out.bulk(ZERO);
            id(out, 0, 1);
            out.bulk(X);
            out.bulk(Y);
        }
        // The last ID and the counters, which XDEL or the trimming above may have left behind.
        out.count(7);
        out.bulk(XSETID);
        out.bulk(k, kOff, kLen);
        id(out, s.lastMs, s.lastSeq);
        out.bulk(ENTRIESADDED);
        out.bulk(s.entriesAdded);
        out.bulk(MAXDELETEDID);
        id(out, s.maxDeletedMs, s.maxDeletedSeq);
        for (Map.Entry<ByteKey, StreamGroup> ge : s.groups().entrySet()) {
            byte[] group = ge.getKey().bytes();
            StreamGroup g = ge.getValue();
            out.count(7);
            out.bulk(XGROUP);
            out.bulk(CREATE);
            out.bulk(k, kOff, kLen);
            out.bulk(group);
            id(out, g.lastMs, g.lastSeq);
            out.bulk(ENTRIESREAD);
            out.bulk(g.entriesRead);
            for (StreamGroup.Consumer c : g.consumers.values()) {
                if (c.pel.isEmpty()) {
                    out.count(5);
                    out.bulk(XGROUP);
                    out.bulk(CREATECONSUMER);
                    out.bulk(k, kOff, kLen);
                    out.bulk(group);
                    out.bulk(c.name);
                    continue;
                }
                for (Map.Entry<StreamId, StreamGroup.Nack> pe : c.pel.entrySet()) {
                    StreamGroup.Nack nack = pe.getValue();
                    out.count(12);
                    out.bulk(XCLAIM);
                    out.bulk(k, kOff, kLen);
                    out.bulk(group);
                    out.bulk(c.name);
                    out.bulk(ZERO);
                    id(out, pe.getKey().ms, pe.getKey().seq);
                    out.bulk(TIME);
                    out.bulk(nack.deliveryTime);
                    out.bulk(RETRYCOUNT);
                    out.bulk(nack.deliveryCount);
                    out.bulk(JUSTID);
                    out.bulk(FORCE);
                }
            }
        }
    }
}
