-- Rewrites an article's stored item (retag, manual tags) and its stored version, keeping the
-- body's header and MinHash signature (the text did not change) and the article's expiry.
-- KEYS[1] article hash
-- KEYS[2] article body (string: 3-byte header, signature, deflated article)
-- ARGV[1] the new deflated article (no header)
-- ARGV[2] the new stored version
-- ARGV[3] expected stored version, or '' for "whatever it is": a poll that updated the article
--         meanwhile wins
-- ARGV[4] a header with no signature (its format byte is the new body's)
-- Returns 1 when rewritten, 0 when the article is gone or its version moved on.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ch = redis.call('HGET', KEYS[1], 'ch')
if ARGV[3] ~= '' and ch ~= ARGV[3] then return 0 end
local head = redis.call('GETRANGE', KEYS[2], 0, 2)
local keep = ARGV[4]
if string.len(head) == 3 then
  local siglen = string.byte(head, 2) + 256 * string.byte(head, 3)
  keep = string.sub(ARGV[4], 1, 1) .. redis.call('GETRANGE', KEYS[2], 1, 2 + siglen)
end
local ttl = redis.call('PTTL', KEYS[1])
redis.call('HSET', KEYS[1], 'ch', ARGV[2])
if ttl > 0 then
  redis.call('SET', KEYS[2], keep .. ARGV[1], 'PX', ttl)
else
  redis.call('SET', KEYS[2], keep .. ARGV[1])
end
return 1
