// The worker role: consumes poll jobs and pushed bodies (push in), beats a heartbeat for /readyz, and on shutdown lets active
// jobs finish within the grace, then releases the rest (they are re-run, idempotently).
import { Worker } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { POLL_QUEUE, PUSHED_QUEUE } from '../src/queues/queues.ts';
import type { PollJobData, PushedJobData } from '../src/queues/queues.ts';
import type { IngestReport } from '../src/domain/types.ts';
import { createPollProcessor } from './poll.worker.ts';
import type { PollWorkerDeps } from './poll.worker.ts';
import { createPushedProcessor } from './pushed.worker.ts';

/** Waits for `p` at most `ms` (it keeps running: the process is about to exit). */
function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((r) => {
      t = setTimeout(r, ms);
    }),
  ]).finally(() => clearTimeout(t));
}

export interface WorkerRole {
  id: string;
  close(graceMs: number): Promise<void>;
}

export async function startWorkerRole(
  deps: PollWorkerDeps,
  opts: { connection: ConnectionOptions; prefix: string; concurrency: number },
): Promise<WorkerRole> {
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const workerOptions = {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    autorun: true,
    name: id,
    // A job whose worker died is taken over after the lock expires; a job may survive several
    // crashed workers (every write is idempotent) before it is failed.
    lockDuration: 30_000,
    stalledInterval: 15_000,
    maxStalledCount: 5,
  };
  const worker = new Worker<PollJobData, IngestReport>(
    POLL_QUEUE,
    createPollProcessor(deps),
    workerOptions,
  );
  worker.on('error', (err) => deps.log.error({ err }, `worker error: ${err.message}`));
  worker.on('failed', (job, err) =>
    // A permanent feed error (UnrecoverableError) was logged by the poll already: one line each.
    deps.log[err.name === 'UnrecoverableError' ? 'debug' : 'warn'](
      { job: job?.id, err: err.message },
      `job ${job?.id} failed: ${err.message}`,
    ),
  );
  // Pushed bodies: their own queue, so a backlog of polls never delays a push (latency target
  // < 1 s, CONTRACT "Push in and out"); the same process, deps and per-source exclusion.
  const pushed = new Worker<PushedJobData, IngestReport>(
    PUSHED_QUEUE,
    createPushedProcessor(deps),
    workerOptions,
  );
  pushed.on('error', (err) => deps.log.error({ err }, `pushed-body worker error: ${err.message}`));
  pushed.on('failed', (job, err) =>
    deps.log.warn({ job: job?.id, err: err.message }, `pushed body ${job?.id}: ${err.message}`),
  );
  await Promise.all([worker.waitUntilReady(), pushed.waitUntilReady()]);
  const beat = () => deps.store.workers.beat(id).catch(() => undefined);
  await beat();
  const timer = setInterval(beat, 5_000);
  timer.unref();
  return {
    id,
    async close(graceMs: number) {
      clearInterval(timer);
      let timeout: NodeJS.Timeout | undefined;
      const graceful = Promise.all([worker.close(), pushed.close()]);
      const expired = new Promise<'expired'>((r) => {
        timeout = setTimeout(() => r('expired'), graceMs);
      });
      const res = await Promise.race([graceful.then(() => 'closed' as const), expired]);
      clearTimeout(timeout);
      if (res === 'expired') {
        deps.log.warn(`shutdown grace of ${graceMs} ms expired: releasing active jobs`);
        // A forced close still talks to Redis; with Redis gone it would wait for it forever.
        await bounded(Promise.all([worker.close(true), pushed.close(true)]), 2_000);
      }
      await bounded(
        deps.store.workers.leave(id).catch(() => undefined),
        1_000,
      );
    },
  };
}
