package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.persistence.rdb.RdbException;
import dev.cinnabar.server.persistence.rdb.RdbInput;
import dev.cinnabar.server.persistence.rdb.RdbLoader;
import dev.cinnabar.server.persistence.rdb.RdbOutput;
import dev.cinnabar.server.persistence.rdb.RdbWriter;
import java.util.List;

/**
 * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] (Redis debug.c): saves the data set as an RDB image,
 * empties it and loads the image back, so every value comes back with the encoding a load
 * gives it and expired keys are dropped, exactly as through a file. The image stays in memory
 * (Cinnabar writes no RDB files yet), which is why NOSAVE, "load the last saved file", is
 * refused.
 *
 * <p>Unlike Redis, the image is parsed completely before anything is flushed, so a failed
 * load (only possible with NOFLUSH and a key that exists already, where Redis aborts) leaves
 * the data set as it was.
 */
final class DebugReload {
    private DebugReload() {}

    static void reload(Client c) {
        boolean merge = false;
        boolean flush = true;
        for (int j = 2; j < c.argc(); j++) {
            if (c.argIs(j, "merge")) {
                merge = true;
            } else if (c.argIs(j, "noflush")) {
                flush = false;
            } else if (c.argIs(j, "nosave")) {
                c.error("ERR DEBUG RELOAD NOSAVE needs a saved RDB file, and Cinnabar does not write one yet");
                return;
            } else {
                c.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
                return;
            }
        }
        Server s = c.server;
        RdbOutput image = RdbWriter.snapshot(s, null);
        // As after a save: no changes since, and the save time.
        s.stats.dirty = 0;
        s.lastSave = s.clock.millis() / 1000;
        RdbLoader.Result loaded;
        try {
            loaded = RdbLoader.load(s, new RdbInput(image.chunks()));
        } catch (RdbException e) {
            s.log.warning("DEBUG RELOAD: " + e.getMessage());
            c.error("ERR Error trying to load the RDB dump, check server logs.");
            return;
        }
        if (!flush && !merge && hasDuplicate(s, loaded)) {
            s.log.warning("DEBUG RELOAD: RDB has a key that already exists (use MERGE to replace it)");
            c.error("ERR Error trying to load the RDB dump, check server logs.");
            return;
        }
        if (flush) {
            // Redis empties the data set before loading: tracking clients hear "everything".
            s.tracking.invalidateAllOnFlush();
            for (Database db : s.dbs()) {
                db.flush();
            }
            // Redis's emptyData clears the function libraries too.
            s.scripting.flushLibraries();
        }
        // Libraries load before the keys, as they come first in the file; without MERGE a
        // library that already exists fails the load, as in Redis (RDBFLAGS_ALLOW_DUP).
        for (byte[] code : loaded.functions) {
            try {
                s.scripting.loadLibrary(code, merge, true);
            } catch (dev.cinnabar.server.scripting.FunctionLoader.LoadException e) {
                s.log.warning("DEBUG RELOAD: failed loading a function library: " + e.getMessage());
                c.error("ERR Error trying to load the RDB dump, check server logs.");
                return;
            }
        }
        for (int i = 0; i < loaded.perDb.size(); i++) {
            Database db = s.db(i);
            for (Object e : loaded.perDb.get(i)) {
                db.loadEntry(e);
            }
        }
        s.log.notice("DB reloaded by DEBUG RELOAD");
        c.reply.ok();
    }

    private static boolean hasDuplicate(Server s, RdbLoader.Result loaded) {
        for (int i = 0; i < loaded.perDb.size(); i++) {
            Database db = s.db(i);
            List<Object> entries = loaded.perDb.get(i);
            for (Object e : entries) {
                if (db.peek(Entries.keyArray(e), Entries.keyOffset(e), Entries.keyLength(e)) != null) {
                    return true;
                }
            }
        }
        return false;
    }
}
