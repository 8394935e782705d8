package dev.cinnabar.server.config;

import static dev.cinnabar.server.config.ConfigFlag.DEBUG;
import static dev.cinnabar.server.config.ConfigFlag.IMMUTABLE;
import static dev.cinnabar.server.config.NumericParam.INTEGER;
import static dev.cinnabar.server.config.NumericParam.MEMORY;
import static dev.cinnabar.server.config.NumericParam.OCTAL;
import static dev.cinnabar.server.config.ParamTable.GB;
import static dev.cinnabar.server.config.ParamTable.INT_MAX;
import static dev.cinnabar.server.config.ParamTable.LONG_MAX;
import static dev.cinnabar.server.config.ParamTable.MB;
import static dev.cinnabar.server.config.ParamTable.UINT_MAX;

/** Parameters of listeners and client connections. */
public final class NetworkParams {

    /** TCP port, 0 for no TCP listener. */
    public final IntParam port;
    public final BindParam bind;
    /** Source address for outgoing connections (replication, cluster), {@code null} for any. */
    public final StringParam bindSourceAddr;
    public final BoolParam protectedMode;
    public final IntParam tcpBacklog;
    /** Seconds between TCP keepalive probes, 0 = off. */
    public final IntParam tcpKeepalive;
    /** Unix socket path, {@code null} for none. */
    public final StringParam unixsocket;
    /** Unix socket permission bits (octal in the config), 0 = leave the umask default. */
    public final IntParam unixsocketperm;
    /** SO_MARK for listening sockets (0 = none); 0..4294967295. */
    public final LongParam socketMarkId;
    /** Client idle timeout in seconds, 0 = never. */
    public final IntParam timeout;
    /** 1..4294967295. */
    public final LongParam maxclients;
    public final LongParam clientQueryBufferLimit;
    public final LongParam protoMaxBulkLen;
    public final ClientOutputBufferLimitParam clientOutputBufferLimit;

    NetworkParams(ParamTable t) {
        port = t.integer("port", null, 0, 65535, 6379);
        bind = t.add(new BindParam());
        bindSourceAddr = t.nullableString("bind-source-addr", null, null, null);
        protectedMode = t.bool("protected-mode", null, true);
        tcpBacklog = t.integer("tcp-backlog", null, 0, INT_MAX, 511, IMMUTABLE);
        tcpKeepalive = t.integer("tcp-keepalive", null, 0, INT_MAX, 300);
        unixsocket = t.nullableString("unixsocket", null, null, null, IMMUTABLE);
        unixsocketperm = t.integer("unixsocketperm", null, NumericParam.Kind.UINT, 0, 0777, 0, OCTAL, IMMUTABLE);
        socketMarkId = t.longNum("socket-mark-id", null, NumericParam.Kind.UINT, 0, UINT_MAX, 0, INTEGER,
                IMMUTABLE);
        timeout = t.integer("timeout", null, 0, INT_MAX, 0);
        maxclients = t.longNum("maxclients", null, NumericParam.Kind.UINT, 1, UINT_MAX, 10000, INTEGER);
        clientQueryBufferLimit = t.longNum("client-query-buffer-limit", null, NumericParam.Kind.SIZE_T, MB,
                LONG_MAX, GB, MEMORY, DEBUG);
        protoMaxBulkLen = t.longNum("proto-max-bulk-len", null, NumericParam.Kind.LONG_LONG, MB, LONG_MAX,
                512 * MB, MEMORY, DEBUG);
        clientOutputBufferLimit = t.add(new ClientOutputBufferLimitParam());
    }
}
