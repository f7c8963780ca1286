// createApp(deps) -> Hono, without listening (tests call app.request()).
import { Hono } from 'hono';
import type { ServerDeps } from './deps.ts';
import { errorResponse, notFound } from './http-error.ts';
import { registerFeedRoutes } from './routes/feeds.ts';
import { registerPageRoutes } from './routes/pages.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerAdminRoutes } from './admin/index.ts';
import { registerWebsubCallbackRoutes } from './routes/websub-callback.ts';
import { registerWebsubRoutes } from './routes/websub.ts';
import { registerDeskRoutes } from './desk/index.tsx';
import { withBaseUrl } from '../config/base-url.ts';

export function createApp(given: ServerDeps): Hono {
  // An unset site.baseUrl: startTributary derives it from the port it listens on; an app built
  // without it (tests) from the configured HOST and PORT.
  const deps = {
    ...given,
    config: withBaseUrl(given.config, given.config.env.host, given.config.env.port),
  };
  const app = new Hono();
  if (deps.observeHttp) {
    const observe = deps.observeHttp;
    app.use(async (c, next) => {
      const t0 = performance.now();
      await next();
      observe(
        c.req.routePath || 'unmatched',
        c.req.method,
        c.res.status,
        (performance.now() - t0) / 1000,
      );
    });
  }
  registerHealthRoutes(app, deps);
  // Timed pins leave cached feeds when they expire by the clock (feed-cache.ts validUntil): a GET
  // writes nothing; retention removes expired pins from Redis.
  registerFeedRoutes(app, deps);
  registerWebsubRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerWebsubCallbackRoutes(app, deps);
  registerDeskRoutes(app, deps);
  registerPageRoutes(app, deps);
  app.notFound((c) => errorResponse(c, notFound(`no route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => errorResponse(c, err, deps.log));
  return app;
}
