import { describe, it, expect } from 'vitest';
import { TEASER_CHARS, pageWins, textLength, wantsPage } from './teaser.ts';

const chars = (n: number, ch = 'ب') => ch.repeat(n);

describe('teaser test', () => {
  it('auto wants the page under 500 characters of text, not at 500', () => {
    expect(wantsPage('auto', chars(TEASER_CHARS - 1))).toBe(true);
    expect(wantsPage('auto', chars(TEASER_CHARS))).toBe(false);
    expect(wantsPage('auto', '')).toBe(true); // no content at all
  });

  it('counts whitespace runs once (markup is stripped before)', () => {
    expect(textLength('  a \n\n  b  ')).toBe(3);
  });

  it('always and never do not look at length', () => {
    expect(wantsPage('always', chars(5000))).toBe(true);
    expect(wantsPage('never', '')).toBe(false);
  });

  it('auto uses the page only when it is much longer: twice the feed and 200 characters more', () => {
    expect(pageWins('auto', chars(100), chars(299))).toBe(false); // 3x but only +199
    expect(pageWins('auto', chars(100), chars(300))).toBe(true);
    expect(pageWins('auto', chars(400), chars(799))).toBe(false); // +399 but under 2x
    expect(pageWins('auto', chars(400), chars(800))).toBe(true);
  });

  it('a page with almost no text is never used, even by always', () => {
    expect(pageWins('always', '', chars(79))).toBe(false);
    expect(pageWins('always', chars(3000), chars(80))).toBe(true);
  });
});
