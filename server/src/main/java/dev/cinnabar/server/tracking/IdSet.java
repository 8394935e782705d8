package dev.cinnabar.server.tracking;

/**
 * A set of client ids (positive longs): open addressing with linear probing, 0 marks a free
 * slot. The clients that may cache one key; most keys have one or two, some have thousands,
 * so adding stays O(1) without boxing.
 */
final class IdSet {
    private long[] slots = new long[4];
    private int size;

    int size() {
        return size;
    }

    /** Adds an id; false if it was there already. */
    boolean add(long id) {
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        return insert(slots, id);
    }

    private boolean insert(long[] s, long id) {
        int mask = s.length - 1;
        int i = mix(id) & mask;
        while (s[i] != 0) {
            if (s[i] == id) {
                return false;
            }
            i = (i + 1) & mask;
        }
        s[i] = id;
        size++;
        return true;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        for (long id : old) {
            if (id != 0) {
                insert(slots, id);
            }
        }
    }

    /** The backing slots, for iteration: every non-zero value is a member. */
    long[] slots() {
        return slots;
    }

    private static int mix(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
