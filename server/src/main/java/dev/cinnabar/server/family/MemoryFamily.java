package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.type.RedisValue;

/** MEMORY USAGE / PURGE / HELP. STATS, DOCTOR and MALLOC-STATS arrive with introspection work. */
public final class MemoryFamily {
    private MemoryFamily() {}

    /** Redis's default number of sampled elements for aggregate values. */
    static final long DEFAULT_SAMPLES = 5;
    /** A key's share of the keyspace table: an 8-byte slot at the usual ~0.5 load. */
    static final long TABLE_SLOT_SHARE = 16;

    public static void register(CommandTable t) {
        t.bind("memory|usage", MemoryFamily::usage)
                .bind("memory|purge", MemoryFamily::purge)
                .bind("memory|help", MemoryFamily::help);
    }

    static void usage(Client c) {
        long samples = DEFAULT_SAMPLES;
        for (int j = 3; j < c.argc(); j++) {
            if (c.argIs(j, "samples") && j + 1 < c.argc()) {
                if (!c.parseLong(j + 1)) {
                    return;
                }
                samples = c.parsed();
                if (samples < 0) {
                    c.syntaxError();
                    return;
                }
                j++;
            } else {
                c.syntaxError();
                return;
            }
        }
        // Like Redis: a raw lookup, no lazy expiry and no access-time update.
        Object e = c.db.peek(c.argData(), c.argOff(2), c.argLen(2));
        if (e == null) {
            c.reply.nullBulk();
            return;
        }
        long bytes = Entries.footprint(e) + TABLE_SLOT_SHARE;
        if (e instanceof ObjectEntry o && o.value instanceof RedisValue v) {
            bytes += v.memoryUsage(samples);
        }
        c.reply.integer(bytes);
    }

    /** Redis asks its allocator to return dirty pages; we ask the JVM for a collection. */
    static void purge(Client c) {
        System.gc();
        c.reply.ok();
    }

    static void help(Client c) {
        String[] lines = {
            "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "PURGE",
            "    Ask the JVM to collect garbage and return free memory to the system.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
            "HELP",
            "    Print this help.",
        };
        c.reply.arrayLen(lines.length);
        for (String l : lines) {
            c.reply.simple(l);
        }
    }
}
