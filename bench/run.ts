// `npm run bench`: measures Tributary against baselines built in the same run, on a real
// redis-server and a loopback fixture server it starts itself. Prints a table; `--json` prints one
// JSON object (the schema of issue 6); `--quick` is a smaller run (smoke test, < 60 s);
// `--profile` writes a V8 CPU profile of the 1-worker ingest worker and prints its top functions.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { ensureRedisServer } from '../src/runtime/redis-binary.ts';
import { freePort, startRedisServer } from '../src/runtime/redis-server.ts';
import type { EmbeddedRedis } from '../src/runtime/redis-server.ts';
import { createStore } from '../src/store/index.ts';
import type { Store } from '../src/store/index.ts';
import { bullConnection, parseRedisTarget } from '../src/store/client.ts';
import { createPollQueue, enqueueRefresh, queueCounts } from '../src/queues/queues.ts';
import type { PollQueue } from '../src/queues/queues.ts';
import { makeCorpus, withFreshItem } from './corpus.ts';
import { makeTemplatedCorpus } from './templated.ts';
import { runDesk } from './desk.ts';
import type { BenchFeed, Corpus } from './corpus.ts';
import { startFixtureServer } from './fixture-server.ts';
import type { FixtureServer } from './fixture-server.ts';
import {
  HEAD_LIMIT,
  HEAD_SECTION,
  ROOT,
  procCpuSeconds,
  spawnTributary,
  waitFor,
  writeBenchConfig,
} from './product.ts';
import type { ProductProcess } from './product.ts';
import { runMicro } from './micro.ts';
import { runFullText } from './fulltext.ts';
import { load, mergeLoads } from './load.ts';
import type { LoadResult } from './load.ts';
import {
  memoryByFamily,
  memoryOverhead,
  redisWork,
  topCommands,
  usedMemory,
} from './redis-memory.ts';
import type { FamilyUsage } from './redis-memory.ts';
import {
  formatProfile,
  monotonicUs,
  profileThread,
  profilesIn,
  summarizeProfile,
} from './profile.ts';
import { formatTable } from './report.ts';
import { parseSoakDuration, runSoak } from './soak.ts';
import type { BenchDetails, BenchJson, ReadUnderIngest, TemplatedIngest } from './report.ts';
import { formatDesk, formatPush, formatReadUnderIngest, formatTemplated } from './report.ts';
import { runPushBench } from './push.ts';
import { formatStartup, runStartup } from './startup.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    seed: { type: 'string', default: '20261' },
    // Extra node flags for the product's processes, space-separated (experiments).
    'node-args': { type: 'string', default: '' },
    // Only ingest runs with these worker counts, e.g. "1,2,1" (for profiling and fixes); prints items/s.
    'ingest-only': { type: 'string' },
    // With --ingest-only: the naive baseline before and after, and each run's ratio to it.
    naive: { type: 'boolean', default: false },
    // Only one case: "templated" (templated vs news-like ingest), "read-under-ingest", "push" or "desk".
    only: { type: 'string' },
    // The scale curve (bench/scale.ts): sources per step, minutes measured per step, a Redis
    // Cluster run of the largest step, stored articles, interval speed-up, worker processes.
    scale: { type: 'boolean', default: false },
    'scale-steps': { type: 'string', default: '1000,10000,100000' },
    'scale-minutes': { type: 'string', default: '1' },
    'scale-cluster': { type: 'boolean', default: false },
    'scale-cluster-only': { type: 'boolean', default: false },
    'scale-articles': { type: 'string', default: '1000000' },
    'scale-speedup': { type: 'string', default: '60' },
    'scale-workers': { type: 'string', default: '1' },
    'scale-concurrency': { type: 'string', default: '32' },
    // With --ingest-only: write the first 2,000 stored articles (decoded) to this JSON-lines
    // file, to try storage layouts offline on the bench mix.
    'dump-articles': { type: 'string' },
    // Only the soak (bench/soak.ts) for this long ("30m"), sampling every --soak-every ("60s").
    soak: { type: 'string' },
    'soak-every': { type: 'string', default: '60s' },
  },
});

const CASES = ['templated', 'read-under-ingest', 'push', 'desk', 'serve', 'startup'] as const;
type CaseName = (typeof CASES)[number];
if (args.only !== undefined && !CASES.includes(args.only as CaseName)) {
  process.stderr.write(`bench: --only must be one of ${CASES.join(', ')} (got "${args.only}")\n`);
  process.exit(2);
}
/** How often each reader of the read-under-ingest case asks (one request at a time each). */
const READ_EVERY_MS = 100;

const SIZE = args.quick
  ? {
      feeds: 20,
      items: 25,
      freshness: 5,
      serveS: 1,
      connections: 32,
      microMs: 200,
      concurrency: 8,
      pushes: 20,
    }
  : {
      feeds: 200,
      items: 50,
      freshness: 20,
      serveS: 10,
      connections: 32,
      microMs: 2000,
      concurrency: 8,
      pushes: 100,
    };
/** Pause between two pushes of the push case: latency, not throughput. */
const PUSH_SPACING_MS = 250;

const NODE_ARGS = args['node-args'].split(' ').filter(Boolean);
const T0 = Date.now();
const say = (msg: string) =>
  process.stderr.write(`bench [${((Date.now() - T0) / 1000).toFixed(1)} s]: ${msg}\n`);
const ms = () => performance.now();
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const runId = Date.now().toString(36);

interface Env {
  tmp: string;
  redisUrl: string;
  redis: Redis;
  fixture: FixtureServer;
  corpus: Corpus;
  configPath: string;
  serverPort: number;
  procs: ProductProcess[];
  articles: number;
}

interface Product {
  prefix: string;
  store: Store;
  queue: PollQueue;
  close(): Promise<void>;
}

function product(env: Env, prefix: string): Product {
  const store = createStore(env.redis, { prefix, unhealthyAfter: 3 });
  const queue = createPollQueue(
    bullConnection(parseRedisTarget(env.redisUrl), 'queue'),
    store.keys.queuePrefix(),
  );
  return { prefix, store, queue, close: () => queue.close() };
}

function worker(env: Env, prefix: string, name: string, profileDir?: string): ProductProcess {
  const p = spawnTributary({
    role: 'worker',
    configPath: env.configPath,
    redisUrl: env.redisUrl,
    prefix,
    dataDir: join(env.tmp, 'data'),
    logFile: join(env.tmp, `${name}.log`),
    cpuProfDir: profileDir,
    nodeArgs: NODE_ARGS,
  });
  env.procs.push(p);
  return p;
}

async function enqueueAll(p: Product, feeds: BenchFeed[]) {
  await Promise.all(feeds.map((f) => enqueueRefresh(p.queue, f.id)));
}

/** Forced polls of every feed by `workers` fresh worker processes; items/s until all stored. */
async function ingest(env: Env, prefix: string, workers: number, profileDir?: string) {
  const p = product(env, prefix);
  const procs = Array.from({ length: workers }, (_, i) =>
    worker(env, prefix, `${prefix}-w${i}`, profileDir),
  );
  await waitFor(
    `${workers} worker(s) to start`,
    async () => (await p.store.workers.alive(60_000)) >= workers,
    60_000,
    100,
  );
  say(`${workers} worker(s) ready`);
  await sleep(200);
  const memBefore = await usedMemory(env.redis);
  const workBefore = await redisWork(env.redis);
  env.fixture.resetCounters();
  const cpuBefore = procs.map((w) => procCpuSeconds(w.pid) ?? NaN);
  const t0 = ms();
  const fromUs = monotonicUs();
  await enqueueAll(p, env.corpus.feeds);
  await waitFor(
    `${env.articles} articles under ${prefix}`,
    async () => (await p.store.articles.total()) >= env.articles,
    600_000,
    20,
  );
  const elapsed = ms() - t0;
  const window = { fromUs, toUs: monotonicUs() };
  // Worker CPU during the ingest: unlike items/s, hardly moved by other work on the machine.
  const workerCpuS = procs.reduce(
    (a, w, i) => a + (procCpuSeconds(w.pid) ?? NaN) - cpuBefore[i]!,
    0,
  );
  const workAfter = await redisWork(env.redis);
  // Source states are written after the articles; wait for them too (the next phase needs ETags).
  await waitFor(
    'source states',
    async () => {
      const states = await Promise.all(env.corpus.feeds.map((f) => p.store.sources.getState(f.id)));
      return states.every((s) => s.lastFetch !== null);
    },
    60_000,
    50,
  );
  await waitFor('an idle queue', async () => queueIdle(p.queue), 60_000, 50);
  const total = await p.store.articles.total();
  if (total !== env.articles)
    throw new Error(`bench: expected ${env.articles} articles, stored ${total}`);
  const memAfter = await usedMemory(env.redis);
  const fetched = { ...env.fixture.counters };
  return {
    p,
    procs,
    window,
    itemsPerSec: total / (elapsed / 1000),
    elapsedMs: elapsed,
    workerCpuS,
    redis: {
      commandsPerArticle: (workAfter.commands - workBefore.commands) / env.articles,
      cpuS: workAfter.cpuS - workBefore.cpuS,
      top: topCommands(workBefore, workAfter, env.articles),
    },
    bytesPerArticle: (memAfter - memBefore) / total,
    fetched,
  };
}

async function queueIdle(q: PollQueue): Promise<boolean> {
  const c = await queueCounts(q);
  return (c.active ?? 0) + (c.waiting ?? 0) + (c.prioritized ?? 0) === 0;
}

async function refresh304(env: Env, p: Product) {
  env.fixture.resetCounters();
  const since = Date.now();
  const t0 = ms();
  await enqueueAll(p, env.corpus.feeds);
  await waitFor(
    '304 polls',
    async () => {
      const states = await Promise.all(env.corpus.feeds.map((f) => p.store.sources.getState(f.id)));
      return states.every((s) => s.lastFetch !== null && Date.parse(s.lastFetch) >= since - 1);
    },
    120_000,
    10,
  );
  const elapsed = ms() - t0;
  const c = { ...env.fixture.counters };
  const n = env.corpus.feeds.length;
  if (c.requests !== n || c.conditional !== n || c.notModified !== n) {
    throw new Error(
      `bench: refresh304 expected ${n} conditional requests answered 304, saw ${JSON.stringify(c)}`,
    );
  }
  return { feedsPerSec: n / (elapsed / 1000), counters: c };
}

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
}

/** One new story in each of N feeds, one at a time: enqueue -> visible in /feeds/all.json. */
async function freshness(env: Env, p: Product, serverUrl: string) {
  const samples: number[] = [];
  const step = Math.floor(env.corpus.feeds.length / SIZE.freshness);
  for (let k = 0; k < SIZE.freshness; k++) {
    const idx = k * step;
    const marker = `fresh${runId}x${k}`;
    const feed = withFreshItem(env.corpus.feeds[idx]!, marker, Date.now());
    env.corpus.feeds[idx] = feed;
    env.fixture.update(feed, Date.now());
    const t0 = ms();
    await enqueueRefresh(p.queue, feed.id);
    for (;;) {
      const res = await fetch(`${serverUrl}/feeds/${HEAD_SECTION}.json`);
      const text = await res.text();
      if (res.status === 200 && text.includes(marker)) break;
      if (ms() - t0 > 30_000) throw new Error(`bench: ${marker} not visible after 30 s`);
      await sleep(2);
    }
    samples.push(ms() - t0);
    await waitFor('an idle queue', async () => queueIdle(p.queue), 30_000, 20);
  }
  return { p50Ms: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99), samples };
}

function spawnBare(snapshotFile: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench', 'bare-server.ts'), snapshotFile],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`bench: bare server exited ${code}`)));
  });
}

/** A `--role server` process on the bench's port, up and with its queue drained. */
async function serverProcess(env: Env, p: Product, cpuProfDir?: string) {
  const serverUrl = `http://127.0.0.1:${env.serverPort}`;
  const server = spawnTributary({
    role: 'server',
    configPath: env.configPath,
    redisUrl: env.redisUrl,
    prefix: p.prefix,
    dataDir: join(env.tmp, 'data'),
    logFile: join(env.tmp, 'server.log'),
    port: env.serverPort,
    nodeArgs: NODE_ARGS,
    cpuProfDir,
  });
  env.procs.push(server);
  await waitFor(
    'the server',
    async () => (await fetch(`${serverUrl}/healthz`).catch(() => null))?.status === 200,
    60_000,
    100,
  );
  // The server syncs the schedulers; let any due scheduler jobs drain before timing.
  await sleep(500);
  await waitFor('an idle queue', async () => queueIdle(p.queue), 60_000, 50);
  return { server, serverUrl };
}

/** The serve figures alone (`--only serve`): each case's product and baseline rate. */
function formatServeOnly(r: Record<string, LoadResult>): string {
  return ['200', '304', 'Gzip']
    .map((k) => {
      const b = r[`base${k}`]!;
      const p = r[`prod${k}`]!;
      return `serve ${k}: product ${p.reqPerSec.toFixed(0)} req/s (p99 ${p.p99Ms} ms), bare ${b.reqPerSec.toFixed(0)} req/s, ratio ${(p.reqPerSec / b.reqPerSec).toFixed(2)}`;
    })
    .join('\n');
}

async function serve(env: Env, serverUrl: string) {
  const url = `${serverUrl}/feeds/${HEAD_SECTION}.atom`;
  const plain = await fetch(url);
  const body = Buffer.from(await plain.arrayBuffer());
  const items = (body.toString().match(/<entry[ >]/g) ?? []).length;
  if (plain.status !== 200 || items !== Math.min(HEAD_LIMIT, env.articles))
    throw new Error(`bench: ${url} gave ${plain.status} with ${items} entries`);
  const etag = plain.headers.get('etag') ?? '';
  // undici decodes gzip transparently; node:http would not, so ask with a raw request.
  const gzRes = await rawGet(url, { 'accept-encoding': 'gzip' });
  if (gzRes.headers['content-encoding'] !== 'gzip' || !gunzipSync(gzRes.body).equals(body))
    throw new Error('bench: gzip response differs from plain');
  const headers = Object.fromEntries([...plain.headers.entries()]);
  const snapFile = join(env.tmp, 'snapshot.json');
  writeFileSync(
    snapFile,
    JSON.stringify({ headers, body: body.toString('base64'), gzip: gzRes.body.toString('base64') }),
  );
  const bare = await spawnBare(snapFile);
  try {
    const o = { connections: SIZE.connections, durationS: SIZE.serveS };
    const inm = { 'if-none-match': etag };
    const gz = { 'accept-encoding': 'gzip' };
    if (!args.quick) {
      say('serve: warm-up');
      await load(url, { ...o, durationS: 2, expect: 200 });
      await load(bare.url, { ...o, durationS: 2, expect: 200 });
    }
    // Baseline and product alternate, A B B A, half the duration each: load from other work on
    // the machine hits both sides alike.
    const r: Record<string, LoadResult> = {};
    const half = { ...o, durationS: SIZE.serveS / 2 };
    for (const [name, h, expect] of [
      ['200', {}, 200],
      ['304', inm, 304],
      ['Gzip', gz, 200],
    ] as const) {
      say(
        `serve ${name}: baseline and product, A B B A × ${half.durationS} s, ${SIZE.connections} connections`,
      );
      const b1 = await load(bare.url, { ...half, headers: h, expect });
      const p1 = await load(url, { ...half, headers: h, expect });
      const p2 = await load(url, { ...half, headers: h, expect });
      const b2 = await load(bare.url, { ...half, headers: h, expect });
      r[`base${name}`] = mergeLoads(b1, b2);
      r[`prod${name}`] = mergeLoads(p1, p2);
    }
    return {
      bytes: body.length,
      gzipBytes: gzRes.body.length,
      r: r as Record<
        'base200' | 'prod200' | 'base304' | 'prod304' | 'baseGzip' | 'prodGzip',
        LoadResult
      >,
    };
  } finally {
    bare.stop();
  }
}

async function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { get } = await import('node:http');
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

/**
 * Templated text (issue 17): the same number of feeds and items as the news-like corpus, every
 * item from one of a few shared templates over a ~100-word vocabulary. 1 worker process, timed
 * like `ingest`; the ratio is to the news-like 1-worker ingest of the same run.
 */
async function templated(
  env: Env,
  newsLike: { itemsPerSec: number },
  startedMs: number,
): Promise<{ result: TemplatedIngest; p: Product }> {
  const corpus = makeTemplatedCorpus(
    { seed: Number(args.seed), feeds: SIZE.feeds, itemsPerFeed: SIZE.items, nowMs: startedMs },
    env.corpus.tags,
  );
  const fixture = await startFixtureServer(corpus.feeds, startedMs);
  try {
    const configPath = writeBenchConfig(
      env.tmp,
      {
        corpus,
        feedUrl: fixture.feedUrl,
        concurrency: SIZE.concurrency,
        baseUrl: `http://127.0.0.1:${env.serverPort}`,
      },
      'templated.yaml',
    );
    const r = await ingest({ ...env, corpus, fixture, configPath }, `t1${runId}`, 1);
    await Promise.all(r.procs.map((w) => w.stop()));
    return {
      p: r.p,
      result: {
        itemsPerSec: r.itemsPerSec,
        newsLikeItemsPerSec: newsLike.itemsPerSec,
        ratio: r.itemsPerSec / newsLike.itemsPerSec,
        elapsedMs: r.elapsedMs,
        commandsPerArticle: r.redis.commandsPerArticle,
      },
    };
  } finally {
    await fixture.close();
  }
}

/** A reader that GETs `url` one request at a time, READ_EVERY_MS apart, until `done()`. */
async function reader(url: string, done: () => boolean): Promise<number[]> {
  const samples: number[] = [];
  while (!done()) {
    const t0 = ms();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`bench: ${url} answered ${res.status} under ingest`);
    samples.push(ms() - t0);
    await sleep(READ_EVERY_MS);
  }
  return samples;
}

/**
 * Read latency under ingest (issue 17): the single-process service (`tributary start`, role all:
 * scheduler, workers and server in one process, as `npm start` runs it) ingests every feed while
 * two readers poll the cached section feed and `/api/sources`; p50/p99 of each.
 */
async function readUnderIngest(env: Env): Promise<{ result: ReadUnderIngest; p: Product }> {
  const prefix = `r${runId}`;
  const p = product(env, prefix);
  const service = spawnTributary({
    role: 'all',
    configPath: env.configPath,
    redisUrl: env.redisUrl,
    prefix,
    dataDir: join(env.tmp, 'data-all'),
    logFile: join(env.tmp, 'all.log'),
    port: env.serverPort,
    nodeArgs: NODE_ARGS,
    cpuProfDir: args.profile ? join(env.tmp, 'profile-all') : undefined,
  });
  env.procs.push(service);
  const url = `http://127.0.0.1:${env.serverPort}`;
  await waitFor(
    'the single-process service',
    async () => (await fetch(`${url}/healthz`).catch(() => null))?.status === 200,
    60_000,
    100,
  );
  say('single-process service ready; ingest with two readers');
  const t0 = ms();
  const fromUs = monotonicUs();
  let stored = false;
  const readers = [
    reader(`${url}/feeds/${HEAD_SECTION}.atom`, () => stored),
    reader(`${url}/api/sources`, () => stored),
  ];
  // A reader that fails ends the case at once instead of after the ingest.
  const failed = Promise.race(readers).then(() => new Promise<never>(() => undefined));
  await enqueueAll(p, env.corpus.feeds);
  await Promise.race([
    failed,
    waitFor(
      `${env.articles} articles under ${prefix}`,
      async () => (await p.store.articles.total()) >= env.articles,
      600_000,
      50,
    ),
  ]);
  const elapsed = ms() - t0;
  const window = { fromUs, toUs: monotonicUs() };
  stored = true;
  const [feed, sources] = await Promise.all(readers);
  await service.stop();
  if (args.profile)
    for (const f of profilesIn(join(env.tmp, 'profile-all'), true)) {
      // Idle threads (tsx's loader-hook threads when run from sources) are left out.
      const summary = summarizeProfile(f, ROOT, 25, window);
      if (summary.busyMs < 1) continue;
      const thread = profileThread(f);
      const what = thread === 0 ? 'main thread (HTTP)' : `thread ${thread} (ingest)`;
      process.stderr.write(
        `\n${formatProfile(summary, `CPU profile of the single-process service, ${what}, during the ingest`)}\n`,
      );
    }
  const sum = (xs: number[]) => ({
    p50Ms: percentile(xs, 0.5),
    p99Ms: percentile(xs, 0.99),
    maxMs: Math.max(...xs),
    requests: xs.length,
  });
  return {
    p,
    result: {
      feed: sum(feed!),
      sources: sum(sources!),
      articles: env.articles,
      elapsedMs: elapsed,
      itemsPerSec: env.articles / (elapsed / 1000),
    },
  };
}

/** Push latency (issue 12, bench/push.ts): its own small config, service and prefix. */
function pushCase(env: Env) {
  return runPushBench({
    tmp: env.tmp,
    redisUrl: env.redisUrl,
    prefix: `p${runId}`,
    pushes: SIZE.pushes,
    spacingMs: PUSH_SPACING_MS,
    nodeArgs: NODE_ARGS,
    say,
  });
}

/** The desk figure on a prefix holding the ingested articles (bench/desk.ts). */
function desk(env: Env, p: Product) {
  return runDesk({
    store: p.store,
    prefix: p.prefix,
    configPath: env.configPath,
    redisUrl: env.redisUrl,
    port: env.serverPort,
    dataDir: join(env.tmp, 'data-desk'),
    logFile: join(env.tmp, 'desk.log'),
    nodeArgs: NODE_ARGS,
    cpuProfDir: args.profile ? join(env.tmp, 'profile-desk') : undefined,
    requests: args.quick ? 20 : 60,
    warmup: 5,
    sections: [HEAD_SECTION, 'arabic'],
    say,
  });
}

async function naiveBaseline(
  env: Env,
  run: number,
): Promise<{ itemsPerSec: number; items: number }> {
  const opts = {
    urls: env.corpus.feeds.map((f) => env.fixture.feedUrl(f.id)),
    redisUrl: env.redisUrl,
    prefix: `naive${runId}r${run}`,
    concurrency: SIZE.concurrency,
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench', 'naive-ingest.ts'), JSON.stringify(opts)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`bench: naive baseline exited ${code}`);
  const res = JSON.parse(out.trim()) as { items: number; ms: number };
  if (res.items !== env.articles)
    throw new Error(`bench: naive baseline stored ${res.items} items, expected ${env.articles}`);
  return { itemsPerSec: res.items / (res.ms / 1000), items: res.items };
}

async function scaleMain() {
  const { runScale, formatScaleTable } = await import('./scale.ts');
  const json = await runScale({
    steps: args['scale-steps'].split(',').map(Number),
    minutes: Number(args['scale-minutes']),
    cluster: args['scale-cluster'] || args['scale-cluster-only'],
    clusterOnly: args['scale-cluster-only'],
    json: args.json,
    articles: Number(args['scale-articles']),
    speedup: Number(args['scale-speedup']),
    workers: Number(args['scale-workers']),
    concurrency: Number(args['scale-concurrency']),
    svgPath: join(ROOT, 'docs', 'scale-curve.svg'),
  });
  process.stdout.write(args.json ? `${JSON.stringify(json)}\n` : `${formatScaleTable(json)}\n`);
}

async function soakMain() {
  const durationMs = parseSoakDuration(args.soak!);
  const { ok, report } = await runSoak({
    durationMs,
    sampleMs: parseSoakDuration(args['soak-every']),
    warmupMs: Math.min(5 * 60_000, durationMs / 3),
    say,
  });
  process.stdout.write(`${report}\n`);
  process.exitCode = ok ? 0 : 1;
}

async function main() {
  if (args.soak) return soakMain();
  if (args.scale) return scaleMain();
  const started = Date.now();
  const loadStart = loadavg()[0]!;
  const tmp = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
  const procs: ProductProcess[] = [];
  let embedded: EmbeddedRedis | null = null;
  let fixture: FixtureServer | null = null;
  let redis: Redis | null = null;
  const products: Product[] = [];
  try {
    say(
      `${args.quick ? 'quick' : 'full'} run: ${SIZE.feeds} feeds × ${SIZE.items} items; temp ${tmp}`,
    );
    const bin = await ensureRedisServer({
      env: {
        redisServerBin: process.env.REDIS_SERVER_BIN || null,
        autoRedis: process.env.TRIBUTARY_AUTO_REDIS !== '0',
      },
      cacheDir: join(homedir(), '.cache', 'tributary'),
      log: say,
    });
    embedded = await startRedisServer({
      bin,
      dataDir: join(tmp, 'redis'),
      appendOnly: true,
      log: (m, level) => {
        if (level && level !== 'info') say(`redis-server: ${m}`);
      },
      supervise: false,
    });
    redis = new Redis(embedded.url);
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';

    const now = Date.now();
    const corpus = makeCorpus({
      seed: Number(args.seed),
      feeds: SIZE.feeds,
      itemsPerFeed: SIZE.items,
      nowMs: now,
    });
    fixture = await startFixtureServer(corpus.feeds, now);
    const serverPort = await freePort();
    const configPath = writeBenchConfig(tmp, {
      corpus,
      feedUrl: fixture.feedUrl,
      concurrency: SIZE.concurrency,
      baseUrl: `http://127.0.0.1:${serverPort}`,
    });
    const env: Env = {
      tmp,
      redisUrl: embedded.url,
      redis,
      fixture,
      corpus,
      configPath,
      serverPort,
      procs,
      articles: SIZE.feeds * SIZE.items,
    };
    say(
      `corpus: ${env.articles} items, ${(fixture.totalBytes() / 1e6).toFixed(1)} MB of RSS; redis ${redisVersion} on ${embedded.url}`,
    );

    if (args['ingest-only']) {
      // The naive baseline before the first and after the last ingest (A B… A), for a ratio.
      const naiveRuns = args.naive ? [await naiveBaseline(env, 1)] : [];
      const results: { w: number; itemsPerSec: number }[] = [];
      for (const [i, w] of args['ingest-only'].split(',').map(Number).entries()) {
        const r = await ingest(
          env,
          `x${i}${runId}`,
          w,
          args.profile ? join(tmp, 'profile') : undefined,
        );
        products.push(r.p);
        const peakRss = r.procs.map((pr) => pr.peakRssMb()?.toFixed(0) ?? '?').join(', ');
        await Promise.all(r.procs.map((pr) => pr.stop()));
        results.push({ w, itemsPerSec: r.itemsPerSec });
        process.stdout.write(
          `ingest with ${w} worker(s): ${r.itemsPerSec.toFixed(0)} items/s (${(r.elapsedMs / 1000).toFixed(1)} s), Redis ${r.redis.commandsPerArticle.toFixed(0)} commands/article, ${r.redis.cpuS.toFixed(1)} s Redis CPU, ${r.bytesPerArticle.toFixed(0)} B/article, worker CPU ${r.workerCpuS.toFixed(1)} s (${((r.workerCpuS * 1e6) / env.articles).toFixed(0)} µs/item), worker peak RSS ${peakRss} MB, load average ${loadavg()[0]!.toFixed(1)}\n`,
        );
        process.stdout.write(
          `  commands/article: ${r.redis.top.map((t) => `${t.name} ${t.perArticle.toFixed(1)}`).join(', ')}\n`,
        );
        for (const f of (await memoryByFamily(redis, r.p.prefix)).slice(0, 12))
          process.stdout.write(
            `  ${f.family.padEnd(24)} ${String(f.keys).padStart(6)} keys ${(f.bytes / env.articles).toFixed(0).padStart(6)} B/article\n`,
          );
        // What MEMORY USAGE does not count: the key tables' buckets and expiry entries, clients.
        const over = await memoryOverhead(redis);
        process.stdout.write(
          `  not in MEMORY USAGE: ${Object.entries(over)
            .map(([k, v]) => `${k} ${(v / env.articles).toFixed(0)}`)
            .join(', ')} (B/article, totals over the whole server)\n`,
        );
        if (args['dump-articles']) {
          const ids = await r.p.store.articles.scanIds(0, 2000);
          const arts = await r.p.store.articles.getMany(ids);
          writeFileSync(args['dump-articles'], arts.map((a) => JSON.stringify(a)).join('\n'));
        }
        if (args.profile)
          for (const f of profilesIn(join(tmp, 'profile')))
            process.stderr.write(`\n${formatProfile(summarizeProfile(f, ROOT, 25, r.window))}\n`);
      }
      if (args.naive) {
        naiveRuns.push(await naiveBaseline(env, 2));
        const naive = naiveRuns.reduce((a, n) => a + n.itemsPerSec, 0) / naiveRuns.length;
        process.stdout.write(
          `naive baseline: ${naiveRuns.map((n) => n.itemsPerSec.toFixed(0)).join(', ')} items/s (mean ${naive.toFixed(0)}); ratios ${results.map((r) => `${r.w}w ${(r.itemsPerSec / naive).toFixed(3)}`).join(', ')}; load average ${loadavg()[0]!.toFixed(1)}\n`,
        );
      }
      return;
    }
    if (args.only === 'templated') {
      say('templated: news-like ingest first (1 worker), then templated (1 worker)');
      const news = await ingest(env, `n1${runId}`, 1);
      products.push(news.p);
      await Promise.all(news.procs.map((w) => w.stop()));
      const t = await templated(env, news, now);
      products.push(t.p);
      process.stdout.write(
        `${formatTemplated(t.result)}\nload average ${loadavg()[0]!.toFixed(1)} at end\n`,
      );
      return;
    }
    if (args.only === 'read-under-ingest') {
      const r = await readUnderIngest(env);
      products.push(r.p);
      process.stdout.write(
        `${formatReadUnderIngest(r.result)}\nload average ${loadavg()[0]!.toFixed(1)} at end\n`,
      );
      return;
    }
    if (args.only === 'push') {
      const r = await pushCase(env);
      process.stdout.write(`${formatPush(r)}\n`);
      return;
    }
    if (args.only === 'serve') {
      say('serve: news-like ingest first (1 worker), then the server process alone');
      const news = await ingest(env, `s1${runId}`, 1);
      products.push(news.p);
      const profileDir = args.profile ? join(tmp, 'profile-server') : undefined;
      // The worker drains the jobs the server's schedule sync makes, then stops (as in the full run).
      const { server, serverUrl } = await serverProcess(env, news.p, profileDir);
      await Promise.all(news.procs.map((w) => w.stop()));
      const srv = await serve(env, serverUrl);
      await server.stop();
      process.stdout.write(
        `${formatServeOnly(srv.r)}\nload average ${loadavg()[0]!.toFixed(1)} at end\n`,
      );
      if (profileDir)
        for (const f of profilesIn(profileDir))
          process.stderr.write(`\n${formatProfile(summarizeProfile(f, ROOT, 30))}\n`);
      return;
    }
    if (args.only === 'startup') {
      const watchMs = args.quick ? 3_000 : 10_000;
      const runs = await runStartup({
        tmp,
        redisUrl: embedded.url,
        corpus,
        feedUrl: fixture.feedUrl,
        rounds: args.quick ? 2 : 4,
        watchMs,
        nodeArgs: NODE_ARGS,
        say,
        procs,
      });
      process.stdout.write(
        `${formatStartup(runs, watchMs)}\nload average ${loadavg()[0]!.toFixed(1)} at end\n`,
      );
      return;
    }
    if (args.only === 'desk') {
      say('desk: news-like ingest first (1 worker), for the section pages');
      const news = await ingest(env, `d1${runId}`, 1);
      products.push(news.p);
      await Promise.all(news.procs.map((w) => w.stop()));
      const d = await desk(env, news.p);
      process.stdout.write(`${formatDesk(d)}\nload average ${loadavg()[0]!.toFixed(1)} at end\n`);
      if (args.profile)
        for (const f of profilesIn(join(tmp, 'profile-desk')))
          process.stderr.write(`\n${formatProfile(summarizeProfile(f, ROOT, 30))}\n`);
      return;
    }
    say('tagging and fingerprinting');
    const micro = runMicro(corpus, SIZE.microMs);
    say('full text: article pages through the page path, and Readability alone');
    const fullText = await runFullText(corpus, args.quick ? 100 : 500);

    say('ingest baseline (naive fetch + rss-parser + HSET), run 1 of 2');
    const naive1 = await naiveBaseline(env, 1);

    say('ingest: 1 worker process');
    const profileDir = args.profile ? join(tmp, 'profile') : undefined;
    const one = await ingest(env, `b1${runId}`, 1, profileDir);
    products.push(one.p);
    const families = await memoryByFamily(redis, one.p.prefix);
    // The baseline runs before and after the product (A B A), so drifting load hits both alike.
    say('ingest baseline, run 2 of 2');
    const naive2 = args.quick ? naive1 : await naiveBaseline(env, 2);
    const naive = { itemsPerSec: (naive1.itemsPerSec + naive2.itemsPerSec) / 2 };

    say('refresh304: same feeds, unchanged');
    const r304 = await refresh304(env, one.p);

    say('server process');
    const { server, serverUrl } = await serverProcess(env, one.p);

    say(`freshness: ${SIZE.freshness} feeds`);
    const fresh = await freshness(env, one.p, serverUrl);

    const workerPeakRssMb = one.procs[0]!.peakRssMb() ?? NaN;
    await Promise.all(one.procs.map((w) => w.stop()));

    const srv = await serve(env, serverUrl);
    await server.stop();

    say('ingest: 2 worker processes');
    const two = await ingest(env, `b2${runId}`, 2);
    products.push(two.p);
    await Promise.all(two.procs.map((w) => w.stop()));

    say('templated text: 1 worker');
    const tmpl = await templated(env, one, now);
    products.push(tmpl.p);

    say('read latency under ingest: the single-process service');
    const rui = await readUnderIngest(env);
    products.push(rui.p);

    say('push latency: publisher hub -> the single-process service -> our hub and a webhook');
    const push = await pushCase(env);
    say('desk pages with 1,000 sources');
    const deskFigure = await desk(env, one.p);

    const json: BenchJson = {
      ingest: {
        itemsPerSec: one.itemsPerSec,
        itemsPerSecTwoWorkers: two.itemsPerSec,
        baselineItemsPerSec: naive.itemsPerSec,
        ratio: one.itemsPerSec / naive.itemsPerSec,
      },
      refresh304: { feedsPerSec: r304.feedsPerSec },
      freshness: { p50Ms: fresh.p50Ms, p99Ms: fresh.p99Ms },
      serve: {
        reqPerSec: srv.r.prod200.reqPerSec,
        p99Ms: srv.r.prod200.p99Ms,
        notModifiedReqPerSec: srv.r.prod304.reqPerSec,
        gzipReqPerSec: srv.r.prodGzip.reqPerSec,
        baselineReqPerSec: srv.r.base200.reqPerSec,
        ratio: srv.r.prod200.reqPerSec / srv.r.base200.reqPerSec,
        bytes: srv.bytes,
      },
      tagging: {
        articlesPerSec: micro.articlesPerSec,
        fingerprintsPerSec: micro.fingerprintsPerSec,
      },
      memory: { redisBytesPerArticle: one.bytesPerArticle, workerPeakRssMb },
      fullText: {
        pagesPerSec: fullText.pagesPerSec,
        p99Ms: fullText.p99Ms,
        baselinePagesPerSec: fullText.baselinePagesPerSec,
        baselineP99Ms: fullText.baselineP99Ms,
        ratio: fullText.pagesPerSec / fullText.baselinePagesPerSec,
      },
      templated: tmpl.result,
      readUnderIngest: rui.result,
      push,
      desk: deskFigure,
    };
    const details: BenchDetails = {
      quick: args.quick,
      date: new Date(started).toISOString(),
      machine: `${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, node ${process.version}, redis ${redisVersion}`,
      loadAvg: { start: loadStart, end: loadavg()[0]! },
      feeds: SIZE.feeds,
      items: SIZE.items,
      articles: env.articles,
      feedBytes: fixture.totalBytes(),
      ingestMs: { one: one.elapsedMs, two: two.elapsedMs },
      ingestRedis: one.redis,
      ingestRequests: one.fetched,
      refresh304: r304.counters,
      freshnessSamples: fresh.samples,
      serve: srv.r,
      serveBytes: { plain: srv.bytes, gzip: srv.gzipBytes },
      connections: SIZE.connections,
      durationS: SIZE.serveS,
      taggedShare: micro.taggedShare,
      fullTextPages: {
        pages: fullText.pages,
        extracted: fullText.extracted,
        bytes: fullText.pageBytes,
      },
      families: families as FamilyUsage[],
      elapsedS: (Date.now() - started) / 1000,
    };
    if (args.json) process.stdout.write(`${JSON.stringify(json)}\n`);
    else process.stdout.write(`${formatTable(json, details)}\n`);
    if (profileDir) {
      for (const f of profilesIn(profileDir))
        process.stderr.write(`\n${formatProfile(summarizeProfile(f, ROOT, 25, one.window))}\n`);
      say(`profile kept in ${profileDir}`);
    }
  } finally {
    await Promise.all(procs.map((p) => p.stop(10_000).catch(() => null)));
    await Promise.all(products.map((p) => p.close().catch(() => undefined)));
    await fixture?.close();
    redis?.disconnect();
    await embedded?.stop();
    if (!args.profile) rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
