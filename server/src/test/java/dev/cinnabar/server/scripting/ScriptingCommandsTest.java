package dev.cinnabar.server.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * EVAL / SCRIPT / FCALL behaviour that upstream's unit/scripting and unit/functions pin and
 * that clients rely on: conversions in both protocols, error accounting, script flags, frozen
 * time, the script cache, function libraries.
 */
class ScriptingCommandsTest {
    static Server server;
    RespClient c;

    @BeforeAll
    static void start() {
        server = TestServers.start(new ServerClock(), "enable-debug-command yes\n");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void connect() throws Exception {
        c = new RespClient(server.port());
        c.call("flushall");
        c.call("function", "flush");
        c.call("script", "flush");
        c.call("config", "set", "maxmemory", "0");
    }

    private static String info(RespClient c, String field) throws Exception {
        for (String line : ((String) c.call("info", "all")).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        return null;
    }

    @Test
    void scriptCacheAndShaLookups() throws Exception {
        assertThat(c.call("set", "mykey", "myval")).isEqualTo("OK");
        assertThat(c.call("eval", "return redis.call('get',KEYS[1])", "1", "mykey")).isEqualTo("myval");
        String sha = "fd758d1589d044dd850a6f05d52f2eefd27f033f";
        assertThat(c.call("evalsha", sha, "1", "mykey")).isEqualTo("myval");
        assertThat(c.call("evalsha", sha.toUpperCase(), "1", "mykey")).isEqualTo("myval");
        assertThat(c.call("evalsha_ro", sha, "1", "mykey")).isEqualTo("myval");
        assertThat(c.call("script", "exists", sha, "x")).isEqualTo(List.of(1L, 0L));
        assertThat(info(c, "number_of_cached_scripts")).isEqualTo("1");
        assertThat(c.call("script", "flush")).isEqualTo("OK");
        assertThat(c.call("evalsha", sha, "1", "mykey").toString())
                .isEqualTo("-NOSCRIPT No matching script. Please use EVAL.");
        assertThat(c.call("script", "load", "return 'loaded'")).isEqualTo("b534286061d4b9e4026607613b95c06c06015ae8");
        assertThat(c.call("evalsha", "b534286061d4b9e4026607613b95c06c06015ae8", "0")).isEqualTo("loaded");
        // The Lua stack does not grow with calls.
        for (int i = 0; i < 2000; i++) {
            c.send("eval", "return redis.call('incr',KEYS[1])", "1", "x");
        }
        for (int i = 0; i < 2000; i++) {
            c.read();
        }
        assertThat(Long.parseLong(info(c, "used_memory_lua"))).isLessThan(100 * 1024);
    }

    @Test
    void resp3ConversionsFollowTheScriptsProtocol() throws Exception {
        c.call("hset", "hash", "field", "value");
        c.call("hello", "3");
        assertThat(c.call("eval", "redis.setresp(3); return redis.call('hgetall', KEYS[1])", "1", "hash"))
                .isEqualTo(Map.of("field", "value"));
        assertThat(c.call("eval", "redis.setresp(2); return redis.call('hgetall', KEYS[1])", "1", "hash"))
                .isEqualTo(List.of("field", "value"));
        assertThat(c.call("eval", "return {double=3.141}", "0")).isEqualTo(3.141);
        assertThat(c.call("eval", "return true", "0")).isEqualTo(1L);
        assertThat(c.call("eval", "redis.setresp(3) return true", "0")).isEqualTo(true);
        assertThat(c.call("eval", "return false", "0")).isNull();
        assertThat(c.call("eval", "return {set={a=true}}", "0")).isEqualTo(java.util.Set.of("a"));
        c.call("hello", "2");
        assertThat(c.call("eval", "redis.setresp(3) return false", "0")).isEqualTo(0L);
        assertThat(c.call("eval", "return {big_number='123\\r\\n123'}", "0")).isEqualTo("123  123");
    }

    @Test
    void errorsAreCountedOnce() throws Exception {
        c.call("config", "resetstat");
        assertThat(c.call("eval", "return redis.call('select',99)", "0").toString())
                .startsWith("-ERR DB index is out of range script:");
        assertThat(info(c, "errorstat_ERR")).isEqualTo("count=1");
        assertThat(info(c, "total_error_replies")).isEqualTo("1");
        assertThat(info(c, "cmdstat_select")).contains("calls=1,").contains("failed_calls=1");
        assertThat(info(c, "cmdstat_eval")).contains("calls=1,").contains("failed_calls=1");
        c.call("config", "resetstat");
        assertThat(c.call("eval", "return redis.error_reply('MY_ERR_CODE custom msg')", "0").toString())
                .isEqualTo("-MY_ERR_CODE custom msg");
        assertThat(info(c, "errorstat_MY_ERR_CODE")).isEqualTo("count=1");
        c.call("config", "resetstat");
        assertThat(c.call("eval_ro", "return redis.call('set','x','y')", "1", "x").toString())
                .startsWith("-ERR Write commands are not allowed from read-only scripts.");
        assertThat(info(c, "cmdstat_set")).contains("calls=0,").contains("rejected_calls=1");
        assertThat(info(c, "errorstat_ERR")).isEqualTo("count=1");
    }

    @Test
    void scriptFlagsAndMemoryLimit() throws Exception {
        c.call("set", "x", "123");
        c.call("config", "set", "maxmemory", "1");
        assertThat(c.call("eval", "redis.call('set','x',1) return 1", "1", "x").toString())
                .startsWith("-OOM command not allowed when used memory > 'maxmemory'.");
        assertThat(c.call("eval", "return redis.call('get','x')", "1", "x")).isEqualTo("123");
        assertThat(c.call("eval", "#!lua flags=\nreturn 1", "0").toString()).startsWith("-OOM ");
        assertThat(c.call("eval", "#!lua flags=allow-oom\nredis.call('set','x',1) return 1", "1", "x")).isEqualTo(1L);
        assertThat(c.call("eval", "#!lua flags=no-writes\nredis.call('get','x') return 1", "0")).isEqualTo(1L);
        c.call("config", "set", "maxmemory", "0");
        assertThat(c.call("eval", "#!lua flags=no-writes\nredis.call('set','x',1)", "1", "x").toString())
                .startsWith("-ERR Write commands are not allowed from read-only scripts.");
        assertThat(c.call("eval_ro", "#!lua\nreturn 1", "0").toString())
                .isEqualTo("-ERR Can not execute a script with write flag using *_ro command.");
        assertThat(c.call("eval", "#!not-lua\nreturn 1", "0").toString())
                .isEqualTo("-ERR Unexpected engine in script shebang: #!not-lua");
    }

    @Test
    void timeStandsStillInsideAScript() throws Exception {
        assertThat(c.call("eval", "redis.call('SET', 'key', 'value', 'PX', '1') redis.call('DEBUG', 'SLEEP', 0.01) "
                + "return redis.call('EXISTS', 'key')", "1", "key").toString())
                .startsWith("-ERR This Redis command is not allowed from script");
        c.call("debug", "set-disable-deny-scripts", "1");
        assertThat(c.call("eval", "redis.call('SET', 'key', 'value', 'PX', '1') redis.call('DEBUG', 'SLEEP', 0.01) "
                + "return redis.call('EXISTS', 'key')", "1", "key")).isEqualTo(1L);
        assertThat(c.call("exists", "key")).isEqualTo(0L);
        @SuppressWarnings("unchecked")
        List<Object> times = (List<Object>) c.call("eval", "local a = redis.call('TIME') redis.call('DEBUG', 'SLEEP', "
                + "0.01) local b = redis.call('TIME') return {a, b}", "0");
        assertThat(times.get(0)).isEqualTo(times.get(1));
        c.call("debug", "set-disable-deny-scripts", "0");
    }

    @Test
    void blockingCommandsDoNotBlockInScripts() throws Exception {
        assertThat(c.call("eval", "return redis.pcall('blpop','l',0)", "1", "l")).isNull();
        assertThat(c.call("eval", "return redis.pcall('bzpopmin','z',0)", "1", "z")).isNull();
    }

    @Test
    void functionLibraries() throws Exception {
        assertThat(c.call("function", "load", "#!lua name=lib1\nlocal function add1(a) return a + 1 end\n"
                + "redis.register_function('f1', function(keys, args) return add1(1) end)\n"
                + "redis.register_function{function_name='f2', callback=function(keys, args) return {keys, args} end, "
                + "description='desc', flags={'no-writes'}}")).isEqualTo("lib1");
        assertThat(c.call("fcall", "f1", "0")).isEqualTo(2L);
        assertThat(c.call("fcall", "F1", "0")).isEqualTo(2L);
        assertThat(c.call("fcall_ro", "f2", "1", "k", "a"))
                .isEqualTo(List.of(List.of("k"), List.of("a")));
        assertThat(c.call("fcall_ro", "f1", "0").toString())
                .isEqualTo("-ERR Can not execute a script with write flag using *_ro command.");
        assertThat(c.call("function", "load", "#!lua name=lib1\nredis.register_function('f3', function() end)")
                .toString()).isEqualTo("-ERR Library 'lib1' already exists");
        assertThat(c.call("function", "load", "#!lua name=lib2\nredis.register_function('f1', function() end)")
                .toString()).isEqualTo("-ERR Function f1 already exists");
        assertThat(c.call("function", "list", "libraryname", "lib*")).isEqualTo(List.of(List.of("library_name",
                "lib1", "engine", "LUA", "functions", List.of(
                        java.util.Arrays.asList("name", "f1", "description", null, "flags", List.of()),
                        List.of("name", "f2", "description", "desc", "flags", List.of("no-writes"))))));
        // DUMP, FLUSH, RESTORE round trip.
        Object dump = c.call("function", "dump");
        c.call("function", "flush");
        assertThat(c.call("fcall", "f1", "0").toString()).isEqualTo("-ERR Function not found");
        assertThat(c.call("function", "restore", dump.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)))
                .isEqualTo("OK");
        assertThat(c.call("fcall", "f1", "0")).isEqualTo(2L);
        assertThat(c.call("function", "restore", dump.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))
                .toString()).isEqualTo("-ERR Library lib1 already exists");
        assertThat(c.call("function", "restore", dump.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                "replace")).isEqualTo("OK");
        assertThat(c.call("function", "restore", "bad").toString())
                .isEqualTo("-ERR DUMP payload version or checksum are wrong");
        assertThat(c.call("function", "stats")).isEqualTo(java.util.Arrays.asList("running_script", null, "engines",
                List.of("LUA", List.of("libraries_count", 1L, "functions_count", 2L))));
        assertThat(c.call("function", "delete", "lib1")).isEqualTo("OK");
        assertThat(c.call("function", "delete", "lib1").toString()).isEqualTo("-ERR Library not found");
        // Library code sees only the library API; functions see the full globals.
        assertThat(c.call("function", "load", "#!lua name=lib3\nredis.call('ping')").toString())
                .contains("attempted to access nonexistent global variable 'call'");
        assertThat(c.call("function", "load", "#!lua name=lib3\nlocal a = 1 while 1 do a = a + 1 end").toString())
                .isEqualTo("-ERR Error registering functions: ERR FUNCTION LOAD timeout");
    }
}
