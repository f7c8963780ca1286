// The sources table's order and filters, computed by the source service (querySources) over
// sources and states in a real Redis: broken first (error, then paused, new, ok) then title;
// sort by title, last fetch, next poll and articles both ways (missing times last); filters by
// text, state and section. And the edit form's settings: no secret in them, an empty secret on
// save keeps the stored one.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/index.ts';
import {
  createSourceService,
  parseSourceQuery,
  querySources,
} from '../../src/server/services/sources.ts';
import type { SourceService } from '../../src/server/services/sources.ts';
import type { SourceConfig } from '../../src/domain/types.ts';
import { testRedisUrl } from '../helpers/redis.ts';
import { testConfig } from '../helpers/service.ts';

const CONFIG = `
fetch: { allowPrivateNetworks: true, timeout: 2s }
sections:
  - { id: arabic, title: أخبار, lang: ar }
  - { id: world, title: World, lang: en }
  - { id: picks, title: Picks, lang: en, include: { sources: [zed] } }
sources:
  - { id: zed, url: "http://127.0.0.1:9/zed.rss", title: Yankee }
`;

let redis: RedisClient;
let store: Store;
let svc: SourceService;

const runtime = (id: string, title: string, sections: string[] = []): SourceConfig => ({
  id,
  url: `http://127.0.0.1:9/${id}.rss`,
  title,
  lang: null,
  interval: null,
  tags: [],
  priority: 0,
  enabled: true,
  origin: 'runtime',
  sections,
});

beforeAll(async () => {
  redis = createRedis(parseRedisTarget(testRedisUrl()));
  const config = testConfig(CONFIG);
  store = createStore(redis, { prefix: config.env.redisPrefix, unhealthyAfter: 3 });
  svc = createSourceService({ config, store, now: () => new Date() });
  // ok-b: ok, fetched 10:00, next 11:00, 3 articles; ok-a: ok, fetched 09:00, next 12:00, 7;
  // err: error; paused: paused (was ok); fresh: never fetched; zed (from the config file): ok
  // without times, 1 article.
  await store.sources.putRuntime(runtime('ok-b', 'Bravo', ['world']));
  await store.sources.putRuntime(runtime('ok-a', 'alpha', ['world', 'arabic']));
  await store.sources.putRuntime(runtime('err', 'Zulu broken', ['arabic']));
  await store.sources.putRuntime(runtime('paused', 'Mike', []));
  await store.sources.putRuntime(runtime('fresh', 'عنب بلدي', ['arabic']));
  const st = store.sources;
  await st.patchState('ok-b', {
    status: 'ok',
    lastFetch: '2024-05-01T10:00:00.000Z',
    lastSuccess: '2024-05-01T10:00:00.000Z',
    nextPoll: '2024-05-01T11:00:00.000Z',
  });
  await st.patchState('ok-a', {
    status: 'ok',
    lastFetch: '2024-05-01T09:00:00.000Z',
    lastSuccess: '2024-05-01T09:00:00.000Z',
    nextPoll: '2024-05-01T12:00:00.000Z',
  });
  await st.patchState('err', {
    status: 'error',
    lastFetch: '2024-05-01T08:00:00.000Z',
    lastError: 'http: 404',
    consecutiveFailures: 1,
  });
  await st.patchState('paused', { status: 'ok', lastFetch: '2024-05-01T07:00:00.000Z' });
  await svc.setPaused('paused', true);
  await st.patchState('zed', { status: 'ok' });
  const arts = (id: string, n: number) =>
    n &&
    redis.zadd(
      store.keys.sourceArticles(id),
      ...Array.from({ length: n }, (_, i) => [i, `a${i}`]).flat(),
    );
  await Promise.all([arts('ok-b', 3), arts('ok-a', 7), arts('zed', 1)]);
});

afterAll(async () => {
  await closeRedis(redis);
});

const ids = async (params: Record<string, string>) =>
  querySources(await svc.list(), parseSourceQuery(params)).map((s) => s.id);

describe('the sources table order (service)', () => {
  it('lists broken first, then paused, new and ok ones, by title within each (the default)', async () => {
    expect(await ids({})).toEqual(['err', 'paused', 'fresh', 'ok-a', 'ok-b', 'zed']);
    expect(await ids({ sort: 'health', dir: 'desc' })).toEqual([
      'ok-a',
      'ok-b',
      'zed',
      'fresh',
      'paused',
      'err',
    ]);
  });

  it('sorts by title either way, case-insensitively', async () => {
    expect(await ids({ sort: 'title' })).toEqual(['ok-a', 'ok-b', 'paused', 'zed', 'err', 'fresh']);
    expect(await ids({ sort: 'title', dir: 'desc' })).toEqual([
      'fresh',
      'err',
      'zed',
      'paused',
      'ok-b',
      'ok-a',
    ]);
  });

  it('sorts by last fetch and next poll with the sources that have none last, either way', async () => {
    expect(await ids({ sort: 'lastFetch' })).toEqual([
      'paused',
      'err',
      'ok-a',
      'ok-b',
      'zed',
      'fresh',
    ]);
    expect(await ids({ sort: 'lastFetch', dir: 'desc' })).toEqual([
      'ok-b',
      'ok-a',
      'err',
      'paused',
      'zed',
      'fresh',
    ]);
    // A paused source has no next poll.
    expect((await ids({ sort: 'nextPoll' })).slice(0, 2)).toEqual(['ok-b', 'ok-a']);
    expect((await ids({ sort: 'nextPoll', dir: 'desc' })).slice(0, 2)).toEqual(['ok-a', 'ok-b']);
  });

  it('sorts by article count, ties by title', async () => {
    expect(await ids({ sort: 'articles', dir: 'desc' })).toEqual([
      'ok-a',
      'ok-b',
      'zed',
      'paused',
      'err',
      'fresh',
    ]);
    expect((await ids({ sort: 'articles' })).slice(-3)).toEqual(['zed', 'ok-b', 'ok-a']);
  });

  it('filters by text in the title, id or URL, by state and by section, then sorts', async () => {
    expect(await ids({ q: 'BRAVO' })).toEqual(['ok-b']);
    expect(await ids({ q: 'عنب' })).toEqual(['fresh']);
    expect(await ids({ q: '/zed.rss' })).toEqual(['zed']);
    expect(await ids({ state: 'broken' })).toEqual(['err']);
    expect(await ids({ state: 'ok' })).toEqual(['ok-a', 'ok-b', 'zed']);
    expect(await ids({ section: 'arabic' })).toEqual(['err', 'fresh', 'ok-a']);
    expect(await ids({ section: 'world', sort: 'title', dir: 'desc' })).toEqual(['ok-b', 'ok-a']);
    expect(await ids({ section: 'arabic', state: 'ok', q: 'alp' })).toEqual(['ok-a']);
    // A section's include.sources places a source there too.
    expect(await ids({ section: 'picks' })).toEqual(['zed']);
  });

  it('ignores unknown sort, direction and state values (the default order)', async () => {
    expect(parseSourceQuery({ sort: 'evil', dir: 'sideways', state: 'x', section: 'A B' })).toEqual(
      { q: null, state: null, section: null, sort: 'health', dir: 'asc' },
    );
  });
});

describe('per-source settings on the edit form (service)', () => {
  it('gives the form no secret, and an empty secret on save keeps the stored one', async () => {
    await store.sources.putRuntime({
      ...runtime('sec', 'Secret feed'),
      fetch: {
        headers: { 'X-Api-Key': 'k-very-secret', 'Accept-Language': 'ar' },
        auth: { basic: { user: 'reader', passwordEnv: 'DESK_PASS_VAR' } },
        charset: 'windows-1256',
      },
    });
    const form = await svc.formSettings('sec');
    expect(JSON.stringify(form)).not.toContain('k-very-secret');
    expect(JSON.stringify(form)).not.toContain('DESK_PASS_VAR');
    expect(form.headers).toEqual([
      { name: 'X-Api-Key', value: null },
      { name: 'Accept-Language', value: 'ar' },
    ]);
    expect(form.auth).toEqual({ kind: 'basic', user: 'reader' });

    // Saved with the secrets left empty (what the edit form posts): both stay.
    await svc.update(
      'sec',
      {
        fetch: {
          headers: { 'X-Api-Key': '', 'Accept-Language': 'en' },
          auth: { basic: { user: 'reader2', passwordEnv: '' } },
        },
      },
      { keepSecrets: true },
    );
    const stored = (await store.sources.listRuntime()).find((s) => s.id === 'sec')!;
    expect(stored.fetch).toEqual({
      headers: { 'X-Api-Key': 'k-very-secret', 'Accept-Language': 'en' },
      auth: { basic: { user: 'reader2', passwordEnv: 'DESK_PASS_VAR' } },
    });

    // A new value replaces it; without keepSecrets (the admin API) an empty one is taken as is.
    await svc.update(
      'sec',
      { fetch: { headers: { 'X-Api-Key': 'k-new' } } },
      { keepSecrets: true },
    );
    expect((await store.sources.listRuntime()).find((s) => s.id === 'sec')!.fetch).toEqual({
      headers: { 'X-Api-Key': 'k-new' },
    });
    await svc.update('sec', { fetch: { headers: { 'X-Api-Key': '' } } });
    expect((await store.sources.listRuntime()).find((s) => s.id === 'sec')!.fetch).toEqual({
      headers: { 'X-Api-Key': '' },
    });
  });
});
