// parse + normalize over the real-world corpus: every article is well-formed.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../domain/types.ts';
import { decodeFeedBytes } from '../fetch/feed-bytes.ts';
import { parseFeed } from '../parse/parse-feed.ts';
import { normalizeFeed } from './normalize.ts';
import { hasInvalidXmlChars } from '../../text/xml-chars.ts';

const dir = fileURLToPath(new URL('../../../tests/fixtures/corpus/', import.meta.url));
/** As the fetcher hands bodies to parse: gzip sniffed, charset decoded. */
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

describe('normalize over the corpus', () => {
  it.each(readdirSync(dir))('%s', async (file) => {
    const raw = await parseFeed(decode(readFileSync(dir + file)), {
      url: 'https://example.org/feed',
    });
    const articles = normalizeFeed(raw, { source, feedUrl: 'https://example.org/feed', now });
    // Every entry is kept, even one with nothing but an id (as feedparser keeps it).
    expect(articles.length).toBe(raw.items.length);
    const ids = new Set(articles.map((a) => a.id));
    for (const a of articles) {
      expect(a.title.length).toBeGreaterThan(0);
      expect(a.summary.length).toBeLessThanOrEqual(300);
      expect(Number.isNaN(Date.parse(a.published))).toBe(false);
      if (a.url) expect(a.url).toMatch(/^https?:\/\/[^#]+$/);
      expect(a.contentHtml).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
      for (const s of [a.title, a.summary, a.contentHtml, a.author ?? ''])
        expect(hasInvalidXmlChars(s), JSON.stringify(s)).toBe(false);
      expect(a.lang).toMatch(/^[a-z]{2,3}$/);
    }
    // Ids are unique within a feed unless the feed repeats an item.
    expect(ids.size).toBeGreaterThanOrEqual(Math.ceil(articles.length * 0.9));
  });
});

describe('normalize over the corpus: spot checks', () => {
  const run = async (file: string) =>
    normalizeFeed(
      await parseFeed(decode(readFileSync(dir + file)), { url: 'https://example.org/feed' }),
      {
        source,
        feedUrl: 'https://example.org/feed',
        now,
      },
    );

  it.each([
    ['rss-1.rss', 'en'],
    ['heise.atom', 'de'],
    ['uolNoticias.rss', 'pt'],
    ['reddit.rss', 'en'],
    ['encoding.rss', 'pt'],
  ])('%s is detected or declared as %s for every item', async (file, lang) => {
    expect(new Set((await run(file)).map((a) => a.lang))).toEqual(new Set([lang]));
  });

  it('reads the uolNoticias dates (`Seg, 24 Set 2018 19:22:00 -0300`) as 2018, not now', async () => {
    const uol = await run('uolNoticias.rss');
    expect(uol).toHaveLength(15);
    for (const a of uol) expect(a.published).toMatch(/^2018-09-24T22:[1-4]\d:\d{2}\.000Z$/);
    expect(uol.map((a) => a.published)).toContain('2018-09-24T22:22:00.000Z');
  });

  it('takes RDF enc:enclosure images (craigslist) and media:content (guardian)', async () => {
    const cl = await run('craigslist.rss');
    expect(cl[0]!.image).toEqual({
      url: 'https://images.craigslist.org/00l0l_fbVZikCjEKO_300x300.jpg',
      type: 'image/jpeg',
      width: null,
      height: null,
    });
    const g = await run('guardian.rss');
    expect(g.every((a) => a.image?.url.startsWith('https://i.guim.co.uk/'))).toBe(true);
  });
});
