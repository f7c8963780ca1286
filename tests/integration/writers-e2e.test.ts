// The writers from a feed reader's side, on the running service: an empty section is dated when
// the service started (never 1970), overlapping sections can keep apart their copies of an
// article (`guid: section`), an item with no text is valid in every format, and digests carry an
// author and link to anchors that exist on the index page.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testConfig, startService, pollAll, startFeedServer } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import {
  feedparse,
  feedRuleErrors,
  jsonFeedErrors,
  xmllint,
} from '../../src/publish/test-support.ts';
import { closedPeriods } from '../../src/publish/digest.ts';

const CONFIG = `
site: { title: Test Desk, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: enab, url: "\${BASE}/ar.rss", title: عنب بلدي, lang: ar }
tags:
  - { id: syria, label: Syria, keywords: [سوريا] }
sections:
  - { id: arabic, title: عربي, lang: ar, include: { langs: [ar] } }
  - { id: syria, title: سوريا, lang: ar, include: { tags: [syria] }, guid: section }
  - { id: french, title: Français, lang: fr, include: { langs: [fr] } }
`;

const DAY = 24 * 3600_000;
const startedBefore = Date.now();
// Two days ago: inside a closed day for the daily digest.
const daysAgo = (n: number) =>
  new Date(Math.floor((startedBefore - n * DAY) / 1000) * 1000).toUTCString();
const when = daysAgo(2);
const AR_RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>عنب بلدي</title><link>https://www.enabbaladi.net/</link>
<description>x</description><language>ar</language>
<item><guid isPermaLink="false">a1</guid><title>ارتفاع أسعار الخبز في سوريا</title>
<link>https://www.enabbaladi.net/archives/1</link><pubDate>${when}</pubDate>
<description>شهدت أسواق دمشق في سوريا ارتفاعًا جديدًا في أسعار الخبز.</description></item>
<item><guid isPermaLink="false">a2</guid><title>خبر بلا نص</title>
<link>https://www.enabbaladi.net/archives/2</link><pubDate>${when}</pubDate></item>
<item><guid isPermaLink="false">a6</guid><title>قبل ستة أيام</title>
<link>https://www.enabbaladi.net/archives/6</link><pubDate>${daysAgo(6)}</pubDate></item>
<item><guid isPermaLink="false">a9</guid><title>قبل تسعة أيام</title>
<link>https://www.enabbaladi.net/archives/9</link><pubDate>${daysAgo(9)}</pubDate></item>
<item><guid isPermaLink="false">a40</guid><title>قبل أربعين يوما</title>
<link>https://www.enabbaladi.net/archives/40</link><pubDate>${daysAgo(40)}</pubDate></item>
</channel></rss>`;

describe('writers on the running service', () => {
  let feeds: FeedServer;
  let run: Running;
  let base: string;
  const get = async (path: string) => {
    const r = await fetch(`${base}${path}`);
    expect(r.status, path).toBe(200);
    return { headers: r.headers, text: await r.text() };
  };

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/ar.rss', { body: AR_RSS });
    run = await startService(testConfig(CONFIG, {}, { BASE: feeds.url }));
    base = run.server!.url;
    await pollAll(run, ['enab']);
  });
  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  it('dates an empty section by the service start, not 1970, in every format and header', async () => {
    const floor = Math.floor(startedBefore / 1000) * 1000;
    for (const path of ['/feeds/french.rss', '/feeds/french.atom', '/feeds/french/digest.rss']) {
      const { headers, text } = await get(path);
      const lastModified = Date.parse(headers.get('last-modified') ?? '');
      expect(lastModified, path).toBeGreaterThanOrEqual(floor);
      expect(lastModified, path).toBeLessThanOrEqual(Date.now());
      expect(text, path).not.toContain('1970');
    }
    const rss = (await get('/feeds/french.rss')).text;
    const built = /<lastBuildDate>([^<]+)<\/lastBuildDate>/.exec(rss)?.[1] ?? '';
    expect(Date.parse(built)).toBeGreaterThanOrEqual(floor);
    const atom = (await get('/feeds/french.atom')).text;
    expect(Date.parse(/<updated>([^<]+)<\/updated>/.exec(atom)?.[1] ?? '')).toBeGreaterThanOrEqual(
      floor,
    );
  });

  it('gives overlapping sections the same guid by default, and per-section ones with guid: section', async () => {
    const ids = async (id: string) =>
      feedparse((await get(`/feeds/${id}.rss`)).text)
        .entries.map((e) => e.id)
        .sort();
    const arabic = await ids('arabic');
    expect(arabic).toHaveLength(5);
    expect(arabic.every((i) => i?.startsWith('urn:tributary:article:'))).toBe(true);
    const syria = await ids('syria');
    expect(syria).toHaveLength(1);
    expect(syria[0]).toMatch(/^urn:tributary:section:syria:article:/);
    expect(arabic).toContain(syria[0]!.replace('urn:tributary:section:syria:', 'urn:tributary:'));
  });

  it('serves an item with no text as valid RSS, Atom and JSON Feed 1.1', async () => {
    for (const f of ['rss', 'atom'] as const) {
      const { text } = await get(`/feeds/arabic.${f}`);
      expect(xmllint(text)).toEqual({ ok: true, errors: '' });
      expect(feedRuleErrors(text)).toEqual([]);
      const d = feedparse(text);
      expect(d.bozo, d.bozo_exception).toBe(0);
      expect(d.entries.map((e) => e.title)).toContain('خبر بلا نص');
      for (const e of d.entries) expect(e.published_parsed).not.toBeNull();
    }
    const json = (await get('/feeds/arabic.json')).text;
    expect(jsonFeedErrors(json)).toEqual([]);
    const bare = (
      JSON.parse(json) as {
        items: { title: string; content_html?: string; content_text?: string }[];
      }
    ).items.find((i) => i.title === 'خبر بلا نص');
    // the source gave no text at all: JSON Feed carries the title as content_text
    expect(bare?.content_html).toBeUndefined();
    expect(bare?.content_text).toBe('خبر بلا نص');
  });

  it('gives digest items an author and links that land on an anchor of the index page', async () => {
    const rss = (await get('/feeds/arabic/digest.rss')).text;
    const d = feedparse(rss);
    expect(d.bozo).toBe(0);
    expect(feedRuleErrors(rss)).toEqual([]);
    expect(d.entries.length).toBeGreaterThan(0);
    const index = (await get('/')).text;
    for (const e of d.entries) {
      expect(e.author).toBe('Test Desk');
      const link = new URL(e.link ?? '');
      expect(link.hash).not.toBe('');
      expect(index).toContain(`id="${decodeURIComponent(link.hash.slice(1))}"`);
    }
    expect(jsonFeedErrors((await get('/feeds/arabic/digest.json')).text)).toEqual([]);
  });

  it('covers the last 7 closed days in a daily digest (a story 6 days old is in, 9 days old is not)', async () => {
    const json = JSON.parse((await get('/feeds/arabic/digest.json')).text) as {
      items: { id: string; content_html: string }[];
    };
    const html = json.items.map((i) => i.content_html).join('\n');
    expect(html).toContain('https://www.enabbaladi.net/archives/6');
    expect(html).toContain('https://www.enabbaladi.net/archives/1');
    expect(html).not.toContain('https://www.enabbaladi.net/archives/9');
    const days = closedPeriods(new Date(), 'daily', 'UTC', 7).map((w) => w.day);
    expect(days).toHaveLength(7);
    for (const i of json.items) expect(days).toContain(i.id.split(':').pop());
  });

  it('covers the last 4 closed weeks in a weekly digest (9 days old is in, 40 days old is not)', async () => {
    const json = JSON.parse((await get('/feeds/arabic/digest.json?period=weekly')).text) as {
      items: { id: string; content_html: string }[];
    };
    const html = json.items.map((i) => i.content_html).join('\n');
    expect(html).toContain('https://www.enabbaladi.net/archives/9');
    expect(html).not.toContain('https://www.enabbaladi.net/archives/40');
    const weeks = closedPeriods(new Date(), 'weekly', 'UTC', 4).map((w) => w.day);
    for (const i of json.items) expect(weeks).toContain(i.id.split(':').pop());
  });
});
