package dev.cinnabar.server.pubsub;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.util.ByteKey;
import io.netty.buffer.ByteBuf;
import java.util.LinkedHashSet;

/**
 * The Pub/Sub side of one client: what it is subscribed to, and the messages published to it
 * that have not reached its connection yet.
 *
 * <p>Messages are encoded by whichever thread runs the publishing command (holding the server
 * lock) into {@link #outbox}; only the client's own event loop moves them into its reply
 * stream ({@link PubSub#drain}), so a connection's output is never written from two threads.
 * Fields are guarded by the server lock.
 */
public final class Subscriber {
    final Client client;
    final LinkedHashSet<ByteKey> channels = new LinkedHashSet<>();
    final LinkedHashSet<ByteKey> patterns = new LinkedHashSet<>();
    final LinkedHashSet<ByteKey> shardChannels = new LinkedHashSet<>();
    /** Encoded messages waiting for the client's event loop (null when empty). */
    ByteBuf outbox;
    /** A flush task is queued on the client's event loop. */
    boolean flushScheduled;
    final Runnable flushTask;

    Subscriber(Client client, PubSub pubsub) {
        this.client = client;
        this.flushTask = () -> pubsub.flushOnOwnLoop(this);
    }

    /** Channels plus patterns: the count SUBSCRIBE / PSUBSCRIBE replies carry (Redis clientSubscriptionsCount). */
    int count() {
        return channels.size() + patterns.size();
    }

    int total() {
        return channels.size() + patterns.size() + shardChannels.size();
    }

    public int channelCount() {
        return channels.size();
    }

    public int patternCount() {
        return patterns.size();
    }

    public int shardChannelCount() {
        return shardChannels.size();
    }

    /** Bytes of published messages not yet handed to the connection. */
    public long queuedBytes() {
        return outbox == null ? 0 : outbox.readableBytes();
    }
}
