package dev.cinnabar.server.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinnabar.server.CinnabarServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real redis-server and a Cinnabar server, both started once for a test class, for tests that
 * send both the same commands and compare the replies. Register it as a static field:
 * <pre>{@code
 * @RegisterExtension
 * static final ReferencePair servers = ReferencePair.create().debugCommand();
 * }</pre>
 * The whole class is skipped where redis-server is not installed.
 */
public final class ReferencePair implements BeforeAllCallback, AfterAllCallback {
    private boolean debugCommand;
    private boolean clients;
    private RealRedisServer redis;
    private CinnabarServer cinnabar;
    private RespClient ref;
    private RespClient cin;
    private int[] redisVersion;

    private ReferencePair() {}

    public static ReferencePair create() {
        return new ReferencePair();
    }

    /** Enables DEBUG on Cinnabar too (the reference always has it). */
    public ReferencePair debugCommand() {
        debugCommand = true;
        return this;
    }

    /** Also opens one client to each server for the whole class: {@link #ref()} and {@link #cin()}. */
    public ReferencePair withClients() {
        clients = true;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server is not installed");
        redis = RealRedisServer.start();
        redisVersion = version(redis.port());
        CinnabarServer.Builder builder = CinnabarServer.builder().port(0);
        if (debugCommand) {
            builder.enableDebugCommand(true);
        }
        cinnabar = builder.start();
        if (clients) {
            ref = new RespClient(redis.port());
            cin = new RespClient(cinnabar.port());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {ref, cin, cinnabar, redis}) {
            if (c != null) {
                c.close();
            }
        }
        ref = null;
        cin = null;
        cinnabar = null;
        redis = null;
    }

    public int redisPort() {
        return redis.port();
    }

    public int cinnabarPort() {
        return cinnabar.port();
    }

    /** The class-wide client to the reference server ({@link #withClients()}). */
    public RespClient ref() {
        return ref;
    }

    /** The class-wide client to Cinnabar ({@link #withClients()}). */
    public RespClient cin() {
        return cin;
    }

    /** Whether the installed reference is at least version {@code major.minor}. */
    public boolean redisAtLeast(int major, int minor) {
        return redisVersion[0] > major || (redisVersion[0] == major && redisVersion[1] >= minor);
    }

    private static int[] version(int port) throws Exception {
        try (RespClient c = new RespClient(port)) {
            String info = (String) c.call("INFO", "server");
            String version = info.lines().filter(l -> l.startsWith("redis_version:")).findFirst().orElseThrow()
                    .substring("redis_version:".length()).trim();
            String[] p = version.split("\\.");
            return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
        }
    }
}
