// The whole service on a real local 3-master Redis Cluster: the store (every Lua script and
// multi-key write inside one hash slot) and BullMQ under the hash-tagged prefix `{…:q}`. Same user
// path as tests/e2e/service.test.ts: fixture feeds -> scheduler + worker -> section feeds.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Cluster } from 'ioredis';
import {
  testConfig,
  startService,
  pollAll as pollAllOnce,
  startFeedServer,
  rssFeed,
} from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { startRedisCluster } from '../helpers/redis-cluster.ts';
import type { LocalCluster } from '../helpers/redis-cluster.ts';
import type { Running } from '../../src/runtime/start.ts';
import { runRetention } from '../../src/runtime/retention.ts';
import { runRetag } from '../../src/curate/retag.ts';

const WIRE = `أعلنت وزارة الدفاع الروسية اليوم الاثنين أن طائراتها نفذت سلسلة غارات على مواقع في ريف إدلب الجنوبي شمال غربي سوريا، في تصعيد هو الأعنف منذ أشهر. وقالت الوزارة في بيان إن الغارات استهدفت مستودعات أسلحة ومقرات لفصائل المعارضة المسلحة. وأفاد ناشطون محليون بسقوط قتلى وجرحى بين المدنيين ونزوح مئات العائلات نحو الحدود التركية. ويأتي التصعيد بعد أسابيع من محادثات بين موسكو وأنقرة حول مستقبل المنطقة.`;
const WIRE_EDITED = WIRE.replace('أعلنت', 'قالت').replace(
  'وقالت الوزارة في بيان إن',
  'وذكرت الوزارة في بيان أن',
);
const OTHER = `افتتح في دمشق معرض الكتاب السنوي بمشاركة أكثر من مئتي دار نشر عربية وأجنبية، وسط إقبال لافت من الزوار. ويستمر المعرض عشرة أيام ويتضمن ندوات فكرية وأمسيات شعرية وتوقيع كتب جديدة لكتاب سوريين وعرب.`;

const CONFIG = `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: a, url: "\${BASE}/a.rss", title: A, lang: ar }
  - { id: b, url: "\${BASE}/b.rss", title: B, lang: ar }
  - { id: world, url: "\${BASE}/en.rss", title: World desk, lang: en }
tags:
  - { id: syria, label: Syria, keywords: [سوريا, سوري, دمشق, Syria, Syrian] }
  - { id: karabakh, label: Karabakh, keywords: [كاراباخ, Karabakh] }
sections:
  - { id: syria, title: سوريا, lang: ar, include: { tags: [syria] }, collapseDuplicates: true }
  - { id: world, title: World, lang: en, include: { langs: [en] } }
`;

const aItems = [
  {
    guid: 'a1',
    title: 'غارات روسية على ريف إدلب',
    link: 'https://a.example/1',
    date: '2026-01-15T10:00:00Z',
    content: `<p>${WIRE}</p>`,
  },
  {
    guid: 'a2',
    title: 'معرض الكتاب في دمشق',
    link: 'https://a.example/2',
    date: '2026-01-15T08:00:00Z',
    content: `<p>${OTHER}</p>`,
  },
];
const bItems = [
  {
    guid: 'b1',
    title: 'تصعيد روسي في إدلب: غارات هي الأعنف منذ أشهر',
    link: 'https://b.example/1',
    date: '2026-01-15T11:00:00Z',
    content: `<p>${WIRE_EDITED}</p>`,
  },
];
const enItems = [
  {
    guid: 'w-1',
    title: 'Azerbaijan and Armenia trade accusations over Karabakh',
    link: 'https://news.example/karabakh-1',
    date: '2026-01-15T12:00:00Z',
    content: '<p>Fighting continued in Karabakh.</p>',
  },
  {
    guid: 'w-2',
    title: 'Syrian refugees return to Idlib',
    link: 'https://news.example/idlib',
    date: '2026-01-14T09:00:00Z',
  },
];

interface JsonFeed {
  items: {
    id: string;
    title: string;
    url: string;
    tags: string[];
    _tributary: { source: string; sources: string[]; related: string[] };
  }[];
}

/** pollAll, and on a timeout the queue's view of things (why did no worker take the job?). */
async function pollAll(run: Running, ids: string[]) {
  try {
    await pollAllOnce(run, ids);
  } catch (e) {
    const counts = await run.queue.getJobCounts().catch((err: Error) => err.message);
    const jobs = await run.queue
      .getJobs(['waiting', 'active', 'delayed', 'failed', 'prioritized'], 0, 20)
      .catch(() => []);
    throw new Error(
      `${(e as Error).message}\nqueue: ${JSON.stringify(counts)}\njobs: ${JSON.stringify(jobs.map((j) => ({ id: j.id, data: j.data, failed: j.failedReason, ts: j.timestamp, processedOn: j.processedOn })))}`,
    );
  }
}

/**
 * Waits until the schedulers' first polls are done: a forced poll overlapping a scheduled one of
 * the same source can finish first and have its `lastFetch` overwritten by the older one.
 */
async function settle(run: Running, ids: string[]) {
  const t0 = Date.now();
  for (;;) {
    const [counts, states] = await Promise.all([
      run.queue.getJobCounts('active', 'waiting'),
      Promise.all(ids.map((id) => run.store.sources.getState(id))),
    ]);
    if (counts.active === 0 && counts.waiting === 0 && states.every((s) => s.lastFetch)) return;
    if (Date.now() - t0 > 20_000)
      throw new Error(`scheduled polls did not settle: ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Tributary on a 3-master Redis Cluster', () => {
  let cluster: LocalCluster;
  let feeds: FeedServer;
  let run: Running;
  let base: string;
  const json = async (path: string) => (await (await fetch(`${base}${path}`)).json()) as JsonFeed;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    feeds = await startFeedServer();
    feeds.routes.set('/a.rss', { body: rssFeed('A', aItems, 'ar') });
    feeds.routes.set('/b.rss', { body: rssFeed('B', bItems, 'ar') });
    feeds.routes.set('/en.rss', { body: rssFeed('World desk', enItems) });
    run = await startService(testConfig(CONFIG, { redisUrl: cluster.url }, { BASE: feeds.url }));
    base = run.server!.url;
    await settle(run, ['a', 'b', 'world']);
    await pollAll(run, ['a']);
    await pollAll(run, ['b', 'world']);
  });

  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
    await cluster?.stop();
  });

  it('runs on an ioredis Cluster whose keys really spread over the three masters', async () => {
    expect(run.store.redis).toBeInstanceOf(Cluster);
    const c = run.store.redis as Cluster;
    const perNode = await Promise.all(c.nodes('master').map((n) => n.dbsize()));
    expect(perNode).toHaveLength(3);
    expect(perNode.filter((x) => x > 0).length).toBe(3);
  });

  it("knows the data set's life from every master's run id (a restart of any one forces a full re-poll)", async () => {
    const epoch = await run.store.epoch();
    expect(epoch).toMatch(/^[\w-]{16}$/);
    expect((await run.store.sources.getState('a')).epoch).toBe(epoch);
  });

  it('serves the polled articles in the section feeds', async () => {
    const world = await json('/feeds/world.json');
    expect(world.items.map((i) => i.title)).toEqual([
      'Azerbaijan and Armenia trade accusations over Karabakh',
      'Syrian refugees return to Idlib',
    ]);
    expect(world.items[0]!.tags).toContain('karabakh');
    const rss = await fetch(`${base}/feeds/syria.rss`);
    expect(rss.status).toBe(200);
    expect(await rss.text()).toContain('معرض الكتاب في دمشق');
  });

  it('collapses near-duplicates from two outlets into one story', async () => {
    const syria = await json('/feeds/syria.json');
    // The wire story once (two outlets), the book fair, and the English item tagged syria.
    expect(syria.items.map((i) => i.title).sort()).toEqual(
      ['Syrian refugees return to Idlib', 'غارات روسية على ريف إدلب', 'معرض الكتاب في دمشق'].sort(),
    );
    const story = syria.items.find((i) => i._tributary.sources.length === 2)!;
    expect(story).toBeDefined();
    expect(story.title).toBe('غارات روسية على ريف إدلب');
    expect(story._tributary.sources.sort()).toEqual(['a', 'b']);
    expect(story._tributary.related).toEqual(['https://b.example/1']);
  });

  it('a second poll adds no duplicates; a new item shows up first', async () => {
    const before = await json('/feeds/world.json');
    await pollAll(run, ['a', 'b', 'world']);
    expect((await json('/feeds/world.json')).items).toEqual(before.items);
    expect((await json('/feeds/syria.json')).items).toHaveLength(3);
    expect(await run.store.articles.total()).toBe(5);
    feeds.routes.set('/en.rss', {
      body: rssFeed('World desk', [
        {
          guid: 'w-3',
          title: 'Ceasefire announced in Karabakh',
          link: 'https://news.example/ceasefire',
          date: '2026-01-16T08:00:00Z',
        },
        ...enItems,
      ]),
    });
    await pollAll(run, ['world']);
    const after = await json('/feeds/world.json');
    expect(after.items.map((i) => i.title)[0]).toBe('Ceasefire announced in Karabakh');
    expect(new Set(after.items.map((i) => i.id)).size).toBe(3);
  });

  it('runs retention and a retag dry run against the cluster', async () => {
    await runRetention(run.config, run.store, new Date());
    const res = await runRetag({ config: run.config, store: run.store }, { dryRun: true });
    expect(res.scanned).toBe(6);
    expect(res.changed).toEqual([]);
  });
});
