// The waiting lock behind "one ingest of a source at a time" (store/locks.ts `exclusive`), on a
// real Redis: a second holder waits for the first, a wait is bounded, a long holder keeps its
// lease by renewing it, and a dead holder's lease lapses.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/index.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('store.locks.exclusive', () => {
  let redis: RedisClient;
  let store: Store;

  beforeAll(() => {
    redis = createRedis(parseRedisTarget(testRedisUrl()));
    store = createStore(redis, { prefix: uniquePrefix('lock'), unhealthyAfter: 3 });
  });
  afterAll(() => closeRedis(redis));

  it('a second holder waits for the first to finish, then runs', async () => {
    const events: string[] = [];
    const hold = (name: string, ms: number) =>
      store.locks.exclusive('ingest:a', { leaseMs: 5_000, waitMs: 5_000 }, async () => {
        events.push(`${name} in`);
        await sleep(ms);
        events.push(`${name} out`);
      });
    const first = hold('first', 300);
    await sleep(50);
    const second = await hold('second', 10);
    await first;
    expect(events).toEqual(['first in', 'first out', 'second in', 'second out']);
    expect(second.ran).toBe(true);
    expect(second.waitedMs).toBeGreaterThanOrEqual(150);
  });

  it('gives up after waitMs without running', async () => {
    let ran = false;
    const first = store.locks.exclusive('ingest:b', { leaseMs: 5_000, waitMs: 0 }, () =>
      sleep(500),
    );
    await sleep(50);
    const r = await store.locks.exclusive('ingest:b', { leaseMs: 5_000, waitMs: 200 }, async () => {
      ran = true;
    });
    expect(r.ran).toBe(false);
    expect(ran).toBe(false);
    await first;
  });

  it('renews the lease while the holder runs, past the lease length', async () => {
    const long = store.locks.exclusive('ingest:c', { leaseMs: 300, waitMs: 0 }, () => sleep(1_000));
    await sleep(700); // over twice the lease: held only because it is renewed
    const r = await store.locks.exclusive('ingest:c', { leaseMs: 300, waitMs: 100 }, async () => 1);
    expect(r.ran).toBe(false);
    await long;
  });

  it("a dead holder's lease lapses and the waiter takes over", async () => {
    // A holder that died: its lock key, with no one renewing it.
    await redis.set(store.keys.lock('ingest:d'), 'dead', 'PX', 300);
    const r = await store.locks.exclusive(
      'ingest:d',
      { leaseMs: 5_000, waitMs: 5_000 },
      async () => 'ran',
    );
    expect(r).toMatchObject({ ran: true, value: 'ran' });
    expect(r.waitedMs).toBeGreaterThanOrEqual(200);
  });
});
