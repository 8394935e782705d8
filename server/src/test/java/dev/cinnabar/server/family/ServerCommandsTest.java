package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TIME, LASTSAVE, LOLWUT, SHUTDOWN. */
class ServerCommandsTest {
    @Test
    void timeLastsaveAndLolwut() throws Exception {
        try (CinnabarServer s = CinnabarServer.builder().port(0).start(); RespClient c = new RespClient(s.port())) {
            @SuppressWarnings("unchecked")
            List<Object> time = (List<Object>) c.call("TIME");
            long secs = Long.parseLong((String) time.get(0));
            long micros = Long.parseLong((String) time.get(1));
            assertThat(Math.abs(secs - System.currentTimeMillis() / 1000)).isLessThanOrEqualTo(2);
            assertThat(micros).isBetween(0L, 999_999L);
            long lastsave = (Long) c.call("LASTSAVE");
            assertThat(lastsave).isEqualTo(s.server().startMillis / 1000);

            assertThat(c.call("LOLWUT")).isEqualTo("Redis ver. 7.2.6\n");
            String art = (String) c.call("LOLWUT", "VERSION", "5", "20", "4");
            assertThat(art).endsWith("\n\nRedis ver. 7.2.6\n");
            assertThat(art.split("\n")[0]).hasSize(20);
            assertThat((String) c.call("LOLWUT", "VERSION", "6")).endsWith("Redis ver. 7.2.6\n");
            assertThat(c.call("LOLWUT", "VERSION", "x")).isEqualTo(new Err("ERR value is not an integer or out of range"));
        }
    }

    @Test
    void shutdownValidatesOptionsThenStopsTheServer() throws Exception {
        CinnabarServer s = CinnabarServer.builder().port(0).start();
        try (RespClient c = new RespClient(s.port())) {
            assertThat(c.call("SHUTDOWN", "BOGUS")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.call("SHUTDOWN", "SAVE", "NOSAVE")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.call("SHUTDOWN", "ABORT", "NOW")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.call("SHUTDOWN", "ABORT")).isEqualTo(new Err("ERR No shutdown in progress."));
            c.send("SHUTDOWN", "NOSAVE", "NOW");
            assertThat(c.isClosedByPeer()).isTrue();
            long deadline = System.currentTimeMillis() + 5000;
            while (!s.server().stopped() && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertThat(s.server().stopped()).isTrue();
        } finally {
            s.close();
        }
    }
}
