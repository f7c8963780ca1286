// Poll counters shared through Redis: exported in Prometheus form, and none lost while Redis
// refuses writes (a real redis-server of the test's own, made full with maxmemory).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { IngestReport } from '../../src/domain/types.ts';
import { createMetrics, redisCounterHash } from '../../src/runtime/metrics.ts';
import { startOwnRedis } from '../helpers/own-redis.ts';
import type { OwnRedis } from '../helpers/own-redis.ts';

const report = (r: Partial<IngestReport>): IngestReport => ({
  sourceId: 's',
  outcome: 'ok',
  fetched: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  clustered: 0,
  durationMs: 120,
  error: null,
  nextPollAt: 0,
  ...r,
});

const sample = (body: string, series: string) => {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
};

describe('poll metrics through Redis', () => {
  let own: OwnRedis;
  beforeAll(async () => {
    own = await startOwnRedis();
  });
  afterAll(() => own?.stop());

  it('exports counters and a cumulative histogram that two processes share', async () => {
    const key = 'm1:metrics:{polls}';
    const worker = createMetrics({ polls: redisCounterHash(own.client, key) });
    const server = createMetrics({ polls: redisCounterHash(own.client, key) });
    await worker.observeReport(report({ inserted: 3, clustered: 1, durationMs: 80 }));
    await worker.observeReport(report({ outcome: 'not-modified', durationMs: 400 }));
    await worker.observeReport(
      report({ outcome: 'error', error: { kind: 'timeout', message: 'x', permanent: false } }),
    );
    await worker.observeReport(report({ outcome: 'skipped' })); // not a poll
    const { body } = await server.render();
    expect(body).toContain('# TYPE tributary_fetches_total counter');
    expect(sample(body, 'tributary_fetches_total{outcome="ok",kind=""}')).toBe(1);
    expect(sample(body, 'tributary_fetches_total{outcome="not-modified",kind=""}')).toBe(1);
    expect(sample(body, 'tributary_fetches_total{outcome="error",kind="timeout"}')).toBe(1);
    expect(sample(body, 'tributary_articles_total{outcome="inserted"}')).toBe(3);
    expect(sample(body, 'tributary_articles_total{outcome="clustered"}')).toBe(1);
    expect(body).toContain('# TYPE tributary_poll_duration_seconds histogram');
    expect(sample(body, 'tributary_poll_duration_seconds_bucket{le="0.05"}')).toBe(0);
    expect(sample(body, 'tributary_poll_duration_seconds_bucket{le="0.1"}')).toBe(1);
    expect(sample(body, 'tributary_poll_duration_seconds_bucket{le="0.25"}')).toBe(2);
    expect(sample(body, 'tributary_poll_duration_seconds_bucket{le="0.5"}')).toBe(3);
    expect(sample(body, 'tributary_poll_duration_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(sample(body, 'tributary_poll_duration_seconds_count')).toBe(3);
    expect(sample(body, 'tributary_poll_duration_seconds_sum')).toBeCloseTo(0.6, 6);
  });

  it('keeps counters Redis refused (full) and writes them once it accepts writes again', async () => {
    const key = 'm2:metrics:{polls}';
    const errors: string[] = [];
    const m = createMetrics({
      polls: redisCounterHash(own.client, key),
      onPublishError: (e) => errors.push(e.message),
    });
    await m.observeReport(report({}));
    await own.client.config('SET', 'maxmemory', '1'); // every write now fails with OOM
    try {
      const timeout = {
        outcome: 'error' as const,
        error: { kind: 'timeout', message: 'x', permanent: false },
      };
      await m.observeReport(report(timeout));
      await m.observeReport(report(timeout));
      expect(errors).toHaveLength(1); // logged once per outage
      expect(errors[0]).toMatch(/OOM/);
      expect(await own.client.hget(key, 'fetch\terror\ttimeout')).toBeNull();
      // This process's scrape shows them already.
      const during = (await m.render()).body;
      expect(sample(during, 'tributary_fetches_total{outcome="error",kind="timeout"}')).toBe(2);
    } finally {
      await own.client.config('SET', 'maxmemory', '0');
    }
    await m.observeReport(report({}));
    expect(await own.client.hget(key, 'fetch\terror\ttimeout')).toBe('2');
    expect(await own.client.hget(key, 'fetch\tok\t')).toBe('2');
    const after = (await m.render()).body;
    expect(sample(after, 'tributary_fetches_total{outcome="error",kind="timeout"}')).toBe(2);
    expect(sample(after, 'tributary_poll_duration_seconds_count')).toBe(4);
  });
});
