// Ids derived from titles: Arabic titles (the seed article's headline, the Arabic demo feeds'
// own titles) give readable Latin ids that pass the config's id rule; taken ids get -2, -3.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { id as idRule } from '../config/schema.ts';
import { slugFor } from './opml-import.ts';
import { slugify, sourceSlug, transliterateArabic, uniqueId } from './slug.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** The seed article's headline (its first line). */
const seedTitle = readFileSync(join(ROOT, 'tests', 'fixtures', 'seed-article-ar.txt'), 'utf8')
  .split('\n')[0]!
  .trim();
/** A feed's own <title> (the channel's or the feed's, the first in the file). */
const feedTitle = (file: string, encoding: 'utf8' | 'cp1256' = 'utf8') => {
  const bytes = readFileSync(join(ROOT, 'demo', 'feeds', file));
  const text = new TextDecoder(encoding === 'cp1256' ? 'windows-1256' : 'utf-8').decode(bytes);
  return /<title>([^<]+)<\/title>/.exec(text)![1]!;
};

const valid = (s: string) => idRule.safeParse(s).success;

describe('source ids from titles', () => {
  it('transliterates Arabic feed titles into readable ids that pass the id rule', () => {
    const cases: [string, string][] = [
      [feedTitle('enab-baladi.rss'), 'anb-bldi'],
      [feedTitle('qawqaz.rss'), 'alquqaz-balrbya'],
      [feedTitle('alsharq-news.atom'), 'wkala-alshrq-llanba'],
      [feedTitle('almashriq-cp1256.rss', 'cp1256'), 'shifa-almshrq'],
    ];
    expect(cases.map(([t]) => t)).toEqual([
      'عنب بلدي',
      'القوقاز بالعربية',
      'وكالة الشرق للأنباء',
      'صحيفة المشرق',
    ]);
    for (const [title, want] of cases) {
      const got = slugFor({
        title,
        xmlUrl: 'https://news.example/feed',
        htmlUrl: null,
        lang: 'ar',
      });
      expect(got).toBe(want);
      expect(valid(got)).toBe(true);
    }
  });

  it("gives the seed article's long Arabic headline an id of at most 48 characters, no dash at the end", () => {
    expect(seedTitle).toMatch(/^المقاتلون السوريون/);
    const got = sourceSlug(seedTitle, 'https://www.enabbaladi.net/feed/');
    expect(got).toBe('almqatlun-alsuriun-fi-adhrbijan-mhur-atsalat-rus');
    expect(got.length).toBeLessThanOrEqual(48);
    expect(valid(got)).toBe(true);
  });

  it('drops tashkeel and tatweel, reads Arabic-Indic digits, keeps Latin words of mixed titles', () => {
    expect(transliterateArabic('سُورِيَا')).toBe('surya');
    expect(slugify('عـــربي ٢١')).toBe('arbi-21');
    expect(slugify('BBC عربي')).toBe('bbc-arbi');
    expect(slugify('The Guardian')).toBe('the-guardian');
  });

  it('falls back to the host, then to source-<hash>, for a title with nothing to transliterate', () => {
    expect(sourceSlug('新闻', 'https://www.xinhua.example/rss')).toBe('xinhua-example');
    expect(sourceSlug(null, 'https://www.xinhua.example/rss')).toBe('xinhua-example');
    const h = sourceSlug('新闻', 'not a url');
    expect(h).toMatch(/^source-[0-9a-f]{8}$/);
    expect(sourceSlug('新闻', 'not a url')).toBe(h); // stable
  });

  it('makes an id unique with -2, -3 when the same Arabic title is added again', () => {
    const taken = new Set<string>();
    const ids = [0, 1, 2].map(() => {
      const id = uniqueId(sourceSlug('عنب بلدي', 'https://enabbaladi.net/feed'), taken);
      taken.add(id);
      return id;
    });
    expect(ids).toEqual(['anb-bldi', 'anb-bldi-2', 'anb-bldi-3']);
  });
});
