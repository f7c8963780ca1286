import { describe, it, expect, afterAll } from 'vitest';
import type { Article } from '../domain/types.ts';
import { createRedis, parseRedisTarget, closeRedis } from './client.ts';
import { createStore } from './index.ts';
import {
  minhashSignature,
  packSignature,
  compactSignature,
  unpackSignature,
} from '../text/minhash.ts';
import { testRedisUrl, uniquePrefix } from '../../tests/helpers/redis.ts';
import { FORMAT2_BODY } from '../../tests/fixtures/article-bodies.ts';

const redis = createRedis(parseRedisTarget(testRedisUrl()));
afterAll(() => closeRedis(redis));

const article = (id: string, title = 'غارات على ريف إدلب'): Article => ({
  id,
  sourceId: 'src-a',
  guid: `g-${id}`,
  url: `https://a.example/${id}`,
  title,
  published: '2026-11-20T10:00:00.000Z',
  updated: '2026-11-20T10:00:00.000Z',
  author: null,
  summary: 'ملخص قصير',
  contentHtml: '<p dir="rtl">نص المقال الكامل عن سوريا</p>',
  image: null,
  lang: 'ar',
  tags: ['syria'],
  sourceCategories: ['سياسة'],
  contentHash: 'c0ffee',
});
const sig = minhashSignature([
  'غارات',
  'ريف',
  'ادلب',
  'سوريا',
  'روسيا',
  'تركيا',
  'دمشق',
  'حلب',
  'حماه',
]);
const later = Date.now() + 3_600_000;

describe('article store', () => {
  it('round-trips an article and its signature through the hash + body layout', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('art'), unhealthyAfter: 3 });
    const res = await store.articles.upsert(
      'a1',
      article('a1'),
      true,
      new Date(),
      later,
      packSignature(sig),
    );
    expect(res.outcome).toBe('inserted');
    const [got] = await store.articles.getMany(['a1']);
    expect(got).toMatchObject({ ...article('a1'), sources: ['src-a'], clusterId: 'a1' });
    const sigs = await store.articles.getSignatures(['a1']);
    expect(unpackSignature(sigs.get('a1')!.sig)).toEqual(compactSignature(sig));
    // The small fields stay a listpack (a body inside the hash made it a hash table).
    expect(await redis.object('ENCODING', store.keys.article('a1'))).toBe('listpack');
  });

  it('rewrites an article (retag) keeping its signature and expiry, unless its version moved on', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('art'), unhealthyAfter: 3 });
    const a = article('r1');
    await store.articles.upsert('r1', a, true, new Date(), later, packSignature(sig));
    const retagged = { ...a, tags: ['syria', 'world'] };
    expect(await store.articles.replace('r1', retagged, a)).toBe(true);
    expect((await store.articles.get('r1'))!.tags).toEqual(['syria', 'world']);
    expect(unpackSignature((await store.articles.getSignatures(['r1'])).get('r1')!.sig)).toEqual(
      compactSignature(sig),
    );
    expect(await redis.pttl(store.keys.articleBody('r1'))).toBeGreaterThan(0);
    // The expected version is the old one: the rewrite above moved it on, so this one loses.
    expect(await store.articles.replace('r1', { ...a, tags: ['other'] }, a)).toBe(false);
    expect((await store.articles.get('r1'))!.tags).toEqual(['syria', 'world']);
    // A gone article is not resurrected.
    expect(await store.articles.replace('gone', a)).toBe(false);
    expect(await redis.exists(store.keys.articleBody('gone'))).toBe(0);
  });

  it('reads an article whose body is of the older format 2, and a retag rewrites it as format 3 keeping its signature', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('art'), unhealthyAfter: 3 });
    const a = {
      ...article('0123456789abcdef01234567'),
      guid: 'g-1',
      url: 'https://a.example/1',
      updated: '2026-11-20T11:00:00.000Z',
      author: 'Rana',
      image: { url: 'https://a.example/i.jpg', type: 'image/jpeg', width: 800, height: 450 },
      enclosures: [
        { url: 'https://a.example/e.mp3', type: 'audio/mpeg', length: 1234, durationSeconds: 61 },
      ],
    };
    await store.articles.upsert(a.id, a, true, new Date(), later);
    // The same article as the format-2 writer stored it (signature bytes 1 2 3 4); see
    // article-codec.test.ts.
    await redis.set(store.keys.articleBody(a.id), Buffer.from(FORMAT2_BODY, 'base64'), 'KEEPTTL');
    expect(await store.articles.get(a.id)).toMatchObject({ ...a, sources: ['src-a'] });
    expect([...(await store.articles.getSignatures([a.id])).get(a.id)!.sig]).toEqual([1, 2, 3, 4]);
    expect(await store.articles.replace(a.id, { ...a, tags: ['syria', 'world'] })).toBe(true);
    const body = (await redis.getBuffer(store.keys.articleBody(a.id)))!;
    expect(body[0]).toBe(3);
    expect(await store.articles.get(a.id)).toMatchObject({ ...a, tags: ['syria', 'world'] });
    expect([...(await store.articles.getSignatures([a.id])).get(a.id)!.sig]).toEqual([1, 2, 3, 4]);
  });
});
