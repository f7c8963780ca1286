// The user's path end to end: fixture feeds on loopback -> the running service (scheduler, BullMQ
// worker, full pipeline, real Redis) -> our RSS, Atom and JSON outputs read back by other parsers.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Parser from 'rss-parser';
import { testConfig, startService, pollAll, startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';

const seed = readFileSync(
  join(import.meta.dirname, '..', 'fixtures', 'seed-article-ar.txt'),
  'utf8',
);
const seedTitle = seed.split('\n')[0]!.trim();
const seedHtml = seed
  .split('\n')
  .slice(1)
  .map((l) => l.trim())
  .filter(Boolean)
  .map((p) => `<p>${p}</p>`)
  .join('\n');

const CONFIG = `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: enab, url: "\${BASE}/ar.rss", title: عنب بلدي, lang: ar }
  - { id: world, url: "\${BASE}/en.rss", title: World desk, lang: en }
  - { id: broken, url: "\${BASE}/broken.rss" }
  - { id: gone, url: "\${BASE}/gone.rss" }
tags:
  - { id: syria, label: Syria, keywords: [سوريا, سوري, Syria, Syrian] }
  - { id: karabakh, label: Karabakh, keywords: [كاراباخ, قره باغ, Karabakh] }
  - { id: azerbaijan, label: Azerbaijan, keywords: [أذربيجان, Azerbaijan] }
  - { id: sport, label: Sport, keywords: [football], categories: [Sport] }
sections:
  - { id: syria, title: سوريا, lang: ar, include: { tags: [syria] }, collapseDuplicates: true }
  - { id: world, title: World, lang: en, include: { langs: [en] }, exclude: { tags: [sport] } }
`;

const arItems = [
  {
    guid: 'enab-1',
    title: seedTitle,
    link: 'https://www.enabbaladi.net/archives/420000?utm_source=rss&utm_medium=feed',
    date: '2020-10-19T14:04:00Z',
    content: seedHtml,
  },
  {
    guid: 'enab-2',
    title: 'ارتفاع أسعار الخبز في دمشق وريفها',
    link: 'https://www.enabbaladi.net/archives/420001',
    date: '2020-10-19T10:00:00Z',
    content: '<p>شهدت أسواق دمشق في سوريا ارتفاعًا جديدًا في أسعار الخبز.</p>',
  },
];
const enItems = [
  {
    guid: 'w-1',
    title: 'Azerbaijan and Armenia trade accusations over Karabakh',
    link: 'https://news.example/karabakh-1',
    date: '2020-10-19T12:00:00Z',
    content:
      '<p>Fighting continued in Karabakh.</p><script>alert(1)</script><img src="/img/k.jpg">',
  },
  {
    guid: 'w-2',
    title: 'Football: a late goal decides the derby',
    link: 'https://news.example/derby',
    date: '2020-10-19T11:00:00Z',
    categories: ['Sport'],
  },
  {
    guid: 'w-3',
    title: 'Syrian refugees return to Idlib',
    link: 'https://news.example/idlib',
    date: '2020-10-18T09:00:00Z',
  },
];

describe('Tributary end to end', () => {
  let feeds: FeedServer;
  let run: Running;
  let base: string;
  const parser = new Parser();

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/ar.rss', { body: rssFeed('عنب بلدي', arItems, 'ar') });
    feeds.routes.set('/en.rss', { body: rssFeed('World desk', enItems) });
    feeds.routes.set('/broken.rss', {
      type: 'text/html',
      body: '<!doctype html><html><head><title>Moved</title></head><body>Not a feed</body></html>',
    });
    const config = testConfig(CONFIG, {}, { BASE: feeds.url });
    run = await startService(config);
    base = run.server!.url;
    await pollAll(run, ['enab', 'world', 'broken', 'gone']);
  });

  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  it('serves a section as RSS, Atom and JSON with the same stable ids, newest first', async () => {
    const rssRes = await fetch(`${base}/feeds/world.rss`);
    expect(rssRes.status).toBe(200);
    expect(rssRes.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const rss = await parser.parseString(await rssRes.text());
    expect(rss.items.map((i) => i.title)).toEqual([
      'Azerbaijan and Armenia trade accusations over Karabakh',
      'Syrian refugees return to Idlib',
    ]); // the sport item is excluded by tag, and order is newest first

    const atomRes = await fetch(`${base}/feeds/world.atom`);
    expect(atomRes.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const atom = await parser.parseString(await atomRes.text());
    const json = (await (await fetch(`${base}/feeds/world.json`)).json()) as {
      version: string;
      items: {
        id: string;
        title: string;
        url: string;
        content_html: string;
        tags: string[];
        _tributary: { source: string };
      }[];
    };
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.items.map((i) => i.title)).toEqual(rss.items.map((i) => i.title));
    expect(atom.items.map((i) => i.id)).toEqual(json.items.map((i) => i.id));
    expect(rss.items.map((i) => i.guid)).toEqual(json.items.map((i) => i.id));
    const first = json.items[0]!;
    expect(first.tags).toEqual(expect.arrayContaining(['azerbaijan', 'karabakh']));
    expect(first._tributary.source).toBe('world');
    expect(first.content_html).not.toContain('<script');
    expect(first.content_html).toContain('https://news.example/img/k.jpg');
  });

  it('tags Arabic articles and strips tracking parameters from links', async () => {
    const json = (await (await fetch(`${base}/feeds/syria.json`)).json()) as {
      language: string;
      items: { title: string; url: string; tags: string[]; language?: string }[];
    };
    expect(json.language).toBe('ar');
    const seedItem = json.items.find((i) => i.title === seedTitle)!;
    expect(seedItem).toBeDefined();
    expect(seedItem.url).toBe('https://www.enabbaladi.net/archives/420000');
    expect(seedItem.tags).toEqual(expect.arrayContaining(['syria', 'karabakh', 'azerbaijan']));
    expect(json.items.map((i) => i.title)).toContain('ارتفاع أسعار الخبز في دمشق وريفها');
  });

  it('answers conditional requests with 304', async () => {
    const res = await fetch(`${base}/feeds/syria.atom`);
    const etag = res.headers.get('etag')!;
    const lm = res.headers.get('last-modified')!;
    expect(etag).toBeTruthy();
    expect(
      (await fetch(`${base}/feeds/syria.atom`, { headers: { 'If-None-Match': etag } })).status,
    ).toBe(304);
    expect(
      (await fetch(`${base}/feeds/syria.atom`, { headers: { 'If-Modified-Since': lm } })).status,
    ).toBe(304);
  });

  it('reports per-source health; a broken feed and a 404 do not stop the others', async () => {
    const body = (await (await fetch(`${base}/api/sources`)).json()) as {
      sources: {
        id: string;
        lastStatus: string;
        lastError: string | null;
        articleCount: number;
        nextPoll: string | null;
        lastFetch: string | null;
      }[];
    };
    const by = Object.fromEntries(body.sources.map((s) => [s.id, s]));
    expect(by.enab!.lastStatus).toBe('ok');
    expect(by.enab!.articleCount).toBe(2);
    expect(by.world!.articleCount).toBe(3);
    expect(by.broken!.lastStatus).toBe('error');
    expect(by.broken!.lastError).toBeTruthy();
    expect(by.gone!.lastStatus).toBe('error');
    expect(by.gone!.lastError).toMatch(/404/);
    for (const s of body.sources) {
      expect(s.lastFetch).toBeTruthy();
      expect(s.nextPoll).toBeTruthy();
    }
  });

  it('re-polling stores no duplicates, and a new item shows up first', async () => {
    await pollAll(run, ['world']);
    let json = (await (await fetch(`${base}/feeds/world.json`)).json()) as {
      items: { id: string; title: string }[];
    };
    expect(json.items).toHaveLength(2);
    feeds.routes.set('/en.rss', {
      body: rssFeed('World desk', [
        {
          guid: 'w-4',
          title: 'Ceasefire announced in Karabakh',
          link: 'https://news.example/ceasefire',
          date: '2020-10-20T08:00:00Z',
        },
        ...enItems,
      ]),
    });
    await pollAll(run, ['world']);
    json = (await (await fetch(`${base}/feeds/world.json`)).json()) as {
      items: { id: string; title: string }[];
    };
    expect(json.items.map((i) => i.title)[0]).toBe('Ceasefire announced in Karabakh');
    expect(json.items).toHaveLength(3);
    expect(new Set(json.items.map((i) => i.id)).size).toBe(3);
  });

  it('serves the index page with RTL sections, OPML, health and readiness', async () => {
    const html = await (await fetch(`${base}/`)).text();
    expect(html).toMatch(/dir="rtl"/);
    expect(html).toContain(seedTitle);
    const opml = await (await fetch(`${base}/opml`)).text();
    expect(opml).toContain('http://feeds.test/feeds/syria.rss');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('gives JSON errors for unknown sections and bad queries', async () => {
    const r404 = await fetch(`${base}/feeds/nope.rss`);
    expect(r404.status).toBe(404);
    expect(((await r404.json()) as { error: { message: string } }).error.message).toMatch(
      /unknown section/,
    );
    const r400 = await fetch(`${base}/feeds/world.rss?limit=0`);
    expect(r400.status).toBe(400);
    expect(((await r400.json()) as { error: { code: string } }).error.code).toBe('bad-request');
    const tagged = (await (await fetch(`${base}/feeds/world.json?tag=karabakh`)).json()) as {
      items: { title: string }[];
    };
    expect(tagged.items.every((i) => /Karabakh/.test(i.title))).toBe(true);
    expect((await fetch(`${base}/feeds/world.json?tag=unknown`)).status).toBe(400);
  });
});

describe('restart on the same data dir (embedded redis-server, AOF)', () => {
  it('keeps the articles', async () => {
    const feeds = await startFeedServer();
    feeds.routes.set('/en.rss', { body: rssFeed('World desk', enItems) });
    const config = testConfig(
      CONFIG.replace(/ {2}- \{ id: (enab|broken|gone).*\n/g, ''),
      { redisUrl: null },
      { BASE: feeds.url },
    );
    let run = await startService(config);
    expect(run.embeddedRedis).not.toBeNull();
    await pollAll(run, ['world']);
    const before = await (await fetch(`${run.server!.url}/feeds/world.json`)).json();
    await run.stop();
    await feeds.close();

    run = await startService(config);
    try {
      const after = (await (await fetch(`${run.server!.url}/feeds/world.json`)).json()) as {
        items: unknown[];
      };
      expect(after.items.length).toBe(2);
      expect(after).toEqual(before);
    } finally {
      await run.stop();
    }
  });
});

describe('the fast path for bare feed URLs', () => {
  it('answers repeat polls from memory and never serves a superseded version', async () => {
    const feeds = await startFeedServer();
    feeds.routes.set('/en.rss', { body: rssFeed('World desk', enItems) });
    const config = testConfig(
      CONFIG.replace(/ {2}- \{ id: (enab|broken|gone).*\n/g, ''),
      {},
      { BASE: feeds.url },
    );
    const run = await startService(config);
    try {
      await pollAll(run, ['world']);
      const url = `${run.server!.url}/feeds/world.rss`;
      const first = await fetch(url);
      const etag = first.headers.get('etag')!;
      const body = await first.text();
      for (let i = 0; i < 3; i++) {
        const again = await fetch(url);
        expect(again.headers.get('etag')).toBe(etag);
        expect(await again.text()).toBe(body);
        expect((await fetch(url, { headers: { 'If-None-Match': etag } })).status).toBe(304);
      }
      const gz = await fetch(url, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      expect(await gz.text()).toBe(body); // fetch decodes it
      feeds.routes.set('/en.rss', {
        body: rssFeed('World desk', [
          {
            guid: 'w-9',
            title: 'Fresh story',
            link: 'https://news.example/fresh',
            date: '2020-10-21T08:00:00Z',
          },
          ...enItems,
        ]),
      });
      await pollAll(run, ['world']);
      const after = await fetch(url, { headers: { 'If-None-Match': etag } });
      expect(after.status).toBe(200);
      expect(await after.text()).toContain('Fresh story');
    } finally {
      await run.stop();
      await feeds.close();
    }
  });
});
