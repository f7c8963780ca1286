// GET /feeds/{section}.rss|.atom|.json — cached per section version, conditional, precompressed.
//
// Paging (RFC 5005): the cursor is `<published ms>.<id>` of the last item shown, so items that
// share a publish time are neither lost nor repeated at a page boundary (the section index orders
// ties by id, descending). A bare `<ms>` or ISO date still works (exclusive, as before).
//
// RSSHub-style text/time filters (query.ts) are applied here, after curate/select.ts: we ask it
// for more items than the page needs (×3, doubling up to MAX_SCAN) and keep the matching ones.
// The trade-off: a rare pattern over a long section may leave a page short while older matches
// exist; the page then still carries a next link (cursor = last item scanned), so a reader that
// follows it walks the whole section.
import type { Hono } from 'hono';
import type { OutputFormat, PublishedItem, SectionConfig } from '../../domain/types.ts';
import { renderFeed } from '../../publish/feeds.ts';
import { selectItems } from '../../curate/select.ts';
import { htmlToText } from '../../text/html-text.ts';
import { notFound } from '../http-error.ts';
import {
  compileTextFilters,
  hasTextFilters,
  parseFeedQuery,
  queryKey,
  queryString,
} from '../query.ts';
import type { FeedQuery } from '../query.ts';
import { CONTENT_TYPES, sectionVersion, sendCached } from '../feed-cache.ts';
import { registerDigestRoutes } from './digest.ts';
import type { ServerDeps } from '../deps.ts';

/** The head page revalidates cheaply; an archived page (cursor given) never changes. */
export const CACHE_HEAD = 'public, max-age=60, stale-while-revalidate=300';
export const CACHE_ARCHIVED = 'public, max-age=86400, immutable';

/** Most items one request asks curate/select.ts for when post-filtering. */
export const MAX_SCAN = 600;

export function feedUrls(baseUrl: string, id: string) {
  return {
    rss: `${baseUrl}/feeds/${id}.rss`,
    atom: `${baseUrl}/feeds/${id}.atom`,
    json: `${baseUrl}/feeds/${id}.json`,
  };
}

export interface Page {
  items: PublishedItem[];
  /** Cursor of the next (older) page, or null at the end (`id` null: a bare time cursor). */
  next: { ms: number; id: string | null } | null;
}

/**
 * The cursor after a head page that only pins filled: the chronological flow from its top (pins
 * are not part of the flow), not from the last pin's own date, which would skip newer articles.
 */
const FLOW_TOP = 999_999_999_999_999;

const publishedMs = (i: PublishedItem) => Date.parse(i.published);
/** Where an item sits in the section's index: the cursor's coordinates. */
const posMs = (i: PublishedItem) => i.position?.ms ?? publishedMs(i);
const posId = (i: PublishedItem) => i.position?.id ?? i.id;

/** One page of a section for a query: select.ts's filters, our cursor and text filters. */
export async function selectPage(
  deps: ServerDeps,
  section: SectionConfig,
  query: FeedQuery,
  nowMs: number,
): Promise<Page> {
  const limit = query.limit ?? section.limit;
  const pred = hasTextFilters(query.text) ? compileTextFilters(query.text, nowMs) : null;
  const test = pred
    ? (i: PublishedItem) =>
        pred({
          title: i.title,
          description: `${i.summary}\n${htmlToText(i.contentHtml)}`,
          publishedMs: publishedMs(i),
        })
    : null;
  const { before, beforeId } = query;
  // With a tie-breaking id the cursor's own millisecond is read again and the ids already shown skipped.
  const selectBefore = before === null ? null : beforeId === null ? before : before + 1;
  const seen = (i: PublishedItem) =>
    beforeId !== null &&
    before !== null &&
    (posMs(i) > before || (posMs(i) === before && posId(i) >= beforeId));
  let ask = test ? Math.min(MAX_SCAN, limit * 3) : limit;
  for (;;) {
    const request = ask + 1 + (beforeId !== null ? 20 : 0);
    const sel = await selectItems(
      deps.store,
      section,
      { limit: request, tags: query.tags, lang: query.lang, q: query.q, before: selectBefore },
      deps.priorityOf,
    );
    const more = sel.items.length >= request;
    const scanned = sel.items.filter((i) => !seen(i));
    const kept = test ? scanned.filter(test) : scanned;
    if (kept.length < limit && more && ask < MAX_SCAN) {
      ask = Math.min(MAX_SCAN, ask * 2);
      continue;
    }
    const items = kept.slice(0, limit);
    const last =
      items.length === limit && (kept.length > limit || more)
        ? items[items.length - 1]
        : more
          ? scanned[scanned.length - 1]
          : undefined;
    let next: Page['next'] = last
      ? last.position
        ? { ms: posMs(last), id: posId(last) }
        : { ms: FLOW_TOP, id: null }
      : null;
    // A cursor that would not move (more than MAX_SCAN items in one millisecond) ends paging.
    if (next && next.ms === before && next.id === beforeId) next = null;
    return { items, next };
  }
}

export function registerFeedRoutes(app: Hono, deps: ServerDeps) {
  const { config, cache } = deps;
  const sections = new Map<string, SectionConfig>(config.sections.map((s) => [s.id, s]));
  const knownTags = new Set(config.tags.map((t) => t.id));
  // The date of a feed with no items (Last-Modified, lastBuildDate, Atom updated): when the
  // service started, never 1970-01-01.
  const startedMs = Math.floor(deps.now().getTime() / 1000) * 1000;

  // Most requests are feed readers polling the bare URL: its parse is the same every time.
  const bare = new Map<
    string,
    { section: SectionConfig; format: OutputFormat; query: FeedQuery; key: string }
  >();

  app.get('/feeds/:file', async (c) => {
    const file = c.req.param('file');
    const nowMs = deps.now().getTime();
    const plain = !c.req.url.includes('?');
    let req = plain ? bare.get(file) : undefined;
    if (!req) {
      const m = /^([a-z0-9-]+)\.(rss|atom|json)$/.exec(file);
      if (!m) throw notFound('unknown feed: use /feeds/{section}.rss, .atom or .json');
      const section = sections.get(m[1]!);
      if (!section) throw notFound(`unknown section "${m[1]}"`);
      const format = m[2] as OutputFormat;
      const query = parseFeedQuery(new URL(c.req.url), knownTags);
      req = { section, format, query, key: `${section.id}|${format}|${queryKey(query, nowMs)}` };
      if (plain) bare.set(file, req);
    }
    const { section, format, query, key } = req;
    const version = await sectionVersion(deps, section.id);
    const cacheControl = query.before !== null ? CACHE_ARCHIVED : CACHE_HEAD;
    const hit = cache.get(key, version);
    if (hit) {
      if (plain)
        deps.fastFeeds?.remember(c.req.path, {
          sectionId: section.id,
          version,
          entry: hit,
          cacheControl,
        });
      return sendCached(c, hit, cacheControl);
    }

    const page = await selectPage(deps, section, query, nowMs);
    const base = config.site.baseUrl;
    const urls = feedUrls(base, section.id);
    const lastModified =
      page.items.reduce((t, i) => Math.max(t, Date.parse(i.updated), Date.parse(i.published)), 0) ||
      startedMs;
    const body = renderFeed(
      format,
      {
        id: section.id,
        title: section.title,
        description: section.description || `${section.title} — ${config.site.title}`,
        lang: section.lang,
        site: config.site,
        selfUrl: `${urls[format]}${queryString(query)}`,
        htmlUrl: `${base}/#section-${section.id}`,
        nextUrl: page.next
          ? `${urls[format]}${queryString(query, { before: page.next.ms, beforeId: page.next.id })}`
          : null,
        updated: new Date(lastModified),
        formatUrls: urls,
        guid: section.guid,
      },
      page.items,
    );
    const entry = cache.put(
      key,
      version,
      body,
      CONTENT_TYPES[format],
      new Date(Math.floor(lastModified / 1000) * 1000),
    );
    if (plain)
      deps.fastFeeds?.remember(c.req.path, { sectionId: section.id, version, entry, cacheControl });
    return sendCached(c, entry, cacheControl);
  });
  // Digest feeds live under /feeds/{section}/ too; registered here so app.ts needs no change.
  registerDigestRoutes(app, deps);
}
