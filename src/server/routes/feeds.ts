// GET /feeds/{section}.rss|.atom|.json — the route maps the query to a page (curate/page.ts) and
// renders it; cached per section version (and until a timed pin expires), conditional,
// precompressed. A GET reads Redis and never writes it.
import type { Hono } from 'hono';
import type { OutputFormat, SectionConfig } from '../../domain/types.ts';
import { renderFeed } from '../../publish/feeds.ts';
import { selectPage } from '../../curate/page.ts';
import { notFound } from '../http-error.ts';
import { parseFeedQuery, queryKey, queryString } from '../query.ts';
import type { FeedQuery } from '../query.ts';
import { CONTENT_TYPES, sectionVersion, sendCached } from '../feed-cache.ts';
import { registerDigestRoutes } from './digest.ts';
import { hubLinks } from '../../push/topics.ts';
import type { ServerDeps } from '../deps.ts';

// Kept for callers that imported them from here.
export { selectPage, MAX_SCAN } from '../../curate/page.ts';
export type { Page } from '../../curate/page.ts';

/**
 * The head page revalidates cheaply. An older page (cursor given) changes seldom but can change
 * (a late article, a correction, a hide, retention): paged, not archived (RFC 5005 section 3, not
 * section 4), so it is never marked immutable.
 */
export const CACHE_HEAD = 'public, max-age=60, stale-while-revalidate=300';
export const CACHE_PAGED = 'public, max-age=300, stale-while-revalidate=3600';

export function feedUrls(baseUrl: string, id: string) {
  return {
    rss: `${baseUrl}/feeds/${id}.rss`,
    atom: `${baseUrl}/feeds/${id}.atom`,
    json: `${baseUrl}/feeds/${id}.json`,
  };
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
      const query = parseFeedQuery(new URL(c.req.url), knownTags, format);
      req = { section, format, query, key: `${section.id}|${format}|${queryKey(query, nowMs)}` };
      if (plain) bare.set(file, req);
    }
    const { section, format, query, key } = req;
    const version = await sectionVersion(deps, section.id);
    const cacheControl = query.before !== null ? CACHE_PAGED : CACHE_HEAD;
    const hit = cache.get(key, version, nowMs);
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
    const selfUrl = `${urls[format]}${queryString(query)}`;
    const links = hubLinks(config, selfUrl);
    const body = renderFeed(
      format,
      {
        id: section.id,
        title: section.title,
        description: section.description || `${section.title} — ${config.site.title}`,
        lang: section.lang,
        site: config.site,
        selfUrl,
        htmlUrl: `${base}/#section-${section.id}`,
        nextUrl: page.next
          ? `${urls[format]}${queryString(query, { before: page.next.ms, beforeId: page.next.id })}`
          : null,
        updated: new Date(lastModified),
        formatUrls: urls,
        guid: section.guid,
        links: links.links,
      },
      page.items,
    );
    const entry = cache.put(
      key,
      version,
      body,
      CONTENT_TYPES[format],
      new Date(Math.floor(lastModified / 1000) * 1000),
      page.validUntil,
      links.header,
    );
    if (plain)
      deps.fastFeeds?.remember(c.req.path, { sectionId: section.id, version, entry, cacheControl });
    return sendCached(c, entry, cacheControl);
  });
  // Digest feeds live under /feeds/{section}/ too; registered here so app.ts needs no change.
  registerDigestRoutes(app, deps);
}
