// Fault 9: soak. 200 sources whose content changes every few seconds, polled at short intervals
// by one server and one worker process for 10 minutes (FAULTS_SOAK_MINUTES overrides; the short
// form skips it unless FAULTS_SOAK_MINUTES is set). After warm-up, worker RSS and Redis memory
// stay flat within 10 %, and the key count stays bounded by retention (maxAge 2m, maxPerSection 50).
// Each sample also records where Redis memory goes (memory-probe.ts); the run prints how each
// component moved from the head to the tail of the post-warm-up window, and dumps every sample to
// a JSON file. (The age-ordered indexes only stay flat if retention sweeps every ~maxAge/10, see
// retentionEveryMs in src/runtime/retention.ts; a fixed 10-min sweep let them grow all run long.)
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  SHORT,
  sleep,
  figure,
  startSuiteRedis,
  startSoakFixture,
  startSoakService,
  stopProduct,
  redisInfo,
} from './harness.ts';
import type { SuiteRedis, FixtureServer, ProductProcess } from './harness.ts';
import { sampleRedisMemory, memoryMoves } from './memory-probe.ts';
import type { MemorySample } from './memory-probe.ts';

const MINUTES = Number(process.env.FAULTS_SOAK_MINUTES ?? (SHORT ? 0 : 10));
const SAMPLE_MS = 10_000;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

describe('fault 9: soak', () => {
  let redis: SuiteRedis;
  let fx: FixtureServer;
  const procs: ProductProcess[] = [];
  let stop = () => {};

  beforeAll(async () => {
    if (!MINUTES) return;
    redis = await startSuiteRedis();
    fx = await startSoakFixture();
  });
  afterAll(async () => {
    stop();
    for (const p of procs) await stopProduct(p, 'SIGKILL');
    await fx?.close();
    await redis?.stop();
  });

  // vitest reports it as skipped (with this reason in its name) in the short form.
  it.skipIf(!MINUTES)(
    `memory flat, keys bounded and no error log lines over ${MINUTES || 'FAULTS_SOAK_MINUTES'} min${MINUTES ? '' : ' (skipped: FAULTS_SHORT=1 and FAULTS_SOAK_MINUTES unset)'}`,
    async () => {
      const prefix = 'flt-soak';
      const { server, worker, stopChurn } = await startSoakService(fx, redis.url, prefix);
      stop = stopChurn;
      procs.push(server, worker);
      await Promise.all([server.ready, worker.ready]);
      const admin = redis.admin();
      const samples: { t: number; rss: number; mem: number; keys: number; parts: MemorySample }[] =
        [];
      const eventsStream = `{${prefix}:q}:poll:events`;
      const t0 = Date.now();
      while (Date.now() - t0 < MINUTES * 60_000) {
        await sleep(SAMPLE_MS);
        const t = (Date.now() - t0) / 1000;
        const rss = rssMb(worker.pid);
        const mem = Number(await redisInfo(admin, 'used_memory')) / 1024 / 1024;
        const keys = await admin.dbsize();
        // The breakdown is read after the headline figures (its SCAN takes a moment).
        samples.push({
          t,
          rss,
          mem,
          keys,
          parts: await sampleRedisMemory(admin, prefix, { streams: [eventsStream] }),
        });
      }
      const warm = samples.filter((s) => s.t >= Math.min(180, (MINUTES * 60) / 3));
      const fifth = Math.max(1, Math.floor(warm.length / 5));
      const head = warm.slice(0, fifth);
      const tail = warm.slice(-fifth);
      const growth = (k: 'rss' | 'mem' | 'keys') =>
        mean(tail.map((s) => s[k])) / mean(head.map((s) => s[k])) - 1;
      // The worker's RSS is a garbage-collection sawtooth (~100 s period, ±15 %): a leak shows as
      // a rising floor, so RSS compares the lowest sample of the first and last thirds (each longer
      // than one period) instead of fifths' means, which moved with the phase of the sawtooth.
      const third = Math.max(1, Math.floor(warm.length / 3));
      const rssFloor = (xs: typeof warm) => Math.min(...xs.map((s) => s.rss));
      const rssHead = rssFloor(warm.slice(0, third));
      const rssTail = rssFloor(warm.slice(-third));
      const rssG = rssTail / rssHead - 1;
      const memG = growth('mem');
      const keysG = growth('keys');
      const maxKeys = Math.max(...warm.map((s) => s.keys));
      const bad = (e: RegExp) =>
        (worker.log() + server.log()).split('\n').filter((l) => e.test(l)).length;
      figure(
        `fault 9: soak ${MINUTES} min, 200 sources — worker RSS floor ${rssHead.toFixed(0)}→${rssTail.toFixed(0)} MB (${(rssG * 100).toFixed(1)} %; means of the fifths ${mean(head.map((s) => s.rss)).toFixed(0)}→${mean(tail.map((s) => s.rss)).toFixed(0)}),` +
          ` Redis ${mean(head.map((s) => s.mem)).toFixed(1)}→${mean(tail.map((s) => s.mem)).toFixed(1)} MB (${(memG * 100).toFixed(1)} %),` +
          ` keys ${mean(head.map((s) => s.keys)).toFixed(0)}→${mean(tail.map((s) => s.keys)).toFixed(0)} (${(keysG * 100).toFixed(1)} %, max ${maxKeys}),` +
          ` fixture requests ${fx.requests} (304: ${fx.notModified}), error log lines ${bad(/"level":(50|60)/)}`,
      );
      console.log(
        `  samples (s: rssMB/redisMB/keys/eventsXlen): ${samples.map((s) => `${s.t.toFixed(0)}:${s.rss.toFixed(0)}/${s.mem.toFixed(1)}/${s.keys}/${s.parts[`xlen ${eventsStream}#`] ?? 0}`).join(' ')}`,
      );
      console.log(
        memoryMoves(
          head.map((s) => s.parts),
          tail.map((s) => s.parts),
        ),
      );
      const dump = join(tmpdir(), `tributary-soak-${Date.now()}.json`);
      writeFileSync(dump, JSON.stringify(samples));
      console.log(`  full samples: ${dump}`);
      expect(worker.alive() && server.alive()).toBe(true);
      expect(rssG).toBeLessThan(0.1);
      expect(memG).toBeLessThan(0.1);
      expect(keysG).toBeLessThan(0.1);
      // Errors (pino levels 50 and 60) from either process fail the soak; show the first few.
      const errorLines = (worker.log() + server.log())
        .split('\n')
        .filter((l) => /"level":(50|60)/.test(l));
      expect(errorLines.slice(0, 5), `${errorLines.length} error log lines`).toEqual([]);
    },
  );
});
