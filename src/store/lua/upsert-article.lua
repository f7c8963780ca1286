-- Writes one article: its string (signature, small fields, deflated article; see article.lua),
-- atomically, so a retried job leaves exactly the state of one run.
-- KEYS[1] article (string)
-- KEYS[2] its legacy hash (old layout only; same hash tag): a write migrates the article
-- ARGV[1] signature head: 0x04, signature length (uint16 LE), packed signature
-- ARGV[2] article part: encoding byte + deflated article
-- ARGV[3] stored version (`storedVersion`: what we publish but `updated`, hashed; tag digest)
-- ARGV[4] sourceId
-- ARGV[5] owner: "1" when this source owns the article (only the owner rewrites it)
-- ARGV[6] firstSeen (ms since the epoch)
-- ARGV[7] expireAt (ms since the epoch)
-- ARGV[8] published score (ms since the epoch)
-- ARGV[9] the source's `updated` (ms): a change of it alone is a correction too
-- ARGV[10] the `updated` (ms) the body carries (ARGV[9], or a bumped time on a forced write)
-- ARGV[11] "1": forced write (the caller re-encoded the body with a bumped `updated`)
-- Returns { outcome, srcs, fs, cl, secs }; outcome is inserted | merged | updated | unchanged,
-- or { 'stale', w } when the owner's item changed but its `updated` (ARGV[10]) is not later than
-- the `updated` readers already have (w, ms): nothing of the item is written then, and the caller
-- writes it again with a later `updated` and ARGV[11] = "1", so feed readers see the correction.
-- Fields: ch stored version, srcs sources, fs first seen, p published, u the source's updated,
-- w the updated in the body, cl cluster, secs sections.
local a = art_read(KEYS[1], KEYS[2])
if not a then
  a = {
    sighead = ARGV[1],
    article = ARGV[2],
    meta = {p = ARGV[8], cl = '', srcs = ARGV[4], ch = ARGV[3], u = ARGV[9], w = ARGV[10], fs = ARGV[6]},
  }
  art_write(KEYS[1], KEYS[2], a, ARGV[7])
  return {'inserted', ARGV[4], ARGV[6], false, false}
end
local m = a.meta
local outcome = 'unchanged'
if not string.find(',' .. m.srcs .. ',', ',' .. ARGV[4] .. ',', 1, true) then
  if m.srcs == '' then m.srcs = ARGV[4] else m.srcs = m.srcs .. ',' .. ARGV[4] end
  outcome = 'merged'
end
local pxat = nil
if ARGV[5] == '1' and (m.ch ~= ARGV[3] or m.u ~= ARGV[9]) then
  if ARGV[11] ~= '1' and m.w ~= '' and tonumber(ARGV[10]) <= tonumber(m.w) then
    return {'stale', m.w}
  end
  m.ch, m.p, m.u, m.w = ARGV[3], ARGV[8], ARGV[9], ARGV[10]
  a.sighead = ARGV[1]
  a.article = ARGV[2]
  pxat = ARGV[7]
  outcome = 'updated'
end
if outcome ~= 'unchanged' or a.legacy then art_write(KEYS[1], KEYS[2], a, pxat) end
return {outcome, m.srcs, m.fs, m.cl ~= '' and m.cl or false, m.secs or false}
