// Every real-world feed of the fixture corpus, parsed and normalized as the workers do, then
// republished: each output must pass its oracles (xmllint, feedparser bozo 0 with dates, the
// W3C validator's error rules, the JSON Feed 1.1 schema) and keep every item.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PublishedItem, SourceConfig } from '../domain/types.ts';
import { parseFeed } from '../pipeline/parse/parse-feed.ts';
import { decodeFeedBytes } from '../pipeline/fetch/feed-bytes.ts';
import { normalizeFeed } from '../pipeline/normalize/normalize.ts';
import { renderFeed } from './feeds.ts';
// (imported under another name: vite's SSR transform breaks on `import.meta` next to an import `meta`)
import {
  feedparse,
  feedRuleErrors,
  jsonFeedErrors,
  meta as feedMeta,
  xmllint,
} from './test-support.ts';

const dir = join(import.meta.dirname, '..', '..', 'tests', 'fixtures', 'corpus') + '/';
// The same fetch/parse boundary the workers use: charset detection and a sniffed gzip body.
const decode = (bytes: Buffer): string => decodeFeedBytes(bytes, null).text;
const source: SourceConfig = {
  id: 'corpus',
  url: 'https://example.org/feed',
  title: null,
  lang: null,
  interval: null,
  tags: [],
  priority: 0,
  enabled: true,
  origin: 'config',
};
const now = new Date('2030-01-01T00:00:00Z');

async function publishedItems(file: string): Promise<PublishedItem[]> {
  const raw = await parseFeed(decode(readFileSync(dir + file)), { url: source.url });
  const seen = new Set<string>();
  return normalizeFeed(raw, { source, feedUrl: source.url, now })
    .filter((a) => !seen.has(a.id) && seen.add(a.id))
    .map((a) => ({
      ...a,
      sources: [a.sourceId],
      clusterId: a.id,
      firstSeen: now.toISOString(),
      related: [],
      storySources: [a.sourceId],
    }));
}

describe('the corpus, republished', () => {
  it.each(readdirSync(dir))('%s is valid in RSS, Atom and JSON Feed', async (file) => {
    const items = await publishedItems(file);
    for (const format of ['rss', 'atom'] as const) {
      const m = feedMeta({ selfUrl: `http://localhost:8080/feeds/caucasus.${format}`, lang: 'en' });
      const xml = renderFeed(format, m, items);
      expect(xmllint(xml)).toEqual({ ok: true, errors: '' });
      expect(feedRuleErrors(xml)).toEqual([]);
      const d = feedparse(xml);
      expect(d.bozo, d.bozo_exception).toBe(0);
      expect(d.entries).toHaveLength(items.length);
      for (const e of d.entries) expect(e.published_parsed).not.toBeNull();
    }
    const json = renderFeed('json', feedMeta({ lang: 'en' }), items);
    expect(jsonFeedErrors(json)).toEqual([]);
    expect((JSON.parse(json) as { items: unknown[] }).items).toHaveLength(items.length);
  });
});
