// The hot path of a feed service is a feed reader polling a bare feed URL that has not changed.
// Once Hono has served such a URL from the render cache, this answers the same URL straight from
// node:http (no Request/Response objects, no routing) for as long as the section version it was
// rendered at is still current and no timed pin on it has expired; anything else falls through
// to Hono. It reuses the cache's reply logic, so both paths answer identically.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cachedReply } from './feed-cache.ts';
import type { CachedFeed } from './feed-cache.ts';

export interface FastFeed {
  sectionId: string;
  version: number;
  entry: CachedFeed;
  cacheControl: string;
}

export interface FastPathDeps {
  /** The current version of a section when known from memory, else undefined (fall through). */
  versionPeek(sectionId: string): number | undefined;
  observe?(status: number, seconds: number): void;
}

export class FastFeeds {
  private readonly byPath = new Map<string, FastFeed>();

  constructor(private readonly max = 200) {}

  remember(path: string, feed: FastFeed): void {
    this.byPath.delete(path);
    this.byPath.set(path, feed);
    if (this.byPath.size > this.max) this.byPath.delete(this.byPath.keys().next().value as string);
  }

  /** A node:http handler: true when it answered the request. */
  handler(deps: FastPathDeps) {
    return (req: IncomingMessage, res: ServerResponse): boolean => {
      const url = req.url;
      if ((req.method !== 'GET' && req.method !== 'HEAD') || url === undefined) return false;
      const f = this.byPath.get(url);
      if (
        !f ||
        deps.versionPeek(f.sectionId) !== f.version ||
        (f.entry.validUntil !== null && Date.now() >= f.entry.validUntil)
      )
        return false;
      const t0 = performance.now();
      const h = req.headers;
      const r = cachedReply(
        {
          ifNoneMatch: h['if-none-match'],
          ifModifiedSince: h['if-modified-since'],
          acceptEncoding: h['accept-encoding'],
          head: req.method === 'HEAD',
        },
        f.entry,
        f.cacheControl,
      );
      res.writeHead(r.status, r.headers);
      res.end(r.body ?? undefined);
      deps.observe?.(r.status, (performance.now() - t0) / 1000);
      return true;
    };
  }
}
