// The orchestrator: one poll of one source, reading like the product.
// fetch (holding one of the host's slots) -> parse -> normalize -> dedupe -> tag -> store, between
// the schedule's bookkeeping (schedule/: is it due, what to fetch, when next, source state).
// Fetch and parse failures become source state; only Redis errors and bugs throw.
import type {
  Config,
  FetchOk,
  FetchResult,
  IngestReport,
  RawFeed,
  SourceConfig,
} from '../domain/types.ts';
import { isFeedError } from '../domain/errors.ts';
import type { FeedError } from '../domain/errors.ts';
import type { Store } from '../store/index.ts';
import type { Curator } from '../curate/curator.ts';
import type { Fetcher } from './fetch/fetcher.ts';
import type { HostLimiter } from '../store/host-limiter.ts';
import { fetchForSource } from './source-fetch.ts';
import { filterBySource } from './source-filter.ts';
import { decodeFeedBytes } from './fetch/feed-bytes.ts';
import { tooLarge } from './fetch/read-body.ts';
import { parseFeed } from './parse/parse-feed.ts';
import { normalizeFeedItems, unreadableDates } from './normalize/normalize.ts';
import type { NormalizedItem } from './normalize/normalize.ts';
import { withFullText } from './fulltext/fulltext.ts';
import type { Tagger } from './tag/tagger.ts';
import { fingerprintArticle } from './dedupe/fingerprint.ts';
import { changedItems, tooOldMark } from './dedupe/unchanged.ts';
import { separateRepeatedGuids } from './dedupe/repeated-guids.ts';
import { rulesVersion } from './rules-version.ts';
import { articleTokens } from '../text/tokenize.ts';
import { indexArticles, persistArticle } from './persist.ts';
import { hostBusyRetryAt, planPoll, recordFailure, recordSuccess } from './schedule/bookkeeping.ts';
import type { PollPlan } from './schedule/bookkeeping.ts';

export interface IngestDeps {
  config: Pick<Config, 'fetch' | 'retention' | 'dedupe' | 'sources'> &
    Partial<Pick<Config, 'tags' | 'sections'>>;
  store: Store;
  fetcher: Fetcher;
  hostLimiter: HostLimiter | null;
  tagger: Tagger;
  curator: Curator;
  priorityOf(sourceId: string): number;
  now(): Date;
  /** WebSub subscriber (push/subscriber/); absent: no source pushes. */
  push?: PushHooks;
}

/** What the pipeline after the fetch needs: all of it (a pushed body is not fetched, but its
 *  teaser items' pages are, for full text). */
export type PipelineDeps = IngestDeps;

/** What the ingest asks of the WebSub subscriber. */
export interface PushHooks {
  /** The source's hub pushes to us now (subscription verified, lease running). */
  isActive(sourceId: string): Promise<boolean>;
  /** A poll read the source: the hub and self links it advertises (HTTP Link, the feed's own). */
  discovered(source: SourceConfig, fetched: FetchResult, feed: RawFeed | null): Promise<void>;
}

export interface IngestOptions {
  /** Poll even if the source's back-off or adaptive schedule says not yet. */
  force?: boolean;
  signal?: AbortSignal;
}

/** The lease of a source's ingest lock (renewed while the ingest runs; a dead holder's lapses). */
const SOURCE_LEASE_MS = 30_000;

/**
 * One ingest of a source at a time, poll or push, across every process: two at once would race
 * on the source's seen-set, validators and articles (an older polled body stored over a newer
 * pushed one). The other waits for the lock; `waitMs` bounds the wait.
 */
export function exclusiveForSource<T>(
  deps: Pick<IngestDeps, 'store'>,
  sourceId: string,
  waitMs: number,
  fn: () => Promise<T>,
) {
  return deps.store.locks.exclusive(`ingest:${sourceId}`, { leaseMs: SOURCE_LEASE_MS, waitMs }, fn);
}

/** The source's other ingest did not end in time (a push is retried by its job, a poll skips). */
export class SourceBusyError extends Error {
  override readonly name = 'SourceBusyError';
}

/**
 * One poll of one source. A poll that finds the source being ingested (a push, another poll)
 * waits for it, at most fetch.timeout + 5 s, then is skipped (a later tick polls).
 */
export async function ingestSource(
  deps: IngestDeps,
  source: SourceConfig,
  opts: IngestOptions = {},
): Promise<IngestReport> {
  const waitMs = deps.config.fetch.timeout + 5_000;
  const res = await exclusiveForSource(deps, source.id, waitMs, () =>
    pollSource(deps, source, opts),
  );
  if (res.ran) return res.value;
  return {
    ...emptyReport(source.id),
    outcome: 'skipped',
    nextPollAt: deps.now().getTime(),
    durationMs: res.waitedMs,
  };
}

async function pollSource(
  deps: IngestDeps,
  source: SourceConfig,
  opts: IngestOptions,
): Promise<IngestReport> {
  const { store } = deps;
  const started = deps.now();
  const report = emptyReport(source.id);
  const plan = await planPoll(store, deps.config.fetch, source, started.getTime(), !!opts.force);
  if ('notDueUntil' in plan) return { ...report, outcome: 'skipped', nextPollAt: plan.notDueUntil };
  try {
    const fetched = await fetchForSource(deps, source, plan.target, opts.signal);
    if ('hostBusy' in fetched) {
      // Other sources' fetches hold every slot of the host: not this source's failure; a later tick retries.
      const nextPollAt = hostBusyRetryAt(fetched.hostBusy, started.getTime());
      return { ...report, outcome: 'skipped', error: reportError(fetched.hostBusy), nextPollAt };
    }
    const feed = await readFetched(deps, source, plan, started, report, fetched);
    // What the response advertises (a WebSub hub): the subscriber's business, after the poll.
    await deps.push?.discovered(source, fetched, feed);
  } catch (e) {
    if (!isFeedError(e)) throw e; // Redis or a bug: let the job retry
    await failed(deps, source, plan, started, report, e);
  }
  report.durationMs = deps.now().getTime() - started.getTime();
  return report;
}

/** A body a source's WebSub hub pushed to our callback (signature already verified). */
export interface PushedBody {
  /** The raw body, at most fetch.maxBytes + 1 bytes read (more is refused as too large). */
  bytes: Buffer;
  /** The body was over fetch.maxBytes (and `bytes` may be empty: not carried further). */
  overSize?: boolean;
  contentType: string | null;
  /** The topic it was pushed for (stands in for the fetched URL). */
  url: string;
}

/**
 * "Push is another way to fetch": a pushed body enters the pipeline where a fetched body would
 * (parse -> normalize -> dedupe -> tag -> store, then the source's bookkeeping), with no fetch.
 * A body over fetch.maxBytes or that does not parse marks the source as a poll's would. It waits
 * for a poll (or push) of the same source in flight, at most `waitMs`, then throws
 * SourceBusyError (its job is retried).
 */
export async function ingestPushed(
  deps: PipelineDeps,
  source: SourceConfig,
  pushed: PushedBody,
  waitMs = 2 * deps.config.fetch.timeout + 10_000,
): Promise<IngestReport> {
  const res = await exclusiveForSource(deps, source.id, waitMs, () =>
    applyPushed(deps, source, pushed),
  );
  if (!res.ran)
    throw new SourceBusyError(`source ${source.id} still being ingested after ${res.waitedMs} ms`);
  return res.value;
}

async function applyPushed(
  deps: PipelineDeps,
  source: SourceConfig,
  pushed: PushedBody,
): Promise<IngestReport> {
  const started = deps.now();
  const report = emptyReport(source.id);
  const plan = await planPoll(deps.store, deps.config.fetch, source, started.getTime(), true);
  if ('notDueUntil' in plan) return { ...report, outcome: 'skipped', nextPollAt: plan.notDueUntil };
  const { maxBytes } = deps.config.fetch;
  try {
    if (pushed.overSize || pushed.bytes.length > maxBytes)
      throw tooLarge(maxBytes, `pushed body of more than ${maxBytes} bytes`);
    const decoded = decodeFeedBytes(
      pushed.bytes,
      pushed.contentType,
      maxBytes,
      source.fetch?.charset ?? null, // the source's charset override holds for pushes too
    );
    const fetched: FetchOk = {
      kind: 'ok',
      requestedUrl: pushed.url,
      finalUrl: pushed.url,
      permanentUrl: null,
      // The validators still describe the last polled body: the safety-net poll may get a 304.
      etag: plan.target.etag,
      lastModified: plan.target.lastModified,
      maxAge: null,
      fetchedAt: started.toISOString(),
      status: 200,
      contentType: pushed.contentType,
      charset: decoded.charset,
      body: decoded.text,
      bytes: decoded.bytes,
      ...(decoded.repairs.length ? { repairs: decoded.repairs } : {}),
    };
    await readFetched(deps, source, plan, started, report, fetched);
  } catch (e) {
    if (!isFeedError(e)) throw e;
    await failed(deps, source, plan, started, report, e);
  }
  report.durationMs = deps.now().getTime() - started.getTime();
  return report;
}

/** parse -> store -> bookkeeping of a fetched (or pushed) response; the parsed feed, or null on 304. */
async function readFetched(
  deps: PipelineDeps,
  source: SourceConfig,
  plan: PollPlan,
  started: Date,
  report: IngestReport,
  fetched: FetchResult,
): Promise<RawFeed | null> {
  let feed: RawFeed | null = null;
  let stored: Stored | null = null;
  if (fetched.kind === 'not-modified') report.outcome = 'not-modified';
  else {
    const parsed = await parseFeed(fetched.body, {
      url: fetched.finalUrl,
      repairs: fetched.repairs,
    });
    feed = filterBySource(source, parsed); // the source's include/exclude keywords
    report.repairs = feed.repairs ?? [];
    stored = await storeFeed(deps, source, feed, fetched.finalUrl, started, report, plan.trusted);
  }
  report.nextPollAt = await recordSuccess(deps.store, source, plan, started, {
    fetched,
    feed,
    unstoredTimes: stored?.unstoredTimes ?? [],
    duplicateGuids: stored?.duplicateGuids ?? null,
    skippedTooOld: stored ? (report.skippedTooOld ?? 0) : null,
    undatedItems: stored?.undatedItems ?? null,
    newItems: report.inserted,
    repairs: report.repairs ?? null,
    pushActive: (await deps.push?.isActive(source.id)) ?? false,
  });
  return feed;
}

async function failed(
  deps: Pick<IngestDeps, 'store'>,
  source: SourceConfig,
  plan: PollPlan,
  started: Date,
  report: IngestReport,
  e: FeedError,
) {
  report.outcome = 'error';
  report.error = reportError(e);
  report.nextPollAt = await recordFailure(deps.store, source, plan, started, e);
}

/** A report with nothing done yet (outcome ok until a stage says otherwise). */
export const emptyReport = (sourceId: string): IngestReport => ({
  sourceId,
  outcome: 'ok',
  fetched: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  clustered: 0,
  durationMs: 0,
  error: null,
  nextPollAt: 0,
});

const reportError = (e: FeedError) => ({
  kind: e.kind,
  message: e.message,
  permanent: e.permanent,
});

interface Stored {
  /** Publish times of items too old to keep. */
  unstoredTimes: number[];
  /** Items repeating another item's guid with a different link or title (kept apart). */
  duplicateGuids: number;
  /** Items whose date could not be read. */
  undatedItems: number;
}

/** tag -> fingerprint -> dedupe + store, for one normalized item. */
function tagAndStore(
  deps: PipelineDeps,
  source: SourceConfig,
  { article, text }: NormalizedItem,
  sameSourceIds: ReadonlySet<string>,
  now: Date,
) {
  // Tokenized once: tagging, the fingerprint and section keyword filters all read these.
  const tokens = articleTokens({ title: article.title, summary: article.summary, text });
  const tags = deps.tagger.tag({
    title: article.title,
    summary: article.summary,
    text,
    categories: article.sourceCategories,
    sourceTags: source.tags,
    tokens,
  });
  const fingerprint = fingerprintArticle({ title: article.title, text, tokens });
  const input = {
    article: { ...article, tags },
    text,
    tokens,
    fingerprint,
    explicitSections: source.sections,
    sameSourceIds,
  };
  return persistArticle(deps, input, now);
}

/** normalize -> dedupe -> tag -> store, counted into the report. */
async function storeFeed(
  deps: PipelineDeps,
  source: SourceConfig,
  feed: RawFeed,
  feedUrl: string,
  now: Date,
  report: IngestReport,
  trusted: boolean,
): Promise<Stored> {
  // Items exactly as the last poll saw them (under the same rules) need no work.
  const seen = trusted ? await deps.store.sources.seenItems(source.id) : new Map<string, string>();
  const { maxAge } = deps.config.retention;
  const delta = changedItems(
    feed.items,
    seen,
    rulesVersion(deps.config, source),
    tooOldMark(maxAge),
  );
  report.fetched = feed.items.length;
  report.unchanged += delta.unchanged;
  const separated = separateRepeatedGuids(
    normalizeFeedItems({ ...feed, items: delta.changed }, { source, feedUrl, now }),
  );
  const { duplicateGuids } = separated;
  // Teaser items get their linked page's article as content (the feed's text stays the summary).
  const normalized = await withFullText(deps, source, separated.items, report);
  const articles = normalized.map((n) => n.article);
  const sameSourceIds = new Set(articles.map((a) => a.id));
  const results = await Promise.all(
    normalized.map((n) => tagAndStore(deps, source, n, sameSourceIds, now)),
  );
  const kept: { id: string; publishedMs: number }[] = [];
  const tooOld: number[] = [];
  results.forEach((r, i) => {
    const publishedMs = Date.parse(articles[i]!.published);
    if (!r) {
      tooOld.push(publishedMs);
      return delta.markTooOld(normalized[i]!.item);
    }
    kept.push({ id: r.id, publishedMs });
    if (r.outcome === 'inserted' && normalized[i]!.dateUnreadable)
      report.undated = (report.undated ?? 0) + 1;
    report[
      r.outcome === 'inserted' ? 'inserted' : r.outcome === 'updated' ? 'updated' : 'unchanged'
    ]++;
    if (r.clustered) report.clustered++;
  });
  await indexArticles(
    deps.store,
    results.filter((r) => r !== null),
    deps.config.retention.maxPerSection,
  );
  await deps.store.sources.addArticles(source.id, kept);
  // Remembered last, after every article is stored: a crash before this re-processes the poll.
  await deps.store.sources.replaceSeen(source.id, delta.seen, maxAge);
  report.skippedTooOld = tooOld.length + delta.unchangedTooOld;
  return {
    unstoredTimes: tooOld,
    duplicateGuids,
    undatedItems: unreadableDates(feed, { source, now }),
  };
}
