// Fault 6: Redis full (`maxmemory` just above what is used, policy noeviction). The errors must
// surface in the logs, in /metrics and in /readyz; no key may be evicted; and once memory frees
// (maxmemory raised) the articles are stored.
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
  waitPolled,
  audit,
  waitFor,
  redisInfo,
} from './harness.ts';
import type { SuiteRedis, FixtureServer, ProductProcess, View } from './harness.ts';

const FEEDS = 50;

async function text(url: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.text() };
  } catch (e) {
    return { status: 0, body: (e as Error).message };
  }
}

/** Sum of a Prometheus metric's samples whose labels contain `labelPart`. */
function metric(body: string, name: string, labelPart = ''): number {
  let n = 0;
  for (const line of body.split('\n')) {
    if (!line.startsWith(name) || !line.includes(labelPart)) continue;
    n += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return n;
}

describe('fault 6: Redis full', () => {
  let redis: SuiteRedis;
  let fx: FixtureServer;
  let view: View;
  let svc: ProductProcess;

  beforeAll(async () => {
    redis = await startSuiteRedis();
    fx = await startFixtureServer({
      feeds: FEEDS,
      items: 10,
      grow: 20,
      baseMs: Date.now() - 5 * 86_400_000,
    });
  });
  afterAll(async () => {
    await redis
      ?.admin()
      .config('SET', 'maxmemory', '0')
      .catch(() => undefined);
    if (svc) await stopProduct(svc, 'SIGKILL');
    await view?.close();
    await fx?.close();
    await redis?.stop();
  });

  it('surfaces the errors, evicts nothing, recovers when memory frees', async () => {
    const prefix = uniquePrefix('full');
    const config = writeConfig({ feeds: FEEDS, fixtureUrl: fx.url, interval: '1m' });
    view = openView(redis.url, prefix);
    const ids = sourceIds(FEEDS);
    svc = await spawnProduct('all', { config, redisUrl: redis.url, prefix });
    await svc.ready;
    const base = svc.url!;
    let since = Date.now();
    await refreshAll(view, ids);
    await waitPolled(view, ids, since, 60_000);
    expect((await text(`${base}/readyz`)).status).toBe(200);

    const admin = redis.admin();
    // Refresh jobs first (they are writes too), then cap memory just above what is used.
    fx.bump();
    await refreshAll(view, ids);
    const used = Number(await redisInfo(admin, 'used_memory'));
    await admin.config('SET', 'maxmemory', String(used + 256 * 1024));
    const tFull = Date.now();
    const logBefore = svc.log().length;
    let readyz = 0;
    let readyzAfterS = -1;
    let metricsSeen = '';
    await waitFor(
      'errors in logs, /metrics and /readyz',
      90_000,
      async () => {
        const log = svc.log().slice(logBefore);
        const r = await text(`${base}/readyz`);
        if (r.status === 503 && readyzAfterS < 0) {
          readyz = 503;
          readyzAfterS = (Date.now() - tFull) / 1000;
        }
        const m = await text(`${base}/metrics`);
        const failed = metric(m.body, 'tributary_queue_jobs', 'state="failed"');
        const delayed = metric(m.body, 'tributary_queue_jobs', 'state="delayed"');
        const fetchErrors = metric(m.body, 'tributary_fetches_total', 'outcome="error"');
        if (failed + fetchErrors > 0)
          metricsSeen = `failed ${failed}, delayed ${delayed}, fetch errors ${fetchErrors}`;
        return /OOM|maxmemory/i.test(log) && metricsSeen !== '' && readyz === 503;
      },
      1000,
    ).catch((e: Error) => console.log(`  ${e.message}`));
    const logHit = /OOM|maxmemory/i.test(svc.log().slice(logBefore));
    const evicted = Number(await redisInfo(admin, 'evicted_keys'));
    const aliveWhileFull = svc.alive();

    // Memory frees: everything resumes and the new articles are stored after a poll.
    await admin.config('SET', 'maxmemory', '0');
    const tFree = Date.now();
    await waitFor(
      '/readyz 200 after memory freed',
      60_000,
      async () => (await text(`${base}/readyz`)).status === 200,
      500,
    );
    since = Date.now();
    await refreshAll(view, ids);
    await waitPolled(view, ids, since, 120_000);
    const recoveredS = (Date.now() - tFree) / 1000;
    const a = await audit(view, fx.expected());
    figure(
      `fault 6: Redis full — log ${logHit ? 'yes' : 'NO'}, metrics ${metricsSeen || 'NO'}, /readyz ${readyz || 'NO 503'}${readyzAfterS >= 0 ? ` after ${readyzAfterS.toFixed(0)} s` : ''},` +
        ` evicted ${evicted}, up ${aliveWhileFull}; recovered in ${recoveredS.toFixed(1)} s: lost ${a.lost}, duplicated ${a.duplicated}, half-written ${a.halfWritten} (stored ${a.stored}/${a.expected})`,
    );
    if (a.halfWritten) console.log(`  half-written e.g. ${a.halfExamples.join('; ')}`);
    expect(aliveWhileFull).toBe(true);
    expect(logHit).toBe(true);
    expect(metricsSeen).not.toBe('');
    expect(readyz).toBe(503);
    expect(evicted).toBe(0);
    expect(a.lost).toBe(0);
    expect(a.duplicated).toBe(0);
    expect(a.halfWritten).toBe(0);
  });
});
