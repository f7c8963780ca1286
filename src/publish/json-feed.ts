// JSON Feed 1.1, built directly (the schema we hold ourselves to: tests/fixtures/jsonfeed-1.1.schema.json).
import { jsonAttachments } from './prepare.ts';
import type { PreparedItem, PreparedMeta } from './prepare.ts';

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

export function renderJsonFeed(meta: PreparedMeta, items: PreparedItem[]): string {
  const feed: Record<string, unknown> = {
    version: JSON_FEED_VERSION,
    title: meta.title,
    home_page_url: meta.htmlUrl,
    feed_url: meta.selfUrl,
  };
  if (meta.description) feed.description = meta.description;
  if (meta.nextUrl) feed.next_url = meta.nextUrl;
  feed.language = meta.lang;
  feed.authors = [{ name: meta.siteTitle }];
  // JSON Feed's only feed-level relation is WebSub: `hubs`.
  const hubs = meta.links.filter((l) => l.rel === 'hub');
  if (hubs.length > 0) feed.hubs = hubs.map((h) => ({ type: 'WebSub', url: h.href }));
  feed.items = items.map((item) => {
    const out: Record<string, unknown> = { id: item.urn };
    if (item.url) out.url = item.url;
    out.title = item.title;
    // JSON Feed 1.1 requires content_html or content_text on every item.
    if (item.contentHtml) out.content_html = item.contentHtml;
    else out.content_text = item.contentText;
    if (item.summary) out.summary = item.summary;
    if (item.image) out.image = item.image.url;
    const attachments = jsonAttachments(item);
    if (attachments) out.attachments = attachments;
    out.date_published = item.published.toISOString();
    out.date_modified = item.updated.toISOString();
    if (item.author) out.authors = [{ name: item.author }];
    out.tags = item.tags;
    if (item.lang) out.language = item.lang;
    out._tributary = {
      source: item.sourceId,
      sources: item.storySources,
      related: item.related.map((r) => r.url),
    };
    return out;
  });
  return JSON.stringify(feed);
}
