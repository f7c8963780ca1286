// The hub's request handling through the real app (app.request) on a real Redis: the SSRF guard
// on callbacks, and the subscription limit (503 with Retry-After).
import { describe, it, expect, afterAll } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from '../store/client.ts';
import { createStore } from '../store/index.ts';
import { parseConfigText, readEnv } from '../config/load.ts';
import { testRedisUrl, uniquePrefix } from '../../tests/helpers/redis.ts';
import { createPushHttp } from './http.ts';
import { clampLease, subscriptionId } from './hub.ts';
import { webhookBackoffMs, WEBHOOK_ATTEMPTS } from '../queues/queues.ts';
import { testApp } from '../../tests/helpers/service.ts';

const redis = createRedis(parseRedisTarget(testRedisUrl()));
afterAll(() => closeRedis(redis));

function app(opts: { allowPrivate: boolean; max: number }) {
  const file = parseConfigText(
    `site: { baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: ${opts.allowPrivate} }
push: { maxSubscriptions: ${opts.max} }
sections: [{ id: news, title: News }]`,
    'test.yaml',
  );
  const config = { ...file, env: { ...readEnv({}), redisPrefix: uniquePrefix('hub') } };
  const store = createStore(redis, { prefix: config.env.redisPrefix, unhealthyAfter: 3 });
  const a = testApp({
    config,
    store,
    pushHttp: createPushHttp({ allowPrivateNetworks: opts.allowPrivate, userAgent: 'test' }),
  });
  const post = (form: Record<string, string>) =>
    a.request('/websub', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  return { store, post };
}

const TOPIC = 'http://feeds.test/feeds/news.rss';

describe('hub requests', () => {
  it('refuses callbacks at private addresses unless fetch.allowPrivateNetworks, with the reason', async () => {
    const { post, store } = app({ allowPrivate: false, max: 10 });
    for (const cb of [
      'http://127.0.0.1:9/cb',
      'http://[::1]/cb',
      'http://10.1.2.3/cb',
      'http://169.254.169.254/latest/meta-data',
      'http://localhost/cb',
    ]) {
      const res = await post({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': cb });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/not a public address/);
    }
    expect(await store.push.hub.count()).toBe(0);
  });

  it('answers 503 with Retry-After once push.maxSubscriptions exist; a renewal still passes', async () => {
    const { post, store } = app({ allowPrivate: true, max: 2 });
    for (const cb of ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b']) {
      const ok = await store.push.hub.put(
        {
          id: subscriptionId(TOPIC, cb),
          topic: TOPIC,
          callback: cb,
          sectionId: 'news',
          secret: null,
          leaseSeconds: 3600,
          leaseEnds: Date.now() + 3_600_000,
          createdAt: Date.now(),
        },
        2,
      );
      expect(ok).toBe(true);
    }
    const full = await post({
      'hub.mode': 'subscribe',
      'hub.topic': TOPIC,
      'hub.callback': 'http://127.0.0.1:9/c',
    });
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('3600');
    // The store refuses a third one too (a race past the check), but takes a renewal.
    const third = {
      id: 'x',
      topic: TOPIC,
      callback: 'http://127.0.0.1:9/c',
      sectionId: 'news',
      secret: null,
      leaseSeconds: 3600,
      leaseEnds: Date.now() + 3_600_000,
      createdAt: Date.now(),
    };
    expect(await store.push.hub.put(third, 2)).toBe(false);
    const renew = await post({
      'hub.mode': 'subscribe',
      'hub.topic': TOPIC,
      'hub.callback': 'http://127.0.0.1:9/a',
    });
    expect(renew.status).toBe(202);
    // A lease that has ended no longer counts: the next subscription gets in.
    const b = (await store.push.hub.get(subscriptionId(TOPIC, 'http://127.0.0.1:9/b')))!;
    await store.push.hub.put({ ...b, leaseEnds: Date.now() - 1 }, 2);
    const after = await post({
      'hub.mode': 'subscribe',
      'hub.topic': TOPIC,
      'hub.callback': 'http://127.0.0.1:9/c',
    });
    expect(after.status).toBe(202);
    expect(await store.push.hub.count()).toBe(1);
  });

  it('clamps leases to [3600, 2592000] and uses push.leaseSeconds when none is asked', () => {
    expect(clampLease(60, 864000)).toBe(3600);
    expect(clampLease(99_999_999, 864000)).toBe(2_592_000);
    expect(clampLease(null, 864000)).toBe(864000);
  });

  it('drops expired leases', async () => {
    const { store } = app({ allowPrivate: true, max: 10 });
    const base = {
      topic: TOPIC,
      sectionId: 'news',
      secret: null,
      leaseSeconds: 3600,
      createdAt: 0,
    };
    await store.push.hub.put({ ...base, id: 'old', callback: 'http://x/1', leaseEnds: 1000 }, 10);
    await store.push.hub.put({ ...base, id: 'new', callback: 'http://x/2', leaseEnds: 9e12 }, 10);
    expect((await store.push.hub.forSection('news', 5000)).map((s) => s.id)).toEqual(['new']);
    expect(await store.push.hub.dropExpired(5000)).toBe(1);
    expect(await store.push.hub.count()).toBe(1);
  });
});

describe('webhook back-off', () => {
  it('first retry within 30 s, doubling to 1 h, at least 8 attempts', () => {
    const at = (n: number, r: number) => webhookBackoffMs(n, () => r);
    expect(at(1, 0)).toBe(30_000);
    expect(at(1, 1)).toBe(24_000); // jitter only shortens
    expect(at(2, 0)).toBe(60_000);
    expect(at(7, 0)).toBe(1_920_000);
    expect(at(8, 0)).toBe(3_600_000);
    expect(at(20, 0)).toBe(3_600_000);
    expect(WEBHOOK_ATTEMPTS).toBeGreaterThanOrEqual(8);
    const total = Array.from({ length: WEBHOOK_ATTEMPTS - 1 }, (_, i) => at(i + 1, 0)).reduce(
      (a, b) => a + b,
    );
    expect(total / 3_600_000).toBeGreaterThan(20); // about a day of retries
  });
});
