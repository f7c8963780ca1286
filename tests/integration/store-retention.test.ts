// Nothing grows without bound: once articles age out, everything that pointed at them (article
// hashes, URL claim buckets, LSH buckets, cluster sets, section/source/global index entries,
// manual tags) is gone after a retention sweep. Counted with SCAN on the test's key prefix before
// and after.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/index.ts';
import { createFetcher } from '../../src/pipeline/fetch/fetcher.ts';
import { createTagger } from '../../src/pipeline/tag/tagger.ts';
import { createCurator } from '../../src/curate/curator.ts';
import { ingestSource } from '../../src/pipeline/ingest.ts';
import type { IngestDeps } from '../../src/pipeline/ingest.ts';
import { runRetention } from '../../src/runtime/retention.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { FileConfig } from '../../src/domain/types.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import { startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';

const WIRE = `أعلنت وزارة الدفاع الروسية اليوم الاثنين أن طائراتها نفذت سلسلة غارات على مواقع في ريف إدلب الجنوبي شمال غربي سوريا، في تصعيد هو الأعنف منذ أشهر. وقالت الوزارة في بيان إن الغارات استهدفت مستودعات أسلحة ومقرات لفصائل المعارضة المسلحة. وأفاد ناشطون محليون بسقوط قتلى وجرحى بين المدنيين ونزوح مئات العائلات نحو الحدود التركية.`;
const STORIES = [
  'The central bank raised interest rates by half a point on Tuesday, citing persistent inflation in food and energy prices across the region and a weaker currency.',
  'Heavy rain flooded several neighbourhoods of the capital overnight, cutting power to thousands of homes and forcing schools to close while crews cleared roads.',
  'The football league postponed the weekend fixtures after a dispute over television rights between the clubs and the broadcaster remained unresolved on Friday.',
];

// maxAge 3s, the default 72 h dedupe window: buckets and clusters must follow the articles, not the window.
const YAML = `
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3s, maxPerSection: 100 }
sources:
  - { id: a, url: "\${BASE}/a.rss", lang: ar }
  - { id: b, url: "\${BASE}/b.rss", lang: ar }
tags:
  - { id: syria, label: Syria, keywords: [سوريا, Syria] }
sections:
  - { id: syria, title: سوريا, lang: ar, include: { tags: [syria] }, collapseDuplicates: true }
  - { id: all, title: All, lang: en }
`;

async function scanKeys(redis: RedisClient, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await (redis as Redis).scan(
      cursor,
      'MATCH',
      `${prefix}:*`,
      'COUNT',
      1000,
    );
    out.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return out.sort();
}

/** Key family of a key: `art`, `urlb`, `lshb`, `clu`, `sec:…:items`, … */
function family(prefix: string, key: string): string {
  return key
    .slice(prefix.length + 1)
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/^lshb:\{\}:.*/, 'lshb:{}');
}

describe('retention bounds every key', () => {
  let feeds: FeedServer;
  let redis: RedisClient;
  let store: Store;
  let cfg: FileConfig;
  const prefix = uniquePrefix('ret');

  beforeAll(async () => {
    feeds = await startFeedServer();
    redis = createRedis(parseRedisTarget(testRedisUrl()));
    store = createStore(redis, { prefix, unhealthyAfter: 3 });
    cfg = parseConfigText(YAML, 'test.yaml', { BASE: feeds.url });
  });
  afterAll(async () => {
    await closeRedis(redis);
    await feeds.close();
  });

  it('leaves only per-source state and per-section counters once every article aged out', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000); // RSS dates have whole seconds
    const date = now.toISOString();
    feeds.routes.set('/a.rss', {
      body: rssFeed(
        'A',
        [
          {
            guid: 'a1',
            title: 'غارات روسية على ريف إدلب',
            link: 'https://a.example/1',
            date,
            content: `<p>${WIRE}</p>`,
          },
          ...STORIES.map((s, i) => ({
            guid: `a-en-${i}`,
            title: s.slice(0, 40),
            link: `https://a.example/en/${i}`,
            date,
            content: `<p>${s}</p>`,
          })),
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
            date,
            content: `<p>${WIRE.replace('أعلنت', 'قالت')}</p>`,
          },
          // The same URL as one of a's stories (level-2 dedupe: a URL claim shared by two sources).
          {
            guid: 'b2',
            title: STORIES[0]!.slice(0, 40),
            link: 'https://a.example/en/0?utm_source=b',
            date,
            content: `<p>${STORIES[0]}</p>`,
          },
        ],
        'ar',
      ),
    });
    const deps: IngestDeps = {
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
      now: () => new Date(),
    };
    await ingestSource(deps, cfg.sources[0]!, { force: true });
    const rb = await ingestSource(deps, cfg.sources[1]!, { force: true });
    expect(rb.clustered).toBe(1);
    const ids = await store.articles.scanIds(0, 100);
    expect(ids).toHaveLength(5);
    await store.curation.setManualTags(
      ids[0]!,
      { add: ['featured'], remove: [] },
      Date.parse(date) + 3000,
    );

    const before = await scanKeys(redis, prefix);
    const families = new Set(before.map((k) => family(prefix, k)));
    // One key per article (body format 4): no article hash beside it.
    expect(families).not.toContain('art:{}');
    for (const f of [
      'art:{}:z',
      'art:{}:mtags',
      'urlb:{}',
      'lshb:{}',
      'clu:{}',
      'arts:{}',
      'sec:{}:items',
      'sec:{}:ver',
      'src:{}:arts',
      'src:{}:state',
    ]) {
      expect(families, f).toContain(f);
    }

    // Age out: past published + maxAge, then one sweep.
    await new Promise((r) => setTimeout(r, Date.parse(date) + 3000 - Date.now() + 300));
    await runRetention(cfg, store, new Date());
    const after = await scanKeys(redis, prefix);
    // Bounded by the number of sources and sections, not by articles.
    // (The last poll's seen-items hash, one per source, expires maxAge after that poll.)
    const families2 = after.map((k) => family(prefix, k)).sort();
    expect(families2.filter((f) => f !== 'src:{}:seen')).toEqual([
      'sec:{}:ver',
      'sec:{}:ver',
      'src:{}:state',
      'src:{}:state',
    ]);
    expect(families2.filter((f) => f === 'src:{}:seen').length).toBeLessThanOrEqual(2);
    process.stdout.write(`[retention] keys before: ${before.length}, after: ${after.length}\n`);
  }, 20_000);
});
