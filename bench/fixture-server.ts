// Loopback feed server for the bench: serves each generated feed at /feeds/<id>.rss with an ETag
// and Last-Modified, answers If-None-Match / If-Modified-Since with 304, gzips when asked (bodies
// compressed once, up front), and counts what it saw so the bench can check polls were conditional.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { BenchFeed } from './corpus.ts';
import { renderRss } from './corpus.ts';

interface Entry {
  body: Buffer;
  gzip: Buffer;
  etag: string;
  lastModified: string;
  version: number;
}

export interface FixtureCounters {
  requests: number;
  /** Requests carrying If-None-Match or If-Modified-Since. */
  conditional: number;
  notModified: number;
  full: number;
}

export interface FixtureServer {
  url: string;
  feedUrl(id: string): string;
  /** Replaces a feed's content: new body, ETag and Last-Modified. */
  update(feed: BenchFeed, modifiedMs: number): void;
  counters: FixtureCounters;
  resetCounters(): void;
  /** Total uncompressed bytes of all feeds. */
  totalBytes(): number;
  close(): Promise<void>;
}

export async function startFixtureServer(
  feeds: BenchFeed[],
  modifiedMs: number,
): Promise<FixtureServer> {
  const entries = new Map<string, Entry>();
  const counters: FixtureCounters = { requests: 0, conditional: 0, notModified: 0, full: 0 };
  let base = '';
  const put = (feed: BenchFeed, ms: number) => {
    const path = `/feeds/${feed.id}.rss`;
    const version = (entries.get(path)?.version ?? 0) + 1;
    const body = Buffer.from(renderRss(feed, base + path));
    entries.set(path, {
      body,
      gzip: gzipSync(body, { level: 6 }),
      etag: `"${feed.id}-v${version}"`,
      lastModified: new Date(Math.floor(ms / 1000) * 1000).toUTCString(),
      version,
    });
  };

  const server = createServer((req, res) => {
    counters.requests++;
    const e = entries.get((req.url ?? '/').split('?')[0]!);
    if (!e) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    if (inm || ims) counters.conditional++;
    const headers: Record<string, string> = {
      ETag: e.etag,
      'Last-Modified': e.lastModified,
      'Cache-Control': 'max-age=60',
      Vary: 'Accept-Encoding',
    };
    const fresh = inm
      ? inm.split(',').some((t) => t.trim() === e.etag)
      : ims !== undefined && Date.parse(ims) >= Date.parse(e.lastModified);
    if (fresh) {
      counters.notModified++;
      res.writeHead(304, headers).end();
      return;
    }
    counters.full++;
    const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gz ? e.gzip : e.body;
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'application/rss+xml; charset=utf-8',
      'Content-Length': String(body.length),
      ...(gz ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const f of feeds) put(f, modifiedMs);

  return {
    url: base,
    feedUrl: (id) => `${base}/feeds/${id}.rss`,
    update: put,
    counters,
    resetCounters() {
      Object.assign(counters, { requests: 0, conditional: 0, notModified: 0, full: 0 });
    },
    totalBytes: () => [...entries.values()].reduce((n, e) => n + e.body.length, 0),
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
