// Fault 2: SIGKILL and restart Redis (AOF, appendfsync everysec) during ingest, 5 times. Up to a
// second of writes may be lost each time; after one re-poll of every source nothing may be lost,
// duplicated or half-written (an article hash without its indexes, or an index entry without
// its hash). The worker process must ride through every restart.
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
const RESTARTS = SHORT ? 1 : 5;

describe('fault 2: kill -9 Redis during ingest', () => {
  let redis: SuiteRedis;
  let fx: FixtureServer;
  let view: View;
  const procs: ProductProcess[] = [];

  beforeAll(async () => {
    redis = await startSuiteRedis();
    fx = await startFixtureServer({
      feeds: FEEDS,
      items: 10,
      grow: 3,
      baseMs: Date.now() - 3 * 86_400_000,
    });
    const r = rng(SEED + 2);
    fx.delay = () => 10 + Math.floor(r() * 100);
  });
  afterAll(async () => {
    for (const p of procs) await stopProduct(p, 'SIGKILL');
    await view?.close();
    await fx?.close();
    await redis?.stop();
  });

  it(`after one re-poll: lost 0, duplicated 0, half-written 0 (${RESTARTS} Redis kills)`, async () => {
    const prefix = uniquePrefix('rkill');
    const config = writeConfig({ feeds: FEEDS, fixtureUrl: fx.url });
    view = openView(redis.url, prefix);
    const ids = sourceIds(FEEDS);
    const r = rng(SEED + 3);
    const worker = await spawnProduct('worker', { config, redisUrl: redis.url, prefix });
    procs.push(worker);
    await worker.ready;
    let halfAfterKill = 0;
    for (let k = 0; k < RESTARTS; k++) {
      fx.bump();
      await refreshAll(view, ids);
      await sleep(500 + Math.floor(r() * 2000));
      await redis.kill9();
      await sleep(300 + Math.floor(r() * 1200));
      await redis.restart();
      await waitFor('redis answers', 30_000, async () => (await view.redis.ping()) === 'PONG');
      if (k === 0) halfAfterKill = (await audit(view, fx.expected())).halfWritten;
    }
    const workerSurvived = worker.alive();
    // One re-poll of every source, once the jobs in flight are done: a refresh added while one is
    // active is folded into it by enqueueRefresh's deduplication and would poll nothing new.
    await waitDrained(view, 180_000);
    const since = Date.now();
    await refreshAll(view, ids);
    await waitPolled(view, ids, since, 240_000);
    await waitFor(
      'no waiting jobs',
      60_000,
      async () => (await view.queue.getJobCounts('waiting')).waiting === 0,
    );
    const a = await audit(view, fx.expected());
    figure(
      `fault 2: kill -9 Redis x${RESTARTS} — lost ${a.lost}, duplicated ${a.duplicated}, half-written ${a.halfWritten}` +
        ` (after one re-poll; stored ${a.stored}/${a.expected}; half-written right after the first restart ${halfAfterKill}; worker survived ${workerSurvived})`,
    );
    if (a.lost) console.log(`  lost e.g. ${a.lostExamples.join(', ')}`);
    if (a.halfWritten) console.log(`  half-written e.g. ${a.halfExamples.join('; ')}`);
    expect(workerSurvived).toBe(true);
    expect(a.lost).toBe(0);
    expect(a.duplicated).toBe(0);
    expect(a.halfWritten).toBe(0);
  });
});
