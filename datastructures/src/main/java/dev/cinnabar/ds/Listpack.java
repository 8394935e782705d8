package dev.cinnabar.ds;

import java.util.Arrays;

/**
 * A compact sequence of byte strings in one {@code byte[]}: the "listpack" encoding of small
 * hashes, sets, sorted sets and lists (Redis's listpack plays the same role; the byte layout here
 * is our own and never leaves the process).
 *
 * <p>Each entry is {@code [len varint][data][backlen]}, where {@code backlen} is the size of
 * {@code len varint + data} written so it can be read from its last byte backwards; this makes
 * walking in both directions O(1) per step without an index. An entry of up to 127 bytes costs 2
 * bytes of overhead, against ~16 for a {@code byte[]} per element.
 *
 * <p>Entries are addressed by their byte position ({@code pos}) in {@link #array()}; positions
 * are invalidated by any insertion, deletion or replacement before or at them. Operations are
 * O(n) in the byte size, which is why types convert to a scalable encoding past Redis's
 * thresholds, with one exception that queues live on: the entries need not start at offset 0.
 * Removing the first entry only moves the start, and an insertion in front uses the room before
 * the start (made when a prepend needs room: the entries move to the end of the array once), so
 * LPUSH and LPOP on a list's head node cost O(1) instead of moving the whole node as Redis's
 * listpack does.
 *
 * <p>Not thread-safe.
 */
public final class Listpack {
    private byte[] buf;
    /** Where the first entry starts (room before it is free). */
    private int start;
    /** Where the last entry ends. */
    private int used;
    private int count;

    public Listpack() {
        this(32);
    }

    public Listpack(int capacity) {
        buf = new byte[Math.max(capacity, 8)];
    }

    private Listpack(byte[] buf, int used, int count) {
        this.buf = buf;
        this.used = used;
        this.count = count;
    }

    /**
     * A listpack over the first {@code used} bytes of {@code data}, holding {@code count} entries:
     * the inverse of {@link #array()} + {@link #bytes()} + {@link #size()}, for callers that keep
     * the raw image elsewhere (compressed list nodes). The array is taken over, not copied.
     */
    public static Listpack wrap(byte[] data, int used, int count) {
        if (used < 0 || used > data.length || count < 0) {
            throw new IllegalArgumentException("bad listpack image");
        }
        return new Listpack(data.length < 8 ? Arrays.copyOf(data, 8) : data, used, count);
    }

    public Listpack copy() {
        return new Listpack(Arrays.copyOfRange(buf, start, start + Math.max(used - start, 8)), used - start, count);
    }

    /** Number of entries. */
    public int size() {
        return count;
    }

    /** Bytes of payload in use (the listpack's "bytes" for conversion thresholds and MEMORY). */
    public int bytes() {
        return used - start;
    }

    /**
     * Where the entries start in {@link #array()}: {@code array()[imageOffset(), +bytes())} is
     * the image {@link #wrap} takes back.
     */
    public int imageOffset() {
        return start;
    }

    /** Heap bytes held (array header included). */
    public long footprint() {
        return 16 + 8 + ((buf.length + 12 + 7) & ~7L);
    }

    /** The array holding the data; valid until the next modification. */
    public byte[] array() {
        return buf;
    }

    // ---- navigation ----------------------------------------------------------------------------

    /** Position of the first entry, or -1 when empty. */
    public int first() {
        return count == 0 ? -1 : start;
    }

    /** Position of the last entry, or -1 when empty. */
    public int last() {
        return count == 0 ? -1 : prevOf(used);
    }

    /** Position of the entry after {@code pos}, or -1. */
    public int next(int pos) {
        int n = end(pos);
        return n >= used ? -1 : n;
    }

    /** Position of the entry before {@code pos}, or -1. */
    public int prev(int pos) {
        return pos <= start ? -1 : prevOf(pos);
    }

    /** Offset in {@link #array()} of the entry's data. */
    public int dataOffset(int pos) {
        return pos + varintSize(readVarint(pos));
    }

    /** Length of the entry's data. */
    public int dataLength(int pos) {
        return readVarint(pos);
    }

    /** A copy of the entry's data. */
    public byte[] get(int pos) {
        int off = dataOffset(pos);
        return Arrays.copyOfRange(buf, off, off + dataLength(pos));
    }

    /** Position of the entry at {@code index} (negative counts from the end), or -1. */
    public int seek(long index) {
        if (index < 0) {
            index += count;
        }
        if (index < 0 || index >= count) {
            return -1;
        }
        if (index < count / 2) {
            int p = start;
            for (long i = 0; i < index; i++) {
                p = end(p);
            }
            return p;
        }
        int p = last();
        for (long i = count - 1; i > index; i--) {
            p = prevOf(p);
        }
        return p;
    }

    public boolean equalsAt(int pos, byte[] b, int off, int len) {
        int n = readVarint(pos);
        if (n != len) {
            return false;
        }
        int d = pos + varintSize(n);
        return Arrays.equals(buf, d, d + n, b, off, off + len);
    }

    /**
     * Position of the first entry equal to {@code b[off, off+len)} at or after {@code from},
     * looking only at every {@code (skip+1)}-th entry (skip 1 finds keys in key/value pairs), or -1.
     */
    public int find(int from, byte[] b, int off, int len, int skip) {
        int p = Math.max(from, start); // 0 means "from the first entry", wherever it is

        while (p >= 0 && p < used) {
            if (equalsAt(p, b, off, len)) {
                return p;
            }
            p = end(p);
            for (int s = 0; s < skip && p < used; s++) {
                p = end(p);
            }
        }
        return -1;
    }

    // ---- modification --------------------------------------------------------------------------

    public void append(byte[] b, int off, int len) {
        insertAtOffset(used, b, off, len);
    }

    public void append(byte[] b) {
        append(b, 0, b.length);
    }

    public void prepend(byte[] b, int off, int len) {
        insertAtOffset(start, b, off, len);
    }

    /** Inserts before the entry at {@code pos} (or at the end when {@code pos == -1}); returns its position. */
    public int insertBefore(int pos, byte[] b, int off, int len) {
        return insertAtOffset(pos < 0 ? used : pos, b, off, len);
    }

    /** Inserts after the entry at {@code pos}; returns the new entry's position. */
    public int insertAfter(int pos, byte[] b, int off, int len) {
        return insertAtOffset(end(pos), b, off, len);
    }

    /** Deletes the entry at {@code pos}; returns the position of the entry that followed, or -1. */
    public int delete(int pos) {
        int e = end(pos);
        if (pos == start) {
            count--;
            return removedFront(e);
        }
        System.arraycopy(buf, e, buf, pos, used - e);
        used -= e - pos;
        count--;
        return pos >= used ? -1 : pos;
    }

    /** Deletes {@code n} consecutive entries starting at {@code pos}. */
    public void deleteRange(int pos, int n) {
        int e = pos;
        int k = 0;
        while (k < n && e < used) {
            e = end(e);
            k++;
        }
        if (pos == start) {
            count -= k;
            removedFront(e);
            return;
        }
        System.arraycopy(buf, e, buf, pos, used - e);
        used -= e - pos;
        count -= k;
    }

    /** Replaces the data of the entry at {@code pos}; returns its (unchanged) position. */
    public int replace(int pos, byte[] b, int off, int len) {
        int e = end(pos);
        int oldSize = e - pos;
        int newSize = entrySize(len);
        ensure(used - oldSize + newSize); // keeps positions: the entries stay where they are
        System.arraycopy(buf, e, buf, pos + newSize, used - e);
        used += newSize - oldSize;
        writeEntry(pos, b, off, len);
        return pos;
    }

    public void clear() {
        start = 0;
        used = 0;
        count = 0;
    }

    /**
     * The entries before {@code newStart} were removed; returns the new first position or -1.
     * Once the free room in front outgrows the entries, they move back to offset 0, so a queue
     * that pops in front and pushes at the back never drags an ever larger array along.
     */
    private int removedFront(int newStart) {
        if (newStart >= used) {
            start = used = 0;
            return -1;
        }
        int payload = used - newStart;
        if (newStart > payload && newStart > 64) {
            System.arraycopy(buf, newStart, buf, 0, payload);
            newStart = 0;
            used = payload;
        }
        start = newStart;
        return start;
    }

    // ---- encoding ------------------------------------------------------------------------------

    /** Inserts an entry at byte offset {@code at}; returns its position. */
    private int insertAtOffset(int at, byte[] b, int off, int len) {
        int size = entrySize(len);
        if (at == start && count > 0) {
            if (start < size) {
                makeFrontRoom(size);
            }
            start -= size;
            count++;
            writeEntry(start, b, off, len);
            return start;
        }
        ensure(used + size); // the entries before the insertion keep their positions
        System.arraycopy(buf, at, buf, at + size, used - at);
        used += size;
        count++;
        writeEntry(at, b, off, len);
        return at;
    }

    /**
     * Room for {@code size} bytes before the first entry: the entries move to the end of the
     * array (a larger one when the free room is not enough), so that the next prepends find
     * room too.
     */
    private void makeFrontRoom(int size) {
        int payload = used - start;
        int need = payload + size;
        byte[] dst = buf;
        if (need > buf.length) {
            dst = new byte[Math.max(need, buf.length + (buf.length >> 1))];
        }
        int newStart = dst.length - payload;
        System.arraycopy(buf, start, dst, newStart, payload);
        buf = dst;
        start = newStart;
        used = newStart + payload;
    }

    private void writeEntry(int at, byte[] b, int off, int len) {
        int p = writeVarint(at, len);
        System.arraycopy(b, off, buf, p, len);
        p += len;
        writeBacklen(p, varintSize(len) + len);
    }

    private static int entrySize(int len) {
        int head = varintSize(len) + len;
        return head + varintSize(head);
    }

    /** Byte position just past the entry at {@code pos}. */
    private int end(int pos) {
        int n = readVarint(pos);
        int head = varintSize(n) + n;
        return pos + head + varintSize(head);
    }

    /** Start of the entry that ends right before {@code endPos}. */
    private int prevOf(int endPos) {
        // Backlen: the last byte holds the low 7 bits; a set high bit means more bytes to the left.
        int p = endPos - 1;
        int v = 0;
        int shift = 0;
        while (true) {
            int b = buf[p] & 0xff;
            v |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            p--;
        }
        return p - v;
    }

    private void writeBacklen(int at, int v) {
        int n = varintSize(v);
        for (int i = n - 1; i >= 0; i--) {
            int b = v & 0x7f;
            v >>>= 7;
            buf[at + i] = (byte) (i > 0 ? (b | 0x80) : b);
        }
    }

    private int readVarint(int pos) {
        int v = 0;
        int shift = 0;
        while (true) {
            int b = buf[pos++] & 0xff;
            v |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
            shift += 7;
        }
    }

    private int writeVarint(int at, int v) {
        while ((v & ~0x7f) != 0) {
            buf[at++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf[at++] = (byte) v;
        return at;
    }

    static int varintSize(int v) {
        int n = 1;
        while ((v & ~0x7f) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private void ensure(int need) {
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, buf.length + (buf.length >> 1)));
        }
    }

    /** Gives back spare capacity (after deletions); the entries then start at offset 0. */
    public void trim() {
        int payload = used - start;
        if (buf.length > payload + 16) {
            buf = Arrays.copyOfRange(buf, start, start + Math.max(payload, 8));
            start = 0;
            used = payload;
        }
    }
}
