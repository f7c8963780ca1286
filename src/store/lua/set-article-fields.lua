-- Sets small fields (cluster id `cl`, sections `secs`) of an article that still exists: a late
-- write must not resurrect an expired article. Rewrites the article string keeping its TTL
-- (an old-layout article becomes format 4); writes nothing when the values are already these.
-- KEYS[1] article (string, see article.lua)
-- KEYS[2] its legacy hash (old layout only; same hash tag)
-- ARGV    field, value, field, value, ... (fields: cl — a cluster id, '=' for the article's own —
--         and secs)
-- Returns 1 when written, 0 when the article is gone or already had these values.
local a = art_read(KEYS[1], KEYS[2])
if not a then return 0 end
local changed = a.legacy
for i = 1, #ARGV, 2 do
  if a.meta[ARGV[i]] ~= ARGV[i + 1] then
    a.meta[ARGV[i]] = ARGV[i + 1]
    changed = true
  end
end
if not changed then return 0 end
art_write(KEYS[1], KEYS[2], a, nil)
return 1
