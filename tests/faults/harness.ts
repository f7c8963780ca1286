// The fault suite's harness: a Redis the suite controls (kill, restart, pause, fill), a loopback
// server of generated feeds, the real product as child processes, and the store checks
// (lost, duplicated, half-written, stuck) read back from the test process.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import { ensureRedisServer } from '../../src/runtime/redis-binary.ts';
import { startRedisServer, freePort } from '../../src/runtime/redis-server.ts';
import type { EmbeddedRedis } from '../../src/runtime/redis-server.ts';
import {
  createRedis,
  parseRedisTarget,
  bullConnection,
  closeRedis,
} from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/index.ts';
import { readHeads } from '../../src/store/article-heads.ts';
import { createPollQueue, enqueueRefresh } from '../../src/queues/queues.ts';
import type { PollQueue } from '../../src/queues/queues.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SHORT = /^(1|true|yes)$/i.test(process.env.FAULTS_SHORT ?? '');
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Deterministic PRNG (mulberry32), so a failing run can be replayed with FAULTS_SEED. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const SEED = Number(process.env.FAULTS_SEED ?? 20240601);

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | null | false | undefined>,
  everyMs = 200,
): Promise<T> {
  const t0 = Date.now();
  let lastErr: unknown = null;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`,
      );
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------- Redis the suite controls

export interface SuiteRedis {
  url: string;
  port: number;
  pid(): number | undefined;
  /** kill -9 the server (AOF everysec: up to ~1 s of writes may be lost). */
  kill9(): Promise<void>;
  /** Starts it again on the same port and data folder (replays the AOF). */
  restart(): Promise<void>;
  /** Clean stop (SIGTERM: AOF flushed). */
  stopClean(): Promise<void>;
  /** A plain admin connection for CONFIG/INFO/SCAN (created lazily, reconnects). */
  admin(): Redis;
  stop(): Promise<void>;
}

export async function startSuiteRedis(): Promise<SuiteRedis> {
  const bin = await ensureRedisServer({
    env: {
      redisServerBin: process.env.REDIS_SERVER_BIN || null,
      autoRedis: !/^(0|false|no|off)$/i.test(process.env.TRIBUTARY_AUTO_REDIS ?? ''),
    },
    cacheDir: join(homedir(), '.cache', 'tributary'),
    log: (m) => process.stderr.write(`[fault redis] ${m}\n`),
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-faults-redis-'));
  const port = await freePort();
  const launch = () =>
    startRedisServer({
      bin,
      dataDir,
      port,
      appendOnly: true,
      supervise: false,
      stopTimeoutMs: 5000,
      log: () => undefined,
    });
  let cur: EmbeddedRedis | null = await launch();
  let adminConn: Redis | null = null;
  const url = `redis://127.0.0.1:${port}`;
  const self: SuiteRedis = {
    url,
    port,
    pid: () => cur?.pid,
    async kill9() {
      const old = cur;
      if (!old?.pid) return;
      const exited = new Promise<void>((r) => old.on('exit', () => r()));
      process.kill(old.pid, 'SIGKILL');
      await exited;
      await old.stop(); // releases the data-folder lock; the child is already gone
      cur = null;
    },
    async restart() {
      if (cur) throw new Error('redis is still running');
      cur = await launch();
    },
    async stopClean() {
      await cur?.stop();
      cur = null;
    },
    admin() {
      if (!adminConn) {
        adminConn = createRedis(parseRedisTarget(url), { connectionName: 'fault-admin' }) as Redis;
        adminConn.on('error', () => undefined);
      }
      return adminConn;
    },
    async stop() {
      if (adminConn) adminConn.disconnect();
      await cur?.stop();
      cur = null;
    },
  };
  return self;
}

export async function redisInfo(r: Redis, field: string): Promise<string | null> {
  const info = await r.info();
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? null;
}

// ---------------------------------------------------------------- generated feeds

export interface FeedGen {
  feeds: number;
  /** Items in a feed at version 0; each version adds `grow` items. */
  items: number;
  grow: number;
  /** Feed shows only the newest `window` items (0 = all). */
  window?: number;
  /** Item j of every feed is published at baseMs + j * stepMs. */
  baseMs: number;
  /** Default 60 s. */
  stepMs?: number;
}

export interface GenItem {
  guid: string;
  url: string;
  title: string;
  publishedMs: number;
  html: string;
}

const WORDS_EN =
  'council river market border talks harvest railway budget drought festival museum court election strike vaccine bridge harbour ceasefire refugees archive'.split(
    ' ',
  );
const WORDS_AR =
  'مجلس نهر سوق حدود محادثات حصاد سكة ميزانية جفاف مهرجان متحف محكمة انتخابات إضراب لقاح جسر ميناء هدنة لاجئين أرشيف'.split(
    ' ',
  );

/** Item j of feed i: unique URL, title and text (no two items near-duplicates). */
export function genItem(g: FeedGen, i: number, j: number): GenItem {
  const r = rng(i * 100_003 + j * 7919 + 17);
  const ar = i % 2 === 1;
  const words = ar ? WORDS_AR : WORDS_EN;
  const pick = (n: number) =>
    Array.from({ length: n }, () => words[Math.floor(r() * words.length)]).join(' ');
  const title = `${ar ? 'خبر' : 'Story'} ${i}-${j}: ${pick(5)}`;
  const paras = Array.from(
    { length: 3 },
    (_, k) => `<p>${pick(25)} ${i}-${j}-${k} ${randomish(r)}</p>`,
  ).join('\n');
  return {
    guid: `s${i}-item-${j}`,
    url: `https://news${i % 10}.example/s${i}/item-${j}`,
    title,
    publishedMs: g.baseMs + j * (g.stepMs ?? 60_000),
    html: `${paras}\n<p><img src="/img/${i}-${j}.jpg"> <a href="/more/${i}-${j}">more</a></p>`,
  };
}

function randomish(r: () => number): string {
  return Array.from({ length: 12 }, () => Math.floor(r() * 36 ** 4).toString(36)).join(' ');
}

/** Items a feed at `version` lists (newest first). */
export function feedItems(g: FeedGen, i: number, version: number): GenItem[] {
  const n = g.items + version * g.grow;
  const from = g.window ? Math.max(0, n - g.window) : 0;
  const out: GenItem[] = [];
  for (let j = n - 1; j >= from; j--) out.push(genItem(g, i, j));
  return out;
}

export function renderRss(i: number, items: GenItem[]): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Feed ${i}</title><link>https://news${i % 10}.example/s${i}/</link><description>generated</description><language>${i % 2 ? 'ar' : 'en'}</language>
${items
  .map(
    (it) =>
      `<item><guid isPermaLink="false">${it.guid}</guid><title>${esc(it.title)}</title><link>${it.url}</link><pubDate>${new Date(it.publishedMs).toUTCString()}</pubDate><category>gen</category><description>${esc(it.title)}</description><content:encoded><![CDATA[${it.html}]]></content:encoded></item>`,
  )
  .join('\n')}
</channel></rss>`;
}

export interface FixtureServer {
  url: string;
  gen: FeedGen;
  /** Current version of each feed. */
  versions: number[];
  bump(which?: number[]): void;
  /** Response delay (ms) chooser; default none. */
  delay: (path: string) => number;
  requests: number;
  notModified: number;
  expected(): Map<string, Set<string>>;
  close(): Promise<void>;
}

/** Generated feeds at `/f/<i>.rss`, with ETag / If-None-Match and an optional delay. */
export async function startFixtureServer(gen: FeedGen): Promise<FixtureServer> {
  const cache = new Map<string, { body: string; etag: string }>();
  const fx: FixtureServer = {
    url: '',
    gen,
    versions: Array.from({ length: gen.feeds }, () => 0),
    bump(which) {
      for (const i of which ?? fx.versions.keys()) fx.versions[i]!++;
    },
    delay: () => 0,
    requests: 0,
    notModified: 0,
    expected() {
      const m = new Map<string, Set<string>>();
      fx.versions.forEach((v, i) =>
        m.set(`s${i}`, new Set(feedItems(gen, i, v).map((it) => it.url))),
      );
      return m;
    },
    close: async () => undefined,
  };
  const render = (i: number) => {
    const v = fx.versions[i]!;
    const key = `${i}:${v}`;
    let c = cache.get(key);
    if (!c) {
      const body = renderRss(i, feedItems(gen, i, v));
      c = { body, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` };
      cache.set(key, c);
      cache.delete(`${i}:${v - 1}`);
    }
    return c;
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    fx.requests++;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/f\/(\d+)\.rss$/.exec(path);
    const i = m ? Number(m[1]) : -1;
    if (i < 0 || i >= gen.feeds) {
      res.writeHead(404).end('not found');
      return;
    }
    const respond = () => {
      const c = render(i);
      if (req.headers['if-none-match'] === c.etag) {
        fx.notModified++;
        res.writeHead(304, { ETag: c.etag }).end();
        return;
      }
      res
        .writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8', ETag: c.etag })
        .end(c.body);
    };
    const d = fx.delay(path);
    if (d > 0) setTimeout(respond, d);
    else respond();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fx.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return fx;
}

// ---------------------------------------------------------------- config and processes

export interface ConfigOpts {
  feeds: number;
  fixtureUrl: string;
  interval?: string;
  minInterval?: string;
  maxInterval?: string;
  concurrency?: number;
  shutdownGrace?: string;
  timeout?: string;
  maxAge?: string;
  maxPerSection?: number;
}

export function writeConfig(o: ConfigOpts): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-faults-cfg-'));
  const sources = Array.from(
    { length: o.feeds },
    (_, i) =>
      `  - { id: s${i}, url: "${o.fixtureUrl}/f/${i}.rss", lang: ${i % 2 ? 'ar' : 'en'}, interval: ${o.interval ?? '2s'} }`,
  ).join('\n');
  const yaml = `site: { title: Faults, baseUrl: http://faults.test }
fetch: { allowPrivateNetworks: true, timeout: ${o.timeout ?? '10s'}, minInterval: ${o.minInterval ?? '1s'}, maxInterval: ${o.maxInterval ?? '2s'}, perHostConcurrency: 64 }
retention: { maxAge: ${o.maxAge ?? '30d'}, maxPerSection: ${o.maxPerSection ?? 100000} }
worker: { concurrency: ${o.concurrency ?? 8}, shutdownGrace: ${o.shutdownGrace ?? '25s'} }
sources:
${sources}
tags:
  - { id: gen, label: Generated, categories: [gen] }
sections:
  - { id: en, title: English, lang: en, include: { langs: [en] } }
  - { id: ar, title: Arabic, lang: ar, include: { langs: [ar] } }
  - { id: everything, title: Everything, include: { tags: [gen] } }
`;
  const file = join(dir, 'faults.yaml');
  writeFileSync(file, yaml);
  return file;
}

export interface ProductProcess {
  proc: ChildProcess;
  pid: number;
  role: string;
  port: number | null;
  url: string | null;
  logFile: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  ready: Promise<void>;
  log(): string;
  alive(): boolean;
}

const LOG_DIR = mkdtempSync(join(tmpdir(), 'tributary-faults-logs-'));
let procSeq = 0;

/** `node bin/tributary.mjs start --role <role> --config <file>` with the suite's env. */
export async function spawnProduct(
  role: 'worker' | 'server' | 'all',
  o: {
    config: string;
    /** '' runs the embedded Redis (DATA_DIR: `env.DATA_DIR` or the suite's). */
    redisUrl: string;
    prefix: string;
    port?: number;
    logLevel?: string;
    env?: Record<string, string>;
  },
): Promise<ProductProcess> {
  const port = role === 'worker' ? null : (o.port ?? (await freePort()));
  const logFile = join(LOG_DIR, `${++procSeq}-${role}.log`);
  const out = createWriteStream(logFile);
  const proc = spawn(
    process.execPath,
    [
      '--max-semi-space-size=16',
      '--heap-growing-percent=50',
      join(ROOT, 'bin', 'tributary.mjs'),
      'start',
      '--role',
      role,
      '--config',
      o.config,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        REDIS_URL: o.redisUrl,
        TRIBUTARY_REDIS_PREFIX: o.prefix,
        PORT: String(port ?? 0),
        LOG_LEVEL: o.logLevel ?? 'warn',
        DATA_DIR: join(LOG_DIR, 'data'),
        CI: 'true',
        ...o.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  proc.stdout!.on('data', (b: Buffer) => {
    stdout += b.toString();
    out.write(b);
  });
  proc.stderr!.on('data', (b: Buffer) => out.write(b));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (r) => proc.on('exit', (code, signal) => r({ code, signal, at: Date.now() })),
  );
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  const ready = (async () => {
    const t0 = Date.now();
    while (!stdout.includes('Tributary is running')) {
      if (exited)
        throw new Error(
          `${role} process exited during start-up; log ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`,
        );
      if (Date.now() - t0 > 60_000)
        throw new Error(`${role} process not ready within 60 s; log ${logFile}`);
      await sleep(50);
    }
  })();
  ready.catch(() => undefined);
  return {
    proc,
    pid: proc.pid!,
    role,
    port,
    url: port ? `http://127.0.0.1:${port}` : null,
    logFile,
    exit,
    ready,
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    alive: () => !exited,
  };
}

export async function stopProduct(
  p: ProductProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 30_000,
): Promise<void> {
  if (!p.alive()) return;
  p.proc.kill(signal);
  const t = setTimeout(() => p.alive() && p.proc.kill('SIGKILL'), timeoutMs);
  await p.exit;
  clearTimeout(t);
}

// ---------------------------------------------------------------- the test's view of the store

export interface View {
  prefix: string;
  redis: RedisClient;
  store: Store;
  queue: PollQueue;
  close(): Promise<void>;
}

export function uniquePrefix(name: string): string {
  return `flt-${name}-${randomBytes(3).toString('hex')}`;
}

export function openView(redisUrl: string, prefix: string): View {
  const target = parseRedisTarget(redisUrl);
  const redis = createRedis(target, { connectionName: 'fault-view', maxRetriesPerRequest: 20 });
  redis.on('error', () => undefined);
  const store = createStore(redis, { prefix, unhealthyAfter: 3 });
  const qconn = bullConnection(target, 'queue');
  qconn.on('error', () => undefined);
  const queue = createPollQueue(qconn, store.keys.queuePrefix());
  queue.on('error', () => undefined);
  return {
    prefix,
    redis,
    store,
    queue,
    async close() {
      await queue.close().catch(() => undefined);
      await closeRedis(qconn as RedisClient);
      await closeRedis(redis);
    },
  };
}

export const sourceIds = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);

export async function refreshAll(v: View, ids: string[]): Promise<void> {
  for (let k = 0; k < ids.length; k += 50)
    await Promise.all(ids.slice(k, k + 50).map((id) => enqueueRefresh(v.queue, id)));
}

/** Waits until every source was fetched successfully (status ok / not-modified) at or after `sinceMs`. */
export async function waitPolled(
  v: View,
  ids: string[],
  sinceMs: number,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    `all ${ids.length} sources polled`,
    timeoutMs,
    async () => {
      const states = await Promise.all(ids.map((id) => v.store.sources.getState(id)));
      const late = states.filter((s) => !(s.lastSuccess && Date.parse(s.lastSuccess) >= sinceMs));
      return late.length === 0;
    },
    500,
  );
}

/** Waits until no job is waiting, prioritized or active (delayed ones: scheduler ticks, retries). */
export async function waitDrained(v: View, timeoutMs: number): Promise<void> {
  await waitFor(
    'queue drained',
    timeoutMs,
    async () => {
      const c = await v.queue.getJobCounts('active', 'waiting', 'prioritized');
      return Object.values(c).every((n) => n === 0);
    },
    500,
  );
}

/** Every key under a prefix (SCAN on each master for a cluster). */
export async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis as Redis];
  const out: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
  }
  return out;
}

export interface Audit {
  stored: number;
  expected: number;
  lost: number;
  duplicated: number;
  halfWritten: number;
  lostExamples: string[];
  halfExamples: string[];
}

/**
 * Compares the store with the generator: per source, the expected canonical URLs against the
 * stored articles' URLs (lost; duplicated = more than one stored article for one URL), and the
 * article hashes against the global, source and section indexes both ways (half-written).
 */
export async function audit(v: View, expected: Map<string, Set<string>>): Promise<Audit> {
  const { store, redis, prefix } = v;
  const k = store.keys;
  // One string per article (`keys.article`, `…:z`); no legacy hashes here (all written now).
  const artKeys = (await scanKeys(redis, `${prefix}:art:{*}:z`)).filter((key) =>
    key.endsWith('}:z'),
  );
  const idOf = (key: string) => key.slice(key.indexOf('{') + 1, -3);
  const ids = artKeys.map(idOf);
  const byUrl = new Map<string, number>();
  const halfExamples: string[] = [];
  let halfWritten = 0;
  const half = (why: string) => {
    halfWritten++;
    if (halfExamples.length < 5) halfExamples.push(why);
  };
  const all = new Set(await redis.zrange(k.allArticles(), '0', '-1'));
  const sections = ['en', 'ar', 'everything'];
  const secMembers = new Map<string, Set<string>>();
  for (const s of sections)
    secMembers.set(s, new Set(await redis.zrange(k.sectionItems(s), '0', '-1')));
  const srcMembers = new Map<string, Set<string>>();
  for (const sid of expected.keys())
    srcMembers.set(sid, new Set(await redis.zrange(k.sourceArticles(sid), '0', '-1')));
  const idSet = new Set(ids);
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const rows = (await readHeads(redis, k, chunk)).map((h) => [
      h?.meta.srcs ?? null,
      h?.meta.secs ?? null,
    ]);
    const arts = await store.articles.getMany(chunk);
    const urlOf = new Map(arts.map((a) => [a.id, a.url ?? a.id]));
    chunk.forEach((id, n) => {
      const [srcs, secs] = rows[n]!;
      const url = urlOf.get(id);
      if (url) byUrl.set(url, (byUrl.get(url) ?? 0) + 1);
      if (!all.has(id)) half(`${id}: article without global index entry`);
      for (const s of (srcs ?? '').split(',').filter(Boolean))
        if (!srcMembers.get(s)?.has(id)) half(`${id}: article without source index ${s}`);
      if (secs === null) half(`${id}: article without sections field`);
      for (const s of (secs ?? '').split(',').filter(Boolean))
        if (!secMembers.get(s)?.has(id)) half(`${id}: article without section index ${s}`);
    });
  }
  for (const id of all) if (!idSet.has(id)) half(`${id}: global index entry without article`);
  for (const [s, m] of secMembers)
    for (const id of m) if (!idSet.has(id)) half(`${id}: section ${s} entry without article`);
  for (const [s, m] of srcMembers)
    for (const id of m) if (!idSet.has(id)) half(`${id}: source ${s} entry without article`);
  let lost = 0;
  let exp = 0;
  const lostExamples: string[] = [];
  for (const urls of expected.values()) {
    for (const u of urls) {
      exp++;
      if (!byUrl.has(u)) {
        lost++;
        if (lostExamples.length < 5) lostExamples.push(u);
      }
    }
  }
  let duplicated = 0;
  for (const n of byUrl.values()) if (n > 1) duplicated += n - 1;
  return {
    stored: ids.length,
    expected: exp,
    lost,
    duplicated,
    halfWritten,
    lostExamples,
    halfExamples,
  };
}

export function figure(line: string): void {
  console.log(line);
}

// ---------------------------------------------------------------- the soak scenario
// Shared by fault 9 and `npm run bench -- --soak` (bench/soak.ts): 200 sources whose content
// changes every few seconds, polled every 2 s by one server and one worker process, with a short
// retention (maxAge 2m, maxPerSection 50) so the key count stays bounded.

export const SOAK_FEEDS = 200;

/** One new item per change, published "now" (5 s apart), each feed showing its newest 20. */
export function startSoakFixture(): Promise<FixtureServer> {
  return startFixtureServer({
    feeds: SOAK_FEEDS,
    items: 20,
    grow: 1,
    window: 20,
    baseMs: Date.now() - 20 * 5000,
    stepMs: 5000,
  });
}

/**
 * Starts the churn (every second a fifth of the feeds gets a new item: each feed changes every
 * ~5 s) and spawns a server and a worker on `prefix`. `stopChurn` ends the churn; the processes
 * are the caller's to await (`ready`) and to stop.
 */
export async function startSoakService(
  fx: FixtureServer,
  redisUrl: string,
  prefix: string,
): Promise<{ server: ProductProcess; worker: ProductProcess; stopChurn: () => void }> {
  const config = writeConfig({
    feeds: SOAK_FEEDS,
    fixtureUrl: fx.url,
    interval: '2s',
    maxAge: '2m',
    maxPerSection: 50,
  });
  const r = rng(SEED + 9);
  const churn = setInterval(
    () => fx.bump(Array.from({ length: SOAK_FEEDS }, (_, i) => i).filter(() => r() < 0.2)),
    1000,
  );
  const stopChurn = () => clearInterval(churn);
  try {
    const server = await spawnProduct('server', { config, redisUrl, prefix });
    const worker = await spawnProduct('worker', { config, redisUrl, prefix });
    return { server, worker, stopChurn };
  } catch (err) {
    stopChurn();
    throw err;
  }
}
