// Fault 4: SIGTERM to a worker with 8 jobs active (the feeds answer after ~3 s) and a 25 s grace:
// the process exits within the grace with code 0, the 8 jobs complete, none is left active or
// counted as stalled.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
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
  waitFor,
  sleep,
} from './harness.ts';
import type { SuiteRedis, FixtureServer, ProductProcess, View } from './harness.ts';

const FEEDS = 20;
const GRACE_MS = 25_000;

describe('fault 4: SIGTERM with jobs active', () => {
  let redis: SuiteRedis;
  let fx: FixtureServer;
  let view: View;
  const procs: ProductProcess[] = [];

  beforeAll(async () => {
    redis = await startSuiteRedis();
    fx = await startFixtureServer({
      feeds: FEEDS,
      items: 10,
      grow: 0,
      baseMs: Date.now() - 86_400_000,
    });
    fx.delay = () => 3000;
  });
  afterAll(async () => {
    for (const p of procs) await stopProduct(p, 'SIGKILL');
    await view?.close();
    await fx?.close();
    await redis?.stop();
  });

  it('exits within the grace with code 0, stalled 0', async () => {
    const prefix = uniquePrefix('term');
    const config = writeConfig({
      feeds: FEEDS,
      fixtureUrl: fx.url,
      concurrency: 8,
      shutdownGrace: '25s',
      interval: '1m',
    });
    view = openView(redis.url, prefix);
    const worker = await spawnProduct('worker', { config, redisUrl: redis.url, prefix });
    procs.push(worker);
    await worker.ready;
    await refreshAll(view, sourceIds(FEEDS));
    await waitFor(
      '8 jobs active',
      20_000,
      async () => (await view.queue.getJobCounts('active')).active === 8,
      50,
    );
    const held = (await view.queue.getActive()).map((j) => j.id!);
    const t0 = Date.now();
    worker.proc.kill('SIGTERM');
    const { code, signal, at } = await worker.exit;
    const exitMs = at - t0;
    const states = await Promise.all(
      held.map(async (id) => (await view.queue.getJob(id))?.getState()),
    );
    const completed = states.filter((s) => s === 'completed').length;
    const activeAfter = (await view.queue.getJobCounts('active')).active;
    // A second worker drains the rest; none of the 8 may come back as stalled.
    const next = await spawnProduct('worker', { config, redisUrl: redis.url, prefix });
    procs.push(next);
    await next.ready;
    await waitFor('the rest drained', 60_000, async () => {
      const c = await view.queue.getJobCounts('active', 'waiting');
      return (c.active ?? 0) + (c.waiting ?? 0) === 0;
    });
    await sleep(500);
    const jobs = await Promise.all(held.map((id) => view.queue.getJob(id)));
    const stalled = jobs.filter(
      (j) => (j?.stalledCounter ?? 0) > 0 || (j?.attemptsMade ?? 0) > 1,
    ).length;
    figure(
      `fault 4: SIGTERM with ${held.length} active, grace 25 s — exit ${exitMs} ms, code ${code}${signal ? ` (signal ${signal})` : ''}, completed ${completed}/${held.length}, active after exit ${activeAfter}, stalled ${stalled}`,
    );
    expect(held.length).toBe(8);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS);
    expect(completed).toBe(8);
    expect(activeAfter).toBe(0);
    expect(stalled).toBe(0);
  });
});
