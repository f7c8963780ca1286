// Runs the real service for tests: a config from YAML text, the shared test Redis (or an embedded
// one on a data dir), and helpers to poll sources and wait for results.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfigText, readEnv } from '../../src/config/load.ts';
import type { Config, EnvConfig, Role } from '../../src/domain/types.ts';
import { startTributary } from '../../src/runtime/start.ts';
import type { Running } from '../../src/runtime/start.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { createApp } from '../../src/server/app.ts';
import type { ServerDeps } from '../../src/server/deps.ts';
import { FeedCache } from '../../src/server/feed-cache.ts';
import { enqueueRefresh } from '../../src/queues/queues.ts';
import { testRedisUrl, uniquePrefix } from './redis.ts';

export function testConfig(
  yaml: string,
  env: Partial<EnvConfig> = {},
  vars: Record<string, string> = {},
): Config {
  const file = parseConfigText(yaml, 'test.yaml', vars);
  return {
    ...file,
    env: {
      ...readEnv({}),
      redisUrl: testRedisUrl(),
      redisPrefix: uniquePrefix('e2e'),
      dataDir: mkdtempSync(join(tmpdir(), 'tributary-data-')),
      logLevel: 'warn',
      configPath: 'test.yaml',
      ...env,
    },
  };
}

export async function startService(config: Config, role: Role = 'all'): Promise<Running> {
  const log = createLogger({ level: config.env.logLevel, pretty: false, destination: 2 });
  return startTributary({ config, role, log, port: 0 });
}

/**
 * Waits until no poll job is waiting or running (the start-up tick of a source and a forced poll
 * can both be in flight: a count read between the two would change under the test).
 */
export async function pollsSettled(run: Running, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const c = await run.queue.getJobCounts('active', 'waiting', 'prioritized');
    if ((c.active ?? 0) + (c.waiting ?? 0) + (c.prioritized ?? 0) === 0) return;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`poll jobs still in flight after ${timeoutMs} ms: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Forces one poll of each source and waits until each has been fetched since the call. */
export async function pollAll(
  run: Running,
  sourceIds: string[],
  timeoutMs = 20_000,
): Promise<void> {
  const since = Date.now() - 1;
  for (const id of sourceIds) await enqueueRefresh(run.queue, `${id}`);
  const t0 = Date.now();
  for (;;) {
    const states = await Promise.all(sourceIds.map((id) => run.store.sources.getState(id)));
    if (states.every((s) => s.lastFetch && Date.parse(s.lastFetch) >= since)) {
      // The state is written last, after articles and indexes.
      return;
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`timed out polling ${sourceIds.join(', ')}: ${JSON.stringify(states)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface FeedServer {
  url: string;
  port: number;
  /** Path -> response; change it between polls. */
  routes: Map<
    string,
    { status?: number; type?: string; body: string | Buffer; headers?: Record<string, string> }
  >;
  requests: { path: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

/** A loopback HTTP server whose responses the test controls. */
export async function startFeedServer(): Promise<FeedServer> {
  const routes: FeedServer['routes'] = new Map();
  const requests: FeedServer['requests'] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path, headers: req.headers });
    const r = routes.get(path);
    if (!r) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(r.status ?? 200, {
      'Content-Type': r.type ?? 'application/rss+xml; charset=utf-8',
      ...r.headers,
    });
    res.end(r.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    routes,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export function rssFeed(
  title: string,
  items: {
    guid: string;
    title: string;
    link: string;
    date: string;
    description?: string;
    content?: string;
    categories?: string[];
  }[],
  lang = 'en',
): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>${esc(title)}</title><link>https://example.org/</link><description>test</description><language>${lang}</language>
${items
  .map(
    (
      i,
    ) => `<item><guid isPermaLink="false">${esc(i.guid)}</guid><title>${esc(i.title)}</title><link>${esc(i.link)}</link><pubDate>${new Date(i.date).toUTCString()}</pubDate>
${(i.categories ?? []).map((c) => `<category>${esc(c)}</category>`).join('')}<description>${esc(i.description ?? i.title)}</description>${i.content ? `<content:encoded><![CDATA[${i.content}]]></content:encoded>` : ''}</item>`,
  )
  .join('\n')}
</channel></rss>`;
}

/**
 * The HTTP app over `config` and `store` with the probes a test does not exercise stubbed out (no
 * queue, empty metrics, priority 0, a silent logger, a fresh feed cache); `extra` adds or
 * overrides deps (a subscriber, push HTTP, webhooks, a clock).
 */
export function testApp(
  deps: Pick<ServerDeps, 'config' | 'store'> & Partial<ServerDeps>,
): ReturnType<typeof createApp> {
  return createApp({
    cache: new FeedCache(),
    log: createLogger({ level: 'silent', pretty: false }),
    priorityOf: () => 0,
    queueCounts: async () => null,
    metrics: async () => ({ contentType: 'text/plain', body: '' }),
    now: () => new Date(),
    ...deps,
  });
}
