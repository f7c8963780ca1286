// The full-text stage (between normalize and tag): for teaser items (or every item, per the
// source's `fullText`), the linked page's article becomes the item's content; the feed's own
// text stays its summary. A page that fails in any way leaves the item as the feed gave it and
// is never the source's error: it is counted (metrics) and noted on the source (/api/sources).
import type {
  Article,
  CachedPage,
  FetchRequest,
  FullTextMode,
  IngestReport,
  SourceConfig,
} from '../../domain/types.ts';
import { contentHash } from '../normalize/normalize.ts';
import { withSourceSettings } from '../source-fetch.ts';
import { loadPage } from './page.ts';
import type { PageCache, PageDeps } from './page.ts';
import { pageWins, textLength, wantsPage } from './teaser.ts';

/** Pages of one poll fetched at once (the host limiter still caps each host). */
const CONCURRENCY = 4;
/** Examples of failed pages named in the source's note. */
const NOTE_EXAMPLES = 3;

export interface FullTextDeps {
  fetcher: PageDeps['fetcher'];
  hostLimiter: PageDeps['hostLimiter'];
  store: {
    pages: PageDeps['pages'];
    sources: { patchState(id: string, patch: { fullTextNote: string | null }): Promise<void> };
  };
  now(): Date;
  /** Items older than retention.maxAge are not stored: their pages are not fetched either. */
  config?: { retention: { maxAge: number } };
}

const REASONS: Record<string, string> = {
  'http-error': 'HTTP error',
  'not-html': 'not HTML',
  'too-large': 'over fetch.maxBytes',
  unreadable: 'nothing readable',
  'blocked-address': 'blocked address',
  timeout: 'timed out',
  network: 'network error',
  'host-busy': 'host busy',
};

/** What the stage did with one item's page (null: the item wanted none; via `skipped`: its host was found down earlier in the poll). */
export type FullTextOutcome = { outcome: string; via: string; detail: string } | null;

/** Failures that say the host cannot be reached now: its other pages in the same poll are not tried. */
const HOST_DOWN = new Set(['network', 'timeout', 'blocked-address', 'host-busy']);

const hostOf = (url: string): string | null => {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
};

/**
 * One item: its article with the page's content when the page wins, and what happened.
 * `downHosts` (shared by the items of one poll) remembers hosts found unreachable, so a feed of
 * 100 teasers on a host that is down costs a few failed connections, not 100.
 */
export async function fullTextItem<T extends { article: Article; text: string }>(
  deps: PageDeps,
  mode: FullTextMode,
  item: T,
  downHosts: Map<string, { outcome: string; detail: string }> = new Map(),
): Promise<{ item: T; result: FullTextOutcome }> {
  const url = item.article.url;
  if (!url || !wantsPage(mode, item.text)) return { item, result: null };
  const host = hostOf(url);
  const down = host ? downHosts.get(host) : undefined;
  if (down) return { item, result: { ...down, via: 'skipped' } };
  const { page, via } = await loadPage(deps, url);
  if (host && HOST_DOWN.has(page.outcome))
    downHosts.set(host, { outcome: page.outcome, detail: page.detail });
  if (page.outcome !== 'ok' || page.html === undefined || page.text === undefined)
    return { item, result: { outcome: page.outcome, via, detail: page.detail } };
  if (!pageWins(mode, item.text, page.text))
    return { item, result: { outcome: 'not-longer', via, detail: '' } };
  const article: Article = {
    ...item.article,
    contentHtml: page.html,
    contentHash: contentHash(item.article.title, page.html),
    image: item.article.image ?? (page.image ? { ...page.image, type: null } : null),
  };
  return {
    item: { ...item, article, text: page.text },
    result: { outcome: 'extracted', via, detail: '' },
  };
}

/** A source that sends headers or credentials may see pages others may not. */
const hasSecrets = (s: SourceConfig) =>
  !!(s.fetch?.auth || Object.keys(s.fetch?.headers ?? {}).length);

/**
 * That source's pages are cached under its own id: a page fetched with one source's login is
 * never served to another source that links the same URL.
 */
const ownPages = (pages: PageCache, sourceId: string): PageCache => ({
  get: (url) => pages.get(`source:${sourceId} ${url}`),
  put: (url, page, ttlMs) => pages.put(`source:${sourceId} ${url}`, page, ttlMs),
});

/** The stage: every item of one poll, counted into `report.fullText` and the source's note. */
export async function withFullText<T extends { article: Article; text: string }>(
  deps: FullTextDeps,
  source: SourceConfig,
  items: T[],
  report: IngestReport,
): Promise<T[]> {
  const mode = source.fullText ?? 'auto';
  if (mode === 'never') return items;
  // The source's headers and credentials go with a page on the feed's own origin only (not its
  // charset: that one is the feed's).
  const own = source.fetch ? { ...source, fetch: { ...source.fetch, charset: null } } : null;
  const pageDeps: PageDeps = {
    ...deps,
    pages: own && hasSecrets(own) ? ownPages(deps.store.pages, source.id) : deps.store.pages,
    ...(own ? { prepare: (req: FetchRequest) => withSourceSettings(req, own) } : {}),
  };
  const maxAge = deps.config?.retention.maxAge;
  const nowMs = deps.now().getTime();
  // The ingest's rule (dedupe's pastRetention): published + maxAge at or before now is not stored.
  const stored = (a: Article) => maxAge === undefined || Date.parse(a.published) + maxAge > nowMs;
  const out = [...items];
  const failed: string[] = [];
  let tried = 0;
  let next = 0;
  const counts: Record<string, number> = {};
  const downHosts = new Map<string, { outcome: string; detail: string }>();
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      if (!stored(items[i]!.article)) continue;
      const { item, result } = await fullTextItem(pageDeps, mode, items[i]!, downHosts);
      out[i] = item;
      if (!result) continue;
      tried++;
      const key = `${result.outcome}\t${result.via}`;
      counts[key] = (counts[key] ?? 0) + 1;
      if (result.outcome !== 'extracted' && result.outcome !== 'not-longer')
        failed.push(
          `${REASONS[result.outcome] ?? result.outcome}${result.detail ? ` (${result.detail})` : ''}: ${item.article.url}`,
        );
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  if (tried === 0) return out;
  report.fullText = counts;
  const note = failed.length
    ? `${failed.length} of ${tried} linked page(s) left their item as the feed gave it: ${failed
        .slice(0, NOTE_EXAMPLES)
        .join('; ')}${failed.length > NOTE_EXAMPLES ? '; …' : ''}`
    : null;
  await deps.store.sources.patchState(source.id, { fullTextNote: note });
  return out;
}

/** What `preview --full-text` shows for one item. */
export interface FullTextPreview {
  outcome: string;
  detail: string;
  /** Characters of text in the feed's content (else description) and in the page's article. */
  feedChars: number;
  pageChars: number;
  /** Whether a source with the default `fullText: auto` would use the page's article. */
  autoUses: boolean;
}

/** A page cache held in memory (preview stores nothing in Redis). */
export function memoryPageCache(): PageDeps['pages'] {
  const m = new Map<string, CachedPage>();
  return {
    get: async (url) => m.get(url) ?? null,
    put: async (url, page) => void m.set(url, page),
  };
}

/**
 * Every item's linked page extracted (as `fullText: always` would), the article replacing the
 * content when there is one, and what `auto` would have done.
 */
export async function previewFullText<T extends { article: Article; text: string }>(
  deps: Omit<PageDeps, 'pages'>,
  items: T[],
): Promise<{ item: T; fullText: FullTextPreview }[]> {
  const pageDeps: PageDeps = { ...deps, pages: memoryPageCache() };
  const out: { item: T; fullText: FullTextPreview }[] = [];
  for (const feedItem of items) {
    const { item, result } = await fullTextItem(pageDeps, 'always', feedItem);
    const pageChars = result?.outcome === 'extracted' ? textLength(item.text) : 0;
    out.push({
      item,
      fullText: {
        outcome: result?.outcome ?? 'no-link',
        detail: result?.detail ?? '',
        feedChars: textLength(feedItem.text),
        pageChars,
        autoUses:
          pageChars > 0 &&
          wantsPage('auto', feedItem.text) &&
          pageWins('auto', feedItem.text, item.text),
      },
    });
  }
  return out;
}
