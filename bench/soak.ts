// `npm run bench -- --soak 30m`: memory that stays flat (issue 17 point 8). 200 generated sources
// whose content changes every few seconds, polled every 2 s by one server and one worker process
// (the fault suite's feeds and config: retention maxAge 2m, maxPerSection 50) against a Redis of
// its own. After a warm-up (a third of the run, at most 5 min) it samples every minute: Redis
// `used_memory`, key count, the worker's RSS and where Redis memory goes, key family by key
// family (`MEMORY USAGE key SAMPLES 5`), prints the table and how each figure moved from its level
// after warm-up to the end, and exits 1 when Redis memory or worker RSS grew more than 10 %.
// Not part of `npm test` (it runs for as long as it is told).
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  SOAK_FEEDS,
  sleep,
  startSuiteRedis,
  startSoakFixture,
  startSoakService,
  stopProduct,
} from '../tests/faults/harness.ts';
import type { ProductProcess } from '../tests/faults/harness.ts';
import { memoryByFamily, usedMemory } from './redis-memory.ts';

/** Growth allowed from the level after warm-up to the end (Redis memory and worker RSS). */
export const SOAK_BOUND = 0.1;

export interface SoakOptions {
  durationMs: number;
  sampleMs: number;
  warmupMs: number;
  /** Progress lines (stderr). */
  say: (msg: string) => void;
}

interface Sample {
  t: number;
  usedMb: number;
  keys: number;
  rssMb: number;
  /** family -> bytes (sampled MEMORY USAGE) */
  fam: Record<string, number>;
  /** family -> keys */
  famKeys: Record<string, number>;
  /** BullMQ events stream length */
  eventsLen: number;
}

/** `30m`, `90s`, `1h`, or a number of minutes. */
export function parseSoakDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(s.trim());
  if (!m) throw new Error(`--soak: expected a duration such as 30m or 600s, got "${s}"`);
  const n = Number(m[1]);
  return n * (m[2] === 's' ? 1000 : m[2] === 'h' ? 3_600_000 : 60_000);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Per-family bytes with sampled MEMORY USAGE (SAMPLES 5: cheap on large sets). */
async function families(admin: Redis, prefix: string) {
  const fam: Record<string, number> = {};
  const famKeys: Record<string, number> = {};
  for (const f of await memoryByFamily(admin, prefix, 5)) {
    // Scheduler-made job hashes (`…:repeat:poll:s1:<ms>`) are named by their own ids: fold them.
    const name = /^bullmq poll:[^:]+:\d+$/.test(f.family) ? 'bullmq scheduled job' : f.family;
    fam[name] = (fam[name] ?? 0) + f.bytes;
    famKeys[name] = (famKeys[name] ?? 0) + f.keys;
  }
  return { fam, famKeys };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

/**
 * Levels: Redis memory and keys are the means of the first and of the last three samples after
 * warm-up; RSS is a garbage-collection sawtooth, so its level is the lowest sample of the first
 * and of the last third of the post-warm-up samples (a leak raises the floor).
 */
export function soakGrowth(samples: { usedMb: number; rssMb: number; keys: number }[]) {
  const n = Math.min(3, Math.max(1, Math.floor(samples.length / 3)));
  const head = samples.slice(0, n);
  const tail = samples.slice(-n);
  const third = Math.max(1, Math.floor(samples.length / 3));
  const floor = (xs: typeof samples) => Math.min(...xs.map((s) => s.rssMb));
  const level = (xs: typeof samples, k: 'usedMb' | 'keys') => mean(xs.map((s) => s[k]));
  const redis = { from: level(head, 'usedMb'), to: level(tail, 'usedMb') };
  const keys = { from: level(head, 'keys'), to: level(tail, 'keys') };
  const rss = { from: floor(samples.slice(0, third)), to: floor(samples.slice(-third)) };
  const g = (x: { from: number; to: number }) => ({ ...x, growth: x.to / x.from - 1 });
  return { redis: g(redis), rss: g(rss), keys: g(keys) };
}

export async function runSoak(o: SoakOptions): Promise<{ ok: boolean; report: string }> {
  const redis = await startSuiteRedis();
  const fx = await startSoakFixture();
  const procs: ProductProcess[] = [];
  let stop = () => {};
  try {
    const prefix = 'soak';
    const { server, worker, stopChurn } = await startSoakService(fx, redis.url, prefix);
    stop = stopChurn;
    procs.push(server, worker);
    await Promise.all([server.ready, worker.ready]);
    o.say(
      `soak: ${SOAK_FEEDS} sources, ${(o.durationMs / 60_000).toFixed(1)} min; warm-up ${(o.warmupMs / 60_000).toFixed(1)} min, then a sample every ${(o.sampleMs / 1000).toFixed(0)} s`,
    );
    const admin = redis.admin();
    const events = `{${prefix}:q}:poll:events`;
    const samples: Sample[] = [];
    const t0 = Date.now();
    let next = t0 + o.warmupMs;
    while (next <= t0 + o.durationMs) {
      await sleep(Math.max(0, next - Date.now()));
      next += o.sampleMs;
      if (!worker.alive() || !server.alive()) throw new Error('soak: a product process exited');
      const s: Sample = {
        t: (Date.now() - t0) / 1000,
        usedMb: (await usedMemory(admin)) / 1024 / 1024,
        keys: await admin.dbsize(),
        rssMb: rssMb(worker.pid),
        eventsLen: Number(await admin.xlen(events).catch(() => 0)),
        ...(await families(admin, prefix)),
      };
      samples.push(s);
      o.say(
        `soak sample at ${(s.t / 60).toFixed(1)} min: Redis ${s.usedMb.toFixed(2)} MB, ${s.keys} keys, worker RSS ${s.rssMb.toFixed(0)} MB`,
      );
    }
    const errorLines = (worker.log() + server.log())
      .split('\n')
      .filter((l) => /"level":(50|60)/.test(l));
    const report = formatSoak(samples, errorLines, fx);
    const g = soakGrowth(samples);
    const ok =
      samples.length >= 2 &&
      g.redis.growth <= SOAK_BOUND &&
      g.rss.growth <= SOAK_BOUND &&
      errorLines.length === 0;
    const dump = join(tmpdir(), `tributary-soak-${Date.now()}.json`);
    writeFileSync(dump, JSON.stringify(samples));
    return { ok, report: `${report}\nall samples: ${dump}\n` };
  } finally {
    stop();
    for (const p of procs) await stopProduct(p, 'SIGTERM', 10_000);
    await fx.close();
    await redis.stop();
  }
}

function formatSoak(
  samples: Sample[],
  errorLines: string[],
  fx: { requests: number; notModified: number },
): string {
  if (samples.length === 0) return 'soak: no samples (run longer than the warm-up)';
  const g = soakGrowth(samples);
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  // The biggest families by their final size, plus any that moved more than 50 KB.
  const names = Object.keys({ ...first.fam, ...last.fam });
  const moved = (n: string) => (last.fam[n] ?? 0) - (first.fam[n] ?? 0);
  const shown = names
    .filter(
      (n) =>
        Math.abs(moved(n)) > 50 * 1024 ||
        names
          .slice()
          .sort((a, b) => (last.fam[b] ?? 0) - (last.fam[a] ?? 0))
          .slice(0, 6)
          .includes(n),
    )
    .sort((a, b) => (last.fam[b] ?? 0) - (last.fam[a] ?? 0));
  const kb = (x: number | undefined) => ((x ?? 0) / 1024).toFixed(0);
  const head = [
    'min'.padStart(5),
    'Redis MB'.padStart(9),
    'keys'.padStart(7),
    'RSS MB'.padStart(7),
    'events'.padStart(7),
    ...shown.map((n) => `${n} KB`.padStart(Math.max(10, n.length + 3))),
  ];
  const rows = samples.map((s) =>
    [
      (s.t / 60).toFixed(1).padStart(5),
      s.usedMb.toFixed(2).padStart(9),
      String(s.keys).padStart(7),
      s.rssMb.toFixed(0).padStart(7),
      String(s.eventsLen).padStart(7),
      ...shown.map((n) => kb(s.fam[n]).padStart(Math.max(10, n.length + 3))),
    ].join(' '),
  );
  const verdict = (x: number) => (x <= SOAK_BOUND ? 'ok' : `MORE THAN ${SOAK_BOUND * 100} %`);
  const famMoves = names
    .map((n) => ({ n, d: moved(n), from: first.fam[n] ?? 0 }))
    .sort((a, b) => Math.abs(b.d) - Math.abs(a.d))
    .slice(0, 8)
    .map((m) => `${m.n} ${kb(m.from)} → ${kb(m.from + m.d)} KB`);
  return [
    head.join(' '),
    ...rows,
    '',
    `Redis used_memory ${g.redis.from.toFixed(2)} → ${g.redis.to.toFixed(2)} MB (${pct(g.redis.growth)}, means of the first and last 3 samples): ${verdict(g.redis.growth)}`,
    `worker RSS floor ${g.rss.from.toFixed(0)} → ${g.rss.to.toFixed(0)} MB (${pct(g.rss.growth)}, lowest sample of the first and last thirds): ${verdict(g.rss.growth)}`,
    `keys ${g.keys.from.toFixed(0)} → ${g.keys.to.toFixed(0)} (${pct(g.keys.growth)})`,
    `families, first → last sample (biggest moves): ${famMoves.join('; ')}`,
    `fixture requests ${fx.requests} (304: ${fx.notModified}); error log lines ${errorLines.length}${errorLines.length ? `: ${errorLines.slice(0, 3).join(' | ')}` : ''}`,
  ].join('\n');
}
