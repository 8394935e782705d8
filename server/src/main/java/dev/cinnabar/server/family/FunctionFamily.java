package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.persistence.rdb.FunctionsPayload;
import dev.cinnabar.server.scripting.FunctionLibraries;
import dev.cinnabar.server.scripting.ScriptRun;
import dev.cinnabar.server.config.ConfigGlob;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** FUNCTION subcommands (Redis functions.c); the engine is scripting.Scripting. */
public final class FunctionFamily {
    private FunctionFamily() {}

    public static void register(CommandTable t) {
        t.bind("function|load", FunctionFamily::load)
                .bind("function|delete", FunctionFamily::delete)
                .bind("function|flush", FunctionFamily::flush)
                .bind("function|list", FunctionFamily::list)
                .bind("function|dump", FunctionFamily::dump)
                .bind("function|restore", FunctionFamily::restore)
                .bind("function|stats", FunctionFamily::stats)
                .bind("function|kill", c -> c.server.scripting.kill(c, false))
                .bind("function|help", FunctionFamily::help);
    }

    static void load(Client c) {
        boolean replace = false;
        int i = 2;
        while (i < c.argc() - 1) {
            if (c.argIs(i, "replace")) {
                replace = true;
                i++;
                continue;
            }
            c.error("ERR Unknown option given: " + c.argForMessage(i));
            return;
        }
        if (i >= c.argc()) {
            c.error("ERR Function code is missing");
            return;
        }
        try {
            String name = c.server.scripting.loadLibrary(c.argCopy(i), replace, false);
            c.server.stats.dirty++;
            c.server.replication.propagation.force(); // replicas load it too
            c.reply.bulk(name.getBytes(StandardCharsets.ISO_8859_1));
        } catch (dev.cinnabar.server.scripting.FunctionLoader.LoadException e) {
            c.error("ERR " + e.getMessage());
        }
    }

    static void delete(Client c) {
        if (!c.server.scripting.deleteLibrary(c.argForMessage(2))) {
            c.error("ERR Library not found");
            return;
        }
        c.server.stats.dirty++;
        c.server.replication.propagation.force();
        c.reply.ok();
    }

    static void flush(Client c) {
        if (c.argc() > 3) {
            Help.subcommandSyntaxError(c);
            return;
        }
        if (c.argc() == 3 && !c.argIs(2, "sync") && !c.argIs(2, "async")) {
            c.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            return;
        }
        c.server.scripting.flushLibraries();
        c.server.stats.dirty++;
        // A change of the data set even when no library existed: replicas flush too.
        c.server.replication.propagation.force();
        c.reply.ok();
    }

    static void list(Client c) {
        boolean withCode = false;
        String pattern = null;
        for (int i = 2; i < c.argc(); i++) {
            if (!withCode && c.argIs(i, "withcode")) {
                withCode = true;
                continue;
            }
            if (pattern == null && c.argIs(i, "libraryname")) {
                if (i >= c.argc() - 1) {
                    c.error("ERR library name argument was not given");
                    return;
                }
                pattern = c.argForMessage(++i);
                continue;
            }
            c.error("ERR Unknown argument " + c.argForMessage(i));
            return;
        }
        FunctionLibraries libs = c.server.functions;
        int token = pattern != null ? c.reply.deferLen() : -1;
        if (pattern == null) {
            c.reply.arrayLen(libs.size());
        }
        long n = 0;
        for (FunctionLibraries.Library l : libs.libraries()) {
            if (pattern != null && !ConfigGlob.matches(pattern, l.name, true)) {
                continue;
            }
            n++;
            c.reply.mapLen(withCode ? 4 : 3);
            c.reply.bulk("library_name");
            c.reply.bulk(l.name.getBytes(StandardCharsets.ISO_8859_1));
            c.reply.bulk("engine");
            c.reply.bulk("LUA");
            c.reply.bulk("functions");
            c.reply.arrayLen(l.functions().size());
            for (FunctionLibraries.Function f : l.functions()) {
                c.reply.mapLen(3);
                c.reply.bulk("name");
                c.reply.bulk(f.name.getBytes(StandardCharsets.ISO_8859_1));
                c.reply.bulk("description");
                if (f.description == null) {
                    c.reply.nullBulk();
                } else {
                    c.reply.bulk(f.description.getBytes(StandardCharsets.ISO_8859_1));
                }
                c.reply.bulk("flags");
                int count = Integer.bitCount(f.flags);
                c.reply.setLen(count);
                for (String flag : flagNames(f.flags)) {
                    c.reply.simple(flag);
                }
            }
            if (withCode) {
                c.reply.bulk("library_code");
                c.reply.bulk(l.code);
            }
        }
        if (pattern != null) {
            c.reply.setDeferredArrayLen(token, n);
        }
    }

    private static List<String> flagNames(int flags) {
        String[] names = {"no-writes", "allow-oom", "allow-stale", "no-cluster", null, "allow-cross-slot-keys"};
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null && (flags & (1 << i)) != 0) {
                out.add(names[i]);
            }
        }
        return out;
    }

    static void dump(Client c) {
        c.reply.bulk(FunctionsPayload.dump(c.server.functions.codes(),
                c.server.config.persistence.rdbcompression.get()));
    }

    static void restore(Client c) {
        if (c.argc() > 4) {
            Help.subcommandSyntaxError(c);
            return;
        }
        String policy = "append";
        if (c.argc() == 4) {
            if (c.argIs(3, "append")) {
                policy = "append";
            } else if (c.argIs(3, "replace")) {
                policy = "replace";
            } else if (c.argIs(3, "flush")) {
                policy = "flush";
            } else {
                c.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
                return;
            }
        }
        byte[] payload = c.argCopy(2);
        if (!FunctionsPayload.verify(payload, c.server.debug.skipChecksumValidation)) {
            c.error("ERR DUMP payload version or checksum are wrong");
            return;
        }
        try {
            c.server.scripting.restoreLibraries(FunctionsPayload.codes(payload), policy);
        } catch (FunctionsPayload.BadPayload e) {
            c.error("ERR " + e.getMessage());
            return;
        } catch (dev.cinnabar.server.scripting.FunctionLoader.LoadException e) {
            c.error("ERR " + e.getMessage());
            return;
        }
        c.server.stats.dirty++;
        c.server.replication.propagation.force();
        c.reply.ok();
    }

    static void stats(Client c) {
        ScriptRun run = c.server.scripting.running();
        if (run != null && run.eval) {
            c.error("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
            return;
        }
        c.reply.mapLen(2);
        c.reply.bulk("running_script");
        if (run == null) {
            c.reply.nullBulk();
        } else {
            c.reply.mapLen(3);
            c.reply.bulk("name");
            c.reply.bulk(run.name.getBytes(StandardCharsets.ISO_8859_1));
            c.reply.bulk("command");
            Client caller = run.caller;
            c.reply.arrayLen(caller.argc());
            for (int i = 0; i < caller.argc(); i++) {
                c.reply.bulk(caller.argData(), caller.argOff(i), caller.argLen(i));
            }
            c.reply.bulk("duration_ms");
            c.reply.integer(run.elapsedMillis());
        }
        c.reply.bulk("engines");
        c.reply.mapLen(1);
        c.reply.bulk("LUA");
        c.reply.mapLen(2);
        c.reply.bulk("libraries_count");
        c.reply.integer(c.server.functions.size());
        c.reply.bulk("functions_count");
        c.reply.integer(c.server.functions.functionCount());
    }

    static void help(Client c) {
        Help.reply(c,
                "LOAD [REPLACE] <FUNCTION CODE>",
                "    Create a new library with the given library name and code.",
                "DELETE <LIBRARY NAME>",
                "    Delete the given library.",
                "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
                "    Return general information on all the libraries:",
                "    * Library name",
                "    * The engine used to run the Library",
                "    * Library description",
                "    * Functions list",
                "    * Library code (if WITHCODE is given)",
                "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
                "STATS",
                "    Return information about the current function running:",
                "    * Function name",
                "    * Command used to run the function",
                "    * Duration in MS that the function is running",
                "    If no function is running, return nil",
                "    In addition, returns a list of available engines.",
                "KILL",
                "    Kill the current running function.",
                "FLUSH [ASYNC|SYNC]",
                "    Delete all the libraries.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the libraries.",
                "    * SYNC: Synchronously flush the libraries.",
                "DUMP",
                "    Return a serialized payload representing the current libraries, can be restored using FUNCTION "
                        + "RESTORE command",
                "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
                "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
                "    control how to handle existing libraries (default APPEND):",
                "    * FLUSH: delete all existing libraries.",
                "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
                "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
                "      libraries with the new libraries (notice that even on this option there is a chance of failure",
                "      in case of functions name collision with another library).");
    }
}
