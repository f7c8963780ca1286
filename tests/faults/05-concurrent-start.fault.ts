// Fault 5: five `--role all` processes start at once against one Redis, 10 times (a fresh prefix
// each time): every source ends up with exactly one job scheduler, and none is due in the past.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  SHORT,
  figure,
  startSuiteRedis,
  startFixtureServer,
  writeConfig,
  spawnProduct,
  stopProduct,
  openView,
  uniquePrefix,
  sourceIds,
  sleep,
} from './harness.ts';
import type { SuiteRedis, FixtureServer, ProductProcess } from './harness.ts';
import { schedulerId } from '../../src/queues/queues.ts';

const FEEDS = 200;
const PROCS = 5;
const ROUNDS = SHORT ? 2 : 10;
const SLACK_MS = 2000;

describe('fault 5: five processes start at once', () => {
  let redis: SuiteRedis;
  let fx: FixtureServer;
  const procs: ProductProcess[] = [];

  beforeAll(async () => {
    redis = await startSuiteRedis();
    fx = await startFixtureServer({
      feeds: FEEDS,
      items: 5,
      grow: 0,
      baseMs: Date.now() - 86_400_000,
    });
  });
  afterAll(async () => {
    for (const p of procs) await stopProduct(p, 'SIGKILL');
    await fx?.close();
    await redis?.stop();
  });

  it(`one scheduler per source, none due in the past (${ROUNDS} rounds of ${PROCS})`, async () => {
    const config = writeConfig({ feeds: FEEDS, fixtureUrl: fx.url, interval: '1m' });
    const ids = sourceIds(FEEDS);
    let missing = 0;
    let extra = 0;
    let past = 0;
    let bad = 0;
    let extraJobs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const prefix = uniquePrefix('start');
      const view = openView(redis.url, prefix);
      const round_ = await Promise.all(
        Array.from({ length: PROCS }, () =>
          spawnProduct('all', { config, redisUrl: redis.url, prefix }),
        ),
      );
      procs.push(...round_);
      await Promise.all(round_.map((p) => p.ready));
      await sleep(1000);
      const scheds = await view.queue.getJobSchedulers(0, -1, true);
      const now = Date.now();
      const per = new Map<string, number>();
      for (const s of scheds) {
        per.set(s.key, (per.get(s.key) ?? 0) + 1);
        if (s.next !== undefined && s.next < now - SLACK_MS) past++;
      }
      for (const id of ids) {
        const n = per.get(schedulerId(id)) ?? 0;
        if (n === 0) missing++;
        if (n > 1) extra += n - 1;
      }
      // One pending iteration per scheduler (BullMQ creates the next when the current one starts).
      const pending = await view.queue.getJobs(['delayed', 'waiting', 'prioritized'], 0, -1);
      const perSched = new Map<string, number>();
      for (const j of pending)
        if (j.repeatJobKey) perSched.set(j.repeatJobKey, (perSched.get(j.repeatJobKey) ?? 0) + 1);
      for (const n of perSched.values()) if (n > 1) extraJobs += n - 1;
      bad += scheds.filter((s) => !ids.some((id) => schedulerId(id) === s.key)).length;
      // Teardown is not under test here: SIGKILL (the next round uses a fresh prefix).
      await Promise.all(round_.map((p) => stopProduct(p, 'SIGKILL')));
      await view.close();
    }
    figure(
      `fault 5: ${PROCS} processes start at once x${ROUNDS} — sources without a scheduler ${missing}, extra schedulers ${extra}, unknown schedulers ${bad}, extra pending iterations ${extraJobs}, due in the past ${past}`,
    );
    expect(missing).toBe(0);
    expect(extra).toBe(0);
    expect(bad).toBe(0);
    expect(past).toBe(0);
    expect(extraJobs).toBe(0);
  });
});
