package dev.cinnabar.server.scripting;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.scripting.lua.Lua;
import dev.cinnabar.server.scripting.lua.LuaState;
import dev.cinnabar.server.scripting.lua.LuaState.LuaException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The Java side of the {@code redis} table and the hooks of the sandbox prelude (Redis
 * script_lua.c's luaRedis* functions). Errors are reported as Lua error tables {err = ...},
 * raised by the prelude's wrappers, as Redis's luaPushError + luaError do.
 */
final class LuaApi {
    private LuaApi() {}

    static void register(Map<String, LuaState.JavaFunction> m) {
        m.put("call", (s, L) -> vm(s).scripting.call(vm(s), L, true));
        m.put("pcall", (s, L) -> vm(s).scripting.call(vm(s), L, false));
        m.put("log", LuaApi::log);
        m.put("setresp", LuaApi::setresp);
        m.put("set_repl", LuaApi::setRepl);
        m.put("sha1hex", LuaApi::sha1hex);
        m.put("acl_check_cmd", LuaApi::aclCheckCmd);
        m.put("check", (s, L) -> {
            if (s.takeArmedError(L)) {
                Lua.pushnumber(L, 3);
                Lua.insert(L, -2);
                return 2;
            }
            Lua.pushnumber(L, vm(s).scripting.checkHook());
            return 1;
        });
        m.put("handler", LuaApi::handler);
        m.put("math.random", LuaApi::random);
        m.put("math.randomseed", (s, L) -> {
            vm(s).scripting.random.seed(checkInt(L, 1, "randomseed"));
            return 0;
        });
        m.put("register_function", FunctionLoader::registerFunction);
        m.put("string.find", (s, L) -> patternFunction(s, L, vm(s).findRef));
        m.put("string.match", (s, L) -> patternFunction(s, L, vm(s).matchRef));
        m.put("string.gmatch", (s, L) -> patternFunction(s, L, vm(s).gmatchRef));
        m.put("string.gsub", (s, L) -> patternFunction(s, L, vm(s).gsubRef));
        m.put("coroutine.create", (s, L) -> coroutine(s, L, "create", false));
        m.put("coroutine.wrap", (s, L) -> coroutine(s, L, "wrap", true));
    }

    static LuaSandbox vm(LuaState s) {
        return (LuaSandbox) s.owner;
    }

    private static LuaException error(String msg) {
        return new LuaException("ERR " + msg, true);
    }

    /**
     * The message handler of script runs (Redis __redis__err__handler): makes the error a table
     * {err=, source=, line=} with the position of the code that raised it. Prelude frames (the
     * hook) are skipped, and errors of Java functions get their caller's recorded position.
     */
    private static int handler(LuaState s, MemorySegment L) {
        Lua.settop(L, 1);
        String source = null;
        int line = -1;
        Object[] pos = s.takePendingPosition(L, 1);
        if (pos != null) {
            if (pos.length == 2) {
                source = (String) pos[0];
                line = (Integer) pos[1];
            }
        } else {
            int level = 1;
            boolean ok = s.frame(L, level);
            if (ok && "C".equals(s.callerWhat())) {
                ok = s.frame(L, ++level);
            }
            if (ok && LuaState.INTERNAL_SOURCE.equals(s.callerSource())) {
                do {
                    ok = s.frame(L, ++level);
                } while (ok && (LuaState.INTERNAL_SOURCE.equals(s.callerSource()) || "tail".equals(s.callerWhat())
                        || "C".equals(s.callerWhat())));
            }
            if (ok) {
                source = s.callerSource();
                line = s.callerLine();
            }
        }
        if (Lua.type(L, 1) != Lua.TTABLE) {
            String text = "ERR " + luaToString(s, L, 1);
            Lua.settop(L, 0);
            s.pushErrorTable(L, text);
        } else if (Lua.isreadonlytable(L, 1)) {
            return 1;
        }
        if (source != null) {
            s.pushString(L, "source");
            s.pushString(L, source);
            Lua.rawset(L, -3);
            s.pushString(L, "line");
            Lua.pushnumber(L, line);
            Lua.rawset(L, -3);
        }
        return 1;
    }

    /** Lua's tostring for a value that is not a table (no metamethods can apply). */
    static String luaToString(LuaState s, MemorySegment L, int idx) {
        int t = Lua.type(L, idx);
        switch (t) {
            case Lua.TNIL:
                return "nil";
            case Lua.TBOOLEAN:
                return Lua.toboolean(L, idx) ? "true" : "false";
            case Lua.TNUMBER:
            case Lua.TSTRING: {
                Lua.pushvalue(L, idx);
                String v = s.toJavaString(L, -1);
                Lua.pop(L, 1);
                return v;
            }
            default: {
                long p = Lua.topointer(L, idx);
                return LuaBit.typeName(t) + ": " + (p == 0 ? "(nil)" : "0x" + Long.toHexString(p));
            }
        }
    }

    /** luaL_checkint. */
    static int checkInt(MemorySegment L, int idx, String fname) throws LuaException {
        double d = Lua.tonumber(L, idx);
        if (d == 0 && !Lua.isnumber(L, idx)) {
            throw LuaBit.typeError(L, idx, fname, "number");
        }
        return (int) LuaReplies.toLongLikeC(d);
    }

    /** math.random as Redis's redis_math_random (its own lrand48, not libc's rand). */
    private static int random(LuaState s, MemorySegment L) throws LuaException {
        double r = vm(s).scripting.random.nextDouble();
        switch (Lua.gettop(L)) {
            case 0 -> Lua.pushnumber(L, r);
            case 1 -> {
                int u = checkInt(L, 1, "random");
                if (u < 1) {
                    throw LuaException.arg(1, "interval is empty");
                }
                Lua.pushnumber(L, Math.floor(r * u) + 1);
            }
            case 2 -> {
                int l = checkInt(L, 1, "random");
                int u = checkInt(L, 2, "random");
                if (l > u) {
                    throw LuaException.arg(2, "interval is empty");
                }
                Lua.pushnumber(L, Math.floor(r * (u - l + 1)) + l);
            }
            default -> throw new LuaException("wrong number of arguments");
        }
        return 1;
    }

    /**
     * coroutine.create / coroutine.wrap: Lua's own, plus the sandbox count hook in the new
     * coroutine (hooks are per coroutine), so that a loop inside one can still be stopped. The
     * wrap result is Lua's own C closure, so errors and positions are exactly Lua's.
     */
    private static int coroutine(LuaState s, MemorySegment L, String fname, boolean wrap) throws LuaException {
        if (Lua.type(L, 1) != Lua.TFUNCTION || Lua.iscfunction(L, 1)) {
            throw LuaException.arg(1, "Lua function expected");
        }
        LuaSandbox vm = vm(s);
        Lua.settop(L, 1);
        MemorySegment co = Lua.newthread(L);
        Lua.pushvalue(L, 1);
        Lua.xmove(L, co, 1);
        // debug.sethook(co, hook, '', 100000)
        Lua.rawgeti(L, Lua.REGISTRYINDEX, vm.sethookRef);
        Lua.pushvalue(L, 2);
        Lua.rawgeti(L, Lua.REGISTRYINDEX, vm.hookRef);
        s.pushString(L, "");
        Lua.pushnumber(L, 100000);
        if (Lua.pcall(L, 4, 0, 0) != Lua.OK) {
            throw new LuaException("not enough memory");
        }
        if (wrap) {
            Lua.pushcclosure(L, vm.auxwrap, 1);
        }
        return 1;
    }

    /**
     * Lua's pattern matcher recurses in C once per quantified item or capture of a pattern, with
     * no limit in Lua 5.1: a pattern of a few hundred thousand items overflows the native stack
     * and takes the process down (Redis too). Patterns with more than this many such items are
     * refused with Lua 5.2's "pattern too complex"; real patterns are far below it.
     */
    static final int MAX_PATTERN_ITEMS = 4000;

    /**
     * string.find / match / gmatch / gsub: Lua's own, called from here once the pattern is
     * known to be safe. Their errors are re-raised at the script's line, as Lua reports them.
     */
    private static int patternFunction(LuaState s, MemorySegment L, int originalRef) throws LuaException {
        int n = Lua.gettop(L);
        if (n >= 2 && Lua.type(L, 2) == Lua.TSTRING) {
            MemorySegment p = Lua.tostringNoAlloc(L, 2, s.lenOut);
            long len = s.lastLength();
            if (len > MAX_PATTERN_ITEMS) {
                MemorySegment pat = p.reinterpret(len);
                int items = 0;
                for (long i = 0; i < len; i++) {
                    byte b = pat.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
                    if (b == '?' || b == '*' || b == '+' || b == '-' || b == '(' || b == ')') {
                        items++;
                    }
                }
                if (items > MAX_PATTERN_ITEMS) {
                    throw new LuaException("pattern too complex");
                }
            }
        }
        Lua.rawgeti(L, Lua.REGISTRYINDEX, originalRef);
        Lua.insert(L, 1);
        if (s.pcall(n, Lua.MULTRET, 0) == Lua.OK) {
            return Lua.gettop(L);
        }
        if (Lua.type(L, -1) == Lua.TSTRING) {
            String msg = s.toJavaString(L, -1);
            java.util.regex.Matcher m = BAD_ARG.matcher(msg);
            if (m.matches()) {
                // Called from here, Lua could not name the function: name it as the script did.
                throw LuaException.arg(Integer.parseInt(m.group(1)), m.group(2));
            }
            if (!msg.contains(":")) {
                throw new LuaException(msg); // the matcher's own error: add the script's position
            }
        }
        throw LuaException.onStack();
    }

    private static final java.util.regex.Pattern BAD_ARG =
            java.util.regex.Pattern.compile("bad argument #(\\d+) to '\\?' \\((.*)\\)", java.util.regex.Pattern.DOTALL);

    /** redis.log(level, ...): Redis luaLogCommand. */
    private static int log(LuaState s, MemorySegment L) throws LuaException {
        int argc = Lua.gettop(L);
        if (argc < 2) {
            throw error("redis.log() requires two arguments or more.");
        }
        if (!Lua.isnumber(L, 1)) {
            throw error("First argument must be a number (log level).");
        }
        int level = (int) Lua.tonumber(L, 1);
        if (level < 0 || level > 3) {
            throw error("Invalid debug level.");
        }
        Server server = vm(s).scripting.server;
        if (level < server.log.level()) {
            return 0;
        }
        StringBuilder sb = new StringBuilder();
        for (int j = 2; j <= argc; j++) {
            int t = Lua.type(L, j);
            if (t == Lua.TSTRING || t == Lua.TNUMBER) {
                if (j != 2) {
                    sb.append(' ');
                }
                sb.append(new String(s.toBytes(L, j), StandardCharsets.ISO_8859_1));
            }
        }
        server.log.log(level, sb.toString());
        return 0;
    }

    /** redis.setresp(2|3). */
    private static int setresp(LuaState s, MemorySegment L) throws LuaException {
        if (Lua.gettop(L) != 1) {
            throw error("redis.setresp() requires one argument.");
        }
        int resp = (int) Lua.tonumber(L, 1);
        if (resp != 2 && resp != 3) {
            throw error("RESP version must be 2 or 3.");
        }
        vm(s).scripting.setResp(resp);
        return 0;
    }

    /** redis.set_repl(flags). */
    private static int setRepl(LuaState s, MemorySegment L) throws LuaException {
        if (Lua.gettop(L) != 1) {
            throw error("redis.set_repl() requires one argument.");
        }
        int flags = (int) Lua.tonumber(L, 1);
        if ((flags & ~(ScriptRun.REPL_AOF | ScriptRun.REPL_REPLICA)) != 0) {
            throw error("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
        }
        vm(s).scripting.setRepl(flags);
        return 0;
    }

    /** redis.sha1hex(s): the same digest SCRIPT LOAD gives. */
    private static int sha1hex(LuaState s, MemorySegment L) throws LuaException {
        if (Lua.gettop(L) != 1) {
            throw error("wrong number of arguments");
        }
        byte[] b = s.toBytes(L, 1);
        if (b == null) {
            b = new byte[0];
        }
        s.pushString(L, EvalScripts.sha1Hex(b, 0, b.length));
        return 1;
    }

    /**
     * redis.acl_check_cmd(cmd, ...): whether the caller's user may run the command. Every user
     * may run every command until ACLs exist, so only the command name is checked.
     */
    private static int aclCheckCmd(LuaState s, MemorySegment L) throws LuaException {
        int argc = Lua.gettop(L);
        if (argc == 0) {
            throw error("Please specify at least one argument for this redis lib call");
        }
        dev.cinnabar.resp.ArgList args = new dev.cinnabar.resp.ArgList();
        for (int i = 1; i <= argc; i++) {
            int t = Lua.type(L, i);
            if (t != Lua.TSTRING && t != Lua.TNUMBER) {
                throw error("Lua redis lib command arguments must be strings or integers");
            }
            args.add(s.toBytes(L, i));
        }
        if (vm(s).scripting.server.commands.lookupFull(args) == null) {
            throw error("Invalid command passed to redis.acl_check_cmd()");
        }
        Lua.pushboolean(L, true);
        return 1;
    }
}
