package dev.cinnabar.server.family;

import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.type.ScoredMembers;
import dev.cinnabar.server.type.ZSetValue;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * ZRANDMEMBER with a count (Redis zrandmemberWithCountCommand), with Redis's four strategies:
 * independent picks for a negative count; the whole set when the count covers it; a selection
 * sample in set order for listpacks; for skiplists, a partial shuffle of the ranks when the
 * count is a large share of the set, else repeated random picks that skip duplicates.
 */
final class ZSetRandom {
    private ZSetRandom() {}

    /** Above this share (count * 3 > size) picking distinct members by rejection gets slow. */
    private static final int SUB_STRATEGY_MUL = 3;

    static void withCount(Client c, long l, boolean withScores) {
        Object entry = c.db.lookupRead(c, 1);
        if (entry == null) {
            c.reply.emptyArray();
            return;
        }
        ZSetValue z = ZSetFamily.asZSet(entry);
        if (z == null) {
            c.wrongType();
            return;
        }
        long size = z.size();
        boolean unique = l >= 0;
        long count = unique ? l : -l;
        if (count == 0) {
            c.reply.emptyArray();
            return;
        }
        ReplyWriter w = c.reply;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        ScoredMembers.Visitor out = (b, off, len, s) -> ZSetFamily.replyMember(w, b, off, len, s, withScores);
        boolean flat = withScores && w.resp() == 2;

        // Independent picks: repeats allowed, random order.
        if (!unique || count == 1) {
            w.arrayLen(flat ? count * 2 : count);
            for (long k = 0; k < count; k++) {
                z.visitRandom(rnd, out);
                if (c.has(Client.CLOSE_ASAP)) {
                    break;
                }
            }
            return;
        }
        long n = Math.min(count, size);
        w.arrayLen(flat ? n * 2 : n);
        // The whole set, in Redis's iteration order (highest score first).
        if (count >= size) {
            z.forEachScored(out);
            return;
        }
        if (z.isListpack()) {
            z.visitSampleInOrder(count, rnd, out);
            return;
        }
        if (count * SUB_STRATEGY_MUL > size) {
            // Partial Fisher-Yates over the ranks: the first `count` slots are a uniform sample.
            int[] ranks = new int[(int) size];
            for (int i = 0; i < ranks.length; i++) {
                ranks[i] = i;
            }
            for (int i = 0; i < count; i++) {
                int j = i + rnd.nextInt(ranks.length - i);
                int t = ranks[i];
                ranks[i] = ranks[j];
                ranks[j] = t;
                z.visitAt(ranks[i], out);
            }
            return;
        }
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long[] added = new long[1];
        // In a skiplist-encoded set a member's buffer is its table entry: identity is membership.
        ScoredMembers.Visitor fresh = (b, off, len, s) -> {
            if (seen.add(b)) {
                added[0]++;
                out.visit(b, off, len, s);
            }
        };
        while (added[0] < count) {
            z.visitRandom(rnd, fresh);
        }
    }
}
