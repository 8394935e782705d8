package dev.cinnabar.server.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scripts running past busy-reply-threshold, as the upstream tests tagged external:skip check
 * them (unit/scripting "Timedout ..." and unit/functions kill tests): other clients get BUSY,
 * allow-busy commands run, SCRIPT KILL / FUNCTION KILL stop the right kind of script, a script
 * that wrote cannot be killed but SHUTDOWN NOSAVE still stops the server. Run with one event
 * loop (clients of the script's loop are read directly) and with two (the lock is lent).
 */
class BusyScriptTest {
    private static Server start(int ioThreads) {
        Server s = TestServers.start(new ServerClock(), "io-threads " + ioThreads + "\nenable-debug-command yes\n");
        return s;
    }

    /** Sends PING until it gets BUSY (the script has timed out), at most 5 s. */
    private static Object awaitBusy(RespClient c) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Object r;
        do {
            r = c.call("ping");
        } while (!(r instanceof RespClient.Err) && System.nanoTime() < deadline);
        return r;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void killedScriptLeavesItsConnectionUsable(int ioThreads) throws Exception {
        Server server = start(ioThreads);
        try (RespClient a = new RespClient(server.port()); RespClient b = new RespClient(server.port())) {
            b.call("config", "set", "busy-reply-threshold", "10");
            // Pipelined: the script, then a PING that must run once the script is gone.
            a.writeRaw(new String(RespClient.encode("eval", "while 1 do redis.call('ping') end", "0"),
                    java.nio.charset.StandardCharsets.ISO_8859_1) + new String(RespClient.encode("ping"),
                    java.nio.charset.StandardCharsets.ISO_8859_1));
            assertThat(awaitBusy(b).toString())
                    .isEqualTo("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
            // FUNCTION KILL does not kill EVAL scripts, FUNCTION STATS refuses too.
            assertThat(b.call("function", "kill").toString()).startsWith("-BUSY");
            assertThat(b.call("function", "stats").toString()).startsWith("-BUSY");
            assertThat(b.call("script", "kill")).isEqualTo("OK");
            assertThat(a.read().toString()).contains("Script killed by user with SCRIPT KILL...");
            assertThat(a.read()).isEqualTo("PONG");
            assertThat(b.call("ping")).isEqualTo("PONG");
            // A long script that ends by itself.
            assertThat(a.call("eval", "for i=1,100000 do redis.call('ping') end return 'ok'", "0")).isEqualTo("ok");
            assertThat(a.call("ping")).isEqualTo("PONG");
        } finally {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void functionKillStopsFunctionsOnly(int ioThreads) throws Exception {
        Server server = start(ioThreads);
        try (RespClient a = new RespClient(server.port()); RespClient b = new RespClient(server.port())) {
            b.call("config", "set", "busy-reply-threshold", "10");
            b.call("function", "load", "#!lua name=test\n"
                    + "redis.register_function('test', function() local a = 1 while true do a = a + 1 end end)");
            a.send("fcall", "test", "0");
            assertThat(awaitBusy(b).toString()).isEqualTo(
                    "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.");
            @SuppressWarnings("unchecked")
            Map<String, Object> stats = (Map<String, Object>) toMap(b.call("function", "stats"));
            @SuppressWarnings("unchecked")
            Map<String, Object> running = (Map<String, Object>) toMap(stats.get("running_script"));
            assertThat(running.get("name")).isEqualTo("test");
            assertThat(running.get("command")).isEqualTo(List.of("fcall", "test", "0"));
            assertThat((Long) running.get("duration_ms")).isGreaterThanOrEqualTo(10L);
            assertThat(b.call("script", "kill").toString()).startsWith("-BUSY");
            assertThat(b.call("function", "kill")).isEqualTo("OK");
            assertThat(a.read().toString()).contains("killed by user");
            assertThat(b.call("ping")).isEqualTo("PONG");
        } finally {
            server.close();
        }
    }

    /** RESP2 maps arrive as flat arrays. */
    private static Object toMap(Object o) {
        if (o instanceof List<?> l) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            for (int i = 0; i + 1 < l.size(); i += 2) {
                m.put(String.valueOf(l.get(i)), l.get(i + 1));
            }
            return m;
        }
        return o;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void allowedCommandsRunButBlockedClientsWaitForTheScript(int ioThreads) throws Exception {
        Server server = start(ioThreads);
        try (RespClient a = new RespClient(server.port()); RespClient b = new RespClient(server.port());
                RespClient blocked = new RespClient(server.port()); RespClient r3 = new RespClient(server.port())) {
            blocked.send("blpop", "x", "0");
            Thread.sleep(100);
            b.call("debug", "set-disable-deny-scripts", "1");
            b.call("config", "set", "busy-reply-threshold", "10");
            a.send("eval", "local clients redis.call('lpush',KEYS[1],'y'); while true do "
                    + "clients = redis.call('client','list') if string.find(clients, 'abortscript') ~= nil then break end "
                    + "end redis.call('lpush',KEYS[1],'z'); return clients", "1", "x");
            assertThat(awaitBusy(b).toString()).startsWith("-BUSY");
            // HELLO may run while the script is busy; the script sees the new name and ends.
            r3.call("hello", "2", "setname", "abortscript");
            // The blocked client is served after the script: it pops the last push.
            assertThat(blocked.read()).isEqualTo(List.of("x", "z"));
            assertThat(a.read().toString()).contains("abortscript");
            b.call("debug", "set-disable-deny-scripts", "0");
        } finally {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void scriptThatWroteIsUnkillableButShutdownNosaveStops(int ioThreads) throws Exception {
        Server server = start(ioThreads);
        try (RespClient a = new RespClient(server.port()); RespClient b = new RespClient(server.port())) {
            b.call("config", "set", "busy-reply-threshold", "10");
            a.send("eval", "redis.call('set',KEYS[1],'y'); while true do end", "1", "x");
            assertThat(awaitBusy(b).toString()).startsWith("-BUSY");
            assertThat(b.call("script", "kill").toString()).startsWith("-UNKILLABLE Sorry the script already executed "
                    + "write commands against the dataset.");
            assertThat(b.call("ping").toString()).startsWith("-BUSY");
            assertThat(b.call("shutdown").toString()).startsWith("-BUSY");
            b.send("shutdown", "nosave");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!server.stopped() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(server.stopped()).isTrue();
        } finally {
            server.close();
        }
    }
}
