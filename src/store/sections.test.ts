import { describe, it, expect, afterAll } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from './client.ts';
import { createStore } from './index.ts';
import type { SectionChange } from './sections.ts';
import { testRedisUrl, uniquePrefix } from '../../tests/helpers/redis.ts';

const redis = createRedis(parseRedisTarget(testRedisUrl()));
afterAll(() => closeRedis(redis));

const adds = (from: number, n: number): SectionChange => ({
  add: Array.from({ length: n }, (_, i) => [1_000 + from + i, `a${from + i}`] as [number, string]),
  remove: [],
  changed: false,
});

describe('section store apply', () => {
  it('caps a section at maxItems as it grows, dropping the oldest, and stays idempotent', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('sec'), unhealthyAfter: 3 });
    expect(await store.sections.apply(new Map([['s', adds(0, 8)]]), 5)).toEqual(['s']);
    const key = store.keys.sectionItems('s');
    expect(await redis.zrange(key, '0', '-1')).toEqual(['a3', 'a4', 'a5', 'a6', 'a7']);
    // Newer items push the oldest out; an item older than all kept ones does not stay.
    await store.sections.apply(
      new Map([['s', { ...adds(8, 2), add: [...adds(8, 2).add, [1, 'ancient']] }]]),
      5,
    );
    expect(await redis.zrange(key, '0', '-1')).toEqual(['a5', 'a6', 'a7', 'a8', 'a9']);
    // Without a cap (0), nothing is trimmed; re-applying the same adds changes nothing.
    await store.sections.apply(new Map([['t', adds(0, 8)]]));
    expect(await redis.zcard(store.keys.sectionItems('t'))).toBe(8);
    expect(await store.sections.apply(new Map([['t', adds(0, 8)]]))).toEqual([]);
  });
});
