// Section membership, materialized at write time: one sorted set per section (score = published
// ms), so serving reads a range and never scans. A version counter per section keys the render cache.
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';

export function createSectionStore(redis: RedisClient, keys: Keys) {
  return {
    /**
     * Puts an article into `sections` and takes it out of `previous` ones it left. Idempotent.
     * Returns the sections whose content changed (their version is bumped).
     */
    async index(id: string, publishedMs: number, sections: string[], previous: string[], contentChanged: boolean): Promise<string[]> {
      const left = previous.filter((s) => !sections.includes(s));
      const [added, removed] = await Promise.all([
        Promise.all(sections.map((s) => redis.zadd(keys.sectionItems(s), publishedMs, id))),
        Promise.all(left.map((s) => redis.zrem(keys.sectionItems(s), id))),
      ]);
      const changed = new Set<string>();
      sections.forEach((s, i) => {
        if (added[i] || contentChanged) changed.add(s);
      });
      left.forEach((s, i) => {
        if (removed[i]) changed.add(s);
      });
      await this.bump([...changed]);
      return [...changed];
    },

    async bump(sectionIds: string[]): Promise<void> {
      await Promise.all(sectionIds.map((s) => redis.incr(keys.sectionVersion(s))));
    },

    async version(sectionId: string): Promise<number> {
      return Number((await redis.get(keys.sectionVersion(sectionId))) ?? 0);
    },

    /** Newest first; `beforeMs` is an exclusive cursor on published time. */
    async list(sectionId: string, limit: number, beforeMs: number | null = null): Promise<{ id: string; score: number }[]> {
      const max = beforeMs === null ? '+inf' : `(${beforeMs}`;
      const flat = await redis.zrevrangebyscore(keys.sectionItems(sectionId), max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit);
      const out: { id: string; score: number }[] = [];
      for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, score: Number(flat[i + 1]) });
      return out;
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
    async trim(sectionId: string, nowMs: number, maxAgeMs: number, maxPerSection: number): Promise<number> {
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
