// Start-up of the single-process service (`npm start`, `--role all`) from the built JavaScript
// (bin/tributary.mjs, what users run) against the TypeScript sources through tsx
// (bin/tributary-dev.mjs, what production ran before issue 17): time from spawn to the first
// `/healthz` 200, resident memory then, and peak resident memory over the next seconds while the
// first poll of a small catalog (12 sources, like config/default.yaml) ingests. Then SIGTERM:
// exit code and how long the stop took. Runs alternate (A B B A …) so drifting load hits both.
import { join } from 'node:path';
import type { Corpus } from './corpus.ts';
import { procStatusMb, spawnTributary, waitFor, writeBenchConfig } from './product.ts';
import type { ProductProcess } from './product.ts';
import { freePort } from '../src/runtime/redis-server.ts';

export type Entry = 'built' | 'dev';

export interface StartupRun {
  entry: Entry;
  healthzMs: number;
  rssAtHealthzMb: number;
  peakRssMb: number;
  stopMs: number;
  exitCode: number | null;
}

export interface StartupOptions {
  tmp: string;
  redisUrl: string;
  corpus: Corpus;
  feedUrl(id: string): string;
  rounds: number;
  /** How long to watch resident memory after `/healthz` answers. */
  watchMs: number;
  nodeArgs: string[];
  say(msg: string): void;
  /** Every spawned process, so the caller can stop them on a failure. */
  procs: ProductProcess[];
}

/** Catalog size of the start-up case: config/default.yaml's 12 sources. */
const SOURCES = 12;

async function once(o: StartupOptions, entry: Entry, n: number): Promise<StartupRun> {
  const port = await freePort();
  const configPath = writeBenchConfig(
    o.tmp,
    {
      corpus: { ...o.corpus, feeds: o.corpus.feeds.slice(0, SOURCES) },
      feedUrl: o.feedUrl,
      concurrency: 8,
      baseUrl: `http://127.0.0.1:${port}`,
    },
    `startup-${n}.yaml`,
  );
  const t0 = performance.now();
  const p = spawnTributary({
    role: 'all',
    entry,
    configPath,
    redisUrl: o.redisUrl,
    // A prefix of its own: every run starts on an empty catalog and polls every source.
    prefix: `su${n}${Date.now().toString(36)}`,
    dataDir: join(o.tmp, `startup-data-${n}`),
    logFile: join(o.tmp, `startup-${n}-${entry}.log`),
    port,
    nodeArgs: o.nodeArgs,
  });
  o.procs.push(p);
  await waitFor(
    `${entry} start-up (/healthz)`,
    async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === 200,
    60_000,
    10,
  );
  const healthzMs = performance.now() - t0;
  const rssAtHealthzMb = procStatusMb(p.pid, 'VmRSS') ?? NaN;
  await new Promise((r) => setTimeout(r, o.watchMs));
  const peakRssMb = p.peakRssMb() ?? NaN;
  const s0 = performance.now();
  const exitCode = await p.stop();
  return {
    entry,
    healthzMs,
    rssAtHealthzMb,
    peakRssMb,
    stopMs: performance.now() - s0,
    exitCode,
  };
}

export async function runStartup(o: StartupOptions): Promise<StartupRun[]> {
  const runs: StartupRun[] = [];
  // A B B A, repeated: each entry goes first as often as second.
  const order: Entry[] = [];
  for (let i = 0; i < o.rounds; i++)
    order.push(...((i % 2 === 0 ? ['built', 'dev'] : ['dev', 'built']) as Entry[]));
  for (const [n, entry] of order.entries()) {
    o.say(`startup: run ${n + 1} of ${order.length} (${entry})`);
    const r = await once(o, entry, n);
    if (r.exitCode !== 0)
      throw new Error(`bench: ${entry} start-up run ${n + 1} exited ${r.exitCode} on SIGTERM`);
    runs.push(r);
  }
  return runs;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function formatStartup(runs: StartupRun[], watchMs: number): string {
  const lines = [
    `start-up of --role all with ${SOURCES} sources (median, min–max of ${runs.length / 2} runs each)`,
  ];
  const healthzMedian = new Map<Entry, number>();
  for (const entry of ['built', 'dev'] as Entry[]) {
    const rs = runs.filter((r) => r.entry === entry);
    const f = (pick: (r: StartupRun) => number) => {
      const xs = rs.map(pick);
      return `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
    };
    healthzMedian.set(entry, median(rs.map((r) => r.healthzMs)));
    lines.push(
      `  ${entry === 'built' ? 'built JS (bin/tributary.mjs)    ' : 'tsx (bin/tributary-dev.mjs)     '}` +
        ` /healthz after ${f((r) => r.healthzMs)} ms, RSS then ${f((r) => r.rssAtHealthzMb)} MB,` +
        ` peak RSS within ${watchMs / 1000} s ${f((r) => r.peakRssMb)} MB, SIGTERM to exit ${f((r) => r.stopMs)} ms`,
    );
  }
  lines.push(
    `  built / tsx start-up time: ${(healthzMedian.get('built')! / healthzMedian.get('dev')!).toFixed(2)}`,
  );
  return lines.join('\n');
}
