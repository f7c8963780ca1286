// The desk's sources table and add form in chromium (playwright-core) against the running
// service and loopback feeds: an editor sorts the table by its column headers and filters it
// (htmx swaps the table only; without JavaScript the same links load the page), previews a feed
// that answers only with its API key before adding it, adds it with that header and other
// per-source settings, refreshes it and sees its items in the section.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { testConfig, startService, pollAll, startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';

declare const document: {
  querySelector(s: string): { dataset: Record<string, string> } | null;
};

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-desk-sources-token-0123';
const KEY = 'k-browser-5d21e8';

const CONFIG = `
site: { title: Tributary, baseUrl: "http://tributary.test" }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: world, url: "\${BASE}/en.rss", title: World desk, lang: en }
  - { id: broken, url: "\${BASE}/broken.rss", title: Broken feed }
  - { id: atlas, url: "\${BASE}/atlas.rss", title: Atlas notes, lang: en }
sections:
  - { id: arabic, title: أخبار سوريا, lang: ar, include: { langs: [ar] } }
  - { id: world, title: World, lang: en, include: { sources: [world] } }
`;

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
const arItems = [
  {
    guid: 'k1',
    title: 'ارتفاع أسعار الخبز في دمشق وريفها',
    link: 'https://k.example/1',
    date: hoursAgo(1),
  },
  {
    guid: 'k2',
    title: 'افتتاح مدرسة جديدة في حلب',
    link: 'https://k.example/2',
    date: hoursAgo(2),
  },
  { guid: 'k3', title: 'إعلان: تخفيضات', link: 'https://k.example/3', date: hoursAgo(3) },
];

describe('the desk sources table and add form in chromium', () => {
  let feeds: FeedServer;
  let gated: Server;
  let gatedUrl: string;
  const keys: (string | undefined)[] = [];
  let run: Running;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/en.rss', {
      body: rssFeed('World desk', [
        { guid: 'e1', title: 'Markets steady', link: 'https://n.example/1', date: hoursAgo(2) },
        { guid: 'e2', title: 'Rain expected', link: 'https://n.example/2', date: hoursAgo(3) },
      ]),
    });
    feeds.routes.set('/atlas.rss', {
      body: rssFeed('Atlas', [
        { guid: 't1', title: 'Atlas one', link: 'https://t.example/1', date: hoursAgo(4) },
      ]),
    });
    feeds.routes.set('/broken.rss', { type: 'text/html', body: '<!doctype html><title>x</title>' });
    // A feed that answers only with its API key.
    gated = createServer((req, res) => {
      keys.push(req.headers['x-api-key'] as string | undefined);
      if (req.headers['x-api-key'] !== KEY) res.writeHead(401).end('key needed');
      else
        res
          .writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' })
          .end(rssFeed('عنب بلدي', arItems, 'ar'));
    });
    await new Promise<void>((r) => gated.listen(0, '127.0.0.1', () => r()));
    gatedUrl = `http://127.0.0.1:${(gated.address() as AddressInfo).port}/feed.rss`;
    run = await startService(testConfig(CONFIG, { adminToken: TOKEN }, { BASE: feeds.url }));
    base = run.server!.url;
    await pollAll(run, ['world', 'broken', 'atlas']);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await run?.stop();
    await feeds?.close();
    await new Promise<void>((r) => (gated ? gated.close(() => r()) : r()));
  });

  async function open(javaScript: boolean) {
    const ctx = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      javaScriptEnabled: javaScript,
    });
    const page = await ctx.newPage();
    const problems: string[] = [];
    const boosted: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      if (r.headers()['hx-request'] === 'true')
        boosted.push(`${r.method()} ${new URL(r.url()).pathname}${new URL(r.url()).search}`);
    });
    await page.goto(`${base}/desk/login`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/desk`);
    return { ctx, page, problems, boosted };
  }

  const titles = (page: Page) => page.locator('tbody tr .title').allInnerTexts();
  /** Marks the add form's element: still marked later means only the table was swapped. */
  const mark = (page: Page) =>
    page.evaluate(() => {
      document.querySelector('#add-source')!.dataset.mark = 'kept';
    });
  const marked = (page: Page) =>
    page.evaluate(() => document.querySelector('#add-source')?.dataset.mark ?? null);

  it('sorts and filters (htmx swaps the table only), previews a keyed feed, adds it with its settings, sees its items', async () => {
    const { ctx, page, problems, boosted } = await open(true);
    // Default order: broken first, then by title.
    expect(await titles(page)).toEqual(['Broken feed', 'Atlas notes', 'World desk']);
    expect(await page.locator('tbody tr').first().getAttribute('data-status')).toBe('error');

    // Sort by title, then the other way; the URL follows, the rest of the page stays.
    await mark(page);
    await page.getByRole('link', { name: 'Source', exact: true }).click();
    await page.waitForURL(`${base}/desk?sort=title&dir=asc`);
    await expect.poll(() => titles(page)).toEqual(['Atlas notes', 'Broken feed', 'World desk']);
    await page.getByRole('link', { name: /^Source/ }).click();
    await page.waitForURL(`${base}/desk?sort=title&dir=desc`);
    await expect.poll(() => titles(page)).toEqual(['World desk', 'Broken feed', 'Atlas notes']);
    expect(await page.locator('th[aria-sort="descending"]').innerText()).toContain('Source');
    // By article count, most first.
    await page.getByRole('link', { name: 'Articles', exact: true }).click();
    await page.waitForURL(/sort=articles&dir=asc/);
    await page.getByRole('link', { name: /^Articles/ }).click();
    await page.waitForURL(/sort=articles&dir=desc/);
    await expect.poll(() => titles(page)).toEqual(['World desk', 'Atlas notes', 'Broken feed']);
    expect(await marked(page)).toBe('kept');

    // Filter by text, health and section (the sort kept).
    await page.getByLabel('Search').fill('atlas');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/q=atlas/);
    await expect.poll(() => titles(page)).toEqual(['Atlas notes']);
    await page.getByLabel('Search').fill('');
    await page.locator('#f-state').selectOption('broken');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => titles(page)).toEqual(['Broken feed']);
    await page.locator('#f-state').selectOption('');
    await page.locator('#f-filter-section').selectOption('world');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => titles(page)).toEqual(['World desk']);
    expect(page.url()).toContain('section=world');
    expect(page.url()).toContain('sort=articles&dir=desc');
    expect(await marked(page)).toBe('kept');
    expect(boosted.filter((b) => b.startsWith('GET /desk?')).length).toBeGreaterThanOrEqual(7);

    // Preview the keyed feed with its header: the first items below the form, nothing stored.
    await page.goto(`${base}/desk`);
    await page.getByLabel('Feed or site URL').fill(gatedUrl);
    await page.locator('details.settings > summary').click();
    await page.getByLabel('Header name 1').fill('X-Api-Key');
    await page.getByLabel('Value 1').fill(KEY);
    await page.getByLabel(/^Leave out items/).fill('إعلان');
    await mark(page);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${base}/desk/sources/preview`),
      page.getByRole('button', { name: 'Preview', exact: true }).click(),
    ]);
    expect(await answer.text()).toMatch(/^<div id="source-preview"/); // the area, not the page
    const preview = page.locator('#source-preview .preview-items li');
    await expect.poll(() => preview.count()).toBe(3);
    expect(await preview.first().locator('a.title').innerText()).toBe(arItems[0]!.title);
    expect(await preview.first().locator('a.title').getAttribute('dir')).toBe('auto');
    expect(await preview.first().locator('a.title').getAttribute('lang')).toBe('ar');
    expect(await marked(page)).toBe('kept'); // the preview area only
    expect(boosted).toContain('POST /desk/sources/preview');
    expect(keys.at(-1)).toBe(KEY);
    expect(await run.store.sources.listRuntime()).toEqual([]);

    // Add it, with its sections and settings, as typed.
    await page.locator('#add-source #f-section').selectOption(['arabic', 'world']);
    await page.locator('#f-fullText').selectOption('never');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toBe('Source added.');
    const added = page.locator('tbody tr', { hasText: 'عنب بلدي' });
    expect(await added.locator('.title').getAttribute('dir')).toBe('auto');
    expect(await added.locator('.tag').allInnerTexts()).toEqual(['أخبار سوريا', 'World']);
    expect(await added.locator('.push-state').innerText()).toBe('no hub');
    const stored = (await run.store.sources.listRuntime())[0]!;
    expect(stored).toMatchObject({
      sections: ['arabic', 'world'],
      fetch: { headers: { 'X-Api-Key': KEY } },
      exclude: { keywords: ['إعلان'] },
      fullText: 'never',
    });

    // Refresh now: the worker polls it with the key; its items (but the excluded one) arrive.
    await added.getByRole('button', { name: 'Refresh now' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toBe('Refresh queued.');
    const feedTitles = async () => {
      const res = await page.request.get(`${base}/feeds/arabic.json`);
      return ((await res.json()) as { items: { title: string }[] }).items.map((i) => i.title);
    };
    await expect
      .poll(feedTitles, { timeout: 15_000 })
      .toEqual([arItems[0]!.title, arItems[1]!.title]);
    await page.goto(`${base}/desk/sections/arabic`);
    expect(await page.locator('ol.items > li a.title').allInnerTexts()).toEqual([
      arItems[0]!.title,
      arItems[1]!.title,
    ]);
    expect(keys.every((k) => k === KEY || k === undefined)).toBe(true);
    expect(keys.filter((k) => k === KEY).length).toBeGreaterThanOrEqual(3); // preview, add, poll

    // The edit form shows the header's name, never its value.
    await page.goto(`${base}/desk/sources/${stored.id}/edit`);
    expect(await page.getByLabel('Header name 1').inputValue()).toBe('X-Api-Key');
    expect(await page.getByLabel('Value 1').inputValue()).toBe('');
    expect(await page.getByLabel('Value 1').getAttribute('placeholder')).toBe(
      'unchanged (empty keeps it)',
    );
    expect(await page.content()).not.toContain(KEY);

    expect(problems).toEqual([]);
    await ctx.close();
  }, 90_000);

  it('without JavaScript: the sort links load the page, Preview answers with the form and the items', async () => {
    const { ctx, page, boosted } = await open(false);
    await page.getByRole('link', { name: 'Source', exact: true }).click();
    await page.waitForURL(`${base}/desk?sort=title&dir=asc`);
    expect((await titles(page)).slice(0, 2)).toEqual(['Atlas notes', 'Broken feed']);
    await page.locator('#f-filter-section').selectOption('world');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/section=world/);
    expect(page.url()).toContain('sort=title&dir=asc');

    await page.goto(`${base}/desk`);
    await page.getByLabel('Feed or site URL').fill(gatedUrl);
    await page.getByLabel('Title (optional: the feed’s own)').fill('مكتوب');
    await page.locator('details.settings > summary').click();
    await page.getByLabel('Header name 1').fill('X-Api-Key');
    await page.getByLabel('Value 1').fill(KEY);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.waitForURL(`${base}/desk/sources/preview`);
    expect(await page.locator('#source-preview .preview-items li').count()).toBe(3);
    expect(await page.getByLabel('Title (optional: the feed’s own)').inputValue()).toBe('مكتوب');
    expect(await page.getByLabel('Feed or site URL').inputValue()).toBe(gatedUrl);
    expect(boosted).toEqual([]);
    await ctx.close();
  }, 60_000);
});
