// syncSchedulers makes the queue's job schedulers match the sources exactly, also for many
// sources at once (they are upserted and removed several at a time).
import { describe, it, expect, afterAll } from 'vitest';
import { bullConnection, parseRedisTarget } from '../../src/store/client.ts';
import { createPollQueue, schedulerId, syncSchedulers } from '../../src/queues/queues.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';

const queue = createPollQueue(
  bullConnection(parseRedisTarget(testRedisUrl()), 'queue'),
  `{${uniquePrefix('sync')}:q}`,
);
afterAll(() => queue.close());

describe('syncSchedulers', () => {
  it('creates, re-times and removes 300 schedulers exactly', async () => {
    const sources = Array.from({ length: 300 }, (_, i) => ({
      id: `s${i}`,
      enabled: i % 10 !== 9,
      everyMs: 60_000 + i * 1000,
    }));
    expect(await syncSchedulers(queue, sources)).toEqual({ upserted: 270, removed: 0 });
    const every = async () =>
      new Map((await queue.getJobSchedulers(0, -1, true)).map((s) => [s.key, Number(s.every)]));
    const got = await every();
    expect(got.size).toBe(270);
    for (const s of sources)
      expect(got.get(schedulerId(s.id))).toBe(s.enabled ? s.everyMs : undefined);
    // Half the sources gone, ten re-timed: only those change.
    const next = sources
      .slice(0, 150)
      .map((s, i) => (i < 10 ? { ...s, everyMs: s.everyMs + 1 } : s));
    expect(await syncSchedulers(queue, next)).toEqual({ upserted: 9, removed: 135 });
    const after = await every();
    expect(after.size).toBe(135);
    for (const s of next)
      expect(after.get(schedulerId(s.id))).toBe(s.enabled ? s.everyMs : undefined);
  });
});
