package dev.cinnabar.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code dir}: the working directory for persistence files. Redis chdir()s into it, which a JVM
 * cannot do (and several embedded servers must not share): here it is a per-instance value, the
 * canonical absolute path the directory resolved to (what Redis's getcwd() returns), initially
 * the JVM's working directory. Relative paths given to this configuration (dbfilename,
 * appenddirname, logfile, include, a later relative {@code dir}) must be resolved against it:
 * see {@link #resolve(String)}.
 */
public final class DirParam extends ConfigParam {

    private volatile String value;

    DirParam() {
        super("dir", null, ConfigFlag.PROTECTED, ConfigFlag.DENY_LOADING);
        Path cwd = Path.of("").toAbsolutePath();
        try {
            cwd = cwd.toRealPath();
        } catch (IOException e) {
            // Keep the absolute form: the directory exists (we run in it) but may be unreadable.
        }
        this.value = ConfigText.fromPath(cwd);
    }

    /** The directory as a byte string, as CONFIG GET prints it. */
    public String get() {
        return value;
    }

    /** The directory as a path. */
    public Path path() {
        return ConfigText.toPath(value);
    }

    /** Resolves a file name (byte string) like the OS resolves it after Redis's chdir. */
    public Path resolve(String fileName) {
        return path().resolve(ConfigText.toPath(fileName));
    }

    @Override
    public String value() {
        return value;
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        if (args.length != 1) throw new ConfigValueException("wrong number of arguments");
        // chdir("") fails with ENOENT; Path.of("") would silently mean "here".
        if (args[0].isEmpty()) throw new ConfigValueException("No such file or directory");
        Path target;
        try {
            target = resolve(args[0]).toRealPath();
        } catch (IOException e) {
            throw new ConfigValueException(ConfigText.strerror(e));
        } catch (RuntimeException e) {
            throw new ConfigValueException("No such file or directory");
        }
        if (!Files.isDirectory(target)) throw new ConfigValueException("Not a directory");
        if (!Files.isExecutable(target)) throw new ConfigValueException("Permission denied");
        value = ConfigText.fromPath(target);
        return CHANGED;
    }

    @Override
    Object snapshot() {
        return value;
    }

    @Override
    void restore(Object snapshot) {
        value = (String) snapshot;
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        // Always written, as an absolute path, so a restart from anywhere finds the same data.
        state.rewriteLine(name(), name() + " " + ConfigText.repr(value), true);
    }
}
