package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CLIENT subcommands, mirroring upstream unit/introspection. */
class ClientCommandTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create();

    static final List<String> FIELDS = List.of("id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub",
            "psub", "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
            "tot-mem", "events", "cmd", "user", "redir", "resp", "lib-name", "lib-ver");

    static List<String> names(String line) {
        List<String> out = new ArrayList<>();
        for (String kv : line.split(" ")) {
            out.add(kv.substring(0, kv.indexOf('=')));
        }
        return out;
    }

    @Test
    void clientListAndInfoHaveEveryRedisFieldInOrder() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            String list = (String) c.call("CLIENT", "LIST");
            assertThat(list).endsWith("\n");
            String info = (String) c.call("CLIENT", "INFO");
            assertThat(info).endsWith("\n");
            assertThat(names(info.trim())).isEqualTo(FIELDS);
            // The upstream pattern, with the caller's own request in its query buffer.
            String pattern = "id=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:\\d+ fd=-?\\d+ name= age=\\d+ idle=\\d+ "
                    + "flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=\\d+ argv-mem=\\d+ multi-mem=0 "
                    + "rbs=\\d+ rbp=\\d+ obl=0 oll=0 omem=0 tot-mem=\\d+ events=r cmd=client\\|%s user=default "
                    + "redir=-1 resp=2 lib-name= lib-ver=";
            assertThat(((String) c.call("CLIENT", "LIST")).trim().split("\n")).anyMatch(l -> l.matches(pattern.formatted("list")));
            assertThat(((String) c.call("CLIENT", "INFO")).trim()).matches(pattern.formatted("info"));
            long id = (Long) c.call("CLIENT", "ID");
            String byId = (String) c.call("CLIENT", "LIST", "ID", id, 999999);
            assertThat(byId.trim().split("\n")).hasSize(1);
            assertThat(byId).startsWith("id=" + id + " ");
            assertThat(c.call("CLIENT", "LIST", "ID", "x")).isEqualTo(new Err("ERR Invalid client ID"));
            assertThat(c.call("CLIENT", "LIST", "TYPE", "bogus")).isEqualTo(new Err("ERR Unknown client type 'bogus'"));
            assertThat((String) c.call("CLIENT", "LIST", "TYPE", "normal")).contains("id=" + id + " ");
            assertThat(c.call("CLIENT", "LIST", "TYPE", "pubsub")).isEqualTo("");
            assertThat(c.call("CLIENT", "LIST", "ID")).isEqualTo(new Err("ERR syntax error"));
            c.call("MULTI");
            c.call("SET", "a", "b");
            c.call("EXEC");
        }
    }

    @Test
    void namesAndLibraryInfo() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("CLIENT", "GETNAME")).isNull();
            assertThat((String) c.call("CLIENT", "LIST")).contains(" name= ");
            assertThat(c.call("CLIENT", "SETNAME", "foo bar"))
                    .isEqualTo(new Err("ERR Client names cannot contain spaces, newlines or special characters."));
            assertThat(c.call("CLIENT", "SETNAME", "myname")).isEqualTo("OK");
            assertThat(c.call("CLIENT", "GETNAME")).isEqualTo("myname");
            assertThat((String) c.call("CLIENT", "INFO")).contains(" name=myname ");
            assertThat(c.call("CLIENT", "SETNAME", "")).isEqualTo("OK");
            assertThat(c.call("CLIENT", "GETNAME")).isNull();

            assertThat(c.call("CLIENT", "SETINFO", "lib-name", "redis.py")).isEqualTo("OK");
            assertThat(c.call("CLIENT", "SETINFO", "LIB-VER", "1.2.3")).isEqualTo("OK");
            assertThat(c.call("CLIENT", "SETINFO", "lib-name")).isEqualTo(
                    new Err("ERR wrong number of arguments for 'client|setinfo' command"));
            assertThat(c.call("CLIENT", "SETINFO", "lib-name", "redis py"))
                    .isEqualTo(new Err("ERR lib-name cannot contain spaces, newlines or special characters."));
            assertThat(c.call("CLIENT", "SETINFO", "badger", "hamster")).isEqualTo(new Err("ERR Unrecognized option 'badger'"));
            assertThat((String) c.call("CLIENT", "INFO")).contains(" lib-name=redis.py lib-ver=1.2.3");
            assertThat(c.call("RESET")).isEqualTo("RESET");
            assertThat((String) c.call("CLIENT", "INFO")).contains(" lib-name=redis.py ");
            c.call("CLIENT", "SETINFO", "lib-name", "");
            assertThat((String) c.call("CLIENT", "INFO")).contains(" lib-name= ");
        }
    }

    @Test
    void killValidatesItsArguments() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("CLIENT", "KILL")).isEqualTo(new Err("ERR wrong number of arguments for 'client|kill' command"));
            assertThat(c.call("CLIENT", "KILL", "id", "10", "wrong_arg")).isEqualTo(new Err("ERR syntax error"));
            for (String bad : new String[] {"str", "-1", "0"}) {
                assertThat(c.call("CLIENT", "KILL", "id", bad)).isEqualTo(new Err("ERR client-id should be greater than 0"));
            }
            assertThat(c.call("CLIENT", "KILL", "type", "wrong_type")).isEqualTo(new Err("ERR Unknown client type 'wrong_type'"));
            assertThat(c.call("CLIENT", "KILL", "user", "wrong_user")).isEqualTo(new Err("ERR No such user 'wrong_user'"));
            assertThat(c.call("CLIENT", "KILL", "skipme", "yes_or_no")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.call("CLIENT", "KILL", "1.2.3.4:5")).isEqualTo(new Err("ERR No such client"));
        }
    }

    static long connectedClients(RespClient c) throws Exception {
        String info = (String) c.call("INFO", "clients");
        String v = info.substring(info.indexOf("connected_clients:") + 18);
        return Long.parseLong(v.substring(0, v.indexOf('\r')));
    }

    @Test
    void killClosesOtherClientsAtOnceAndOptionallyTheCaller() throws Exception {
        try (RespClient me = new RespClient(server.port()); RespClient a = new RespClient(server.port());
                RespClient b = new RespClient(server.port())) {
            a.call("PING");
            b.call("PING");
            long bId = (Long) b.call("CLIENT", "ID");
            long before = connectedClients(me);
            assertThat(me.call("CLIENT", "KILL", "ID", bId)).isEqualTo(1L);
            assertThat(b.isClosedByPeer()).isTrue();
            assertThat(connectedClients(me)).isEqualTo(before - 1);

            String aAddr = ((String) a.call("CLIENT", "INFO")).split(" ")[1].substring(5);
            assertThat(me.call("CLIENT", "KILL", aAddr)).isEqualTo("OK");
            assertThat(a.isClosedByPeer()).isTrue();

            long id = (Long) me.call("CLIENT", "ID");
            assertThat(me.call("CLIENT", "KILL", "ID", id)).isEqualTo(0L); // SKIPME yes by default
            assertThat(me.call("CLIENT", "KILL", "ID", id, "SKIPME", "no")).isEqualTo(1L);
            assertThat(me.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void replyOffOnAndSkip() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.send("CLIENT", "REPLY", "OFF");
            c.send("PING", "pong");
            c.send("NOSUCHCOMMAND");
            c.send("PING", "pong2");
            c.send("CLIENT", "REPLY", "ON");
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.call("PING", "pong3")).isEqualTo("pong3");

            c.send("CLIENT", "REPLY", "SKIP");
            c.send("PING", "skipped");
            assertThat(c.call("PING", "pong4")).isEqualTo("pong4");

            c.send("CLIENT", "REPLY", "SKIP");
            assertThat(c.call("CLIENT", "REPLY", "ON")).isEqualTo("OK");
            assertThat(c.call("PING")).isEqualTo("PONG");
            assertThat(c.call("CLIENT", "REPLY", "MAYBE")).isEqualTo(new Err("ERR syntax error"));
        }
    }

    @Test
    void noEvictAndNoTouchFlags() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("CLIENT", "NO-EVICT", "on")).isEqualTo("OK");
            assertThat(c.call("CLIENT", "NO-TOUCH", "on")).isEqualTo("OK");
            assertThat((String) c.call("CLIENT", "INFO")).contains(" flags=eT ");
            assertThat(c.call("CLIENT", "NO-TOUCH", "maybe")).isEqualTo(new Err("ERR syntax error"));
            c.call("CLIENT", "NO-EVICT", "off");
            c.call("CLIENT", "NO-TOUCH", "off");
            assertThat((String) c.call("CLIENT", "INFO")).contains(" flags=N ");
        }
    }

    @Test
    void helpAndUnknownSubcommands() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            @SuppressWarnings("unchecked")
            List<Object> help = (List<Object>) c.call("CLIENT", "HELP");
            assertThat(help.get(0)).isEqualTo("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
            assertThat(help.get(help.size() - 2)).isEqualTo("HELP");
            assertThat(c.call("CLIENT", "NOSUCH", "on")).isEqualTo(new Err("ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP."));
            assertThat(c.call("CLIENT")).isEqualTo(new Err("ERR wrong number of arguments for 'client' command"));
        }
    }
}
