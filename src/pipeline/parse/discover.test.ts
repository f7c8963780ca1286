import { describe, expect, it } from 'vitest';
import { discoverFeedLinks, looksLikeHtml } from './discover.ts';

describe('discoverFeedLinks', () => {
  it('finds alternate feed links, absolute, in document order', () => {
    const html = `<!doctype html><html><head>
      <link rel="stylesheet" href="/s.css">
      <link rel="alternate" type="application/atom+xml" href="/atom.xml" title="Atom">
      <LINK REL="Alternate" TYPE="application/rss+xml" HREF="feed/?lang=ar&amp;x=1">
      <link rel="alternate" type="application/feed+json" href="https://cdn.example/feed.json">
      <link rel="alternate" hreflang="fr" href="/fr/">
      <link rel="alternate" type="application/rss+xml" href="/atom.xml">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    </head><body><a href="/other.rss">not a link tag</a></body></html>`;
    expect(discoverFeedLinks(html, 'https://site.example/blog/post')).toEqual([
      'https://site.example/atom.xml',
      'https://site.example/blog/feed/?lang=ar&x=1',
      'https://cdn.example/feed.json',
    ]);
  });

  it('honours <base href>', () => {
    const html = `<html><head><base href="https://other.example/root/"><link rel="alternate" type="application/rss+xml" href="rss"></head></html>`;
    expect(discoverFeedLinks(html, 'https://site.example/')).toEqual([
      'https://other.example/root/rss',
    ]);
  });

  it('returns nothing for a page without feeds', () => {
    expect(
      discoverFeedLinks('<html><head><title>x</title></head></html>', 'https://a.example/'),
    ).toEqual([]);
  });
});

describe('looksLikeHtml', () => {
  it.each([
    ['<!DOCTYPE html><html><body></body></html>', true],
    ['\n  <html lang="ar" dir="rtl"><head></head></html>', true],
    ['<!-- c --><head><title>x</title></head>', true],
    ['<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', false],
    ['<feed xmlns="http://www.w3.org/2005/Atom"></feed>', false],
    ['<?xml version="1.0"?><!-- html --><rdf:RDF></rdf:RDF>', false],
    ['{"version":"https://jsonfeed.org/version/1.1"}', false],
  ])('%s -> %s', (text, expected) => {
    expect(looksLikeHtml(text)).toBe(expected);
  });
});
