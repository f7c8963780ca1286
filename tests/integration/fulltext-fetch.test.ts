// The full-text step's page fetching against real loopback servers and the real Redis page cache:
// conditional revalidation of stale pages, the per-poll fetch budget, the source's credentials on
// its own origin only, a windows-1256 page read by its meta charset, and when an article wins.
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawFeed, RawItem, SourceConfig } from '../../src/domain/types.ts';
import { createFetcher } from '../../src/pipeline/fetch/fetcher.ts';
import {
  MAX_PAGE_FETCHES_PER_POLL,
  PAGE_FRESH_MS,
  withFullText,
} from '../../src/pipeline/fulltext/enrich.ts';
import { articleWins, wantsPage } from '../../src/pipeline/fulltext/teaser.ts';
import { createKeys } from '../../src/store/keys.ts';
import { createPageCache } from '../../src/store/page-cache.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';

const para = (s: string, n: number) =>
  Array.from({ length: n }, (_, i) => `<p>${s} (${i + 1}).</p>`).join('');
const EN = 'The committee published its yearly report on water quality across the region today';
const page = (body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body><nav><a href="/">Home</a></nav><article>${body}</article></body></html>`;
const AR = 'أعلنت وزارة الزراعة عن خطة جديدة لدعم المزارعين في مواجهة الجفاف خلال الموسم المقبل';

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
}

async function server(
  handler: (
    path: string,
    req: IncomingMessage,
  ) => { status: number; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const s: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen.push({ path, headers: req.headers });
    const r = handler(path, req);
    res.writeHead(r.status, { 'Content-Type': 'text/html; charset=utf-8', ...r.headers });
    res.end(r.body ?? '');
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

const raw = (link: string, summary = 'Short teaser.'): RawItem => ({
  guid: link,
  link,
  title: 'T',
  published: null,
  updated: null,
  author: null,
  summary,
  contentHtml: null,
  baseUrl: null,
  categories: [],
  enclosures: [],
  media: [],
  lang: null,
});
const feedOf = (items: RawItem[]): RawFeed => ({
  format: 'rss',
  title: 'F',
  link: null,
  description: null,
  lang: null,
  baseUrl: null,
  image: null,
  ttlMinutes: null,
  updatePeriodMinutes: null,
  items,
  repaired: false,
});

describe('full text: fetching pages', () => {
  let main: Awaited<ReturnType<typeof server>>;
  let other: Awaited<ReturnType<typeof server>>;
  let redis: Redis;
  const fetcher = createFetcher({
    timeoutMs: 5000,
    maxBytes: 1 << 20,
    userAgent: 'Tributary/test',
    allowPrivateNetworks: true,
    maxRedirects: 3,
  });
  let clock = Date.parse('2026-12-01T00:00:00Z');
  const deps = () => ({
    fetcher,
    hostLimiter: null,
    pages: createPageCache(redis, createKeys(prefix)),
    now: () => new Date(clock),
  });
  const prefix = uniquePrefix('ft');

  beforeAll(async () => {
    redis = new Redis(testRedisUrl());
    other = await server(() => ({ status: 200, body: page(para(EN, 6)) }));
    main = await server((path, req): Answer => {
      if (path === '/etag.html') {
        if (req.headers['if-none-match'] === '"v1"') return { status: 304 };
        return { status: 200, headers: { ETag: '"v1"' }, body: page(para(EN, 6)) };
      }
      if (path === '/ar-1256.html')
        return {
          status: 200,
          headers: { 'Content-Type': 'text/html' },
          body: iconv.encode(
            `<html><head><meta charset="windows-1256"></head><body><article>${para(AR, 6)}</article></body></html>`,
            'windows-1256',
          ),
        };
      if (path === '/to-other.html')
        return { status: 302, headers: { Location: `${other.url}/x.html` } };
      return { status: 200, body: page(para(EN, 6)) };
    });
  });

  afterAll(async () => {
    await fetcher.close();
    await main?.close();
    await other?.close();
    redis?.disconnect();
  });

  it('a cached page is reused while fresh, then revalidated with a conditional request (304 keeps it)', async () => {
    const source = { id: 's', url: `${main.url}/feed.xml`, fullText: 'auto' } as SourceConfig;
    const feed = feedOf([raw(`${main.url}/etag.html`)]);
    const first = await withFullText(deps(), source, feed);
    expect(first.fetchedArticles).toBe(1);
    const again = await withFullText(deps(), source, feed);
    expect(again.extracted).toBe(1);
    expect(again.fetchedArticles).toBe(0);
    expect(main.seen.filter((s) => s.path === '/etag.html')).toHaveLength(1);
    clock += PAGE_FRESH_MS + 1000;
    const stale = await withFullText(deps(), source, feed);
    const hits = main.seen.filter((s) => s.path === '/etag.html');
    expect(hits).toHaveLength(2);
    expect(hits[1]!.headers['if-none-match']).toBe('"v1"');
    expect(stale.extracted).toBe(1);
    expect(stale.feed.items[0]!.contentHtml).toContain(EN);
  });

  it(`fetches at most ${MAX_PAGE_FETCHES_PER_POLL} new pages per poll`, async () => {
    const source = { id: 'b', url: `${main.url}/feed.xml`, fullText: 'auto' } as SourceConfig;
    const items = Array.from({ length: MAX_PAGE_FETCHES_PER_POLL + 3 }, (_, i) =>
      raw(`${main.url}/budget-${i}.html`),
    );
    const r = await withFullText(deps(), source, feedOf(items));
    expect(r.fetchedArticles).toBe(MAX_PAGE_FETCHES_PER_POLL);
    expect(main.seen.filter((s) => s.path.startsWith('/budget-'))).toHaveLength(
      MAX_PAGE_FETCHES_PER_POLL,
    );
    const next = await withFullText(deps(), source, feedOf(items));
    expect(next.extracted).toBe(MAX_PAGE_FETCHES_PER_POLL + 3);
  });

  it('the source’s credentials and headers go to pages on the feed’s origin only, redirects included', async () => {
    process.env.TRIB_FT_TOKEN = 'ft-secret';
    const source = {
      id: 'c',
      url: `${main.url}/feed.xml`,
      fullText: 'always',
      fetch: { headers: { 'X-Key': 'k' }, auth: { bearerEnv: 'TRIB_FT_TOKEN' } },
    } as unknown as SourceConfig;
    await withFullText(
      deps(),
      source,
      feedOf([
        raw(`${main.url}/same-origin.html`),
        raw(`${other.url}/elsewhere.html`),
        raw(`${main.url}/to-other.html`),
      ]),
    );
    const same = main.seen.find((s) => s.path === '/same-origin.html')!;
    expect(same.headers.authorization).toBe('Bearer ft-secret');
    expect(same.headers['x-key']).toBe('k');
    expect(main.seen.find((s) => s.path === '/to-other.html')!.headers.authorization).toBe(
      'Bearer ft-secret',
    );
    for (const path of ['/elsewhere.html', '/x.html']) {
      const r = other.seen.find((s) => s.path === path)!;
      expect(r, path).toBeDefined();
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers['x-key']).toBeUndefined();
    }
  });

  it('a windows-1256 page is read by its meta charset', async () => {
    const source = { id: 'd', url: `${main.url}/feed.xml`, fullText: 'auto' } as SourceConfig;
    const r = await withFullText(deps(), source, feedOf([raw(`${main.url}/ar-1256.html`, 'خبر')]));
    expect(r.extracted).toBe(1);
    expect(r.feed.items[0]!.contentHtml).toContain(AR);
    expect(r.feed.items[0]!.summary).toBe('خبر');
  });

  it('decides by length: a teaser is under 500 characters; auto needs an article half again as long', () => {
    const long = raw('https://x.example/a', 'x'.repeat(499));
    expect(wantsPage('auto', long)).toBe(true);
    expect(wantsPage('auto', raw('https://x.example/a', 'x'.repeat(500)))).toBe(false);
    expect(wantsPage('always', raw('https://x.example/a', 'x'.repeat(5000)))).toBe(true);
    expect(wantsPage('never', raw('https://x.example/a'))).toBe(false);
    expect(wantsPage('auto', raw('ftp://x.example/a'))).toBe(false);
    expect(articleWins('auto', 400, 599)).toBe(false);
    expect(articleWins('auto', 400, 600)).toBe(true);
    expect(articleWins('auto', 10, 109)).toBe(false);
    expect(articleWins('auto', 0, 100)).toBe(true);
    expect(articleWins('always', 400, 50)).toBe(true);
    expect(articleWins('always', 400, 0)).toBe(false);
  });
});
