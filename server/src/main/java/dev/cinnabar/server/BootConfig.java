package dev.cinnabar.server;

import java.util.ArrayList;
import java.util.List;

/**
 * Start-up settings the core needs before the full configuration table is wired in.
 * TODO(config): replaced by config.ServerConfig.
 */
public final class BootConfig {
    public int port = 6379;
    public List<String> bind = new ArrayList<>(List.of("*", "-::*"));
    public int databases = 16;
    public int hz = 10;
    public int ioThreads = 1;
    public long protoMaxBulkLen = 512L * 1024 * 1024;
    public long clientQueryBufferLimit = 1024L * 1024 * 1024;
    public int maxClients = 10000;
    public int tcpBacklog = 511;
    public boolean protectedMode = true;
    public String requirepass = "";
    public String enableDebugCommand = "no";
    public String enableModuleCommand = "no";
}
