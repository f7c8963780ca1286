// The feed read path: every query parameter validated (400 with a JSON error naming it), RSSHub's
// author and category filters on stored articles, and no Redis write from a GET of any feed
// format, page or digest, timed pins expiring included (counted on a redis-server of our own).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testConfig, startService, pollAll, startFeedServer, testApp } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { startOwnRedis, writesBetween } from '../helpers/own-redis.ts';
import type { OwnRedis } from '../helpers/own-redis.ts';
import type { Running } from '../../src/runtime/start.ts';
import type { createApp } from '../../src/server/app.ts';
import { createStore } from '../../src/store/index.ts';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { runRetention } from '../../src/runtime/retention.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';

const CONFIG = `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: wire, url: "\${BASE}/wire.rss", title: Wire, lang: en }
tags:
  - { id: syria, label: Syria, keywords: [Syria] }
  - { id: rain, label: Rain, keywords: [rain] }
sections:
  - { id: wire, title: Wire, lang: en, limit: 50 }
`;

const now = Date.now();
const items = Array.from({ length: 12 }, (_, i) => ({
  guid: `w-${i}`,
  title: `${i % 2 ? 'Weather' : 'Markets'} story ${i}${i === 3 ? ' from Syria' : ''}`,
  author: i % 3 === 0 ? 'jane@wire.example (Jane Roe)' : 'john@wire.example (John Doe)',
  date: new Date(Math.floor((now - (i + 1) * 3600_000) / 1000) * 1000).toUTCString(),
  description: i % 4 === 0 ? 'Heavy rain expected.' : 'Stocks moved.',
}));
const wireRss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>w</description><language>en</language>
${items
  .map(
    (i) =>
      `<item><guid isPermaLink="false">${i.guid}</guid><title>${i.title}</title><link>https://wire.example/${i.guid}</link><author>${i.author}</author><pubDate>${i.date}</pubDate><description>${i.description}</description></item>`,
  )
  .join('\n')}
</channel></rss>`;

type JsonFeed = { items: { id: string; title: string; tags?: string[] }[]; next_url?: string };

describe('feed query parameters (app.request, no socket)', () => {
  let redis: RedisClient;
  let app: ReturnType<typeof createApp>;
  beforeAll(() => {
    const config = testConfig(CONFIG, {}, { BASE: 'http://127.0.0.1:9' });
    redis = createRedis(parseRedisTarget(testRedisUrl()));
    const store = createStore(redis, { prefix: uniquePrefix('q'), unhealthyAfter: 3 });
    app = testApp({
      config,
      store,
    });
  });
  afterAll(() => closeRedis(redis));

  // Each accepted parameter: a good value answers 200, each bad value 400 naming the parameter.
  const table: [param: string, good: string[], bad: string[]][] = [
    ['limit', ['1', '200'], ['0', '201', 'x', '1.5', '']],
    ['tag', ['syria'], ['nope', '']],
    ['lang', ['en', 'ar', 'pt-br'], ['english!', '1', '']],
    ['q', ['markets'], ['', ' ', 'x'.repeat(201)]],
    ['before', ['1700000000000', '1700000000000.abc123', '2026-11-01T00:00:00Z'], ['yesterday']],
    ['format', ['json'], ['bogus', 'rss', 'atom', '']],
    ['sorted', ['true', 'false'], ['1', 'yes', '']],
    ['filter_case_sensitive', ['true', 'false'], ['0', '1', 'maybe', '']],
    ['filter_time', ['60', '3600'], ['0', '-5', 'abc', '1.5', '999999999999']],
  ];
  for (const p of [
    'filter',
    'filter_title',
    'filter_description',
    'filter_author',
    'filter_category',
    'filterout',
    'filterout_title',
    'filterout_description',
    'filterout_author',
    'filterout_category',
  ])
    table.push([p, ['Markets', 'a|b'], ['(a', '(a)\\1', '(?=a)', 'a'.repeat(201), '']]);

  for (const [param, good, bad] of table) {
    it(`validates ${param}`, async () => {
      for (const v of good) {
        const r = await app.request(`/feeds/wire.json?${param}=${encodeURIComponent(v)}`);
        expect(r.status, `${param}=${v}`).toBe(200);
      }
      for (const v of bad) {
        const r = await app.request(`/feeds/wire.json?${param}=${encodeURIComponent(v)}`);
        expect(r.status, `${param}=${v}`).toBe(400);
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
        const body = (await r.json()) as {
          error: { code: string; details?: { parameter?: string } };
        };
        expect(body.error.code).toBe('bad-request');
        expect(body.error.details?.parameter).toBe(param);
      }
      // Given twice is an error too (tag is the one repeatable parameter).
      if (param !== 'tag') {
        const v = encodeURIComponent(good[0]!);
        const r = await app.request(`/feeds/wire.json?${param}=${v}&${param}=${v}`);
        expect(r.status).toBe(400);
      }
    });
  }

  it('rejects unknown parameters and validates the digest period', async () => {
    expect((await app.request('/feeds/wire.json?nope=1')).status).toBe(400);
    expect((await app.request('/feeds/wire/digest.json?period=weekly')).status).toBe(200);
    expect((await app.request('/feeds/wire/digest.json?period=hourly')).status).toBe(400);
    expect((await app.request('/feeds/wire/digest.json?limit=3')).status).toBe(400);
  });
});

describe('the feed read path on stored articles', () => {
  let feeds: FeedServer;
  let own: OwnRedis;
  let run: Running | null = null;
  let base: string;
  let oldestId: string;

  beforeAll(async () => {
    own = await startOwnRedis();
    feeds = await startFeedServer();
    feeds.routes.set('/wire.rss', { body: wireRss });
    const config = testConfig(CONFIG, { redisUrl: own.url }, { BASE: feeds.url });
    // Ingest with a worker, then serve with the server role alone.
    const all = await startService(config, 'all');
    await pollAll(all, ['wire']);
    oldestId = (await all.store.sections.list('wire', 100, null)).at(-1)!.id;
    await all.stop();
    run = await startService(config, 'server');
    base = run.server!.url;
  }, 60_000);
  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
    await own?.stop();
  });

  const titles = async (q: string) =>
    (
      (await (await fetch(`${base}/feeds/wire.json${q ? `?${q}` : ''}`)).json()) as JsonFeed
    ).items.map((i) => i.title);

  it('applies filter_author and filter_category to stored articles (RSSHub semantics)', async () => {
    expect(await titles('filter_author=Jane')).toHaveLength(4);
    expect(await titles('filterout_author=Jane')).toHaveLength(8);
    expect(await titles('filter_category=%5Esyria%24')).toEqual(['Weather story 3 from Syria']);
    expect(await titles('filterout_category=rain')).toHaveLength(9);
    expect(await titles('filter=Jane')).toHaveLength(4); // filter looks at the author too
    expect(await titles('filter=Jane&filter_author=John')).toHaveLength(4); // per-field ignored
  });

  it('sorted=true puts a pin in date order; the default keeps it leading', async () => {
    await run!.store.curation.pin('wire', oldestId, null, Date.now());
    await run!.store.sections.bump(['wire']);
    expect((await titles(''))[0]).toBe('Weather story 11');
    expect((await titles('sorted=false'))[0]).toBe('Weather story 11');
    expect((await titles('sorted=true'))[0]).toBe('Markets story 0');
    expect((await titles('sorted=true')).at(-1)).toBe('Weather story 11');
    await run!.store.curation.unpin('wire', oldestId);
    await run!.store.sections.bump(['wire']);
  });

  it('a GET of every format, page and digest writes nothing to Redis, a timed pin expiring included', async () => {
    const urls = [
      ...['rss', 'atom', 'json'].flatMap((f) => [
        `/feeds/wire.${f}`,
        `/feeds/wire.${f}?limit=3`,
        `/feeds/wire.${f}?limit=3&before=${now}`,
        `/feeds/wire.${f}?filter=Markets&filter_time=86400`,
        `/feeds/wire/digest.${f}`,
        `/feeds/wire/digest.${f}?period=weekly`,
      ]),
      '/',
    ];
    const getAll = async () => {
      for (const u of urls) {
        for (let k = 0; k < 2; k++) {
          // The second GET of a bare URL takes the fast path.
          const r = await fetch(`${base}${u}`, { headers: { 'accept-encoding': 'gzip' } });
          expect(r.status, u).toBe(200);
          await r.arrayBuffer();
        }
      }
    };
    const pinUntil = Date.now() + 2000;
    await run!.store.curation.pin('wire', oldestId, pinUntil, Date.now());
    await run!.store.sections.bump(['wire']);
    const w0 = await own.writes();
    await getAll();
    expect((await titles(''))[0]).toBe('Weather story 11'); // the pin leads
    await new Promise((r) => setTimeout(r, Math.max(0, pinUntil - Date.now() + 50)));
    // Expired: gone from the cached feed at once, on both the Hono and the fast path.
    for (let k = 0; k < 2; k++) expect((await titles(''))[0]).toBe('Markets story 0');
    await getAll();
    const w1 = await own.writes();
    expect(writesBetween(w0, w1)).toEqual({});
    // The expired pin is still stored (a GET deleted nothing); the retention sweep removes it.
    expect(await run!.store.curation.pins('wire')).toHaveLength(1);
    await runRetention(run!.config, run!.store, new Date());
    expect(await run!.store.curation.pins('wire')).toEqual([]);
  }, 30_000);
});
