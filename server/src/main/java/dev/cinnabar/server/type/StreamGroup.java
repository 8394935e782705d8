package dev.cinnabar.server.type;

import dev.cinnabar.server.util.ByteKey;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer group of a stream (Redis streamCG): the last ID delivered to it, its logical read
 * counter, its pending entries list (every entry delivered and not yet acknowledged, by ID,
 * shared with the owning consumer's own list) and its consumers ordered by name as Redis's
 * radix tree orders them (bytewise).
 */
public final class StreamGroup {
    /** Redis SCG_INVALID_ENTRIES_READ: the read counter is unknown. */
    public static final long ENTRIES_READ_INVALID = -1;

    public long lastMs;
    public long lastSeq;
    public long entriesRead;
    public final TreeMap<StreamId, Nack> pel = new TreeMap<>();
    public final TreeMap<ByteKey, Consumer> consumers = new TreeMap<>();

    public StreamGroup(long lastMs, long lastSeq, long entriesRead) {
        this.lastMs = lastMs;
        this.lastSeq = lastSeq;
        this.entriesRead = entriesRead;
    }

    /** A consumer of a group (Redis streamConsumer). */
    public static final class Consumer {
        public final byte[] name;
        /** Last time it tried to read or claim (ms). */
        public long seenTime;
        /** Last time it read or claimed something (ms), -1 = never. */
        public long activeTime = -1;
        public final TreeMap<StreamId, Nack> pel = new TreeMap<>();

        public Consumer(byte[] name, long now) {
            this.name = name;
            this.seenTime = now;
        }
    }

    /** A pending entry (Redis streamNACK): last delivery time, delivery count, current owner. */
    public static final class Nack {
        public long deliveryTime;
        public long deliveryCount;
        /** Null only transiently (XCLAIM FORCE creates it before assigning it). */
        public Consumer consumer;

        public Nack(long deliveryTime, long deliveryCount, Consumer consumer) {
            this.deliveryTime = deliveryTime;
            this.deliveryCount = deliveryCount;
            this.consumer = consumer;
        }
    }

    public Consumer consumer(byte[] d, int off, int len) {
        return consumers.get(ByteKey.of(d, off, len));
    }

    /** Creates a consumer; null when one of that name exists. */
    public Consumer createConsumer(byte[] d, int off, int len, long now) {
        ByteKey k = ByteKey.of(d, off, len);
        if (consumers.containsKey(k)) {
            return null;
        }
        Consumer c = new Consumer(k.bytes(), now);
        consumers.put(k, c);
        return c;
    }

    /** Deletes a consumer and its pending entries from the group (Redis streamDelConsumer). */
    public void deleteConsumer(Consumer c) {
        for (StreamId id : c.pel.keySet()) {
            pel.remove(id);
        }
        consumers.remove(new ByteKey(c.name));
    }

    /** A deep copy (COPY): the same PEL, consumers and owners, sharing nothing. */
    StreamGroup copy() {
        StreamGroup g = new StreamGroup(lastMs, lastSeq, entriesRead);
        Map<Nack, Nack> fresh = new java.util.IdentityHashMap<>();
        for (Map.Entry<StreamId, Nack> e : pel.entrySet()) {
            Nack n = new Nack(e.getValue().deliveryTime, e.getValue().deliveryCount, null);
            fresh.put(e.getValue(), n);
            g.pel.put(e.getKey(), n);
        }
        for (Map.Entry<ByteKey, Consumer> e : consumers.entrySet()) {
            Consumer old = e.getValue();
            Consumer c = new Consumer(old.name, old.seenTime);
            c.activeTime = old.activeTime;
            for (Map.Entry<StreamId, Nack> p : old.pel.entrySet()) {
                Nack n = fresh.get(p.getValue());
                n.consumer = c;
                c.pel.put(p.getKey(), n);
            }
            g.consumers.put(e.getKey(), c);
        }
        return g;
    }

    /** Rough heap bytes for MEMORY USAGE. */
    long memoryUsage() {
        long n = 64 + pel.size() * 120L;
        for (Consumer c : consumers.values()) {
            n += 96 + c.name.length + c.pel.size() * 48L;
        }
        return n;
    }
}
