// Full text for teaser feeds through the running pipeline (ingestSource on the real test Redis,
// loopback servers for the feed and its article pages): extraction of whole Arabic and English
// articles, charset by meta tag, pages that fail leave the item as it was, the page cache, the
// SSRF guard, and the fullText modes.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import { createHostLimiter } from '../../src/store/host-limiter.ts';
import { createFetcher } from '../../src/pipeline/fetch/fetcher.ts';
import type { Fetcher } from '../../src/pipeline/fetch/fetcher.ts';
import { createTagger } from '../../src/pipeline/tag/tagger.ts';
import { createCurator } from '../../src/curate/curator.ts';
import { ingestSource } from '../../src/pipeline/ingest.ts';
import type { IngestDeps } from '../../src/pipeline/ingest.ts';
import { withFullText } from '../../src/pipeline/fulltext/fulltext.ts';
import {
  FAILED_PAGE_TTL_MS,
  PAGE_FRESH_MS,
  PAGE_TTL_MS,
} from '../../src/pipeline/fulltext/page.ts';
import { parseConfigText } from '../../src/config/load.ts';
import { renderFeed } from '../../src/publish/feeds.ts';
// (imported under another name: vite's SSR transform breaks on `import.meta` next to an import `meta`)
import {
  feedparse,
  feedRuleErrors,
  jsonFeedErrors,
  meta as feedMeta,
  xmllint,
} from '../../src/publish/test-support.ts';
import { sourceHealth } from '../../src/server/source-health.ts';
import { pollMetricsText, reportFields } from '../../src/runtime/metrics.ts';
import type {
  FileConfig,
  IngestReport,
  SourceConfig,
  PublishedItem,
  StoredArticle,
} from '../../src/domain/types.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import {
  AR_NOISE,
  AR_SENTENCES,
  AR_TEASER,
  EN_NOISE,
  EN_SENTENCES,
  EN_TEASER,
  arabicPage,
  postBodyPage,
  windows1256Page,
} from '../fixtures/fulltext-pages.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let base = '';
const routes = new Map<string, Handler>();
const hits: string[] = [];
let server: ReturnType<typeof createServer>;

const html =
  (body: string | Buffer, headers: Record<string, string> = {}, status = 200): Handler =>
  (_req, res) =>
    void res
      .writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers })
      .end(body);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** An RSS feed whose items link to pages on the loopback server (paths), each with `teaser` as description. */
function feed(items: { path: string; teaser: string; content?: string }[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title><link>${base}/</link><description>t</description>
${items
  .map(
    (it, i) =>
      `<item><guid isPermaLink="false">g-${it.path}</guid><title>Story ${i}</title><link>${base}${it.path}</link><pubDate>${new Date(NOW - (i + 1) * HOUR).toUTCString()}</pubDate><description>${esc(it.teaser)}</description>${it.content ? `<content:encoded>${esc(it.content)}</content:encoded>` : ''}</item>`,
  )
  .join('\n')}
</channel></rss>`;
}

const YAML = `
fetch: { allowPrivateNetworks: true, timeout: 3s, maxBytes: 64KB }
sources: []
sections:
  - { id: all, title: All, lang: en, limit: 200 }
`;

describe('full text through ingest', () => {
  let redis: RedisClient;
  let cfg: FileConfig;
  const fetchers: Fetcher[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      hits.push(path);
      const h = routes.get(path);
      if (h) h(req, res);
      else res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    redis = createRedis(parseRedisTarget(testRedisUrl()));
    cfg = parseConfigText(YAML, 'test.yaml');
  });
  afterEach(() => {
    routes.clear();
    hits.length = 0;
  });
  afterAll(async () => {
    await Promise.all(fetchers.map((f) => f.close()));
    await closeRedis(redis);
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  });

  function makeDeps(
    prefix = uniquePrefix('ft'),
    opts: {
      clock?: () => number;
      allowPrivateNetworks?: boolean;
      perHost?: number;
      timeoutMs?: number;
    } = {},
  ): IngestDeps {
    const fetcher = createFetcher({
      timeoutMs: opts.timeoutMs ?? cfg.fetch.timeout,
      maxBytes: cfg.fetch.maxBytes,
      userAgent: 'tributary-test',
      allowPrivateNetworks: opts.allowPrivateNetworks ?? true,
      maxRedirects: 5,
    });
    fetchers.push(fetcher);
    const clock = opts.clock ?? (() => NOW);
    const store = createStore(redis, { prefix, unhealthyAfter: 3 });
    return {
      config: cfg,
      fetcher,
      hostLimiter: opts.perHost
        ? createHostLimiter(redis, {
            keyFor: store.keys.hostSlots,
            perHost: opts.perHost,
            leaseMs: 20_000,
          })
        : null,
      store,
      tagger: createTagger([]),
      curator: createCurator(cfg.sections),
      priorityOf: () => 0,
      now: () => new Date(clock()),
    };
  }
  const source = (id: string, path: string, extra: Partial<SourceConfig> = {}): SourceConfig => ({
    id,
    url: `${base}${path}`,
    title: null,
    lang: null,
    interval: null,
    tags: [],
    priority: 0,
    enabled: true,
    origin: 'config',
    ...extra,
  });
  async function articlesOf(deps: IngestDeps, sourceId: string): Promise<StoredArticle[]> {
    const ids = await deps.store.sources.articleIds(sourceId);
    const all = await Promise.all(ids.map((id) => deps.store.articles.get(id)));
    return all.filter((a): a is StoredArticle => a !== null);
  }
  const only = async (deps: IngestDeps, sourceId: string) => {
    const list = await articlesOf(deps, sourceId);
    expect(list).toHaveLength(1);
    return list[0]!;
  };
  const count = (path: string) => hits.filter((h) => h === path).length;
  /** Remaining lifetimes (ms) of the page-cache entries under `prefix`. */
  async function pageTtls(prefix: string): Promise<number[]> {
    const keys = await redis.keys(`${prefix}:page:*`);
    return Promise.all(keys.map((k) => redis.pttl(k)));
  }

  it('an Arabic RTL article among nav, share buttons, related list, cookie banner and comments comes out whole, RTL, without them', async () => {
    routes.set(
      '/ar.rss',
      html(feed([{ path: '/ar/ghab', teaser: AR_TEASER }]), {
        'content-type': 'application/rss+xml',
      }),
    );
    routes.set('/ar/ghab', html(arabicPage()));
    const deps = makeDeps();
    const report = await ingestSource(deps, source('ar', '/ar.rss'));
    expect(report).toMatchObject({ outcome: 'ok', inserted: 1 });
    const a = await only(deps, 'ar');
    for (const s of AR_SENTENCES) expect(a.contentHtml).toContain(s);
    for (const noise of AR_NOISE) expect(a.contentHtml).not.toContain(noise);
    expect(a.contentHtml).toMatch(/^<div dir="rtl" lang="ar">/);
    expect(a.contentHtml).toContain(`href="${base}/tag/agri"`); // relative link made absolute
    expect(a.summary).toBe(AR_TEASER); // the feed's own text stays the summary
    expect(report.fullText).toEqual({ 'extracted\tfetched': 1 });
    const st = await deps.store.sources.getState('ar');
    expect(st.fullTextNote).toBeNull();
  });

  it('an article whose text sits in <div class="post-body"> comes out whole, without nav, share, sidebar and comments', async () => {
    routes.set('/en.rss', html(feed([{ path: '/p/park', teaser: EN_TEASER }])));
    routes.set('/p/park', html(postBodyPage()));
    const deps = makeDeps();
    await ingestSource(deps, source('en', '/en.rss'));
    const a = await only(deps, 'en');
    for (const s of EN_SENTENCES) expect(a.contentHtml).toContain(s);
    for (const noise of EN_NOISE) expect(a.contentHtml).not.toContain(noise);
    expect(a.summary).toBe(EN_TEASER);
  });

  it('extracted articles (Arabic RTL and English) are valid in RSS, Atom and JSON Feed: xmllint, feedparser, JSON Feed 1.1 schema', async () => {
    routes.set('/ar-out.rss', html(feed([{ path: '/ar/ghab', teaser: AR_TEASER }])));
    routes.set('/ar/ghab', html(arabicPage()));
    routes.set('/en-out.rss', html(feed([{ path: '/p/park', teaser: EN_TEASER }])));
    routes.set('/p/park', html(postBodyPage()));
    const deps = makeDeps();
    await ingestSource(deps, source('ar-out', '/ar-out.rss', { lang: 'ar' }));
    await ingestSource(deps, source('en-out', '/en-out.rss'));
    const items: PublishedItem[] = [await only(deps, 'ar-out'), await only(deps, 'en-out')].map(
      (a) => ({ ...a, related: [], storySources: a.sources }),
    );
    expect(items[0]!.contentHtml).toContain(AR_SENTENCES[0]!);
    for (const format of ['rss', 'atom'] as const) {
      const xml = renderFeed(format, feedMeta({ selfUrl: `${base}/feeds/x.${format}` }), items);
      expect(xmllint(xml)).toEqual({ ok: true, errors: '' });
      expect(feedRuleErrors(xml)).toEqual([]);
      const d = feedparse(xml);
      expect(d.bozo, d.bozo_exception).toBe(0);
      expect(d.entries).toHaveLength(2);
    }
    const json = renderFeed('json', feedMeta({}), items);
    expect(jsonFeedErrors(json)).toEqual([]);
  });

  it('a windows-1256 page is decoded by its meta charset (no charset in HTTP)', async () => {
    routes.set('/w.rss', html(feed([{ path: '/w/1', teaser: AR_TEASER }])));
    routes.set(
      '/w/1',
      html(
        windows1256Page((s) => iconv.encode(s, 'windows-1256')),
        { 'content-type': 'text/html' },
      ),
    );
    const deps = makeDeps();
    await ingestSource(deps, source('w', '/w.rss'));
    const a = await only(deps, 'w');
    for (const s of AR_SENTENCES) expect(a.contentHtml).toContain(s);
    expect(a.contentHtml).not.toContain('\ufffd');
  });

  it('a windows-1256 page is decoded by the HTTP charset when it declares none itself', async () => {
    routes.set('/h.rss', html(feed([{ path: '/h/1', teaser: AR_TEASER }])));
    const bytes = iconv.encode(arabicPage().replace('<meta charset="utf-8">', ''), 'windows-1256');
    routes.set('/h/1', html(bytes, { 'content-type': 'text/html; charset=windows-1256' }));
    const deps = makeDeps();
    await ingestSource(deps, source('h', '/h.rss'));
    const a = await only(deps, 'h');
    for (const s of AR_SENTENCES) expect(a.contentHtml).toContain(s);
  });

  it('a page with a UTF-8 BOM is decoded as UTF-8 even when HTTP says windows-1256', async () => {
    routes.set('/b.rss', html(feed([{ path: '/b/1', teaser: AR_TEASER }])));
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(arabicPage())]);
    routes.set('/b/1', html(body, { 'content-type': 'text/html; charset=windows-1256' }));
    const deps = makeDeps();
    await ingestSource(deps, source('b', '/b.rss'));
    const a = await only(deps, 'b');
    for (const s of AR_SENTENCES) expect(a.contentHtml).toContain(s);
  });

  it('a host that refuses connections is tried for a few pages of the poll, not for every teaser', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const items = Array.from({ length: 12 }, (_, i) => ({ path: `/d/${i}`, teaser: `T ${i}.` }));
    routes.set(
      '/down.rss',
      html(feed(items).replaceAll(`${base}/d/`, `http://127.0.0.1:${closed}/d/`)),
    );
    const deps = makeDeps();
    const r = await ingestSource(deps, source('down', '/down.rss'));
    expect(r).toMatchObject({ outcome: 'ok', inserted: 12 });
    const tried = r.fullText?.['network\tfetched'] ?? 0;
    expect(tried).toBeGreaterThanOrEqual(1);
    expect(tried).toBeLessThanOrEqual(4); // the stage's concurrency: those already under way
    expect(r.fullText?.['network\tskipped']).toBe(12 - tried);
    expect((await deps.store.sources.getState('down')).healthy).toBe(true);
  });

  it('404, non-HTML and oversized pages leave each item as the feed gave it; the source stays healthy, with a note and a counter', async () => {
    routes.set(
      '/bad.rss',
      html(
        feed([
          { path: '/gone', teaser: 'Gone teaser.' },
          { path: '/doc.pdf', teaser: 'PDF teaser.' },
          { path: '/huge', teaser: 'Huge teaser.' },
        ]),
      ),
    );
    // /gone: the server's 404
    routes.set('/doc.pdf', html(Buffer.alloc(2000, 0x25), { 'content-type': 'application/pdf' }));
    routes.set(
      '/huge',
      html(postBodyPage().replace('</body>', `<p>${'x '.repeat(40_000)}</p></body>`)),
    );
    const deps = makeDeps();
    const report = await ingestSource(deps, source('bad', '/bad.rss'));
    expect(report).toMatchObject({ outcome: 'ok', inserted: 3, error: null });
    const byTitle = new Map((await articlesOf(deps, 'bad')).map((a) => [a.title, a]));
    expect(byTitle.get('Story 0')!.contentHtml).toBe('Gone teaser.');
    expect(byTitle.get('Story 1')!.contentHtml).toBe('PDF teaser.');
    expect(byTitle.get('Story 2')!.contentHtml).toBe('Huge teaser.');
    expect(report.fullText).toEqual({
      'http-error\tfetched': 1,
      'not-html\tfetched': 1,
      'too-large\tfetched': 1,
    });
    const st = await deps.store.sources.getState('bad');
    expect(st).toMatchObject({ status: 'ok', healthy: true, lastError: null });
    expect(st.fullTextNote).toMatch(/^3 of 3 linked page\(s\) left their item as the feed gave it/);
    expect(st.fullTextNote).toContain(`HTTP error (HTTP 404): ${base}/gone`);
    expect(st.fullTextNote).toContain(`not HTML (application/pdf): ${base}/doc.pdf`);
    expect(st.fullTextNote).toContain(`over fetch.maxBytes`);
    expect(sourceHealth(source('bad', '/bad.rss'), st).fullTextNote).toBe(st.fullTextNote);
    // Failures are remembered for an hour at most.
    const ttls = await pageTtls(deps.store.keys.prefix);
    expect(ttls).toHaveLength(3);
    for (const t of ttls) expect(t).toBeGreaterThan(0);
    for (const t of ttls) expect(t).toBeLessThanOrEqual(FAILED_PAGE_TTL_MS);
    const metrics = pollMetricsText(
      Object.fromEntries(Object.entries(reportFields(report)).map(([k, v]) => [k, String(v)])),
    );
    expect(metrics).toContain('tributary_fulltext_pages_total{outcome="not-html",via="fetched"} 1');
    expect(metrics).toContain(
      'tributary_fulltext_pages_total{outcome="too-large",via="fetched"} 1',
    );
  });

  it('a second source carrying the same URL (and a re-poll) does not fetch the page again', async () => {
    routes.set('/one.rss', html(feed([{ path: '/shared', teaser: EN_TEASER }])));
    routes.set(
      '/two.rss',
      html(feed([{ path: '/shared?utm_source=rss', teaser: 'Another teaser.' }])),
    );
    routes.set('/shared', html(postBodyPage()));
    const prefix = uniquePrefix('cache');
    const deps = makeDeps(prefix);
    const r1 = await ingestSource(deps, source('one', '/one.rss'));
    expect(count('/shared')).toBe(1);
    // Another process (new store and fetcher objects) on the same Redis: the cache is shared.
    const other = makeDeps(prefix);
    const r2 = await ingestSource(other, source('two', '/two.rss'));
    expect(count('/shared')).toBe(1);
    expect(r1.fullText).toEqual({ 'extracted\tfetched': 1 });
    expect(r2.fullText).toEqual({ 'extracted\tcache': 1 });
    const [a1, a2] = [await only(deps, 'one'), await only(other, 'two')];
    expect(a2.contentHtml).toBe(a1.contentHtml);
    expect(a2.contentHtml).toContain(EN_SENTENCES[2]!);
    // A re-poll where the item changed (so it is processed again) uses the cache too.
    routes.set('/one.rss', html(feed([{ path: '/shared', teaser: `${EN_TEASER} (updated)` }])));
    const r3 = await ingestSource(deps, source('one', '/one.rss'), { force: true });
    expect(r3.fullText).toEqual({ 'extracted\tcache': 1 });
    expect(count('/shared')).toBe(1);
    // The entry is bounded: it expires within 7 days.
    const [ttl] = await pageTtls(prefix);
    expect(ttl).toBeGreaterThan(PAGE_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(PAGE_TTL_MS);
  });

  it('after the freshness window the page is revalidated with its validators: a 304 reuses the extraction', async () => {
    let conditional = 0;
    routes.set('/cond', (req, res) => {
      if (req.headers['if-none-match'] === '"p1"') {
        conditional++;
        return void res.writeHead(304, { etag: '"p1"' }).end();
      }
      html(postBodyPage(), { etag: '"p1"' })(req, res);
    });
    const prefix = uniquePrefix('reval');
    let clock = NOW;
    routes.set('/c1.rss', html(feed([{ path: '/cond', teaser: EN_TEASER }])));
    routes.set('/c2.rss', html(feed([{ path: '/cond', teaser: 'Other.' }])));
    await ingestSource(makeDeps(prefix, { clock: () => clock }), source('c1', '/c1.rss'));
    clock = NOW + PAGE_FRESH_MS + 1;
    const deps = makeDeps(prefix, { clock: () => clock });
    const r = await ingestSource(deps, source('c2', '/c2.rss'));
    expect(count('/cond')).toBe(2);
    expect(conditional).toBe(1);
    expect(r.fullText).toEqual({ 'extracted\trevalidated': 1 });
    expect((await only(deps, 'c2')).contentHtml).toContain(EN_SENTENCES[0]!);
  });

  it("page fetches take the host's politeness slots: with perHost 1 two pages are never fetched at once", async () => {
    let inFlight = 0;
    let peak = 0;
    const slow: Handler = (req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        html(postBodyPage())(req, res);
      }, 80);
    };
    const paths = ['/s/1', '/s/2', '/s/3', '/s/4', '/s/5'];
    for (const p of paths) routes.set(p, slow);
    routes.set('/slow.rss', html(feed(paths.map((path) => ({ path, teaser: EN_TEASER })))));
    const deps = makeDeps(uniquePrefix('polite'), { perHost: 1 });
    const r = await ingestSource(deps, source('slow', '/slow.rss'));
    expect(r.fullText).toEqual({ 'extracted\tfetched': 5 });
    expect(peak).toBe(1);
    // (control) without the limiter the stage does fetch several pages at once
    peak = 0;
    await ingestSource(makeDeps(), source('slow', '/slow.rss'));
    expect(peak).toBeGreaterThan(1);
  });

  it('a page that does not answer within fetch.timeout leaves its item; the poll and the source are fine', async () => {
    routes.set('/hang', () => undefined); // never answers
    routes.set('/hang.rss', html(feed([{ path: '/hang', teaser: EN_TEASER }])));
    const deps = makeDeps(uniquePrefix('hang'), { timeoutMs: 500 });
    const t0 = Date.now();
    const r = await ingestSource(deps, source('hang', '/hang.rss'));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r).toMatchObject({ outcome: 'ok', inserted: 1, fullText: { 'timeout\tfetched': 1 } });
    expect((await only(deps, 'hang')).contentHtml).toBe(EN_TEASER);
    expect((await deps.store.sources.getState('hang')).healthy).toBe(true);
  });

  it('an item older than retention.maxAge (not stored) gets no page fetch', async () => {
    const old = feed([{ path: '/old', teaser: EN_TEASER }]).replace(
      /<pubDate>[^<]*<\/pubDate>/,
      `<pubDate>${new Date(NOW - 400 * 86_400_000).toUTCString()}</pubDate>`,
    );
    routes.set('/old.rss', html(old));
    routes.set('/old', html(postBodyPage()));
    const deps = makeDeps();
    const r = await ingestSource(deps, source('old', '/old.rss'));
    expect(r).toMatchObject({ outcome: 'ok', inserted: 0, skippedTooOld: 1 });
    expect(r.fullText).toBeUndefined();
    expect(count('/old')).toBe(0);
  });

  it('a page on a private address is refused when allowPrivateNetworks is false (no request reaches it)', async () => {
    routes.set('/private', html(postBodyPage()));
    const deps = makeDeps(uniquePrefix('ssrf'), { allowPrivateNetworks: false });
    const report = { fullText: undefined } as unknown as IngestReport;
    const item = {
      article: {
        url: `${base}/private`,
        title: 'x',
        image: null,
        contentHtml: 'Teaser.',
        published: new Date(NOW).toISOString(),
      },
      text: 'Teaser.',
    } as unknown as Parameters<typeof withFullText>[2][number];
    const [out] = await withFullText(deps, source('p', '/p.rss'), [item], report);
    expect(out!.article.contentHtml).toBe('Teaser.');
    expect(report.fullText).toEqual({ 'blocked-address\tfetched': 1 });
    expect(count('/private')).toBe(0);
    expect((await deps.store.sources.getState('p')).fullTextNote).toContain('blocked address');
  });

  it('auto keeps the feed text when the page is not much longer; always replaces it; never fetches nothing', async () => {
    const longFeedText = EN_SENTENCES.join(' '); // under 500 characters: a teaser by length …
    const shortPage = `<html><body><article><h1>t</h1><p>${EN_SENTENCES.join(' ')} One more line.</p></article></body></html>`;
    routes.set('/short', html(shortPage));
    routes.set('/m.rss', html(feed([{ path: '/short', teaser: longFeedText }])));
    const auto = makeDeps();
    const ra = await ingestSource(auto, source('m', '/m.rss'));
    expect(ra.fullText).toEqual({ 'not-longer\tfetched': 1 }); // … but the page adds almost nothing
    expect((await only(auto, 'm')).contentHtml).toBe(longFeedText);

    const full = `<p>${'A full paragraph that the feed already carries in whole. '.repeat(12)}</p>`;
    routes.set('/always.rss', html(feed([{ path: '/p/park', teaser: 'T.', content: full }])));
    routes.set('/p/park', html(postBodyPage()));
    const always = makeDeps();
    await ingestSource(always, source('al', '/always.rss', { fullText: 'always' }));
    expect((await only(always, 'al')).contentHtml).toContain(EN_SENTENCES[3]!);
    const autoLong = makeDeps();
    const rl = await ingestSource(autoLong, source('al', '/always.rss'));
    expect(rl.fullText).toBeUndefined(); // not a teaser: no page fetched
    expect((await only(autoLong, 'al')).contentHtml).toBe(full);

    routes.set('/en.rss', html(feed([{ path: '/p/park', teaser: EN_TEASER }])));
    hits.length = 0;
    const never = makeDeps();
    const rn = await ingestSource(never, source('nv', '/en.rss', { fullText: 'never' }));
    expect(rn).toMatchObject({ outcome: 'ok', inserted: 1 });
    expect(rn.fullText).toBeUndefined();
    expect(count('/p/park')).toBe(0);
    expect((await only(never, 'nv')).contentHtml).toBe(EN_TEASER);
  });
});
