package dev.cinnabar.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** redis.conf parsing. */
class ConfigFileTest {

    @TempDir
    Path tmp;

    private final ServerConfig config = new ServerConfig();

    private Path write(String name, String content) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, content, StandardCharsets.ISO_8859_1);
        return p;
    }

    private static String fatal(int line, String text, String reason) {
        return "\n*** FATAL CONFIG FILE ERROR (Redis 7.2.6) ***\nReading the configuration file, at line " + line
                + "\n>>> '" + text + "'\n" + reason + "\n";
    }

    private String loadError(String text) {
        try {
            new ServerConfig().loadFromString(text);
        } catch (ConfigFileException e) {
            return e.getMessage();
        }
        throw new AssertionError("loaded: " + text);
    }

    @Test
    void basicDirectivesCommentsAndBlankLines() throws Exception {
        config.loadFromFile(write("r.conf", """
                # a comment
                   # an indented comment
                Port 7000\r
                \t
                maxmemory 100mb
                maxmemory-policy allkeys-lru
                slave-read-only no
                hash-max-ziplist-entries 64
                """));
        assertThat(config.network.port.get()).isEqualTo(7000);
        assertThat(config.memory.maxmemory.get()).isEqualTo(100L << 20);
        assertThat(config.memory.maxmemoryPolicy.value()).isEqualTo("allkeys-lru");
        assertThat(config.replication.replicaReadOnly.get()).isFalse();
        assertThat(config.encoding.hashMaxListpackEntries.get()).isEqualTo(64);
        assertThat(config.configFile()).isEqualTo(tmp.resolve("r.conf").toAbsolutePath());
    }

    @Test
    void quotingAndEscapes() throws Exception {
        config.loadFromString("""
                requirepass "a b\\n\\x41\\"c"
                masterauth 'it\\'s \\n raw'
                cluster-announce-ip ""
                ignore-warnings "\\t\\r\\b\\a\\z"
                """);
        assertThat(config.general.requirepass.get()).isEqualTo("a b\nA\"c");
        assertThat(config.replication.masterauth.get()).isEqualTo("it's \\n raw");
        assertThat(config.cluster.clusterAnnounceIp.get()).isNull();
        assertThat(config.general.ignoreWarnings.get()).isEqualTo("\t\r\b\u0007z");
    }

    @Test
    void laterLinesWinButSaveAccumulates() throws Exception {
        config.loadFromString("port 1\nport 2\nsave 900 1\nsave 300 10\nsave \"60 10000\"\n");
        assertThat(config.network.port.get()).isEqualTo(2);
        assertThat(config.persistence.save.value()).isEqualTo("900 1 300 10 60 10000");
    }

    @Test
    void emptySaveClearsWhatWasAccumulated() throws Exception {
        config.loadFromString("save 10 1\nsave 20 2\nsave \"\"\nsave 30 3\n");
        assertThat(config.persistence.save.value()).isEqualTo("30 3");
        ServerConfig none = new ServerConfig();
        none.loadFromString("save \"\"\n");
        assertThat(none.persistence.save.get()).isEmpty();
        ServerConfig noSave = new ServerConfig();
        noSave.loadFromString("port 1\n");
        assertThat(noSave.persistence.save.value()).isEqualTo("3600 1 300 100 60 10000");
    }

    @Test
    void includeIsRelativeToDirAndStopsSaveAccumulationLikeRedis() throws Exception {
        write("other.conf", "loglevel warning\nsave 15 1\n");
        config.loadFromString("dir " + tmp + "\nsave 10 1\ninclude other.conf\nsave 20 2\nsave 30 3\n");
        assertThat(config.general.loglevel.value()).isEqualTo("warning");
        // Redis quirk: once an included file finished, later save lines replace instead of appending.
        assertThat(config.persistence.save.value()).isEqualTo("30 3");
    }

    @Test
    void includeWithWildcards() throws Exception {
        Files.createDirectory(tmp.resolve("conf.d"));
        write("conf.d/b.conf", "port 2\n");
        write("conf.d/a.conf", "port 1\ntimeout 5\n");
        write("conf.d/.hidden.conf", "timeout 99\n");
        config.loadFromString("include " + tmp + "/conf.d/*.conf\ninclude " + tmp + "/empty.d/*.conf\n");
        assertThat(config.network.port.get()).isEqualTo(2); // sorted: a then b
        assertThat(config.network.timeout.get()).isEqualTo(5);
    }

    @Test
    void missingIncludeIsFatal() {
        assertThatThrownBy(() -> config.loadFromString("include /nonexistent/x.conf\n"))
                .isInstanceOf(ConfigFileException.class)
                .hasMessage("Fatal error, can't open config file '/nonexistent/x.conf': No such file or directory")
                .matches(e -> ((ConfigFileException) e).isLogMessage());
    }

    @Test
    void errorsShowLineAndReason() {
        assertThat(loadError("port 1\n\nport abc\n")).isEqualTo(fatal(3, "port abc",
                "argument couldn't be parsed into an integer"));
        assertThat(loadError("  port 1 2  \n")).isEqualTo(fatal(1, "port 1 2", "wrong number of arguments"));
        assertThat(loadError("nope 1\n")).isEqualTo(fatal(1, "nope 1", "Bad directive or wrong number of arguments"));
        assertThat(loadError("requirepass \"abc\n")).isEqualTo(fatal(1, "requirepass \"abc",
                "Unbalanced quotes in configuration line"));
        assertThat(loadError("requirepass \"abc\"x\n")).contains("Unbalanced quotes");
        assertThat(loadError("port 1 # comment\n")).endsWith("wrong number of arguments\n");
        assertThat(loadError("mymodule.opt\n")).isEqualTo(fatal(1, "mymodule.opt", "Module config specified without value"));
        assertThat(loadError("sentinel monitor m 127.0.0.1 6379 2\n")).endsWith("sentinel directive while not in sentinel mode\n");
        assertThat(loadError("rename-command x\n")).endsWith("Bad directive or wrong number of arguments\n");
        assertThat(loadError("save 1\n")).endsWith("Invalid save parameters\n");
        assertThat(loadError("shutdown-on-sigint\n")).isEqualTo(fatal(1, "shutdown-on-sigint",
                "argument(s) must be one of the following: default, save, nosave, now, force"));
        assertThat(loadError("bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n")).endsWith("Too many bind addresses specified.\n");
        assertThat(loadError("replicaof 127.0.0.1 abc\n")).endsWith("Invalid master port\n");
        assertThat(loadError("unixsocketperm 1000\n")).endsWith("argument must be between 0 and 777 inclusive\n");
        assertThat(loadError("unixsocketperm 800\n")).endsWith("argument couldn't be parsed as an octal number\n");
    }

    @Test
    void checksAfterLoading() throws Exception {
        assertThat(loadError("cluster-enabled yes\nreplicaof 127.0.0.1 6379\n")).isEqualTo(
                "\n*** FATAL CONFIG FILE ERROR (Redis 7.2.6) ***\nreplicaof directive not allowed in cluster mode\n");
        assertThat(loadError("logfile /nonexistent-dir/x.log\n")).isEqualTo(
                "\n*** FATAL CONFIG FILE ERROR (Redis 7.2.6) ***\nCan't open the log file: No such file or directory\n");
        config.loadFromString("cluster-enabled yes\ndatabases 8\nhz 100000\n");
        assertThat(config.general.databases.get()).isEqualTo(1);
        assertThat(config.general.hz.get()).isEqualTo(500);
    }

    @Test
    void immutableAndMultiArgParametersFromFile() throws Exception {
        config.loadFromString("""
                daemonize yes
                unixsocketperm 700
                replicaof 10.0.0.1 6380
                bind 127.0.0.1 "::1"
                client-output-buffer-limit replica 0 0 0
                client-output-buffer-limit "pubsub 1mb 1mb 0"
                oom-score-adj-values 0 100 200
                shutdown-on-sigint nosave now
                latency-tracking-info-percentiles ""
                """);
        assertThat(config.general.daemonize.get()).isTrue();
        assertThat(config.network.unixsocketperm.get()).isEqualTo(0700);
        assertThat(config.network.unixsocketperm.value()).isEqualTo("700");
        assertThat(config.replication.replicaof.get()).isEqualTo(new ReplicaOfParam.Master("10.0.0.1", 6380));
        assertThat(config.replication.replicaof.value()).isEqualTo("10.0.0.1 6380");
        assertThat(config.network.bind.value()).isEqualTo("127.0.0.1 ::1");
        assertThat(config.network.clientOutputBufferLimit.value())
                .isEqualTo("normal 0 0 0 slave 0 0 0 pubsub 1048576 1048576 0");
        assertThat(config.general.oomScoreAdjValues.value()).isEqualTo("0 100 200");
        assertThat(config.general.shutdownOnSigint.value()).isEqualTo("nosave now");
        assertThat(config.monitoring.latencyTrackingInfoPercentiles.get()).isEmpty();
        config.loadFromString("replicaof no one\n");
        assertThat(config.replication.replicaof.get()).isNull();
    }

    @Test
    void otherDirectivesAreRecordedOrHandled() throws Exception {
        config.loadFromString("""
                rename-command FLUSHALL ""
                list-max-ziplist-entries 512
                lua-replicate-commands yes
                user alice on >pw ~* +@all
                loadmodule /x/mod.so a b
                mymod.size 10 20
                sentinel
                """);
        assertThat(config.fileDirectives()).containsExactly(
                new ServerConfig.FileDirective("rename-command", List.of("FLUSHALL", "")),
                new ServerConfig.FileDirective("user", List.of("alice", "on", ">pw", "~*", "+@all")),
                new ServerConfig.FileDirective("loadmodule", List.of("/x/mod.so", "a", "b")),
                new ServerConfig.FileDirective("mymod.size", List.of("10 20")));
        ServerConfig strict = new ServerConfig();
        strict.setDirectiveHandler(d -> {
            if (d.name().equals("rename-command") && !d.args().getFirst().equalsIgnoreCase("flushall")) {
                throw new ConfigValueException("No such command in rename-command");
            }
        });
        assertThatThrownBy(() -> strict.loadFromString("rename-command flushall x\nrename-command nope x\n"))
                .hasMessage(fatal(2, "rename-command nope x", "No such command in rename-command"));
    }

    @Test
    void dirChangesResolutionOfLaterRelativeNames() throws Exception {
        Path sub = Files.createDirectory(tmp.resolve("sub"));
        config.loadFromString("dir " + tmp + "\ndir sub\n");
        assertThat(config.persistence.dir.get()).isEqualTo(sub.toRealPath().toString());
        assertThat(loadError("dir " + tmp + "/nope\n")).endsWith("No such file or directory\n");
        write("file", "");
        assertThat(loadError("dir " + tmp + "/file\n")).endsWith("Not a directory\n");
    }

    @Test
    void bytesSurviveAsLatin1() throws Exception {
        Path p = tmp.resolve("bin.conf");
        Files.write(p, new byte[] {'m', 'a', 's', 't', 'e', 'r', 'a', 'u', 't', 'h', ' ', (byte) 0xC3, (byte) 0xA9, '\n'});
        config.loadFromFile(p);
        assertThat(ConfigText.toBytes(config.replication.masterauth.get())).containsExactly(0xC3, 0xA9);
    }
}
