// GET / (index of sections with their latest headlines), /status, /opml.
import type { Hono } from 'hono';
import { renderIndexPage, renderStatusPage } from '../../publish/pages.ts';
import { renderOpml } from '../../publish/opml.ts';
import { selectItems } from '../../curate/select.ts';
import { allSources } from '../../runtime/catalog.ts';
import { feedUrls } from './feeds.ts';
import type { ServerDeps } from '../deps.ts';

const HTML = 'text/html; charset=utf-8';

export function registerPageRoutes(app: Hono, deps: ServerDeps) {
  const { config, store } = deps;
  const base = config.site.baseUrl;

  app.get('/', async (c) => {
    const sections = await Promise.all(
      config.sections.map(async (s) => {
        const sel = await selectItems(store, s, { limit: 8, tags: [], lang: null, q: null, before: null }, deps.priorityOf);
        return { id: s.id, title: s.title, description: s.description, lang: s.lang, urls: feedUrls(base, s.id), items: sel.items };
      }),
    );
    return c.body(renderIndexPage({ site: config.site, generatedAt: deps.now(), sections }), 200, {
      'Content-Type': HTML,
      'Cache-Control': 'no-cache',
    });
  });

  app.get('/status', async (c) => {
    const sources = await allSources(config, store);
    const states = await Promise.all(
      sources.map(async (s) => ({ ...(await store.sources.getState(s.id)), url: s.url, title: s.title, lang: s.lang })),
    );
    return c.body(renderStatusPage({ site: config.site, generatedAt: deps.now(), sources: states }), 200, {
      'Content-Type': HTML,
      'Cache-Control': 'no-cache',
    });
  });

  app.get('/opml', (c) => {
    const body = renderOpml({
      site: config.site,
      sections: config.sections.map((s) => ({ id: s.id, title: s.title, lang: s.lang, urls: feedUrls(base, s.id) })),
    });
    return c.body(body, 200, { 'Content-Type': 'text/x-opml; charset=utf-8', 'Cache-Control': 'public, max-age=300' });
  });
}
