// Webhooks managed through the admin API (issue 12) on the real service split over two processes'
// roles (a server and a worker against one Redis), with a real loopback receiver: a hook added
// through the server is followed by the worker at once, starts from the items after it, signs
// with the generated (or its own, or its environment variable's) secret, survives a restart of
// both, follows a PATCH and stops at DELETE; config hooks are read-only; bad input is refused.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { testConfig, startService, pollAll, startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { startPushPeer } from '../helpers/push-servers.ts';
import type { PushPeer, Received } from '../helpers/push-servers.ts';
import { resolveWebhookSecrets } from '../../src/config/load.ts';
import type { Config } from '../../src/domain/types.ts';
import type { Running } from '../../src/runtime/start.ts';

const TOKEN = 'test-admin-token-webhooks';
const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
const CFG_SECRET = secret();
const ENV_SECRET = secret();
process.env.TRIB_TEST_HOOK_SECRET = ENV_SECRET;

const YAML = `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: en-wire, url: "\${FEEDS}/en.rss", title: EN Wire, lang: en }
  - { id: ar-wire, url: "\${FEEDS}/ar.rss", title: AR Wire, lang: ar }
sections:
  - { id: english, title: English, lang: en, include: { langs: [en] } }
  - { id: arabic, title: عربي, lang: ar, include: { langs: [ar] } }
`;
// No webhooks in the main service's config: runtime hooks alone must get section changes out.
// A second server adds one from the config file and turns the address guard on.
const GUARDED = `${YAML.replace('allowPrivateNetworks: true', 'allowPrivateNetworks: false')}
webhooks:
  - { id: cfg, url: "\${PEER}/cfg", sections: [english], secretEnv: CFG_SECRET }
`;

let feeds: FeedServer;
let peer: PushPeer;
let server: Running;
let worker: Running;
let prefix = '';
const counts = { en: 0, ar: 0 };
const t0 = Date.now();

const title = (lang: 'en' | 'ar', i: number) =>
  lang === 'en' ? `English story ${i}` : `خبر عاجل رقم ${i} من دمشق`;

function setItems(lang: 'en' | 'ar', n: number) {
  counts[lang] = n;
  const items = Array.from({ length: n }, (_, i) => ({
    guid: `${lang}-${i}`,
    title: title(lang, i),
    link: `https://${lang}.example/s/${i}`,
    date: new Date(Math.floor((t0 - (n - i) * 60_000) / 1000) * 1000).toISOString(),
  }));
  feeds.routes.set(`/${lang}.rss`, { body: rssFeed(`${lang} wire`, items, lang) });
}

/** Adds one item to a source, polls it; returns the new item's title. */
async function newItem(lang: 'en' | 'ar'): Promise<string> {
  setItems(lang, counts[lang] + 1);
  await pollAll(server, [`${lang}-wire`]);
  return title(lang, counts[lang] - 1);
}

function config(yaml = YAML): Config {
  const c = testConfig(
    yaml,
    { adminToken: TOKEN, ...(prefix ? { redisPrefix: prefix } : {}) },
    { FEEDS: feeds.url, PEER: peer.url },
  );
  return { ...c, ...resolveWebhookSecrets(c, { CFG_SECRET }, 'test.yaml') };
}

async function start() {
  const c = config();
  prefix = c.env.redisPrefix;
  server = await startService(c, 'server');
  worker = await startService(c, 'worker');
}

async function api(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${server.server!.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, text, json: JSON.parse(text) as any };
}

const posts = (path: string) => peer.received.filter((r) => r.path === path && r.method === 'POST');

async function until<T>(read: () => T | Promise<T>, ok: (v: T) => boolean, ms = 15_000) {
  const started = Date.now();
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() - started > ms) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Delivery = { section: string; items: { id: string; title: string }[] };
const verify = (key: string, r: Received): Delivery =>
  new Webhook(key).verify(r.body.toString(), {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  }) as Delivery;
const titlesTo = (path: string, key: string, from = 0) =>
  posts(path)
    .slice(from)
    .flatMap((r) => verify(key, r).items.map((i) => i.title));

/** Waits until `path` has received `title`; returns every title it got since `from`. */
const receives = (path: string, key: string, t: string, from = 0) =>
  until(
    () => titlesTo(path, key, from),
    (ts) => ts.includes(t),
  );

let generated = '';

beforeAll(async () => {
  feeds = await startFeedServer();
  peer = await startPushPeer();
  setItems('en', 2);
  setItems('ar', 2);
  await start();
  await pollAll(server, ['en-wire', 'ar-wire']);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await server?.stop();
  await feeds?.close();
  await peer?.close();
  delete process.env.TRIB_TEST_HOOK_SECRET;
});

describe('webhooks through the admin API', () => {
  it('POST adds a hook that the worker process follows at once: generated secret returned once, signed deliveries of the items after it only', async () => {
    const add = await api('POST', '/admin/api/webhooks', {
      id: 'rt',
      url: `${peer.url}/rt`,
      sections: ['english'],
    });
    expect(add.status).toBe(201);
    generated = add.json.secret;
    expect(generated).toMatch(/^whsec_/);
    expect(Buffer.from(generated.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(add.json.webhook).toEqual({
      id: 'rt',
      origin: 'runtime',
      url: `${peer.url}/rt`,
      sections: ['english'],
      lastStatus: null,
      lastError: null,
      pending: 0,
      failed: 0,
    });
    // A hook whose secret is read from an environment variable, following every section.
    const env = await api('POST', '/admin/api/webhooks', {
      id: 'rt-env',
      url: `${peer.url}/rt-env`,
      secretEnv: 'TRIB_TEST_HOOK_SECRET',
    });
    expect(env.status).toBe(201);
    expect(env.json.secret).toBeUndefined();
    expect(env.json.webhook.sections).toBeNull();

    // The secret is never shown again.
    const list = await api('GET', '/admin/api/webhooks');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(generated.slice(6));
    expect(list.text).not.toContain('secret');
    expect(list.json.webhooks.map((h: { id: string; origin: string }) => [h.id, h.origin])).toEqual(
      [
        ['rt', 'runtime'],
        ['rt-env', 'runtime'],
      ],
    );
    expect((await api('GET', '/admin/api/webhooks/rt')).json.webhook.id).toBe('rt');

    const en = await newItem('en');
    // Only the new item: the two the section showed before the hook came are not sent.
    expect(await receives('/rt', generated, en)).toEqual([en]);
    expect(await receives('/rt-env', ENV_SECRET, en)).toEqual([en]);
    const ar = await newItem('ar');
    expect(await receives('/rt-env', ENV_SECRET, ar)).toEqual([en, ar]);
    expect(posts('/rt')).toHaveLength(1);
    expect(verify(generated, posts('/rt')[0]!).section).toBe('english');
    // The wrong key does not verify.
    expect(() => verify(secret(), posts('/rt')[0]!)).toThrow();
    // Delivered by the worker process, recorded for the server to show.
    await until(
      async () => (await api('GET', '/admin/api/webhooks/rt')).json.webhook,
      (h) => h.lastStatus === 200 && h.pending === 0,
    );
  }, 60_000);

  it('runtime hooks live in Redis: after a restart of server and worker they are listed and deliver', async () => {
    await worker.stop();
    await server.stop();
    await start();
    const list = await api('GET', '/admin/api/webhooks');
    expect(list.json.webhooks.map((h: { id: string }) => h.id)).toEqual(['rt', 'rt-env']);
    const before = posts('/rt').length;
    const en = await newItem('en');
    expect(await receives('/rt', generated, en, before)).toEqual([en]);
  }, 60_000);

  it('PATCH changes sections and secret: a newly followed section starts from now, the old one stops', async () => {
    const own = secret();
    const res = await api('PATCH', '/admin/api/webhooks/rt', { sections: ['arabic'], secret: own });
    expect(res.status).toBe(200);
    expect(res.json.webhook).toMatchObject({ id: 'rt', origin: 'runtime', sections: ['arabic'] });
    expect(res.text).not.toContain(own.slice(6));
    const before = posts('/rt').length;
    const beforeEnv = posts('/rt-env').length;
    const en = await newItem('en');
    const ar = await newItem('ar');
    // rt-env follows both: once it has both items, rt has had its chance at the English one.
    await receives('/rt-env', ENV_SECRET, ar, beforeEnv);
    await receives('/rt-env', ENV_SECRET, en, beforeEnv);
    // Only the new Arabic item, none of the Arabic items from before the change; new key.
    expect(await receives('/rt', own, ar, before)).toEqual([ar]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(titlesTo('/rt', own, before)).toEqual([ar]);
    expect(() => verify(generated, posts('/rt').at(-1)!)).toThrow();

    const url = await api('PATCH', '/admin/api/webhooks/rt', { url: `${peer.url}/rt2` });
    expect(url.json.webhook.url).toBe(`${peer.url}/rt2`);
    const ar2 = await newItem('ar');
    expect(await receives('/rt2', own, ar2)).toEqual([ar2]);
  }, 60_000);

  it('DELETE removes a runtime hook: its pending delivery is dropped and nothing more is sent', async () => {
    peer.behave.set('/rt2', { post: [500] });
    const before = posts('/rt2').length;
    await newItem('ar');
    await until(
      () => posts('/rt2').length,
      (n) => n > before,
    );
    // The failed attempt is pending, waiting for its retry.
    await until(
      () => server.store.push.webhooks.counts('rt'),
      (c) => c.pending === 1,
    );
    const del = await api('DELETE', '/admin/api/webhooks/rt');
    expect(del.status).toBe(200);
    expect(del.json).toEqual({ deleted: 'rt' });
    expect(await server.store.push.webhooks.counts('rt')).toEqual({ pending: 0, failed: 0 });
    expect(await server.store.push.webhooks.state('rt')).toBeNull();
    expect((await api('GET', '/admin/api/webhooks/rt')).status).toBe(404);
    expect(
      (await api('GET', '/admin/api/webhooks')).json.webhooks.map((h: { id: string }) => h.id),
    ).toEqual(['rt-env']);

    const sent = posts('/rt2').length;
    const beforeEnv = posts('/rt-env').length;
    const ar = await newItem('ar');
    await receives('/rt-env', ENV_SECRET, ar, beforeEnv);
    await new Promise((r) => setTimeout(r, 1000));
    expect(posts('/rt2')).toHaveLength(sent);
    expect(await server.store.push.webhooks.counts('rt')).toEqual({ pending: 0, failed: 0 });
  }, 60_000);

  it('duplicate ids 409; unknown ids 404; no token 401', async () => {
    const dup = await api('POST', '/admin/api/webhooks', { id: 'rt-env', url: `${peer.url}/dup` });
    expect(dup.status).toBe(409);
    expect(dup.json.error.details.issues[0].path).toBe('id');
    expect((await api('PATCH', '/admin/api/webhooks/nope', { url: `${peer.url}/x` })).status).toBe(
      404,
    );
    expect((await api('DELETE', '/admin/api/webhooks/nope')).status).toBe(404);
    expect((await api('POST', '/admin/api/webhooks/nope/resend')).status).toBe(404);
    expect(
      (await api('POST', '/admin/api/webhooks', { id: 'x', url: `${peer.url}/x` }, null)).status,
    ).toBe(401);
    expect((await api('DELETE', '/admin/api/webhooks/rt-env', undefined, null)).status).toBe(401);
    // Nothing was added or removed by any of these.
    expect(
      (await api('GET', '/admin/api/webhooks')).json.webhooks.map((h: { id: string }) => h.id),
    ).toEqual(['rt-env']);
  });

  it('bad input is a 400 naming the field', async () => {
    const url = `${peer.url}/bad`;
    const cases: [string, unknown, string][] = [
      ['bad id', { id: 'Not An Id', url }, 'id'],
      ['missing url', { id: 'b' }, 'url'],
      ['not a url', { id: 'b', url: 'not a url' }, 'url'],
      ['ftp url', { id: 'b', url: 'ftp://example.org/x' }, 'url'],
      ['unknown section', { id: 'b', url, sections: ['english', 'sport'] }, 'sections.1'],
      ['no sections', { id: 'b', url, sections: [] }, 'sections'],
      ['secret without prefix', { id: 'b', url, secret: 'plainsecret' }, 'secret'],
      ['short secret', { id: 'b', url, secret: 'whsec_c2hvcnQ=' }, 'secret'],
      ['both secrets', { id: 'b', url, secret: secret(), secretEnv: 'X' }, 'secret'],
      ['bad variable name', { id: 'b', url, secretEnv: 'not-a-name' }, 'secretEnv'],
      ['unset variable', { id: 'b', url, secretEnv: 'TRIB_TEST_UNSET_VAR' }, 'secretEnv'],
      ['unknown key', { id: 'b', url, extra: 1 }, ''],
    ];
    for (const [name, body, path] of cases) {
      const r = await api('POST', '/admin/api/webhooks', body);
      expect(r.status, name).toBe(400);
      expect(r.json.error.code, name).toBe('bad-request');
      expect(
        r.json.error.details.issues.map((i: { path: string }) => i.path),
        name,
      ).toContain(path);
    }
    const short = await api('POST', '/admin/api/webhooks', {
      id: 'b',
      url,
      secret: 'whsec_c2hvcnQ=',
    });
    expect(short.json.error.details.issues[0].message).toMatch(/decodes to 5 bytes/);
    expect(short.text).not.toContain('c2hvcnQ');
    expect((await api('POST', '/admin/api/webhooks', '{not json')).status).toBe(400);
    // PATCH takes the same rules, and needs something to change.
    const p = await api('PATCH', '/admin/api/webhooks/rt-env', { sections: ['sport'] });
    expect(p.status).toBe(400);
    expect(p.json.error.details.issues[0].path).toBe('sections.0');
    expect((await api('PATCH', '/admin/api/webhooks/rt-env', {})).status).toBe(400);
    expect(
      (await api('PATCH', '/admin/api/webhooks/rt-env', { secret: 'whsec_short' })).status,
    ).toBe(400);
    expect(
      (await api('GET', '/admin/api/webhooks')).json.webhooks.map((h: { id: string }) => h.id),
    ).toEqual(['rt-env']);
    expect((await api('GET', '/admin/api/webhooks/rt-env')).json.webhook.sections).toBeNull();
  });

  it('with a config hook and the address guard on: config hooks are read-only (409), their ids taken (409), private urls refused', async () => {
    const guarded = await startService(config(GUARDED), 'server');
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${guarded.server!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: res.status, json: (await res.json()) as any };
    };
    try {
      const list = await call('GET', '/admin/api/webhooks');
      expect(
        list.json.webhooks.map((h: { id: string; origin: string }) => [h.id, h.origin]),
      ).toEqual([
        ['cfg', 'config'],
        ['rt-env', 'runtime'],
      ]);
      const patch = await call('PATCH', '/admin/api/webhooks/cfg', { sections: null });
      expect(patch.status).toBe(409);
      expect(patch.json.error.code).toBe('conflict');
      expect(patch.json.error.message).toMatch(/config file and is read-only/);
      const del = await call('DELETE', '/admin/api/webhooks/cfg');
      expect(del.status).toBe(409);
      expect(del.json.error.message).toMatch(/config file and is read-only/);
      const dup = await call('POST', '/admin/api/webhooks', {
        id: 'cfg',
        url: 'https://example.org/h',
      });
      expect(dup.status).toBe(409);
      expect(dup.json.error.details.issues[0].path).toBe('id');
      expect((await call('GET', '/admin/api/webhooks/cfg')).json.webhook.sections).toEqual([
        'english',
      ]);

      for (const url of [`${peer.url}/p`, 'http://localhost:9/p', 'http://169.254.169.254/x']) {
        const r = await call('POST', '/admin/api/webhooks', { id: 'private', url });
        expect(r.status, url).toBe(400);
        expect(r.json.error.code, url).toBe('blocked-address');
        expect(r.json.error.details.issues[0].path).toBe('url');
      }
      expect(await guarded.store.push.webhooks.getRuntime('private')).toBeNull();
    } finally {
      await guarded.stop();
    }
  });

  it('the OpenAPI document describes the webhook routes', async () => {
    const doc = (await (await fetch(`${server.server!.url}/admin/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/admin/api/webhooks']!)).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/admin/api/webhooks/{id}']!)).toEqual(
      expect.arrayContaining(['get', 'patch', 'delete']),
    );
  });
});
