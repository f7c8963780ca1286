import { describe, it, expect, afterAll } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from './client.ts';
import { createStore } from './index.ts';
import { packId, unpackId } from './packed-id.ts';
import { testRedisUrl, uniquePrefix } from '../../tests/helpers/redis.ts';

const redis = createRedis(parseRedisTarget(testRedisUrl()));
afterAll(() => closeRedis(redis));

const bands = ['0:a1b2c3d4', '1:00ff00ff'];

describe('LSH bucket entries', () => {
  it('are 15 binary bytes (3-byte tag + 12-byte id) and give back the full ids of candidates', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('lsh'), unhealthyAfter: 3 });
    const now = Date.now();
    const a = '0123456789abcdef01234567';
    const b = 'fedcba9876543210fedcba98';
    expect(await store.clusters.swapBuckets(a, bands, now + 60_000, now)).toEqual([[], []]);
    expect(await store.clusters.swapBuckets(b, bands, now + 60_000, now)).toEqual([[a], [a]]);
    const key = store.keys.lshBucket(0, 'a1');
    const members = await redis.zrangeBuffer(key, '0', '-1');
    expect(members.map((m) => m.length)).toEqual([15, 15]);
    expect(members.map((m) => m.subarray(0, 3).toString('hex'))).toEqual(['b2c3d4', 'b2c3d4']);
    // Another tag in the same group is not a candidate.
    expect(await store.clusters.swapBuckets(a, ['0:a1ffffff'], now + 60_000, now)).toEqual([[]]);
  });

  it('keep ids that are not 24 hex chars as they are, whatever their length', () => {
    for (const id of [
      'a1',
      'abcdefghijk',
      'abcdefghijkl',
      'x'.repeat(40),
      '0123456789abcdef01234567',
    ])
      expect(unpackId(packId(id))).toBe(id);
    expect(packId('0123456789abcdef01234567').length).toBe(12);
  });

  it('are not returned once past their deadline', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('lsh'), unhealthyAfter: 3 });
    const now = Date.now();
    await store.clusters.swapBuckets('a1', bands, now + 1_000, now);
    expect(await store.clusters.swapBuckets('b1', bands, now + 60_000, now + 5_000)).toEqual([
      [],
      [],
    ]);
  });
});
