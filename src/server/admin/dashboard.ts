// The operator's queue dashboard: bull-board under /admin/queues (its pages, static files and its
// own JSON API). Authentication is the caller's job (see auth.ts: bearer or cookie).
import type { Hono } from 'hono';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { PollQueue } from '../../queues/queues.ts';

export const DASHBOARD_PATH = '/admin/queues';

export function registerDashboard(app: Hono, queues: readonly PollQueue[]): void {
  const adapter = new HonoAdapter(serveStatic);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Tributary queues' } },
  });
  adapter.setBasePath(DASHBOARD_PATH);
  app.route(DASHBOARD_PATH, adapter.registerPlugin());
}
