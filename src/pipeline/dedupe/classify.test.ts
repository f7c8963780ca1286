import { describe, it, expect } from 'vitest';
import { chooseStory, pastRetention } from './classify.ts';
import type { StoryCandidate } from './classify.ts';
import { fingerprintArticle } from './fingerprint.ts';
import { packSignature } from '../../text/minhash.ts';

const HOUR = 3_600_000;
const text = (extra: string) =>
  `the central bank raised interest rates by half a point on tuesday citing persistent inflation in food and energy prices while markets had expected a smaller move ${extra}`;
const sig = (t: string) => fingerprintArticle({ title: '', text: t }).signature;
const dedupe = { window: 72 * HOUR, threshold: 0.7 };
const t0 = Date.parse('2026-01-01T12:00:00Z');
const cand = (t: string, published: number, sources: string[], clusterId: string | null = null) =>
  ({ sig: packSignature(sig(t)), published, clusterId, sources }) satisfies StoryCandidate;

describe('chooseStory (level 3 decision)', () => {
  const mine = { signature: sig(text('analysts said')), publishedMs: t0, sources: ['a'] };

  it('joins a near-duplicate from another source, taking its cluster id', () => {
    expect(
      chooseStory(mine, [['x', cand(text('analysts said'), t0, ['b'], 'story')]], dedupe),
    ).toBe('story');
  });

  it('the same outlet re-running a story is not a second source for it', () => {
    expect(chooseStory(mine, [['x', cand(text('analysts said'), t0, ['a'])]], dedupe)).toBeNull();
  });

  it('ignores candidates outside the dedupe window and different stories', () => {
    const far = cand(text('analysts said'), t0 - 73 * HOUR, ['b']);
    const other = cand(
      'a football club signed a new striker from abroad for a record fee after a long negotiation with his former team and agents over the summer months',
      t0,
      ['b'],
    );
    expect(
      chooseStory(
        mine,
        [
          ['far', far],
          ['other', other],
        ],
        dedupe,
      ),
    ).toBeNull();
  });

  it('of several matching stories, the earliest wins', () => {
    const later = cand(text('analysts said'), t0 - HOUR, ['b']);
    const earlier = cand(text('analysts said'), t0 - 2 * HOUR, ['c']);
    expect(
      chooseStory(
        mine,
        [
          ['later', later],
          ['earlier', earlier],
        ],
        dedupe,
      ),
    ).toBe('earlier');
  });
});

describe('pastRetention', () => {
  it('an article whose retention ends now or earlier is too old', () => {
    expect(pastRetention(t0 - 10 * HOUR, t0, 10 * HOUR)).toBe(true);
    expect(pastRetention(t0 - 10 * HOUR + 1, t0, 10 * HOUR)).toBe(false);
  });
});
