package dev.cinnabar.server.family;

import dev.cinnabar.server.command.CommandTable;

/** TODO: commands of this family are being added. */
public final class ServerFamily {
    private ServerFamily() {}

    public static void register(CommandTable t) {
    }
}
