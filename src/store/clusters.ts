// Story clusters: LSH buckets (band value -> article ids) find near-duplicate candidates; a
// cluster is a sorted set of member ids. Nothing here outlives the articles it points at:
// - bucket entries sit in sorted sets (256 bucket groups per band) scored by each entry's candidacy
//   deadline (the earlier of the dedupe window and the article's own expiry); each write drops
//   entries past it, and the key expires with its last live entry;
// - a cluster set exists only for stories of two or more, and expires with its longest-lived
//   member (never earlier, never later).
// The article's remaining life is read from its PTTL (written just before, by the upsert),
// so callers need not know the retention settings. Every script touches one key (Cluster-safe).
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';
import { packId, unpackId } from './packed-id.ts';
import { readHeads } from './article-heads.ts';
import { storyOf } from './article-codec.ts';

/**
 * Where one band value lives: buckets are grouped 256 to a key per band (a key per bucket costs
 * ~100 bytes of key overhead for what is mostly one member), keyed by the value's first byte. The
 * member is binary: 3 bytes of the value's next 24 bits (the tag) and the article id's 12 bytes
 * (24 hex chars): 15 bytes, where the base64url text of the older `lsh:` keys took 20 (100 bytes
 * per article over 20 bands). A false tag match only makes a candidate that the signature check
 * drops.
 */
function bandSlot(keys: Keys, band: string): { key: string; tag: Buffer } {
  const i = band.indexOf(':');
  const value = band.slice(i + 1).padEnd(8, '0');
  return {
    key: keys.lshBucket(Number(band.slice(0, i)), value.slice(0, 2)),
    tag: Buffer.from(value.slice(2, 8), 'hex'),
  };
}

const TAG_LEN = 3;

// KEYS[1] cluster; ARGV: 1 id, 2 published (score), 3 ttl (ms) of this member
const MEMBER_ADD_LUA = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local cur = redis.call('PTTL', KEYS[1])
if cur < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1
`;

// KEYS: the article's band groups (one slot); ARGV: 1 deadline, 2 now (both in seconds: a
// 10-digit score is a 4-byte integer in a listpack, a 13-digit one 8 bytes), 3 the deadline in ms
// (the key's expiry is set against the server's clock when the script runs, so the time the
// caller spent since reading its clock does not extend it), 4 slack ms, 5 entries examined per key, 6 members returned per key, then one
// member (tag + id) per key. Per key: returns the newest live members of the article's own bucket
// (its tag) among the newest ARGV[5] live entries of the group, at most ARGV[6] of them, adds the
// member, and keeps the key alive as long as its longest-lived entry (plus at most the slack: with
// a 72 h window an expiry is pushed once per 9 h per key, not once per article). The work per key
// is bounded whatever the corpus size. Expired entries are never returned; about one call in eight
// (by the member's first byte, spread evenly) also deletes them, which bounds the key as well and
// costs an eighth of the commands. One round trip for all bands.
const BUCKET_SWAP_LUA = `
local out = {}
local now = ARGV[2]
local clock = redis.call('TIME')
local want = math.max(1, tonumber(ARGV[3]) - (clock[1] * 1000 + math.floor(clock[2] / 1000)))
local slack = tonumber(ARGV[4])
local scan = tonumber(ARGV[5])
local keep = tonumber(ARGV[6])
for i, key in ipairs(KEYS) do
  local member = ARGV[6 + i]
  local tag = string.sub(member, 1, ${TAG_LEN})
  if string.byte(member, 1) % 8 == 0 then redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. now) end
  local found = {}
  local entries = redis.call('ZREVRANGEBYSCORE', key, '+inf', now, 'LIMIT', 0, scan)
  for _, m in ipairs(entries) do
    if #found >= keep then break end
    if string.sub(m, 1, ${TAG_LEN}) == tag then found[#found + 1] = m end
  end
  out[i] = found
  redis.call('ZADD', key, ARGV[1], member)
  if redis.call('PTTL', key) < want then redis.call('PEXPIRE', key, want + slack) end
end
return out
`;

/** Extra key life when pushing a bucket group's expiry (see BUCKET_SWAP_LUA); none for short windows. */
const expirySlack = (leftMs: number) => (leftMs > 3_600_000 ? Math.floor(leftMs / 8) : 0);

interface ClusterCommands {
  tribBucketSwapBuffer(
    numKeys: number,
    ...keysThenArgs: (string | number | Buffer)[]
  ): Promise<Buffer[][]>;
  tribMemberAdd(key: string, id: string, publishedMs: number, ttlMs: number): Promise<number>;
}

export function createClusterStore(redis: RedisClient, keys: Keys) {
  redis.defineCommand('tribMemberAdd', { numberOfKeys: 1, lua: MEMBER_ADD_LUA });
  redis.defineCommand('tribBucketSwap', { lua: BUCKET_SWAP_LUA });
  const r = redis as RedisClient & ClusterCommands;

  /** Remaining life of an article, ms; `fallback` when it has no expiry or is gone. */
  const articleTtl = async (id: string, fallback: number) => {
    const t = await redis.pttl(keys.article(id));
    return t > 0 ? t : fallback;
  };

  return {
    /**
     * Adds `id` to its band buckets until `deadlineMs` and returns, per band, the other live
     * articles in the same bucket (near-duplicate candidates), newest first: at most `limits.keep`
     * per band, found among the newest `limits.scan` entries of the band's bucket group. One script
     * for all bands.
     */
    async swapBuckets(
      id: string,
      bands: string[],
      deadlineMs: number,
      nowMs = Date.now(),
      limits: { scan: number; keep: number } = { scan: 256, keep: 8 },
    ): Promise<string[][]> {
      if (bands.length === 0) return [];
      const slots = bands.map((b) => bandSlot(keys, b));
      const packed = packId(id);
      const lists = await r.tribBucketSwapBuffer(
        slots.length,
        ...slots.map((s) => s.key),
        Math.ceil(deadlineMs / 1000),
        Math.floor(nowMs / 1000),
        deadlineMs,
        expirySlack(deadlineMs - nowMs),
        limits.scan,
        // One more: this article's own entry may be among them (a retried write).
        limits.keep + 1,
        ...slots.map((s) => Buffer.concat([s.tag, packed])),
      );
      return lists.map((members) =>
        members
          .map((m) => unpackId(m.subarray(TAG_LEN)))
          .filter((other) => other !== id)
          .slice(0, limits.keep),
      );
    },

    /** The story (cluster id) each article belongs to; null when not recorded (or expired). */
    async storiesOf(ids: string[]): Promise<(string | null)[]> {
      if (ids.length === 0) return [];
      return (await readHeads(redis, keys, ids)).map((h, i) =>
        h ? storyOf(h.meta.cl, ids[i]!) : null,
      );
    },

    /**
     * Adds `id` to a cluster; the cluster lives as long as its longest-lived member (at most
     * `ttlMs`). A story of one needs no set (readers treat a missing set as "alone"): the set is
     * created when the first other article joins, with the representative (`clusterId`) in it.
     */
    async addMember(
      clusterId: string,
      id: string,
      publishedMs: number,
      ttlMs: number,
    ): Promise<void> {
      if (clusterId === id) return;
      const [ttl, repTtl, [rep]] = await Promise.all([
        articleTtl(id, ttlMs),
        redis.pttl(keys.article(clusterId)),
        readHeads(redis, keys, [clusterId]),
      ]);
      const repPublished = rep?.meta.p || null;
      const k = keys.cluster(clusterId);
      if (repPublished !== null && repTtl > 0)
        await r.tribMemberAdd(k, clusterId, Number(repPublished), Math.min(ttlMs, repTtl));
      await r.tribMemberAdd(k, id, publishedMs, Math.min(ttlMs, ttl));
    },

    async members(clusterId: string): Promise<string[]> {
      return redis.zrange(keys.cluster(clusterId), '0', '49');
    },
  };
}

export type ClusterStore = ReturnType<typeof createClusterStore>;
