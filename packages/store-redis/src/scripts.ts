import { createHash } from 'node:crypto';
import { SETTLING_FIELDS } from './summary-delta.js';

/**
 * The Lua scripts of the store. Each runs atomically on the node that owns its first key; every key a
 * script touches shares the session's hash tag, so scripts work unchanged on Redis Cluster. Scripts
 * that touch every key of a session derive the subkey names from the tagged base (`ARGV[1]`): those
 * keys are in the same slot, which is what Cluster requires.
 *
 * Numbers written to Redis go through `string.format('%d')`: Lua's default conversion prints
 * millisecond timestamps in exponent notation and would lose digits.
 */

/** How long a lease release's wake element waits for a worker to take it. */
const WAKE_MS = 2000;

/**
 * The settling fields' hash names as Lua arguments of HMGET, the first prompt's lock first (the
 * append script reads it at index 2 in both its HMGETs).
 */
const SETTLED_FIELDS = ['firstPromptLocked', ...SETTLING_FIELDS.filter((field) => field !== 'firstPromptLocked')]
  .map((field) => `'s:${field}'`)
  .join(', ');

/** A script and its SHA1, for `EVALSHA` with an `EVAL` fallback after `NOSCRIPT`. */
export type LuaScript = { readonly name: string; readonly source: string; readonly sha1: string };

function script(name: string, body: string): LuaScript {
  const source = `${PRELUDE}\n${body}`;
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(n) return string.format('%d', n) end
local function base_of(meta) return string.sub(meta, 1, -6) end
local function session_keys(base)
  local keys = { base .. ':log', base .. ':ids', base .. ':meta', base .. ':subkeys', base .. ':submeta', base .. ':lease' }
  for _, subpath in ipairs(redis.call('SMEMBERS', base .. ':subkeys')) do
    keys[#keys + 1] = base .. ':sub:' .. subpath
    keys[#keys + 1] = base .. ':subids:' .. subpath
  end
  return keys
end
-- Frees a lease and leaves one wake element for a moment (see RENEW_LEASE).
local function release_lease(lease, wake)
  redis.call('HDEL', lease, 'holder', 'expiresAt')
  if wake then
    redis.call('DEL', wake)
    redis.call('RPUSH', wake, '1')
    redis.call('PEXPIRE', wake, ${WAKE_MS})
  end
end
local function expire_all(base, ttl)
  for _, key in ipairs(session_keys(base)) do
    if ttl > 0 then redis.call('PEXPIRE', key, ttl) else redis.call('PERSIST', key) end
  end
end
`;

/**
 * Appends to one transcript. KEYS: log, uuid set, meta, the lease when a token is given, and the wake
 * list when the lease is to be released (the other keys of the session are derived from meta's name:
 * same hash tag, same slot). ARGV: 1. subpath ('' = main), 2. ttl ms (0 = keep the session's expiry),
 * 3. expected length ('' = none), 4. expected last uuid ('n' none, 'z' null, 'u<uuid>'), 5. lease
 * token ('' none; 'r<token>' = release it after a successful write, as RENEW_LEASE does), 6. the entry indices the summary
 * delta was computed for ('*' = all), 7. the groups of the conditional summary fields, one letter each
 * ('o' set once, 'u' unless the first prompt is locked), or '=' for none because the client takes the
 * session for settled (see SETTLING_FIELDS: refused with {'unsettled'} unless they are all stored,
 * before anything is written), 8. the number of last-wins fields, 9. the
 * number of removed fields; then the conditional fields' names, their values, the last-wins
 * name/value pairs and the removed names (summary field names with their `s:` prefix, JSON values);
 * then the entry count and per entry: uuid ('' none), boundary flag, JSON.
 *
 * Replies: the new length alone when every entry was appended and no lease released (what nearly
 * every append replies: an integer costs less to build and to read than a table) |
 * {'ok', appended, skipped, length, mtime[, 1 when the lease was released]} | {'lease', reason} |
 * {'conflict', length, lastUuid, hasLastUuid} | {'refold', freshIndices} | {'unsettled'}. The last
 * two ask the client to recompute the summary delta, for the entries that are not duplicates or in
 * full; nothing was written.
 *
 * This script is the whole server-side cost of an append, where every argument, `redis.call` and Lua
 * table costs a measurable part of a round trip: arguments are few and laid out for
 * `unpack(ARGV, i, j)`, one HMGET reads the last uuid and every conditional summary field, one HSET
 * writes the metadata and the last-wins fields, a single entry is pushed without building a batch, the
 * length comes from RPUSH's reply unless a condition needs it first, and an append that creates no key
 * leaves expiries alone (the session's keys already share one).
 */
export const APPEND = script(
  'append',
  `
local subpath = ARGV[1]
local main = subpath == ''
local groups = ARGV[7]
-- '=': the client takes the session for settled and sent no conditional fields; checked first.
local settled = groups == '='
local ng, nw, nr = settled and 0 or #groups, tonumber(ARGV[8]), tonumber(ARGV[9])
local w = 10 + 2 * ng
local r = w + 2 * nw
local at = r + nr
local count = tonumber(ARGV[at])
local expected_length, expected_last = ARGV[3], ARGV[4]
-- Everything the append depends on is read before its first write (a single entry's SADD below),
-- so that no failed read can leave a write behind.
local present, actual_last = nil, false
if main then
  if settled then
    present = redis.call('HMGET', KEYS[3], 'last', ${SETTLED_FIELDS})
    for k = 2, #present do
      if not present[k] then return { 'unsettled' } end
    end
  else
    present = redis.call('HMGET', KEYS[3], 'last', 's:firstPromptLocked', unpack(ARGV, 10, 9 + ng))
  end
  actual_last = present[1]
elseif expected_last ~= 'n' then
  actual_last = redis.call('HGET', base_of(KEYS[3]) .. ':submeta', 'last:' .. subpath)
end
local lease
if ARGV[5] ~= '' then lease = redis.call('HMGET', KEYS[4], 'token', 'holder', 'expiresAt') end
local length
if expected_length ~= '' then length = redis.call('LLEN', KEYS[1]) end
local fresh, nfresh = nil, 0
-- A single entry's uuid is added at once, SADD's reply telling a retry from a new entry, and taken
-- back if the append is refused: one call instead of SISMEMBER now and SADD later.
local added = false
if count == 1 then
  local uuid = ARGV[at + 1]
  if uuid == '' then
    nfresh = 1
  else
    local reply = redis.pcall('SADD', KEYS[2], uuid)
    if type(reply) == 'table' then
      -- A server out of memory refuses the SADD: look without writing, so that a retry that landed
      -- and a refused condition are still answered as such (the push below is refused in turn).
      if redis.call('SISMEMBER', KEYS[2], uuid) == 0 then nfresh = 1 end
    elseif reply == 1 then
      nfresh, added = 1, true
    end
  end
elseif count > 1 then
  fresh = {}
  local seen = {}
  for i = 1, count do
    local uuid = ARGV[at + 3 * i - 2]
    if uuid == '' then
      nfresh = nfresh + 1; fresh[nfresh] = i
    elseif not seen[uuid] then
      seen[uuid] = true
      if redis.call('SISMEMBER', KEYS[2], uuid) == 0 then nfresh = nfresh + 1; fresh[nfresh] = i end
    end
  end
end
-- A batch that is stored already is a retry that landed: report it, whatever the condition says now.
if count > 0 and nfresh == 0 then return { 'ok', 0, count, length or redis.call('LLEN', KEYS[1]), 0 } end
local now = now_ms()
local release = false
local refused
if lease then
  -- 'r<token>': the writer's last write of its turn; the lease is given back once the entries are stored.
  release = string.byte(ARGV[5], 1) == 114
  local current, token = tonumber(lease[1] or '0'), tonumber(release and string.sub(ARGV[5], 2) or ARGV[5])
  if current ~= token then refused = { 'lease', current > token and 'superseded' or 'not-held' }
  elseif not lease[2] then refused = { 'lease', 'not-held' }
  elseif tonumber(lease[3]) <= now then refused = { 'lease', 'expired' } end
end
if not refused and (expected_length ~= '' or expected_last ~= 'n') then
  local matches = expected_length == '' or tonumber(expected_length) == length
  if matches and expected_last == 'z' then matches = not actual_last
  elseif matches and expected_last ~= 'n' then matches = actual_last == string.sub(expected_last, 2) end
  if not matches then refused = { 'conflict', length or redis.call('LLEN', KEYS[1]), actual_last or '', actual_last and 1 or 0 } end
end
if refused then
  if added then redis.call('SREM', KEYS[2], ARGV[at + 1]) end
  return refused
end
if nfresh == 0 then return { 'ok', 0, 0, length or redis.call('LLEN', KEYS[1]), 0 } end
if main and ng + nw + nr > 0 and (ARGV[6] ~= '*' or nfresh ~= count) then
  local fresh_list = fresh and table.concat(fresh, ',') or '1'
  if ARGV[6] == '*' or ARGV[6] ~= fresh_list then return { 'refold', fresh_list } end
end
local pushed, last, boundary_at
if count == 1 then
  local uuid = ARGV[at + 1]
  -- The one write that can still fail after the SADD (a log key of another type): undo it with it.
  pushed = redis.pcall('RPUSH', KEYS[1], ARGV[at + 3])
  if type(pushed) == 'table' then
    if added then redis.call('SREM', KEYS[2], uuid) end
    return pushed
  end
  if uuid ~= '' then
    last = uuid
    if not added then redis.call('SADD', KEYS[2], uuid) end
  end
  if ARGV[at + 2] == '1' then boundary_at = 1 end
else
  local values, uuids = {}, {}
  for position = 1, nfresh do
    local entry = at + 3 * fresh[position] - 3
    local uuid = ARGV[entry + 1]
    if uuid ~= '' then
      uuids[#uuids + 1] = uuid
      last = uuid
    end
    if ARGV[entry + 2] == '1' then boundary_at = position end
    values[#values + 1] = ARGV[entry + 3]
    if #values == 1000 then
      pushed = redis.call('RPUSH', KEYS[1], unpack(values))
      values = {}
    end
    if #uuids == 1000 then
      redis.call('SADD', KEYS[2], unpack(uuids))
      uuids = {}
    end
  end
  if #values > 0 then pushed = redis.call('RPUSH', KEYS[1], unpack(values)) end
  if #uuids > 0 then redis.call('SADD', KEYS[2], unpack(uuids)) end
end
length = length or (pushed - nfresh)
if main then
  if last and not boundary_at then
    redis.call('HSET', KEYS[3], 'mtime', int(now), 'last', last, unpack(ARGV, w, r - 1))
  else
    local fields = { 'mtime', int(now) }
    if last then fields[3] = 'last'; fields[4] = last end
    if boundary_at then fields[#fields + 1] = 'boundary'; fields[#fields + 1] = int(length + boundary_at - 1) end
    for i = w, r - 1 do fields[#fields + 1] = ARGV[i] end
    redis.call('HSET', KEYS[3], unpack(fields))
  end
  -- Conditional fields are written only where absent (and, unless set once, while no first prompt is
  -- locked in): after a session's first entries, none is.
  local missing
  for k = 1, ng do
    if not present[k + 2] and (string.byte(groups, k) == 111 or not present[2]) then
      missing = missing or {}
      missing[#missing + 1] = ARGV[9 + k]
      missing[#missing + 1] = ARGV[9 + ng + k]
    end
  end
  if missing then redis.call('HSET', KEYS[3], unpack(missing)) end
  if nr > 0 then redis.call('HDEL', KEYS[3], unpack(ARGV, r, at - 1)) end
else
  local fields = {}
  if last then fields[1] = 'last:' .. subpath; fields[2] = last end
  if boundary_at then fields[#fields + 1] = 'boundary:' .. subpath; fields[#fields + 1] = int(length + boundary_at - 1) end
  local base = base_of(KEYS[3])
  if #fields > 0 then redis.call('HSET', base .. ':submeta', unpack(fields)) end
  redis.call('SADD', base .. ':subkeys', subpath)
  -- The metadata hash exists whenever any key of the session does: it carries the session's expiry.
  redis.call('HSET', KEYS[3], 'touched', int(now))
end
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  expire_all(base_of(KEYS[3]), ttl)
-- Keys this append created take the session's expiry; the others have it already (they all got it
-- together). On the main transcript only the log (first entry) and the uuid set (first uuid, which
-- also writes 'last') can be new; a subkey append may create several keys.
elseif not main or length == 0 or (last and not actual_last) then
  local session_ttl = redis.call('PTTL', KEYS[3])
  if session_ttl > 0 then expire_all(base_of(KEYS[3]), session_ttl) end
end
if release then
  release_lease(KEYS[4], KEYS[5])
  return { 'ok', nfresh, count - nfresh, length + nfresh, now, 1 }
end
if nfresh == count then return length + nfresh end
return { 'ok', nfresh, count - nfresh, length + nfresh, now }
`,
);

/**
 * Reads a window of a transcript with its length (Lua, shared by LOAD_WINDOW and
 * ACQUIRE_LEASE_AND_LOAD): {-1} for a missing transcript, else {length, start, entries}. `mode` is
 * 'range' (from `start` to `stop`, '' = the end) or 'boundary' (from the index in `info`'s `field`).
 *
 * With `known_start`, `known_end` and `known_sha1` (the caller holds entries known_start to
 * known_end - 1, the last of them with that SHA1): when the window starts within them, reaches past
 * them, and the entry at known_end - 1 is still that one, only the entries from known_end on are
 * sent, as {length, start, entries from known_end, known_end}. The log is append-only, so an
 * unchanged entry at known_end - 1 means unchanged entries before it.
 */
const READ_WINDOW = `
local function read_window(log, info, mode, start, stop, field, known_start, known_end, known_sha1)
  local length = redis.call('LLEN', log)
  if length == 0 then return { -1 } end
  local first, last
  if mode == 'boundary' then
    first = tonumber(redis.call('HGET', info, field) or '0')
    last = length
  else
    first = math.min(tonumber(start), length)
    last = stop == '' and length or math.min(tonumber(stop), length)
  end
  if last <= first then return { length, first, {} } end
  if known_end and first >= known_start and first < known_end and known_end <= last then
    local at = redis.call('LINDEX', log, known_end - 1)
    if at and redis.sha1hex(at) == known_sha1 then
      if known_end == last then return { length, first, {}, known_end } end
      return { length, first, redis.call('LRANGE', log, known_end, last - 1), known_end }
    end
  end
  return { length, first, redis.call('LRANGE', log, first, last - 1) }
end
`;

/**
 * Reads a window of a transcript with its length, in one step. KEYS: log, info hash. ARGV: mode
 * ('range' | 'boundary'), start, end ('' = to the end), boundary field.
 * Replies {-1} for a missing transcript, else {length, start, entries}.
 */
export const LOAD_WINDOW = script(
  'load-window',
  `${READ_WINDOW}
return read_window(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
`,
);

/**
 * Forks a main transcript with COPY on a standalone server (the source and target are in different
 * slots, so never on Cluster). KEYS: source log, ids, meta, target log, ids, meta. ARGV: target base,
 * ttl ms (0 = no expiry). Replies {'ok', mtime} | {'missing'} | {'exists'}.
 */
export const FORK_COPY = script(
  'fork-copy',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'missing' } end
if redis.call('EXISTS', KEYS[4]) == 1 then return { 'exists' } end
local now = now_ms()
redis.call('COPY', KEYS[1], KEYS[4], 'REPLACE')
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('COPY', KEYS[2], KEYS[5], 'REPLACE') end
local fields = redis.call('HGETALL', KEYS[3])
-- The copy is a session of its own: it gets its own birth mark when first loaded (see ACQUIRE_LEASE_AND_LOAD).
for i = 1, #fields, 2 do if fields[i] ~= 'born' then redis.call('HSET', KEYS[6], fields[i], fields[i + 1]) end end
redis.call('HSET', KEYS[6], 'mtime', int(now))
expire_all(ARGV[1], tonumber(ARGV[2]))
return { 'ok', now }
`,
);

/**
 * Deletes a session (subpath '') with every key, or one subkey. KEYS: meta (routing only). ARGV: base,
 * subpath.
 */
export const DELETE = script(
  'delete',
  `
local base, subpath = ARGV[1], ARGV[2]
if subpath == '' then
  for _, key in ipairs(session_keys(base)) do redis.call('DEL', key) end
  redis.call('DEL', base .. ':wake')
else
  redis.call('DEL', base .. ':sub:' .. subpath, base .. ':subids:' .. subpath)
  redis.call('SREM', base .. ':subkeys', subpath)
  redis.call('HDEL', base .. ':submeta', 'last:' .. subpath, 'boundary:' .. subpath)
end
return 1
`,
);

/** Sets (ttl > 0) or removes (ttl 0) the expiry of every key of a session. KEYS: meta. ARGV: base, ttl. */
export const EXPIRE = script(
  'expire',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
expire_all(ARGV[1], tonumber(ARGV[2]))
return 1
`,
);

/** Reads the summary fields and mtime of a main transcript. KEYS: meta. Replies a flat field list. */
export const READ_META = script('read-meta', `return redis.call('HGETALL', KEYS[1])`);

/**
 * Adds a session to its project's index, scored by server time, and keeps the index at least as long
 * lived as its sessions. KEYS: index. ARGV: member ('' = none), expiry ('' none, 'persist', or ms:
 * extend only, so the index outlives every session that refreshed it).
 */
export const INDEX = script(
  'index',
  `
local existed = redis.call('EXISTS', KEYS[1])
if ARGV[1] ~= '' then redis.call('ZADD', KEYS[1], now_ms(), ARGV[1]) end
if ARGV[2] == 'persist' then
  redis.call('PERSIST', KEYS[1])
elseif ARGV[2] ~= '' and redis.call('EXISTS', KEYS[1]) == 1 then
  local ttl = tonumber(ARGV[2])
  local current = redis.call('PTTL', KEYS[1])
  if existed == 0 or (current >= 0 and current < ttl) then redis.call('PEXPIRE', KEYS[1], ttl) end
end
return 1
`,
);

/** Lists a project index as a flat {member, score, ...} list. KEYS: index. */
export const LIST_INDEX = script('list-index', `return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')`);

/**
 * Removes index members whose session is gone, unless re-added since they were read or added less
 * than a grace period ago (an append's index update may land before its session script on Cluster).
 * KEYS: index. ARGV: grace ms, then {member, score read} pairs.
 */
export const PRUNE_INDEX = script(
  'prune-index',
  `
local cutoff = now_ms() - tonumber(ARGV[1])
local removed = 0
for i = 2, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and score == ARGV[i + 1] and tonumber(score) < cutoff then
    removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return removed
`,
);

/**
 * Takes a session's lease (Lua, shared by ACQUIRE_LEASE and ACQUIRE_LEASE_AND_LOAD). KEYS[1]: lease,
 * KEYS[2]: meta. ARGV: 1. holder, 2. lease ttl ms, 3. store ttl ms (0 = none). Returns
 * {'held', holder, expiresAt} from the script while another holds the lease; otherwise leaves the new
 * lease in `token` and `expires_at`. Tokens never repeat: each is above the previous one and at least
 * the server time in ms, so they keep growing after the session (and its counter) has been deleted.
 */
const TAKE_LEASE = `
local now = now_ms()
local lease = redis.call('HMGET', KEYS[1], 'token', 'holder', 'expiresAt')
if lease[2] and tonumber(lease[3]) > now then return { 'held', lease[2], tonumber(lease[3]) } end
local ttl = tonumber(ARGV[2])
local token = math.max(tonumber(lease[1] or '0') + 1, now)
local expires_at = now + ttl
redis.call('HSET', KEYS[1], 'token', int(token), 'holder', ARGV[1], 'expiresAt', int(expires_at))
local key_ttl = tonumber(ARGV[3])
if key_ttl <= 0 then key_ttl = redis.call('PTTL', KEYS[2]) end
if key_ttl > 0 then redis.call('PEXPIRE', KEYS[1], math.max(key_ttl, ttl)) else redis.call('PERSIST', KEYS[1]) end
`;

/**
 * Takes a session's lease. KEYS: lease, meta. ARGV: holder, lease ttl ms, store ttl ms (0 = none).
 * Replies {'ok', token, expiresAt} | {'held', holder, expiresAt}.
 */
export const ACQUIRE_LEASE = script(
  'acquire-lease',
  `${TAKE_LEASE}
return { 'ok', token, expires_at }
`,
);

/**
 * Takes a session's lease and reads a window of its main transcript, atomically: a turn's first two
 * calls in one round trip. KEYS: lease, meta, log. ARGV: 1-3 as ACQUIRE_LEASE (holder, lease ttl ms,
 * store ttl ms), then 4-6 as LOAD_WINDOW's 1-3 (mode, start, end; the boundary field is the main
 * transcript's), then 7-10 the entries the caller holds already ('' none): their start, end, the
 * SHA1 of the last one (see READ_WINDOW) and the transcript's birth mark they were read under.
 * Replies {'held', holder, expiresAt} (nothing read) | {'ok', token, expiresAt, window, born} with
 * `window` as READ_WINDOW replies.
 *
 * The birth mark (`born` in the meta hash, the server's TIME when first asked for) tells one life of
 * a session id from the next: deleting a session (or its expiry) removes the meta hash with it, so
 * a session written again under the same id, even with the same length and the same last entry
 * (a redacted copy), gets a new mark, and entries held from before are not used.
 */
export const ACQUIRE_LEASE_AND_LOAD = script(
  'acquire-lease-and-load',
  `${READ_WINDOW}
${TAKE_LEASE}
local born = redis.call('HGET', KEYS[2], 'born')
if not born and redis.call('EXISTS', KEYS[3]) == 1 and redis.call('EXISTS', KEYS[2]) == 1 then
  local time = redis.call('TIME')
  born = time[1] .. '.' .. time[2]
  redis.call('HSET', KEYS[2], 'born', born)
end
born = born or ''
local same_life = born ~= '' and ARGV[10] == born
local window = read_window(KEYS[3], KEYS[2], ARGV[4], ARGV[5], ARGV[6], 'boundary', same_life and tonumber(ARGV[7]) or nil, same_life and tonumber(ARGV[8]) or nil, ARGV[9])
return { 'ok', token, expires_at, window, born }
`,
);

/**
 * Renews (ttl > 0) or releases (ttl 0) a lease. KEYS: lease, and for a release the wake list. A release
 * leaves one element in the wake list for a moment: the worker blocked longest on it (BLPOP, in
 * `waitForLeaseRelease`) takes it and tries the session at once; only one wakes, so the others do not
 * all race for the lease; an element nobody was waiting for vanishes after WAKE_MS, and one taken by a
 * worker that arrives just after the release makes it try at once, as it should. ARGV: token, ttl ms.
 * Replies {'ok', expiresAt} | {'lease', reason}.
 */
export const RENEW_LEASE = script(
  'renew-lease',
  `
local now = now_ms()
local lease = redis.call('HMGET', KEYS[1], 'token', 'holder', 'expiresAt')
local current, token = tonumber(lease[1] or '0'), tonumber(ARGV[1])
if current ~= token then return { 'lease', current > token and 'superseded' or 'not-held' } end
if not lease[2] then return { 'lease', 'not-held' } end
local ttl = tonumber(ARGV[2])
if ttl == 0 then
  release_lease(KEYS[1], KEYS[2])
  return { 'ok', now }
end
if tonumber(lease[3]) <= now then return { 'lease', 'expired' } end
local expires_at = now + ttl
redis.call('HSET', KEYS[1], 'expiresAt', int(expires_at))
local key_ttl = redis.call('PTTL', KEYS[1])
if key_ttl >= 0 and key_ttl < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return { 'ok', expires_at }
`,
);

/**
 * How long the session's lease stays held, in ms of the server's clock: 0 when it is free. KEYS: lease.
 */
export const LEASE_REMAINING = script(
  'lease-remaining',
  `
local lease = redis.call('HMGET', KEYS[1], 'holder', 'expiresAt')
if not lease[1] then return 0 end
return math.max(0, tonumber(lease[2]) - now_ms())
`,
);
