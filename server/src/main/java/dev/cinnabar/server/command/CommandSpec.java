package dev.cinnabar.server.command;

import java.util.List;

/**
 * The declarative description of one command or subcommand, read from our own spec files
 * ({@code resources/dev/cinnabar/server/commands/*.json}, see {@link SpecLoader}). It is the
 * single source for dispatch checks (arity, flags), COMMAND INFO/DOCS/GETKEYS, ACL categories
 * and key extraction. Immutable and shared by every server in the JVM.
 *
 * @param name lower-case name ("get", or "list" for CLIENT LIST)
 * @param fullName lower-case full name ("get", "client|list")
 * @param arity Redis arity: positive = exact argc, negative = at least -arity
 * @param flags {@link CommandFlags} command bits
 * @param acl ACL category bits, including the implicit ones
 */
public record CommandSpec(
        String name,
        String fullName,
        String group,
        String summary,
        String since,
        String complexity,
        int arity,
        long flags,
        long acl,
        List<String> tips,
        List<KeySpec> keySpecs,
        List<ArgSpec> args,
        List<String[]> history,
        int docFlags,
        String deprecatedSince,
        String replacedBy,
        List<CommandSpec> subcommands) {

    public boolean has(long flag) {
        return (flags & flag) != 0;
    }

    public boolean isContainer() {
        return !subcommands.isEmpty();
    }

    /**
     * A key specification (Redis 7 key specs): where the keys begin (an index, or after a
     * keyword) and how to find them from there (a range, or a count argument).
     *
     * @param bsIndex begin_search index (>0), or 0 when keyword/unknown
     * @param bsKeyword begin_search keyword, or null
     * @param bsStartFrom keyword search start (negative = from the end)
     * @param fkType 0 unknown, 1 range, 2 keynum
     * @param a range: lastkey / keynum: keynumidx
     * @param b range: keystep / keynum: firstkey
     * @param c range: limit / keynum: keystep
     */
    public record KeySpec(long flags, String notes, int bsIndex, String bsKeyword, int bsStartFrom,
                          int fkType, int a, int b, int c) {
        public static final int FK_UNKNOWN = 0;
        public static final int FK_RANGE = 1;
        public static final int FK_KEYNUM = 2;

        public boolean bsUnknown() {
            return bsIndex == 0 && bsKeyword == null;
        }
    }

    /** One argument of COMMAND DOCS (a node of the argument tree). */
    public record ArgSpec(String name, String type, String displayText, int keySpecIndex,
                          String token, String summary, String since, String deprecatedSince,
                          int flags, List<ArgSpec> args) {}
}
