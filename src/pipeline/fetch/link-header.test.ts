import { describe, it, expect } from 'vitest';
import { parseLinkHeader, webSubLinks } from './link-header.ts';

describe('Link header (WebSub discovery)', () => {
  it('reads hub and self from one header, quoted or not, resolved against the response URL', () => {
    expect(
      webSubLinks(
        '<https://hub.example/>; rel="hub", </feed.xml>; rel=self',
        'https://a.example/x/y',
      ),
    ).toEqual({ hubs: ['https://hub.example/'], self: 'https://a.example/feed.xml' });
  });

  it('reads several headers and rel lists, and skips link-values without hub or self', () => {
    expect(
      webSubLinks(
        [
          '<https://h1.example/>; rel="hub"',
          '<https://x.example/>; rel="alternate"; type="text/html", <https://h2.example/>; title="b, c"; rel="self hub"',
        ],
        'https://a.example/',
      ),
    ).toEqual({
      hubs: ['https://h1.example/', 'https://h2.example/'],
      self: 'https://h2.example/',
    });
  });

  it('is null without a hub or self, and survives a malformed value', () => {
    expect(webSubLinks('<https://x.example/>; rel="next"', 'https://a.example/')).toBeNull();
    expect(webSubLinks('garbage;;, <', 'https://a.example/')).toBeNull();
    expect(webSubLinks(null, 'https://a.example/')).toBeNull();
    expect(parseLinkHeader('<u>; REL="Hub"')[0]!.rels).toEqual(['hub']);
  });
});
