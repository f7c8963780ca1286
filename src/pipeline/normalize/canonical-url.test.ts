import { describe, expect, it } from 'vitest';
import { canonicalizeUrl } from './canonical-url.ts';

describe('canonicalizeUrl', () => {
  it.each([
    ['https://Example.COM/a?utm_source=x&id=5&utm_medium=y#frag', 'https://example.com/a?id=5'],
    ['http://example.com:80/a', 'http://example.com/a'],
    ['https://example.com:443/a', 'https://example.com/a'],
    ['https://example.com:8443/a', 'https://example.com:8443/a'],
    [
      'https://example.com/a?fbclid=1&gclid=2&dclid=3&msclkid=4&mc_cid=5&mc_eid=6&igshid=7&yclid=8&_hsenc=9&_hsmi=10&ref_src=twsrc',
      'https://example.com/a',
    ],
    ['https://example.com/a?b=2&a=1&UTM_Campaign=z', 'https://example.com/a?b=2&a=1'],
    [
      'https://example.com/a?q=%D8%B9%D8%B1%D8%A8%D9%8A&x=a+b',
      'https://example.com/a?q=%D8%B9%D8%B1%D8%A8%D9%8A&x=a+b',
    ],
    ['https://example.com/a?&&utm_source=x&', 'https://example.com/a'],
    ['https://example.com/a/../b/./c', 'https://example.com/b/c'],
    ['  https://example.com/x  ', 'https://example.com/x'],
    ['https://example.com/مقال', 'https://example.com/%D9%85%D9%82%D8%A7%D9%84'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalizeUrl(input)).toBe(expected);
  });

  it('resolves against a base and refuses non-http(s) or unusable input', () => {
    expect(canonicalizeUrl('/p/1?utm_source=rss', 'https://site.example/feed')).toBe(
      'https://site.example/p/1',
    );
    expect(canonicalizeUrl('p/1', null)).toBeNull();
    expect(canonicalizeUrl('javascript:alert(1)')).toBeNull();
    expect(canonicalizeUrl('mailto:a@b.c')).toBeNull();
    expect(canonicalizeUrl('')).toBeNull();
    expect(canonicalizeUrl('http://')).toBeNull();
  });

  it('is idempotent', () => {
    const once = canonicalizeUrl('HTTPS://WWW.Example.com:443/x?utm_term=1&a=b#top')!;
    expect(canonicalizeUrl(once)).toBe(once);
  });
});
