// The bench's output: the JSON object of issue 6, and the human table with targets.
import type { LoadResult } from './load.ts';
import type { FamilyUsage } from './redis-memory.ts';
import type { FixtureCounters } from './fixture-server.ts';
import type { PushLatency } from './push.ts';
import type { DeskFigure } from './desk.ts';

export interface BenchJson {
  ingest: {
    itemsPerSec: number;
    itemsPerSecTwoWorkers: number;
    baselineItemsPerSec: number;
    ratio: number;
  };
  refresh304: { feedsPerSec: number };
  freshness: { p50Ms: number; p99Ms: number };
  serve: {
    reqPerSec: number;
    p99Ms: number;
    notModifiedReqPerSec: number;
    gzipReqPerSec: number;
    baselineReqPerSec: number;
    ratio: number;
    bytes: number;
  };
  tagging: { articlesPerSec: number; fingerprintsPerSec: number };
  memory: { redisBytesPerArticle: number; workerPeakRssMb: number };
  /** Article pages through the full-text page path vs Readability alone on the same pages. */
  fullText: {
    pagesPerSec: number;
    p99Ms: number;
    baselinePagesPerSec: number;
    baselineP99Ms: number;
    ratio: number;
  };
  /** Issue 17: templated text (items sharing most words) beside the news-like ingest. */
  templated?: TemplatedIngest;
  /** Issue 17: reads answered by the single-process service while it ingests. */
  readUnderIngest?: ReadUnderIngest;
  /** Issue 12: publisher's push -> our hub's subscriber and our webhook, end to end. */
  push?: PushLatency;
  /** Issue 15: desk pages with 1,000 sources, server time (Server-Timing) and client time. */
  desk?: DeskFigure;
}

export interface TemplatedIngest {
  itemsPerSec: number;
  /** The news-like 1-worker ingest of the same run. */
  newsLikeItemsPerSec: number;
  ratio: number;
  elapsedMs: number;
  commandsPerArticle: number;
}

export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
}

export interface ReadUnderIngest {
  /** GET /feeds/<head section>.atom (cached between changes). */
  feed: LatencySummary;
  /** GET /api/sources. */
  sources: LatencySummary;
  articles: number;
  /** From the service answering /healthz to every article stored. */
  elapsedMs: number;
  itemsPerSec: number;
}

export interface BenchDetails {
  quick: boolean;
  date: string;
  machine: string;
  /** 1-minute load average at the start and the end (other work on the machine skews figures). */
  loadAvg: { start: number; end: number };
  feeds: number;
  items: number;
  articles: number;
  feedBytes: number;
  ingestMs: { one: number; two: number };
  /** Redis commands per stored article and Redis CPU seconds during the 1-worker ingest. */
  ingestRedis: {
    commandsPerArticle: number;
    cpuS: number;
    top: { name: string; perArticle: number }[];
  };
  ingestRequests: FixtureCounters;
  refresh304: FixtureCounters;
  freshnessSamples: number[];
  serve: Record<
    'base200' | 'prod200' | 'base304' | 'prod304' | 'baseGzip' | 'prodGzip',
    LoadResult
  >;
  serveBytes: { plain: number; gzip: number };
  connections: number;
  durationS: number;
  taggedShare: number;
  fullTextPages: { pages: number; extracted: number; bytes: number };
  families: FamilyUsage[];
  elapsedS: number;
}

export const TARGETS = {
  /** Issue 17: templated text ingests at ≥ 0.5× news-like text. */
  templatedRatio: 0.5,
  /** Issue 17: p99 of reads during ingest, single-process service. */
  readUnderIngestP99Ms: 250,
  /** Issue 12 (CONTRACT "Push in and out"): a push reaches our hub's subscribers and webhooks. */
  pushP99Ms: 1000,
  /** Issue 15: /desk answers in < 100 ms server time with 1,000 sources (p99 of the server time). */
  deskServerP99Ms: 100,
  ingestRatio: 0.7,
  serveRatio: 0.8,
  freshnessP99Ms: 500,
  redisBytesPerArticle: 2500,
};

const n = (x: number, digits = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
type Row = [string, string, string, string, string];

/** `--only templated`: the two ingests and their ratio. */
export function formatTemplated(t: TemplatedIngest): string {
  return [
    `templated ingest, 1 worker: ${n(t.itemsPerSec)} items/s (${n(t.elapsedMs / 1000, 1)} s, ${n(t.commandsPerArticle)} Redis commands/article)`,
    `news-like ingest, 1 worker: ${n(t.newsLikeItemsPerSec)} items/s (same run)`,
    `ratio ${n(t.ratio, 2)} (target ≥ ${TARGETS.templatedRatio}: ${mark(t.ratio >= TARGETS.templatedRatio)})`,
  ].join('\n');
}

/** `--only read-under-ingest`: p50/p99 of each reader while the single-process service ingests. */
export function formatReadUnderIngest(r: ReadUnderIngest): string {
  const line = (name: string, l: LatencySummary) =>
    `${name}: p50 ${n(l.p50Ms)} ms, p99 ${n(l.p99Ms)} ms, max ${n(l.maxMs)} ms over ${l.requests} requests (p99 < ${TARGETS.readUnderIngestP99Ms}: ${mark(l.p99Ms < TARGETS.readUnderIngestP99Ms)})`;
  return [
    `single-process service (role all) ingesting ${n(r.articles)} articles in ${n(r.elapsedMs / 1000, 1)} s (${n(r.itemsPerSec)} items/s, from ready)`,
    line('section feed', r.feed),
    line('/api/sources', r.sources),
  ].join('\n');
}

/** `--only push`: push latency to the downstream WebSub subscriber and to the webhook. */
export function formatPush(p: PushLatency): string {
  const line = (name: string, l: LatencySummary, target: boolean) =>
    `${name}: p50 ${n(l.p50Ms)} ms, p99 ${n(l.p99Ms)} ms, max ${n(l.maxMs)} ms over ${l.requests} pushes` +
    (target ? ` (p99 < ${TARGETS.pushP99Ms}: ${mark(l.p99Ms < TARGETS.pushP99Ms)})` : '');
  return [
    `push: ${p.pushes} pushes ${p.spacingMs} ms apart, publisher POST start -> delivery; source fetched ${p.sourceFetches} time(s) (the initial poll); callback answers ${Object.entries(
      p.statuses,
    )
      .map(([s, c]) => `${c} × ${s}`)
      .join(', ')}`,
    line('downstream WebSub subscriber', p.websub, true),
    line('webhook', p.webhook, true),
    line('our callback answered (body ingested)', p.callback, false),
    `load average ${n(p.loadAvg.start, 1)} at start, ${n(p.loadAvg.end, 1)} at end`,
  ].join('\n');
}

/** `--only desk`: p50/p99 server and client time of each desk page. */
export function formatDesk(d: DeskFigure): string {
  return [
    `desk with ${n(d.sources)} sources (${n(d.rows)} rows on /desk), one request at a time, ${d.pages[0]?.server.requests ?? 0} requests per page:`,
    ...d.pages.map(
      (p) =>
        `${p.path}: server p50 ${n(p.server.p50Ms, 1)} ms, p99 ${n(p.server.p99Ms, 1)} ms; server CPU p50 ${n(p.cpu.p50Ms, 1)} ms, p99 ${n(p.cpu.p99Ms, 1)} ms; client p50 ${n(p.client.p50Ms, 1)} ms, p99 ${n(p.client.p99Ms, 1)} ms; ${n(p.bytes / 1024)} KB${p.path === '/desk' ? ` (server p99 < ${TARGETS.deskServerP99Ms}: ${mark(p.server.p99Ms < TARGETS.deskServerP99Ms)})` : ''}`,
    ),
  ].join('\n');
}

export function formatTable(j: BenchJson, d: BenchDetails): string {
  const s = d.serve;
  const ratio304 = s.prod304.reqPerSec / s.base304.reqPerSec;
  const ratioGz = s.prodGzip.reqPerSec / s.baseGzip.reqPerSec;
  const rows: Row[] = [
    [
      'ingest, 1 worker (items/s)',
      n(j.ingest.itemsPerSec),
      n(j.ingest.baselineItemsPerSec),
      n(j.ingest.ratio, 2),
      `≥ ${TARGETS.ingestRatio}: ${mark(j.ingest.ratio >= TARGETS.ingestRatio)}`,
    ],
    [
      'ingest, 2 workers (items/s)',
      n(j.ingest.itemsPerSecTwoWorkers),
      n(j.ingest.baselineItemsPerSec),
      n(j.ingest.itemsPerSecTwoWorkers / j.ingest.baselineItemsPerSec, 2),
      '',
    ],
    [
      'refresh304 (feeds/s)',
      n(j.refresh304.feedsPerSec),
      '',
      '',
      `${d.refresh304.conditional}/${d.refresh304.requests} conditional, ${d.refresh304.notModified} × 304`,
    ],
    ['freshness p50 (ms)', n(j.freshness.p50Ms), '', '', `${d.freshnessSamples.length} samples`],
    [
      'freshness p99 (ms)',
      n(j.freshness.p99Ms),
      '',
      '',
      `< ${TARGETS.freshnessP99Ms}: ${mark(j.freshness.p99Ms < TARGETS.freshnessP99Ms)}`,
    ],
    [
      'serve Atom 200 (req/s)',
      n(j.serve.reqPerSec),
      n(j.serve.baselineReqPerSec),
      n(j.serve.ratio, 2),
      `≥ ${TARGETS.serveRatio}: ${mark(j.serve.ratio >= TARGETS.serveRatio)}`,
    ],
    ['serve Atom 200 p99 (ms)', n(j.serve.p99Ms), n(s.base200.p99Ms), '', ''],
    [
      'serve 304 (req/s)',
      n(j.serve.notModifiedReqPerSec),
      n(s.base304.reqPerSec),
      n(ratio304, 2),
      `≥ ${TARGETS.serveRatio}: ${mark(ratio304 >= TARGETS.serveRatio)}`,
    ],
    ['serve 304 p99 (ms)', n(s.prod304.p99Ms), n(s.base304.p99Ms), '', ''],
    ['serve gzip (req/s)', n(j.serve.gzipReqPerSec), n(s.baseGzip.reqPerSec), n(ratioGz, 2), ''],
    ['serve gzip p99 (ms)', n(s.prodGzip.p99Ms), n(s.baseGzip.p99Ms), '', ''],
    [
      'tagging (articles/s)',
      n(j.tagging.articlesPerSec),
      '',
      '',
      `50 tags × 10 keywords; ${n(d.taggedShare * 100)}% tagged`,
    ],
    ['fingerprints/s', n(j.tagging.fingerprintsPerSec), '', '', ''],
    [
      'full text (pages/s)',
      n(j.fullText.pagesPerSec),
      n(j.fullText.baselinePagesPerSec),
      n(j.fullText.ratio, 2),
      `fetch + Readability + sanitize vs Readability alone; ${d.fullTextPages.extracted}/${d.fullTextPages.pages} pages of ${n(d.fullTextPages.bytes / 1024, 1)} KB extracted`,
    ],
    ['full text p99 (ms/page)', n(j.fullText.p99Ms), n(j.fullText.baselineP99Ms), '', ''],
    [
      'Redis bytes/article',
      n(j.memory.redisBytesPerArticle),
      '',
      '',
      `≤ ${TARGETS.redisBytesPerArticle}: ${mark(j.memory.redisBytesPerArticle <= TARGETS.redisBytesPerArticle)}`,
    ],
    ['worker peak RSS (MB)', n(j.memory.workerPeakRssMb), '', '', ''],
    ...(j.templated
      ? [
          [
            'templated ingest (items/s)',
            n(j.templated.itemsPerSec),
            n(j.templated.newsLikeItemsPerSec),
            n(j.templated.ratio, 2),
            `≥ ${TARGETS.templatedRatio} × news-like: ${mark(j.templated.ratio >= TARGETS.templatedRatio)}`,
          ] as Row,
        ]
      : []),
    ...(j.readUnderIngest
      ? (['feed', 'sources'] as const).map((k): Row => [
          `under ingest: ${k === 'feed' ? 'section feed' : '/api/sources'} p50/p99 (ms)`,
          `${n(j.readUnderIngest![k].p50Ms)} / ${n(j.readUnderIngest![k].p99Ms)}`,
          '',
          '',
          `p99 < ${TARGETS.readUnderIngestP99Ms}: ${mark(j.readUnderIngest![k].p99Ms < TARGETS.readUnderIngestP99Ms)}; ${j.readUnderIngest![k].requests} requests, max ${n(j.readUnderIngest![k].maxMs)}`,
        ])
      : []),
    ...(j.push
      ? (['websub', 'webhook'] as const).map((k): Row => [
          `push -> ${k === 'websub' ? 'our hub subscriber' : 'webhook'} p50/p99 (ms)`,
          `${n(j.push![k].p50Ms)} / ${n(j.push![k].p99Ms)}`,
          '',
          '',
          `p99 < ${TARGETS.pushP99Ms}: ${mark(j.push![k].p99Ms < TARGETS.pushP99Ms)}; ${j.push![k].requests} pushes, max ${n(j.push![k].maxMs)}`,
        ])
      : []),
    ...(j.desk
      ? j.desk.pages.map((p): Row => [
          `desk ${p.path} server p50/p99 (ms)`,
          `${n(p.server.p50Ms, 1)} / ${n(p.server.p99Ms, 1)}`,
          '',
          '',
          `${p.path === '/desk' ? `p99 < ${TARGETS.deskServerP99Ms}: ${mark(p.server.p99Ms < TARGETS.deskServerP99Ms)}; ` : ''}${n(j.desk!.sources)} sources; CPU p50/p99 ${n(p.cpu.p50Ms, 1)} / ${n(p.cpu.p99Ms, 1)}; client ${n(p.client.p50Ms, 1)} / ${n(p.client.p99Ms, 1)}`,
        ])
      : []),
  ];
  const head: [string, string, string, string, string] = [
    'figure',
    'product',
    'baseline',
    'ratio',
    'target / note',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const top = d.families
    .slice(0, 8)
    .map(
      (f) =>
        `  ${f.family.padEnd(22)} ${n(f.keys).padStart(8)} keys ${n(f.bytes / d.articles).padStart(7)} B/article`,
    );
  return [
    `Tributary bench${d.quick ? ' (--quick)' : ''} — ${d.date} — ${d.machine}`,
    `${d.feeds} feeds × ${d.items} items (${n(d.feedBytes / 1e6, 1)} MB RSS), worker concurrency as configured; serve: ${d.connections} connections × ${d.durationS} s, ${n(d.serveBytes.plain)} B Atom (${n(d.serveBytes.gzip)} B gzip)`,
    '',
    fmt(head),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...rows.map(fmt),
    '',
    `ingest: 1 worker ${n(d.ingestMs.one / 1000, 1)} s, 2 workers ${n(d.ingestMs.two / 1000, 1)} s; ${d.ingestRequests.full} full responses during the 1-worker ingest`,
    `Redis during the 1-worker ingest: ${n(d.ingestRedis.commandsPerArticle)} commands per article, ${n(d.ingestRedis.cpuS, 1)} s of Redis CPU; per article: ${d.ingestRedis.top.map((c) => `${c.name} ${n(c.perArticle, 1)}`).join(', ')}`,
    `Redis memory by key family after the 1-worker ingest (MEMORY USAGE, per article):`,
    ...top,
    `total bench time ${n(d.elapsedS, 0)} s; load average ${n(d.loadAvg.start, 1)} at start, ${n(d.loadAvg.end, 1)} at end`,
  ].join('\n');
}
