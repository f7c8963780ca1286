// Prometheus metrics: one registry per process, filled by workers (ingest reports) and the server.
import { Registry, Counter, Histogram, Gauge, collectDefaultMetrics } from 'prom-client';
import type { IngestReport } from '../domain/types.ts';

export function createMetrics(
  opts: {
    queueCounts?: () => Promise<Record<string, number> | null>;
    cacheStats?: () => { hits: number; misses: number };
  } = {},
) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tributary_' });
  const fetches = new Counter({
    name: 'tributary_fetches_total',
    help: 'Source polls by outcome and error kind',
    labelNames: ['outcome', 'kind'],
    registers: [registry],
  });
  const articles = new Counter({
    name: 'tributary_articles_total',
    help: 'Articles written by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const undated = new Counter({
    name: 'tributary_undated_items_total',
    help: 'Items stored with their first-seen time because their date could not be read',
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'tributary_poll_duration_seconds',
    help: 'Duration of one poll (fetch to indexes)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const http = new Histogram({
    name: 'tributary_http_request_duration_seconds',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  new Gauge({
    name: 'tributary_queue_jobs',
    help: 'Poll queue jobs by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await opts.queueCounts?.().catch(() => null);
      if (counts) for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'tributary_feed_cache_hit_ratio',
    help: 'Rendered-feed cache hits / lookups',
    registers: [registry],
    collect() {
      const s = opts.cacheStats?.();
      if (s) this.set(s.hits + s.misses === 0 ? 0 : s.hits / (s.hits + s.misses));
    },
  });
  return {
    registry,
    observeReport(r: IngestReport) {
      if (r.outcome === 'skipped') return;
      fetches.inc({ outcome: r.outcome, kind: r.error?.kind ?? '' });
      if (r.inserted) articles.inc({ outcome: 'inserted' }, r.inserted);
      if (r.updated) articles.inc({ outcome: 'updated' }, r.updated);
      if (r.clustered) articles.inc({ outcome: 'clustered' }, r.clustered);
      if (r.undated) undated.inc(r.undated);
      jobDuration.observe(r.durationMs / 1000);
    },
    observeHttp(route: string, method: string, status: number, seconds: number) {
      http.observe({ route, method, status: String(status) }, seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
