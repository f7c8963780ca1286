import { describe, it, expect } from 'vitest';
import type { SourceConfig, SourceState } from '../../domain/types.ts';
import { FeedError } from '../../domain/errors.ts';
import {
  failureDelay,
  isDue,
  lastDelay,
  pollWindow,
  pushSafetyNetDelay,
  tickInterval,
} from './schedule.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const fetch = { minInterval: 5 * MIN, maxInterval: 6 * HOUR, defaultInterval: 15 * MIN };
const source = (interval: number | null = null) => ({ interval }) as unknown as SourceConfig;
const state = (s: Partial<SourceState>) => ({ status: 'ok', nextPoll: null, ...s }) as SourceState;
const now = Date.parse('2026-01-01T00:00:00Z');

describe('schedule', () => {
  it('ticks at the fastest rate the schedule may want: the source interval, else the minimum', () => {
    expect(tickInterval({ fetch } as never, source())).toBe(5 * MIN);
    expect(tickInterval({ fetch } as never, source(2 * HOUR))).toBe(2 * HOUR);
  });

  it('an explicit interval is the window floor and base', () => {
    expect(pollWindow(fetch, source(HOUR))).toEqual({ floor: HOUR, ceiling: 6 * HOUR, base: HOUR });
    expect(pollWindow(fetch, source())).toEqual({
      floor: 5 * MIN,
      ceiling: 6 * HOUR,
      base: 15 * MIN,
    });
  });

  it('a nearly due tick polls; a back-off is kept to the second', () => {
    const w = pollWindow(fetch, source());
    const at = (ms: number) => new Date(now + ms).toISOString();
    expect(isDue(state({ nextPoll: at(60_000) }), now, w)).toBe(true);
    expect(isDue(state({ nextPoll: at(61_000) }), now, w)).toBe(false);
    expect(isDue(state({ status: 'error', nextPoll: at(2_000) }), now, w)).toBe(false);
  });

  it('Retry-After beyond the back-off wins; a permanent error waits the ceiling', () => {
    const w = pollWindow(fetch, source());
    const busy = new FeedError('http', 'busy', { retryAfterMs: 3 * HOUR });
    expect(failureDelay(busy, 1, w)).toBe(3 * HOUR);
    const gone = new FeedError('http', 'gone', { permanent: true });
    expect(failureDelay(gone, 1, w)).toBe(6 * HOUR);
  });

  it('a 304 keeps at least the last delay', () => {
    const s = state({
      lastFetch: new Date(now).toISOString(),
      nextPoll: new Date(now + HOUR).toISOString(),
    });
    expect(lastDelay(s)).toBe(HOUR);
  });

  it('a source that pushes is still polled, at the slow end of its window', () => {
    expect(pushSafetyNetDelay(pollWindow(fetch, source()))).toBe(6 * HOUR);
  });
});
