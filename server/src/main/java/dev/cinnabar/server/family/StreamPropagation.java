package dev.cinnabar.server.family;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.replication.Propagation;
import dev.cinnabar.server.type.StreamGroup;
import dev.cinnabar.server.type.StreamGroup.Nack;
import dev.cinnabar.server.type.StreamId;
import dev.cinnabar.server.type.StreamIds;
import java.util.Arrays;

/**
 * What consumer-group commands send to replicas instead of themselves (Redis
 * streamPropagateXCLAIM, streamPropagateGroupID, streamPropagateConsumerCreation): XREADGROUP,
 * XCLAIM and XAUTOCLAIM change pending lists and last IDs in ways a replica could not
 * reproduce (time, who read what), so each change goes as an idempotent command with the
 * values the master chose. Every method does nothing while nothing is recorded.
 */
final class StreamPropagation {
    private StreamPropagation() {}

    private static final byte[] XCLAIM = Ascii.bytes("XCLAIM");
    private static final byte[] XGROUP = Ascii.bytes("XGROUP");
    private static final byte[] SETID = Ascii.bytes("SETID");
    private static final byte[] CREATECONSUMER = Ascii.bytes("CREATECONSUMER");
    private static final byte[] ENTRIESREAD = Ascii.bytes("ENTRIESREAD");
    private static final byte[] TIME = Ascii.bytes("TIME");
    private static final byte[] RETRYCOUNT = Ascii.bytes("RETRYCOUNT");
    private static final byte[] FORCE = Ascii.bytes("FORCE");
    private static final byte[] JUSTID = Ascii.bytes("JUSTID");
    private static final byte[] LASTID = Ascii.bytes("LASTID");
    private static final byte[] ZERO = Ascii.bytes("0");

    static boolean active(Client c) {
        return c.server.replication.propagation.active();
    }

    /**
     * XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID LASTID last: the pending
     * entry {@code id} as it now is (its consumer, delivery time and count) and the group's
     * last ID.
     */
    static void xclaim(Client c, int keyArg, int groupArg, StreamGroup g, StreamId id, Nack nack) {
        Propagation p = c.server.replication.propagation;
        if (!p.active()) {
            return;
        }
        p.also(c.db.id, XCLAIM, c.argCopy(keyArg), c.argCopy(groupArg), nack.consumer.name.clone(), ZERO,
                idText(id.ms, id.seq), TIME, Ascii.longBytes(nack.deliveryTime), RETRYCOUNT,
                Ascii.longBytes(nack.deliveryCount), FORCE, JUSTID, LASTID, idText(g.lastMs, g.lastSeq));
    }

    /** XGROUP SETID key group last ENTRIESREAD n: the group's last ID and read counter. */
    static void groupId(Client c, int keyArg, int groupArg, StreamGroup g) {
        Propagation p = c.server.replication.propagation;
        if (!p.active()) {
            return;
        }
        p.also(c.db.id, XGROUP, SETID, c.argCopy(keyArg), c.argCopy(groupArg), idText(g.lastMs, g.lastSeq),
                ENTRIESREAD, Ascii.longBytes(g.entriesRead));
    }

    /** XGROUP CREATECONSUMER key group consumer (a NOACK read created the consumer). */
    static void consumerCreation(Client c, int keyArg, int groupArg, int consumerArg) {
        Propagation p = c.server.replication.propagation;
        if (!p.active()) {
            return;
        }
        p.also(c.db.id, XGROUP, CREATECONSUMER, c.argCopy(keyArg), c.argCopy(groupArg), c.argCopy(consumerArg));
    }

    /** The command's own effects went out as the commands above. */
    static void preventSelf(Client c) {
        c.server.replication.propagation.prevent();
    }

    static byte[] idText(long ms, long seq) {
        byte[] t = new byte[StreamIds.MAX_TEXT];
        return Arrays.copyOf(t, StreamIds.format(t, 0, ms, seq));
    }
}
