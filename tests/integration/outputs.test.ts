// Section outputs on the running service: RSSHub-style filters, RFC 5005 paging over items that
// share publish times, digest feeds, conditional requests, and oracles (feedparser, xmllint).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testConfig, startService, pollAll, startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import { feedparse, xmllint } from '../../src/publish/test-support.ts';
import { closedPeriods } from '../../src/publish/digest.ts';

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
  - { id: wire, url: "\${BASE}/en.rss", title: Wire, lang: en }
tags:
  - { id: syria, label: Syria, keywords: [سوريا, Syria] }
sections:
  - { id: mixed, title: مختارات, lang: ar, timezone: Asia/Damascus, limit: 100 }
  - { id: wire, title: Wire, lang: en, include: { langs: [en] }, limit: 100 }
`;

const HOUR = 3600_000;
const now = Date.now();
// Whole seconds (RSS dates have no milliseconds), so items in one group share a publish time.
const at = (hoursAgo: number) =>
  new Date(Math.floor((now - hoursAgo * HOUR) / 1000) * 1000).toISOString();

// 27 English items: 9 groups of 3 sharing one publish time, spread over the last ~6 days.
const enItems = Array.from({ length: 27 }, (_, i) => {
  const group = Math.floor(i / 3);
  return {
    guid: `wire-${i}`,
    title: `${i % 2 === 0 ? 'Markets' : 'Weather'} report number ${i}${i === 4 ? ' about Syria' : ''}`,
    link: `https://wire.example/story/${i}`,
    date: at(2 + group * 16),
    description: i % 3 === 0 ? 'Rain expected tomorrow.' : 'Stocks moved sharply.',
    content: `<p>Story ${i} body.</p>${i === 6 ? '<img src="https://wire.example/img/6.jpg">' : ''}`,
  };
});
const arItems = [
  {
    guid: 'enab-1',
    title: seedTitle,
    link: 'https://www.enabbaladi.net/archives/420000',
    date: at(5),
    content: seedHtml,
  },
  {
    guid: 'enab-2',
    title: 'ارتفاع أسعار الخبز في دمشق وريفها',
    link: 'https://www.enabbaladi.net/archives/420001',
    date: at(30),
    content: '<p>شهدت أسواق دمشق في سوريا ارتفاعًا جديدًا.</p>',
  },
];
const ALL = enItems.length + arItems.length;

async function json(url: string) {
  const r = await fetch(url);
  return {
    status: r.status,
    headers: r.headers,
    body: (await r.json()) as Record<string, unknown>,
  };
}
type JsonItem = {
  id: string;
  title: string;
  url?: string;
  date_published: string;
  content_html: string;
  image?: string;
};

describe('section outputs on the running service', () => {
  let feeds: FeedServer;
  let run: Running;
  let base: string;
  const local = (u: string) => u.replace('http://feeds.test', base);

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/ar.rss', { body: rssFeed('عنب بلدي', arItems, 'ar') });
    feeds.routes.set('/en.rss', { body: rssFeed('Wire', enItems) });
    run = await startService(testConfig(CONFIG, {}, { BASE: feeds.url }));
    base = run.server!.url;
    await pollAll(run, ['enab', 'wire']);
  });
  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  it('has every fixture item in the mixed section', async () => {
    const { body } = await json(`${base}/feeds/mixed.json`);
    expect((body.items as JsonItem[]).length).toBe(ALL);
  });

  it('applies RSSHub filters: filter, filterout, filter_title, filter_description, case, filter_time', async () => {
    const titles = async (q: string) =>
      ((await json(`${base}/feeds/wire.json?${q}`)).body.items as JsonItem[]).map((i) => i.title);
    expect(await titles('filter=Markets')).toHaveLength(14);
    expect(await titles('filter=markets')).toHaveLength(0); // case-sensitive by default, as RSSHub
    expect(await titles('filter=markets&filter_case_sensitive=false')).toHaveLength(14);
    expect((await titles(`filter_title=${encodeURIComponent('number (1|2)$')}`)).sort()).toEqual([
      'Markets report number 2',
      'Weather report number 1',
    ]);
    // As in RSSHub, filter tests title, description, author and categories each on its own.
    expect((await titles(`filter=${encodeURIComponent('number (1|2)$')}`)).sort()).toEqual([
      'Markets report number 2',
      'Weather report number 1',
    ]);
    expect(await titles('filterout=Weather')).toEqual(await titles('filter=Markets'));
    expect(await titles('filter_title=Rain')).toHaveLength(0);
    expect(await titles('filter_description=Rain')).toHaveLength(9);
    expect(await titles('filter=Rain&filterout=Markets')).toHaveLength(4);
    expect(await titles('filter=Syria')).toEqual(['Markets report number 4 about Syria']);
    // filter_time: the newest group is 2 h old, the next 18 h.
    expect(await titles(`filter_time=${3 * 3600}`)).toHaveLength(3);
    expect(await titles(`filter_time=${20 * 3600}`)).toHaveLength(6);
    // Combined with our own names and limit.
    expect(await titles('filter=Markets&limit=5')).toHaveLength(5);
  });

  it('answers bad filter values with 400 and a JSON error', async () => {
    for (const q of [
      'filter=(a',
      'filter=(a)\\1',
      `filter=${'a'.repeat(201)}`,
      'filter_time=abc',
      'filter_time=0',
      'filter_case_sensitive=maybe',
      'filter_case_sensitive=0',
      'filter_author=(a',
      'filterout_category=(a',
      'format=bogus',
      'format=atom',
      'sorted=maybe',
      'limit=0',
      'limit=201',
      'nope=1',
      'filter=a&filter=b',
      'before=yesterday',
    ]) {
      const r = await fetch(`${base}/feeds/wire.rss?${q.replace('\\', '%5C')}`);
      expect(r.status, q).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      const b = (await r.json()) as { error: { code: string; message: string } };
      expect(b.error.code).toBe('bad-request');
    }
  });

  it('a catastrophic-backtracking pattern is answered quickly (RE2, linear time)', async () => {
    const t0 = performance.now();
    const r = await fetch(`${base}/feeds/wire.json?filter=${encodeURIComponent('(a+)+$')}`);
    expect(r.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  for (const format of ['rss', 'atom', 'json'] as const) {
    it(`following next links walks the whole section with no gaps or repeats (${format}, ties at page boundaries)`, async () => {
      const ids: string[] = [];
      let url: string | null = `${base}/feeds/mixed.${format}?limit=4`;
      let pages = 0;
      while (url && pages < 50) {
        const r: Response = await fetch(url);
        expect(r.status).toBe(200);
        if (pages > 0)
          // Paged, not archived (RFC 5005 section 3): an older page can still change.
          expect(r.headers.get('cache-control')).toBe(
            'public, max-age=300, stale-while-revalidate=3600',
          );
        else expect(r.headers.get('cache-control')).toMatch(/stale-while-revalidate/);
        const text = await r.text();
        let next: string | null;
        if (format === 'json') {
          const f = JSON.parse(text) as { items: JsonItem[]; next_url?: string };
          ids.push(...f.items.map((i) => i.id));
          next = f.next_url ?? null;
        } else {
          const p = feedparse(text);
          expect(p.bozo).toBe(0);
          ids.push(...p.entries.map((e) => e.id!));
          next = p.feed.links.find((l) => l.rel === 'next')?.href ?? null;
        }
        url = next ? local(next) : null;
        pages++;
      }
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(ALL);
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(ALL / 4));
    });
  }

  it('pages a filtered query too, carrying the filters in next links', async () => {
    const titles: string[] = [];
    let url: string | null = `${base}/feeds/wire.json?filter=Markets&limit=3`;
    while (url) {
      const { body } = await json(url);
      titles.push(...(body.items as JsonItem[]).map((i) => i.title));
      const next = body.next_url as string | undefined;
      if (next) expect(next).toContain('filter=Markets');
      url = next ? local(next) : null;
    }
    expect(titles).toHaveLength(14);
    expect(new Set(titles).size).toBe(14);
  });

  it('answers conditional requests with 304 and serves precompressed bodies', async () => {
    const r1 = await fetch(`${base}/feeds/mixed.atom`);
    const etag = r1.headers.get('etag')!;
    const lm = r1.headers.get('last-modified')!;
    expect(etag).toMatch(/^"/);
    const r2 = await fetch(`${base}/feeds/mixed.atom`, { headers: { 'If-None-Match': etag } });
    expect(r2.status).toBe(304);
    const r3 = await fetch(`${base}/feeds/mixed.atom`, { headers: { 'If-Modified-Since': lm } });
    expect(r3.status).toBe(304);
    const r4 = await fetch(`${base}/feeds/mixed.atom`, {
      headers: { 'If-None-Match': '"other"', 'If-Modified-Since': lm },
    });
    expect(r4.status).toBe(200); // If-None-Match wins over If-Modified-Since
    const raw = await import('node:http').then(
      (http) =>
        new Promise<{ enc: string | undefined }>((resolve, reject) => {
          http
            .get(`${base}/feeds/mixed.atom`, { headers: { 'Accept-Encoding': 'br' } }, (res) => {
              res.resume();
              resolve({ enc: res.headers['content-encoding'] });
            })
            .on('error', reject);
        }),
    );
    expect(raw.enc).toBe('br');
  });

  it('RSS and Atom of an Arabic + English section pass feedparser and xmllint, with ids identical across renders', async () => {
    const render = async () => ({
      rss: await (await fetch(`${base}/feeds/mixed.rss`)).text(),
      atom: await (await fetch(`${base}/feeds/mixed.atom`)).text(),
    });
    const first = await render();
    await run.store.sections.bump(['mixed']); // a new version: the next request renders again
    const second = await render();
    for (const format of ['rss', 'atom'] as const) {
      const lint = xmllint(first[format]);
      expect(lint.errors, format).toBe('');
      const p = feedparse(first[format]);
      expect(p.bozo, `${format}: ${p.bozo_exception}`).toBe(0);
      expect(p.entries).toHaveLength(ALL);
      for (const e of p.entries) {
        expect(e.id).toMatch(/^urn:tributary:article:/);
        expect(e.link).toMatch(/^https:\/\//);
        expect(e.published_parsed ?? e.updated_parsed).toBeTypeOf('number');
        expect((e.content[0] ?? e.summary ?? '').length).toBeGreaterThan(0);
      }
      expect(p.entries.some((e) => e.title === seedTitle)).toBe(true);
      expect(p.entries.some((e) => e.title === 'Markets report number 0')).toBe(true);
      const again = feedparse(second[format]);
      expect(again.entries.map((e) => e.id)).toEqual(p.entries.map((e) => e.id));
    }
    expect(first.atom).toContain('xml:lang="ar"');
  });

  it('serves daily and weekly digests: one item per closed period, stable guids, dated at the period end', async () => {
    const windows = closedPeriods(new Date(), 'daily', 'Asia/Damascus', 7);
    const all = [...enItems, ...arItems];
    const expected = windows
      .map((w) => ({
        w,
        stories: all.filter(
          (i) => Date.parse(i.date) >= w.start.getTime() && Date.parse(i.date) < w.end.getTime(),
        ),
      }))
      .filter((x) => x.stories.length > 0);
    expect(expected.length).toBeGreaterThan(2);

    const r = await fetch(`${base}/feeds/mixed/digest.json?period=daily`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    const feed = (await r.json()) as { items: JsonItem[]; language?: string };
    expect(feed.items.map((i) => i.id)).toEqual(
      expected.map((x) => `urn:tributary:digest:mixed:daily:${x.w.day}`),
    );
    feed.items.forEach((item, k) => {
      const x = expected[k]!;
      expect(Date.parse(item.date_published)).toBe(x.w.end.getTime());
      for (const s of x.stories) expect(item.content_html).toContain(s.link);
      expect(item.content_html).toContain('dir="rtl"');
    });
    // Local midnight in Damascus (UTC+3) is 21:00 UTC.
    expect(new Date(feed.items[0]!.date_published).getUTCHours()).toBe(21);
    const withImage = feed.items.find((i) => i.content_html.includes('wire.example/img/6.jpg'));
    if (withImage) expect(withImage.image).toBe('https://wire.example/img/6.jpg');

    // RSS and Atom digests read back cleanly and keep their guids across a re-render.
    for (const format of ['rss', 'atom'] as const) {
      const text1 = await (await fetch(`${base}/feeds/mixed/digest.${format}`)).text();
      await run.store.sections.bump(['mixed']);
      const text2 = await (await fetch(`${base}/feeds/mixed/digest.${format}`)).text();
      expect(xmllint(text1).errors).toBe('');
      const p1 = feedparse(text1);
      expect(p1.bozo, p1.bozo_exception).toBe(0);
      expect(p1.entries.map((e) => e.id)).toEqual(
        expected.map((x) => `urn:tributary:digest:mixed:daily:${x.w.day}`),
      );
      for (const e of p1.entries) {
        expect(e.link).toMatch(/^http:\/\/feeds\.test\//);
        expect(e.published_parsed ?? e.updated_parsed).toBeTypeOf('number');
      }
      expect(feedparse(text2).entries.map((e) => e.id)).toEqual(p1.entries.map((e) => e.id));
    }

    const weekly = (await (await fetch(`${base}/feeds/wire/digest.json?period=weekly`)).json()) as {
      items: JsonItem[];
    };
    for (const item of weekly.items) {
      expect(item.id).toMatch(/^urn:tributary:digest:wire:weekly:\d{4}-\d{2}-\d{2}$/);
      const day = item.id.slice(-10);
      expect(new Date(`${day}T00:00:00Z`).getUTCDay()).toBe(1); // weeks start on Monday
      expect(new Date(item.date_published).getTime()).toBe(
        Date.parse(`${day}T00:00:00Z`) + 7 * 24 * HOUR,
      );
    }
  });

  it('answers digest errors with JSON', async () => {
    expect((await fetch(`${base}/feeds/mixed/digest.json?period=monthly`)).status).toBe(400);
    expect((await fetch(`${base}/feeds/mixed/digest.json?x=1`)).status).toBe(400);
    expect((await fetch(`${base}/feeds/nope/digest.json`)).status).toBe(404);
    expect((await fetch(`${base}/feeds/mixed/digest.xml`)).status).toBe(404);
  });

  it('links digests from the index page', async () => {
    const html = await (await fetch(`${base}/`)).text();
    expect(html).toContain('href="http://feeds.test/feeds/mixed/digest.rss"');
    expect(html).toContain('href="http://feeds.test/feeds/wire/digest.rss?period=weekly"');
    expect(html).toContain('ملخص يومي');
  });
});
