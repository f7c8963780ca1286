// What the queues keep in Redis is bounded (issue 17 point 8): the events stream and the finished
// poll jobs stop growing after a number of polls, whatever the run length.
import { describe, it, expect, afterAll } from 'vitest';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { bullConnection, parseRedisTarget } from '../store/client.ts';
import { testRedisUrl, uniquePrefix } from '../../tests/helpers/redis.ts';
import {
  EVENTS_MAX_LEN,
  POLL_JOB_OPTIONS,
  POLL_QUEUE,
  PUSHED_QUEUE,
  createPollQueue,
  createPushedQueue,
  createPushedQueueEvents,
  queuePushedBody,
} from './queues.ts';

const admin = new Redis(testRedisUrl());
afterAll(() => admin.disconnect());

describe('queue retention', () => {
  it('keeps the poll events stream near EVENTS_MAX_LEN entries after many more events', async () => {
    const prefix = `{${uniquePrefix('q')}}`;
    const queue = createPollQueue(
      bullConnection(parseRedisTarget(testRedisUrl()), 'queue'),
      prefix,
    );
    await queue.waitUntilReady();
    // Each added job writes at least one event ("added" / "waiting").
    const jobs = EVENTS_MAX_LEN * 2;
    for (let i = 0; i < jobs; i += 500)
      await queue.addBulk(
        Array.from({ length: 500 }, (_, j) => ({
          name: 'poll',
          data: { sourceId: `s${i + j}` },
        })),
      );
    const len = await admin.xlen(`${prefix}:${POLL_QUEUE}:events`);
    // MAXLEN ~ trims whole stream nodes (100 entries each): a node's worth of slack.
    expect(len).toBeGreaterThan(0);
    expect(len).toBeLessThanOrEqual(EVENTS_MAX_LEN + 100);
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('keeps at most removeOnComplete.count finished poll jobs', async () => {
    const prefix = `{${uniquePrefix('q')}}`;
    const target = parseRedisTarget(testRedisUrl());
    const queue = createPollQueue(bullConnection(target, 'queue'), prefix);
    const keep = (POLL_JOB_OPTIONS.removeOnComplete as { count: number }).count;
    const jobs = keep + 100;
    let done = 0;
    const worker = new Worker(
      POLL_QUEUE,
      async () => {
        done++;
        return { outcome: 'ok' };
      },
      { connection: bullConnection(target, 'worker'), prefix, concurrency: 20 },
    );
    await queue.addBulk(
      Array.from({ length: jobs }, (_, i) => ({ name: 'poll', data: { sourceId: `s${i}` } })),
    );
    const t0 = Date.now();
    while (done < jobs && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    await worker.close();
    expect(done).toBe(jobs);
    expect(await queue.getCompletedCount()).toBe(keep);
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('refuses a pushed body once maxWaiting bodies wait for a worker, and caps its events stream', async () => {
    const prefix = `{${uniquePrefix('q')}}`;
    const target = parseRedisTarget(testRedisUrl());
    const queue = createPushedQueue(bullConnection(target, 'queue'), prefix);
    const events = createPushedQueueEvents(bullConnection(target, 'worker'), prefix);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const data = (i: number) => ({
      sourceId: 's',
      url: 'https://example.org/feed',
      contentType: 'application/rss+xml',
      body: Buffer.from(`<rss>${i}</rss>`).toString('base64'),
      receivedAt: Date.now(),
    });
    // No worker: each body waits. Two fit, the third is refused and not stored.
    expect((await queuePushedBody(queue, events, data(1), 10, 2)).state).toBe('queued');
    expect((await queuePushedBody(queue, events, data(2), 10, 2)).state).toBe('queued');
    expect((await queuePushedBody(queue, events, data(3), 10, 2)).state).toBe('full');
    expect(await queue.getWaitingCount()).toBe(2);
    await queue.addBulk(
      Array.from({ length: EVENTS_MAX_LEN * 2 }, (_, i) => ({ name: 'pushed', data: data(i) })),
    );
    expect(await admin.xlen(`${prefix}:${PUSHED_QUEUE}:events`)).toBeLessThanOrEqual(
      EVENTS_MAX_LEN + 100,
    );
    await queue.obliterate({ force: true });
    await Promise.all([queue.close(), events.close()]);
  });
});
