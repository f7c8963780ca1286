import { describe, expect, it } from 'vitest';
import { articleIdFor } from './article-id.ts';

const base = { guid: null, url: null, title: 'T', published: null };

describe('articleIdFor', () => {
  it('is a 24-hex-char sha256 prefix, stable for the same input', () => {
    const a = articleIdFor('src', { ...base, guid: 'abc' });
    expect(a).toMatch(/^[0-9a-f]{24}$/);
    expect(articleIdFor('src', { ...base, guid: 'abc' })).toBe(a);
  });

  it('prefers the guid, whatever the URL or title does', () => {
    const a = articleIdFor('src', {
      guid: 'post-1',
      url: 'https://a.example/1',
      title: 'Old',
      published: null,
    });
    const b = articleIdFor('src', {
      guid: 'post-1',
      url: 'https://a.example/moved',
      title: 'New',
      published: '2020-01-01',
    });
    expect(b).toBe(a);
    expect(articleIdFor('src', { ...base, guid: 'post-2' })).not.toBe(a);
  });

  it('keeps the id across http/https flips, tracking params, fragments, default ports and host case', () => {
    const urls = [
      'https://news.example/story?id=7',
      'http://news.example/story?id=7',
      'https://NEWS.example:443/story?id=7&utm_source=rss#comments',
      'http://news.example:80/story?fbclid=zz&id=7',
    ];
    const byUrl = new Set(urls.map((url) => articleIdFor('src', { ...base, url })));
    expect(byUrl.size).toBe(1);
    const byGuid = new Set(urls.map((guid) => articleIdFor('src', { ...base, guid })));
    expect(byGuid.size).toBe(1);
    // A URL-like guid and the same URL as link give the same id.
    expect([...byGuid][0]).toBe([...byUrl][0]);
    expect(articleIdFor('src', { ...base, url: 'https://news.example/story?id=8' })).not.toBe(
      [...byUrl][0],
    );
  });

  it('falls back to title + date, and separates sources', () => {
    const a = articleIdFor('src', {
      ...base,
      title: 'Hello',
      published: '2020-01-01T00:00:00.000Z',
    });
    expect(
      articleIdFor('src', { ...base, title: 'Hello', published: '2020-01-02T00:00:00.000Z' }),
    ).not.toBe(a);
    expect(
      articleIdFor('other', { ...base, title: 'Hello', published: '2020-01-01T00:00:00.000Z' }),
    ).not.toBe(a);
  });
});
