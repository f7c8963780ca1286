// The source-state bookkeeping around one poll: before it, whether the source is due and what to
// fetch; after it, when to poll next and what the source's state says. The schedule decisions are
// schedule.ts's; this module reads and writes them to the store.
import type {
  Config,
  FetchResult,
  RawFeed,
  SourceConfig,
  SourceState,
} from '../../domain/types.ts';
import type { FeedError } from '../../domain/errors.ts';
import type { Store } from '../../store/index.ts';
import type { SourceStatePatch } from '../../store/sources.ts';
import {
  failureDelay,
  historyLimit,
  isDue,
  lastDelay,
  pollTarget,
  pollWindow,
  pushSafetyNetDelay,
  successDelay,
} from './schedule.ts';
import type { PollWindow } from './schedule.ts';

/** What a poll starts from: the source's state, its window, and the request to make. */
export interface PollPlan {
  state: SourceState;
  window: PollWindow;
  /** The Redis life this poll runs in; see Store.epoch(). */
  epoch: string;
  /** The last successful poll ran in this Redis life: its validators and seen items hold. */
  trusted: boolean;
  target: ReturnType<typeof pollTarget>;
}

/** The plan of a poll, or the time the source is due when it is not yet (and not forced). */
export async function planPoll(
  store: Store,
  fetch: Config['fetch'],
  source: SourceConfig,
  now: number,
  force: boolean,
): Promise<PollPlan | { notDueUntil: number }> {
  const state = await store.sources.getState(source.id);
  const window = pollWindow(fetch, source);
  if (!force && !isDue(state, now, window)) return { notDueUntil: Date.parse(state.nextPoll!) };
  // A poll that started before Redis last restarted may have lost writes: refetch and redo all.
  const epoch = await store.epoch();
  const trusted = state.epoch === epoch;
  const target = pollTarget(source, state);
  return {
    state,
    window,
    epoch,
    trusted,
    target: trusted ? target : { ...target, etag: null, lastModified: null },
  };
}

/** When a poll whose host had no free slot is tried again (a later tick, after Retry-After). */
export const hostBusyRetryAt = (e: FeedError, now: number) => now + (e.retryAfterMs ?? 0);

/** What the successful poll found, as far as the schedule and the source state care. */
export interface PollOutcome {
  fetched: FetchResult;
  /** The parsed feed; null on 304. */
  feed: RawFeed | null;
  /** Publish times of this poll's items that were not stored (older than retention). */
  unstoredTimes: number[];
  newItems: number;
  /** Items that repeated another item's guid with a different link or title (null on 304). */
  duplicateGuids: number | null;
  /** Items skipped as older than `retention.maxAge` (null on 304). */
  skippedTooOld: number | null;
  /** Items whose date could not be read (null on 304). */
  undatedItems: number | null;
  /** Repairs the feed needed to be read (null on 304: the last body's stand). */
  repairs: string[] | null;
  /** The source's publisher pushes to us (an active WebSub subscription): poll as a safety net. */
  pushActive?: boolean;
}

/** Records a successful poll (200 or 304) on the source; returns the next poll time. */
export async function recordSuccess(
  store: Store,
  source: SourceConfig,
  plan: PollPlan,
  started: Date,
  o: PollOutcome,
): Promise<number> {
  const now = started.getTime();
  const history = [
    ...(await store.sources.recentPublishTimes(source.id, historyLimit(plan.window))),
    ...o.unstoredTimes,
  ];
  const delay = successDelay(plan.window, history, now, {
    ttlMinutes: o.feed?.ttlMinutes ?? null,
    updatePeriodMinutes: o.feed?.updatePeriodMinutes ?? null,
    maxAgeSeconds: o.fetched.maxAge,
  });
  const nextPollAt = o.pushActive
    ? now + pushSafetyNetDelay(plan.window)
    : now + (o.feed ? delay : Math.max(delay, lastDelay(plan.state)));
  const url = o.fetched.permanentUrl ?? plan.target.url;
  const patch: SourceStatePatch = {
    url,
    movedFrom:
      url === source.url ? null : o.fetched.permanentUrl ? source.url : plan.target.movedFrom,
    status: o.feed ? 'ok' : 'not-modified',
    lastFetch: started.toISOString(),
    lastSuccess: started.toISOString(),
    lastError: null,
    lastErrorKind: null,
    consecutiveFailures: 0,
    etag: o.fetched.etag,
    lastModified: o.fetched.lastModified,
    nextPoll: new Date(nextPollAt).toISOString(),
    lastNewItems: o.newItems,
    // A 304 read nothing: the last poll's note stands.
    duplicateGuids: o.duplicateGuids ?? undefined,
    skippedTooOld: o.skippedTooOld ?? undefined,
    undatedItems: o.undatedItems ?? undefined,
    repairs: o.repairs ?? undefined,
    epoch: plan.epoch,
  };
  await store.sources.patchState(source.id, patch);
  return nextPollAt;
}

/** Records a failed poll (a fetch or parse error) on the source; returns the next poll time. */
export async function recordFailure(
  store: Store,
  source: SourceConfig,
  plan: PollPlan,
  started: Date,
  e: FeedError,
): Promise<number> {
  const failures = await store.sources.recordFailure(source.id);
  const nextPollAt = started.getTime() + failureDelay(e, failures, plan.window);
  await store.sources.patchState(source.id, {
    status: 'error',
    lastFetch: started.toISOString(),
    lastError: e.message,
    lastErrorKind: e.kind,
    lastErrorPermanent: e.permanent,
    nextPoll: new Date(nextPollAt).toISOString(),
  });
  return nextPollAt;
}
