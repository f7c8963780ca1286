import { describe, it, expect, afterAll } from 'vitest';
import { deflateRawSync } from 'node:zlib';
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

  it('reads bodies written without the dictionary and articles of the single-hash layout, and rewrites them', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('art'), unhealthyAfter: 3 });
    const plain = deflateRawSync(Buffer.from(JSON.stringify(article('v1'))));
    const packed = packSignature(sig);
    const head = Buffer.from([0x01, packed.length & 0xff, packed.length >> 8]);
    await redis.hset(store.keys.article('v1'), {
      ch: 'old',
      srcs: 'src-a',
      fs: '2026-11-20T10:00:00.000Z',
      p: '1763632800000',
    });
    await redis.set(store.keys.articleBody('v1'), Buffer.concat([head, packed, plain]));
    await redis.hset(store.keys.article('h1'), {
      z: deflateRawSync(Buffer.from(JSON.stringify(article('h1')))),
      sig: packed,
      ch: 'old',
      srcs: 'src-a',
      fs: '2026-11-20T10:00:00.000Z',
      p: '1763632800000',
    });
    const got = await store.articles.getMany(['v1', 'h1']);
    expect(got.map((a) => a.title)).toEqual([article('v1').title, article('h1').title]);
    const sigs = await store.articles.getSignatures(['v1', 'h1']);
    expect([...sigs.keys()]).toEqual(['v1', 'h1']);
    // A rewrite (retag) of a format-1 body: the new body is readable and keeps its signature.
    expect(await store.articles.replace('v1', { ...article('v1'), title: 'عنوان جديد' })).toBe(
      true,
    );
    expect((await store.articles.get('v1'))!.title).toBe('عنوان جديد');
    expect(unpackSignature((await store.articles.getSignatures(['v1'])).get('v1')!.sig)).toEqual(
      compactSignature(sig),
    );
    // A rewrite of a single-hash article moves its body, signature included, out of the hash.
    expect(await store.articles.replace('h1', { ...article('h1'), title: 'عنوان آخر' })).toBe(true);
    expect((await store.articles.get('h1'))!.title).toBe('عنوان آخر');
    expect(await redis.hexists(store.keys.article('h1'), 'sig')).toBe(0);
    expect(unpackSignature((await store.articles.getSignatures(['h1'])).get('h1')!.sig)).toEqual(
      compactSignature(sig),
    );
    // An update of a single-hash article moves its body out of the hash.
    const up = await store.articles.upsert(
      'h1',
      { ...article('h1'), contentHash: 'new' },
      true,
      new Date(),
      later,
      packSignature(sig),
    );
    expect(up.outcome).toBe('updated');
    expect(await redis.hexists(store.keys.article('h1'), 'z')).toBe(0);
    expect((await store.articles.get('h1'))!.contentHash).toBe('new');
  });
});
