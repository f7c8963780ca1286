// /admin/api/opml: import an OPML document as runtime sources; export every source as OPML 2.0.
import type { Hono } from 'hono';
import type { SourceConfig } from '../../domain/types.ts';
import { allSources } from '../../catalog/sources.ts';
import { importOpml } from '../../catalog/opml-import.ts';
import { escapeXml, cleanText } from '../../publish/clean.ts';
import { badRequest, notFound } from '../http-error.ts';
import type { ServerDeps } from '../deps.ts';

export function renderSourcesOpml(
  title: string,
  sources: readonly SourceConfig[],
  now: Date,
): string {
  const attr = (v: string) => escapeXml(cleanText(v));
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${attr(`${title} — sources`)}</title>`,
    `    <dateCreated>${now.toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
  ];
  for (const s of sources) {
    const text = s.title || s.id;
    let line = `    <outline type="rss" text="${attr(text)}" title="${attr(text)}" xmlUrl="${attr(s.url)}"`;
    if (s.lang) line += ` language="${attr(s.lang)}"`;
    if (s.tags.length) line += ` category="${attr(s.tags.join(','))}"`;
    lines.push(`${line}/>`);
  }
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}

export function registerOpmlRoutes(app: Hono, deps: ServerDeps) {
  const { config, store } = deps;

  app.get('/admin/api/opml', async (c) => {
    const body = renderSourcesOpml(config.site.title, await allSources(config, store), deps.now());
    return c.body(body, 200, {
      'Content-Type': 'text/x-opml; charset=utf-8',
      'Content-Disposition': 'attachment; filename="tributary-sources.opml"',
    });
  });

  app.post('/admin/api/opml', async (c) => {
    const section = c.req.query('section') ?? null;
    if (section !== null && !config.sections.some((s) => s.id === section))
      throw notFound(`unknown section "${section}"`);
    const text = await c.req.text();
    if (!/<opml[\s>]/i.test(text))
      throw badRequest('the body is not an OPML document (no <opml> element)');
    const verifyParam = c.req.query('verify');
    if (verifyParam !== undefined && !['true', 'false', '1', '0'].includes(verifyParam))
      throw badRequest(`verify must be true or false (got "${verifyParam}")`);
    const verify = verifyParam === undefined || verifyParam === 'true' || verifyParam === '1';
    const res = await importOpml(config, store, text, { section, verify });
    await deps.syncSchedules?.();
    return c.json(res, res.added.length ? 201 : 200);
  });
}
