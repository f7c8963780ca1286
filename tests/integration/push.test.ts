// Push out (issue 12) on the running service, against real loopback peers: our WebSub hub
// (discovery, subscribe with verification of intent, lease clamp, denial, signed distribution,
// retries, 410, re-subscribe, unsubscribe) and Standard Webhooks deliveries (verified with the
// standardwebhooks package; a retry keeps its id, no item twice, a late hook starts after itself).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { testConfig, startService, pollAll, startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { startPushPeer } from '../helpers/push-servers.ts';
import type { PushPeer, Received } from '../helpers/push-servers.ts';
import { resolveWebhookSecrets } from '../../src/config/load.ts';
import type { Config } from '../../src/domain/types.ts';
import type { Running } from '../../src/runtime/start.ts';
import { subscriptionId } from '../../src/push/hub.ts';

const BASE = 'http://feeds.test';
const TOPIC = `${BASE}/feeds/news.rss`;
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

const yaml = (hooks: string) => `
site: { title: Test, baseUrl: ${BASE} }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: wire, url: "\${FEEDS}/en.rss", title: Wire, lang: en }
sections:
  - { id: news, title: News, lang: en }
  - { id: other, title: Other, lang: ar, include: { langs: [ar] } }
  - { id: everything, title: Everything }
webhooks:
${hooks}
`;
const HOOK = `  - { id: hook, url: "\${PEER}/hook", sections: [news], secretEnv: HOOK_SECRET }`;

let feeds: FeedServer;
let peer: PushPeer;
let run: Running;
let prefix: string;
let count = 0;
const now = Date.now();

function setItems(n: number) {
  count = n;
  const items = Array.from({ length: n }, (_, i) => ({
    guid: `g-${i}`,
    title: `Story number ${i}`,
    link: `https://wire.example/s/${i}`,
    date: new Date(Math.floor((now - (n - i) * 60_000) / 1000) * 1000).toISOString(),
  }));
  feeds.routes.set('/en.rss', { body: rssFeed('Wire', items) });
}

function config(hooks: string): Config {
  const c = testConfig(
    yaml(hooks),
    { adminToken: 'tok', ...(prefix ? { redisPrefix: prefix } : {}) },
    { FEEDS: feeds.url, PEER: peer.url },
  );
  return { ...c, ...resolveWebhookSecrets(c, { HOOK_SECRET: SECRET }, 'test.yaml') };
}

async function hubPost(form: Record<string, string>) {
  return fetch(`${run.server!.url}/websub`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const posts = (path: string) => peer.received.filter((r) => r.path === path && r.method === 'POST');
const gets = (path: string) => peer.received.filter((r) => r.path === path && r.method === 'GET');

async function subscribe(path: string, extra: Record<string, string> = {}, topic = TOPIC) {
  const res = await hubPost({
    'hub.mode': 'subscribe',
    'hub.topic': topic,
    'hub.callback': `${peer.url}${path}`,
    ...extra,
  });
  expect(res.status).toBe(202);
  await until(
    () => run.store.push.hub.get(subscriptionId(topic, `${peer.url}${path}`)),
    (s) => s !== null,
  );
}

/** Adds one item to the source and polls it; returns when the poll started. */
async function newItem(): Promise<number> {
  setItems(count + 1);
  const t0 = Date.now();
  await pollAll(run, ['wire']);
  return t0;
}

beforeAll(async () => {
  feeds = await startFeedServer();
  peer = await startPushPeer();
  setItems(2);
  const c = config(HOOK);
  prefix = c.env.redisPrefix;
  run = await startService(c);
  await pollAll(run, ['wire']);
});

afterAll(async () => {
  await run?.stop();
  await feeds?.close();
  await peer?.close();
});

describe('WebSub hub', () => {
  it('every section feed and digest advertises the hub: Link header, Atom link, RSS atom:link, JSON Feed hubs', async () => {
    const hub = `${BASE}/websub`;
    for (const [path, inBody] of [
      ['/feeds/news.rss', `<atom:link href="${hub}" rel="hub"/>`],
      ['/feeds/news.atom', `<link href="${hub}" rel="hub"/>`],
      ['/feeds/news.json', `"hubs":[{"type":"WebSub","url":"${hub}"}]`],
      ['/feeds/news/digest.atom', `<link href="${hub}" rel="hub"/>`],
      ['/feeds/news/digest.json?period=weekly', `"hubs":[{"type":"WebSub","url":"${hub}"}]`],
    ] as const) {
      const res = await fetch(`${run.server!.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('link')).toBe(`<${hub}>; rel="hub", <${BASE}${path}>; rel="self"`);
      expect(await res.text()).toContain(inBody);
    }
    // The fast path (a second request of a bare URL) answers with the same Link header.
    const again = await fetch(`${run.server!.url}/feeds/news.rss`);
    expect(again.headers.get('link')).toContain('rel="hub"');
  });

  it('subscribe with a secret: verification of intent with the lease clamped, then the full document signed within 2 s of the change', async () => {
    await subscribe('/signed', { 'hub.secret': 's3cret', 'hub.lease_seconds': '60' });
    const v = gets('/signed')[0]!;
    expect(v.query.get('hub.mode')).toBe('subscribe');
    expect(v.query.get('hub.topic')).toBe(TOPIC);
    expect(v.query.get('hub.lease_seconds')).toBe('3600'); // 60 clamped up to 3600
    expect(v.query.get('hub.challenge')!.length).toBeGreaterThanOrEqual(16);

    const t0 = await newItem();
    const got = await peer.waitFor((r) => r.path === '/signed' && r.method === 'POST');
    const ms = got.at - t0;
    console.log(`websub: poll start -> subscriber received the document: ${ms} ms`);
    expect(ms).toBeLessThan(2000);
    expect(got.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(got.headers['link']).toBe(`<${BASE}/websub>; rel="hub", <${TOPIC}>; rel="self"`);
    const mac = createHmac('sha256', 's3cret').update(got.body).digest('hex');
    expect(got.headers['x-hub-signature']).toBe(`sha256=${mac}`);
    expect(got.body.toString()).toContain(`Story number ${count - 1}`);
    // The full current document: what GET serves.
    const served = await (await fetch(`${run.server!.url}/feeds/news.rss`)).text();
    expect(got.body.toString()).toBe(served);
  });

  it('a subscription without a secret gets unsigned distributions (Atom with a query string, JSON Feed); unknown parameters are ignored', async () => {
    const atomSelf = (await fetch(`${run.server!.url}/feeds/news.atom?limit=5`)).headers
      .get('link')!
      .match(/<([^>]*)>; rel="self"/)![1]!;
    // Unknown parameters are ignored (websub.rocks 102).
    await subscribe('/plain', { 'hub.extra': 'x', foo: 'bar' }, atomSelf);
    expect(gets('/plain')[0]!.query.get('hub.lease_seconds')).toBe('864000'); // push.leaseSeconds
    await subscribe('/json', {}, `${BASE}/feeds/news.json`);
    await newItem();
    const got = await peer.waitFor((r) => r.path === '/plain' && r.method === 'POST');
    expect(got.headers['x-hub-signature']).toBeUndefined();
    expect(got.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(got.headers['link']).toContain(`<${atomSelf}>; rel="self"`);
    const json = await peer.waitFor((r) => r.path === '/json' && r.method === 'POST');
    expect(json.headers['content-type']).toBe('application/feed+json; charset=utf-8');
    expect((JSON.parse(json.body.toString()) as { items: unknown[] }).items.length).toBe(count);
  });

  it('verification answered wrongly or after more than 10 s stores no subscription', async () => {
    peer.behave.set('/wrong', { verify: 'wrong' });
    peer.behave.set('/slow', { verify: { delayMs: 10_800 } });
    for (const p of ['/wrong', '/slow'])
      expect(
        (
          await hubPost({
            'hub.mode': 'subscribe',
            'hub.topic': TOPIC,
            'hub.callback': `${peer.url}${p}`,
          })
        ).status,
      ).toBe(202);
    await peer.waitFor((r) => r.path === '/slow' && r.method === 'GET');
    await new Promise((r) => setTimeout(r, 11_500));
    for (const p of ['/wrong', '/slow'])
      expect(await run.store.push.hub.get(subscriptionId(TOPIC, `${peer.url}${p}`))).toBeNull();
  }, 30_000);

  it('a topic that is not ours is denied: 202, then GET hub.mode=denied with a reason; nothing stored', async () => {
    for (const [path, topic] of [
      ['/denied1', 'http://elsewhere.example/feed.xml'],
      ['/denied2', `${BASE}/feeds/nosuch.rss`],
      ['/denied3', `${BASE}/feeds/news.rss?limit=5&limit=6`],
    ] as const) {
      const res = await hubPost({
        'hub.mode': 'subscribe',
        'hub.topic': topic,
        'hub.callback': `${peer.url}${path}`,
      });
      expect(res.status).toBe(202);
      const d = await peer.waitFor((r) => r.path === path);
      expect(d.query.get('hub.mode')).toBe('denied');
      expect(d.query.get('hub.topic')).toBe(topic);
      expect(d.query.get('hub.reason')).toBeTruthy();
      expect(await run.store.push.hub.get(subscriptionId(topic, `${peer.url}${path}`))).toBeNull();
    }
  });

  it('bad subscription requests get 400 with the reason and store nothing', async () => {
    const before = await run.store.push.hub.count();
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'hub.callback': 'ftp://example.org/cb' }, /http or https/],
      [{ 'hub.callback': `${peer.url}/${'x'.repeat(2100)}` }, /longer than 2048 bytes/],
      [{ 'hub.callback': 'not a url' }, /not an absolute URL/],
      [{ 'hub.secret': 's'.repeat(200) }, /shorter than 200 bytes/],
      [{ 'hub.mode': 'publish' }, /hub.mode must be subscribe or unsubscribe/],
      [{ 'hub.topic': '' }, /hub.topic is missing/],
      [{ 'hub.lease_seconds': 'soon' }, /whole number/],
    ];
    for (const [over, reason] of cases) {
      const res = await hubPost({
        'hub.mode': 'subscribe',
        'hub.topic': TOPIC,
        'hub.callback': `${peer.url}/bad`,
        ...over,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(reason);
    }
    expect(gets('/bad')).toHaveLength(0);
    expect(await run.store.push.hub.count()).toBe(before);
  });

  it('re-subscribing renews the lease (and takes the new lease length)', async () => {
    const id = subscriptionId(TOPIC, `${peer.url}/signed`);
    const first = (await run.store.push.hub.get(id))!;
    await new Promise((r) => setTimeout(r, 20));
    await hubPost({
      'hub.mode': 'subscribe',
      'hub.topic': TOPIC,
      'hub.callback': `${peer.url}/signed`,
      'hub.secret': 's3cret',
      'hub.lease_seconds': '7200',
    });
    const renewed = await until(
      () => run.store.push.hub.get(id),
      (s) => s !== null && s.leaseSeconds === 7200,
    );
    expect(renewed!.leaseEnds).toBeGreaterThan(first.leaseEnds + 3_000_000);
    expect(gets('/signed').at(-1)!.query.get('hub.lease_seconds')).toBe('7200');
  });

  it('a subscriber answering 5xx is retried with back-off; 410 Gone ends the subscription', async () => {
    peer.behave.set('/flaky', { post: [503, 200] });
    peer.behave.set('/gone', { post: [410] });
    await subscribe('/flaky');
    await subscribe('/gone');
    await newItem();
    await until(
      async () => posts('/flaky').length,
      (n) => n >= 2,
    );
    const [a, b] = posts('/flaky') as [Received, Received];
    expect(b.at - a.at).toBeGreaterThanOrEqual(900); // the first retry waits about 1 s
    expect(b.body.equals(a.body)).toBe(true);
    await peer.waitFor((r) => r.path === '/gone' && r.method === 'POST');
    await until(
      () => run.store.push.hub.get(subscriptionId(TOPIC, `${peer.url}/gone`)),
      (s) => s === null,
    );
    // No more distributions to it.
    await newItem();
    await until(
      async () => posts('/signed').length,
      (n) => n >= 4,
    );
    expect(posts('/gone')).toHaveLength(1);
  });

  it('unsubscribe is verified, then nothing more is sent', async () => {
    const res = await hubPost({
      'hub.mode': 'unsubscribe',
      'hub.topic': TOPIC,
      'hub.callback': `${peer.url}/signed`,
    });
    expect(res.status).toBe(202);
    await until(
      () => run.store.push.hub.get(subscriptionId(TOPIC, `${peer.url}/signed`)),
      (s) => s === null,
    );
    expect(gets('/signed').at(-1)!.query.get('hub.mode')).toBe('unsubscribe');
    const sent = posts('/signed').length;
    await newItem();
    await until(
      async () => posts('/flaky').length,
      (n) => n >= 4,
    );
    expect(posts('/signed')).toHaveLength(sent);
  });

  it('subscriptions live in Redis and survive a restart', async () => {
    const before = await run.store.push.hub.count();
    expect(before).toBeGreaterThan(0);
    await run.stop();
    run = await startService(config(HOOK));
    expect(await run.store.push.hub.count()).toBe(before);
    const n = posts('/flaky').length;
    await newItem();
    await until(
      async () => posts('/flaky').length,
      (m) => m > n,
    );
  }, 30_000);
  it('with two worker processes each change is delivered once', async () => {
    const second = await startService(config(HOOK), 'worker');
    try {
      await subscribe('/once');
      const hooksBefore = posts('/hook').length;
      for (let i = 0; i < 3; i++) {
        const before = posts('/once').length;
        await newItem();
        await until(
          async () => posts('/once').length,
          (n) => n > before,
        );
      }
      await new Promise((r) => setTimeout(r, 1500));
      expect(posts('/once')).toHaveLength(3);
      const ids = posts('/hook')
        .slice(hooksBefore)
        .map((r) => r.headers['webhook-id']);
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(3);
    } finally {
      await second.stop();
    }
  }, 30_000);
});

describe('webhooks', () => {
  const verify = (r: Received) =>
    new Webhook(SECRET).verify(r.body.toString(), {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    }) as { section: string; items: { id: string; title: string }[] };

  it('deliveries verify with the standardwebhooks package; a retry keeps its id and items; no item twice', async () => {
    // Earlier tests' deliveries are all in before this one starts.
    await until(
      () => run.store.push.webhooks.counts('hook'),
      (c) => c.pending === 0,
    );
    const delivered = posts('/hook');
    expect(delivered.length).toBeGreaterThan(0);
    // The hook started with the service (empty section): every item since came, each once.
    peer.behave.set('/hook', { post: [500, 200] });
    const seenBefore = delivered.length;
    await newItem();
    const twice = await until(
      async () => {
        const ids = posts('/hook')
          .slice(seenBefore)
          .map((r) => String(r.headers['webhook-id']));
        return ids.find((id, i) => ids.indexOf(id) !== i) ?? null;
      },
      (id) => id !== null,
      40_000,
    );
    const [fail, retry] = posts('/hook').filter((r) => r.headers['webhook-id'] === twice) as [
      Received,
      Received,
    ];
    expect(retry.body.equals(fail.body)).toBe(true);
    expect(retry.at - fail.at).toBeLessThanOrEqual(30_500); // first retry within 30 s
    const byId = new Map<string, ReturnType<typeof verify>>();
    for (const r of posts('/hook')) {
      expect(r.headers['content-type']).toBe('application/json');
      byId.set(String(r.headers['webhook-id']), verify(r));
    }
    const items = [...byId.values()].flatMap((b) => b.items.map((i) => i.title));
    expect(new Set(items).size).toBe(items.length);
    expect(new Set(items)).toEqual(
      new Set(Array.from({ length: count }, (_, i) => `Story number ${i}`)),
    );
    expect([...byId.values()].every((b) => b.section === 'news')).toBe(true);
    // A wrong secret does not verify.
    expect(() =>
      new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(retry.body.toString(), {
        'webhook-id': String(retry.headers['webhook-id']),
        'webhook-timestamp': String(retry.headers['webhook-timestamp']),
        'webhook-signature': String(retry.headers['webhook-signature']),
      }),
    ).toThrow();
  }, 60_000);

  it('GET /admin/api/webhooks shows each hook with its last status, pending and failed', async () => {
    // The receiver has the retried delivery; the worker records its answer a moment later.
    const list = await until(
      async () => {
        const res = await fetch(`${run.server!.url}/admin/api/webhooks`, {
          headers: { authorization: 'Bearer tok' },
        });
        expect(res.status).toBe(200);
        return (await res.json()) as { webhooks: { lastStatus: number | null; pending: number }[] };
      },
      (j) => j.webhooks[0]?.lastStatus === 200 && j.webhooks[0].pending === 0,
    );
    expect(list).toEqual({
      webhooks: [
        {
          id: 'hook',
          origin: 'config',
          url: `${peer.url}/hook`,
          sections: ['news'],
          lastStatus: 200,
          lastError: null,
          pending: 0,
          failed: 0,
        },
      ],
    });
    const anon = await fetch(`${run.server!.url}/admin/api/webhooks`);
    expect(anon.status).toBe(401);
    const resend = await fetch(`${run.server!.url}/admin/api/webhooks/hook/resend`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok' },
    });
    expect(resend.status).toBe(202);
    expect(await resend.json()).toEqual({ id: 'hook', requeued: 0 });
    const unknown = await fetch(`${run.server!.url}/admin/api/webhooks/nope/resend`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok' },
    });
    expect(unknown.status).toBe(404);
    const api = (await (await fetch(`${run.server!.url}/admin/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(api.paths)).toEqual(
      expect.arrayContaining(['/admin/api/webhooks', '/admin/api/webhooks/{id}/resend']),
    );
  });

  it('a hook added to a running service starts from the items that arrive after it; an item in two of its sections comes once', async () => {
    await run.stop();
    run = await startService(
      config(`${HOOK}\n  - { id: late, url: "\${PEER}/late", secretEnv: HOOK_SECRET }`),
    );
    const n = posts('/hook').length;
    await newItem();
    const got = await peer.waitFor((r) => r.path === '/late' && r.method === 'POST');
    expect(verify(got).items.map((i) => i.title)).toEqual([`Story number ${count - 1}`]);
    // The item is new to two sections this hook follows (news, everything): it comes once.
    await new Promise((r) => setTimeout(r, 1500));
    expect(posts('/late')).toHaveLength(1);
    await until(
      async () => posts('/hook').length,
      (m) => m > n,
    );
    expect(verify(posts('/hook').at(-1)!).items.map((i) => i.title)).toEqual([
      `Story number ${count - 1}`,
    ]);
  }, 30_000);
});
