// Saving rules from the desk in a real browser (Debian's chromium, playwright-core) against the
// running service: an editor edits a section's exclude rule, previews it, saves it and sees the
// background retag's outcome and the section's JSON Feed change; on /desk/tags an Arabic keyword
// is previewed (hamza forms, a clitic) and saved. No console errors, nothing leaves our origin.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { testConfig, startService, pollAll, startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-rules-token-0123456789';

const CONFIG = `
site: { title: Tributary, baseUrl: "http://tributary.test" }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: world, url: "\${BASE}/en.rss", title: World desk, lang: en }
  - { id: enab, url: "\${BASE}/ar.rss", title: عنب بلدي, lang: ar }
tags:
  - { id: caucasus, label: القوقاز, keywords: [zzz-none] }
sections:
  - { id: world, title: World, lang: en, include: { langs: [en] } }
  - { id: caucasus, title: القوقاز, lang: ar, include: { tags: [caucasus] } }
`;

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
const enItems = [
  { guid: 'e1', title: 'Markets steady', link: 'https://news.example/1', date: hoursAgo(2) },
  { guid: 'e2', title: 'Rain in London', link: 'https://news.example/2', date: hoursAgo(3) },
];
const arItems = [
  {
    guid: 'a1',
    title: 'المقاتلون السوريون في أذربيجان',
    link: 'https://www.enabbaladi.net/archives/1',
    date: hoursAgo(1),
  },
  {
    guid: 'a2',
    title: 'ارتفاع أسعار الخبز في دمشق',
    link: 'https://www.enabbaladi.net/archives/2',
    date: hoursAgo(3),
  },
];

describe('saving rules from the desk in chromium', () => {
  let feeds: FeedServer;
  let run: Running;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/en.rss', { body: rssFeed('World desk', enItems) });
    feeds.routes.set('/ar.rss', { body: rssFeed('عنب بلدي', arItems, 'ar') });
    run = await startService(testConfig(CONFIG, { adminToken: TOKEN }, { BASE: feeds.url }));
    base = run.server!.url;
    await pollAll(run, ['world', 'enab']);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await run?.stop();
    await feeds?.close();
  });

  const feedTitles = async (page: Page, section: string) => {
    const res = await page.request.get(`${base}/feeds/${section}.json`);
    return ((await res.json()) as { items: { title: string }[] }).items.map((i) => i.title).sort();
  };

  it('edits, previews and saves a section rule, then an Arabic tag keyword', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(`${base}/`)) foreign.push(r.url());
    });

    await page.goto(`${base}/desk`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/desk`);

    // The section's rule: exclude "market"; the preview says what would leave.
    await page.goto(`${base}/desk/sections/world`);
    expect(await page.locator('.rules-origin').innerText()).toContain('config file');
    await page.locator('[id="f-exclude.keywords"]').fill('market');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect
      .poll(() => page.locator('.preview-leaving li').allInnerTexts())
      .toEqual(['Markets steady']);
    expect(await feedTitles(page, 'world')).toEqual(['Markets steady', 'Rain in London']);

    // Save: 303 back to the section, the retag runs in the background, the feed follows.
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.waitForURL(/\/desk\/sections\/world\?done=rulesSaved/);
    expect(await page.locator('.flash').innerText()).toContain('Rules saved');
    await expect
      .poll(
        async () => {
          await page.goto(`${base}/desk/sections/world`);
          return page.locator('.retag').innerText();
        },
        { timeout: 20_000 },
      )
      .toContain('0 entered, 1 left');
    expect(await page.locator('[id="f-exclude.keywords"]').inputValue()).toBe('market');
    expect(await page.locator('.rules-origin').innerText()).toContain('saved from the desk');
    await expect
      .poll(() => feedTitles(page, 'world'), { timeout: 5_000 })
      .toEqual(['Rain in London']);

    // A bad rule comes back at its field with what was typed; nothing is saved.
    await page.locator('[id="f-include.tags"]').fill('nope');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await expect
      .poll(() => page.locator('.field.invalid .field-error').innerText())
      .toContain('unknown tag "nope"');
    expect(await page.locator('[id="f-include.tags"]').inputValue()).toBe('nope');

    // Tags: an Arabic keyword without hamza matches أذربيجان; preview, then save.
    await page.getByRole('link', { name: 'Tags' }).click();
    await page.waitForURL(`${base}/desk/tags`);
    const card = page.locator('#tag-caucasus');
    await card.getByLabel(/Keywords/).fill('اذربيجان');
    await card.getByRole('button', { name: 'Preview matches' }).click();
    const match = page.locator('#tag-caucasus .preview-matches li');
    await expect.poll(() => match.allInnerTexts()).toEqual(['المقاتلون السوريون في أذربيجان']);
    expect(await match.first().getAttribute('dir')).toBe('auto');
    expect(await feedTitles(page, 'caucasus')).toEqual([]);
    await page.locator('#tag-caucasus').getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/desk\/tags\?done=keywordsSaved/);
    await expect
      .poll(() => feedTitles(page, 'caucasus'), { timeout: 20_000 })
      .toEqual(['المقاتلون السوريون في أذربيجان']);
    await page.goto(`${base}/desk/tags`);
    expect(await page.locator('#tag-caucasus .retag').innerText()).toContain('1 tagged');

    expect(problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
    expect(foreign).toEqual([]);
    await ctx.close();
  }, 120_000);
});
