// Recall and precision of story clustering through the real store path (LSH buckets in Redis,
// bounded candidate lookup, signature check) on the labelled pairs of tests/fixtures/dedupe-pairs:
// each pair on its own (the fixture reuses texts across pairs), its first text from one source,
// its second from another an hour later.
import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { ingestSource } from '../../src/pipeline/ingest.ts';
import { testRedisUrl } from '../helpers/redis.ts';
import { startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { lookupSetup } from './dedupe-lookup.helpers.ts';

interface Pair {
  a: { title: string; text: string };
  b: { title: string; text: string };
  same: boolean;
}
const pairs = JSON.parse(
  readFileSync(new URL('../fixtures/dedupe-pairs/pairs.json', import.meta.url), 'utf8'),
) as Pair[];

describe('story clustering through the store', () => {
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

  it('clusters the labelled same-story pairs (recall ≥ 0.8, precision ≥ 0.9)', async () => {
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (const [i, p] of pairs.entries()) {
      const { deps, store, src } = lookupSetup(redis, feeds.url, 2);
      for (const side of ['a', 'b'] as const) {
        const item = {
          guid: `${side}-${i}`,
          title: p[side].title,
          link: `https://${side}.example/${i}`,
          date: `2026-11-20T0${side === 'a' ? 8 : 9}:00:00Z`,
          content: `<p>${esc(p[side].text)}</p>`,
        };
        feeds.routes.set(`/x${side === 'a' ? 0 : 1}.rss`, { body: rssFeed(side, [item], 'en') });
      }
      await ingestSource(deps, src[0]!, { force: true });
      await ingestSource(deps, src[1]!, { force: true });
      const stored = await store.articles.getMany(await store.articles.scanIds(0, 10));
      expect(stored).toHaveLength(2);
      const [x, y] = stored.map((a) => a.clusterId ?? a.id);
      const together = x === y;
      if (p.same && together) tp++;
      else if (p.same) fn++;
      else if (together) fp++;
      else tn++;
    }
    const precision = tp / Math.max(1, tp + fp);
    const recall = tp / Math.max(1, tp + fn);
    console.log(
      `store clustering on dedupe pairs: n=${pairs.length} tp=${tp} fp=${fp} fn=${fn} tn=${tn} precision=${precision.toFixed(3)} recall=${recall.toFixed(3)}`,
    );
    expect(recall).toBeGreaterThanOrEqual(0.8);
    expect(precision).toBeGreaterThanOrEqual(0.9);
  });
});
