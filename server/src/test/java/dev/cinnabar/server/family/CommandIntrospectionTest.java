package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** COMMAND and its subcommands, mirroring upstream unit/introspection-2. */
class CommandIntrospectionTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create();

    static final List<Object> GET_KEY_SPEC = List.of("flags", List.of("RO", "access"),
            "begin_search", List.of("type", "index", "spec", List.of("index", 1L)),
            "find_keys", List.of("type", "range", "spec", List.of("lastkey", 0L, "keystep", 1L, "limit", 0L)));

    @Test
    void commandInfoOfGetHasRedisShapeInResp2() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            Object info = c.call("COMMAND", "INFO", "get");
            assertThat(info).isEqualTo(List.of(List.of("get", 2L, List.of("readonly", "fast"), 1L, 1L, 1L,
                    List.of("@read", "@string", "@fast"), List.of(), List.of(GET_KEY_SPEC), List.of())));
            @SuppressWarnings("unchecked")
            List<Object> set = (List<Object>) ((List<Object>) c.call("COMMAND", "INFO", "SET")).get(0);
            assertThat(set.subList(0, 8)).isEqualTo(List.of("set", -3L, List.of("write", "denyoom"), 1L, 1L, 1L,
                    List.of("@write", "@string", "@slow"), List.of()));
            @SuppressWarnings("unchecked")
            List<Object> spec = (List<Object>) ((List<Object>) set.get(8)).get(0);
            assertThat(spec.get(0)).isEqualTo("notes");
            assertThat(spec.subList(2, spec.size())).isEqualTo(List.of("flags", List.of("RW", "access", "update", "variable_flags"),
                    "begin_search", List.of("type", "index", "spec", List.of("index", 1L)),
                    "find_keys", List.of("type", "range", "spec", List.of("lastkey", 0L, "keystep", 1L, "limit", 0L))));
            assertThat(c.call("COMMAND", "INFO", "get|key", "config|get|key", "nosuch")).isEqualTo(java.util.Arrays.asList(null, null, null));
        }
    }

    @Test
    void commandInfoUsesSetsAndMapsInResp3() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("HELLO", "3");
            @SuppressWarnings("unchecked")
            List<Object> get = (List<Object>) ((List<Object>) c.call("COMMAND", "INFO", "get")).get(0);
            assertThat(get.get(2)).isEqualTo(Set.of("readonly", "fast"));
            assertThat(get.get(6)).isEqualTo(Set.of("@read", "@string", "@fast"));
            assertThat(get.get(7)).isEqualTo(Set.of());
            assertThat(get.get(9)).isEqualTo(Set.of());
            @SuppressWarnings("unchecked")
            Map<Object, Object> spec = (Map<Object, Object>) ((Set<Object>) get.get(8)).iterator().next();
            assertThat(spec.get("begin_search")).isEqualTo(Map.of("type", "index", "spec", Map.of("index", 1L)));
            @SuppressWarnings("unchecked")
            List<Object> client = (List<Object>) ((List<Object>) c.call("COMMAND", "INFO", "client")).get(0);
            assertThat(client.get(0)).isEqualTo("client");
            assertThat(client.get(6)).isEqualTo(Set.of("@slow"));
            @SuppressWarnings("unchecked")
            List<Object> subs = (List<Object>) client.get(9);
            assertThat(subs).anySatisfy(s -> assertThat(((List<?>) s).get(0)).isEqualTo("client|list"));
        }
    }

    @Test
    void commandDocsDescribesArguments() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            c.call("HELLO", "3");
            @SuppressWarnings("unchecked")
            Map<Object, Object> docs = (Map<Object, Object>) c.call("COMMAND", "DOCS", "client|list", "nosuch");
            assertThat(docs).containsOnlyKeys("client|list");
            @SuppressWarnings("unchecked")
            Map<Object, Object> d = (Map<Object, Object>) docs.get("client|list");
            assertThat(d).containsEntry("since", "2.4.0").containsEntry("group", "connection")
                    .containsEntry("complexity", "O(N) where N is the number of client connections");
            @SuppressWarnings("unchecked")
            List<Object> args = (List<Object>) d.get("arguments");
            assertThat(args).hasSize(2);
            assertThat(args.get(0)).isEqualTo(Map.of("name", "client-type", "type", "oneof", "token", "TYPE",
                    "since", "5.0.0", "flags", Set.of("optional"), "arguments", List.of(
                            Map.of("name", "normal", "type", "pure-token", "display_text", "normal", "token", "normal"),
                            Map.of("name", "master", "type", "pure-token", "display_text", "master", "token", "master"),
                            Map.of("name", "replica", "type", "pure-token", "display_text", "replica", "token", "replica"),
                            Map.of("name", "pubsub", "type", "pure-token", "display_text", "pubsub", "token", "pubsub"))));
            assertThat(args.get(1)).isEqualTo(Map.of("name", "client-id", "type", "integer", "display_text", "client-id",
                    "token", "ID", "since", "6.2.0", "flags", Set.of("optional", "multiple")));
            @SuppressWarnings("unchecked")
            Map<Object, Object> debug = (Map<Object, Object>) ((Map<Object, Object>) c.call("COMMAND", "DOCS", "debug")).get("debug");
            assertThat(debug.get("doc_flags")).isEqualTo(Set.of("syscmd"));
        }
    }

    @Test
    void getkeysFindsKeysAndAccessFlags() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            assertThat(c.call("COMMAND", "GETKEYS", "get", "key")).isEqualTo(List.of("key"));
            assertThat(c.call("COMMAND", "GETKEYS", "DEL", "a", "b", "c")).isEqualTo(List.of("a", "b", "c"));
            assertThat(c.call("COMMAND", "GETKEYSANDFLAGS", "set", "k1", "v1")).isEqualTo(List.of(List.of("k1", List.of("OW", "update"))));
            assertThat(c.call("COMMAND", "GETKEYSANDFLAGS", "set", "k1", "v1", "GET"))
                    .isEqualTo(List.of(List.of("k1", List.of("RW", "access", "update"))));
            assertThat(c.call("COMMAND", "GETKEYS", "nosuch", "x")).isEqualTo(new Err("ERR Invalid command specified"));
            assertThat(c.call("COMMAND", "GETKEYS", "config", "nosuch")).isEqualTo(new Err("ERR Invalid command specified"));
            assertThat(c.call("COMMAND", "GETKEYS", "ping", "x")).isEqualTo(new Err("ERR The command has no key arguments"));
            assertThat(c.call("COMMAND", "GETKEYS", "get")).isEqualTo(new Err("ERR Invalid number of arguments specified for command"));
            assertThat(c.call("COMMAND", "GETKEYS", "get", "a", "b"))
                    .isEqualTo(new Err("ERR Invalid number of arguments specified for command"));
            assertThat(c.call("COMMAND", "GETKEYS")).isEqualTo(new Err("ERR wrong number of arguments for 'command|getkeys' command"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void listFiltersAndCount() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            @SuppressWarnings("unchecked")
            List<Object> all = (List<Object>) c.call("COMMAND", "LIST");
            assertThat(all).contains("set", "client|list", "config|get");
            @SuppressWarnings("unchecked")
            List<Object> commands = (List<Object>) c.call("COMMAND");
            assertThat(c.call("COMMAND", "COUNT")).isEqualTo((long) commands.size());
            assertThat(c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "set")).isEqualTo(List.of("set"));
            assertThat((List<Object>) (List<?>) c.call("COMMAND", "LIST", "filterby", "pattern", "config|*re*")).contains("config|resetstat", "config|rewrite");
            assertThat((List<Object>) (List<?>) c.call("COMMAND", "LIST", "filterby", "pattern", "cl*help")).contains("client|help");
            assertThat(c.call("COMMAND", "LIST", "filterby", "pattern", "non_exists*")).isEqualTo(List.of());
            assertThat(c.call("COMMAND", "LIST", "filterby", "aclcat", "non_existing_category")).isEqualTo(List.of());
            @SuppressWarnings("unchecked")
            List<Object> admin = (List<Object>) c.call("COMMAND", "LIST", "filterby", "aclcat", "ADMIN");
            assertThat(admin).contains("config|set", "client|kill", "debug").doesNotContain("get", "client|id");
            assertThat(c.call("COMMAND", "LIST", "filterby", "module", "non_existing_module")).isEqualTo(List.of());
            assertThat(c.call("COMMAND", "LIST", "bad_arg")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.call("COMMAND", "LIST", "filterby", "bad_arg")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.call("COMMAND", "LIST", "filterby", "bad_arg", "x")).isEqualTo(new Err("ERR syntax error"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void movableKeysFlagFollowsKeySpecs() throws Exception {
        try (RespClient c = new RespClient(server.port())) {
            for (String name : new String[] {"SET", "GET", "DEL"}) {
                @SuppressWarnings("unchecked")
                List<Object> info = (List<Object>) ((List<Object>) c.call("COMMAND", "INFO", name)).get(0);
                assertThat((List<Object>) (List<?>) info.get(2)).doesNotContain("movablekeys");
            }
        }
    }
}
