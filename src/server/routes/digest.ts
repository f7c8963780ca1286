// GET /feeds/{section}/digest.rss|.atom|.json?period=daily|weekly — one item per closed period
// (the last DIGEST_COUNT of them) listing its stories; cached per section version and period end.
import type { Hono } from 'hono';
import type { OutputFormat, SectionConfig } from '../../domain/types.ts';
import { buildDigestItems, closedPeriods, renderDigest } from '../../publish/digest.ts';
import type { DigestPeriod } from '../../publish/digest.ts';
import { selectItems } from '../../curate/select.ts';
import { badRequest, notFound } from '../http-error.ts';
import { CONTENT_TYPES, sectionVersion, sendCached } from '../feed-cache.ts';
import type { ServerDeps } from '../deps.ts';
import { hubLinks } from '../../push/topics.ts';

export const DIGEST_COUNT: Record<DigestPeriod, number> = { daily: 7, weekly: 4 };
/** Most stories read for one digest feed (all its periods together). */
const MAX_STORIES = 1000;

export function digestUrls(baseUrl: string, id: string, period: DigestPeriod) {
  const q = period === 'daily' ? '' : `?period=${period}`;
  const f = `${baseUrl}/feeds/${id}/digest`;
  return { rss: `${f}.rss${q}`, atom: `${f}.atom${q}`, json: `${f}.json${q}` };
}

function parsePeriod(url: URL): DigestPeriod {
  for (const key of url.searchParams.keys()) {
    if (key !== 'period')
      throw badRequest(`unknown query parameter "${key}"`, { parameter: key, allowed: ['period'] });
  }
  const all = url.searchParams.getAll('period');
  if (all.length > 1)
    throw badRequest('query parameter "period" given more than once', { parameter: 'period' });
  const p = all[0] ?? 'daily';
  if (p !== 'daily' && p !== 'weekly')
    throw badRequest('period must be daily or weekly', { parameter: 'period', value: p });
  return p;
}

export function registerDigestRoutes(app: Hono, deps: ServerDeps) {
  const { config, cache } = deps;
  const sections = new Map<string, SectionConfig>(config.sections.map((s) => [s.id, s]));
  // A digest with no stories yet is dated when the service started, never 1970-01-01.
  const started = new Date(Math.floor(deps.now().getTime() / 1000) * 1000);

  app.get('/feeds/:section/:file', async (c) => {
    const fm = /^digest\.(rss|atom|json)$/.exec(c.req.param('file'));
    if (!fm) throw notFound('unknown feed: use /feeds/{section}/digest.rss, .atom or .json');
    const section = sections.get(c.req.param('section'));
    if (!section) throw notFound(`unknown section "${c.req.param('section')}"`);
    const format = fm[1] as OutputFormat;
    const period = parsePeriod(new URL(c.req.url));
    const windows = closedPeriods(deps.now(), period, section.timezone, DIGEST_COUNT[period]);
    const newestEnd = windows[0]!.end;
    const key = `digest|${section.id}|${format}|${period}|${newestEnd.getTime()}`;
    const version = await sectionVersion(deps, section.id);
    const cacheControl = 'public, max-age=300, stale-while-revalidate=3600';
    const hit = cache.get(key, version, deps.now().getTime());
    if (hit) return sendCached(c, hit, cacheControl);

    const sel = await selectItems(
      deps.store,
      section,
      { limit: MAX_STORIES, tags: [], lang: null, q: null, before: newestEnd.getTime() },
      deps.priorityOf,
    );
    const base = config.site.baseUrl;
    const urls = digestUrls(base, section.id, period);
    const htmlUrl = `${base}/#section-${section.id}`;
    const items = buildDigestItems(
      {
        id: section.id,
        title: section.title,
        lang: section.lang,
        timezone: section.timezone,
        htmlUrl,
      },
      period,
      windows,
      sel.items,
    );
    const updated = items[0] ? new Date(items[0].published) : started;
    const links = hubLinks(config, urls[format]);
    const body = renderDigest(
      format,
      {
        id: `urn:tributary:digest:${section.id}:${period}`,
        title: `${section.title} (${period === 'daily' ? 'daily' : 'weekly'} digest)`,
        description: section.description || `${section.title} — ${config.site.title}`,
        lang: section.lang,
        site: config.site,
        selfUrl: urls[format],
        htmlUrl,
        nextUrl: null,
        updated,
        formatUrls: urls,
        links: links.links,
      },
      items,
    );
    // A story that arrived late for a closed period changes the digest after its end.
    const oldestStart = windows[windows.length - 1]!.start.getTime();
    const lastModified = sel.items
      .filter((i) => Date.parse(i.published) >= oldestStart)
      .reduce(
        (t, i) => Math.max(t, Date.parse(i.firstSeen) || 0, Date.parse(i.updated) || 0),
        updated.getTime(),
      );
    const entry = cache.put(
      key,
      version,
      body,
      CONTENT_TYPES[format],
      new Date(Math.floor(lastModified / 1000) * 1000),
      sel.validUntil, // a timed pin holds its article out of the flow until it expires
      links.header,
    );
    return sendCached(c, entry, cacheControl);
  });
}
