package dev.cinnabar.ds;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A sorted set of signed 64-bit integers packed in one {@code byte[]}: the "intset" encoding of
 * small all-integer sets.
 *
 * <p>Every element is stored with the same width, 2, 4 or 8 bytes (little-endian), the smallest
 * that holds all elements seen so far. Adding a value outside the current width widens every
 * element once; the width never narrows again (as Redis's intset, which OBJECT ENCODING and
 * memory reports reflect). The array is sized exactly to the elements, so a member costs at most
 * 8 bytes: inserts and removals copy the array anyway to shift the tail, so spare room would buy
 * nothing asymptotically. Lookups are binary searches.
 *
 * <p>Not thread-safe.
 */
public final class IntSet {
    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final byte[] EMPTY = new byte[0];

    /** The elements, ascending, {@link #width} bytes each; the length is exactly size * width. */
    private byte[] data;
    /** Bytes per element: 2, 4 or 8. */
    private byte width;

    public IntSet() {
        data = EMPTY;
        width = 2;
    }

    private IntSet(byte[] data, byte width) {
        this.data = data;
        this.width = width;
    }

    /**
     * An intset of the first {@code n} values of {@code values} (any order, duplicates allowed),
     * built in one pass. {@code values} is sorted in place.
     */
    public static IntSet of(long[] values, int n) {
        Arrays.sort(values, 0, n);
        int distinct = 0;
        int w = 2;
        for (int i = 0; i < n; i++) {
            if (i == 0 || values[i] != values[i - 1]) {
                values[distinct++] = values[i];
                w = Math.max(w, widthFor(values[i]));
            }
        }
        byte[] d = distinct == 0 ? EMPTY : new byte[distinct * w];
        for (int i = 0; i < distinct; i++) {
            write(d, i, w, values[i]);
        }
        return new IntSet(d, (byte) w);
    }

    public IntSet copy() {
        return new IntSet(data.length == 0 ? EMPTY : data.clone(), width);
    }

    /** The width needed for {@code v}: 2, 4 or 8 bytes. */
    public static int widthFor(long v) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            return 8;
        }
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
            return 4;
        }
        return 2;
    }

    public int size() {
        return data.length / width;
    }

    public boolean isEmpty() {
        return data.length == 0;
    }

    /** Bytes per element (2, 4 or 8). */
    public int width() {
        return width;
    }

    /** Redis's intsetBlobLen: an 8-byte header plus the elements. */
    public long blobLength() {
        return 8L + data.length;
    }

    /** Heap bytes held: this object and its array. */
    public long footprint() {
        return 16 + ((12 + data.length + 7) & ~7L);
    }

    /** The element at {@code index} (0 = smallest). */
    public long get(int index) {
        return read(data, index, width);
    }

    public long min() {
        return get(0);
    }

    public long max() {
        return get(size() - 1);
    }

    public boolean contains(long v) {
        return widthFor(v) <= width && search(v) >= 0;
    }

    /** Index of {@code v}, or {@code -(insertion point) - 1} when absent. */
    public int indexOf(long v) {
        return widthFor(v) <= width ? search(v) : (v < 0 ? -1 : -size() - 1);
    }

    /** Adds {@code v}; returns false if it was already present. */
    public boolean add(long v) {
        int w = widthFor(v);
        if (w > width) {
            // A value needing a wider encoding lies beyond every current element.
            widenAndAdd(v, w);
            return true;
        }
        int i = search(v);
        if (i >= 0) {
            return false;
        }
        int at = -i - 1;
        int n = size();
        byte[] d = new byte[(n + 1) * width];
        System.arraycopy(data, 0, d, 0, at * width);
        System.arraycopy(data, at * width, d, (at + 1) * width, (n - at) * width);
        write(d, at, width, v);
        data = d;
        return true;
    }

    /** Removes {@code v}; returns false if it was absent. */
    public boolean remove(long v) {
        if (widthFor(v) > width) {
            return false;
        }
        int i = search(v);
        if (i < 0) {
            return false;
        }
        removeAt(i);
        return true;
    }

    /** Removes the element at {@code index}. */
    public void removeAt(int index) {
        int n = size();
        if (index < 0 || index >= n) {
            throw new IndexOutOfBoundsException(index);
        }
        if (n == 1) {
            data = EMPTY;
            return;
        }
        byte[] d = new byte[(n - 1) * width];
        System.arraycopy(data, 0, d, 0, index * width);
        System.arraycopy(data, (index + 1) * width, d, index * width, (n - index - 1) * width);
        data = d;
    }

    /**
     * Appends {@code v}, which must be greater than every element (building from a sorted
     * source without a search per element).
     */
    public void appendLargest(long v) {
        int n = size();
        if (n > 0 && v <= max()) {
            throw new IllegalArgumentException("not the largest: " + v);
        }
        int w = widthFor(v);
        if (w > width) {
            widenAndAdd(v, w);
            return;
        }
        byte[] d = Arrays.copyOf(data, (n + 1) * width);
        write(d, n, width, v);
        data = d;
    }

    private void widenAndAdd(long v, int w) {
        int n = size();
        byte[] d = new byte[(n + 1) * w];
        // Negative values that need more room are smaller than all, positive ones larger.
        int shift = v < 0 ? 1 : 0;
        for (int i = 0; i < n; i++) {
            write(d, i + shift, w, read(data, i, width));
        }
        write(d, v < 0 ? 0 : n, w, v);
        data = d;
        width = (byte) w;
    }

    private int search(long v) {
        int lo = 0;
        int hi = size() - 1;
        byte[] d = data;
        int w = width;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long cur = read(d, mid, w);
            if (cur < v) {
                lo = mid + 1;
            } else if (cur > v) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -lo - 1;
    }

    private static long read(byte[] d, int i, int w) {
        return switch (w) {
            case 2 -> (short) SHORT_LE.get(d, i * 2);
            case 4 -> (int) INT_LE.get(d, i * 4);
            default -> (long) LONG_LE.get(d, i * 8);
        };
    }

    private static void write(byte[] d, int i, int w, long v) {
        switch (w) {
            case 2 -> SHORT_LE.set(d, i * 2, (short) v);
            case 4 -> INT_LE.set(d, i * 4, (int) v);
            default -> LONG_LE.set(d, i * 8, v);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("IntSet[w=").append(width).append(':');
        for (int i = 0, n = size(); i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(get(i));
        }
        return sb.append(']').toString();
    }
}
