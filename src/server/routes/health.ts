// Liveness, readiness, source health and metrics.
import type { Hono } from 'hono';
import { allSources } from '../../catalog/sources.ts';
import type { ServerDeps } from '../deps.ts';
import { sourceHealth, healthSummary } from '../source-health.ts';

export function registerHealthRoutes(app: Hono, deps: ServerDeps) {
  const { config, store } = deps;

  app.get('/healthz', (c) => c.json({ status: 'ok', time: deps.now().toISOString() }));

  app.get('/readyz', async (c) => {
    const redis = await store.ping();
    const workers = redis ? await store.workers.alive(30_000).catch(() => 0) : 0;
    const queue = redis ? await deps.queueCounts().catch(() => null) : null;
    const ready = redis && workers > 0;
    return c.json(
      {
        status: ready ? 'ready' : 'unavailable',
        checks: { redis: redis ? 'ok' : 'unreachable', workers, queue },
      },
      ready ? 200 : 503,
    );
  });

  app.get('/api/sources', async (c) => {
    const sources = await allSources(config, store);
    const items = await Promise.all(
      sources.map(async (s) => {
        const st = await store.sources.getState(s.id);
        return {
          id: s.id,
          title: s.title,
          url: s.url,
          lang: s.lang,
          origin: s.origin,
          enabled: s.enabled,
          lastStatus: st.status,
          ...sourceHealth(s, st),
          push: (await deps.subscriber?.view(s.id)) ?? null,
        };
      }),
    );
    return c.json({ sources: items, summary: healthSummary(items) });
  });

  app.get('/metrics', async (c) => {
    const m = await deps.metrics();
    return c.body(m.body, 200, { 'Content-Type': m.contentType });
  });
}
