-- Level-2 dedupe: claims a canonical URL for an article, or reads who holds it. The holder's own
-- re-claim moves the expiry along with its article's (an edit can move `published`), so the
-- claim never outlives the article.
-- KEYS[1] url claim (string: the holder's article id)
-- ARGV[1] article id
-- ARGV[2] expireAt (ms since the epoch)
-- Returns the holder's id (ARGV[1] when the claim is new or already ours).
local cur = redis.call('GET', KEYS[1])
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
  return ARGV[1]
end
if cur == ARGV[1] then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
return cur
