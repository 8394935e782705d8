package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.Glob;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.config.ConfigRewriteException;
import dev.cinnabar.server.config.ConfigText;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.metrics.ServerMetrics;
import dev.cinnabar.server.type.Digestible;
import dev.cinnabar.server.type.RedisValue;
import dev.cinnabar.server.type.Strings;
import dev.cinnabar.server.type.ValueDigest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * DEBUG (Redis debug.c): the subcommands the test suites and operators use. DEBUG is one
 * command that parses its own subcommand, as in Redis, so its errors read "unknown subcommand
 * or wrong number of arguments". Subcommands whose subsystem does not exist yet reply an
 * explicit "not supported yet" error rather than pretending to work.
 */
public final class DebugFamily {
    private DebugFamily() {}

    public static void register(CommandTable t) {
        t.bind("debug", DebugFamily::debug);
    }

    /**
     * DEBUG SEGFAULT / PANIC / ASSERT: Redis dies on the spot with a crash report in its log
     * (tests use it to check the report and recovery). Only a server that owns its process
     * does so.
     */
    private static void crash(Client c, String sub) {
        if (!dev.cinnabar.server.CrashReport.ownsProcess()) {
            c.error("ERR DEBUG " + sub.toUpperCase(java.util.Locale.ROOT) + " is not available in an embedded server");
            return;
        }
        switch (sub) {
            case "segfault" -> dev.cinnabar.server.CrashReport.crashOnSignal(c.server.log,
                    dev.cinnabar.server.CrashReport.SIGSEGV, "DEBUG SEGFAULT");
            case "panic" -> dev.cinnabar.server.CrashReport.panic(c.server.log, "DEBUG PANIC called at Unix time "
                    + System.currentTimeMillis() / 1000);
            default -> dev.cinnabar.server.CrashReport.panic(c.server.log, "\"1 == 2\" (DEBUG ASSERT)");
        }
    }

    static void debug(Client c) {
        int argc = c.argc();
        String sub = c.argForMessage(1).toLowerCase(java.util.Locale.ROOT);
        switch (sub) {
            case "help" -> {
                if (argc == 2) {
                    help(c);
                    return;
                }
            }
            case "log" -> {
                if (argc == 3) {
                    c.server.log.warning("DEBUG LOG: " + c.argForMessage(2));
                    c.reply.ok();
                    return;
                }
            }
            case "segfault", "panic", "assert" -> {
                if (argc == 2) {
                    crash(c, sub);
                    return;
                }
            }
            case "leak" -> {
                if (argc == 3) {
                    c.reply.ok(); // nothing leaks in a garbage-collected heap
                    return;
                }
            }
            case "reload" -> {
                DebugReload.reload(c);
                return;
            }
            case "loadaof" -> {
                String err = c.server.aof.debugLoadAof();
                if (err != null) {
                    c.error(err);
                } else {
                    c.reply.ok();
                }
                return;
            }
            case "object" -> {
                if (argc == 3) {
                    object(c);
                    return;
                }
            }
            case "listpack", "quicklist" -> {
                if (argc == 3 || (argc == 4 && sub.equals("quicklist"))) {
                    listStructure(c, sub.equals("quicklist"));
                    return;
                }
            }
            case "populate" -> {
                if (argc >= 3 && argc <= 5) {
                    populate(c);
                    return;
                }
            }
            case "digest" -> {
                if (argc == 2) {
                    c.reply.simple(datasetDigest(c.server));
                    return;
                }
            }
            case "digest-value" -> {
                c.reply.arrayLen(argc - 2);
                ValueDigest d = new ValueDigest();
                for (int j = 2; j < argc; j++) {
                    d.clear();
                    Object e = c.db.peek(c.argData(), c.argOff(j), c.argLen(j));
                    if (e != null) {
                        valueDigest(d, e);
                    }
                    c.reply.simple(d.hex());
                }
                return;
            }
            case "protocol" -> {
                if (argc == 3) {
                    protocol(c);
                    return;
                }
            }
            case "sleep" -> {
                if (argc == 3) {
                    sleep(c);
                    return;
                }
            }
            case "set-active-expire" -> {
                if (argc == 3) {
                    c.server.expiry.enabled(atoi(c, 2) != 0);
                    c.reply.ok();
                    return;
                }
            }
            case "quicklist-packed-threshold" -> {
                if (argc == 3) {
                    Long sz = ConfigText.memToULL(c.argForMessage(2));
                    if (sz == null || Long.compareUnsigned(sz, (1L << 32) - (1L << 20)) > 0) {
                        c.error("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
                    } else {
                        c.server.debug.quicklistPackedThreshold = sz == 0 ? 1L << 30 : sz;
                        c.reply.ok();
                    }
                    return;
                }
            }
            case "set-skip-checksum-validation" -> {
                if (argc == 3) {
                    c.server.debug.skipChecksumValidation = atoi(c, 2) != 0;
                    c.reply.ok();
                    return;
                }
            }
            case "aof-flush-sleep" -> {
                if (argc == 3) {
                    c.server.debug.aofFlushSleep = atoi(c, 2);
                    c.reply.ok();
                    return;
                }
            }
            case "error" -> {
                if (argc == 3) {
                    // A raw error reply: not counted as an error of this command, as in Redis.
                    c.reply.error(c.argForMessage(2));
                    return;
                }
            }
            case "change-repl-id" -> {
                if (argc == 2) {
                    c.server.log.notice("Changing replication IDs after receiving DEBUG change-repl-id");
                    ServerMetrics m = c.server.metrics;
                    m.replId = ServerMetrics.randomId();
                    m.replId2 = "0000000000000000000000000000000000000000";
                    m.secondReplOffset = -1;
                    c.reply.ok();
                    return;
                }
            }
            case "stringmatch-test" -> {
                if (argc == 2) {
                    stringmatchFuzz();
                    c.reply.simple("Apparently Redis did not crash: test passed");
                    return;
                }
            }
            case "set-disable-deny-scripts" -> {
                if (argc == 3) {
                    c.server.debug.disableDenyScripts = atoi(c, 2) != 0;
                    c.reply.ok();
                    return;
                }
            }
            case "config-rewrite-force-all" -> {
                if (argc == 2) {
                    try {
                        c.server.config.rewrite(c.server.config.configFile(), true);
                        c.reply.ok();
                    } catch (ConfigRewriteException e) {
                        String m = e.getMessage();
                        String reason = m.startsWith("ERR Rewriting config file: ")
                                ? m.substring("ERR Rewriting config file: ".length()) : m.substring(4);
                        c.error("ERR CONFIG-REWRITE-FORCE-ALL failed: " + reason);
                    }
                    return;
                }
            }
            case "pause-cron" -> {
                if (argc == 3) {
                    c.server.metrics.cronPaused = atoi(c, 2) != 0;
                    c.reply.ok();
                    return;
                }
            }
            case "replybuffer" -> {
                if (argc == 4) {
                    replyBuffer(c);
                    return;
                }
            }
            default -> { }
        }
        Help.subcommandSyntaxError(c);
    }

    /**
     * DEBUG LISTPACK key / DEBUG QUICKLIST key [full]: prints the value's structure on stdout,
     * as Redis does, for values with that encoding (lists here; other types as they arrive).
     */
    private static void listStructure(Client c, boolean quicklist) {
        Object e = c.db.lookupReadNoTouch(c, 2);
        if (e == null) {
            c.error("ERR no such key");
            return;
        }
        String enc = Strings.isString(e) ? Strings.encodingName(e) : ((RedisValue) ((ObjectEntry) e).value).encoding();
        if (!enc.equals(quicklist ? "quicklist" : "listpack")) {
            c.error(quicklist ? "ERR Not a quicklist encoded object." : "ERR Not a listpack encoded object.");
            return;
        }
        Object v = ((ObjectEntry) e).value;
        if (v instanceof dev.cinnabar.server.type.ListValue l) {
            System.out.print(l.describe(quicklist && c.argc() == 4 && atoi(c, 3) != 0));
            System.out.flush();
        }
        c.reply.simple(quicklist ? "Quicklist structure printed on stdout" : "Listpack structure printed on stdout");
    }

    /** C atoi of an argument: leading digits, 0 when there are none. */
    static long atoi(Client c, int i) {
        byte[] d = c.argData();
        int p = c.argOff(i);
        int end = p + c.argLen(i);
        while (p < end && (d[p] == ' ' || (d[p] >= '\t' && d[p] <= '\r'))) {
            p++;
        }
        boolean neg = p < end && d[p] == '-';
        if (p < end && (d[p] == '-' || d[p] == '+')) {
            p++;
        }
        long v = 0;
        while (p < end && d[p] >= '0' && d[p] <= '9' && v < Integer.MAX_VALUE) {
            v = v * 10 + d[p++] - '0';
        }
        return neg ? -v : v;
    }

    private static void help(Client c) {
        Help.reply(c,
                "CHANGE-REPL-ID",
                "    Give the instance new replication ids (for replication tests).",
                "CONFIG-REWRITE-FORCE-ALL",
                "    Like CONFIG REWRITE, but write every parameter, defaults included.",
                "DIGEST",
                "    Reply with a hex signature of the content of every database.",
                "DIGEST-VALUE <key> [<key> ...]",
                "    Reply with a hex signature of the value of each key.",
                "ERROR <string>",
                "    Reply with <string> as an error (for client library tests).",
                "LISTPACK <key>",
                "    Print the listpack structure of <key> on the server's standard output.",
                "LOG <message>",
                "    Write <message> to the server log.",
                "OBJECT <key>",
                "    Show how the value of <key> is stored.",
                "POPULATE <count> [<prefix>] [<size>]",
                "    Create <count> string keys <prefix>:<num> (prefix 'key' by default), holding",
                "    'value:<num>' or, with <size>, values of <size> bytes. Existing keys are kept.",
                "PROTOCOL <type>",
                "    Reply with a sample value of a RESP type: string, integer, double, bignum,",
                "    null, array, set, map, attrib, push, verbatim, true, false.",
                "QUICKLIST <key> [<0|1>]",
                "    Print the quicklist structure of <key> on the server's standard output,",
                "    with every element when the second argument is 1.",
                "QUICKLIST-PACKED-THRESHOLD <size>",
                "    List elements of at least <size> bytes get a node of their own (0 restores 1gb).",
                "SEGFAULT",
                "    Crash the server with a crash report, as on a segmentation fault.",
                "PANIC",
                "    Crash the server with a panic report.",
                "ASSERT",
                "    Crash the server with a failed-assertion report.",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Turn the background expiry of keys off (0) or back on (1).",
                "SLEEP <seconds>",
                "    Block the server for <seconds>; decimals are allowed.",
                "STRINGMATCH-TEST",
                "    Run random patterns through the glob matcher.",
                "PAUSE-CRON <0|1>",
                "    Stop (1) or resume (0) the periodic server tasks.",
                "REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|<milliseconds>>",
                "    Set how often the reply buffer peak is forgotten.",
                "REPLYBUFFER RESIZING <0|1>",
                "    Turn reply buffer resizing off or on.");
    }

    // ---- OBJECT -------------------------------------------------------------------------------

    private static void object(Client c) {
        Object e = c.db.peek(c.argData(), c.argOff(2), c.argLen(2));
        if (e == null) {
            c.error("ERR no such key");
            return;
        }
        Server s = c.server;
        boolean string = Strings.isString(e);
        String encoding = string ? Strings.encodingName(e) : ((RedisValue) ((ObjectEntry) e).value).encoding();
        int lru = Entries.lru(e);
        int clock = c.db.lruClock();
        long idle = clock >= lru ? clock - lru : (0xFFFFFFL - lru) + clock;
        long refcount = string && sharedInteger(s, e) ? Integer.MAX_VALUE : 1;
        long serialized = string ? stringSerializedLength(Strings.array(e), Strings.offset(e), Strings.length(e), encoding)
                : Entries.footprint(e);
        String extra = e instanceof ObjectEntry o && o.value instanceof dev.cinnabar.server.type.ListValue l
                ? l.debugObjectExtra() : "";
        c.reply.simple("Value at:0x" + Long.toHexString(0x7f0000000000L | System.identityHashCode(valueObject(e)))
                + " refcount:" + refcount + " encoding:" + encoding + " serializedlength:" + serialized
                + " lru:" + lru + " lru_seconds_idle:" + idle + extra);
    }

    /** The object that holds the value: the entry itself for packed strings. */
    private static Object valueObject(Object e) {
        return e instanceof ObjectEntry o ? o.value : e;
    }

    /**
     * Redis shares the integers 0..9999 between keys (refcount INT_MAX) unless an LRU/LFU
     * maxmemory policy needs per-key access times.
     */
    static boolean sharedInteger(Server s, Object e) {
        if (!(e instanceof byte[] b) || Entries.encoding(b) != Entries.ENC_INT) {
            return false;
        }
        long v = Ascii.parseLongOr(b, Entries.valueOffset(b), Entries.valueLength(b), -1);
        if (v < 0 || v >= 10000) {
            return false;
        }
        String policy = s.config.memory.maxmemoryPolicy.value();
        return s.config.memory.maxmemory.get() == 0 || !(policy.contains("lru") || policy.contains("lfu"));
    }

    /** Bytes of a string value in an RDB file (Redis rdbSavedObjectLen), before compression. */
    static long stringSerializedLength(byte[] v, int off, int len, String encoding) {
        if (len <= 11 && Ascii.isLong(v, off, len)) {
            long n = Ascii.parseLongOr(v, off, len, 0);
            if (n >= Byte.MIN_VALUE && n <= Byte.MAX_VALUE) {
                return 2;
            }
            if (n >= Short.MIN_VALUE && n <= Short.MAX_VALUE) {
                return 3;
            }
            if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
                return 5;
            }
        }
        return lengthPrefix(len) + len;
    }

    private static int lengthPrefix(long len) {
        if (len < 64) {
            return 1;
        }
        if (len < 16384) {
            return 2;
        }
        return len <= 0xFFFFFFFFL ? 5 : 9;
    }

    // ---- DIGEST -------------------------------------------------------------------------------

    /** Redis computeDatasetDigest: 40 zeros for an empty data set. */
    public static String datasetDigest(Server s) {
        ValueDigest total = new ValueDigest();
        ValueDigest entry = new ValueDigest();
        for (Database db : s.dbs()) {
            if (db.size() == 0) {
                continue;
            }
            total.mixInt(db.id);
            db.forEach(e -> {
                entry.clear();
                entry.mix(Entries.keyArray(e), Entries.keyOffset(e), Entries.keyLength(e));
                valueDigest(entry, e);
                total.xor(entry.bytes(), 0, 20);
            });
        }
        return total.hex();
    }

    /** Redis xorObjectDigest: the value's type, contents and whether it has a TTL. */
    static void valueDigest(ValueDigest d, Object e) {
        if (Strings.isString(e)) {
            d.mixInt(0);
            d.mix(Strings.array(e), Strings.offset(e), Strings.length(e));
        } else {
            Object v = ((ObjectEntry) e).value;
            d.mixInt(typeCode(((RedisValue) v).type()));
            if (v instanceof Digestible dv) {
                dv.digest(d);
            } else {
                throw new UnsupportedOperationException("DEBUG DIGEST of type " + ((RedisValue) v).type());
            }
        }
        if (Entries.hasExpire(e)) {
            byte[] mark = "!!expire!!".getBytes(StandardCharsets.ISO_8859_1);
            d.xor(mark, 0, mark.length);
        }
    }

    /** Redis's OBJ_* type numbers. */
    static int typeCode(String type) {
        return switch (type) {
            case "string" -> 0;
            case "list" -> 1;
            case "set" -> 2;
            case "zset" -> 3;
            case "hash" -> 4;
            case "stream" -> 6;
            default -> 5; // module
        };
    }

    // ---- other subcommands ----------------------------------------------------------------------

    private static void populate(Client c) {
        if (!c.parseLong(2)) {
            return;
        }
        long count = c.parsed();
        if (count < 0) {
            c.error("ERR value is out of range, must be positive");
            return;
        }
        long size = 0;
        if (c.argc() == 5) {
            if (!c.parseLong(4)) {
                return;
            }
            size = c.parsed();
            if (size < 0) {
                c.error("ERR value is out of range, must be positive");
                return;
            }
        }
        byte[] prefix = c.argc() >= 4 ? c.argCopy(3) : Ascii.bytes("key");
        Database db = c.db;
        byte[] sized = size > 0 ? new byte[(int) Math.min(size, Integer.MAX_VALUE - 16)] : null;
        for (long j = 0; j < count; j++) {
            byte[] num = Ascii.longBytes(j);
            byte[] key = new byte[prefix.length + 1 + num.length];
            System.arraycopy(prefix, 0, key, 0, prefix.length);
            key[prefix.length] = ':';
            System.arraycopy(num, 0, key, prefix.length + 1, num.length);
            if (db.find(key, 0, key.length, c.now) != null) {
                continue;
            }
            byte[] val = ("value:" + j).getBytes(StandardCharsets.ISO_8859_1);
            if (sized != null) {
                java.util.Arrays.fill(sized, (byte) 0);
                System.arraycopy(val, 0, sized, 0, Math.min(val.length, sized.length));
                val = sized;
            }
            int enc = val.length <= Strings.EMBSTR_LIMIT ? Entries.ENC_EMBSTR : Entries.ENC_RAW;
            db.setString(key, 0, key.length, val, 0, val.length, enc, -1);
        }
        c.reply.ok();
    }

    private static void protocol(Client c) {
        String type = c.argForMessage(2).toLowerCase(java.util.Locale.ROOT);
        switch (type) {
            case "string" -> c.reply.bulk("Hello World");
            case "integer" -> c.reply.integer(12345);
            case "double" -> c.reply.doubleFormatted(Ascii.bytes("3.141"));
            case "bignum" -> c.reply.bigNumber("1234567999999999999999999999999999999");
            case "null" -> c.reply.nullBulk();
            case "array" -> {
                c.reply.arrayLen(3);
                for (int j = 0; j < 3; j++) {
                    c.reply.integer(j);
                }
            }
            case "set" -> {
                c.reply.setLen(3);
                for (int j = 0; j < 3; j++) {
                    c.reply.integer(j);
                }
            }
            case "map" -> {
                c.reply.mapLen(3);
                for (int j = 0; j < 3; j++) {
                    c.reply.integer(j);
                    c.reply.bool(j == 1);
                }
            }
            case "attrib" -> {
                if (c.resp() >= 3) {
                    c.reply.attributeLen(1);
                    c.reply.bulk("key-popularity");
                    c.reply.arrayLen(2);
                    c.reply.bulk("key:123");
                    c.reply.integer(90);
                }
                c.reply.bulk("Some real reply following the attribute");
            }
            case "push" -> {
                if (c.resp() < 3) {
                    c.error("ERR RESP2 is not supported by this command");
                    return;
                }
                c.reply.pushLen(2);
                c.reply.bulk("server-cpu-usage");
                c.reply.integer(42);
                c.reply.bulk("Some real reply following the push reply");
            }
            case "true" -> c.reply.bool(true);
            case "false" -> c.reply.bool(false);
            case "verbatim" -> c.reply.verbatim("This is a verbatim\nstring", "txt");
            default -> c.error("ERR Wrong protocol type name. Please use one of the following: "
                    + "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
        }
    }

    /** Blocks the whole server (the lock stays held), as Redis's single thread sleeping does. */
    private static void sleep(Client c) {
        double seconds = strtod(c.argForMessage(2));
        long nanos = (long) (seconds * 1_000_000) * 1000;
        long deadline = System.nanoTime() + nanos;
        while (nanos > 0) {
            LockSupport.parkNanos(nanos);
            nanos = deadline - System.nanoTime();
        }
        c.reply.ok();
    }

    /** C strtod: the longest leading decimal number, 0 when there is none. */
    static double strtod(String s) {
        String t = s.strip();
        for (int end = t.length(); end > 0; end--) {
            try {
                String part = t.substring(0, end);
                char last = part.charAt(part.length() - 1);
                if (Character.isLetter(last) && last != 'e' && last != 'E') {
                    continue; // Java accepts suffixes like "d" and "f" that C does not
                }
                return Double.parseDouble(part);
            } catch (NumberFormatException e) {
                // try a shorter prefix
            }
        }
        return 0;
    }

    private static void replyBuffer(Client c) {
        if (c.argIs(2, "peak-reset-time")) {
            if (c.argIs(3, "never")) {
                c.server.debug.replyBufferPeakResetTime = -1;
            } else if (c.argIs(3, "reset")) {
                c.server.debug.replyBufferPeakResetTime = 5000;
            } else {
                if (!c.parseLong(3)) {
                    return;
                }
                c.server.debug.replyBufferPeakResetTime = c.parsed();
            }
        } else if (c.argIs(2, "resizing")) {
            c.server.debug.replyBufferResizing = atoi(c, 3) != 0;
        } else {
            Help.subcommandSyntaxError(c);
            return;
        }
        c.reply.ok();
    }

    /** Random patterns against random strings through the glob matcher, which must just return. */
    private static void stringmatchFuzz() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        byte[] alphabet = Ascii.bytes("ab*?[]^-\\");
        for (int i = 0; i < 100_000; i++) {
            byte[] p = new byte[r.nextInt(64)];
            byte[] s = new byte[r.nextInt(64)];
            for (int j = 0; j < p.length; j++) {
                p[j] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
            }
            for (int j = 0; j < s.length; j++) {
                s[j] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
            }
            Glob.match(p, s, r.nextBoolean());
        }
    }
}
