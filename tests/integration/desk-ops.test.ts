// The desk's operations side over app.request() against a real Redis and real BullMQ queues:
// sessions revoked on the server (logout, log out everywhere, a new ADMIN_TOKEN), the health page
// in English and Arabic with GET /admin/api/health beside it, the Server-Timing header, and ids
// derived from Arabic feed titles.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Hono } from 'hono';
import {
  createRedis,
  parseRedisTarget,
  closeRedis,
  bullConnection,
} from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/index.ts';
import type { ServerDeps } from '../../src/server/deps.ts';
import { createMetrics, redisCounterHash } from '../../src/runtime/metrics.ts';
import { createPollQueue, createPushQueue, queueCounts } from '../../src/queues/queues.ts';
import type { Config, IngestReport } from '../../src/domain/types.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import { testConfig, startFeedServer, startService, rssFeed, testApp } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { listen } from '../../src/server/listen.ts';

const TOKEN = 'desk-ops-token-0123456789';

const CONFIG = `
site: { title: Test, baseUrl: "http://desk.test" }
fetch: { allowPrivateNetworks: true, timeout: 2s }
sources:
  - { id: cfg-ar, url: "http://127.0.0.1:9/a.rss", title: عنب بلدي, lang: ar }
  - { id: cfg-en, url: "http://127.0.0.1:9/b.rss", title: Wire One, lang: en }
sections:
  - { id: arabic, title: أخبار, lang: ar }
`;

let redis: RedisClient;
let feeds: FeedServer;
const closers: (() => Promise<unknown>)[] = [];

function appFor(
  token: string,
  opts: { prefix?: string; extra?: Partial<ServerDeps> } = {},
): { app: Hono; store: Store; config: Config } {
  const config: Config = testConfig(CONFIG, {
    adminToken: token,
    ...(opts.prefix ? { redisPrefix: opts.prefix } : {}),
  });
  const store = createStore(redis, { prefix: config.env.redisPrefix, unhealthyAfter: 3 });
  const app = testApp({
    config,
    store,
    ...opts.extra,
  });
  return { app, store, config };
}

const form = (fields: Record<string, string>, cookie?: string) => ({
  method: 'POST',
  headers: {
    'Content-Type': 'application/x-www-form-urlencoded',
    ...(cookie ? { Cookie: cookie } : {}),
  },
  body: new URLSearchParams(fields).toString(),
});

async function login(app: Hono): Promise<{ cookie: string; csrf: string }> {
  const res = await app.request('/desk/login', form({ token: TOKEN }));
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await app.request('/desk', { headers: { Cookie: cookie } })).text();
  const m = /name="csrf" value="([^"]+)"/.exec(page);
  expect(m).not.toBeNull();
  return { cookie, csrf: m![1]! };
}

const get = (app: Hono, path: string, cookie: string, headers: Record<string, string> = {}) =>
  app.request(path, { headers: { Cookie: cookie, ...headers } });

beforeAll(async () => {
  redis = createRedis(parseRedisTarget(testRedisUrl()));
  feeds = await startFeedServer();
  const item = {
    guid: 'g1',
    title: 'خبر',
    link: 'https://x.example/1',
    date: '2024-05-01T10:00:00Z',
  };
  feeds.routes.set('/enab.rss', { body: rssFeed('عنب بلدي', [item]) });
  feeds.routes.set('/enab2.rss', { body: rssFeed('عنب بلدي', [item]) });
});
afterAll(async () => {
  for (const c of closers) await c().catch(() => undefined);
  await closeRedis(redis);
  await feeds.close();
});

describe('desk sessions are revoked on the server', () => {
  it('refuses a copied cookie once its session has logged out (303 to the login, POST 403)', async () => {
    const { app } = appFor(TOKEN);
    const { cookie, csrf } = await login(app);
    const copy = cookie; // another browser holding the same cookie
    expect((await get(app, '/desk', copy)).status).toBe(200);
    const out = await app.request('/desk/logout', form({ csrf }, cookie));
    expect(out.status).toBe(303);
    const after = await get(app, '/desk', copy);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/desk/login');
    // The login form does not bounce the dead cookie back to /desk either.
    expect((await get(app, '/desk/login', copy)).status).toBe(200);
    const pause = await app.request('/desk/sources/cfg-en/pause', form({ csrf }, copy));
    expect(pause.status).toBe(403);
  });

  it('"log out everywhere" ends every session, other browsers included', async () => {
    const { app, store } = appFor(TOKEN);
    const a = await login(app);
    const b = await login(app);
    expect(await store.deskSessions.active(Date.now())).toBe(2);
    const health = await (await get(app, '/desk/health', a.cookie)).text();
    expect(health).toContain('Open desk sessions: 2.');
    const res = await app.request('/desk/logout-everywhere', form({ csrf: a.csrf }, a.cookie));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/desk/login');
    for (const s of [a, b]) expect((await get(app, '/desk', s.cookie)).status).toBe(303);
    expect(await store.deskSessions.active(Date.now())).toBe(0);
    // Without a CSRF token nobody logs everyone out.
    const c = await login(app);
    expect((await app.request('/desk/logout-everywhere', form({}, c.cookie))).status).toBe(403);
    expect((await get(app, '/desk', c.cookie)).status).toBe(200);
  });

  it('refuses every earlier cookie once ADMIN_TOKEN changes (the signing key derives from it)', async () => {
    const prefix = uniquePrefix('deskops');
    const before = appFor(TOKEN, { prefix });
    const { cookie } = await login(before.app);
    const other = 'another-token-9876543210';
    const after = appFor(other, { prefix });
    // The session id is still listed in Redis: it is the signature that no longer holds.
    expect(await after.store.deskSessions.active(Date.now())).toBe(1);
    const res = await get(after.app, '/desk', cookie);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/desk/login');
    expect((await get(before.app, '/desk', cookie)).status).toBe(200);
  });
});

describe('desk health page', () => {
  it('shows queues, polls, errors, workers and Redis memory in words, in English and Arabic, as /admin/api/health does', async () => {
    const prefix = uniquePrefix('deskops');
    const probe = createStore(redis, { prefix, unhealthyAfter: 3 });
    const conn = bullConnection(parseRedisTarget(testRedisUrl()), 'queue');
    const poll = createPollQueue(conn, probe.keys.queuePrefix());
    const push = createPushQueue(conn, probe.keys.queuePrefix());
    closers.push(
      () => poll.obliterate({ force: true }).then(() => poll.close()),
      () => push.obliterate({ force: true }).then(() => push.close()),
    );
    await poll.add('poll', { sourceId: 'cfg-en' }, { delay: 3_600_000 });
    await poll.add('poll', { sourceId: 'cfg-ar' });
    await poll.add('poll', { sourceId: 'cfg-ar', force: true });
    // Poll counters as workers publish them (the hash /metrics reads).
    const metrics = createMetrics({ polls: redisCounterHash(redis, probe.keys.pollMetrics()) });
    const report = (outcome: IngestReport['outcome'], durationMs: number, kind?: string) =>
      ({
        outcome,
        durationMs,
        inserted: 0,
        updated: 0,
        clustered: 0,
        ...(kind ? { error: { kind, message: kind } } : {}),
      }) as unknown as IngestReport;
    for (let i = 0; i < 8; i++) await metrics.observeReport(report('ok', 200));
    await metrics.observeReport(report('not-modified', 40));
    await metrics.observeReport(report('error', 3_000, 'timeout'));
    const t = Date.now();
    await probe.workers.beat('worker-a', t - 5_000);
    await probe.workers.beat('worker-old', t - 120_000);
    await probe.sources.patchState('cfg-ar', {
      status: 'error',
      lastFetch: new Date(t - 120_000).toISOString(),
      lastError: 'HTTP 503 من الخادم',
      lastErrorKind: 'http',
      lastErrorPermanent: false,
      consecutiveFailures: 4,
    });
    await probe.sources.patchState('cfg-en', {
      status: 'ok',
      lastFetch: new Date(t - 30_000).toISOString(),
      lastSuccess: new Date(t - 30_000).toISOString(),
    });

    const { app } = appFor(TOKEN, {
      prefix,
      extra: {
        queueCounts: () => queueCounts(poll),
        pushQueueCounts: () => queueCounts(push),
        pollSummary: () => metrics.pollSummary(),
      },
    });
    const { cookie } = await login(app);
    const res = await get(app, '/desk/health', cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('server-timing')).toMatch(/^app;dur=\d+(\.\d)?, cpu;dur=\d+(\.\d)?$/);
    const html = await res.text();
    expect(html).toContain('Ready: Redis answers and at least one worker is polling feeds.');
    // Poll queue: 2 waiting (one prioritized by BullMQ or not), 1 scheduled (delayed).
    const row = (id: string) =>
      [
        ...new RegExp(`<tr id="${id}">(.*?)</tr>`).exec(html)![1]!.matchAll(/<td[^>]*>([^<]*)</g),
      ].map((m) => m[1]);
    expect(row('queue-poll')).toEqual(['2', '0', '1', '0']);
    expect(row('queue-push')).toEqual(['0', '0', '0', '0']);
    expect(html).toContain('10 polls finished so far (all workers).');
    expect(html).toContain('half took at most 250 ms, 95 in 100 at most 5 s');
    expect(html).toContain('fetched 8 · unchanged 1 · failed 1');
    expect(html).toContain('timeout 1');
    expect(html).toContain('2 sources: 1 unhealthy, 1 failing now, 0 never fetched.');
    // The error: the source's Arabic title in its own direction, when (relative), the message.
    const err = /<tr id="error-cfg-ar">(.*?)<\/tr>/.exec(html)![1]!;
    expect(err).toContain('<span class="title" dir="auto" lang="ar">عنب بلدي</span>');
    expect(err).toMatch(/<time datetime="[^"]+" title="[^"]+">2 minutes ago<\/time>/);
    expect(err).toContain('<span class="error" dir="auto">HTTP 503 من الخادم</span>');
    expect(err).toContain('4 failures in a row');
    expect(html).not.toContain('id="error-cfg-en"');
    expect(html).toMatch(
      /<code dir="ltr">worker-a<\/code> — polling · <time[^>]*>last heard from 5 seconds ago/,
    );
    expect(html).toMatch(
      /<code dir="ltr">worker-old<\/code> — silent · <time[^>]*>last heard from 2 minutes ago/,
    );
    expect(html).toMatch(/Redis uses [\d.]+ MB \(at most [\d.]+ MB so far\)\./);
    expect(html).toContain('<a href="/desk/health">Health</a>');

    const ar = await (await get(app, '/desk/health?lang=ar', cookie)).text();
    expect(ar).toContain('<html lang="ar" dir="rtl">');
    expect(ar).toContain('جاهزة: Redis يستجيب');
    const arNum = new Intl.NumberFormat('ar');
    expect(ar).toContain(`عدد عمليات الجلب المنتهية حتى الآن (كل العمّال): ${arNum.format(10)}.`);
    expect(ar).toContain(`إخفاقات متتالية: ${arNum.format(4)}`);
    // Intl's Arabic relative time ("قبل دقيقتين") and the locale's digits in the queue table.
    expect(/<tr id="error-cfg-ar">(.*?)<\/tr>/.exec(ar)![1]).toContain(
      new Intl.RelativeTimeFormat('ar', { numeric: 'auto' }).format(-2, 'minute'),
    );
    expect(ar).toContain(
      `<tr id="queue-poll"><th scope="row">جلب الخلاصات</th><td class="num">${arNum.format(2)}</td>`,
    );

    // The admin API answers the same figures from the same service.
    const api = await app.request('/admin/api/health', {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(api.status).toBe(200);
    const j = (await api.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(j.ready).toBe(true);
    expect(j.workers.alive).toBe(1);
    expect(j.queues.poll).toMatchObject({ delayed: 1, failed: 0 });
    expect(j.polls).toMatchObject({ polls: 10, p50AtMostMs: 250, p95AtMostMs: 5000 });
    expect(j.polls.outcomes).toEqual({ ok: 8, 'not-modified': 1, error: 1 });
    expect(j.recentErrors).toHaveLength(1);
    expect(j.recentErrors[0]).toMatchObject({
      source: 'cfg-ar',
      consecutiveFailures: 4,
      kind: 'http',
    });
    expect(j.redis.memory.usedBytes).toBeGreaterThan(0);
    expect((await app.request('/admin/api/health')).status).toBe(401);
    const openapi = (await (await app.request('/admin/api/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(openapi.paths['/admin/api/health']).toBeDefined();
  });

  it('gets queue, poll and worker figures from the running service (start.ts wires them)', async () => {
    const config = testConfig(
      `
fetch: { allowPrivateNetworks: true, timeout: 2s }
sources:
  - { id: enab, url: "${feeds.url}/enab.rss", title: عنب بلدي, lang: ar }
sections:
  - { id: arabic, title: أخبار, lang: ar }
`,
      { adminToken: TOKEN },
    );
    const running = await startService(config);
    closers.push(() => running.stop());
    const health = async () => {
      const res = await fetch(`${running.server!.url}/admin/api/health`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      return (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    await expect
      .poll(async () => (await health()).polls?.outcomes?.ok ?? 0, { timeout: 20_000 })
      .toBeGreaterThan(0);
    const j = await health();
    expect(j.ready).toBe(true);
    expect(j.workers.alive).toBeGreaterThan(0);
    expect(j.queues.poll).not.toBeNull();
    expect(j.queues.push).not.toBeNull();
    expect(j.polls.p50AtMostMs).toBeGreaterThan(0);
    expect(j.sources).toMatchObject({ total: 1, failing: 0 });
  });

  it('says plainly when no worker is polling and poll figures are not known', async () => {
    const { app } = appFor(TOKEN);
    const { cookie } = await login(app);
    const html = await (await get(app, '/desk/health', cookie)).text();
    expect(html).toContain(
      'No worker has reported in the last 30 seconds: no feed is being polled.',
    );
    expect(html).toContain('Poll figures are not available on this server.');
    expect(html).toContain('No source is failing.');
  });
});

describe('desk additions', () => {
  it('gives a source added with an Arabic feed title a transliterated id, -2 for the second', async () => {
    const { app } = appFor(TOKEN);
    const { cookie, csrf } = await login(app);
    for (const path of ['/enab.rss', '/enab2.rss']) {
      const res = await app.request(
        '/desk/sources',
        form({ csrf, url: `${feeds.url}${path}` }, cookie),
      );
      expect(res.status).toBe(303);
    }
    const page = await (await get(app, '/desk', cookie)).text();
    expect(page).toContain('id="source-anb-bldi"');
    expect(page).toContain('id="source-anb-bldi-2"');
  });

  it('times every desk response on the server (Server-Timing), the login form too', async () => {
    const { app } = appFor(TOKEN);
    const loginPage = await app.request('/desk/login');
    expect(loginPage.headers.get('server-timing')).toMatch(
      /^app;dur=\d+(\.\d)?, cpu;dur=\d+(\.\d)?$/,
    );
    const { cookie } = await login(app);
    const desk = await get(app, '/desk', cookie);
    expect(desk.headers.get('server-timing')).toMatch(/^app;dur=\d+(\.\d)?, cpu;dur=\d+(\.\d)?$/);
  });

  it('sends a desk page over HTTP with its length and the headers set after rendering', async () => {
    // The timing and security headers are set on the rendered response's own Headers
    // (src/server/response-headers.ts): this checks they still reach a real HTTP client.
    const { app } = appFor(TOKEN);
    const { cookie } = await login(app);
    const server = await listen(app, { port: 0, host: '127.0.0.1' });
    closers.push(() => server.close());
    const res = await fetch(`${server.url}/desk`, { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('transfer-encoding')).toBeNull();
    expect(res.headers.get('content-length')).toBe(String(body.length));
    expect(res.headers.get('server-timing')).toMatch(/^app;dur=/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body.toString()).toContain('id="source-cfg-ar"');
  });
});
