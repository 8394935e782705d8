package dev.cinnabar.server.pubsub;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.config.NotifyKeyspaceEventsParam;

/**
 * Keyspace notification classes and event names, spelled as Redis 7.2 spells them, and the
 * shortcut commands use.
 *
 * <p><b>How a command family notifies.</b> After each change to a key, in the order Redis emits
 * them, call {@code KeyEvents.fire(c, KeyEvents.HASH, KeyEvents.HSET, 1)} (key = argument 1 of
 * the running command) or {@code c.server.notify(type, event, db, keyBytes, off, len)} for a
 * key that is not an argument. When a write empties a collection and deletes the key, notify
 * the command's event first, then {@code GENERIC "del"}. Do not notify "new" (key creation)
 * or "expired": {@code keyspace.Database} and expiry do that. Event names a family needs and
 * this class lacks are added here, as byte arrays so notifying allocates nothing when no one
 * listens.
 */
public final class KeyEvents {
    private KeyEvents() {}

    // Classes (notify-keyspace-events characters g $ l s h z x e t m n).
    public static final int GENERIC = NotifyKeyspaceEventsParam.GENERIC;
    public static final int STRING = NotifyKeyspaceEventsParam.STRING;
    public static final int LIST = NotifyKeyspaceEventsParam.LIST;
    public static final int SET = NotifyKeyspaceEventsParam.SET;
    public static final int HASH = NotifyKeyspaceEventsParam.HASH;
    public static final int ZSET = NotifyKeyspaceEventsParam.ZSET;
    public static final int EXPIRED = NotifyKeyspaceEventsParam.EXPIRED;
    public static final int EVICTED = NotifyKeyspaceEventsParam.EVICTED;
    public static final int STREAM = NotifyKeyspaceEventsParam.STREAM;
    public static final int KEY_MISS = NotifyKeyspaceEventsParam.KEY_MISS;
    public static final int NEW = NotifyKeyspaceEventsParam.NEW;

    // Generic events.
    public static final byte[] DEL = Ascii.bytes("del");
    public static final byte[] EXPIRE = Ascii.bytes("expire");
    public static final byte[] PERSIST = Ascii.bytes("persist");
    public static final byte[] RENAME_FROM = Ascii.bytes("rename_from");
    public static final byte[] RENAME_TO = Ascii.bytes("rename_to");
    public static final byte[] MOVE_FROM = Ascii.bytes("move_from");
    public static final byte[] MOVE_TO = Ascii.bytes("move_to");
    public static final byte[] COPY_TO = Ascii.bytes("copy_to");
    public static final byte[] RESTORE = Ascii.bytes("restore");
    public static final byte[] SORTSTORE = Ascii.bytes("sortstore");
    public static final byte[] EXPIRED_EVENT = Ascii.bytes("expired");
    public static final byte[] EVICTED_EVENT = Ascii.bytes("evicted");
    public static final byte[] NEW_EVENT = Ascii.bytes("new");
    public static final byte[] KEYMISS = Ascii.bytes("keymiss");

    // Strings and bitmaps.
    public static final byte[] SET_EVENT = Ascii.bytes("set");
    public static final byte[] SETRANGE = Ascii.bytes("setrange");
    public static final byte[] INCRBY = Ascii.bytes("incrby");
    public static final byte[] INCRBYFLOAT = Ascii.bytes("incrbyfloat");
    public static final byte[] APPEND = Ascii.bytes("append");
    public static final byte[] SETBIT = Ascii.bytes("setbit");
    /** PFADD and PFMERGE (a merge is announced as a mass add). */
    public static final byte[] PFADD = Ascii.bytes("pfadd");

    // Hashes.
    public static final byte[] HSET = Ascii.bytes("hset");
    public static final byte[] HDEL = Ascii.bytes("hdel");
    public static final byte[] HINCRBY = Ascii.bytes("hincrby");
    public static final byte[] HINCRBYFLOAT = Ascii.bytes("hincrbyfloat");

    // Lists (blocking pops notify as the non-blocking command they complete as).
    public static final byte[] LPUSH = Ascii.bytes("lpush");
    public static final byte[] RPUSH = Ascii.bytes("rpush");
    public static final byte[] LPOP = Ascii.bytes("lpop");
    public static final byte[] RPOP = Ascii.bytes("rpop");
    public static final byte[] LINSERT = Ascii.bytes("linsert");
    public static final byte[] LSET = Ascii.bytes("lset");
    public static final byte[] LTRIM = Ascii.bytes("ltrim");
    public static final byte[] LREM = Ascii.bytes("lrem");

    // Sets.
    public static final byte[] SADD = Ascii.bytes("sadd");
    public static final byte[] SREM = Ascii.bytes("srem");
    public static final byte[] SPOP = Ascii.bytes("spop");
    public static final byte[] SINTERSTORE = Ascii.bytes("sinterstore");
    public static final byte[] SUNIONSTORE = Ascii.bytes("sunionstore");
    public static final byte[] SDIFFSTORE = Ascii.bytes("sdiffstore");

    // Sorted sets.
    public static final byte[] ZADD = Ascii.bytes("zadd");
    public static final byte[] ZINCR = Ascii.bytes("zincr");
    public static final byte[] ZREM = Ascii.bytes("zrem");
    public static final byte[] ZREMRANGEBYRANK = Ascii.bytes("zremrangebyrank");
    public static final byte[] ZREMRANGEBYSCORE = Ascii.bytes("zremrangebyscore");
    public static final byte[] ZREMRANGEBYLEX = Ascii.bytes("zremrangebylex");
    public static final byte[] ZPOPMIN = Ascii.bytes("zpopmin");
    public static final byte[] ZPOPMAX = Ascii.bytes("zpopmax");
    public static final byte[] ZRANGESTORE = Ascii.bytes("zrangestore");
    public static final byte[] ZUNIONSTORE = Ascii.bytes("zunionstore");
    public static final byte[] ZINTERSTORE = Ascii.bytes("zinterstore");
    public static final byte[] ZDIFFSTORE = Ascii.bytes("zdiffstore");

    // Geo (GEOADD notifies as the ZADD it runs).
    public static final byte[] GEORADIUSSTORE = Ascii.bytes("georadiusstore");
    public static final byte[] GEOSEARCHSTORE = Ascii.bytes("geosearchstore");

    /** Notifies {@code event} for the key in argument {@code arg} of the running command, in its database. */
    public static void fire(Client c, int type, byte[] event, int arg) {
        c.server.notify(type, event, c.db.id, c.argData(), c.argOff(arg), c.argLen(arg));
    }
}
