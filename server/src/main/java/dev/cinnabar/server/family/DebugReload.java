package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.config.ConfigEnums.MaxmemoryPolicy;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.type.Reloadable;
import dev.cinnabar.server.type.Strings;
import java.util.ArrayList;

/**
 * DEBUG RELOAD while there is no RDB persistence: leaves the data set as Redis's save, flush
 * and load would, without a file. Keys already expired are dropped (a master does not load
 * them); strings get the encoding a load gives them (int, embstr or raw by content); values
 * that are {@link Reloadable} are rebuilt with load-time encodings; access times restart unless
 * an LRU/LFU maxmemory policy makes Redis save them. Watchers of the flushed keys are touched,
 * and the "changes since last save" counter restarts as after a save.
 */
final class DebugReload {
    private DebugReload() {}

    static void reload(Client c) {
        if (c.argc() > 2) {
            // MERGE / NOFLUSH / NOSAVE need a real RDB file.
            c.error("ERR DEBUG RELOAD options are not supported yet");
            return;
        }
        Server s = c.server;
        long now = s.clock.millis();
        MaxmemoryPolicy policy = s.config.memory.maxmemoryPolicy.get();
        boolean keepAccess = policy != MaxmemoryPolicy.NOEVICTION && policy != MaxmemoryPolicy.VOLATILE_RANDOM
                && policy != MaxmemoryPolicy.ALLKEYS_RANDOM && policy != MaxmemoryPolicy.VOLATILE_TTL;
        // Redis empties the dataset before loading it back: tracking clients hear "everything".
        s.tracking.invalidateAllOnFlush();
        for (Database db : s.dbs()) {
            if (db.size() == 0) {
                continue;
            }
            ArrayList<Object> entries = new ArrayList<>((int) Math.min(db.size(), Integer.MAX_VALUE - 8));
            db.forEach(entries::add);
            db.flush();
            for (Object e : entries) {
                if (Entries.hasExpire(e) && Entries.expireAt(e) < now) {
                    continue;
                }
                int lru = keepAccess ? Entries.lru(e) : db.newLru();
                db.putEntry(reloaded(e, lru, s));
            }
        }
        s.stats.dirty = 0;
        s.lastSave = now / 1000;
        c.reply.ok();
    }

    private static Object reloaded(Object e, int lru, Server s) {
        long expireAt = Entries.expireAt(e);
        if (Strings.isString(e)) {
            byte[] v = Strings.array(e);
            int off = Strings.offset(e);
            int len = Strings.length(e);
            byte[] k = Entries.keyArray(e);
            return Entries.newString(k, Entries.keyOffset(e), Entries.keyLength(e), v, off, len,
                    Strings.encodingFor(v, off, len), expireAt, lru);
        }
        ObjectEntry o = (ObjectEntry) e;
        Object value = o.value instanceof Reloadable r ? r.reloaded(s.config) : o.value;
        return new ObjectEntry(o.key, value, expireAt, lru);
    }
}
