// Poll lateness (due -> started): a scheduler tick's due time is read from the job BullMQ hands a
// worker (real Redis, real job scheduler), and the poll counters export it as a histogram.
import { describe, it, expect, afterAll } from 'vitest';
import { Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { bullConnection, parseRedisTarget } from '../../src/store/client.ts';
import { createPollQueue, pollJobDueAt, syncSchedulers } from '../../src/queues/queues.ts';
import type { PollJobData } from '../../src/queues/queues.ts';
import { pollMetricsText, reportFields } from '../../src/runtime/metrics.ts';
import { emptyReport } from '../../src/pipeline/ingest.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

describe('poll lateness', () => {
  it("reads a scheduler tick's planned time from the job a worker gets, and none for a refresh", async () => {
    const target = parseRedisTarget(testRedisUrl());
    const prefix = `{${uniquePrefix('late')}:q}`;
    const queue = createPollQueue(bullConnection(target, 'queue'), prefix);
    closers.push(() => queue.close());
    const every = 400;
    const seen: { dueAt: number | null; startedAt: number; id: string }[] = [];
    const worker = new Worker<PollJobData>(
      queue.name,
      async (job: Job<PollJobData>) => {
        seen.push({ dueAt: pollJobDueAt(job), startedAt: Date.now(), id: job.id ?? '' });
      },
      { connection: bullConnection(target, 'worker'), prefix },
    );
    closers.push(() => worker.close());
    await syncSchedulers(queue, [{ id: 's1', enabled: true, everyMs: every }]);
    await queue.add('poll', { sourceId: 's1', force: true });
    const t0 = Date.now();
    while (seen.filter((s) => s.dueAt !== null).length < 3 && Date.now() - t0 < 10_000)
      await new Promise((r) => setTimeout(r, 50));
    const ticks = seen.filter((s) => s.dueAt !== null);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    for (const t of ticks) {
      // Started at or after it was due, and not long after (the worker was idle).
      expect(t.startedAt - t.dueAt!).toBeGreaterThanOrEqual(-5);
      expect(t.startedAt - t.dueAt!).toBeLessThan(every);
    }
    // Consecutive ticks are due one interval apart.
    const dues = ticks.map((t) => t.dueAt!).sort((a, b) => a - b);
    expect(dues[2]! - dues[1]!).toBe(every);
    expect(seen.some((s) => s.dueAt === null)).toBe(true);
  });

  it('exports lateness as the tributary_poll_lateness_seconds histogram', () => {
    const h = new Map<string, number>();
    for (const lateMs of [50, 700, 700, 45_000]) {
      const r = { ...emptyReport('s1'), outcome: 'not-modified' as const, lateMs };
      for (const [k, n] of Object.entries(reportFields(r))) h.set(k, (h.get(k) ?? 0) + n);
    }
    const text = pollMetricsText(Object.fromEntries([...h].map(([k, v]) => [k, String(v)])));
    expect(text).toContain('# TYPE tributary_poll_lateness_seconds histogram');
    expect(text).toContain('tributary_poll_lateness_seconds_bucket{le="0.1"} 1');
    expect(text).toContain('tributary_poll_lateness_seconds_bucket{le="1"} 3');
    expect(text).toContain('tributary_poll_lateness_seconds_bucket{le="30"} 3');
    expect(text).toContain('tributary_poll_lateness_seconds_bucket{le="60"} 4');
    expect(text).toContain('tributary_poll_lateness_seconds_count 4');
    // A report without lateness (a forced refresh) adds nothing to it.
    expect(Object.keys(reportFields(emptyReport('s3'))).some((k) => k.startsWith('late'))).toBe(
      false,
    );
  });
});
