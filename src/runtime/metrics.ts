// Prometheus metrics. One scrape of the server's /metrics shows the whole service, also when
// servers and workers run as separate processes (`--role server` / `--role worker`, the compose
// file): workers publish their poll counters to Redis (one hash, a few HINCRBY per poll) and
// every server exports them from there. Process-local figures (HTTP latency, cache hit ratio,
// Node's own metrics) come from the serving process's registry.
//
// The poll counters are cluster-wide totals: they survive a worker's restart and every server
// reports the same values, so sum over servers is wrong (use max, or scrape one server).
import { Registry, Gauge, collectDefaultMetrics } from 'prom-client';
import { LabelHistogram } from './label-histogram.ts';
import type { IngestReport } from '../domain/types.ts';
import type { PollSummary } from '../server/deps.ts';

export const POLL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] as const;
/** Buckets (seconds) of poll lateness: a scheduled poll's start after its tick was due. */
export const LATENESS_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600] as const;

/** Where poll counters live: a hash of field → number (Redis in production, memory in tests). */
export interface CounterHash {
  /** Adds each field's increment (one round trip). */
  incr(fields: Record<string, number>): Promise<void>;
  readAll(): Promise<Record<string, string>>;
}

/** The counter hash in Redis (HINCRBY / HINCRBYFLOAT in one MULTI). */
export function redisCounterHash(
  redis: {
    multi(): {
      hincrby(k: string, f: string, n: number): unknown;
      hincrbyfloat(k: string, f: string, n: number): unknown;
      exec(): Promise<unknown>;
    };
    hgetall(k: string): Promise<Record<string, string>>;
  },
  key: string,
): CounterHash {
  return {
    async incr(fields) {
      const m = redis.multi();
      for (const [f, n] of Object.entries(fields)) {
        if (Number.isInteger(n)) m.hincrby(key, f, n);
        else m.hincrbyfloat(key, f, n);
      }
      await m.exec().catch((err: Error & { previousErrors?: Error[] }) => {
        // EXECABORT says only "previous errors": name the first (an OOM when Redis is full).
        throw err.previousErrors?.[0] ?? err;
      });
    },
    readAll: () => redis.hgetall(key),
  };
}

export function memoryCounterHash(): CounterHash {
  const h = new Map<string, number>();
  return {
    async incr(fields) {
      for (const [f, n] of Object.entries(fields)) h.set(f, (h.get(f) ?? 0) + n);
    },
    async readAll() {
      return Object.fromEntries([...h].map(([k, v]) => [k, String(v)]));
    },
  };
}

/** The hash fields one ingest report adds to. */
export function reportFields(r: IngestReport): Record<string, number> {
  const f: Record<string, number> = {};
  f[`fetch\t${r.outcome}\t${r.error?.kind ?? ''}`] = 1;
  if (r.inserted) f['article\tinserted'] = r.inserted;
  if (r.updated) f['article\tupdated'] = r.updated;
  if (r.clustered) f['article\tclustered'] = r.clustered;
  for (const repair of r.repairs ?? []) {
    const kind = `repair\t${repair.split(':')[0]}`;
    f[kind] = (f[kind] ?? 0) + 1;
  }
  const s = r.durationMs / 1000;
  const le = POLL_BUCKETS.find((b) => s <= b);
  f[`poll\tbucket\t${le ?? '+Inf'}`] = 1;
  f['poll\tsum'] = s;
  f['poll\tcount'] = 1;
  if (r.undated) f['undated'] = r.undated;
  if (r.lateMs !== undefined) {
    const late = r.lateMs / 1000;
    f[`late\tbucket\t${LATENESS_BUCKETS.find((b) => late <= b) ?? '+Inf'}`] = 1;
    f['late\tsum'] = late;
    f['late\tcount'] = 1;
  }
  for (const [key, n] of Object.entries(r.fullText ?? {})) f[`fulltext\t${key}`] = n;
  return f;
}

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Prometheus text for the poll counters held in the hash. */
export function pollMetricsText(h: Record<string, string>): string {
  const fetches: string[] = [];
  const articles: string[] = [];
  const repairs: string[] = [];
  const fullText: string[] = [];
  const perBucket = new Map<string, number>();
  let sum = 0;
  let count = 0;
  const lateBucket = new Map<string, number>();
  let lateSum = 0;
  let lateCount = 0;
  let undated = 0;
  let pushed = 0;
  const pushRejected: string[] = [];
  for (const [field, raw] of Object.entries(h).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const n = Number(raw);
    const p = field.split('\t');
    if (p[0] === 'fetch' && p.length === 3)
      fetches.push(
        `tributary_fetches_total{outcome="${label(p[1]!)}",kind="${label(p[2]!)}"} ${n}`,
      );
    else if (p[0] === 'article' && p.length === 2)
      articles.push(`tributary_articles_total{outcome="${label(p[1]!)}"} ${n}`);
    else if (p[0] === 'repair' && p.length === 2)
      repairs.push(`tributary_feed_repairs_total{kind="${label(p[1]!)}"} ${n}`);
    else if (p[0] === 'fulltext' && p.length === 3)
      fullText.push(
        `tributary_fulltext_pages_total{outcome="${label(p[1]!)}",via="${label(p[2]!)}"} ${n}`,
      );
    else if (p[0] === 'poll' && p[1] === 'bucket') perBucket.set(p[2]!, n);
    else if (field === 'poll\tsum') sum = n;
    else if (field === 'poll\tcount') count = n;
    else if (p[0] === 'late' && p[1] === 'bucket') lateBucket.set(p[2]!, n);
    else if (field === 'late\tsum') lateSum = n;
    else if (field === 'late\tcount') lateCount = n;
    else if (field === 'undated') undated = n;
    else if (field === 'push\treceived') pushed = n;
    else if (p[0] === 'push' && p[1] === 'rejected' && p.length === 3)
      pushRejected.push(`tributary_websub_pushes_rejected_total{reason="${label(p[2]!)}"} ${n}`);
  }
  const out = [
    '# HELP tributary_fetches_total Source polls by outcome and error kind (all workers)',
    '# TYPE tributary_fetches_total counter',
    ...fetches,
    '# HELP tributary_articles_total Articles written by outcome (all workers)',
    '# TYPE tributary_articles_total counter',
    ...articles,
    '# HELP tributary_feed_repairs_total Fetched feed bodies that needed a repair to be read, by kind (all workers)',
    '# TYPE tributary_feed_repairs_total counter',
    ...repairs,
    '# HELP tributary_fulltext_pages_total Linked pages of teaser items by outcome (extracted, not-longer, http-error, not-html, too-large, unreadable, …) and how they were had (fetched, revalidated, cache) (all workers)',
    '# TYPE tributary_fulltext_pages_total counter',
    ...fullText,
    '# HELP tributary_poll_duration_seconds Duration of one poll, fetch to indexes (all workers)',
    '# TYPE tributary_poll_duration_seconds histogram',
  ];
  let cum = 0;
  for (const b of POLL_BUCKETS) {
    cum += perBucket.get(String(b)) ?? 0;
    out.push(`tributary_poll_duration_seconds_bucket{le="${b}"} ${cum}`);
  }
  out.push(`tributary_poll_duration_seconds_bucket{le="+Inf"} ${count}`);
  out.push(`tributary_poll_duration_seconds_sum ${sum}`);
  out.push(`tributary_poll_duration_seconds_count ${count}`);
  out.push(
    '# HELP tributary_poll_lateness_seconds How late scheduled polls started after their tick was due (all workers; forced refreshes not counted)',
    '# TYPE tributary_poll_lateness_seconds histogram',
  );
  cum = 0;
  for (const b of LATENESS_BUCKETS) {
    cum += lateBucket.get(String(b)) ?? 0;
    out.push(`tributary_poll_lateness_seconds_bucket{le="${b}"} ${cum}`);
  }
  out.push(`tributary_poll_lateness_seconds_bucket{le="+Inf"} ${lateCount}`);
  out.push(`tributary_poll_lateness_seconds_sum ${lateSum}`);
  out.push(`tributary_poll_lateness_seconds_count ${lateCount}`);
  out.push(
    '# HELP tributary_undated_items_total Articles stored with their first-seen time because their date could not be read (all workers)',
    '# TYPE tributary_undated_items_total counter',
    `tributary_undated_items_total ${undated}`,
    "# HELP tributary_websub_pushes_received_total Bodies our sources' WebSub hubs pushed with a valid signature (all servers)",
    '# TYPE tributary_websub_pushes_received_total counter',
    `tributary_websub_pushes_received_total ${pushed}`,
    '# HELP tributary_websub_pushes_rejected_total Pushed bodies dropped for a missing or bad signature (all servers)',
    '# TYPE tributary_websub_pushes_rejected_total counter',
    ...pushRejected,
  );
  return `${out.join('\n')}\n`;
}

/** The poll counters as figures (the health page): outcomes, error kinds and poll durations. */
export function pollSummary(h: Record<string, string>): PollSummary {
  const outcomes: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};
  const perBucket = new Map<string, number>();
  let sum = 0;
  let count = 0;
  for (const [field, raw] of Object.entries(h)) {
    const n = Number(raw);
    const p = field.split('\t');
    if (p[0] === 'fetch' && p.length === 3) {
      outcomes[p[1]!] = (outcomes[p[1]!] ?? 0) + n;
      if (p[2]) errorKinds[p[2]] = (errorKinds[p[2]] ?? 0) + n;
    } else if (p[0] === 'poll' && p[1] === 'bucket') perBucket.set(p[2]!, n);
    else if (field === 'poll\tsum') sum = n;
    else if (field === 'poll\tcount') count = n;
  }
  const atMost = (q: number): number | null => {
    if (count === 0) return null;
    let cum = 0;
    for (const b of POLL_BUCKETS) {
      cum += perBucket.get(String(b)) ?? 0;
      if (cum >= q * count) return b * 1000;
    }
    return null;
  };
  return {
    polls: count,
    meanMs: count ? (sum / count) * 1000 : null,
    p50AtMostMs: atMost(0.5),
    p95AtMostMs: atMost(0.95),
    outcomes,
    errorKinds,
  };
}

/**
 * This process's share of the poll counters: added to the shared hash as they come, kept while a
 * write fails (Redis full or away) and retried with the next poll or scrape, so none is lost. A
 * scrape adds what this process has not written yet, so a single process also shows polls that
 * failed while Redis refused writes.
 */
export function pollCounters(hash: CounterHash, onError?: (err: Error) => void) {
  let pending = new Map<string, number>();
  let inflight = new Map<string, number>();
  let flushing: Promise<void> | null = null;
  let failing = false;
  const add = (into: Map<string, number>, f: Record<string, number> | Map<string, number>) => {
    for (const [k, n] of f instanceof Map ? f : Object.entries(f))
      into.set(k, (into.get(k) ?? 0) + n);
  };
  const flush = (): Promise<void> => {
    if (flushing || pending.size === 0) return flushing ?? Promise.resolve();
    inflight = pending;
    pending = new Map();
    flushing = hash.incr(Object.fromEntries(inflight)).then(
      () => {
        inflight = new Map();
        flushing = null;
        failing = false;
      },
      (err: Error) => {
        add(pending, inflight); // kept for the next attempt
        inflight = new Map();
        flushing = null;
        if (!failing) onError?.(err); // once per outage, not once per poll
        failing = true;
      },
    );
    return flushing;
  };
  return {
    /** Adds one poll's fields; resolves once a write attempt has settled (never rejects). */
    async record(fields: Record<string, number>): Promise<void> {
      add(pending, fields);
      while (flushing) await flushing;
      await flush();
    },
    /** The shared totals plus what this process has not written yet. */
    async read(): Promise<Record<string, string>> {
      void flush();
      const h = await hash.readAll();
      const out = new Map(Object.entries(h).map(([k, v]) => [k, Number(v)]));
      add(out, pending);
      add(out, inflight);
      return Object.fromEntries([...out].map(([k, v]) => [k, String(v)]));
    },
  };
}

export function createMetrics(
  opts: {
    queueCounts?: () => Promise<Record<string, number> | null>;
    cacheStats?: () => { hits: number; misses: number };
    /** Poll counters shared by every process of the service (Redis); memory when absent. */
    polls?: CounterHash;
    /** Called when a poll's counters could not be published (Redis unreachable). */
    onPublishError?: (err: Error) => void;
  } = {},
) {
  const polls = pollCounters(opts.polls ?? memoryCounterHash(), opts.onPublishError);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tributary_' });
  const http = new LabelHistogram(
    'tributary_http_request_duration_seconds',
    'HTTP requests by route and status',
    ['route', 'method', 'status'],
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  );
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
    /** Publishes one poll's counters (resolves once they are written; never rejects). */
    observeReport(r: IngestReport): Promise<void> {
      if (r.outcome === 'skipped') return Promise.resolve();
      return polls.record(reportFields(r));
    },
    observeHttp(route: string, method: string, status: number, seconds: number) {
      http.observe([route, method, String(status)], seconds);
    },
    /** The same poll counters /metrics exports, as figures. */
    async pollSummary(): Promise<PollSummary> {
      return pollSummary(await polls.read());
    },
    async render() {
      const [local, shared] = await Promise.all([
        registry.metrics(),
        polls.read().then(pollMetricsText, () => ''),
      ]);
      return { contentType: registry.contentType, body: `${shared}${local}${http.render()}` };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
