package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SLOWLOG, mirroring upstream unit/slowlog. */
class SlowlogCommandTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand();

    @BeforeEach
    void reset() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
            c.call("CONFIG", "SET", "slowlog-max-len", "128");
            c.call("SLOWLOG", "RESET");
        }
    }

    @SuppressWarnings("unchecked")
    static List<Object> entries(RespClient c, Object... count) throws Exception {
        Object[] args = new Object[2 + count.length];
        args[0] = "SLOWLOG";
        args[1] = "GET";
        System.arraycopy(count, 0, args, 2, count.length);
        return (List<Object>) c.call(args);
    }

    @SuppressWarnings("unchecked")
    static List<Object> argsOf(Object entry) {
        return (List<Object>) ((List<Object>) entry).get(3);
    }

    @Test
    void onlySlowCommandsAreLoggedWithClientDetails() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "100000");
            c.call("PING");
            assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(0L);
            c.call("CLIENT", "SETNAME", "foobar");
            c.call("DEBUG", "SLEEP", "0.2");
            assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(1L);
            List<Object> e = (List<Object>) entries(c).get(0);
            assertThat(e).hasSize(6);
            assertThat((Long) e.get(1)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
            assertThat((Long) e.get(2)).isGreaterThan(100000L);
            assertThat(e.get(3)).isEqualTo(List.of("DEBUG", "SLEEP", "0.2"));
            assertThat((String) e.get(4)).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(e.get(5)).isEqualTo("foobar");
        }
    }

    @Test
    void maxLenAndCountArgument() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
            c.call("CONFIG", "SET", "slowlog-max-len", "10");
            for (int i = 0; i < 100; i++) {
                c.call("PING");
            }
            assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(10L);
            assertThat(entries(c, 5)).hasSize(5);
            assertThat(entries(c, -1)).hasSize(10);
            assertThat(entries(c, 20)).hasSize(10);
            assertThat(entries(c, 0)).isEmpty();
            // Newest first, ids increasing with time.
            List<Object> all = entries(c, -1);
            long first = (Long) ((List<Object>) all.get(0)).get(0);
            long last = (Long) ((List<Object>) all.get(9)).get(0);
            assertThat(first).isGreaterThan(last);
            assertThat(c.call("SLOWLOG", "GET", -2)).isEqualTo(new Err("ERR count should be greater than or equal to -1"));
            assertThat(c.call("SLOWLOG", "GET", "x")).isEqualTo(new Err("ERR count should be greater than or equal to -1"));
            // A lowered maximum applies at the next command.
            c.call("CONFIG", "SET", "slowlog-max-len", "1");
            assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(1L);
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "-1");
            c.call("SLOWLOG", "RESET");
            c.call("PING");
            assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(0L);
        }
    }

    @Test
    void argumentsAreTrimmed() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
            c.call("SLOWLOG", "RESET");
            List<Object> cmd = new ArrayList<>(List.of("SADD", "set"));
            for (int i = 3; i <= 33; i++) {
                cmd.add(Integer.toString(i));
            }
            c.call(cmd.toArray());
            List<Object> logged = argsOf(entries(c).get(0));
            assertThat(logged).hasSize(32);
            assertThat(logged.get(30)).isEqualTo("31");
            assertThat(logged.get(31)).isEqualTo("... (2 more arguments)");

            c.call("SLOWLOG", "RESET");
            String arg = "A".repeat(129);
            c.call("SADD", "set", "foo", arg);
            logged = argsOf(entries(c).get(0));
            assertThat(logged).containsExactly("SADD", "set", "foo", "A".repeat(128) + "... (1 more bytes)");
        }
    }

    @Test
    void secretsAreRedacted() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
            c.call("SLOWLOG", "RESET");
            c.call("CONFIG", "SET", "masterauth", "");
            c.call("AUTH", "not-real");
            c.call("AUTH", "someone", "not-a-password");
            c.call("HELLO", "2", "AUTH", "someone", "not-a-password");
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "-1");
            // The last CONFIG SET turned the log off before it could be logged.
            List<Object> e = entries(c);
            assertThat(e).hasSize(5);
            assertThat(argsOf(e.get(0))).containsExactly("HELLO", "2", "AUTH", "(redacted)", "(redacted)");
            assertThat(argsOf(e.get(1))).containsExactly("AUTH", "(redacted)", "(redacted)");
            assertThat(argsOf(e.get(2))).containsExactly("AUTH", "(redacted)");
            assertThat(argsOf(e.get(3))).containsExactly("CONFIG", "SET", "masterauth", "(redacted)");
            assertThat(argsOf(e.get(4))).containsExactly("SLOWLOG", "RESET");
        }
    }

    @Test
    void execIsNotLoggedButItsCommandsAre() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "100000");
            c.call("SLOWLOG", "RESET");
            c.call("MULTI");
            c.call("DEBUG", "SLEEP", "0.2");
            c.call("EXEC");
            assertThat(c.call("SLOWLOG", "LEN")).isEqualTo(1L);
            assertThat(argsOf(entries(c).get(0))).containsExactly("DEBUG", "SLEEP", "0.2");
        }
    }

    @Test
    void blockedCommandIsLoggedOnceWhenItCompletes() throws Exception {
        try (RespClient c = new RespClient(server.port()); RespClient blocked = new RespClient(server.port())) {
            c.call("DEL", "mylist");
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
            c.call("SLOWLOG", "RESET");
            blocked.send("BLPOP", "mylist", "0");
            waitBlocked(c, 1);
            assertThat(entries(c, -1)).noneMatch(e -> argsOf(e).get(0).equals("BLPOP"));
            c.call("LPUSH", "mylist", "1");
            assertThat(blocked.read()).isEqualTo(List.of("mylist", "1"));
            assertThat(entries(c, -1)).filteredOn(e -> argsOf(e).get(0).equals("BLPOP")).hasSize(1);

            // A timeout logs it too, once.
            c.call("SLOWLOG", "RESET");
            blocked.send("BLPOP", "mylist", "0.05");
            assertThat(blocked.read()).isNull();
            assertThat(entries(c, -1)).filteredOn(e -> argsOf(e).get(0).equals("BLPOP")).hasSize(1);
        }
    }

    static void waitBlocked(RespClient c, int n) throws Exception {
        for (int i = 0; i < 200; i++) {
            String info = (String) c.call("INFO", "clients");
            if (info.contains("blocked_clients:" + n + "\r\n")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("client did not block");
    }

    @Test
    void helpAndArity() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat((List<?>) c.call("SLOWLOG", "HELP")).first().isEqualTo(
                    "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
            assertThat(c.call("SLOWLOG", "GET", 1, 2)).isEqualTo(new Err(
                    "ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP."));
            assertThat(c.call("SLOWLOG", "LEN", 1)).isEqualTo(new Err(
                    "ERR wrong number of arguments for 'slowlog|len' command"));
        }
    }
}
