// Fetched web pages' readable articles (full text), keyed by canonical URL: re-polls and other
// sources' copies of the same link fetch the page once. A failure is remembered too, for less
// time, so a dead page is not fetched on every poll. Entries carry the page's validators so a
// stale one is refreshed with a conditional request.
import { createHash } from 'node:crypto';
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';

export interface CachedPage {
  /** ms since epoch of the fetch (or of the 304 that confirmed it). */
  at: number;
  /** The page's URL after redirects (base for its relative links). */
  finalUrl: string;
  /** Readable article HTML (unsanitized), or null when the page failed. */
  html: string | null;
  textLength: number;
  /** Why the page gave nothing (`http-404`, `not-html`, `too-large`, `unreadable`, …). */
  failure: string | null;
  etag: string | null;
  lastModified: string | null;
}

export type PageCache = ReturnType<typeof createPageCache>;

export function createPageCache(redis: RedisClient, keys: Keys) {
  const key = (canonicalUrl: string) =>
    `${keys.prefix}:page:{${createHash('sha1').update(canonicalUrl).digest('base64url').slice(0, 22)}}`;
  return {
    async get(canonicalUrl: string): Promise<CachedPage | null> {
      const v = await redis.get(key(canonicalUrl));
      if (!v) return null;
      try {
        return JSON.parse(v) as CachedPage;
      } catch {
        return null;
      }
    },
    async put(canonicalUrl: string, page: CachedPage, ttlMs: number): Promise<void> {
      await redis.set(key(canonicalUrl), JSON.stringify(page), 'PX', Math.max(1000, ttlMs));
      await redis.del(`${key(canonicalUrl)}:claim`);
    },
    /** True for the one caller that may fetch the page now (others wait for its entry). */
    async claim(canonicalUrl: string, ttlMs: number): Promise<boolean> {
      return (await redis.set(`${key(canonicalUrl)}:claim`, '1', 'PX', ttlMs, 'NX')) === 'OK';
    },
  };
}
