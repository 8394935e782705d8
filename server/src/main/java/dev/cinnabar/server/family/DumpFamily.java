package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Errors;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.config.ConfigEnums.MaxmemoryPolicy;
import dev.cinnabar.server.config.ConfigEnums.SanitizeDumpPayload;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.net.MigrateSockets;
import dev.cinnabar.server.persistence.rdb.DumpPayload;
import dev.cinnabar.server.persistence.rdb.RdbEntries;
import dev.cinnabar.server.persistence.rdb.RdbException;
import dev.cinnabar.server.persistence.rdb.RdbWriter;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.replication.Propagation;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * DUMP, RESTORE, RESTORE-ASKING and MIGRATE (Redis cluster.c): values serialized in the RDB
 * value format plus version and CRC-64 ({@link RdbWriter#dumpPayload}, {@link DumpPayload}),
 * byte-compatible with Redis 7.2 in both directions.
 */
public final class DumpFamily {
    private DumpFamily() {}

    private static final byte[] W_REPLACE = Ascii.bytes("replace");
    private static final byte[] W_ABSTTL = Ascii.bytes("absttl");
    private static final byte[] ABSTTL = Ascii.bytes("ABSTTL");
    private static final byte[] DEL = Ascii.bytes("DEL");
    private static final byte[] W_IDLETIME = Ascii.bytes("idletime");
    private static final byte[] W_FREQ = Ascii.bytes("freq");
    private static final byte[] W_COPY = Ascii.bytes("copy");
    private static final byte[] W_AUTH = Ascii.bytes("auth");
    private static final byte[] W_AUTH2 = Ascii.bytes("auth2");
    private static final byte[] W_KEYS = Ascii.bytes("keys");

    /** Redis LRU_CLOCK_MAX: the LRU word holds a 24-bit clock in seconds. */
    private static final long LRU_CLOCK_MAX = (1 << 24) - 1;
    /** MIGRATE sends its commands in pieces of this size, each with the full timeout. */
    private static final int MIGRATE_WRITE_CHUNK = 64 * 1024;
    /** MIGRATE reads each reply line into a buffer of this size (longer lines are cut). */
    private static final int MIGRATE_LINE_MAX = 1023;

    public static void register(CommandTable t) {
        t.bind("dump", DumpFamily::dump)
                .bind("restore", DumpFamily::restore)
                .bind("restore-asking", DumpFamily::restore)
                .bind("migrate", DumpFamily::migrate);
    }

    // ---- DUMP / RESTORE -----------------------------------------------------------------------

    static void dump(Client c) {
        Object e = c.db.lookupRead(c, 1);
        if (e == null) {
            c.reply.nullBulk();
            return;
        }
        c.reply.bulk(RdbWriter.dumpPayload(c.server, e));
    }

    private static boolean lfuPolicy(Server s) {
        MaxmemoryPolicy p = s.config.memory.maxmemoryPolicy.get();
        return p == MaxmemoryPolicy.VOLATILE_LFU || p == MaxmemoryPolicy.ALLKEYS_LFU;
    }

    /**
     * Whether RESTORE sanitizes deeply (sanitize-dump-payload): always under "yes", never
     * under "no", and under "clients" for every client (Redis exempts its master and users
     * with the skip-sanitize-payload flag; Cinnabar has neither replication links nor ACL
     * users yet).
     */
    private static boolean deepSanitize(Client c) {
        return c.server.config.persistence.sanitizeDumpPayload.get() != SanitizeDumpPayload.NO;
    }

    /** RESTORE / RESTORE-ASKING key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]. */
    static void restore(Client c) {
        boolean replace = false;
        boolean absTtl = false;
        long lruIdle = -1;
        long lfuFreq = -1;
        int argc = c.argc();
        for (int j = 4; j < argc; j++) {
            int more = argc - j - 1;
            if (c.argIs(j, W_REPLACE)) {
                replace = true;
            } else if (c.argIs(j, W_ABSTTL)) {
                absTtl = true;
            } else if (c.argIs(j, W_IDLETIME) && more >= 1 && lfuFreq == -1) {
                if (!c.parseLong(j + 1)) {
                    return;
                }
                lruIdle = c.parsed();
                if (lruIdle < 0) {
                    c.error("ERR Invalid IDLETIME value, must be >= 0");
                    return;
                }
                j++;
            } else if (c.argIs(j, W_FREQ) && more >= 1 && lruIdle == -1) {
                if (!c.parseLong(j + 1)) {
                    return;
                }
                lfuFreq = c.parsed();
                if (lfuFreq < 0 || lfuFreq > 255) {
                    c.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
                    return;
                }
                j++;
            } else {
                c.syntaxError();
                return;
            }
        }
        Database db = c.db;
        if (!replace && db.lookupWrite(c, 1) != null) {
            c.error(Errors.BUSYKEY);
            return;
        }
        if (!c.parseLong(2)) {
            return;
        }
        long ttl = c.parsed();
        if (ttl < 0) {
            c.error("ERR Invalid TTL value, must be >= 0");
            return;
        }
        byte[] d = c.argData();
        int off = c.argOff(3);
        int len = c.argLen(3);
        Server s = c.server;
        if (!DumpPayload.verify(d, off, len, !s.debug.skipChecksumValidation)) {
            c.error("ERR DUMP payload version or checksum are wrong");
            return;
        }
        Object value;
        try {
            value = DumpPayload.read(d, off, len, s.config.encoding, s.debug.quicklistPackedThreshold,
                    deepSanitize(c), s.stats);
        } catch (RdbException e) {
            c.error("ERR Bad data format");
            return;
        } catch (RuntimeException e) {
            // A payload that trips a bug must still leave the server healthy and the key untouched.
            s.log.warning("RESTORE payload failed to load: " + e);
            c.error("ERR Bad data format");
            return;
        }
        byte[] k = c.argData();
        int kOff = c.argOff(1);
        int kLen = c.argLen(1);
        boolean deleted = replace && db.delete(k, kOff, kLen);
        if (ttl != 0 && !absTtl) {
            ttl += c.now;
        }
        Propagation p = s.replication.propagation;
        // Redis checkAlreadyExpired (a replica will keep such a key, once it can be a replica).
        if (ttl != 0 && ttl <= c.now) {
            if (deleted) {
                KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, 1);
                c.dirtyChanges = 1;
                if (p.active()) {
                    p.rewrite(Propagation.deleteCommand(s.config.memory.lazyfreeLazyServerDel.get()), c.argCopy(1));
                }
            } else {
                c.dirtyChanges = 0;
            }
            c.reply.ok();
            return;
        }
        int lru = db.newLru();
        if (lfuPolicy(s)) {
            if (lfuFreq >= 0) {
                lru = (lru & ~0xFF) | (int) lfuFreq;
            }
        } else if (lruIdle >= 0) {
            // Redis objectSetLRUOrLFU: the idle seconds back from the LRU clock, wrapping below 0.
            long abs = db.lruClock() - lruIdle * 1000 / 1000;
            if (abs < 0) {
                abs += LRU_CLOCK_MAX;
            }
            lru = (int) (abs & LRU_CLOCK_MAX);
        }
        db.putEntry(RdbEntries.entry(k, kOff, kLen, value, ttl == 0 ? -1 : ttl, lru));
        if (ttl != 0 && !absTtl && p.active()) {
            // Replicas get the absolute expiry time, flagged ABSTTL.
            p.rewriteArg(c, 2, Ascii.longBytes(ttl));
            p.rewriteArg(c, c.argc(), ABSTTL);
        }
        KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.RESTORE, 1);
        c.dirtyChanges = 1;
        c.reply.ok();
    }

    /** MIGRATE without COPY reaches replicas as a DEL of the keys the target took. */
    private static void propagateMovedAsDel(Client c, int[] movedArgs, long moved) {
        Propagation p = c.server.replication.propagation;
        if (moved == 0 || !p.active()) {
            return;
        }
        byte[][] del = new byte[(int) moved + 1][];
        del[0] = DEL;
        for (int i = 0; i < moved; i++) {
            del[i + 1] = c.argCopy(movedArgs[i]);
        }
        p.rewrite(del);
    }

    // ---- MIGRATE --------------------------------------------------------------------------------

    /** A RESP request buffer for the target server. */
    private static final class Requests {
        byte[] buf = new byte[1024];
        int len;

        private void ensure(int more) {
            if (len + more > buf.length) {
                long want = Math.max((long) buf.length * 2, (long) len + more);
                if (want > Integer.MAX_VALUE - 16) {
                    throw new IllegalStateException("MIGRATE request too large");
                }
                buf = Arrays.copyOf(buf, (int) want);
            }
        }

        private void header(char type, long n) {
            ensure(24);
            buf[len++] = (byte) type;
            len += Ascii.putLong(buf, len, n);
            buf[len++] = '\r';
            buf[len++] = '\n';
        }

        void array(int n) {
            header('*', n);
        }

        void bulk(byte[] a, int off, int n) {
            header('$', n);
            ensure(n + 2);
            System.arraycopy(a, off, buf, len, n);
            len += n;
            buf[len++] = '\r';
            buf[len++] = '\n';
        }

        void bulk(String s) {
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            bulk(b, 0, b.length);
        }

        void bulk(long v) {
            byte[] b = new byte[20];
            bulk(b, 0, Ascii.putLong(b, 0, v));
        }
    }

    /** C atoi: leading white space, optional sign, digits; 0 when there are none. */
    private static int atoi(byte[] d, int off, int len) {
        int p = off;
        int end = off + len;
        while (p < end && (d[p] == ' ' || (d[p] >= '\t' && d[p] <= '\r'))) {
            p++;
        }
        boolean neg = false;
        if (p < end && (d[p] == '-' || d[p] == '+')) {
            neg = d[p] == '-';
            p++;
        }
        long v = 0;
        while (p < end && d[p] >= '0' && d[p] <= '9' && v <= Integer.MAX_VALUE) {
            v = v * 10 + (d[p++] - '0');
        }
        return (int) (neg ? -v : v);
    }

    /**
     * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
     * [AUTH2 username password] [KEYS key...]: RESTOREs the keys on the target over a cached
     * blocking connection (the whole server waits, as in Redis), then deletes those the target
     * accepted unless COPY. One retry on a fresh connection when a cached one turns out dead.
     */
    static void migrate(Client c) {
        boolean copy = false;
        boolean replace = false;
        String user = null;
        String password = null;
        int firstKey = 3;
        int numKeys = 1;
        int argc = c.argc();
        for (int j = 6; j < argc; j++) {
            int more = argc - 1 - j;
            if (c.argIs(j, W_COPY)) {
                copy = true;
            } else if (c.argIs(j, W_REPLACE)) {
                replace = true;
            } else if (c.argIs(j, W_AUTH)) {
                if (more == 0) {
                    c.syntaxError();
                    return;
                }
                password = c.argString(++j);
                c.redactArg(j);
            } else if (c.argIs(j, W_AUTH2)) {
                if (more < 2) {
                    c.syntaxError();
                    return;
                }
                user = c.argString(++j);
                c.redactArg(j);
                password = c.argString(++j);
                c.redactArg(j);
            } else if (c.argIs(j, W_KEYS)) {
                if (c.argLen(3) != 0) {
                    c.error("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
                    return;
                }
                firstKey = j + 1;
                numKeys = argc - j - 1;
                break;
            } else {
                c.syntaxError();
                return;
            }
        }
        if (!c.parseLong(5)) {
            return;
        }
        long timeout = c.parsed();
        if (!c.parseLong(4)) {
            return;
        }
        long dbid = c.parsed();
        if (timeout <= 0) {
            timeout = 1000;
        }

        // The keys present now; if none, there is nothing to do (often a key just expired).
        Database db = c.db;
        int[] args = new int[numKeys];
        Object[] entries = new Object[numKeys];
        int n = 0;
        for (int j = 0; j < numKeys; j++) {
            Object e = db.lookupRead(c, firstKey + j);
            if (e != null) {
                args[n] = firstKey + j;
                entries[n++] = e;
            }
        }
        if (n == 0) {
            c.reply.simple("NOKEY");
            return;
        }

        Server s = c.server;
        MigrateSockets sockets = s.migrateSockets;
        String host = c.argString(1);
        String name = host + ":" + c.argString(2);
        int port = atoi(c.argData(), c.argOff(2), c.argLen(2));
        boolean mayRetry = true;
        long deleted = 0;
        int[] movedArgs = new int[numKeys];
        while (true) {
            boolean writeError = false;
            boolean timedOut = false;
            MigrateSockets.Cached cs;
            try {
                cs = sockets.get(name, host, port, timeout, s.clock.millis() / 1000);
            } catch (IOException e) {
                c.error("IOERR error or timeout connecting to the client");
                c.dirtyChanges = deleted;
                return;
            }

            Requests req = new Requests();
            if (password != null) {
                req.array(user != null ? 3 : 2);
                req.bulk("AUTH");
                if (user != null) {
                    req.bulk(user);
                }
                req.bulk(password);
            }
            boolean select = cs.lastDb != dbid;
            if (select) {
                req.array(2);
                req.bulk("SELECT");
                req.bulk(dbid);
            }
            int live = 0;
            for (int j = 0; j < n; j++) {
                long ttl = 0;
                long expireAt = Entries.expireAt(entries[j]);
                if (expireAt != -1) {
                    ttl = expireAt - c.now;
                    if (ttl < 0) {
                        continue;
                    }
                    if (ttl < 1) {
                        ttl = 1;
                    }
                }
                entries[live] = entries[j];
                args[live++] = args[j];
                req.array(replace ? 5 : 4);
                req.bulk(s.clusterEnabled() ? "RESTORE-ASKING" : "RESTORE");
                req.bulk(c.argData(), c.argOff(args[j]), c.argLen(args[j]));
                req.bulk(ttl);
                byte[] payload = RdbWriter.dumpPayload(s, entries[j]);
                req.bulk(payload, 0, payload.length);
                if (replace) {
                    req.bulk("REPLACE");
                }
            }
            n = live;

            boolean failed = false;
            String authReply = null;
            String selectReply = null;
            try {
                for (int pos = 0; pos < req.len; pos += MIGRATE_WRITE_CHUNK) {
                    cs.conn.write(req.buf, pos, Math.min(MIGRATE_WRITE_CHUNK, req.len - pos), timeout);
                }
            } catch (IOException e) {
                writeError = true;
                timedOut = e instanceof SocketTimeoutException;
                failed = true;
            }
            if (!failed) {
                try {
                    if (password != null) {
                        authReply = cs.conn.readLine(MIGRATE_LINE_MAX, timeout);
                    }
                    if (select) {
                        selectReply = cs.conn.readLine(MIGRATE_LINE_MAX, timeout);
                    }
                } catch (IOException e) {
                    timedOut = e instanceof SocketTimeoutException;
                    failed = true;
                }
            }
            if (!failed) {
                boolean errorFromTarget = false;
                boolean socketError = false;
                int j;
                for (j = 0; j < n; j++) {
                    String r;
                    try {
                        r = cs.conn.readLine(MIGRATE_LINE_MAX, timeout);
                    } catch (IOException e) {
                        timedOut = e instanceof SocketTimeoutException;
                        socketError = true;
                        break;
                    }
                    boolean authFailed = password != null && authReply.startsWith("-");
                    boolean selectFailed = select && selectReply.startsWith("-");
                    if (authFailed || selectFailed || r.startsWith("-")) {
                        if (!errorFromTarget) {
                            cs.lastDb = -1;
                            String err = authFailed ? authReply : selectFailed ? selectReply : r;
                            errorFromTarget = true;
                            c.error("ERR Target instance replied with error: " + err.substring(1));
                        }
                    } else if (!copy) {
                        int a = args[j];
                        db.delete(c.argData(), c.argOff(a), c.argLen(a));
                        KeyEvents.fire(c, KeyEvents.GENERIC, KeyEvents.DEL, a);
                        movedArgs[(int) deleted++] = a;
                    }
                }
                // A dead cached connection fails on the first reply: try once more on a new one.
                boolean retryNow = !errorFromTarget && socketError && j == 0 && mayRetry && !timedOut;
                if (!retryNow) {
                    if (socketError) {
                        sockets.close(name);
                    }
                    // Without COPY, replicas see a DEL of the keys the target acknowledged.
                    propagateMovedAsDel(c, movedArgs, deleted);
                    if (!errorFromTarget && socketError) {
                        mayRetry = false;
                    } else {
                        if (!errorFromTarget) {
                            cs.lastDb = dbid;
                            c.reply.ok();
                        }
                        c.dirtyChanges = deleted;
                        return;
                    }
                }
            }
            // The socket error path: drop the connection, retry once unless it was a timeout.
            sockets.close(name);
            if (!timedOut && mayRetry) {
                mayRetry = false;
                continue;
            }
            c.error("IOERR error or timeout " + (writeError ? "writing" : "reading") + " to target instance");
            c.dirtyChanges = deleted;
            return;
        }
    }
}
