// Fetch state kept per source through the running pipeline (ingestSource on the real test Redis,
// loopback feed servers): conditional GET across a restart, permanent and temporary redirects,
// permanent errors, back-off and health, adaptive polling, and hostile feeds contained.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import { createFetcher } from '../../src/pipeline/fetch/fetcher.ts';
import type { Fetcher } from '../../src/pipeline/fetch/fetcher.ts';
import { createTagger } from '../../src/pipeline/tag/tagger.ts';
import { createCurator } from '../../src/curate/curator.ts';
import { ingestSource } from '../../src/pipeline/ingest.ts';
import type { IngestDeps } from '../../src/pipeline/ingest.ts';
import { createPollProcessor } from '../../workers/poll.worker.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { FileConfig, SourceConfig } from '../../src/domain/types.ts';
import type { PollJobData } from '../../src/queues/queues.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-20T12:00:00Z');

// ------------------------------------------------------------------ a scriptable loopback server
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Fixture {
  base: string;
  routes: Map<string, Handler>;
  hits: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}
async function startFixture(): Promise<Fixture> {
  const routes = new Map<string, Handler>();
  const hits: Fixture['hits'] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.push({ path, headers: req.headers });
    const h = routes.get(path);
    if (h) h(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
const send =
  (body: string | Buffer, headers: Record<string, string> = {}, status = 200): Handler =>
  (_req, res) => {
    res
      .writeHead(status, { 'content-type': 'application/rss+xml; charset=utf-8', ...headers })
      .end(body);
  };

/** An RSS 2.0 feed of `n` items, the i-th published `ageOf(i)` ms before NOW; `channelExtra` goes in <channel>. */
function feed(name: string, n: number, ageOf: (i: number) => number, channelExtra = ''): string {
  const items = Array.from(
    { length: n },
    (_, i) =>
      `<item><guid isPermaLink="false">${name}-${i}</guid><title>${name} story ${i}</title><link>https://${name}.example/s/${i}</link><pubDate>${new Date(NOW - ageOf(i)).toUTCString()}</pubDate><description>Story ${i} of ${name}</description></item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>${name}</title><link>https://${name}.example/</link><description>t</description>${channelExtra}
${items.join('\n')}
</channel></rss>`;
}
const hourly = (name: string, n = 3) => feed(name, n, (i) => (i + 1) * HOUR);

// ------------------------------------------------------------------ deps on the real test Redis
const YAML = `
fetch: { allowPrivateNetworks: true, timeout: 5s, maxBytes: 256KB, minInterval: 5m, defaultInterval: 15m, maxInterval: 6h, unhealthyAfter: 3 }
retention: { maxAge: 30d, maxPerSection: 500 }
sources: []
tags: []
sections:
  - { id: all, title: All, lang: en, limit: 200 }
`;

describe('fetch state through ingest', () => {
  let fx: Fixture;
  let redis: RedisClient;
  let cfg: FileConfig;
  const fetchers: Fetcher[] = [];

  beforeAll(async () => {
    fx = await startFixture();
    redis = createRedis(parseRedisTarget(testRedisUrl()));
    cfg = parseConfigText(YAML, 'test.yaml');
  });
  afterEach(() => {
    fx.routes.clear();
    fx.hits.length = 0;
  });
  afterAll(async () => {
    await Promise.all(fetchers.map((f) => f.close()));
    await closeRedis(redis);
    await fx.close();
  });

  /** A fresh set of deps on `prefix`: called again with the same prefix, it is a restarted process. */
  function makeDeps(prefix: string, clock = () => NOW, sources: SourceConfig[] = []): IngestDeps {
    const config = { ...cfg, sources };
    const fetcher = createFetcher({
      timeoutMs: config.fetch.timeout,
      maxBytes: config.fetch.maxBytes,
      userAgent: 'tributary-test',
      allowPrivateNetworks: true,
      maxRedirects: 5,
    });
    fetchers.push(fetcher);
    return {
      config,
      fetcher,
      hostLimiter: null,
      store: createStore(redis, { prefix, unhealthyAfter: config.fetch.unhealthyAfter }),
      tagger: createTagger([]),
      curator: createCurator(config.sections),
      priorityOf: () => 0,
      now: () => new Date(clock()),
    };
  }
  const source = (id: string, path: string, extra: Partial<SourceConfig> = {}): SourceConfig => ({
    id,
    url: `${fx.base}${path}`,
    title: null,
    lang: 'en',
    interval: null,
    tags: [],
    priority: 0,
    enabled: true,
    origin: 'config',
    ...extra,
  });
  const hitsOf = (path: string) => fx.hits.filter((h) => h.path === path);
  const delayOf = async (deps: IngestDeps, id: string) =>
    Date.parse((await deps.store.sources.getState(id)).nextPoll!) - deps.now().getTime();

  describe('conditional GET', () => {
    it('keeps ETag and Last-Modified across a restart; the 304 skips parsing and writes no article', async () => {
      const lastModified = new Date(NOW - HOUR).toUTCString();
      fx.routes.set('/c.rss', (req, res) => {
        if (req.headers['if-none-match'] === '"v1"')
          return void res.writeHead(304, { etag: '"v1"' }).end();
        send(hourly('c', 4), { etag: '"v1"', 'last-modified': lastModified })(req, res);
      });
      const prefix = uniquePrefix('cond');
      const src = source('c', '/c.rss');
      const first = await ingestSource(makeDeps(prefix), src);
      expect(first).toMatchObject({ outcome: 'ok', inserted: 4 });
      expect(hitsOf('/c.rss')[0]!.headers['if-none-match']).toBeUndefined();

      // A restart: new store, fetcher and limiter objects on the same Redis prefix, a day later (due).
      const restarted = makeDeps(prefix, () => NOW + DAY);
      const second = await ingestSource(restarted, src);
      const sent = hitsOf('/c.rss')[1]!.headers;
      expect(sent['if-none-match']).toBe('"v1"');
      expect(sent['if-modified-since']).toBe(lastModified);
      expect(sent['user-agent']).toBe('tributary-test');
      expect(second).toMatchObject({
        outcome: 'not-modified',
        fetched: 0,
        inserted: 0,
        updated: 0,
        unchanged: 0,
      });
      expect(await restarted.store.articles.total()).toBe(4);
      const st = await restarted.store.sources.getState('c');
      expect(st).toMatchObject({
        status: 'not-modified',
        etag: '"v1"',
        lastModified,
        articleCount: 4,
        consecutiveFailures: 0,
      });
      expect(Date.parse(st.nextPoll!)).toBeGreaterThan(NOW + DAY);
    });

    it('sends If-Modified-Since alone when the server gives only Last-Modified', async () => {
      const lm = new Date(NOW - DAY).toUTCString();
      fx.routes.set('/lm.rss', (req, res) => {
        if (req.headers['if-modified-since'] === lm) return void res.writeHead(304).end();
        send(hourly('lm'), { 'last-modified': lm })(req, res);
      });
      const prefix = uniquePrefix('lm');
      await ingestSource(makeDeps(prefix), source('lm', '/lm.rss'));
      const r = await ingestSource(makeDeps(prefix), source('lm', '/lm.rss'), { force: true });
      expect(r.outcome).toBe('not-modified');
      expect(hitsOf('/lm.rss')[1]!.headers['if-none-match']).toBeUndefined();
    });
  });

  describe('redirects', () => {
    it.each([301, 308])(
      'a permanent %i moves the source: the next poll (after a restart) goes straight to the new URL',
      async (status) => {
        const old = `/old-${status}.rss`;
        const moved = `/new-${status}.rss`;
        fx.routes.set(old, (_req, res) => void res.writeHead(status, { location: moved }).end());
        fx.routes.set(moved, send(hourly('m'), { etag: '"m1"' }));
        const prefix = uniquePrefix('perm');
        const src = source('m', old);
        expect((await ingestSource(makeDeps(prefix), src)).inserted).toBe(3);
        expect(await makeDeps(prefix).store.sources.getState('m')).toMatchObject({
          url: `${fx.base}${moved}`,
          movedFrom: `${fx.base}${old}`,
        });

        fx.hits.length = 0;
        const again = await ingestSource(makeDeps(prefix), src, { force: true });
        expect(again).toMatchObject({ outcome: 'ok', inserted: 0, unchanged: 3 });
        expect(fx.hits.map((h) => h.path)).toEqual([moved]);
        expect(fx.hits[0]!.headers['if-none-match']).toBe('"m1"'); // validators of the new URL go with it
      },
    );

    it.each([302, 307])('a temporary %i does not move the source', async (status) => {
      const tmp = `/tmp-${status}.rss`;
      fx.routes.set(
        tmp,
        (_req, res) => void res.writeHead(status, { location: '/dest.rss' }).end(),
      );
      fx.routes.set('/dest.rss', send(hourly('t')));
      const deps = makeDeps(uniquePrefix('temp'));
      const src = source('t', tmp);
      await ingestSource(deps, src);
      await ingestSource(deps, src, { force: true });
      expect(fx.hits.map((h) => h.path)).toEqual([tmp, '/dest.rss', tmp, '/dest.rss']);
      expect(await deps.store.sources.getState('t')).toMatchObject({
        url: `${fx.base}${tmp}`,
        movedFrom: null,
      });
    });
  });

  describe('permanent errors', () => {
    it.each([
      ['404', '/gone-404.rss', send('nope', { 'content-type': 'text/plain' }, 404), 'http'],
      ['410', '/gone-410.rss', send('gone', { 'content-type': 'text/plain' }, 410), 'http'],
      [
        'an HTML page',
        '/page.html',
        send('<!doctype html><html><head><title>x</title></head><body><p>hello</p></body></html>', {
          'content-type': 'text/html',
        }),
        'not-a-feed',
      ],
    ])(
      '%s is a permanent error: the worker ends the job unrecoverably and the source waits long',
      async (_name, path, handler, kind) => {
        fx.routes.set(path, handler);
        const src = source('p', path);
        const deps = makeDeps(uniquePrefix('perm-err'), () => NOW, [src]);
        const r = await ingestSource(deps, src);
        expect(r.outcome).toBe('error');
        expect(r.error).toMatchObject({ kind, permanent: true });
        expect(await delayOf(deps, 'p')).toBeGreaterThanOrEqual(6 * HOUR); // the window's ceiling, not 15 min

        const processPoll = createPollProcessor({
          ...deps,
          log: createLogger({ level: 'silent', pretty: false }),
        });
        const job = { data: { sourceId: 'p', force: true } } as Job<PollJobData>;
        await expect(processPoll(job)).rejects.toBeInstanceOf(UnrecoverableError);
      },
    );

    it('a 500 is transient: the worker returns the report and lets the schedule retry', async () => {
      fx.routes.set('/flaky.rss', send('oops', {}, 500));
      const src = source('f', '/flaky.rss');
      const deps = makeDeps(uniquePrefix('transient'), () => NOW, [src]);
      const processPoll = createPollProcessor({
        ...deps,
        log: createLogger({ level: 'silent', pretty: false }),
      });
      const report = await processPoll({
        data: { sourceId: 'f', force: true },
      } as Job<PollJobData>);
      expect(report.error).toMatchObject({ kind: 'http', permanent: false });
    });
  });

  describe('back-off and health', () => {
    it('backs off exponentially up to a day, reports unhealthy after N failures, still retries, and a success resets', async () => {
      let up = false;
      fx.routes.set('/down.rss', (req, res) =>
        up ? send(hourly('d'))(req, res) : send('down', {}, 500)(req, res),
      );
      let clock = NOW;
      const deps = makeDeps(uniquePrefix('backoff'), () => clock);
      const src = source('d', '/down.rss');
      const delays: number[] = [];
      const healthy: boolean[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await ingestSource(deps, src); // not forced: each runs because the clock reaches nextPoll
        expect(r.outcome).toBe('error');
        const st = await deps.store.sources.getState('d');
        delays.push(Date.parse(st.nextPoll!) - clock);
        healthy.push(st.healthy);
        expect(await ingestSource(deps, src)).toMatchObject({ outcome: 'skipped' }); // held back until then
        clock = Date.parse(st.nextPoll!);
      }
      expect(hitsOf('/down.rss')).toHaveLength(10);
      // 15 min, 30 min, 1 h … (±10 % jitter), strictly growing until the one-day cap.
      expect(delays[0]).toBeGreaterThanOrEqual(0.9 * 15 * MIN);
      expect(delays[0]).toBeLessThanOrEqual(1.1 * 15 * MIN);
      for (let i = 1; i < 7; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!);
      expect(Math.max(...delays)).toBe(DAY);
      expect(delays.slice(7)).toEqual([DAY, DAY, DAY]);
      expect(healthy).toEqual([true, true, false, false, false, false, false, false, false, false]);
      expect((await deps.store.sources.getState('d')).consecutiveFailures).toBe(10);

      up = true;
      const ok = await ingestSource(deps, src);
      expect(ok).toMatchObject({ outcome: 'ok', inserted: 3 });
      const st = await deps.store.sources.getState('d');
      expect(st).toMatchObject({
        healthy: true,
        consecutiveFailures: 0,
        status: 'ok',
        lastError: null,
      });
      expect(Date.parse(st.nextPoll!) - clock).toBeLessThanOrEqual(6 * HOUR);
    });
  });

  describe('adaptive polling', () => {
    async function firstDelay(
      path: string,
      body: string,
      extra: Partial<SourceConfig> = {},
      headers: Record<string, string> = {},
    ) {
      fx.routes.set(path, send(body, headers));
      const deps = makeDeps(uniquePrefix('adapt'));
      const r = await ingestSource(deps, source('s', path, extra));
      expect(r.outcome).toBe('ok');
      expect(r.nextPollAt - NOW).toBe(await delayOf(deps, 's'));
      return r.nextPollAt - NOW;
    }
    const busy = (n = 50) => feed('busy', n, (i) => (i + 0.5) * (DAY / n)); // n items spread over the last day

    it('a feed with 50 items over the last day is polled about every half hour', async () => {
      const d = await firstDelay('/busy.rss', busy());
      expect(d).toBeGreaterThanOrEqual(25 * MIN);
      expect(d).toBeLessThanOrEqual(35 * MIN);
    });

    it('a feed silent for months is polled at maxInterval (its items are too old to store, but still count)', async () => {
      const d = await firstDelay(
        '/silent.rss',
        feed('silent', 5, (i) => (90 + 30 * i) * DAY),
      );
      expect(d).toBe(6 * HOUR);
    });

    it('a new feed without dated history gets the default interval', async () => {
      const body = hourly('x').replace(/<pubDate>[^<]*<\/pubDate>/g, '');
      // Undated items take their first-seen time (the poll's clock), which says nothing of the rhythm.
      expect(await firstDelay('/undated.rss', body)).toBe(15 * MIN);
    });

    it('RSS <ttl>120</ttl> floors a busy feed at 2 h, and the floor survives a 304', async () => {
      let etagged = false;
      fx.routes.set('/ttl.rss', (req, res) => {
        if (etagged && req.headers['if-none-match'] === '"t"') return void res.writeHead(304).end();
        etagged = true;
        send(
          busy().replace(
            '<description>t</description>',
            '<description>t</description><ttl>120</ttl>',
          ),
          { etag: '"t"' },
        )(req, res);
      });
      let clock = NOW;
      const deps = makeDeps(uniquePrefix('ttl'), () => clock);
      const r1 = await ingestSource(deps, source('s', '/ttl.rss'));
      expect(r1.nextPollAt - clock).toBe(2 * HOUR);
      clock = r1.nextPollAt;
      const r2 = await ingestSource(deps, source('s', '/ttl.rss'));
      expect(r2.outcome).toBe('not-modified');
      expect(r2.nextPollAt - clock).toBe(2 * HOUR);
    });

    it('sy:updatePeriod hourly floors a busy feed at 1 h', async () => {
      const body = busy().replace(
        '<description>t</description>',
        '<description>t</description><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>',
      );
      expect(await firstDelay('/sy.rss', body)).toBe(HOUR);
    });

    it('Cache-Control: max-age=3600 floors a busy feed at 1 h', async () => {
      expect(
        await firstDelay('/maxage.rss', busy(), {}, { 'cache-control': 'public, max-age=3600' }),
      ).toBe(HOUR);
    });

    it('an explicit source interval is a floor the schedule never adapts below', async () => {
      // 100 items a day would poll every ~15 min; the source asks for once an hour.
      expect(await firstDelay('/floor.rss', busy(100), { interval: HOUR })).toBe(HOUR);
      // …and an explicit interval below fetch.minInterval is honoured as asked.
      const d = await firstDelay('/fast.rss', busy(400), { interval: 2 * MIN });
      expect(d).toBeGreaterThanOrEqual(2 * MIN);
      expect(d).toBeLessThan(5 * MIN);
    });
  });

  describe('hostile feeds in one batch', () => {
    it('an oversized feed, a gzip bomb and an entity bomb fail (or are defused) alone; the others succeed', async () => {
      const bombBody = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
      const laughs = `<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><link>https://lol.example/</link><description>x</description>
<item><guid>lol-1</guid><title>Laugh &lol9;</title><link>https://lol.example/1</link><description>&lol9;</description></item>
</channel></rss>`;
      fx.routes.set('/ok1.rss', send(hourly('ok1')));
      fx.routes.set('/ok2.rss', send(hourly('ok2', 2)));
      fx.routes.set(
        '/huge.rss',
        send(
          hourly('huge', 1).replace('</channel>', `<!-- ${'x'.repeat(400 * 1024)} --></channel>`),
        ),
      );
      fx.routes.set('/bomb.rss', send(bombBody, { 'content-encoding': 'gzip' }));
      fx.routes.set('/laughs.rss', send(laughs));
      const deps = makeDeps(uniquePrefix('hostile'));
      const ids = ['ok1', 'huge', 'bomb', 'laughs', 'ok2'];
      const t0 = Date.now();
      const reports = await Promise.all(
        ids.map((id) => ingestSource(deps, source(id, `/${id}.rss`))),
      );
      expect(Date.now() - t0).toBeLessThan(5000);
      const by = Object.fromEntries(reports.map((r) => [r.sourceId, r]));
      expect(by.ok1).toMatchObject({ outcome: 'ok', inserted: 3 });
      expect(by.ok2).toMatchObject({ outcome: 'ok', inserted: 2 });
      expect(by.huge).toMatchObject({ outcome: 'error', error: { kind: 'too-large' } });
      expect(by.bomb).toMatchObject({ outcome: 'error', error: { kind: 'too-large' } });
      // The entity bomb is never expanded: either refused, or read with its entities dropped.
      if (by.laughs!.outcome === 'error')
        expect(by.laughs!.error!.kind).toMatch(/parse|not-a-feed/);
      else expect(by.laughs!.inserted).toBeLessThanOrEqual(1);
      const laughed = await deps.store.sections.list('all', 100);
      for (const { id } of laughed)
        expect(JSON.stringify(await deps.store.articles.get(id)).length).toBeLessThan(20_000);

      for (const id of ['huge', 'bomb']) {
        expect(await deps.store.sources.getState(id)).toMatchObject({
          status: 'error',
          consecutiveFailures: 1,
          lastErrorKind: 'too-large',
        });
      }
      for (const id of ['ok1', 'ok2']) {
        expect(await deps.store.sources.getState(id)).toMatchObject({
          status: 'ok',
          consecutiveFailures: 0,
          lastError: null,
        });
      }
    });
  });
});
