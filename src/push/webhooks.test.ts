// Webhook deliveries that use every attempt end failed, visible with their last error, and the
// re-send queues them again with the same id and items; secrets are checked when config loads.
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createRedis, parseRedisTarget, closeRedis } from '../store/client.ts';
import { createStore } from '../store/index.ts';
import { loadConfig, parseConfigText, readEnv, resolveWebhookSecrets } from '../config/load.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../runtime/logger.ts';
import { testRedisUrl, uniquePrefix } from '../../tests/helpers/redis.ts';
import { startPushPeer } from '../../tests/helpers/push-servers.ts';
import type { PushPeer } from '../../tests/helpers/push-servers.ts';
import { createPushHttp } from './http.ts';
import { createWebhooks, webhookMessageId } from './webhooks.ts';

const redis = createRedis(parseRedisTarget(testRedisUrl()));
let peer: PushPeer;
beforeAll(async () => {
  peer = await startPushPeer();
});
afterAll(async () => {
  await closeRedis(redis);
  await peer.close();
});

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const yaml = (url: string) => `
sections: [{ id: news, title: News }]
webhooks:
  - { id: hook, url: "${url}", secretEnv: HOOK_SECRET }
`;

describe('webhook secrets', () => {
  it('a secret without the whsec_ prefix is a config error naming the file and key', () => {
    const file = parseConfigText(yaml('https://example.org/h'), 'conf/site.yaml');
    expect(() =>
      resolveWebhookSecrets(file, { HOOK_SECRET: 'plainsecret' }, 'conf/site.yaml'),
    ).toThrow(
      /conf\/site\.yaml[\s\S]*webhooks\[0\]\.secretEnv: HOOK_SECRET must hold whsec_.*no whsec_ prefix/,
    );
    expect(() => resolveWebhookSecrets(file, {}, 'conf/site.yaml')).toThrow(
      /webhooks\[0\]\.secretEnv: environment variable HOOK_SECRET is not set/,
    );
    expect(() =>
      resolveWebhookSecrets(file, { HOOK_SECRET: 'whsec_c2hvcnQ=' }, 'conf/site.yaml'),
    ).toThrow(/decodes to 5 bytes/);
    expect(
      resolveWebhookSecrets(file, { HOOK_SECRET: SECRET }, 'conf/site.yaml').webhooks[0]!.secret,
    ).toBe(SECRET);
  });

  it('loading the config (what start does) reads and checks the secret', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'trib-wh-')), 'site.yaml');
    writeFileSync(path, yaml('https://example.org/h'));
    expect(() => loadConfig({ path, env: { HOOK_SECRET: 'nope' } })).toThrow(
      new RegExp(`${path}[\\s\\S]*webhooks\\[0\\]\\.secretEnv`),
    );
    expect(loadConfig({ path, env: { HOOK_SECRET: SECRET } }).webhooks[0]!.secret).toBe(SECRET);
  });
});

describe('webhook delivery', () => {
  it('a delivery that used every attempt is failed with its last error; re-send keeps id and items', async () => {
    const file = resolveWebhookSecrets(
      parseConfigText(yaml(`${peer.url}/h`), 'test.yaml'),
      { HOOK_SECRET: SECRET },
      'test.yaml',
    );
    const config = {
      ...file,
      fetch: { ...file.fetch, allowPrivateNetworks: true },
      env: { ...readEnv({}), redisPrefix: uniquePrefix('wh') },
    };
    const store = createStore(redis, { prefix: config.env.redisPrefix, unhealthyAfter: 3 });
    const queued: [string, string, string | undefined][] = [];
    const hooks = createWebhooks({
      config,
      store,
      http: createPushHttp({ allowPrivateNetworks: true, userAgent: 'test' }),
      log: createLogger({ level: 'silent', pretty: false }),
      now: () => new Date(),
      priorityOf: () => 0,
      enqueue: async (h, d, j) => void queued.push([h, d, j]),
    });
    const d = await store.push.webhooks.claim('hook', 'news', ['a1', 'a2'], {
      nowMs: Date.now(),
      keepMs: 86_400_000,
      deliveryId: 'hook.news.7',
    });
    expect(d!.itemIds).toEqual(['a1', 'a2']);
    // The same items are not claimed again, by another delivery…
    expect(
      await store.push.webhooks.claim('hook', 'news', ['a1', 'a2'], {
        nowMs: Date.now(),
        keepMs: 86_400_000,
        deliveryId: 'hook.news.8',
      }),
    ).toBeNull();
    // …nor for another section…
    expect(
      await store.push.webhooks.claim('hook', 'other', ['a2', 'a1'], {
        nowMs: Date.now(),
        keepMs: 86_400_000,
        deliveryId: 'hook.other.3',
      }),
    ).toBeNull();
    // …while a re-run of the same delivery gets it back unchanged.
    expect(
      (await store.push.webhooks.claim('hook', 'news', ['a1', 'a2', 'a3'], {
        nowMs: Date.now(),
        keepMs: 86_400_000,
        deliveryId: 'hook.news.7',
      }))!.itemIds,
    ).toEqual(['a1', 'a2']);
    const body = JSON.stringify({ section: 'news', items: [{ id: 'a1' }, { id: 'a2' }] });
    await store.push.webhooks.savePending('hook', { ...d!, body });

    peer.behave.set('/h', { post: [500] });
    await expect(hooks.deliver('hook', d!.id, false)).rejects.toThrow(/HTTP 500/);
    await expect(hooks.deliver('hook', d!.id, true)).rejects.toThrow(/HTTP 500/);
    const admin = hooks.admin();
    expect(await admin.list()).toEqual([
      {
        id: 'hook',
        origin: 'config',
        url: `${peer.url}/h`,
        sections: null,
        lastStatus: 500,
        lastError: 'HTTP 500',
        pending: 0,
        failed: 1,
      },
    ]);

    expect(await admin.resend('nope')).toBeNull();
    expect(await admin.resend('hook')).toBe(1);
    expect(queued).toHaveLength(1);
    expect(queued[0]![0]).toBe('hook');
    expect(queued[0]![1]).toBe(d!.id);
    expect(queued[0]![2]).toMatch(/^whd\.hook\.news\.7\.r\d+$/);
    expect((await admin.list())[0]).toMatchObject({ pending: 1, failed: 0 });

    peer.behave.set('/h', { post: [204] });
    expect(await hooks.deliver('hook', d!.id, false)).toBe('sent');
    const sent = peer.received.filter((r) => r.path === '/h');
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([webhookMessageId(d!.id)]),
    );
    expect(new Set(sent.map((r) => r.body.toString()))).toEqual(new Set([body]));
    const last = sent.at(-1)!;
    expect(
      new Webhook(SECRET).verify(last.body.toString(), {
        'webhook-id': String(last.headers['webhook-id']),
        'webhook-timestamp': String(last.headers['webhook-timestamp']),
        'webhook-signature': String(last.headers['webhook-signature']),
      }),
    ).toEqual(JSON.parse(body));
    expect((await admin.list())[0]).toMatchObject({
      lastStatus: 204,
      lastError: null,
      pending: 0,
      failed: 0,
    });
    // Delivered: a duplicate job finds nothing to send.
    expect(await hooks.deliver('hook', d!.id, false)).toBe('gone');
  });

  it('a hook added at runtime (in Redis) is delivered to with its secret; once deleted, its pending delivery is dropped: no request, not retried', async () => {
    const file = parseConfigText('sections: [{ id: news, title: News }]', 'test.yaml');
    const config = {
      ...file,
      fetch: { ...file.fetch, allowPrivateNetworks: true },
      env: { ...readEnv({}), redisPrefix: uniquePrefix('whrt') },
    };
    const store = createStore(redis, { prefix: config.env.redisPrefix, unhealthyAfter: 3 });
    const hooks = createWebhooks({
      config,
      store,
      http: createPushHttp({ allowPrivateNetworks: true, userAgent: 'test' }),
      log: createLogger({ level: 'silent', pretty: false }),
      now: () => new Date(),
      priorityOf: () => 0,
      enqueue: async () => undefined,
    });
    const rtSecret = `whsec_${randomBytes(32).toString('base64')}`;
    await store.push.webhooks.putRuntime({
      id: 'rt',
      url: `${peer.url}/rt`,
      sections: null,
      secret: rtSecret,
      secretEnv: null,
      createdAt: Date.now(),
    });
    const pending = async (deliveryId: string, itemId: string) => {
      const d = await store.push.webhooks.claim('rt', 'news', [itemId], {
        nowMs: Date.now(),
        keepMs: 86_400_000,
        deliveryId,
      });
      const body = JSON.stringify({ section: 'news', items: [{ id: itemId }] });
      await store.push.webhooks.savePending('rt', { ...d!, body });
      return body;
    };
    const body = await pending('rt.news.1', 'x1');
    expect(await hooks.deliver('rt', 'rt.news.1', false)).toBe('sent');
    const got = peer.received.filter((r) => r.path === '/rt');
    expect(got).toHaveLength(1);
    expect(
      new Webhook(rtSecret).verify(got[0]!.body.toString(), {
        'webhook-id': String(got[0]!.headers['webhook-id']),
        'webhook-timestamp': String(got[0]!.headers['webhook-timestamp']),
        'webhook-signature': String(got[0]!.headers['webhook-signature']),
      }),
    ).toEqual(JSON.parse(body));
    expect((await hooks.admin().list()).map((h) => [h.id, h.origin])).toEqual([['rt', 'runtime']]);

    // Deleted while a delivery waits for its retry (the admin API also forgets it at once).
    await pending('rt.news.2', 'x2');
    expect(await store.push.webhooks.counts('rt')).toEqual({ pending: 1, failed: 0 });
    await store.push.webhooks.deleteRuntime('rt');
    expect(await hooks.deliver('rt', 'rt.news.2', false)).toBe('gone');
    expect(peer.received.filter((r) => r.path === '/rt')).toHaveLength(1);
    expect(await store.push.webhooks.counts('rt')).toEqual({ pending: 0, failed: 0 });
    // What a fan-out that raced the delete claimed for the hook is dropped with it.
    expect(await redis.exists(store.keys.webhookClaimed('rt'))).toBe(0);
    expect(await hooks.admin().list()).toEqual([]);
    expect(await hooks.admin().resend('rt')).toBeNull();
  });

  it('keeps at most a bounded number of failed deliveries per hook, dropping the oldest', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('whf'), unhealthyAfter: 3 });
    for (let i = 1; i <= 3; i++)
      await store.push.webhooks.fail(
        'hook',
        { id: `d${i}`, sectionId: 'news', itemIds: [], body: '{}', createdAt: i },
        2,
      );
    expect(await store.push.webhooks.counts('hook')).toEqual({ pending: 0, failed: 2 });
    expect((await store.push.webhooks.unfail('hook')).map((d) => d.id).sort()).toEqual([
      'd2',
      'd3',
    ]);
    expect(await store.push.webhooks.counts('hook')).toEqual({ pending: 2, failed: 0 });
  });
});
