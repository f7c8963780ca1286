// GET / (index of sections with their latest headlines), /status, /opml.
import type { Hono } from 'hono';
import { renderIndexPage, renderStatusPage } from '../../publish/pages.ts';
import { renderOpml } from '../../publish/opml.ts';
import { selectItems } from '../../curate/select.ts';
import { allSources } from '../../catalog/sources.ts';
import { feedUrls } from './feeds.ts';
import { digestUrls } from './digest.ts';
import { escapeHtml } from '../../publish/pages.ts';
import type { SectionConfig } from '../../domain/types.ts';
import type { ServerDeps } from '../deps.ts';
import { formatDuration } from '../../config/units.ts';

const HTML = 'text/html; charset=utf-8';

const DIGEST_LABELS: Record<string, { daily: string; weekly: string; label: string }> = {
  en: { daily: 'Daily digest', weekly: 'Weekly digest', label: 'Digests' },
  ar: { daily: 'ملخص يومي', weekly: 'ملخص أسبوعي', label: 'ملخصات' },
};

/**
 * Adds each section's digest feed links right after its subscribe links. (The index renderer in
 * publish/pages.ts knows only the three section feeds; this keeps that module unchanged.)
 */
export function withDigestLinks(
  html: string,
  base: string,
  sections: readonly SectionConfig[],
): string {
  let out = html;
  for (const s of sections) {
    const at = out.indexOf(`<section id="section-${escapeHtml(s.id)}"`);
    if (at < 0) continue;
    const ul = out.indexOf('<ul class="subscribe"', at);
    const end = ul < 0 ? -1 : out.indexOf('</ul>', ul);
    if (end < 0) continue;
    const l = DIGEST_LABELS[s.lang.toLowerCase().split('-')[0] ?? ''] ?? DIGEST_LABELS.en!;
    const links = (['daily', 'weekly'] as const)
      .map(
        (p) =>
          `<li><a href="${escapeHtml(digestUrls(base, s.id, p).rss)}" type="application/rss+xml" class="digest">${escapeHtml(l[p])}</a></li>`,
      )
      .join('');
    const block = `\n<ul class="subscribe digests" aria-label="${escapeHtml(l.label)}">${links}</ul>`;
    out = out.slice(0, end + 5) + block + out.slice(end + 5);
  }
  return out;
}

/**
 * Links the index page to /status, and says so when no source has been fetched yet or every
 * source failed its last poll (a newcomer sees empty sections and cannot tell "still starting"
 * from "broken"; offline, every source fails).
 */
export function withStatusLink(html: string, fetched: number, total: number, failing = 0): string {
  let out = html.replace('</footer>', ' · <a href="status">Source status</a></footer>');
  let note = '';
  if (total > 0 && fetched === 0)
    note = `No source has been fetched yet (${total} configured): sections fill as polls complete. See <a href="status">source status</a>.`;
  else if (total > 0 && failing === total)
    note = `Every source failed its last poll (${total} of ${total}; no network?): see <a href="status">source status</a> for each error.`;
  if (note) out = out.replace('<main>\n', `<main>\n<p class="desc" role="status">${note}</p>\n`);
  return out;
}

export function registerPageRoutes(app: Hono, deps: ServerDeps) {
  const { config, store } = deps;
  const base = config.site.baseUrl;

  app.get('/', async (c) => {
    const sections = await Promise.all(
      config.sections.map(async (s) => {
        const sel = await selectItems(
          store,
          s,
          { limit: 8, tags: [], lang: null, q: null, before: null },
          deps.priorityOf,
        );
        return {
          id: s.id,
          title: s.title,
          description: s.description,
          lang: s.lang,
          urls: feedUrls(base, s.id),
          items: sel.items,
        };
      }),
    );
    const sources = await allSources(config, store);
    const states = await Promise.all(sources.map((s) => store.sources.getState(s.id)));
    const fetched = states.filter((st) => st.lastFetch).length;
    const failing = states.filter((st) => st.status === 'error').length;
    const sourceTitles = new Map(
      sources.flatMap((s) => (s.title ? [[s.id, s.title] as const] : [])),
    );
    const html = withStatusLink(
      withDigestLinks(
        renderIndexPage({ site: config.site, generatedAt: deps.now(), sections, sourceTitles }),
        base,
        config.sections,
      ),
      fetched,
      sources.length,
      failing,
    );
    return c.body(html, 200, {
      'Content-Type': HTML,
      'Cache-Control': 'no-cache',
    });
  });

  app.get('/status', async (c) => {
    const sources = await allSources(config, store);
    const states = await Promise.all(
      sources.map(async (s) => ({
        ...(await store.sources.getState(s.id)),
        url: s.url,
        title: s.title,
        lang: s.lang,
      })),
    );
    return c.body(
      renderStatusPage({
        site: config.site,
        generatedAt: deps.now(),
        sources: states,
        maxAge: formatDuration(config.retention.maxAge),
        unhealthyAfter: config.fetch.unhealthyAfter,
      }),
      200,
      {
        'Content-Type': HTML,
        'Cache-Control': 'no-cache',
      },
    );
  });

  // Browsers ask for it on every page; an empty answer keeps a 404 out of their consoles.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'Cache-Control': 'public, max-age=86400' }));

  app.get('/opml', (c) => {
    const body = renderOpml({
      site: config.site,
      sections: config.sections.map((s) => ({
        id: s.id,
        title: s.title,
        lang: s.lang,
        urls: feedUrls(base, s.id),
      })),
    });
    return c.body(body, 200, {
      'Content-Type': 'text/x-opml; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
    });
  });
}
