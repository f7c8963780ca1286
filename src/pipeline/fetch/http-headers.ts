// Small readers for response headers the fetcher cares about.
import { FeedError } from '../../domain/errors.ts';

export type HeaderValue = string | string[] | undefined;

export function header(headers: Record<string, HeaderValue>, name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}

/** Retry-After as ms from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** Seconds from `Cache-Control: max-age=N`, or null. */
export function parseMaxAge(value: string | null): number | null {
  if (!value) return null;
  const m = /(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/i.exec(value);
  return m ? Number(m[1]) : null;
}

/** The FeedError for a final, non-2xx, non-304 status. */
export function statusError(status: number, url: string, retryAfterMs: number | null): FeedError {
  if (status === 429 || status === 503) {
    return new FeedError('rate-limited', `HTTP ${status} from ${url}`, {
      status,
      permanent: false,
      ...(retryAfterMs !== null ? { retryAfterMs } : {}),
    });
  }
  // 4xx other than 408 (request timeout) is the publisher's final word; 5xx and the rest may pass.
  const permanent = status >= 400 && status < 500 && status !== 408;
  return new FeedError('http', `HTTP ${status} from ${url}`, { status, permanent });
}
