package dev.cinnabar.server;

import dev.cinnabar.server.config.ConfigEnums.OomScoreAdj;
import dev.cinnabar.server.config.OomScoreAdjValuesParam;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * oom-score-adj / oom-score-adj-values (Redis setOOMScoreAdj): the process's Linux OOM-killer
 * score follows its role (master or replica). With "relative" (or "yes") the configured value
 * is added to the score the process had when the server took control; "absolute" writes it as
 * is; turning the feature off restores that original score. Only a server that owns its
 * process applies it (see {@link Main}); elsewhere this does nothing.
 */
public final class OomScore {
    private static final Path PROC = Path.of("/proc/self/oom_score_adj");

    private final Server server;
    private boolean enabled;
    /** Whether the score was changed by us, and what it was before (Redis's statics). */
    private boolean adjusted;
    private int base;

    OomScore(Server server) {
        this.server = server;
    }

    /** Called by a server process at start-up: from now on the score is managed. */
    void enable() {
        enabled = true;
    }

    /**
     * Applies the score of the current role; false (a warning logged) when /proc cannot be read
     * or written, e.g. lowering the score without the privilege to.
     */
    public boolean update() {
        if (!enabled || !Files.exists(PROC)) {
            return true;
        }
        OomScoreAdj mode = server.config.general.oomScoreAdj.get();
        int val;
        if (mode != OomScoreAdj.NO) {
            if (!adjusted) {
                try {
                    base = Integer.parseInt(Files.readString(PROC, StandardCharsets.US_ASCII).trim());
                } catch (IOException | NumberFormatException e) {
                    server.log.warning("Unable to read oom_score_adj: " + e.getMessage());
                    return false;
                }
                adjusted = true;
            }
            OomScoreAdjValuesParam.Values v = server.config.general.oomScoreAdjValues.get();
            val = server.replication.replicaOf.isReplica() ? v.replica() : v.master();
            if (mode == OomScoreAdj.RELATIVE) {
                val += base;
            }
            val = Math.max(-1000, Math.min(1000, val));
        } else if (adjusted) {
            adjusted = false;
            val = base;
        } else {
            return true;
        }
        try {
            Files.writeString(PROC, val + "\n", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException e) {
            String reason = e instanceof java.nio.file.AccessDeniedException ? "Permission denied" : e.getMessage();
            server.log.warning("Unable to write oom_score_adj: " + reason);
            return false;
        }
    }
}
