package dev.cinnabar.server.family;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.keyspace.Database;
import dev.cinnabar.server.persistence.rdb.RdbException;
import dev.cinnabar.server.persistence.rdb.RdbInput;
import dev.cinnabar.server.persistence.rdb.RdbLoader;
import dev.cinnabar.server.persistence.RdbPersistence;
import java.io.IOException;
import java.util.List;

/**
 * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] (Redis debug.c): saves the data set to the RDB file
 * (unless NOSAVE), empties it and loads the file back, so every value comes back with the
 * encoding a load gives it and expired keys are dropped.
 *
 * <p>Unlike Redis, the file is parsed completely before anything is flushed, so a failed load
 * (a corrupt or missing file, or with NOFLUSH a key that exists already, where Redis aborts)
 * leaves the data set as it was.
 */
final class DebugReload {
    private DebugReload() {}

    static void reload(Client c) {
        boolean merge = false;
        boolean flush = true;
        boolean save = true;
        for (int j = 2; j < c.argc(); j++) {
            if (c.argIs(j, "merge")) {
                merge = true;
            } else if (c.argIs(j, "noflush")) {
                flush = false;
            } else if (c.argIs(j, "nosave")) {
                save = false;
            } else {
                c.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
                return;
            }
        }
        Server s = c.server;
        if (save && !s.rdb.save()) {
            c.error("ERR");
            return;
        }
        RdbLoader.Result loaded;
        RdbInput in = null;
        try {
            in = new RdbInput(RdbPersistence.readChunks(s.rdb.file()));
            loaded = RdbLoader.load(s, in);
        } catch (IOException e) {
            s.log.warning("Fatal error: can't open the RDB file " + s.config.persistence.dbfilename.get()
                    + " for reading: " + e.getMessage());
            c.error("ERR Error trying to load the RDB dump, check server logs.");
            return;
        } catch (RdbException e) {
            s.log.warning("DEBUG RELOAD: " + e.getMessage() + " (offset " + in.consumed() + ")");
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
        // Without MERGE a library that already exists fails the load, as in Redis
        // (RDBFLAGS_ALLOW_DUP).
        try {
            s.rdb.apply(loaded, merge);
        } catch (dev.cinnabar.server.scripting.FunctionLoader.LoadException e) {
            s.log.warning("DEBUG RELOAD: failed loading a function library: " + e.getMessage());
            c.error("ERR Error trying to load the RDB dump, check server logs.");
            return;
        }
        s.rdb.logLoaded(loaded);
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
