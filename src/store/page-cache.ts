// Full-text page cache: what fetching one linked page gave (the extracted article, or why there
// is none), keyed by the page's canonical URL, so re-polls and other sources carrying the same
// URL fetch it once. Every entry expires (PX on write): the cache is bounded by its TTLs.
import { createHash } from 'node:crypto';
import type { CachedPage } from '../domain/types.ts';
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';

const hashUrl = (url: string) => createHash('sha1').update(url).digest('base64url');

export function createPageCache(redis: RedisClient, keys: Keys) {
  return {
    async get(url: string): Promise<CachedPage | null> {
      const raw = await redis.get(keys.fullTextPage(hashUrl(url)));
      if (!raw) return null;
      try {
        return JSON.parse(raw) as CachedPage;
      } catch {
        return null; // a damaged entry is a miss; the next fetch overwrites it
      }
    },
    async put(url: string, page: CachedPage, ttlMs: number): Promise<void> {
      await redis.set(keys.fullTextPage(hashUrl(url)), JSON.stringify(page), 'PX', ttlMs);
    },
  };
}

export type PageCache = ReturnType<typeof createPageCache>;
