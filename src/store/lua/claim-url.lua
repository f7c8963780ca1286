-- Level-2 dedupe: claims a canonical URL for an article, or reads who holds it. Claims live in
-- bucket hashes (see url-claims.ts): field = 10 bytes of the URL's digest, value = the claim's
-- expiry (4 bytes, big-endian, seconds since the epoch) followed by the holder's packed id. An
-- entry past its expiry (by the server's clock) counts as absent. The holder's own re-claim moves
-- the expiry along with its article's (an edit can move `published`), so the claim never outlives
-- the article. The bucket key's expiry is pushed to its longest-lived entry's (never shortened).
-- Sweep: a bucket's `~` field (the real fields are 10 bytes long) holds "<due>", or
-- "<due>:<cursor>" while a sweep is under way. On a write at or after `due` (seconds), one HSCAN
-- step (about ARGV[6] entries of a hash-table bucket; a listpack one comes whole, at most
-- hash-max-listpack-entries) deletes the expired entries it sees; once the scan is through, the
-- next sweep is due ARGV[5] seconds later. So the work per call is bounded, and an expired entry
-- (already absent to every claim) keeps its bytes until the first write to its bucket at least
-- ARGV[5] seconds after it expired (a few writes more in a hash-table bucket), or until the bucket
-- expires with its longest-lived entry, whichever comes first.
-- KEYS[1] bucket (hash)
-- ARGV[1] field (10 bytes of the URL's digest)
-- ARGV[2] packed article id
-- ARGV[3] expireAt, seconds since the epoch
-- ARGV[4] '1': store ARGV[2] as the holder whoever holds the URL now (the upgrade fix-up, see
--         url-claims.ts), else '0'
-- ARGV[5] sweep interval, seconds
-- ARGV[6] entries per sweep step (HSCAN COUNT)
-- Returns the holder's packed id (ARGV[2] when the claim is new or already ours).
local key, field, id = KEYS[1], ARGV[1], ARGV[2]
local exp = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1])
local nowMs = now * 1000 + math.floor(tonumber(clock[2]) / 1000)
local SWEEP = '~'

local cur = redis.call('HGET', key, field)
if cur and ARGV[4] ~= '1' and struct.unpack('>I4', cur) > now then
  local holder = string.sub(cur, 5)
  if holder ~= id then return holder end
end

if exp <= now then
  -- Already past its expiry (an edit moved `published` back past retention): no claim.
  if cur then redis.call('HDEL', key, field) end
  return id
end
local value = struct.pack('>I4', exp) .. id
if cur == value then return id end
redis.call('HSET', key, field, value)
local ttl = redis.call('PTTL', key)
if ttl < 0 or nowMs + ttl < exp * 1000 then redis.call('PEXPIREAT', key, exp * 1000) end

local marker = redis.call('HGET', key, SWEEP)
if not marker then
  -- A new bucket: nothing to sweep yet.
  redis.call('HSET', key, SWEEP, now + tonumber(ARGV[5]))
  return id
end
local due, cursor = string.match(marker, '^(%d+):?(%d*)$')
if now < tonumber(due) then return id end
if cursor == '' then cursor = '0' end
local step = redis.call('HSCAN', key, cursor, 'COUNT', ARGV[6])
local dead = {}
local entries = step[2]
for i = 1, #entries, 2 do
  local f, v = entries[i], entries[i + 1]
  if f ~= SWEEP and struct.unpack('>I4', v) <= now then dead[#dead + 1] = f end
end
for i = 1, #dead, 100 do
  redis.call('HDEL', key, unpack(dead, i, math.min(i + 99, #dead)))
end
if step[1] == '0' then
  redis.call('HSET', key, SWEEP, now + tonumber(ARGV[5]))
else
  redis.call('HSET', key, SWEEP, due .. ':' .. step[1])
end
return id
