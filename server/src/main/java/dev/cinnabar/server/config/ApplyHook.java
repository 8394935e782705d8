package dev.cinnabar.server.config;

/**
 * Reaction of a server component to a CONFIG SET change (Redis's per-config {@code apply}
 * functions: re-listen on a new port, resize the replication backlog, ...).
 *
 * <p>Contract, matching Redis:
 * <ul>
 *   <li>Hooks run only for CONFIG SET (never while loading the config file or command line: the
 *       server reads the loaded values when it starts).</li>
 *   <li>They run after <em>all</em> parameters of the call have been parsed and stored, so a hook
 *       reads the new values straight from the parameter objects. A hook runs only if one of the
 *       parameters it is registered on actually changed value (volatile parameters always count
 *       as changed).</li>
 *   <li>The same hook instance registered on several parameters runs once per CONFIG SET
 *       (deduplicated by identity), like Redis deduplicates apply function pointers, e.g. one TLS
 *       reconfiguration for several tls-* parameters.</li>
 *   <li>To refuse the change, throw {@link ConfigValueException} with Redis's reason text. All
 *       parameters of the call are then restored and every hook collected for the call runs again
 *       with the restored values (its failures are only logged), then CONFIG SET replies
 *       {@code ERR CONFIG SET failed (possibly related to argument '<name>') - <reason>}.</li>
 *   <li>Hooks run under the server's global lock, on the thread executing CONFIG SET.</li>
 * </ul>
 */
@FunctionalInterface
public interface ApplyHook {

    /**
     * Applies the new configuration.
     *
     * @throws ConfigValueException to refuse it (the reason is sent to the client)
     */
    void apply() throws ConfigValueException;
}
