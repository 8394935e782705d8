package dev.cinnabar.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CONFIG GET pattern semantics. */
class ConfigGetTest {

    private final ServerConfig config = new ServerConfig();

    private List<String> names(String... patterns) {
        return config.get(List.of(patterns)).stream().map(Map.Entry::getKey).toList();
    }

    @Test
    void exactNameIsCaseInsensitiveAndEchoedAsTyped() {
        assertThat(config.get(List.of("PORT"))).containsExactly(Map.entry("PORT", "6379"));
        // Same parameter asked twice under different case: reported once, as first typed.
        assertThat(config.get(List.of("port", "PORT", "Port"))).containsExactly(Map.entry("port", "6379"));
    }

    @Test
    void unknownNamesAreSilentlyAbsent() {
        assertThat(config.get(List.of("nope", "also-nope*"))).isEmpty();
    }

    @Test
    void globsMatchAliasesToo() {
        assertThat(names("*of")).containsExactlyInAnyOrder("replicaof", "slaveof");
        assertThat(names("*max-*-entries*")).containsExactlyInAnyOrder("hash-max-listpack-entries",
                "hash-max-ziplist-entries", "set-max-intset-entries", "set-max-listpack-entries",
                "zset-max-listpack-entries", "zset-max-ziplist-entries");
    }

    @Test
    void aliasRequestedExplicitlyIsReportedUnderTheAlias() {
        assertThat(config.get(List.of("hash-max-ziplist-entries")))
                .containsExactly(Map.entry("hash-max-ziplist-entries", "512"));
        assertThat(names("hash-max-ziplist-entries", "hash-max-listpack-entries"))
                .containsExactly("hash-max-ziplist-entries", "hash-max-listpack-entries");
    }

    @Test
    void multiplePatternsReportEachNameOnce() {
        List<String> n = names("maxmemory", "maxmemory*", "bind", "*of");
        assertThat(n).doesNotHaveDuplicates();
        assertThat(n).contains("maxmemory", "maxmemory-samples", "maxmemory-clients", "maxmemory-policy",
                "maxmemory-eviction-tenacity", "bind", "replicaof", "slaveof");
    }

    @Test
    void hiddenParametersOnlyByExactName() {
        assertThat(names("*")).doesNotContain("key-load-delay", "rdb-key-save-delay", "watchdog-period",
                "use-exit-on-panic", "aof-disable-auto-gc", "cluster-ping-interval",
                "loading-process-events-interval-bytes");
        assertThat(names("key-load-*")).isEmpty();
        assertThat(config.get(List.of("key-load-delay"))).containsExactly(Map.entry("key-load-delay", "0"));
        assertThat(names("*")).hasSize(202 - 7);
    }

    @Test
    void globCharacterClasses() {
        assertThat(names("[h]z")).containsExactly("hz");
        assertThat(names("h?")).containsExactly("hz");
        assertThat(names("[^a-y]*")).allMatch(n -> n.startsWith("z"));
        assertThat(names("PoR[s-u]")).containsExactly("port");
    }

    @Test
    void valuesAreFormattedAsRedisPrintsThem() throws Exception {
        config.set(List.<String[]>of(new String[] {"maxmemory", "2gb"}, new String[] {"maxmemory-clients", "10%"},
                new String[] {"notify-keyspace-events", "KEA"}, new String[] {"oom-score-adj", "relative"}));
        assertThat(config.get(List.of("maxmemory", "maxmemory-clients", "notify-keyspace-events", "oom-score-adj")))
                .containsExactly(Map.entry("maxmemory", "2147483648"), Map.entry("maxmemory-clients", "10%"),
                        Map.entry("notify-keyspace-events", "AKE"), Map.entry("oom-score-adj", "yes"));
    }
}
