// Dates through the running service: Arabic and Portuguese feed dates reach the stored articles as
// the instants they name, and a feed with unreadable dates is flagged (per source in /api/sources,
// in /metrics) instead of being stamped "now" in silence.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testConfig, startService, pollAll, startFeedServer } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';

const CONFIG = `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: ar, url: "\${BASE}/ar.rss", lang: ar }
  - { id: uol, url: "\${BASE}/uol.rss" }
  - { id: garbage, url: "\${BASE}/garbage.rss", lang: en }
sections:
  - { id: ar, title: ع, lang: ar, include: { sources: [ar] }, limit: 100 }
  - { id: uol, title: UOL, lang: pt, include: { sources: [uol] }, limit: 100 }
  - { id: garbage, title: G, lang: en, include: { sources: [garbage] }, limit: 100 }
`;

/** [pubDate as the outlet wrote it, the instant it names] */
const AR_DATES: [string, string][] = [
  ['الأحد، 29 نوفمبر 2026 - 10:30 م', '2026-11-29T22:30:00.000Z'],
  ['٢٨ تشرين الثاني ٢٠٢٦ ٠٩:١٥ ص', '2026-11-28T09:15:00.000Z'],
  ['27 نونبر 2026', '2026-11-27T00:00:00.000Z'],
  ['Thu, 11/26/2026 - 18:05', '2026-11-26T18:05:00.000Z'],
  ['الأربعاء 25 نوفمبر 2026 - 13:45 (بتوقيت مكة المكرمة)', '2026-11-25T10:45:00.000Z'],
  ['24 جوان 2026 الساعة 18:00', '2026-06-24T18:00:00.000Z'],
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const feed = (title: string, lang: string, items: { id: string; title: string; date: string }[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${title}</title><link>https://example.org/</link>
<description>t</description><language>${lang}</language>
${items
  .map(
    (i) =>
      `<item><guid isPermaLink="false">${i.id}</guid><title>${esc(i.title)}</title><link>https://example.org/${i.id}</link><pubDate>${esc(i.date)}</pubDate><description>${esc(i.title)}</description></item>`,
  )
  .join('\n')}
</channel></rss>`;

interface JsonFeed {
  items: { url: string; title: string; date_published: string }[];
}

describe('feed dates through ingest', () => {
  let feeds: FeedServer;
  let run: Running;
  let base: string;
  let started: number;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/ar.rss', {
      body: feed(
        'أخبار',
        'ar',
        AR_DATES.map(([date], i) => ({ id: `ar-${i}`, title: `خبر عن دمشق رقم ${i}`, date })),
      ),
    });
    feeds.routes.set('/uol.rss', {
      type: 'application/rss+xml; charset=iso-8859-1',
      body: readFileSync(join(import.meta.dirname, '..', 'fixtures', 'corpus', 'uolNoticias.rss')),
    });
    feeds.routes.set('/garbage.rss', {
      body: feed('Garbage', 'en', [
        { id: 'g-0', title: 'Dated right', date: 'Mon, 19 Oct 2020 17:04:00 GMT' },
        { id: 'g-1', title: 'Relative date', date: 'two hours ago' },
        { id: 'g-2', title: 'Nonsense date', date: '32 Foo 2020 25:99' },
      ]),
    });
    started = Date.now();
    run = await startService(testConfig(CONFIG, {}, { BASE: feeds.url }));
    base = run.server!.url;
    await pollAll(run, ['ar', 'uol', 'garbage']);
  });

  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  const section = async (id: string) =>
    (await (await fetch(`${base}/feeds/${id}.json?limit=100`)).json()) as JsonFeed;

  it('stores Arabic dates (Egyptian, Levantine, Maghrebi, Drupal, Mecca time) as the instants they name', async () => {
    const items = (await section('ar')).items;
    expect(items).toHaveLength(AR_DATES.length);
    const byUrl = new Map(items.map((i) => [i.url, new Date(i.date_published).toISOString()]));
    AR_DATES.forEach(([, instant], i) =>
      expect(byUrl.get(`https://example.org/ar-${i}`)).toBe(instant),
    );
  });

  it('stores the uolNoticias fixture (`Seg, 24 Set 2018 19:22:00 -0300`) with its 2018 dates', async () => {
    const items = (await section('uol')).items;
    expect(items.length).toBe(15);
    for (const i of items) {
      const t = Date.parse(i.date_published);
      expect(t).toBeGreaterThanOrEqual(Date.parse('2018-09-24T22:18:49Z'));
      expect(t).toBeLessThanOrEqual(Date.parse('2018-09-24T22:42:40Z'));
    }
  });

  it('flags unreadable dates: first-seen time on the article, a count and note in /api/sources, a metric', async () => {
    const items = (await section('garbage')).items;
    const at = Object.fromEntries(items.map((i) => [i.title, Date.parse(i.date_published)]));
    expect(at['Dated right']).toBe(Date.parse('2020-10-19T17:04:00Z'));
    // The unreadable ones still get a usable date: when the service first saw them.
    for (const t of ['Relative date', 'Nonsense date']) {
      expect(at[t]).toBeGreaterThanOrEqual(started - 1000);
      expect(at[t]).toBeLessThanOrEqual(Date.now());
    }

    const sources = async () => {
      const body = (await (await fetch(`${base}/api/sources`)).json()) as {
        sources: { id: string; undatedItems: number; undatedNote: string | null }[];
      };
      return Object.fromEntries(body.sources.map((s) => [s.id, s]));
    };
    let by = await sources();
    expect(by.garbage!.undatedItems).toBe(2);
    expect(by.garbage!.undatedNote).toMatch(/^2 item\(s\) .*cannot read.*first saw them$/);
    expect(by.ar!.undatedItems).toBe(0);
    expect(by.ar!.undatedNote).toBeNull();
    expect(by.uol!.undatedItems).toBe(0);

    // Workers publish their counters after the poll's state is written: wait for them.
    const scrape = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      return {
        undated: value('tributary_undated_items_total'),
        polls: value('tributary_poll_duration_seconds_count'),
      };
    };
    const until = async (ok: (m: Awaited<ReturnType<typeof scrape>>) => boolean) => {
      for (let t0 = Date.now(); Date.now() - t0 < 5000;) {
        const m = await scrape();
        if (ok(m)) return m;
        await new Promise((r) => setTimeout(r, 50));
      }
      return scrape();
    };
    const first = await until((m) => m.undated === 2);
    expect(first.undated).toBe(2);

    // Polled again with the same items: still 2 on the source, and the counter does not count them twice.
    await pollAll(run, ['garbage']);
    by = await sources();
    expect(by.garbage!.undatedItems).toBe(2);
    const after = await until((m) => m.polls > first.polls);
    expect(after.polls).toBeGreaterThan(first.polls);
    expect(after.undated).toBe(2);
  });
});
