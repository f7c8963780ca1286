// Fault 3: Redis unavailable for 5 s and for 60 s (the server is stopped, then started again on
// the same port). The service (`--role all`) stays up, /readyz answers 503 during the outage,
// everything resumes without a restart, and a poll after the outage duplicates nothing. Also
// records what /readyz does while Redis is alive but paused (`CLIENT PAUSE 5000 ALL`).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  SHORT,
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

const FEEDS = 50;
const OUTAGES_S = SHORT ? [5] : [5, 60];

async function get(
  url: string,
  timeoutMs = 3000,
): Promise<{ status: number | 'timeout' | 'refused'; ms: number }> {
  const t0 = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - t0 };
  } catch (e) {
    return {
      status: (e as Error).name === 'TimeoutError' ? 'timeout' : 'refused',
      ms: Date.now() - t0,
    };
  }
}

describe('fault 3: Redis unavailable', () => {
  let redis: SuiteRedis;
  let fx: FixtureServer;
  let view: View;
  let svc: ProductProcess;

  beforeAll(async () => {
    redis = await startSuiteRedis();
    fx = await startFixtureServer({
      feeds: FEEDS,
      items: 10,
      grow: 2,
      baseMs: Date.now() - 3 * 86_400_000,
    });
  });
  afterAll(async () => {
    if (svc) await stopProduct(svc, 'SIGKILL');
    await view?.close();
    await fx?.close();
    await redis?.stop();
  });

  it(`stays up, reports the outage, resumes without a restart (${OUTAGES_S.join(' s and ')} s)`, async () => {
    const prefix = uniquePrefix('outage');
    const config = writeConfig({ feeds: FEEDS, fixtureUrl: fx.url, interval: '1m' });
    view = openView(redis.url, prefix);
    const ids = sourceIds(FEEDS);
    svc = await spawnProduct('all', { config, redisUrl: redis.url, prefix });
    await svc.ready;
    const base = svc.url!;
    let since = Date.now();
    await refreshAll(view, ids);
    await waitPolled(view, ids, since, 60_000);
    expect((await get(`${base}/readyz`)).status).toBe(200);

    const parts: string[] = [];
    const checks: {
      alive: boolean;
      saw503: number;
      slowest: number;
      healthDown: number;
      lost: number;
      duplicated: number;
    }[] = [];
    for (const secs of OUTAGES_S) {
      await redis.stopClean();
      const t0 = Date.now();
      const seen = new Map<string, number>();
      let healthDown = 0;
      let slowest = 0;
      while (Date.now() - t0 < secs * 1000) {
        const r = await get(`${base}/readyz`, 10_000);
        seen.set(String(r.status), (seen.get(String(r.status)) ?? 0) + 1);
        slowest = Math.max(slowest, r.ms);
        if ((await get(`${base}/healthz`)).status !== 200) healthDown++;
        await sleep(500);
      }
      await redis.restart();
      const tUp = Date.now();
      await waitFor(
        '/readyz 200 after the outage',
        90_000,
        async () => (await get(`${base}/readyz`)).status === 200,
        250,
      );
      const readyAfterS = (Date.now() - tUp) / 1000;
      // New items, polled by the same process: ingest resumed.
      fx.bump();
      await waitDrained(view, 120_000);
      since = Date.now();
      await refreshAll(view, ids);
      await waitPolled(view, ids, since, 120_000);
      const resumedS = (Date.now() - tUp) / 1000;
      const a = await audit(view, fx.expected());
      const alive = svc.alive();
      parts.push(
        `${secs} s: up ${alive}, /readyz during outage ${[...seen].map(([s, n]) => `${s}x${n}`).join(' ')} (slowest ${slowest} ms), /healthz failures ${healthDown},` +
          ` ready again ${readyAfterS.toFixed(1)} s, polls resumed ${resumedS.toFixed(1)} s, lost ${a.lost}, duplicated ${a.duplicated}`,
      );
      checks.push({
        alive,
        saw503: seen.get('503') ?? 0,
        slowest,
        healthDown,
        lost: a.lost,
        duplicated: a.duplicated,
      });
    }

    // Paused, not gone: does /readyz still answer in bounded time?
    const admin = redis.admin();
    await admin.call('CLIENT', 'PAUSE', '5000', 'ALL');
    await sleep(200);
    const paused = await get(`${base}/readyz`, 3000);
    await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    await waitFor(
      '/readyz 200 after the pause',
      30_000,
      async () => (await get(`${base}/readyz`)).status === 200,
      250,
    );
    parts.push(`CLIENT PAUSE 5 s: /readyz ${paused.status} after ${paused.ms} ms`);
    figure(`fault 3: Redis unavailable — ${parts.join('; ')}`);
    for (const c of checks)
      expect(c).toEqual({
        alive: true,
        saw503: expect.any(Number),
        slowest: expect.any(Number),
        healthDown: 0,
        lost: 0,
        duplicated: 0,
      });
    for (const c of checks) expect(c.saw503).toBeGreaterThan(0);
    // A readiness probe must answer in bounded time (Kubernetes' default probe timeout is 1 s).
    for (const c of checks) expect(c.slowest).toBeLessThanOrEqual(2000);
    expect(svc.alive()).toBe(true);
  });
});
