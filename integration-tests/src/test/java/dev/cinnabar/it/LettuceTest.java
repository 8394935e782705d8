package dev.cinnabar.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Lettuce against the in-process server. Lettuce sends HELLO 3 first and falls back to RESP2. */
class LettuceTest {
    static CinnabarServer server;
    static RedisClient client;

    @BeforeAll
    static void start() {
        server = CinnabarServer.builder().port(0).start();
        client = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
    }

    @AfterAll
    static void stop() {
        client.shutdown();
        server.close();
    }

    static StatefulRedisConnection<String, String> connect(ProtocolVersion v) {
        client.setOptions(ClientOptions.builder().protocolVersion(v).build());
        return client.connect();
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void syncCommands(ProtocolVersion v) {
        try (StatefulRedisConnection<String, String> conn = connect(v)) {
            RedisCommands<String, String> r = conn.sync();
            String k = "lettuce:" + v;
            assertThat(r.ping()).isEqualTo("PONG");
            assertThat(r.set(k, "hello")).isEqualTo("OK");
            assertThat(r.get(k)).isEqualTo("hello");
            assertThat(r.set(k, "x", SetArgs.Builder.xx().px(50_000))).isEqualTo("OK");
            assertThat(r.pttl(k)).isBetween(49_000L, 50_000L);
            assertThat(r.append(k, "yz")).isEqualTo(3L);
            assertThat(r.strlen(k)).isEqualTo(3L);
            assertThat(r.incrbyfloat(k + ":f", 1.5)).isEqualTo(1.5);
            assertThat(r.del(k, k + ":f")).isEqualTo(2L);
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void asyncPipelining(ProtocolVersion v) throws Exception {
        try (StatefulRedisConnection<String, String> conn = connect(v)) {
            RedisAsyncCommands<String, String> a = conn.async();
            conn.setAutoFlushCommands(false);
            List<RedisFuture<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                fs.add(a.incr("lettuce:pipe:" + v));
            }
            conn.flushCommands();
            for (int i = 0; i < fs.size(); i++) {
                assertThat(fs.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1L);
            }
            conn.setAutoFlushCommands(true);
        }
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void pubSubChannelsPatternsAndKeyspaceEvents(ProtocolVersion v) throws Exception {
        client.setOptions(ClientOptions.builder().protocolVersion(v).build());
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
                StatefulRedisConnection<String, String> conn = connect(v)) {
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    got.add(channel + "=" + message);
                }

                @Override
                public void message(String pattern, String channel, String message) {
                    got.add(pattern + ":" + channel + "=" + message);
                }
            });
            sub.sync().subscribe("lettuce-news");
            sub.sync().psubscribe("__keyevent@0__:*");
            RedisCommands<String, String> r = conn.sync();
            r.configSet("notify-keyspace-events", "E$");
            assertThat(r.publish("lettuce-news", "hello " + v)).isEqualTo(1L);
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("lettuce-news=hello " + v);
            r.set("lettuce:ev:" + v, "1");
            assertThat(got.poll(10, TimeUnit.SECONDS))
                    .isEqualTo("__keyevent@0__:*:__keyevent@0__:set=lettuce:ev:" + v);
            assertThat(r.pubsubNumsub("lettuce-news")).containsEntry("lettuce-news", 1L);
            // A subscribed RESP2 connection gets PING in the pub/sub shape (["pong", ""]), which
            // Lettuce reports as its payload; RESP3 answers normally.
            assertThat(sub.sync().ping()).isEqualTo(v == ProtocolVersion.RESP2 ? "" : "PONG");
            sub.sync().unsubscribe("lettuce-news");
            sub.sync().punsubscribe();
            assertThat(r.publish("lettuce-news", "gone")).isZero();
            r.configSet("notify-keyspace-events", "");
        }
    }
}
