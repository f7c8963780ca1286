// Checks a URL an operator wants to add: fetches it through the feed fetcher (with its SSRF guard,
// size cap and timeout), follows HTML pages to the feed they announce (feed autodiscovery), and
// proves the result parses as a feed before anything is saved.
import type { FetchConfig, FetchRequest } from '../domain/types.ts';
import { isFeedError } from '../domain/errors.ts';
import { fetcherFor } from '../pipeline/fetch/fetcher.ts';
import type { Fetcher } from '../pipeline/fetch/fetcher.ts';
import { discoverFeedLinks, looksLikeHtml } from '../pipeline/parse/discover.ts';
import { parseFeed } from '../pipeline/parse/parse-feed.ts';

/** A URL that cannot be used as a feed: `status` is what an HTTP caller should answer. */
export class FeedRejected extends Error {
  override readonly name = 'FeedRejected';
  constructor(
    readonly status: 400 | 422,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

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

function feedProblem(e: unknown, url: string): FeedRejected {
  if (isFeedError(e)) {
    if (e.kind === 'blocked-address') {
      return new FeedRejected(
        400,
        'blocked-address',
        `${url} resolves to a private or reserved address (set fetch.allowPrivateNetworks to allow it)`,
      );
    }
    return new FeedRejected(422, `feed-${e.kind}`, `cannot use ${url}: ${e.message}`);
  }
  return new FeedRejected(
    422,
    'feed-parse',
    `cannot use ${url}: ${(e as Error)?.message ?? String(e)}`,
  );
}

type Prepare = (req: FetchRequest) => FetchRequest;

async function fetchText(fetcher: Fetcher, url: string, prepare: Prepare) {
  const res = await fetcher.fetch(prepare({ url }), { accept: 'any' });
  if (res.kind !== 'ok')
    throw new FeedRejected(422, 'feed-http', `${url} answered 304 to an unconditional request`);
  return res;
}

/** `prepare` adds the source's own request settings (headers, credentials, charset). */
export async function resolveFeed(
  fetch: FetchConfig,
  url: string,
  prepare: Prepare = (req) => req,
): Promise<ResolvedFeed> {
  const fetcher = fetcherFor(fetch);
  try {
    let page;
    try {
      page = await fetchText(fetcher, url, prepare);
    } catch (e) {
      throw e instanceof FeedRejected ? e : feedProblem(e, url);
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
      throw new FeedRejected(
        422,
        'no-feed-found',
        `${url} is an HTML page that announces no feed (<link rel="alternate" type="application/rss+xml" …>)`,
      );
    }
    let last: FeedRejected | null = null;
    for (const candidate of candidates) {
      try {
        const res = await fetchText(fetcher, candidate, prepare);
        if (looksLikeHtml(res.body))
          throw new FeedRejected(
            422,
            'feed-not-a-feed',
            `${candidate} is an HTML page, not a feed`,
          );
        const feed = await parseFeed(res.body, { url: res.finalUrl });
        return {
          url: res.permanentUrl ?? candidate,
          discoveredFrom: page.finalUrl,
          title: feed.title,
          lang: feed.lang,
          items: feed.items.length,
        };
      } catch (e) {
        last = e instanceof FeedRejected ? e : feedProblem(e, candidate);
        if (last.code === 'blocked-address') throw last;
      }
    }
    throw last!;
  } finally {
    await fetcher.close();
  }
}
