// The desk's speed figure (issue 15: "/desk answers in < 100 ms server time with 1,000
// sources"): a `tributary start --role server` process (built JS, as the other cases) with
// ADMIN_TOKEN set, on a prefix that already holds the ingested articles, with runtime sources added
// until there are 1,000 in all (varied health: ok, failing, unhealthy, new, paused; half with
// Arabic titles). After a login, each page is asked one request at a time; the server's own time
// comes from the `Server-Timing: app;dur=` header the desk sends, the client time is the whole
// request from this process (loopback, body read); the server's CPU time during the request
// (Server-Timing cpu;dur) tells our own cost from waiting on a busy machine.
import { readFile } from 'node:fs/promises';
import type { Store } from '../src/store/index.ts';
import type { SourceConfig } from '../src/domain/types.ts';
import { spawnTributary, waitFor } from './product.ts';
import type { LatencySummary } from './report.ts';

export interface DeskPageTiming {
  path: string;
  /** Server time (Server-Timing app;dur). */
  server: LatencySummary;
  /** The server process's CPU time during the request (Server-Timing cpu;dur). */
  cpu: LatencySummary;
  /** Client time: request sent to body read, loopback. */
  client: LatencySummary;
  bytes: number;
}

export interface DeskFigure {
  sources: number;
  /** Sources listed on /desk (every one: the table is not paginated). */
  rows: number;
  pages: DeskPageTiming[];
}

export const DESK_SOURCES = 1_000;
const TOKEN = 'bench-desk-token-0123456789';

const AR_WORDS = [
  'أخبار',
  'سوريا',
  'الشرق',
  'صحيفة',
  'وكالة',
  'بلدي',
  'القوقاز',
  'المشرق',
  'اليوم',
];
const EN_WORDS = ['Daily', 'Wire', 'Monitor', 'Gazette', 'Review', 'Post', 'Herald', 'Times'];

/** Adds runtime sources until the catalog holds `total`, with varied health states. */
async function addSources(store: Store, existing: number, total: number, nowMs: number) {
  const iso = (ago: number) => new Date(nowMs - ago).toISOString();
  const sections = ['all', 'arabic', 'english', 'topic-a', 'topic-b'];
  for (let i = 0; i < total - existing; i++) {
    const ar = i % 2 === 0;
    const words = ar ? AR_WORDS : EN_WORDS;
    const id = `desk-${String(i).padStart(4, '0')}`;
    const source: SourceConfig = {
      id,
      url: `http://127.0.0.1:9/desk/${id}.rss`,
      title: `${words[i % words.length]} ${words[(i * 7 + 3) % words.length]} ${i}`,
      lang: ar ? 'ar' : 'en',
      interval: null,
      tags: [],
      priority: 0,
      enabled: i % 17 !== 0, // ~6% paused
      origin: 'runtime',
      ...(i % 3 === 0 ? { sections: [sections[i % sections.length]!] } : {}),
    };
    await store.sources.putRuntime(source);
    const kind = i % 10; // 0-5 ok, 6-7 failing, 8 unhealthy (permanent), 9 new
    if (kind <= 5)
      await store.sources.patchState(id, {
        status: 'ok',
        lastFetch: iso(60_000 * (i % 50)),
        lastSuccess: iso(60_000 * (i % 50)),
        nextPoll: iso(-600_000),
      });
    else if (kind <= 8)
      await store.sources.patchState(id, {
        status: 'error',
        lastFetch: iso(30_000 * (i % 40)),
        lastError:
          kind === 8 ? 'HTTP 404: the feed is gone' : ar ? 'انتهت المهلة (timeout)' : 'timeout',
        lastErrorKind: kind === 8 ? 'http' : 'timeout',
        lastErrorPermanent: kind === 8,
        lastHttpStatus: kind === 8 ? 404 : null,
        consecutiveFailures: kind === 8 ? 1 : 1 + (i % 6),
        nextPoll: iso(-300_000),
      });
  }
}

const percentile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const summary = (xs: number[]): LatencySummary => ({
  p50Ms: percentile(xs, 0.5),
  p99Ms: percentile(xs, 0.99),
  maxMs: Math.max(...xs),
  requests: xs.length,
});

export async function runDesk(o: {
  store: Store;
  prefix: string;
  configPath: string;
  redisUrl: string;
  port: number;
  dataDir: string;
  logFile: string;
  nodeArgs: string[];
  /** With --profile: the server's CPU profile goes here. */
  cpuProfDir?: string;
  /** Requests per page (after `warmup` untimed ones). */
  requests: number;
  warmup: number;
  sections: string[];
  say(msg: string): void;
}): Promise<DeskFigure> {
  const before = (await o.store.sources.listRuntime()).length;
  const configured = await countConfigSources(o.configPath);
  await addSources(o.store, configured + before, DESK_SOURCES, Date.now());
  o.say(`desk: ${DESK_SOURCES} sources (${configured} from the config, the rest runtime)`);
  const server = spawnTributary({
    role: 'server',
    configPath: o.configPath,
    redisUrl: o.redisUrl,
    prefix: o.prefix,
    dataDir: o.dataDir,
    logFile: o.logFile,
    port: o.port,
    nodeArgs: o.nodeArgs,
    cpuProfDir: o.cpuProfDir,
    env: { ADMIN_TOKEN: TOKEN },
  });
  const url = `http://127.0.0.1:${o.port}`;
  try {
    await waitFor(
      'the desk server',
      async () => (await fetch(`${url}/healthz`).catch(() => null))?.status === 200,
      60_000,
      100,
    );
    const login = await fetch(`${url}/desk/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
      redirect: 'manual',
    });
    if (login.status !== 303) throw new Error(`bench: desk login answered ${login.status}`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const paths = ['/desk', ...o.sections.map((s) => `/desk/sections/${s}`), '/desk/health'];
    let rows = 0;
    const pages: DeskPageTiming[] = [];
    for (const path of paths) {
      const server: number[] = [];
      const cpu: number[] = [];
      const client: number[] = [];
      let bytes = 0;
      for (let i = 0; i < o.warmup + o.requests; i++) {
        const t0 = performance.now();
        const res = await fetch(`${url}${path}`, { headers: { Cookie: cookie } });
        const body = await res.text();
        const t = performance.now() - t0;
        if (res.status !== 200) throw new Error(`bench: ${path} answered ${res.status}`);
        const timing = res.headers.get('server-timing') ?? '';
        const dur = /app;dur=([\d.]+)/.exec(timing)?.[1];
        const cpuDur = /cpu;dur=([\d.]+)/.exec(timing)?.[1];
        if (!dur || !cpuDur) throw new Error(`bench: ${path} sent no Server-Timing`);
        if (i < o.warmup) continue;
        server.push(Number(dur));
        cpu.push(Number(cpuDur));
        client.push(t);
        bytes = Buffer.byteLength(body);
        if (path === '/desk') rows = (body.match(/<tr id="source-/g) ?? []).length;
      }
      pages.push({
        path,
        server: summary(server),
        cpu: summary(cpu),
        client: summary(client),
        bytes,
      });
    }
    if (rows !== DESK_SOURCES)
      throw new Error(`bench: /desk listed ${rows} sources, expected ${DESK_SOURCES}`);
    return { sources: DESK_SOURCES, rows, pages };
  } finally {
    await server.stop();
  }
}

/** Sources in the bench config file (JSON). */
async function countConfigSources(path: string): Promise<number> {
  return (JSON.parse(await readFile(path, 'utf8')) as { sources: unknown[] }).sources.length;
}
