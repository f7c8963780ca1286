// Every real-world feed in tests/fixtures/corpus parses, with the item count a reader finds
// by grepping `<item` / `<entry` in the file.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeFeedBytes } from '../fetch/feed-bytes.ts';
import { parseFeed } from './parse-feed.ts';

const dir = fileURLToPath(new URL('../../../tests/fixtures/corpus/', import.meta.url));

/** As the fetcher hands bodies to parse: gzip sniffed, charset decoded. */
const decode = (file: string) => decodeFeedBytes(readFileSync(dir + file), null);

// file, format, items, repaired (blank line before `<?xml`, or broken on purpose)
const TABLE: [string, string, number, boolean][] = [
  ['atom-bare-link.atom', 'atom', 4, false],
  ['atom-customfields.atom', 'atom', 15, false],
  ['billion-laughs.rss', 'rss', 2, true],
  ['cdf-channel.cdf', 'rss', 2, false],
  ['content-encoded.rss', 'rss', 7, false],
  ['craigslist.rss', 'rdf', 25, false],
  ['customfields.rss', 'rss', 15, false],
  ['encoding.rss', 'rss', 40, false],
  ['feedburner.atom', 'atom', 25, false],
  ['giantbomb-podcast.rss', 'rss', 730, false],
  ['guardian.rss', 'rss', 55, false],
  ['gulp-atom.atom', 'atom', 10, false],
  ['gzip-without-content-encoding.rss.gz', 'rss', 2, true],
  ['heise.atom', 'atom', 15, false],
  ['heraldsun.rss', 'rss', 2, false],
  ['incomplete-fields.atom', 'atom', 1, false],
  ['instant-article.rss', 'rss', 1, false],
  ['item-itunes-episodeType.rss', 'rss', 1, false],
  ['itunes-category.rss', 'rss', 1, false],
  ['itunes-href.rss', 'rss', 10, false],
  ['itunes-keywords-array.rss', 'rss', 1, true],
  ['itunes-keywords-astext.rss', 'rss', 32, true],
  ['itunes-keywords.rss', 'rss', 1, false],
  ['itunes-missing-image.rss', 'rss', 131, true],
  ['many-links.rss', 'atom', 25, false],
  ['mismatched-tag-late.rss', 'rss', 5, true],
  ['missing-fields.atom', 'atom', 1, false],
  ['narro.rss', 'rss', 1, false],
  ['nested-items.rss', 'rss', 3, false],
  ['pagination-links.rss', 'rss', 1, false],
  ['prefixed-root.atom', 'atom', 2, false],
  ['reddit-atom.rss', 'rss', 24, false],
  ['reddit-home.rss', 'atom', 24, false],
  ['reddit.rss', 'rss', 24, false],
  ['rss-1.1.rss', 'rss', 2, false],
  ['rss-1.rss', 'rdf', 69, false],
  ['unclosed-tag-late.rss', 'rss', 4, true],
  ['untitled-entries.atom', 'atom', 4, false],
  ['untitled-guid-only-arabic.rss', 'rss', 2, false],
  ['uolNoticias.rss', 'rss', 15, false],
  ['xml2js-options.rss', 'rdf', 69, false],
];

describe('real-world corpus', () => {
  it('covers every fixture file', () => {
    expect(TABLE.map((r) => r[0]).sort()).toEqual(readdirSync(dir).sort());
  });

  it.each(TABLE)('%s parses as %s with %i items', async (file, format, count, repaired) => {
    const { text, repairs } = decode(file);
    const feed = await parseFeed(text, { url: 'https://example.org/feed', repairs });
    expect(feed.format).toBe(format);
    expect(feed.items).toHaveLength(count);
    expect(feed.repaired).toBe(repaired);
    expect((feed.repairs ?? []).length > 0).toBe(repaired);
    // These hold deliberately empty or untitled entries; all others have substance.
    const sparse = [
      'incomplete-fields.atom',
      'missing-fields.atom',
      'untitled-entries.atom',
      'untitled-guid-only-arabic.rss',
    ];
    if (!sparse.includes(file)) {
      for (const item of feed.items) {
        expect(item.title || item.link || item.contentHtml || item.summary).toBeTruthy();
      }
    }
  });

  it('reads details of known feeds', async () => {
    const guardian = await parseFeed(decode('guardian.rss').text, {
      url: 'https://www.theguardian.com/uk/rss',
    });
    const g0 = guardian.items[0]!;
    expect(g0.media.length).toBeGreaterThan(0);
    expect(g0.media[0]!.url).toMatch(/^https:\/\/i\.guim\.co\.uk\//);
    expect(g0.media[0]!.width).toBeTypeOf('number');
    expect(g0.author).toBeTruthy();
    expect(g0.categories.length).toBeGreaterThan(0);
    expect(guardian.lang).toBe('en-gb');

    const heise = await parseFeed(decode('heise.atom').text);
    expect(heise.items[0]!.link).toMatch(/^https?:\/\//);
    expect(heise.items[0]!.published ?? heise.items[0]!.updated).toBeTruthy();

    const uol = await parseFeed(decode('uolNoticias.rss').text);
    expect(uol.description).toContain('Últimas Notícias');

    const rdf = await parseFeed(decode('rss-1.rss').text);
    expect(rdf.items[0]!.guid).toBe(
      'http://science.sciencemag.org/cgi/content/short/356/6343/1134-a?rss=1',
    );

    const pod = await parseFeed(decode('giantbomb-podcast.rss').text);
    expect(pod.items[0]!.enclosures[0]!.url).toMatch(/^https?:\/\/.+\.mp3/);
    expect(pod.image).toMatch(/^https?:\/\//);
  });

  it('salvages broken feeds the way a tolerant reader does, and says what it repaired', async () => {
    const read = async (file: string) => {
      const { text, repairs } = decode(file);
      return parseFeed(text, { url: 'https://example.org/feed', repairs });
    };
    const kinds = (f: { repairs?: string[] }) => (f.repairs ?? []).map((r) => r.split(':')[0]);

    const bare = await read('atom-bare-link.atom');
    expect(bare.items.map((i) => i.link)).toEqual([
      'https://bare.example/1',
      null,
      'https://bare.example/3',
      'https://bare.example/4',
    ]);
    expect(bare.items[1]!.contentHtml).toContain('Body of the second entry');

    const mismatched = await read('mismatched-tag-late.rss');
    expect(mismatched.items.map((i) => i.title)).toEqual(['One', 'Two', 'Three', 'Four', 'Five']);
    expect(kinds(mismatched)).toEqual(['mismatched-tag']);
    expect(mismatched.repairs![0]).toMatch(/<b>.*line 10/);

    const unclosed = await read('unclosed-tag-late.rss');
    expect(unclosed.items.map((i) => i.title)).toEqual(['One', 'Two', 'Three', 'Four']);
    expect(kinds(unclosed)).toEqual(['unclosed-tag']);

    const prefixed = await read('prefixed-root.atom');
    expect(prefixed.format).toBe('atom');
    expect(prefixed.title).toBe('Prefixed');
    expect(prefixed.items.map((i) => [i.guid, i.link])).toEqual([
      ['tag:prefixed.example,2026:1', 'https://prefixed.example/1'],
      ['tag:prefixed.example,2026:2', 'https://prefixed.example/2'],
    ]);

    const nested = await read('nested-items.rss');
    expect(nested.items.map((i) => i.title)).toEqual(['Outer', 'Inner', 'After']);

    const gz = await read('gzip-without-content-encoding.rss.gz');
    expect(gz.items.map((i) => i.title)).toEqual(['Zipped one', 'Zipped two']);
    expect(kinds(gz)).toEqual(['gzip-sniffed']);

    const rss11 = await read('rss-1.1.rss');
    expect(rss11.title).toBe('RSS 1.1');
    expect(rss11.items.map((i) => [i.guid, i.link, i.summary])).toEqual([
      ['https://rss11.example/1', 'https://rss11.example/1', 'First'],
      ['https://rss11.example/2', 'https://rss11.example/2', 'Second'],
    ]);

    const cdf = await read('cdf-channel.cdf');
    expect(cdf.title).toBe('CDF channel');
    expect(cdf.link).toBe('https://cdf.example/');
    expect(cdf.items.map((i) => [i.title, i.link, i.summary, i.published])).toEqual([
      ['CDF one', 'https://cdf.example/1', 'First item', '2026-11-30T10:00'],
      ['CDF two', 'https://cdf.example/2', 'Second item', '2026-11-30T09:00'],
    ]);

    const bomb = await read('billion-laughs.rss');
    expect(bomb.items.map((i) => i.title)).toEqual(['Plain item', 'Bomb &lol9; item']);
    expect(kinds(bomb)).toContain('doctype-entities');
  });
});
