package dev.cinnabar.server.scripting;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The server's function libraries (Redis functionsLibCtx): library name -> code and functions,
 * and function name -> function. Library names are case-sensitive, function names are not, as
 * in Redis. This is the server-wide truth; each FUNCTION interpreter compiles libraries from
 * their code on first use.
 */
public final class FunctionLibraries {
    /** A registered function. */
    public static final class Function {
        public final String name;
        public final String description;
        public final int flags;
        public final Library library;

        Function(String name, String description, int flags, Library library) {
            this.name = name;
            this.description = description;
            this.flags = flags;
            this.library = library;
        }
    }

    /** A library: its full code (with the shebang line) and its functions in registration order. */
    public static final class Library {
        public final String name;
        public final byte[] code;
        final Map<String, Function> functions = new LinkedHashMap<>();

        Library(String name, byte[] code) {
            this.name = name;
            this.code = code;
        }

        public Collection<Function> functions() {
            return functions.values();
        }
    }

    private final Map<String, Library> libraries = new LinkedHashMap<>();
    private final Map<String, Function> functions = new HashMap<>();

    public int size() {
        return libraries.size();
    }

    public int functionCount() {
        return functions.size();
    }

    public Collection<Library> libraries() {
        return libraries.values();
    }

    public Library library(String name) {
        return libraries.get(name);
    }

    /** The function of that name, any case. */
    public Function function(String name) {
        return functions.get(name.toLowerCase(Locale.ROOT));
    }

    boolean hasFunction(String name) {
        return functions.containsKey(name.toLowerCase(Locale.ROOT));
    }

    /** The codes of every library, for FUNCTION DUMP and RDB snapshots. */
    public List<byte[]> codes() {
        List<byte[]> out = new ArrayList<>(libraries.size());
        for (Library l : libraries.values()) {
            out.add(l.code);
        }
        return out;
    }

    void link(Library l) {
        libraries.put(l.name, l);
        for (Function f : l.functions.values()) {
            functions.put(f.name.toLowerCase(Locale.ROOT), f);
        }
    }

    void unlink(Library l) {
        libraries.remove(l.name);
        for (Function f : l.functions.values()) {
            functions.remove(f.name.toLowerCase(Locale.ROOT));
        }
    }

    /** FUNCTION FLUSH: drops every library and function. */
    public void clear() {
        libraries.clear();
        functions.clear();
    }

    /** Rough bytes used by libraries and functions (INFO used_memory_functions). */
    public long memory() {
        long n = 0;
        for (Library l : libraries.values()) {
            n += 64 + l.code.length + l.name.length();
            for (Function f : l.functions.values()) {
                n += 64 + f.name.length() + (f.description == null ? 0 : f.description.length());
            }
        }
        return n;
    }
}
