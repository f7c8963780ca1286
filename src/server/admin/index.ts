// The admin surface: /admin/api (sources, curation, OPML, webhooks, OpenAPI), /admin/login and the queue
// dashboard at /admin/queues. Everything under /admin is a 404 while ADMIN_TOKEN is unset.
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HttpError, errorResponse } from '../http-error.ts';
import type { ServerDeps } from '../deps.ts';
import { adminEnabled, loginHandlers, requireToken } from './auth.ts';
import { createSessions } from '../session.ts';
import { registerSourceRoutes } from './sources.ts';
import { registerCurationRoutes } from './curation.ts';
import { registerOpmlRoutes } from './opml.ts';
import { registerRulesRoutes } from './rules.ts';
import { registerWebhookRoutes } from './webhooks.ts';
import { registerAdminHealthRoute } from './health.ts';
import { adminOpenApi } from './openapi.ts';
import { DASHBOARD_PATH, registerDashboard } from './dashboard.ts';

/** Largest admin request body (an OPML file of a few thousand feeds fits). */
export const ADMIN_BODY_LIMIT = 1024 * 1024;

export function registerAdminRoutes(app: Hono, deps: ServerDeps): void {
  const token = deps.config.env.adminToken || null;
  const secureCookie = deps.config.site.baseUrl.startsWith('https:');
  const sessions = token ? createSessions({ secret: token, secure: secureCookie }) : null;
  const login = loginHandlers(token, sessions);

  app.use('/admin/*', adminEnabled(token));
  app.use('/admin', adminEnabled(token));
  app.use(
    '/admin/api/*',
    bodyLimit({
      maxSize: ADMIN_BODY_LIMIT,
      onError: (c) => {
        const res = errorResponse(
          c,
          new HttpError(413, 'payload-too-large', `request body exceeds ${ADMIN_BODY_LIMIT} bytes`),
        );
        // The rest of the body is never read: the connection cannot be reused.
        res.headers.set('Connection', 'close');
        return res;
      },
    }),
  );
  // Public while enabled: the document describes the API and holds no data.
  app.get('/admin/api/openapi.json', (c) => c.json(adminOpenApi(deps.config.site.baseUrl)));
  app.use('/admin/login', bodyLimit({ maxSize: 4096 }));
  app.get('/admin/login', login.form);
  app.post('/admin/login', login.submit);
  app.post('/admin/logout', login.logout);

  app.use('/admin/api/*', requireToken(token, { cookie: false }));
  registerSourceRoutes(app, deps);
  registerCurationRoutes(app, deps);
  registerOpmlRoutes(app, deps);
  registerRulesRoutes(app, deps);
  registerWebhookRoutes(app, deps);
  registerAdminHealthRoute(app, deps);

  if (deps.queues?.length) {
    app.use(DASHBOARD_PATH, requireToken(token, { cookie: true, sessions }));
    app.use(`${DASHBOARD_PATH}/*`, requireToken(token, { cookie: true, sessions }));
    registerDashboard(app, deps.queues);
  }
}
