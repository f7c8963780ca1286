// Every real-world feed in tests/fixtures/corpus parses, with the item count a reader finds
// by grepping `<item` / `<entry` in the file.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseFeed } from './parse-feed.ts';

const dir = fileURLToPath(new URL('../../../tests/fixtures/corpus/', import.meta.url));

/** The fetch stage decodes charsets; here: UTF-8 when valid, else Latin-1 (as the declaration or lack of it says). */
function decode(file: string): string {
  const bytes = readFileSync(dir + file);
  const head = bytes.subarray(0, 200).toString('latin1');
  if (/encoding=["']iso-8859-1["']/i.test(head)) return bytes.toString('latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

// file, format, items, repaired (blank line before `<?xml`)
const TABLE: [string, string, number, boolean][] = [
  ['atom-customfields.atom', 'atom', 15, false],
  ['content-encoded.rss', 'rss', 7, false],
  ['craigslist.rss', 'rdf', 25, false],
  ['customfields.rss', 'rss', 15, false],
  ['encoding.rss', 'rss', 40, false],
  ['feedburner.atom', 'atom', 25, false],
  ['giantbomb-podcast.rss', 'rss', 730, false],
  ['guardian.rss', 'rss', 55, false],
  ['gulp-atom.atom', 'atom', 10, false],
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
  ['missing-fields.atom', 'atom', 1, false],
  ['narro.rss', 'rss', 1, false],
  ['pagination-links.rss', 'rss', 1, false],
  ['reddit-atom.rss', 'rss', 24, false],
  ['reddit-home.rss', 'atom', 24, false],
  ['reddit.rss', 'rss', 24, false],
  ['rss-1.rss', 'rdf', 69, false],
  ['uolNoticias.rss', 'rss', 15, false],
  ['xml2js-options.rss', 'rdf', 69, false],
];

describe('real-world corpus', () => {
  it('covers every fixture file', () => {
    expect(TABLE.map((r) => r[0]).sort()).toEqual(readdirSync(dir).sort());
  });

  it.each(TABLE)('%s parses as %s with %i items', async (file, format, count, repaired) => {
    const feed = await parseFeed(decode(file), { url: 'https://example.org/feed' });
    expect(feed.format).toBe(format);
    expect(feed.items).toHaveLength(count);
    expect(feed.repaired).toBe(repaired);
    // Two fixtures hold one deliberately empty entry (normalize drops it); all others have substance.
    if (!['incomplete-fields.atom', 'missing-fields.atom'].includes(file)) {
      for (const item of feed.items) {
        expect(item.title || item.link || item.contentHtml || item.summary).toBeTruthy();
      }
    }
  });

  it('reads details of known feeds', async () => {
    const guardian = await parseFeed(decode('guardian.rss'), {
      url: 'https://www.theguardian.com/uk/rss',
    });
    const g0 = guardian.items[0]!;
    expect(g0.media.length).toBeGreaterThan(0);
    expect(g0.media[0]!.url).toMatch(/^https:\/\/i\.guim\.co\.uk\//);
    expect(g0.media[0]!.width).toBeTypeOf('number');
    expect(g0.author).toBeTruthy();
    expect(g0.categories.length).toBeGreaterThan(0);
    expect(guardian.lang).toBe('en-gb');

    const heise = await parseFeed(decode('heise.atom'));
    expect(heise.items[0]!.link).toMatch(/^https?:\/\//);
    expect(heise.items[0]!.published ?? heise.items[0]!.updated).toBeTruthy();

    const uol = await parseFeed(decode('uolNoticias.rss'));
    expect(uol.description).toContain('Últimas Notícias');

    const rdf = await parseFeed(decode('rss-1.rss'));
    expect(rdf.items[0]!.guid).toBe(
      'http://science.sciencemag.org/cgi/content/short/356/6343/1134-a?rss=1',
    );

    const pod = await parseFeed(decode('giantbomb-podcast.rss'));
    expect(pod.items[0]!.enclosures[0]!.url).toMatch(/^https?:\/\/.+\.mp3/);
    expect(pod.image).toMatch(/^https?:\/\//);
  });
});
