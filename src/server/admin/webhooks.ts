// /admin/api/webhooks: list, add, change and delete runtime hooks, re-send failed deliveries, as
// JSON. The rules live in ../services/webhooks.ts (for the desk to share).
import type { Hono } from 'hono';
import type { ServerDeps } from '../deps.ts';
import { rawJsonBody } from './validate.ts';
import { createWebhookService } from '../services/webhooks.ts';

export function registerWebhookRoutes(app: Hono, deps: ServerDeps): void {
  const hooks = createWebhookService(deps);

  app.get('/admin/api/webhooks', async (c) => c.json({ webhooks: await hooks.list() }));
  app.get('/admin/api/webhooks/:id', async (c) =>
    c.json({ webhook: await hooks.get(c.req.param('id')) }),
  );
  // 201 carries a generated secret, the one time it is shown.
  app.post('/admin/api/webhooks', async (c) => c.json(await hooks.add(await rawJsonBody(c)), 201));
  app.patch('/admin/api/webhooks/:id', async (c) =>
    c.json(await hooks.update(c.req.param('id'), await rawJsonBody(c))),
  );
  app.delete('/admin/api/webhooks/:id', async (c) =>
    c.json({ deleted: await hooks.remove(c.req.param('id')) }),
  );
  app.post('/admin/api/webhooks/:id/resend', async (c) => {
    const id = c.req.param('id');
    return c.json({ id, requeued: await hooks.resend(id) }, 202);
  });
}
