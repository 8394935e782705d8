package dev.cinnabar.server.type;

/**
 * Redis's inclusive index ranges over a sequence of {@code len} elements, where negative indexes
 * count from the end and out-of-range ends are clamped (LRANGE, LTRIM, ZRANGE by rank,
 * ZREMRANGEBYRANK all share these rules).
 */
public final class Ranks {
    private Ranks() {}

    /** The first index the range covers (meaningful only when {@link #count} is not 0). */
    public static long first(long start, long len) {
        if (start < 0) {
            start += len;
        }
        return start < 0 ? 0 : start;
    }

    /** How many elements {@code [start, end]} covers; 0 when the range is empty. */
    public static long count(long start, long end, long len) {
        long s = first(start, len);
        if (end < 0) {
            end += len;
        }
        if (s > end || s >= len) {
            return 0;
        }
        if (end >= len) {
            end = len - 1;
        }
        return end - s + 1;
    }
}
