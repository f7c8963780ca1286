// The desk in a real browser: Debian's chromium driven by playwright-core against the running
// service (Redis, queue, worker) and a loopback feed server. An editor logs in, adds a source and
// sees its items, pauses/resumes/refreshes/deletes it, pins and hides stories and sees the
// section's JSON Feed change, is refused a POST without a CSRF token, and logs out — with no
// console errors and no request leaving our origin. The same actions work with JavaScript off.
// Screenshots are always taken; TRIBUTARY_SCREENSHOTS=1 writes them to docs/ for the README.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testConfig, startService, pollAll, startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';

declare const window: { htmx?: unknown; innerWidth: number };
declare const document: { documentElement: { scrollWidth: number } };

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-desk-token-0123456789';
const DOCS = join(import.meta.dirname, '../../docs');

const CONFIG = `
site: { title: Tributary, baseUrl: "http://tributary.test" }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: world, url: "\${BASE}/en.rss", title: World desk, lang: en }
  - { id: broken, url: "\${BASE}/broken.rss", title: Broken feed }
tags:
  - { id: economy, label: اقتصاد, keywords: [zzz-no-match] }
sections:
  - { id: arabic, title: أخبار سوريا, lang: ar, include: { langs: [ar] } }
  - { id: world, title: World, lang: en, include: { langs: [en] } }
`;

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
const arItems = [
  {
    guid: 'a1',
    title: 'المقاتلون السوريون في أذربيجان محور اتصالات روسية- تركية',
    link: 'https://www.enabbaladi.net/archives/1',
    date: hoursAgo(1),
  },
  {
    guid: 'a2',
    title: 'ارتفاع أسعار الخبز في دمشق وريفها',
    link: 'https://www.enabbaladi.net/archives/2',
    date: hoursAgo(3),
  },
  {
    guid: 'a3',
    title: 'افتتاح مدرسة جديدة في حلب',
    link: 'https://www.enabbaladi.net/archives/3',
    date: hoursAgo(5),
  },
];
const enItems = [
  { guid: 'e1', title: 'Markets steady', link: 'https://news.example/1', date: hoursAgo(2) },
];

interface JsonFeed {
  items: { id: string; title: string }[];
}

// No skip: without chromium these tests fail (.ci/run installs Debian's chromium).
describe('the desk in chromium', () => {
  it(`finds chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`, () => {
    expect(existsSync(CHROMIUM)).toBe(true);
  });

  let feeds: FeedServer;
  let run: Running;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/ar.rss', { body: rssFeed('عنب بلدي', arItems, 'ar') });
    feeds.routes.set('/en.rss', { body: rssFeed('World desk', enItems) });
    feeds.routes.set('/broken.rss', { type: 'text/html', body: '<!doctype html><title>x</title>' });
    run = await startService(testConfig(CONFIG, { adminToken: TOKEN }, { BASE: feeds.url }));
    base = run.server!.url;
    await pollAll(run, ['world', 'broken']);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await run?.stop();
    await feeds?.close();
  });

  /** A fresh browser context (own cookies) and page, recording every problem. */
  async function session(opts: {
    width: number;
    height?: number;
    javaScript?: boolean;
    locale?: string;
  }): Promise<{
    ctx: BrowserContext;
    page: Page;
    problems: string[];
    foreign: string[];
    boosted: string[];
  }> {
    const ctx = await browser.newContext({
      viewport: { width: opts.width, height: opts.height ?? 900 },
      javaScriptEnabled: opts.javaScript ?? true,
      locale: opts.locale ?? 'en-US',
    });
    const page = await ctx.newPage();
    const problems: string[] = [];
    const foreign: string[] = [];
    const boosted: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(`${base}/`)) foreign.push(r.url());
      if (r.headers()['hx-request'] === 'true')
        boosted.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    return { ctx, page, problems, foreign, boosted };
  }

  async function logIn(page: Page) {
    await page.goto(`${base}/desk`);
    expect(new URL(page.url()).pathname).toBe('/desk/login');
    await page.getByLabel(/Admin token|رمز الإدارة/).fill(TOKEN);
    await page.getByRole('button', { name: /Log in|دخول/ }).click();
    await page.waitForURL(`${base}/desk`);
  }

  // Feeds follow a change once the section's new version reaches the server (pub/sub), so the
  // checks on them poll for a few seconds.
  const feedIds = async (page: Page, section: string) => {
    const res = await page.request.get(`${base}/feeds/${section}.json`);
    expect(res.status()).toBe(200);
    return ((await res.json()) as JsonFeed).items.map((i) => i.title);
  };

  const row = (page: Page, title: string) => page.locator('tbody tr', { hasText: title });

  it('an editor runs a source and a section from the browser (htmx on)', async () => {
    const { ctx, page, problems, foreign, boosted } = await session({ width: 1280 });

    // A wrong token: 401 with the form again and the message as an alert.
    await page.goto(`${base}/desk/login`);
    await page.getByLabel('Admin token').fill('wrong');
    const [bad] = await Promise.all([
      page.waitForResponse(
        (r) => r.url() === `${base}/desk/login` && r.request().method() === 'POST',
      ),
      page.getByRole('button', { name: 'Log in' }).click(),
    ]);
    expect(bad.status()).toBe(401);
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Wrong token');
    // The 401 document itself is what chromium reports; it is expected here.
    problems.splice(0, problems.length, ...problems.filter((p) => !/status of 401/.test(p)));

    await logIn(page);
    expect(await page.evaluate(() => typeof window.htmx)).toBe('object');
    // Health in words, broken first.
    const statuses = await page
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(statuses[0]).toBe('error');
    expect(await row(page, 'Broken feed').locator('.status').innerText()).toBe('error');
    expect(await row(page, 'World desk').locator('.status').innerText()).toBe('ok');
    expect(await row(page, 'World desk').locator('td.next-poll').innerText()).toMatch(/^\w{3} \d/);
    expect(await page.locator('#section-arabic').getAttribute('dir')).toBe('auto');

    // Add a source: its URL, id and section; the title comes from the feed.
    await page.getByLabel('Feed or site URL').fill(`${feeds.url}/ar.rss`);
    await page.locator('#add-source #f-id').fill('enab');
    await page.locator('#add-source #f-section').selectOption('arabic');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Source added.');
    const ar = row(page, 'عنب بلدي');
    expect(await ar.count()).toBe(1);
    expect(await ar.locator('.title').getAttribute('dir')).toBe('auto');
    expect(await ar.locator('.status').innerText()).toBe('new');

    // Refresh now: the worker polls it; its items reach the section.
    await ar.getByRole('button', { name: 'Refresh now' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Refresh queued.');
    await expect
      .poll(async () => (await feedIds(page, 'arabic')).length, { timeout: 15_000 })
      .toBe(3);
    await expect
      .poll(async () => {
        await page.goto(`${base}/desk`);
        return row(page, 'عنب بلدي').locator('.status').innerText();
      })
      .toBe('ok');

    // Pause and resume.
    await row(page, 'عنب بلدي').getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Source paused.');
    expect(await row(page, 'عنب بلدي').locator('.status').innerText()).toBe('paused');
    await row(page, 'عنب بلدي').getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Source resumed.');
    expect(await row(page, 'عنب بلدي').locator('.status').innerText()).toBe('ok');

    // The section as readers see it: pin the oldest, it leads the feed; hide the newest, it leaves.
    await page.getByRole('link', { name: 'أخبار سوريا' }).click();
    await page.waitForURL(`${base}/desk/sections/arabic`);
    const items = page.locator('ol.items:not(.hidden-items) > li');
    expect(await items.count()).toBe(3);
    expect(await items.first().locator('a.title').getAttribute('dir')).toBe('auto');
    await expect.poll(() => feedIds(page, 'arabic')).toEqual(arItems.map((i) => i.title));

    const oldest = page.locator('li', { hasText: arItems[2]!.title });
    await oldest.getByLabel('Pin for').selectOption('24h'); // a timed pin
    await oldest.getByRole('button', { name: 'Pin', exact: true }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Pinned.');
    expect(
      await page.locator('li', { hasText: arItems[2]!.title }).locator('.badge').innerText(),
    ).toMatch(/^pinned until /);
    const pins = await run.store.curation.pins('arabic');
    expect(pins).toHaveLength(1);
    expect(Math.abs(pins[0]!.until! - Date.now() - 24 * 3600_000)).toBeLessThan(60_000);
    await expect
      .poll(() => feedIds(page, 'arabic'))
      .toEqual([arItems[2]!.title, arItems[0]!.title, arItems[1]!.title]);
    expect(await items.first().innerText()).toContain(arItems[2]!.title);

    const newest = page.locator('ol.items:not(.hidden-items) > li', {
      hasText: arItems[0]!.title,
    });
    await newest.getByRole('button', { name: 'Hide', exact: true }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Hidden.');
    await expect
      .poll(() => feedIds(page, 'arabic'))
      .toEqual([arItems[2]!.title, arItems[1]!.title]);
    expect(await page.locator('ol.hidden-items > li').innerText()).toContain(arItems[0]!.title);

    await page
      .locator('ol.hidden-items > li', { hasText: arItems[0]!.title })
      .getByRole('button', { name: 'Unhide', exact: true })
      .click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Unhidden.');
    await expect.poll(() => feedIds(page, 'arabic')).toHaveLength(3);
    await page
      .locator('li', { hasText: arItems[2]!.title })
      .getByRole('button', { name: 'Unpin' })
      .click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Unpinned.');
    await expect.poll(() => feedIds(page, 'arabic')).toEqual(arItems.map((i) => i.title));

    // A manual tag reaches the feed at once, and comes off again.
    const bread = () =>
      page.locator('ol.items:not(.hidden-items) > li', { hasText: arItems[1]!.title });
    const tagsOf = async (title: string) => {
      const res = await page.request.get(`${base}/feeds/arabic.json`);
      const feed = (await res.json()) as { items: { title: string; tags?: string[] }[] };
      return feed.items.find((i) => i.title === title)?.tags ?? [];
    };
    await bread().getByLabel('Tag').selectOption('economy');
    await bread().getByRole('button', { name: 'Add tag' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Tags changed.');
    await expect.poll(() => tagsOf(arItems[1]!.title)).toContain('economy');
    expect(await bread().locator('.tags-form .tag').innerText()).toBe('اقتصاد');
    await bread().getByRole('button', { name: 'Remove tag' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Tags changed.');
    await expect.poll(() => tagsOf(arItems[1]!.title)).not.toContain('economy');

    // Hide everywhere: gone from the feed until unhidden everywhere.
    await page
      .locator('li', { hasText: arItems[1]!.title })
      .getByRole('button', { name: 'Hide everywhere' })
      .click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Hidden.');
    await expect.poll(() => feedIds(page, 'arabic')).not.toContain(arItems[1]!.title);
    await page.getByRole('button', { name: 'Unhide everywhere' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Unhidden.');
    await expect.poll(() => feedIds(page, 'arabic')).toContain(arItems[1]!.title);

    // Rule preview: what would enter and leave with other rules; nothing changes.
    const before = await feedIds(page, 'arabic');
    await page.getByLabel(/^Include: languages/).fill('ar, en');
    await page.getByLabel(/^Exclude: keywords/).fill('الخبز');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect
      .poll(() => page.locator('#rule-preview [role="status"]').innerText())
      .toContain('stored articles checked');
    expect(await page.locator('.preview-entering li').allInnerTexts()).toEqual(['Markets steady']);
    expect(await page.locator('.preview-leaving li').allInnerTexts()).toEqual([arItems[1]!.title]);
    expect(await page.getByLabel(/^Exclude: keywords/).inputValue()).toBe('الخبز');
    await expect.poll(() => feedIds(page, 'arabic')).toEqual(before);

    // CSRF: a POST from this session without the token is refused and changes nothing.
    const forged = await page.request.post(`${base}/desk/sources/world/pause`, {
      form: { nothing: 'here' },
    });
    expect(forged.status()).toBe(403);
    expect((await run.store.curation.pausedSources()).has('world')).toBe(false);

    // Delete asks first and says the articles stay until retention.
    await page.goto(`${base}/desk`);
    await row(page, 'عنب بلدي').getByRole('link', { name: 'Delete' }).click();
    await page.waitForURL(/\/desk\/sources\/[^/]+\/delete$/);
    expect(await page.locator('main').innerText()).toContain(
      'stay in the sections until retention',
    );
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Source deleted.');
    expect(await row(page, 'عنب بلدي').count()).toBe(0);
    await expect.poll(() => feedIds(page, 'arabic')).toHaveLength(3); // until retention

    // Log out: the desk asks for the login again.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${base}/desk/login`);
    await page.goto(`${base}/desk`);
    expect(new URL(page.url()).pathname).toBe('/desk/login');

    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    // htmx carried the actions (no full page loads), through the same POST routes.
    expect(boosted).toContain('POST /desk/sources');
    expect(boosted.filter((b) => b.startsWith('POST /desk/sections/arabic/')).length).toBe(9);
    await ctx.close();
  }, 90_000);

  it('works without JavaScript: post, redirect, get', async () => {
    const { ctx, page, problems, foreign, boosted } = await session({
      width: 1280,
      javaScript: false,
    });
    await logIn(page);
    await row(page, 'World desk').getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(`${base}/desk?done=paused`);
    expect(await row(page, 'World desk').locator('.status').innerText()).toBe('paused');
    expect((await run.store.curation.pausedSources()).has('world')).toBe(true);
    await row(page, 'World desk').getByRole('button', { name: 'Resume' }).click();
    await page.waitForURL(`${base}/desk?done=resumed`);
    expect((await run.store.curation.pausedSources()).has('world')).toBe(false);
    // A bad URL comes back with the error at the field and what was typed.
    await page.getByLabel('Feed or site URL').fill('http://127.0.0.1:1/nothing-here.rss');
    await page.getByLabel('Title (optional: the feed’s own)').fill('Kept title');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.waitForLoadState();
    expect(await page.locator('#f-title').inputValue()).toBe('Kept title');
    expect(await page.locator('.field.invalid #f-url').count()).toBe(1);
    expect(problems.filter((p) => !/status of 502|status of 400|status of 422/.test(p))).toEqual(
      [],
    );
    expect(foreign).toEqual([]);
    expect(boosted).toEqual([]);
    await ctx.close();
  }, 60_000);

  const shots = process.env.TRIBUTARY_SCREENSHOTS === '1';
  const shoot = async (page: Page, file: string) => {
    const png = await page.screenshot(shots ? { path: join(DOCS, file) } : {});
    expect(png.length).toBeGreaterThan(1000);
  };
  for (const vp of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ] as const) {
    it(`reads at ${vp.name} width in Arabic: rtl, nothing overflows; screenshots`, async () => {
      // An Arabic source in the table (the first test deleted its own), through the admin API.
      const added = await fetch(`${base}/admin/api/sources`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: 'enab', url: `${feeds.url}/ar.rss`, sections: ['arabic'] }),
      });
      expect([201, 409]).toContain(added.status);
      const { ctx, page, problems, foreign } = await session({ ...vp, locale: 'ar' });
      await logIn(page);
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      expect(await page.locator('html').getAttribute('lang')).toBe('ar');
      const overflow = () =>
        page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(await overflow()).toBeLessThanOrEqual(0);
      if (shots) mkdirSync(DOCS, { recursive: true });
      await shoot(page, `desk-sources-ar-${vp.name}.png`);
      await page.goto(`${base}/desk/sections/arabic`);
      expect(await page.locator('ol.items > li').count()).toBeGreaterThan(0);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shoot(page, `desk-section-ar-${vp.name}.png`);
      if (vp.name === 'desktop') {
        await page.goto(`${base}/desk?lang=en`);
        expect(await page.locator('html').getAttribute('dir')).toBe('ltr');
        await shoot(page, `desk-sources-en-${vp.name}.png`);
      }
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
      await ctx.close();
    }, 60_000);
  }
});
