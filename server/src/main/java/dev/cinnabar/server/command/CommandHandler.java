package dev.cinnabar.server.command;

import dev.cinnabar.server.Client;

/** The code of one command: reads the client's arguments, does the work, writes the reply. */
@FunctionalInterface
public interface CommandHandler {
    void run(Client c);
}
