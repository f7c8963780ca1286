// The HTML pages (index, status) in a real browser: Debian's chromium driven by playwright-core
// against the running service with Arabic and English fixture feeds. Asserts RTL layout for the
// Arabic section, links pointing at our feeds, no console errors, at phone and desktop widths.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { testConfig, startService, pollAll, startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';

// Browser globals used inside evaluate() callbacks, which run in the page (the project's tsconfig
// has no DOM lib).
interface Rect {
  left: number;
  right: number;
}
declare const document: {
  documentElement: { scrollWidth: number };
  createRange(): { selectNodeContents(n: unknown): void; getBoundingClientRect(): Rect };
};
declare const window: { innerWidth: number };
declare function getComputedStyle(el: unknown): { direction: string; textAlign: string };

const CHROMIUM = '/usr/bin/chromium';

const CONFIG = `
site: { title: Tributary, baseUrl: "\${SELF}" }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: enab, url: "\${BASE}/ar.rss", title: عنب بلدي, lang: ar }
  - { id: world, url: "\${BASE}/en.rss", title: World desk, lang: en }
  - { id: broken, url: "\${BASE}/broken.rss", title: Broken }
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
    content: '<p>تحدثت موسكو عن مناقشات مستمرة مع أنقرة.</p>',
  },
  {
    guid: 'a2',
    title: 'ارتفاع أسعار الخبز في دمشق وريفها',
    link: 'https://www.enabbaladi.net/archives/2',
    date: hoursAgo(3),
    content: '<p>شهدت أسواق دمشق ارتفاعًا جديدًا.</p>',
  },
];
const enItems = [
  {
    guid: 'e1',
    title:
      'Azerbaijan and Armenia trade accusations over Karabakh, a long headline that must wrap on a phone screen',
    link: 'https://news.example/1',
    date: hoursAgo(2),
  },
  { guid: 'e2', title: 'Markets steady', link: 'https://news.example/2', date: hoursAgo(5) },
];

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 900 },
] as const;

// No skip: without chromium these tests fail (.ci/run installs Debian's chromium).
describe('HTML pages in chromium', () => {
  it(`finds chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`, () => {
    expect(existsSync(CHROMIUM)).toBe(true);
  });

  let feeds: FeedServer;
  let run: Running;
  let base: string;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/ar.rss', { body: rssFeed('عنب بلدي', arItems, 'ar') });
    feeds.routes.set('/en.rss', { body: rssFeed('World desk', enItems) });
    feeds.routes.set('/broken.rss', { type: 'text/html', body: '<!doctype html><title>x</title>' });
    // The site's baseUrl must be the service itself so links resolve; the port is known only
    // after start, so links are checked by path against the configured placeholder host.
    run = await startService(
      testConfig(CONFIG, {}, { BASE: feeds.url, SELF: 'http://tributary.test' }),
    );
    base = run.server!.url;
    await pollAll(run, ['enab', 'world', 'broken']);
    profile = mkdtempSync(join(tmpdir(), 'tributary-chromium-'));
    // A fresh profile directory per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
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
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(
    path: string,
    viewport: { width: number; height: number },
  ): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    await page.setViewportSize(viewport);
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    // Links point at http://tributary.test; nothing should be fetched from there (no subresources).
    page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
    const res = await page.goto(`${base}${path}`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    return { page, problems };
  }

  for (const vp of VIEWPORTS) {
    it(`index page at ${vp.name} width: RTL Arabic section, LTR English one, feed links, no console errors`, async () => {
      const { page, problems } = await open('/', vp);
      const ar = page.locator('#section-arabic');
      const en = page.locator('#section-world');
      expect(await ar.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
      expect(await en.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
      expect(await ar.getAttribute('lang')).toBe('ar');

      // The Arabic heading sits at the right edge of its section, the English one at the left.
      const arBox = (await ar.boundingBox())!;
      const arH = await ar.locator('h2').evaluate((el) => {
        const r = document.createRange();
        r.selectNodeContents(el);
        const b = r.getBoundingClientRect();
        return { left: b.left, right: b.right, align: getComputedStyle(el).textAlign };
      });
      expect(arBox.x + arBox.width - arH.right).toBeLessThan(40); // near the right padding
      expect(arH.left - arBox.x).toBeGreaterThan(40);
      const enBox = (await en.boundingBox())!;
      const enH = await en.locator('h2').evaluate((el) => {
        const r = document.createRange();
        r.selectNodeContents(el);
        const b = r.getBoundingClientRect();
        return { left: b.left, right: b.right };
      });
      expect(enH.left - enBox.x).toBeLessThan(40);

      // Headlines in the Arabic list are right-aligned: their text ends at the list's right side.
      const firstAr = ar.locator('ol li a').first();
      expect(await firstAr.textContent()).toBe(arItems[0]!.title);
      const liBox = (await ar.locator('ol li').first().boundingBox())!;
      const aBox = (await firstAr.boundingBox())!;
      expect(liBox.x + liBox.width - (aBox.x + aBox.width)).toBeLessThan(8);

      // Subscribe links for every format and both digests, pointing at the section's feeds.
      for (const [id, sec] of [
        ['arabic', ar],
        ['world', en],
      ] as const) {
        const hrefs = await sec
          .locator('ul.subscribe a')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        expect(hrefs).toEqual([
          `http://tributary.test/feeds/${id}.rss`,
          `http://tributary.test/feeds/${id}.atom`,
          `http://tributary.test/feeds/${id}.json`,
          `http://tributary.test/feeds/${id}/digest.rss`,
          `http://tributary.test/feeds/${id}/digest.rss?period=weekly`,
        ]);
      }
      // And those paths answer on the service with feeds.
      for (const path of [
        '/feeds/arabic.rss',
        '/feeds/world.atom',
        '/feeds/arabic.json',
        '/feeds/arabic/digest.rss',
        '/feeds/world/digest.rss?period=weekly',
      ]) {
        const r = await page.request.get(`${base}${path}`);
        expect(r.status(), path).toBe(200);
        expect(r.headers()['content-type'], path).toMatch(
          /^application\/(rss\+xml|atom\+xml|feed\+json)/,
        );
      }
      expect(await page.locator('head link[rel="alternate"]').count()).toBe(2);

      // Nothing overflows the viewport horizontally (reads on a phone without sideways scrolling).
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      if (vp.name === 'phone') {
        // One column on a phone: the two sections are stacked.
        const b1 = (await ar.boundingBox())!;
        const b2 = (await en.boundingBox())!;
        expect(Math.abs(b1.x - b2.x)).toBeLessThan(2);
      }
      expect(problems).toEqual([]);
      await page.close();
    });

    it(`status page at ${vp.name} width: a row per source, errors shown, no console errors`, async () => {
      const { page, problems } = await open('/status', vp);
      const rows = page.locator('tbody tr');
      expect(await rows.count()).toBe(3);
      const text = await page.locator('tbody').innerText();
      expect(text).toContain('عنب بلدي');
      expect(text).toContain('World desk');
      expect(await page.locator('tbody .bad').count()).toBeGreaterThan(0); // the broken source
      const arName = page.locator('tbody a', { hasText: 'عنب بلدي' });
      expect(await arName.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
      expect(await arName.getAttribute('href')).toBe(`${feeds.url}/ar.rss`);
      // The table may scroll inside its box on a phone, but the page itself does not.
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      expect(problems).toEqual([]);
      await page.close();
    });
  }
});
