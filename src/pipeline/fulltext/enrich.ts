// Full text for teaser items (source key `fullText`, CONTRACT "Whole items"): the item's linked
// page is fetched through the feed fetcher (SSRF guard, per-host politeness, size and time caps,
// charset detection, conditional requests; the source's headers and credentials only on its own
// origin), its readable article extracted (extract.ts) and made the item's content, the feed's
// own text staying its summary. normalize then sanitizes it and makes its URLs absolute against
// the page, as for any feed content. Pages are cached in Redis by canonical URL. A page that is
// an HTTP error, not HTML, over fetch.maxBytes or unreadable leaves the item as the feed gave it;
// the source stays healthy, and the failure is counted and noted on the source.
import type {
  FetchRequest,
  IngestReport,
  RawFeed,
  RawItem,
  SourceConfig,
} from '../../domain/types.ts';
import { isFeedError } from '../../domain/errors.ts';
import type { Fetcher } from '../fetch/fetcher.ts';
import type { HostLimiter } from '../../store/host-limiter.ts';
import type { CachedPage, PageCache } from '../../store/page-cache.ts';
import { fetchPolitely } from '../polite-fetch.ts';
import { withSourceSettings } from '../source-fetch.ts';
import { canonicalizeUrl } from '../normalize/canonical-url.ts';
import { extractReadable } from './extract.ts';
import { articleWins, feedTextLength, wantsPage } from './teaser.ts';

/** A cached article is used without asking for this long; then revalidated (conditional GET). */
export const PAGE_FRESH_MS = 24 * 3_600_000;
/** Cached entries (and their validators) are kept this long. */
const PAGE_KEEP_MS = 7 * 86_400_000;
/** A failed page is not tried again for this long. */
const FAILURE_KEEP_MS = 6 * 3_600_000;
/** New page fetches per poll: the rest wait for later polls (the feed's text stands meanwhile). */
export const MAX_PAGE_FETCHES_PER_POLL = 10;
/** How long one poll may hold a page's fetch before another poll tries it itself. */
const CLAIM_MS = 15_000;
/** Pages of one poll fetched at once (the per-host limit applies on top). */
const CONCURRENCY = 2;

export interface FullTextDeps {
  fetcher: Fetcher;
  hostLimiter: HostLimiter | null;
  /** Null: no cache (preview). */
  pages: PageCache | null;
  now(): Date;
}

export interface FullTextOutcome {
  feed: RawFeed;
  /** Items given their page's article (fetched now or cached). */
  extracted: number;
  /** Of those, pages fetched and extracted by this poll. */
  fetchedArticles: number;
  /** `reason url` per page that gave nothing (cached failures too). */
  failures: string[];
  /** Reasons of pages fetched this time that gave nothing (for the counters). */
  newFailures: string[];
}

const isHtml = (contentType: string | null) =>
  !contentType || /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType);

function failureOf(e: unknown): string {
  if (!isFeedError(e)) throw e;
  if (e.status) return `http-${e.status}`;
  return e.kind;
}

/** One page: from the cache, revalidated, or fetched; never throws for what the page does. */
async function readPage(
  deps: FullTextDeps,
  source: SourceConfig,
  url: string,
  key: string,
  budget: { fetches: number },
  signal?: AbortSignal,
): Promise<{ page: CachedPage; fetched: boolean } | null> {
  const now = deps.now().getTime();
  const cached = deps.pages ? await deps.pages.get(key) : null;
  const fromCache = cached ? { page: cached, fetched: false } : null;
  if (cached && now - cached.at < (cached.failure ? FAILURE_KEEP_MS : PAGE_FRESH_MS))
    return fromCache;
  if (budget.fetches <= 0) return fromCache; // stale is better than nothing; a later poll refreshes
  budget.fetches--;
  // Polls running at once (a source and another carrying the same link) fetch it once: the
  // others wait for the entry it leaves.
  if (deps.pages && !(await deps.pages.claim(key, CLAIM_MS))) {
    for (let waited = 0; waited < CLAIM_MS; waited += 200) {
      await new Promise((r) => setTimeout(r, 200));
      if (signal?.aborted) break;
      const entry = await deps.pages.get(key);
      if (entry && (!cached || entry.at !== cached.at)) return { page: entry, fetched: false };
    }
    return fromCache;
  }
  // The source's user agent, headers and credentials go with it only on the feed's own origin;
  // its `charset` is the feed's, not its pages'.
  const settings = source.fetch ? { ...source, fetch: { ...source.fetch, charset: null } } : source;
  const req: FetchRequest = withSourceSettings(
    {
      url,
      etag: cached && !cached.failure ? cached.etag : null,
      lastModified: cached && !cached.failure ? cached.lastModified : null,
    },
    settings,
  );
  let page: CachedPage;
  try {
    const res = await fetchPolitely(deps, req, signal, 'page');
    if ('hostBusy' in res) return fromCache; // the host is busy with feeds: not the page's fault
    if (res.kind === 'not-modified' && cached) page = { ...cached, at: now };
    else if (res.kind === 'not-modified') page = failed(url, now, 'not-modified-uncached');
    else if (!isHtml(res.contentType)) page = failed(res.finalUrl, now, 'not-html');
    else {
      const article = extractReadable(res.body);
      page = article
        ? {
            at: now,
            finalUrl: res.finalUrl,
            html: article.html,
            textLength: article.textLength,
            failure: null,
            etag: res.etag,
            lastModified: res.lastModified,
          }
        : failed(res.finalUrl, now, 'unreadable');
    }
  } catch (e) {
    if (signal?.aborted) throw e;
    page = failed(url, now, failureOf(e));
  }
  await deps.pages?.put(key, page, page.failure ? FAILURE_KEEP_MS : PAGE_KEEP_MS);
  return { page, fetched: true };
}

const failed = (finalUrl: string, at: number, failure: string): CachedPage => ({
  at,
  finalUrl,
  html: null,
  textLength: 0,
  failure,
  etag: null,
  lastModified: null,
});

/** The item with the page's article as its content and the feed's own text as its summary. */
function withArticle(item: RawItem, page: CachedPage): RawItem {
  return {
    ...item,
    summary: item.summary?.trim() ? item.summary : item.contentHtml,
    contentHtml: page.html,
    baseUrl: page.finalUrl,
  };
}

export async function withFullText(
  deps: FullTextDeps,
  source: SourceConfig,
  feed: RawFeed,
  signal?: AbortSignal,
): Promise<FullTextOutcome> {
  const mode = source.fullText ?? 'auto';
  const out: FullTextOutcome = {
    feed,
    extracted: 0,
    fetchedArticles: 0,
    failures: [],
    newFailures: [],
  };
  if (mode === 'never') return out;
  const wanted = feed.items
    .map((item, i) => ({ item, i }))
    .filter(({ item }) => wantsPage(mode, item));
  if (wanted.length === 0) return out;

  const items = [...feed.items];
  const budget = { fetches: MAX_PAGE_FETCHES_PER_POLL };
  let next = 0;
  const worker = async () => {
    for (let w = wanted[next++]; w; w = wanted[next++]) {
      const url = w.item.link!.trim();
      const key = canonicalizeUrl(url) ?? url;
      const read = await readPage(deps, source, url, key, budget, signal);
      if (!read) continue;
      const { page } = read;
      if (page.failure || !page.html) {
        out.failures.push(`${page.failure ?? 'unreadable'} ${url}`);
        if (read.fetched) out.newFailures.push(page.failure ?? 'unreadable');
        continue;
      }
      if (!articleWins(mode, feedTextLength(w.item), page.textLength)) continue;
      items[w.i] = withArticle(w.item, page);
      out.extracted++;
      if (read.fetched) out.fetchedArticles++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, wanted.length) }, worker));
  out.feed = { ...feed, items };
  return out;
}

/** The poll's full-text step: the feed enriched, counted into the report and noted on the source. */
export async function fullTextStep(
  deps: FullTextDeps & {
    store: {
      sources: { patchState(id: string, p: { fullTextFailures: string[] }): Promise<void> };
    };
  },
  source: SourceConfig,
  feed: RawFeed,
  report: IngestReport,
  signal?: AbortSignal,
): Promise<RawFeed> {
  const r = await withFullText(deps, source, feed, signal);
  const failed: Record<string, number> = {};
  for (const reason of r.newFailures) failed[reason] = (failed[reason] ?? 0) + 1;
  if (r.extracted > 0 || r.newFailures.length > 0)
    report.fullText = {
      extracted: r.fetchedArticles,
      cached: r.extracted - r.fetchedArticles,
      failed,
    };
  if ((source.fullText ?? 'auto') !== 'never')
    await deps.store.sources.patchState(source.id, { fullTextFailures: r.failures.slice(0, 20) });
  return r.feed;
}
