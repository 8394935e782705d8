package dev.cinnabar.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The configuration of one server instance: every Redis 7.2 parameter (see the area classes
 * {@link GeneralParams}, {@link NetworkParams}, {@link TlsParams}, {@link PersistenceParams},
 * {@link ReplicationParams}, {@link ClusterParams}, {@link MemoryParams}, {@link EncodingParams},
 * {@link MonitoringParams}, which together are the parameter table), plus CONFIG GET / SET /
 * REWRITE and config file / command line loading with Redis's exact rules and error texts.
 *
 * <p>Instances are independent (several embedded servers may share a JVM): there is no static
 * mutable state. Hot paths read typed values directly, e.g. {@code config.network.port.get()}.
 *
 * <p><b>Threading contract.</b> Loading happens before the server serves clients; CONFIG SET and
 * CONFIG REWRITE run under the server's global lock (one at a time). Parameter values are
 * volatile, so other threads may read them at any time (see {@link ConfigParam}).
 *
 * <p><b>Strings.</b> Names and values are byte strings, one char per byte (see {@link
 * ConfigText}): the command layer converts argument bytes with ISO-8859-1.
 */
public final class ServerConfig {

    /** The Redis version whose behaviour this configuration reproduces (shown in fatal errors). */
    public static final String REDIS_VERSION = "7.2.6";

    private static final System.Logger LOG = System.getLogger(ServerConfig.class.getName());

    public final GeneralParams general;
    public final NetworkParams network;
    public final TlsParams tls;
    public final PersistenceParams persistence;
    public final ReplicationParams replication;
    public final ClusterParams cluster;
    public final MemoryParams memory;
    public final EncodingParams encoding;
    public final MonitoringParams monitoring;

    /** A name under which a parameter is known: its primary name or its alias. */
    record Entry(String name, ConfigParam param, boolean alias) {}

    private final List<ConfigParam> params;
    private final List<Entry> entries;
    private final Map<String, Entry> byName;
    private final ConfigLoader loader;

    private Path configFile;
    private final List<FileDirective> fileDirectives = new ArrayList<>();
    private DirectiveHandler directiveHandler;
    private final Map<String, Supplier<List<String>>> rewriteDirectives = new LinkedHashMap<>();

    /** A configuration with every parameter at Redis's default value. */
    public ServerConfig() {
        ParamTable t = new ParamTable();
        general = new GeneralParams(t, this);
        network = new NetworkParams(t);
        tls = new TlsParams(t);
        persistence = new PersistenceParams(t);
        cluster = new ClusterParams(t);
        replication = new ReplicationParams(t, cluster.clusterEnabled);
        memory = new MemoryParams(t);
        encoding = new EncodingParams(t);
        monitoring = new MonitoringParams(t);
        params = Collections.unmodifiableList(t.params());
        List<Entry> all = new ArrayList<>();
        Map<String, Entry> index = new HashMap<>();
        for (ConfigParam p : params) {
            addEntry(all, index, new Entry(p.name(), p, false));
            if (p.alias() != null) addEntry(all, index, new Entry(p.alias(), p, true));
        }
        entries = List.copyOf(all);
        byName = index;
        loader = new ConfigLoader(this);
    }

    private static void addEntry(List<Entry> all, Map<String, Entry> index, Entry e) {
        if (index.put(ConfigText.asciiLower(e.name()), e) != null) {
            throw new IllegalStateException("duplicate config name " + e.name());
        }
        all.add(e);
    }

    // ------------------------------------------------------------------------ lookup

    /** All parameters, in table order. */
    public List<ConfigParam> params() {
        return params;
    }

    /** The parameter with this name or alias (case-insensitive), or {@code null}. */
    public ConfigParam lookup(String name) {
        Entry e = entry(name);
        return e == null ? null : e.param();
    }

    Entry entry(String name) {
        return byName.get(ConfigText.asciiLower(name));
    }

    /**
     * Whether CONFIG SET's value for this name must be redacted from logs, slowlog and MONITOR.
     * Redis redacts sensitive values even when the command fails.
     */
    public boolean isSensitive(String name) {
        ConfigParam p = lookup(name);
        return p != null && p.is(ConfigFlag.SENSITIVE);
    }

    /** The absolute path of the config file the server started with, or {@code null}. */
    public Path configFile() {
        return configFile;
    }

    // ------------------------------------------------------------------------ CONFIG GET

    /**
     * CONFIG GET: the parameters matching any of the patterns, as (name, value) pairs.
     *
     * <ul>
     *   <li>A pattern without {@code * ? [} is an exact, case-insensitive lookup: the reply uses the
     *       name as the client typed it, and works for hidden parameters and aliases.</li>
     *   <li>Other patterns are globs (case-insensitive) over all names, aliases included (so
     *       {@code *of} gives both {@code replicaof} and {@code slaveof}), hidden parameters
     *       excluded.</li>
     *   <li>A name is reported once even if several patterns match it; a parameter and its alias
     *       are distinct names and may both appear.</li>
     * </ul>
     * Redis's reply order is its hash table's; here it is the order of the patterns, then of the
     * table, which clients cannot tell apart (CONFIG GET replies are maps).
     */
    public List<Map.Entry<String, String>> get(List<String> patterns) {
        Map<String, Map.Entry<String, String>> matches = new LinkedHashMap<>();
        for (String pattern : patterns) {
            if (!hasGlobChars(pattern)) {
                String key = ConfigText.asciiLower(pattern);
                if (matches.containsKey(key)) continue;
                Entry e = byName.get(key);
                if (e != null) matches.put(key, Map.entry(pattern, e.param().value()));
                continue;
            }
            for (Entry e : entries) {
                if (e.param().is(ConfigFlag.HIDDEN)) continue;
                String key = ConfigText.asciiLower(e.name());
                if (matches.containsKey(key)) continue;
                if (ConfigGlob.matches(pattern, e.name(), true)) {
                    matches.put(key, Map.entry(e.name(), e.param().value()));
                }
            }
        }
        return List.copyOf(matches.values());
    }

    private static boolean hasGlobChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[' || c == '*' || c == '?') return true;
        }
        return false;
    }

    // ------------------------------------------------------------------------ CONFIG SET

    /**
     * Facts about the client running CONFIG SET that Redis's checks depend on.
     *
     * @param localClient connected over loopback or a unix socket (enable-protected-configs local)
     * @param loading     the server is loading its dataset (DENY_LOADING parameters refused)
     */
    public record SetContext(boolean localClient, boolean loading) {
        /** A remote client while not loading. */
        public static final SetContext DEFAULT = new SetContext(false, false);
    }

    /** {@link #set(List, SetContext)} for a remote client while not loading. */
    public void set(List<String[]> nameValuePairs) throws ConfigSetException {
        set(nameValuePairs, SetContext.DEFAULT);
    }

    /**
     * CONFIG SET name value [name value ...], atomically: either every parameter takes its new
     * value and the apply hooks accepted it, or nothing changed.
     *
     * <p>Like Redis, it first checks all names (unknown, immutable, protected, refused while
     * loading, duplicate; the first problem wins), then parses and stores the values in order
     * (a parse error restores the values stored so far), then runs the apply hooks of the
     * parameters that changed (a refusal restores all values and re-runs the hooks).
     *
     * @param nameValuePairs pairs {@code {name, value}}; the command layer rejects an odd argument
     *                       count itself ({@code ERR syntax error})
     * @throws ConfigSetException with the exact error reply
     */
    public void set(List<String[]> nameValuePairs, SetContext context) throws ConfigSetException {
        int n = nameValuePairs.size();
        Entry[] targets = new Entry[n];
        String unknownName = null;
        String errName = null;
        String errReason = null;
        boolean denyLoading = false;
        boolean invalid = false;
        for (int i = 0; i < n; i++) {
            String name = nameValuePairs.get(i)[0];
            Entry e = entry(name);
            if (e == null) {
                if (!invalid) {
                    unknownName = name;
                    invalid = true;
                }
                continue;
            }
            if (invalid) continue;
            ConfigParam p = e.param();
            if (p.is(ConfigFlag.IMMUTABLE) || (p.is(ConfigFlag.PROTECTED)
                    && !general.enableProtectedConfigs.get().allows(context.localClient()))) {
                errReason = p.is(ConfigFlag.IMMUTABLE) ? "can't set immutable config" : "can't set protected config";
                errName = name;
                invalid = true;
                continue;
            }
            if (context.loading() && p.is(ConfigFlag.DENY_LOADING)) {
                denyLoading = true;
                invalid = true;
                continue;
            }
            // An alias and its primary name are distinct entries, as in Redis: no duplicate error.
            for (int j = 0; j < i; j++) {
                if (targets[j] == e) {
                    errReason = "duplicate parameter";
                    errName = name;
                    invalid = true;
                    break;
                }
            }
            targets[i] = e;
        }
        if (invalid) throw setError(denyLoading, unknownName, errName, errReason);

        Object[] backup = new Object[n];
        for (int i = 0; i < n; i++) backup[i] = targets[i].param().snapshot();

        List<ApplyHook> hooks = new ArrayList<>();
        List<Integer> hookOwners = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ConfigParam p = targets[i].param();
            int result;
            try {
                result = p.set(p.argsForConfigSet(nameValuePairs.get(i)[1]), false);
            } catch (ConfigValueException ex) {
                restore(targets, backup, i + 1);
                throw setError(false, null, targets[i].name(), ex.reason());
            }
            if (result == ConfigParam.CHANGED) {
                for (ApplyHook h : p.applyHooks()) {
                    if (!containsIdentity(hooks, h)) {
                        hooks.add(h);
                        hookOwners.add(i);
                    }
                }
            }
        }

        for (int k = 0; k < hooks.size(); k++) {
            try {
                hooks.get(k).apply();
            } catch (ConfigValueException | RuntimeException ex) {
                String owner = targets[hookOwners.get(k)].name();
                LOG.log(System.Logger.Level.WARNING, "Failed applying new configuration. Possibly related to new "
                        + owner + " setting. Restoring previous settings.");
                restore(targets, backup, n);
                for (ApplyHook h : hooks) {
                    try {
                        h.apply();
                    } catch (ConfigValueException | RuntimeException again) {
                        LOG.log(System.Logger.Level.WARNING,
                                "Failed applying restored failed CONFIG SET command: " + again.getMessage());
                    }
                }
                if (ex instanceof RuntimeException re) throw re;
                throw setError(false, null, owner, ((ConfigValueException) ex).reason());
            }
        }
    }

    private static boolean containsIdentity(List<ApplyHook> hooks, ApplyHook h) {
        for (ApplyHook x : hooks) {
            if (x == h) return true;
        }
        return false;
    }

    private static void restore(Entry[] targets, Object[] backup, int count) {
        for (int i = 0; i < count; i++) targets[i].param().restore(backup[i]);
    }

    private static ConfigSetException setError(boolean denyLoading, String unknownName, String errName,
                                               String reason) {
        if (denyLoading) return new ConfigSetException("LOADING Redis is loading the dataset in memory");
        if (unknownName != null) {
            return new ConfigSetException("ERR Unknown option or number of arguments for CONFIG SET - '"
                    + unknownName + "'");
        }
        String prefix = "ERR CONFIG SET failed (possibly related to argument '" + errName + "')";
        return new ConfigSetException(reason == null ? prefix : prefix + " - " + reason);
    }

    // ------------------------------------------------------------------------ apply hooks

    /**
     * Registers a hook on several parameters; it runs once per CONFIG SET that changes any of them
     * (see {@link ApplyHook}). Register while wiring the server, before it serves clients.
     */
    public void addApplyHook(ApplyHook hook, ConfigParam... onParams) {
        for (ConfigParam p : onParams) p.addApplyHook(hook);
    }

    // ------------------------------------------------------------------------ loading

    /** A config file directive that is not a parameter, kept for the subsystem owning it. */
    public record FileDirective(String name, List<String> args) {}

    /**
     * Receives non-parameter directives while a config is loaded: {@code rename-command from to},
     * {@code user name rules...}, {@code loadmodule path args...} and module parameters
     * ({@code module.name value}, joined into one value). Throwing rejects the line with a fatal
     * config error showing the line (e.g. {@code No such command in rename-command}).
     */
    @FunctionalInterface
    public interface DirectiveHandler {
        void handle(FileDirective directive) throws ConfigValueException;
    }

    /** Sets the handler for non-parameter directives (replacing any previous one). */
    public void setDirectiveHandler(DirectiveHandler handler) {
        this.directiveHandler = handler;
    }

    DirectiveHandler directiveHandler() {
        return directiveHandler;
    }

    void recordDirective(FileDirective d) {
        fileDirectives.add(d);
    }

    /**
     * Non-parameter directives read so far (rename-command, user, loadmodule, module parameters),
     * in file order, for the server to apply at startup.
     */
    public List<FileDirective> fileDirectives() {
        return Collections.unmodifiableList(fileDirectives);
    }

    /**
     * Loads a config file like {@code redis-server /path/redis.conf}: remembers its absolute
     * path for CONFIG REWRITE, then applies its directives over the current values.
     */
    public void loadFromFile(Path file) throws ConfigFileException {
        String absolute = ConfigText.absolutePath(ConfigText.fromPath(file), persistence.dir.get());
        configFile = ConfigText.toPath(absolute);
        loader.loadFile(absolute, false, null, null);
    }

    /**
     * Applies config text (redis.conf syntax) without making it the config file, e.g. settings
     * chosen by an embedding application.
     */
    public void loadFromString(String configText) throws ConfigFileException {
        loader.loadString(configText);
    }

    /**
     * A configuration from redis-server's command line arguments (without the program name): an
     * optional config file path first ({@code -} reads the config from stdin), then
     * {@code --name value...} options appended to the file's content. See {@link CommandLine}.
     * The caller handles {@code -v/--version}, {@code -h/--help}, {@code --test-memory} and
     * {@code --check-system} first ({@link CommandLine#specialAction}).
     */
    public static ServerConfig fromCommandLine(String... args) throws ConfigFileException {
        ServerConfig config = new ServerConfig();
        config.loadCommandLine(args, System.in);
        return config;
    }

    /** Applies command line arguments to this configuration (see {@link #fromCommandLine}). */
    public void loadCommandLine(String[] args, InputStream stdin) throws ConfigFileException {
        if (args.length == 0) return; // redis-server without arguments reads nothing at all
        CommandLine.Parsed parsed = CommandLine.parse(args);
        String file = null;
        if (parsed.configFile() != null) {
            file = ConfigText.absolutePath(parsed.configFile(), persistence.dir.get());
            configFile = ConfigText.toPath(file);
        }
        loader.loadFile(file, parsed.configFromStdin(), stdin, parsed.options());
    }

    // ------------------------------------------------------------------------ CONFIG REWRITE

    /**
     * Supplies the lines of a non-parameter directive for CONFIG REWRITE: e.g. the ACL subsystem
     * for {@code user} (Redis writes the ACL users unless an aclfile is used, then it only drops
     * the old lines) or modules for {@code loadmodule}. Without a supplier, the file's existing
     * lines of that directive are kept untouched (as for {@code rename-command}).
     */
    public void setRewriteDirective(String directive, Supplier<List<String>> lines) {
        rewriteDirectives.put(ConfigText.asciiLower(directive), lines);
    }

    /** CONFIG REWRITE of the file the server was started with. */
    public void rewrite() throws ConfigRewriteException {
        rewrite(configFile, false);
    }

    /** CONFIG REWRITE of the given file ({@code null}: the server has no config file). */
    public void rewrite(Path file) throws ConfigRewriteException {
        rewrite(file, false);
    }

    /**
     * CONFIG REWRITE; with {@code forceAll} every parameter is written even at its default (DEBUG
     * CONFIG-REWRITE-FORCE-ALL).
     */
    public void rewrite(Path file, boolean forceAll) throws ConfigRewriteException {
        if (file == null) throw new ConfigRewriteException("ERR The server is running without a config file", null);
        List<ConfigRewriter.ExtraDirective> extras = new ArrayList<>();
        for (Map.Entry<String, Supplier<List<String>>> e : rewriteDirectives.entrySet()) {
            extras.add(new ConfigRewriter.ExtraDirective(e.getKey(), List.copyOf(e.getValue().get())));
        }
        try {
            ConfigRewriter.rewrite(file, forceAll, params, this::primaryName, extras);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "CONFIG REWRITE failed: " + ConfigText.strerror(e));
            throw new ConfigRewriteException("ERR Rewriting config file: " + ConfigText.strerror(e), e);
        }
    }

    private String primaryName(String name) {
        Entry e = byName.get(name);
        return e == null ? null : e.param().name();
    }

    /** The DEBUG-flagged parameters as config lines (Redis's getConfigDebugInfo, for crash reports). */
    public String debugInfo() {
        List<ConfigParam> debug = new ArrayList<>();
        for (ConfigParam p : params) {
            if (p.is(ConfigFlag.DEBUG)) debug.add(p);
        }
        return ConfigRewriter.dump(debug);
    }
}
