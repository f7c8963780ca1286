import { describe, it, expect } from 'vitest';
import type { Article } from '../domain/types.ts';
import {
  BODY_HEAD_BYTES,
  bodyParts,
  decodeBody,
  decodeMeta,
  encodeArticle,
  encodeBody,
  encodeMeta,
  headLength,
} from './article-codec.ts';
import type { ArticleMeta } from './article-codec.ts';
import { legacyBodyV3 } from '../../tests/helpers/legacy-article.ts';
import { FORMAT2_BODY } from '../../tests/fixtures/article-bodies.ts';

// Every field an output item carries, none of them empty: author, image with its size, an
// enclosure with length and duration, tags and categories.
const full: Article = {
  id: '0123456789abcdef01234567',
  sourceId: 'src-a',
  guid: 'g-1',
  url: 'https://a.example/1',
  title: 'غارات على ريف إدلب',
  published: '2026-11-20T10:00:00.000Z',
  updated: '2026-11-20T11:00:00.000Z',
  author: 'Rana',
  summary: 'ملخص قصير',
  contentHtml: '<p dir="rtl">نص المقال الكامل عن سوريا</p>',
  image: { url: 'https://a.example/i.jpg', type: 'image/jpeg', width: 800, height: 450 },
  enclosures: [
    { url: 'https://a.example/e.mp3', type: 'audio/mpeg', length: 1234, durationSeconds: 61 },
  ],
  lang: 'ar',
  tags: ['syria'],
  sourceCategories: ['سياسة'],
  contentHash: 'c0ffee',
};

const meta: ArticleMeta = {
  p: String(Date.parse(full.published)),
  cl: 'fedcba9876543210fedcba98',
  srcs: 'src-a,src-b',
  ch: 'AAAAAAAAAAAAAAAA:BBBBBBBB',
  u: String(Date.parse(full.updated)),
  w: String(Date.parse(full.updated)),
  fs: '1763633100000',
  secs: 'world,syria',
};

describe('article codec', () => {
  it('round-trips every field of an article, its signature and small fields through a format-4 body, the id taken from the key', () => {
    const body = encodeBody(full, Buffer.from([9, 8, 7]), meta);
    expect(body[0]).toBe(4);
    const parts = bodyParts(body);
    expect([...parts.signature]).toEqual([9, 8, 7]);
    expect(parts.meta).toEqual(meta);
    expect(parts.article[0]).toBe(3); // the article encoding
    expect(decodeBody(body, full.id)).toEqual(full);
    // The id is not stored: the body holds one less copy of it.
    expect(decodeBody(body, 'ffffffffffffffffffffffff').id).toBe('ffffffffffffffffffffffff');
    // The fields come right after the signature: a head of headLength bytes holds them all.
    expect(headLength(body)).toBe(3 + 3 + 2 + encodeMeta(meta).length);
    expect(bodyParts(body.subarray(0, headLength(body))).meta).toEqual(meta);
    expect(headLength(body)).toBeLessThan(BODY_HEAD_BYTES);
  });

  it('tells sections never set from sections emptied, and keeps empty fields', () => {
    const never = { ...meta, cl: '', secs: null };
    expect(encodeMeta(never).toString()).not.toMatch(/\|$/);
    expect(decodeMeta(encodeMeta(never))).toEqual(never);
    expect(decodeMeta(encodeMeta({ ...meta, secs: '' }))).toEqual({ ...meta, secs: '' });
  });

  it('still reads a format-3 body of the old layout (signature and article; fields elsewhere)', () => {
    const body = legacyBodyV3(full, Buffer.from([1, 2]));
    expect(bodyParts(body)).toMatchObject({ format: 3, meta: null });
    expect([...bodyParts(body).signature]).toEqual([1, 2]);
    expect(headLength(body)).toBe(5);
    expect(decodeBody(body, full.id)).toEqual(full);
  });

  it('still reads a format-2 body (written before format 3), every field', () => {
    const body = Buffer.from(FORMAT2_BODY, 'base64');
    expect(bodyParts(body).format).toBe(2);
    expect([...bodyParts(body).signature]).toEqual([1, 2, 3, 4]);
    expect(decodeBody(body, full.id)).toEqual(full);
  });

  it('stores a smaller article than format 2 did', () => {
    expect(encodeArticle(full).length + 3 + 4).toBeLessThan(
      Buffer.from(FORMAT2_BODY, 'base64').length,
    );
  });

  it('refuses a body of an unknown format', () => {
    expect(() => decodeBody(Buffer.from([7, 0, 0, 1, 2]), full.id)).toThrow(/unknown format 7/);
  });
});
