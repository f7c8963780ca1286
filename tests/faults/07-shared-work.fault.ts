// Fault 7: two worker processes and one server process against one Redis, 200 feeds: work is
// shared, nothing is lost or duplicated.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SHORT, figure, startSuiteRedis } from './harness.ts';
import type { SuiteRedis } from './harness.ts';
import { runSharedWork } from './shared-work.ts';

describe('fault 7: two workers and a server share the work', () => {
  let redis: SuiteRedis;
  beforeAll(async () => {
    redis = await startSuiteRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('both workers process jobs, duplicates 0', async () => {
    const r = await runSharedWork(redis.url, SHORT ? 50 : 200);
    figure(
      `fault 7: 2 workers + 1 server, ${SHORT ? 50 : 200} feeds — jobs per worker ${r.perWorker.join(' / ')}, lost ${r.lost}, duplicated ${r.duplicated}, half-written ${r.halfWritten} (stored ${r.stored}/${r.expected} in ${r.seconds.toFixed(1)} s)`,
    );
    expect(r.perWorker.every((n) => n > 0)).toBe(true);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBe(0);
    expect(r.halfWritten).toBe(0);
  });
});
