// The flow of faults 7 and 8: two worker processes and one server process against one Redis (or
// Redis Cluster); the server's schedulers drive the polls of 200 feeds. Work must be shared (both
// workers completed jobs, by BullMQ's processedBy = worker name `host:pid:…`) and nothing may be
// lost or duplicated.
import {
  startFixtureServer,
  writeConfig,
  spawnProduct,
  stopProduct,
  openView,
  uniquePrefix,
  sourceIds,
  audit,
  waitFor,
} from './harness.ts';
import type { ProductProcess } from './harness.ts';

export interface SharedWorkResult {
  perWorker: number[];
  lost: number;
  duplicated: number;
  halfWritten: number;
  stored: number;
  expected: number;
  seconds: number;
}

export async function runSharedWork(redisUrl: string, feeds = 200): Promise<SharedWorkResult> {
  const fx = await startFixtureServer({
    feeds,
    items: 20,
    grow: 0,
    baseMs: Date.now() - 2 * 86_400_000,
  });
  fx.delay = () => 30;
  const prefix = uniquePrefix('shared');
  const view = openView(redisUrl, prefix);
  const procs: ProductProcess[] = [];
  try {
    const config = writeConfig({ feeds, fixtureUrl: fx.url, interval: '2s' });
    const t0 = Date.now();
    const workers = await Promise.all(
      [0, 1].map(() => spawnProduct('worker', { config, redisUrl, prefix })),
    );
    procs.push(...workers);
    await Promise.all(workers.map((w) => w.ready));
    const server = await spawnProduct('server', { config, redisUrl, prefix });
    procs.push(server);
    await server.ready;
    const ids = sourceIds(feeds);
    const expected = fx.expected();
    await waitFor(
      'every source fully ingested',
      180_000,
      async () => {
        const states = await Promise.all(ids.map((id) => view.store.sources.getState(id)));
        return states.every((s) => s.articleCount >= (expected.get(s.sourceId)?.size ?? 0));
      },
      500,
    );
    const seconds = (Date.now() - t0) / 1000;
    const done = await view.queue.getJobs(['completed'], 0, -1);
    const perWorker = workers.map(
      (w) => done.filter((j) => j.processedBy?.split(':')[1] === String(w.pid)).length,
    );
    const a = await audit(view, expected);
    return {
      perWorker,
      lost: a.lost,
      duplicated: a.duplicated,
      halfWritten: a.halfWritten,
      stored: a.stored,
      expected: a.expected,
      seconds,
    };
  } finally {
    for (const p of procs) await stopProduct(p, 'SIGTERM');
    await view.close();
    await fx.close();
  }
}
