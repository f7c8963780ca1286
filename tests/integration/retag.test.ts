// `retag`: articles stored by the real ingest under one set of rules; the rules change; a dry run
// reports the diff and writes nothing; a real run moves the articles into the right sections and
// the served feeds show it. Manual tags (curation store) survive a retag.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Writable } from 'node:stream';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/index.ts';
import { createFetcher } from '../../src/pipeline/fetch/fetcher.ts';
import { createTagger } from '../../src/pipeline/tag/tagger.ts';
import { createCurator } from '../../src/curate/curator.ts';
import { ingestSource } from '../../src/pipeline/ingest.ts';
import { runRetag, formatRetagReport, progressBar } from '../../src/curate/retag.ts';
import type { Config } from '../../src/domain/types.ts';
import { testConfig, startFeedServer, rssFeed, testApp } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { testRedisUrl } from '../helpers/redis.ts';

const V1 = `
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: ar, url: "\${BASE}/ar.rss", lang: ar }
  - { id: en, url: "\${BASE}/en.rss", lang: en }
tags:
  - { id: syria, label: Syria, keywords: [سوريا, Syria] }
sections:
  - { id: syria, title: سوريا, lang: ar, include: { tags: [syria] } }
  - { id: english, title: English, lang: en, include: { langs: [en] } }
`;

// New rules: a karabakh tag and a caucasus section; the English section now leaves out syria;
// the `en` source carries a configured tag.
const V2 = `
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: ar, url: "\${BASE}/ar.rss", lang: ar }
  - { id: en, url: "\${BASE}/en.rss", lang: en, tags: [wire] }
tags:
  - { id: syria, label: Syria, keywords: [سوريا, Syria] }
  - { id: karabakh, label: Karabakh, keywords: [كاراباخ, Karabakh] }
  - { id: wire, label: Wire, keywords: [] }
sections:
  - { id: syria, title: سوريا, lang: ar, include: { tags: [syria] } }
  - { id: english, title: English, lang: en, include: { langs: [en] }, exclude: { tags: [syria] } }
  - { id: caucasus, title: القوقاز, lang: ar, include: { tags: [karabakh] } }
`;

const arItems = [
  {
    guid: 'ar-1',
    title: 'اشتباكات جديدة بإقليم كاراباخ',
    link: 'https://ar.example/1',
    date: '2026-01-10T10:00:00Z',
    content: '<p>تجددت الاشتباكات في إقليم كاراباخ بين القوات الأذربيجانية والأرمنية.</p>',
  },
  {
    guid: 'ar-2',
    title: 'مقاتلون من سوريا في كاراباخ',
    link: 'https://ar.example/2',
    date: '2026-01-10T09:00:00Z',
    content: '<p>تقارير عن نقل مقاتلين من شمال سوريا إلى جبهات القتال.</p>',
  },
  {
    guid: 'ar-3',
    title: 'ارتفاع أسعار الخبز في دمشق',
    link: 'https://ar.example/3',
    date: '2026-01-10T08:00:00Z',
    content: '<p>شهدت أسواق دمشق في سوريا ارتفاعا جديدا في أسعار الخبز.</p>',
  },
];
const enItems = [
  {
    guid: 'en-1',
    title: 'Ceasefire talks on Karabakh stall',
    link: 'https://en.example/1',
    date: '2026-01-10T11:00:00Z',
    content: '<p>Talks stalled again.</p>',
  },
  {
    guid: 'en-2',
    title: 'Aid convoy reaches northern Syria',
    link: 'https://en.example/2',
    date: '2026-01-10T07:00:00Z',
    content: '<p>The convoy arrived.</p>',
  },
];

describe('retag', () => {
  let feeds: FeedServer;
  let redis: RedisClient;
  let store: Store;
  let v1: Config;
  let v2: Config;

  async function ingestWith(config: Config) {
    const deps = {
      config,
      store,
      fetcher: createFetcher({
        timeoutMs: 5000,
        maxBytes: 1 << 20,
        userAgent: 'test',
        allowPrivateNetworks: true,
        maxRedirects: 5,
      }),
      hostLimiter: null,
      tagger: createTagger(config.tags),
      curator: createCurator(config.sections),
      priorityOf: () => 0,
      now: () => new Date('2026-01-11T00:00:00Z'),
    };
    const reports = [];
    for (const s of config.sources) reports.push(await ingestSource(deps, s, { force: true }));
    return reports;
  }
  const sectionIds = async (id: string) =>
    (await store.sections.list(id, 100)).map((x) => x.id).sort();
  const tagsOf = async (guid: string) =>
    (await store.articles.getMany(await allIds())).find((a) => a.guid === guid)!.tags;
  const allIds = () => store.articles.scanIds(0, 1000);
  const snapshot = async () => ({
    sections: await Promise.all(
      ['syria', 'english', 'caucasus'].map(async (s) => [
        await sectionIds(s),
        await store.sections.version(s),
      ]),
    ),
    articles: (await store.articles.getMany(await allIds())).map((a) => [a.id, a.tags]),
    secs: await store.articles.sectionsOf(await allIds()),
  });

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/ar.rss', { body: rssFeed('AR', arItems, 'ar') });
    feeds.routes.set('/en.rss', { body: rssFeed('EN', enItems) });
    redis = createRedis(parseRedisTarget(testRedisUrl()));
    v1 = testConfig(V1, {}, { BASE: feeds.url });
    v2 = testConfig(V2, { redisPrefix: v1.env.redisPrefix }, { BASE: feeds.url });
    store = createStore(redis, { prefix: v1.env.redisPrefix, unhealthyAfter: 3 });
    await ingestWith(v1);
  });
  afterAll(async () => {
    await closeRedis(redis);
    await feeds.close();
  });

  it('finds nothing to change under the rules the articles were stored with', async () => {
    const res = await runRetag({ config: v1, store }, { dryRun: true });
    expect(res.scanned).toBe(5);
    expect(res.changed).toEqual([]);
  });

  it('a dry run reports the diff under new rules and writes nothing', async () => {
    const before = await snapshot();
    const progress: [number, number][] = [];
    const res = await runRetag(
      { config: v2, store },
      { dryRun: true, pageSize: 2, onProgress: (d, t) => progress.push([d, t]) },
    );
    expect(res.scanned).toBe(5);
    const byGuid = Object.fromEntries(res.changed.map((c) => [c.title, c]));
    expect(Object.keys(byGuid).sort()).toEqual(
      [
        'Aid convoy reaches northern Syria',
        'Ceasefire talks on Karabakh stall',
        'اشتباكات جديدة بإقليم كاراباخ',
        'مقاتلون من سوريا في كاراباخ',
      ].sort(),
    );
    expect(byGuid['اشتباكات جديدة بإقليم كاراباخ']).toMatchObject({
      tagsBefore: [],
      tagsAfter: ['karabakh'],
      sectionsBefore: [],
      sectionsAfter: ['caucasus'],
    });
    expect(byGuid['مقاتلون من سوريا في كاراباخ']).toMatchObject({
      tagsBefore: ['syria'],
      tagsAfter: ['karabakh', 'syria'],
      sectionsBefore: ['syria'],
      sectionsAfter: ['syria', 'caucasus'],
    });
    expect(byGuid['Aid convoy reaches northern Syria']).toMatchObject({
      tagsBefore: ['syria'],
      tagsAfter: ['syria', 'wire'],
      sectionsBefore: ['syria', 'english'],
      sectionsAfter: ['syria'],
    });
    expect(byGuid['Ceasefire talks on Karabakh stall']).toMatchObject({
      tagsAfter: ['karabakh', 'wire'],
      sectionsAfter: ['english', 'caucasus'],
    });
    expect(progress.at(-1)).toEqual([5, 5]);
    expect(progress.length).toBeGreaterThanOrEqual(3); // pages of 2
    expect(await snapshot()).toEqual(before);
    const report = formatRetagReport(res, true);
    expect(report).toContain('+caucasus');
    expect(report).toContain('-english');
    expect(report).toMatch(/5 articles scanned, 4 would change \(dry run/);
  });

  it('a real run writes the new tags and sections, keeps manual tags, and the feeds show it', async () => {
    // An editor removed `syria` by hand from the bread-price story: retag must not bring it back.
    const curation = store.curation;
    const bread = (await store.articles.getMany(await allIds())).find((a) => a.guid === 'ar-3')!;
    await curation.setManualTags(bread.id, { add: [], remove: ['syria'] }, Date.now() + 3_600_000);
    const syriaVersion = await store.sections.version('syria');

    const res = await runRetag({ config: v2, store }, { dryRun: false });
    expect(res.changed).toHaveLength(5);
    expect(await tagsOf('ar-3')).toEqual([]);
    expect(await tagsOf('ar-1')).toEqual(['karabakh']);
    expect(await tagsOf('en-1')).toEqual(['karabakh', 'wire']);
    const id = async (guid: string) =>
      (await store.articles.getMany(await allIds())).find((a) => a.guid === guid)!.id;
    expect(await sectionIds('caucasus')).toEqual(
      [await id('ar-1'), await id('ar-2'), await id('en-1')].sort(),
    );
    expect(await sectionIds('syria')).toEqual([await id('ar-2'), await id('en-2')].sort());
    expect(await sectionIds('english')).toEqual([await id('en-1')]);
    expect(await store.sections.version('syria')).toBeGreaterThan(syriaVersion); // render caches see it

    // What a subscriber sees, from the server running with the new config.
    const app = testApp({
      config: v2,
      store,
    });
    const feed = (await (await app.request('/feeds/caucasus.json')).json()) as {
      items: { title: string; tags: string[] }[];
    };
    expect(feed.items.map((i) => i.title)).toEqual([
      'Ceasefire talks on Karabakh stall',
      'اشتباكات جديدة بإقليم كاراباخ',
      'مقاتلون من سوريا في كاراباخ',
    ]);
    expect(feed.items[0]!.tags).toEqual(expect.arrayContaining(['karabakh', 'wire']));
    const rss = await (await app.request('/feeds/english.rss')).text();
    expect(rss).not.toContain('Aid convoy');
    expect(rss).toContain('Ceasefire talks on Karabakh stall');

    // Idempotent: a second run finds nothing left to do, and a poll under the same rules agrees
    // with what retag stored (nothing "updated").
    expect((await runRetag({ config: v2, store }, { dryRun: false })).changed).toEqual([]);
    const repoll = await ingestWith(v2);
    expect(repoll.map((r) => [r.inserted, r.updated])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(await tagsOf('ar-3')).toEqual([]);
  });
});

describe('progressBar', () => {
  function sink(isTTY: boolean) {
    const chunks: string[] = [];
    const stream = Object.assign(
      new Writable({
        write(c, _e, cb) {
          chunks.push(String(c));
          cb();
        },
      }),
      { isTTY, columns: 80 },
    );
    return { stream, chunks };
  }

  it('rewrites one line on a TTY', () => {
    const { stream, chunks } = sink(true);
    const bar = progressBar(stream);
    bar.update(0, 200);
    bar.update(200, 200);
    bar.finish();
    expect(chunks.every((c) => c.startsWith('\r'))).toBe(true);
    expect(chunks.at(-1)).toMatch(/100%\s+200\/200.*\n$/);
    expect(chunks.join('').split('\n').length).toBe(2); // one line, ended once
  });

  it('prints plain lines at most every 10% when not a TTY', () => {
    const { stream, chunks } = sink(false);
    const bar = progressBar(stream);
    for (let i = 0; i <= 1000; i++) bar.update(i, 1000);
    bar.finish();
    expect(chunks.length).toBe(11);
    expect(chunks.some((c) => c.includes('\r'))).toBe(false);
    expect(chunks[5]).toMatch(/50%\s+500\/1000\n$/);
  });
});
