package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;

/**
 * MODULE LIST / LOAD / LOADEX / UNLOAD / HELP. Cinnabar runs no native Redis modules: none is
 * ever loaded, and loading one fails with Redis's error for a module that cannot be loaded.
 */
public final class ModuleFamily {
    private ModuleFamily() {}

    public static void register(CommandTable t) {
        t.bind("module|list", ModuleFamily::list)
                .bind("module|load", ModuleFamily::load)
                .bind("module|loadex", ModuleFamily::load)
                .bind("module|unload", ModuleFamily::unload)
                .bind("module|help", ModuleFamily::help);
    }

    static void list(Client c) {
        c.reply.emptyArray();
    }

    static void load(Client c) {
        c.server.log.warning("Module " + c.argForMessage(2) + " failed to load: this server does not run Redis modules");
        c.error("ERR Error loading the extension. Please check the server logs.");
    }

    static void unload(Client c) {
        c.error("ERR Error unloading module: no such module with that name");
    }

    static void help(Client c) {
        Help.reply(c,
                "LIST",
                "    Reply with the loaded modules (this server loads none).",
                "LOAD <path> [<arg> ...]",
                "    Load the module at <path>, passing it the arguments.",
                "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
                "    Load the module at <path>, setting its configuration and passing it the arguments.",
                "UNLOAD <name>",
                "    Unload the module <name>.");
    }
}
