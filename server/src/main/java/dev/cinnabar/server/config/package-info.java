/**
 * Server configuration with Redis 7.2.6's exact behaviour: the parameter table, CONFIG
 * GET/SET/REWRITE, redis.conf and command line parsing.
 *
 * <h2>Reading values</h2>
 * {@link dev.cinnabar.server.config.ServerConfig} holds one typed object per parameter, grouped by
 * area: {@code config.network.port.get()}, {@code config.memory.maxmemoryPolicy.get()},
 * {@code config.persistence.save.get()}. Reads are volatile loads of immutable values; writes
 * happen only during startup loading and CONFIG SET (under the server's global lock).
 *
 * <h2>Startup</h2>
 * <pre>{@code
 * switch (CommandLine.specialAction(args)) { ... }          // --version, --help: caller's business
 * ServerConfig config = new ServerConfig();
 * config.setDirectiveHandler(d -> ...);                       // optional: validate rename-command, user...
 * try {
 *     config.loadCommandLine(args, System.in);
 * } catch (ConfigFileException e) {
 *     System.err.print(e.getMessage());                       // Redis's exact report
 *     System.exit(1);
 * }
 * // then read config values and config.fileDirectives() to build the server
 * }</pre>
 *
 * <h2>Reacting to CONFIG SET</h2>
 * Components register {@link dev.cinnabar.server.config.ApplyHook}s on the parameters they
 * depend on, before serving clients:
 * <pre>{@code
 * config.addApplyHook(() -> {
 *     if (!listener.rebind(config.network.bind.get(), config.network.port.get())) {
 *         throw new ConfigValueException(ApplyErrors.LISTEN_FAILED);
 *     }
 * }, config.network.port);
 * }</pre>
 * A hook runs once per CONFIG SET that changed one of its parameters, after all values of the call
 * are stored; throwing rolls the whole call back (values restored, hooks re-run).
 *
 * <h2>Commands</h2>
 * CONFIG GET: {@link dev.cinnabar.server.config.ServerConfig#get}; CONFIG SET:
 * {@link dev.cinnabar.server.config.ServerConfig#set(java.util.List,
 * dev.cinnabar.server.config.ServerConfig.SetContext)} (error replies in
 * {@link dev.cinnabar.server.config.ConfigSetException#getMessage()}; redact values of
 * {@link dev.cinnabar.server.config.ServerConfig#isSensitive sensitive} names); CONFIG REWRITE:
 * {@link dev.cinnabar.server.config.ServerConfig#rewrite()}. CONFIG RESETSTAT is the server's.
 *
 * <h2>Strings</h2>
 * All names and values are byte strings, one char per byte (ISO-8859-1), see
 * {@link dev.cinnabar.server.config.ConfigText}.
 */
package dev.cinnabar.server.config;
