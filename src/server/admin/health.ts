// GET /admin/api/health: the service's health as the desk's health page shows it (services/health.ts).
import type { Hono } from 'hono';
import type { ServerDeps } from '../deps.ts';
import { createHealthService } from '../services/health.ts';

export function registerAdminHealthRoute(app: Hono, deps: ServerDeps): void {
  const health = createHealthService(deps);
  app.get('/admin/api/health', async (c) => c.json(await health.report()));
}
