package dev.cinnabar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cinnabar.server.CinnabarServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/** Jedis against the in-process server, over RESP2 and RESP3. */
class JedisTest {
    static CinnabarServer server;

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
                DefaultJedisClientConfig.builder().protocol(protocol).clientName("jedis-it").build());
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void stringsCountersAndExpiry(RedisProtocol protocol) {
        try (Jedis j = connect(protocol)) {
            String k = "jedis:" + protocol;
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(j.set(k, "v1")).isEqualTo("OK");
            assertThat(j.get(k)).isEqualTo("v1");
            assertThat(j.set(k, "v2", SetParams.setParams().nx())).isNull();
            assertThat(j.set(k + ":ttl", "x", SetParams.setParams().ex(100))).isEqualTo("OK");
            assertThat(j.ttl(k + ":ttl")).isBetween(99L, 100L);
            assertThat(j.incr(k + ":n")).isEqualTo(1L);
            assertThat(j.incrBy(k + ":n", 41)).isEqualTo(42L);
            assertThat(j.mget(k, k + ":n", k + ":missing")).containsExactly("v1", "42", null);
            assertThat(j.del(k, k + ":n", k + ":ttl")).isEqualTo(3L);
            assertThat(j.exists(k)).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void pipelineAndTransaction(RedisProtocol protocol) {
        try (Jedis j = connect(protocol)) {
            String k = "jedis:pipe:" + protocol;
            Pipeline p = j.pipelined();
            for (int i = 0; i < 1000; i++) {
                p.incr(k);
            }
            p.get(k);
            List<Object> results = p.syncAndReturnAll();
            assertThat(results).hasSize(1001);
            assertThat(results.get(1000)).isEqualTo("1000");

            Transaction t = j.multi();
            t.set(k, "a");
            t.get(k);
            assertThat(t.exec()).containsExactly("OK", "a");
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void errorsSurfaceAsRedisErrors(RedisProtocol protocol) {
        try (Jedis j = connect(protocol)) {
            j.set("jedis:str", "abc");
            assertThatThrownBy(() -> j.incr("jedis:str"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR value is not an integer or out of range");
            assertThat(j.ping()).isEqualTo("PONG");
        }
    }

    @ParameterizedTest
    @EnumSource(RedisProtocol.class)
    void publishSubscribe(RedisProtocol protocol) throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch psubscribed = new CountDownLatch(1);
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                got.add(channel + "=" + message);
                if (message.equals("bye")) {
                    unsubscribe();
                    punsubscribe();
                }
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                got.add(pattern + ":" + channel + "=" + message);
            }

            @Override
            public void onSubscribe(String channel, int count) {
                subscribed.countDown();
            }

            @Override
            public void onPSubscribe(String pattern, int count) {
                psubscribed.countDown();
            }
        };
        Thread t = new Thread(() -> {
            try (Jedis j = connect(protocol)) {
                j.subscribe(listener, "jedis-ch:" + protocol);
            }
        });
        t.start();
        try (Jedis pub = connect(protocol)) {
            assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
            listener.psubscribe("jedis-*");
            assertThat(psubscribed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(pub.publish("jedis-ch:" + protocol, "hi")).isEqualTo(2L);
            assertThat(pub.publish("jedis-ch:" + protocol, "bye")).isEqualTo(2L);
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
            assertThat(got).containsExactly("jedis-ch:" + protocol + "=hi", "jedis-*:jedis-ch:" + protocol + "=hi",
                    "jedis-ch:" + protocol + "=bye", "jedis-*:jedis-ch:" + protocol + "=bye");
            assertThat(pub.publish("jedis-ch:" + protocol, "after")).isZero();
        }
    }
}
