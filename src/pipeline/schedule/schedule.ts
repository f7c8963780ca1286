// When a source is polled: how often its scheduler ticks, which URL and validators to poll it
// with, whether a tick is due, and when to poll next after a success or a failure (adaptive
// interval, publisher hints, back-off, Retry-After), plus the safety-net interval of a source
// that pushes. Pure functions over the source's stored state; the clock is passed in. The
// formulas are in next-poll.ts; the source-state bookkeeping of a poll in bookkeeping.ts.
import type { Config, FetchConfig, SourceConfig, SourceState } from '../../domain/types.ts';
import type { FeedError } from '../../domain/errors.ts';
import {
  MAX_BACKOFF_MS,
  MAX_RETRY_AFTER_MS,
  backoffDelay,
  computeNextPollDelay,
} from './next-poll.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/**
 * How often a source's scheduler (a BullMQ job scheduler, see queues/) ticks: at the fastest rate
 * its schedule may ever want. The adaptive schedule (`isDue`) may skip ticks, never add them.
 */
export function tickInterval(config: Pick<Config, 'fetch'>, source: SourceConfig): number {
  return source.interval ?? Math.min(config.fetch.defaultInterval, config.fetch.minInterval);
}

/** The bounds a source's adaptive schedule moves in. An explicit `interval` is the source's floor. */
export interface PollWindow {
  floor: number;
  ceiling: number;
  /** Interval while nothing is known of the source's rhythm; also the back-off base. */
  base: number;
}

export function pollWindow(
  fetch: Pick<FetchConfig, 'minInterval' | 'maxInterval' | 'defaultInterval'>,
  source: Pick<SourceConfig, 'interval'>,
): PollWindow {
  if (source.interval) {
    return {
      floor: source.interval,
      ceiling: Math.max(fetch.maxInterval, source.interval),
      base: source.interval,
    };
  }
  const base = Math.min(fetch.maxInterval, Math.max(fetch.minInterval, fetch.defaultInterval));
  return { floor: fetch.minInterval, ceiling: fetch.maxInterval, base };
}

/**
 * Whether a non-forced poll should run now. Scheduler ticks arrive with some jitter, so a regular
 * schedule polls a tick that is nearly due (within half the floor, at most a minute) instead of
 * skipping a whole tick; a back-off or Retry-After is kept to the second.
 */
export function isDue(state: SourceState, now: number, window: PollWindow): boolean {
  if (!state.nextPoll) return true;
  const grace = state.status === 'error' ? 1000 : Math.min(window.floor / 2, 60_000);
  return Date.parse(state.nextPoll) <= now + grace;
}

/** The URL to poll (the permanent-redirect target, if the configured URL moved) and its validators. */
export function pollTarget(source: Pick<SourceConfig, 'url'>, state: SourceState) {
  const moved = state.url && state.movedFrom === source.url ? state.url : null;
  const url = moved ?? source.url;
  // Validators belong to the URL they came from; a changed configured URL starts afresh.
  const same = state.url === url;
  return {
    url,
    movedFrom: moved ? source.url : null,
    etag: same ? state.etag : null,
    lastModified: same ? state.lastModified : null,
  };
}

/**
 * Mean time between a source's items: over the last week, or over the span its known items
 * cover when that is shorter (at least a day), so a feed that lists its last 50 items of one day
 * reads as 50 a day, not 50 a week. null: nothing dated known; Infinity: nothing in a week.
 */
export function observedInterval(publishedTimes: number[], now: number): number | null {
  const valid = publishedTimes.filter((t) => Number.isFinite(t) && t <= now + HOUR);
  if (valid.length === 0) return null;
  const span = Math.min(WEEK, Math.max(DAY, now - Math.min(...valid)));
  const recent = valid.filter((t) => t >= now - span).length;
  return recent === 0 ? Infinity : span / recent;
}

export interface FeedHints {
  ttlMinutes: number | null;
  updatePeriodMinutes: number | null;
  maxAgeSeconds: number | null;
}

/** How long publishedTimes must be to cover a week at the fastest rate the window allows. */
export const historyLimit = (window: PollWindow) =>
  Math.min(5000, Math.ceil(WEEK / Math.max(60_000, window.floor)) + 1);

/** Delay after a successful poll: the observed rhythm within the window, publisher hints as floors. */
export function successDelay(
  window: PollWindow,
  publishedTimes: number[],
  now: number,
  hints: FeedHints,
): number {
  // Undated items take the poll's own time as their date (normalize): they say nothing of the rhythm.
  const observed = observedInterval(
    publishedTimes.filter((t) => t !== now),
    now,
  );
  return computeNextPollDelay({
    publishedTimes: [],
    now,
    minInterval: window.floor,
    maxInterval: window.ceiling,
    defaultInterval: observed === null ? window.base : Math.min(observed, window.ceiling),
    ...hints,
    retryAfterMs: null,
  });
}

/**
 * The delay the previous successful poll chose. A 304 carries no body, so no <ttl> or
 * sy:updatePeriod; keeping at least the last delay keeps those floors (and nothing new was
 * published, so the rhythm cannot have quickened).
 */
export function lastDelay(state: SourceState): number {
  if (
    (state.status !== 'ok' && state.status !== 'not-modified') ||
    !state.nextPoll ||
    !state.lastFetch
  )
    return 0;
  return Math.max(0, Date.parse(state.nextPoll) - Date.parse(state.lastFetch)) || 0;
}

/**
 * Delay after a failure: exponential back-off from the base (capped at a day), never sooner than
 * Retry-After; a permanent error (404/410, not a feed) waits at least the window's ceiling.
 */
export function failureDelay(
  error: FeedError,
  consecutiveFailures: number,
  window: PollWindow,
): number {
  const backoff = backoffDelay(consecutiveFailures, window.base);
  const retryAfter = Math.min(error.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
  const permanentFloor = error.permanent ? Math.min(window.ceiling, MAX_BACKOFF_MS) : 0;
  return Math.max(backoff, retryAfter, permanentFloor);
}

/**
 * The safety-net delay of a source whose publisher pushes new items (WebSub): a push may be lost,
 * so it is still polled, at the slow end of its window (fetch.maxInterval, or the source's own
 * longer interval). Used by recordSuccess while the source's subscription is active.
 */
export function pushSafetyNetDelay(window: PollWindow): number {
  return window.ceiling;
}
