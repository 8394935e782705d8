package dev.cinnabar.server.family;

import dev.cinnabar.server.command.CommandTable;

/** TODO: commands of this family are being added. */
public final class DebugFamily {
    private DebugFamily() {}

    public static void register(CommandTable t) {
    }
}
