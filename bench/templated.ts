// Templated bench feeds (issue 17): every item is one of a few templates written from a ~100-word
// vocabulary with a handful of words changed and a number of its own, so items share most of
// their words — job boards, classifieds, sports scores, stock tickers, wire copy with a changed
// first line. Near-duplicate lookup went quadratic on exactly this text (LSH band buckets of
// thousands of members); the bench keeps it beside the news-like case so that cannot come back
// unseen. Same shapes as corpus.ts (BenchFeed, BenchItem), so the fixture server serves them.
import { createRng } from './prng.ts';
import type { Rng } from './prng.ts';
import type { BenchFeed, BenchItem, BenchLang, BenchTag, Corpus } from './corpus.ts';

/** Vocabulary size per language: the "~100-word vocabulary". */
export const TEMPLATED_VOCAB = 100;
/** Templates per language, shared by every feed of that language (syndicated copy). */
const TEMPLATES = 3;
/** Share of a template's words replaced in each item (the rest is shared with its siblings). */
const CHANGED = 0.1;

const EN_SYL = ['ka', 'ren', 'sol', 'mi', 'tor', 'al', 've', 'dan', 'lo', 'ris', 'ne', 'bar'];
const AR_LETTERS = [...'ابتثجحخدذرزسشصضطظعغفقكلمنهوي'];

function vocab(rng: Rng, lang: BenchLang): string[] {
  const set = new Set<string>();
  while (set.size < TEMPLATED_VOCAB) {
    let w = '';
    const n = rng.int(lang === 'en' ? 2 : 3, lang === 'en' ? 3 : 5);
    for (let i = 0; i < n; i++) w += lang === 'en' ? rng.pick(EN_SYL) : rng.pick(AR_LETTERS);
    set.add(w);
  }
  return [...set];
}

interface Template {
  title: string[];
  paragraphs: string[][];
}

function template(rng: Rng, words: string[]): Template {
  const run = (n: number) => Array.from({ length: n }, () => rng.pick(words));
  return {
    title: run(rng.int(6, 9)),
    paragraphs: Array.from({ length: rng.int(3, 5) }, () => run(rng.int(25, 45))),
  };
}

/** A copy of `words` with about CHANGED of them replaced by other vocabulary words. */
function vary(rng: Rng, words: string[], pool: string[]): string[] {
  return words.map((w) => (rng.chance(CHANGED) ? rng.pick(pool) : w));
}

export interface TemplatedOptions {
  seed: number;
  feeds: number;
  itemsPerFeed: number;
  /** Items are published over the 3 days before this. */
  nowMs: number;
}

/** Feeds `tmpl-000`…, half English, half Arabic, every item from one of the shared templates. */
export function makeTemplatedCorpus(opts: TemplatedOptions, tags: BenchTag[]): Corpus {
  const rng = createRng(opts.seed ^ 0x5eed);
  const langs: BenchLang[] = ['en', 'ar'];
  const words = Object.fromEntries(langs.map((l) => [l, vocab(rng, l)])) as Record<
    BenchLang,
    string[]
  >;
  const templates = Object.fromEntries(
    langs.map((l) => [l, Array.from({ length: TEMPLATES }, () => template(rng, words[l]))]),
  ) as Record<BenchLang, Template[]>;
  const feeds: BenchFeed[] = [];
  for (let f = 0; f < opts.feeds; f++) {
    const lang: BenchLang = f % 2 === 0 ? 'en' : 'ar';
    const id = `tmpl-${String(f).padStart(3, '0')}`;
    const host = `board${f}.example.${lang === 'ar' ? 'net' : 'com'}`;
    const items: BenchItem[] = [];
    let t = opts.nowMs - rng.int(0, 600_000);
    for (let i = 0; i < opts.itemsPerFeed; i++) {
      t -= rng.int(60_000, Math.floor((3 * 86_400_000) / opts.itemsPerFeed));
      const tp = rng.pick(templates[lang]);
      const no = rng.int(1000, 99999);
      const title = `${vary(rng, tp.title, words[lang]).join(' ')} ${no}`;
      const paras = tp.paragraphs.map((p) => vary(rng, p, words[lang]).join(' '));
      const link = `https://www.${host}/${lang}/listing/${f}-${i}-${no}`;
      items.push({
        guid: link,
        title,
        link,
        publishedMs: t,
        author: lang === 'en' ? 'Listings desk' : 'قسم الإعلانات',
        categories: [lang === 'en' ? 'Listings' : 'إعلانات'],
        summary: paras[0]!,
        html: paras.map((p) => `<p>${p}</p>`).join('\n'),
        image: null,
      });
    }
    feeds.push({ id, lang, title: lang === 'en' ? `Board ${f}` : `لوحة ${f}`, items });
  }
  return { feeds, tags };
}
