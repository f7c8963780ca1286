// Section membership, materialized at write time: one sorted set per section (score = published
// ms), so serving reads a range and never scans. A version counter per section keys the render cache.
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';

/** One section's membership changes from one poll. */
export interface SectionChange {
  /** [published ms, article id] */
  add: [number, string][];
  remove: string[];
  /** A member's content changed: bump even when membership did not. */
  changed: boolean;
}

// KEYS: 1 section zset, 2 version counter (one hash tag: one slot on Cluster)
// ARGV: 1 "<section id> " message prefix, 2 changed flag, 3 n adds, 4 most members kept (0: no
// cap), then n score/id pairs, then ids to remove, and last the version channel (a channel is not
// a key). Returns the new version, or 0 when nothing changed.
const SECTION_APPLY_LUA = `
local n = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local touched = ARGV[2] == '1'
for i = 5, 4 + 2 * n, 2 do
  if redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) > 0 then touched = true end
end
for i = 5 + 2 * n, #ARGV - 1 do
  if redis.call('ZREM', KEYS[1], ARGV[i]) > 0 then touched = true end
end
if cap > 0 and n > 0 and redis.call('ZCARD', KEYS[1]) > cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(cap + 1))
end
if not touched then return 0 end
local v = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[#ARGV], ARGV[1] .. v)
return v
`;

interface SectionCommands {
  tribSectionApply(items: string, version: string, ...args: string[]): Promise<number>;
}

export function createSectionStore(redis: RedisClient, keys: Keys) {
  redis.defineCommand('tribSectionApply', { numberOfKeys: 2, lua: SECTION_APPLY_LUA });
  const r = redis as RedisClient & SectionCommands;
  return {
    /**
     * Puts an article into `sections` and takes it out of `previous` ones it left. Idempotent.
     * Returns the sections whose content changed (their version is bumped).
     */
    async index(
      id: string,
      publishedMs: number,
      sections: string[],
      previous: string[],
      contentChanged: boolean,
    ): Promise<string[]> {
      const batch = new Map<string, SectionChange>();
      for (const s of sections)
        batch.set(s, { add: [[publishedMs, id]], remove: [], changed: contentChanged });
      for (const s of previous)
        if (!sections.includes(s)) batch.set(s, { add: [], remove: [id], changed: false });
      return this.apply(batch);
    },

    /**
     * Applies one poll's membership changes, one atomic script per section: adds, removals, and a
     * version bump (with its pub/sub message) when anything changed. Idempotent: re-applying adds
     * nothing and bumps nothing, unless `changed` says the content of a member changed.
     * `maxItems` (retention's maxPerSection) caps each section as it grows, oldest out first, so
     * an index never holds more than retention keeps, between sweeps too.
     */
    async apply(batch: ReadonlyMap<string, SectionChange>, maxItems = 0): Promise<string[]> {
      const changed: string[] = [];
      await Promise.all(
        [...batch].map(async ([sectionId, c]) => {
          if (c.add.length === 0 && c.remove.length === 0 && !c.changed) return;
          const v = await r.tribSectionApply(
            keys.sectionItems(sectionId),
            keys.sectionVersion(sectionId),
            `${sectionId} `,
            c.changed ? '1' : '0',
            String(c.add.length),
            String(maxItems),
            ...c.add.flatMap(([score, id]) => [String(score), id]),
            ...c.remove,
            keys.sectionVersionChannel(),
          );
          if (v > 0) changed.push(sectionId);
        }),
      );
      return changed;
    },

    async bump(sectionIds: string[]): Promise<void> {
      await Promise.all(
        sectionIds.map(async (s) => {
          const v = await redis.incr(keys.sectionVersion(s));
          // Servers keep versions in memory and learn of bumps here (see section-versions.ts).
          await redis.publish(keys.sectionVersionChannel(), `${s} ${v}`);
        }),
      );
    },

    async version(sectionId: string): Promise<number> {
      return Number((await redis.get(keys.sectionVersion(sectionId))) ?? 0);
    },

    /** Newest first; `beforeMs` is an exclusive cursor on published time. */
    async list(
      sectionId: string,
      limit: number,
      beforeMs: number | null = null,
    ): Promise<{ id: string; score: number }[]> {
      const max = beforeMs === null ? '+inf' : `(${beforeMs}`;
      const flat = await redis.zrevrangebyscore(
        keys.sectionItems(sectionId),
        max,
        '-inf',
        'WITHSCORES',
        'LIMIT',
        0,
        limit,
      );
      const out: { id: string; score: number }[] = [];
      for (let i = 0; i < flat.length; i += 2)
        out.push({ id: flat[i]!, score: Number(flat[i + 1]) });
      return out;
    },

    /** Index scores of `ids` in a section (null for non-members). */
    async scores(sectionId: string, ids: string[]): Promise<(number | null)[]> {
      if (ids.length === 0) return [];
      const r = await redis.zmscore(keys.sectionItems(sectionId), ...ids);
      return r.map((x) => (x === null ? null : Number(x)));
    },

    async count(sectionId: string): Promise<number> {
      return redis.zcard(keys.sectionItems(sectionId));
    },

    async remove(sectionId: string, ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      const n = await redis.zrem(keys.sectionItems(sectionId), ...ids);
      if (n > 0) await this.bump([sectionId]);
    },

    /** Retention: drops members older than maxAge and beyond maxPerSection. */
    async trim(
      sectionId: string,
      nowMs: number,
      maxAgeMs: number,
      maxPerSection: number,
    ): Promise<number> {
      const key = keys.sectionItems(sectionId);
      const [byAge, byCount] = await Promise.all([
        redis.zremrangebyscore(key, '-inf', `(${nowMs - maxAgeMs}`),
        redis.zremrangebyrank(key, 0, -(maxPerSection + 1)),
      ]);
      const n = byAge + byCount;
      if (n > 0) await this.bump([sectionId]);
      return n;
    },
  };
}

export type SectionStore = ReturnType<typeof createSectionStore>;
