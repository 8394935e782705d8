package dev.cinnabar.server.config;

/**
 * redis-server's argv handling, turning {@code [configfile|-] [--name value ...]} into config
 * text appended after the file, exactly like redis-server's main():
 *
 * <ul>
 *   <li>A first argument not starting with '-' is the config file. {@code -} as the first or last
 *       argument reads config text from stdin (after the file).</li>
 *   <li>{@code --name} starts a directive line {@code name}; following arguments are its values,
 *       quoted, until the next {@code --}-prefixed argument <em>once the directive has at least one
 *       value</em>: {@code --port --bla} gives {@code port "--bla"}, so a value may start with
 *       "--" if it is the first one.</li>
 *   <li>An argument with spaces after the "--" ({@code "--maxmemory 700mb"}) carries its own
 *       values.</li>
 *   <li>{@code --save} with no value (followed by another option or last) means {@code save ""};
 *       {@code --sentinel} may have no value.</li>
 *   <li>Other arguments (including a misplaced {@code -}) become quoted values of the current
 *       directive, or a line of their own, which then fails as a bad directive.</li>
 * </ul>
 *
 * The resulting text goes through the normal config file parser, so errors are reported as
 * {@code *** FATAL CONFIG FILE ERROR ***} with the generated line, e.g. {@code >>> 'port "6379"
 * "6380"'}.
 *
 * <p>Arguments are Java strings (as received by {@code main}); they are converted to byte strings
 * with the platform's native encoding.
 */
public final class CommandLine {

    private CommandLine() {}

    /** What the arguments ask for besides running the server. */
    public enum SpecialAction {
        /** Run the server. */
        NONE,
        /** {@code -v} / {@code --version}: print the version and exit 0. */
        VERSION,
        /** {@code -h} / {@code --help}: print usage and exit 0. */
        HELP,
        /** {@code --test-memory <megabytes>}: out of scope for Cinnabar. */
        TEST_MEMORY,
        /** {@code --check-system}: run system checks and exit. */
        CHECK_SYSTEM
    }

    /** redis-server only looks for these special options in the first argument. */
    public static SpecialAction specialAction(String[] args) {
        if (args.length == 0) return SpecialAction.NONE;
        return switch (args[0]) {
            case "-v", "--version" -> SpecialAction.VERSION;
            case "--help", "-h" -> SpecialAction.HELP;
            case "--test-memory" -> SpecialAction.TEST_MEMORY;
            case "--check-system" -> SpecialAction.CHECK_SYSTEM;
            default -> SpecialAction.NONE;
        };
    }

    /**
     * The parsed command line.
     *
     * @param configFile      the config file argument as given (byte string), or {@code null}
     * @param configFromStdin whether config text is also read from stdin
     * @param options         the config text built from the options (byte string, may be empty)
     */
    public record Parsed(String configFile, boolean configFromStdin, String options) {}

    /** Parses arguments (without the program name). */
    public static Parsed parse(String[] javaArgs) {
        String[] args = new String[javaArgs.length];
        for (int i = 0; i < args.length; i++) args[i] = ConfigText.fromNative(javaArgs[i]);
        int n = args.length;
        int j = 0;
        String configFile = null;
        if (n > 0 && !args[0].startsWith("-")) {
            configFile = args[0];
            j = 1;
        }
        boolean fromStdin = false;
        StringBuilder options = new StringBuilder();
        // Whether the current directive already has a value, so a "--" argument starts a new one.
        boolean lastDirectiveHasValue = true;
        for (; j < n; j++) {
            String arg = args[j];
            boolean last = j == n - 1;
            if (arg.equals("-") && (j == 0 || last)) {
                fromStdin = true;
            } else if (lastDirectiveHasValue && arg.startsWith("--")) {
                if (!options.isEmpty()) options.append('\n');
                options.append(arg, 2, arg.length()).append(' ');
                String[] words = ConfigText.splitArgs(arg);
                if (words != null && words.length == 1) {
                    lastDirectiveHasValue = false;
                    boolean nextIsOption = !last && args[j + 1].startsWith("--");
                    if (ConfigText.equalsIgnoreCase(arg, "--save") && (nextIsOption || last)) {
                        // A valueless --save means save "" (compatible with Redis before 7.0.1).
                        options.append("\"\"");
                        lastDirectiveHasValue = nextIsOption;
                    } else if (ConfigText.equalsIgnoreCase(arg, "--sentinel") && nextIsOption) {
                        lastDirectiveHasValue = true; // pseudo option without value
                    }
                } else {
                    // "--name value" in a single argument: the directive is complete.
                    lastDirectiveHasValue = true;
                }
            } else {
                options.append(ConfigText.repr(arg)).append(' ');
                lastDirectiveHasValue = true;
            }
        }
        return new Parsed(configFile, fromStdin, options.toString());
    }
}
