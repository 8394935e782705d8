package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MONITOR, mirroring upstream unit/introspection and unit/other. */
class MonitorCommandTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand();

    static RespClient monitor() throws Exception {
        RespClient m = new RespClient(server.port());
        m.setTimeout(5000);
        assertThat(m.call("MONITOR")).isEqualTo("OK");
        return m;
    }

    @Test
    void linesHaveRedisFormatAndEscaping() throws Exception {
        try (RespClient m = monitor(); RespClient c = new RespClient(server.port())) {
            c.call("SELECT", "3");
            c.call("SET", "foo", "a\"b\\c\n\r\t\u0007\b\u0001\u00ff");
            c.call("GET", "foo");
            String port = "\\d+";
            String select = (String) m.read();
            // Fed after the command ran: SELECT already shows the new database.
            assertThat(select).matches("\\d{10}\\.\\d{6} \\[3 127\\.0\\.0\\.1:" + port + "] \"SELECT\" \"3\"");
            String set = (String) m.read();
            assertThat(set).matches("\\d{10}\\.\\d{6} \\[3 127\\.0\\.0\\.1:" + port + "] .*");
            assertThat(set).endsWith("] \"SET\" \"foo\" \"a\\\"b\\\\c\\n\\r\\t\\a\\b\\x01\\xc3\\xbf\"");
            assertThat((String) m.read()).endsWith("\"GET\" \"foo\"");
        }
    }

    @Test
    void adminCommandsAreHiddenAndSecretsRedacted() throws Exception {
        try (RespClient m = monitor(); RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "GET", "maxmemory"); // admin: not shown
            c.call("AUTH", "not-real");
            c.call("AUTH", "not-real", "not-a-password");
            c.call("HELLO", "2", "AUTH", "not-real", "not-a-password");
            c.call("PING");
            assertThat((String) m.read()).endsWith("\"AUTH\" \"(redacted)\"");
            assertThat((String) m.read()).endsWith("\"AUTH\" \"(redacted)\" \"(redacted)\"");
            assertThat((String) m.read()).endsWith("\"HELLO\" \"2\" \"AUTH\" \"(redacted)\" \"(redacted)\"");
            assertThat((String) m.read()).endsWith("\"PING\"");
        }
    }

    @Test
    void transactionsAreShownInOrder() throws Exception {
        try (RespClient m = monitor(); RespClient c = new RespClient(server.port())) {
            c.call("MULTI");
            c.call("SET", "foo", "bar");
            c.call("EXEC");
            assertThat((String) m.read()).endsWith("\"MULTI\"");
            assertThat((String) m.read()).endsWith("\"SET\" \"foo\" \"bar\"");
            assertThat((String) m.read()).endsWith("\"EXEC\"");
            // An aborted transaction still shows its EXEC.
            c.call("MULTI");
            assertThat(c.call("NOSUCHCOMMAND")).isInstanceOf(Err.class);
            assertThat(c.call("EXEC")).isInstanceOf(Err.class);
            assertThat((String) m.read()).endsWith("\"MULTI\"");
            assertThat((String) m.read()).endsWith("\"EXEC\"");
        }
    }

    @Test
    void blockedCommandIsShownOnce() throws Exception {
        try (RespClient m = monitor(); RespClient c = new RespClient(server.port());
                RespClient b = new RespClient(server.port())) {
            c.call("DEL", "mylist");
            assertThat((String) m.read()).endsWith("\"DEL\" \"mylist\"");
            b.send("BLPOP", "mylist", "0");
            assertThat((String) m.read()).endsWith("\"BLPOP\" \"mylist\" \"0\"");
            c.call("LPUSH", "mylist", "1");
            assertThat(b.read()).isEqualTo(List.of("mylist", "1"));
            c.call("LPUSH", "mylist", "2");
            assertThat((String) m.read()).endsWith("\"LPUSH\" \"mylist\" \"1\"");
            assertThat((String) m.read()).endsWith("\"LPUSH\" \"mylist\" \"2\"");
        }
    }

    @Test
    void resetAndDisconnectStopMonitoring() throws Exception {
        try (RespClient m = monitor(); RespClient c = new RespClient(server.port())) {
            assertThat((String) c.call("CLIENT", "LIST")).contains("flags=O");
            m.send("RESET");
            assertThat(m.read()).isEqualTo("RESET");
            assertThat((String) c.call("CLIENT", "LIST")).doesNotContain("flags=O");
            c.call("SET", "x", "1");
            m.send("PING");
            assertThat(m.read()).isEqualTo("PONG"); // nothing was fed to it
        }
        try (RespClient m = monitor()) {
            // MONITOR again is ignored without a reply: the next reply is PING's, then its line.
            m.send("MONITOR");
            m.send("PING");
            assertThat(m.read()).isEqualTo("PONG");
            assertThat((String) m.read()).endsWith("\"PING\"");
        }
        try (RespClient c = new RespClient(server.port())) {
            c.call("MULTI");
            c.call("MONITOR");
            assertThat(c.call("EXEC")).isEqualTo(List.of(new Err("ERR MONITOR isn't allowed for DENY BLOCKING client")));
        }
    }

    /** unit/introspection "MONITOR can log commands issued by the scripting engine / functions". */
    @Test
    void scriptLinesComeBeforeTheCommandsTheyRun() throws Exception {
        try (RespClient m = monitor(); RespClient c = new RespClient(server.port())) {
            c.call("EVAL", "redis.call('set', KEYS[1], ARGV[1])", "1", "foo", "bar");
            assertThat((String) m.read()).endsWith("\"EVAL\" \"redis.call('set', KEYS[1], ARGV[1])\" \"1\" \"foo\" \"bar\"");
            assertThat((String) m.read()).endsWith(" lua] \"set\" \"foo\" \"bar\"");
            c.call("FUNCTION", "LOAD", "REPLACE",
                    "#!lua name=montest\nredis.register_function('mtest', function() return redis.call('ping') end)");
            assertThat((String) m.read()).contains("\"FUNCTION\" \"LOAD\" \"REPLACE\"");
            c.call("FCALL", "mtest", "0");
            assertThat((String) m.read()).endsWith("\"FCALL\" \"mtest\" \"0\"");
            assertThat((String) m.read()).endsWith(" lua] \"ping\"");
            c.call("FUNCTION", "FLUSH");
        }
    }
}
