package dev.cinnabar.server.command;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.ArgList;
import dev.cinnabar.server.command.CommandSpec.KeySpec;
import java.util.Arrays;
import java.util.Map;

/**
 * Finds the key arguments of a command (Redis getKeysFromCommandWithSpecs): first from the
 * key specs (begin_search index/keyword, find_keys range/keynum), and when a spec cannot say
 * (unknown or incomplete spec, or keys whose access flags depend on the arguments) from the
 * command's own argument parser, as Redis's getkeys_proc functions do.
 *
 * <p>Works on a window of an {@link ArgList}: {@code base} is the index of the command name,
 * so COMMAND GETKEYS can look inside its own arguments without copying them. Positions in a
 * {@link Result} are relative to the command name (0 = the name).
 */
public final class KeyExtractor {
    private KeyExtractor() {}

    /** Positions and access flags of the keys found. */
    public static final class Result {
        private int[] pos = new int[8];
        private long[] flags = new long[8];
        private int n;

        public int size() {
            return n;
        }

        public int position(int i) {
            return pos[i];
        }

        public long flags(int i) {
            return flags[i];
        }

        public void clear() {
            n = 0;
        }

        void add(int p, long f) {
            if (n == pos.length) {
                pos = Arrays.copyOf(pos, n * 2);
                flags = Arrays.copyOf(flags, n * 2);
            }
            pos[n] = p;
            flags[n] = f;
            n++;
        }
    }

    /** A command-specific key finder (Redis getkeys_proc). */
    @FunctionalInterface
    interface Finder {
        void find(Window w, Result out);
    }

    /** The arguments of the command being examined: index 0 is its name. */
    record Window(ArgList args, int base, int argc) {
        boolean is(int i, String lowerWord) {
            return args.is(base + i, lowerWord);
        }

        int length(int i) {
            return args.length(base + i);
        }

        /** C atoi: leading digits with an optional sign, anything after them ignored. */
        long atoi(int i) {
            byte[] d = args.data();
            int off = args.offset(base + i);
            int end = off + args.length(base + i);
            int p = off;
            while (p < end && (d[p] == ' ' || (d[p] >= '\t' && d[p] <= '\r'))) {
                p++;
            }
            boolean neg = false;
            if (p < end && (d[p] == '-' || d[p] == '+')) {
                neg = d[p] == '-';
                p++;
            }
            long v = 0;
            while (p < end && d[p] >= '0' && d[p] <= '9' && v < Integer.MAX_VALUE) {
                v = v * 10 + (d[p] - '0');
                p++;
            }
            return neg ? -v : v;
        }

        /** Redis string2ll: the whole argument must be a 64-bit integer. */
        boolean isLong(int i) {
            return Ascii.isLong(args.data(), args.offset(base + i), args.length(base + i));
        }

        long parseLong(int i) {
            return Ascii.parseLongOr(args.data(), args.offset(base + i), args.length(base + i), 0);
        }
    }

    private static final long RO_ACCESS = CommandFlags.KEY_RO | CommandFlags.KEY_ACCESS;
    private static final long RW_ACCESS_UPDATE = CommandFlags.KEY_RW | CommandFlags.KEY_ACCESS | CommandFlags.KEY_UPDATE;
    private static final long OW_UPDATE = CommandFlags.KEY_OW | CommandFlags.KEY_UPDATE;

    /** Redis's getkeys_proc of each command that has one, by command name. */
    private static final Map<String, Finder> FINDERS = Map.ofEntries(
            Map.entry("set", KeyExtractor::setKeys),
            Map.entry("bitfield", KeyExtractor::bitfieldKeys),
            Map.entry("sort", KeyExtractor::sortKeys),
            Map.entry("sort_ro", (w, out) -> out.add(1, RO_ACCESS)),
            Map.entry("migrate", KeyExtractor::migrateKeys),
            Map.entry("georadius", KeyExtractor::georadiusKeys),
            Map.entry("georadiusbymember", KeyExtractor::georadiusKeys),
            Map.entry("xread", KeyExtractor::xreadKeys),
            Map.entry("xreadgroup", KeyExtractor::xreadKeys),
            Map.entry("eval", numKeys(0, 2, 3)),
            Map.entry("evalsha", numKeys(0, 2, 3)),
            Map.entry("eval_ro", numKeys(0, 2, 3)),
            Map.entry("evalsha_ro", numKeys(0, 2, 3)),
            Map.entry("fcall", numKeys(0, 2, 3)),
            Map.entry("fcall_ro", numKeys(0, 2, 3)),
            Map.entry("zunionstore", numKeys(1, 2, 3)),
            Map.entry("zinterstore", numKeys(1, 2, 3)),
            Map.entry("zdiffstore", numKeys(1, 2, 3)),
            Map.entry("zunion", numKeys(0, 1, 2)),
            Map.entry("zinter", numKeys(0, 1, 2)),
            Map.entry("zdiff", numKeys(0, 1, 2)),
            Map.entry("zintercard", numKeys(0, 1, 2)),
            Map.entry("sintercard", numKeys(0, 1, 2)),
            Map.entry("lmpop", numKeys(0, 1, 2)),
            Map.entry("zmpop", numKeys(0, 1, 2)),
            Map.entry("blmpop", numKeys(0, 2, 3)),
            Map.entry("bzmpop", numKeys(0, 2, 3)));

    private static Finder finder(Command cmd) {
        return cmd.parent == null ? FINDERS.get(cmd.name()) : null;
    }

    /** Redis doesCommandHaveKeys: a key finder, or a key spec that names real keys. */
    public static boolean hasKeys(Command cmd) {
        if (finder(cmd) != null) {
            return true;
        }
        for (KeySpec k : cmd.spec.keySpecs()) {
            if ((k.flags() & CommandFlags.KEY_NOT_KEY) == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The keys of the command whose name is at {@code args[base]} and which has {@code argc}
     * arguments (its name included). Returns the number of keys found (0 when the arguments
     * are malformed and the command would reply with an error).
     */
    public static int keys(Command cmd, ArgList args, int base, int argc, Result out) {
        out.clear();
        Window w = new Window(args, base, argc);
        boolean realKeys = false;
        boolean variableFlags = false;
        for (KeySpec k : cmd.spec.keySpecs()) {
            realKeys |= (k.flags() & CommandFlags.KEY_NOT_KEY) == 0;
            variableFlags |= (k.flags() & CommandFlags.KEY_VARIABLE_FLAGS) != 0;
        }
        if (realKeys && !variableFlags && fromSpecs(cmd, w, out)) {
            return out.size();
        }
        out.clear();
        Finder f = finder(cmd);
        if (f != null) {
            f.find(w, out);
        }
        return out.size();
    }

    /** Redis getKeysUsingKeySpecs; false when a spec cannot be applied (caller falls back). */
    static boolean fromSpecs(Command cmd, Window w, Result out) {
        int argc = w.argc();
        for (KeySpec spec : cmd.spec.keySpecs()) {
            if ((spec.flags() & CommandFlags.KEY_NOT_KEY) != 0) {
                continue;
            }
            int first = 0;
            if (spec.bsIndex() > 0) {
                first = spec.bsIndex();
            } else if (spec.bsKeyword() != null) {
                first = keywordStart(spec, w);
                if (first == 0) {
                    continue; // keyword absent: this spec names no key
                }
            } else {
                return false;
            }
            int last;
            int step;
            if (spec.fkType() == KeySpec.FK_RANGE) {
                step = spec.b();
                if (spec.a() >= 0) {
                    last = first + spec.a();
                } else if (spec.c() == 0) {
                    last = argc + spec.a();
                } else {
                    last = first + ((argc - first) / spec.c() + spec.a());
                }
            } else if (spec.fkType() == KeySpec.FK_KEYNUM) {
                step = spec.c();
                int numIdx = first + spec.a();
                if (spec.a() >= argc || numIdx >= argc || !w.isLong(numIdx)) {
                    return false;
                }
                long num = w.parseLong(numIdx);
                if (num < 0) {
                    return false;
                }
                first += spec.b();
                last = (int) (first + num - 1);
            } else {
                return false;
            }
            if (last >= argc || last < first || first >= argc) {
                return false;
            }
            for (int i = first; i <= last; i += Math.max(step, 1)) {
                if (i >= argc || i < first) {
                    // A negative-arity command given too few arguments: the command replies.
                    continue;
                }
                out.add(i, spec.flags());
            }
            if ((spec.flags() & CommandFlags.KEY_INCOMPLETE) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Index after the begin_search keyword, or 0 when it does not occur. */
    private static int keywordStart(KeySpec spec, Window w) {
        int argc = w.argc();
        int from = spec.bsStartFrom() > 0 ? spec.bsStartFrom() : argc + spec.bsStartFrom();
        int to = spec.bsStartFrom() > 0 ? argc - 1 : 1;
        String kw = spec.bsKeyword().toLowerCase(java.util.Locale.ROOT);
        for (int i = from; i != to; i = from <= to ? i + 1 : i - 1) {
            if (i >= argc || i < 1) {
                break;
            }
            if (w.is(i, kw)) {
                return i + 1;
            }
        }
        return 0;
    }

    // ---- command-specific finders ----------------------------------------------------------------

    /** Redis genericGetKeys: [destkey] numkeys key... ; no keys when the count is implausible. */
    private static Finder numKeys(int storeIdx, int countIdx, int firstIdx) {
        return (w, out) -> {
            long num = w.atoi(countIdx);
            if (num < 1 || num > (w.argc() - firstIdx)) {
                return;
            }
            for (int i = 0; i < num; i++) {
                out.add(firstIdx + i, 0);
            }
            if (storeIdx > 0) {
                out.add(storeIdx, 0);
            }
        };
    }

    /** SET reads the old value only with GET. */
    private static void setKeys(Window w, Result out) {
        for (int i = 3; i < w.argc(); i++) {
            if (w.is(i, "get")) {
                out.add(1, RW_ACCESS_UPDATE);
                return;
            }
        }
        out.add(1, OW_UPDATE);
    }

    /** BITFIELD is read-only when it only has GET operations. */
    private static void bitfieldKeys(Window w, Result out) {
        boolean readonly = true;
        for (int i = 2; i < w.argc(); i++) {
            int rem = w.argc() - i - 1;
            if (w.is(i, "get") && rem >= 2) {
                i += 2;
            } else if ((w.is(i, "set") || w.is(i, "incrby")) && rem >= 3) {
                readonly = false;
                break;
            } else if (w.is(i, "overflow") && rem >= 1) {
                i += 1;
            } else {
                readonly = false;
                break;
            }
        }
        out.add(1, readonly ? RO_ACCESS : RW_ACCESS_UPDATE);
    }

    /** SORT key [... STORE dest ...]: the last STORE wins, as SORT itself does. */
    private static void sortKeys(Window w, Result out) {
        out.add(1, RO_ACCESS);
        int store = -1;
        for (int i = 2; i < w.argc(); i++) {
            if (w.is(i, "limit")) {
                i += 2;
            } else if (w.is(i, "get") || w.is(i, "by")) {
                i += 1;
            } else if (w.is(i, "store") && i + 1 < w.argc()) {
                store = i + 1;
            }
        }
        if (store > 0) {
            out.add(store, OW_UPDATE);
        }
    }

    /** MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 u pw] [KEYS k...]. */
    private static void migrateKeys(Window w, Result out) {
        int first = 3;
        int num = 1;
        int argc = w.argc();
        if (argc > 6) {
            for (int i = 6; i < argc; i++) {
                if (w.is(i, "keys")) {
                    if (w.length(3) > 0) {
                        num = 0; // both a key and KEYS: MIGRATE replies a syntax error
                    } else {
                        first = i + 1;
                        num = argc - first;
                    }
                    break;
                }
                if (w.is(i, "auth")) {
                    i += 1;
                } else if (w.is(i, "auth2")) {
                    i += 2;
                }
            }
        }
        long flags = CommandFlags.KEY_RW | CommandFlags.KEY_ACCESS | CommandFlags.KEY_DELETE;
        for (int i = 0; i < num; i++) {
            out.add(first + i, flags);
        }
    }

    /** GEORADIUS[BYMEMBER] key ... [STORE key|STOREDIST key]: the last store option wins. */
    private static void georadiusKeys(Window w, Result out) {
        int stored = -1;
        for (int i = 5; i < w.argc(); i++) {
            if ((w.is(i, "store") || w.is(i, "storedist")) && i + 1 < w.argc()) {
                stored = i + 1;
                i++;
            }
        }
        out.add(1, 0);
        if (stored > 0) {
            out.add(stored, 0);
        }
    }

    /** XREAD[GROUP] options STREAMS key... id...: as many keys as ids. */
    private static void xreadKeys(Window w, Result out) {
        int streams = -1;
        int argc = w.argc();
        for (int i = 1; i < argc; i++) {
            if (w.is(i, "block") || w.is(i, "count")) {
                i++;
            } else if (w.is(i, "group")) {
                i += 2;
            } else if (w.is(i, "noack")) {
                continue;
            } else if (w.is(i, "fields") && i + 1 < argc) {
                // Our FIELDS n f1 .. fn projection: skip the field names (they are not keys).
                long n = w.parseLong(i + 1);
                if (n < 1 || n > argc) {
                    return;
                }
                i += 1 + (int) n;
            } else {
                if (w.is(i, "streams")) {
                    streams = i;
                }
                break;
            }
        }
        int num = streams < 0 ? 0 : argc - streams - 1;
        if (streams < 0 || num == 0 || num % 2 != 0) {
            return;
        }
        num /= 2;
        for (int i = streams + 1; i < argc - num; i++) {
            out.add(i, 0);
        }
    }
}
