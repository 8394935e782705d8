package dev.cinnabar.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares this implementation with the installed redis-server (7.0.x here; the spec is 7.2.6,
 * so the few known 7.0/7.2 differences are listed). Skipped when redis-server is not on PATH.
 */
class RealRedisDifferentialTest {

    @TempDir
    static Path dir;

    private static RealRedis redis;
    private static ServerConfig ours;

    /** Names whose CONFIG GET * visibility differs between 7.0 and 7.2 (hidden since 7.2). */
    private static final Set<String> KNOWN_VERSION_DIFFERENCES = Set.of("aof-disable-auto-gc");

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RealRedis.available(), "redis-server not installed");
        redis = RealRedis.start(dir);
        ours = ServerConfig.fromCommandLine("--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", dir.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) redis.close();
    }

    private static Map<String, String> redisGet(String... patterns) throws Exception {
        String[] cmd = new String[patterns.length + 2];
        cmd[0] = "CONFIG";
        cmd[1] = "GET";
        System.arraycopy(patterns, 0, cmd, 2, patterns.length);
        @SuppressWarnings("unchecked")
        List<Object> reply = (List<Object>) redis.call(cmd);
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < reply.size(); i += 2) m.put((String) reply.get(i), (String) reply.get(i + 1));
        return m;
    }

    private static Map<String, String> ourGet(String... patterns) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : ours.get(List.of(patterns))) m.put(e.getKey(), e.getValue());
        return m;
    }

    @Test
    void everyCommonParameterHasTheSameValue() throws Exception {
        Map<String, String> theirs = redisGet("*");
        Map<String, String> mine = ourGet("*");
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, String> e : theirs.entrySet()) {
            String name = e.getKey();
            if (name.equals("port") || KNOWN_VERSION_DIFFERENCES.contains(name)) continue;
            if (!mine.containsKey(name)) {
                mismatches.add("missing " + name);
            } else if (!mine.get(name).equals(e.getValue())) {
                mismatches.add(name + ": redis='" + e.getValue() + "' ours='" + mine.get(name) + "'");
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void configGetPatternsMatchTheSameNames() throws Exception {
        for (String[] patterns : List.of(new String[] {"*of"}, new String[] {"maxmemory", "maxmemory*", "bind", "*of"},
                new String[] {"*max-*-entries*"}, new String[] {"PORT", "port"}, new String[] {"key-load-delay"},
                new String[] {"[a-c]*"}, new String[] {"*[^a-z-]*"}, new String[] {"slave-*"},
                new String[] {"hash-max-ziplist-entries", "hash-max-listpack-entries"})) {
            List<String> theirs = redisGet(patterns).keySet().stream()
                    .filter(n -> !KNOWN_VERSION_DIFFERENCES.contains(n)).toList();
            Set<String> mine = ourGet(patterns).keySet();
            // Parameters added in 7.2 do not exist in the 7.0 server.
            Set<String> new72 = Set.of("set-max-listpack-entries", "set-max-listpack-value", "locale-collate",
                    "cluster-announce-human-nodename");
            List<String> mineComparable = mine.stream().filter(n -> !new72.contains(n)).toList();
            assertThat(mineComparable).as(Arrays.toString(patterns)).containsExactlyInAnyOrderElementsOf(theirs);
        }
    }

    @Test
    void randomGlobPatternsMatchTheSameNames() throws Exception {
        java.util.Random random = new java.util.Random(7);
        String alphabet = "*?[]^-\\aemxrlp";
        Set<String> new72 = Set.of("set-max-listpack-entries", "set-max-listpack-value", "locale-collate",
                "cluster-announce-human-nodename");
        for (int i = 0; i < 300; i++) {
            StringBuilder b = new StringBuilder();
            int len = 1 + random.nextInt(7);
            for (int j = 0; j < len; j++) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            if (b.indexOf("*") < 0 && b.indexOf("?") < 0 && b.indexOf("[") < 0) b.append('*');
            String pattern = b.toString();
            List<String> theirs = redisGet(pattern).keySet().stream()
                    .filter(n -> !KNOWN_VERSION_DIFFERENCES.contains(n)).toList();
            List<String> mine = ourGet(pattern).keySet().stream().filter(n -> !new72.contains(n)).toList();
            assertThat(mine).as(pattern).containsExactlyInAnyOrderElementsOf(theirs);
        }
    }

    /** CONFIG SET calls whose replies (OK or error text) must be identical. */
    private static final List<List<String>> SET_CASES = List.of(
            List.of("foo", "bar"),
            List.of("maxmemory", "abc"),
            List.of("maxmemory", "10mb"),
            List.of("maxmemory", "1Gb"),
            List.of("maxmemory", "-1"),
            List.of("maxmemory", ""),
            List.of("maxmemory", "0"),
            List.of("port", "99999"),
            List.of("PORT", "-1"),
            List.of("daemonize", "yes"),
            List.of("DAEMONIZE", "yes"),
            List.of("dir", "/tmp"),
            List.of("dbfilename", "x.rdb"),
            List.of("maxmemory", "1", "maxmemory", "2"),
            List.of("maxmemory", "1", "MAXMEMORY", "2"),
            List.of("maxmemory-policy", "foo"),
            List.of("maxmemory-policy", "ALLKEYS-LRU"),
            List.of("appendonly", "maybe"),
            List.of("maxmemory-clients", "200%"),
            List.of("maxmemory-clients", "10%"),
            List.of("maxmemory-clients", "abc"),
            List.of("maxmemory-clients", "-1"),
            List.of("maxmemory-clients", "0"),
            List.of("hz", "abc"),
            List.of("hz", "1000"),
            List.of("hz", "10"),
            List.of("save", "1 2 3"),
            List.of("save", "100 10 200 20"),
            List.of("save", "0 1"),
            List.of("save", "3600  1"),
            List.of("save", ""),
            List.of("client-output-buffer-limit", "foo 1 2 3"),
            List.of("client-output-buffer-limit", "normal 1 2"),
            List.of("client-output-buffer-limit", "normal 1 2 x"),
            List.of("client-output-buffer-limit", "master 1 2 3"),
            List.of("client-output-buffer-limit", "replica 1mb 2k 5 pubsub 1 1 1"),
            List.of("notify-keyspace-events", "Q"),
            List.of("notify-keyspace-events", "KEA"),
            List.of("notify-keyspace-events", "Ex$m"),
            List.of("notify-keyspace-events", ""),
            List.of("shutdown-on-sigterm", "save nosave"),
            List.of("shutdown-on-sigterm", ""),
            List.of("shutdown-on-sigterm", "NOW nosave force"),
            List.of("shutdown-on-sigterm", "default"),
            List.of("latency-tracking-info-percentiles", "101"),
            List.of("latency-tracking-info-percentiles", "abc"),
            List.of("latency-tracking-info-percentiles", "50 99.9000 1e1 0.0001 0x10"),
            List.of("latency-tracking-info-percentiles", ""),
            List.of("latency-tracking-info-percentiles", "50 99 99.9"),
            List.of("oom-score-adj-values", "1 2"),
            List.of("oom-score-adj-values", "1 2 3000"),
            List.of("oom-score-adj", "maybe"),
            List.of("appendfilename", "x"),
            List.of("maxclients", "0"),
            List.of("unixsocketperm", "999"),
            List.of("hash-max-listpack-entries", "-1"),
            List.of("hash-max-ziplist-entries", "-1"),
            List.of("hash-max-ziplist-entries", "100", "hash-max-listpack-entries", "200"),
            List.of("slowlog-max-len", "-1"),
            List.of("slowlog-log-slower-than", "-2"),
            List.of("list-max-listpack-size", "99999999999"),
            List.of("list-max-ziplist-size", "007"),
            List.of("tcp-keepalive", "+7"),
            List.of("tcp-keepalive", " 7"),
            List.of("cluster-announce-hostname", "a b"),
            List.of("cluster-announce-hostname", "host-1.example"),
            List.of("cluster-announce-hostname", ""),
            List.of("proc-title-template", "{foo}"),
            List.of("proc-title-template", "{server-mode}"),
            List.of("proc-title-template", "{title"),
            List.of("proc-title-template", "{title} {port} {{x"),
            List.of("replicaof", "a 1"),
            List.of("bind", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"),
            List.of("timeout", "10", "hz", "x"),
            List.of("active-expire-effort", "11"),
            List.of("repl-backlog-size", "0"),
            List.of("client-query-buffer-limit", "1000"),
            List.of("proto-max-bulk-len", "1k"),
            List.of("requirepass", "secret", "requirepass", ""),
            List.of("masterauth", ""),
            List.of("loglevel", "Warning"),
            List.of("slave-read-only", "maybe"),
            List.of("lua-time-limit", "100"),
            List.of("busy-reply-threshold", "5000"),
            List.of("foo", "bar", "daemonize", "yes"),
            List.of("daemonize", "yes", "foo", "bar"),
            List.of("maxmemory", "1", "foo", "bar"),
            List.of("cluster-link-sendbuf-limit", "99999999999999999999"),
            List.of("tls-port", "x"),
            List.of("maxmemory-clients", "9223372036854775808"),
            List.of("client-output-buffer-limit", "pubsub 1 2 4294967296"),
            List.of("client-output-buffer-limit", "pubsub 1 2 2147483648"),
            List.of("client-output-buffer-limit", "pubsub 1 2 "),
            List.of("save", "1 4294967297"),
            List.of("save", "9999999999999999999999 1"),
            List.of("oom-score-adj-values", " 1 2 3"),
            List.of("oom-score-adj-values", "0 200 800"),
            List.of("latency-tracking-info-percentiles", "inf"),
            List.of("latency-tracking-info-percentiles", "1e-400"),
            List.of("latency-tracking-info-percentiles", " 5"),
            List.of("latency-tracking-info-percentiles", "0x1p-2 5e-324 .5 5."),
            List.of("notify-keyspace-events", "A"),
            List.of("notify-keyspace-events", "AKEmn"),
            List.of("lua-time-limit", "-1"),
            List.of("repl-backlog-ttl", "-1"),
            List.of("tracking-table-max-keys", "1k"),
            List.of("hash-max-listpack-value", "1k"),
            List.of("active-defrag-ignore-bytes", "0"),
            List.of("bind", "127.0.0.1", "bind", "127.0.0.1"),
            List.of("appendfsync", "No"),
            List.of("repl-diskless-load", "swapdb"),
            List.of("sanitize-dump-payload", "clients"),
            List.of("acl-pubsub-default", "allchannels"),
            List.of("cluster-preferred-endpoint-type", "unknown-endpoint"),
            List.of("propagation-error-behavior", "panic-on-replicas"),
            List.of("tls-auth-clients", "optional"),
            List.of("maxclients", "4294967296"),
            List.of("watchdog-period", "0"),
            List.of("key-load-delay", "-10"),
            List.of("enable-debug-command", "yes"));

    @Test
    void configSetRepliesAreIdentical() throws Exception {
        List<String> mismatches = new ArrayList<>();
        for (List<String> args : SET_CASES) {
            List<String> cmd = new ArrayList<>(List.of("CONFIG", "SET"));
            cmd.addAll(args);
            Object theirs = redis.call(cmd.toArray(new String[0]));
            String theirText = theirs instanceof RealRedis.Error e ? e.message() : String.valueOf(theirs);
            String mine;
            List<String[]> pairs = new ArrayList<>();
            for (int i = 0; i < args.size(); i += 2) pairs.add(new String[] {args.get(i), args.get(i + 1)});
            try {
                ours.set(pairs);
                mine = "OK";
            } catch (ConfigSetException e) {
                mine = e.getMessage();
            }
            if (!theirText.equals(mine)) mismatches.add(args + ": redis='" + theirText + "' ours='" + mine + "'");
        }
        assertThat(mismatches).isEmpty();
        // And the resulting values agree too.
        everyCommonParameterHasTheSameValue();
    }

    /** Argument lists redis-server refuses; the printed report must match ours. */
    private static final List<List<String>> BAD_COMMAND_LINES = List.of(
            List.of("--port", "abc"),
            List.of("--port", "6379", "6380"),
            List.of("--invalid"),
            List.of("--port"),
            List.of("--port", "6380", "--loglevel"),
            List.of("--port", "--loglevel", "verbose"),
            List.of("--port", "--bla", "--loglevel", "verbose"),
            // (loglevel has a 7.2-only value "nothing": test the same situation with appendfsync)
            List.of("--logfile", "--my--log--file", "--appendfsync", "--bla"),
            List.of("--shutdown-on-sigint"),
            List.of("--shutdown-on-sigint", "now force", "--shutdown-on-sigterm"),
            List.of("--replicaof", "127.0.0.1", "abc"),
            List.of("--replicaof", "--127.0.0.1", "abc"),
            List.of("--replicaof", "--127.0.0.1", "--abc"),
            List.of("--save", "1 2 3"),
            List.of("--maxmemory", "1x"),
            List.of("--unixsocketperm", "1000"),
            List.of("--requirepass", "a\"b\tc", "x"),
            List.of("--cluster-enabled", "yes", "--replicaof", "127.0.0.1", "6379"),
            List.of("--logfile", "/nonexistent-dir/x.log"),
            List.of("-", "--port", "x"),
            List.of("--bind", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
                    "17"));

    @Test
    void fatalConfigErrorsAreIdentical() throws Exception {
        List<String> mismatches = new ArrayList<>();
        for (List<String> args : BAD_COMMAND_LINES) {
            String theirs = RealRedis.runExpectingFailure(dir, args.toArray(new String[0]))
                    .replace("(Redis 7.0.15)", "(Redis " + ServerConfig.REDIS_VERSION + ")")
                    .replaceAll("(?m)^\\d+:[CMSX] .*\n", ""); // log lines, not part of the report
            String mine;
            try {
                new ServerConfig().loadCommandLine(args.toArray(new String[0]),
                        new java.io.ByteArrayInputStream(new byte[0]));
                mine = "accepted";
            } catch (ConfigFileException e) {
                mine = e.getMessage();
            }
            if (!theirs.equals(mine)) mismatches.add(args + ":\nredis=" + theirs + "\nours=" + mine);
        }
        assertThat(mismatches).isEmpty();

        // A missing file is reported as a log line.
        Path missing = dir.resolve("missing.conf");
        String theirs = RealRedis.runExpectingFailure(dir, missing.toString());
        try {
            new ServerConfig().loadFromFile(missing);
            throw new AssertionError("accepted");
        } catch (ConfigFileException e) {
            assertThat(e.isLogMessage()).isTrue();
            assertThat(theirs).endsWith(" # " + e.getMessage() + "\n");
        }
    }

    @Test
    void configRewriteProducesTheSameFile() throws Exception {
        String original = """
                # Redis config
                port 1111


                # persistence
                save 900 1
                save 300 10
                slave-read-only yes
                hash-max-ziplist-entries 100
                maxmemory 1mb
                rename-command FLUSHALL ""
                masterauth secret
                loglevel verbose
                timeout 30
                timeout 40
                client-output-buffer-limit normal 0 0 0
                """;
        Path theirFile = dir.resolve("theirs.conf");
        Path ourFile = dir.resolve("ours.conf");
        Files.writeString(theirFile, original);
        Files.writeString(ourFile, original);
        List<String> changes = List.of("maxmemory", "2gb", "masterauth", "", "hz", "20", "notify-keyspace-events",
                "Kx", "timeout", "0", "maxmemory-clients", "5%", "client-output-buffer-limit", "pubsub 1mb 1mb 0",
                "shutdown-on-sigterm", "nosave now", "latency-tracking-info-percentiles", "99",
                "repl-backlog-size", "3mb", "slowlog-max-len", "64");
        String theirText;
        try (RealRedis other = RealRedis.start(theirFile, dir)) {
            List<String> cmd = new ArrayList<>(List.of("CONFIG", "SET"));
            cmd.addAll(changes);
            assertThat(other.call(cmd.toArray(new String[0]))).isEqualTo("OK");
            assertThat(other.call("CONFIG", "REWRITE")).isEqualTo("OK");
            theirText = Files.readString(theirFile, StandardCharsets.ISO_8859_1);
        }
        ServerConfig mine = new ServerConfig();
        List<String> args = new ArrayList<>(List.of(ourFile.toString()));
        args.addAll(RealRedis.baseOptions(RealRedis.freePort(), dir));
        mine.loadCommandLine(args.toArray(new String[0]), new java.io.ByteArrayInputStream(new byte[0]));
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < changes.size(); i += 2) pairs.add(new String[] {changes.get(i), changes.get(i + 1)});
        mine.set(pairs);
        mine.rewrite();
        String ourText = Files.readString(ourFile, StandardCharsets.ISO_8859_1);

        // The port is random per server; ACL users are another subsystem's lines.
        String marker = ConfigRewriter.SIGNATURE + "\n";
        String theirHead = theirText.substring(0, theirText.indexOf(marker)).replaceAll("port \\d+", "port P");
        String ourHead = ourText.substring(0, ourText.indexOf(marker)).replaceAll("port \\d+", "port P");
        assertThat(ourHead).isEqualTo(theirHead);
        // Appended lines come in hash table order in Redis: compare them as sets.
        List<String> theirTail = Arrays.stream(theirText.substring(theirText.indexOf(marker)).split("\n"))
                .filter(l -> !l.startsWith("user ")).sorted().toList();
        List<String> ourTail = Arrays.stream(ourText.substring(ourText.indexOf(marker)).split("\n")).sorted().toList();
        assertThat(ourTail).isEqualTo(theirTail);
    }
}
