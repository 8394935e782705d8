package dev.cinnabar.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * redis.conf parsing with redis-server's rules (loadServerConfig / loadServerConfigFromString):
 * lines are trimmed, {@code #} lines and blank lines skipped, the rest split with quoting rules;
 * the first word (case-insensitive) names a parameter or one of the other directives
 * ({@code include}, {@code rename-command}, {@code user}, {@code loadmodule}, module parameters
 * {@code a.b}, {@code sentinel}). Parameters apply in file order, later lines win, except that
 * {@code save} lines accumulate.
 */
final class ConfigLoader {

    /** Directives Redis no longer has but still accepts (and ignores) with one argument. */
    private static final Set<String> DEPRECATED =
            Set.of("list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands");

    private static final System.Logger LOG = System.getLogger(ConfigLoader.class.getName());

    private final ServerConfig config;

    /**
     * Whether a config file is being read (only {@code save} accumulation depends on it). As in
     * Redis, finishing an included file resets it, so after an {@code include} line later
     * {@code save} lines of the including file replace instead of accumulating.
     */
    private boolean readingConfigFile;

    ConfigLoader(ServerConfig config) {
        this.config = config;
    }

    /**
     * loadServerConfig: the file's content (a pattern with {@code * ? [} includes all matching
     * files, or none), then stdin, then {@code "\n" + options}, parsed as one text.
     *
     * @param fileName byte string, relative names resolved against {@code dir}; {@code null} for none
     */
    void loadFile(String fileName, boolean fromStdin, InputStream stdin, String options)
            throws ConfigFileException {
        StringBuilder content = new StringBuilder();
        if (fileName != null) {
            if (fileName.indexOf('*') >= 0 || fileName.indexOf('?') >= 0 || fileName.indexOf('[') >= 0) {
                for (Path p : expandGlob(fileName)) content.append(readConfigFile(p, ConfigText.fromPath(p)));
            } else {
                content.append(readConfigFile(config.persistence.dir.resolve(fileName), fileName));
            }
        }
        if (fromStdin) {
            LOG.log(System.Logger.Level.INFO, "Reading config from stdin");
            try {
                content.append(ConfigText.fromBytes(stdin.readAllBytes()));
            } catch (IOException e) {
                throw new ConfigFileException("Fatal error, can't read config from stdin: "
                        + ConfigText.strerror(e), true);
            }
        }
        if (options != null) content.append('\n').append(options);
        loadString(content.toString());
    }

    /** The file's bytes; {@code shownName} is the name as given, which the error message shows. */
    private String readConfigFile(Path p, String shownName) throws ConfigFileException {
        try {
            // fopen()+fgets() on a directory yields nothing rather than an error.
            if (Files.isDirectory(p)) return "";
            return ConfigText.fromBytes(Files.readAllBytes(p));
        } catch (IOException e) {
            throw new ConfigFileException("Fatal error, can't open config file '" + shownName + "': "
                    + ConfigText.strerror(e), true);
        }
    }

    /**
     * Expands an include pattern like glob(3): wildcard path components match directory entries
     * (hidden entries only with an explicit leading dot), results sorted. Components are matched
     * with Redis's glob syntax.
     */
    private List<Path> expandGlob(String pattern) {
        Path pat = ConfigText.toPath(pattern);
        List<Path> current = new ArrayList<>();
        current.add(pat.isAbsolute() ? pat.getRoot() : config.persistence.dir.path());
        for (Path component : pat) {
            String part = ConfigText.fromPath(component);
            List<Path> next = new ArrayList<>();
            boolean wild = part.indexOf('*') >= 0 || part.indexOf('?') >= 0 || part.indexOf('[') >= 0;
            for (Path base : current) {
                if (!wild) {
                    Path candidate = base.resolve(component);
                    if (Files.exists(candidate)) next.add(candidate);
                    continue;
                }
                if (!Files.isDirectory(base)) continue;
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(base)) {
                    for (Path entry : entries) {
                        String name = ConfigText.fromPath(entry.getFileName());
                        if (name.startsWith(".") && !part.startsWith(".")) continue;
                        if (ConfigGlob.matches(part, name, false)) next.add(entry);
                    }
                } catch (IOException e) {
                    // unreadable directory: glob(3) without GLOB_ERR just skips it
                }
            }
            next.sort(null);
            current = next;
        }
        return current;
    }

    /** loadServerConfigFromString. */
    void loadString(String text) throws ConfigFileException {
        readingConfigFile = true;
        String[] lines = text.isEmpty() ? new String[0] : text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            String line = ConfigText.trim(lines[i], " \t\r\n");
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            String[] argv = ConfigText.splitArgs(line);
            if (argv == null) throw fatal(lineNumber, line, "Unbalanced quotes in configuration line");
            if (argv.length == 0) continue;
            argv[0] = ConfigText.asciiLower(argv[0]);
            String error = applyLine(argv);
            if (error != null) throw fatal(lineNumber, line, error);
        }
        finishLoad();
        readingConfigFile = false;
    }

    /** Applies one directive; returns Redis's error text, or {@code null} on success. */
    private String applyLine(String[] argv) throws ConfigFileException {
        int argc = argv.length;
        String name = argv[0];
        ServerConfig.Entry entry = config.entry(name);
        if (entry != null) {
            ConfigParam p = entry.param();
            boolean multi = p.is(ConfigFlag.MULTI_ARG);
            if (!multi && argc != 2) return "wrong number of arguments";
            String[] args;
            if (multi && argc == 2 && !argv[1].isEmpty()) {
                // One argument for a multi-argument parameter is split again, so that
                // --save "900 1" works; an empty one stays (save "" means "none").
                args = ConfigText.splitArgs(argv[1]);
                if (args == null) args = new String[0];
            } else {
                args = Arrays.copyOfRange(argv, 1, argc);
            }
            try {
                p.set(args, readingConfigFile);
            } catch (ConfigValueException e) {
                return e.reason();
            }
            return null;
        }
        if (DEPRECATED.contains(name) && argc == 2) return null;
        if (name.equals("include") && argc == 2) {
            loadFile(argv[1], false, null, null);
            return null;
        }
        if ((name.equals("rename-command") && argc == 3) || (name.equals("user") && argc >= 2)
                || (name.equals("loadmodule") && argc >= 2)) {
            return directive(new ServerConfig.FileDirective(name, List.of(Arrays.copyOfRange(argv, 1, argc))));
        }
        if (name.indexOf('.') >= 0) {
            if (argc < 2) return "Module config specified without value";
            String value = String.join(" ", Arrays.copyOfRange(argv, 1, argc));
            return directive(new ServerConfig.FileDirective(name, List.of(value)));
        }
        if (name.equals("sentinel")) {
            // A bare "sentinel" only selects sentinel mode (handled by redis-server's main).
            return argc != 1 ? "sentinel directive while not in sentinel mode" : null;
        }
        return "Bad directive or wrong number of arguments";
    }

    private String directive(ServerConfig.FileDirective d) {
        ServerConfig.DirectiveHandler handler = config.directiveHandler();
        if (handler != null) {
            try {
                handler.handle(d);
            } catch (ConfigValueException e) {
                return e.reason();
            }
        }
        config.recordDirective(d);
        return null;
    }

    /** The checks and fix-ups redis-server runs once a config text is read. */
    private void finishLoad() throws ConfigFileException {
        String logfile = config.general.logfile.get();
        if (!logfile.isEmpty()) {
            // Redis makes sure now that the log can be opened: later it could not report it.
            Path p = config.persistence.dir.resolve(logfile);
            try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.flush();
            } catch (IOException e) {
                throw fatal(0, null, "Can't open the log file: " + ConfigText.strerror(e));
            }
        }
        boolean clusterEnabled = config.cluster.clusterEnabled.get();
        if (clusterEnabled && config.replication.replicaof.get() != null) {
            throw fatal(0, null, "replicaof directive not allowed in cluster mode");
        }
        if (clusterEnabled && config.general.databases.get() > 1) {
            LOG.log(System.Logger.Level.WARNING, "WARNING: Changing databases number from "
                    + config.general.databases.get() + " to 1 since we are in cluster mode");
            config.general.databases.store(1);
        }
        config.general.clampHzAfterLoad();
    }

    /** The report redis-server prints before exiting; lineNumber 0 when not about a line. */
    private static ConfigFileException fatal(int lineNumber, String line, String reason) {
        StringBuilder b = new StringBuilder("\n*** FATAL CONFIG FILE ERROR (Redis ")
                .append(ServerConfig.REDIS_VERSION).append(") ***\n");
        if (lineNumber > 0) {
            b.append("Reading the configuration file, at line ").append(lineNumber).append('\n');
            b.append(">>> '").append(line).append("'\n");
        }
        b.append(reason).append('\n');
        return new ConfigFileException(b.toString(), false);
    }
}
