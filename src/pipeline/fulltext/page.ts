// One linked page, fetched through the feeds' own fetcher (SSRF guard, size and time caps,
// charset detection, conditional requests) under the host's politeness limit, and remembered in
// the page cache so re-polls and other sources carrying the same canonical URL fetch it once.
import { isFeedError } from '../../domain/errors.ts';
import type { CachedPage } from '../../domain/types.ts';
import type { Fetcher } from '../fetch/fetcher.ts';
import { fetchPolitely } from '../polite-fetch.ts';
import { extractArticle } from './extract.ts';

/** A page's extraction is reused without asking the server for this long … */
export const PAGE_FRESH_MS = 6 * 3_600_000;
/** … then revalidated with its validators (a 304 costs no body) until the entry expires. */
export const PAGE_TTL_MS = 7 * 86_400_000;
/** A page that gave nothing (404, not HTML, over the cap, unreadable) is not asked again for this long. */
export const FAILED_PAGE_TTL_MS = 3_600_000;
/** Extractions larger than this are used but not cached (the cache holds articles, not archives). */
const MAX_CACHED_HTML = 512 * 1024;

/** Where extractions are remembered (store/page-cache.ts in Redis; memory for preview). */
export interface PageCache {
  get(url: string): Promise<CachedPage | null>;
  put(url: string, page: CachedPage, ttlMs: number): Promise<void>;
}

export interface PageDeps {
  fetcher: Fetcher;
  hostLimiter: Parameters<typeof fetchPolitely>[0]['hostLimiter'];
  pages: PageCache;
  now(): Date;
}

export interface PageResult {
  page: CachedPage;
  /** `cache`: no request; `revalidated`: 304 to a conditional request; `fetched`: a body came (or the request failed). */
  via: 'cache' | 'revalidated' | 'fetched';
}

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)\b/i;
const HTML_START = /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b/i;

/** HTML by its Content-Type, or by its first tag when the server sends none. */
export function isHtml(contentType: string | null, body: string): boolean {
  if (contentType && contentType.trim()) return HTML_TYPES.test(contentType.trim());
  return HTML_START.test(body.slice(0, 4096));
}

const failure = (outcome: string, detail: string, now: number): CachedPage => ({
  outcome,
  detail,
  fetchedAt: now,
  etag: null,
  lastModified: null,
});

/** Outcomes that may pass on their own soon: not cached. */
const TRANSIENT = new Set(['host-busy', 'timeout', 'network', 'rate-limited']);

async function fetchPage(
  deps: PageDeps,
  url: string,
  cached: CachedPage | null,
): Promise<PageResult> {
  const now = () => deps.now().getTime();
  const usable = cached?.outcome === 'ok' ? cached : null;
  let page: CachedPage;
  let via: PageResult['via'] = 'fetched';
  try {
    const res = await fetchPolitely(deps, {
      url,
      etag: usable?.etag ?? null,
      lastModified: usable?.lastModified ?? null,
    });
    if ('hostBusy' in res) page = failure('host-busy', res.hostBusy.message, now());
    else if (res.kind === 'not-modified') {
      if (usable) {
        page = { ...usable, fetchedAt: now() };
        via = 'revalidated';
      } else page = failure('http-error', 'HTTP 304 to a request without validators', now());
    } else if (!isHtml(res.contentType, res.body))
      page = failure('not-html', res.contentType ?? 'no Content-Type', now());
    else {
      const article = extractArticle(res.body, res.finalUrl);
      page = article
        ? {
            outcome: 'ok',
            detail: '',
            fetchedAt: now(),
            etag: res.etag,
            lastModified: res.lastModified,
            html: article.html,
            text: article.text,
            image: article.image,
          }
        : failure('unreadable', '', now());
    }
  } catch (e) {
    if (!isFeedError(e)) throw e; // Redis or a bug
    const outcome = e.kind === 'http' ? 'http-error' : e.kind;
    page = failure(outcome, e.status ? `HTTP ${e.status}` : e.message, now());
  }
  if (!TRANSIENT.has(page.outcome) && (page.html?.length ?? 0) <= MAX_CACHED_HTML)
    await deps.pages.put(url, page, page.outcome === 'ok' ? PAGE_TTL_MS : FAILED_PAGE_TTL_MS);
  return { page, via };
}

// Two items (of one poll, or of two sources polled at once by this process) linking the same
// page share one request.
const inflight = new WeakMap<PageCache, Map<string, Promise<PageResult>>>();

/** The page at canonical `url`: from the cache while fresh (or known bad), else fetched. */
export async function loadPage(deps: PageDeps, url: string): Promise<PageResult> {
  const cached = await deps.pages.get(url);
  if (
    cached &&
    (cached.outcome !== 'ok' || deps.now().getTime() - cached.fetchedAt < PAGE_FRESH_MS)
  )
    return { page: cached, via: 'cache' };
  let pending = inflight.get(deps.pages);
  if (!pending) inflight.set(deps.pages, (pending = new Map()));
  const running = pending.get(url);
  if (running) return running;
  const p = fetchPage(deps, url, cached).finally(() => pending.delete(url));
  pending.set(url, p);
  return p;
}
