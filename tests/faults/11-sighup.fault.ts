// Fault 11: SIGHUP (the terminal closed) to `tributary start` on its embedded Redis, with jobs
// active (issue 18 point 11). A clean stop like SIGTERM: exit code 0 within the grace, the
// active jobs completed, the embedded redis-server stopped and its data-folder lock removed
// (it used to be left behind), so the next start on that data folder just works.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  figure,
  startFixtureServer,
  writeConfig,
  spawnProduct,
  stopProduct,
  openView,
  uniquePrefix,
  sourceIds,
  refreshAll,
  waitFor,
} from './harness.ts';
import type { FixtureServer, ProductProcess, View } from './harness.ts';
import { LOCK_FILE } from '../../src/runtime/redis-lock.ts';

const FEEDS = 4;
const GRACE_MS = 15_000;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('fault 11: SIGHUP is a clean stop', () => {
  let fx: FixtureServer;
  let view: View | null = null;
  const procs: ProductProcess[] = [];

  beforeAll(async () => {
    fx = await startFixtureServer({
      feeds: FEEDS,
      items: 5,
      grow: 0,
      baseMs: Date.now() - 86_400_000,
    });
    fx.delay = () => 2000;
  });
  afterAll(async () => {
    for (const p of procs) await stopProduct(p, 'SIGKILL');
    await view?.close();
    await fx?.close();
  });

  it('exits 0 with the jobs done, the embedded Redis stopped and no lock left behind', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-faults-hup-'));
    const lock = join(dataDir, 'redis', LOCK_FILE);
    const prefix = uniquePrefix('hup');
    const config = writeConfig({
      feeds: FEEDS,
      fixtureUrl: fx.url,
      concurrency: 4,
      shutdownGrace: `${GRACE_MS / 1000}s`,
      interval: '1h',
      minInterval: '1h',
      maxInterval: '1h',
    });
    const env = { DATA_DIR: dataDir };
    const run = await spawnProduct('all', { config, redisUrl: '', prefix, env });
    procs.push(run);
    await run.ready;
    const info = JSON.parse(readFileSync(lock, 'utf8')) as { redisPid: number; port: number };
    expect(alive(info.redisPid)).toBe(true);
    view = openView(`redis://127.0.0.1:${info.port}`, prefix);
    await refreshAll(view, sourceIds(FEEDS));
    await waitFor(
      `${FEEDS} jobs active`,
      20_000,
      async () => (await view!.queue.getJobCounts('active')).active === FEEDS,
      50,
    );
    const t0 = Date.now();
    run.proc.kill('SIGHUP');
    // Bounded: a product that never exits fails here after the grace and 10 s, not after 30 min.
    const { code, signal, at } = await Promise.race([
      run.exit,
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`no exit ${GRACE_MS + 10_000} ms after SIGHUP`)),
          GRACE_MS + 10_000,
        ).unref(),
      ),
    ]);
    const exitMs = at - t0;
    await view.close();
    view = null;
    const lockLeft = existsSync(lock);
    const redisLeft = alive(info.redisPid);

    // The next start on the same data folder finds every job of the first run completed.
    const again = await spawnProduct('all', { config, redisUrl: '', prefix, env });
    procs.push(again);
    await again.ready;
    const info2 = JSON.parse(readFileSync(lock, 'utf8')) as { port: number };
    view = openView(`redis://127.0.0.1:${info2.port}`, prefix);
    const counts = await view.queue.getJobCounts('completed', 'active', 'failed');
    await stopProduct(again, 'SIGTERM');
    figure(
      `fault 11: SIGHUP with ${FEEDS} active on the embedded Redis — exit ${exitMs} ms, code ${code}${signal ? ` (signal ${signal})` : ''}, lock left ${lockLeft}, redis-server left ${redisLeft}; next start: ${counts.completed} completed, ${counts.failed} failed`,
    );
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS);
    expect(lockLeft).toBe(false);
    expect(redisLeft).toBe(false);
    expect(counts.completed).toBeGreaterThanOrEqual(FEEDS);
    expect(counts.failed).toBe(0);
  });
});
