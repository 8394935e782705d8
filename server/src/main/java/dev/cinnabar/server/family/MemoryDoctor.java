package dev.cinnabar.server.family;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.metrics.MemoryOverhead;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The MEMORY DOCTOR report: the checks of Redis's getMemoryDoctorReport (peak far above current
 * use, fragmentation, big client buffers), applied to the JVM heap, in our own words.
 */
final class MemoryDoctor {
    private MemoryDoctor() {}

    /** Below this, there is nothing worth analysing. */
    static final long SMALL_INSTANCE = 5L << 20;

    static String report(Server s, MemoryOverhead mh) {
        if (mh.used() < SMALL_INSTANCE) {
            return "This server is empty or uses very little memory (" + mh.used()
                    + " bytes of heap); there is nothing to report yet.\n";
        }
        List<String> issues = new ArrayList<>();
        if ((double) mh.peak() / mh.used() > 1.5) {
            issues.add("Peak memory: at some point the server used " + pct((double) mh.peak() / mh.used())
                    + " of what it uses now. The heap committed for that peak may stay committed until the"
                    + " JVM gives it back (after ZUncommitDelay); MEMORY PURGE asks for a collection now.");
        }
        if (mh.fragmentation() > 1.4 && mh.fragmentationBytes() > (10L << 20)) {
            issues.add("Process overhead: the resident memory is " + ratio(mh.fragmentation())
                    + " times the heap in use. Part of it is the JVM itself (code, threads, metadata), part"
                    + " is heap committed but not in use; it matters little on big datasets.");
        }
        if (mh.allocatorFragRatio() > 1.5 && mh.allocatorFragBytes() > (10L << 20)) {
            issues.add("Heap headroom: the committed heap is " + ratio(mh.allocatorFragRatio())
                    + " times the heap in use. The collector keeps room to allocate in; it shrinks when the"
                    + " server stays idle.");
        }
        int clients = s.clients.size();
        if (clients > 0 && mh.clientsNormal() / clients > (200L << 10)) {
            issues.add("Client buffers: connected clients hold " + mh.clientsNormal() / clients
                    + " bytes each on average (query and output buffers). Slow readers or big pipelines"
                    + " cause this; client-output-buffer-limit bounds what one client may hold.");
        }
        if (issues.isEmpty()) {
            return "No memory issue found: used " + mh.used() + " bytes, peak " + mh.peak() + " bytes, "
                    + mh.totalKeys() + " keys.\n";
        }
        StringBuilder sb = new StringBuilder("Some things about the memory of this server deserve a look:\n\n");
        for (String i : issues) {
            sb.append(" * ").append(i).append("\n\n");
        }
        return sb.toString();
    }

    private static String pct(double r) {
        return String.format(Locale.ROOT, "%.0f%%", r * 100);
    }

    private static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }
}
