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
import { legacyBodyV3, writeLegacyArticle } from '../../tests/helpers/legacy-article.ts';
import { BODY_HEAD_BYTES, bodyParts, headLength } from './article-codec.ts';

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
  it('round-trips an article, its signature and small fields through one string key (format 4)', async () => {
    const prefix = uniquePrefix('art');
    const store = createStore(redis, { prefix, unhealthyAfter: 3 });
    const now = new Date();
    const res = await store.articles.upsert(
      'a1',
      article('a1'),
      true,
      now,
      later,
      packSignature(sig),
    );
    expect(res).toMatchObject({ outcome: 'inserted', firstSeen: now.toISOString(), sections: [] });
    const [got] = await store.articles.getMany(['a1']);
    expect(got).toMatchObject({
      ...article('a1'),
      sources: ['src-a'],
      clusterId: 'a1',
      firstSeen: now.toISOString(),
    });
    const sigs = await store.articles.getSignatures(['a1']);
    expect(unpackSignature(sigs.get('a1')!.sig)).toEqual(compactSignature(sig));
    expect(sigs.get('a1')).toMatchObject({
      published: Date.parse(article('a1').published),
      clusterId: null,
      sources: ['src-a'],
    });
    // One key per article, expiring with it; first seen is stored as ms digits.
    expect(await redis.keys(`${prefix}:art:*`)).toEqual([store.keys.article('a1')]);
    expect(await redis.pttl(store.keys.article('a1'))).toBeGreaterThan(0);
    const body = (await redis.getBuffer(store.keys.article('a1')))!;
    expect(body[0]).toBe(4);
    expect(bodyParts(body).meta).toMatchObject({ fs: String(now.getTime()), secs: null, cl: '' });

    // Small fields: cluster and sections, set without touching the expiry; a second source merges.
    const ttl = await redis.pttl(store.keys.article('a1'));
    await store.articles.setFields('a1', { clusterId: 'c9', sections: ['world', 'syria'] });
    expect(await store.articles.sectionsOf(['a1', 'nope'])).toEqual([['world', 'syria'], []]);
    expect(await store.clusters.storiesOf(['a1', 'nope'])).toEqual(['c9', null]);
    expect(await store.curation.articleSections('a1')).toEqual(['world', 'syria']);
    expect(await redis.pttl(store.keys.article('a1'))).toBeGreaterThan(ttl - 5_000);
    const merged = await store.articles.upsert(
      'a1',
      { ...article('a1'), sourceId: 'src-b' },
      false,
      new Date(),
      later,
      null,
    );
    expect(merged).toMatchObject({
      outcome: 'merged',
      sources: ['src-a', 'src-b'],
      clusterId: 'c9',
      sections: ['world', 'syria'],
      firstSeen: now.toISOString(),
    });
    // The non-owner's write kept the owner's body and signature.
    expect((await store.articles.get('a1'))!.sourceId).toBe('src-a');
    expect(unpackSignature((await store.articles.getSignatures(['a1'])).get('a1')!.sig)).toEqual(
      compactSignature(sig),
    );
    // An article that is its own story stores 1 byte for it, not its id again.
    await store.articles.setFields('a1', { clusterId: 'a1' });
    expect(bodyParts((await redis.getBuffer(store.keys.article('a1')))!).meta!.cl).toBe('=');
    expect(await store.clusters.storiesOf(['a1'])).toEqual(['a1']);
    expect((await store.articles.getSignatures(['a1'])).get('a1')!.clusterId).toBe('a1');
    expect((await store.articles.get('a1'))!.clusterId).toBe('a1');
    expect(
      (await store.articles.upsert('a1', article('a1'), true, new Date(), later)).clusterId,
    ).toBe('a1');
    // Emptied sections are recorded as such (not "never indexed").
    await store.articles.setFields('a1', { sections: [] });
    expect(bodyParts((await redis.getBuffer(store.keys.article('a1')))!).meta!.secs).toBe('');
  });

  it('does not resurrect a gone article on a late field write', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('art'), unhealthyAfter: 3 });
    await store.articles.setFields('gone', { clusterId: 'c1', sections: ['x'] });
    expect(await redis.exists(store.keys.article('gone'))).toBe(0);
    expect(await store.articles.sectionsOf(['gone'])).toEqual([[]]);
  });

  it('reads fields longer than the first GETRANGE (many sources and sections) with a GET', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('art'), unhealthyAfter: 3 });
    await store.articles.upsert('m1', article('m1'), true, new Date(), later, packSignature(sig));
    const sources = Array.from({ length: 40 }, (_, i) => `source-number-${i}`);
    for (const s of sources)
      await store.articles.upsert(
        'm1',
        { ...article('m1'), sourceId: s },
        false,
        new Date(),
        later,
      );
    const sections = Array.from({ length: 30 }, (_, i) => `section-${i}`);
    await store.articles.setFields('m1', { clusterId: 'm1', sections });
    expect(headLength((await redis.getBuffer(store.keys.article('m1')))!)).toBeGreaterThan(
      BODY_HEAD_BYTES,
    );
    const got = (await store.articles.getSignatures(['m1'])).get('m1')!;
    expect(got.sources).toEqual(['src-a', ...sources]);
    expect(unpackSignature(got.sig)).toEqual(compactSignature(sig));
    expect(await store.articles.sectionsOf(['m1'])).toEqual([sections]);
    expect((await store.articles.get('m1'))!.title).toBe(article('m1').title);
  });

  it('rewrites an article (retag) keeping its signature and expiry, unless its version moved on', async () => {
    const store = createStore(redis, { prefix: uniquePrefix('art'), unhealthyAfter: 3 });
    const a = article('r1');
    await store.articles.upsert('r1', a, true, new Date(), later, packSignature(sig));
    await store.articles.setFields('r1', { clusterId: 'r1', sections: ['world'] });
    const retagged = { ...a, tags: ['syria', 'world'] };
    expect(await store.articles.replace('r1', retagged, a)).toBe(true);
    expect((await store.articles.get('r1'))!.tags).toEqual(['syria', 'world']);
    expect(unpackSignature((await store.articles.getSignatures(['r1'])).get('r1')!.sig)).toEqual(
      compactSignature(sig),
    );
    expect(await store.articles.sectionsOf(['r1'])).toEqual([['world']]);
    expect(await redis.pttl(store.keys.article('r1'))).toBeGreaterThan(0);
    // The expected version is the old one: the rewrite above moved it on, so this one loses.
    expect(await store.articles.replace('r1', { ...a, tags: ['other'] }, a)).toBe(false);
    expect((await store.articles.get('r1'))!.tags).toEqual(['syria', 'world']);
    // A gone article is not resurrected.
    expect(await store.articles.replace('gone', a)).toBe(false);
    expect(await redis.exists(store.keys.article('gone'))).toBe(0);
  });
});

describe('articles stored before format 4 (hash + body of format 2 or 3)', () => {
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
  const fields = { srcs: 'src-a,src-b', fs: '2026-11-20T10:05:00.000Z', cl: 'c7', secs: 'world' };

  const legacyStore = async (body?: Buffer) => {
    const store = createStore(redis, { prefix: uniquePrefix('art'), unhealthyAfter: 3 });
    // The same article as the format-2 writer stored it (signature bytes 1 2 3 4), or format 3.
    await writeLegacyArticle(redis, store.keys, a, later, {
      body: body ?? Buffer.from(FORMAT2_BODY, 'base64'),
      fields,
    });
    return store;
  };
  const expectMigrated = async (store: ReturnType<typeof createStore>) => {
    expect(await redis.exists(store.keys.articleLegacyHash(a.id))).toBe(0);
    const body = (await redis.getBuffer(store.keys.article(a.id)))!;
    expect(body[0]).toBe(4);
    const ttl = await redis.pttl(store.keys.article(a.id));
    expect(ttl).toBeGreaterThan(later - Date.now() - 60_000);
    expect(ttl).toBeLessThanOrEqual(later - Date.now() + 1_000);
  };

  it('are read by every reader', async () => {
    const store = await legacyStore();
    expect(await store.articles.get(a.id)).toMatchObject({
      ...a,
      sources: ['src-a', 'src-b'],
      clusterId: 'c7',
      firstSeen: fields.fs,
    });
    expect((await store.articles.getSignatures([a.id])).get(a.id)).toEqual({
      sig: Buffer.from([1, 2, 3, 4]),
      published: Date.parse(a.published),
      clusterId: 'c7',
      sources: ['src-a', 'src-b'],
    });
    expect(await store.articles.sectionsOf([a.id])).toEqual([['world']]);
    expect(await store.clusters.storiesOf([a.id])).toEqual(['c7']);
    expect(await store.curation.articleSections(a.id)).toEqual(['world']);
    expect(await store.curation.articleExpiry(a.id)).toBeGreaterThan(later - 60_000);
  });

  it('a retag migrates one (format 2 body) to format 4, keeping its signature, fields and expiry', async () => {
    const store = await legacyStore();
    expect(await store.articles.replace(a.id, { ...a, tags: ['syria', 'world'] }, a)).toBe(true);
    await expectMigrated(store);
    expect(await store.articles.get(a.id)).toMatchObject({
      ...a,
      tags: ['syria', 'world'],
      sources: ['src-a', 'src-b'],
      clusterId: 'c7',
      firstSeen: fields.fs,
    });
    expect([...(await store.articles.getSignatures([a.id])).get(a.id)!.sig]).toEqual([1, 2, 3, 4]);
    expect(await store.articles.sectionsOf([a.id])).toEqual([['world']]);
  });

  it('a field write migrates one, its article part kept as it was (format 2 encoding)', async () => {
    const store = await legacyStore();
    await store.articles.setFields(a.id, { sections: ['world', 'syria'] });
    await expectMigrated(store);
    const parts = bodyParts((await redis.getBuffer(store.keys.article(a.id)))!);
    expect(parts.article[0]).toBe(2);
    expect([...parts.signature]).toEqual([1, 2, 3, 4]);
    expect(await store.articles.get(a.id)).toMatchObject({
      ...a,
      sources: ['src-a', 'src-b'],
      clusterId: 'c7',
    });
    expect(await store.articles.sectionsOf([a.id])).toEqual([['world', 'syria']]);
  });

  it('an upsert migrates one (format 3 body): merge, unchanged, and update by its owner', async () => {
    const body = legacyBodyV3(a, Buffer.from([5, 6, 7]));
    // Merge by another source.
    let store = await legacyStore(body);
    let res = await store.articles.upsert(
      a.id,
      { ...a, sourceId: 'src-c' },
      false,
      new Date(),
      later,
    );
    expect(res).toMatchObject({
      outcome: 'merged',
      sources: ['src-a', 'src-b', 'src-c'],
      firstSeen: fields.fs,
      clusterId: 'c7',
      sections: ['world'],
    });
    await expectMigrated(store);
    expect(await store.articles.get(a.id)).toMatchObject({
      ...a,
      sources: ['src-a', 'src-b', 'src-c'],
    });
    expect([...(await store.articles.getSignatures([a.id])).get(a.id)!.sig]).toEqual([5, 6, 7]);
    // The owner's unchanged item.
    store = await legacyStore(body);
    res = await store.articles.upsert(a.id, a, true, new Date(), later);
    expect(res.outcome).toBe('unchanged');
    await expectMigrated(store);
    expect(await store.articles.get(a.id)).toMatchObject({
      ...a,
      sources: ['src-a', 'src-b'],
      clusterId: 'c7',
    });
    // The owner's corrected item (a later `updated`): a new body and signature, fields kept.
    store = await legacyStore(body);
    const fixed = { ...a, title: 'عنوان مصحح', updated: '2026-11-20T12:00:00.000Z' };
    res = await store.articles.upsert(a.id, fixed, true, new Date(), later, Buffer.from([9]));
    expect(res).toMatchObject({ outcome: 'updated', sources: ['src-a', 'src-b'], clusterId: 'c7' });
    await expectMigrated(store);
    expect(await store.articles.get(a.id)).toMatchObject({
      ...fixed,
      sources: ['src-a', 'src-b'],
      firstSeen: fields.fs,
    });
    expect([...(await store.articles.getSignatures([a.id])).get(a.id)!.sig]).toEqual([9]);
  });
});
