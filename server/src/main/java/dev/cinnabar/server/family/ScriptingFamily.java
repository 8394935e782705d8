package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;

/** EVAL, EVALSHA, their _RO variants, FCALL, FCALL_RO and SCRIPT (the engine is scripting.Scripting). */
public final class ScriptingFamily {
    private ScriptingFamily() {}

    public static void register(CommandTable t) {
        t.bind("eval", c -> c.server.scripting.eval(c, false, false))
                .bind("evalsha", c -> c.server.scripting.eval(c, true, false))
                .bind("eval_ro", c -> c.server.scripting.eval(c, false, true))
                .bind("evalsha_ro", c -> c.server.scripting.eval(c, true, true))
                .bind("fcall", c -> c.server.scripting.fcall(c, false))
                .bind("fcall_ro", c -> c.server.scripting.fcall(c, true))
                .bind("script|help", ScriptingFamily::help)
                .bind("script|debug", ScriptingFamily::debug)
                .bind("script|exists", c -> c.server.scripting.exists(c))
                .bind("script|flush", ScriptingFamily::flush)
                .bind("script|load", c -> c.server.scripting.load(c))
                .bind("script|kill", c -> c.server.scripting.kill(c, true));
    }

    static void help(Client c) {
        Help.reply(c,
                "DEBUG (YES|SYNC|NO)",
                "    Set the debug mode for subsequent scripts executed.",
                "EXISTS <sha1> [<sha1> ...]",
                "    Return information about the existence of the scripts in the script cache.",
                "FLUSH [ASYNC|SYNC]",
                "    Flush the Lua scripts cache. Very dangerous on replicas.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the scripts cache.",
                "    * SYNC: Synchronously flush the scripts cache.",
                "KILL",
                "    Kill the currently executing Lua script.",
                "LOAD <script>",
                "    Load a script into the scripts cache without executing it.");
    }

    static void flush(Client c) {
        if (c.argc() == 3 && !c.argIs(2, "sync") && !c.argIs(2, "async") || c.argc() > 3) {
            c.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            return;
        }
        c.server.scripting.flush();
        c.reply.ok();
    }

    /**
     * SCRIPT DEBUG. Cinnabar has no Lua debugger (Redis's LDB): NO is what is already in force;
     * YES and SYNC are refused rather than accepted and ignored.
     */
    static void debug(Client c) {
        if (c.argIs(2, "no")) {
            c.reply.ok();
        } else if (c.argIs(2, "yes") || c.argIs(2, "sync")) {
            c.error("ERR SCRIPT DEBUG is not supported: this server has no Lua debugger");
        } else {
            c.error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
        }
    }
}
