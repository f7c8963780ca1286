// The retag worker: applies saved rules to the stored articles, one job at a time per process
// (each reads every stored article). Started where the poll workers run (runtime/ingest-thread.ts).
import { Worker } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import { RETAG_QUEUE } from '../src/queues/retag-queue.ts';
import type { RetagJobData } from '../src/queues/retag-queue.ts';

export async function startRetagWorker(
  run: (data: RetagJobData) => Promise<unknown>,
  opts: { connection: ConnectionOptions; prefix: string; onError(err: Error): void },
): Promise<{ close(force?: boolean): Promise<void> }> {
  const worker = new Worker<RetagJobData>(RETAG_QUEUE, (job) => run(job.data), {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: 1,
    lockDuration: 60_000,
  });
  worker.on('error', opts.onError);
  await worker.waitUntilReady();
  return { close: (force) => worker.close(force) };
}
