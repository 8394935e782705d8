package dev.cinnabar.server.command;

import dev.cinnabar.server.command.CommandSpec.ArgSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the compact argument syntax of our spec files into COMMAND DOCS argument trees.
 *
 * <p>Grammar (close to the synopsis lines of Redis's documentation, with names typed):
 * <pre>
 *   list  := elem*
 *   elem  := ( "[" group "]" | "(" group ")" | atom ) ["..."]
 *   group := [label ":"] seq ("|" seq)*
 *   seq   := elem+
 *   atom  := TOKEN | name ":" type ["#" keySpecIndex] | name ":" '"' TOKEN? '"' 
 *   notes := "{" key "=" value (";" key "=" value)* "}"     (after an elem, optional)
 * </pre>
 * A word without a colon is a literal token (NX, WITHSCORES, ~, *). {@code [...]} makes its
 * content optional; {@code "..."} makes the element repeatable (and, when the element starts
 * with a token, the token repeats too: Redis's multiple_token). A sequence "TOKEN name:type"
 * is one argument with a token; a longer sequence is a block; alternatives are a oneof.
 * Key arguments get key-spec indexes in order of appearance unless given with {@code #n}.
 *
 * <p>Notes add the per-argument documentation COMMAND DOCS shows: {@code since},
 * {@code deprecated_since}, {@code display} (display_text) and {@code summary}, e.g.
 * {@code [GET{since=6.2.0}]} or {@code addr:string{display=ip:port}}.
 *
 * <p>Examples: {@code key:key value:string [condition: NX|XX] [GET]},
 * {@code [LIMIT offset:integer count:integer]}, {@code (data: key:key value:string)...}.
 */
final class ArgSyntax {
    private final String src;
    private final String where;
    private int pos;
    private int nextKeySpec;
    private final int keySpecCount;

    private ArgSyntax(String src, String where, int keySpecCount) {
        this.src = src;
        this.where = where;
        this.keySpecCount = keySpecCount;
    }

    static List<ArgSpec> parse(String src, String where, int keySpecCount) {
        if (src == null || src.isBlank()) {
            return List.of();
        }
        ArgSyntax p = new ArgSyntax(src, where, keySpecCount);
        List<ArgSpec> out = p.list(-1);
        p.skipSpace();
        if (p.pos != src.length()) {
            throw p.error("unexpected '" + src.charAt(p.pos) + "'");
        }
        return out;
    }

    private IllegalArgumentException error(String msg) {
        return new IllegalArgumentException("bad args syntax in " + where + " at " + pos + ": " + msg
                + " in \"" + src + "\"");
    }

    private void skipSpace() {
        while (pos < src.length() && src.charAt(pos) == ' ') {
            pos++;
        }
    }

    /** Elements until one of the closing characters (or end when close is -1). */
    private List<ArgSpec> list(int close) {
        List<ArgSpec> out = new ArrayList<>();
        while (true) {
            skipSpace();
            if (pos >= src.length()) {
                if (close != -1) {
                    throw error("missing '" + (char) close + "'");
                }
                return out;
            }
            char ch = src.charAt(pos);
            if (ch == close || ch == '|' || (close != -1 && (ch == ']' || ch == ')'))) {
                return out;
            }
            out.add(elem());
        }
    }

    private ArgSpec elem() {
        char ch = src.charAt(pos);
        ArgSpec a;
        if (ch == '[' || ch == '(') {
            pos++;
            char close = ch == '[' ? ']' : ')';
            a = group(close);
            if (pos >= src.length() || src.charAt(pos) != close) {
                throw error("missing '" + close + "'");
            }
            pos++;
            if (ch == '[') {
                a = withFlags(a, a.flags() | CommandFlags.ARG_OPTIONAL);
            }
        } else {
            a = atom();
        }
        if (src.startsWith("...", pos)) {
            pos += 3;
            int f = a.flags() | CommandFlags.ARG_MULTIPLE;
            if (a.token() != null) {
                f |= CommandFlags.ARG_MULTIPLE_TOKEN;
            }
            a = withFlags(a, f);
        }
        if (pos < src.length() && src.charAt(pos) == '{') {
            a = notes(a);
        }
        return a;
    }

    /** Applies a "{key=value;...}" block of documentation notes to an argument. */
    private ArgSpec notes(ArgSpec a) {
        int end = src.indexOf('}', pos);
        if (end < 0) {
            throw error("missing '}'");
        }
        String display = a.displayText();
        String summary = a.summary();
        String since = a.since();
        String deprecated = a.deprecatedSince();
        for (String item : src.substring(pos + 1, end).split(";")) {
            int eq = item.indexOf('=');
            if (eq < 0) {
                throw error("note without '=' in '" + item + "'");
            }
            String k = item.substring(0, eq).strip();
            String v = item.substring(eq + 1).strip();
            switch (k) {
                case "display" -> display = v;
                case "summary" -> summary = v;
                case "since" -> since = v;
                case "deprecated_since" -> deprecated = v;
                default -> throw error("unknown note '" + k + "'");
            }
        }
        pos = end + 1;
        return new ArgSpec(a.name(), a.type(), display, a.keySpecIndex(), a.token(), summary, since, deprecated,
                a.flags(), a.args());
    }

    private ArgSpec group(char close) {
        skipSpace();
        String label = null;
        int save = pos;
        String w = word();
        if (w.endsWith(":") && w.length() > 1) {
            label = w.substring(0, w.length() - 1);
        } else {
            pos = save;
        }
        List<ArgSpec> alts = new ArrayList<>();
        while (true) {
            List<ArgSpec> seq = list(close);
            if (seq.isEmpty()) {
                throw error("empty group");
            }
            alts.add(sequence(seq, null));
            skipSpace();
            if (pos < src.length() && src.charAt(pos) == '|') {
                pos++;
                continue;
            }
            break;
        }
        if (alts.size() == 1) {
            ArgSpec only = alts.get(0);
            return label == null ? only : rename(only, label);
        }
        String name = label != null ? label : alts.get(0).name();
        return new ArgSpec(name, "oneof", null, -1, null, null, null, null, 0, List.copyOf(alts));
    }

    /** A sequence of elements: one argument, a token + argument, or a block. */
    private ArgSpec sequence(List<ArgSpec> seq, String label) {
        if (seq.size() == 1) {
            return seq.get(0);
        }
        ArgSpec first = seq.get(0);
        boolean firstIsToken = "pure-token".equals(first.type()) && first.flags() == 0;
        if (firstIsToken && seq.size() == 2 && seq.get(1).token() == null
                && !"block".equals(seq.get(1).type())) {
            // "TOKEN name:type" and "TOKEN (label: a|b)": the token belongs to the argument,
            // as in Redis's "TYPE" oneof of CLIENT LIST or "FILTERBY" of COMMAND LIST.
            ArgSpec v = seq.get(1);
            return new ArgSpec(v.name(), v.type(), v.displayText(), v.keySpecIndex(), first.token(),
                    v.summary(), v.since(), v.deprecatedSince(), v.flags(), v.args());
        }
        boolean allTokens = true;
        for (ArgSpec a : seq) {
            allTokens &= "pure-token".equals(a.type()) && a.flags() == 0;
        }
        if (allTokens) {
            // "NO ONE": a block of pure tokens, none of them owning the others (REPLICAOF).
            String name = label != null ? label : first.name();
            return new ArgSpec(name, "block", null, -1, null, null, null, null, 0, List.copyOf(seq));
        }
        if (firstIsToken) {
            List<ArgSpec> rest = List.copyOf(seq.subList(1, seq.size()));
            String name = label != null ? label : first.name();
            return new ArgSpec(name, "block", null, -1, first.token(), null, null, null, 0, rest);
        }
        String name = label != null ? label : first.name();
        return new ArgSpec(name, "block", null, -1, null, null, null, null, 0, List.copyOf(seq));
    }

    private ArgSpec atom() {
        String w = word();
        if (w.isEmpty()) {
            throw error("expected an argument");
        }
        int colon = w.indexOf(':');
        if (colon < 0) {
            String name = w.toLowerCase(Locale.ROOT);
            return new ArgSpec(name, "pure-token", null, -1, w, null, null, null, 0, List.of());
        }
        String name = w.substring(0, colon);
        String type = w.substring(colon + 1);
        if (type.length() >= 2 && type.startsWith("\"") && type.endsWith("\"")) {
            // name:"TOKEN": a pure token with its own name, e.g. MIGRATE's empty_string:"".
            return new ArgSpec(name, "pure-token", null, -1, type.substring(1, type.length() - 1), null, null, null,
                    0, List.of());
        }
        int ks = -1;
        int hash = type.indexOf('#');
        if (hash >= 0) {
            ks = Integer.parseInt(type.substring(hash + 1));
            type = type.substring(0, hash);
        }
        switch (type) {
            case "string", "integer", "double", "pattern", "unix-time" -> { }
            case "key" -> {
                if (ks < 0) {
                    ks = Math.min(nextKeySpec, Math.max(keySpecCount - 1, 0));
                }
                nextKeySpec = ks + 1;
            }
            default -> throw error("unknown type '" + type + "'");
        }
        return new ArgSpec(name, type, null, ks, null, null, null, null, 0, List.of());
    }

    /** A word: up to a space, bracket, bar, or the "..." suffix. */
    private String word() {
        skipSpace();
        int start = pos;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '[' || c == ']' || c == '(' || c == ')' || c == '|' || c == '{') {
                break;
            }
            if (c == '.' && src.startsWith("...", pos) && pos > start) {
                break;
            }
            pos++;
        }
        return src.substring(start, pos);
    }

    private static ArgSpec withFlags(ArgSpec a, int flags) {
        return new ArgSpec(a.name(), a.type(), a.displayText(), a.keySpecIndex(), a.token(), a.summary(),
                a.since(), a.deprecatedSince(), flags, a.args());
    }

    private static ArgSpec rename(ArgSpec a, String name) {
        return new ArgSpec(name, a.type(), a.displayText(), a.keySpecIndex(), a.token(), a.summary(),
                a.since(), a.deprecatedSince(), a.flags(), a.args());
    }
}
