// Full text (issue 13): how fast teaser items get their linked page's article. The bench items'
// HTML is wrapped in a news page's chrome (nav, cookie banner, share buttons, related list,
// comments; Arabic pages for Arabic feeds, dir="rtl") and served on loopback. Product: the
// full-text step as a poll runs it (withFullText: fetch through the feed fetcher, Readability over
// linkedom, then normalize's sanitizer and absolutizer on the article), with no page cache, in
// batches of a poll's page budget. Baseline: Readability alone over linkedom on the same HTML
// strings, in process (no fetch, no sanitizer). Per-page latency from one-item polls in a row.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { RawFeed, RawItem, SourceConfig } from '../src/domain/types.ts';
import { createFetcher } from '../src/pipeline/fetch/fetcher.ts';
import { MAX_PAGE_FETCHES_PER_POLL, withFullText } from '../src/pipeline/fulltext/enrich.ts';
import { sanitizeWithImages } from '../src/pipeline/normalize/sanitize.ts';
import type { Corpus } from './corpus.ts';

export interface FullTextBench {
  pagesPerSec: number;
  p99Ms: number;
  baselinePagesPerSec: number;
  baselineP99Ms: number;
  pages: number;
  /** Pages whose article the product extracted (a sanity check). */
  extracted: number;
}

function pageOf(html: string, title: string, ar: boolean): string {
  const t = ar
    ? {
        nav: 'الرئيسية سياسة اقتصاد رياضة',
        cookie: 'نستخدم ملفات تعريف الارتباط',
        share: 'شارك',
        rel: 'مقالات ذات صلة',
        com: 'التعليقات',
      }
    : {
        nav: 'Home Politics Business Sport',
        cookie: 'We use cookies',
        share: 'Share',
        rel: 'Related',
        com: 'Comments',
      };
  return `<!doctype html><html lang="${ar ? 'ar' : 'en'}"${ar ? ' dir="rtl"' : ''}><head><meta charset="utf-8"><title>${title}</title></head><body>
<div class="cookie-banner">${t.cookie} <button>OK</button></div>
<header><nav>${t.nav
    .split(' ')
    .map((w, i) => `<a href="/s/${i}">${w}</a>`)
    .join(' ')}</nav></header>
<main><article><h1>${title}</h1>${html}</article>
<div class="share">${t.share}: <a href="https://facebook.com/sharer">f</a> <a href="https://x.com/intent">x</a></div>
<aside class="related"><h3>${t.rel}</h3><ul>${Array.from({ length: 5 }, (_, i) => `<li><a href="/r/${i}">${title} ${i}</a></li>`).join('')}</ul></aside>
<section id="comments"><h3>${t.com}</h3>${Array.from({ length: 3 }, (_, i) => `<div class="comment">${t.com} ${i}</div>`).join('')}</section>
</main><footer>© 2026</footer><script>track()</script></body></html>`;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

export async function runFullTextBench(corpus: Corpus, count: number): Promise<FullTextBench> {
  const pages = corpus.feeds
    .flatMap((f) => f.items.slice(0, 5).map((i) => pageOf(i.html, i.title, f.lang === 'ar')))
    .slice(0, count);
  const server = createServer((req, res) => {
    const n = Number(/\/p\/(\d+)/.exec(req.url ?? '')?.[1] ?? -1);
    const body = pages[n];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fetcher = createFetcher({
    timeoutMs: 10_000,
    maxBytes: 10 << 20,
    userAgent: 'Tributary/bench',
    allowPrivateNetworks: true,
    maxRedirects: 3,
  });
  const item = (n: number): RawItem => ({
    guid: String(n),
    link: `${base}/p/${n}`,
    title: 't',
    published: null,
    updated: null,
    author: null,
    summary: 'teaser',
    contentHtml: null,
    baseUrl: null,
    categories: [],
    enclosures: [],
    media: [],
    lang: null,
  });
  const feedOf = (items: RawItem[]): RawFeed => ({
    format: 'rss',
    title: 'b',
    link: null,
    description: null,
    lang: null,
    baseUrl: null,
    image: null,
    ttlMinutes: null,
    updatePeriodMinutes: null,
    items,
    repaired: false,
  });
  const source = { id: 'bench', url: `${base}/feed.xml`, fullText: 'auto' } as SourceConfig;
  const deps = { fetcher, hostLimiter: null, pages: null, now: () => new Date() };
  const poll = async (items: RawItem[]) => {
    const r = await withFullText(deps, source, feedOf(items));
    for (const i of r.feed.items) if (i.contentHtml) sanitizeWithImages(i.contentHtml, i.baseUrl);
    return r.extracted;
  };
  try {
    await poll([item(0), item(1)]); // warm-up (JIT, connections)
    let extracted = 0;
    const t0 = performance.now();
    for (let i = 0; i < pages.length; i += MAX_PAGE_FETCHES_PER_POLL) {
      const batch = [];
      for (let n = i; n < Math.min(pages.length, i + MAX_PAGE_FETCHES_PER_POLL); n++)
        batch.push(item(n));
      extracted += await poll(batch);
    }
    const pagesPerSec = pages.length / ((performance.now() - t0) / 1000);
    const lat: number[] = [];
    for (let n = 0; n < pages.length; n++) {
      const s = performance.now();
      await poll([item(n)]);
      lat.push(performance.now() - s);
    }

    const readOne = (html: string) => {
      const { document } = parseHTML(html);
      return new Readability(
        document as unknown as ConstructorParameters<typeof Readability>[0],
      ).parse();
    };
    readOne(pages[0]!);
    const blat: number[] = [];
    const b0 = performance.now();
    for (const html of pages) {
      const s = performance.now();
      if (!readOne(html)) throw new Error('bench: readability found nothing on a bench page');
      blat.push(performance.now() - s);
    }
    const baselinePagesPerSec = pages.length / ((performance.now() - b0) / 1000);
    return {
      pagesPerSec,
      p99Ms: pct(lat, 99),
      baselinePagesPerSec,
      baselineP99Ms: pct(blat, 99),
      pages: pages.length,
      extracted,
    };
  } finally {
    await fetcher.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}
