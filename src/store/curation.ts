// Editorial curation kept in Redis: pins and hides per section, hides everywhere, manual tags per
// article (kept apart from the article so a later poll re-applies them), and pause overrides for
// config sources. Every list here only grows through admin actions and is pruned of articles that
// have expired (see `prune`); manual tags expire with their article.
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';
import { readHeads } from './article-heads.ts';

export interface Pin {
  articleId: string;
  /** When it was pinned, ms. Newer pins sit above older ones. */
  pinnedAt: number;
  /** Expiry, ms since epoch, or null for "until unpinned". */
  until: number | null;
}

/** Everything select needs to know about one section, read in one round trip. */
export interface SectionCuration {
  /** Active pins, newest pin first. */
  pins: Pin[];
  hidden: Set<string>;
}

export interface ManualTags {
  add: string[];
  remove: string[];
}

/** Applies manual tags to an article's computed tags: removals win over the tagger, additions are appended. */
export function applyManualTags(tags: readonly string[], manual: ManualTags): string[] {
  const out = tags.filter((t) => !manual.remove.includes(t));
  for (const t of manual.add) if (!out.includes(t)) out.push(t);
  return out;
}

export function createCurationStore(redis: RedisClient, keys: Keys) {
  const exists = async (ids: string[]): Promise<boolean[]> =>
    Promise.all(ids.map(async (id) => (await redis.exists(keys.article(id))) === 1));

  return {
    // ---------------------------------------------------------------- pins
    async pin(
      sectionId: string,
      articleId: string,
      until: number | null,
      nowMs: number,
    ): Promise<void> {
      await redis
        .multi()
        .zadd(keys.sectionPins(sectionId), nowMs, articleId)
        .hset(keys.sectionPinUntil(sectionId), articleId, String(until ?? 0))
        .exec();
    },

    async unpin(sectionId: string, articleId: string): Promise<boolean> {
      const res = await redis
        .multi()
        .zrem(keys.sectionPins(sectionId), articleId)
        .hdel(keys.sectionPinUntil(sectionId), articleId)
        .exec();
      return Number(res?.[0]?.[1] ?? 0) > 0;
    },

    /** All pins of a section, newest first, expired ones included (see `expirePins`). */
    async pins(sectionId: string): Promise<Pin[]> {
      const [flat, until] = await Promise.all([
        redis.zrevrange(keys.sectionPins(sectionId), 0, -1, 'WITHSCORES'),
        redis.hgetall(keys.sectionPinUntil(sectionId)),
      ]);
      const out: Pin[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const id = flat[i]!;
        const u = Number(until[id] ?? 0);
        out.push({ articleId: id, pinnedAt: Number(flat[i + 1]), until: u > 0 ? u : null });
      }
      return out;
    },

    /** Removes pins past their time; returns how many went. */
    async expirePins(sectionId: string, nowMs: number): Promise<number> {
      const expired = (await this.pins(sectionId)).filter(
        (p) => p.until !== null && p.until <= nowMs,
      );
      for (const p of expired) await this.unpin(sectionId, p.articleId);
      return expired.length;
    },

    /** The earliest future pin expiry of a section, ms, or null. */
    async nextPinExpiry(sectionId: string): Promise<number | null> {
      const until = Object.values(await redis.hgetall(keys.sectionPinUntil(sectionId)))
        .map(Number)
        .filter((n) => n > 0);
      return until.length ? Math.min(...until) : null;
    },

    // ---------------------------------------------------------------- hides
    async hide(sectionId: string, articleId: string, now: Date): Promise<void> {
      await redis.hset(keys.sectionHides(sectionId), articleId, now.toISOString());
    },

    async unhide(sectionId: string, articleId: string): Promise<boolean> {
      return (await redis.hdel(keys.sectionHides(sectionId), articleId)) > 0;
    },

    async hideEverywhere(articleId: string, now: Date): Promise<void> {
      await redis.hset(keys.globalHides(), articleId, now.toISOString());
    },

    async unhideEverywhere(articleId: string): Promise<boolean> {
      return (await redis.hdel(keys.globalHides(), articleId)) > 0;
    },

    async sectionHides(sectionId: string): Promise<string[]> {
      return redis.hkeys(keys.sectionHides(sectionId));
    },

    async globalHides(): Promise<string[]> {
      return redis.hkeys(keys.globalHides());
    },

    /** Active pins (not expired at `nowMs`) and every hidden id (section and global) of a section. */
    async forSection(sectionId: string, nowMs: number): Promise<SectionCuration> {
      const [pins, local, global] = await Promise.all([
        this.pins(sectionId),
        this.sectionHides(sectionId),
        this.globalHides(),
      ]);
      const hidden = new Set([...local, ...global]);
      return {
        pins: pins.filter((p) => (p.until === null || p.until > nowMs) && !hidden.has(p.articleId)),
        hidden,
      };
    },

    /** Drops pins and hides of articles that no longer exist (retention bound). */
    async prune(sectionId: string): Promise<number> {
      const [pins, local, global] = await Promise.all([
        this.pins(sectionId),
        this.sectionHides(sectionId),
        this.globalHides(),
      ]);
      let n = 0;
      const pinAlive = await exists(pins.map((p) => p.articleId));
      for (const [i, p] of pins.entries())
        if (!pinAlive[i]) n += Number(await this.unpin(sectionId, p.articleId));
      const localAlive = await exists(local);
      const deadLocal = local.filter((_, i) => !localAlive[i]);
      if (deadLocal.length) n += await redis.hdel(keys.sectionHides(sectionId), ...deadLocal);
      const globalAlive = await exists(global);
      const deadGlobal = global.filter((_, i) => !globalAlive[i]);
      if (deadGlobal.length) n += await redis.hdel(keys.globalHides(), ...deadGlobal);
      return n;
    },

    // ---------------------------------------------------------------- manual tags
    async manualTags(articleId: string): Promise<ManualTags> {
      const h = await redis.hgetall(keys.manualTags(articleId));
      const out: ManualTags = { add: [], remove: [] };
      for (const [tag, op] of Object.entries(h).sort(([a], [b]) => a.localeCompare(b)))
        (op === '-' ? out.remove : out.add).push(tag);
      return out;
    },

    /**
     * Records manual tag changes: an added tag cancels an earlier removal and vice versa. The hash
     * expires with the article (`expireAtMs`).
     */
    async setManualTags(
      articleId: string,
      change: ManualTags,
      expireAtMs: number,
    ): Promise<ManualTags> {
      const key = keys.manualTags(articleId);
      const args: string[] = [];
      for (const t of change.add) args.push(t, '+');
      for (const t of change.remove) args.push(t, '-');
      if (args.length)
        await redis
          .multi()
          .hset(key, ...args)
          .pexpireat(key, expireAtMs)
          .exec();
      return this.manualTags(articleId);
    },

    /** The article's expiry, ms since epoch, or null when it has none or is gone. */
    async articleExpiry(articleId: string): Promise<number | null> {
      const ttl = await redis.pttl(keys.article(articleId));
      return ttl > 0 ? Date.now() + ttl : null;
    },

    /** Sections the article is indexed in (as persist materialized them). */
    async articleSections(articleId: string): Promise<string[]> {
      const [head] = await readHeads(redis, keys, [articleId]);
      return (head?.meta.secs ?? '').split(',').filter(Boolean);
    },

    // ---------------------------------------------------------------- source pause overrides
    async pausedSources(): Promise<Set<string>> {
      return new Set(await redis.hkeys(keys.pausedSources()));
    },

    async setPaused(sourceId: string, paused: boolean, now: Date): Promise<void> {
      if (paused) await redis.hset(keys.pausedSources(), sourceId, now.toISOString());
      else await redis.hdel(keys.pausedSources(), sourceId);
    },
  };
}

export type CurationStore = ReturnType<typeof createCurationStore>;
