// Entries a source sends are entries we keep (issue 14: the same-URL rule within a source), and
// those we do not keep are counted where a user sees them (issue 18: items older than retention).
// Real corpus fixtures through the real ingest path, a real Redis and a loopback feed server.
import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/index.ts';
import { createFetcher } from '../../src/pipeline/fetch/fetcher.ts';
import { createTagger } from '../../src/pipeline/tag/tagger.ts';
import { createCurator } from '../../src/curate/curator.ts';
import { ingestSource } from '../../src/pipeline/ingest.ts';
import type { IngestDeps } from '../../src/pipeline/ingest.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { SourceConfig } from '../../src/domain/types.ts';
import { sourceHealth } from '../../src/server/source-health.ts';
import { createPollProcessor } from '../../workers/poll.worker.ts';
import type { Logger } from '../../src/runtime/logger.ts';
import type { PollJobData } from '../../src/queues/queues.ts';
import type { Job } from 'bullmq';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import { startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';

const corpus = (name: string) =>
  readFileSync(new URL(`../fixtures/corpus/${name}`, import.meta.url));

describe('source fidelity', () => {
  let feeds: FeedServer;
  let redis: RedisClient;

  beforeAll(async () => {
    feeds = await startFeedServer();
    redis = createRedis(parseRedisTarget(testRedisUrl()));
  });
  afterAll(async () => {
    await closeRedis(redis);
    await feeds.close();
  });

  function setup(
    maxAge: string,
    now: string,
  ): { deps: IngestDeps; store: Store; src: SourceConfig } {
    const cfg = parseConfigText(
      `
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: ${maxAge} }
sources:
  - { id: s, url: "\${BASE}/feed.rss", lang: en }
sections:
  - { id: all, title: All, lang: en, limit: 200 }
`,
      'test.yaml',
      { BASE: feeds.url },
    );
    const store = createStore(redis, { prefix: uniquePrefix('fid'), unhealthyAfter: 3 });
    const deps: IngestDeps = {
      config: cfg,
      store,
      fetcher: createFetcher({
        timeoutMs: 5000,
        maxBytes: 4 << 20,
        userAgent: 'test',
        allowPrivateNetworks: true,
        maxRedirects: 5,
      }),
      hostLimiter: null,
      tagger: createTagger(cfg.tags),
      curator: createCurator(cfg.sections),
      priorityOf: () => 0,
      now: () => new Date(now),
    };
    return { deps, store, src: cfg.sources[0]! };
  }

  it('a podcast whose 131 episodes share the show homepage link stores 131 articles', async () => {
    // python feedparser reads 131 entries from this fixture; 124 link to the show's homepage, and
    // two repeat one guid (different titles): a source error, kept apart and counted.
    feeds.routes.set('/feed.rss', { body: corpus('itunes-missing-image.rss') });
    const { deps, store, src } = setup('7300d', '2016-01-01T00:00:00Z');
    const r = await ingestSource(deps, src, { force: true });
    expect(r.outcome).toBe('ok');
    expect(r.fetched).toBe(131);
    expect(r.inserted).toBe(131);
    const state = await store.sources.getState('s');
    expect(state.articleCount).toBe(131);
    expect(await store.articles.total()).toBe(131);
    expect(state.duplicateGuids).toBe(1);
    expect(sourceHealth(src, state)).toMatchObject({ duplicateGuids: 1 });
    // A second poll changes nothing: every episode keeps its id.
    const again = await ingestSource(deps, src, { force: true });
    expect([again.inserted, again.updated]).toEqual([0, 0]);
    expect(await store.articles.total()).toBe(131);
  });

  it('a source re-sending an item without a guid under a link it holds is one article', async () => {
    const { deps, store, src } = setup('30d', '2026-11-20T12:00:00Z');
    const item = {
      guid: 'g-1',
      title: 'Council approves the budget',
      link: 'https://news.example/budget',
      date: '2026-11-19T10:00:00Z',
      content: '<p>The council approved the budget on Thursday.</p>',
    };
    feeds.routes.set('/feed.rss', { body: rssFeed('S', [item], 'en') });
    await ingestSource(deps, src, { force: true });
    // The same item again, without its guid (and with a new date).
    const noGuid = rssFeed('S', [{ ...item, date: '2026-11-19T11:00:00Z' }], 'en').replace(
      /<guid[^>]*>[^<]*<\/guid>/,
      '',
    );
    expect(noGuid).not.toContain('<guid');
    feeds.routes.set('/feed.rss', { body: noGuid });
    await ingestSource(deps, src, { force: true });
    expect(await store.articles.total()).toBe(1);
  });

  it('items of one source with different guids and one link are different articles, across polls too', async () => {
    const { deps, store, src } = setup('30d', '2026-11-20T12:00:00Z');
    const ep = (n: number) => ({
      guid: `ep-${n}`,
      title: `Episode ${n}`,
      link: 'https://show.example/',
      date: `2026-11-1${n}T10:00:00Z`,
      content: `<p>Episode ${n} notes.</p>`,
    });
    feeds.routes.set('/feed.rss', { body: rssFeed('S', [ep(1), ep(2)], 'en') });
    expect((await ingestSource(deps, src, { force: true })).inserted).toBe(2);
    feeds.routes.set('/feed.rss', { body: rssFeed('S', [ep(1), ep(2), ep(3)], 'en') });
    expect((await ingestSource(deps, src, { force: true })).inserted).toBe(1);
    expect(await store.articles.total()).toBe(3);
    expect((await store.sources.getState('s')).duplicateGuids).toBe(0);
  });

  it('items older than retention.maxAge are counted on the source, in /api/sources and in the poll log line', async () => {
    // 25 craigslist ads from June 2017, read in 2026 with a 30-day retention.
    feeds.routes.set('/feed.rss', { body: corpus('craigslist.rss') });
    const { deps, store, src } = setup('30d', '2026-11-20T12:00:00Z');
    const lines: string[] = [];
    const log = {
      info: (_o: unknown, msg: string) => void lines.push(msg),
      warn: (_o: unknown, msg: string) => void lines.push(msg),
    } as unknown as Logger;
    const processPoll = createPollProcessor({ ...deps, log });
    const job = { data: { sourceId: 's', force: true } } as Job<PollJobData>;
    const r = await processPoll(job);
    expect(r.outcome).toBe('ok');
    expect(r.inserted).toBe(0);
    expect(r.skippedTooOld).toBe(25);
    expect(lines).toEqual([
      'poll s: ok, 0 new, 0 updated, 25 items older than retention.maxAge (30d) skipped',
    ]);
    const state = await store.sources.getState('s');
    expect(state.skippedTooOld).toBe(25);
    expect(sourceHealth(src, state)).toMatchObject({ skippedTooOld: 25, articleCount: 0 });
    // The next poll skips the unchanged items without reading them, and still counts them.
    const again = await processPoll(job);
    expect([again.skippedTooOld, again.unchanged]).toEqual([25, 25]);
    expect((await store.sources.getState('s')).skippedTooOld).toBe(25);

    // A retention that reaches 2017 reads them again and stores them.
    const longer = setup('3650d', '2026-11-20T12:00:00Z');
    const stored = await ingestSource({ ...longer.deps, store }, longer.src, { force: true });
    expect([stored.inserted, stored.skippedTooOld]).toEqual([25, 0]);
    expect((await store.sources.getState('s')).skippedTooOld).toBe(0);
  });
});
