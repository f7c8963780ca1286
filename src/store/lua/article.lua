-- Shared by the article scripts (lua.ts puts it in front of upsert-article, set-article-fields
-- and replace-article): reads and writes a stored article, the one string of body format 4 (see
-- `encodeBody` in article-codec.ts):
--   0x04 | signature length (uint16 LE) | signature | fields length (uint16 LE)
--   | p|cl|srcs|ch|u|w|fs[|secs] | article encoding byte (2 or 3) | deflated article
-- (cl '=' stands for the article's own id; the scripts do not read it)
-- and the old layout (a body of format 2 or 3 under the same key, its small fields in the legacy
-- hash), which `art_write` migrates: the string becomes format 4 and the hash is deleted.
-- Defines no KEYS or ARGV of its own.
local ART_FIELDS = {'p', 'cl', 'srcs', 'ch', 'u', 'w', 'fs', 'secs'}

local function art_u16(s, i)
  return string.byte(s, i) + 256 * string.byte(s, i + 1)
end

local function art_u16s(n)
  return string.char(n % 256, math.floor(n / 256))
end

-- The article under `key` (its legacy hash `legacy`), or nil when it is gone. A table of:
-- sighead (0x04, signature length, signature), meta (field -> string, '' when not set; secs nil
-- when never set), article (encoding byte + deflated article), legacy (true: the old layout).
local function art_read(key, legacy)
  local body = redis.call('GET', key)
  if not body or string.len(body) < 3 then return nil end
  local fmt = string.byte(body, 1)
  local siglen = art_u16(body, 2)
  local sighead = string.char(4) .. string.sub(body, 2, 3 + siglen)
  local meta = {}
  if fmt == 4 then
    local at = 4 + siglen
    local fields = string.sub(body, at + 2, at + 1 + art_u16(body, at))
    local i = 1
    for n = 1, #ART_FIELDS do
      local j = string.find(fields, '|', i, true)
      if j then
        meta[ART_FIELDS[n]] = string.sub(fields, i, j - 1)
        i = j + 1
      else
        meta[ART_FIELDS[n]] = string.sub(fields, i)
        break
      end
    end
    for n = 1, 7 do meta[ART_FIELDS[n]] = meta[ART_FIELDS[n]] or '' end
    return {sighead = sighead, meta = meta, article = string.sub(body, at + 2 + string.len(fields))}
  end
  -- The old layout: the small fields in the hash (an orphan body without one is gone, as before).
  if redis.call('EXISTS', legacy) == 0 then return nil end
  local h = redis.call('HMGET', legacy, unpack(ART_FIELDS))
  for n = 1, 7 do meta[ART_FIELDS[n]] = h[n] or '' end
  if h[8] then meta.secs = h[8] end
  return {sighead = sighead, meta = meta, article = string.char(fmt) .. string.sub(body, 4 + siglen), legacy = true}
end

-- Writes `a` (as `art_read` gave it, changed) as format 4: with pxat (ms since the epoch) as its
-- expiry, or keeping the key's TTL. An old-layout article loses its legacy hash.
local function art_write(key, legacy, a, pxat)
  local m = a.meta
  local values = {m.p, m.cl, m.srcs, m.ch, m.u, m.w, m.fs}
  if m.secs then values[8] = m.secs end
  local fields = table.concat(values, '|')
  local body = a.sighead .. art_u16s(string.len(fields)) .. fields .. a.article
  if pxat then
    redis.call('SET', key, body, 'PXAT', pxat)
  else
    redis.call('SET', key, body, 'KEEPTTL')
  end
  if a.legacy then
    redis.call('DEL', legacy)
    a.legacy = false
  end
end

