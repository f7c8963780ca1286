// The near-duplicate lookup reads a bounded number of candidate signatures per article, however
// many articles share its words (issue 17: templated text made it quadratic). ~2,000 items
// generated from a ~100-word vocabulary, from 4 sources, through the real ingest path and Redis.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { ingestSource } from '../../src/pipeline/ingest.ts';
import { LOOKUP_LIMITS, lookupStats } from '../../src/pipeline/dedupe/classify.ts';
import { testRedisUrl } from '../helpers/redis.ts';
import { startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { lookupSetup } from './dedupe-lookup.helpers.ts';

const VOCAB = (
  'apply now full time part time remote office senior junior engineer developer manager sales ' +
  'support customer service driver warehouse nurse teacher salary benefits health dental vision ' +
  'paid leave bonus weekly monthly experience required preferred skills team growth company ' +
  'location city downtown north south east west shift morning evening night weekend schedule ' +
  'flexible contract temporary permanent training provided degree diploma license english ' +
  'arabic communication excellent strong ability work independently fast paced environment ' +
  'opportunity career start immediately interview hiring urgent position open role duties ' +
  'include manage handle assist report prepare maintain ensure quality safety standards'
).split(' ');

/** A deterministic generator (mulberry32), so every run ingests the same text. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('bounded near-duplicate lookup', () => {
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

  it('templated items read a bounded number of candidate signatures each, early and late alike', async () => {
    const SOURCES = 4;
    const POLLS = 10;
    const PER_POLL = 50;
    const { deps, store, src } = lookupSetup(redis, feeds.url, SOURCES);
    const rand = rng(17);
    const words = (n: number) =>
      Array.from({ length: n }, () => VOCAB[Math.floor(rand() * VOCAB.length)]).join(' ');
    lookupStats.reset();
    const perPollMax: number[] = [];
    const started = Date.now();
    let n = 0;
    for (let poll = 0; poll < POLLS; poll++) {
      for (const [s, source] of src.entries()) {
        const items = Array.from({ length: PER_POLL }, (_, k) => {
          const i = n++;
          return {
            guid: `${s}-${poll}-${k}`,
            title: `Job ${i}: ${words(4)}`,
            link: `https://jobs${s}.example/${i}`,
            date: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 10_000).toISOString(),
            content: `<p>${words(60)}</p>`,
          };
        });
        feeds.routes.set(`/x${s}.rss`, { body: rssFeed(`S${s}`, items, 'en') });
        const before = lookupStats.maxSignaturesRead;
        lookupStats.maxSignaturesRead = 0;
        const r = await ingestSource(deps, source, { force: true });
        expect(r.inserted).toBe(PER_POLL);
        perPollMax.push(lookupStats.maxSignaturesRead);
        lookupStats.maxSignaturesRead = Math.max(before, lookupStats.maxSignaturesRead);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    expect(await store.articles.total()).toBe(SOURCES * POLLS * PER_POLL);
    expect(lookupStats.lookups).toBe(SOURCES * POLLS * PER_POLL);
    console.log(
      `templated ingest: ${n} items in ${seconds.toFixed(1)} s (${Math.round(n / seconds)} items/s); ` +
        `signatures read: ${lookupStats.signaturesRead} (${(lookupStats.signaturesRead / n).toFixed(2)}/item, max ${lookupStats.maxSignaturesRead}); hot bands skipped: ${lookupStats.hotBands}`,
    );
    // The bound: one representative (or a stand-in for an expired one) per story compared.
    expect(lookupStats.maxSignaturesRead).toBeLessThanOrEqual(2 * LOOKUP_LIMITS.maxStories);
    // Independent of corpus size: the last polls read no more than the first ones allow.
    const late = Math.max(...perPollMax.slice(-SOURCES));
    expect(late).toBeLessThanOrEqual(2 * LOOKUP_LIMITS.maxStories);
  }, 120_000);
});
