// Fault 1: kill -9 a worker process at random points during ingest of 200 feeds, 20 times (a new
// worker starts after each kill). Nothing may be lost or duplicated, and no job held by a killed
// worker may still be active once BullMQ's stall detection had its chance. BullMQ's worst case
// is lockDuration + 2 x stalledInterval (a pass marks active jobs, the next pass moves those whose
// lock expired, and the queue-wide check key lets one pass run per stalledInterval): 90 s with
// the defaults the product uses; measured ~65 s after a single kill.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  SHORT,
  SEED,
  rng,
  sleep,
  figure,
  startSuiteRedis,
  startFixtureServer,
  writeConfig,
  spawnProduct,
  stopProduct,
  openView,
  uniquePrefix,
  sourceIds,
  refreshAll,
  waitPolled,
  waitDrained,
  audit,
  waitFor,
} from './harness.ts';
import type { SuiteRedis, FixtureServer, ProductProcess, View } from './harness.ts';

const FEEDS = 200;
const KILLS = SHORT ? 3 : 20;
const STALL_WINDOW_MS = 30_000 + 2 * 30_000 + 5_000; // lockDuration + 2 x stalledInterval + slack

describe('fault 1: kill -9 worker during ingest', () => {
  let redis: SuiteRedis;
  let fx: FixtureServer;
  let view: View;
  const procs: ProductProcess[] = [];

  beforeAll(async () => {
    redis = await startSuiteRedis();
    fx = await startFixtureServer({
      feeds: FEEDS,
      items: 10,
      grow: 2,
      baseMs: Date.now() - 3 * 86_400_000,
    });
    const r = rng(SEED);
    fx.delay = () => 20 + Math.floor(r() * 150);
  });
  afterAll(async () => {
    for (const p of procs) await stopProduct(p, 'SIGKILL');
    await view?.close();
    await fx?.close();
    await redis?.stop();
  });

  it(`loses nothing, duplicates nothing, leaves no job stuck active (${KILLS} kills)`, async () => {
    const prefix = uniquePrefix('kill');
    const config = writeConfig({ feeds: FEEDS, fixtureUrl: fx.url });
    view = openView(redis.url, prefix);
    const ids = sourceIds(FEEDS);
    const r = rng(SEED + 1);
    const start = async () => {
      const p = await spawnProduct('worker', { config, redisUrl: redis.url, prefix });
      procs.push(p);
      await p.ready;
      return p;
    };
    let worker = await start();
    const heldAtKill = new Set<string>();
    let lastKillAt = 0;
    for (let k = 0; k < KILLS; k++) {
      // New items in every feed and a refresh for each: there is always ingest in flight.
      fx.bump();
      await refreshAll(view, ids);
      await sleep(300 + Math.floor(r() * 2200));
      const active = await view.queue.getActive();
      for (const j of active) if (j.id) heldAtKill.add(j.id);
      worker.proc.kill('SIGKILL');
      await worker.exit;
      lastKillAt = Date.now();
      worker = await start();
    }
    // Let stall detection run, then check that no job a killed worker held is still active.
    const stillHeld = async () => {
      let n = 0;
      for (const id of heldAtKill) {
        const job = await view.queue.getJob(id);
        if (
          job &&
          (await job.getState()) === 'active' &&
          job.processedOn &&
          job.processedOn < lastKillAt
        )
          n++;
      }
      return n;
    };
    let stuck = await stillHeld();
    while (stuck > 0 && Date.now() < lastKillAt + STALL_WINDOW_MS) {
      await sleep(2000);
      stuck = await stillHeld();
    }
    const recoveredS = Math.round((Date.now() - lastKillAt) / 1000);
    await waitDrained(view, 120_000);
    const failed = await view.queue.getJobCounts('failed');
    const before = await audit(view, fx.expected());
    // One re-poll: refresh jobs folded into an active one (deduplication) never saw the last bump.
    const since = Date.now();
    await refreshAll(view, ids);
    await waitPolled(view, ids, since, 180_000);
    await waitFor(
      'drain',
      60_000,
      async () => (await view.queue.getJobCounts('active', 'waiting')).waiting === 0,
    );
    const after = await audit(view, fx.expected());
    figure(
      `fault 1: kill -9 worker x${KILLS} — lost ${after.lost}, duplicated ${after.duplicated}, stuck ${stuck}` +
        ` (held at kill ${heldAtKill.size}, recovered ${recoveredS}s after the last kill, failed jobs ${failed.failed}, before re-poll: lost ${before.lost}, half-written ${before.halfWritten};` +
        ` after: half-written ${after.halfWritten}, stored ${after.stored}/${after.expected})`,
    );
    if (after.lost) console.log(`  lost e.g. ${after.lostExamples.join(', ')}`);
    if (after.halfWritten) console.log(`  half-written e.g. ${after.halfExamples.join('; ')}`);
    expect(after.lost).toBe(0);
    expect(after.duplicated).toBe(0);
    expect(after.halfWritten).toBe(0);
    expect(stuck).toBe(0);
  });
});
