// When to poll a source next. Pure functions, no clock of their own.
// The adaptive interval follows Miniflux's "entry frequency" scheduler: a source that published
// N items over the last week is polled every week/N, clamped to [minInterval, maxInterval]. What
// the publisher asks for (RSS ttl, sy:updatePeriod, Cache-Control max-age, Retry-After) is a
// floor: we never poll sooner than that.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Upper bound of any back-off. */
export const MAX_BACKOFF_MS = DAY;
/** Publisher hints (ttl, updatePeriod, max-age) are honoured up to this long. */
const MAX_HINT_MS = DAY;
/** Retry-After is honoured up to this long. */
export const MAX_RETRY_AFTER_MS = WEEK;

/**
 * Delay after `consecutiveFailures` failures in a row: baseMs, 2·baseMs, 4·baseMs … with ±10 %
 * random jitter (so sources that failed together do not retry together), capped at 24 h.
 */
export function backoffDelay(
  consecutiveFailures: number,
  baseMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.max(1000, baseMs);
  const n = Math.max(0, Math.floor(consecutiveFailures) - 1);
  const raw = base * 2 ** Math.min(n, 30);
  const jittered = raw * (0.9 + 0.2 * random());
  return Math.round(Math.min(MAX_BACKOFF_MS, jittered));
}

export interface NextPollInput {
  /** ms since epoch of recent items' publication dates */
  publishedTimes: number[];
  now: number;
  minInterval: number;
  maxInterval: number;
  defaultInterval: number;
  ttlMinutes: number | null;
  updatePeriodMinutes: number | null;
  maxAgeSeconds: number | null;
  retryAfterMs: number | null;
}

const positive = (x: number | null | undefined): x is number =>
  typeof x === 'number' && Number.isFinite(x) && x > 0;

/** Milliseconds until the next poll. */
export function computeNextPollDelay(input: NextPollInput): number {
  const { now, publishedTimes } = input;
  const minInterval = Math.max(0, input.minInterval);
  const maxInterval = Math.max(minInterval, input.maxInterval);
  const clamp = (x: number) => Math.min(maxInterval, Math.max(minInterval, x));

  let interval: number;
  const valid = publishedTimes.filter((t) => Number.isFinite(t) && t <= now + HOUR);
  if (valid.length === 0) {
    // Nothing known yet (new source, or items without dates): the configured interval.
    interval = clamp(input.defaultInterval);
  } else {
    const weekly = valid.filter((t) => t > now - WEEK).length;
    // Known, but silent for a week: poll rarely.
    interval = weekly === 0 ? maxInterval : clamp(WEEK / weekly);
  }

  const hints = [
    positive(input.ttlMinutes) ? input.ttlMinutes * MINUTE : 0,
    positive(input.updatePeriodMinutes) ? input.updatePeriodMinutes * MINUTE : 0,
    positive(input.maxAgeSeconds) ? input.maxAgeSeconds * 1000 : 0,
  ].map((h) => Math.min(h, Math.max(MAX_HINT_MS, maxInterval)));
  const retry = positive(input.retryAfterMs) ? Math.min(input.retryAfterMs, MAX_RETRY_AFTER_MS) : 0;
  return Math.round(Math.max(interval, ...hints, retry));
}
