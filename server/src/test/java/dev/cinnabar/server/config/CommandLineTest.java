package dev.cinnabar.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** redis-server argv handling. */
class CommandLineTest {

    @TempDir
    Path tmp;

    private static String options(String... args) {
        return CommandLine.parse(args).options();
    }

    private static String error(String... args) {
        try {
            ServerConfig.fromCommandLine(args);
        } catch (ConfigFileException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void optionsBecomeQuotedConfigLines() {
        assertThat(options("--port", "6380", "--save", "", "--bind", "127.0.0.1", "::1"))
                .isEqualTo("port \"6380\" \nsave \"\" \nbind \"127.0.0.1\" \"::1\" ");
        assertThat(options("--maxmemory 700mb", "--maxmemory-policy volatile-lru"))
                .isEqualTo("maxmemory 700mb \nmaxmemory-policy volatile-lru ");
        assertThat(options("--save")).isEqualTo("save \"\"");
        assertThat(options("--save", "--loglevel", "verbose")).isEqualTo("save \"\"\nloglevel \"verbose\" ");
        assertThat(options("--port", "--bla", "--loglevel", "verbose"))
                .isEqualTo("port \"--bla\" \nloglevel \"verbose\" ");
        assertThat(options("--requirepass", "a\"b\n")).isEqualTo("requirepass \"a\\\"b\\n\" ");
    }

    @Test
    void configFileAndStdin() {
        CommandLine.Parsed p = CommandLine.parse(new String[] {"/etc/redis.conf", "--port", "1"});
        assertThat(p.configFile()).isEqualTo("/etc/redis.conf");
        assertThat(p.configFromStdin()).isFalse();
        assertThat(CommandLine.parse(new String[] {"-", "--port", "1"}).configFromStdin()).isTrue();
        assertThat(CommandLine.parse(new String[] {"x.conf", "--port", "1", "-"}).configFromStdin()).isTrue();
        CommandLine.Parsed middle = CommandLine.parse(new String[] {"--port", "-", "--timeout", "1"});
        assertThat(middle.configFromStdin()).isFalse();
        assertThat(middle.options()).isEqualTo("port \"-\" \ntimeout \"1\" ");
    }

    @Test
    void specialActionsOnlyAsFirstArgument() {
        assertThat(CommandLine.specialAction(new String[] {"-v"})).isEqualTo(CommandLine.SpecialAction.VERSION);
        assertThat(CommandLine.specialAction(new String[] {"--help", "x"})).isEqualTo(CommandLine.SpecialAction.HELP);
        assertThat(CommandLine.specialAction(new String[] {"--test-memory", "10"}))
                .isEqualTo(CommandLine.SpecialAction.TEST_MEMORY);
        assertThat(CommandLine.specialAction(new String[] {"--port", "1", "--version"}))
                .isEqualTo(CommandLine.SpecialAction.NONE);
    }

    @Test
    void loadsLikeRedisServer() throws Exception {
        ServerConfig c = ServerConfig.fromCommandLine("--port", "6380", "--save", "", "--bind", "127.0.0.1", "::1");
        assertThat(c.network.port.get()).isEqualTo(6380);
        assertThat(c.persistence.save.get()).isEmpty();
        assertThat(c.network.bind.get()).containsExactly("127.0.0.1", "::1");
        assertThat(c.configFile()).isNull();

        ServerConfig multi = ServerConfig.fromCommandLine("--shutdown-on-sigint", "nosave", "force", "now",
                "--shutdown-on-sigterm", "nosave force", "--proc-title-template", "--my--title--template");
        assertThat(multi.general.shutdownOnSigint.value()).isEqualTo("nosave now force");
        assertThat(multi.general.shutdownOnSigterm.value()).isEqualTo("nosave force");
        assertThat(multi.general.procTitleTemplate.get()).isEqualTo("--my--title--template");

        ServerConfig odd = ServerConfig.fromCommandLine("--proc-title-template", "--save", "--save", "", "--loglevel",
                "verbose");
        assertThat(odd.general.procTitleTemplate.get()).isEqualTo("--save");
        assertThat(odd.persistence.save.get()).isEmpty();
        assertThat(odd.general.loglevel.value()).isEqualTo("verbose");
    }

    @Test
    void optionsApplyAfterFileAndStdin() throws Exception {
        Path conf = tmp.resolve("r.conf");
        Files.writeString(conf, "port 1000\nsave 900 1\ntimeout 3\n");
        ServerConfig c = new ServerConfig();
        c.loadCommandLine(new String[] {conf.toString(), "--port", "2000", "--save", "100", "100", "-"},
                new ByteArrayInputStream("timeout 4\n".getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(c.network.port.get()).isEqualTo(2000);
        assertThat(c.persistence.save.value()).isEqualTo("900 1 100 100");
        assertThat(c.network.timeout.get()).isEqualTo(4);
        assertThat(c.configFile()).isEqualTo(conf.toAbsolutePath());
    }

    @Test
    void errorsQuoteTheGeneratedLine() {
        assertThat(error("--port", "6379", "6380")).isEqualTo("\n*** FATAL CONFIG FILE ERROR (Redis 7.2.6) ***\n"
                + "Reading the configuration file, at line 2\n>>> 'port \"6379\" \"6380\"'\nwrong number of arguments\n");
        assertThat(error("--invalid")).contains(">>> 'invalid'\nBad directive or wrong number of arguments");
        assertThat(error("--port")).contains(">>> 'port'\nwrong number of arguments");
        assertThat(error("--port", "--bla", "--loglevel", "verbose"))
                .contains(">>> 'port \"--bla\"'\nargument couldn't be parsed into an integer");
        assertThat(error("--shutdown-on-sigint", "now force", "--shutdown-on-sigterm"))
                .contains("at line 3\n>>> 'shutdown-on-sigterm'\nargument(s) must be one of the following");
        assertThat(error("--replicaof", "--127.0.0.1", "--abc"))
                .contains(">>> 'replicaof \"--127.0.0.1\"'\nwrong number of arguments");
        assertThatThrownBy(() -> ServerConfig.fromCommandLine(tmp.resolve("missing.conf").toString()))
                .hasMessage("Fatal error, can't open config file '" + tmp.resolve("missing.conf")
                        + "': No such file or directory");
    }
}
