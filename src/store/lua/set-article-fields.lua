-- Sets small fields (cluster id `cl`, sections `secs`) of an article that still exists: a late
-- write must not resurrect an expired article.
-- KEYS[1] article hash
-- ARGV    field, value, field, value, ...
-- Returns the number of fields added (HSET), or 0 when the article is gone.
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], unpack(ARGV)) end
return 0
