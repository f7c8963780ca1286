// Full-text page cache: what fetching one linked page gave (the extracted article, or why there
// is none), keyed by the page's canonical URL, so re-polls and other sources carrying the same
// URL fetch it once. Every entry expires (PX on write): the cache is bounded by its TTLs.
import { createHash } from 'node:crypto';
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';

export interface CachedPage {
  /** `ok`, or why the page gave nothing (`http-error`, `not-html`, `too-large`, `unreadable`, …). */
  outcome: string;
  /** Detail of a failure (`HTTP 404`, the Content-Type that is not HTML), empty when none. */
  detail: string;
  /** When the page was last fetched or revalidated, ms since epoch. */
  fetchedAt: number;
  etag: string | null;
  lastModified: string | null;
  /** Sanitized article HTML with absolute URLs (ok only). */
  html?: string;
  /** Its plain text, one line (ok only). */
  text?: string;
  image?: { url: string; width: number | null; height: number | null } | null;
}

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
