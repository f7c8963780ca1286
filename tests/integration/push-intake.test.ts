// Pushed bodies are ingested where workers run, never by the HTTP server (issue 12): the
// callback checks the signature and size and queues the body; a worker runs the pipeline. A
// server with no worker running answers a valid push 202 (queued) and stores nothing; the item
// appears once a worker runs. Real server and worker (separate roles, one Redis), a loopback feed
// server and a loopback WebSub hub.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startFeedServer, startService, testConfig, pollAll, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import type { Config } from '../../src/domain/types.ts';
import { startTestHub } from '../helpers/websub-hub.ts';
import type { TestHub } from '../helpers/websub-hub.ts';

async function until<T>(what: string, fn: () => Promise<T | null | false> | T | null | false) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('pushed bodies go to the workers', () => {
  let feeds: FeedServer;
  let hub: TestHub;
  let config: Config;
  let server: Running;
  let worker: Running | null = null;
  let base: string;

  const doc = (titles: string[]) =>
    rssFeed(
      'Wire',
      titles.map((t, i) => ({
        guid: t,
        title: t,
        link: `https://example.org/${encodeURIComponent(t)}`,
        date: new Date(Date.now() - (titles.length - i) * 60_000).toISOString(),
        description: `${t}: a story long enough to be an item of its own.`,
      })),
    );
  const titles = async () => (await fetch(`${base}/feeds/all.rss`)).text();

  beforeAll(async () => {
    feeds = await startFeedServer();
    hub = await startTestHub();
    hub.behaviours.set('/hub', { kind: 'verify' });
    feeds.routes.set('/wire.rss', {
      body: doc(['Wire one']),
      headers: { Link: `<${hub.url}/hub>; rel="hub", <${feeds.url}/wire.rss>; rel="self"` },
    });
    config = testConfig(
      `
fetch: { allowPrivateNetworks: true, timeout: 5s, maxInterval: 6h }
sources:
  - { id: wire, url: "\${F}/wire.rss" }
sections:
  - { id: all, title: All }
`,
      { host: '127.0.0.1' },
      { F: feeds.url },
    );
    server = await startService(config, 'server');
    base = `http://127.0.0.1:${server.server!.port}`;
    // The worker polls (and so subscribes) with the server's callback URL.
    worker = await startService(server.config, 'worker');
    await pollAll(server, ['wire']);
    await until('the hub verified our subscription', () =>
      hub.subscriptions.get(`${feeds.url}/wire.rss`),
    );
    await worker.stop();
    worker = null;
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    await hub?.close();
    await feeds?.close();
  });

  it('a server without workers queues a valid push (202) and stores nothing; a worker then ingests it', async () => {
    const res = await hub.publish(`${feeds.url}/wire.rss`, doc(['Wire one', 'Wire two pushed']));
    expect(res.status).toBe(202);
    expect(res.body).toMatch(/queued/);
    expect(await titles()).not.toContain('Wire two pushed');
    worker = await startService(server.config, 'worker');
    await until('the pushed item in the section', async () =>
      (await titles()).includes('Wire two pushed'),
    );
  });
});
