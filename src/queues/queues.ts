// Every queue name, job payload and job id, and the one place that creates job schedulers.
// Only this module and workers/ import bullmq.
import { Queue, QueueEvents } from 'bullmq';
import type { ConnectionOptions, JobsOptions } from 'bullmq';

export const POLL_QUEUE = 'poll';

export interface PollJobData {
  sourceId: string;
  /** Set by "refresh now": ignore back-off and adaptive schedule. */
  force?: boolean;
}

export const schedulerId = (sourceId: string) => `poll:${sourceId}`;

export const POLL_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { count: 2_000, age: 24 * 3600 },
  removeOnFail: { count: 5_000, age: 7 * 24 * 3600 },
};

export function createPollQueue(connection: ConnectionOptions, prefix: string) {
  return new Queue<PollJobData>(POLL_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: POLL_JOB_OPTIONS,
  });
}

export type PollQueue = ReturnType<typeof createPollQueue>;

export function createPollQueueEvents(connection: ConnectionOptions, prefix: string) {
  return new QueueEvents(POLL_QUEUE, { connection, prefix });
}

/**
 * Makes the queue's schedulers match `sources` exactly: one scheduler per enabled source, ticking
 * at `everyMs(source)`; schedulers of removed or paused sources are deleted. Upserting is
 * idempotent, and only the process that owns scheduling calls this (concurrent upserts have
 * lost or duplicated schedulers in BullMQ, see taskforcesh/bullmq#3085).
 */
export async function syncSchedulers(
  queue: PollQueue,
  sources: { id: string; enabled: boolean; everyMs: number }[],
): Promise<{ upserted: number; removed: number }> {
  const wanted = new Map(sources.filter((s) => s.enabled).map((s) => [schedulerId(s.id), s]));
  const existing = await queue.getJobSchedulers(0, -1, true);
  let removed = 0;
  for (const s of existing) {
    const key = s.key;
    if (!wanted.has(key)) {
      await queue.removeJobScheduler(key);
      removed++;
    }
  }
  const byKey = new Map(existing.map((s) => [s.key, s]));
  let upserted = 0;
  for (const [key, s] of wanted) {
    const cur = byKey.get(key);
    if (cur && Number(cur.every) === s.everyMs) continue;
    await queue.upsertJobScheduler(
      key,
      { every: s.everyMs },
      { name: 'poll', data: { sourceId: s.id }, opts: POLL_JOB_OPTIONS },
    );
    upserted++;
  }
  return { upserted, removed };
}

/** "Refresh now": one immediate forced poll, de-duplicated while one is pending. */
export async function enqueueRefresh(queue: PollQueue, sourceId: string): Promise<string> {
  const job = await queue.add(
    'poll',
    { sourceId, force: true },
    // One pending refresh per source: a second request while one waits is folded into it; one made
    // while a refresh runs is kept and runs after it (that run may already have fetched).
    { ...POLL_JOB_OPTIONS, deduplication: { id: `refresh-${sourceId}`, keepLastIfActive: true } },
  );
  return job.id ?? '';
}

export async function queueCounts(queue: PollQueue) {
  return queue.getJobCounts('active', 'waiting', 'delayed', 'failed', 'completed', 'prioritized');
}
