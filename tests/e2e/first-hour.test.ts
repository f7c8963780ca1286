// Issue 18, from the user's side: what a newcomer sees in the first hour. The service runs as the
// helpers start it (real Redis, BullMQ workers, HTTP server), feeds come from loopback servers.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  testConfig,
  startService,
  pollAll,
  pollsSettled,
  startFeedServer,
  rssFeed,
} from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const recent = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

describe('source health tells the truth (issue 18 point 5)', () => {
  let feeds: FeedServer;
  let run: Running;
  let base: string;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/ok.rss', {
      body: rssFeed('OK', [
        { guid: 'a', title: 'Fresh news', link: 'https://ok.example/a', date: recent(1) },
      ]),
    });
    feeds.routes.set('/page.html', {
      type: 'text/html; charset=utf-8',
      body: '<!doctype html><html><head><title>A page</title></head><body>hi</body></html>',
    });
    feeds.routes.set('/flaky.rss', { status: 500, body: 'oops' });
    const config = testConfig(
      `
site: { title: Health }
fetch: { allowPrivateNetworks: true, timeout: 5s, unhealthyAfter: 4 }
sources:
  - { id: ok, url: "${feeds.url}/ok.rss" }
  - { id: missing, url: "${feeds.url}/missing.rss" }
  - { id: page, url: "${feeds.url}/page.html" }
  - { id: flaky, url: "${feeds.url}/flaky.rss" }
sections:
  - { id: all, title: All, lang: en }
`,
    );
    run = await startService(config);
    base = run.server!.url;
  });
  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  it('a 404 and an HTML page are unhealthy at once; a 500 only after fetch.unhealthyAfter tries', async () => {
    await pollAll(run, ['ok', 'missing', 'page', 'flaky']);
    // The start-up tick may still be polling a source the forced poll already reached.
    await pollsSettled(run);
    const api = (await (await fetch(`${base}/api/sources`)).json()) as {
      sources: { id: string; status: string; healthy: boolean; lastErrorPermanent: boolean }[];
    };
    const by = Object.fromEntries(api.sources.map((s) => [s.id, s]));
    expect(by.ok).toMatchObject({ status: 'ok', healthy: true });
    expect(by.missing).toMatchObject({ status: 'error', healthy: false, lastErrorPermanent: true });
    expect(by.page).toMatchObject({ status: 'error', healthy: false, lastErrorPermanent: true });
    // The start-up tick and the forced poll may both have failed: below 4 it stays healthy.
    const failures = (by.flaky as unknown as { consecutiveFailures: number }).consecutiveFailures;
    expect(failures).toBeGreaterThanOrEqual(1);
    expect(failures).toBeLessThan(4);
    expect(by.flaky).toMatchObject({ status: 'error', healthy: true, lastErrorPermanent: false });

    expect((api as unknown as { summary: unknown }).summary).toEqual({
      total: 4,
      unhealthy: 2,
      failing: 3,
      neverFetched: 0,
    });
    let status = await (await fetch(`${base}/status`)).text();
    expect(status).toContain('4 sources, 2 unhealthy. 3 failed their last poll.');
    expect(status).toContain('no (permanent error)');
    expect(status).toContain(
      `yes (${failures} failure${failures === 1 ? '' : 's'}, unhealthy after 4)`,
    );

    type Api = { sources: { id: string; healthy: boolean; consecutiveFailures: number }[] };
    let flaky = by.flaky as unknown as Api['sources'][number];
    while (flaky.consecutiveFailures < 4) {
      await pollAll(run, ['flaky']);
      const again = (await (await fetch(`${base}/api/sources`)).json()) as Api;
      flaky = again.sources.find((s) => s.id === 'flaky')!;
      expect(flaky.healthy).toBe(flaky.consecutiveFailures < 4);
    }
    expect(flaky.healthy).toBe(false);
    status = await (await fetch(`${base}/status`)).text();
    // The summary counts what the rows show.
    const rowsUnhealthy = (status.match(/<td class="bad">no /g) ?? []).length;
    expect(rowsUnhealthy).toBe(3);
    expect(status).toContain('4 sources, 3 unhealthy. 3 failed their last poll.');
    expect(status).toMatch(/no \(\d+ failures\)/);

    // A recovered source is healthy again.
    feeds.routes.set('/flaky.rss', {
      body: rssFeed('Flaky', [
        { guid: 'f', title: 'Back', link: 'https://flaky.example/f', date: recent(2) },
      ]),
    });
    await pollAll(run, ['flaky']);
    status = await (await fetch(`${base}/status`)).text();
    expect(status).toContain('4 sources, 2 unhealthy. 2 failed their last poll.');
  });

  it('/status and /api/sources show items skipped as older than retention.maxAge (point 1)', async () => {
    // The count is written by the poll (core engineer's part); this checks what the user sees.
    await run.store.sources.patchState('ok', { skippedTooOld: 25 });
    const status = await (await fetch(`${base}/status`)).text();
    expect(status).toContain('25 items older than retention.maxAge (30d) skipped');
    const api = (await (await fetch(`${base}/api/sources`)).json()) as {
      sources: { id: string; skippedTooOld: number }[];
    };
    expect(api.sources.find((s) => s.id === 'ok')!.skippedTooOld).toBe(25);
  });
});

describe('a newcomer before the first poll (point 5)', () => {
  it('the index links to /status and says no source has been fetched yet', async () => {
    // Server role only: no worker, so nothing is fetched while we look.
    const run = await startService(
      testConfig(`
sources:
  - { id: a, url: "http://127.0.0.1:9/a.rss" }
  - { id: b, url: "http://127.0.0.1:9/b.rss" }
sections:
  - { id: news, title: News, lang: en }
`),
      'server',
    );
    try {
      const html = await (await fetch(`${run.server!.url}/`)).text();
      expect(html).toContain('<a href="status">Source status</a>');
      expect(html).toMatch(/No source has been fetched yet \(2 configured\)/);
      const status = await (await fetch(`${run.server!.url}/status`)).text();
      expect(status).toContain('2 sources, 0 unhealthy. No source has been fetched yet.');
    } finally {
      await run.stop();
    }
  });
});

describe('the index page seen by a newcomer after the first polls', () => {
  it('says when every source failed its last poll, then names each headline by its source title', async () => {
    const feeds = await startFeedServer();
    feeds.routes.set('/enab.rss', { status: 500, body: 'down' });
    feeds.routes.set('/wire.rss', { status: 500, body: 'down' });
    const run = await startService(
      testConfig(`
fetch: { allowPrivateNetworks: true, timeout: 5s }
sources:
  - { id: enab, url: "${feeds.url}/enab.rss", title: عنب بلدي, lang: ar }
  - { id: wire, url: "${feeds.url}/wire.rss", lang: en }
sections:
  - { id: all, title: All, lang: en }
`),
    );
    try {
      await pollAll(run, ['enab', 'wire']);
      let html = await (await fetch(`${run.server!.url}/`)).text();
      expect(html).toContain(
        'Every source failed its last poll (2 of 2; no network?): see <a href="status">source status</a> for each error.',
      );
      feeds.routes.set('/enab.rss', {
        body: rssFeed('Enab', [
          { guid: 'e1', title: 'خبر من إدلب', link: 'https://enab.example/1', date: recent(1) },
        ]),
      });
      feeds.routes.set('/wire.rss', {
        body: rssFeed('Wire', [
          { guid: 'w1', title: 'Wire story', link: 'https://wire.example/1', date: recent(2) },
        ]),
      });
      await pollAll(run, ['enab', 'wire']);
      html = await (await fetch(`${run.server!.url}/`)).text();
      expect(html).not.toContain('Every source failed');
      // The configured title where there is one, the id otherwise.
      expect(html).toContain('<span dir="auto">عنب بلدي</span>');
      expect(html).toContain('<span dir="auto">wire</span>');
      expect(html).not.toContain('<span dir="auto">enab</span>');
    } finally {
      await run.stop();
      await feeds.close();
    }
  });
});

describe('a config source with sections: (point 16)', () => {
  it("puts its articles in those sections, as a runtime source's sections: does", async () => {
    const feeds = await startFeedServer();
    feeds.routes.set('/desk.rss', {
      body: rssFeed('Desk', [
        { guid: 'd1', title: 'Desk pick', link: 'https://desk.example/1', date: recent(1) },
      ]),
    });
    const run = await startService(
      testConfig(`
fetch: { allowPrivateNetworks: true, timeout: 5s }
sources:
  - { id: desk, url: "${feeds.url}/desk.rss", sections: [front] }
tags:
  - { id: never, label: Never, keywords: [zzznever] }
sections:
  - { id: front, title: Front, lang: en, include: { tags: [never] } }
`),
    );
    try {
      await pollAll(run, ['desk']);
      const feed = (await (await fetch(`${run.server!.url}/feeds/front.json`)).json()) as {
        items: { title: string }[];
      };
      expect(feed.items.map((i) => i.title)).toEqual(['Desk pick']);
    } finally {
      await run.stop();
      await feeds.close();
    }
  });
});

describe('OPML import over the admin API checks feeds in parallel, a few at a time (point 6)', () => {
  it('never has more than 6 feeds in flight, and more than one', async () => {
    let inflight = 0;
    let most = 0;
    const slow = createServer((req, res) => {
      inflight++;
      most = Math.max(most, inflight);
      setTimeout(() => {
        inflight--;
        res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
        res.end(
          rssFeed(`Feed ${req.url}`, [
            {
              guid: `${req.url}`,
              title: 'x',
              link: `https://x.example${req.url}`,
              date: recent(1),
            },
          ]),
        );
      }, 150);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const run = await startService(
      testConfig(
        `
fetch: { allowPrivateNetworks: true, timeout: 5s }
sections:
  - { id: news, title: News, lang: en }
`,
        { adminToken: 'secret-token-for-tests' },
      ),
      'server',
    );
    try {
      const outlines = Array.from(
        { length: 15 },
        (_, i) => `<outline text="Feed ${i}" xmlUrl="${url}/f${i}.rss"/>`,
      ).join('');
      const r = await fetch(`${run.server!.url}/admin/api/opml`, {
        method: 'POST',
        headers: { authorization: 'Bearer secret-token-for-tests', 'content-type': 'text/x-opml' },
        body: `<opml version="2.0"><body>${outlines}</body></opml>`,
      });
      expect(r.status).toBe(201);
      const body = (await r.json()) as { added: string[] };
      expect(body.added).toHaveLength(15);
      // Ids follow document order whatever order the checks finished in.
      expect(body.added.slice(0, 3)).toEqual(['feed-0', 'feed-1', 'feed-2']);
      expect(most).toBeGreaterThan(1);
      expect(most).toBeLessThanOrEqual(6);
    } finally {
      await run.stop();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });
});

describe('site.baseUrl unset is derived from where we listen (point 8)', () => {
  it('puts the listening port in subscribe links and /opml', async () => {
    const run = await startService(
      testConfig(`
sections:
  - { id: news, title: News, lang: en }
`),
    );
    try {
      const port = run.server!.port;
      const html = await (await fetch(`${run.server!.url}/`)).text();
      expect(html).toContain(`http://localhost:${port}/feeds/news.rss`);
      expect(html).not.toContain('localhost:8080');
      const opml = await (await fetch(`${run.server!.url}/opml`)).text();
      expect(opml).toContain(`xmlUrl="http://localhost:${port}/feeds/news.rss"`);
      const rss = await (await fetch(`${run.server!.url}/feeds/news.rss`)).text();
      expect(rss).toContain(`http://localhost:${port}/feeds/news.rss`);
    } finally {
      await run.stop();
    }
  });
});
