package dev.cinnabar.server.ops;

import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.Server;

/**
 * Adapts each client's reply buffer size to its replies, as Redis's clientsCron does
 * (clientsCronResizeOutputBuffer): a buffer the client's replies filled doubles (up to 16 KB), a
 * buffer less than half used over the last peak period shrinks to just above the peak (down to
 * 1 KB). The peak restarts every {@code DEBUG REPLYBUFFER PEAK-RESET-TIME} ms (5 s by default),
 * so an idle client's buffer shrinks. INFO counts the resizes (reply_buffer_shrinks/expands).
 *
 * <p>Runs in the server cron with the server lock held.
 */
public final class ReplyBuffers {
    private final Server server;
    public long shrinks;
    public long expands;

    ReplyBuffers(Server server) {
        this.server = server;
    }

    void cron(long nowMillis) {
        if (!server.debug.replyBufferResizing) {
            return;
        }
        long resetTime = server.debug.replyBufferPeakResetTime;
        for (Client c : server.clients.all()) {
            if (c.conn != null) {
                resize(c.reply, nowMillis, resetTime);
            }
        }
    }

    void resize(ReplyWriter w, long now, long peakResetTime) {
        int size = w.bufferSize();
        int peak = w.bufferPeak();
        int newSize = 0;
        if (size / 2 >= ReplyWriter.MIN_BUFFER && peak < size / 2) {
            newSize = Math.max(ReplyWriter.MIN_BUFFER, peak + 1);
            shrinks++;
        } else if (size * 2 < ReplyWriter.MAX_BUFFER * 2 && peak == size) {
            newSize = Math.min(ReplyWriter.MAX_BUFFER, size * 2);
            expands++;
        }
        if (peakResetTime >= 0 && now - w.bufferPeakResetAt() >= peakResetTime) {
            w.resetBufferPeak(now);
        }
        if (newSize != 0) {
            w.resizeBuffer(newSize);
        }
    }

    /** CONFIG RESETSTAT. */
    public void resetStats() {
        shrinks = 0;
        expands = 0;
    }
}
