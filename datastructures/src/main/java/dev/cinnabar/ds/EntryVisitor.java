package dev.cinnabar.ds;

/**
 * Receives entries from {@link KeyTable#scan}, {@link KeyTable#forEach} and their
 * {@link ShardedKeyTable} counterparts.
 *
 * <p>The visitor must not modify the table it is visiting (put, remove, replace, clear,
 * ttlScan): those calls throw {@link IllegalStateException} while a visit is under way. Reads
 * ({@code get}, {@code randomEntry}) are allowed; they skip their incremental rehash work
 * meanwhile. Collect what must change (keys to delete, expired keys found by SCAN) and apply it
 * after the call returns. Mutating the entry object itself (its LRU word) is fine.
 */
@FunctionalInterface
public interface EntryVisitor {
    void visit(Object entry);
}
