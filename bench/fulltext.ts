// The `fullText` figure: article pages (the bench corpus's own item HTML, wrapped in a news
// site's navigation, share buttons, related list, cookie banner and comments, Arabic pages RTL)
// served by a loopback server and taken one at a time through the product's page path (the
// feeds' fetcher, charset decoding, Readability over linkedom, our sanitizer and absolutizer),
// next to Readability alone (linkedom parse + Readability.parse) on the same page strings.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFetcher } from '../src/pipeline/fetch/fetcher.ts';
import { loadPage } from '../src/pipeline/fulltext/page.ts';
import { memoryPageCache } from '../src/pipeline/fulltext/fulltext.ts';
import { readabilityOnly } from '../src/pipeline/fulltext/extract.ts';
import type { Corpus } from './corpus.ts';

export interface FullTextResult {
  pages: number;
  /** Pages whose article came out (the rest: nothing readable). */
  extracted: number;
  pagesPerSec: number;
  p99Ms: number;
  baselinePagesPerSec: number;
  baselineP99Ms: number;
  /** Mean page size, bytes. */
  pageBytes: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function page(item: { title: string; html: string }, lang: 'ar' | 'en', i: number): string {
  const rtl = lang === 'ar' ? ' dir="rtl"' : '';
  const links = (n: number, p: string) =>
    Array.from({ length: n }, (_, k) => `<li><a href="/${p}/${i}-${k}">${p} ${k}</a></li>`).join(
      '',
    );
  return `<!doctype html><html lang="${lang}"${rtl}><head><meta charset="utf-8"><title>${esc(item.title)}</title>
<script>window.ads=[];</script><style>body{font:16px serif}</style></head><body>
<div class="cookie-banner" role="dialog"><p>We use cookies. <button>OK</button></p></div>
<header><nav class="main-menu"><ul>${links(12, 'section')}</ul></nav></header>
<main><article class="post"><h1>${esc(item.title)}</h1>
<div class="share-buttons"><a href="#">Facebook</a> <a href="#">X</a> <a href="#">WhatsApp</a></div>
<div class="entry-content">${item.html}</div></article>
<aside class="related-posts"><h3>Related</h3><ul>${links(8, 'related')}</ul></aside>
<section id="comments" class="comments-area">${Array.from({ length: 5 }, (_, k) => `<div class="comment"><p>Comment ${k} on story ${i}</p></div>`).join('')}</section>
</main><footer><ul>${links(10, 'footer')}</ul></footer></body></html>`;
}

const p99 = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)] ?? NaN;
};

export async function runFullText(corpus: Corpus, count: number): Promise<FullTextResult> {
  const items = corpus.feeds.flatMap((f) => f.items.map((it) => ({ it, lang: f.lang })));
  const pages = Array.from({ length: count }, (_, i) => {
    const { it, lang } = items[i % items.length]!;
    return page(it, lang, i);
  });
  const server = createServer((req, res) => {
    const i = Number(/^\/p\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
    const body = pages[i];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fetcher = createFetcher({
    timeoutMs: 10_000,
    maxBytes: 10 * 1024 * 1024,
    userAgent: 'tributary-bench',
    allowPrivateNetworks: true,
    maxRedirects: 5,
  });
  try {
    const deps = { fetcher, hostLimiter: null, pages: memoryPageCache(), now: () => new Date() };
    // Warm-up (JIT) on a few pages, each path.
    for (let i = 0; i < Math.min(10, count); i++) {
      readabilityOnly(pages[i]!);
      await loadPage({ ...deps, pages: memoryPageCache() }, `${base}/p/${i}`);
    }
    const product: number[] = [];
    let extracted = 0;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const s = performance.now();
      const r = await loadPage(deps, `${base}/p/${i}`);
      product.push(performance.now() - s);
      if (r.page.outcome === 'ok') extracted++;
    }
    const productS = (performance.now() - t0) / 1000;
    const baseline: number[] = [];
    const t1 = performance.now();
    for (let i = 0; i < count; i++) {
      const s = performance.now();
      readabilityOnly(pages[i]!);
      baseline.push(performance.now() - s);
    }
    const baselineS = (performance.now() - t1) / 1000;
    return {
      pages: count,
      extracted,
      pagesPerSec: count / productS,
      p99Ms: p99(product),
      baselinePagesPerSec: count / baselineS,
      baselineP99Ms: p99(baseline),
      pageBytes: pages.reduce((n, p) => n + Buffer.byteLength(p), 0) / count,
    };
  } finally {
    await fetcher.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
