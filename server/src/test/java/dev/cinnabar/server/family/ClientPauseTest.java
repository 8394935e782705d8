package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.net.SocketTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CLIENT PAUSE / UNPAUSE with Redis 7.2 semantics: covered commands are postponed (not
 * refused) and run in order when the pause ends; WRITE lets reads through; EXEC is judged by
 * its queued commands; expiry is suspended; the pause itself starts after the transaction that
 * set it. Mirrors upstream unit/pause.
 */
class ClientPauseTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().config("io-threads", "2")
            .afterEachTest("CLIENT", "UNPAUSE")
            .afterEachTest("FLUSHALL");

    static long blockedClients(RespClient c) throws Exception {
        String info = (String) c.call("INFO", "clients");
        for (String l : info.split("\r\n")) {
            if (l.startsWith("blocked_clients:")) {
                return Long.parseLong(l.substring("blocked_clients:".length()));
            }
        }
        throw new AssertionError("no blocked_clients in " + info);
    }

    static long stat(RespClient c, String name) throws Exception {
        String info = (String) c.call("INFO", "stats");
        for (String l : info.split("\r\n")) {
            if (l.startsWith(name + ":")) {
                return Long.parseLong(l.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no " + name);
    }

    static void waitBlocked(RespClient admin, long n) throws Exception {
        long end = System.currentTimeMillis() + 5000;
        while (blockedClients(admin) != n) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("blocked_clients never reached " + n);
            }
            Thread.sleep(5);
        }
    }

    /** Asserts nothing arrives on {@code c} for a short while. */
    static void assertSilent(RespClient c) throws Exception {
        c.setTimeout(150);
        try {
            Object r = c.read();
            throw new AssertionError("unexpected reply " + r);
        } catch (SocketTimeoutException expected) {
            // nothing, as it should be
        } finally {
            c.setTimeout(10_000);
        }
    }

    @Test
    void writePauseLetsReadsThroughAndPostponesWrites() throws Exception {
        try (RespClient admin = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            assertThat(admin.call("CLIENT", "PAUSE", "100000", "WRITE")).isEqualTo("OK");
            assertThat(c.call("GET", "foo")).isNull();
            assertThat(c.call("PING")).isEqualTo("PONG");
            assertThat(blockedClients(admin)).isZero();
            c.send("SET", "foo", "bar");
            waitBlocked(admin, 1);
            assertSilent(c);
            assertThat((String) admin.call("CLIENT", "LIST")).contains("flags=b ");
            assertThat(admin.call("GET", "foo")).isNull();
            assertThat(admin.call("CLIENT", "UNPAUSE")).isEqualTo("OK");
            assertThat(c.read()).isEqualTo("OK");
            assertThat(admin.call("GET", "foo")).isEqualTo("bar");
            assertThat(blockedClients(admin)).isZero();
        }
    }

    @Test
    void pipelinedCommandsResumeInOrder() throws Exception {
        try (RespClient admin = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            admin.call("CLIENT", "PAUSE", "100000", "WRITE");
            // One write; the read after it waits too, because the connection stops at the write.
            c.writeRaw("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n"
                    + "*3\r\n$6\r\nAPPEND\r\n$1\r\na\r\n$1\r\n2\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n");
            waitBlocked(admin, 1);
            assertSilent(c);
            // More requests arriving while postponed are kept too.
            c.send("INCR", "n");
            assertSilent(c);
            admin.call("CLIENT", "UNPAUSE");
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.read()).isEqualTo("1");
            assertThat(c.read()).isEqualTo(2L);
            assertThat(c.read()).isEqualTo("12");
            assertThat(c.read()).isEqualTo(1L);
        }
    }

    @Test
    void allPauseHoldsEveryCommandUntilItsEnd() throws Exception {
        try (RespClient admin = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            long start = System.currentTimeMillis();
            admin.call("CLIENT", "PAUSE", "300", "ALL");
            // A shorter, weaker pause does not shorten or weaken it (it is itself held).
            admin.call("CLIENT", "PAUSE", "20", "WRITE");
            assertThat(c.call("GET", "foo")).isNull();
            assertThat(System.currentTimeMillis() - start).isGreaterThanOrEqualTo(290);
        }
    }

    @Test
    void laterPauseKeepsTheLongerEnd() throws Exception {
        try (RespClient admin = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            admin.call("CLIENT", "PAUSE", "60000", "WRITE");
            admin.call("CLIENT", "PAUSE", "10", "WRITE");
            Thread.sleep(50);
            c.send("SET", "foo", "bar");
            waitBlocked(admin, 1);
            admin.call("CLIENT", "UNPAUSE");
            assertThat(c.read()).isEqualTo("OK");
        }
    }

    @Test
    void mayReplicateCommandsAreHeldToo() throws Exception {
        try (RespClient admin = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            admin.call("CLIENT", "PAUSE", "100000", "WRITE");
            c.send("PUBLISH", "ch", "m");
            waitBlocked(admin, 1);
            admin.call("CLIENT", "UNPAUSE");
            assertThat(c.read()).isEqualTo(0L);
        }
    }

    @Test
    void errorsAreRepliedAtOnce() throws Exception {
        try (RespClient admin = new RespClient(server.port())) {
            admin.call("CLIENT", "PAUSE", "100000", "WRITE");
            assertThat(admin.call("SET", "foo")).isEqualTo(new Err("ERR wrong number of arguments for 'set' command"));
            assertThat(admin.call("NOSUCHCMD")).isInstanceOf(Err.class);
            assertThat(admin.call("CLIENT", "PAUSE", "10", "READ"))
                    .isEqualTo(new Err("ERR CLIENT PAUSE mode must be WRITE or ALL"));
            assertThat(admin.call("CLIENT", "PAUSE", "-1")).isEqualTo(new Err("ERR timeout is negative"));
            assertThat(admin.call("CLIENT", "PAUSE", "x"))
                    .isEqualTo(new Err("ERR timeout is not an integer or out of range"));
            assertThat(admin.call("CLIENT", "PAUSE", "1", "WRITE", "x")).isEqualTo(new Err(
                    "ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP."));
        }
    }

    @Test
    void transactionsAreJudgedAtExec() throws Exception {
        try (RespClient admin = new RespClient(server.port());
                RespClient reader = new RespClient(server.port());
                RespClient writer = new RespClient(server.port())) {
            admin.call("SET", "foo", "bar");
            writer.call("MULTI");
            assertThat(writer.call("SET", "foo", "baz")).isEqualTo("QUEUED");
            admin.call("CLIENT", "PAUSE", "100000", "WRITE");
            // Read-only transactions run.
            reader.call("MULTI");
            reader.call("PING");
            reader.call("GET", "foo");
            assertThat(reader.call("EXEC")).isEqualTo(List.of("PONG", "bar"));
            // One with a write waits at EXEC.
            writer.send("EXEC");
            waitBlocked(admin, 1);
            assertSilent(writer);
            admin.call("CLIENT", "UNPAUSE");
            assertThat(writer.read()).isEqualTo(List.of("OK"));
            assertThat(admin.call("GET", "foo")).isEqualTo("baz");
        }
    }

    @Test
    void pauseStartsAtTheEndOfTheTransactionThatSetsIt() throws Exception {
        try (RespClient admin = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            admin.call("MULTI");
            admin.call("SET", "FOO1", "BAR");
            admin.call("CLIENT", "PAUSE", "60000", "WRITE");
            admin.call("SET", "FOO2", "BAR");
            assertThat(admin.call("EXEC")).isEqualTo(List.of("OK", "OK", "OK"));
            c.send("SET", "FOO3", "BAR");
            waitBlocked(admin, 1);
            assertThat(admin.call("GET", "FOO1")).isEqualTo("BAR");
            assertThat(admin.call("GET", "FOO2")).isEqualTo("BAR");
            assertThat(admin.call("GET", "FOO3")).isNull();
            admin.call("CLIENT", "UNPAUSE");
            assertThat(c.read()).isEqualTo("OK");
        }
    }

    @Test
    void expiryIsSuspendedDuringAPause() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            long expired = stat(c, "expired_keys");
            c.call("MULTI");
            c.call("SET", "foo", "bar", "PX", "10");
            c.call("SET", "bar", "foo", "PX", "10");
            c.call("CLIENT", "PAUSE", "50000", "WRITE");
            c.call("EXEC");
            Thread.sleep(150); // several active expiry cycles
            // Logically expired to readers, but nothing was deleted.
            assertThat(c.call("GET", "foo")).isNull();
            assertThat(c.call("EXISTS", "bar")).isEqualTo(0L);
            assertThat(c.call("RANDOMKEY")).isNull();
            assertThat(stat(c, "expired_keys")).isEqualTo(expired);
            assertThat(c.call("DBSIZE")).isEqualTo(2L);
            c.call("CLIENT", "UNPAUSE");
            c.call("GET", "foo");
            c.call("GET", "bar");
            assertThat(stat(c, "expired_keys")).isEqualTo(expired + 2);
        }
    }

    @Test
    void postponedClientMayDisconnect() throws Exception {
        try (RespClient admin = new RespClient(server.port())) {
            admin.call("CLIENT", "PAUSE", "100000", "ALL");
            RespClient c = new RespClient(server.port());
            c.send("GET", "x");
            c.send("GET", "y");
            // The admin's own commands are held by an ALL pause too, so watch from inside.
            long end = System.currentTimeMillis() + 5000;
            while (server.server().pause.postponedCount() != 1) {
                assertThat(System.currentTimeMillis()).isLessThan(end);
                Thread.sleep(5);
            }
            c.close();
            while (server.server().pause.postponedCount() != 0) {
                assertThat(System.currentTimeMillis()).isLessThan(end);
                Thread.sleep(5);
            }
            server.server().runLocked(server.server().pause::unpauseByClient);
            assertThat(admin.call("PING")).isEqualTo("PONG");
            assertThat(blockedClients(admin)).isZero();
        }
    }

    @Test
    void manyClientsQueueAndAllResume() throws Exception {
        try (RespClient admin = new RespClient(server.port())) {
            admin.call("CLIENT", "PAUSE", "60000", "WRITE");
            RespClient[] clients = new RespClient[5];
            for (int i = 0; i < clients.length; i++) {
                clients[i] = new RespClient(server.port());
                clients[i].send("INCR", "counter");
            }
            waitBlocked(admin, clients.length);
            admin.call("CLIENT", "UNPAUSE");
            long sum = 0;
            for (RespClient c : clients) {
                sum += (Long) c.read();
                c.close();
            }
            assertThat(sum).isEqualTo(15);
        }
    }

    @Test
    void pauseEndsByItselfAtTheTimeout() throws Exception {
        try (RespClient admin = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            admin.call("CLIENT", "PAUSE", "200", "WRITE");
            long start = System.currentTimeMillis();
            c.send("SET", "k", "v");
            assertThat(c.read()).isEqualTo("OK");
            long waited = System.currentTimeMillis() - start;
            assertThat(waited).isGreaterThanOrEqualTo(100).isLessThan(3000);
        }
    }

    /** unit/pause "Test RO scripts are not blocked by pause RO": script flags decide, as in Redis. */
    @Test
    void writePauseLetsNoWritesScriptsRunAndPostponesWritingOnes() throws Exception {
        try (RespClient admin = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            admin.call("SET", "x", "y");
            admin.call("FUNCTION", "LOAD", "REPLACE", "#!lua name=pausefns\n"
                    + "redis.register_function{function_name='ro_fn', callback=function() return 'hello' end,"
                    + " flags={'no-writes'}}\n"
                    + "redis.register_function('rw_fn', function() return redis.call('set', 'z', '1') end)");
            assertThat(admin.call("CLIENT", "PAUSE", "100000", "WRITE")).isEqualTo("OK");
            assertThat(c.call("EVAL", "#!lua flags=no-writes\nreturn 'unique script'", "0")).isEqualTo("unique script");
            assertThat(c.call("EVAL_RO", "return redis.call('GET', 'x')", "0")).isEqualTo("y");
            assertThat(c.call("FCALL", "ro_fn", "0")).isEqualTo("hello");
            assertThat(blockedClients(admin)).isZero();
            // A script without flags may write: postponed like any write.
            c.send("EVAL", "return redis.call('SET', 'x', 'w')", "0");
            waitBlocked(admin, 1);
            assertSilent(c);
            admin.call("CLIENT", "UNPAUSE");
            assertThat(c.read()).isEqualTo("OK");
            c.send("FCALL", "rw_fn", "0");
            assertThat(c.read()).isEqualTo("OK");
            admin.call("FUNCTION", "FLUSH");
        }
    }

    /** unit/pause "Test read-only scripts in multi-exec are not blocked by pause RO". */
    @Test
    void writePauseLetsTransactionsOfNoWritesScriptsRun() throws Exception {
        try (RespClient admin = new RespClient(server.port()); RespClient c = new RespClient(server.port())) {
            admin.call("SET", "x", "y");
            assertThat(admin.call("CLIENT", "PAUSE", "100000", "WRITE")).isEqualTo("OK");
            assertThat(c.call("MULTI")).isEqualTo("OK");
            assertThat(c.call("EVAL", "#!lua flags=no-writes\nreturn 12", "0")).isEqualTo("QUEUED");
            assertThat(c.call("EVAL_RO", "return redis.call('GET', 'x')", "0")).isEqualTo("QUEUED");
            assertThat(c.call("EXEC")).isEqualTo(List.of(12L, "y"));
            // A transaction holding a script that may write waits at EXEC (queued before the
            // pause: like any write, the script itself would wait to be queued during one).
            admin.call("CLIENT", "UNPAUSE");
            assertThat(c.call("MULTI")).isEqualTo("OK");
            assertThat(c.call("EVAL", "return redis.call('SET', 'x', 'z')", "0")).isEqualTo("QUEUED");
            admin.call("CLIENT", "PAUSE", "100000", "WRITE");
            c.send("EXEC");
            waitBlocked(admin, 1);
            assertSilent(c);
            admin.call("CLIENT", "UNPAUSE");
            assertThat(c.read()).isEqualTo(List.of("OK"));
        }
    }
}
