package dev.cinnabar.ds;

/**
 * A running total of heap bytes that several tables report their changes to, so that the sum
 * over many tables (every shard of every database) is known in O(1). A {@link KeyTable}
 * attached to a counter adds the difference each time its arrays or its entries change.
 *
 * <p>Not thread-safe: one owner at a time, like the tables that feed it.
 */
public final class MemoryCounter {
    private long bytes;

    public long bytes() {
        return bytes;
    }

    /** Adds {@code delta} bytes (negative when memory is released). */
    public void add(long delta) {
        bytes += delta;
    }
}
