package dev.cinnabar.server.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A script can never take the server down: Lua errors, running out of memory, unbounded
 * recursion and endless loops all end as error replies, and the server keeps serving.
 */
class ScriptSafetyTest {
    static Server server;

    @BeforeAll
    static void start() {
        server = TestServers.start(new ServerClock(), "");
        // A small budget keeps the out-of-memory cases quick (the default is 1 GiB).
        server.runLocked(() -> server.scripting.luaMemoryLimit(64L << 20));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RespClient client() throws Exception {
        return new RespClient(server.port());
    }

    private static void assertAlive(RespClient c) throws Exception {
        assertThat(c.call("eval", "return redis.call('ping')", "0")).isEqualTo("PONG");
        assertThat(c.call("ping")).isEqualTo("PONG");
    }

    @Test
    void scriptKillStopsAnEndlessLoopWithinOneSecond() throws Exception {
        try (RespClient a = client(); RespClient b = client()) {
            b.call("config", "set", "busy-reply-threshold", "10");
            a.send("eval", "while true do end", "0");
            // Once the script is busy, other clients get BUSY.
            long deadline = System.nanoTime() + 5_000_000_000L;
            Object r;
            do {
                r = b.call("ping");
            } while (!(r instanceof RespClient.Err) && System.nanoTime() < deadline);
            assertThat(r.toString()).startsWith("-BUSY Redis is busy running a script");
            long t0 = System.nanoTime();
            assertThat(b.call("script", "kill")).isEqualTo("OK");
            Object killed = a.read();
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(millis).isLessThan(1000);
            assertThat(killed.toString()).startsWith("-ERR Script killed by user with SCRIPT KILL...");
            assertAlive(a);
            assertAlive(b);
            b.call("config", "set", "busy-reply-threshold", "5000");
        }
    }

    @Test
    void scriptKillStopsALoopThatCatchesErrors() throws Exception {
        try (RespClient a = client(); RespClient b = client()) {
            b.call("config", "set", "busy-reply-threshold", "10");
            a.send("eval", "local f = function() while 1 do redis.call('ping') end end while 1 do pcall(f) end", "0");
            long deadline = System.nanoTime() + 5_000_000_000L;
            Object r;
            do {
                r = b.call("ping");
            } while (!(r instanceof RespClient.Err) && System.nanoTime() < deadline);
            assertThat(r.toString()).startsWith("-BUSY");
            assertThat(b.call("script", "kill")).isEqualTo("OK");
            assertThat(a.read().toString()).contains("killed by user");
            assertAlive(a);
            b.call("config", "set", "busy-reply-threshold", "5000");
        }
    }

    @Test
    void endlessLoopInACoroutineCanBeKilled() throws Exception {
        try (RespClient a = client(); RespClient b = client()) {
            b.call("config", "set", "busy-reply-threshold", "10");
            a.send("eval", "local co = coroutine.wrap(function() while true do end end) co()", "0");
            long deadline = System.nanoTime() + 5_000_000_000L;
            Object r;
            do {
                r = b.call("ping");
            } while (!(r instanceof RespClient.Err) && System.nanoTime() < deadline);
            assertThat(b.call("script", "kill")).isEqualTo("OK");
            assertThat(a.read().toString()).contains("killed by user");
            assertAlive(a);
            b.call("config", "set", "busy-reply-threshold", "5000");
        }
    }

    @Test
    void luaErrorsBecomeErrorReplies() throws Exception {
        try (RespClient c = client()) {
            assertThat(c.call("eval", "return nil + 1", "0").toString())
                    .startsWith("-ERR user_script:1: attempt to perform arithmetic on a nil value");
            assertThat(c.call("eval", "error('boom')", "0").toString()).startsWith("-ERR user_script:1: boom");
            assertThat(c.call("eval", "error({err='MY code'})", "0").toString()).startsWith("-MY code");
            String body = "return redis.call('nosuchcommand')";
            assertThat(c.call("eval", body, "0").toString()).isEqualTo(
                    "-ERR Unknown Redis command called from script script: "
                            + EvalScripts.sha1Hex(body.getBytes(), 0, body.length()) + ", on @user_script:1.");
            assertThat(c.call("eval", "return (", "0").toString())
                    .startsWith("-ERR Error compiling script (new function): user_script:1:");
            assertAlive(c);
        }
    }

    @Test
    void runningOutOfMemoryIsAnErrorNotACrash() throws Exception {
        try (RespClient c = client()) {
            // Doubling a string quickly asks for more memory than any limit.
            Object r = c.call("eval", "local s = 'x' while true do s = s .. s end", "0");
            assertThat(r.toString()).contains("not enough memory");
            // A table growing without end: the script fails, the garbage goes with the next run.
            r = c.call("eval", "local t = {} local i = 0 while true do i = i + 1 t[i] = string.rep(i, 512) end", "0");
            assertThat(r.toString()).contains("not enough memory");
            // Caught by pcall inside the script, which then goes on.
            r = c.call("eval", "local ok, e = pcall(function() local s = 'x' while true do s = s .. s end end) "
                    + "return tostring(ok) .. ' ' .. tostring(e)", "0");
            assertThat(r).isEqualTo("false not enough memory");
            assertAlive(c);
            // The memory is given back once the garbage is collected.
            c.call("eval", "collectgarbage('collect')", "0");
            assertThat(server.scripting.evalVmMemory()).isLessThan(4L << 20);
        }
    }

    @Test
    void unboundedRecursionIsAnError() throws Exception {
        try (RespClient c = client()) {
            assertThat(c.call("eval", "local function f() return 1 + f() end return f()", "0").toString())
                    .contains("stack overflow");
            // Recursion through C boundaries (pcall, metamethods) hits Lua's C stack limit.
            assertThat(c.call("eval", "local function f() return pcall(f) end return tostring(f())", "0"))
                    .isNotNull();
            assertThat(c.call("eval",
                    "local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x", "0")
                    .toString()).contains("stack overflow");
            assertAlive(c);
        }
    }

    @Test
    void deepPatternsAreRefusedBeforeTheyOverflowTheNativeStack() throws Exception {
        try (RespClient c = client()) {
            // Lua 5.1's matcher recurses once per quantified item: 300000 of them would overflow
            // the C stack of the event loop thread (and crash the process).
            assertThat(c.call("eval", "return string.find(string.rep('a', 300000), string.rep('a?', 300000))", "0")
                    .toString()).startsWith("-ERR user_script:1: pattern too complex");
            assertThat(c.call("eval", "return ('x'):rep(5000):gsub(('x-'):rep(5000), '')", "0").toString())
                    .contains("pattern too complex");
            assertThat(c.call("eval", "return #string.gsub(string.rep('a', 100000), 'a', 'b')", "0")).isEqualTo(100000L);
            assertAlive(c);
        }
    }

    @Test
    void commandArgumentsKeepPrecision() throws Exception {
        try (RespClient c = client()) {
            assertThat(c.call("eval", "redis.call('set', 'n', 9007199254740991) return redis.call('get', 'n')", "0"))
                    .isEqualTo("9007199254740991");
            assertThat(c.call("eval", "redis.call('set', 'n', 0.1) return redis.call('get', 'n')", "0"))
                    .isEqualTo("0.1");
            assertThat(c.call("eval", "return {1, 2.9, -3.5, 'a', true, false, {ok='fine'}}", "0"))
                    .isEqualTo(java.util.Arrays.asList(1L, 2L, -3L, "a", 1L, null, "fine"));
        }
    }
}
