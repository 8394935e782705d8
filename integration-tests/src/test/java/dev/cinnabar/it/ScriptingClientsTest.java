package dev.cinnabar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cinnabar.server.CinnabarServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;

/** EVAL, EVALSHA, SCRIPT and FUNCTION/FCALL through Jedis and Lettuce. */
class ScriptingClientsTest {
    static CinnabarServer server;

    static final String LIMITER = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            redis.call('INCR', KEYS[2])
            if n > tonumber(ARGV[1]) then return 0 end
            return 1
            """;

    @BeforeAll
    static void start() {
        server = CinnabarServer.builder().port(0).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Jedis connect(RedisProtocol protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", server.port()),
                DefaultJedisClientConfig.builder().protocol(protocol).build());
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void jedisEvalAndEvalsha(RedisProtocol protocol) {
        try (Jedis j = connect(protocol)) {
            String k = "it:lua:" + protocol;
            assertThat(j.eval("return {1, 'two', {3}}")).isEqualTo(List.of(1L, "two", List.of(3L)));
            assertThat(j.eval("return redis.call('SET', KEYS[1], ARGV[1])", List.of(k), List.of("v")))
                    .isEqualTo("OK");
            assertThat(j.eval("return redis.call('GET', KEYS[1])", List.of(k), List.of())).isEqualTo("v");
            String sha = j.scriptLoad(LIMITER);
            assertThat(j.scriptExists(sha)).isTrue();
            for (int i = 0; i < 3; i++) {
                Object r = j.evalsha(sha, List.of(k + ":a", k + ":b"), List.of("2", "60000"));
                assertThat(r).isEqualTo(i < 2 ? 1L : 0L);
            }
            assertThat(j.get(k + ":b")).isEqualTo("3");
            assertThatThrownBy(() -> j.eval("return redis.call('NOPE')"))
                    .isInstanceOf(JedisDataException.class).hasMessageContaining("Unknown Redis command");
            assertThatThrownBy(() -> j.evalsha("0000000000000000000000000000000000000000"))
                    .isInstanceOf(JedisDataException.class).hasMessageStartingWith("NOSCRIPT");
        }
    }

    @Test
    void jedisFunctions() {
        try (Jedis j = connect(RedisProtocol.RESP2)) {
            String lib = "#!lua name=itlib\n"
                    + "redis.register_function('it_incr', function(keys, args)"
                    + " return redis.call('INCRBY', keys[1], args[1]) end)\n"
                    + "redis.register_function{function_name='it_get', callback=function(keys)"
                    + " return redis.call('GET', keys[1]) end, flags={'no-writes'}}";
            assertThat(j.functionLoadReplace(lib)).isEqualTo("itlib");
            assertThat(j.fcall("it_incr", List.of("it:fn"), List.of("5"))).isEqualTo(5L);
            assertThat(j.fcallReadonly("it_get", List.of("it:fn"), List.of())).isEqualTo("5");
            assertThatThrownBy(() -> j.fcallReadonly("it_incr", List.of("it:fn"), List.of("1")))
                    .isInstanceOf(JedisDataException.class).hasMessageContaining("write flag using *_ro command");
            assertThat(j.functionList()).hasSize(1);
            assertThat(j.functionDelete("itlib")).isEqualTo("OK");
        }
    }

    @Test
    void lettuceEvalAndScriptLoad() {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> c = conn.sync();
            String sha = c.scriptLoad(LIMITER);
            Long r = c.evalsha(sha, ScriptOutputType.INTEGER, new String[] {"it:lt:a", "it:lt:b"}, "5", "60000");
            assertThat(r).isEqualTo(1L);
            List<Object> list = c.eval("return {KEYS[1], ARGV[1]}", ScriptOutputType.MULTI,
                    new String[] {"k"}, "a");
            assertThat(list).containsExactly("k", "a");
            assertThat(c.scriptExists(sha)).containsExactly(true);
            assertThat(c.scriptFlush()).isEqualTo("OK");
            assertThat(c.scriptExists(sha)).containsExactly(false);
        } finally {
            client.shutdown();
        }
    }
}
