import { describe, it, expect } from 'vitest';
import { backoffDelay, computeNextPollDelay, MAX_BACKOFF_MS } from './next-poll.ts';
import type { NextPollInput } from './next-poll.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const now = Date.parse('2024-05-01T12:00:00Z');

const base: NextPollInput = {
  publishedTimes: [],
  now,
  minInterval: 5 * MIN,
  maxInterval: 6 * HOUR,
  defaultInterval: 15 * MIN,
  ttlMinutes: null,
  updatePeriodMinutes: null,
  maxAgeSeconds: null,
  retryAfterMs: null,
};
const every = (n: number, gap: number) => Array.from({ length: n }, (_, i) => now - i * gap - 1000);

describe('backoffDelay', () => {
  it('doubles per failure around the base, within ±10 %', () => {
    const at = (f: number, r: number) => backoffDelay(f, 10 * MIN, () => r);
    expect(at(1, 0.5)).toBe(10 * MIN);
    expect(at(2, 0.5)).toBe(20 * MIN);
    expect(at(3, 0.5)).toBe(40 * MIN);
    expect(at(3, 0)).toBe(36 * MIN);
    expect(at(3, 0.999999)).toBeCloseTo(44 * MIN, -3);
    expect(at(0, 0.5)).toBe(10 * MIN);
  });
  it('is capped at 24 h even with jitter and huge counts', () => {
    expect(backoffDelay(9, 10 * MIN, () => 0)).toBe(MAX_BACKOFF_MS);
    expect(backoffDelay(10_000, 10 * MIN)).toBe(DAY);
    expect(MAX_BACKOFF_MS).toBe(DAY);
  });
  it('jitters with the default random source', () => {
    const values = new Set(Array.from({ length: 20 }, () => backoffDelay(2, 10 * MIN)));
    expect(values.size).toBeGreaterThan(1);
    for (const v of values) expect(v).toBeGreaterThanOrEqual(18 * MIN);
  });
});

describe('computeNextPollDelay', () => {
  it('uses the configured interval when nothing is known', () => {
    expect(computeNextPollDelay(base)).toBe(15 * MIN);
  });
  it('follows the weekly publishing rate (Miniflux entry frequency)', () => {
    // 84 items in the last week -> every 2 h
    expect(computeNextPollDelay({ ...base, publishedTimes: every(84, 2 * HOUR) })).toBe(2 * HOUR);
    // 7 items in a week -> every day, clamped to maxInterval (6 h)
    expect(computeNextPollDelay({ ...base, publishedTimes: every(7, DAY) })).toBe(6 * HOUR);
    // a very busy feed is clamped to minInterval
    expect(computeNextPollDelay({ ...base, publishedTimes: every(5000, MIN) })).toBe(5 * MIN);
  });
  it('ignores items older than a week (silent feeds are polled at maxInterval) and far-future dates', () => {
    expect(
      computeNextPollDelay({ ...base, publishedTimes: [now - 30 * DAY, now - 10 * DAY] }),
    ).toBe(6 * HOUR);
    expect(computeNextPollDelay({ ...base, publishedTimes: [now + 30 * DAY] })).toBe(15 * MIN);
  });
  it('never polls sooner than ttl, sy:updatePeriod, max-age or Retry-After ask', () => {
    const busy = { ...base, publishedTimes: every(5000, MIN) };
    expect(computeNextPollDelay({ ...busy, ttlMinutes: 60 })).toBe(HOUR);
    expect(computeNextPollDelay({ ...busy, updatePeriodMinutes: 120 })).toBe(2 * HOUR);
    expect(computeNextPollDelay({ ...busy, maxAgeSeconds: 1800 })).toBe(30 * MIN);
    expect(computeNextPollDelay({ ...busy, retryAfterMs: 3 * HOUR })).toBe(3 * HOUR);
    // floors above maxInterval are honoured (up to a day for hints)
    expect(computeNextPollDelay({ ...busy, ttlMinutes: 12 * 60 })).toBe(12 * HOUR);
    expect(computeNextPollDelay({ ...busy, maxAgeSeconds: 365 * 86400 })).toBe(DAY);
    // hints shorter than the computed interval change nothing
    expect(
      computeNextPollDelay({
        ...base,
        publishedTimes: every(84, 2 * HOUR),
        ttlMinutes: 10,
        maxAgeSeconds: 60,
      }),
    ).toBe(2 * HOUR);
  });
});
