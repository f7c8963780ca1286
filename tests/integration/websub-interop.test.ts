// Both halves of push together (issue 12): service A's source is service B's section feed. A's
// poll discovers B's hub (the Link header B's feeds carry), subscribes with a secret, B verifies
// A's callback; from then on a new item at B's source reaches A's section through B's signed
// distribution and A's subscriber, with no poll of B's feed by A.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startFeedServer, testConfig, pollAll, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { startTributary } from '../../src/runtime/start.ts';
import type { Running } from '../../src/runtime/start.ts';
import type { Config } from '../../src/domain/types.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { freePort } from '../../src/config/base-url.ts';
import { queueCounts } from '../../src/queues/queues.ts';

const log = createLogger({ level: 'warn', pretty: false, destination: 2 });

async function until<T>(what: string, fn: () => Promise<T | null | false>, ms = 15_000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A service on a known port, its baseUrl naming 127.0.0.1 (so peers connect over IPv4). */
async function start(yaml: (base: string) => string, vars: Record<string, string>) {
  const port = await freePort('127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const config: Config = testConfig(yaml(base), { host: '127.0.0.1' }, vars);
  const run = await startTributary({ config, role: 'all', log, port });
  return { run, base };
}

describe('our subscriber on our own hub', () => {
  let feeds: FeedServer;
  let a: { run: Running; base: string };
  let b: { run: Running; base: string };
  const items = (titles: string[]) =>
    rssFeed(
      'Wire',
      titles.map((t, i) => ({
        guid: t,
        title: t,
        link: `${feeds.url}/${encodeURIComponent(t)}`,
        date: new Date(Date.now() - (titles.length - i) * 60_000).toISOString(),
        description: `${t}: the story of the day, told at some length for the section.`,
      })),
    );

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/wire.rss', { body: items(['Wire one']) });
    b = await start(
      (base) => `
site: { baseUrl: "${base}" }
fetch: { allowPrivateNetworks: true, timeout: 5s }
sources:
  - { id: wire, url: "\${F}/wire.rss" }
sections:
  - { id: news, title: News }
`,
      { F: feeds.url },
    );
    await pollAll(b.run, ['wire']);
    // A reads B's feed through the feed server (a copy with B's Link header), so its requests are
    // counted there; the hub and topic it finds are B's.
    const fromB = await fetch(`${b.base}/feeds/news.rss`);
    feeds.routes.set('/upstream.rss', {
      body: await fromB.text(),
      headers: { Link: fromB.headers.get('link')! },
    });
    a = await start(
      (base) => `
site: { baseUrl: "${base}" }
fetch: { allowPrivateNetworks: true, timeout: 5s }
sources:
  - { id: upstream, url: "\${F}/upstream.rss" }
sections:
  - { id: mirror, title: Mirror }
`,
      { F: feeds.url },
    );
    await pollAll(a.run, ['upstream']);
  }, 60_000);

  afterAll(async () => {
    await a?.run.stop();
    await b?.run.stop();
    await feeds?.close();
  });

  it('A subscribes at B, and B pushes a new item into A without A polling B', async () => {
    const sub = await until('A subscribed at B', async () => {
      const r = (await (await fetch(`${a.base}/api/sources`)).json()) as {
        sources: { id: string; push: { hub: string; state: string } | null }[];
      };
      const p = r.sources[0]!.push;
      return p?.state === 'subscribed' ? p : null;
    });
    expect(sub.hub).toBe(`${b.base}/websub`);
    const polledByA = () => feeds.requests.filter((r) => r.path === '/upstream.rss').length;
    // A's start-up poll and pollAll's refresh run one after the other (never at once: one ingest
    // of a source at a time), so the second may still be running: let A's polls settle first.
    await until('A has no poll running or waiting', async () => {
      const c = await queueCounts(a.run.queue);
      return (c.active ?? 0) + (c.waiting ?? 0) + (c.prioritized ?? 0) === 0;
    });
    const before = polledByA();
    feeds.routes.set('/wire.rss', { body: items(['Wire one', 'Wire two pushed']) });
    const t0 = Date.now();
    await pollAll(b.run, ['wire']);
    await until('the item in A', async () =>
      (await (await fetch(`${a.base}/feeds/mirror.rss`)).text()).includes('Wire two pushed'),
    );
    console.log(`B's poll start -> item in A's section: ${Date.now() - t0} ms`);
    expect(polledByA()).toBe(before);
    const st = await a.run.store.sources.getState('upstream');
    expect(Date.parse(st.nextPoll!) - Date.parse(st.lastFetch!)).toBe(
      a.run.config.fetch.maxInterval,
    );
  });
});
