// Rendered feed bytes cached per (section, format, query) and invalidated by the section's
// version: a new article bumps the version, so a cached entry is never stale, only superseded. An
// entry showing a timed pin also ends when the pin expires (`validUntil`): the read path learns of
// the expiry by the clock, with no write to Redis.
import { createHash } from 'node:crypto';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';
import type { Context } from 'hono';
import type { OutputFormat } from '../domain/types.ts';
import type { Store } from '../store/index.ts';

export interface CachedFeed {
  version: number;
  body: Buffer;
  etag: string;
  lastModified: string;
  contentType: string;
  /** ms after which the entry is stale (a timed pin expired), or null. */
  validUntil: number | null;
  gzip: Buffer | null;
  br: Buffer | null;
  /** HTTP `Link` header (WebSub hub and self), or null. */
  link: string | null;
}

export class FeedCache {
  private readonly entries = new Map<string, CachedFeed>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = 500) {}

  get(key: string, version: number, nowMs: number = Date.now()): CachedFeed | null {
    const e = this.entries.get(key);
    if (e && e.version === version && (e.validUntil === null || nowMs < e.validUntil)) {
      this.hits++;
      // refresh LRU position
      this.entries.delete(key);
      this.entries.set(key, e);
      return e;
    }
    this.misses++;
    return null;
  }

  put(
    key: string,
    version: number,
    body: string,
    contentType: string,
    lastModified: Date,
    validUntil: number | null = null,
    link: string | null = null,
  ): CachedFeed {
    const buf = Buffer.from(body, 'utf8');
    const entry: CachedFeed = {
      version,
      body: buf,
      etag: `"${createHash('sha1').update(buf).digest('base64url').slice(0, 22)}"`,
      lastModified: lastModified.toUTCString(),
      contentType,
      validUntil,
      link,
      // Precompressed once per version, so a compressed hit costs nothing extra.
      gzip: buf.length > 1024 ? gzipSync(buf, { level: 6 }) : null,
      br:
        buf.length > 1024
          ? brotliCompressSync(buf, { params: { [zc.BROTLI_PARAM_QUALITY]: 5 } })
          : null,
    };
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry;
  }
}

/**
 * Coalesces concurrent reads of one key: callers that arrive while a read is in flight share its
 * answer instead of each sending their own. Nothing is kept once the read settles, so an answer
 * is at most one Redis round trip old.
 */
export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  get(key: string, read: () => Promise<T>): Promise<T> {
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = read().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}

export const CONTENT_TYPES: Record<OutputFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

const versionReads = new WeakMap<Store, SingleFlight<number>>();

/**
 * The section's version: from the server's memory when it has one (kept by pub/sub), else from
 * Redis with concurrent reads coalesced into one GET.
 */
export function sectionVersion(
  deps: { store: Store; versionOf?(sectionId: string): Promise<number> },
  sectionId: string,
): Promise<number> {
  if (deps.versionOf) return deps.versionOf(sectionId);
  const { store } = deps;
  let sf = versionReads.get(store);
  if (!sf) versionReads.set(store, (sf = new SingleFlight<number>()));
  return sf.get(sectionId, () => store.sections.version(sectionId));
}

export interface CachedReply {
  status: 200 | 304;
  headers: Record<string, string>;
  body: Buffer | null;
}

/** The reply to a request for a cached feed: 304 for a matching validator, else the best encoding. */
export function cachedReply(
  req: { ifNoneMatch?: string; ifModifiedSince?: string; acceptEncoding?: string; head: boolean },
  entry: CachedFeed,
  cacheControl: string,
): CachedReply {
  const headers: Record<string, string> = {
    'Content-Type': entry.contentType,
    ETag: entry.etag,
    'Last-Modified': entry.lastModified,
    'Cache-Control': cacheControl,
    Vary: 'Accept-Encoding',
  };
  if (entry.link) headers.Link = entry.link;
  const inm = req.ifNoneMatch;
  const ims = inm === undefined ? req.ifModifiedSince : undefined;
  const notModified = inm
    ? inm === entry.etag ||
      inm.split(',').some((t) => t.trim().replace(/^W\//, '') === entry.etag || t.trim() === '*')
    : ims !== undefined && Date.parse(ims) >= Date.parse(entry.lastModified);
  if (notModified) return { status: 304, headers, body: null };
  const ae = req.acceptEncoding ?? '';
  let body = entry.body;
  if (entry.br && /\bbr\b/.test(ae)) {
    body = entry.br;
    headers['Content-Encoding'] = 'br';
  } else if (entry.gzip && /\bgzip\b/.test(ae)) {
    body = entry.gzip;
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = String(body.length);
  return { status: 200, headers, body: req.head ? null : body };
}

export function sendCached(c: Context, entry: CachedFeed, cacheControl: string): Response {
  // A plain header object and a Buffer body keep @hono/node-server on its direct write path.
  const r = cachedReply(
    {
      ifNoneMatch: c.req.header('if-none-match'),
      ifModifiedSince: c.req.header('if-modified-since'),
      acceptEncoding: c.req.header('accept-encoding'),
      head: c.req.method === 'HEAD',
    },
    entry,
    cacheControl,
  );
  return new Response(r.body, { status: r.status, headers: r.headers });
}
