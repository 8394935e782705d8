package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MULTI/EXEC as Redis's multi.c: rejections at queue time and at EXEC time (EXECABORT with the
 * reason), errors inside EXEC, NO_MULTI commands, WATCH with stale keys and FLUSHALL/SWAPDB,
 * and the client state while EXEC runs. Mirrors upstream unit/multi.
 */
class TransactionsTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create().debugCommand()
            .afterEachTest("CONFIG", "SET", "maxmemory", "0")
            .afterEachTest("DEBUG", "SET-ACTIVE-EXPIRE", "1")
            .afterEachTest("FLUSHALL");

    @Test
    void errorsWhileQueueingAbortExec() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("MULTI");
            c.call("SET", "foo1", "bar1");
            assertThat(c.call("NON-EXISTING-COMMAND")).isInstanceOf(Err.class);
            c.call("SET", "foo2", "bar2");
            assertThat(c.call("EXEC")).isEqualTo(new Err("EXECABORT Transaction discarded because of previous errors."));
            assertThat(c.call("EXISTS", "foo1", "foo2")).isEqualTo(0L);
            assertThat(c.call("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void errorsInsideExecDoNotStopTheOthers() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("SET", "s", "text");
            c.call("MULTI");
            c.call("SET", "a", "1");
            c.call("INCR", "s");
            c.call("CONFIG", "SET", "maxmemory", "bla");
            c.call("SET", "b", "2");
            List<?> r = (List<?>) c.call("EXEC");
            assertThat(r.get(0)).isEqualTo("OK");
            assertThat(r.get(1)).isEqualTo(new Err("ERR value is not an integer or out of range"));
            assertThat(String.valueOf(r.get(2))).startsWith("-ERR CONFIG SET failed");
            assertThat(r.get(3)).isEqualTo("OK");
        }
    }

    @Test
    void noMultiCommandsAreRefusedInside() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("MULTI");
            c.call("SET", "foo", "bar");
            assertThat(c.call("SHUTDOWN")).isEqualTo(new Err("ERR Command not allowed inside a transaction"));
            assertThat(c.call("WATCH", "x")).isEqualTo(new Err("ERR WATCH inside MULTI is not allowed"));
            assertThat(c.call("MULTI")).isEqualTo(new Err("ERR MULTI calls can not be nested"));
            assertThat(c.call("EXEC")).isEqualTo(new Err("EXECABORT Transaction discarded because of previous errors."));
            assertThat(c.call("GET", "foo")).isNull();
        }
    }

    @Test
    void outOfMemoryRejectsQueueingAndExecWithWrites() throws Exception {
        try (RespClient c = new RespClient(server.port()); RespClient admin = new RespClient(server.port())) {
            c.call("SET", "x", "value");
            // A transaction queued before the limit: reads still run, writes abort at EXEC.
            c.call("MULTI");
            c.call("GET", "x");
            c.call("PING");
            admin.call("CONFIG", "SET", "maxmemory", "1");
            assertThat(c.call("EXEC")).isEqualTo(List.of("value", "PONG"));
            admin.call("CONFIG", "SET", "maxmemory", "0");
            c.call("MULTI");
            c.call("SET", "x", "1");
            c.call("GET", "x");
            admin.call("CONFIG", "SET", "maxmemory", "1");
            assertThat(c.call("EXEC")).isEqualTo(new Err(
                    "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'."));
            assertThat(c.call("GET", "x")).isEqualTo("value");
            // Over the limit nothing can be queued, but DISCARD works.
            c.call("MULTI");
            assertThat(c.call("SET", "x", "1"))
                    .isEqualTo(new Err("OOM command not allowed when used memory > 'maxmemory'."));
            assertThat(c.call("DISCARD")).isEqualTo("OK");
            assertThat(c.call("SET", "y", "1"))
                    .isEqualTo(new Err("OOM command not allowed when used memory > 'maxmemory'."));
            assertThat(c.call("GET", "x")).isEqualTo("value");
            admin.call("CONFIG", "SET", "maxmemory", "0");
            assertThat(c.call("SET", "y", "1")).isEqualTo("OK");
        }
    }

    @Test
    void clientStaysInMultiWhileExecRuns() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("MULTI");
            c.call("CLIENT", "INFO");
            List<?> r = (List<?>) c.call("EXEC");
            assertThat((String) r.get(0)).contains(" flags=x ", " multi=1 ", " cmd=exec ");
            assertThat((String) c.call("CLIENT", "INFO")).contains(" flags=N ", " multi=-1 ");
        }
    }

    @Test
    void watchedKeysAndFlushes() throws Exception {
        try (RespClient c = new RespClient(server.port()); RespClient other = new RespClient(server.port())) {
            c.call("MSET", "a", "a", "b", "b");
            c.call("WATCH", "b", "a");
            other.call("FLUSHALL");
            c.call("MULTI");
            c.call("PING");
            assertThat(c.call("EXEC")).isNull();
            // A key stale when watched and deleted by FLUSHDB has not changed.
            c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
            c.call("SET", "x", "foo", "PX", "1");
            Thread.sleep(5);
            c.call("WATCH", "x");
            other.call("FLUSHDB");
            c.call("MULTI");
            c.call("PING");
            assertThat(c.call("EXEC")).isEqualTo(List.of("PONG"));
            // A watched key that expires after WATCH aborts EXEC.
            c.call("SET", "y", "1", "PX", "100");
            c.call("WATCH", "y");
            Thread.sleep(120);
            c.call("MULTI");
            c.call("INCR", "y");
            assertThat(c.call("EXEC")).isNull();
        }
    }

    @Test
    void discardClearsDirtyFlagAndWatches() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("WATCH", "x");
            c.call("SET", "x", "10");
            c.call("MULTI");
            c.call("DISCARD");
            c.call("MULTI");
            c.call("INCR", "x");
            assertThat(c.call("EXEC")).isEqualTo(List.of(11L));
            assertThat(c.call("DISCARD")).isEqualTo(new Err("ERR DISCARD without MULTI"));
            assertThat(c.call("EXEC")).isEqualTo(new Err("ERR EXEC without MULTI"));
        }
    }
}
