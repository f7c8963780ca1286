import { describe, it, expect, afterAll } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from './client.ts';
import { createStore } from './index.ts';
import { urlHash } from './article-codec.ts';
import { packId } from './packed-id.ts';
import { urlClaimSlot, URL_SWEEP_EVERY_S } from './url-claims.ts';
import { testRedisUrl, uniquePrefix } from '../../tests/helpers/redis.ts';

const redis = createRedis(parseRedisTarget(testRedisUrl()));
afterAll(() => closeRedis(redis));

const A = '0123456789abcdef01234567';
const B = 'fedcba9876543210fedcba98';
const C = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const HOUR = 3_600_000;

const newStore = () => createStore(redis, { prefix: uniquePrefix('url'), unhealthyAfter: 3 });

/** A bucket entry as the claim script writes it: expiry (4 bytes BE, seconds) + packed id. */
const entry = (id: string, expireAtMs: number) => {
  const exp = Buffer.alloc(4);
  exp.writeUInt32BE(Math.ceil(expireAtMs / 1000));
  return Buffer.concat([exp, packId(id)]);
};

/** A key's expiry, ms since the epoch, within a few ms (PEXPIRETIME needs Redis 7; we support 6.2). */
async function expiresAt(key: string): Promise<number> {
  const [[, ttl], [, time]] = (await redis.multi().pttl(key).time().exec()) as [
    [null, number],
    [null, [string, string]],
  ];
  return Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000) + ttl;
}

/** `n` distinct URLs whose claims fall in one bucket. */
function urlsInOneBucket(n: number): string[] {
  const bucket = urlClaimSlot('https://x.example/0').bucket;
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const u = `https://x.example/${i}`;
    if (urlClaimSlot(u).bucket === bucket) out.push(u);
  }
  return out;
}

describe('URL claims in bucket hashes', () => {
  it('stores a new claim as one binary entry, gives the holder to another article, and meets http/https flips', async () => {
    const store = newStore();
    const url = 'https://a.example/news/1';
    const until = Date.now() + HOUR;
    expect(await store.articles.claimUrl(url, A, until)).toBe(A);
    expect(await store.articles.claimUrl('http://a.example/news/1', B, until)).toBe(A);
    const { bucket, field } = urlClaimSlot(url);
    const key = store.keys.urlClaims(bucket);
    expect(key).toMatch(/:urlb:\{u[0-9a-f]{3}\}$/);
    expect(field.length).toBe(10);
    expect(await redis.hgetBuffer(key, field)).toEqual(entry(A, until));
    // No string key per URL any more.
    expect(await redis.exists(store.keys.urlIndex(urlHash(url)))).toBe(0);
    // The bucket lives exactly as long as its entry (to the second).
    expect(await expiresAt(key)).toBeCloseTo(Math.ceil(until / 1000) * 1000, -2);
  });

  it("moves the expiry on the holder's re-claim, and the bucket's expiry follows its longest-lived entry", async () => {
    const store = newStore();
    const [u1, u2] = urlsInOneBucket(2);
    const key = store.keys.urlClaims(urlClaimSlot(u1!).bucket);
    const now = Date.now();
    await store.articles.claimUrl(u1!, A, now + HOUR);
    await store.articles.claimUrl(u1!, A, now + 3 * HOUR);
    expect(await redis.hgetBuffer(key, urlClaimSlot(u1!).field)).toEqual(entry(A, now + 3 * HOUR));
    expect(await expiresAt(key)).toBeCloseTo(Math.ceil((now + 3 * HOUR) / 1000) * 1000, -2);
    // Another entry that dies sooner does not shorten the bucket's life.
    await store.articles.claimUrl(u2!, B, now + 2 * HOUR);
    expect(await expiresAt(key)).toBeCloseTo(Math.ceil((now + 3 * HOUR) / 1000) * 1000, -2);
    // An edit moved `published` back: the claim dies sooner (the bucket lives on for u2).
    expect(await store.articles.claimUrl(u1!, A, now + HOUR)).toBe(A);
    expect(await redis.hgetBuffer(key, urlClaimSlot(u1!).field)).toEqual(entry(A, now + HOUR));
    // A re-claim past the expiry removes the claim, as the old PEXPIREAT in the past did.
    expect(await store.articles.claimUrl(u1!, A, now - 1000)).toBe(A);
    expect(await redis.hexists(key, urlClaimSlot(u1!).field)).toBe(0);
  });

  it('treats an expired entry as absent (by the server clock)', async () => {
    const store = newStore();
    const url = 'https://a.example/news/2';
    const { bucket, field } = urlClaimSlot(url);
    const key = store.keys.urlClaims(bucket);
    const now = Date.now();
    // A's claim ended 5 s ago; the bucket itself is alive (another entry).
    await redis.hset(key, field, entry(A, now - 5000), 'other-field', entry(C, now + HOUR));
    await redis.pexpire(key, HOUR);
    expect(await store.articles.claimUrl(url, B, now + HOUR)).toBe(B);
    expect(await redis.hgetBuffer(key, field)).toEqual(entry(B, now + HOUR));
    expect(await store.articles.claimUrl(url, A, now + HOUR)).toBe(B);
  });

  it('finds a claim of the older layout (url:{hash} string) and moves it into its bucket', async () => {
    const store = newStore();
    const url = 'https://old.example/story';
    const legacy = store.keys.urlIndex(urlHash(url));
    const { bucket, field } = urlClaimSlot(url);
    const key = store.keys.urlClaims(bucket);
    const now = Date.now();
    // Written by hand as the previous release did: SET url:{hash} <id> PXAT <expiry>.
    await redis.set(legacy, A, 'PXAT', now + 2 * HOUR);
    expect(await store.articles.claimUrl(url, B, now + 5 * HOUR)).toBe(A);
    // A holds it in the bucket now, with the old claim's life, and the old key is gone.
    expect(await redis.exists(legacy)).toBe(0);
    const got = (await redis.hgetBuffer(key, field))!;
    expect(got.subarray(4)).toEqual(packId(A));
    expect(Math.abs(got.readUInt32BE(0) - (now + 2 * HOUR) / 1000)).toBeLessThan(5);
    expect(await store.articles.claimUrl(url, B, now + 5 * HOUR)).toBe(A);

    // The old holder's own re-claim: it keeps the URL with its new expiry.
    const url2 = 'https://old.example/story-2';
    const legacy2 = store.keys.urlIndex(urlHash(url2));
    await redis.set(legacy2, A, 'PXAT', now + 2 * HOUR);
    expect(await store.articles.claimUrl(url2, A, now + 4 * HOUR)).toBe(A);
    expect(await redis.exists(legacy2)).toBe(0);
    const slot2 = urlClaimSlot(url2);
    expect(await redis.hgetBuffer(store.keys.urlClaims(slot2.bucket), slot2.field)).toEqual(
      entry(A, now + 4 * HOUR),
    );

    // Both layouts hold the URL for different articles (a process of each release raced): the
    // old claim came first and wins.
    const url3 = 'https://old.example/story-3';
    await store.articles.claimUrl(url3, C, now + HOUR);
    await redis.set(store.keys.urlIndex(urlHash(url3)), A, 'PXAT', now + 2 * HOUR);
    expect(await store.articles.claimUrl(url3, B, now + HOUR)).toBe(A);
    expect(await store.articles.claimUrl(url3, C, now + HOUR)).toBe(A);
  });

  it('keeps a bucket of 100 claims listpack-encoded (16-byte values)', async () => {
    const store = newStore();
    const urls = urlsInOneBucket(100);
    const until = Date.now() + HOUR;
    for (const [i, u] of urls.entries())
      expect(await store.articles.claimUrl(u, i.toString(16).padStart(24, '0'), until)).toBe(
        i.toString(16).padStart(24, '0'),
      );
    const key = store.keys.urlClaims(urlClaimSlot(urls[0]!).bucket);
    expect(await redis.hlen(key)).toBe(101); // + the sweep marker
    expect(await redis.object('ENCODING', key)).toBe('listpack');
  });

  it('drops expired entries from a bucket on a write once a sweep is due, and not before', async () => {
    const store = newStore();
    const [u0, u1, u2, u3, u4] = urlsInOneBucket(5);
    const key = store.keys.urlClaims(urlClaimSlot(u0!).bucket);
    const now = Date.now();
    await store.articles.claimUrl(u0!, A, now + HOUR);
    // The first write of a bucket schedules its first sweep.
    const marker = (await redis.hget(key, '~'))!;
    expect(marker).toMatch(/^\d+$/); // no sweep under way: the due time alone
    expect(Math.abs(Number(marker) - (now / 1000 + URL_SWEEP_EVERY_S))).toBeLessThan(5);
    // Two claims that have ended, one alive.
    const field = (u: string) => urlClaimSlot(u).field;
    await redis.hset(key, field(u1!), entry(B, now - 10_000), field(u2!), entry(C, now - 1000));
    await redis.hset(key, field(u3!), entry(B, now + HOUR));
    // Not due yet: a write leaves them.
    await store.articles.claimUrl(u4!, C, now + HOUR);
    expect(await redis.hexists(key, field(u1!))).toBe(1);
    // Due (as an hour later): the next write drops the expired ones and schedules the next sweep.
    await redis.hset(key, '~', Math.floor(now / 1000) - 1);
    expect(await store.articles.claimUrl(u4!, C, now + 2 * HOUR)).toBe(C);
    expect(await redis.hexists(key, field(u1!))).toBe(0);
    expect(await redis.hexists(key, field(u2!))).toBe(0);
    expect(await redis.hexists(key, field(u3!))).toBe(1);
    expect(await redis.hexists(key, field(u0!))).toBe(1);
    expect(Number(await redis.hget(key, '~'))).toBeGreaterThan(now / 1000 + 3000);
  });
});
