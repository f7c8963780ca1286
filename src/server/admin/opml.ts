// /admin/api/opml: import an OPML document as runtime sources; export every source as OPML 2.0.
import type { Hono } from 'hono';
import type { ServerDeps } from '../deps.ts';
import { createSourceService } from '../services/sources.ts';

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
    const res = await sources.importOpml(await c.req.text(), {
      section: c.req.query('section') ?? null,
    });
    return c.json(res, res.added.length ? 201 : 200);
  });
}
