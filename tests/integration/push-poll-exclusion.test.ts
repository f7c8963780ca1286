// A push and a poll of one source never run at once (issue 12): a push that arrives while a slow
// poll of the same source is in flight is applied after that poll, so the poll's older body
// cannot overwrite what the push brought, and no article is lost or stored twice. Real service
// (`--role all`: the pushed body goes through the queue to the ingest thread), real Redis, a
// loopback feed server that answers slowly, and a loopback WebSub hub (tests/helpers/websub-hub.ts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startService, testConfig, pollAll, rssFeed } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import { startTestHub } from '../helpers/websub-hub.ts';
import type { TestHub } from '../helpers/websub-hub.ts';
import { enqueueRefresh, queueCounts } from '../../src/queues/queues.ts';

async function until<T>(what: string, fn: () => Promise<T | null | false> | T | null | false) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a push and a poll of one source', () => {
  let hub: TestHub;
  let run: Running;
  let base: string;
  let feedUrl: string;
  let server: Server;
  /** What the feed server answers, and how long it waits before it does. */
  const feed = { doc: '', delayMs: 0, requests: 0, answeredAt: [] as number[] };

  const idle = async () => {
    const c = await queueCounts(run.queue);
    return (c.active ?? 0) + (c.waiting ?? 0) + (c.prioritized ?? 0) === 0;
  };

  const doc = (items: { guid: string; title: string }[]) =>
    rssFeed(
      'Slow source',
      items.map((i, k) => ({
        ...i,
        link: `https://example.org/${i.guid}`,
        date: new Date(Date.UTC(2026, 0, 1, 10, k)).toISOString(),
        description: `${i.title}: a story long enough to be an item of its own.`,
      })),
    );

  beforeAll(async () => {
    hub = await startTestHub();
    hub.behaviours.set('/hub', { kind: 'verify' });
    server = createServer((req, res) => {
      feed.requests++;
      setTimeout(() => {
        res.writeHead(200, {
          'Content-Type': 'application/rss+xml; charset=utf-8',
          Link: `<${hub.url}/hub>; rel="hub", <${feedUrl}>; rel="self"`,
        });
        res.end(feed.doc);
        feed.answeredAt.push(Date.now());
      }, feed.delayMs);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow.rss`;
    feed.doc = doc([{ guid: 'a', title: 'Story A' }]);
    const config = testConfig(
      `
fetch: { allowPrivateNetworks: true, timeout: 10s, maxInterval: 6h }
retention: { maxAge: 3650d }
sources:
  - { id: slow, url: "\${U}" }
sections:
  - { id: all, title: All, limit: 200 }
`,
      { host: '127.0.0.1' },
      { U: feedUrl },
    );
    run = await startService(config);
    base = `http://127.0.0.1:${run.server!.port}`;
    await pollAll(run, ['slow']);
  }, 60_000);

  afterAll(async () => {
    await run?.stop();
    await hub?.close();
    await new Promise<void>((r) => {
      server?.close(() => r());
      server?.closeAllConnections();
    });
  });

  it('a push arriving during a slow poll is applied after it: the newer pushed title stays, nothing lost or doubled', async () => {
    await until('the hub verified our subscription', () => hub.subscriptions.get(feedUrl));
    // Start-up poll and pollAll's refresh may still be finishing: start from an idle queue.
    await until('no poll running or waiting', idle);
    // The poll's body was made before the publisher updated story X; the push carries the update.
    feed.doc = doc([
      { guid: 'a', title: 'Story A' },
      { guid: 'x', title: 'Story X as first written' },
    ]);
    feed.delayMs = 1_500;
    const asked = feed.requests;
    await enqueueRefresh(run.queue, 'slow');
    await until('the poll to be in flight', () => feed.requests > asked);
    const res = await hub.publish(
      feedUrl,
      doc([
        { guid: 'a', title: 'Story A' },
        { guid: 'x', title: 'Story X corrected' },
        { guid: 'b', title: 'Story B' },
      ]),
    );
    // 200 once ingested; 202 when the callback stopped waiting (a loaded machine): both fine.
    expect([200, 202]).toContain(res.status);
    const titles = async () =>
      (
        (await (await fetch(`${base}/feeds/all.json`)).json()) as { items: { title: string }[] }
      ).items
        .map((i) => i.title)
        .sort();
    // Both ingests done: the slow poll answered, the pushed story B stored, no job left.
    await until('the poll and the push to be done', async () => {
      if (feed.answeredAt.length <= asked || !(await idle())) return false;
      return (await titles()).includes('Story B');
    });
    // Run at once, the poll would have stored its older X over the pushed correction.
    expect(await titles()).toEqual(['Story A', 'Story B', 'Story X corrected']);
    expect((await run.store.sources.articleIds('slow')).length).toBe(3);
    expect(await run.store.articles.total()).toBe(3);
  });
});
