// WebSub discovery in the document (issue 12): Atom `link rel=hub|self`, RSS `atom:link`, and
// FeedBurner's `atom10:link`, in real-world feeds of the corpus and in small ones.
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseFeed } from './parse-feed.ts';

const corpus = (name: string) =>
  readFileSync(new URL(`../../../tests/fixtures/corpus/${name}`, import.meta.url), 'utf8');

describe('hub and self links in the document', () => {
  it('reads atom10:link rel=hub and rel=self of a FeedBurner Atom feed', async () => {
    const feed = await parseFeed(corpus('feedburner.atom'), { url: 'http://example.org/x' });
    expect(feed.links).toEqual({
      hubs: ['http://pubsubhubbub.appspot.com/'],
      self: 'http://feeds.feedburner.com/blogspot/lQlzL',
    });
  });

  it('reads RSS atom:link rel=hub of real feeds', async () => {
    const a = await parseFeed(corpus('item-itunes-episodeType.rss'), {
      url: 'http://example.org/x',
    });
    expect(a.links?.hubs).toEqual(['https://pubsubhubbub.appspot.com/']);
    const b = await parseFeed(corpus('encoding.rss'), { url: 'http://example.org/x' });
    expect(b.links?.hubs).toEqual(['http://pubsubhubbub.appspot.com/']);
  });

  it('resolves relative hrefs; an entry link or RSS <link> is not a hub; none: no links', async () => {
    const atom = await parseFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><link rel="hub" href="/hub"/><link rel="self" href="feed.xml"/><link href="/"/>
       <entry><id>1</id><title>x</title><link rel="hub" href="http://not-this.example/"/></entry></feed>`,
      { url: 'https://a.example/dir/index' },
    );
    expect(atom.links).toEqual({
      hubs: ['https://a.example/hub'],
      self: 'https://a.example/dir/feed.xml',
    });
    const plain = await parseFeed(
      `<rss version="2.0"><channel><title>t</title><link>https://a.example/</link><item><title>x</title></item></channel></rss>`,
      { url: 'https://a.example/rss' },
    );
    expect(plain.links).toBeUndefined();
  });
});
