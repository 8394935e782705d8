package dev.cinnabar.server.family;

import dev.cinnabar.server.command.CommandTable;

/** TODO: commands of this family are being added. */
public final class ClientFamily {
    private ClientFamily() {}

    public static void register(CommandTable t) {
    }
}
