package dev.cinnabar.server.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The replication backlog (Redis repl_backlog): the most recent bytes of the replication stream,
 * at most repl-backlog-size of them, so that a replica that lost its link can continue from its
 * offset (PSYNC answered +CONTINUE) instead of loading a whole new snapshot.
 *
 * <p>Stored as fixed-size blocks allocated on demand, so a large configured size costs memory
 * only once that much stream has been produced. Offsets are stream positions as Redis numbers
 * them: the first byte ever produced is offset 1, and {@link #firstOffset} is the offset of the
 * oldest byte held (Redis repl_backlog->offset).
 *
 * <p>Accessed with the server lock held.
 */
final class Backlog {
    /** Redis CONFIG_REPL_BACKLOG_MIN_SIZE: smaller configured sizes are raised to this. */
    static final long MIN_SIZE = 16 * 1024;
    private static final int BLOCK = 16 * 1024;

    private final ArrayDeque<byte[]> blocks = new ArrayDeque<>();
    /** Bytes at the start of the first block that were already dropped. */
    private int headSkip;
    /** Bytes used in the last block. */
    private int tailFill = BLOCK;
    private long histlen;
    private long firstOffset;
    private long limit;

    /** A new, empty backlog whose first byte will be stream offset {@code nextOffset}. */
    Backlog(long nextOffset, long size) {
        this.firstOffset = nextOffset;
        this.limit = Math.max(size, MIN_SIZE);
    }

    /** Offset of the oldest byte held (repl_backlog_first_byte_offset). */
    long firstOffset() {
        return firstOffset;
    }

    /** Bytes held (repl_backlog_histlen). */
    long histlen() {
        return histlen;
    }

    /** Bytes allocated for the blocks. */
    long memory() {
        return (long) blocks.size() * BLOCK;
    }

    /** Whether a replica that needs the stream from {@code offset} on can be served from here. */
    boolean covers(long offset) {
        return offset >= firstOffset && offset <= firstOffset + histlen;
    }

    /** Appends {@code b}. */
    void append(byte[] b) {
        int from = 0;
        int left = b.length;
        while (left > 0) {
            if (tailFill == BLOCK) {
                blocks.addLast(new byte[BLOCK]);
                tailFill = 0;
            }
            int n = Math.min(left, BLOCK - tailFill);
            System.arraycopy(b, from, blocks.peekLast(), tailFill, n);
            tailFill += n;
            from += n;
            left -= n;
            histlen += n;
        }
        trim();
    }

    /** Appends the readable bytes of {@code b} (its reader index does not move). */
    void append(ByteBuf b) {
        int from = b.readerIndex();
        int left = b.readableBytes();
        while (left > 0) {
            if (tailFill == BLOCK) {
                blocks.addLast(new byte[BLOCK]);
                tailFill = 0;
            }
            int n = Math.min(left, BLOCK - tailFill);
            b.getBytes(from, blocks.peekLast(), tailFill, n);
            tailFill += n;
            from += n;
            left -= n;
            histlen += n;
        }
        trim();
    }

    /** CONFIG SET repl-backlog-size: keeps at most the newest {@code size} bytes. */
    void resize(long size) {
        limit = Math.max(size, MIN_SIZE);
        trim();
    }

    private void trim() {
        while (histlen > limit) {
            int inHead = (blocks.size() == 1 ? tailFill : BLOCK) - headSkip;
            long excess = histlen - limit;
            if (excess >= inHead) {
                blocks.pollFirst();
                headSkip = 0;
                if (blocks.isEmpty()) {
                    tailFill = BLOCK;
                }
                histlen -= inHead;
                firstOffset += inHead;
            } else {
                headSkip += (int) excess;
                histlen -= excess;
                firstOffset += excess;
            }
        }
    }

    /**
     * The bytes from stream offset {@code offset} to the end, as buffers sharing the blocks
     * (bytes once written never change: trimming drops whole blocks or moves past them, and
     * appending only writes after the filled part); {@link #covers} must hold.
     */
    List<ByteBuf> from(long offset) {
        ArrayList<ByteBuf> out = new ArrayList<>();
        long pos = headSkip + (offset - firstOffset); // position within the concatenated blocks
        int index = 0;
        int last = blocks.size() - 1;
        for (byte[] block : blocks) {
            int used = index++ == last ? tailFill : BLOCK;
            if (pos >= used) {
                pos -= used;
                continue;
            }
            out.add(Unpooled.wrappedBuffer(block, (int) pos, used - (int) pos));
            pos = 0;
        }
        return out;
    }
}
