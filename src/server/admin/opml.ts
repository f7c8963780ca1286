// /admin/api/opml: import an OPML document as runtime sources; export every source as OPML 2.0.
import type { Hono } from 'hono';
import type { ServerDeps } from '../deps.ts';
import { createSourceService } from '../services/sources.ts';
import { badRequest } from '../http-error.ts';

export { renderSourcesOpml } from '../services/opml-export.ts';

export function registerOpmlRoutes(app: Hono, deps: ServerDeps) {
  const sources = createSourceService(deps);

  app.get('/admin/api/opml', async (c) =>
    c.body(await sources.exportOpml(), 200, {
      'Content-Type': 'text/x-opml; charset=utf-8',
      'Content-Disposition': 'attachment; filename="tributary-sources.opml"',
    }),
  );

  app.post('/admin/api/opml', async (c) => {
    const verifyParam = c.req.query('verify');
    if (verifyParam !== undefined && !['true', 'false', '1', '0'].includes(verifyParam))
      throw badRequest(`verify must be true or false (got "${verifyParam}")`);
    const res = await sources.importOpml(await c.req.text(), {
      section: c.req.query('section') ?? null,
      verify: verifyParam === undefined || verifyParam === 'true' || verifyParam === '1',
    });
    return c.json(res, res.added.length ? 201 : 200);
  });
}
