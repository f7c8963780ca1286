// `tributary preview URL`: fetch, parse, normalize and tag one feed exactly as the workers do,
// and store nothing. An HTML page is searched for its feed links (feed discovery).
import type { Article, Config, SourceConfig } from '../domain/types.ts';
import { FeedError } from '../domain/errors.ts';
import { createFetcher } from '../pipeline/fetch/fetcher.ts';
import { parseFeed } from '../pipeline/parse/parse-feed.ts';
import { discoverFeedLinks, looksLikeHtml } from '../pipeline/parse/discover.ts';
import { normalizeFeed } from '../pipeline/normalize/normalize.ts';
import { createTagger } from '../pipeline/tag/tagger.ts';
import { withFullText } from '../pipeline/fulltext/enrich.ts';
import { htmlToText } from '../text/html-text.ts';

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
>;

export interface PreviewOptions {
  /** Read teasers' linked pages as the workers do with `fullText: auto` (no cache). */
  fullText?: boolean;
  /** Told how the full-text step went (pages extracted, `reason url` of those that failed). */
  onFullText?(r: { extracted: number; failures: string[] }): void;
}

export async function previewFeed(
  config: Config,
  url: string,
  now = new Date(),
  opts: PreviewOptions = {},
): Promise<PreviewArticle[]> {
  try {
    new URL(url);
  } catch {
    throw new FeedError('network', `not a URL: ${url}`, { permanent: true });
  }
  const fetcher = createFetcher({
    timeoutMs: config.fetch.timeout,
    maxBytes: config.fetch.maxBytes,
    userAgent: config.fetch.userAgent,
    allowPrivateNetworks: config.fetch.allowPrivateNetworks,
    maxRedirects: config.fetch.maxRedirects,
  });
  try {
    let res = await fetcher.fetch({ url });
    if (res.kind !== 'ok') throw new FeedError('http', 'unexpected 304 without validators');
    if (looksLikeHtml(res.body)) {
      const links = discoverFeedLinks(res.body, res.finalUrl);
      if (links.length === 0)
        throw new FeedError('not-a-feed', `${url} is an HTML page without feed links`);
      res = await fetcher.fetch({ url: links[0]! });
      if (res.kind !== 'ok') throw new FeedError('http', 'unexpected 304 without validators');
    }
    let feed = await parseFeed(res.body, { url: res.finalUrl });
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
    if (opts.fullText) {
      const r = await withFullText(
        { fetcher, hostLimiter: null, pages: null, now: () => now },
        { ...source, fullText: 'auto' },
        feed,
      );
      feed = r.feed;
      opts.onFullText?.({ extracted: r.extracted, failures: r.failures });
    }
    const tagger = createTagger(config.tags);
    return normalizeFeed(feed, { source, feedUrl: res.finalUrl, now }).map((a) => {
      const tags = tagger.tag({
        title: a.title,
        summary: a.summary,
        text: htmlToText(a.contentHtml),
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
      };
    });
  } finally {
    await fetcher.close();
  }
}
