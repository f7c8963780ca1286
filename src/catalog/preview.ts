// `tributary preview URL` and the desk's preview while adding a source: fetch, parse, normalize
// and tag one feed exactly as the workers do, and store nothing. An HTML page is searched for its feed links (feed discovery), and the result
// says which feed it found. Items older than retention.maxAge, which a poll would skip, are marked.
import type { Article, Config, SourceConfig } from '../domain/types.ts';
import { FeedError } from '../domain/errors.ts';
import { fetcherFor } from '../pipeline/fetch/fetcher.ts';
import { parseFeed } from '../pipeline/parse/parse-feed.ts';
import { discoverFeedLinks, looksLikeHtml } from '../pipeline/parse/discover.ts';
import { normalizeFeed } from '../pipeline/normalize/normalize.ts';
import { pastRetention } from '../pipeline/dedupe/classify.ts';
import { createTagger } from '../pipeline/tag/tagger.ts';
import { htmlToText } from '../text/html-text.ts';
import { previewFullText } from '../pipeline/fulltext/fulltext.ts';
import { withSourceSettings } from '../pipeline/source-fetch.ts';
import type { FullTextPreview } from '../pipeline/fulltext/fulltext.ts';

export type PreviewArticle = Pick<
  Article,
  | 'id'
  | 'url'
  | 'title'
  | 'published'
  | 'updated'
  | 'author'
  | 'summary'
  | 'contentHtml'
  | 'image'
  | 'enclosures'
  | 'lang'
  | 'tags'
  | 'sourceCategories'
> & {
  /** Present (true) only on items older than retention.maxAge: a poll would skip them. */
  tooOld?: true;
  /** With `--full-text`: what extracting the linked page gave (its article is then the content). */
  fullText?: FullTextPreview;
};

export interface PreviewResult {
  articles: PreviewArticle[];
  /** The feed URL that was read. */
  feedUrl: string;
  /** The HTML page the feed was discovered on, or null when the URL was a feed. */
  discoveredFrom: string | null;
}

/** A blocked-address error that names the setting which allows it. */
function withPrivateNetworkHint(e: unknown): unknown {
  if (
    e instanceof FeedError &&
    e.kind === 'blocked-address' &&
    !/allowPrivateNetworks/.test(e.message)
  )
    return new FeedError(
      'blocked-address',
      `${e.message} (set fetch.allowPrivateNetworks: true in the config to fetch private or loopback addresses)`,
      { cause: e },
    );
  return e;
}

export async function previewFeed(
  config: Config,
  url: string,
  now = new Date(),
): Promise<PreviewArticle[]> {
  return (await previewFeedWithSource(config, url, now)).articles;
}

export async function previewFeedWithSource(
  config: Config,
  url: string,
  now = new Date(),
  /** `settings`: a source's own fetch settings (headers, auth, charset), as its polls send them. */
  opts: { fullText?: boolean; settings?: Pick<SourceConfig, 'fetch'> } = {},
): Promise<PreviewResult> {
  try {
    new URL(url);
  } catch {
    // Not a fetch failure (no "network:" label); a host typed without its scheme gets a hint.
    const guess = `https://${url}`;
    const hint = !url.includes('://') && URL.canParse(guess) ? ` (did you mean ${guess}?)` : '';
    throw new Error(`not a URL: ${url}${hint}`);
  }
  const fetcher = fetcherFor(config.fetch);
  let discoveredFrom: string | null = null;
  // Headers and credentials go to the typed URL's origin only (withSourceSettings' rule).
  const prepare = (u: string) =>
    opts.settings?.fetch
      ? withSourceSettings({ url: u }, { id: 'new', ...opts.settings, url } as SourceConfig)
      : { url: u };
  try {
    let res = await fetcher.fetch(prepare(url));
    if (res.kind !== 'ok') throw new FeedError('http', 'unexpected 304 without validators');
    if (looksLikeHtml(res.body)) {
      const links = discoverFeedLinks(res.body, res.finalUrl);
      if (links.length === 0)
        throw new FeedError('not-a-feed', `${url} is an HTML page without feed links`);
      discoveredFrom = res.finalUrl;
      res = await fetcher.fetch(prepare(links[0]!));
      if (res.kind !== 'ok') throw new FeedError('http', 'unexpected 304 without validators');
    }
    const feed = await parseFeed(res.body, { url: res.finalUrl });
    const source: SourceConfig = {
      id: 'preview',
      url: res.finalUrl,
      title: feed.title,
      lang: null,
      interval: null,
      tags: [],
      priority: 0,
      enabled: true,
      origin: 'runtime',
    };
    const tagger = createTagger(config.tags);
    // The ingest's own rule (dedupe's classification): such an article is never stored.
    const tooOld = (published: string) =>
      pastRetention(Date.parse(published), now.getTime(), config.retention.maxAge);
    let normalized = normalizeFeed(feed, { source, feedUrl: res.finalUrl, now }).map((a) => ({
      article: a,
      text: htmlToText(a.contentHtml),
      fullText: undefined as FullTextPreview | undefined,
    }));
    if (opts.fullText)
      normalized = (
        await previewFullText({ fetcher, hostLimiter: null, now: () => now }, normalized)
      ).map(({ item, fullText }) => ({ ...item, fullText }));
    const articles = normalized.map(({ article: a, text, fullText }) => {
      const tags = tagger.tag({
        title: a.title,
        summary: a.summary,
        text,
        categories: a.sourceCategories,
        sourceTags: [],
      });
      return {
        id: a.id,
        url: a.url,
        title: a.title,
        published: a.published,
        updated: a.updated,
        author: a.author,
        summary: a.summary,
        contentHtml: a.contentHtml,
        image: a.image,
        enclosures: a.enclosures ?? [],
        lang: a.lang,
        tags,
        sourceCategories: a.sourceCategories,
        ...(tooOld(a.published) ? { tooOld: true as const } : {}),
        ...(fullText ? { fullText } : {}),
      };
    });
    return { articles, feedUrl: res.finalUrl, discoveredFrom };
  } catch (e) {
    throw withPrivateNetworkHint(e);
  } finally {
    await fetcher.close();
  }
}
