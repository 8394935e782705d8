package dev.cinnabar.server.command;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cinnabar.server.command.CommandSpec.KeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads our command spec files: one JSON file per command family under
 * {@code dev/cinnabar/server/commands/}, listed in {@link #FILES}.
 *
 * <p>File format (our own schema, modelled on the information COMMAND INFO/DOCS expose):
 * <pre>
 * { "group": "string",
 *   "commands": [
 *     { "name": "set", "since": "1.0.0", ("group": overrides the file's group) "complexity": "O(1)", "summary": "...",
 *       "arity": -3, "flags": ["write", "denyoom"], "acl": ["string"], "tips": [],
 *       "keys": [ { "flags": ["RW", "access", "update"], "index": 1, "range": [0, 1, 0] } ],
 *       "args": "key:key value:string [condition: NX|XX] [GET] ...",     (see ArgSyntax)
 *       "history": [["2.6.12", "..."]], "doc_flags": ["deprecated"],
 *       "deprecated_since": "...", "replaced_by": "...",
 *       "subcommands": [ { "name": "list", ... } ] } ] }
 * </pre>
 * Key specs: begin_search is {@code "index": n} or {@code "keyword": "STREAMS", "startfrom": 1}
 * (neither = unknown); find_keys is {@code "range": [lastkey, keystep, limit]} or
 * {@code "keynum": [keynumidx, firstkey, keystep]} (neither = unknown).
 * Implicit ACL categories (@write, @read, @fast/@slow, ...) are derived from the flags as
 * Redis does, so the files list only the data-type categories.
 */
public final class SpecLoader {
    private SpecLoader() {}

    /** Every spec file; a family added to the server adds its file here. */
    static final String[] FILES = {
        "connection",
        "client",
        "transactions",
        "server",
        "config",
        "debug",
        "introspection",
        "string",
        "keyspace",
        "function",
        "scripting",
        "memory",
        "hash",
        "bitmap",
        "pubsub",
        "set",
        "zset",
        "list",
        "sort",
        "dump",
        "hyperloglog",
        "geo",
        "ops",
        "stream",
        "replication",
        "rdb",
    };

    private static volatile List<CommandSpec> cached;

    /** All specs of all files, parsed once per JVM. */
    public static List<CommandSpec> all() {
        List<CommandSpec> c = cached;
        if (c == null) {
            synchronized (SpecLoader.class) {
                c = cached;
                if (c == null) {
                    List<CommandSpec> out = new ArrayList<>();
                    for (String f : FILES) {
                        out.addAll(load(f));
                    }
                    cached = c = List.copyOf(out);
                }
            }
        }
        return c;
    }

    static List<CommandSpec> load(String file) {
        String path = "/dev/cinnabar/server/commands/" + file + ".json";
        try (InputStream in = SpecLoader.class.getResourceAsStream(path)) {
            if (in == null) {
                return List.of(); // a family whose spec file does not exist yet
            }
            Object root = readJson(in);
            Map<String, Object> m = asMap(root, path);
            String group = str(m, "group", path);
            List<CommandSpec> out = new ArrayList<>();
            for (Object o : list(m.get("commands"))) {
                out.add(command(asMap(o, path), group, null, path));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(path, e);
        }
    }

    private static CommandSpec command(Map<String, Object> m, String group, String parent, String file) {
        String name = CommandFlags.lower(str(m, "name", file));
        String fullName = parent == null ? name : parent + "|" + name;
        String where = file + ":" + fullName;
        int arity = ((Number) require(m, "arity", where)).intValue();
        long flags = CommandFlags.parse(strings(m.get("flags")), CommandFlags.FLAG_NAMES, "flag", where);
        long acl = CommandFlags.parse(strings(m.get("acl")), CommandFlags.ACL_CATEGORY_NAMES, "acl category", where);
        List<KeySpec> keys = new ArrayList<>();
        for (Object o : list(m.get("keys"))) {
            keys.add(keySpec(asMap(o, where), where));
        }
        int[] legacy = legacyRange(keys);
        if (legacy[3] != 0 || m.get("getkeys") != null) {
            flags |= CommandFlags.MOVABLE_KEYS;
        }
        List<CommandSpec> subs = new ArrayList<>();
        for (Object o : list(m.get("subcommands"))) {
            subs.add(command(asMap(o, where), group, name, file));
        }
        List<String[]> history = new ArrayList<>();
        for (Object o : list(m.get("history"))) {
            List<String> h = strings(o);
            history.add(new String[] {h.get(0), h.get(1)});
        }
        int docFlags = (int) CommandFlags.parse(strings(m.get("doc_flags")), CommandFlags.DOC_FLAG_NAMES, "doc flag", where);
        if (m.get("group") != null) {
            group = (String) m.get("group"); // a command filed with a family of another group
        }
        return new CommandSpec(name, fullName, group, (String) m.get("summary"), (String) m.get("since"),
                (String) m.get("complexity"), arity, flags, CommandFlags.implicitAcl(flags, acl),
                strings(m.get("tips")), List.copyOf(keys),
                ArgSyntax.parse((String) m.get("args"), where, keys.size()), List.copyOf(history), docFlags,
                (String) m.get("deprecated_since"), (String) m.get("replaced_by"), List.copyOf(subs));
    }

    /**
     * Redis populateCommandLegacyRangeSpec: the (first, last, step) triple COMMAND INFO shows,
     * plus whether the command has "movable" keys the triple cannot describe.
     * Returns {first, last (absolute, negative = from the end), step, movable}.
     */
    static int[] legacyRange(List<KeySpec> keys) {
        if (keys.isEmpty()) {
            return new int[] {0, 0, 0, 0};
        }
        KeySpec k0 = keys.get(0);
        if (keys.size() == 1 && k0.bsIndex() > 0 && k0.fkType() == KeySpec.FK_RANGE) {
            int last = k0.a() >= 0 ? k0.a() + k0.bsIndex() : k0.a();
            int movable = (k0.flags() & CommandFlags.KEY_INCOMPLETE) != 0 ? 1 : 0;
            return new int[] {k0.bsIndex(), last, k0.b(), movable};
        }
        int first = Integer.MAX_VALUE;
        int last = 0;
        int prevLast = 0;
        int movable = 0;
        for (KeySpec k : keys) {
            if (k.bsIndex() <= 0 || k.fkType() != KeySpec.FK_RANGE) {
                movable = 1;
                continue;
            }
            if (k.b() != 1 || (prevLast != 0 && prevLast != k.bsIndex() - 1)) {
                movable = 1;
                continue;
            }
            if ((k.flags() & CommandFlags.KEY_INCOMPLETE) != 0) {
                movable = 1;
            }
            first = Math.min(first, k.bsIndex());
            int abs = k.a() >= 0 ? k.a() + k.bsIndex() : k.a();
            // Unsigned comparison, as Redis does, so a negative (from the end) index wins.
            last = Integer.compareUnsigned(last, abs) >= 0 ? last : abs;
            prevLast = last;
        }
        if (first == Integer.MAX_VALUE) {
            return new int[] {0, 0, 0, 1};
        }
        return new int[] {first, last, 1, movable};
    }

    private static KeySpec keySpec(Map<String, Object> m, String where) {
        long flags = CommandFlags.parse(strings(m.get("flags")), CommandFlags.KEY_FLAG_NAMES, "key flag", where);
        int index = m.containsKey("index") ? ((Number) m.get("index")).intValue() : 0;
        String keyword = (String) m.get("keyword");
        int startFrom = m.containsKey("startfrom") ? ((Number) m.get("startfrom")).intValue() : 0;
        int type = KeySpec.FK_UNKNOWN;
        int a = 0;
        int b = 0;
        int c = 0;
        List<Object> r = list(m.get("range"));
        List<Object> k = list(m.get("keynum"));
        if (!r.isEmpty()) {
            type = KeySpec.FK_RANGE;
            a = ((Number) r.get(0)).intValue();
            b = ((Number) r.get(1)).intValue();
            c = ((Number) r.get(2)).intValue();
        } else if (!k.isEmpty()) {
            type = KeySpec.FK_KEYNUM;
            a = ((Number) k.get(0)).intValue();
            b = ((Number) k.get(1)).intValue();
            c = ((Number) k.get(2)).intValue();
        }
        return new KeySpec(flags, (String) m.get("notes"), index, keyword, startFrom, type, a, b, c);
    }

    // ---- minimal JSON tree on jackson-core's streaming parser --------------------------------

    private static final JsonFactory JSON = new JsonFactory();

    static Object readJson(InputStream in) throws IOException {
        try (JsonParser p = JSON.createParser(in)) {
            p.nextToken();
            return value(p);
        }
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    p.nextToken();
                    m.put(k, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getLongValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IOException("unexpected JSON token " + t);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o, String where) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(where + ": expected an object");
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        for (Object x : list(o)) {
            out.add((String) x);
        }
        return List.copyOf(out);
    }

    private static Object require(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException(where + ": missing '" + key + "'");
        }
        return v;
    }

    private static String str(Map<String, Object> m, String key, String where) {
        return (String) require(m, key, where);
    }
}
