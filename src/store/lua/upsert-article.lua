-- Writes one article: its small hash (version, sources, first seen, published score) and its body
-- string, atomically, so a retried job leaves exactly the state of one run.
-- KEYS[1] article hash (small fields, a compact listpack)
-- KEYS[2] article body (string, see `encodeBody` in article-codec.ts); same hash tag as KEYS[1]
-- ARGV[1] body
-- ARGV[2] stored version (`storedVersion`: what we publish but `updated`, hashed; tag digest)
-- ARGV[3] sourceId
-- ARGV[4] owner: "1" when this source owns the article (only the owner rewrites it)
-- ARGV[5] firstSeen (ISO)
-- ARGV[6] expireAt (ms since the epoch)
-- ARGV[7] published score (ms since the epoch)
-- ARGV[8] the source's `updated` (ms): a change of it alone is a correction too
-- ARGV[9] the `updated` (ms) the body carries (ARGV[8], or a bumped time on a forced write)
-- ARGV[10] "1": forced write (the caller re-encoded the body with a bumped `updated`)
-- Returns { outcome, srcs, fs, cl, secs }; outcome is inserted | merged | updated | unchanged,
-- or { 'stale', w } when the owner's item changed but its `updated` (ARGV[9]) is not later than
-- the `updated` readers already have (w, ms): nothing of the item is written then, and the caller
-- writes it again with a later `updated` and ARGV[10] = "1", so feed readers see the correction.
-- Hash fields: ch stored version, srcs sources, fs first seen, p published, u the source's
-- updated, w the updated in the body, cl cluster, secs sections.
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then
  redis.call('HSET', key, 'ch', ARGV[2], 'srcs', ARGV[3], 'fs', ARGV[5], 'p', ARGV[7], 'u', ARGV[8], 'w', ARGV[9])
  redis.call('PEXPIREAT', key, ARGV[6])
  redis.call('SET', KEYS[2], ARGV[1], 'PXAT', ARGV[6])
  return {'inserted', ARGV[3], ARGV[5], false, false}
end
local outcome = 'unchanged'
local srcs = redis.call('HGET', key, 'srcs') or ''
if not string.find(',' .. srcs .. ',', ',' .. ARGV[3] .. ',', 1, true) then
  if srcs == '' then srcs = ARGV[3] else srcs = srcs .. ',' .. ARGV[3] end
  redis.call('HSET', key, 'srcs', srcs)
  outcome = 'merged'
end
if ARGV[4] == '1' then
  local h = redis.call('HMGET', key, 'ch', 'u', 'w')
  if h[1] ~= ARGV[2] or h[2] ~= ARGV[8] then
    if ARGV[10] ~= '1' and h[3] and tonumber(ARGV[9]) <= tonumber(h[3]) then
      return {'stale', h[3]}
    end
    redis.call('HSET', key, 'ch', ARGV[2], 'p', ARGV[7], 'u', ARGV[8], 'w', ARGV[9])
    redis.call('PEXPIREAT', key, ARGV[6])
    redis.call('SET', KEYS[2], ARGV[1], 'PXAT', ARGV[6])
    outcome = 'updated'
  end
end
local fs = redis.call('HGET', key, 'fs')
local cl = redis.call('HGET', key, 'cl')
local secs = redis.call('HGET', key, 'secs')
return {outcome, srcs, fs, cl, secs}
