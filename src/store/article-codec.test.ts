import { describe, it, expect } from 'vitest';
import type { Article } from '../domain/types.ts';
import { bodyParts, decodeBody, encodeArticle, encodeBody } from './article-codec.ts';
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

describe('article codec', () => {
  it('round-trips every field of an article through a format-3 body, the id taken from the key', () => {
    const body = encodeBody(full, Buffer.from([9, 8, 7]));
    expect(body[0]).toBe(3);
    expect([...bodyParts(body).signature]).toEqual([9, 8, 7]);
    expect(decodeBody(body, full.id)).toEqual(full);
    // The id is not stored: the body holds one less copy of it.
    expect(decodeBody(body, 'ffffffffffffffffffffffff').id).toBe('ffffffffffffffffffffffff');
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
