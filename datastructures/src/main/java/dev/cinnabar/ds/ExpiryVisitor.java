package dev.cinnabar.ds;

/**
 * Receives entries that carry a TTL from {@link KeyTable#ttlScan} and decides their fate.
 *
 * <p>Returning {@code true} makes the table remove the entry right after the call, safely with
 * respect to the scan in progress (the table re-examines the slot the deletion refilled). This
 * is how active expiry deletes: the visitor checks the expiry time, does its side effects
 * (propagating DEL, keyspace notification, stats) and answers {@code true}. The same
 * restrictions as for {@link EntryVisitor} apply otherwise: no other mutation of the table from
 * inside the visit.
 */
@FunctionalInterface
public interface ExpiryVisitor {
    /** Returns whether the table should remove {@code entry}. */
    boolean visit(Object entry);
}
