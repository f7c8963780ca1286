-- Rewrites an article's stored item (retag, manual tags) and its stored version, keeping its
-- MinHash signature (the text did not change), its other small fields and its expiry. An
-- old-layout article becomes format 4.
-- KEYS[1] article (string, see article.lua)
-- KEYS[2] its legacy hash (old layout only; same hash tag)
-- ARGV[1] the new article part (encoding byte + deflated article)
-- ARGV[2] the new stored version
-- ARGV[3] expected stored version, or '' for "whatever it is": a poll that updated the article
--         meanwhile wins
-- Returns 1 when rewritten, 0 when the article is gone or its version moved on.
local a = art_read(KEYS[1], KEYS[2])
if not a then return 0 end
if ARGV[3] ~= '' and a.meta.ch ~= ARGV[3] then return 0 end
a.meta.ch = ARGV[2]
a.article = ARGV[1]
art_write(KEYS[1], KEYS[2], a, nil)
return 1
