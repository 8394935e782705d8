package dev.cinnabar.server.command;

import java.util.List;
import java.util.Locale;

/**
 * Bit sets for command flags, key-spec flags, argument flags and ACL categories, with the
 * names COMMAND INFO / COMMAND DOCS / ACL print, in the order Redis prints them.
 *
 * <p>WARNING: the order of the name arrays is observable (COMMAND INFO prints flags in this
 * order); keep it as Redis has it.
 */
public final class CommandFlags {
    private CommandFlags() {}

    // ---- command flags (order = COMMAND INFO order) -----------------------------------------
    public static final long WRITE = 1L;
    public static final long READONLY = 1L << 1;
    public static final long DENYOOM = 1L << 2;
    public static final long MODULE = 1L << 3;
    public static final long ADMIN = 1L << 4;
    public static final long PUBSUB = 1L << 5;
    public static final long NOSCRIPT = 1L << 6;
    public static final long BLOCKING = 1L << 7;
    public static final long LOADING = 1L << 8;
    public static final long STALE = 1L << 9;
    public static final long SKIP_MONITOR = 1L << 10;
    public static final long SKIP_SLOWLOG = 1L << 11;
    public static final long ASKING = 1L << 12;
    public static final long FAST = 1L << 13;
    public static final long NO_AUTH = 1L << 14;
    public static final long NO_MANDATORY_KEYS = 1L << 15;
    public static final long NO_ASYNC_LOADING = 1L << 16;
    public static final long NO_MULTI = 1L << 17;
    public static final long MOVABLE_KEYS = 1L << 18;
    public static final long ALLOW_BUSY = 1L << 19;
    // Hidden from COMMAND INFO, as in Redis:
    public static final long MAY_REPLICATE = 1L << 20;
    public static final long PROTECTED = 1L << 21;
    public static final long TOUCHES_ARBITRARY_KEYS = 1L << 22;
    public static final long SENTINEL = 1L << 23;
    public static final long ONLY_SENTINEL = 1L << 24;

    /** Names of the visible flags, indexed by bit. */
    static final String[] FLAG_NAMES = {
        "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
        "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
        "no_mandatory_keys", "no_async_loading", "no_multi", "movablekeys", "allow_busy",
        "may_replicate", "protected", "touches_arbitrary_keys", "sentinel", "only_sentinel",
    };
    static final int VISIBLE_FLAGS = 20;

    // ---- key-spec flags -----------------------------------------------------------------------
    public static final long KEY_RO = 1L;
    public static final long KEY_RW = 1L << 1;
    public static final long KEY_OW = 1L << 2;
    public static final long KEY_RM = 1L << 3;
    public static final long KEY_ACCESS = 1L << 4;
    public static final long KEY_UPDATE = 1L << 5;
    public static final long KEY_INSERT = 1L << 6;
    public static final long KEY_DELETE = 1L << 7;
    public static final long KEY_NOT_KEY = 1L << 8;
    public static final long KEY_INCOMPLETE = 1L << 9;
    public static final long KEY_VARIABLE_FLAGS = 1L << 10;
    static final String[] KEY_FLAG_NAMES = {
        "RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete",
        "variable_flags",
    };

    // ---- argument flags -----------------------------------------------------------------------
    public static final int ARG_OPTIONAL = 1;
    public static final int ARG_MULTIPLE = 2;
    public static final int ARG_MULTIPLE_TOKEN = 4;
    static final String[] ARG_FLAG_NAMES = {"optional", "multiple", "multiple_token"};

    // ---- doc flags ------------------------------------------------------------------------------
    public static final int DOC_DEPRECATED = 1;
    public static final int DOC_SYSCMD = 2;
    static final String[] DOC_FLAG_NAMES = {"deprecated", "syscmd"};

    // ---- ACL categories (order = ACL CAT order) ----------------------------------------------
    public static final String[] ACL_CATEGORY_NAMES = {
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
        "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
        "dangerous", "connection", "transaction", "scripting",
    };
    public static final long ACL_READ = 1L << 1;
    public static final long ACL_WRITE = 1L << 2;
    public static final long ACL_PUBSUB = 1L << 12;
    public static final long ACL_ADMIN = 1L << 13;
    public static final long ACL_FAST = 1L << 14;
    public static final long ACL_SLOW = 1L << 15;
    public static final long ACL_BLOCKING = 1L << 16;
    public static final long ACL_DANGEROUS = 1L << 17;
    public static final long ACL_SCRIPTING = 1L << 20;

    static long parse(List<String> names, String[] table, String what, String command) {
        long bits = 0;
        for (String n : names) {
            int i = indexOf(table, n);
            if (i < 0) {
                throw new IllegalArgumentException("unknown " + what + " '" + n + "' in " + command);
            }
            bits |= 1L << i;
        }
        return bits;
    }

    private static int indexOf(String[] table, String name) {
        for (int i = 0; i < table.length; i++) {
            if (table[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Redis setImplicitACLCategories: categories that follow from the command flags. */
    static long implicitAcl(long flags, long acl) {
        if ((flags & WRITE) != 0) {
            acl |= ACL_WRITE;
        }
        if ((flags & READONLY) != 0 && (acl & ACL_SCRIPTING) == 0) {
            acl |= ACL_READ;
        }
        if ((flags & ADMIN) != 0) {
            acl |= ACL_ADMIN | ACL_DANGEROUS;
        }
        if ((flags & PUBSUB) != 0) {
            acl |= ACL_PUBSUB;
        }
        if ((flags & FAST) != 0) {
            acl |= ACL_FAST;
        }
        if ((flags & BLOCKING) != 0) {
            acl |= ACL_BLOCKING;
        }
        if ((acl & ACL_FAST) == 0) {
            acl |= ACL_SLOW;
        }
        return acl;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
