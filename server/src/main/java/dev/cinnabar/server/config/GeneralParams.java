package dev.cinnabar.server.config;

import static dev.cinnabar.server.config.ConfigFlag.DEBUG;
import static dev.cinnabar.server.config.ConfigFlag.HIDDEN;
import static dev.cinnabar.server.config.ConfigFlag.IMMUTABLE;
import static dev.cinnabar.server.config.ConfigFlag.MULTI_ARG;
import static dev.cinnabar.server.config.ConfigFlag.SENSITIVE;
import static dev.cinnabar.server.config.NumericParam.INTEGER;
import static dev.cinnabar.server.config.ParamTable.INT_MAX;
import static dev.cinnabar.server.config.ParamTable.LONG_MAX;

import dev.cinnabar.server.config.ConfigEnums.AclPubsubDefault;
import dev.cinnabar.server.config.ConfigEnums.LogLevel;
import dev.cinnabar.server.config.ConfigEnums.OomScoreAdj;
import dev.cinnabar.server.config.ConfigEnums.ProtectedAction;
import dev.cinnabar.server.config.ConfigEnums.Supervised;
import dev.cinnabar.server.config.ConfigEnums.SyslogFacility;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parameters of the process itself: daemon and logging, threads and timers, shutdown, security
 * switches (protected configs, DEBUG/MODULE commands, ACL), scripting.
 */
public final class GeneralParams {

    /** Redis's minimum and maximum effective hz: CONFIG SET hz accepts more but clamps. */
    public static final int MIN_HZ = 1;
    public static final int MAX_HZ = 500;

    public final BoolParam daemonize;
    public final EnumParam<Supervised> supervised;
    public final StringParam pidfile;
    public final EnumParam<LogLevel> loglevel;
    /** Log file name, "" for standard output. */
    public final StringParam logfile;
    public final BoolParam syslogEnabled;
    public final StringParam syslogIdent;
    public final EnumParam<SyslogFacility> syslogFacility;
    public final BoolParam crashLogEnabled;
    public final BoolParam crashMemcheckEnabled;
    /** Test knob: exit instead of abort on panic. */
    public final BoolParam useExitOnPanic;
    public final IntParam databases;
    public final BoolParam alwaysShowLogo;
    public final BoolParam setProcTitle;
    public final StringParam procTitleTemplate;
    public final StringParam localeCollate;
    /** Configured server cron frequency, clamped to [{@link #MIN_HZ}, {@link #MAX_HZ}]. */
    public final IntParam hz;
    public final BoolParam dynamicHz;
    public final IntParam ioThreads;
    public final BoolParam ioThreadsDoReads;
    public final BoolParam jemallocBgThread;
    public final BoolParam disableThp;
    public final EnumParam<OomScoreAdj> oomScoreAdj;
    public final OomScoreAdjValuesParam oomScoreAdjValues;
    public final StringParam serverCpulist;
    public final StringParam bioCpulist;
    public final StringParam aofRewriteCpulist;
    public final StringParam bgsaveCpulist;
    public final StringParam ignoreWarnings;
    /** Bits {@link ConfigEnums#SHUTDOWN_SAVE}... */
    public final FlagSetParam shutdownOnSigint;
    public final FlagSetParam shutdownOnSigterm;
    public final IntParam shutdownTimeout;
    /** Test knob: software watchdog period in milliseconds, 0 = off. */
    public final IntParam watchdogPeriod;
    public final EnumParam<ProtectedAction> enableProtectedConfigs;
    public final EnumParam<ProtectedAction> enableDebugCommand;
    public final EnumParam<ProtectedAction> enableModuleCommand;
    public final StringParam aclfile;
    /** The default user's password (legacy AUTH); {@code null} when unset. */
    public final StringParam requirepass;
    public final LongParam acllogMaxLen;
    public final EnumParam<AclPubsubDefault> aclPubsubDefault;
    /** Milliseconds after which a busy script/function lets other clients get BUSY replies. */
    public final LongParam busyReplyThreshold;

    private final ServerConfig config;

    GeneralParams(ParamTable t, ServerConfig config) {
        this.config = config;
        daemonize = t.bool("daemonize", null, false, IMMUTABLE);
        supervised = t.enumeration("supervised", null, Supervised.class, Supervised.NO, IMMUTABLE);
        pidfile = t.nullableString("pidfile", null, null, null, IMMUTABLE);
        loglevel = t.enumeration("loglevel", null, LogLevel.class, LogLevel.NOTICE);
        logfile = t.string("logfile", null, "", null, IMMUTABLE);
        syslogEnabled = t.bool("syslog-enabled", null, false, IMMUTABLE);
        syslogIdent = t.string("syslog-ident", null, "redis", null, IMMUTABLE);
        syslogFacility = t.enumeration("syslog-facility", null, SyslogFacility.class, SyslogFacility.LOCAL0,
                IMMUTABLE);
        crashLogEnabled = t.bool("crash-log-enabled", null, true);
        crashMemcheckEnabled = t.bool("crash-memcheck-enabled", null, true);
        useExitOnPanic = t.bool("use-exit-on-panic", null, false, HIDDEN);
        databases = t.integer("databases", null, 1, INT_MAX, 16, IMMUTABLE);
        alwaysShowLogo = t.bool("always-show-logo", null, false, IMMUTABLE);
        setProcTitle = t.bool("set-proc-title", null, true, IMMUTABLE);
        procTitleTemplate = t.string("proc-title-template", null, "{title} {listen-addr} {server-mode}",
                this::checkProcTitleTemplate);
        localeCollate = t.string("locale-collate", null, "", null);
        localeCollate.addApplyHook(this::checkLocale);
        hz = t.integer("hz", null, 0, INT_MAX, 10);
        // Hz is a hint: out of range values are accepted but clamped (Redis's updateHZ).
        hz.addApplyHook(this::clampHz);
        dynamicHz = t.bool("dynamic-hz", null, true);
        ioThreads = t.integer("io-threads", null, 1, 128, 1, DEBUG, IMMUTABLE);
        ioThreadsDoReads = t.bool("io-threads-do-reads", null, false, DEBUG, IMMUTABLE);
        jemallocBgThread = t.bool("jemalloc-bg-thread", null, true);
        disableThp = t.bool("disable-thp", null, true, IMMUTABLE);
        oomScoreAdj = t.enumeration("oom-score-adj", null, OomScoreAdj.class, OomScoreAdj.NO);
        oomScoreAdjValues = t.add(new OomScoreAdjValuesParam());
        serverCpulist = t.nullableString("server_cpulist", null, null, null, IMMUTABLE);
        bioCpulist = t.nullableString("bio_cpulist", null, null, null, IMMUTABLE);
        aofRewriteCpulist = t.nullableString("aof_rewrite_cpulist", null, null, null, IMMUTABLE);
        bgsaveCpulist = t.nullableString("bgsave_cpulist", null, null, null, IMMUTABLE);
        ignoreWarnings = t.string("ignore-warnings", null, "", null);
        shutdownOnSigint = t.add(new FlagSetParam("shutdown-on-sigint", null, ConfigEnums.SHUTDOWN_FLAGS, 0,
                GeneralParams::checkShutdownFlags, MULTI_ARG));
        shutdownOnSigterm = t.add(new FlagSetParam("shutdown-on-sigterm", null, ConfigEnums.SHUTDOWN_FLAGS, 0,
                GeneralParams::checkShutdownFlags, MULTI_ARG));
        shutdownTimeout = t.integer("shutdown-timeout", null, 0, INT_MAX, 10);
        watchdogPeriod = t.integer("watchdog-period", null, 0, INT_MAX, 0, HIDDEN);
        enableProtectedConfigs = t.enumeration("enable-protected-configs", null, ProtectedAction.class,
                ProtectedAction.NO, IMMUTABLE);
        enableDebugCommand = t.enumeration("enable-debug-command", null, ProtectedAction.class,
                ProtectedAction.NO, IMMUTABLE);
        enableModuleCommand = t.enumeration("enable-module-command", null, ProtectedAction.class,
                ProtectedAction.NO, IMMUTABLE);
        aclfile = t.string("aclfile", null, "", null, IMMUTABLE);
        requirepass = t.nullableString("requirepass", null, null, null, SENSITIVE);
        acllogMaxLen = t.longNum("acllog-max-len", null, NumericParam.Kind.ULONG, 0, LONG_MAX, 128, INTEGER);
        aclPubsubDefault = t.enumeration("acl-pubsub-default", null, AclPubsubDefault.class,
                AclPubsubDefault.RESETCHANNELS);
        busyReplyThreshold = t.longNum("busy-reply-threshold", "lua-time-limit", NumericParam.Kind.LONG_LONG, 0,
                LONG_MAX, 5000, INTEGER);
    }

    private static void checkShutdownFlags(int mask) throws ConfigValueException {
        if ((mask & ConfigEnums.SHUTDOWN_SAVE) != 0 && (mask & ConfigEnums.SHUTDOWN_NOSAVE) != 0) {
            throw new ConfigValueException("shutdown options SAVE and NOSAVE can't be used simultaneously");
        }
    }

    private void clampHz() {
        int v = hz.get();
        if (v < MIN_HZ) hz.store(MIN_HZ);
        if (v > MAX_HZ) hz.store(MAX_HZ);
    }

    /** Clamps hz after loading a config file, as Redis does at the end of each load. */
    void clampHzAfterLoad() {
        clampHz();
    }

    private void checkProcTitleTemplate(String template) throws ConfigValueException {
        String expanded = expandProcTitle(template, "");
        if (expanded == null || expanded.isEmpty()) {
            throw new ConfigValueException("template format is invalid or contains unknown variables");
        }
    }

    /**
     * Expands a proc-title-template like Redis: {@code {title}}, {@code {listen-addr}},
     * {@code {server-mode}}, {@code {config-file}}, {@code {port}}, {@code {tls-port}},
     * {@code {unixsocket}}; {@code {{} is a literal '{'. The result is trimmed of spaces.
     *
     * @return the title, or {@code null} for a malformed template or an unknown variable
     */
    public String expandProcTitle(String template, String title) {
        StringBuilder out = new StringBuilder();
        int p = 0;
        int n = template.length();
        while (p < n) {
            int open = template.indexOf('{', p);
            if (open < 0) {
                out.append(template, p, n);
                break;
            }
            out.append(template, p, open);
            int nameStart = open + 1;
            if (nameStart >= n) return null;
            if (template.charAt(nameStart) == '{') {
                out.append('{');
                p = nameStart + 1;
                continue;
            }
            int close = template.indexOf('}', nameStart);
            if (close < 0) return null;
            String value = procTitleVariable(template.substring(nameStart, close), title);
            if (value == null) return null;
            out.append(value);
            p = close + 1;
        }
        return ConfigText.trim(out.toString(), " ");
    }

    private String procTitleVariable(String name, String title) {
        NetworkParams net = config.network;
        TlsParams tls = config.tls;
        return switch (name) {
            case "title" -> title;
            case "listen-addr" -> {
                int port = net.port.get();
                int tlsPort = tls.tlsPort.get();
                if (port != 0 || tlsPort != 0) {
                    List<String> bind = net.bind.get();
                    yield (bind.isEmpty() ? "*" : bind.getFirst()) + ":" + (port != 0 ? port : tlsPort);
                }
                String sock = net.unixsocket.get();
                yield "unixsocket:" + (sock == null ? "(null)" : sock);
            }
            case "server-mode" -> config.cluster.clusterEnabled.get() ? "[cluster]" : "";
            case "config-file" -> config.configFile() == null ? "-" : ConfigText.fromPath(config.configFile());
            case "port" -> Integer.toString(net.port.get());
            case "tls-port" -> Integer.toString(tls.tlsPort.get());
            case "unixsocket" -> net.unixsocket.get() == null ? "" : net.unixsocket.get();
            default -> null;
        };
    }

    private static final Pattern LOCALE_NAME =
            Pattern.compile("([a-z]{2,3})(_[A-Z]{2})?(\\.[A-Za-z0-9-]+)?(@[A-Za-z0-9]+)?");
    private static final Set<String> LANGUAGES = Set.of(Locale.getISOLanguages());

    /**
     * Redis calls setlocale(LC_COLLATE, value), which only knows the locales installed on the
     * machine. The JVM cannot ask the C library, so this accepts "" (from the environment), the
     * portable C/POSIX locales, and well-formed names of languages the JVM knows.
     */
    private void checkLocale() throws ConfigValueException {
        String v = localeCollate.get();
        if (v.isEmpty() || v.equals("C") || v.equals("POSIX") || v.startsWith("C.")) return;
        var m = LOCALE_NAME.matcher(v);
        if (!m.matches() || !LANGUAGES.contains(m.group(1))) throw new ConfigValueException("Invalid locale name");
    }
}
