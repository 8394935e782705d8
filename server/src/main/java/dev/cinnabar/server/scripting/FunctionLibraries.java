package dev.cinnabar.server.scripting;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's function libraries (FUNCTION LOAD / FCALL). Library loading arrives with the
 * Lua engine; until then the registry is always empty, and FUNCTION FLUSH empties it, which is
 * what Redis does for a server without libraries.
 */
public final class FunctionLibraries {
    /** Library name -> library; values are added by FUNCTION LOAD once Lua is bound. */
    private final Map<String, Object> libraries = new LinkedHashMap<>();

    public int size() {
        return libraries.size();
    }

    /** FUNCTION FLUSH: drops every library and function. */
    public void clear() {
        libraries.clear();
    }
}
