package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.blocking.Blocking;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.type.ZSetValue;

/**
 * The blocking sorted set pops (Redis blockingGenericZpopCommand): BZPOPMIN, BZPOPMAX and BZMPOP
 * pop like ZPOPMIN/ZPOPMAX/ZMPOP from the first non-empty sorted set among their keys, or block
 * on all of them ({@link Blocking.Kind#ZSET}); when one gets members the command runs again.
 */
public final class ZSetBlocking {
    private ZSetBlocking() {}

    public static void register(CommandTable t) {
        t.bind("bzpopmin", c -> bzpop(c, false))
                .bind("bzpopmax", c -> bzpop(c, true))
                .bind("bzmpop", ZSetBlocking::bzmpop);
    }

    /** BZPOPMIN / BZPOPMAX key [key ...] timeout: replies [key, member, score]. */
    static void bzpop(Client c, boolean max) {
        blockingPop(c, 1, c.argc() - 2, max, c.argc() - 1, -1, false, false);
    }

    /** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: replies [key, [[member, score]...]]. */
    static void bzmpop(Client c) {
        if (!ZSetFamily.parseMpop(c, 2)) {
            return;
        }
        blockingPop(c, 3, c.scratch[0], c.scratch[1] == 1, 1, ZSetFamily.mpopCount(c), true, true);
    }

    private static void blockingPop(Client c, int firstKey, int numkeys, boolean max, int timeoutArg, long count,
            boolean nested, boolean nilWhenEmpty) {
        long deadline = Blocking.parseTimeout(c, timeoutArg);
        if (deadline < 0) {
            return;
        }
        for (int j = 0; j < numkeys; j++) {
            int keyArg = firstKey + j;
            Object e = c.db.lookupWrite(c, keyArg);
            if (e == null) {
                continue;
            }
            ZSetValue z = ZSetFamily.asZSet(e);
            if (z == null) {
                c.wrongType();
                return;
            }
            if (z.size() == 0) {
                continue;
            }
            // Replicated as ZPOPMIN/ZPOPMAX (with the count for BZMPOP): see genericPop.
            ZSetFamily.genericPop(c, keyArg, 1, max, true, count, nested, nilWhenEmpty);
            return;
        }
        if (!Blocking.mayBlock(c)) {
            c.reply.nullArray(); // inside MULTI or a script: as if timed out at once
            return;
        }
        c.server.blocking.block(c, Blocking.Kind.ZSET, firstKey, numkeys, deadline, false);
    }
}
