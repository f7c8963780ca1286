// The ingest orchestrator against a real Redis and loopback feeds: the three dedupe levels,
// idempotence under a job run twice and under two concurrent pollers, clusters and retention.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/index.ts';
import { createFetcher } from '../../src/pipeline/fetch/fetcher.ts';
import { createTagger } from '../../src/pipeline/tag/tagger.ts';
import { createCurator } from '../../src/curate/curator.ts';
import { selectItems } from '../../src/curate/select.ts';
import { ingestSource } from '../../src/pipeline/ingest.ts';
import type { IngestDeps } from '../../src/pipeline/ingest.ts';
import { runRetention } from '../../src/runtime/retention.ts';
import { selectPage } from '../../src/server/routes/feeds.ts';
import { parseFeedQuery } from '../../src/server/query.ts';
import type { ServerDeps } from '../../src/server/deps.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { FileConfig, SourceConfig } from '../../src/domain/types.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import { startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';

const WIRE_AR = `أعلنت وزارة الدفاع الروسية اليوم الاثنين أن طائراتها نفذت سلسلة غارات على مواقع في ريف إدلب الجنوبي شمال غربي سوريا، في تصعيد هو الأعنف منذ أشهر. وقالت الوزارة في بيان إن الغارات استهدفت مستودعات أسلحة ومقرات لفصائل المعارضة المسلحة. وأفاد ناشطون محليون بسقوط قتلى وجرحى بين المدنيين ونزوح مئات العائلات نحو الحدود التركية. ويأتي التصعيد بعد أسابيع من محادثات بين موسكو وأنقرة حول مستقبل المنطقة.`;
const WIRE_AR_EDITED = `قالت وزارة الدفاع الروسية اليوم الاثنين إن طائراتها نفذت سلسلة غارات على مواقع في ريف إدلب الجنوبي شمال غربي سوريا، في تصعيد هو الأعنف منذ أشهر. وذكرت الوزارة في بيان أن الغارات استهدفت مستودعات أسلحة ومقرات لفصائل المعارضة المسلحة. وأفاد ناشطون محليون بسقوط قتلى وجرحى بين المدنيين ونزوح مئات العائلات نحو الحدود التركية. ويأتي التصعيد بعد أسابيع من محادثات بين موسكو وأنقرة حول مستقبل المنطقة.`;
const OTHER_AR = `افتتح في دمشق معرض الكتاب السنوي بمشاركة أكثر من مئتي دار نشر عربية وأجنبية، وسط إقبال لافت من الزوار. ويستمر المعرض عشرة أيام ويتضمن ندوات فكرية وأمسيات شعرية وتوقيع كتب جديدة لكتاب سوريين وعرب.`;

const YAML = `
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d, maxPerSection: 4 }
sources:
  - { id: a, url: "\${BASE}/a.rss", lang: ar, priority: 0 }
  - { id: b, url: "\${BASE}/b.rss", lang: ar, priority: 0 }
tags:
  - { id: syria, label: Syria, keywords: [سوريا, سوري, دمشق] }
sections:
  - { id: syria, title: سوريا, lang: ar, include: { tags: [syria] }, collapseDuplicates: true }
  - { id: all, title: All, lang: ar, limit: 50 }
  - { id: from-a, title: A, lang: ar, include: { sources: [a] }, collapseDuplicates: true }
`;

describe('ingest', () => {
  let feeds: FeedServer;
  let redis: RedisClient;
  let store: Store;
  let cfg: FileConfig;
  let deps: IngestDeps;
  let src: Record<string, SourceConfig>;

  beforeAll(async () => {
    feeds = await startFeedServer();
    redis = createRedis(parseRedisTarget(testRedisUrl()));
  });
  afterAll(async () => {
    await closeRedis(redis);
    await feeds.close();
  });
  beforeEach(() => {
    cfg = parseConfigText(YAML, 'test.yaml', { BASE: feeds.url });
    store = createStore(redis, { prefix: uniquePrefix('ing'), unhealthyAfter: 3 });
    deps = {
      config: cfg,
      store,
      fetcher: createFetcher({
        timeoutMs: 5000,
        maxBytes: 1 << 20,
        userAgent: 'test',
        allowPrivateNetworks: true,
        maxRedirects: 5,
      }),
      hostLimiter: null,
      tagger: createTagger(cfg.tags),
      curator: createCurator(cfg.sections),
      priorityOf: () => 0,
      now: () => new Date('2026-11-20T12:00:00Z'),
    };
    src = Object.fromEntries(cfg.sources.map((s) => [s.id, s]));
  });

  const items = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      guid: `${prefix}-${i}`,
      title: `خبر رقم ${i} من سوريا`,
      link: `https://${prefix}.example/news/${i}`,
      date: `2026-11-${String(10 + i).padStart(2, '0')}T10:00:00Z`,
      content: `<p>${OTHER_AR} ${i}</p>`,
    }));

  async function sectionIds(id: string) {
    return (await store.sections.list(id, 100)).map((x) => x.id);
  }

  it('a job run twice leaves the state of one run (level 1)', async () => {
    feeds.routes.set('/a.rss', { body: rssFeed('A', items('a', 5), 'ar') });
    const r1 = await ingestSource(deps, src.a!, { force: true });
    expect(r1.inserted).toBe(5);
    const snapshot = await sectionIds('all');
    const r2 = await ingestSource(deps, src.a!, { force: true });
    expect(r2.inserted).toBe(0);
    expect(r2.unchanged).toBe(5);
    // A crash after the articles but before the poll was remembered: the retry re-stores nothing.
    await store.redis.del(store.keys.sourceSeen('a'));
    const r3 = await ingestSource(deps, src.a!, { force: true });
    expect([r3.inserted, r3.updated, r3.unchanged]).toEqual([0, 0, 5]);
    expect(await sectionIds('all')).toEqual(snapshot);
    expect((await store.sources.getState('a')).articleCount).toBe(5);
  });

  it('after a Redis restart (a new run id) the next poll refetches and reprocesses everything', async () => {
    feeds.routes.set('/a.rss', { body: rssFeed('A', items('a', 3), 'ar') });
    await ingestSource(deps, src.a!, { force: true });
    expect((await store.sources.getState('a')).epoch).toBe(await store.epoch());
    const requests = feeds.requests.length;
    // As if the previous poll had started in an earlier life of the data set.
    await store.sources.patchState('a', { epoch: 'an-earlier-life' });
    await store.sections.remove('all', await sectionIds('all')); // writes that life lost
    const r = await ingestSource(deps, src.a!, { force: true });
    expect(r.unchanged).toBe(3); // processed again (the articles themselves survived)
    expect(await sectionIds('all')).toHaveLength(3); // and the lost index entries are back
    expect(feeds.requests[requests]!.headers['if-none-match']).toBeUndefined();
  });

  it('two concurrent pollers of one source store each article once', async () => {
    feeds.routes.set('/a.rss', { body: rssFeed('A', items('a', 6), 'ar') });
    const [r1, r2] = await Promise.all([
      ingestSource(deps, src.a!, { force: true }),
      ingestSource(deps, src.a!, { force: true }),
    ]);
    expect(r1.inserted + r2.inserted).toBe(6);
    expect(await sectionIds('all')).toHaveLength(4); // maxPerSection
    expect(await store.articles.total()).toBe(6);
  });

  it('an edited item is updated in place, never a second article', async () => {
    const one = items('a', 1);
    feeds.routes.set('/a.rss', { body: rssFeed('A', one, 'ar') });
    await ingestSource(deps, src.a!, { force: true });
    feeds.routes.set('/a.rss', {
      body: rssFeed('A', [{ ...one[0]!, title: 'عنوان معدل من سوريا' }], 'ar'),
    });
    const r = await ingestSource(deps, src.a!, { force: true });
    expect(r.updated).toBe(1);
    const ids = await sectionIds('all');
    expect(ids).toHaveLength(1);
    expect((await store.articles.get(ids[0]!))!.title).toBe('عنوان معدل من سوريا');
  });

  it('the same canonical URL from two sources is one article with both sources (level 2)', async () => {
    const shared = {
      guid: 'x',
      title: 'خبر مشترك من سوريا',
      link: 'https://wire.example/story?utm_source=a',
      date: '2026-11-15T10:00:00Z',
      content: `<p>${OTHER_AR}</p>`,
    };
    feeds.routes.set('/a.rss', { body: rssFeed('A', [shared], 'ar') });
    feeds.routes.set('/b.rss', {
      body: rssFeed(
        'B',
        [{ ...shared, guid: 'y', link: 'http://wire.example/story?fbclid=1' }],
        'ar',
      ),
    });
    await ingestSource(deps, src.a!, { force: true });
    await ingestSource(deps, src.b!, { force: true });
    const ids = await sectionIds('all');
    expect(ids).toHaveLength(1);
    expect((await store.articles.get(ids[0]!))!.sources.sort()).toEqual(['a', 'b']);
  });

  it('near-duplicate stories from two outlets form one cluster, collapsed in the section (level 3)', async () => {
    feeds.routes.set('/a.rss', {
      body: rssFeed(
        'A',
        [
          {
            guid: 'a1',
            title: 'غارات روسية على ريف إدلب',
            link: 'https://a.example/1',
            date: '2026-11-15T10:00:00Z',
            content: `<p>${WIRE_AR}</p>`,
          },
          {
            guid: 'a2',
            title: 'معرض الكتاب في دمشق',
            link: 'https://a.example/2',
            date: '2026-11-15T08:00:00Z',
            content: `<p>${OTHER_AR}</p>`,
          },
        ],
        'ar',
      ),
    });
    feeds.routes.set('/b.rss', {
      body: rssFeed(
        'B',
        [
          {
            guid: 'b1',
            title: 'تصعيد روسي في إدلب: غارات هي الأعنف منذ أشهر',
            link: 'https://b.example/1',
            date: '2026-11-15T11:00:00Z',
            content: `<p>${WIRE_AR_EDITED}</p>`,
          },
        ],
        'ar',
      ),
    });
    await ingestSource(deps, src.a!, { force: true });
    const rb = await ingestSource(deps, src.b!, { force: true });
    expect(rb.clustered).toBe(1);
    const sel = await selectItems(
      store,
      cfg.sections[0]!,
      { limit: 10, tags: [], lang: null, q: null, before: null },
      () => 0,
    );
    expect(sel.items).toHaveLength(2); // the wire story once, the book fair once
    const story = sel.items.find((i) => i.storySources.length === 2)!;
    expect(story.title).toBe('غارات روسية على ريف إدلب'); // the earliest is the representative
    expect(story.related.map((r) => r.url)).toEqual(['https://b.example/1']);
    expect(story.storySources.sort()).toEqual(['a', 'b']);
  });

  it('two near-duplicates stored at the same moment by two pollers form one story', async () => {
    feeds.routes.set('/a.rss', {
      body: rssFeed(
        'A',
        [
          {
            guid: 'a1',
            title: 'غارات روسية على ريف إدلب',
            link: 'https://a.example/1',
            date: '2026-11-15T10:00:00Z',
            content: `<p>${WIRE_AR}</p>`,
          },
        ],
        'ar',
      ),
    });
    feeds.routes.set('/b.rss', {
      body: rssFeed(
        'B',
        [
          {
            guid: 'b1',
            title: 'تصعيد روسي في إدلب',
            link: 'https://b.example/1',
            date: '2026-11-15T11:00:00Z',
            content: `<p>${WIRE_AR_EDITED}</p>`,
          },
        ],
        'ar',
      ),
    });
    const [ra, rb] = await Promise.all([
      ingestSource(deps, src.a!, { force: true }),
      ingestSource(deps, src.b!, { force: true }),
    ]);
    // Whichever wrote second found the first in the LSH buckets with its signature already stored.
    expect(ra.clustered + rb.clustered).toBe(1);
    const ids = await store.articles.scanIds(0, 10);
    const stored = await store.articles.getMany(ids);
    expect(new Set(stored.map((a) => a.clusterId)).size).toBe(1);
  });

  it('a story gaining a member bumps the sections of its representative too', async () => {
    feeds.routes.set('/a.rss', {
      body: rssFeed(
        'A',
        [
          {
            guid: 'a1',
            title: 'غارات روسية على ريف إدلب',
            link: 'https://a.example/1',
            date: '2026-11-15T10:00:00Z',
            content: `<p>${WIRE_AR}</p>`,
          },
        ],
        'ar',
      ),
    });
    feeds.routes.set('/b.rss', {
      body: rssFeed(
        'B',
        [
          {
            guid: 'b1',
            title: 'تصعيد روسي في إدلب',
            link: 'https://b.example/1',
            date: '2026-11-15T11:00:00Z',
            content: `<p>${WIRE_AR_EDITED}</p>`,
          },
        ],
        'ar',
      ),
    });
    await ingestSource(deps, src.a!, { force: true });
    const before = await store.sections.version('from-a');
    // b's article is not in from-a, but a's (the representative) is, and now shows b as related.
    expect((await ingestSource(deps, src.b!, { force: true })).clustered).toBe(1);
    expect(await store.sections.version('from-a')).toBeGreaterThan(before);
    const sel = await selectItems(
      store,
      cfg.sections.find((s) => s.id === 'from-a')!,
      { limit: 10, tags: [], lang: null, q: null, before: null },
      () => 0,
    );
    expect(sel.items.map((i) => i.related.map((r) => r.url))).toEqual([['https://b.example/1']]);
  });

  it('paging a collapsed section shows every story once, at its newest member', async () => {
    feeds.routes.set('/a.rss', {
      body: rssFeed(
        'A',
        [
          {
            guid: 'a1',
            title: 'غارات روسية على ريف إدلب',
            link: 'https://a.example/1',
            date: '2026-11-15T10:00:00Z',
            content: `<p>${WIRE_AR}</p>`,
          },
          {
            guid: 'y',
            title: 'خبر قصير من سوريا',
            link: 'https://a.example/y',
            date: '2026-11-15T09:00:00Z',
            content: '<p>سوريا اليوم</p>',
          },
        ],
        'ar',
      ),
    });
    feeds.routes.set('/b.rss', {
      body: rssFeed(
        'B',
        [
          {
            guid: 'b1',
            title: 'تصعيد روسي في إدلب',
            link: 'https://b.example/1',
            date: '2026-11-15T14:00:00Z',
            content: `<p>${WIRE_AR_EDITED}</p>`,
          },
          {
            guid: 'x',
            title: 'خبر آخر من سوريا',
            link: 'https://b.example/x',
            date: '2026-11-15T12:00:00Z',
            content: '<p>دمشق مساء</p>',
          },
        ],
        'ar',
      ),
    });
    await ingestSource(deps, src.a!, { force: true });
    expect((await ingestSource(deps, src.b!, { force: true })).clustered).toBe(1);
    const serverDeps = { store, priorityOf: () => 0 } as unknown as ServerDeps;
    const titles: string[] = [];
    let cursor = '';
    for (let page = 0; page < 6; page++) {
      const q = parseFeedQuery(
        new URL(`http://x/feeds/syria.json?limit=1${cursor}`),
        new Set(['syria']),
      );
      const p = await selectPage(serverDeps, cfg.sections[0]!, q, Date.now());
      titles.push(...p.items.map((i) => i.title));
      if (!p.next) break;
      cursor = `&before=${p.next.ms}.${p.next.id}`;
    }
    // The wire story (shown by its earliest version) where its newest member sits, then the rest.
    expect(titles).toEqual(['غارات روسية على ريف إدلب', 'خبر آخر من سوريا', 'خبر قصير من سوريا']);
  });

  it('manual tags survive a re-poll that rewrites the article', async () => {
    const item = {
      guid: 'm',
      title: 'خبر عن الاقتصاد',
      link: 'https://a.example/m',
      date: '2026-11-15T10:00:00Z',
      content: '<p>نص قصير عن الأسعار والأسواق في المنطقة</p>',
    };
    feeds.routes.set('/a.rss', { body: rssFeed('A', [item], 'ar') });
    await ingestSource(deps, src.a!, { force: true });
    const [id] = await sectionIds('all');
    expect(await sectionIds('syria')).toEqual([]);
    await store.curation.setManualTags(id!, { add: ['syria'], remove: [] }, Date.now() + 3_600_000);
    feeds.routes.set('/a.rss', {
      body: rssFeed('A', [{ ...item, title: 'خبر معدل عن الاقتصاد' }], 'ar'),
    });
    expect((await ingestSource(deps, src.a!, { force: true })).updated).toBe(1);
    expect((await store.articles.get(id!))!.tags).toContain('syria');
    expect(await sectionIds('syria')).toEqual([id]);
  });

  it('a section holds at most maxPerSection items, the newest, as it grows and after a sweep', async () => {
    feeds.routes.set('/a.rss', { body: rssFeed('A', items('a', 6), 'ar') });
    await ingestSource(deps, src.a!, { force: true });
    const newest = (await store.articles.scanIds(0, 10)).slice(-4).reverse();
    expect(await sectionIds('all')).toEqual(newest);
    // Older items joining later (a feed's back catalogue) do not push newer ones out.
    feeds.routes.set('/a.rss', {
      body: rssFeed(
        'A',
        [...items('a', 6), ...items('old', 2).map((i) => ({ ...i, date: '2020-01-01T00:00:00Z' }))],
        'ar',
      ),
    });
    await ingestSource(deps, src.a!, { force: true });
    expect(await sectionIds('all')).toEqual(newest);
    await runRetention(cfg, store, deps.now());
    const left = await store.sections.list('all', 10);
    expect(left).toHaveLength(4);
    expect(left.map((x) => x.score)).toEqual([...left.map((x) => x.score)].sort((x, y) => y - x));
  });

  it('records fetch failures as source state and backs off', async () => {
    feeds.routes.delete('/a.rss');
    const r = await ingestSource(deps, src.a!, { force: true });
    expect(r.outcome).toBe('error');
    expect(r.error?.kind).toBe('http');
    const st = await store.sources.getState('a');
    expect(st.status).toBe('error');
    expect(st.consecutiveFailures).toBe(1);
    expect(Date.parse(st.nextPoll!)).toBeGreaterThan(deps.now().getTime());
    // Not forced: the back-off holds the next poll.
    expect((await ingestSource(deps, src.a!)).outcome).toBe('skipped');
  });
});
