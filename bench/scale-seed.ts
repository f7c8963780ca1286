// Stored articles for the scale bench, written straight through the store's own write path
// (the URL claim, the upsert script with a real packed MinHash signature, the source's article
// index, section indexes through the section script, each article's sections, the global index),
// in the same layout ingest writes, so Redis bytes per article are the real ones. Seeding through
// the full pipeline runs at ~450 items/s; this skips fetching, parsing, tagging and dedupe
// lookups. Content comes from a pool of bench-corpus items (1–5 KB of HTML, half Arabic), each
// article with its own id, URL, title and date; dates fall 4–29 days back (inside retention,
// outside the 72 h dedupe window, so no LSH entries are expected).
import { createHash } from 'node:crypto';
import type { Article } from '../src/domain/types.ts';
import type { Store } from '../src/store/index.ts';
import { contentHash } from '../src/pipeline/normalize/normalize.ts';
import { fingerprintArticle } from '../src/pipeline/dedupe/fingerprint.ts';
import { packSignature } from '../src/text/minhash.ts';
import { htmlToText } from '../src/text/html-text.ts';
import { makeCorpus } from './corpus.ts';
import type { BenchItem } from './corpus.ts';

const DAY = 86_400_000;

export interface SeedOptions {
  /** Seeds articles number `from` (default 0) up to `articles` (exclusive): a later call tops up. */
  from?: number;
  articles: number;
  /** Articles are spread over sources s0..s(sources-1). */
  sources: number;
  sections: { all: string; byLang: Record<'ar' | 'en', string> };
  maxAgeMs: number;
  maxPerSection: number;
  nowMs: number;
  batch?: number;
  progress?(done: number): void;
}

export async function seedArticles(store: Store, o: SeedOptions): Promise<{ ms: number }> {
  const t0 = performance.now();
  const pool = (poolCache ??= contentPool(o.nowMs));
  const batch = o.batch ?? 500;
  for (let start = o.from ?? 0; start < o.articles; start += batch) {
    const n = Math.min(batch, o.articles - start);
    const rows = Array.from({ length: n }, (_, k) => {
      const i = start + k;
      const p = pool[i % pool.length]!;
      return { i, p, article: toArticle(i, p.item, p.lang, o) };
    });
    const now = new Date(o.nowMs);
    await Promise.all(
      rows.map(async ({ article: a, p }) => {
        const expireAt = Date.parse(a.published) + o.maxAgeMs;
        await store.articles.claimUrl(a.url!, a.id, expireAt);
        await store.articles.upsert(a.id, a, true, now, expireAt, p.sig);
        await store.sources.addArticles(a.sourceId, [
          { id: a.id, publishedMs: Date.parse(a.published) },
        ]);
      }),
    );
    const changes = new Map<
      string,
      { add: [number, string][]; remove: string[]; changed: boolean }
    >();
    for (const { article: a } of rows) {
      for (const s of [o.sections.all, o.sections.byLang[a.lang as 'ar' | 'en']]) {
        const c = changes.get(s) ?? { add: [], remove: [], changed: true };
        c.add.push([Date.parse(a.published), a.id]);
        changes.set(s, c);
      }
    }
    await store.sections.apply(changes, o.maxPerSection);
    await Promise.all(
      rows.map(({ article: a }) =>
        store.articles.setFields(a.id, {
          sections: [o.sections.all, o.sections.byLang[a.lang as 'ar' | 'en']],
        }),
      ),
    );
    await store.articles.trackMany(rows.map(({ article: a }) => [Date.parse(a.published), a.id]));
    o.progress?.(start + n);
  }
  return { ms: performance.now() - t0 };
}

let poolCache: ReturnType<typeof contentPool> | null = null;

/** 500 bench-corpus items with their packed MinHash signatures. */
function contentPool(nowMs: number) {
  const corpus = makeCorpus({ seed: 7, feeds: 20, itemsPerFeed: 25, nowMs });
  return corpus.feeds.flatMap((f) =>
    f.items.map((item) => {
      const fp = fingerprintArticle({ title: item.title, text: htmlToText(item.html) });
      return { item, lang: f.lang, sig: packSignature(fp.signature) };
    }),
  );
}

function toArticle(i: number, item: BenchItem, lang: 'ar' | 'en', o: SeedOptions): Article {
  const sourceId = `s${i % o.sources}`;
  const id = createHash('sha1').update(`seed:${i}`).digest('hex').slice(0, 16);
  // 4 to 29 days back, spread evenly by i.
  const published = new Date(o.nowMs - 4 * DAY - ((i * 7919) % (25 * DAY)));
  const title = `${item.title} ${i}`;
  return {
    id,
    sourceId,
    guid: `seed-${i}`,
    url: `https://seed${i % 997}.example/${lang}/${i}`,
    title,
    published: published.toISOString(),
    updated: published.toISOString(),
    author: item.author,
    summary: item.summary.slice(0, 300),
    contentHtml: item.html,
    image: null,
    enclosures: [],
    lang,
    tags: [],
    sourceCategories: item.categories,
    contentHash: contentHash(title, item.html),
  };
}
