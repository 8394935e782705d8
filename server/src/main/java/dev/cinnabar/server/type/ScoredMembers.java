package dev.cinnabar.server.type;

/**
 * A value ZUNION, ZINTER, ZDIFF (and their STORE forms) and ZINTERCARD take as an input:
 * members with scores. Sorted sets give their scores; plain sets implement this with every
 * score 1.0 (Redis treats a set input as a sorted set whose scores are all 1), so the set type
 * plugs in by implementing this interface.
 */
public interface ScoredMembers {
    /** Receives a member (a slice of a buffer valid only during the call) and its score. */
    @FunctionalInterface
    interface Visitor {
        void visit(byte[] buf, int off, int len, double score);
    }

    /** Number of members. */
    int size();

    /**
     * Visits every member once. The visitor must not modify this value. (Sorted sets visit from
     * the highest score down, as Redis iterates them for these commands.)
     */
    void forEachScored(Visitor v);

    /** The score of a member, or NaN when it is not a member. */
    double scoreOf(byte[] m, int off, int len);
}
