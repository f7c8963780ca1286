// The retag queue: after a rule save (desk, admin API), one job applies the effective rules to
// the stored articles (curate/apply-rules.ts). A queue rather than the saving request's process:
// a retag reads and tags every stored article, CPU the HTTP thread must not spend (issue 17); the
// job runs where the workers run (the ingest thread in the single-process service), survives a
// crash of the process running it (taken over after its lock), and works when the desk is served
// by a `--role server` process that runs no workers.
import { Queue } from 'bullmq';
import type { ConnectionOptions, JobsOptions } from 'bullmq';

export const RETAG_QUEUE = 'retag';

export interface RetagJobData {
  /** `section:<id>` or `tag:<id>` */
  target: string;
  /** The rules version the save made. */
  version: number;
}

const RETAG_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { count: 200, age: 24 * 3600 },
  removeOnFail: { count: 200, age: 7 * 24 * 3600 },
};

export function createRetagQueue(connection: ConnectionOptions, prefix: string) {
  return new Queue<RetagJobData>(RETAG_QUEUE, { connection, prefix });
}
export type RetagQueue = ReturnType<typeof createRetagQueue>;

/** One job per save (BullMQ ids may not contain ':'; target ids are [a-z0-9-]). */
export async function enqueueRetag(queue: RetagQueue, data: RetagJobData): Promise<void> {
  await queue.add('retag', data, {
    ...RETAG_JOB_OPTIONS,
    jobId: `retag.${data.target.replace(':', '.')}.${data.version}`,
  });
}
