package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;

/** Client name rules shared by CLIENT SETNAME and HELLO SETNAME (Redis validateClientName). */
final class ClientNames {
    private ClientNames() {}

    /** Names may use only printable ASCII without spaces; replies the error otherwise. */
    static boolean validOrReply(Client c, String name) {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < '!' || ch > '~') {
                c.error("ERR Client names cannot contain spaces, newlines or special characters.");
                return false;
            }
        }
        return true;
    }
}
