package dev.cinnabar.server;

import dev.cinnabar.server.persistence.aof.Aof;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * SIGTERM / SIGINT handling as redis-server does it. The signal only schedules the shutdown;
 * the server timer performs it under the server lock with the flags of shutdown-on-sigterm /
 * shutdown-on-sigint, so it can fail (a final save that cannot be written, an initial AOF
 * rewrite still running) and the server then keeps serving, and SHUTDOWN ABORT can cancel a
 * scheduled one. A second SIGINT while one is pending exits at once. SIGHUP is ignored.
 *
 * <p>Only a server process of its own installs this (see {@link Main}); embedded servers
 * leave the JVM's signals alone.
 */
public final class ShutdownSignals {
    static final int SIGINT = 2;
    static final int SIGTERM = 15;

    private final Server server;
    /** The signal whose shutdown is scheduled, 0 for none (Redis shutdown_asap + last_sig_received). */
    private volatile int pending;

    ShutdownSignals(Server server) {
        this.server = server;
    }

    /** Installs the handlers for the server of this process. */
    public static ShutdownSignals install(Server server) {
        ShutdownSignals s = new ShutdownSignals(server);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> s.onSignal(SIGTERM));
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> s.onSignal(SIGINT));
        // Redis ignores SIGHUP: losing the terminal must not stop a server.
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> { });
        server.shutdownSignals = s;
        return s;
    }

    void onSignal(int sig) {
        if (pending != 0 && sig == SIGINT) {
            server.log.warning("You insist... exiting now.");
            removeTempRdbFiles();
            Runtime.getRuntime().halt(1); // not a clean shutdown
            return;
        }
        String msg;
        if (server.loading) {
            msg = "Received shutdown signal during loading, scheduling shutdown.";
        } else {
            msg = sig == SIGINT ? "Received SIGINT scheduling shutdown..." : "Received SIGTERM scheduling shutdown...";
        }
        server.log.warning(msg);
        pending = sig;
        if (server.stopped()) {
            return;
        }
        if (!server.execute(() -> { })) {
            // Not serving yet (still loading): nothing to save, stop right away.
            Runtime.getRuntime().halt(0);
        }
    }

    /**
     * When a signalled shutdown waiting for lagging replicas goes ahead regardless (Unix ms), 0
     * when none waits (Redis shutdown_mstime).
     */
    private long deadline;
    private boolean save;
    private boolean nosave;
    private boolean force;

    public long deadline() {
        return deadline;
    }

    /** SHUTDOWN ABORT of a shutdown a signal scheduled or started: true when there was one. */
    public boolean abort() {
        if (deadline != 0) {
            cancel();
        } else if (pending == 0) {
            return false;
        }
        pending = 0;
        server.log.notice("Shutdown manually aborted.");
        return true;
    }

    private void cancel() {
        deadline = 0;
        pending = 0;
        server.pause.pauseDuringShutdown(false);
    }

    /** From the server timer, under the lock: performs a scheduled shutdown. */
    void cron() {
        if (server.stopped()) {
            return;
        }
        if (deadline != 0) {
            if (server.clock.millis() >= deadline || server.replication.replicasInSync()) {
                finishAndExit();
            }
            return;
        }
        int sig = pending;
        if (sig == 0) {
            return;
        }
        String flags = " " + (sig == SIGINT ? server.config.general.shutdownOnSigint.value()
                : server.config.general.shutdownOnSigterm.value()) + " ";
        nosave = flags.contains(" nosave ") || server.loading;
        save = flags.contains(" save ") && !nosave;
        force = flags.contains(" force ");
        server.log.notice("User requested shutdown...");
        server.scripting.killForShutdown();
        int timeout = server.config.general.shutdownTimeout.get();
        if (!flags.contains(" now ") && timeout != 0 && !server.replication.replicasInSync()) {
            // Redis prepareForShutdown: give lagging replicas shutdown-timeout seconds to catch
            // up, with writes paused so the stream stops growing.
            deadline = server.clock.millis() + timeout * 1000L;
            server.replication.requestAcks();
            server.pause.pauseDuringShutdown(true);
            server.log.notice("Waiting for replicas before shutting down.");
            return;
        }
        finishAndExit();
    }

    private void finishAndExit() {
        server.replication.logShutdownSync();
        boolean ok = finish(server, save, nosave, force);
        cancel();
        if (!ok) {
            return;
        }
        Thread t = new Thread(() -> server.shutdown(true), "shutdown");
        t.setDaemon(false);
        t.start();
    }

    /**
     * The checks and the final save of Redis finishShutdown, for SHUTDOWN and for signals: false
     * (and the reason logged) when the server must keep running.
     */
    public static boolean finish(Server server, boolean save, boolean nosave, boolean force) {
        Aof aof = server.aof;
        if (aof.state() == Aof.State.WAIT_REWRITE && aof.rewriteInProgress()) {
            // appendonly was just turned on: the only AOF would be the unfinished rewrite.
            if (force) {
                server.log.warning("Writing initial AOF. Exit anyway.");
            } else {
                server.log.warning("Writing initial AOF, can't exit.");
                server.log.warning("Errors trying to shut down the server. Check the logs for more information.");
                return false;
            }
        }
        if (!server.rdb.saveForShutdown(save, nosave, force)) {
            server.log.warning("Errors trying to shut down the server. Check the logs for more information.");
            return false;
        }
        return true;
    }

    /** Redis rdbRemoveTempFile on an abrupt exit: the save in progress leaves no temp file. */
    private void removeTempRdbFiles() {
        long pid = ProcessHandle.current().pid();
        Path dir = server.config.persistence.dir.path();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "temp-" + pid + "*.rdb")) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            // best effort on the way out
        }
    }
}
