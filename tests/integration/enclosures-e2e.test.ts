// Every enclosure, end to end: real podcast feeds (tests/fixtures/corpus) and a feed with several
// enclosures per item are served over loopback HTTP, polled by the running service, stored, and
// republished. RSS carries exactly one `enclosure` (the first) plus a `media:content` per
// enclosure, Atom a `link rel="enclosure"` per enclosure, JSON Feed `attachments`; every output
// passes xmllint, Python feedparser (bozo 0, enclosures as the source's) and the JSON Feed 1.1
// schema (tests/fixtures/jsonfeed-1.1.schema.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  feedparse,
  feedRuleErrors,
  jsonFeedErrors,
  xmllint,
} from '../../src/publish/test-support.ts';
import { pollAll, startFeedServer, startService, testConfig } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import { spawnSync } from 'node:child_process';

const corpus = join(import.meta.dirname, '..', 'fixtures', 'corpus');
const PODCASTS = [
  'giantbomb-podcast.rss',
  'itunes-category.rss',
  'itunes-keywords.rss',
  'itunes-keywords-array.rss',
  'itunes-keywords-astext.rss',
  'itunes-missing-image.rss',
  'item-itunes-episodeType.rss',
];
const idOf = (file: string) => file.replace(/\.rss$/, '').replace(/[^a-z0-9]+/g, '-');

const MULTI_RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>Multi</title><link>https://multi.example/</link><description>d</description><language>en</language>
<item><guid>m1</guid><title>Episode with everything</title><link>https://multi.example/e/1</link>
  <pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description>An episode in three formats.</description>
  <itunes:duration>1:09:50</itunes:duration>
  <enclosure url="https://multi.example/media/1.mp3" length="47160424" type="audio/mpeg"/>
  <enclosure url="https://multi.example/media/1.ogg" type="audio/ogg"/>
  <media:group>
    <media:content url="https://multi.example/media/1.mp4" type="video/mp4" fileSize="900000" duration="4190"/>
    <media:content url="https://multi.example/media/1.mp3" type="audio/mpeg"/>
  </media:group>
  <media:thumbnail url="https://multi.example/t/1.jpg"/>
</item>
</channel></rss>`;

const MULTI_ATOM = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title>Atom multi</title><id>urn:x:atom-multi</id><updated>2026-11-02T10:00:00Z</updated>
<entry><id>urn:x:a1</id><title>Slides and talk</title><link href="https://atom.example/a/1"/>
  <updated>2026-11-02T10:00:00Z</updated><summary>Talk with slides.</summary>
  <link rel="enclosure" href="https://atom.example/a/1.m4a" type="audio/mp4" length="1234"/>
  <link rel="enclosure" href="https://atom.example/a/1.pdf"/>
  <media:content url="https://atom.example/a/1.webm" type="video/webm"/>
</entry>
</feed>`;

const ADMIN = 'admin-token-for-enclosures';
const CONFIG = `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 10s, maxBytes: 10MB }
retention: { maxAge: 36500d, maxPerSection: 1000 }
sources:
${PODCASTS.map((f) => `  - { id: ${idOf(f)}, url: "\${BASE}/${f}" }`).join('\n')}
  - { id: multi, url: "\${BASE}/multi.rss" }
  - { id: atom-multi, url: "\${BASE}/multi.atom" }
sections:
${[...PODCASTS.map(idOf), 'multi', 'atom-multi']
  .map(
    (id) => `  - { id: ${id}, title: ${id}, lang: en, limit: 200, include: { sources: [${id}] } }`,
  )
  .join('\n')}
`;

type Enc = [string | null, string | null, string | null];

/**
 * feedparser's view of a source: each entry's enclosures with their lengths (test-support leaves
 * them out), and how many distinct links the entries have (items sharing a link are one article).
 */
function sourceEnclosures(xml: Buffer): { encs: Enc[][]; links: number } {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      `import sys, json, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({"encs": [[[x.get("href"), x.get("type"), x.get("length")] for x in e.get("enclosures", [])] for e in d.entries], "links": len(set(e.get("link") or e.get("id") for e in d.entries))}))`,
    ],
    { input: xml, maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return JSON.parse(r.stdout.toString()) as { encs: Enc[][]; links: number };
}

/** Same, for our outputs: enclosures with lengths and media_content, per entry. */
function outputEnclosures(xml: string): {
  bozo: number;
  entries: { encs: Enc[]; media: string[] }[];
} {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      `import sys, json, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({"bozo": int(d.bozo), "entries": [{"encs": [[x.get("href"), x.get("type"), x.get("length")] for x in e.get("enclosures", [])], "media": [m.get("url") for m in e.get("media_content", [])]} for e in d.entries]}))`,
    ],
    { input: Buffer.from(xml), maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return JSON.parse(r.stdout.toString()) as {
    bozo: number;
    entries: { encs: Enc[]; media: string[] }[];
  };
}

/** The writers' JSON Feed 1.1 check (tests/fixtures/jsonfeed-1.1.schema.json): [] when valid. */
const jsonErrors = (doc: unknown) => jsonFeedErrors(JSON.stringify(doc));

interface JsonItem {
  id: string;
  title: string;
  attachments?: {
    url: string;
    mime_type: string;
    size_in_bytes?: number;
    duration_in_seconds?: number;
  }[];
}

describe('every enclosure through the running service', () => {
  let feeds: FeedServer;
  let run: Running;
  let base: string;
  const get = async (path: string) => {
    const r = await fetch(`${base}${path}`);
    expect(r.status, path).toBe(200);
    return r.text();
  };

  beforeAll(async () => {
    feeds = await startFeedServer();
    for (const f of PODCASTS)
      feeds.routes.set(`/${f}`, {
        type: 'application/rss+xml',
        body: readFileSync(join(corpus, f)),
      });
    feeds.routes.set('/multi.rss', { body: MULTI_RSS });
    feeds.routes.set('/multi.atom', { type: 'application/atom+xml', body: MULTI_ATOM });
    run = await startService(testConfig(CONFIG, { adminToken: ADMIN }, { BASE: feeds.url }));
    base = run.server!.url;
    await pollAll(run, [...PODCASTS.map(idOf), 'multi', 'atom-multi'], 60_000);
  }, 90_000);

  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  it.each(PODCASTS)(
    '%s: RSS, Atom and JSON Feed carry each item’s enclosures as the source had them, valid',
    async (file) => {
      const id = idOf(file);
      const { encs: source, links } = sourceEnclosures(readFileSync(join(corpus, file)));
      const expected = new Set(source.map((e) => JSON.stringify(e)));
      const rss = await get(`/feeds/${id}.rss?limit=200`);
      const atom = await get(`/feeds/${id}.atom?limit=200`);
      const json = await get(`/feeds/${id}.json?limit=200`);
      for (const xml of [rss, atom]) {
        expect(xmllint(xml).errors).toBe('');
        expect(feedRuleErrors(xml)).toEqual([]); // the W3C Feed Validator's error rules
      }
      const r = outputEnclosures(rss);
      const a = outputEnclosures(atom);
      expect(r.bozo).toBe(0);
      expect(a.bozo).toBe(0);
      const items = (JSON.parse(json) as { items: JsonItem[] }).items;
      expect(jsonFeedErrors(json)).toEqual([]);
      // Items sharing a link or guid may be one article (dedupe's rules); never more than the source's.
      expect(items.length).toBeGreaterThan(0);
      expect(items.length).toBeLessThanOrEqual(Math.min(200, source.length));
      expect(links).toBeGreaterThan(0);
      expect(r.entries.length).toBe(items.length);
      let seen = 0;
      for (let i = 0; i < items.length; i++) {
        // Atom: every enclosure; RSS: the first as `enclosure`, all as media:content.
        const all = a.entries[i]!.encs;
        expect(expected.has(JSON.stringify(all)), JSON.stringify(all)).toBe(true);
        expect(r.entries[i]!.encs).toEqual(all.slice(0, 1));
        expect(r.entries[i]!.media).toEqual(all.map((e) => e[0]));
        expect((items[i]!.attachments ?? []).map((x) => x.url)).toEqual(all.map((e) => e[0]));
        if (all.length > 0) seen++;
      }
      // Every item of these podcasts has an enclosure.
      expect(source.every((e) => e.length > 0)).toBe(true);
      expect(seen).toBe(items.length);
    },
    60_000,
  );

  it('giantbomb: JSON Feed attachments carry type, size and the itunes:duration in seconds', async () => {
    const json = JSON.parse(await get('/feeds/giantbomb-podcast.json?limit=200')) as {
      items: JsonItem[];
    };
    const call = json.items.find((i) => i.attachments?.[0]?.url.includes('603__Call_of_Tuesday'));
    expect(call?.attachments).toEqual([
      {
        url: 'https://dts.podtrac.com/redirect.mp3/www.giantbomb.com/podcasts/download/2823/603__Call_of_Tuesday-10-01-2019-6277737276.mp3',
        mime_type: 'audio/mpeg',
        size_in_bytes: 105003355,
        duration_in_seconds: 10475,
      },
    ]);
  });

  it('several enclosures per item: one RSS enclosure, every one as media:content, Atom links and JSON attachments', async () => {
    const rss = await get('/feeds/multi.rss');
    const atom = await get('/feeds/multi.atom');
    const json = await get('/feeds/multi.json');
    for (const xml of [rss, atom]) {
      expect(xmllint(xml).errors).toBe('');
      expect(feedRuleErrors(xml)).toEqual([]);
    }
    const urls = [
      'https://multi.example/media/1.mp3',
      'https://multi.example/media/1.ogg',
      'https://multi.example/media/1.mp4',
    ];
    const r = outputEnclosures(rss);
    expect(r.bozo).toBe(0);
    expect(r.entries[0]!.encs).toEqual([[urls[0], 'audio/mpeg', '47160424']]);
    expect(r.entries[0]!.media).toEqual(urls);
    expect(rss.match(/<enclosure /g)).toHaveLength(1);
    expect(rss).toContain('<media:thumbnail url="https://multi.example/t/1.jpg"/>');
    const a = outputEnclosures(atom);
    expect(a.bozo).toBe(0);
    expect(a.entries[0]!.encs).toEqual([
      [urls[0], 'audio/mpeg', '47160424'],
      [urls[1], 'audio/ogg', null],
      [urls[2], 'video/mp4', '900000'],
    ]);
    const doc = JSON.parse(json) as { items: JsonItem[] };
    expect(jsonErrors(doc)).toEqual([]);
    expect(doc.items[0]!.attachments).toEqual([
      { url: urls[0], mime_type: 'audio/mpeg', size_in_bytes: 47160424, duration_in_seconds: 4190 },
      { url: urls[1], mime_type: 'audio/ogg' },
      { url: urls[2], mime_type: 'video/mp4', size_in_bytes: 900000, duration_in_seconds: 4190 },
    ]);
    // The thumbnail is the item's image, not an attachment.
    expect((doc.items[0] as { image?: string }).image).toBe('https://multi.example/t/1.jpg');
    expect(feedparse(rss).entries[0]!.enclosures).toHaveLength(1);
  });

  it('a manual tag rewrites the stored article with every enclosure kept', async () => {
    const before = JSON.parse(await get('/feeds/multi.json')) as { items: JsonItem[] };
    const item = before.items[0]!;
    const id = decodeURIComponent(item.id.replace('urn:tributary:article:', ''));
    const r = await fetch(`${base}/admin/api/articles/${encodeURIComponent(id)}/tags`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ add: ['featured'] }),
    });
    expect(r.status).toBe(200);
    const after = JSON.parse(await get('/feeds/multi.json')) as {
      items: (JsonItem & { tags?: string[] })[];
    };
    const again = after.items.find((i) => i.id === item.id)!;
    expect(again.tags).toContain('featured');
    expect(again.attachments).toEqual(item.attachments);
    expect(again.attachments).toHaveLength(3);
  });

  it('Atom source: link rel=enclosure and media:content all carried, a missing type guessed', async () => {
    const doc = JSON.parse(await get('/feeds/atom-multi.json')) as { items: JsonItem[] };
    expect(jsonErrors(doc)).toEqual([]);
    expect(doc.items[0]!.attachments).toEqual([
      { url: 'https://atom.example/a/1.m4a', mime_type: 'audio/mp4', size_in_bytes: 1234 },
      { url: 'https://atom.example/a/1.pdf', mime_type: 'application/pdf' },
      { url: 'https://atom.example/a/1.webm', mime_type: 'video/webm' },
    ]);
    const rss = await get('/feeds/atom-multi.rss');
    expect(rss).toContain(
      '<enclosure url="https://atom.example/a/1.m4a" length="1234" type="audio/mp4"/>',
    );
    expect(rss).toContain(
      '<media:content url="https://atom.example/a/1.pdf" type="application/pdf"/>',
    );
    const r = outputEnclosures(rss);
    expect(r.bozo).toBe(0);
  });
});
