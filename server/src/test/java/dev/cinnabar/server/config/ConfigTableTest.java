package dev.cinnabar.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.config.ConfigEnums.MaxmemoryPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parameter table: names, aliases, flags and defaults are Redis 7.2.6's. */
class ConfigTableTest {

    /** Every name and alias of Redis 7.2.6's config table (LOG_REQ_RES builds add two more). */
    private static final String ALL_NAMES = """
            acl-pubsub-default aclfile acllog-max-len active-defrag-cycle-max active-defrag-cycle-min 
            active-defrag-ignore-bytes active-defrag-max-scan-fields active-defrag-threshold-lower 
            active-defrag-threshold-upper active-expire-effort activedefrag activerehashing always-show-logo 
            aof-disable-auto-gc aof-load-truncated aof-rewrite-incremental-fsync aof-timestamp-enabled 
            aof-use-rdb-preamble aof_rewrite_cpulist appenddirname appendfilename appendfsync appendonly 
            auto-aof-rewrite-min-size auto-aof-rewrite-percentage bgsave_cpulist bind bind-source-addr 
            bio_cpulist busy-reply-threshold client-output-buffer-limit client-query-buffer-limit 
            cluster-allow-pubsubshard-when-down cluster-allow-reads-when-down cluster-allow-replica-migration 
            cluster-announce-bus-port cluster-announce-hostname cluster-announce-human-nodename 
            cluster-announce-ip cluster-announce-port cluster-announce-tls-port cluster-config-file 
            cluster-enabled cluster-link-sendbuf-limit cluster-migration-barrier cluster-node-timeout 
            cluster-ping-interval cluster-port cluster-preferred-endpoint-type cluster-replica-no-failover 
            cluster-replica-validity-factor cluster-require-full-coverage cluster-slave-no-failover 
            cluster-slave-validity-factor crash-log-enabled crash-memcheck-enabled daemonize databases 
            dbfilename dir disable-thp dynamic-hz enable-debug-command enable-module-command 
            enable-protected-configs hash-max-listpack-entries hash-max-listpack-value hash-max-ziplist-entries 
            hash-max-ziplist-value hll-sparse-max-bytes hz ignore-warnings io-threads io-threads-do-reads 
            jemalloc-bg-thread key-load-delay latency-monitor-threshold latency-tracking 
            latency-tracking-info-percentiles lazyfree-lazy-eviction lazyfree-lazy-expire 
            lazyfree-lazy-server-del lazyfree-lazy-user-del lazyfree-lazy-user-flush lfu-decay-time 
            lfu-log-factor list-compress-depth list-max-listpack-size list-max-ziplist-size 
            loading-process-events-interval-bytes locale-collate logfile loglevel lua-time-limit masterauth 
            masteruser maxclients maxmemory maxmemory-clients maxmemory-eviction-tenacity maxmemory-policy 
            maxmemory-samples min-replicas-max-lag min-replicas-to-write min-slaves-max-lag min-slaves-to-write 
            no-appendfsync-on-rewrite notify-keyspace-events oom-score-adj oom-score-adj-values pidfile port 
            proc-title-template propagation-error-behavior protected-mode proto-max-bulk-len rdb-del-sync-files 
            rdb-key-save-delay rdb-save-incremental-fsync rdbchecksum rdbcompression repl-backlog-size 
            repl-backlog-ttl repl-disable-tcp-nodelay repl-diskless-load repl-diskless-sync 
            repl-diskless-sync-delay repl-diskless-sync-max-replicas repl-ping-replica-period 
            repl-ping-slave-period repl-timeout replica-announce-ip replica-announce-port replica-announced 
            replica-ignore-disk-write-errors replica-ignore-maxmemory replica-lazy-flush replica-priority 
            replica-read-only replica-serve-stale-data replicaof requirepass sanitize-dump-payload save 
            server_cpulist set-max-intset-entries set-max-listpack-entries set-max-listpack-value 
            set-proc-title shutdown-on-sigint shutdown-on-sigterm shutdown-timeout slave-announce-ip 
            slave-announce-port slave-ignore-maxmemory slave-lazy-flush slave-priority slave-read-only 
            slave-serve-stale-data slaveof slowlog-log-slower-than slowlog-max-len socket-mark-id 
            stop-writes-on-bgsave-error stream-node-max-bytes stream-node-max-entries supervised syslog-enabled 
            syslog-facility syslog-ident tcp-backlog tcp-keepalive timeout tls-auth-clients tls-ca-cert-dir 
            tls-ca-cert-file tls-cert-file tls-ciphers tls-ciphersuites tls-client-cert-file 
            tls-client-key-file tls-client-key-file-pass tls-cluster tls-dh-params-file tls-key-file 
            tls-key-file-pass tls-port tls-prefer-server-ciphers tls-protocols tls-replication 
            tls-session-cache-size tls-session-cache-timeout tls-session-caching tracking-table-max-keys 
            unixsocket unixsocketperm use-exit-on-panic watchdog-period zset-max-listpack-entries 
            zset-max-listpack-value zset-max-ziplist-entries zset-max-ziplist-value 
            """;

    @Test
    void hasExactlyRedisNamesAndAliases() {
        ServerConfig config = new ServerConfig();
        List<String> ours = new ArrayList<>();
        for (ConfigParam p : config.params()) {
            ours.add(p.name());
            if (p.alias() != null) ours.add(p.alias());
        }
        assertThat(ours).containsExactlyInAnyOrderElementsOf(Arrays.asList(ALL_NAMES.trim().split("\\s+")));
        assertThat(config.params()).hasSize(183);
    }

    @Test
    void aliasesNameTheSameParameter() {
        ServerConfig config = new ServerConfig();
        assertThat(config.lookup("hash-max-ziplist-entries")).isSameAs(config.encoding.hashMaxListpackEntries);
        assertThat(config.lookup("slave-read-only")).isSameAs(config.replication.replicaReadOnly);
        assertThat(config.lookup("slaveof")).isSameAs(config.replication.replicaof);
        assertThat(config.lookup("lua-time-limit")).isSameAs(config.general.busyReplyThreshold);
        assertThat(config.lookup("list-max-ziplist-size")).isSameAs(config.encoding.listMaxListpackSize);
        assertThat(config.lookup("MaxMemory")).isSameAs(config.memory.maxmemory);
        assertThat(config.lookup("list-max-ziplist-entries")).isNull(); // deprecated, file only
        assertThat(config.lookup("rename-command")).isNull();
    }

    /** What CONFIG GET prints on a fresh Redis 7.2 started without a config file. */
    private static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("save", "3600 1 300 100 60 10000"),
            Map.entry("appendonly", "no"),
            Map.entry("hz", "10"),
            Map.entry("databases", "16"),
            Map.entry("maxmemory", "0"),
            Map.entry("port", "6379"),
            Map.entry("bind", "* -::*"),
            Map.entry("protected-mode", "yes"),
            Map.entry("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
            Map.entry("maxmemory-policy", "noeviction"),
            Map.entry("maxmemory-samples", "5"),
            Map.entry("maxmemory-clients", "0"),
            Map.entry("maxclients", "10000"),
            Map.entry("timeout", "0"),
            Map.entry("tcp-keepalive", "300"),
            Map.entry("tcp-backlog", "511"),
            Map.entry("loglevel", "notice"),
            Map.entry("logfile", ""),
            Map.entry("dbfilename", "dump.rdb"),
            Map.entry("appendfilename", "appendonly.aof"),
            Map.entry("appenddirname", "appendonlydir"),
            Map.entry("appendfsync", "everysec"),
            Map.entry("notify-keyspace-events", ""),
            Map.entry("unixsocketperm", "0"),
            Map.entry("oom-score-adj", "no"),
            Map.entry("oom-score-adj-values", "0 200 800"),
            Map.entry("latency-tracking-info-percentiles", "50 99 99.9"),
            Map.entry("replicaof", ""),
            Map.entry("requirepass", ""),
            Map.entry("hash-max-listpack-entries", "512"),
            Map.entry("hash-max-listpack-value", "64"),
            Map.entry("list-max-listpack-size", "-2"),
            Map.entry("set-max-intset-entries", "512"),
            Map.entry("set-max-listpack-entries", "128"),
            Map.entry("zset-max-listpack-entries", "128"),
            Map.entry("proto-max-bulk-len", "536870912"),
            Map.entry("client-query-buffer-limit", "1073741824"),
            Map.entry("repl-backlog-size", "1048576"),
            Map.entry("auto-aof-rewrite-min-size", "67108864"),
            Map.entry("active-defrag-ignore-bytes", "104857600"),
            Map.entry("slowlog-log-slower-than", "10000"),
            Map.entry("slowlog-max-len", "128"),
            Map.entry("busy-reply-threshold", "5000"),
            Map.entry("shutdown-on-sigterm", "default"),
            Map.entry("enable-debug-command", "no"),
            Map.entry("enable-protected-configs", "no"),
            Map.entry("proc-title-template", "{title} {listen-addr} {server-mode}"),
            Map.entry("cluster-config-file", "nodes.conf"),
            Map.entry("cluster-node-timeout", "15000"),
            Map.entry("lazyfree-lazy-user-flush", "no"),
            Map.entry("latency-tracking", "yes"),
            Map.entry("key-load-delay", "0"),
            Map.entry("rdb-key-save-delay", "0"),
            Map.entry("loading-process-events-interval-bytes", "2097152"),
            Map.entry("tls-session-cache-size", "20480"),
            Map.entry("syslog-facility", "local0"),
            Map.entry("acl-pubsub-default", "resetchannels"),
            Map.entry("repl-diskless-load", "disabled"),
            Map.entry("sanitize-dump-payload", "no"),
            Map.entry("propagation-error-behavior", "ignore"),
            Map.entry("cluster-preferred-endpoint-type", "ip"),
            Map.entry("daemonize", "no"),
            Map.entry("supervised", "no"),
            Map.entry("locale-collate", ""));

    @Test
    void defaultsAreRedis72Defaults() {
        ServerConfig config = new ServerConfig();
        for (Map.Entry<String, String> e : DEFAULTS.entrySet()) {
            assertThat(config.lookup(e.getKey()).value()).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(config.persistence.dir.get()).isNotEmpty();
    }

    @Test
    void typedGettersExposeDefaults() {
        ServerConfig config = new ServerConfig();
        assertThat(config.network.port.get()).isEqualTo(6379);
        assertThat(config.general.hz.get()).isEqualTo(10);
        assertThat(config.memory.maxmemory.get()).isZero();
        assertThat(config.memory.maxmemoryPolicy.get()).isEqualTo(MaxmemoryPolicy.NOEVICTION);
        assertThat(config.persistence.appendonly.get()).isFalse();
        assertThat(config.persistence.save.get()).containsExactly(new SaveParam.SavePoint(3600, 1),
                new SaveParam.SavePoint(300, 100), new SaveParam.SavePoint(60, 10000));
        assertThat(config.network.bind.get()).containsExactly("*", "-::*");
        assertThat(config.general.requirepass.get()).isNull();
        assertThat(config.network.clientOutputBufferLimit.get(ClientOutputBufferLimitParam.ClientClass.REPLICA))
                .isEqualTo(new ClientOutputBufferLimitParam.Limit(256L << 20, 64L << 20, 60));
        assertThat(config.monitoring.latencyTrackingInfoPercentiles.get()).containsExactly(50.0, 99.0, 99.9);
        assertThat(config.replication.replicaof.get()).isNull();
    }

    @Test
    void flagsFollowRedisTable() {
        ServerConfig c = new ServerConfig();
        assertThat(c.lookup("daemonize").is(ConfigFlag.IMMUTABLE)).isTrue();
        assertThat(c.lookup("dir").flags()).contains(ConfigFlag.PROTECTED, ConfigFlag.DENY_LOADING);
        assertThat(c.lookup("dbfilename").is(ConfigFlag.PROTECTED)).isTrue();
        assertThat(c.lookup("key-load-delay").is(ConfigFlag.HIDDEN)).isTrue();
        assertThat(c.lookup("requirepass").is(ConfigFlag.SENSITIVE)).isTrue();
        assertThat(c.isSensitive("masterauth")).isTrue();
        assertThat(c.isSensitive("masteruser")).isTrue();
        assertThat(c.isSensitive("port")).isFalse();
        assertThat(c.lookup("appendonly").is(ConfigFlag.DENY_LOADING)).isTrue();
        assertThat(c.lookup("tls-cert-file").is(ConfigFlag.VOLATILE)).isTrue();
        assertThat(c.lookup("save").is(ConfigFlag.MULTI_ARG)).isTrue();
        assertThat(c.lookup("shutdown-on-sigterm").is(ConfigFlag.MULTI_ARG)).isTrue();
        assertThat(c.lookup("replicaof").flags()).contains(ConfigFlag.IMMUTABLE, ConfigFlag.MULTI_ARG);
        assertThat(c.lookup("replica-read-only").is(ConfigFlag.DEBUG)).isTrue();
        long hidden = c.params().stream().filter(p -> p.is(ConfigFlag.HIDDEN)).count();
        assertThat(hidden).isEqualTo(7);
    }

    @Test
    void instancesAreIndependent() throws Exception {
        ServerConfig a = new ServerConfig();
        ServerConfig b = new ServerConfig();
        a.set(List.<String[]>of(new String[] {"maxmemory", "1mb"}, new String[] {"save", "1 1"}));
        a.loadFromString("save 5 5\nport 1\n");
        assertThat(a.memory.maxmemory.get()).isEqualTo(1 << 20);
        assertThat(b.memory.maxmemory.get()).isZero();
        assertThat(b.persistence.save.value()).isEqualTo("3600 1 300 100 60 10000");
        assertThat(b.network.port.get()).isEqualTo(6379);
        // The save accumulation state is per instance too: b's first file "save" still resets.
        b.loadFromString("save 7 7\n");
        assertThat(b.persistence.save.value()).isEqualTo("7 7");
    }

    @Test
    void debugInfoListsDebugParameters() {
        String info = new ServerConfig().debugInfo();
        assertThat(info).contains("replica-read-only yes\n", "lazyfree-lazy-user-flush no\n",
                "client-query-buffer-limit 1gb\n", "proto-max-bulk-len 512mb\n", "io-threads 1\n");
        assertThat(info).doesNotContain("port ", "# Generated");
    }
}
