package dev.cinnabar.server.config;

import static dev.cinnabar.server.config.ConfigFlag.VOLATILE;
import static dev.cinnabar.server.config.ParamTable.INT_MAX;

import dev.cinnabar.server.config.ConfigEnums.TlsAuthClients;

/**
 * TLS parameters. File parameters are volatile: setting the same path again counts as a change
 * so the server's apply hook reloads the (possibly renewed) file.
 */
public final class TlsParams {

    /** TLS port, 0 for no TLS listener. */
    public final IntParam tlsPort;
    public final IntParam tlsSessionCacheSize;
    public final IntParam tlsSessionCacheTimeout;
    public final BoolParam tlsCluster;
    public final BoolParam tlsReplication;
    public final EnumParam<TlsAuthClients> tlsAuthClients;
    public final BoolParam tlsPreferServerCiphers;
    public final BoolParam tlsSessionCaching;
    public final StringParam tlsCertFile;
    public final StringParam tlsKeyFile;
    public final StringParam tlsKeyFilePass;
    public final StringParam tlsClientCertFile;
    public final StringParam tlsClientKeyFile;
    public final StringParam tlsClientKeyFilePass;
    public final StringParam tlsDhParamsFile;
    public final StringParam tlsCaCertFile;
    public final StringParam tlsCaCertDir;
    public final StringParam tlsProtocols;
    public final StringParam tlsCiphers;
    public final StringParam tlsCiphersuites;

    TlsParams(ParamTable t) {
        tlsPort = t.integer("tls-port", null, 0, 65535, 0);
        tlsSessionCacheSize = t.integer("tls-session-cache-size", null, 0, INT_MAX, 20 * 1024);
        tlsSessionCacheTimeout = t.integer("tls-session-cache-timeout", null, 0, INT_MAX, 300);
        tlsCluster = t.bool("tls-cluster", null, false);
        tlsReplication = t.bool("tls-replication", null, false);
        tlsAuthClients = t.enumeration("tls-auth-clients", null, TlsAuthClients.class, TlsAuthClients.YES);
        tlsPreferServerCiphers = t.bool("tls-prefer-server-ciphers", null, false);
        tlsSessionCaching = t.bool("tls-session-caching", null, true);
        tlsCertFile = t.nullableString("tls-cert-file", null, null, null, VOLATILE);
        tlsKeyFile = t.nullableString("tls-key-file", null, null, null, VOLATILE);
        tlsKeyFilePass = t.nullableString("tls-key-file-pass", null, null, null);
        tlsClientCertFile = t.nullableString("tls-client-cert-file", null, null, null, VOLATILE);
        tlsClientKeyFile = t.nullableString("tls-client-key-file", null, null, null, VOLATILE);
        tlsClientKeyFilePass = t.nullableString("tls-client-key-file-pass", null, null, null);
        tlsDhParamsFile = t.nullableString("tls-dh-params-file", null, null, null, VOLATILE);
        tlsCaCertFile = t.nullableString("tls-ca-cert-file", null, null, null, VOLATILE);
        tlsCaCertDir = t.nullableString("tls-ca-cert-dir", null, null, null, VOLATILE);
        tlsProtocols = t.nullableString("tls-protocols", null, null, null);
        tlsCiphers = t.nullableString("tls-ciphers", null, null, null);
        tlsCiphersuites = t.nullableString("tls-ciphersuites", null, null, null);
    }
}
