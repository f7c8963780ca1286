// /admin/api/sources: list, add (validated, with feed discovery), update, pause/resume, delete and
// refresh now, as JSON. The rules live in ../services/sources.ts, shared with the desk.
import type { Hono } from 'hono';
import type { ServerDeps } from '../deps.ts';
import { rawJsonBody } from './validate.ts';
import { validate } from '../services/validate.ts';
import { addSourceSchema } from './schemas.ts';
import { createSourceService } from '../services/sources.ts';

export function registerSourceRoutes(app: Hono, deps: ServerDeps) {
  const sources = createSourceService(deps);

  app.get('/admin/api/sources', async (c) => c.json({ sources: await sources.list() }));

  app.get('/admin/api/sources/:id', async (c) =>
    c.json({ source: await sources.get(c.req.param('id')) }),
  );

  // The API requires an id (the desk may leave it to be derived from the title).
  app.post('/admin/api/sources', async (c) => {
    const raw = await rawJsonBody(c);
    validate(addSourceSchema, raw);
    return c.json(await sources.add(raw), 201);
  });

  app.patch('/admin/api/sources/:id', async (c) => {
    const res = await sources.update(c.req.param('id'), await rawJsonBody(c));
    return c.json({
      source: res.source,
      ...(res.discoveredFrom ? { feed: { discoveredFrom: res.discoveredFrom } } : {}),
      ...(res.applied ? { applied: res.applied } : {}),
    });
  });

  app.post('/admin/api/sources/:id/pause', async (c) =>
    c.json({ source: await sources.setPaused(c.req.param('id'), true) }),
  );
  app.post('/admin/api/sources/:id/resume', async (c) =>
    c.json({ source: await sources.setPaused(c.req.param('id'), false) }),
  );

  app.delete('/admin/api/sources/:id', async (c) =>
    c.json({ deleted: await sources.remove(c.req.param('id')) }),
  );

  app.post('/admin/api/sources/:id/refresh', async (c) => {
    const id = c.req.param('id');
    const jobId = await sources.refresh(id);
    return c.json({ queued: id, jobId }, 202);
  });
}
