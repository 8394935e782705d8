package dev.cinnabar.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** CONFIG SET: value parsing, error texts, atomicity and apply hooks. */
class ConfigSetTest {

    private final ServerConfig config = new ServerConfig();

    private static List<String[]> pairs(String... nameValues) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) out.add(new String[] {nameValues[i], nameValues[i + 1]});
        return out;
    }

    private void set(String... nameValues) throws ConfigSetException {
        config.set(pairs(nameValues));
    }

    private String error(String... nameValues) {
        try {
            config.set(pairs(nameValues));
        } catch (ConfigSetException e) {
            return e.getMessage();
        }
        throw new AssertionError("CONFIG SET succeeded: " + List.of(nameValues));
    }

    private String get(String name) {
        return config.lookup(name).value();
    }

    @Test
    void errorTextsAreRedis() {
        assertThat(error("foo", "bar")).isEqualTo("ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
        assertThat(error("maxmemory", "abc"))
                .isEqualTo("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value");
        assertThat(error("port", "65536")).isEqualTo(
                "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive");
        assertThat(error("daemonize", "yes"))
                .isEqualTo("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
        assertThat(error("dir", "/tmp"))
                .isEqualTo("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
        assertThat(error("maxmemory", "1", "maxmemory", "2"))
                .isEqualTo("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter");
        assertThat(error("maxmemory-policy", "lru")).isEqualTo("ERR CONFIG SET failed (possibly related to argument "
                + "'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                + "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
        assertThat(error("appendonly", "1"))
                .endsWith("'appendonly') - argument must be 'yes' or 'no'");
        assertThat(error("hz", "ten")).endsWith("'hz') - argument couldn't be parsed into an integer");
        assertThat(error("maxmemory-clients", "x")).endsWith(" - argument must be a memory or percent value");
        assertThat(error("maxmemory-clients", "101%")).endsWith(" - percentage argument must be less or equal to 100");
        assertThat(error("maxclients", "0")).endsWith(" - argument must be between 1 and 4294967295 inclusive");
        assertThat(error("hash-max-listpack-entries", "-1"))
                .endsWith(" - argument must be between 0 and 9223372036854775807 inclusive");
        assertThat(error("shutdown-on-sigint", "save nosave"))
                .endsWith(" - shutdown options SAVE and NOSAVE can't be used simultaneously");
        assertThat(error("dbfilename", "a/b")).endsWith(" - can't set protected config");
        assertThat(error("save", "10")).endsWith("'save') - Invalid save parameters");
    }

    @Test
    void errorNamesTheArgumentAsRedisDoes() {
        // Name checks echo what the client typed; value errors name the table entry.
        assertThat(error("DAEMONIZE", "yes")).contains("'DAEMONIZE'");
        assertThat(error("PORT", "x")).contains("'port'");
        assertThat(error("Slave-Read-Only", "x")).contains("'slave-read-only'");
        assertThat(error("FOO\r\nBAR", "x")).isEqualTo("ERR Unknown option or number of arguments for CONFIG SET - 'FOO  BAR'");
    }

    @Test
    void firstProblemWins() {
        assertThat(error("daemonize", "yes", "foo", "bar")).contains("immutable");
        assertThat(error("foo", "bar", "daemonize", "yes")).contains("Unknown option").contains("'foo'");
        assertThat(error("maxmemory", "x", "foo", "bar")).contains("Unknown option");
    }

    @Test
    void aliasAndPrimaryAreNotDuplicates() throws Exception {
        set("hash-max-ziplist-entries", "100", "hash-max-listpack-entries", "200");
        assertThat(get("hash-max-listpack-entries")).isEqualTo("200");
    }

    @Test
    void multiParameterSetIsAtomicOnParseError() throws Exception {
        set("maxmemory", "10000002");
        assertThat(error("maxmemory", "10000001", "maxmemory-clients", "200%", "client-query-buffer-limit", "invalid"))
                .isEqualTo("ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
                        + "percentage argument must be less or equal to 100");
        assertThat(get("maxmemory")).isEqualTo("10000002");
        assertThat(get("maxmemory-clients")).isEqualTo("0");
        assertThat(get("client-query-buffer-limit")).isEqualTo("1073741824");
    }

    @Test
    void applyHookFailureRollsBackEverythingAndReappliesRestoredValues() throws Exception {
        List<String> seenPorts = new ArrayList<>();
        AtomicInteger backlogApplied = new AtomicInteger();
        config.addApplyHook(() -> backlogApplied.incrementAndGet(), config.replication.replBacklogSize);
        config.network.port.addApplyHook(() -> {
            seenPorts.add(config.network.port.value());
            if (config.network.port.get() == 7777) {
                throw new ConfigValueException("Unable to listen on this port. Check server logs.");
            }
        });
        assertThat(error("repl-backlog-size", "2mb", "port", "7777", "timeout", "5")).isEqualTo(
                "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.");
        assertThat(get("repl-backlog-size")).isEqualTo("1048576");
        assertThat(get("port")).isEqualTo("6379");
        assertThat(get("timeout")).isEqualTo("0");
        // The port hook saw the new value, then the restored one; the backlog hook ran for both.
        assertThat(seenPorts).containsExactly("7777", "6379");
        assertThat(backlogApplied.get()).isEqualTo(2);
    }

    @Test
    void applyHooksRunOnceForSeveralParametersAndOnlyOnChange() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ApplyHook tlsReload = calls::incrementAndGet;
        config.addApplyHook(tlsReload, config.tls.tlsCiphers, config.tls.tlsProtocols, config.tls.tlsCertFile);
        set("tls-ciphers", "HIGH", "tls-protocols", "TLSv1.3");
        assertThat(calls.get()).isEqualTo(1);
        set("tls-ciphers", "HIGH");
        assertThat(calls.get()).isEqualTo(1); // same value: no apply
        set("tls-cert-file", "");
        assertThat(calls.get()).isEqualTo(2); // volatile: same value still applies
    }

    @Test
    void hookWithoutReasonGivesBareError() {
        config.memory.maxmemory.addApplyHook(() -> {
            throw new ConfigValueException(null);
        });
        assertThat(error("maxmemory", "1")).isEqualTo("ERR CONFIG SET failed (possibly related to argument 'maxmemory')");
        assertThat(get("maxmemory")).isEqualTo("0");
    }

    @Test
    void protectedConfigsFollowEnableProtectedConfigs() throws Exception {
        ServerConfig local = new ServerConfig();
        local.loadFromString("enable-protected-configs local\n");
        assertThatThrownBy(() -> local.set(pairs("dbfilename", "x.rdb")))
                .hasMessageContaining("can't set protected config");
        local.set(pairs("dbfilename", "x.rdb"), new ServerConfig.SetContext(true, false));
        assertThat(local.persistence.dbfilename.get()).isEqualTo("x.rdb");

        ServerConfig yes = new ServerConfig();
        yes.loadFromString("enable-protected-configs yes\n");
        yes.set(pairs("dbfilename", "y.rdb"));
        assertThat(yes.persistence.dbfilename.get()).isEqualTo("y.rdb");
        assertThatThrownBy(() -> yes.set(pairs("dbfilename", "a/y.rdb")))
                .hasMessageEndingWith("'dbfilename') - dbfilename can't be a path, just a filename");
    }

    @Test
    void denyLoadingGivesLoadingError() throws Exception {
        ServerConfig.SetContext loading = new ServerConfig.SetContext(false, true);
        assertThatThrownBy(() -> config.set(pairs("appendonly", "yes"), loading))
                .hasMessage("LOADING Redis is loading the dataset in memory");
        config.set(pairs("loglevel", "debug"), loading);
        assertThat(get("loglevel")).isEqualTo("debug");
    }

    @Test
    void memoryUnits() throws Exception {
        String[][] cases = {
            {"1k", "1000"}, {"1kb", "1024"}, {"1m", "1000000"}, {"1mb", "1048576"}, {"1g", "1000000000"},
            {"1gb", "1073741824"}, {"1GB", "1073741824"}, {"3Kb", "3072"}, {"100b", "100"}, {"007", "7"},
            {"", "0"}, {"99999999999999999999", "18446744073709551615"},
        };
        for (String[] c : cases) {
            set("maxmemory", c[0]);
            assertThat(get("maxmemory")).as(c[0]).isEqualTo(c[1]);
        }
        for (String bad : List.of("-1", "1 kb", " 1", "1t", "1.5mb", "+1", "kb1")) {
            assertThat(error("maxmemory", bad)).as(bad).endsWith("argument must be a memory value");
        }
    }

    @Test
    void percentValues() throws Exception {
        set("maxmemory-clients", "10%");
        assertThat(config.memory.maxmemoryClients.get()).isEqualTo(-10);
        assertThat(get("maxmemory-clients")).isEqualTo("10%");
        set("maxmemory-clients", "0%");
        assertThat(get("maxmemory-clients")).isEqualTo("0");
        set("maxmemory-clients", "1mb");
        assertThat(get("maxmemory-clients")).isEqualTo("1048576");
        assertThat(error("maxmemory-clients", "-5%")).endsWith("argument must be a memory or percent value");
        assertThat(error("maxmemory", "10%")).endsWith("argument must be a memory value");
    }

    @Test
    void plainIntegersAreStrict() throws Exception {
        set("list-max-listpack-size", "-5");
        assertThat(get("list-max-listpack-size")).isEqualTo("-5");
        for (String bad : List.of("+5", "05", " 5", "5 ", "1e3", "", "-", "9223372036854775808")) {
            assertThat(error("timeout", bad)).as(bad).endsWith("argument couldn't be parsed into an integer");
        }
    }

    @Test
    void hzIsClampedAfterSet() throws Exception {
        set("hz", "1000");
        assertThat(get("hz")).isEqualTo("500");
        set("hz", "0");
        assertThat(config.general.hz.get()).isEqualTo(1);
    }

    @Test
    void enumsAreCaseInsensitiveAndPrintCanonicalName() throws Exception {
        set("loglevel", "WARNING", "maxmemory-policy", "AllKeys-LFU", "oom-score-adj", "relative");
        assertThat(get("loglevel")).isEqualTo("warning");
        assertThat(get("maxmemory-policy")).isEqualTo("allkeys-lfu");
        assertThat(get("oom-score-adj")).isEqualTo("yes");
        assertThat(config.general.oomScoreAdj.get()).isEqualTo(ConfigEnums.OomScoreAdj.RELATIVE);
    }

    @Test
    void shutdownFlags() throws Exception {
        set("shutdown-on-sigterm", "NOW nosave force");
        assertThat(get("shutdown-on-sigterm")).isEqualTo("nosave now force");
        assertThat(config.general.shutdownOnSigterm.has(ConfigEnums.SHUTDOWN_NOW)).isTrue();
        set("shutdown-on-sigterm", "default");
        assertThat(get("shutdown-on-sigterm")).isEqualTo("default");
        assertThat(error("shutdown-on-sigterm", "")).endsWith(
                "argument(s) must be one of the following: default, save, nosave, now, force");
        assertThat(error("shutdown-on-sigterm", "now  force")).endsWith("must be one of the following: default, save, nosave, now, force");
    }

    @Test
    void saveParameter() throws Exception {
        set("save", "100 10 200 20");
        assertThat(get("save")).isEqualTo("100 10 200 20");
        set("save", "");
        assertThat(get("save")).isEmpty();
        assertThat(config.persistence.save.get()).isEmpty();
        assertThat(error("save", "0 1")).endsWith("Invalid save parameters");
        assertThat(error("save", "1 -1")).endsWith("Invalid save parameters");
        assertThat(error("save", "3600  1")).endsWith("Invalid save parameters");
    }

    @Test
    void clientOutputBufferLimit() throws Exception {
        set("client-output-buffer-limit", "replica 1mb 2k 5 PUBSUB 1 2 3");
        assertThat(get("client-output-buffer-limit")).isEqualTo("normal 0 0 0 slave 1048576 2000 5 pubsub 1 2 3");
        assertThat(error("client-output-buffer-limit", "master 1 2 3"))
                .endsWith("Invalid client class specified in buffer limit configuration.");
        assertThat(error("client-output-buffer-limit", "normal 1 2"))
                .endsWith("Wrong number of arguments in buffer limit configuration.");
        assertThat(error("client-output-buffer-limit", "normal 1 2 -1"))
                .endsWith("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
        // A failed setting leaves all classes unchanged, even those listed before the bad one.
        assertThat(error("client-output-buffer-limit", "normal 9 9 9 pubsub x 1 1")).contains("Error in hard");
        assertThat(get("client-output-buffer-limit")).startsWith("normal 0 0 0 ");
    }

    @Test
    void notifyKeyspaceEventsCanonicalForm() throws Exception {
        String[][] cases = {{"KEA", "AKE"}, {"Ex$m", "$xEm"}, {"", ""}, {"g$lshzxetd", "A"}, {"nK", "nK"},
            {"AKEm", "AKEm"}, {"xK", "xK"}};
        for (String[] c : cases) {
            set("notify-keyspace-events", c[0]);
            assertThat(get("notify-keyspace-events")).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(error("notify-keyspace-events", "KEQ"))
                .endsWith(" - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    }

    @Test
    void bindAndPercentilesAndOomValues() throws Exception {
        set("bind", "127.0.0.1 ::1");
        assertThat(config.network.bind.get()).containsExactly("127.0.0.1", "::1");
        set("bind", "");
        assertThat(config.network.bind.get()).isEmpty();
        set("latency-tracking-info-percentiles", "50 99.9000 1e1 0.0001 100");
        assertThat(get("latency-tracking-info-percentiles")).isEqualTo("50 99.9 10 0.0001 100");
        set("latency-tracking-info-percentiles", "0.0000005");
        assertThat(get("latency-tracking-info-percentiles")).isEqualTo("0");
        assertThat(error("latency-tracking-info-percentiles", "100.1"))
                .endsWith(" - latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
        assertThat(error("latency-tracking-info-percentiles", "nan"))
                .endsWith(" - Invalid latency-tracking-info-percentiles parameters");
        set("oom-score-adj-values", "-10 0 1000");
        assertThat(get("oom-score-adj-values")).isEqualTo("-10 0 1000");
        assertThat(error("oom-score-adj-values", "1 2")).endsWith(" - wrong number of arguments");
    }

    @Test
    void stringValidators() {
        assertThat(error("cluster-announce-hostname", "a_b"))
                .endsWith(" - Hostnames may only contain alphanumeric characters, hyphens or dots");
        assertThat(error("cluster-announce-hostname", "a".repeat(256))).endsWith(" - Hostnames must be less than 256 characters");
        assertThat(error("cluster-announce-human-nodename", "a{b"))
                .endsWith(" - Announced human node name contained invalid character");
        assertThat(error("proc-title-template", "{nope}"))
                .endsWith(" - template format is invalid or contains unknown variables");
        assertThat(error("proc-title-template", "  ")).endsWith("contains unknown variables");
        assertThat(error("locale-collate", "xx_YY")).endsWith(" - Invalid locale name");
    }

    @Test
    void procTitleExpansion() throws Exception {
        set("proc-title-template", "TEST {title} {listen-addr} {port} {tls-port} {unixsocket} {config-file} {{x");
        assertThat(config.general.expandProcTitle(config.general.procTitleTemplate.get(), "redis-server"))
                .isEqualTo("TEST redis-server *:6379 6379 0  - {x");
    }
}
