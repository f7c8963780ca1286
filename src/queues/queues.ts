// Every queue name, job payload and job id, and the one place that creates job schedulers.
// Only this module and workers/ import bullmq.
import { Queue, QueueEvents } from 'bullmq';
import type { ConnectionOptions, JobsOptions } from 'bullmq';
import type { IngestReport } from '../domain/types.ts';

export const POLL_QUEUE = 'poll';

export interface PollJobData {
  sourceId: string;
  /** Set by "refresh now": ignore back-off and adaptive schedule. */
  force?: boolean;
}

export const schedulerId = (sourceId: string) => `poll:${sourceId}`;

/**
 * Finished poll jobs kept for inspection (bull-board): the newest 200 completed (a job with its
 * ingest report is ~1.5 KB; 2,000 were 3 MB of Redis) and 1,000 failed, each for at most a day
 * / a week. The soak (`npm run bench -- --soak 30m`) showed both, with the events stream, filling
 * up for minutes after the warm-up: that was the memory "growth" of issue 17 point 8.
 */
export const POLL_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { count: 200, age: 24 * 3600 },
  removeOnFail: { count: 1_000, age: 7 * 24 * 3600 },
};

/** Length (approximate, XADD MAXLEN ~) of each queue's events stream; BullMQ's default is 10,000
 *  (~2 MB for the poll queue). Nothing of ours reads old events: QueueEvents listeners only
 *  follow new ones. */
export const EVENTS_MAX_LEN = 1_000;

export function createPollQueue(connection: ConnectionOptions, prefix: string) {
  return new Queue<PollJobData>(POLL_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: POLL_JOB_OPTIONS,
    streams: { events: { maxLen: EVENTS_MAX_LEN } },
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
  const stale = existing.filter((s) => !wanted.has(s.key));
  await inChunks(stale, (s) => queue.removeJobScheduler(s.key));
  const byKey = new Map(existing.map((s) => [s.key, s]));
  const changed = [...wanted].filter(([key, s]) => Number(byKey.get(key)?.every) !== s.everyMs);
  await inChunks(changed, ([key, s]) =>
    queue.upsertJobScheduler(
      key,
      { every: s.everyMs },
      { name: 'poll', data: { sourceId: s.id }, opts: POLL_JOB_OPTIONS },
    ),
  );
  const removed = stale.length;
  const upserted = changed.length;
  return { upserted, removed };
}

/**
 * When a poll job was due: a scheduler tick's planned time (BullMQ names tick jobs
 * `repeat:<scheduler id>:<planned ms>`), else its creation time plus its delay; null for a forced
 * refresh, which has no schedule to be late on.
 */
export function pollJobDueAt(job: {
  id?: string;
  timestamp: number;
  delay?: number;
  data: PollJobData;
}): number | null {
  if (job.data.force) return null;
  if (job.id?.startsWith('repeat:')) {
    const planned = Number(job.id.slice(job.id.lastIndexOf(':') + 1));
    if (Number.isFinite(planned) && planned > 0) return planned;
  }
  return job.timestamp + (job.delay ?? 0);
}

/**
 * Runs `fn` over `items`, SYNC_CONCURRENCY at a time: schedulers of different sources are
 * independent, and one at a time took ~20 ms each on a loaded machine (100,000 sources: half an
 * hour before the last one polled; see the scale bench).
 */
async function inChunks<T>(items: T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += SYNC_CONCURRENCY)
    await Promise.all(items.slice(i, i + SYNC_CONCURRENCY).map(fn));
}
const SYNC_CONCURRENCY = 64;

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

/** A queue's job counts by state (the poll queue or the push queue). */
export async function queueCounts(queue: PollQueue | PushQueue) {
  return queue.getJobCounts('active', 'waiting', 'delayed', 'failed', 'completed', 'prioritized');
}

// ---------------------------------------------------------------- push (issue 12)

/** WebSub distribution and webhook deliveries: one queue, four job names. */
export const PUSH_QUEUE = 'push';

export type PushJob =
  /** A section changed: find the hub subscriptions to its topics and queue one delivery each. */
  | { name: 'websub-fanout'; data: { sectionId: string; version: number } }
  /** POST one topic's current document to one subscriber. */
  | { name: 'websub-deliver'; data: { subscriptionId: string; version: number } }
  /** A section changed: hand each webhook the items it has not had, as one delivery. */
  | { name: 'webhook-fanout'; data: { sectionId: string; version: number } }
  /** POST one delivery (its id and items fixed when it was made) to one webhook. */
  | { name: 'webhook-deliver'; data: { hookId: string; deliveryId: string } };
export type PushJobName = PushJob['name'];
export type PushJobData = PushJob['data'];

const FANOUT_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { count: 1_000, age: 3600 },
  removeOnFail: { count: 1_000, age: 7 * 24 * 3600 },
};

/** WebSub: a subscriber that is down is retried for about an hour (1 s, 2 s, … 2^11 s). */
export const WEBSUB_DELIVER_OPTIONS: JobsOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { count: 2_000, age: 3600 },
  removeOnFail: { count: 2_000, age: 24 * 3600 },
};

/** Webhooks: 30 s, 60 s, … doubling to 1 h and then hourly, each less up to 20 % at random
 *  (jitter); 30 attempts ≈ a day. */
export const WEBHOOK_ATTEMPTS = 30;
export const WEBHOOK_DELIVER_OPTIONS: JobsOptions = {
  attempts: WEBHOOK_ATTEMPTS,
  backoff: { type: 'webhook' },
  removeOnComplete: { count: 2_000, age: 24 * 3600 },
  removeOnFail: { count: 2_000, age: 7 * 24 * 3600 },
};

/** Delay before retry number `attemptsMade` (1 = the first retry) of a webhook delivery. */
export function webhookBackoffMs(attemptsMade: number, random: () => number = Math.random) {
  const base = Math.min(30_000 * 2 ** Math.max(0, attemptsMade - 1), 3_600_000);
  return Math.round(base * (1 - 0.2 * random()));
}

/** The worker's `settings.backoffStrategy` for the push queue (named strategy "webhook"). */
export function pushBackoffStrategy(attemptsMade: number, type?: string): number {
  if (type === 'webhook') return webhookBackoffMs(attemptsMade);
  return 1_000 * 2 ** Math.max(0, attemptsMade - 1);
}

// BullMQ job ids may not contain ':' — ids below use '.' (section and hook ids are [a-z0-9-]).
export const pushJobId = {
  websubFanout: (sectionId: string, version: number) => `wsf.${sectionId}.${version}`,
  websubDeliver: (subscriptionId: string, version: number) => `wsd.${subscriptionId}.${version}`,
  webhookFanout: (sectionId: string, version: number) => `whf.${sectionId}.${version}`,
  webhookDeliver: (deliveryId: string) => `whd.${deliveryId}`,
};

export function createPushQueue(connection: ConnectionOptions, prefix: string) {
  return new Queue<PushJobData, unknown, PushJobName>(PUSH_QUEUE, {
    connection,
    prefix,
    streams: { events: { maxLen: EVENTS_MAX_LEN } },
  });
}
export type PushQueue = ReturnType<typeof createPushQueue>;

/** Queues the fan-outs for one section version; every process may call it, the job ids keep one. */
export async function enqueueSectionChange(
  queue: PushQueue,
  sectionId: string,
  version: number,
  what: { websub: boolean; webhooks: boolean },
): Promise<void> {
  const data = { sectionId, version };
  if (what.websub)
    await queue.add('websub-fanout', data, {
      ...FANOUT_OPTIONS,
      jobId: pushJobId.websubFanout(sectionId, version),
    });
  if (what.webhooks)
    await queue.add('webhook-fanout', data, {
      ...FANOUT_OPTIONS,
      jobId: pushJobId.webhookFanout(sectionId, version),
    });
}

export async function enqueueWebsubDelivery(
  queue: PushQueue,
  subscriptionId: string,
  version: number,
  delayMs = 0,
): Promise<void> {
  await queue.add(
    'websub-deliver',
    { subscriptionId, version },
    {
      ...WEBSUB_DELIVER_OPTIONS,
      delay: delayMs,
      jobId: pushJobId.websubDeliver(subscriptionId, version),
    },
  );
}

export async function enqueueWebhookDelivery(
  queue: PushQueue,
  hookId: string,
  deliveryId: string,
  jobId = pushJobId.webhookDeliver(deliveryId),
): Promise<void> {
  await queue.add('webhook-deliver', { hookId, deliveryId }, { ...WEBHOOK_DELIVER_OPTIONS, jobId });
}

// ---------------------------------------------------------------- pushed bodies (push in)

/**
 * Bodies our sources' hubs pushed to our callback: the server verifies signature and size and
 * queues the body here; the worker role (the ingest thread in `--role all`) runs it through the
 * pipeline, so a push flood never holds the HTTP thread.
 */
export const PUSHED_QUEUE = 'pushed';

export interface PushedJobData {
  sourceId: string;
  /** The topic it was pushed for. */
  url: string;
  contentType: string | null;
  /** The body, base64 (at most fetch.maxBytes); empty when `overSize`. */
  body: string;
  /** The body was over fetch.maxBytes: not carried; the source is marked as a poll's would be. */
  overSize?: boolean;
  /** When the callback received it (ms since the epoch). */
  receivedAt: number;
}

export const PUSHED_JOB_OPTIONS: JobsOptions = {
  // A source busy with a long poll past the wait, or Redis trouble: tried again (1 s, 2 s, 4 s, 8 s).
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  // Bodies are up to fetch.maxBytes: none kept once ingested, few and not for long when failed.
  removeOnComplete: true,
  removeOnFail: { count: 10, age: 3600 },
};

/**
 * Pushed bodies waiting for a worker at most (each up to fetch.maxBytes, in Redis): past it the
 * callback refuses the push (a non-2xx answer: the hub delivers it again later) instead of
 * storing bodies without bound while no worker consumes them.
 */
export const PUSHED_MAX_WAITING = 1_000;

export function createPushedQueue(connection: ConnectionOptions, prefix: string) {
  return new Queue<PushedJobData, IngestReport>(PUSHED_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: PUSHED_JOB_OPTIONS,
    streams: { events: { maxLen: EVENTS_MAX_LEN } },
  });
}
export type PushedQueue = ReturnType<typeof createPushedQueue>;

export function createPushedQueueEvents(connection: ConnectionOptions, prefix: string) {
  return new QueueEvents(PUSHED_QUEUE, { connection, prefix });
}

export type PushedOutcome =
  | { state: 'done'; report: IngestReport }
  | { state: 'failed'; reason: string }
  /** Not finished within the wait (no worker running, the source busy, a retry pending). */
  | { state: 'queued' }
  /** Not queued: `maxWaiting` bodies already wait for a worker. */
  | { state: 'full' };

/**
 * Queues one pushed body and waits, at most `waitMs`, for a worker to have run it (the callback
 * answers the hub with the outcome then; the wait costs the HTTP thread nothing). `events` must
 * be ready before the call (it hears completions from then on).
 */
export async function queuePushedBody(
  queue: PushedQueue,
  events: QueueEvents,
  data: PushedJobData,
  waitMs: number,
  maxWaiting = PUSHED_MAX_WAITING,
): Promise<PushedOutcome> {
  if ((await queue.getWaitingCount()) >= maxWaiting) return { state: 'full' };
  const job = await queue.add('pushed', data);
  try {
    return { state: 'done', report: (await job.waitUntilFinished(events, waitMs)) as IngestReport };
  } catch (err) {
    // A timeout, or this attempt failed (a retry may follow): what the job is now says which.
    const state = await job.getState().catch(() => 'unknown');
    if (state === 'completed') {
      const done = await queue.getJob(job.id!);
      if (done?.returnvalue) return { state: 'done', report: done.returnvalue };
    }
    if (state === 'failed') return { state: 'failed', reason: (err as Error).message };
    return { state: 'queued' };
  }
}
