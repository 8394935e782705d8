package dev.cinnabar.server.command;

import dev.cinnabar.resp.ArgList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The commands of one server: every spec from {@link SpecLoader}, with the handlers families
 * bind to them ({@code StringFamily.register(table)}), and a lookup by the raw, case-insensitive
 * bytes of a request's first argument that creates no String on the hot path.
 */
public final class CommandTable {
    private final Map<String, Command> byName = new LinkedHashMap<>();
    // Open-addressing index over lower-cased names, probed with the request bytes directly.
    private byte[][] keys;
    private Command[] vals;
    private int mask;

    public CommandTable() {
        for (CommandSpec s : SpecLoader.all()) {
            if (byName.put(s.name(), new Command(s, null)) != null) {
                throw new IllegalStateException("duplicate command spec " + s.name());
            }
        }
        int cap = Integer.highestOneBit(Math.max(byName.size(), 16) * 4);
        keys = new byte[cap][];
        vals = new Command[cap];
        mask = cap - 1;
        for (Command c : byName.values()) {
            byte[] k = c.name().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            int i = hash(k, 0, k.length) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = k;
            vals[i] = c;
        }
    }

    /** Binds a handler to a command ("get") or subcommand ("client|list"). */
    public CommandTable bind(String fullName, CommandHandler h) {
        Command c = find(fullName);
        if (c == null) {
            throw new IllegalArgumentException("no spec for command '" + fullName + "'");
        }
        if (c.handler != null) {
            throw new IllegalStateException("handler bound twice for '" + fullName + "'");
        }
        c.handler = h;
        return this;
    }

    /** The command or subcommand with this full name ("config|get"), or null. */
    public Command find(String fullName) {
        String n = fullName.toLowerCase(Locale.ROOT);
        int bar = n.indexOf('|');
        if (bar < 0) {
            return byName.get(n);
        }
        Command parent = byName.get(n.substring(0, bar));
        return parent == null ? null : parent.subcommand(n.substring(bar + 1));
    }

    /** Top-level lookup by the request's first argument, case-insensitively. */
    public Command lookup(ArgList args, int i) {
        byte[] d = args.data();
        int off = args.offset(i);
        int len = args.length(i);
        int h = hash(d, off, len) & mask;
        while (true) {
            byte[] k = keys[h];
            if (k == null) {
                return null;
            }
            if (k.length == len && equalsLower(k, d, off)) {
                return vals[h];
            }
            h = (h + 1) & mask;
        }
    }

    /**
     * Redis lookupCommand: the command, or for a container command with at least 2 arguments,
     * the subcommand (null if unknown, so the caller reports the unknown subcommand).
     */
    public Command lookupFull(ArgList args) {
        Command c = lookup(args, 0);
        if (c == null || c.subcommands.isEmpty() || args.size() < 2) {
            return c;
        }
        String sub = args.latin1(1).toLowerCase(Locale.ROOT);
        return c.subcommands.get(sub);
    }

    public Collection<Command> all() {
        return byName.values();
    }

    /** Every command and subcommand, parents first. */
    public List<Command> allWithSubcommands() {
        List<Command> out = new ArrayList<>();
        for (Command c : byName.values()) {
            out.add(c);
            out.addAll(c.subcommands.values());
        }
        return out;
    }

    public int size() {
        return byName.size();
    }

    private static int hash(byte[] b, int off, int len) {
        int h = len;
        for (int i = 0; i < len; i++) {
            int c = b[off + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            h = h * 31 + c;
        }
        return h ^ (h >>> 16);
    }

    private static boolean equalsLower(byte[] lower, byte[] d, int off) {
        for (int i = 0; i < lower.length; i++) {
            int c = d[off + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }
}
