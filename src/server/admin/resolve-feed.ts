// Checks a URL an operator wants to add: fetches it through the feed fetcher (with its SSRF guard,
// size cap and timeout), follows HTML pages to the feed they announce (feed autodiscovery), and
// proves the result parses as a feed before anything is saved.
import type { FetchConfig, FetchRequest } from '../../domain/types.ts';
import { isFeedError } from '../../domain/errors.ts';
import { createFetcher } from '../../pipeline/fetch/fetcher.ts';
import type { Fetcher } from '../../pipeline/fetch/fetcher.ts';
import { discoverFeedLinks, looksLikeHtml } from '../../pipeline/parse/discover.ts';
import { parseFeed } from '../../pipeline/parse/parse-feed.ts';
import { HttpError } from '../http-error.ts';

export interface ResolvedFeed {
  /** The feed URL to poll. */
  url: string;
  /** The HTML page the feed was discovered on, or null when `url` was a feed already. */
  discoveredFrom: string | null;
  title: string | null;
  lang: string | null;
  items: number;
}

/** At most this many announced feeds are tried on one HTML page. */
const MAX_CANDIDATES = 5;

function feedProblem(e: unknown, url: string): HttpError {
  if (isFeedError(e)) {
    if (e.kind === 'blocked-address') {
      return new HttpError(
        400,
        'blocked-address',
        `${url} resolves to a private or reserved address (set fetch.allowPrivateNetworks to allow it)`,
      );
    }
    return new HttpError(422, `feed-${e.kind}`, `cannot use ${url}: ${e.message}`);
  }
  return new HttpError(
    422,
    'feed-parse',
    `cannot use ${url}: ${(e as Error)?.message ?? String(e)}`,
  );
}

type Prepare = (req: FetchRequest) => FetchRequest;

async function fetchText(fetcher: Fetcher, url: string, prepare: Prepare) {
  const res = await fetcher.fetch(prepare({ url }), { accept: 'any' });
  if (res.kind !== 'ok')
    throw new HttpError(422, 'feed-http', `${url} answered 304 to an unconditional request`);
  return res;
}

/** `prepare` adds the source's own request settings (headers, credentials, charset). */
export async function resolveFeed(
  fetch: FetchConfig,
  url: string,
  prepare: Prepare = (req) => req,
): Promise<ResolvedFeed> {
  const fetcher = createFetcher({
    timeoutMs: fetch.timeout,
    maxBytes: fetch.maxBytes,
    userAgent: fetch.userAgent,
    allowPrivateNetworks: fetch.allowPrivateNetworks,
    maxRedirects: fetch.maxRedirects,
  });
  try {
    let page;
    try {
      page = await fetchText(fetcher, url, prepare);
    } catch (e) {
      throw e instanceof HttpError ? e : feedProblem(e, url);
    }
    const direct = page.permanentUrl ?? url;
    if (!looksLikeHtml(page.body)) {
      try {
        const feed = await parseFeed(page.body, { url: page.finalUrl });
        return {
          url: direct,
          discoveredFrom: null,
          title: feed.title,
          lang: feed.lang,
          items: feed.items.length,
        };
      } catch (e) {
        throw feedProblem(e, url);
      }
    }
    const candidates = discoverFeedLinks(page.body, page.finalUrl).slice(0, MAX_CANDIDATES);
    if (candidates.length === 0) {
      throw new HttpError(
        422,
        'no-feed-found',
        `${url} is an HTML page that announces no feed (<link rel="alternate" type="application/rss+xml" …>)`,
      );
    }
    let last: HttpError | null = null;
    for (const candidate of candidates) {
      try {
        const res = await fetchText(fetcher, candidate, prepare);
        if (looksLikeHtml(res.body))
          throw new HttpError(422, 'feed-not-a-feed', `${candidate} is an HTML page, not a feed`);
        const feed = await parseFeed(res.body, { url: res.finalUrl });
        return {
          url: res.permanentUrl ?? candidate,
          discoveredFrom: page.finalUrl,
          title: feed.title,
          lang: feed.lang,
          items: feed.items.length,
        };
      } catch (e) {
        last = e instanceof HttpError ? e : feedProblem(e, candidate);
        if (last.code === 'blocked-address') throw last;
      }
    }
    throw last!;
  } finally {
    await fetcher.close();
  }
}
