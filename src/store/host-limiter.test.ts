import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { createHostLimiter } from './host-limiter.ts';
import { createKeys } from './keys.ts';
import { FeedError } from '../domain/errors.ts';
import { testRedisUrl, uniquePrefix } from '../../tests/helpers/redis.ts';

let a: Redis;
let b: Redis;
beforeAll(() => {
  a = new Redis(testRedisUrl());
  b = new Redis(testRedisUrl());
});
afterAll(async () => {
  await a.quit();
  await b.quit();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('host limiter (real Redis)', () => {
  it('two concurrent acquirers on two connections never exceed perHost=1', async () => {
    const keys = createKeys(uniquePrefix('hl'));
    const opts = { keyFor: keys.hostSlots, perHost: 1, leaseMs: 10_000 };
    const limiters = [createHostLimiter(a, opts), createHostLimiter(b, opts)];
    let inside = 0;
    let maxInside = 0;
    const order: string[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const release = await limiters[i % 2]!.acquire('example.org', { waitMs: 10_000 });
        inside++;
        maxInside = Math.max(maxInside, inside);
        order.push(`in${i}`);
        await sleep(30);
        inside--;
        await release();
      }),
    );
    expect(maxInside).toBe(1);
    expect(order).toHaveLength(6);
    expect(await a.zcard(keys.hostSlots('example.org'))).toBe(0);
  });

  it('allows perHost at once, and other hosts are independent', async () => {
    const keys = createKeys(uniquePrefix('hl'));
    const lim = createHostLimiter(a, { keyFor: keys.hostSlots, perHost: 2, leaseMs: 10_000 });
    const r1 = await lim.acquire('a.example');
    const r2 = await lim.acquire('a.example');
    const other = await lim.acquire('b.example', { waitMs: 0 });
    const t0 = Date.now();
    const e = await lim.acquire('a.example', { waitMs: 200 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FeedError);
    expect((e as FeedError).kind).toBe('rate-limited');
    expect((e as FeedError).permanent).toBe(false);
    expect((e as FeedError).retryAfterMs).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    await r1();
    await r1(); // releasing twice is harmless
    const r3 = await lim.acquire('a.example', { waitMs: 0 });
    expect(await a.zcard(keys.hostSlots('a.example'))).toBe(2);
    await Promise.all([r2(), r3(), other()]);
  });

  it('reclaims the lease of a worker that died without releasing', async () => {
    const keys = createKeys(uniquePrefix('hl'));
    const lim = createHostLimiter(a, { keyFor: keys.hostSlots, perHost: 1, leaseMs: 1000 });
    await lim.acquire('dead.example'); // never released
    const t0 = Date.now();
    const release = await lim.acquire('dead.example', { waitMs: 5000 });
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(2000);
    await release();
    // the key itself expires, so idle hosts leave nothing behind
    expect(await a.pttl(keys.hostSlots('dead.example'))).toBeLessThanOrEqual(1000);
  });

  it('stops waiting when the signal aborts', async () => {
    const keys = createKeys(uniquePrefix('hl'));
    const lim = createHostLimiter(a, { keyFor: keys.hostSlots, perHost: 1, leaseMs: 10_000 });
    const held = await lim.acquire('busy.example');
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('shutdown')), 100);
    await expect(
      lim.acquire('busy.example', { signal: ac.signal, waitMs: 10_000 }),
    ).rejects.toThrow('shutdown');
    await held();
  });
});
