// Generated, deterministic bench feeds: half Arabic, half English; items with a title, a summary,
// 1–5 KB of HTML (paragraphs, links, images, emphasis), categories, and keywords of the bench
// tags sprinkled in so tagging has real work. About 5% of items are another outlet's rewrite of
// an earlier story (a dropped paragraph, a new headline), so near-duplicate clustering happens too.
import { createRng } from './prng.ts';
import type { Rng } from './prng.ts';

export type BenchLang = 'ar' | 'en';

export interface BenchItem {
  guid: string;
  title: string;
  link: string;
  publishedMs: number;
  author: string;
  categories: string[];
  summary: string;
  html: string;
  image: string | null;
}

export interface BenchFeed {
  id: string;
  lang: BenchLang;
  title: string;
  items: BenchItem[];
}

export interface BenchTag {
  id: string;
  label: string;
  /** 5 English and 5 Arabic keywords (some multi-word, some `stem*`). */
  keywords: string[];
}

export interface Corpus {
  feeds: BenchFeed[];
  tags: BenchTag[];
}

const EN_SYL = [
  'ka',
  'ren',
  'sol',
  'mi',
  'tor',
  'al',
  've',
  'dan',
  'lo',
  'ris',
  'ne',
  'bar',
  'tu',
  'gen',
  'pha',
  'mo',
  'sil',
  'cor',
  'di',
  'wen',
  'ast',
  'ul',
  'per',
  'gra',
  'che',
  'fin',
  'ob',
  'lan',
  'est',
  'qui',
];
const AR_LETTERS = [...'ابتثجحخدذرزسشصضطظعغفقكلمنهوي'];
const EN_FUNCTION = [
  'the',
  'of',
  'and',
  'in',
  'to',
  'a',
  'on',
  'for',
  'with',
  'said',
  'was',
  'by',
  'at',
  'from',
  'after',
];
const AR_FUNCTION = [
  'في',
  'من',
  'على',
  'إلى',
  'أن',
  'عن',
  'مع',
  'التي',
  'الذي',
  'قال',
  'بعد',
  'كما',
  'هذا',
];
const EN_CATEGORIES = [
  'Politics',
  'Economy',
  'World',
  'Sport',
  'Culture',
  'Science',
  'Health',
  'Technology',
  'Opinion',
  'Business',
  'Middle East',
  'Europe',
  'Energy',
  'Climate',
  'Education',
];
const AR_CATEGORIES = [
  'سياسة',
  'اقتصاد',
  'عربي ودولي',
  'رياضة',
  'ثقافة',
  'علوم',
  'صحة',
  'تكنولوجيا',
  'رأي',
  'أعمال',
  'الشرق الأوسط',
  'أوروبا',
  'طاقة',
  'مناخ',
  'تعليم',
];

function enWord(rng: Rng, syllables: number): string {
  let w = '';
  for (let i = 0; i < syllables; i++) w += rng.pick(EN_SYL);
  return w;
}

function arWord(rng: Rng, letters: number): string {
  let w = '';
  for (let i = 0; i < letters; i++) w += rng.pick(AR_LETTERS);
  return w;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** 50 tags × 10 keywords by default: half English, half Arabic; some two-word, some prefix `*`. */
export function makeTags(seed: number, count = 50, perTag = 10): BenchTag[] {
  const rng = createRng(seed ^ 0x7a65);
  const used = new Set<string>();
  const unique = (make: () => string) => {
    for (;;) {
      const w = make();
      if (!used.has(w)) {
        used.add(w);
        return w;
      }
    }
  };
  const tags: BenchTag[] = [];
  for (let t = 0; t < count; t++) {
    const keywords: string[] = [];
    for (let k = 0; k < perTag; k++) {
      const english = k < perTag / 2;
      const make = english
        ? () => cap(enWord(rng, rng.int(3, 4))) + 'ia'
        : () => 'ال' + arWord(rng, rng.int(4, 6));
      let kw = unique(make);
      if (k % 5 === 3) kw = `${kw} ${unique(make)}`; // a two-word keyword
      if (k % 5 === 4) kw = `${kw.slice(0, -1)}*`; // a prefix keyword
      keywords.push(kw);
    }
    tags.push({ id: `tag-${String(t).padStart(2, '0')}`, label: `Tag ${t}`, keywords });
  }
  return tags;
}

/** Text that a keyword matches: `stem*` becomes stem + a suffix; Arabic sometimes with a clitic. */
function keywordInText(rng: Rng, kw: string, lang: BenchLang): string {
  let s = kw.endsWith('*') ? `${kw.slice(0, -1)}${lang === 'ar' ? 'ية' : 'ian'}` : kw;
  if (lang === 'ar' && rng.chance(0.3)) s = rng.pick(['و', 'ب', 'ف']) + s;
  else if (lang === 'en' && rng.chance(0.2) && !s.includes(' ')) s += 's';
  return s;
}

interface Vocab {
  content: string[];
  fn: string[];
}

function makeVocab(rng: Rng, lang: BenchLang, size: number): Vocab {
  const set = new Set<string>();
  while (set.size < size)
    set.add(lang === 'en' ? enWord(rng, rng.int(1, 3)) : arWord(rng, rng.int(3, 6)));
  return { content: [...set], fn: lang === 'en' ? EN_FUNCTION : AR_FUNCTION };
}

function sentence(rng: Rng, v: Vocab, words: number, keyword: string | null): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    // Mostly content words (half Zipf-frequent, half rare), function words between them.
    if (rng.chance(0.3)) out.push(rng.pick(v.fn));
    else out.push(rng.chance(0.5) ? rng.zipf(v.content) : rng.pick(v.content));
  }
  if (keyword) out.splice(rng.int(0, out.length), 0, keyword);
  return out.join(' ');
}

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) => escText(s).replace(/"/g, '&quot;');

function articleHtml(
  rng: Rng,
  v: Vocab,
  lang: BenchLang,
  host: string,
  keywords: string[],
): { html: string; summary: string; image: string } {
  const target = rng.int(1000, 4600); // the last paragraph overshoots by up to ~400 B
  const image = `https://cdn.${host}/images/${rng.int(100000, 999999)}.jpg`;
  const lead = sentence(rng, v, rng.int(14, 24), keywords[0] ?? null);
  const parts = [
    `<figure><img src="${image}" alt="${escAttr(sentence(rng, v, 4, null))}" width="800" height="450"><figcaption>${escText(sentence(rng, v, 6, null))}</figcaption></figure>`,
    `<p><strong>${escText(lead)}.</strong></p>`,
  ];
  let size = Buffer.byteLength(parts.join(''));
  let k = 1;
  while (size < target) {
    const sentences: string[] = [];
    for (let s = rng.int(2, 4); s > 0; s--) {
      const kw = k < keywords.length && rng.chance(0.5) ? keywords[k++]! : null;
      let text = escText(sentence(rng, v, rng.int(8, 20), kw));
      if (rng.chance(0.25)) {
        const words = text.split(' ');
        const at = rng.int(0, Math.max(0, words.length - 3));
        words.splice(
          at,
          3,
          `<a href="https://www.${host}/${lang}/story/${rng.int(1000, 99999)}">${words.slice(at, at + 3).join(' ')}</a>`,
        );
        text = words.join(' ');
      }
      sentences.push(`${text}.`);
    }
    const p = rng.chance(0.1)
      ? `<p><img src="https://cdn.${host}/images/${rng.int(100000, 999999)}.png" alt=""></p>`
      : `<p>${sentences.join(' ')}</p>`;
    parts.push(p);
    size += Buffer.byteLength(p);
  }
  return { html: parts.join('\n'), summary: `${lead}.`, image };
}

function titleOf(rng: Rng, v: Vocab, lang: BenchLang, keyword: string | null): string {
  const s = sentence(rng, v, rng.int(6, 11), keyword);
  return lang === 'en' ? s.split(' ').map(cap).join(' ') : s;
}

export interface CorpusOptions {
  seed: number;
  feeds: number;
  itemsPerFeed: number;
  /** Items are published over the 3 days before this. */
  nowMs: number;
}

export function makeCorpus(opts: CorpusOptions, tags: BenchTag[] = makeTags(opts.seed)): Corpus {
  const rng = createRng(opts.seed);
  const vocab: Record<BenchLang, Vocab> = {
    en: makeVocab(rng, 'en', 8000),
    ar: makeVocab(rng, 'ar', 8000),
  };
  const kwFor = (lang: BenchLang, tag: BenchTag) =>
    tag.keywords.filter((k) => (lang === 'ar') === /[\u0600-\u06ff]/.test(k));
  const feeds: BenchFeed[] = [];
  const earlier: Record<BenchLang, BenchItem[]> = { en: [], ar: [] };
  for (let f = 0; f < opts.feeds; f++) {
    const lang: BenchLang = f % 2 === 0 ? 'en' : 'ar';
    const v = vocab[lang];
    const id = `feed-${String(f).padStart(3, '0')}`;
    const host = `news${f}.example.${lang === 'ar' ? 'net' : 'com'}`;
    const items: BenchItem[] = [];
    let t = opts.nowMs - rng.int(0, 600_000);
    for (let i = 0; i < opts.itemsPerFeed; i++) {
      t -= rng.int(60_000, Math.floor((3 * 86_400_000) / opts.itemsPerFeed));
      const pool = earlier[lang];
      const link = `https://www.${host}/${lang}/${new Date(t).toISOString().slice(0, 10).replace(/-/g, '/')}/story-${f}-${i}-${rng.int(1000, 9999)}?utm_source=rss&utm_medium=feed`;
      const keywords = Array.from({ length: rng.int(0, 3) }, () =>
        keywordInText(rng, rng.pick(kwFor(lang, rng.pick(tags))), lang),
      );
      let body: { html: string; summary: string; image: string };
      if (pool.length > 20 && rng.chance(0.05)) {
        // Another outlet's rewrite of an earlier story: same body less one paragraph.
        const orig = rng.pick(pool);
        const paras = orig.html.split('\n');
        const drop = rng.int(2, paras.length - 1);
        if (
          paras.length > 3 &&
          Buffer.byteLength(orig.html) - Buffer.byteLength(paras[drop] ?? '') >= 1000
        )
          paras.splice(drop, 1);
        body = { html: paras.join('\n'), summary: orig.summary, image: orig.image ?? '' };
      } else {
        body = articleHtml(rng, v, lang, host, keywords.slice(1));
      }
      const item: BenchItem = {
        guid: link.replace(/\?.*$/, ''),
        title: titleOf(rng, v, lang, keywords[0] ?? null),
        link,
        publishedMs: t,
        author:
          lang === 'en'
            ? `${cap(rng.pick(v.content))} ${cap(rng.pick(v.content))}`
            : `${rng.pick(v.content)} ${rng.pick(v.content)}`,
        categories: Array.from(
          new Set(
            Array.from({ length: rng.int(1, 3) }, () =>
              rng.pick(lang === 'en' ? EN_CATEGORIES : AR_CATEGORIES),
            ),
          ),
        ),
        summary: body.summary,
        html: body.html,
        image: rng.chance(0.5) ? body.image : null,
      };
      items.push(item);
      pool.push(item);
    }
    feeds.push({
      id,
      lang,
      title: lang === 'en' ? `${cap(enWord(rng, 2))} News` : `أخبار ${arWord(rng, 5)}`,
      items,
    });
  }
  return { feeds, tags };
}

/** A new story at the top of `feed` (published now), dropping its oldest item. */
export function withFreshItem(feed: BenchFeed, marker: string, nowMs: number): BenchFeed {
  const rng = createRng(nowMs % 2 ** 31);
  const lang = feed.lang;
  const v = makeVocab(createRng(lang === 'en' ? 1 : 2), lang, 500);
  const host = `fresh.example.${lang === 'ar' ? 'net' : 'com'}`;
  const body = articleHtml(rng, v, lang, host, []);
  const link = `https://www.${host}/${lang}/story/${marker}`;
  const item: BenchItem = {
    guid: link,
    title: `${marker} ${titleOf(rng, v, lang, null)}`,
    link,
    publishedMs: nowMs,
    author: 'Bench',
    categories: [lang === 'en' ? 'World' : 'عربي ودولي'],
    summary: body.summary,
    html: body.html,
    image: null,
  };
  return { ...feed, items: [item, ...feed.items.slice(0, -1)] };
}

export function renderRss(feed: BenchFeed, selfUrl: string): string {
  const items = feed.items.map((i) => {
    const media = i.image
      ? `\n  <media:content url="${escAttr(i.image)}" medium="image" type="image/jpeg"/>`
      : '';
    return `<item>
  <title>${escText(i.title)}</title>
  <link>${escText(i.link)}</link>
  <guid isPermaLink="true">${escText(i.guid)}</guid>
  <pubDate>${new Date(i.publishedMs).toUTCString()}</pubDate>
  <dc:creator>${escText(i.author)}</dc:creator>
${i.categories.map((c) => `  <category>${escText(c)}</category>`).join('\n')}
  <description>${escText(i.summary)}</description>
  <content:encoded><![CDATA[${i.html}]]></content:encoded>${media}
</item>`;
  });
  const newest = feed.items[0]?.publishedMs ?? 0;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${escText(feed.title)}</title>
<link>https://www.${feed.id}.example/</link>
<atom:link href="${escAttr(selfUrl)}" rel="self" type="application/rss+xml"/>
<description>${escText(feed.title)}</description>
<language>${feed.lang}</language>
<lastBuildDate>${new Date(newest).toUTCString()}</lastBuildDate>
${items.join('\n')}
</channel>
</rss>
`;
}
