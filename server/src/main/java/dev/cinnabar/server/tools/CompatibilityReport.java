package dev.cinnabar.server.tools;

import dev.cinnabar.server.command.Command;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.family.Families;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates docs/compatibility.md from the command table: for every command and subcommand of
 * Redis 7.2, whether this build serves it. The table is never typed by hand; a test fails when
 * the committed file differs from what this produces.
 *
 * <p>{@code java -cp server/target/cinnabar-server.jar dev.cinnabar.server.tools.CompatibilityReport docs/compatibility.md}
 */
public final class CompatibilityReport {
    private CompatibilityReport() {}

    public static String generate() {
        CommandTable table = new CommandTable();
        Families.registerAll(table);
        Map<String, List<String[]>> byGroup = new LinkedHashMap<>();
        int total = 0;
        int served = 0;
        for (String[] row : redisCommands()) {
            String group = row[0];
            String name = row[1];
            if (group.equals("sentinel")) {
                continue; // Sentinel-mode commands: a Redis server outside Sentinel has none either
            }
            Command c = table.find(name);
            boolean has = c != null && (c.handler() != null || !c.subcommands().isEmpty() && hasAnyHandler(c));
            total++;
            if (has) {
                served++;
            }
            byGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(new String[] {name, has ? "yes" : "not yet"});
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# Compatibility with Redis 7.2 commands\n\n");
        sb.append("Generated from the command table by `dev.cinnabar.server.tools.CompatibilityReport`;\n");
        sb.append("do not edit (the `CompatibilityDocTest` test fails when it is stale).\n\n");
        sb.append("Served: **").append(served).append(" of ").append(total)
                .append("** Redis 7.2 commands and subcommands (Sentinel-only commands excluded).\n\n");
        sb.append("| group | served | total |\n|---|---|---|\n");
        for (Map.Entry<String, List<String[]>> e : byGroup.entrySet()) {
            long n = e.getValue().stream().filter(r -> r[1].equals("yes")).count();
            sb.append("| ").append(e.getKey()).append(" | ").append(n).append(" | ").append(e.getValue().size()).append(" |\n");
        }
        for (Map.Entry<String, List<String[]>> e : byGroup.entrySet()) {
            sb.append("\n## ").append(e.getKey()).append("\n\n| command | served |\n|---|---|\n");
            for (String[] r : e.getValue()) {
                sb.append("| `").append(r[0].toUpperCase(java.util.Locale.ROOT).replace('|', ' ')).append("` | ")
                        .append(r[1]).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static boolean hasAnyHandler(Command c) {
        for (Command s : c.subcommands().values()) {
            if (s.handler() != null) {
                return true;
            }
        }
        return false;
    }

    static List<String[]> redisCommands() {
        List<String[]> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                CompatibilityReport.class.getResourceAsStream("/dev/cinnabar/server/redis-7.2-commands.txt"),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                out.add(line.split("\t"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/compatibility.md");
        Files.writeString(out, generate());
    }
}
