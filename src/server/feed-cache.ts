// Rendered feed bytes cached per (section, format, query) and invalidated by the section's
// version: a new article bumps the version, so a cached entry is never stale, only superseded.
import { createHash } from 'node:crypto';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';

export interface CachedFeed {
  version: number;
  body: Buffer;
  etag: string;
  lastModified: string;
  contentType: string;
  gzip: Buffer | null;
  br: Buffer | null;
}

export class FeedCache {
  private readonly entries = new Map<string, CachedFeed>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = 500) {}

  get(key: string, version: number): CachedFeed | null {
    const e = this.entries.get(key);
    if (e && e.version === version) {
      this.hits++;
      // refresh LRU position
      this.entries.delete(key);
      this.entries.set(key, e);
      return e;
    }
    this.misses++;
    return null;
  }

  put(key: string, version: number, body: string, contentType: string, lastModified: Date): CachedFeed {
    const buf = Buffer.from(body, 'utf8');
    const entry: CachedFeed = {
      version,
      body: buf,
      etag: `"${createHash('sha1').update(buf).digest('base64url').slice(0, 22)}"`,
      lastModified: lastModified.toUTCString(),
      contentType,
      // Precompressed once per version, so a compressed hit costs nothing extra.
      gzip: buf.length > 1024 ? gzipSync(buf, { level: 6 }) : null,
      br: buf.length > 1024 ? brotliCompressSync(buf, { params: { [zc.BROTLI_PARAM_QUALITY]: 5 } }) : null,
    };
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry;
  }
}
