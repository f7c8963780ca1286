// renderFeed: one section's items as RSS 2.0, Atom 1.0 or JSON Feed 1.1. Meta and items are
// cleaned and validated once (prepare.ts), then handed to one writer per format.
import type { OutputFormat, PublishedItem } from '../domain/types.ts';
import { renderAtom } from './atom.ts';
import { renderJsonFeed } from './json-feed.ts';
import { prepareItems, prepareMeta } from './prepare.ts';
import type { FeedMeta, PreparedItem, PreparedMeta } from './prepare.ts';
import { renderRss } from './rss.ts';

export type { FeedLink, FeedMeta, GuidMode, PreparedMeta } from './prepare.ts';
export { prepareMeta } from './prepare.ts';

/**
 * Renders items (given newest first; order kept) in one format. Items with a link that does not
 * parse as an http(s) URL are left out; every string is cleaned of characters XML forbids.
 * Throws only when the meta URLs are invalid (a configuration error).
 */
export function renderFeed(format: OutputFormat, meta: FeedMeta, items: PublishedItem[]): string {
  const m = prepareMeta(meta, format);
  return renderPrepared(format, m, prepareItems(items, m).items);
}

/** The one switch over formats, for feeds and digests alike. */
export function renderPrepared(
  format: OutputFormat,
  m: PreparedMeta,
  prepared: PreparedItem[],
): string {
  switch (format) {
    case 'rss':
      return renderRss(m, prepared);
    case 'atom':
      return renderAtom(m, prepared);
    case 'json':
      return renderJsonFeed(m, prepared);
    default: {
      const never: never = format;
      throw new Error(`renderFeed: unknown format ${String(never)}`);
    }
  }
}
