// The orchestrator: one poll of one source, reading like the product.
// schedule -> fetch (holding one of the host's slots) -> parse -> normalize -> tag -> dedupe + store
// -> source state. Fetch and parse failures become source state; only Redis errors and bugs throw.
import type { Config, IngestReport, RawFeed, SourceConfig } from '../domain/types.ts';
import { isFeedError } from '../domain/errors.ts';
import type { FeedError } from '../domain/errors.ts';
import type { Store } from '../store/index.ts';
import type { Curator } from '../curate/curator.ts';
import type { Fetcher } from './fetch/fetcher.ts';
import type { HostLimiter } from '../store/host-limiter.ts';
import { fetchPolitely } from './polite-fetch.ts';
import { parseFeed } from './parse/parse-feed.ts';
import { normalizeFeedItems, unreadableDates } from './normalize/normalize.ts';
import { withFullText } from './fulltext/fulltext.ts';
import type { Tagger } from './tag/tagger.ts';
import { fingerprintArticle } from './dedupe/fingerprint.ts';
import { changedItems } from './dedupe/unchanged.ts';
import { rulesVersion } from './rules-version.ts';
import { articleTokens } from '../text/tokenize.ts';
import { indexArticles, persistArticle } from './persist.ts';
import {
  failureDelay,
  historyLimit,
  isDue,
  lastDelay,
  pollTarget,
  pollWindow,
  successDelay,
} from './schedule-state.ts';

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
}

export interface IngestOptions {
  /** Poll even if the source's back-off or adaptive schedule says not yet. */
  force?: boolean;
  signal?: AbortSignal;
}

export async function ingestSource(
  deps: IngestDeps,
  source: SourceConfig,
  opts: IngestOptions = {},
): Promise<IngestReport> {
  const { store, config } = deps;
  const started = deps.now();
  const now = started.getTime();
  const report: IngestReport = {
    sourceId: source.id,
    outcome: 'ok',
    fetched: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    clustered: 0,
    durationMs: 0,
    error: null,
    nextPollAt: 0,
  };
  const state = await store.sources.getState(source.id);
  const window = pollWindow(config.fetch, source);
  if (!opts.force && !isDue(state, now, window))
    return { ...report, outcome: 'skipped', nextPollAt: Date.parse(state.nextPoll!) };
  // A poll that started before Redis last restarted may have lost writes: refetch and redo all.
  const epoch = await store.epoch();
  const trusted = state.epoch === epoch;
  const target = trusted
    ? pollTarget(source, state)
    : { ...pollTarget(source, state), etag: null, lastModified: null };
  try {
    const fetched = await fetchPolitely(deps, target, opts.signal);
    if ('hostBusy' in fetched) {
      // Other sources' fetches hold every slot of the host: not this source's failure; a later tick retries.
      return {
        ...report,
        outcome: 'skipped',
        error: reportError(fetched.hostBusy),
        nextPollAt: now + (fetched.hostBusy.retryAfterMs ?? 0),
      };
    }
    let feed: RawFeed | null = null;
    let unstoredTimes: number[] = [];
    if (fetched.kind === 'not-modified') report.outcome = 'not-modified';
    else {
      feed = await parseFeed(fetched.body, { url: fetched.finalUrl, repairs: fetched.repairs });
      report.repairs = feed.repairs ?? [];
      unstoredTimes = await storeFeed(
        deps,
        source,
        feed,
        fetched.finalUrl,
        started,
        report,
        trusted,
      );
    }
    const history = [
      ...(await store.sources.recentPublishTimes(source.id, historyLimit(window))),
      ...unstoredTimes,
    ];
    const hints = {
      ttlMinutes: feed?.ttlMinutes ?? null,
      updatePeriodMinutes: feed?.updatePeriodMinutes ?? null,
      maxAgeSeconds: fetched.maxAge,
    };
    const delay = successDelay(window, history, now, hints);
    report.nextPollAt = now + (feed ? delay : Math.max(delay, lastDelay(state)));
    const url = fetched.permanentUrl ?? target.url;
    await store.sources.patchState(source.id, {
      url,
      movedFrom: url === source.url ? null : fetched.permanentUrl ? source.url : target.movedFrom,
      status: report.outcome === 'not-modified' ? 'not-modified' : 'ok',
      lastFetch: started.toISOString(),
      lastSuccess: started.toISOString(),
      lastError: null,
      lastErrorKind: null,
      consecutiveFailures: 0,
      etag: fetched.etag,
      lastModified: fetched.lastModified,
      nextPoll: new Date(report.nextPollAt).toISOString(),
      lastNewItems: report.inserted,
      epoch,
      repairs: report.repairs, // a 304 keeps the last body's repairs
    });
  } catch (e) {
    if (!isFeedError(e)) throw e; // Redis or a bug: let the job retry
    const failures = await store.sources.recordFailure(source.id);
    report.outcome = 'error';
    report.error = reportError(e);
    report.nextPollAt = now + failureDelay(e, failures, window);
    await store.sources.patchState(source.id, {
      status: 'error',
      lastFetch: started.toISOString(),
      lastError: e.message,
      lastErrorKind: e.kind,
      lastErrorPermanent: e.permanent,
      nextPoll: new Date(report.nextPollAt).toISOString(),
    });
  }
  report.durationMs = deps.now().getTime() - started.getTime();
  return report;
}

const reportError = (e: FeedError) => ({
  kind: e.kind,
  message: e.message,
  permanent: e.permanent,
});

/** normalize -> tag -> dedupe + store, counted into the report. Returns the publish times of items too old to keep. */
async function storeFeed(
  deps: IngestDeps,
  source: SourceConfig,
  feed: RawFeed,
  feedUrl: string,
  now: Date,
  report: IngestReport,
  trusted: boolean,
): Promise<number[]> {
  // Items exactly as the last poll saw them (under the same rules) need no work.
  const seen = trusted ? await deps.store.sources.seenItems(source.id) : new Map<string, string>();
  const delta = changedItems(feed.items, seen, rulesVersion(deps.config, source));
  report.fetched = feed.items.length;
  await deps.store.sources.patchState(source.id, {
    undatedItems: unreadableDates(feed, { source, now }),
  });
  report.unchanged += delta.unchanged;
  // Teaser items get their linked page's article as content (the feed's text stays the summary).
  const normalized = await withFullText(
    deps,
    source,
    normalizeFeedItems({ ...feed, items: delta.changed }, { source, feedUrl, now }),
    report,
  );
  const articles = normalized.map((n) => n.article);
  const results = await Promise.all(
    normalized.map(async ({ article, text }) => {
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
      return persistArticle(
        deps,
        {
          article: { ...article, tags },
          text,
          tokens,
          fingerprint,
          explicitSections: source.sections,
        },
        now,
      );
    }),
  );
  const kept: { id: string; publishedMs: number }[] = [];
  const tooOld: number[] = [];
  results.forEach((r, i) => {
    const publishedMs = Date.parse(articles[i]!.published);
    if (!r) return void tooOld.push(publishedMs);
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
  await deps.store.sources.replaceSeen(source.id, delta.seen, deps.config.retention.maxAge);
  return tooOld;
}
