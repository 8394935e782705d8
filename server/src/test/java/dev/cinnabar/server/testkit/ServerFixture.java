package dev.cinnabar.server.testkit;

import dev.cinnabar.server.CinnabarServer;
import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.testkit.RespClient.Err;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process server for a test class, plus a fresh connection for each test. Register it as
 * a static field and take the test's connection in a field initializer:
 * <pre>{@code
 * @RegisterExtension
 * static final ServerFixture server = ServerFixture.create().debugCommand()
 *         .eachTest("FLUSHALL")
 *         .eachTest("CONFIG", "SET", "hash-max-listpack-entries", "512");
 * final RespClient c = server.client();
 * }</pre>
 * The server starts before the first test and stops after the last; the commands given to
 * {@link #eachTest} run on the test's connection before each test (an error reply fails it);
 * the test's connection and every {@link #newClient()} are closed after it, then the commands
 * given to {@link #afterEachTest} run.
 */
public final class ServerFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final CinnabarServer.Builder builder = CinnabarServer.builder().port(0);
    private final StringBuilder extraConfig = new StringBuilder();
    private final List<Object[]> eachTest = new ArrayList<>();
    private final List<Object[]> afterEachTest = new ArrayList<>();
    private ServerClock clock;
    private Consumer<Server> onStart;
    private boolean awaitUnblocked;

    private CinnabarServer cinnabar;
    private Server server;
    private RespClient client;
    private final List<RespClient> others = new ArrayList<>();

    private ServerFixture() {}

    public static ServerFixture create() {
        return new ServerFixture();
    }

    /** A redis.conf directive for the server. */
    public ServerFixture config(String name, String... values) {
        builder.config(name, values);
        extraConfig.append(name);
        for (String v : values) {
            extraConfig.append(" \"").append(v).append('"');
        }
        extraConfig.append('\n');
        return this;
    }

    /** Allows DEBUG (enable-debug-command yes). */
    public ServerFixture debugCommand() {
        return config("enable-debug-command", "yes");
    }

    /** Runs the server on this clock (through {@link TestServers}) rather than on real time. */
    public ServerFixture clock(ServerClock clock) {
        this.clock = clock;
        return this;
    }

    /** Called once the server is listening, before any test. */
    public ServerFixture onStart(Consumer<Server> hook) {
        onStart = hook;
        return this;
    }

    /** A command to send on the test's connection before every test. */
    public ServerFixture eachTest(Object... command) {
        eachTest.add(command);
        return this;
    }

    /** A command to send after every test, on a connection of its own, to undo what tests change. */
    public ServerFixture afterEachTest(Object... command) {
        afterEachTest.add(command);
        return this;
    }

    /**
     * The usual server for tests that drive time by hand: on {@code clock}, with active expiry
     * off (keys expire only when touched), flushed before every test.
     */
    public static ServerFixture manualTime(ServerClock clock) {
        return create().clock(clock).onStart(s -> s.runLocked(() -> s.expiry.enabled(false))).eachTest("FLUSHALL");
    }

    /** After every test, once its connections are closed, waits until no client is blocked. */
    public ServerFixture awaitUnblockedAfterEach() {
        awaitUnblocked = true;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (clock == null) {
            cinnabar = builder.start();
            server = cinnabar.server();
        } else {
            server = TestServers.start(clock, extraConfig.toString());
        }
        if (onStart != null) {
            onStart.accept(server);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cinnabar != null) {
            cinnabar.close();
        } else if (server != null) {
            server.close();
        }
        cinnabar = null;
        server = null;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        for (Object[] command : eachTest) {
            Object reply = client().call(command);
            if (reply instanceof Err e) {
                throw new AssertionError(Arrays.toString(command) + " failed: " + e.message());
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (RespClient o : others) {
            o.close();
        }
        others.clear();
        if (client != null) {
            client.close();
            client = null;
        }
        if (awaitUnblocked) {
            waitUntil(() -> blockedClients() == 0);
        }
        if (!afterEachTest.isEmpty()) {
            try (RespClient c = connect()) {
                for (Object[] command : afterEachTest) {
                    c.call(command);
                }
            }
        }
    }

    public int port() {
        return server.port();
    }

    public Server server() {
        return server;
    }

    /** The current test's connection, opened on first use and closed after the test. */
    public RespClient client() {
        if (client == null) {
            client = connect();
        }
        return client;
    }

    /** Another connection for the current test, closed after it. */
    public RespClient newClient() {
        RespClient o = connect();
        others.add(o);
        return o;
    }

    private RespClient connect() {
        try {
            return new RespClient(server.port());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many clients wait in a blocking command. */
    public long blockedClients() {
        long[] n = new long[1];
        server.runLocked(() -> n[0] = server.blocking.blockedClients());
        return n[0];
    }

    /** Waits (at most 5 s) until exactly {@code n} clients are blocked. */
    public void waitForBlocked(long n) {
        waitUntil(() -> blockedClients() == n);
    }

    /** Polls {@code cond} every 2 ms until it holds; fails after 5 s. */
    public static void waitUntil(BooleanSupplier cond) {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not reached in time");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
