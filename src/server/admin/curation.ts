// /admin/api curation as JSON: pins and hides per section, hides everywhere, manual tags, and the
// stored article. The rules live in ../services/curation.ts, shared with the desk.
import type { Hono } from 'hono';
import type { ServerDeps } from '../deps.ts';
import { rawJsonBody } from './validate.ts';
import { createCurationService } from '../services/curation.ts';

export function registerCurationRoutes(app: Hono, deps: ServerDeps) {
  const cur = createCurationService(deps);

  app.get('/admin/api/sections/:id', async (c) =>
    c.json({
      ...(await cur.sectionState(c.req.param('id'))),
      globalHides: await cur.globalHides(),
    }),
  );

  app.post('/admin/api/sections/:id/pins', async (c) =>
    c.json(await cur.pin(c.req.param('id'), await rawJsonBody(c)), 201),
  );
  app.delete('/admin/api/sections/:id/pins/:articleId', async (c) =>
    c.json(await cur.unpin(c.req.param('id'), c.req.param('articleId'))),
  );
  app.post('/admin/api/sections/:id/hides', async (c) =>
    c.json(await cur.hide(c.req.param('id'), await rawJsonBody(c)), 201),
  );
  app.delete('/admin/api/sections/:id/hides/:articleId', async (c) =>
    c.json(await cur.unhide(c.req.param('id'), c.req.param('articleId'))),
  );

  app.get('/admin/api/hides', async (c) => c.json({ hides: await cur.globalHides() }));
  app.post('/admin/api/hides', async (c) =>
    c.json({ hides: await cur.hideEverywhere(await rawJsonBody(c)) }, 201),
  );
  app.delete('/admin/api/hides/:articleId', async (c) =>
    c.json({ hides: await cur.unhideEverywhere(c.req.param('articleId')) }),
  );

  app.get('/admin/api/articles/:id', async (c) => c.json(await cur.article(c.req.param('id'))));
  app.post('/admin/api/articles/:id/tags', async (c) =>
    c.json(await cur.changeTags(c.req.param('id'), await rawJsonBody(c))),
  );
}
