// `npm run bench -- --scale`: the scale curve (issue 17 point 6). The real service (`tributary
// start --role server` + `--role worker` processes) polls 1,000, 10,000 and 100,000 generated
// sources (scale-feeds.ts, served on the fly by scale-fixture.ts in its own process) over a store
// holding 1,000,000 articles (scale-seed.ts, seeded once before the first step), and reports per
// step: polls/s sustained (and what the schedule asks), p99 poll lateness (due -> started, from the
// workers' tributary_poll_lateness_seconds counters), Redis used_memory, worker and server RSS
// (/proc), and section feed p99 latency (cached, and a cache-missing older page) from a reader
// during the step. Steps are cumulative on one key prefix: each adds sources to the last.
// `--scale-cluster` runs the largest step again on a local 3-master Redis Cluster.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ensureRedisServer } from '../src/runtime/redis-binary.ts';
import { freePort, startRedisServer } from '../src/runtime/redis-server.ts';
import { createStore } from '../src/store/index.ts';
import { bullConnection, closeRedis, createRedis, parseRedisTarget } from '../src/store/client.ts';
import { createPollQueue, queueCounts } from '../src/queues/queues.ts';
import { LATENESS_BUCKETS } from '../src/runtime/metrics.ts';
import { startRedisCluster } from '../tests/helpers/redis-cluster.ts';
import { ROOT, spawnTributary, waitFor } from './product.ts';
import type { ProductProcess } from './product.ts';
import { demandPerSecond, feedPath, intervalSeconds } from './scale-feeds.ts';
import type { ScaleFixtureStats } from './scale-fixture.ts';
import { seedArticles } from './scale-seed.ts';
import { scaleCurveSvg } from './scale-svg.ts';
import type { CurveSeries } from './scale-svg.ts';

export interface ScaleOptions {
  steps: number[];
  minutes: number;
  cluster: boolean;
  /** Only the Cluster series (its step is the largest of `steps`), e.g. after a single-Redis run. */
  clusterOnly?: boolean;
  json: boolean;
  articles: number;
  speedup: number;
  workers: number;
  concurrency: number;
  svgPath: string;
}

export interface ScaleStep {
  redis: 'single' | 'cluster';
  sources: number;
  /** Polls per second the schedule asks for (sum of 1/interval). */
  demandPerSec: number;
  pollsPerSec: number;
  /** Requests per second the feed server saw (cross-check), and the share that found a change. */
  fixtureRequestsPerSec: number;
  changedShare: number;
  lateness: { p50S: number; p99S: number; polls: number };
  /** Jobs due but not started when the step ended (waiting + prioritized). */
  backlogAtEnd: number;
  /** Articles stored during the step (seeded ones included). */
  articles: number;
  redisUsedMemoryMb: number;
  workerRssMb: number[];
  serverRssMb: number;
  feedCached: { p50Ms: number; p99Ms: number; requests: number };
  feedUncached: { p50Ms: number; p99Ms: number; requests: number };
  warmupS: number;
  measuredS: number;
  loadAvg: { start: number; end: number };
}

export interface ScaleJson {
  date: string;
  machine: string;
  articles: number;
  seed: { ms: number; articlesPerSec: number; how: string };
  intervals: string;
  workers: number;
  concurrency: number;
  steps: ScaleStep[];
}

const T0 = Date.now();
const say = (msg: string) =>
  process.stderr.write(`scale [${((Date.now() - T0) / 1000).toFixed(1)} s]: ${msg}\n`);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const PREFIX = 'scale';
const SECTION = 'all';
const ARTICLES_PER_SOURCE = 10;

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
}

/** histogram_quantile over the lateness buckets' deltas (linear within a bucket). */
export function histogramQuantile(counts: Map<string, number>, q: number): number {
  const bounds = [...LATENESS_BUCKETS.map(String), '+Inf'];
  const total = bounds.reduce((n, b) => n + (counts.get(b) ?? 0), 0);
  if (total === 0) return NaN;
  const rank = q * total;
  let cum = 0;
  let lower = 0;
  for (const b of bounds) {
    const c = counts.get(b) ?? 0;
    if (cum + c >= rank) {
      if (b === '+Inf') return lower; // beyond the last bound: report the bound (a floor)
      const upper = Number(b);
      return lower + (upper - lower) * (c === 0 ? 1 : (rank - cum) / c);
    }
    cum += c;
    lower = b === '+Inf' ? lower : Number(b);
  }
  return lower;
}

export function scaleConfig(o: {
  sources: number;
  fixtureUrl: string;
  speedup: number;
  concurrency: number;
  baseUrl: string;
}) {
  const shortest = Math.max(1, Math.round(300 / o.speedup));
  return {
    site: { title: 'Tributary scale bench', baseUrl: o.baseUrl },
    fetch: {
      timeout: '20s',
      allowPrivateNetworks: true,
      // Floor = ceiling = the source's interval: every source is polled at its own interval, so
      // the load is what the generated intervals say (the adaptive schedule is not under test).
      defaultInterval: `${shortest}s`,
      minInterval: `${shortest}s`,
      maxInterval: `${shortest}s`,
      // Every generated source is on one loopback host; production spreads over many hosts.
      perHostConcurrency: 64,
    },
    retention: { maxAge: '30d', maxPerSection: 500 },
    worker: { concurrency: o.concurrency, shutdownGrace: '10s' },
    push: { subscribe: false },
    sources: Array.from({ length: o.sources }, (_, n) => ({
      id: `s${n}`,
      url: `${o.fixtureUrl}${feedPath(n)}`,
      lang: n % 2 === 1 ? 'ar' : 'en',
      interval: `${intervalSeconds(n, { speedup: o.speedup })}s`,
      fullText: 'never',
    })),
    tags: [{ id: 'market', label: 'Market', keywords: ['market', 'سوق'] }],
    sections: [
      { id: SECTION, title: 'All stories', lang: 'en', limit: 100 },
      { id: 'arabic', title: 'عربي', lang: 'ar', include: { langs: ['ar'] }, limit: 50 },
      { id: 'english', title: 'English', lang: 'en', include: { langs: ['en'] }, limit: 50 },
      { id: 'market', title: 'Market', lang: 'en', include: { tags: ['market'] }, limit: 50 },
    ],
  };
}

function rssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function startFixture(max: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench', 'scale-fixture.ts'), String(max)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, child });
    });
    child.once('exit', (code) => reject(new Error(`scale: fixture server exited ${code}`)));
  });
}

async function fixtureStats(url: string): Promise<ScaleFixtureStats> {
  return (await (await fetch(`${url}/stats`)).json()) as ScaleFixtureStats;
}

/** One request at a time, `everyMs` apart, until stopped; every answer must be a 200. */
async function reader(url: () => string, stop: () => boolean, everyMs = 100): Promise<number[]> {
  const out: number[] = [];
  while (!stop()) {
    const t = performance.now();
    const res = await fetch(url());
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`scale: ${url()} answered ${res.status}`);
    out.push(performance.now() - t);
    await sleep(everyMs);
  }
  return out;
}

interface Backend {
  kind: 'single' | 'cluster';
  url: string;
  usedMemory(): Promise<number>;
  stop(): Promise<void>;
}

async function startBackend(kind: 'single' | 'cluster', tmp: string): Promise<Backend> {
  if (kind === 'cluster') {
    const c = await startRedisCluster();
    const nodes = c.ports.map((port) => new Redis({ port, host: '127.0.0.1' }));
    return {
      kind,
      url: c.url,
      async usedMemory() {
        let sum = 0;
        for (const n of nodes)
          sum += Number(/^used_memory:(\d+)/m.exec(await n.info('memory'))?.[1] ?? NaN);
        return sum;
      },
      async stop() {
        nodes.forEach((n) => n.disconnect());
        await c.stop();
      },
    };
  }
  const bin = await ensureRedisServer({
    env: {
      redisServerBin: process.env.REDIS_SERVER_BIN || null,
      autoRedis: process.env.TRIBUTARY_AUTO_REDIS !== '0',
    },
    cacheDir: join(homedir(), '.cache', 'tributary'),
    log: say,
  });
  // No AOF: a million-article seed and the steps would spend the disk's time, not the service's.
  const embedded = await startRedisServer({
    bin,
    dataDir: join(tmp, 'redis'),
    appendOnly: false,
    log: (m, level) => {
      if (level && level !== 'info') say(`redis-server: ${m}`);
    },
    supervise: false,
  });
  const r = new Redis(embedded.url);
  return {
    kind,
    url: embedded.url,
    usedMemory: async () => Number(/^used_memory:(\d+)/m.exec(await r.info('memory'))?.[1] ?? NaN),
    async stop() {
      r.disconnect();
      await embedded.stop();
    },
  };
}

async function runSeries(
  kind: 'single' | 'cluster',
  steps: number[],
  o: ScaleOptions,
  tmp: string,
  fixtureUrl: string,
  out: ScaleJson,
): Promise<ScaleStep[]> {
  const backend = await startBackend(kind, join(tmp, kind));
  const target = parseRedisTarget(backend.url);
  const redis = createRedis(target);
  const store = createStore(redis, { prefix: PREFIX, unhealthyAfter: 3 });
  // BullMQ does not close a connection it was handed: it is closed below with the queue, or it
  // would keep reconnecting (and logging) once this series' Redis is stopped.
  const queueConnection = bullConnection(target, 'queue');
  const queue = createPollQueue(queueConnection, store.keys.queuePrefix());
  const procs: ProductProcess[] = [];
  const results: ScaleStep[] = [];
  try {
    let seededTo = 0;
    const seed = { ms: 0, articles: 0 };
    const serverPort = await freePort();
    const baseUrl = `http://127.0.0.1:${serverPort}`;
    for (const sources of steps) {
      // Stored articles grow with the sources: 10 per source, up to --scale-articles.
      const want = Math.min(o.articles, sources * ARTICLES_PER_SOURCE);
      if (want > seededTo) {
        say(
          `${kind}: seeding articles ${seededTo.toLocaleString('en-US')}–${want.toLocaleString('en-US')} through the store`,
        );
        const r = await seedArticles(store, {
          from: seededTo,
          articles: want,
          sources: Math.max(...steps),
          sections: { all: SECTION, byLang: { ar: 'arabic', en: 'english' } },
          maxAgeMs: 30 * 86_400_000,
          maxPerSection: 500,
          nowMs: Date.now(),
          progress: (n) => {
            if (n % 100_000 === 0) say(`seeded ${n.toLocaleString('en-US')}`);
          },
        });
        seed.ms += r.ms;
        seed.articles += want - seededTo;
        seededTo = want;
        const total = await store.articles.total();
        // Polls of earlier steps stored articles too.
        if (total < want) throw new Error(`scale: ${total} articles stored, expected ${want}`);
        // The header reports the single series' seed, or the Cluster's when it runs alone
        // (--scale-cluster-only), which printed "—" before.
        if (kind === 'single' || o.clusterOnly)
          out.seed = {
            ms: seed.ms,
            articlesPerSec: seed.articles / (seed.ms / 1000),
            how: `store write path (claimUrl, upsert script with a packed MinHash signature, source, section and global indexes), 500 articles in flight${kind === 'single' ? '' : ' (Cluster)'}`,
          };
        say(
          `${kind}: ${want} articles stored; Redis ${((await backend.usedMemory()) / 2 ** 20).toFixed(0)} MB`,
        );
      }
      const loadStart = loadavg()[0]!;
      say(`${kind}: step ${sources.toLocaleString('en-US')} sources`);
      const configPath = join(tmp, `${kind}-${sources}.json`);
      writeFileSync(
        configPath,
        JSON.stringify(
          scaleConfig({
            sources,
            fixtureUrl,
            speedup: o.speedup,
            concurrency: o.concurrency,
            baseUrl,
          }),
        ),
      );
      const dataDir = join(tmp, 'data');
      mkdirSync(dataDir, { recursive: true });
      const spawnRole = (role: 'server' | 'worker', name: string) => {
        const p = spawnTributary({
          role,
          configPath,
          redisUrl: backend.url,
          prefix: PREFIX,
          dataDir,
          logFile: join(tmp, `${kind}-${sources}-${name}.log`),
          port: role === 'server' ? serverPort : undefined,
        });
        procs.push(p);
        return p;
      };
      const tWarm = Date.now();
      const before0 = await fixtureStats(fixtureUrl);
      const server = spawnRole('server', 'server');
      const workers = Array.from({ length: o.workers }, (_, i) => spawnRole('worker', `w${i}`));
      await waitFor(
        'the server',
        async () => (await fetch(`${baseUrl}/healthz`).catch(() => null))?.status === 200,
        300_000,
        200,
      );
      await waitFor(
        `${sources} job schedulers`,
        async () => (await queue.getJobSchedulersCount()) >= sources,
        600_000,
        500,
      );
      say(`${kind}: ${sources} schedulers after ${((Date.now() - tWarm) / 1000).toFixed(0)} s`);
      // Warm-up: every source's first poll (due when its scheduler is made), so the window
      // measures the steady schedule, not the first round.
      await waitFor(
        'every source polled once',
        async () => (await fixtureStats(fixtureUrl)).polled >= sources,
        // 100,000 first polls took about 2,800 s on one worker here: allow twice the rate's time.
        Math.max(300_000, sources * 60),
        1000,
      );
      // Then one longest interval, so every source has come round once on its own schedule.
      await sleep(Math.round(3600 / o.speedup) * 1000);
      const warmupS = (Date.now() - tWarm) / 1000;
      say(
        `${kind}: warm in ${warmupS.toFixed(0)} s (${(await fixtureStats(fixtureUrl)).requests - before0.requests} requests); measuring ${o.minutes} min`,
      );

      const h0 = await redis.hgetall(store.keys.pollMetrics());
      const f0 = await fixtureStats(fixtureUrl);
      const t0 = performance.now();
      let stop = false;
      const maxRss = { server: 0, workers: workers.map(() => 0) };
      const sampler = (async () => {
        while (!stop) {
          maxRss.server = Math.max(maxRss.server, rssMb(server.pid) || 0);
          workers.forEach(
            (w, i) => (maxRss.workers[i] = Math.max(maxRss.workers[i]!, rssMb(w.pid) || 0)),
          );
          await sleep(1000);
        }
      })();
      const nowMs = Date.now();
      const cached = reader(
        () => `${baseUrl}/feeds/${SECTION}.atom`,
        () => stop,
      );
      // A cache miss every time: an older page at a random cursor within the seeded range.
      const uncached = reader(
        () =>
          `${baseUrl}/feeds/${SECTION}.atom?before=${nowMs - 4 * 86_400_000 - Math.floor(Math.random() * 25 * 86_400_000)}`,
        () => stop,
      );
      await sleep(o.minutes * 60_000);
      const h1 = await redis.hgetall(store.keys.pollMetrics());
      const f1 = await fixtureStats(fixtureUrl);
      const measuredS = (performance.now() - t0) / 1000;
      stop = true;
      const [c, u] = await Promise.all([cached, uncached, sampler]);
      const counts = await queueCounts(queue);
      const delta = (f: string) => Number(h1[f] ?? 0) - Number(h0[f] ?? 0);
      const polls = Object.keys(h1)
        .filter((f) => f.startsWith('fetch\t') && !f.startsWith('fetch\tskipped\t'))
        .reduce((n, f) => n + delta(f), 0);
      const late = new Map<string, number>();
      for (const f of Object.keys(h1))
        if (f.startsWith('late\tbucket\t')) late.set(f.split('\t')[2]!, delta(f));
      const requests = f1.requests - f0.requests;
      const step: ScaleStep = {
        redis: kind,
        sources,
        demandPerSec: demandPerSecond(sources, { speedup: o.speedup }),
        pollsPerSec: polls / measuredS,
        fixtureRequestsPerSec: requests / measuredS,
        changedShare: requests ? (f1.changed - f0.changed) / requests : NaN,
        lateness: {
          p50S: histogramQuantile(late, 0.5),
          p99S: histogramQuantile(late, 0.99),
          polls: delta('late\tcount'),
        },
        backlogAtEnd: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        articles: await store.articles.total(),
        redisUsedMemoryMb: (await backend.usedMemory()) / 2 ** 20,
        workerRssMb: maxRss.workers,
        serverRssMb: maxRss.server,
        feedCached: { p50Ms: percentile(c, 0.5), p99Ms: percentile(c, 0.99), requests: c.length },
        feedUncached: { p50Ms: percentile(u, 0.5), p99Ms: percentile(u, 0.99), requests: u.length },
        warmupS,
        measuredS,
        loadAvg: { start: loadStart, end: loadavg()[0]! },
      };
      results.push(step);
      say(`${kind} ${sources}: ${formatStep(step)}`);
      await Promise.all(procs.splice(0).map((p) => p.stop(20_000)));
    }
  } finally {
    await Promise.all(procs.map((p) => p.stop(10_000).catch(() => null)));
    await queue.close().catch(() => undefined);
    queueConnection.disconnect();
    await closeRedis(redis).catch(() => undefined);
    await backend.stop();
  }
  return results;
}

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '—');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');

function formatStep(s: ScaleStep): string {
  return `${f1(s.pollsPerSec)} polls/s of ${f1(s.demandPerSec)} asked, p99 lateness ${f1(s.lateness.p99S)} s, Redis ${f0(s.redisUsedMemoryMb)} MB, worker ${s.workerRssMb.map(f0).join('+')} MB, server ${f0(s.serverRssMb)} MB, feed p99 ${f0(s.feedCached.p99Ms)} / ${f0(s.feedUncached.p99Ms)} ms`;
}

export function formatScaleTable(j: ScaleJson): string {
  const head = [
    'redis',
    'sources',
    'articles',
    'polls/s asked',
    'polls/s sustained',
    'lateness p50 / p99 s',
    'backlog at end',
    'Redis MB',
    'worker RSS MB',
    'server RSS MB',
    'feed p99 ms cached / uncached',
  ];
  const rows = j.steps.map((s) => [
    s.redis,
    s.sources.toLocaleString('en-US'),
    s.articles.toLocaleString('en-US'),
    f1(s.demandPerSec),
    f1(s.pollsPerSec),
    `${f1(s.lateness.p50S)} / ${f1(s.lateness.p99S)}`,
    String(s.backlogAtEnd),
    f0(s.redisUsedMemoryMb),
    s.workerRssMb.map(f0).join(' + '),
    f0(s.serverRssMb),
    `${f0(s.feedCached.p99Ms)} / ${f0(s.feedUncached.p99Ms)}`,
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `Scale curve, ${j.date} (${j.machine})`,
    `stored articles: ${ARTICLES_PER_SOURCE} per source up to ${j.articles.toLocaleString('en-US')}, seeded in ${f0(j.seed.ms / 1000)} s (${f0(j.seed.articlesPerSec)}/s) through the ${j.seed.how}`,
    `intervals: ${j.intervals}; ${j.workers} worker process(es) × concurrency ${j.concurrency} + 1 server process; ~10% of polls find a new item`,
    '',
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
    '',
    ...j.steps.map(
      (s) =>
        `${s.redis} ${s.sources}: warm-up ${f0(s.warmupS)} s, measured ${f0(s.measuredS)} s, ${s.lateness.polls} scheduled polls, feed server ${f1(s.fixtureRequestsPerSec)} req/s (${f1(s.changedShare * 100)}% changed), feed p50 ${f0(s.feedCached.p50Ms)} / ${f0(s.feedUncached.p50Ms)} ms over ${s.feedCached.requests} / ${s.feedUncached.requests} requests, load average ${f1(s.loadAvg.start)} → ${f1(s.loadAvg.end)}`,
    ),
  ].join('\n');
}

export async function runScale(o: ScaleOptions): Promise<ScaleJson> {
  const tmp = mkdtempSync(join(tmpdir(), 'tributary-scale-'));
  const steps = [...o.steps].sort((a, b) => a - b);
  const max = steps[steps.length - 1]!;
  const fixture = await startFixture(max);
  const out: ScaleJson = {
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, node ${process.version}`,
    articles: o.articles,
    seed: { ms: NaN, articlesPerSec: NaN, how: '' },
    intervals: `5–60 min per source, scaled ×1/${o.speedup} (${Math.round(300 / o.speedup)}–${Math.round(3600 / o.speedup)} s)`,
    workers: o.workers,
    concurrency: o.concurrency,
    steps: [],
  };
  let ok = false;
  try {
    if (!o.clusterOnly)
      out.steps.push(...(await runSeries('single', steps, o, tmp, fixture.url, out)));
    // The feed server's per-source poll counts carry on; the cluster series has its own Redis.
    if (o.cluster) out.steps.push(...(await runSeries('cluster', [max], o, tmp, fixture.url, out)));
    ok = true;
  } finally {
    fixture.child.kill('SIGTERM');
    if (ok) rmSync(tmp, { recursive: true, force: true });
    else say(`logs kept in ${tmp}`);
  }
  const series: CurveSeries[] = (['single', 'cluster'] as const)
    .map((kind) => ({
      label: kind === 'single' ? 'Redis' : 'Redis Cluster (3)',
      points: out.steps
        .filter((s) => s.redis === kind)
        .map((s) => ({
          sources: s.sources,
          pollsPerSec: s.pollsPerSec,
          demandPerSec: s.demandPerSec,
          p99LatenessS: s.lateness.p99S,
        })),
    }))
    .filter((s) => s.points.length > 0);
  writeFileSync(
    o.svgPath,
    scaleCurveSvg(
      series,
      'Tributary scale curve',
      `${out.date.slice(0, 16)} UTC, ${out.machine}; intervals ${out.intervals}; ${out.articles.toLocaleString('en-US')} stored articles`,
    ),
  );
  say(`chart written to ${o.svgPath}`);
  return out;
}
