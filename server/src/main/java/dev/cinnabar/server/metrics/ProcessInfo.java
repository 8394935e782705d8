package dev.cinnabar.server.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Facts about the server process for INFO: CPU time (Redis getrusage), resident memory,
 * system memory, pid, executable and the "uname" line. Linux values come from /proc; other
 * systems fall back to what the JVM reports.
 */
public final class ProcessInfo {
    private ProcessInfo() {}

    /** Clock ticks per second of /proc/self/stat times (USER_HZ, 100 on every Linux port). */
    private static final long TICKS = 100;
    private static final long PAGE = 4096;

    public static final long PID = ProcessHandle.current().pid();

    /** {user, system, children user, children system} CPU time of the process, in microseconds. */
    public static long[] cpuMicros() {
        long[] out = new long[4];
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the parenthesised command name, which may itself contain spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime is field 14 of the whole line, i.e. index 11 after "pid (comm) ".
            for (int i = 0; i < 4; i++) {
                out[i] = Long.parseLong(f[11 + i]) * (1_000_000 / TICKS);
            }
        } catch (IOException | RuntimeException e) {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                out[0] = Math.max(0, os.getProcessCpuTime() / 1000);
            }
        }
        return out;
    }

    /** {user, system} CPU time of the calling thread (the thread running commands), in µs. */
    public static long[] threadCpuMicros() {
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        try {
            long cpu = t.getCurrentThreadCpuTime();
            long user = t.getCurrentThreadUserTime();
            if (cpu >= 0 && user >= 0) {
                return new long[] {user / 1000, Math.max(0, cpu - user) / 1000};
            }
        } catch (UnsupportedOperationException e) {
            // reported as zero below
        }
        return new long[] {0, 0};
    }

    /** Resident set size in bytes (INFO used_memory_rss). */
    public static long rss() {
        try {
            String statm = Files.readString(Path.of("/proc/self/statm"));
            return Long.parseLong(statm.split(" ")[1]) * PAGE;
        } catch (IOException | RuntimeException e) {
            Runtime r = Runtime.getRuntime();
            return r.totalMemory();
        }
    }

    public static long totalSystemMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    /** The uname line Redis prints as "os": system, release, machine. */
    public static String os() {
        String arch = System.getProperty("os.arch", "");
        String machine = switch (arch) {
            case "amd64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> arch;
        };
        return System.getProperty("os.name", "") + " " + System.getProperty("os.version", "") + " " + machine;
    }

    /** The program running the server (the JVM launcher). */
    public static String executable() {
        return ProcessHandle.current().info().command().orElse("");
    }

    /** Java heap in use, in bytes: the memory Cinnabar's data and buffers occupy (INFO used_memory). */
    public static long heapUsed() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    public static long heapCommitted() {
        return Runtime.getRuntime().totalMemory();
    }

    /** Redis bytesToHuman: 1023B, 1.00K, 2.50M, ... */
    public static String human(long n) {
        if (n < 1024) {
            return n + "B";
        }
        String[] units = {"K", "M", "G", "T", "P"};
        double d = n;
        for (String u : units) {
            d /= 1024;
            if (d < 1024 || u.equals("P")) {
                return String.format(Locale.ROOT, "%.2f%s", d, u);
            }
        }
        return n + "B";
    }
}
