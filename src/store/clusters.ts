// Story clusters: LSH buckets (band value -> article ids) find near-duplicate candidates; a
// cluster is a sorted set of member ids. Nothing here outlives the articles it points at:
// - a bucket is a sorted set scored by each member's candidacy deadline (the earlier of the dedupe
//   window and the article's own expiry); each write drops members past it, and the key expires
//   with its last live member;
// - a cluster set expires with its longest-lived member (never earlier, never later).
// The article's remaining life is read from its hash's PTTL (written just before, by the upsert),
// so callers need not know the retention settings. Every script touches one key (Cluster-safe).
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';

function bandKey(keys: Keys, band: string) {
  const i = band.indexOf(':');
  return keys.lshBucket(Number(band.slice(0, i)), band.slice(i + 1));
}

// KEYS[1] bucket; ARGV: 1 id, 2 deadline (ms), 3 now (ms)
const BUCKET_ADD_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1
`;

// KEYS[1] cluster; ARGV: 1 id, 2 published (score), 3 ttl (ms) of this member
const MEMBER_ADD_LUA = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local cur = redis.call('PTTL', KEYS[1])
if cur < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1
`;

interface ClusterCommands {
  tribBucketAdd(key: string, id: string, deadlineMs: number, nowMs: number): Promise<number>;
  tribMemberAdd(key: string, id: string, publishedMs: number, ttlMs: number): Promise<number>;
}

export function createClusterStore(redis: RedisClient, keys: Keys) {
  redis.defineCommand('tribBucketAdd', { numberOfKeys: 1, lua: BUCKET_ADD_LUA });
  redis.defineCommand('tribMemberAdd', { numberOfKeys: 1, lua: MEMBER_ADD_LUA });
  const r = redis as RedisClient & ClusterCommands;

  /** Remaining life of an article's hash, ms; `fallback` when it has no expiry or is gone. */
  const articleTtl = async (id: string, fallback: number) => {
    const t = await redis.pttl(keys.article(id));
    return t > 0 ? t : fallback;
  };

  return {
    /** Ids of live candidates sharing at least one band. */
    async candidates(bands: string[], nowMs = Date.now()): Promise<string[]> {
      const sets = await Promise.all(bands.map((b) => redis.zrangebyscore(bandKey(keys, b), nowMs, '+inf')));
      return [...new Set(sets.flat())];
    },

    /** Adds `id` to its band buckets for at most `ttlMs` (the dedupe window) and at most its own life. */
    async addToBuckets(id: string, bands: string[], ttlMs: number, nowMs = Date.now()): Promise<void> {
      if (bands.length === 0) return;
      const deadline = nowMs + Math.min(ttlMs, await articleTtl(id, ttlMs));
      await Promise.all(bands.map((b) => r.tribBucketAdd(bandKey(keys, b), id, deadline, nowMs)));
    },

    /** Adds `id` to a cluster; the cluster lives as long as its longest-lived member (at most `ttlMs`). */
    async addMember(clusterId: string, id: string, publishedMs: number, ttlMs: number): Promise<void> {
      const ttl = Math.min(ttlMs, await articleTtl(id, ttlMs));
      await r.tribMemberAdd(keys.cluster(clusterId), id, publishedMs, ttl);
    },

    async members(clusterId: string): Promise<string[]> {
      return redis.zrange(keys.cluster(clusterId), '0', '49');
    },
  };
}

export type ClusterStore = ReturnType<typeof createClusterStore>;
