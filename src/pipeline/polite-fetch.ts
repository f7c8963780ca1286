// One fetch under the per-host politeness limit: a slot of the host (shared by every worker
// through Redis) is held for the request only, never while parsing or storing.
import type { FetchRequest, FetchResult } from '../domain/types.ts';
import { isFeedError } from '../domain/errors.ts';
import type { FeedError } from '../domain/errors.ts';
import type { Accept, Fetcher } from './fetch/fetcher.ts';
import type { HostLimiter } from '../store/host-limiter.ts';

/** How long a poll waits for one of its host's slots before giving the tick up. */
const HOST_WAIT_MS = 30_000;

/** Fetches while holding one of the host's slots (released before parsing), or reports the host busy. */
export async function fetchPolitely(
  deps: { fetcher: Fetcher; hostLimiter: HostLimiter | null },
  req: FetchRequest,
  signal?: AbortSignal,
  accept: Accept = 'feed',
): Promise<FetchResult | { hostBusy: FeedError }> {
  const host = URL.canParse(req.url) ? new URL(req.url).hostname : null; // a bad URL fails in the fetcher
  let release: (() => Promise<void>) | null = null;
  if (deps.hostLimiter && host) {
    try {
      release = await deps.hostLimiter.acquire(host, { signal, waitMs: HOST_WAIT_MS });
    } catch (e) {
      if (isFeedError(e)) return { hostBusy: e };
      throw e;
    }
  }
  try {
    return await deps.fetcher.fetch(req, { signal, accept });
  } finally {
    await release?.();
  }
}
