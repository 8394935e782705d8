-- Cinnabar's Lua sandbox prelude (our own code, loaded as chunk "=cinnabar").
--
-- Runs once in every new interpreter, after the base, table, string, math and debug libraries
-- are open and before Java seals the globals read-only. It receives:
--   E         the marker the "marked" Java functions return before an error value (a Lua
--             error must never unwind through Java frames);
--   J         the Java functions, by name;
--   functions true for the FUNCTION engine's interpreter, false for EVAL's.
-- It returns a table of internals Java keeps in the registry.
local E, J, functions = ...

local error, type, select, tostring, pairs = error, type, select, tostring, pairs
local setmetatable, getinfo, sethook = setmetatable, debug.getinfo, debug.sethook
local format, sfind, ssub, smatch, sgsub = string.format, string.find, string.sub, string.match, string.gsub

-- Java functions are plain C functions here: they raise their errors through the count hook
-- (see LuaState). Each also has a "marked" twin, J['!' .. name], that returns (E, error)
-- instead; C code that calls a function and must catch its error (pcall, xpcall) gets a Lua
-- wrapper around that twin, which raises the error inside the protected call.
local function pass(...)
  if (...) == E then
    error((select(2, ...)), 0)
  end
  return ...
end

local marked = {}
local function java(name)
  local f, m = J[name], J['!' .. name]
  marked[f] = function(...) return pass(m(...)) end
  return f
end

-- ---- globals protection -------------------------------------------------------------------

-- __index of protected tables (Redis luaProtectedTableError).
local function noglobal(t, k)
  local kt = type(k)
  if kt ~= 'string' and kt ~= 'number' then
    error('Second argument to luaProtectedTableError must be a string or number', 2)
  end
  error("Script attempted to access nonexistent global variable '" .. k .. "'", 2)
end

-- ---- time limit, SCRIPT KILL, FUNCTION LOAD timeout, errors of Java functions --------------

-- Every 100000 instructions Java checks the clock and serves other clients once the script is
-- busy. Answers: 0 go on; 1 the script is killed; 2 the library load timed out; 3 a Java
-- function failed and its error (second result) must be raised before its caller goes on.
-- Once killed the hook runs on every line, so that pcall cannot keep a killed script alive.
local check = J.check
local hook
hook = function()
  local s, e = check()
  if s == 0 then return end
  if s == 3 then
    sethook(hook, '', 100000)
    error(e, 0)
  end
  sethook(hook, 'l')
  if s == 1 then
    error({err = 'ERR Script killed by user with SCRIPT KILL...'})
  end
  error({err = 'ERR FUNCTION LOAD timeout'})
end
local function resethook()
  sethook(hook, '', 100000)
end
resethook()

-- Coroutines have their own hooks: coroutine.create and coroutine.wrap (in Java) give every new
-- one ours, or a loop inside a coroutine could never be stopped. Java needs Lua's wrap closure.
local auxwrap = coroutine.wrap(function() end)
coroutine.create = java('coroutine.create')
coroutine.wrap = java('coroutine.wrap')

-- The pattern functions check the pattern first (Java: deep patterns overflow C's stack).
local find, match, gmatch, gsub = string.find, string.match, string.gmatch, string.gsub
string.find = java('string.find')
string.match = java('string.match')
string.gmatch = java('string.gmatch')
string.gsub = java('string.gsub')

-- ---- pcall (Redis luaRedisPcall): an error table from redis.call becomes its message --------

local lpcall, lxpcall = pcall, xpcall
local function pcalled(ok, ...)
  if ok then return true, ... end
  local e = ...
  if type(e) == 'table' then
    local m = e.err
    if type(m) == 'string' or type(m) == 'number' then
      return false, m
    end
  end
  return false, e
end
pcall = function(...)
  if select('#', ...) == 0 then
    -- Redis's C pcall ends up calling its own result placeholder.
    return false, 'attempt to call a boolean value'
  end
  local f = ...
  return pcalled(lpcall(marked[f] or f, select(2, ...)))
end
xpcall = function(f, h)
  return lxpcall(marked[f] or f, h)
end

-- ---- math.random / math.randomseed: Redis's own generator, the same on every platform ------

math.random = java('math.random')
math.randomseed = java('math.randomseed')

-- ---- libraries implemented in Java ---------------------------------------------------------

local function library(prefix, names)
  local t = {}
  for _, name in pairs(names) do
    t[name] = java(prefix .. name)
  end
  return t
end

bit = library('bit.', {'tobit', 'bnot', 'band', 'bor', 'bxor', 'lshift', 'rshift', 'arshift',
                       'rol', 'ror', 'bswap', 'tohex'})
struct = library('struct.', {'pack', 'unpack', 'size'})
cmsgpack = library('cmsgpack.', {'pack', 'unpack', 'unpack_one', 'unpack_limit'})
cjson = library('cjson.', {'encode', 'decode', 'encode_keep_buffer', 'encode_max_depth',
                           'decode_max_depth', 'encode_invalid_numbers',
                           'decode_invalid_numbers', 'encode_number_precision',
                           'encode_sparse_array', 'new'})
cjson.null = J['cjson.null']
cjson._NAME = 'cjson'
cjson._VERSION = '2.1.0'
cmsgpack._NAME = 'cmsgpack'
cmsgpack._VERSION = 'lua-cmsgpack 0.4.0'
cmsgpack._COPYRIGHT = 'Copyright (C) 2012, Salvatore Sanfilippo'
cmsgpack._DESCRIPTION = 'MessagePack C implementation for Lua'

-- ---- the redis table ---------------------------------------------------------------------------

local function versions(t)
  t.REDIS_VERSION_NUM = J.version_num
  t.REDIS_VERSION = J.version
end

local function logging(t)
  t.log = java('log')
  t.LOG_DEBUG = 0
  t.LOG_VERBOSE = 1
  t.LOG_NOTICE = 2
  t.LOG_WARNING = 3
end

local r = {}
r.call = java('call')
r.pcall = java('pcall')
logging(r)
versions(r)
r.setresp = java('setresp')
r.sha1hex = java('sha1hex')
-- Redis luaRedisErrorReplyCommand + luaPushErrorBuff: "-CODE msg" or "msg" (code ERR).
r.error_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return {err = 'ERR wrong number or type of arguments'}
  end
  s = smatch(s, '^[^%z]*') -- Redis handles it as a C string
  if ssub(s, 1, 1) ~= '-' then s = '-' .. s end
  local code, msg
  local sp = sfind(s, ' ', 1, true)
  if sp then
    code, msg = ssub(s, 2, sp - 1), ssub(s, sp + 1)
  else
    code, msg = 'ERR', ssub(s, 2)
  end
  msg = sgsub(sgsub(msg, '^[\r\n]+', ''), '[\r\n]+$', '')
  return {err = code .. ' ' .. msg}
end
r.status_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return {err = 'ERR wrong number or type of arguments'}
  end
  return {ok = s}
end
r.set_repl = java('set_repl')
r.REPL_NONE = 0
r.REPL_AOF = 1
r.REPL_SLAVE = 2
r.REPL_REPLICA = 2
r.REPL_ALL = 3
r.acl_check_cmd = java('acl_check_cmd')
if not functions then
  -- The debugger (SCRIPT DEBUG) is not offered: these answer as when no session is active.
  r.breakpoint = function() return false end
  r.debug = function() end
  r.replicate_commands = function() return true end
end
redis = r

-- Not offered to scripts. newproxy is Redis's, but its finalizers would run Lua code inside
-- the garbage collector, where an error or a loop cannot be contained.
loadfile, dofile, print, newproxy = nil, nil, nil, nil

local handler = J.handler
local internals = {handler = handler, resethook = resethook, noglobal = noglobal, hook = hook,
                   sethook = sethook, auxwrap = auxwrap, find = find, match = match, gmatch = gmatch,
                   gsub = gsub}

if functions then
  -- What library code sees while FUNCTION LOAD runs it: only redis.register_function, the
  -- log functions and the version (Redis's LIBRARY_API table).
  local lib = {register_function = java('register_function')}
  logging(lib)
  versions(lib)
  setmetatable(lib, {__index = noglobal})
  local api = {redis = lib}
  setmetatable(api, {__index = noglobal})
  internals.library_api = api
  -- Functions run with an empty global table that reads through to the real one.
  internals.globals = setmetatable({}, {__index = _G})
else
  __redis__err__handler = handler
end

debug = nil
return internals
