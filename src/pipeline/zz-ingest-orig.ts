// The orchestrator: one poll of one source, reading like the product.
// fetch -> parse -> normalize -> tag -> dedupe + store -> section indexes -> source state.
import type { Config, IngestReport, SourceConfig } from '../domain/types.ts';
import { isFeedError } from '../domain/errors.ts';
import type { Store } from '../store/index.ts';
import type { Curator } from '../curate/curator.ts';
import type { Fetcher } from './fetch/fetcher.ts';
import type { HostLimiter } from '../store/host-limiter.ts';
import { backoffDelay, computeNextPollDelay } from './fetch/next-poll.ts';
import { parseFeed } from './parse/parse-feed.ts';
import { normalizeFeed } from './normalize/normalize.ts';
import type { Tagger } from './tag/tagger.ts';
import { fingerprintArticle } from './dedupe/fingerprint.ts';
import { htmlToText } from '../text/html-text.ts';
import { persistArticle } from './persist.ts';

export interface IngestDeps {
  config: Pick<Config, 'fetch' | 'retention' | 'dedupe' | 'sources'>;
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

export async function ingestSource(deps: IngestDeps, source: SourceConfig, opts: IngestOptions = {}): Promise<IngestReport> {
  const { store, config } = deps;
  const started = deps.now();
  const report: IngestReport = {
    sourceId: source.id, outcome: 'ok', fetched: 0, inserted: 0, updated: 0, unchanged: 0,
    clustered: 0, durationMs: 0, error: null, nextPollAt: 0,
  };
  const state = await store.sources.getState(source.id);
  if (!opts.force && state.nextPoll && Date.parse(state.nextPoll) > started.getTime() + 1000) {
    return { ...report, outcome: 'skipped', nextPollAt: Date.parse(state.nextPoll) };
  }
  const moved = state.url && state.movedFrom === source.url ? state.url : null;
  const url = moved ?? source.url;
  const sameUrl = state.url === url;
  const baseInterval = source.interval ?? config.fetch.defaultInterval;
  try {
    const release = deps.hostLimiter ? await deps.hostLimiter.acquire(new URL(url).host, { signal: opts.signal, waitMs: 30_000 }) : null;
    let fetched;
    try {
      fetched = await deps.fetcher.fetch(
        { url, etag: sameUrl ? state.etag : null, lastModified: sameUrl ? state.lastModified : null },
        { signal: opts.signal },
      );
    } finally {
      await release?.();
    }
    let feedHints = { ttlMinutes: null as number | null, updatePeriodMinutes: null as number | null };
    if (fetched.kind === 'not-modified') {
      report.outcome = 'not-modified';
    } else {
      const feed = await parseFeed(fetched.body, { url: fetched.finalUrl });
      feedHints = { ttlMinutes: feed.ttlMinutes, updatePeriodMinutes: feed.updatePeriodMinutes };
      const articles = normalizeFeed(feed, { source, feedUrl: fetched.finalUrl, now: started });
      report.fetched = articles.length;
      const results = await Promise.all(
        articles.map(async (article) => {
          const text = htmlToText(article.contentHtml);
          const tags = deps.tagger.tag({
            title: article.title, summary: article.summary, text,
            categories: article.sourceCategories, sourceTags: source.tags,
          });
          const tagged = { ...article, tags };
          const fingerprint = fingerprintArticle({ title: article.title, text });
          return persistArticle(deps, { article: tagged, text, fingerprint, explicitSections: source.sections }, started);
        }),
      );
      const stored = results.filter((r) => r !== null);
      for (const r of stored) {
        if (r.outcome === 'inserted') report.inserted++;
        else if (r.outcome === 'updated') report.updated++;
        else report.unchanged++;
        if (r.clustered) report.clustered++;
      }
      await store.sources.addArticles(source.id, stored.map((r, i) => ({ id: r.id, publishedMs: Date.parse(articles[i]!.published) })));
    }
    const delay = computeNextPollDelay({
      publishedTimes: await store.sources.recentPublishTimes(source.id),
      now: started.getTime(),
      minInterval: Math.min(config.fetch.minInterval, baseInterval),
      maxInterval: Math.max(config.fetch.maxInterval, baseInterval),
      defaultInterval: baseInterval,
      ttlMinutes: feedHints.ttlMinutes,
      updatePeriodMinutes: feedHints.updatePeriodMinutes,
      maxAgeSeconds: fetched.maxAge,
      retryAfterMs: null,
    });
    report.nextPollAt = started.getTime() + delay;
    await store.sources.patchState(source.id, {
      url: fetched.permanentUrl ?? url,
      movedFrom: fetched.permanentUrl ? source.url : moved ? source.url : null,
      status: report.outcome === 'not-modified' ? 'not-modified' : 'ok',
      lastFetch: started.toISOString(), lastSuccess: started.toISOString(),
      lastError: null, lastErrorKind: null, consecutiveFailures: 0,
      etag: fetched.etag, lastModified: fetched.lastModified,
      nextPoll: new Date(report.nextPollAt).toISOString(), lastNewItems: report.inserted,
    });
  } catch (e) {
    if (!isFeedError(e)) throw e; // Redis or a bug: let the job retry
    const failures = (await store.sources.recordFailure(source.id));
    const delay = Math.max(e.retryAfterMs ?? 0, backoffDelay(failures, baseInterval));
    report.outcome = 'error';
    report.error = { kind: e.kind, message: e.message, permanent: e.permanent };
    report.nextPollAt = started.getTime() + delay;
    await store.sources.patchState(source.id, {
      status: 'error', lastFetch: started.toISOString(), lastError: e.message,
      lastErrorKind: e.kind, nextPoll: new Date(report.nextPollAt).toISOString(),
    });
  }
  report.durationMs = deps.now().getTime() - started.getTime();
  return report;
}
