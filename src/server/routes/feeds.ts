// GET /feeds/{section}.rss|.atom|.json — cached per section version, conditional, precompressed.
import type { Context, Hono } from 'hono';
import type { OutputFormat, SectionConfig } from '../../domain/types.ts';
import { renderFeed } from '../../publish/feeds.ts';
import { selectItems } from '../../curate/select.ts';
import { notFound } from '../http-error.ts';
import { parseFeedQuery, queryKey, queryString } from '../query.ts';
import type { CachedFeed } from '../feed-cache.ts';
import type { ServerDeps } from '../deps.ts';

export const CONTENT_TYPES: Record<OutputFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

export function feedUrls(baseUrl: string, id: string) {
  return { rss: `${baseUrl}/feeds/${id}.rss`, atom: `${baseUrl}/feeds/${id}.atom`, json: `${baseUrl}/feeds/${id}.json` };
}

export function sendCached(c: Context, entry: CachedFeed, cacheControl: string): Response {
  const headers: Record<string, string> = {
    'Content-Type': entry.contentType,
    ETag: entry.etag,
    'Last-Modified': entry.lastModified,
    'Cache-Control': cacheControl,
    Vary: 'Accept-Encoding',
  };
  const inm = c.req.header('if-none-match');
  const ims = c.req.header('if-modified-since');
  const notModified = inm
    ? inm.split(',').some((t) => t.trim().replace(/^W\//, '') === entry.etag || t.trim() === '*')
    : ims !== undefined && Date.parse(ims) >= Date.parse(entry.lastModified);
  if (notModified) return new Response(null, { status: 304, headers });
  const ae = c.req.header('accept-encoding') ?? '';
  let body = entry.body;
  if (entry.br && /\bbr\b/.test(ae)) {
    body = entry.br;
    headers['Content-Encoding'] = 'br';
  } else if (entry.gzip && /\bgzip\b/.test(ae)) {
    body = entry.gzip;
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = String(body.length);
  return new Response(c.req.method === 'HEAD' ? null : body, { status: 200, headers });
}

export function registerFeedRoutes(app: Hono, deps: ServerDeps) {
  const { config, store, cache } = deps;
  const sections = new Map<string, SectionConfig>(config.sections.map((s) => [s.id, s]));
  const knownTags = new Set(config.tags.map((t) => t.id));

  app.get('/feeds/:file', async (c) => {
    const m = /^([a-z0-9-]+)\.(rss|atom|json)$/.exec(c.req.param('file'));
    if (!m) throw notFound('unknown feed: use /feeds/{section}.rss, .atom or .json');
    const section = sections.get(m[1]!);
    if (!section) throw notFound(`unknown section "${m[1]}"`);
    const format = m[2] as OutputFormat;
    const url = new URL(c.req.url);
    const query = parseFeedQuery(url, knownTags);
    const key = `${section.id}|${format}|${queryKey(query)}`;
    const version = await store.sections.version(section.id);
    // An archived page (cursor given) never changes once written; the head page revalidates.
    const cacheControl = query.before !== null
      ? 'public, max-age=86400, immutable'
      : 'public, max-age=60, stale-while-revalidate=300';
    const hit = cache.get(key, version);
    if (hit) return sendCached(c, hit, cacheControl);

    const limit = query.limit ?? section.limit;
    const sel = await selectItems(store, section, { ...query, limit }, deps.priorityOf);
    const base = config.site.baseUrl;
    const urls = feedUrls(base, section.id);
    const lastModified = sel.items.reduce((t, i) => Math.max(t, Date.parse(i.updated), Date.parse(i.published)), 0);
    const body = renderFeed(format, {
      id: section.id,
      title: section.title,
      description: section.description || `${section.title} — ${config.site.title}`,
      lang: section.lang,
      site: config.site,
      selfUrl: `${urls[format]}${queryString(query)}`,
      htmlUrl: `${base}/#${section.id}`,
      nextUrl: sel.nextBefore !== null ? `${urls[format]}${queryString(query, { before: sel.nextBefore })}` : null,
      updated: new Date(lastModified || 0),
      formatUrls: urls,
    }, sel.items);
    const entry = cache.put(key, version, body, CONTENT_TYPES[format], new Date(Math.floor((lastModified || 0) / 1000) * 1000));
    return sendCached(c, entry, cacheControl);
  });
}
