// Politeness through the running pipeline: ingestSource with the Redis-backed host limiter, two
// "workers" (separate deps objects on one Redis prefix) and loopback servers on two hosts
// (127.0.0.1 and 127.0.0.2, both loopback on Linux) that record how many requests are in flight.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import { createHostLimiter } from '../../src/store/host-limiter.ts';
import { createFetcher } from '../../src/pipeline/fetch/fetcher.ts';
import type { Fetcher } from '../../src/pipeline/fetch/fetcher.ts';
import { createTagger } from '../../src/pipeline/tag/tagger.ts';
import { createCurator } from '../../src/curate/curator.ts';
import { ingestSource } from '../../src/pipeline/ingest.ts';
import type { IngestDeps } from '../../src/pipeline/ingest.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { FileConfig, SourceConfig } from '../../src/domain/types.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import { rssFeed } from '../helpers/service.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;

/** A loopback host: every path answers a small feed after `delayMs`, unless `special` says otherwise. */
interface Host {
  base: string;
  host: string;
  delayMs: number;
  inFlight: number;
  maxInFlight: number;
  hits: string[];
  special: Map<string, (res: ServerResponse) => void>;
  close(): Promise<void>;
}
async function startHost(address: string): Promise<Host> {
  const h = {
    delayMs: 0,
    inFlight: 0,
    maxInFlight: 0,
    hits: [] as string[],
    special: new Map(),
  } as Omit<Host, 'base' | 'host' | 'close'>;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    h.hits.push(path);
    h.inFlight++;
    h.maxInFlight = Math.max(h.maxInFlight, h.inFlight);
    setTimeout(() => {
      h.inFlight--;
      const special = h.special.get(path);
      if (special) return special(res);
      const name = path.replace(/\W/g, '');
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(
        rssFeed(name, [
          {
            guid: `${name}-1`,
            title: `${name} story`,
            link: `https://${name}.example/1`,
            date: new Date(NOW - 3_600_000).toISOString(),
          },
        ]),
      );
    }, h.delayMs);
  });
  await new Promise<void>((r) => server.listen(0, address, () => r()));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(h, {
    base: `http://${address}:${port}`,
    host: address,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  });
}

const YAML = `
fetch: { allowPrivateNetworks: true, timeout: 5s, perHostConcurrency: 2 }
sources: []
tags: []
sections:
  - { id: all, title: All, lang: en }
`;

describe('politeness through ingest', () => {
  let one: Host;
  let two: Host;
  let redis: RedisClient;
  let cfg: FileConfig;
  const fetchers: Fetcher[] = [];

  beforeAll(async () => {
    [one, two] = await Promise.all([startHost('127.0.0.1'), startHost('127.0.0.2')]);
    redis = createRedis(parseRedisTarget(testRedisUrl()));
    cfg = parseConfigText(YAML, 'test.yaml');
  });
  afterEach(() => {
    for (const h of [one, two]) {
      Object.assign(h, { delayMs: 0, inFlight: 0, maxInFlight: 0, hits: [] });
      h.special.clear();
    }
  });
  afterAll(async () => {
    await Promise.all(fetchers.map((f) => f.close()));
    await closeRedis(redis);
    await Promise.all([one.close(), two.close()]);
  });

  /** One worker's deps on `prefix`: several calls with one prefix are several workers sharing Redis. */
  function worker(
    prefix: string,
    opts: { limiter?: boolean; clock?: () => number } = {},
  ): IngestDeps {
    const store = createStore(redis, { prefix, unhealthyAfter: cfg.fetch.unhealthyAfter });
    const fetcher = createFetcher({
      timeoutMs: cfg.fetch.timeout,
      maxBytes: cfg.fetch.maxBytes,
      userAgent: 'tributary-test',
      allowPrivateNetworks: true,
      maxRedirects: 5,
    });
    fetchers.push(fetcher);
    return {
      config: cfg,
      store,
      fetcher,
      hostLimiter:
        opts.limiter === false
          ? null
          : createHostLimiter(redis, {
              keyFor: store.keys.hostSlots,
              perHost: cfg.fetch.perHostConcurrency,
              leaseMs: cfg.fetch.timeout + 10_000,
            }),
      tagger: createTagger([]),
      curator: createCurator(cfg.sections),
      priorityOf: () => 0,
      now: () => new Date(opts.clock?.() ?? NOW),
    };
  }
  const source = (host: Host, id: string): SourceConfig => ({
    id,
    url: `${host.base}/${id}.rss`,
    title: null,
    lang: 'en',
    interval: null,
    tags: [],
    priority: 0,
    enabled: true,
    origin: 'config',
  });
  const sixOn = (host: Host) => Array.from({ length: 6 }, (_, i) => source(host, `feed${i}`));

  describe('per-host concurrency', () => {
    it('two workers polling six sources of one host at once never have more than 2 requests in flight there', async () => {
      one.delayMs = 250;
      const prefix = uniquePrefix('host');
      const workers = [worker(prefix), worker(prefix)];
      // Each worker takes every source (as racing workers might): 12 polls against one host.
      const reports = await Promise.all(
        workers.flatMap((w) => sixOn(one).map((s) => ingestSource(w, s, { force: true }))),
      );
      expect(reports.every((r) => r.outcome === 'ok')).toBe(true);
      expect(one.hits).toHaveLength(12);
      expect(one.maxInFlight).toBe(2); // the limit, and used: the polls did run in parallel
    });

    it('(control) without the limiter the same polls do pile up on the host', async () => {
      one.delayMs = 250;
      const prefix = uniquePrefix('nolimit');
      const workers = [worker(prefix, { limiter: false }), worker(prefix, { limiter: false })];
      await Promise.all(
        workers.flatMap((w) => sixOn(one).map((s) => ingestSource(w, s, { force: true }))),
      );
      expect(one.maxInFlight).toBeGreaterThan(2);
    });

    it('a saturated host does not block another host', async () => {
      one.delayMs = 1000;
      const prefix = uniquePrefix('two-hosts');
      const [w1, w2] = [worker(prefix), worker(prefix)];
      const t0 = Date.now();
      const slow = sixOn(one).map((s, i) => ingestSource(i % 2 ? w1 : w2, s, { force: true }));
      await new Promise((r) => setTimeout(r, 100)); // host one's two slots are taken now
      const fast = await ingestSource(w1, source(two, 'other'), { force: true });
      const fastMs = Date.now() - t0;
      expect(fast.outcome).toBe('ok');
      expect(fastMs).toBeLessThan(800); // well before host one's first pair even answers
      expect(one.inFlight).toBe(2);
      await Promise.all(slow);
      expect(one.maxInFlight).toBe(2);
    });
  });

  describe('Retry-After', () => {
    it("a 429 with Retry-After: 120 holds back that source only; the host's other feed polls right away", async () => {
      one.special.set('/a.rss', (res) => res.writeHead(429, { 'retry-after': '120' }).end());
      const deps = worker(uniquePrefix('ra'));
      const a = source(one, 'a');
      const b = source(one, 'b');
      const ra = await ingestSource(deps, a);
      expect(ra.outcome).toBe('error');
      expect(ra.error).toMatchObject({ kind: 'rate-limited', permanent: false });
      const st = await deps.store.sources.getState('a');
      expect(Date.parse(st.nextPoll!)).toBeGreaterThanOrEqual(NOW + 120_000);
      expect(ra.nextPollAt).toBe(Date.parse(st.nextPoll!));
      // Not forced: the source waits; no request reaches the publisher.
      expect(await ingestSource(deps, a)).toMatchObject({ outcome: 'skipped' });
      expect(one.hits.filter((p) => p === '/a.rss')).toHaveLength(1);
      // The host's slot was held only for the 429 itself: both slots are free, and B polls at once.
      const release = await Promise.all(
        [0, 1].map(() => deps.hostLimiter!.acquire(one.host, { waitMs: 0 })),
      );
      await Promise.all(release.map((r) => r()));
      expect(await ingestSource(deps, b)).toMatchObject({ outcome: 'ok', inserted: 1 });
    });

    it('a Retry-After longer than the back-off is what sets the next poll (503, seconds and HTTP date)', async () => {
      one.special.set('/s.rss', (res) => res.writeHead(503, { 'retry-after': '7200' }).end());
      one.special.set('/d.rss', (res) =>
        res
          .writeHead(503, { 'retry-after': new Date(Date.now() + 3 * 3_600_000).toUTCString() })
          .end(),
      );
      const deps = worker(uniquePrefix('ra2'));
      const s = await ingestSource(deps, source(one, 's'));
      expect(s.nextPollAt - NOW).toBe(7_200_000); // not the 15-min back-off
      const d = await ingestSource(deps, source(one, 'd'));
      expect(d.nextPollAt - NOW).toBeGreaterThan(2.9 * 3_600_000);
      expect(d.nextPollAt - NOW).toBeLessThanOrEqual(3 * 3_600_000);
    });

    it('an absurd Retry-After is honoured up to a week, not forever', async () => {
      one.special.set('/x.rss', (res) =>
        res.writeHead(429, { 'retry-after': String(10 * 365 * 86_400) }).end(),
      );
      const r = await ingestSource(worker(uniquePrefix('ra3')), source(one, 'x'));
      expect(r.nextPollAt - NOW).toBe(7 * DAY);
    });

    it('after the Retry-After has passed the source polls again and recovers', async () => {
      let limited = true;
      one.special.set('/r.rss', (res) =>
        limited
          ? res.writeHead(429, { 'retry-after': '120' }).end()
          : res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(
              rssFeed('r', [
                {
                  guid: 'r1',
                  title: 'r',
                  link: 'https://r.example/1',
                  date: new Date(NOW - 3_600_000).toISOString(),
                },
              ]),
            ),
      );
      let clock = NOW;
      const deps = worker(uniquePrefix('ra4'), { clock: () => clock });
      const first = await ingestSource(deps, source(one, 'r'));
      limited = false;
      clock = first.nextPollAt;
      expect(await ingestSource(deps, source(one, 'r'))).toMatchObject({
        outcome: 'ok',
        inserted: 1,
      });
      expect((await deps.store.sources.getState('r')).consecutiveFailures).toBe(0);
    });
  });
});
