// Full text through the running service: a teaser feed whose linked pages are served on loopback
// (an Arabic page with nav, share buttons, related list, cookie banner and comments around an
// <article>; a page whose text sits in <div class="post-body">; a 404, a PDF and a page over
// fetch.maxBytes). Extracted articles become the items' content, sanitized with absolute URLs, the
// feed's text staying the summary; failed pages leave the item as the feed gave it, the source
// healthy, a counter and a note; pages are fetched once (Redis page cache), outputs stay valid.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  feedparse,
  feedRuleErrors,
  jsonFeedErrors,
  xmllint,
} from '../../src/publish/test-support.ts';
import { pollAll, startFeedServer, startService, testConfig } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import { previewFeed } from '../../src/runtime/preview.ts';

const AR_PARAS = Array.from(
  { length: 8 },
  (_, i) =>
    `<p>الفقرة ${i + 1}: قالت مصادر محلية في مدينة حلب إن الأسواق شهدت حركة نشطة خلال الأيام الماضية، مع عودة عدد من العائلات إلى أحيائها بعد سنوات من النزوح، وسط مطالب بتحسين الخدمات الأساسية.</p>`,
);
const AR_PAGE = `<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>عودة الحركة إلى أسواق حلب</title></head><body>
<div class="cookie-banner" id="cookie-consent">نستخدم ملفات تعريف الارتباط لتحسين تجربتك <button>موافق</button></div>
<header><nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/politics">سياسة</a></li><li><a href="/economy">اقتصاد</a></li></ul></nav></header>
<main>
<article>
<h1>عودة الحركة إلى أسواق حلب</h1>
<figure><img src="/img/aleppo.jpg" alt="سوق في حلب"><figcaption>سوق المدينة</figcaption></figure>
${AR_PARAS.join('\n')}
<p>وللمزيد اقرأ <a href="/archives/99">تقريرنا السابق</a>.</p>
</article>
<div class="share-buttons social"><a href="https://facebook.com/sharer">شارك على فيسبوك</a> <a href="https://twitter.com/intent">غرّد</a></div>
<aside class="related-posts"><h3>مقالات ذات صلة</h3><ul><li><a href="/r/1">خبر متعلق أول</a></li><li><a href="/r/2">خبر متعلق ثان</a></li></ul></aside>
<section id="comments" class="comments"><h3>التعليقات</h3><div class="comment">تعليق القارئ الأول على الخبر</div></section>
</main>
<footer>جميع الحقوق محفوظة</footer>
<script>trackReader()</script>
</body></html>`;

const EN_TEXT =
  'The city council voted on Tuesday to extend the river walk by two miles, after a year of public hearings. ';
const POST_BODY_PAGE = `<!doctype html><html><head><title>River walk</title></head><body>
<div class="menu"><a href="/">Home</a> | <a href="/news">News</a></div>
<div class="post-body">${Array.from({ length: 8 }, (_, i) => `<p>${EN_TEXT}Paragraph ${i + 1} adds detail on costs, timing and the routes chosen.</p>`).join('')}<img src="images/walk.png"></div>
<div class="sidebar">Popular: <a href="/p/1">Something else</a></div>
</body></html>`;

const BIG_PAGE = `<html><body><article>${'<p>padding text for a page that is far too large. </p>'.repeat(6000)}</article></body></html>`;

const TEASER = 'مقتطف قصير من الخبر';
const item = (guid: string, link: string, description: string, content?: string) =>
  `<item><guid isPermaLink="false">${guid}</guid><title>${guid} title</title><link>${link}</link><pubDate>Mon, 30 Nov 2026 10:00:00 GMT</pubDate><description>${description}</description>${content ? `<content:encoded><![CDATA[${content}]]></content:encoded>` : ''}</item>`;
const feed = (items: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title><link>https://t.example/</link><description>d</description>${items.join('')}</channel></rss>`;

describe('full text through the running service', () => {
  let web: FeedServer;
  let run: Running;
  let base: string;
  const count = (path: string) => web.requests.filter((r) => r.path === path).length;

  beforeAll(async () => {
    web = await startFeedServer();
    const u = web.url;
    const longContent = `<p>${EN_TEXT.repeat(8)}</p>`;
    web.routes.set('/teasers.rss', {
      body: feed([
        item('ar', `${u}/ar/1.html?utm_source=rss`, TEASER),
        item('pb', `${u}/post/2.html`, 'Council extends the river walk.'),
        item('gone', `${u}/gone.html`, 'A teaser whose page is gone.'),
        item('pdf', `${u}/file.pdf`, 'A teaser linking a PDF.'),
        item('big', `${u}/big.html`, 'A teaser linking a huge page.'),
        item('full', `${u}/full.html`, 'Summary.', longContent),
      ]),
    });
    web.routes.set('/other.rss', {
      body: feed([item('ar-copy', `${u}/ar/1.html`, TEASER)]),
    });
    web.routes.set('/never.rss', {
      body: feed([item('nv', `${u}/never.html`, 'A teaser never expanded.')]),
    });
    const html = 'text/html; charset=utf-8';
    web.routes.set('/ar/1.html', { type: html, body: AR_PAGE });
    web.routes.set('/post/2.html', { type: html, body: POST_BODY_PAGE });
    web.routes.set('/file.pdf', { type: 'application/pdf', body: '%PDF-1.4 not a page' });
    web.routes.set('/big.html', { type: html, body: BIG_PAGE });
    web.routes.set('/full.html', { type: html, body: POST_BODY_PAGE });
    web.routes.set('/never.html', { type: html, body: POST_BODY_PAGE });
    expect(Buffer.byteLength(BIG_PAGE)).toBeGreaterThan(200 * 1024);

    run = await startService(
      testConfig(
        `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s, maxBytes: 200KB }
retention: { maxAge: 3650d }
sources:
  - { id: teasers, url: "\${BASE}/teasers.rss" }
  - { id: other, url: "\${BASE}/other.rss" }
  - { id: never, url: "\${BASE}/never.rss", fullText: never }
sections:
  - { id: all, title: All, limit: 200 }
`,
        {},
        { BASE: web.url },
      ),
    );
    base = run.server!.url;
    await pollAll(run, ['teasers']);
    await pollAll(run, ['other', 'never']);
  }, 60_000);

  afterAll(async () => {
    await run?.stop();
    await web?.close();
  });

  interface Item {
    id: string;
    title: string;
    url: string;
    content_html?: string;
    summary?: string;
  }
  const items = async () => {
    const r = await fetch(`${base}/feeds/all.json`);
    return ((await r.json()) as { items: Item[] }).items;
  };
  const byTitle = async (t: string) => (await items()).find((i) => i.title === `${t} title`)!;

  it('an Arabic page: the article becomes the content, nav/share/related/cookie/comments left out', async () => {
    // Both sources carried the link: one article (its title is the latest poll's).
    const a = (await items()).find((i) => i.url === `${web.url}/ar/1.html`)!;
    const c = a.content_html!;
    for (const p of AR_PARAS) expect(c).toContain(p.replace(/<\/?p>/g, '').slice(0, 60));
    expect(c).toContain('dir="rtl"');
    for (const junk of [
      'ملفات تعريف الارتباط',
      'الرئيسية',
      'شارك على فيسبوك',
      'مقالات ذات صلة',
      'تعليق القارئ',
      'جميع الحقوق',
      'trackReader',
    ])
      expect(c, junk).not.toContain(junk);
    // Our sanitizer and absolutizer ran on it: absolute URLs against the page, no scripts.
    expect(c).toContain(`src="${web.url}/img/aleppo.jpg"`);
    expect(c).toContain(`href="${web.url}/archives/99"`);
    expect(c).not.toContain('<script');
    // The feed's own text stays the summary.
    expect(a.summary).toBe(TEASER);
  });

  it('a page whose text sits in <div class="post-body">', async () => {
    const a = await byTitle('pb');
    expect(a.content_html).toContain('Paragraph 8 adds detail');
    expect(a.content_html).toContain(`${web.url}/post/images/walk.png`);
    expect(a.content_html).not.toContain('Popular:');
    expect(a.summary).toBe('Council extends the river walk.');
  });

  it('404, not HTML and over maxBytes leave the item as the feed gave it; the source stays healthy, noted and counted', async () => {
    for (const [t, text] of [
      ['gone', 'A teaser whose page is gone.'],
      ['pdf', 'A teaser linking a PDF.'],
      ['big', 'A teaser linking a huge page.'],
    ]) {
      const a = await byTitle(t!);
      expect(a.content_html).toContain(text);
      expect(a.content_html).not.toContain('padding text');
    }
    const r = await fetch(`${base}/api/sources`);
    const { sources } = (await r.json()) as {
      sources: {
        id: string;
        status: string;
        lastError: string | null;
        fullTextFailures: string[];
      }[];
    };
    const s = sources.find((x) => x.id === 'teasers')!;
    expect(s.status).toBe('ok');
    expect(s.lastError).toBeNull();
    expect(s.fullTextFailures.sort()).toEqual(
      [
        `http-404 ${web.url}/gone.html`,
        `not-html ${web.url}/file.pdf`,
        `too-large ${web.url}/big.html`,
      ].sort(),
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/tributary_fulltext_pages_total\{outcome="extracted",reason=""\} 2\b/);
    for (const reason of ['http-404', 'not-html', 'too-large'])
      expect(metrics).toContain(
        `tributary_fulltext_pages_total{outcome="failed",reason="${reason}"} 1`,
      );
  });

  it('items with content of their own and fullText: never sources fetch no page', async () => {
    expect(count('/full.html')).toBe(0);
    expect(count('/never.html')).toBe(0);
    expect((await byTitle('full')).content_html).toContain(EN_TEXT.trim());
    expect((await byTitle('nv')).content_html).toContain('A teaser never expanded.');
  });

  it('pages are fetched once: re-polls and another source linking the same page use the cache', async () => {
    expect(count('/ar/1.html')).toBe(1);
    expect(count('/post/2.html')).toBe(1);
    await pollAll(run, ['teasers', 'other']);
    expect(count('/ar/1.html')).toBe(1);
    expect(count('/post/2.html')).toBe(1);
    // A failed page is not retried on every poll either.
    expect(count('/gone.html')).toBe(1);
  });

  it('outputs with extracted full text stay valid (xmllint, feedparser, JSON Feed schema)', async () => {
    const rss = await (await fetch(`${base}/feeds/all.rss`)).text();
    const atom = await (await fetch(`${base}/feeds/all.atom`)).text();
    const json = JSON.parse(await (await fetch(`${base}/feeds/all.json`)).text()) as object;
    for (const xml of [rss, atom]) {
      expect(xmllint(xml).errors).toBe('');
      expect(feedparse(xml).bozo).toBe(0);
      expect(feedRuleErrors(xml)).toEqual([]);
    }
    expect(jsonFeedErrors(JSON.stringify(json))).toEqual([]);
  });

  it('preview --full-text shows the extraction for one feed', async () => {
    const seen: { extracted: number; failures: string[] }[] = [];
    const articles = await previewFeed(run.config, `${web.url}/teasers.rss`, new Date(), {
      fullText: true,
      onFullText: (r) => seen.push(r),
    });
    expect(seen[0]!.extracted).toBe(2);
    expect(seen[0]!.failures).toHaveLength(3);
    const ar = articles.find((a) => a.url === `${web.url}/ar/1.html`)!;
    expect(ar.contentHtml).toContain('الفقرة 8');
    const dir = mkdtempSync(join(tmpdir(), 'tributary-ft-'));
    const cfg = join(dir, 'config.yaml');
    writeFileSync(cfg, 'fetch: { allowPrivateNetworks: true, maxBytes: 200KB }\n');
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = spawn(process.execPath, [
          join(import.meta.dirname, '..', '..', 'bin', 'tributary.mjs'),
          'preview',
          `${web.url}/teasers.rss`,
          '--config',
          cfg,
          '--full-text',
          '--json',
        ]);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain('full text: 2 page(s) extracted');
    expect(out.stderr).toContain(`full text: kept the feed's text (http-404 ${web.url}/gone.html)`);
    const printed = JSON.parse(out.stdout) as { title: string; contentHtml: string }[];
    expect(printed.find((a) => a.title === 'pb title')!.contentHtml).toContain('Paragraph 8');
  });
});
