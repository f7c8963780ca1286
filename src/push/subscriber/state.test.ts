// Subscription state in Redis: reading many sources' subscriptions in one pipeline (the desk's
// sources table) gives exactly what reading each one gives.
import { describe, it, expect, afterAll } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from '../../store/client.ts';
import { createStore } from '../../store/index.ts';
import { testRedisUrl, uniquePrefix } from '../../../tests/helpers/redis.ts';
import { subscriptionState } from './state.ts';
import type { Subscription } from './state.ts';

const redis = createRedis(parseRedisTarget(testRedisUrl()));
afterAll(() => closeRedis(redis));

const sub = (sourceId: string, state: Subscription['state'], leaseEnds: number | null) => ({
  sourceId,
  hub: `https://hub.example/${sourceId}`,
  advertisedHub: `https://hub.example/${sourceId}`,
  topic: `https://feeds.example/${sourceId}.xml`,
  state,
  token: `tok-${sourceId}`,
  secret: `secret-${sourceId}`,
  pending: null,
  requestedAt: 1_700_000_000_000,
  leaseEnds,
  renewAt: leaseEnds === null ? null : leaseEnds - 1_000,
  lastError: null,
});

describe('subscription state', () => {
  it('getMany reads every source in order, null where there is no subscription, as get does', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('subs'), unhealthyAfter: 3 });
    const subs = subscriptionState(store);
    await subs.put(sub('a', 'subscribed', 1_800_000_000_000));
    await subs.put(sub('c', 'pending', null));
    const ids = ['a', 'b', 'c'];
    const many = await subs.getMany(ids);
    expect(many).toEqual(await Promise.all(ids.map((id) => subs.get(id))));
    expect(many.map((s) => s?.state ?? null)).toEqual(['subscribed', null, 'pending']);
    expect(many[0]).toMatchObject(sub('a', 'subscribed', 1_800_000_000_000));
    expect(await subs.getMany([])).toEqual([]);
  });
});
